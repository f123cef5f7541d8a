import { ensureCa } from "../../../dev/m365/tls/ca";

/**
 * vitest globalSetup for the M365 simulator tests: creates (or reuses) the simulator CA at
 * .local/m365 and points NODE_EXTRA_CA_CERTS at it, so forked test workers (which inherit process.env
 * and read the variable at start-up) trust the simulator's HTTPS certificate.
 */
export const M365_CA_DIR = ".local/m365";

export function setup(): void {
  const ca = ensureCa(M365_CA_DIR);
  process.env.NODE_EXTRA_CA_CERTS = ca.certPath;
  process.env.M365_SIM_CA_DIR = M365_CA_DIR;
}
