import type { RequestContext, SimResponse } from "../http/context";

/** A /_sim control route's handler. */
export type ControlHandler = (ctx: RequestContext) => SimResponse | Promise<SimResponse>;

/** Runs a control handler; anything it throws becomes 400 `control_failed` with the message. */
export function guard(fn: ControlHandler): (ctx: RequestContext) => Promise<SimResponse> {
  return async (ctx: RequestContext): Promise<SimResponse> => {
    try {
      return await fn(ctx);
    } catch (e) {
      return {
        status: 400,
        body: { error: "control_failed", message: e instanceof Error ? e.message : String(e) },
      };
    }
  };
}

/** A control request's JSON body (`{}` when there is none). */
export function bodyOf<T>(ctx: RequestContext): T {
  return (ctx.body ?? {}) as T;
}
