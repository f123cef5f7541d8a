import { describe, expect, it } from "vitest";
import { translateSendGridError } from "../../../shared/adapters/mail/sendgrid-mail-sender";
import { translateSmtpError } from "../../../shared/adapters/mail/smtp-mail-sender";

const smtp = (code: string, responseCode?: number, command?: string) =>
  Object.assign(new Error(`${responseCode ?? ""} 5.1.1 <alex@contoso.com>: secret server text`), {
    code,
    responseCode,
    command,
  });

describe("SMTP failures as AppErrors", () => {
  it.each([
    [smtp("ECONNECTION"), "dependency-unavailable", true],
    [smtp("ESOCKET"), "dependency-unavailable", true],
    [smtp("ETIMEDOUT"), "dependency-unavailable", true],
    [smtp("ETLS"), "dependency-unavailable", true],
    [smtp("EPROTOCOL", 421, "CONN"), "dependency-unavailable", true],
    [smtp("EENVELOPE", 450, "RCPT TO"), "dependency-unavailable", true],
    [smtp("EENVELOPE", 452, "RCPT TO"), "dependency-unavailable", true],
    [smtp("EENVELOPE", 550, "RCPT TO"), "validation-failed", false],
    [smtp("EENVELOPE", 553, "MAIL FROM"), "precondition-failed", false],
    [smtp("EMESSAGE", 554, "DATA"), "validation-failed", false],
    [smtp("EAUTH", 535, "AUTH PLAIN"), "precondition-failed", false],
    [smtp("EAUTH", 454, "AUTH PLAIN"), "precondition-failed", true],
    [smtp("EENVELOPE"), "validation-failed", false],
    [new Error("weird"), "dependency-unavailable", true],
  ])("%s → %s (retryable %s)", (error, code, retryable) => {
    const translated = translateSmtpError(error);
    expect(translated.code).toBe(code);
    expect(translated.retryable).toBe(retryable);
    expect(translated.detail).not.toContain("alex@contoso.com");
    expect(translated.detail).not.toContain("secret server text");
  });
});

describe("SendGrid failures as AppErrors", () => {
  const response = (code: number, errors: unknown[] = []) =>
    Object.assign(new Error("Bad Request"), { code, response: { headers: {}, body: { errors } } });

  it.each([
    [response(429), "dependency-unavailable", true],
    [response(500), "dependency-unavailable", true],
    [response(503), "dependency-unavailable", true],
    [
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      "dependency-unavailable",
      true,
    ],
    [response(401), "precondition-failed", false],
    [response(403), "precondition-failed", false],
    [
      response(400, [
        { field: "personalizations.0.to.0.email", message: "Does not contain a valid address." },
      ]),
      "validation-failed",
      false,
    ],
    [
      response(400, [
        { field: "from.email", message: "The from address does not match a verified Sender Identity." },
      ]),
      "precondition-failed",
      false,
    ],
    [response(413), "validation-failed", false],
  ])("%s → %s (retryable %s)", (error, code, retryable) => {
    const translated = translateSendGridError(error);
    expect(translated.code).toBe(code);
    expect(translated.retryable).toBe(retryable);
  });

  it("never repeats the SDK message or the request (which holds the API key)", () => {
    const error = Object.assign(new Error("Request failed: Authorization: Bearer SG.top-secret"), {
      code: "ECONNRESET",
      config: { headers: { Authorization: "Bearer SG.top-secret" } },
    });
    const translated = translateSendGridError(error);
    expect(JSON.stringify({ detail: translated.detail, message: translated.message })).not.toContain(
      "SG.top-secret",
    );
    expect(translated.detail).toBe("SendGrid could not be reached (ECONNRESET).");
  });

  it("keeps only field names of SendGrid's errors, never their messages", () => {
    const translated = translateSendGridError(
      response(400, [{ field: "personalizations.0.to.0.email", message: "alex@contoso.com is bad" }]),
    );
    expect(translated.detail).toBe(
      "SendGrid rejected the recipient address (HTTP 400: personalizations.0.to.0.email).",
    );
  });
});
