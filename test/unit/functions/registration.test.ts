import { afterAll, describe, expect, it } from "vitest";
import { bindingDifferences, captureFunctionsCore } from "./capture-core";
import { expectedBindings } from "./expected-bindings";

// Installed before any module of the app is loaded: see captureFunctionsCore.
const capture = captureFunctionsCore();
afterAll(() => capture.restore());

describe("function registration", () => {
  it("hands the Functions host the planned binding of every function in the catalog", async () => {
    const { functionCatalog } = await import("../../../functions/catalog");
    await import("../../../functions/index");
    const names = capture.registered.map((f) => f.name);
    expect(names).toHaveLength(functionCatalog.length);
    expect(new Set(names)).toEqual(new Set(functionCatalog.map((f) => f.name)));
    expect(bindingDifferences(capture.registered, expectedBindings)).toEqual([]);
  });

  it("names each function after its file stem, in kebab-case", async () => {
    const { functionCatalog } = await import("../../../functions/catalog");
    for (const fn of functionCatalog) expect(fn.name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it("catches a wrong binding: a scratch function registered with the wrong route and queue", async () => {
    const scratch = captureFunctionsCore();
    const { registerFunctions } = await import("../../../functions/lib/register");
    const { httpFunction, serviceBusFunction, timerFunction } =
      await import("../../../functions/lib/definition");
    const before = capture.registered.length;
    registerFunctions([
      httpFunction({
        name: "scratch-http",
        route: "helth",
        methods: ["GET"],
        handler: () => Promise.resolve({}),
      }),
      serviceBusFunction({ name: "scratch-queue", queueName: "mails", handler: () => Promise.resolve() }),
      timerFunction({ name: "scratch-timer", schedule: "0 */5 * * * *", handler: () => Promise.resolve() }),
    ]);
    scratch.restore();
    const registered = capture.registered.slice(before);
    expect(registered.map((f) => f.name)).toEqual(["scratch-http", "scratch-queue", "scratch-timer"]);
    expect(
      bindingDifferences(registered, {
        "scratch-http": {
          type: "httpTrigger",
          route: "api/health",
          methods: ["GET", "HEAD"],
          authLevel: "anonymous",
        },
        "scratch-queue": { type: "serviceBusTrigger", queueName: "mail", connection: "SERVICEBUS" },
        "scratch-timer": { type: "timerTrigger", schedule: "0 */15 * * * *" },
      }),
    ).toEqual([
      'scratch-http: route is "api/helth", expected "api/health"',
      'scratch-queue: queueName is "mails", expected "mail"',
      'scratch-timer: schedule is "0 */5 * * * *", expected "0 */15 * * * *"',
    ]);
  });
});
