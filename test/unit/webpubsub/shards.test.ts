import { describe, expect, it } from "vitest";
import { shardIndex } from "../../../shared/adapters/webpubsub/web-pubsub-shards";
import { parseSettings } from "../../../shared/config";

const a = "ones-wps-a.webpubsub.azure.com";
const b = "ones-wps-b.webpubsub.azure.com";
const c = "ones-wps-c.webpubsub.azure.com";
const groups = Array.from({ length: 10_000 }, (_, i) => `room:room-${i}@contoso.com`);

describe("placing a group on a Web PubSub instance", () => {
  it("gives the same instance for the same names, in any process and release", () => {
    // Fixed answers: a change to the hash would move every display and must be deliberate.
    const placed = ["room:r1", "room:r2", "room:r3", "room:r4", "floor:hq-3", "floor:hq-4"].map((g) => [
      g,
      [a, b][shardIndex(g, [a, b])],
    ]);
    expect(placed).toEqual([
      ["room:r1", b],
      ["room:r2", b],
      ["room:r3", b],
      ["room:r4", a],
      ["floor:hq-3", a],
      ["floor:hq-4", a],
    ]);
  });

  it("does not depend on the order the instances are listed in", () => {
    for (const g of groups.slice(0, 500)) {
      const keys = [a, b, c];
      const reversed = [c, b, a];
      expect(reversed[shardIndex(g, reversed)]).toBe(keys[shardIndex(g, keys)]);
    }
  });

  it("spreads groups evenly", () => {
    const counts = [0, 0];
    for (const g of groups) counts[shardIndex(g, [a, b])]!++;
    // 10,000 fair coin tosses: 4 standard deviations is ±200.
    expect(Math.abs(counts[0]! - 5_000)).toBeLessThan(200);
    expect(counts[0]! + counts[1]!).toBe(10_000);
  });

  it("moves only the groups the new instance takes when one is added (about a third of them)", () => {
    let moved = 0;
    for (const g of groups) {
      const before = [a, b][shardIndex(g, [a, b])];
      const after = [a, b, c][shardIndex(g, [a, b, c])];
      if (after !== before) {
        expect(after).toBe(c);
        moved++;
      }
    }
    expect(Math.abs(moved - 3_333)).toBeLessThan(200);
  });

  it("always answers the only instance there is", () => {
    expect(groups.slice(0, 100).every((g) => shardIndex(g, [a]) === 0)).toBe(true);
  });
});

describe("the Web PubSub settings", () => {
  const base = {
    TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
    SERVICEBUS:
      "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=k;UseDevelopmentEmulator=true",
  };

  it("take one endpoint or several separated by commas", () => {
    expect(
      parseSettings({ ...base, WEBPUBSUB_ENDPOINT: "https://x.webpubsub.azure.com" }).WEBPUBSUB_ENDPOINT,
    ).toEqual(["https://x.webpubsub.azure.com"]);
    expect(
      parseSettings({
        ...base,
        WEBPUBSUB_ENDPOINT: " https://x.webpubsub.azure.com, https://y.webpubsub.azure.com",
      }).WEBPUBSUB_ENDPOINT,
    ).toEqual(["https://x.webpubsub.azure.com", "https://y.webpubsub.azure.com"]);
    expect(() =>
      parseSettings({ ...base, WEBPUBSUB_ENDPOINT: "https://x.webpubsub.azure.com,not a url" }),
    ).toThrow(/WEBPUBSUB_ENDPOINT/);
    expect(() =>
      parseSettings({
        ...base,
        WEBPUBSUB_ENDPOINT: "https://x.webpubsub.azure.com,https://X.webpubsub.azure.com/",
      }),
    ).toThrow(/WEBPUBSUB_ENDPOINT/);
  });

  it("take several connection strings as a JSON array, and refuse anything else", () => {
    const strings = [
      "Endpoint=http://127.0.0.1:1;AccessKey=k1;Version=1.0;",
      "Endpoint=http://127.0.0.1:2;AccessKey=k2;Version=1.0;",
    ];
    expect(
      parseSettings({ ...base, WEBPUBSUB_CONNECTION_STRINGS: JSON.stringify(strings) })
        .WEBPUBSUB_CONNECTION_STRINGS,
    ).toEqual(strings);
    expect(() => parseSettings({ ...base, WEBPUBSUB_CONNECTION_STRINGS: strings.join(";") })).toThrow(
      /WEBPUBSUB_CONNECTION_STRINGS/,
    );
    expect(() => parseSettings({ ...base, WEBPUBSUB_CONNECTION_STRINGS: "[]" })).toThrow(
      /WEBPUBSUB_CONNECTION_STRINGS/,
    );
  });
});
