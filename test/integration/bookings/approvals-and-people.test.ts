import { odata } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOKING_APPROVALS_TABLE } from "../../../shared/adapters/tables/table-approval-index";
import { getServices } from "../../../shared/composition/services";
import { runSync } from "../../../shared/composition/sync";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * "Approvals waiting for me" (GET /api/bookings/approvals) and the attendee picker's directory search
 * (GET /api/people?search=) on the local host, against Azurite, the broker and the M365 simulator.
 */
let s: BookingStack;
let ann: Person;
let bob: Person;
let admin: Person;
let approver: Person;

const open = "room-hq-203@contoso.example";
const discreet = "room-hq-204@contoso.example";

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.asks@contoso.example", "Ann Asks");
  bob = await s.person("bob.nosy@contoso.example", "Bob Nosy");
  admin = await s.person("ada.rules@contoso.example", "Ada Rules", { admin: true });
  approver = await s.person("apu.decides@contoso.example", "Apu Decides");
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

interface Request {
  id: string;
  start: string;
  end: string;
  timeZone: string;
  rooms: { id: string; name: string }[];
  organizer: { email: string; name?: string };
  subject?: string;
  holdsSlot: boolean;
  recurring: boolean;
}
interface Page<T> {
  items: T[];
  cursor?: string;
}

