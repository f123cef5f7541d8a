import { describe, expect, it } from "vitest";
import { mailSenderFromSettings } from "../../../shared/adapters/mail/from-settings";
import { ConfigError, parseSettings, settingKeys, settingWarnings } from "../../../shared/config";
import { settingsShape } from "../../../shared/config/schema";
import { secretSettings } from "../../../shared/config/secret-setting";

const localStack = {
  TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
  SERVICEBUS:
    "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
};
const azure = {
  TABLES_ENDPOINT: "https://onesdata.table.core.windows.net",
  SERVICEBUS__fullyQualifiedNamespace: "ones.servicebus.windows.net",
  SESSION_KEY: Buffer.alloc(32, 1).toString("base64"),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString("base64"),
};
const ref = (name: string): string =>
  `@Microsoft.KeyVault(SecretUri=https://kv-ones.vault.azure.net/secrets/${name}/)`;

function configError(env: Record<string, string>): ConfigError {
  try {
    parseSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("parsed");
}

describe("secret settings and unresolved Key Vault references", () => {
  it("declares every secret setting through secretSetting()", () => {
    const secrets = settingKeys.filter((k) => secretSettings.has(settingsShape[k])).sort();
    expect(secrets).toEqual(
      [
        "M365_CLIENT_SECRET",
        "SENDGRID_API_KEY",
        "SESSION_KEY",
        "SMTP_PASSWORD",
        "TOKEN_ENCRYPTION_KEY",
      ].sort(),
    );
  });

  it("refuses unresolved session and token keys, naming each key and not the reference", () => {
    const error = configError({
      ...azure,
      SESSION_KEY: ref("session-key"),
      TOKEN_ENCRYPTION_KEY: ref("token-encryption-key"),
    });
    expect([...error.keys].sort()).toEqual(["SESSION_KEY", "TOKEN_ENCRYPTION_KEY"]);
    // Which reference is unresolved: the secret it names, never the vault's address.
    expect([...error.unresolvedReferences].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "SESSION_KEY", secret: "session-key" },
      { key: "TOKEN_ENCRYPTION_KEY", secret: "token-encryption-key" },
    ]);
    expect(error.message).toContain(
      "SESSION_KEY: Key Vault reference not resolved: the secret is missing or the app cannot read it",
    );
    // One precise message per key: not also "base64 of exactly 32 random bytes".
    expect(error.message).not.toContain("base64");
    expect(error.message).not.toContain("kv-ones");
  });

  it("names the secret an unresolved reference points to, by SecretUri or SecretName, and no other key", () => {
    const error = configError({
      ...azure,
      M365_CLOUD: "moon",
      SESSION_KEY: "@Microsoft.KeyVault(VaultName=kv-ones;SecretName=session-key)",
      TOKEN_ENCRYPTION_KEY: `@Microsoft.KeyVault(SecretUri=https://kv-ones.vault.azure.net/secrets/token-encryption-key/0123456789abcdef)`,
    });
    expect([...error.keys].sort()).toEqual(["M365_CLOUD", "SESSION_KEY", "TOKEN_ENCRYPTION_KEY"]);
    expect([...error.unresolvedReferences].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "SESSION_KEY", secret: "session-key" },
      { key: "TOKEN_ENCRYPTION_KEY", secret: "token-encryption-key" },
    ]);
  });

  it("keeps an unresolved client secret unset (optional by design) and warns about it", () => {
    const settings = parseSettings({ ...azure, M365_CLIENT_SECRET: ref("m365-client-secret") });
    expect(settings.M365_CLIENT_SECRET).toBeUndefined();
    expect(settingWarnings(settings)).toEqual([
      { key: "M365_CLIENT_SECRET", problem: "key-vault-reference-unresolved" },
    ]);
    const resolved = parseSettings({ ...azure, M365_CLIENT_SECRET: "s3cret" });
    expect(resolved.M365_CLIENT_SECRET).toBe("s3cret");
    expect(settingWarnings(resolved)).toEqual([]);
  });

  it("never sends an unresolved SendGrid key: mail waits (transient failure) and a warning names the key", async () => {
    const settings = parseSettings({
      ...azure,
      MAIL_CHANNEL: "sendgrid",
      SENDGRID_API_KEY: ref("sendgrid-api-key"),
    });
    expect(settings.SENDGRID_API_KEY).toBeUndefined();
    expect(settingWarnings(settings)).toEqual([
      { key: "SENDGRID_API_KEY", problem: "key-vault-reference-unresolved" },
    ]);
    const sender = mailSenderFromSettings(settings);
    expect(sender.channel).toBe("none");
    await expect(
      sender.send({
        id: "m-1",
        from: { email: "ones@contoso.com" },
        to: { email: "it@contoso.com" },
        subject: "s",
        text: "t",
        html: "<p>t</p>",
      }),
    ).rejects.toMatchObject({ code: "dependency-unavailable" });
  });

  it("still requires the SendGrid key itself with MAIL_CHANNEL=sendgrid", () => {
    expect(configError({ ...azure, MAIL_CHANNEL: "sendgrid" }).keys).toEqual(["SENDGRID_API_KEY"]);
  });

  it("warns about an unresolved mail secret only when the channel uses it", () => {
    // Bicep sets both mail references whatever the channel; unused, they are unresolved by design.
    const idle = parseSettings({
      ...azure,
      SENDGRID_API_KEY: ref("sendgrid-api-key"),
      SMTP_PASSWORD: ref("smtp-password"),
    });
    expect(settingWarnings(idle)).toEqual([]);
    const smtpWithoutLogin = parseSettings({
      ...azure,
      MAIL_CHANNEL: "smtp",
      SMTP_HOST: "smtp.contoso.com",
      SMTP_PASSWORD: ref("smtp-password"),
    });
    expect(settingWarnings(smtpWithoutLogin)).toEqual([]);
    const smtpLogin = parseSettings({
      ...azure,
      MAIL_CHANNEL: "smtp",
      SMTP_HOST: "smtp.contoso.com",
      SMTP_USER: "ones",
      SMTP_PASSWORD: ref("smtp-password"),
    });
    expect(smtpLogin.SMTP_PASSWORD).toBeUndefined();
    expect(settingWarnings(smtpLogin)).toEqual([
      { key: "SMTP_PASSWORD", problem: "key-vault-reference-unresolved" },
    ]);
    expect(mailSenderFromSettings(smtpLogin).channel).toBe("none");
  });
});

