import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, signIn } from "../integration/auth/helpers";
import { startBookingStack, type BookingStack, type Person } from "../integration/bookings/stack";
import { APP_OF_MODE } from "../integration/sync/harness";
import { runSync } from "../../shared/composition/sync";
import { launchBrowser } from "../support/browser";
import { PAST_DEMO_MEETINGS_DAYS, utcDayStart } from "../support/clock";
import { eventually } from "../support/eventually";
import { cspViolations, expectAccessible, screenshot, signedInContext, windowValue } from "./harness";

/**
 * The staff booking pages in chromium against the local host, the Service Bus broker, the booking
 * consumer and the M365 simulator (application mode): finding a free room, booking it with the
 * keyboard, the booking in "my bookings" and in the room's calendar in the simulator, a policy refusal
 * in words (Japanese), a cancellation, and an approval both ways.
 */
let s: BookingStack;
let browser: Browser;
let ann: Person;
let admin: Person;
let approver: Person;
let longName: Person;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.web@contoso.example", "Ann Web");
  admin = await s.person("ada.web@contoso.example", "Ada Admin", { admin: true });
  approver = await s.person("apu.web@contoso.example", "Apu Approver");
  longName = await s.person(
    "anneliese.wilhelmina.featherstonehaugh-cholmondeley@contoso.example",
    "Anneliese Wilhelmina Featherstonehaugh-Cholmondeley",
  );
  // The attendee picker searches the synced directory.
  const synced = await runSync("directory", "timer");
  if (synced.outcome !== "succeeded") throw new Error(`directory sync ${synced.outcome}`);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

async function pageOf(who: Person, locale = "en-US"): Promise<Page> {
  const jar = new CookieJar();
  const response = await signIn(s.auth, jar, who.upn);
  expect(response.status).toBe(302);
  const context = await signedInContext(browser, s.auth.host.baseUrl, jar, locale);
  return context.newPage();
}

const hostile = `<img src=x onerror="window.pwned=1">Plan & <b>review</b>`;

/** The page fits the window's width: nothing (a long address, a room name) pushes it wider. */
async function expectNoSideways(page: Page, name: string): Promise<void> {
  const widths = await page.evaluate<[number, number]>(
    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
  );
  expect([name, widths[0] <= widths[1]], `${name}: ${widths.join(" > ")}`).toEqual([name, true]);
}

/** The page at 1,024 and at 390 pixels wide: no sideways scrolling, and a screenshot of the narrow one. */
async function expectFitsNarrow(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1024, height: 760 });
  await expectNoSideways(page, `${name} at 1024 px`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  await expectNoSideways(page, `${name} at 390 px`);
  if (before !== null) await page.setViewportSize(before);
}

