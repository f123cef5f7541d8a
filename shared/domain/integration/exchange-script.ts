/**
 * The Exchange Online PowerShell an admin runs once per deployment (and again when rooms change):
 * it limits the app to the room mailboxes ONES knows (RBAC for Applications, resource-only modes)
 * and sets the recommended calendar processing on every room. Pure: text in, text out.
 *
 * Why each part is there: docs/deploy.md ("Exchange Online") and reference/graph-facts.md §3.4, §6.
 */

import type { IntegrationMode } from "./modes";

export type { IntegrationMode } from "./modes";

export interface ExchangeScriptRoom {
  readonly email: string;
  readonly displayName: string;
}

/** Calendar processing ONES recommends for its rooms; every value can be overridden. */
export interface CalendarProcessingSettings {
  /** Days ahead a booking may reach (Exchange: 0–1080). */
  readonly bookingWindowInDays: number;
  /** Longest booking in minutes (0 = unlimited). */
  readonly maximumDurationInMinutes: number;
  /** Accept meeting requests from organizers outside the organisation. */
  readonly processExternalMeetingMessages: boolean;
}

export interface ExchangeScriptOptions {
  /** Name of the management scope (resource-only application mode). */
  readonly scopeName?: string;
  /**
   * Further mailboxes the app must reach besides the rooms: representative mailboxes of cross-domain
   * booking, for instance. Added to the management scope in the resource-only application mode.
   */
  readonly extraMailboxes?: readonly string[];
  readonly calendarProcessing?: Partial<CalendarProcessingSettings>;
  /** Service operator: 21Vianet needs a different Exchange Online environment. */
  readonly cloud?: "global" | "china";
}

export interface ExchangeScriptInput {
  readonly mode: IntegrationMode;
  /** Application (client) id of the app registration. */
  readonly appId: string;
  /** Object id of the app's service principal (Enterprise applications), not of the app registration. */
  readonly servicePrincipalObjectId: string;
  readonly appDisplayName: string;
  readonly rooms: readonly ExchangeScriptRoom[];
  readonly options?: ExchangeScriptOptions;
}

export const defaultCalendarProcessing: CalendarProcessingSettings = {
  bookingWindowInDays: 180,
  maximumDurationInMinutes: 1440,
  processExternalMeetingMessages: false,
};

export const defaultScopeName = "ONES rooms";

const modeTitles: Record<IntegrationMode, string> = {
  application: "Application permission",
  delegated: "Delegated permission",
  "delegated-resource-only": "Delegated permission, resource only",
  "application-resource-only": "Application permission, resource only",
};

/** Why a mode gets no management scope: printed into the script so the admin is not left guessing. */
const noScopeReasons: Record<Exclude<IntegrationMode, "application-resource-only">, readonly string[]> = {
  application: [
    "No management scope in this mode: ONES creates bookings in the organizers' own calendars and",
    "reads every room, so the app needs Calendars.ReadWrite on all mailboxes (tenant-wide consent).",
  ],
  delegated: [
    "No management scope in this mode: the app holds delegated permissions only, so it acts as the",
    "signed-in user and reaches exactly the calendars that user may open. RBAC for Applications",
    "limits application permissions and has nothing to limit here.",
  ],
  "delegated-resource-only": [
    "No management scope in this mode: the app holds delegated permissions only, so it acts as the",
    "signed-in user and reaches exactly the calendars that user may open. RBAC for Applications",
    "limits application permissions and has nothing to limit here. Limit ONES with the room",
    "calendars' folder permissions instead (docs/deploy.md, section 3).",
  ],
};

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Conservative: dot-atom local part (RFC 5322, which allows the apostrophe) and a DNS domain.
const mailbox =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Raised for input the script cannot carry safely; names the field, never echoes the value. */
export class ExchangeScriptInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ExchangeScriptInputError";
  }
}

/**
 * A PowerShell single-quoted literal. Inside one, nothing expands; the only escape is a doubled quote,
 * and PowerShell treats the typographic single quotes (U+2018–U+201B) as quotes too, so those are
 * doubled as well.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** Text safe to put after `#` on one line: control characters (line breaks among them) become spaces. */
function commentText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, " ").trim();
}

function checkMailbox(value: string, field: string): string {
  const trimmed = value.trim();
  if (!mailbox.test(trimmed)) throw new ExchangeScriptInputError(field, "not a mailbox address");
  return trimmed;
}

function checkInput(input: ExchangeScriptInput): {
  rooms: ExchangeScriptRoom[];
  extra: string[];
  processing: CalendarProcessingSettings;
} {
  if (!guid.test(input.appId)) throw new ExchangeScriptInputError("appId", "must be a GUID");
  if (input.mode === "application-resource-only" && !guid.test(input.servicePrincipalObjectId)) {
    throw new ExchangeScriptInputError("servicePrincipalObjectId", "must be a GUID");
  }
  const seen = new Set<string>();
  const rooms: ExchangeScriptRoom[] = [];
  input.rooms.forEach((room, i) => {
    const email = checkMailbox(room.email, `rooms[${i}].email`);
    if (seen.has(email.toLowerCase())) return;
    seen.add(email.toLowerCase());
    const displayName = commentText(room.displayName);
    rooms.push({ email, displayName: displayName === "" ? email : displayName });
  });
  const extra = (input.options?.extraMailboxes ?? [])
    .map((m, i) => checkMailbox(m, `options.extraMailboxes[${i}]`))
    .filter((m) => !seen.has(m.toLowerCase()) && (seen.add(m.toLowerCase()), true));
  if (input.mode === "application-resource-only" && rooms.length === 0) {
    throw new ExchangeScriptInputError("rooms", "a management scope needs at least one room");
  }
  const processing = { ...defaultCalendarProcessing, ...input.options?.calendarProcessing };
  const window = processing.bookingWindowInDays;
  if (!Number.isInteger(window) || window < 0 || window > 1080) {
    throw new ExchangeScriptInputError("options.calendarProcessing.bookingWindowInDays", "must be 0 to 1080");
  }
  const duration = processing.maximumDurationInMinutes;
  if (!Number.isInteger(duration) || duration < 0) {
    throw new ExchangeScriptInputError(
      "options.calendarProcessing.maximumDurationInMinutes",
      "must be 0 or more",
    );
  }
  return { rooms, extra, processing };
}

