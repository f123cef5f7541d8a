import { describe, expect, it } from "vitest";
import {
  signInRequiredMailKey,
  signInRequiredReason,
  type SignInFailure,
} from "../../../shared/domain/auth/sign-in-lapse";
import { integrationModes } from "../../../shared/domain/integration/modes";
import { peopleFromSignIn, personFromSignIn } from "../../../shared/domain/people/sign-in-person";
import type { Person } from "../../../shared/domain/people/person";

describe("the sign-in-required reason", () => {
  it.each<[SignInFailure, string]>([
    // The AADSTS number wins: revoked (password change, revoked sessions) vs expired, both `bad_token`.
    [{ code: "invalid_grant", subError: "bad_token", aadsts: "50173" }, "password-changed"],
    [{ code: "invalid_grant", subError: "bad_token", aadsts: "700082" }, "session-expired"],
    [{ code: "invalid_grant", aadsts: "70008" }, "session-expired"],
    [{ code: "invalid_grant", aadsts: "65001" }, "consent-revoked"],
    // Without a known number: the codes.
    [{ code: "consent_required" }, "consent-revoked"],
    [{ code: "invalid_grant", subError: "consent_required" }, "consent-revoked"],
    [{ code: "invalid_grant", subError: "bad_token" }, "password-changed"],
    [{ code: "bad_token" }, "password-changed"],
    [{ code: "invalid_grant", subError: "user_password_expired" }, "password-changed"],
    [{ code: "invalid_grant" }, "session-expired"],
    [{ code: "refresh_token_expired" }, "session-expired"],
    [{ code: "no_account" }, "session-expired"],
    [{ code: "invalid_grant", aadsts: "12345" }, "session-expired"],
  ])("%o -> %s", (failure, reason) => {
    expect(signInRequiredReason(failure)).toBe(reason);
  });

  it("keys the mail by user and lapse, within sendMail's key rules", () => {
    const key = signInRequiredMailKey({
      userId: "38e6d105-9c9f-57e5-a0d7-1f711f8026f7",
      lapseId: "2026-11-28T15:37:02.615Z",
    });
    expect(key).toBe("sign-in-required:38e6d105-9c9f-57e5-a0d7-1f711f8026f7:2026-11-28T15:37:02.615Z");
    expect(key).toMatch(/^[A-Za-z0-9._:@-]{1,96}$/);
  });
});

describe("people at sign-in", () => {
  it("happens in the modes with people but no directory sync", () => {
    expect(integrationModes.filter(peopleFromSignIn)).toEqual(["delegated", "delegated-resource-only"]);
  });

  it("takes name, mail and UPN from the id token, lower-cased, active, source sign-in", () => {
    expect(
      personFromSignIn(
        "u1",
        { name: " Pia People ", preferred_username: "Pia@Contoso.example", oid: "u1" },
        undefined,
      ),
    ).toEqual({
      id: "u1",
      displayName: "Pia People",
      givenName: null,
      surname: null,
      email: "pia@contoso.example",
      userPrincipalName: "pia@contoso.example",
      department: null,
      jobTitle: null,
      officeLocation: null,
      preferredLanguage: null,
      status: "active",
      source: "sign-in",
    });
  });

  it("keeps what the token does not carry, prefers the email claim, and drops a removal", () => {
    const previous: Person = {
      id: "u1",
      displayName: "Old",
      givenName: "Pia",
      surname: "People",
      email: "old@contoso.example",
      userPrincipalName: "old@contoso.example",
      department: "Sales",
      jobTitle: null,
      officeLocation: null,
      preferredLanguage: "de-DE",
      status: "deleted",
      removedReason: "missing",
    };
    const person = personFromSignIn(
      "u1",
      { email: "Pia.P@contoso.example", upn: "pia@contoso.example" },
      previous,
    );
    expect(person).toMatchObject({
      displayName: "pia.p@contoso.example",
      givenName: "Pia",
      department: "Sales",
      preferredLanguage: "de-DE",
      email: "pia.p@contoso.example",
      userPrincipalName: "pia@contoso.example",
      status: "active",
      source: "sign-in",
    });
    expect(person).not.toHaveProperty("removedReason");
  });
});
