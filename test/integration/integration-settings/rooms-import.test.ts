import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CookieJar } from "../auth/helpers";
import { startAdminStack, type AdminStack } from "./helpers";

/**
 * POST /api/admin/rooms/import over HTTP, as an admin uploads a spreadsheet: `text/csv` saved by Excel
 * (BOM, CRLF, quoted fields with separators and line breaks, `;` in decimal-comma locales) and JSON.
 */
let s: AdminStack;
let jar: CookieJar;
beforeAll(async () => {
  s = await startAdminStack();
  jar = await s.signInAs("delegated");
}, 60_000);
afterAll(async () => {
  await s.stack.stop();
});

/** A room as stored in the deployment's rooms table (read past the app, straight from Azurite). */
async function storedRoom(email: string): Promise<Record<string, unknown> | undefined> {
  const table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${s.stack.prefix}rooms`, {
    allowInsecureConnection: true,
  });
  try {
    return await table.getEntity<Record<string, unknown>>("room", email);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

interface ImportAnswer {
  imported: number;
  refused: number;
  outcomes: { line: number; email: string; result: string; code?: string }[];
}

function postCsv(csv: string, query = ""): Promise<Response> {
  return fetch(`${s.stack.host.baseUrl}/api/admin/rooms/import${query}`, {
    method: "POST",
    headers: {
      cookie: jar.header(),
      origin: s.stack.host.baseUrl,
      "content-type": "text/csv; charset=utf-8",
    },
    body: csv,
  });
}

describe("POST /api/admin/rooms/import", () => {
  it("imports an Excel CSV with a semicolon separator, BOM, CRLF and a quoted line break", async () => {
    const csv =
      "\uFEFFemail;name;building;floor;capacity;timeZone\r\n" +
      'room-hq-101@contoso.example;"Aurora, floor 1\r\n(north)";Contoso HQ;1;4;W. Europe Standard Time\r\n' +
      "\r\n" +
      "not-an-address;Nowhere\r\n";
    const response = await postCsv(csv);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as ImportAnswer;
    expect(answer.outcomes.map((o) => [o.line, o.email, o.result, o.code])).toEqual([
      [2, "room-hq-101@contoso.example", "imported", undefined],
      [4, "not-an-address", "refused", "invalid-email"],
    ]);
    const room = await storedRoom("room-hq-101@contoso.example");
    expect(room).toMatchObject({
      displayName: "Aurora, floor 1\r\n(north)",
      buildingId: "contoso-hq",
      floorId: "contoso-hq:1",
      capacity: 4,
      timeZone: "Europe/Berlin",
      timeZoneSource: "admin",
      source: "import",
    });
  });

  it("takes the separator the admin chose in the query", async () => {
    const response = await postCsv("room-hq-102@contoso.example,Borealis;HQ\r\n", "?delimiter=comma");
    expect(response.status).toBe(200);
    const answer = (await response.json()) as ImportAnswer;
    expect(answer.outcomes.map((o) => [o.line, o.result])).toEqual([[1, "imported"]]);
    const room = await storedRoom("room-hq-102@contoso.example");
    expect(room?.displayName).toBe("Borealis;HQ");
  });

  it("imports JSON: a list of rooms, and CSV text with its delimiter", async () => {
    const list = await s.call(jar, "POST", "/api/admin/rooms/import", {
      rooms: [{ email: "room-hq-101@contoso.example", floor: "2" }],
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as ImportAnswer).outcomes.map((o) => o.result)).toEqual(["updated"]);
    const csv = await s.call(jar, "POST", "/api/admin/rooms/import", {
      csv: "email;name\nroom-hq-102@contoso.example;Borealis, east\n",
      delimiter: "semicolon",
    });
    expect(csv.status).toBe(200);
    expect(((await csv.json()) as ImportAnswer).outcomes.map((o) => [o.line, o.result])).toEqual([
      [2, "updated"],
    ]);
    const room = await storedRoom("room-hq-102@contoso.example");
    expect(room?.displayName).toBe("Borealis, east");
  });

  it("names the wrong field of a JSON body and stores nothing", async () => {
    const cases: [unknown, string][] = [
      [{ rooms: [{ email: 5 }] }, "rooms.0.email"],
      [{ email: "room-hq-103@contoso.example", csv: "x" }, "csv"],
      [{}, "email"],
      [{ csv: "email\nroom-hq-103@contoso.example", delimiter: "tab" }, "delimiter"],
    ];
    for (const [body, path] of cases) {
      const response = await s.call(jar, "POST", "/api/admin/rooms/import", body);
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await response.json()) as { type: string; errors: { path: string }[] };
      expect(problem.type).toBe("urn:ones:problem:validation-failed");
      expect(problem.errors.map((e) => e.path)).toEqual([path]);
    }
    const unclosed = await postCsv('email,name\nroom-hq-103@contoso.example,"Cirrus\n');
    expect(unclosed.status).toBe(400);
    expect(((await unclosed.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "csv",
    ]);
    const bad = await postCsv("room-hq-103@contoso.example\n", "?delimiter=pipe");
    expect(bad.status).toBe(400);
    expect(await storedRoom("room-hq-103@contoso.example")).toBeUndefined();
  });
});
