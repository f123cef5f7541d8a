import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/**
 * infra/hooks/postprovision.sh run by sh against a stand-in `az` on PATH. The stand-in keeps the vault
 * as files, answers 403 while a counter lasts (the deployer's role not yet applied), and logs every
 * call; a stand-in `sleep` records each pause instead of waiting, so no test takes real minutes. PATH
 * holds only the tools the hook uses, so an `az` installed on this machine cannot leak in.
 */
const hook = resolve("infra/hooks/postprovision.sh");
const tools = ["sh", "grep", "sed", "mktemp", "rm", "cat"];

const stubAz = `#!/bin/sh
state="$STUB_STATE"
echo "$*" >> "$state/calls.log"
arg() { want="$1"; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { echo "$2"; return; }; shift; done; }
forbidden() {
  n="$(cat "$state/forbidden" 2>/dev/null || echo 0)"
  [ "$n" -gt 0 ] || return 1
  echo $((n - 1)) > "$state/forbidden"
  echo "(Forbidden) Caller is not authorized to perform action on resource." >&2
  echo "Inner error: { \\"code\\": \\"ForbiddenByRbac\\" }" >&2
  echo "Code: Forbidden" >&2
  return 0
}
case "$1 $2 $3" in
  "keyvault secret show")
    [ -f "$state/broken" ] && { echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; }
    forbidden && exit 1
    name="$(arg --name "$@")"
    [ -f "$state/secrets/$name" ] && exit 0
    echo "(SecretNotFound) A secret with (name/id) $name was not found in this key vault." >&2
    echo "Code: SecretNotFound" >&2
    exit 1 ;;
  "keyvault secret set")
    forbidden && exit 1
    name="$(arg --name "$@")"
    cp "$(arg --file "$@")" "$state/secrets/$name"
    exit 0 ;;
esac
if [ "$1" = rest ]; then
  [ -f "$state/rest-fails" ] && { echo "(AuthorizationFailed) no access" >&2; exit 1; }
  exit 0
fi
echo "stub az: unexpected call: $*" >&2
exit 2
`;

const stubSleep = `#!/bin/sh
echo "$1" >> "$STUB_STATE/sleeps"
`;

