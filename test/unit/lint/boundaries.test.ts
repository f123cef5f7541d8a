import path from "node:path";
import { pathToFileURL } from "node:url";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

/**
 * The layer boundaries of eslint.config.mjs, applied to small fixtures linted under real paths of the
 * repository: each import that once tied an adapter or the edge to the settings fails again if it comes
 * back, and the imports the pattern relies on pass.
 */
const root = path.resolve(__dirname, "../../..");

async function linter(): Promise<ESLint> {
  const config = (await import(pathToFileURL(path.join(root, "eslint.config.mjs")).href)) as {
    boundaries: Linter.Config[];
  };
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser },
        plugins: { "@typescript-eslint": tseslint.plugin as unknown as ESLint.Plugin },
      },
      ...config.boundaries,
    ],
  });
}

/** The messages of the boundary rules for `code` linted as the file at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await (await linter()).lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? "parse"}: ${m.message}`);
}

const restricted = /no-restricted-imports/;

describe("layer boundaries", () => {
  it.each([
    ["shared/adapters/mail/from-settings.ts", 'import { settingWarnings } from "../../config";\n'],
    [
      "shared/adapters/servicebus/service-bus-work-queue.ts",
      'import type { Settings } from "../../config";\n',
    ],
    ["shared/adapters/tables/table-service.ts", 'import type { Settings } from "../../config";\n'],
    ["shared/adapters/webpubsub/web-pubsub-publisher.ts", 'import type { Settings } from "../../config";\n'],
    ["functions/health.ts", 'import { ConfigError } from "../shared/config";\n'],
  ])("refuses settings in %s", async (file, code) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(restricted);
  });

  it.each([
    [
      "an adapter reaching composition",
      "shared/adapters/tables/x.ts",
      'import { getServices } from "../../composition/services";\n',
    ],
    [
      "an adapter calling a use case",
      "shared/adapters/tables/x.ts",
      'import { sendMail } from "../../app/send-mail";\n',
    ],
    [
      "config building an adapter",
      "shared/config/x.ts",
      'import { TableService } from "../adapters/tables/table-service";\n',
    ],
    [
      "composition importing an SDK",
      "shared/composition/x.ts",
      'import { TableClient } from "@azure/data-tables";\n',
    ],
    [
      "a handler reading the services",
      "functions/x.ts",
      'import { getServices } from "../shared/composition/services";\n',
    ],
    [
      "a handler calling a use case itself",
      "functions/x.ts",
      'import { signOut } from "../shared/app/auth/sign-out";\n',
    ],
    [
      "a handler building an adapter",
      "functions/x.ts",
      'import { NoMailSender } from "../shared/adapters/mail/no-mail-sender";\n',
    ],
    [
      "a test using composition's wiring",
      "test/unit/x.test.ts",
      'import { syncDependencies } from "../../shared/composition/sync-wiring";\n',
    ],
  ])("refuses %s", async (_what, file, code) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(restricted);
  });

  it("lets composition join settings and adapters, and the edge call composition", async () => {
    expect(
      await violations(
        "shared/composition/x.ts",
        'import { getSettings } from "../config";\nimport { TableService } from "../adapters/tables/table-service";\n',
      ),
    ).toEqual([]);
    expect(
      await violations(
        "functions/x.ts",
        [
          'import { signOut } from "../shared/composition/auth";',
          'import type { Principal } from "../shared/domain/auth/principal";',
          'import type { SyncStatusReport } from "../shared/app/sync/get-sync-status";',
          'import { queueNames } from "../shared/app/ports/work-queue";',
          'import { app } from "@azure/functions";',
          "",
        ].join("\n"),
      ),
    ).toEqual([]);
    expect(
      await violations(
        "shared/adapters/tables/x.ts",
        'import type { WorkQueue } from "../../app/ports/work-queue";\n',
      ),
    ).toEqual([]);
  });
});
