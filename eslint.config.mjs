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
  {
    files: ["shared/domain/**/*.ts"],
    rules: boundary("shared/domain is pure: no SDKs, adapters, config or I/O.", ["**/app/**"]),
  },
  {
    files: ["shared/app/**/*.ts"],
    rules: boundary("shared/app uses ports, never SDKs or adapters."),
  },
  {
    // The edge parses, calls a use case and maps: adapters and SDKs are reached through composition only.
    files: ["functions/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [...sdkModules, "!@azure/functions"],
              message: "functions/ holds the edge only: SDKs belong in shared/adapters.",
            },
            {
              group: ["**/adapters/**", "**/dev/**"],
              message: "functions/ reaches adapters through shared/composition, never directly.",
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
