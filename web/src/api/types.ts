/** Shapes of the API the pages use, as the server's handlers answer (see functions/ and shared/app). */
export type IntegrationMode =
  "application" | "delegated" | "delegated-resource-only" | "application-resource-only";

export const integrationModes: readonly IntegrationMode[] = [
  "application",
  "delegated",
  "delegated-resource-only",
  "application-resource-only",
];

export interface Me {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly isAdmin: boolean;
  readonly mode?: IntegrationMode;
  readonly needsSignIn: boolean;
}

export interface CapabilityRow {
  readonly capability: string;
  readonly label: string;
  readonly available: boolean;
  readonly partial?: string;
  readonly missing?: readonly string[];
  readonly reason?: string;
}

export interface CapabilityReport {
  readonly mode: IntegrationMode;
  readonly modeLabel: string;
  readonly capabilities: readonly CapabilityRow[];
}

export interface IntegrationSettingsView {
  readonly configured: boolean;
  readonly name?: string;
  readonly cloud?: "global" | "china";
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly mode?: IntegrationMode;
  readonly modeLabel?: string;
  readonly clientSecret: { readonly set: boolean; readonly expiresAt?: string };
  readonly adminGroupId?: string;
  readonly adminEmails: readonly string[];
  readonly updatedAt?: string;
  readonly redirectUri: string;
}

export interface IntegrationInput {
  name: string;
  cloud: "global" | "china";
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  secretExpiresAt?: string;
  mode: IntegrationMode;
  adminGroupId?: string | null;
  adminEmails?: string[] | null;
}

export interface PermissionCheck {
  readonly permission: string;
  readonly type: "application" | "delegated";
  readonly status: "granted" | "missing" | "unverified";
  readonly inToken: boolean;
  readonly note: string;
}

export interface IntegrationTestReport {
  readonly mode: IntegrationMode;
  readonly modeLabel: string;
  readonly permissionType: "application" | "delegated";
  readonly ok: boolean;
  readonly complete: boolean;
  readonly credentials:
    { readonly ok: true } | { readonly ok: false; readonly failure: string; readonly detail: string };
  readonly permissions: readonly PermissionCheck[];
  readonly missing: readonly string[];
  readonly unverified: readonly string[];
  readonly unavailable: readonly { readonly capability: string; readonly label: string }[];
  readonly warnings: readonly string[];
  readonly redirectUri: string;
}

export interface Representative {
  domain: string;
  mailbox: string;
}

export interface MailSettings {
  readonly senderAddress?: string;
}

export type SyncKind = "rooms" | "directory";

export interface SyncKindReport {
  readonly kind: SyncKind;
  readonly state: "idle" | "running" | "succeeded" | "failed" | "unavailable" | "never-run";
  readonly available: boolean;
  readonly trigger?: "timer" | "admin";
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly lastSuccessAt?: string;
  readonly progress?: { readonly pages: number; readonly read: number; readonly written: number };
  readonly counts?: Readonly<Record<string, number>>;
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: string };
  readonly unavailable: readonly {
    readonly part: string;
    readonly reason: string;
    readonly permissions: readonly string[];
  }[];
}

export interface SyncStatusReport {
  readonly mode: IntegrationMode | null;
  readonly kinds: readonly SyncKindReport[];
}

export interface Building {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string | null;
  readonly rooms: number;
  readonly activeRooms: number;
}

export interface DeadLetterView {
  readonly id: string;
  readonly source: "store" | "broker";
  readonly queue: string;
  readonly messageId: string;
  readonly reason: string;
  readonly description: string;
  readonly attempts: number;
  readonly failedAt: string;
  readonly summary?: { readonly recipient: string; readonly template: string } | { readonly kind: string };
}

export interface DeadLetterListing {
  readonly items: readonly DeadLetterView[];
  readonly continuation?: string;
}

export interface HealthReport {
  readonly status: "healthy" | "degraded" | "unhealthy";
  readonly dependencies: Readonly<Record<string, { readonly status: string; readonly reason?: string }>>;
}

export interface RoomImportOutcome {
  readonly line: number;
  readonly email: string;
  readonly result: "imported" | "updated" | "unchanged" | "refused";
  readonly reason?: string;
}

export interface RoomImportResult {
  readonly outcomes: readonly RoomImportOutcome[];
  readonly imported: number;
  readonly refused: number;
}
