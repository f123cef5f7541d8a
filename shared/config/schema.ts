import { z } from "zod";
import { authSettings } from "./sections/auth";
import { calendarSettings } from "./sections/calendar";
import { coreSettings } from "./sections/core";
import { displaySettings } from "./sections/displays";
import { holdSettings } from "./sections/holds";
import { housekeepingSettings } from "./sections/housekeeping";
import { m365Settings } from "./sections/m365";
import { mailSettings } from "./sections/mail";
import { realtimeSettings } from "./sections/realtime";
import { syncSettings } from "./sections/sync";

/**
 * Every app setting ONES reads, in one schema. Each section file documents its keys; the README's
 * configuration table, `local.settings.example.json` and the Bicep app settings are kept in step with
 * this list by tests.
 */
export const settingsShape = {
  ...coreSettings,
  ...realtimeSettings,
  ...m365Settings,
  ...authSettings,
  ...mailSettings,
  ...syncSettings,
  ...calendarSettings,
  ...housekeepingSettings,
  ...displaySettings,
  ...holdSettings,
} as const;

export const settingsSchema = z.object(settingsShape);

type Raw = Readonly<Record<string, string | undefined>>;

/**
 * Rules across settings. Checked on the raw values, alongside the schema, so one failure report names
 * every problem at once.
 */
export function crossSettingIssues(raw: Raw): { key: string; message: string }[] {
  const issues: { key: string; message: string }[] = [];
  const oneOf = (...keys: SettingKey[]): void => {
    if (keys.every((k) => raw[k] === undefined))
      issues.push({ key: keys[0] as string, message: `set one of ${keys.join(" or ")}` });
  };
  oneOf("TABLES_CONNECTION_STRING", "TABLES_ENDPOINT");
  oneOf("SERVICEBUS", "SERVICEBUS__fullyQualifiedNamespace");
  // In Azure (tables reached by endpoint) the keys must be set: an ephemeral key would log everyone out
  // and make every stored token unreadable on each restart.
  if (raw.TABLES_ENDPOINT !== undefined) {
    for (const key of ["SESSION_KEY", "TOKEN_ENCRYPTION_KEY"] as const) {
      if (raw[key] === undefined) issues.push({ key, message: "required in Azure (TABLES_ENDPOINT is set)" });
    }
  }
  const bootstrap = ["M365_TENANT_ID", "M365_CLIENT_ID", "M365_INTEGRATION_MODE"] as const;
  if (bootstrap.some((k) => raw[k] !== undefined)) {
    for (const key of bootstrap) {
      if (raw[key] === undefined)
        issues.push({ key, message: `required with ${bootstrap.filter((k) => k !== key).join(" and ")}` });
    }
  }
  if (raw.MAIL_CHANNEL === "sendgrid" && raw.SENDGRID_API_KEY === undefined) {
    issues.push({ key: "SENDGRID_API_KEY", message: "required when MAIL_CHANNEL is sendgrid" });
  }
  if (raw.MAIL_CHANNEL === "smtp" && raw.SMTP_HOST === undefined) {
    issues.push({ key: "SMTP_HOST", message: "required when MAIL_CHANNEL is smtp" });
  }
  // A login over a plain connection sends the password in clear text: only the local mail sink may do that.
  if (raw.TABLES_ENDPOINT !== undefined && raw.SMTP_SECURITY === "none" && raw.SMTP_USER !== undefined) {
    issues.push({
      key: "SMTP_SECURITY",
      message: "none would send SMTP_USER's password in plain text; use starttls or tls in Azure",
    });
  }
  return issues;
}

export type Settings = z.output<typeof settingsSchema>;
export type SettingKey = keyof typeof settingsShape;
export const settingKeys = Object.keys(settingsShape) as SettingKey[];
