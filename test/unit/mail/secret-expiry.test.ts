import { describe, expect, it } from "vitest";
import { dueSecretWarning } from "../../../shared/domain/mail/secret-expiry";

const expires = new Date("2026-04-01T10:00:00Z");
const daysBefore = (d: number): Date => new Date(expires.getTime() - d * 86_400_000);

describe("which client-secret warning is due", () => {
  it.each([
    [45, undefined],
    [30.01, undefined],
    [30, 30],
    [12, 30],
    [7.5, 30],
    [7, 7],
    [2, 7],
    [1, 1],
    [0.1, 1],
    [-3, 1],
  ])("%d days before: %s", (days, due) => {
    expect(dueSecretWarning(expires, daysBefore(days))).toBe(due);
  });
});