describe("SMTP credentials over a plain connection", () => {
  const smtp = {
    MAIL_CHANNEL: "smtp",
    SMTP_HOST: "smtp.contoso.com",
    SMTP_SECURITY: "none",
    SMTP_USER: "ones",
  };

  it("are refused in Azure", () => {
    const error = configError({ ...azure, ...smtp });
    expect(error.keys).toEqual(["SMTP_SECURITY"]);
    expect(error.message).toContain("plain text");
  });

  it("are allowed locally (the mail sink), and in Azure without a login", () => {
    expect(parseSettings({ ...localStack, ...smtp }).SMTP_SECURITY).toBe("none");
    expect(parseSettings({ ...azure, ...smtp, SMTP_USER: "" }).SMTP_USER).toBeUndefined();
    expect(parseSettings({ ...azure, ...smtp, SMTP_SECURITY: "starttls" }).SMTP_USER).toBe("ones");
  });
});

describe("bootstrap secret expiry settings", () => {
  it("parse the expiry as a date and the admins as a list", () => {
    const settings = parseSettings({
      ...localStack,
      M365_CLIENT_SECRET_EXPIRES_AT: "2027-03-20",
      M365_ADMIN_EMAILS: " it@contoso.com, boss@contoso.com ,",
    });
    expect(settings.M365_CLIENT_SECRET_EXPIRES_AT).toEqual(new Date("2027-03-20T00:00:00Z"));
    expect(settings.M365_ADMIN_EMAILS).toEqual(["it@contoso.com", "boss@contoso.com"]);
    expect(
      parseSettings({ ...localStack, M365_CLIENT_SECRET_EXPIRES_AT: "2027-03-20T10:00:00+01:00" })
        .M365_CLIENT_SECRET_EXPIRES_AT,
    ).toEqual(new Date("2027-03-20T09:00:00Z"));
  });

  it("name the key of a bad value, never the value", () => {
    const error = configError({
      ...localStack,
      M365_CLIENT_SECRET_EXPIRES_AT: "next spring",
      M365_ADMIN_EMAILS: "it@contoso.com, not-an-address",
    });
    expect([...error.keys].sort()).toEqual(["M365_ADMIN_EMAILS", "M365_CLIENT_SECRET_EXPIRES_AT"]);
    expect(error.message).not.toContain("not-an-address");
    expect(error.message).not.toContain("next spring");
  });
});
