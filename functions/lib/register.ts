import { app } from "@azure/functions";
import { hostRoute, registeredMethods, type FunctionDefinition } from "./definition";

/** Hands each definition to the Functions host through the v4 programming model. */
export function registerFunctions(definitions: readonly FunctionDefinition[]): void {
  for (const d of definitions) {
    switch (d.kind) {
      case "http":
        app.http(d.name, {
          route: hostRoute(d),
          methods: registeredMethods(d),
          authLevel: d.authLevel,
          handler: d.handler,
        });
        break;
      case "timer":
        app.timer(d.name, {
          schedule: d.schedule,
          runOnStartup: d.runOnStartup ?? false,
          handler: d.handler,
        });
        break;
      case "serviceBusQueue":
        app.serviceBusQueue(d.name, { connection: d.connection, queueName: d.queueName, handler: d.handler });
        break;
    }
  }
}
