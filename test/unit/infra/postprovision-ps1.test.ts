import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * PowerShell cannot run on the machines these tests run on, so the Windows hook is read as text: it
 * must avoid what Windows PowerShell 5.1 lacks or treats differently, and stay in step with the sh hook
 * it mirrors (same secrets, same refresh call, same knobs).
 */
const ps1 = readFileSync("infra/hooks/postprovision.ps1", "utf8");
const sh = readFileSync("infra/hooks/postprovision.sh", "utf8");

/** Lines of PowerShell code, comments removed. */
function code(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .filter((line) => line.trim() !== "");
}

const windowsPowerShellTraps: ReadonlyArray<readonly [RegExp, string]> = [
  [/RandomNumberGenerator\]::GetBytes\(/, "RandomNumberGenerator.GetBytes(int) needs .NET 6"],
  [/RandomNumberGenerator\]::Fill\(/, "RandomNumberGenerator.Fill needs .NET Core"],
  [/2>\s*\$null/, "2>$null on a native command stops the script under ErrorActionPreference=Stop in 5.1"],
  [/\?\?/, "?? is PowerShell 7"],
  [/\?\./, "?. is PowerShell 7"],
  [/\s&&\s|\s\|\|\s/, "&& and || are PowerShell 7"],
  [/\s\?\s.*\s:\s/, "the ternary operator is PowerShell 7"],
  [/utf8NoBOM/i, "utf8NoBOM is PowerShell 7"],
  [/ForEach-Object\s+-Parallel/, "ForEach-Object -Parallel is PowerShell 7"],
];

/** The traps a script falls into, by description. */
function traps(text: string): string[] {
  const lines = code(text);
  return windowsPowerShellTraps
    .filter(([pattern]) => lines.some((line) => pattern.test(line)))
    .map(([, why]) => why);
}

describe("postprovision.ps1", () => {
  it("uses nothing Windows PowerShell 5.1 lacks", () => {
    expect(traps(ps1)).toEqual([]);
  });

  it("would be caught using a .NET 6 API or 2>$null", () => {
    const mutated = ps1
      .replace(
        "$rng.GetBytes($bytes)",
        "$bytes = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(32)",
      )
      .replace("& az @Arguments 2>&1", "& az @Arguments 2>$null");
    expect(traps(mutated)).toEqual([
      "RandomNumberGenerator.GetBytes(int) needs .NET 6",
      "2>$null on a native command stops the script under ErrorActionPreference=Stop in 5.1",
    ]);
  });

  it("mirrors the sh hook: the same secrets, refresh call, backoff knob and messages", () => {
    for (const text of [
      "'session-key'",
      "'token-encryption-key'",
      "/config/configreferences/appsettings/refresh?api-version=2022-03-01",
      "ONES_HOOK_BACKOFF_SECONDS",
      "SecretNotFound",
      "ObjectIsDeletedButRecoverable",
      "Key Vault Secrets Officer",
      "--file",
    ]) {
      const unquoted = text.replaceAll("'", "");
      expect(ps1).toContain(text);
      expect(sh).toContain(unquoted);
    }
    expect(sh).toContain("for name in session-key token-encryption-key; do");
    // Creating a secret from a value on the command line would show it in the process list.
    expect(code(ps1).filter((l) => /--value\b/.test(l))).toEqual([]);
    expect(code(sh).filter((l) => /--value\b/.test(l))).toEqual([]);
  });

  it("fails (exit 1) when az is missing instead of carrying on", () => {
    const missing = /if \(-not \(Get-Command az -ErrorAction SilentlyContinue\)\) \{\s*Fail /;
    expect(ps1).toMatch(missing);
    expect(ps1).toMatch(/function Fail\(\[string\]\$Message\) \{[^}]*exit 1/);
  });
});