const psBool = (b: boolean): string => (b ? "$true" : "$false");

/** The whole script, CRLF-free, ending with a newline. */
export function exchangeScript(input: ExchangeScriptInput): string {
  const { rooms, extra, processing } = checkInput(input);
  const scopeName = input.options?.scopeName ?? defaultScopeName;
  const china = input.options?.cloud === "china";
  const resourceOnlyApp = input.mode === "application-resource-only";
  const lines: string[] = [];
  const add = (...more: string[]): void => void lines.push(...more);

  add(
    `# ONES for Microsoft 365: Exchange Online setup for ${commentText(input.appDisplayName)}`,
    `# Mode: ${modeTitles[input.mode]}. Rooms: ${rooms.length}.`,
    "# Run in PowerShell 7 with the ExchangeOnlineManagement module, signed in as an Exchange",
    "# administrator (Organization Management). Safe to run again after rooms change.",
    "",
    "$ErrorActionPreference = 'Stop'",
    china ? "Connect-ExchangeOnline -ExchangeEnvironmentName O365China" : "Connect-ExchangeOnline",
    "",
  );
  if (resourceOnlyApp) {
    add(
      `$appId = ${psQuote(input.appId)}`,
      `$servicePrincipalObjectId = ${psQuote(input.servicePrincipalObjectId)}`,
      `$appDisplayName = ${psQuote(input.appDisplayName)}`,
      `$scopeName = ${psQuote(scopeName)}`,
    );
  }
  add("$rooms = @(");
  for (const room of rooms) {
    add(`    [pscustomobject]@{ Email = ${psQuote(room.email)}; Name = ${psQuote(room.displayName)} }`);
  }
  add(")");
  if (resourceOnlyApp) {
    add("$otherMailboxes = @(");
    for (const m of extra) add(`    ${psQuote(m)}`);
    add(")");
  }
  add("");

  if (resourceOnlyApp) {
    add(
      "# 1. Limit the app to these mailboxes with RBAC for Applications. This only narrows access once",
      "#    the tenant-wide Calendars.ReadWrite consent is removed from the app in Entra ID: the two",
      "#    grants add up. Keep Place.Read.All consented; it is not a mailbox permission.",
      "$addresses = @($rooms | ForEach-Object { $_.Email }) + $otherMailboxes",
      "$filter = ($addresses | ForEach-Object { \"PrimarySmtpAddress -eq '$($_ -replace \"'\", \"''\")'\" }) -join ' -or '",
      "if (Get-ManagementScope -Identity $scopeName -ErrorAction SilentlyContinue) {",
      "    Set-ManagementScope -Identity $scopeName -RecipientRestrictionFilter $filter",
      "} else {",
      "    New-ManagementScope -Name $scopeName -RecipientRestrictionFilter $filter",
      "}",
      "if (-not (Get-ServicePrincipal -Identity $appId -ErrorAction SilentlyContinue)) {",
      "    New-ServicePrincipal -AppId $appId -ObjectId $servicePrincipalObjectId -DisplayName $appDisplayName",
      "}",
      '$assignmentName = "$scopeName - Application Calendars.ReadWrite"',
      "if (-not (Get-ManagementRoleAssignment -Identity $assignmentName -ErrorAction SilentlyContinue)) {",
      "    New-ManagementRoleAssignment -Name $assignmentName -App $appId -Role 'Application Calendars.ReadWrite' -CustomResourceScope $scopeName",
      "}",
      "",
      "# 2. Check: every room must show InScope True (changes can take up to a few hours to apply).",
      "foreach ($room in $rooms) {",
      "    Test-ServicePrincipalAuthorization -Identity $appId -Resource $room.Email |",
      "        Format-Table RoleName, GrantedPermissions, AllowedResourceScope, InScope",
      "}",
      "",
      "# 3. Recommended calendar processing (docs/deploy.md explains each setting).",
    );
  } else {
    add(
      ...noScopeReasons[input.mode].map((l) => `# ${l}`),
      "",
      "# Recommended calendar processing (docs/deploy.md explains each setting).",
    );
  }

  add(
    "foreach ($room in $rooms) {",
    "    Set-CalendarProcessing -Identity $room.Email `",
    "        -AutomateProcessing AutoAccept `",
    "        -AllowConflicts $false `",
    `        -BookingWindowInDays ${processing.bookingWindowInDays} \``,
    `        -MaximumDurationInMinutes ${processing.maximumDurationInMinutes} \``,
    "        -AddOrganizerToSubject $false `",
    "        -DeleteSubject $false `",
    "        -DeleteComments $false `",
    "        -RemovePrivateProperty $false `",
    `        -ProcessExternalMeetingMessages ${psBool(processing.processExternalMeetingMessages)}`,
    '    Write-Host "Calendar processing set: $($room.Name) <$($room.Email)>"',
    "}",
    "",
    "Disconnect-ExchangeOnline -Confirm:$false",
  );
  return `${lines.join("\n")}\n`;
}
