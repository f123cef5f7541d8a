import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { startHost, type RunningHost } from "../../../dev/host";
import { memoryLogger } from "../../../dev/host/logger";
import { httpFunction } from "../../../functions/lib/definition";
import { handleHttp, json, MAX_JSON_BODY_BYTES, readJson } from "../../../functions/lib/http";
import { AppError } from "../../../shared/domain/errors";

/**
 * The HTTP edge through the local host and a scratch function that stores notes in Azurite: every kind
 * of bad request gets problem+json with a correlation id, and nothing of a failed request is stored.
 */
const table = TableClient.fromConnectionString(inject("tablesConnectionString"), `edge${Date.now()}`, {
  allowInsecureConnection: true,
});
const note = z.object({ text: z.string().min(1).max(200), room: z.string().email() });

const scratch = [
  httpFunction({
    name: "scratch-notes-create",
    route: "scratch/notes",
    methods: ["POST"],
    handler: handleHttp(async (request) => {
      const body = await readJson(request, note);
      if (body.text === "conflict") throw new AppError("conflict", "That note exists already.");
      await table.createEntity({ partitionKey: "notes", rowKey: `${Date.now()}-${Math.random()}`, ...body });
      return json(201, body);
    }),
  }),
  httpFunction({
    name: "scratch-notes-get",
    route: "scratch/notes/{id:int}",
    methods: ["GET"],
    handler: handleHttp((request) => Promise.resolve(json(200, { id: request.params.id }))),
  }),
  httpFunction({
    name: "scratch-crash",
    route: "scratch/crash",
    methods: ["GET"],
    handler: handleHttp(() => Promise.reject(new Error("boom with secret=abc123"))),
  }),
];

let host: RunningHost;
const logger = memoryLogger();
beforeAll(async () => {
  await table.createTable();
  host = await startHost({ functions: scratch, port: 0, env: {}, logger, timers: false });
});
afterAll(async () => {
  await host.stop();
  await table.deleteTable();
});

const post = (body: string | Uint8Array, contentType = "application/json"): Promise<Response> =>
  fetch(`${host.baseUrl}/api/scratch/notes`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });

async function expectProblem(
  response: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ type: `urn:ones:problem:${code}`, status });
  expect(problem.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.headers.get("x-correlation-id")).toBe(problem.correlationId);
  return problem;
}

async function storedNotes(): Promise<number> {
  let count = 0;
  for await (const _ of table.listEntities()) count++;
  return count;
}

describe("the HTTP edge on the local host", () => {
  it("answers an unknown route with 404 problem+json", async () => {
    const problem = await expectProblem(await fetch(`${host.baseUrl}/api/nowhere`), 404, "not-found");
    expect(problem.instance).toBe("/api/nowhere");
  });

  it("answers a known route with the wrong method with 405 and Allow", async () => {
    const response = await fetch(`${host.baseUrl}/api/scratch/notes`, { method: "DELETE" });
    await expectProblem(response, 405, "method-not-allowed");
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("honours route constraints and passes route parameters", async () => {
    expect(await (await fetch(`${host.baseUrl}/api/scratch/notes/42`)).json()).toEqual({ id: "42" });
    await expectProblem(await fetch(`${host.baseUrl}/api/scratch/notes/abc`), 404, "not-found");
  });

  it("refuses a body that is not JSON with 415", async () => {
    await expectProblem(
      await post("text=hi", "application/x-www-form-urlencoded"),
      415,
      "unsupported-media-type",
    );
  });

  it("refuses malformed JSON with 400", async () => {
    await expectProblem(await post('{"text": "hi",'), 400, "malformed-request");
  });

  it("refuses an oversized body with 413", async () => {
    const big = JSON.stringify({ text: "x".repeat(MAX_JSON_BODY_BYTES), room: "a@b.example" });
    await expectProblem(await post(big), 413, "payload-too-large");
  });

  it("refuses an oversized chunked body (no content length) with 413 without reading it all", async () => {
    const chunk = new TextEncoder().encode(`"${"y".repeat(64 * 1024)}",`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"text":['));
        // Far more than the limit: the edge must give up long before the stream ends.
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${host.baseUrl}/api/scratch/notes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    });
    await expectProblem(response, 413, "payload-too-large");
  });

  it("refuses a body that is not UTF-8 with 400", async () => {
    await expectProblem(await post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, "malformed-request");
  });

  it("names each invalid field without echoing its value", async () => {
    const response = await post(JSON.stringify({ text: "", room: "not-an-address-SECRETVALUE" }));
    const problem = await expectProblem(response, 400, "validation-failed");
    expect((problem.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(["room", "text"]);
    expect(JSON.stringify(problem)).not.toContain("SECRETVALUE");
  });

  it("maps an application error to its status", async () => {
    await expectProblem(
      await post(JSON.stringify({ text: "conflict", room: "a@b.example" })),
      409,
      "conflict",
    );
  });

  it("hides an unexpected failure behind a 500 with no internals", async () => {
    const problem = await expectProblem(await fetch(`${host.baseUrl}/api/scratch/crash`), 500, "internal");
    expect(JSON.stringify(problem)).not.toMatch(/boom|secret|abc123|at /);
    // The log names the failure but not its message, which could carry what the SDK saw.
    expect(logger.lines.some((l) => l.includes("unexpected failure: Error"))).toBe(true);
    expect(logger.lines.join("\n")).not.toContain("abc123");
  });

  it("stores an accepted request, and nothing of the failed ones", async () => {
    const response = await post(
      JSON.stringify({ text: "projector is broken", room: "room.berlin@contoso.example" }),
    );
    expect(response.status).toBe(201);
    expect(await storedNotes()).toBe(1);
  });
});
