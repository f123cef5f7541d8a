/**
 * Where the advanced settings live in table `settings`: one partition, one row per settings group.
 * The admin settings endpoints write these rows; mail and the secret-expiry timer read them.
 */
export const settingsTable = "settings";
export const settingsPartition = "settings";
export const settingsRows = { mail: "mail", integration: "integration", crossDomain: "crossDomain" } as const;
