import { copyFileSync, mkdirSync } from "node:fs";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addinDevHostPage, addinDevHostSendPage } from "../../dev/addin-dev-host";
import { DEMO_APPS } from "../../dev/m365";
import { TableHoldStore } from "../../shared/adapters/tables/table-hold-store";
import { addinIdFor } from "../../shared/app/web/serve-addin";
import { createHold } from "../../shared/composition/holds";
import { handleCalendarChange } from "../../shared/composition/calendar";
import { TableBookingStore } from "../../shared/adapters/tables/table-booking-store";
import { getServices } from "../../shared/composition/services";
import { runSync } from "../../shared/composition/sync";
import type { Principal } from "../../shared/domain/auth/principal";
import {
  customPropertiesExtendedPropertyId,
  HOLD_PROPERTY,
  holdIdOf,
} from "../../shared/domain/addin/hold-tag";
import { appToken } from "../integration/m365/helpers";
import { en } from "../../web/src/i18n/en";
import type { IntegrationMode } from "../../shared/domain/integration/modes";
import { startAdminStack, type AdminStack } from "../integration/integration-settings/helpers";
import { artifactPath, launchBrowser } from "../support/browser";
import { PAST_DEMO_MEETINGS_DAYS, utcDayStart } from "../support/clock";
import { expectAccessible, screenshot, signedInContext } from "./harness";

/**
 * The Outlook add-in's task pane in chromium, inside the stand-in meeting form the local stack serves
 * (a test double of Office.js over a draft meeting), against the app on the local host, the M365
 * simulator and Azurite: it reads the meeting, asks ONES for rooms, and explains what the mode does
 * not allow.
 */
let s: AdminStack;
let browser: Browser;

