import { describe, expect, it } from "vitest";
import {
  exchangeScript,
  ExchangeScriptInputError,
  psQuote,
  type ExchangeScriptInput,
  type IntegrationMode,
} from "../../../shared/domain/integration/exchange-script";

// Rooms an admin really has: an apostrophe in an address and in a name, a typographic quote
// (PowerShell treats U+2019 as a quote too), non-Latin text, and a line break that must not
// escape the string.
const rooms = [
  { email: "board.room@contoso.com", displayName: "Board Room" },
  { email: "o'brien@contoso.com", displayName: "O'Brien\u2019s Room" },
  { email: "kyoto@contoso.co.jp", displayName: "京都\nWrite-Host 'x'" },
];

const input = (mode: IntegrationMode, more: Partial<ExchangeScriptInput> = {}): ExchangeScriptInput => ({
  mode,
  appId: "11111111-2222-3333-4444-555555555555",
  servicePrincipalObjectId: "66666666-7777-8888-9999-aaaaaaaaaaaa",
  appDisplayName: "ONES (Contoso)",
  rooms,
  options: { extraMailboxes: ["rep@fabrikam.com"] },
  ...more,
});

const header = (mode: string): string => `# ONES for Microsoft 365: Exchange Online setup for ONES (Contoso)
# Mode: ${mode}. Rooms: 3.
# Run in PowerShell 7 with the ExchangeOnlineManagement module, signed in as an Exchange
# administrator (Organization Management). Safe to run again after rooms change.

$ErrorActionPreference = 'Stop'
Connect-ExchangeOnline
`;

const roomList = `$rooms = @(
    [pscustomobject]@{ Email = 'board.room@contoso.com'; Name = 'Board Room' }
    [pscustomobject]@{ Email = 'o''brien@contoso.com'; Name = 'O''Brien\u2019\u2019s Room' }
    [pscustomobject]@{ Email = 'kyoto@contoso.co.jp'; Name = '京都 Write-Host ''x''' }
)
`;

const calendarProcessing = `foreach ($room in $rooms) {
    Set-CalendarProcessing -Identity $room.Email \`
        -AutomateProcessing AutoAccept \`
        -AllowConflicts $false \`
        -BookingWindowInDays 180 \`
        -MaximumDurationInMinutes 1440 \`
        -AddOrganizerToSubject $false \`
        -DeleteSubject $false \`
        -DeleteComments $false \`
        -RemovePrivateProperty $false \`
        -ProcessExternalMeetingMessages $false
    Write-Host "Calendar processing set: $($room.Name) <$($room.Email)>"
}

Disconnect-ExchangeOnline -Confirm:$false
`;