describe("booking from the staff app", () => {
  it(
    "finds a free room, books it by keyboard, lists it, shows it in the room's calendar, cancels it",
    { timeout: 120_000 },
    async () => {
      const page = await pageOf(ann);
      await page.goto("/app");
      await page.getByRole("heading", { level: 1, name: "Find a room" }).waitFor();
      await page.getByRole("spinbutton", { name: "At least this many seats" }).fill("4");
      await page.keyboard.press("Enter");
      const rooms = page.getByRole("table", { name: "Rooms" });
      await rooms.waitFor();
      await page.waitForLoadState("networkidle");
      const first = page.getByTestId(/^room-/).first();
      expect(await first.innerText()).toMatch(/free now/);
      await expectAccessible(page, "find a room");
      await screenshot(page, "staff-find");
      await expectFitsNarrow(page, "staff-find");
      const roomId = ((await first.getAttribute("data-testid")) ?? "").slice("room-".length);

      await first.getByRole("link").focus();
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 2, name: "Book this room" }).waitFor();
      await page.getByRole("textbox", { name: "Subject" }).focus();
      await page.keyboard.type(hostile);
      // An attendee from the directory, by keyboard: type, move to the match, pick it.
      await page.getByRole("combobox", { name: "Attendees" }).focus();
      await page.keyboard.type("apu a");
      await page.getByRole("option", { name: /Apu Approver/ }).waitFor();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page
        .getByRole("listbox", { name: "Invited" })
        .getByRole("option", { name: /^Apu Approver/ })
        .waitFor();
      await page.getByRole("checkbox", { name: "Teams meeting" }).focus();
      await page.keyboard.press("Space");
      await page.getByRole("button", { name: "Book", exact: true }).focus();
      await page.waitForLoadState("networkidle");
      await expectAccessible(page, "room page");
      await screenshot(page, "staff-room");
      await page.keyboard.press("Enter");
      const done = page.getByRole("status");
      await done.waitFor();
      expect(await done.innerText()).toContain(`Booked: ${hostile}`);

      await page.getByRole("link", { name: "My bookings" }).first().click();
      const row = page.getByTestId("my-booking").filter({ hasText: "Plan & <b>review</b>" });
      await row.waitFor();
      expect(await row.getByRole("link").innerText()).toBe(hostile);
      expect(await windowValue(page, "pwned")).toBe(undefined);
      await page.waitForLoadState("networkidle");
      await expectAccessible(page, "my bookings");
      await screenshot(page, "staff-my-bookings");
      await expectFitsNarrow(page, "staff-my-bookings");

      // The room's calendar in the simulator holds the meeting (by its iCalUId; Exchange shows the
      // organizer as the room's subject) once the consumer wrote it and the room accepted.
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 3 * 86_400_000).toISOString();
      let seen: unknown;
      await eventually(
        async () => {
          const mine = (await (await s.call(ann, "GET", "/api/bookings?mine=true")).json()) as {
            items: {
              subject: string;
              eventICalUId?: string;
              attendees: { email: string; name?: string }[];
            }[];
          };
          const booked = mine.items.find((b) => b.subject === hostile);
          expect(booked?.attendees).toEqual([
            { email: approver.upn, name: "Apu Approver", type: "required" },
          ]);
          const uid = booked?.eventICalUId;
          const view = await s.graph<{ value: { iCalUId: string; subject: string }[] }>(
            `/users/${roomId}/calendarView?startDateTime=${from}&endDateTime=${to}`,
          );
          seen = view.value.map((e) => e.subject);
          return uid !== undefined && view.value.some((e) => e.iCalUId === uid && e.subject === "Ann Web");
        },
        { timeoutMs: 30_000, explain: () => `not in ${roomId}'s calendar: ${JSON.stringify(seen)}` },
      );

      await row.getByRole("button", { name: `Cancel ${hostile}` }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "cancelled" }).waitFor();
      await page.getByTestId("my-booking").filter({ hasText: "cancelled" }).first().waitFor();
      expect(await cspViolations(page)).toEqual([]);
      await page.context().close();
    },
  );

  it("shows a policy refusal in words, in Japanese", { timeout: 60_000 }, async () => {
    const room = "room-hq-105@contoso.example";
    const put = await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, {
      name: "Short meetings",
      maxDurationMinutes: 30,
    });
    expect(put.status).toBe(200);
    const page = await pageOf(ann, "ja-JP");
    await page.goto(`/app/rooms/${encodeURIComponent(room)}`);
    await page.getByRole("heading", { level: 2, name: "この会議室を予約" }).waitFor();
    await page.getByRole("textbox", { name: "件名" }).fill("長い会議");
    await page.getByRole("spinbutton", { name: "分" }).fill("90");
    await page.getByRole("button", { name: "予約する" }).click();
    const refusal = page.getByTestId("refusal");
    await refusal.waitFor();
    expect(await refusal.locator("li").allInnerTexts()).toEqual(["予約は 30 分以内にしてください。"]);
    await page.waitForLoadState("networkidle");
    await expectAccessible(page, "refusal (ja)");
    await screenshot(page, "staff-refusal-ja");
    await page.context().close();
  });

  it("an approver approves one request and rejects another with a reason", { timeout: 120_000 }, async () => {
    const room = "room-hq-201@contoso.example";
    const created = await s.call(admin, "POST", "/api/admin/policies", {
      rules: {
        name: "Board rooms",
        approval: { required: true, approvers: [{ email: approver.upn }], holdSlot: true },
        termsOfUse: "Leave the room tidy.",
      },
      roomIds: [room],
    });
    expect(created.status).toBe(201);
    const asked: string[] = [];
    const page = await pageOf(longName);
    for (const subject of ["Board review", "Board dinner"]) {
      await page.goto(`/app/rooms/${encodeURIComponent(room)}`);
      await page.getByRole("heading", { level: 2, name: "Book this room" }).waitFor();
      expect(await page.getByTestId("terms").innerText()).toBe("Leave the room tidy.");
      await page.getByRole("textbox", { name: "Subject" }).fill(subject);
      const start = page.getByLabel(/^Start \(room time/);
      // Past the demo tenant's own meetings in the room, which would take 10:00 on some weekdays.
      const next = new Date(utcDayStart(new Date(), PAST_DEMO_MEETINGS_DAYS + asked.length))
        .toISOString()
        .slice(0, 10);
      await start.fill(`${next}T10:00`);
      await page.getByRole("button", { name: "Book", exact: true }).click();
      // Without the terms accepted the policy refuses, in words.
      await page.getByTestId("refusal").filter({ hasText: "Accept the room's terms of use" }).waitFor();
      await page.getByRole("checkbox", { name: "I accept the terms of use" }).check();
      await page.getByRole("button", { name: "Book", exact: true }).click();
      await page.getByRole("status").filter({ hasText: "it waits for approval" }).waitFor();
      const mine = (await (await s.call(longName, "GET", "/api/bookings?mine=true")).json()) as {
        items: { id: string; subject: string }[];
      };
      asked.push(mine.items.find((b) => b.subject === subject)?.id ?? "");
    }
    await page.context().close();

    // The approver finds both requests in "approvals waiting for me", soonest first.
    const review = await pageOf(approver);
    await review.goto("/app/approvals");
    await review.getByRole("heading", { level: 1, name: "Approvals" }).waitFor();
    const requests = review.getByTestId("approval-request");
    await requests.nth(1).waitFor();
    expect(await requests.getByRole("link").allInnerTexts()).toEqual(["Board review", "Board dinner"]);
    expect(await requests.first().innerText()).toContain(longName.upn);
    await review.waitForLoadState("networkidle");
    await expectAccessible(review, "approvals");
    await screenshot(review, "staff-approvals");
    await expectFitsNarrow(review, "staff-approvals");

    // Approve one in place, by keyboard.
    await review.getByRole("button", { name: "Approve Board review" }).focus();
    await review.keyboard.press("Enter");
    await review.getByRole("status").filter({ hasText: "Board review:" }).waitFor();
    await requests.filter({ hasText: "Board review" }).waitFor({ state: "detached" });

    // Reject the other with a reason, in place.
    await review.getByRole("button", { name: "Reject Board dinner" }).click();
    await review
      .getByRole("textbox", { name: "Reason for rejecting Board dinner" })
      .fill("The board meets elsewhere");
    await review.waitForLoadState("networkidle");
    await expectAccessible(review, "reject with a reason");
    await screenshot(review, "staff-approval");
    await review.getByRole("button", { name: "Reject with this reason" }).click();
    await review.getByRole("status").filter({ hasText: "Board dinner: rejected." }).waitFor();
    await review.getByText("No booking is waiting for your approval.").waitFor();
    const seen = (await (await s.call(longName, "GET", `/api/bookings/${asked[1] ?? ""}`)).json()) as {
      state: string;
      approval?: { reason?: string };
    };
    expect([seen.state, seen.approval?.reason]).toEqual(["rejected", "The board meets elsewhere"]);
    const approved = (await (await s.call(longName, "GET", `/api/bookings/${asked[0] ?? ""}`)).json()) as {
      state: string;
    };
    expect(["pending", "confirmed"]).toContain(approved.state);

    // The link of the request's mail still opens the request itself.
    await review.goto(`/app/bookings/${asked[1] ?? ""}?review=approval`);
    await review.getByRole("heading", { level: 1, name: "Board dinner" }).waitFor();
    expect(await review.getByTestId("booking-state").innerText()).toBe("rejected");
    expect(await cspViolations(review)).toEqual([]);
    await review.context().close();
  });
});

