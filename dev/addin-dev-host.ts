import { readBuiltWebFile } from "../shared/composition/web";
import { customPropertiesExtendedPropertyId } from "../shared/domain/addin/hold-tag";
import type { LocalPage } from "./host";

/** Where the local stack serves the stand-in Outlook meeting form; not a function, so never in Azure. */
export const ADDIN_DEV_HOST_PATH = "/addin/dev-host";

/**
 * The stand-in for Outlook's appointment organizer form: the built page (web/addin/dev-host.html) that
 * frames the add-in's task pane and hands it a test double of Office.js, for trying the pane and for
 * browser tests without Outlook.
 */
export function addinDevHostPage(): LocalPage {
  return {
    path: ADDIN_DEV_HOST_PATH,
    render: async () => {
      const html = await readBuiltWebFile("addin/dev-host.html");
      return {
        contentType: "text/html; charset=utf-8",
        body:
          html === undefined
            ? "<!doctype html><title>Not built</title><p>The web pages are not built. Run <code>npm run build:web</code>.</p>"
            : new TextDecoder().decode(html),
      };
    },
  };
}

/** What the stand-in's Send button hands over: the draft as the form shows it. */
export interface StandInMeeting {
  readonly subject: string;
  readonly start: string;
  readonly end: string;
  readonly organizer: string;
  readonly attendees: readonly string[];
  readonly resources: readonly string[];
  readonly location: string;
  readonly customProperties: Readonly<Record<string, string>>;
}

/** The event Graph made in the organizer's calendar. */
export interface SentMeeting {
  readonly id: string;
  readonly iCalUId: string;
}

/**
 * The stand-in's Send: creates the meeting in the organizer's calendar through Graph (the M365
 * simulator on the local stack) as Outlook would on Send, the rooms as resource attendees and the
 * add-in's custom properties in their extended property. The local host serves pages on GET only, so
 * the draft comes as `?meeting=` (base64url JSON); this page exists only in the local stack.
 */
export function addinDevHostSendPage(
  graph: () => Promise<{ readonly graphBaseUrl: string; readonly token: string; readonly addinId: string }>,
): LocalPage {
  return {
    path: `${ADDIN_DEV_HOST_PATH}/send`,
    render: async ({ url }) => {
      const m = JSON.parse(
        Buffer.from(url.searchParams.get("meeting") ?? "", "base64url").toString("utf8"),
      ) as StandInMeeting;
      const g = await graph();
      const response = await fetch(`${g.graphBaseUrl}/v1.0/users/${encodeURIComponent(m.organizer)}/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${g.token}`, "content-type": "application/json" },
        body: JSON.stringify({
          subject: m.subject,
          start: { dateTime: m.start.replace(/Z$/, ""), timeZone: "UTC" },
          end: { dateTime: m.end.replace(/Z$/, ""), timeZone: "UTC" },
          location: { displayName: m.location },
          attendees: [
            ...m.attendees.map((address) => ({ emailAddress: { address }, type: "required" })),
            ...m.resources.map((address) => ({ emailAddress: { address }, type: "resource" })),
          ],
          singleValueExtendedProperties: [
            {
              id: customPropertiesExtendedPropertyId(g.addinId),
              value: JSON.stringify(m.customProperties),
            },
          ],
        }),
      });
      const body = response.ok ? ((await response.json()) as SentMeeting) : undefined;
      return {
        contentType: "application/json; charset=utf-8",
        body: JSON.stringify(
          body === undefined ? { error: response.status } : { id: body.id, iCalUId: body.iCalUId },
        ),
      };
    },
  };
}
