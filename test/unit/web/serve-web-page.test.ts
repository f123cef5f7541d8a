import { describe, expect, it } from "vitest";
import type { WebFiles } from "../../../shared/app/ports/web-files";
import {
  contentSecurityPolicy,
  serveAsset,
  servePage,
  NONCE_PLACEHOLDER,
} from "../../../shared/app/web/serve-web-page";
import { AppError } from "../../../shared/domain/errors";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function files(entries: Record<string, string>): WebFiles & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    read: (path) => {
      asked.push(path);
      return Promise.resolve(path in entries ? enc(entries[path] ?? "") : undefined);
    },
  };
}

const page = `<meta name="csp-nonce" nonce="${NONCE_PLACEHOLDER}"><script type="module" src="/assets/app-AbCdEf12.js"></script>`;

describe("serving the built pages", () => {
  it("answers a page with a fresh nonce in the page and the policy, never cached", async () => {
    const response = await servePage(
      { files: files({ "admin/index.html": page }), nonce: () => "n0nce" },
      "admin",
    );
    expect(dec(response.body)).toBe(
      '<meta name="csp-nonce" nonce="n0nce"><script type="module" src="/assets/app-AbCdEf12.js"></script>',
    );
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.headers["content-security-policy"]).toBe(contentSecurityPolicy("n0nce"));
    expect(response.headers["x-frame-options"]).toBe("DENY");
  });

  it("allows scripts only from the app itself and styles only with the nonce", () => {
    const policy = contentSecurityPolicy("abc");
    expect(policy).toContain("script-src 'self';");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).toContain("style-src-elem 'self' 'nonce-abc';");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it("says the pages are not built when index.html is missing", async () => {
    const error = await servePage({ files: files({}), nonce: () => "x" }, "app").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("dependency-unavailable");
  });

  it("serves a hashed asset for a year, Brotli first, then gzip, then plain", async () => {
    const f = files({
      "assets/app-AbCdEf12.js": "plain",
      "assets/app-AbCdEf12.js.br": "brotli",
      "assets/app-AbCdEf12.js.gz": "gzip",
    });
    const br = await serveAsset({ files: f }, "app-AbCdEf12.js", "gzip, deflate, br");
    expect([dec(br.body), br.headers["content-encoding"]]).toEqual(["brotli", "br"]);
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(br.headers.vary).toBe("accept-encoding");
    const gz = await serveAsset({ files: f }, "app-AbCdEf12.js", "gzip");
    expect([dec(gz.body), gz.headers["content-encoding"]]).toEqual(["gzip", "gzip"]);
    const plain = await serveAsset({ files: f }, "app-AbCdEf12.js", "");
    expect([dec(plain.body), plain.headers["content-encoding"]]).toEqual(["plain", undefined]);
  });

  it("refuses names that are not hashed assets without reading anything", async () => {
    const f = files({ "assets/app-AbCdEf12.js": "x" });
    for (const name of ["..%2Findex.html", "../app/index.html", "index.html", "app-AbCdEf12.exe", "a-b.js"]) {
      const error = await serveAsset({ files: f }, name, "").catch((e: unknown) => e);
      expect((error as AppError).code, name).toBe("not-found");
    }
    expect(f.asked).toEqual([]);
  });
});