describe("exchangeScript", () => {
  it("application permission: no scope (organizers' calendars are needed), calendar processing", () => {
    expect(exchangeScript(input("application"))).toBe(
      `${header("Application permission")}
${roomList}
# No management scope in this mode: ONES creates bookings in the organizers' own calendars and
# reads every room, so the app needs Calendars.ReadWrite on all mailboxes (tenant-wide consent).

# Recommended calendar processing (docs/deploy.md explains each setting).
${calendarProcessing}`,
    );
  });

  it("delegated permission: no scope (nothing application-wide to limit), calendar processing", () => {
    expect(exchangeScript(input("delegated"))).toBe(
      `${header("Delegated permission")}
${roomList}
# No management scope in this mode: the app holds delegated permissions only, so it acts as the
# signed-in user and reaches exactly the calendars that user may open. RBAC for Applications
# limits application permissions and has nothing to limit here.

# Recommended calendar processing (docs/deploy.md explains each setting).
${calendarProcessing}`,
    );
  });

  it("delegated resource only: no scope, points to folder permissions, calendar processing", () => {
    expect(exchangeScript(input("delegated-resource-only"))).toBe(
      `${header("Delegated permission, resource only")}
${roomList}
# No management scope in this mode: the app holds delegated permissions only, so it acts as the
# signed-in user and reaches exactly the calendars that user may open. RBAC for Applications
# limits application permissions and has nothing to limit here. Limit ONES with the room
# calendars' folder permissions instead (docs/deploy.md, section 3).

# Recommended calendar processing (docs/deploy.md explains each setting).
${calendarProcessing}`,
    );
  });

  it("application resource only: scope over the rooms and extra mailboxes, role, check, calendar processing", () => {
    expect(exchangeScript(input("application-resource-only"))).toBe(
      `${header("Application permission, resource only")}
$appId = '11111111-2222-3333-4444-555555555555'
$servicePrincipalObjectId = '66666666-7777-8888-9999-aaaaaaaaaaaa'
$appDisplayName = 'ONES (Contoso)'
$scopeName = 'ONES rooms'
${roomList}$otherMailboxes = @(
    'rep@fabrikam.com'
)

# 1. Limit the app to these mailboxes with RBAC for Applications. This only narrows access once
#    the tenant-wide Calendars.ReadWrite consent is removed from the app in Entra ID: the two
#    grants add up. Keep Place.Read.All consented; it is not a mailbox permission.
$addresses = @($rooms | ForEach-Object { $_.Email }) + $otherMailboxes
$filter = ($addresses | ForEach-Object { "PrimarySmtpAddress -eq '$($_ -replace "'", "''")'" }) -join ' -or '
if (Get-ManagementScope -Identity $scopeName -ErrorAction SilentlyContinue) {
    Set-ManagementScope -Identity $scopeName -RecipientRestrictionFilter $filter
} else {
    New-ManagementScope -Name $scopeName -RecipientRestrictionFilter $filter
}
if (-not (Get-ServicePrincipal -Identity $appId -ErrorAction SilentlyContinue)) {
    New-ServicePrincipal -AppId $appId -ObjectId $servicePrincipalObjectId -DisplayName $appDisplayName
}
$assignmentName = "$scopeName - Application Calendars.ReadWrite"
if (-not (Get-ManagementRoleAssignment -Identity $assignmentName -ErrorAction SilentlyContinue)) {
    New-ManagementRoleAssignment -Name $assignmentName -App $appId -Role 'Application Calendars.ReadWrite' -CustomResourceScope $scopeName
}

# 2. Check: every room must show InScope True (changes can take up to a few hours to apply).
foreach ($room in $rooms) {
    Test-ServicePrincipalAuthorization -Identity $appId -Resource $room.Email |
        Format-Table RoleName, GrantedPermissions, AllowedResourceScope, InScope
}

# 3. Recommended calendar processing (docs/deploy.md explains each setting).
${calendarProcessing}`,
    );
  });

  it("21Vianet: connects to the China environment; options change the processing values", () => {
    const script = exchangeScript(
      input("delegated", {
        options: {
          cloud: "china",
          calendarProcessing: {
            bookingWindowInDays: 90,
            maximumDurationInMinutes: 240,
            processExternalMeetingMessages: true,
          },
        },
      }),
    );
    expect(script).toContain("\nConnect-ExchangeOnline -ExchangeEnvironmentName O365China\n");
    expect(script).toContain("        -BookingWindowInDays 90 `\n        -MaximumDurationInMinutes 240 `\n");
    expect(script).toContain("        -ProcessExternalMeetingMessages $true\n");
  });

  it("names the scope as asked, and lists each mailbox once", () => {
    const script = exchangeScript(
      input("application-resource-only", {
        rooms: [...rooms, { email: "BOARD.ROOM@contoso.com", displayName: "again" }],
        options: {
          scopeName: "Rooms of Tom's floor",
          extraMailboxes: ["board.room@contoso.com", "rep@fabrikam.com"],
        },
      }),
    );
    expect(script).toContain("$scopeName = 'Rooms of Tom''s floor'\n");
    expect(script.match(/board\.room@contoso\.com/gi)).toHaveLength(1);
    expect(script).toContain("$otherMailboxes = @(\n    'rep@fabrikam.com'\n)\n");
  });

  it("refuses input it cannot carry safely, naming the field", () => {
    const refuse = (bad: Partial<ExchangeScriptInput>, field: string): void => {
      expect(() => exchangeScript(input("application-resource-only", bad))).toThrow(ExchangeScriptInputError);
      expect(() => exchangeScript(input("application-resource-only", bad))).toThrow(
        new RegExp(`^${field.replace(/[[\]().]/g, "\\$&")}:`),
      );
    };
    refuse({ appId: "not-a-guid" }, "appId");
    refuse({ servicePrincipalObjectId: "'; Remove-Mailbox x" }, "servicePrincipalObjectId");
    refuse(
      { rooms: [{ email: "room@contoso.com'; Remove-Mailbox -Identity x; '", displayName: "x" }] },
      "rooms[0].email",
    );
    refuse({ rooms: [{ email: 'a"b@contoso.com', displayName: "x" }] }, "rooms[0].email");
    refuse({ rooms: [] }, "rooms");
    refuse({ options: { extraMailboxes: ["nobody"] } }, "options.extraMailboxes[0]");
    refuse(
      { options: { calendarProcessing: { bookingWindowInDays: 2000 } } },
      "options.calendarProcessing.bookingWindowInDays",
    );
  });

  it("an empty room list is fine where no scope is built", () => {
    expect(exchangeScript(input("application", { rooms: [] }))).toContain("$rooms = @(\n)\n");
  });
});

describe("psQuote", () => {
  it("doubles every kind of single quote PowerShell recognises, and nothing else", () => {
    expect(psQuote("plain")).toBe("'plain'");
    expect(psQuote("O'Brien")).toBe("'O''Brien'");
    expect(psQuote("\u2018a\u2019 \u201Ab\u201B")).toBe(
      "'\u2018\u2018a\u2019\u2019 \u201A\u201Ab\u201B\u201B'",
    );
    expect(psQuote('$(Remove-Item x) "`n"')).toBe("'$(Remove-Item x) \"`n\"'");
  });
});
