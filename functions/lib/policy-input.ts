import { z } from "zod";
import { policyRulesSchema } from "../../shared/domain/bookings/policy";

/** A shared policy: its rules and the rooms assigned to it. */
export const sharedPolicyBody = z
  .object({
    rules: policyRulesSchema,
    roomIds: z.array(z.string().trim().toLowerCase().min(3).max(254)).max(1000).default([]),
  })
  .strict();
