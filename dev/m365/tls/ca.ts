import { execFileSync } from "node:child_process";
import { createHash, X509Certificate, createPrivateKey } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * A local certificate authority for the simulator, made with the `openssl` CLI.
 *
 * The CA must exist on disk before the process that talks to the simulator starts, because Node reads
 * `NODE_EXTRA_CA_CERTS` only at start-up. `ensureCa(dir)` is therefore callable on its own (from an npm
 * script or a vitest globalSetup) and `startM365Simulator` reuses the same files.
 */
export interface LocalCa {
  /** Absolute path of the CA certificate (PEM): the value for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
}

const CA_FILE = "ca.pem";
const CA_KEY_FILE = "ca-key.pem";
/** Re-create the CA when less than this is left of its validity. */
const MIN_REMAINING_MS = 24 * 3600 * 1000;

/** The real Microsoft host names the server certificate covers when `hostNames` is asked for. */
export const MICROSOFT_HOST_NAMES = [
  "graph.microsoft.com",
  "login.microsoftonline.com",
  "microsoftgraph.chinacloudapi.cn",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
] as const;

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function isUsableCa(certPath: string, keyPath: string): boolean {
  if (!existsSync(certPath) || !existsSync(keyPath)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    const key = createPrivateKey(readFileSync(keyPath));
    if (!cert.ca || !cert.checkPrivateKey(key)) return false;
    return Date.parse(cert.validTo) - Date.now() > MIN_REMAINING_MS;
  } catch {
    return false;
  }
}

/**
 * Creates the simulator's CA in `dir` once and reuses it while it is valid. Safe to call from several
 * processes: files are written to a temporary directory and renamed into place (key first, then cert).
 */
export function ensureCa(dir: string): LocalCa {
  const absDir = resolve(dir);
  mkdirSync(absDir, { recursive: true });
  const certPath = join(absDir, CA_FILE);
  const keyPath = join(absDir, CA_KEY_FILE);
  if (!isUsableCa(certPath, keyPath)) {
    const work = mkdtempSync(join(tmpdir(), "m365-ca-"));
    try {
      openssl(
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-sha256",
          "-days",
          "825",
          "-keyout",
          "key.pem",
          "-out",
          "cert.pem",
          "-subj",
          "/CN=ONES M365 Simulator Local CA/O=ONES development",
          "-addext",
          "basicConstraints=critical,CA:TRUE",
          "-addext",
          "keyUsage=critical,keyCertSign,cRLSign",
        ],
        work,
      );
      renameOrCopy(join(work, "key.pem"), keyPath);
      renameOrCopy(join(work, "cert.pem"), certPath);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return {
    certPath,
    keyPath,
    certPem: readFileSync(certPath, "utf8"),
    keyPem: readFileSync(keyPath, "utf8"),
  };
}

function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // Across file systems rename fails; write a sibling and rename that instead (still atomic).
    const tmp = `${to}.${process.pid}.tmp`;
    writeFileSync(tmp, readFileSync(from));
    renameSync(tmp, to);
  }
}

/**
 * Issues (or reuses, from `dir`) a server certificate signed by the CA for 127.0.0.1, localhost and the
 * given extra DNS names.
 */
export function ensureServerCertificate(
  ca: LocalCa,
  dir: string,
  dnsNames: readonly string[],
): ServerCertificate {
  const names = ["localhost", ...dnsNames];
  const caFingerprint = new X509Certificate(ca.certPem).fingerprint256;
  const tag = createHash("sha256").update(caFingerprint).update(names.join(",")).digest("hex").slice(0, 12);
  const certPath = join(resolve(dir), `server-${tag}.pem`);
  const keyPath = join(resolve(dir), `server-${tag}-key.pem`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    try {
      const cert = new X509Certificate(readFileSync(certPath));
      if (
        Date.parse(cert.validTo) - Date.now() > MIN_REMAINING_MS &&
        cert.checkPrivateKey(createPrivateKey(readFileSync(keyPath)))
      ) {
        return { certPem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8") };
      }
    } catch {
      // fall through and re-issue
    }
  }
  const work = mkdtempSync(join(tmpdir(), "m365-srv-"));
  try {
    const san = ["IP:127.0.0.1", ...names.map((n) => `DNS:${n}`)].join(",");
    writeFileSync(
      join(work, "ext.cnf"),
      [
        `subjectAltName=${san}`,
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        "",
      ].join("\n"),
    );
    writeFileSync(join(work, "ca.pem"), ca.certPem);
    writeFileSync(join(work, "ca-key.pem"), ca.keyPem);
    openssl(
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-keyout",
        "key.pem",
        "-out",
        "req.csr",
        "-subj",
        "/CN=127.0.0.1",
      ],
      work,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        "req.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-days",
        "397",
        "-sha256",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
      ],
      work,
    );
    renameOrCopy(join(work, "key.pem"), keyPath);
    renameOrCopy(join(work, "cert.pem"), certPath);
    return { certPem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8") };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