describe("the console's rooms and policies, and displays", () => {
  it(
    "edits a room's policy rule by rule, registers a display and issues its pairing code",
    { timeout: 90_000 },
    async () => {
      const store = s.auth.sim.control.store;
      const group = [...store.groups.values()].find((g) => g.data.displayName === "Facilities");
      const adminId = [...(group?.members ?? [])].find((m) => store.findUser(m) !== undefined);
      const upn = adminId === undefined ? undefined : store.findUser(adminId)?.data.userPrincipalName;
      if (group === undefined || upn === undefined)
        throw new Error("the demo tenant has no Facilities member");
      await s.auth.configure("application", APP_OF_MODE.application, { adminGroupId: group.id });
      const jar = new CookieJar();
      expect((await signIn(s.auth, jar, upn, "/admin")).status).toBe(302);
      const context = await signedInContext(browser, s.auth.host.baseUrl, jar);
      const page = await context.newPage();
      const room = "room-hq-106@contoso.example";

      await page.goto("/admin/policies");
      await page.getByRole("heading", { level: 1, name: "Rooms and policies" }).waitFor();
      await page.getByRole("textbox", { name: "Room (mailbox)" }).fill(room);
      await page.keyboard.press("Enter");
      await page.getByText("This room follows Default").waitFor();
      await page.getByRole("spinbutton", { name: "Longest booking (minutes)" }).fill("45");
      await page.getByRole("checkbox", { name: "Bookings need approval" }).check();
      await page.getByRole("button", { name: "Save" }).click();
      // Approval without an approver: the server's reason next to the approvers field.
      await page
        .locator("div", { has: page.getByLabel("Approvers (email addresses)") })
        .filter({ hasText: "approval needs at least one approver" })
        .first()
        .waitFor();
      await page.getByRole("textbox", { name: "Approvers (email addresses)" }).fill(approver.upn);
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      const saved = (await (await s.call(admin, "GET", `/api/admin/rooms/${room}/policy`)).json()) as {
        own: boolean;
        maxDurationMinutes: number;
        approval: { required: boolean; approvers: { email: string }[] };
      };
      expect([
        saved.own,
        saved.maxDurationMinutes,
        saved.approval.required,
        saved.approval.approvers,
      ]).toEqual([true, 45, true, [{ email: approver.upn }]]);
      await page.waitForLoadState("networkidle");
      await expectAccessible(page, "policy editor");
      await screenshot(page, "admin-policy-editor");
      await expectFitsNarrow(page, "admin-policy-editor");

      await page.getByRole("link", { name: "Displays" }).click();
      await page.getByRole("heading", { level: 1, name: "Displays" }).waitFor();
      await page.getByRole("textbox", { name: "Name" }).fill("Lobby <b>east</b>");
      await page.getByRole("textbox", { name: "Room (mailbox)" }).fill(room);
      await page.getByRole("button", { name: "Register" }).click();
      const row = page.getByTestId("display").filter({ hasText: "Lobby <b>east</b>" });
      await row.waitFor();
      expect(await row.innerText()).toContain("never seen");
      await row.getByRole("button", { name: "Pairing code for Lobby <b>east</b>" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: /Pairing code for Lobby <b>east<\/b>: \S+/ })
        .waitFor();
      await page.waitForLoadState("networkidle");
      await expectAccessible(page, "displays");
      await screenshot(page, "admin-displays");
      await row.getByRole("button", { name: "Revoke Lobby <b>east</b>" }).click();
      await page.getByText("No display is registered.").waitFor();

      // Per-room calendar sync health, and a resync of one room by keyboard.
      await page.getByRole("link", { name: "Sync" }).click();
      const health = page.getByTestId("room-sync").filter({ hasText: room });
      await health.waitFor();
      await health.getByRole("button", { name: `Resync ${room}` }).focus();
      await page.keyboard.press("Enter");
      await page
        .getByRole("status")
        .filter({ hasText: `A full read of ${room} is queued.` })
        .waitFor();
      await page.waitForLoadState("networkidle");
      await expectAccessible(page, "sync with room health");
      await screenshot(page, "admin-sync-rooms");
      await expectFitsNarrow(page, "admin-sync-rooms");
      expect(await cspViolations(page)).toEqual([]);
      await context.close();
    },
  );
});
