import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { z } from "zod";
import { AppError, isAppError } from "../../shared/domain/errors";
import { problemResponse } from "./problem";

/** Bodies larger than this are refused with 413 before they are parsed. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/**
 * Wraps an HTTP handler so that every failure leaves as `application/problem+json` with the invocation
 * id as correlation id. Expected errors are logged by code; unexpected ones by name and message only.
 */
export function handleHttp(handler: Handler): Handler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (isAppError(error)) {
        context.warn(`request failed: ${error.code}`);
      } else {
        // Name, code and status only: SDK messages can carry response bodies, keys or addresses.
        const e = error as { name?: unknown; code?: unknown; statusCode?: unknown } | null;
        const parts = [e?.name, e?.code, e?.statusCode].filter(
          (p) => typeof p === "string" || typeof p === "number",
        );
        context.error(`unexpected failure: ${parts.join(" ") || "unknown error"}`);
      }
      return problemResponse(error, context.invocationId, new URL(request.url).pathname);
    }
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { "cache-control": "no-store", ...headers } };
}

/**
 * Reads and validates a JSON body: 415 unless the content type is JSON in UTF-8, 413 past the size
 * limit, 400 for malformed JSON, and `validation-failed` naming each bad field (never echoing its value).
 */
export async function readJson<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
  maxBytes = MAX_JSON_BODY_BYTES,
): Promise<z.output<S>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new AppError("unsupported-media-type", "Send the request body as application/json.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readText(request, maxBytes));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("malformed-request", "The request body is not valid JSON.");
  }
  return parseInput(schema, parsed);
}

/**
 * The body as UTF-8 text, read as a stream and abandoned as soon as it passes `maxBytes` (413), so a
 * large or chunked body without a content length is never buffered whole. A body announced in another
 * charset is a 415 (it would be misread); invalid UTF-8 is a 400.
 */
export async function readText(request: HttpRequest, maxBytes = MAX_JSON_BODY_BYTES): Promise<string> {
  requireUtf8(request);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = (request.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("malformed-request", "The request body is not valid UTF-8.");
  }
}

/** JSON is UTF-8 (RFC 8259 §8.1) and so is every text body ONES reads: refuse another `charset`. */
function requireUtf8(request: HttpRequest): void {
  const charset = (request.headers.get("content-type") ?? "")
    .split(";")
    .slice(1)
    .map((p) => p.split("="))
    .find(([name]) => name?.trim().toLowerCase() === "charset")?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, "$1")
    .toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new AppError("unsupported-media-type", "Send the request body in UTF-8 (charset=utf-8).");
  }
}

/** Validates already-parsed input (query, route params, JSON) against a schema. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({
    path: i.path.length === 0 ? "(body)" : i.path.map(String).join("."),
    message: i.message,
  }));
  throw new AppError("validation-failed", "Some fields are missing or invalid.", { fields });
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("payload-too-large", `The request body must not exceed ${maxBytes} bytes.`);
}
