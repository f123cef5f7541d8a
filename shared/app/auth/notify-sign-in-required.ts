import {
  signInRequiredMailKey,
  signInRequiredReason,
  type SignInLapse,
} from "../../domain/auth/sign-in-lapse";
import { hasAccess } from "../../domain/people/person";
import type { PeopleStore } from "../ports/sync-store";
import type { WorkQueue } from "../ports/work-queue";
import { sendMail } from "../send-mail";

export interface NotifySignInRequiredDependencies {
  /** The people directory (people created at sign-in, or the directory sync's). */
  readonly people: Pick<PeopleStore, "person">;
  readonly workQueue: WorkQueue;
  /** Logs ids only. */
  readonly log?: (message: string) => void;
}

export type SignInRequiredOutcome = "queued" | "no-address" | "no-access";

/**
 * Tells a user by mail that they must sign in to ONES again, once per lapse: the mail key names the
 * lapse, so every failure of one lapse enqueues the same message id and the mail consumer sends it once.
 * People without a known address, and people who may not sign in anyway, are skipped.
 */
export async function notifySignInRequired(
  deps: NotifySignInRequiredDependencies,
  lapse: SignInLapse,
): Promise<SignInRequiredOutcome> {
  const log = deps.log ?? (() => undefined);
  const person = await deps.people.person(lapse.userId);
  if (person !== undefined && !hasAccess(person)) return "no-access";
  const email = person?.email ?? person?.userPrincipalName ?? null;
  if (person === undefined || email === null) {
    log(`user ${lapse.userId} must sign in again, but ONES knows no mail address for them; no mail sent`);
    return "no-address";
  }
  await sendMail(deps, {
    key: signInRequiredMailKey(lapse),
    to: [{ email, ...(person.displayName !== person.id ? { name: person.displayName } : {}) }],
    template: { kind: "sign-in-required", reason: signInRequiredReason(lapse.failure) },
  });
  return "queued";
}
