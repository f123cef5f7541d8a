import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Modules only adapters (and the local stack) may import. */
const sdkModules = [
  "@azure/*",
  "@microsoft/*",
  "@sendgrid/*",
  "nodemailer",
  "jose",
  "rhea",
  "ws",
  "node:http",
  "node:https",
  "node:net",
  "node:fs",
];

const boundary = (message, extra = []) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        { group: sdkModules, message },
        {
          group: [
            "**/adapters/**",
            "**/composition/**",
            "**/config/**",
            "**/functions/**",
            "**/dev/**",
            ...extra,
          ],
          message,
        },
      ],
    },
  ],
});

/**
 * Where each layer may reach (../shared/ARCHITECTURE.md): the domain is pure; use cases see ports;
 * adapters hold the SDKs and know nothing of settings or wiring; config reads settings and knows no
 * adapter; composition alone puts settings and adapters together; the edge calls composition.
 * test/unit/lint/boundaries.test.ts lints fixtures against these rules.
 */
export const boundaries = [
  {
    files: ["shared/domain/**/*.ts"],
    rules: boundary("shared/domain is pure: no SDKs, adapters, config or I/O.", ["**/app/**"]),
  },
  {
    files: ["shared/app/**/*.ts"],
    rules: boundary("shared/app uses ports, never SDKs or adapters."),
  },
  {
    // Adapters implement ports with SDKs; their options come from composition, never from settings.
    files: ["shared/adapters/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/config", "**/config/**", "**/composition", "**/composition/**"],
              message: "Adapters take plain options: shared/composition reads the settings and builds them.",
            },
            {
              group: ["**/app/**", "!**/app/ports", "!**/app/ports/**"],
              message: "Adapters implement ports (shared/app/ports), never call use cases.",
            },
            {
              group: ["**/functions/**", "**/dev/**"],
              message: "Adapters know nothing of the edge or the local stack.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["shared/config/**/*.ts"],
    rules: boundary("shared/config parses settings; composition turns them into adapters.", ["**/app/**"]),
  },
  {
    // The one place where settings meet adapters; still no SDKs of its own, and no edge.
    files: ["shared/composition/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: sdkModules, message: "SDKs belong in shared/adapters; composition wires them." },
            { group: ["**/functions/**", "**/dev/**"], message: "Composition knows nothing of the edge." },
          ],
        },
      ],
    },
  },
  {
    // The edge parses, calls one composition function and maps: no adapters, settings or wiring.
    files: ["functions/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [...sdkModules, "!@azure/functions"],
              message: "functions/ holds the edge only: SDKs belong in shared/adapters.",
            },
            {
              group: ["**/adapters/**", "**/config", "**/config/**", "**/dev/**"],
              message: "functions/ calls shared/composition/<area>; adapters and settings stay behind it.",
            },
            {
              regex: "/composition(/(index|services|adapters|sync-wiring))?$",
              message: "Import the use case's ready function from shared/composition/<area> instead.",
            },
            {
              group: ["**/app/**", "!**/app/ports", "!**/app/ports/**"],
              allowTypeImports: true,
              message: "Call use cases through shared/composition/<area>; import only their types.",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read settings through shared/config.",
        },
      ],
    },
  },
  {
    // Tests inject through overrideServices/resetServices, not through composition's internal wiring.
    files: ["test/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/composition/sync-wiring"],
              message: "Use the area's functions (shared/composition/<area>) and overrideServices.",
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".local/**", "coverage/**", "web/**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/only-throw-error": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  ...boundaries,
  {
    files: ["test/**/*.ts", "dev/**/*.ts", "scripts/**/*.ts"],
    rules: {
      "no-console": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/require-await": "off",
    },
  },
);
