import { z } from "zod";
import { exchangeScript } from "../shared/composition/integration";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";

/** A whole number from the query; an empty value (`?x=`, a form's blank field) means "not given". */
const wholeNumber = (max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(0).max(max).optional(),
  );

const query = z.object({
  servicePrincipalId: z.guid().optional(),
  bookingWindowInDays: wholeNumber(1080),
  // Exchange keeps durations in minutes as an Int32; a year is more than any room needs.
  maximumDurationInMinutes: wholeNumber(525_600),
});

/**
 * GET /api/admin/integration/exchange-script: the Exchange Online PowerShell that scopes the app to the
 * rooms ONES knows (resource-only application mode) and sets the recommended calendar processing.
 */
export const adminIntegrationExchangeScript = httpFunction({
  name: "admin-integration-exchange-script",
  route: "admin/integration/exchange-script",
  methods: ["GET"],
  api: {
    summary: "The Exchange Online PowerShell that scopes the app to the rooms",
    auth: "admin",
    query,
    responses: { 200: { description: "The script", type: "text/plain" } },
  },
  handler: handleHttp(async (request, context) => {
    await requireAdmin(request, context);
    const q = parseInput(query, Object.fromEntries(request.query.entries()));
    const script = await exchangeScript({
      ...(q.servicePrincipalId === undefined ? {} : { servicePrincipalObjectId: q.servicePrincipalId }),
      calendarProcessing: {
        ...(q.bookingWindowInDays === undefined ? {} : { bookingWindowInDays: q.bookingWindowInDays }),
        ...(q.maximumDurationInMinutes === undefined
          ? {}
          : { maximumDurationInMinutes: q.maximumDurationInMinutes }),
      },
    });
    return {
      status: 200,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": 'attachment; filename="ones-exchange-setup.ps1"',
        "cache-control": "no-store",
      },
      body: script,
    };
  }),
});
