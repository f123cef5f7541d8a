import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import type { IntakeResult } from "../../shared/app/calendar/accept-notifications";
import type { HttpApi, HttpFunctionDefinition } from "./definition";
import { handleHttp, readJson } from "./http";

/**
 * Graph's validation handshake: `POST …?validationToken=…` must be answered within 10 s with 200,
 * `text/plain` and the token URL-decoded (the query parser decodes it). Nothing else runs for it: no
 * storage, no services, so a cold worker answers as fast as it can start.
 */
/** The handshake's query as the OpenAPI document describes it (`validationResponse` reads the token). */
export const validationQuery = z.object({
  validationToken: z
    .string()
    .optional()
    .meta({ description: "Graph's validation handshake: echoed as text/plain." }),
});

/** What both webhooks share in the OpenAPI document: the handshake, Graph's credential, the answers. */
export const webhookApi = {
  auth: "graph",
  query: validationQuery,
  bodyOptional: true,
  responses: {
    200: { description: "The validation handshake: the token echoed", type: "text/plain" },
    202: { description: "Queued", type: "" },
  },
} satisfies Partial<HttpApi>;

export function validationResponse(request: HttpRequest): HttpResponseInit | undefined {
  const token = request.query.get("validationToken");
  if (token === null) return undefined;
  return {
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    body: token,
  };
}

/**
 * A Graph webhook (change or lifecycle notifications): the handshake, else the `{ value: [...] }`
 * body (`notificationCollectionSchema`) parsed, handed to `accept` and answered 202 once accepted. A failure to queue is an error
 * answer, so Graph delivers the batch again.
 */
export function graphWebhookHandler<S extends z.ZodType>(
  label: string,
  body: z.ZodObject<{ value: z.ZodArray<S> }>,
  accept: (notifications: z.output<S>[]) => Promise<IntakeResult>,
): HttpFunctionDefinition["handler"] {
  return handleHttp(async (request, context) => {
    const validation = validationResponse(request);
    if (validation !== undefined) return validation;
    const { value } = await readJson(request, body);
    const result = await accept(value);
    context.log(
      `${label}: ${result.accepted} accepted in ${result.messages} messages, ${rejectedSummary(result.rejected)}`,
    );
    return { status: 202 };
  });
}

/** "rejected 2 unknown-subscription, 1 client-state-mismatch" (counts only, never ids or secrets). */
function rejectedSummary(rejected: Readonly<Record<string, number | undefined>>): string {
  const parts = Object.entries(rejected)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([reason, n]) => `${n} ${reason}`);
  return parts.length === 0 ? "none rejected" : `rejected ${parts.join(", ")}`;
}
