import { describe, expect, it } from "vitest";
import { AppError } from "../../../shared/domain/errors";
import type { Room } from "../../../shared/domain/rooms/room";
import { detectCsvDelimiter, importedRoom, parseRoomCsv } from "../../../shared/domain/rooms/room-import";

describe("room import CSV", () => {
  it("reads a semicolon file (decimal-comma locales) with a comma inside a name as one field", () => {
    const { lines, problems } = parseRoomCsv(
      "email;name;building;floor\r\nr2@x.example;Aurora, floor 2;HQ;2\r\n",
    );
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      { email: "r2@x.example", displayName: "Aurora, floor 2", building: "HQ", floor: "2", line: 2 },
    ]);
  });

  it("reads a comma file with a semicolon inside a name as one field", () => {
    const { lines } = parseRoomCsv("r3@x.example,Borealis; east wing,HQ\n");
    expect(lines).toEqual([
      { email: "r3@x.example", displayName: "Borealis; east wing", building: "HQ", line: 1 },
    ]);
  });

  it("keeps a quoted line break, quotes and separators inside one field; BOM and CRLF as Excel saves them", () => {
    const csv =
      "\uFEFFemail,name,building,floor,capacity\r\n" +
      '"r4@x.example","Cirrus\r\n(""quiet"" room), 3rd",HQ,3,8\r\n' +
      "\r\n" +
      "r5@x.example,Dune,HQ,,\r\n";
    const { lines, problems } = parseRoomCsv(csv);
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      {
        email: "r4@x.example",
        displayName: 'Cirrus\r\n("quiet" room), 3rd',
        building: "HQ",
        floor: "3",
        capacity: 8,
        line: 2,
      },
      { email: "r5@x.example", displayName: "Dune", building: "HQ", line: 4 },
    ]);
  });

  it("uses the separator the admin chose, and only that one", () => {
    const text = "r6@x.example;Eos,HQ\n";
    expect(parseRoomCsv(text, { delimiter: "semicolon" }).lines).toEqual([
      { email: "r6@x.example", displayName: "Eos,HQ", line: 1 },
    ]);
    expect(parseRoomCsv(text, { delimiter: "comma" }).problems).toEqual([
      { line: 1, email: "r6@x.example;Eos", reason: "invalid-email" },
    ]);
  });

  it("detects the separator from the end of the first field, quoted or not", () => {
    expect(detectCsvDelimiter("email;name,x\n")).toBe("semicolon");
    expect(detectCsvDelimiter('\uFEFF"email",name;x\n')).toBe("comma");
    expect(detectCsvDelimiter('\r\n"a;b@x.example";n\n')).toBe("semicolon");
    expect(detectCsvDelimiter("r@x.example\nr2@x.example;y")).toBe("comma");
  });

  it("refuses a file with an unclosed quote, naming the csv field", () => {
    let caught: unknown;
    try {
      parseRoomCsv('email,name\nr7@x.example,"Fjord\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("validation-failed");
    expect((caught as AppError).extra.fields?.map((f) => f.path)).toEqual(["csv"]);
  });
});

describe("imported rooms", () => {
  const line = { email: "Room-9@X.example", line: 1 } as const;
  const zones = new Map([["hq", "Europe/Oslo"]]);

  it("floor id from building and floor; time zone: line, earlier admin zone, building, default", () => {
    const room = importedRoom(
      { ...line, building: "HQ", floor: "Level 2", timeZone: "W. Europe Standard Time" },
      undefined,
      undefined,
      zones,
      "UTC",
    );
    expect(room).toMatchObject({
      id: "room-9@x.example",
      buildingId: "hq",
      floorId: "hq:level-2",
      floorNumber: null,
      timeZone: "Europe/Berlin",
      timeZoneSource: "admin",
      displayName: "Room-9@X.example",
    });
    const again = importedRoom(line, "Room 9", room, zones, "UTC");
    expect(again).toMatchObject({
      timeZone: "Europe/Berlin",
      timeZoneSource: "admin",
      floorId: "hq:level-2",
    });
    const fromBuilding = importedRoom(
      { ...line, building: "HQ", floor: "2" },
      "Room 9",
      undefined,
      zones,
      "UTC",
    );
    expect(fromBuilding).toMatchObject({
      timeZone: "Europe/Oslo",
      timeZoneSource: "building",
      floorNumber: 2,
      displayName: "Room 9",
    });
    const fallback: Room = importedRoom(line, undefined, undefined, zones, "America/Chicago");
    expect(fallback).toMatchObject({
      buildingId: "unassigned",
      floorId: null,
      timeZone: "America/Chicago",
      timeZoneSource: "default",
    });
  });
});