beforeAll(async () => {
  s = await startAdminStack({
    pages: [
      addinDevHostPage(),
      addinDevHostSendPage(async () => ({
        graphBaseUrl: s.stack.sim.graphBaseUrl,
        token: await appToken(
          s.stack.sim,
          DEMO_APPS.applicationPermission.clientId,
          DEMO_APPS.applicationPermission.secret,
        ),
        addinId: addinIdFor(s.stack.host.baseUrl),
      })),
    ],
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await s?.stack.stop();
});

const NO_ROOMS = en["addin.noRooms"];
const attendees = ["bo", "cy", "di", "ed", "fay"].map((n) => `${n}@contoso.example`);
// Past the demo tenant's own meetings, and never in the past whenever the suite runs; at noon UTC, so
// the meeting's date is the same in any zone the browser may run in.
const startMs = utcDayStart(new Date(), PAST_DEMO_MEETINGS_DAYS) + 12 * 3_600_000;
const start = new Date(startMs).toISOString();
const end = new Date(startMs + 90 * 60_000).toISOString();

/** The stand-in with a meeting of five invitees (six people with the organizer), signed in as staff. */
async function standIn(mode: IntegrationMode): Promise<{ page: Page; pane: Frame }> {
  const jar = await s.signInAs(mode, "staff");
  const context = await signedInContext(browser, s.stack.host.baseUrl, jar);
  // Office.js comes from Microsoft's CDN, which this machine cannot reach; the stand-in's double serves.
  await context.route("https://appsforoffice.microsoft.com/**", (route) => route.abort());
  const page = await context.newPage();
  await page.setViewportSize({ width: 1000, height: 900 });
  const query = new URLSearchParams({ attendees: attendees.join(","), start, end });
  await page.goto(`/addin/dev-host?${query.toString()}`);
  await page.locator("#pane").waitFor();
  const pane = await eventuallyFrame(page);
  await pane.getByTestId("capacity").waitFor();
  return { page, pane };
}

async function eventuallyFrame(page: Page): Promise<Frame> {
  await expect.poll(() => page.frames().some((f) => f.url().endsWith("/addin/pane"))).toBe(true);
  const frame = page.frames().find((f) => f.url().endsWith("/addin/pane"));
  if (frame === undefined) throw new Error("no pane");
  return frame;
}

describe("the add-in in the stand-in Outlook form", () => {
  it(
    "reads the meeting and asks for six seats; explains what a resource-only mode does not allow",
    { timeout: 60_000 },
    async () => {
      const { page, pane } = await standIn("application-resource-only");
      expect(await pane.getByTestId("capacity").innerText()).toBe("6 people: rooms with at least 6 seats");
      const when = await pane.getByTestId("meeting").innerText();
      expect(when).toContain(start.slice(0, 4));
      const note = pane.getByTestId("mode-note");
      await note.waitFor();
      const explained = await note.innerText();
      expect(explained).toContain("In the Application resource only mode");
      expect(explained).toContain("Create bookings in ONES");
      expect(explained).toContain("Terms-of-use policy");
      expect(explained).toContain("bookings are made in Outlook or as walk-ins on a display");
      expect(explained).not.toContain("Booking approval holding the slot");
      // No rooms are synced yet on this server: the list says so.
      await pane.getByText(NO_ROOMS).waitFor();
      expect(await pane.evaluate<string[]>("window.cspViolations")).toEqual([]);
      await expectAccessible(page, "add-in in the stand-in");
      await screenshot(page, "addin-dev-host-resource-only");
      const shot = artifactPath("addin-pane-resource-only.png");
      await page.locator("#pane").screenshot({ path: shot });
      mkdirSync("docs/screenshots", { recursive: true });
      if (process.env.ONES_UPDATE_SCREENSHOTS === "1") copyFileSync(shot, "docs/screenshots/addin-pane.png");
      await page.context().close();
    },
  );

  it(
    "says nothing about limits in a full mode, where a booking from Outlook gets every rule",
    { timeout: 60_000 },
    async () => {
      const { page, pane } = await standIn("application");
      expect(await pane.getByTestId("capacity").innerText()).toBe("6 people: rooms with at least 6 seats");
      await pane.getByText(NO_ROOMS).waitFor();
      expect(await pane.getByTestId("mode-note").count()).toBe(0);
      await page.context().close();
    },
  );
});

// The booking engine's GET /api/rooms and the holds endpoints on this server, rooms synced from the
// simulator, the stand-in's Send creating the meeting in the organizer's calendar through Graph.
describe("booking a room from the stand-in", () => {
  beforeAll(async () => {
    await s.signInAs("application", "staff");
    const synced = await runSync("rooms", "timer");
    if (synced.outcome !== "succeeded") throw new Error(`room sync ${synced.outcome}`);
  }, 60_000);

  it(
    "lists free rooms seating six, holds one: the stand-in shows the room as resource and location, the hold tag and the saved item id, and ONES has the item id",
    { timeout: 90_000 },
    async () => {
      const { page, pane } = await standIn("application");
      const { holdId, roomEmail, draft } = await holdFirstRoom(page, pane);
      expect(draft.resources).toEqual([roomEmail]);
      expect(draft.location).toBe(roomEmail);
      expect(draft.itemId).toMatch(/^stand-in-item-/);
      expect(draft.customProperties).toEqual({ [HOLD_PROPERTY]: holdId });
      const stored = await new TableHoldStore(getServices().tables).get(holdId);
      expect(stored?.hold.itemId).toBe(draft.itemId);
      expect(stored?.hold.roomId).toBe(roomEmail);
      expect(stored?.hold.attendeeCount).toBe(6);
      expect(stored?.hold.organizerEmail).toBe(s.staff.upn.toLowerCase());
      expect(await page.locator('input[name="itemId"]').inputValue()).toBe(draft.itemId);
      expect(await page.locator('input[name="properties"]').inputValue()).toBe(`${HOLD_PROPERTY}=${holdId}`);
      expect(await pane.evaluate<string[]>("window.cspViolations")).toEqual([]);
      await expectAccessible(page, "add-in with a hold");
      const shot = artifactPath("addin-pane-hold.png");
      await page.locator("#pane").screenshot({ path: shot });
      await screenshot(page, "addin-dev-host-hold");
      if (process.env.ONES_UPDATE_SCREENSHOTS === "1") {
        mkdirSync("docs/screenshots", { recursive: true });
        copyFileSync(shot, "docs/screenshots/addin-pane-hold.png");
        copyFileSync(artifactPath("addin-dev-host-hold.png"), "docs/screenshots/addin-dev-host-hold.png");
      }
      await page.context().close();
    },
  );

  it("a room booked meanwhile is refused with the reason ONES gives", { timeout: 90_000 }, async () => {
    const { page, pane } = await standIn("application");
    const card = pane.getByTestId("rooms").locator("li").first();
    const name = await card.locator("h3").innerText();
    const roomEmail = roomEmailOf(name);
    // Someone else takes the room between the listing and the click.
    await createHold(rival, {
      roomId: roomEmail,
      start: Date.parse(start),
      end: Date.parse(end),
      attendeeCount: 2,
    });
    await card.getByRole("button", { name: "Hold this room" }).click();
    const alert = pane.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain("ONES cannot hold this room:");
    expect(text).toContain(roomEmail);
    expect(await pane.getByTestId("held").count()).toBe(0);
    const draft = await draftOf(page);
    expect([draft.resources, draft.customProperties, draft.itemId]).toEqual([[], {}, undefined]);
    await screenshot(page, "addin-dev-host-refused");
    await page.context().close();
  });

  it(
    "'sending' the meeting creates the organizer's event with the room and the tag; ONES books the room under the hold's id, confirmed",
    { timeout: 90_000 },
    async () => {
      const { page, pane } = await standIn("application");
      const { holdId, roomEmail } = await holdFirstRoom(page, pane);
      await page.getByRole("button", { name: "Send" }).click();
      await expect.poll(() => page.locator("#sent").innerText(), { timeout: 15_000 }).toBe("Sent");
      const iCalUId = (await page.locator("#sent").getAttribute("data-i-cal-u-id")) ?? "";
      expect(iCalUId).not.toBe("");

      // The organizer's event as Outlook would have sent it: the room as resource, the hold as tag.
      const propertyId = customPropertiesExtendedPropertyId(addinIdFor(s.stack.host.baseUrl));
      const events = await graph<{
        value: {
          iCalUId: string;
          start: { dateTime: string };
          attendees: { type: string; emailAddress: { address: string } }[];
          singleValueExtendedProperties?: { id: string; value: string }[];
        }[];
      }>(
        `/users/${s.staff.upn}/events?$filter=${encodeURIComponent(`iCalUId eq '${iCalUId}'`)}&$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${propertyId}')`)}`,
      );
      expect(events.value).toHaveLength(1);
      const event = events.value[0];
      expect(
        event?.attendees.filter((a) => a.type === "resource").map((a) => a.emailAddress.address),
      ).toEqual([roomEmail]);
      expect(holdIdOf(event?.singleValueExtendedProperties?.[0]?.value)).toBe(holdId);

      // The Outlook-to-ONES processing reads the room's calendar (what the `calendar-changes` consumer
      // runs): the room's copy is matched to the hold through the tag on the organizer's event, and
      // the booking is made under the hold's reservation id, confirmed, with the hold's policy result.
      const reservationId = (await new TableHoldStore(getServices().tables).get(holdId))?.hold.reservationId;
      expect(reservationId).toMatch(/^[0-9a-f-]{36}$/);
      const read = await handleCalendarChange({ kind: "room-resync", roomId: roomEmail, reason: "admin" });
      expect(read.outcome).toBe("read");
      const stored = await new TableHoldStore(getServices().tables).get(holdId);
      expect([stored?.hold.claimedICalUId, stored?.hold.reservationId]).toEqual([iCalUId, reservationId]);
      const response = await page.context().request.get(`/api/bookings/${reservationId ?? ""}`);
      expect(response.status()).toBe(200);
      const booking = (await response.json()) as {
        id: string;
        state: string;
        source: string;
        roomIds: string[];
        start: string;
        end: string;
        organizer: { email: string };
      };
      expect(booking).toMatchObject({
        id: reservationId,
        state: "confirmed",
        source: "outlook",
        roomIds: [roomEmail],
        start,
        end,
        organizer: { email: s.staff.upn.toLowerCase() },
      });
      // The room's slot is the booking's, held under the same id since the hold: not reserved twice.
      const slots = await new TableBookingStore(getServices().tables).roomSlots(
        roomEmail,
        Date.parse(start),
        Date.parse(end),
      );
      expect(slots.map((x) => x.bookingId)).toEqual([reservationId]);
      // Read again (a second notification of the same meeting): nothing changes.
      await handleCalendarChange({ kind: "room-resync", roomId: roomEmail, reason: "admin" });
      expect(
        (await new TableBookingStore(getServices().tables).get(reservationId ?? ""))?.booking.state,
      ).toBe("confirmed");
      expect(
        (
          await new TableBookingStore(getServices().tables).roomSlots(
            roomEmail,
            Date.parse(start),
            Date.parse(end),
          )
        ).map((x) => x.bookingId),
      ).toEqual([reservationId]);
      await page.context().close();
    },
  );
});

const rival: Principal = {
  userId: "00000000-0000-4000-8000-00000000a11c",
  tenantId: "t",
  objectId: "00000000-0000-4000-8000-00000000a11c",
  email: "rival@contoso.example",
  name: "Rival",
  roles: [],
  groups: [],
  isAdmin: false,
};

interface Draft {
  resources: string[];
  location: string;
  customProperties: Record<string, string>;
  itemId?: string;
}

const draftOf = (page: Page): Promise<Draft> =>
  page.evaluate<Draft>(
    "({ resources: window.onesDraft.resources, location: window.onesDraft.location, customProperties: window.onesDraft.customProperties, itemId: window.onesDraft.itemId })",
  );

/** The demo tenant's room mailbox for a listed room name ("Contoso HQ 1.02 Name" -> room-hq-102@...). */
function roomEmailOf(displayName: string): string {
  const room = [...s.stack.sim.control.store.users.values()].find(
    (u) => u.isRoomMailbox && u.data.displayName === displayName,
  );
  if (room === undefined) throw new Error(`no room named ${displayName}`);
  return room.data.userPrincipalName.toLowerCase();
}

/** Holds the first listed room and waits until ONES knows the saved item. */
async function holdFirstRoom(
  page: Page,
  pane: Frame,
): Promise<{ holdId: string; roomEmail: string; draft: Draft }> {
  const card = pane.getByTestId("rooms").locator("li").first();
  const name = await card.locator("h3").innerText();
  await card.getByRole("button", { name: "Hold this room" }).click();
  await pane.getByText("The meeting is saved in Outlook and ONES knows it.").waitFor({ timeout: 15_000 });
  expect(await pane.getByTestId("held").innerText()).toContain(name);
  const draft = await draftOf(page);
  const holdId = draft.customProperties[HOLD_PROPERTY] ?? "";
  return { holdId, roomEmail: roomEmailOf(name), draft };
}

let graphToken: string | undefined;
async function graph<T>(path: string): Promise<T> {
  graphToken ??= await appToken(
    s.stack.sim,
    DEMO_APPS.applicationPermission.clientId,
    DEMO_APPS.applicationPermission.secret,
  );
  const response = await fetch(`${s.stack.sim.graphBaseUrl}/v1.0${path}`, {
    headers: { authorization: `Bearer ${graphToken}`, prefer: 'outlook.timezone="UTC"' },
  });
  if (!response.ok) throw new Error(`Graph ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

describe("the add-in's files on the app", () => {
  it("serves the manifest for this deployment and the pane under its own policy", async () => {
    const base = s.stack.host.baseUrl;
    const manifest = await fetch(`${base}/addin/manifest.xml`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(await manifest.text()).toContain(`<SourceLocation DefaultValue="${base}/addin/pane"/>`);
    const pane = await fetch(`${base}/addin/pane`);
    expect(pane.status).toBe(200);
    expect(pane.headers.get("content-security-policy")).toContain(
      "script-src 'self' https://appsforoffice.microsoft.com;",
    );
    expect((await fetch(`${base}/addin/icon-80.png`)).headers.get("content-type")).toBe("image/png");
    expect((await fetch(`${base}/addin/other`)).status).toBe(404);
  });
});