let dir: string;
let state: string;
let bin: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ones-hook-"));
  state = join(dir, "state");
  bin = join(dir, "bin");
  mkdirSync(join(state, "secrets"), { recursive: true });
  mkdirSync(bin);
  for (const tool of [...tools, "cp"]) {
    symlinkSync(
      execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(),
      join(bin, tool),
    );
  }
  symlinkSync(process.execPath, join(bin, "node"));
  writeFileSync(join(bin, "sleep"), stubSleep);
  chmodSync(join(bin, "sleep"), 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function installAz(): void {
  writeFileSync(join(bin, "az"), stubAz);
  chmodSync(join(bin, "az"), 0o755);
}

const environment = {
  AZURE_KEY_VAULT_NAME: "kv-test",
  AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-000000000001",
  AZURE_RESOURCE_GROUP: "rg-ones-test",
  AZURE_FUNCTION_APP_NAME: "func-test",
};

function run(env: Record<string, string> = environment) {
  const result = spawnSync(join(bin, "sh"), [hook], {
    env: { ...env, PATH: bin, STUB_STATE: state, HOME: dir },
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stderr: result.stderr };
}

const read = (file: string): string => (existsSync(file) ? readFileSync(file, "utf8") : "");
const calls = (): string[] => read(join(state, "calls.log")).split("\n").filter(Boolean);
const sleeps = (): number[] => read(join(state, "sleeps")).split("\n").filter(Boolean).map(Number);
const secret = (name: string): string => read(join(state, "secrets", name));
const refreshCall =
  "rest --method post --url /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ones-test/providers/Microsoft.Web/sites/func-test/config/configreferences/appsettings/refresh?api-version=2022-03-01 --output none";

function expectGeneratedKey(value: string): void {
  expect(value).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(value, "base64")).toHaveLength(32);
}

describe("postprovision.sh", () => {
  it("creates both keys when Key Vault says SecretNotFound, then refreshes the references", () => {
    installAz();
    const { status, output } = run();
    expect(status).toBe(0);
    const session = secret("session-key");
    const tokens = secret("token-encryption-key");
    expectGeneratedKey(session);
    expectGeneratedKey(tokens);
    expect(session).not.toBe(tokens);
    expect(output).toContain("postprovision: session-key created.");
    expect(output).toContain("postprovision: token-encryption-key created.");
    expect(output).toContain("postprovision: Key Vault references of func-test refreshed.");
    expect(sleeps()).toEqual([]);
    expect(calls().at(-1)).toBe(refreshCall);
    // Neither the output nor any command line carries a key.
    for (const value of [session, tokens]) {
      expect(output).not.toContain(value);
      expect(read(join(state, "calls.log"))).not.toContain(value);
    }
  });

  it("waits while the vault answers 403 (the new role not yet applied), then creates the keys", () => {
    installAz();
    writeFileSync(join(state, "forbidden"), "2");
    const { status, output } = run();
    expect(status).toBe(0);
    expect(sleeps()).toEqual([5, 10]);
    expect(output).toContain(
      "postprovision: Key Vault refused to read session-key (403): your new role on kv-test is still being applied",
    );
    expect(
      calls().filter((c) => c.startsWith("keyvault secret show --vault-name kv-test --name session-key")),
    ).toHaveLength(3);
    expectGeneratedKey(secret("session-key"));
    expectGeneratedKey(secret("token-encryption-key"));
    expect(output).not.toContain(secret("session-key"));
  });

  it("retries a 403 on create as well, without reading it as a failure", () => {
    installAz();
    // Reading is allowed at once; the first create meets a 403.
    const onFirstSet = stubAz.replace(
      '"keyvault secret set")\n',
      '"keyvault secret set")\n    [ -f "$state/set-once" ] || { printf 1 > "$state/set-once"; echo 1 > "$state/forbidden"; }\n',
    );
    writeFileSync(join(bin, "az"), onFirstSet);
    const { status, output } = run();
    expect(status).toBe(0);
    expect(sleeps()).toEqual([5]);
    expect(output).toContain("Key Vault refused to create session-key (403)");
    expectGeneratedKey(secret("session-key"));
  });

  it("never overwrites a secret that exists", () => {
    installAz();
    writeFileSync(join(state, "secrets", "session-key"), "existing-session-key");
    writeFileSync(join(state, "secrets", "token-encryption-key"), "existing-token-key");
    const { status, output } = run();
    expect(status).toBe(0);
    expect(secret("session-key")).toBe("existing-session-key");
    expect(secret("token-encryption-key")).toBe("existing-token-key");
    expect(calls().filter((c) => c.startsWith("keyvault secret set"))).toEqual([]);
    expect(output).toContain("postprovision: session-key exists; left as it is.");
    expect(output).toContain("postprovision: token-encryption-key exists; left as it is.");
    expect(output).not.toContain("existing-");
    expect(calls().at(-1)).toBe(refreshCall);
  });

  it("creates nothing when Key Vault fails for another reason (not read as missing)", () => {
    installAz();
    writeFileSync(join(state, "broken"), "");
    const { status, stderr } = run();
    expect(status).toBe(1);
    expect(stderr).toContain(
      "postprovision: could not read session-key from Key Vault kv-test; it is left as it is.",
    );
    expect(stderr).toContain("Please run 'az login'");
    expect(calls().filter((c) => !c.startsWith("keyvault secret show"))).toEqual([]);
  });

  it("gives up after ten minutes of 403s, saying which role is missing", () => {
    installAz();
    writeFileSync(join(state, "forbidden"), "1000");
    const { status, stderr } = run();
    expect(status).toBe(1);
    expect(sleeps()).toEqual([5, 10, 20, 40, 60, 60, 60, 60, 60, 60, 60, 60, 45]);
    expect(sleeps().reduce((a, b) => a + b, 0)).toBe(600);
    expect(stderr).toContain("'Key Vault Secrets Officer' on vault kv-test");
    expect(calls().filter((c) => c.startsWith("keyvault secret set"))).toEqual([]);
  });

  it("takes its first pause from ONES_HOOK_BACKOFF_SECONDS", () => {
    installAz();
    writeFileSync(join(state, "forbidden"), "3");
    expect(run({ ...environment, ONES_HOOK_BACKOFF_SECONDS: "1" }).status).toBe(0);
    expect(sleeps()).toEqual([1, 2, 4]);
  });

  it("fails clearly when az is missing, and prints no command with a key in it", () => {
    const { status, stderr } = run();
    expect(status).toBe(1);
    expect(stderr).toContain("the Azure CLI (az) is not installed or not on PATH");
    expect(stderr).not.toMatch(/secret set|--value|openssl rand/);
  });

  it("creates the keys but skips the refresh, saying so, when it cannot name the Function App", () => {
    installAz();
    const { status, output } = run({ AZURE_KEY_VAULT_NAME: "kv-test" });
    expect(status).toBe(0);
    expectGeneratedKey(secret("token-encryption-key"));
    expect(output).toContain("so the Key Vault references were not refreshed");
    expect(calls().filter((c) => c.startsWith("rest"))).toEqual([]);
  });

  it("says how to refresh by hand when the refresh call fails, keeping the keys", () => {
    installAz();
    writeFileSync(join(state, "rest-fails"), "");
    const { status, stderr } = run();
    expect(status).toBe(0);
    expect(stderr).toContain("refreshing the Key Vault references of func-test failed");
    expect(stderr).toContain("az rest --method post --url");
    expectGeneratedKey(secret("session-key"));
  });
});
