import { ensureCa } from "./m365";

/**
 * Run before the app process starts (`npm start`): creates the M365 simulator's local CA once, so that
 * `NODE_EXTRA_CA_CERTS=.local/m365/ca.pem` can make the app trust the simulator's HTTPS certificate.
 * Node reads that variable only at process start, which is why this is a separate step.
 */
export const LOCAL_CA_DIR = ".local/m365";

if (require.main === module) {
  const ca = ensureCa(LOCAL_CA_DIR);
  console.log(`local CA: ${ca.certPath}`);
}
