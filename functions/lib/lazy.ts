import type { InvocationContext } from "@azure/functions";
import type {
  FunctionDefinition,
  HttpFunctionDefinition,
  ServiceBusFunctionDefinition,
  TimerFunctionDefinition,
} from "./definition";

/** What registration needs of a function: its name and trigger, without its handler or API schemas. */
export type FunctionDescriptor =
  | Omit<HttpFunctionDefinition, "handler" | "api">
  | Omit<TimerFunctionDefinition, "handler">
  | Omit<ServiceBusFunctionDefinition, "handler">;

type AnyHandler = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

/**
 * A definition whose handler loads the function's own module on its first invocation (the deployed
 * bundle: scripts/build.ts makes one chunk per function module). A failed load is retried by the next
 * invocation rather than remembered.
 */
export function lazyFunction(
  descriptor: FunctionDescriptor,
  load: () => Promise<FunctionDefinition>,
): FunctionDefinition {
  let loaded: Promise<AnyHandler> | undefined;
  const handler: AnyHandler = async (trigger, context) => {
    loaded ??= load().then(
      (d) => d.handler as AnyHandler,
      (error: unknown) => {
        loaded = undefined;
        throw error;
      },
    );
    return (await loaded)(trigger, context);
  };
  return { ...descriptor, handler } as FunctionDefinition;
}
