import { z } from "zod";
import { secretSetting } from "../secret-setting";

/** A base64 string that decodes to exactly 32 bytes (an AES-256 / HMAC-SHA256 key). */
const key32 = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32, {
    message: "base64 of exactly 32 random bytes",
  });

/**
 * Sign-in and the keys that protect sessions and stored tokens. Both keys are required in Azure (Key Vault
 * references generated at provisioning); the local stack generates its own. An unresolved reference to
 * either is a configuration error: a stand-in key would log everyone out and make stored tokens unreadable.
 */
export const authSettings = {
  /** Signs the session cookie and the sign-in binding cookie (HMAC-SHA256). */
  SESSION_KEY: secretSetting(key32),
  /** AES-256-GCM key for what ONES keeps encrypted at rest: users' token caches and the client secret. */
  TOKEN_ENCRYPTION_KEY: secretSetting(key32),
  /**
   * The app registration's client secret as a Key Vault reference, used when no secret was saved through
   * `PUT /api/admin/integration`. Optional by design (an admin may save the secret instead), so an
   * unresolved reference (the secret does not exist) counts as unset, and `/api/health` warns about it.
   */
  M365_CLIENT_SECRET: secretSetting(z.string().min(1), { onUnresolved: "unset" }),
} as const;
