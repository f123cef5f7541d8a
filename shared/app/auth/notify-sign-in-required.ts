import {
  signInRequiredMailKey,
  signInRequiredReason,
  type SignInLapse,
} from "../../domain/auth/sign-in-lapse";
import { hasAccess } from "../../domain/people/person";
import type { PeopleStore } from "../ports/sync-store";
import type { UserTokenStore } from "../ports/user-token-store";
import type { WorkQueue } from "../ports/work-queue";
import { sendMail } from "../send-mail";

export interface NotifySignInRequiredDependencies {
  /** The people directory (people created at sign-in, or the directory sync's). */
  readonly people: Pick<PeopleStore, "person">;
  readonly workQueue: WorkQueue;
  /** Where the flag is: marked notified once the lapse is dealt with, so it is not retried. */
  readonly userTokens: Pick<UserTokenStore, "markNotified">;
  /** Logs ids only. */
  readonly log?: (message: string) => void;
}

export type SignInRequiredOutcome = "queued" | "no-address" | "no-access";

/**
 * Tells a user by mail that they must sign in to ONES again, once per lapse: the mail key names the
 * lapse, so every failure of one lapse enqueues the same message id and the mail consumer sends it once.
 * People without a known address, and people who may not sign in anyway, are skipped. The flagged row is
 * marked notified only after the mail was queued (or skipped for good); if queueing fails, the mark stays
 * unset and the next token call for the user tries again, with the same key.
 */
export async function notifySignInRequired(
  deps: NotifySignInRequiredDependencies,
  lapse: SignInLapse,
): Promise<SignInRequiredOutcome> {
  const log = deps.log ?? (() => undefined);
  const outcome = await tell(deps, lapse, log);
  await deps.userTokens.markNotified(lapse.userId, lapse.lapseId);
  return outcome;
}

async function tell(
  deps: NotifySignInRequiredDependencies,
  lapse: SignInLapse,
  log: (message: string) => void,
): Promise<SignInRequiredOutcome> {
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
