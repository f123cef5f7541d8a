import type { MailTemplate } from "../mail/templates";

/** Why a user's delegated sign-in stopped working, as the `sign-in-required` mail tells them. */
export type SignInRequiredReason = Extract<MailTemplate, { kind: "sign-in-required" }>["reason"];

/** What Entra ID (through MSAL) said when the user's refresh token stopped working. Codes only. */
export interface SignInFailure {
  /** MSAL's error code: `invalid_grant`, `consent_required`, `refresh_token_expired`, … */
  readonly code: string;
  /** Entra's `suberror`: `bad_token`, `consent_required`, `user_password_expired`, … */
  readonly subError?: string;
  /** The AADSTS number (`error_codes[0]`), e.g. "50173". */
  readonly aadsts?: string;
}

/**
 * One lapse of a user's delegated sign-in: from the moment their stored token stops working until they
 * sign in again. `lapseId` is the same for every failure of one lapse and new after each sign-in.
 */
export interface SignInLapse {
  readonly userId: string;
  readonly lapseId: string;
  readonly failure: SignInFailure;
}

/** AADSTS numbers that say which of the three it is (the most specific signal Entra gives). */
const aadstsReasons: Readonly<Record<string, SignInRequiredReason>> = {
  // Consent missing or withdrawn.
  "65001": "consent-revoked",
  "65004": "consent-revoked",
  // Grant revoked: password changed or reset, or an admin revoked the sessions.
  "50173": "password-changed",
  "50132": "password-changed",
  "50133": "password-changed",
  "50055": "password-changed",
  // Expired: refresh token unused too long, or past its maximum age.
  "70008": "session-expired",
  "700082": "session-expired",
};

/**
 * Maps the failure to the mail's reason: the AADSTS number when Entra gave a known one; else a consent
 * code (`consent_required`) means consent was withdrawn, and `bad_token` / `user_password_expired`
 * (Entra's "the grant was revoked") mean the password or account security changed; anything else
 * (`invalid_grant`, `refresh_token_expired`, `no_tokens_found`, no cached account, …) reads as an expired
 * sign-in, which is also what the user can act on: sign in again.
 */
export function signInRequiredReason(failure: SignInFailure): SignInRequiredReason {
  const byNumber = failure.aadsts === undefined ? undefined : aadstsReasons[failure.aadsts];
  if (byNumber !== undefined) return byNumber;
  const codes = [failure.code, failure.subError];
  if (codes.includes("consent_required")) return "consent-revoked";
  if (codes.includes("bad_token") || codes.includes("user_password_expired")) return "password-changed";
  return "session-expired";
}

/** The mail key of a lapse's `sign-in-required` mail: the same for every failure of one lapse. */
export function signInRequiredMailKey(lapse: Pick<SignInLapse, "userId" | "lapseId">): string {
  return `sign-in-required:${lapse.userId}:${lapse.lapseId}`;
}
