import { createHash } from "node:crypto";
import { httpFunction, type FunctionDefinition, type HttpFunctionDefinition } from "./lib/definition";
import { handleHttp } from "./lib/http";
import { openApiDocument } from "./lib/openapi";

/** Browsers and proxies may keep the document this long; it changes only with a deployment. */
export const OPENAPI_MAX_AGE_SECONDS = 3600;

/**
 * GET /api/openapi.json: the OpenAPI 3.1 document of every HTTP function of the catalogue. Anonymous
 * and cacheable (ETag, If-None-Match answered 304). Made on the first request, never at import, and
 * kept for the worker's life. `catalog` is read only then, so the catalogue can list this function.
 */
export function openApi(catalog: () => readonly FunctionDefinition[]): HttpFunctionDefinition {
  let made: Promise<{ body: string; etag: string }> | undefined;
  const document = () =>
    (made ??= openApiDocument(catalog()).then((doc) => {
      const body = JSON.stringify(doc);
      return { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
    })).catch((error: unknown) => {
      made = undefined;
      throw error;
    });
  return httpFunction({
    name: "openapi",
    route: "openapi.json",
    methods: ["GET"],
    api: {
      summary: "This OpenAPI 3.1 document",
      auth: "none",
      responses: {
        200: "The document (cacheable, with an ETag)",
        304: { description: "Not modified since the ETag in If-None-Match", type: "" },
      },
    },
    handler: handleHttp(async (request) => {
      const { body, etag } = await document();
      const headers = {
        "cache-control": `public, max-age=${OPENAPI_MAX_AGE_SECONDS}`,
        etag,
      };
      const wanted = request.headers.get("if-none-match");
      if (
        wanted !== null &&
        wanted.split(",").some((t) => t.trim().replace(/^W\//, "") === etag || t.trim() === "*")
      )
        return { status: 304, headers };
      return {
        status: 200,
        headers: { ...headers, "content-type": "application/json; charset=utf-8" },
        body,
      };
    }),
  });
}
