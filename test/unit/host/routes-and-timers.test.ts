import { describe, expect, it } from "vitest";
import { compileRoute, findRoute } from "../../../dev/host/routes";
import { resolveSchedule, startTimers } from "../../../dev/host/timers";
import { memoryLogger } from "../../../dev/host/logger";
import { httpFunction, timerFunction } from "../../../functions/lib/definition";

const fn = (route: string, methods: ("GET" | "POST" | "DELETE")[] = ["GET"]) =>
  httpFunction({ name: route, route, methods, handler: () => Promise.resolve({}) });

describe("route templates", () => {
  it("matches literals case-insensitively under the api prefix and decodes parameters", () => {
    expect(compileRoute(fn("rooms/{id}")).match("/API/Rooms/room%40contoso.example")).toEqual({
      id: "room@contoso.example",
    });
    expect(compileRoute(fn("rooms/{id}")).match("/api/rooms")).toBeUndefined();
    expect(compileRoute(fn("rooms/{id}")).match("/api/rooms/a/b")).toBeUndefined();
  });

  it("supports optional, constrained and catch-all parameters", () => {
    expect(compileRoute(fn("bookings/{id?}")).match("/api/bookings")).toEqual({});
    expect(compileRoute(fn("bookings/{id?}")).match("/api/bookings/7")).toEqual({ id: "7" });
    expect(compileRoute(fn("items/{n:int}")).match("/api/items/x")).toBeUndefined();
    expect(compileRoute(fn("files/{*path}")).match("/api/files/a/b/c.txt")).toEqual({ path: "a/b/c.txt" });
  });

  it("tells a wrong method from an unknown path", () => {
    const routes = [fn("rooms", ["GET"]), fn("rooms", ["POST"]), fn("rooms/{id}", ["DELETE"])].map((f) =>
      compileRoute(f),
    );
    expect(findRoute(routes, "POST", "/api/rooms").route?.definition.methods).toEqual(["POST"]);
    expect(findRoute(routes, "PUT", "/api/rooms").allowed).toEqual(["GET", "POST", "HEAD"]);
    expect(findRoute(routes, "GET", "/api/nothing")).toEqual({ allowed: [] });
  });
});

describe("timer schedules", () => {
  it("resolves %SETTING% from the app settings and requires six NCRONTAB fields", () => {
    expect(resolveSchedule("%SYNC%", { SYNC: " 0 */15 * * * * " })).toBe("0 */15 * * * *");
    expect(() => resolveSchedule("%SYNC%", {})).toThrow(/SYNC/);
    expect(() => resolveSchedule("*/5 * * * *", {})).toThrow(/six-field/);
  });

  it("runs a timer function on demand with the host's Timer shape, and reports a failure without crashing", async () => {
    const seen: unknown[] = [];
    const logger = memoryLogger();
    const timers = startTimers(
      [
        timerFunction({
          name: "tick",
          schedule: "0 0 * * * *",
          handler: (timer) => Promise.resolve(void seen.push(timer)),
        }),
        timerFunction({
          name: "broken",
          schedule: "0 0 * * * *",
          handler: () => Promise.reject(new Error("nope")),
        }),
      ],
      { env: {}, logger, enabled: false },
    );
    await timers.trigger("tick");
    await timers.trigger("broken");
    timers.stop();
    expect(seen).toEqual([
      expect.objectContaining({
        isPastDue: false,
        scheduleStatus: expect.objectContaining({ next: expect.any(String) }),
      }),
    ]);
    expect(logger.lines.some((l) => l.includes("broken") && l.includes("nope"))).toBe(true);
    await expect(timers.trigger("missing")).rejects.toThrow(/missing/);
  });
});
