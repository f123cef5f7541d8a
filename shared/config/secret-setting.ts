import { z } from "zod";

/**
 * App Service replaces a `@Microsoft.KeyVault(…)` app setting with the secret when it can read it; when
 * it cannot (the secret does not exist, or the identity lacks access) the app sees the reference itself.
 * Used as a password or key, that text fails far from its cause (a 401 from SendGrid, every mail
 * dead-lettered), so every secret setting is declared with `secretSetting()` and decides here what an
 * unresolved reference means.
 */
export const unresolvedReferenceMessage =
  "Key Vault reference not resolved: the secret is missing or the app cannot read it";

/** The `problem` of a configuration warning about an unresolved Key Vault reference. */
export const unresolvedReferenceProblem = "key-vault-reference-unresolved";

export function isKeyVaultReference(value: string): boolean {
  return value.trimStart().startsWith("@Microsoft.KeyVault(");
}

/**
 * The secret a Key Vault reference points to (`SecretUri=…/secrets/NAME[/version]` or
 * `SecretName=NAME`), or undefined when it names none. A secret's name is not secret; the vault's
 * address is left out.
 */
export function keyVaultSecretName(reference: string): string | undefined {
  const match =
    /SecretUri=[^)]*?\/secrets\/([A-Za-z0-9-]+)/i.exec(reference) ??
    /SecretName=([A-Za-z0-9-]+)/i.exec(reference);
  return match?.[1];
}

/** An app setting whose Key Vault reference App Service could not resolve, and the secret it names. */
export interface UnresolvedReference {
  readonly key: string;
  readonly secret?: string;
}

/** The secret settings of `shape` that hold an unresolved reference among `keys`. */
export function unresolvedReferences(
  shape: Readonly<Record<string, z.ZodType>>,
  raw: Raw,
  keys: readonly string[],
): UnresolvedReference[] {
  return keys.flatMap((key) => {
    const value = raw[key];
    const schema = shape[key];
    if (
      schema === undefined ||
      !secretSettings.has(schema) ||
      value === undefined ||
      !isKeyVaultReference(value)
    )
      return [];
    const secret = keyVaultSecretName(value);
    return [{ key, ...(secret === undefined ? {} : { secret }) }];
  });
}

type Raw = Readonly<Record<string, string | undefined>>;

export interface SecretSettingOptions {
  /**
   * `fail` (the default): an unresolved reference is a ConfigError naming the key, for secrets the app
   * cannot run without. `unset`: the setting counts as unset and health lists a configuration warning,
   * for secrets that are optional or that only one feature needs.
   */
  readonly onUnresolved?: "fail" | "unset";
  /**
   * For `unset`: whether the setting matters with these (raw) settings. Bicep sets every secret's
   * reference, so one whose feature is off is unresolved by design and not worth a warning.
   */
  readonly usedWhen?: (raw: Raw) => boolean;
}

/** What `secretSetting()` records about each secret schema, read by `secretWarnings`. */
export const secretSettings = z.registry<
  Required<Pick<SecretSettingOptions, "onUnresolved">> & SecretSettingOptions
>();

/** An optional secret app setting whose value must pass `value` (a non-empty string by default). */
export function secretSetting(
  value: z.ZodType<string, string> = z.string().min(1),
  options: SecretSettingOptions = {},
) {
  const onUnresolved = options.onUnresolved ?? "fail";
  const schema =
    onUnresolved === "fail"
      ? z
          .string()
          .refine((v) => !isKeyVaultReference(v), { message: unresolvedReferenceMessage })
          .pipe(value)
          .optional()
      : z
          .string()
          .transform((v) => (isKeyVaultReference(v) ? undefined : v))
          .pipe(value.optional())
          .optional();
  schema.register(secretSettings, { ...options, onUnresolved });
  return schema;
}

export interface SettingWarning {
  readonly key: string;
  readonly problem: typeof unresolvedReferenceProblem;
}

/** The secret settings of `shape` that were treated as unset because their reference is unresolved. */
export function secretWarnings(shape: Readonly<Record<string, z.ZodType>>, raw: Raw): SettingWarning[] {
  return Object.entries(shape).flatMap(([key, schema]) => {
    const secret = secretSettings.get(schema);
    const value = raw[key];
    if (secret?.onUnresolved !== "unset" || value === undefined || !isKeyVaultReference(value)) return [];
    if (secret.usedWhen !== undefined && !secret.usedWhen(raw)) return [];
    return [{ key, problem: unresolvedReferenceProblem }];
  });
}
