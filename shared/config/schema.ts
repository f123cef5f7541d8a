import { z } from "zod";
import { coreSettings } from "./sections/core";
import { m365Settings } from "./sections/m365";
import { mailSettings } from "./sections/mail";
import { realtimeSettings } from "./sections/realtime";

/**
 * Every app setting ONES reads, in one schema. Each section file documents its keys; the README's
 * configuration table, `local.settings.example.json` and the Bicep app settings are kept in step with
 * this list by tests.
 */
export const settingsShape = {
  ...coreSettings,
  ...realtimeSettings,
  ...m365Settings,
  ...mailSettings,
} as const;

export const settingsSchema = z
  .object(settingsShape)
  .superRefine((s, ctx) => {
    const oneOf = (keys: readonly (keyof typeof s)[]): void => {
      if (keys.every((k) => s[k] === undefined)) {
        ctx.addIssue({ code: "custom", path: [keys[0] as string], message: `set one of ${keys.join(" or ")}` });
      }
    };
    oneOf(["TABLES_CONNECTION_STRING", "TABLES_ENDPOINT"]);
    oneOf(["SERVICEBUS", "SERVICEBUS__fullyQualifiedNamespace"]);
    if (s.MAIL_CHANNEL === "sendgrid" && s.SENDGRID_API_KEY === undefined) {
      ctx.addIssue({ code: "custom", path: ["SENDGRID_API_KEY"], message: "required when MAIL_CHANNEL is sendgrid" });
    }
    if (s.MAIL_CHANNEL === "smtp" && s.SMTP_HOST === undefined) {
      ctx.addIssue({ code: "custom", path: ["SMTP_HOST"], message: "required when MAIL_CHANNEL is smtp" });
    }
  });

export type Settings = z.output<typeof settingsSchema>;
export type SettingKey = keyof typeof settingsShape;
export const settingKeys = Object.keys(settingsShape) as SettingKey[];
