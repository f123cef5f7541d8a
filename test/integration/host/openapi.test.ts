import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningHost } from "../../../dev/host";
import { startHttpHost } from "../../support/http-host";

/** The document through the local host, as a client fetches it: anonymous, cacheable, HEAD as GET. */
let host: RunningHost;
beforeAll(async () => {
  host = await startHttpHost();
});
afterAll(() => host.stop());

describe("GET /api/openapi.json on the local host", () => {
  it("answers anonymously with the document, then 304 for its ETag, and HEAD without a body", async () => {
    const url = `${host.baseUrl}/api/openapi.json`;
    const first = await fetch(url);
    const doc = (await first.json()) as { openapi: string; paths: Record<string, unknown> };
    const etag = first.headers.get("etag") ?? "";
    expect([first.status, first.headers.get("cache-control"), doc.openapi]).toEqual([
      200,
      "public, max-age=3600",
      "3.1.0",
    ]);
    expect(Object.keys(doc.paths)).toContain("/api/bookings/{id}");
    const cached = await fetch(url, { headers: { "if-none-match": etag } });
    expect([cached.status, await cached.text()]).toEqual([304, ""]);
    const head = await fetch(url, { method: "HEAD" });
    expect([head.status, head.headers.get("etag"), await head.text()]).toEqual([200, etag, ""]);
  });
});
