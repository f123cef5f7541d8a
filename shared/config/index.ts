import { crossSettingIssues, settingKeys, settingsSchema, settingsShape, type Settings } from "./schema";
import {
  secretWarnings,
  unresolvedReferences,
  type SettingWarning,
  type UnresolvedReference,
} from "./secret-setting";

export type { Settings, SettingKey } from "./schema";
export { settingKeys } from "./schema";
export type { SettingWarning, UnresolvedReference } from "./secret-setting";
export { unresolvedReferenceProblem } from "./secret-setting";

/** Raised when app settings are missing or invalid. Names the keys, never their values. */
export class ConfigError extends Error {
  constructor(
    readonly keys: readonly string[],
    details: readonly string[],
    /** Which of `keys` hold a Key Vault reference App Service could not resolve, with the secret named. */
    readonly unresolvedReferences: readonly UnresolvedReference[] = [],
  ) {
    super(`Invalid app settings: ${details.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** Parses app settings from an environment. Pure: no caching, no process access. */
export function parseSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  // Blank values count as unset, as an empty app setting in Azure means "not configured".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""),
  );
  const result = settingsSchema.safeParse(present);
  const issues = [
    ...(result.error?.issues ?? []).map((i) => ({
      key: String(i.path[0] ?? "(settings)"),
      message: i.message,
    })),
    ...crossSettingIssues(present),
  ];
  if (result.success && issues.length === 0) {
    warningsOf.set(result.data, secretWarnings(settingsShape, present));
    return result.data;
  }
  const keys = [...new Set(issues.map((i) => i.key))];
  throw new ConfigError(
    keys,
    issues.map((i) => `${i.key}: ${i.message}`),
    unresolvedReferences(settingsShape, present, keys),
  );
}

const warningsOf = new WeakMap<Settings, readonly SettingWarning[]>();

/**
 * What parsing `settings` let through but an admin should fix: secret settings treated as unset because
 * their Key Vault reference is unresolved (keys only). Empty for settings not made by `parseSettings`.
 */
export function settingWarnings(settings: Settings): readonly SettingWarning[] {
  return warningsOf.get(settings) ?? [];
}

let cached: Settings | undefined;

/**
 * The app's settings, parsed on first use and kept for the life of the worker. Never call this at
 * import time: a throw there makes the Functions host report "no job functions found".
 */
export function getSettings(): Settings {
  cached ??= parseSettings(process.env);
  return cached;
}

/** Forgets the parsed settings (tests and the local host after changing the environment). */
export function resetSettings(): void {
  cached = undefined;
}

/**
 * The default of every setting that has one, as app-setting strings. The local host fills these in
 * where the environment is silent, as Bicep does in Azure, so `%SETTING%` timer schedules resolve.
 */
export function settingDefaults(): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const key of settingKeys) {
    const parsed = settingsShape[key].safeParse(undefined);
    if (parsed.success && parsed.data !== undefined) defaults[key] = String(parsed.data);
  }
  return defaults;
}
