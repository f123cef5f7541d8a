import { adminAppRole, isAdmin, type Principal } from "../../domain/auth/principal";
import { AppError, type FieldError } from "../../domain/errors";
import type { Cloud } from "../../domain/integration/cloud";
import type { IntegrationMode } from "../../domain/integration/modes";
import type { IntegrationTestReport } from "../../domain/integration/permission-report";
import { integrationView, type IntegrationSettingsView } from "./get-integration-settings";
import { resolveCandidate, runIntegrationTest, type TestIntegrationDeps } from "./test-integration";

export interface SaveIntegrationDeps extends TestIntegrationDeps {
  readonly now: () => Date;
}

export interface IntegrationSettingsInput {
  readonly name: string;
  readonly cloud: Cloud;
  readonly tenantId: string;
  readonly clientId: string;
  /** Optional on update: the saved secret stays. */
  readonly clientSecret?: string;
  readonly secretExpiresAt?: Date;
  readonly mode: IntegrationMode;
  /** Missing: the saved group stays; null: no admin group (admins by the app role only). */
  readonly adminGroupId?: string | null;
  /** Missing: the saved addresses stay; null: none. */
  readonly adminEmails?: readonly string[] | null;
}

/** Which input fields a failed test points at. */
function fieldsOf(report: IntegrationTestReport): FieldError[] {
  if (!report.credentials.ok) {
    const c = report.credentials;
    if (c.failure === "unknown-tenant") return [{ path: "tenantId", message: c.detail }];
    return [
      { path: "clientId", message: c.detail },
      { path: "clientSecret", message: c.detail },
    ];
  }
  return [
    {
      path: "mode",
      message: `The app registration lacks ${report.missing.join(", ")} for the ${report.modeLabel} mode.`,
    },
  ];
}

/**
 * PUT /api/admin/integration: tests the registration for the mode first and refuses to save one that
 * cannot support it (`validation-failed` with the test report); saves otherwise, the secret encrypted and
 * only when one is given. A missing admin group or address list keeps the saved one (null clears it),
 * and a save after which the calling admin would no longer be an admin (neither the app role nor a
 * member of the new admin group) is refused (`validation-failed` naming `adminGroupId`), so no save can
 * lock every admin out. Returns the saved view (no secret) and the report.
 */
export async function saveIntegrationSettings(
  deps: SaveIntegrationDeps,
  admin: Principal,
  input: IntegrationSettingsInput,
): Promise<{ settings: IntegrationSettingsView; report: IntegrationTestReport }> {
  const saved = await deps.integration.get();
  const adminGroupId =
    input.adminGroupId === undefined ? saved?.adminGroupId : (input.adminGroupId ?? undefined);
  const adminEmails =
    input.adminEmails === undefined ? (saved?.adminEmails ?? []) : (input.adminEmails ?? []);
  if (!isAdmin(admin.roles, admin.groups, adminGroupId)) {
    throw new AppError(
      "validation-failed",
      "You would no longer be a ONES admin after this save. Nothing was saved.",
      {
        fields: [
          {
            path: "adminGroupId",
            message: `Choose an admin group you are a member of, or have the ${adminAppRole} app role assigned first.`,
          },
        ],
      },
    );
  }
  const { registration, mode } = await resolveCandidate(deps.integration, input);
  const report = await runIntegrationTest(deps, admin, registration, mode);
  if (!report.ok) {
    throw new AppError(
      "validation-failed",
      report.credentials.ok
        ? `This app registration cannot support the ${report.modeLabel} mode: ${report.missing.join(", ")} missing. Nothing was saved.`
        : `The app registration's credentials did not work. Nothing was saved.`,
      { fields: fieldsOf(report), extensions: { report } },
    );
  }
  // A secret's expiry belongs to that secret: kept while the secret is, unless a new date is given.
  const secretExpiresAt =
    input.secretExpiresAt ?? (input.clientSecret === undefined ? saved?.secretExpiresAt : undefined);
  const settings = {
    name: input.name,
    cloud: input.cloud,
    tenantId: input.tenantId,
    clientId: input.clientId,
    mode: input.mode,
    ...(secretExpiresAt === undefined ? {} : { secretExpiresAt }),
    ...(adminGroupId === undefined ? {} : { adminGroupId }),
    adminEmails,
    updatedAt: deps.now(),
  };
  await deps.integration.save(settings, input.clientSecret);
  return { settings: integrationView(settings, true, deps.appBaseUrl), report };
}
