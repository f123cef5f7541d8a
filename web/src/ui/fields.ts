import { ApiProblem } from "../api/client";

/**
 * The server's problem for one form field (problem+json `errors`, by path) as Fluent `Field` props, so
 * the message shows next to the field it concerns.
 */
export function fieldProblem(
  problem: unknown,
  path: string,
): { validationMessage?: string; validationState?: "error" } {
  const message = problem instanceof ApiProblem ? problem.field(path) : undefined;
  return message === undefined ? {} : { validationMessage: message, validationState: "error" };
}