async function listed(who: Person, query = ""): Promise<Page<Request>> {
  const response = await s.call(who, "GET", `/api/bookings/approvals${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Page<Request>;
}

async function ask(room: string, start: string, subject: string): Promise<string> {
  const end = new Date(Date.parse(start) + 3_600_000).toISOString();
  const response = await s.call(ann, "POST", "/api/bookings", { roomIds: [room], start, end, subject });
  const body = (await response.json()) as { id: string; state: string };
  expect([response.status, body.state]).toEqual([202, "awaiting-approval"]);
  return body.id;
}

async function indexRows(email: string): Promise<string[]> {
  const table = await getServices().tables.table(BOOKING_APPROVALS_TABLE);
  const out: string[] = [];
  for await (const row of table.listEntities<{ bookingId: string }>({
    queryOptions: { filter: odata`PartitionKey eq ${email}` },
  }))
    out.push(row.bookingId);
  return out.sort();
}

describe("approvals waiting for me", () => {
  it("lists the approver's requests soonest first, paged, privacy applied, and drops decided ones", async () => {
    for (const [room, privacy] of [
      [open, "subject"],
      [discreet, "busy"],
    ] as const) {
      const put = await s.call(admin, "PUT", `/api/admin/rooms/${room}/policy`, {
        name: `Approval ${privacy}`,
        privacy,
        approval: { required: true, approvers: [{ email: approver.upn }], holdSlot: true },
      });
      expect(put.status).toBe(200);
    }
    const later = await ask(open, "2027-03-02T09:00:00Z", "Budget <b>review</b>");
    const sooner = await ask(open, "2027-03-01T09:00:00Z", "Hiring plan");
    const hidden = await ask(discreet, "2027-03-03T09:00:00Z", "Secret merger");

    const all = await listed(approver);
    expect(all.items.map((r) => [r.id, r.subject])).toEqual([
      [sooner, "Hiring plan"],
      [later, "Budget <b>review</b>"],
      [hidden, undefined],
    ]);
    const first = all.items[0] as Request;
    expect(first).toEqual({
      id: sooner,
      start: "2027-03-01T09:00:00.000Z",
      end: "2027-03-01T10:00:00.000Z",
      timeZone: first.timeZone,
      isAllDay: false,
      recurring: false,
      rooms: [{ id: open, name: first.rooms[0]?.name }],
      organizer: { email: ann.upn, name: "Ann Asks" },
      subject: "Hiring plan",
      holdsSlot: true,
      requestedAt: (first as unknown as { requestedAt: string }).requestedAt,
    });
    expect(first.rooms[0]?.name).not.toBe(open);
    expect(first.timeZone).toMatch(/^[A-Za-z_]+\/[A-Za-z_]+/);
    expect(all.cursor).toBe(undefined);

    // Paged: two, then the last one, with no cursor after it.
    const one = await listed(approver, "?limit=2");
    expect(one.items.map((r) => r.id)).toEqual([sooner, later]);
    expect(typeof one.cursor).toBe("string");
    const two = await listed(approver, `?limit=2&cursor=${one.cursor ?? ""}`);
    expect([two.items.map((r) => r.id), two.cursor]).toEqual([[hidden], undefined]);

    // Nobody else sees them; anonymous callers are refused; a forged cursor is a 400.
    expect(await listed(bob)).toEqual({ items: [] });
    expect(await listed(ann)).toEqual({ items: [] });
    const anonymous = await fetch(`${s.auth.host.baseUrl}/api/bookings/approvals`);
    expect(anonymous.status).toBe(401);
    const forged = await s.call(approver, "GET", "/api/bookings/approvals?cursor=bm90LWEtY3Vyc29y");
    expect(forged.status).toBe(400);
    expect((await s.call(approver, "GET", "/api/bookings/approvals?limit=0")).status).toBe(400);
    expect((await s.call(approver, "GET", "/api/bookings/approvals?mine=1")).status).toBe(400);

    // Decided, rejected and cancelled requests leave the list and the index.
    expect(await indexRows(approver.upn)).toEqual([hidden, later, sooner].sort());
    expect((await s.call(approver, "POST", `/api/bookings/${sooner}/approve`)).status).toBe(202);
    const rejected = await s.call(approver, "POST", `/api/bookings/${later}/reject`, { reason: "No budget" });
    expect(rejected.status).toBe(200);
    expect((await s.call(ann, "DELETE", `/api/bookings/${hidden}`)).status).toBe(202);
    expect(await listed(approver)).toEqual({ items: [] });
    expect(await indexRows(approver.upn)).toEqual([]);
  });

  it("drops an index row whose booking is gone, and lists a request moved to another time there", async () => {
    const table = await getServices().tables.table(BOOKING_APPROVALS_TABLE);
    const ghost = "00000000-0000-4000-8000-000000000000";
    await table.upsertEntity({
      partitionKey: approver.upn,
      rowKey: ghost,
      bookingId: ghost,
      start: "2027-04-01T09:00:00.000Z",
    });
    const id = await ask(open, "2027-04-02T09:00:00Z", "Offsite");
    const moved = await s.call(ann, "PATCH", `/api/bookings/${id}`, {
      start: "2027-04-05T13:00:00Z",
      end: "2027-04-05T14:00:00Z",
    });
    expect(moved.status).toBe(202);
    const page = await listed(approver);
    expect(page.items.map((r) => [r.id, r.start])).toEqual([[id, "2027-04-05T13:00:00.000Z"]]);
    expect(await indexRows(approver.upn)).toEqual([id]);
    expect((await s.call(approver, "POST", `/api/bookings/${id}/approve`)).status).toBe(202);
  });
});

interface Choice {
  id: string;
  displayName: string;
  email: string;
  jobTitle?: string;
  department?: string;
}

describe("the directory search of the attendee picker", () => {
  it("finds people by the start of a name, a surname or an address, at most 20 a page", async () => {
    const control = s.auth.sim.control;
    control.addUser({
      userPrincipalName: "quinn.quokka@contoso.example",
      displayName: "Quinn Quokka",
      givenName: "Quinn",
      surname: "Quokka",
      jobTitle: "Ranger",
      department: "Parks",
    });
    control.addUser({
      userPrincipalName: "zed@contoso.example",
      displayName: "Zed Quokkason",
      givenName: "Zed",
      surname: "Quokkason",
    });
    control.addUser({
      userPrincipalName: "quokka.desk@contoso.example",
      displayName: "Front desk",
    });
    control.addUser({
      userPrincipalName: "quokka.gone@contoso.example",
      displayName: "Quokka Gone",
      accountEnabled: false,
    });
    for (let i = 0; i < 23; i++)
      control.addUser({
        userPrincipalName: `wombat${String(i).padStart(2, "0")}@contoso.example`,
        displayName: `Wombat ${String(i).padStart(2, "0")}`,
      });
    const synced = await runSync("directory", "timer");
    expect(synced.outcome).toBe("succeeded");

    const search = async (q: string): Promise<Page<Choice>> => {
      const response = await s.call(ann, "GET", `/api/people?search=${encodeURIComponent(q)}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Page<Choice>;
    };
    const quokkas = await search("quok");
    expect(quokkas.items.map((p) => [p.displayName, p.email])).toEqual([
      ["Front desk", "quokka.desk@contoso.example"],
      ["Quinn Quokka", "quinn.quokka@contoso.example"],
      ["Zed Quokkason", "zed@contoso.example"],
    ]);
    expect(quokkas.items[1]).toEqual({
      id: quokkas.items[1]?.id,
      displayName: "Quinn Quokka",
      email: "quinn.quokka@contoso.example",
      jobTitle: "Ranger",
      department: "Parks",
    });
    expect((await search("quinn q")).items.map((p) => p.email)).toEqual(["quinn.quokka@contoso.example"]);

    // 23 matches: 20, then the rest by the cursor.
    const first = await search("wombat");
    expect(first.items.length).toBe(20);
    const rest = await s.call(ann, "GET", `/api/people?search=wombat&cursor=${first.cursor ?? ""}`);
    const restBody = (await rest.json()) as Page<Choice>;
    const names = [...first.items, ...restBody.items].map((p) => p.displayName).sort();
    expect(names).toEqual(Array.from({ length: 23 }, (_, i) => `Wombat ${String(i).padStart(2, "0")}`));

    // Input and auth.
    for (const bad of [
      "?search=q",
      "?search=",
      "",
      "?search=quokka&limit=21",
      "?search=qu&cursor=%21",
      "?search=ab%EF%BF%BF",
      "?search=a%00b",
    ])
      expect([bad, (await s.call(ann, "GET", `/api/people${bad}`)).status]).toEqual([bad, 400]);
    const forged = await s.call(ann, "GET", "/api/people?search=quokka&cursor=bm90LWEtY3Vyc29y");
    expect(forged.status).toBe(400);
    expect((await fetch(`${s.auth.host.baseUrl}/api/people?search=quokka`)).status).toBe(401);
    expect((await search("<script>")).items).toEqual([]);
    expect((await search("o'brien")).items).toEqual([]);
  });
});
