/**
 * Throwaway TLS material for the SMTP sandbox, made with the `openssl` CLI in a temp dir:
 *
 * - `createTestCa(hosts)`: a CA plus a server certificate for the given names (DNS names and
 *   IP addresses go into subjectAltName). Trust it in-process with `{ ca: caCertPem }`, or in
 *   a spawned CLI with `NODE_EXTRA_CA_CERTS=<caFile>`.
 * - `createUntrustedCert(hosts)`: a self-signed server certificate that no one trusts, for
 *   the "bad TLS certificate" case. Its names match, only the trust is missing.
 *
 * Keys are EC P-256 (fast to make). Files are deleted by `cleanup()` or at process exit.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { tempDirCleanup } from "./common";

const execFileAsync = promisify(execFile);

/** The names a local SES stand-in answers to. */
export const DEFAULT_TLS_HOSTS: readonly string[] = ["email-smtp.us-east-1.amazonaws.com", "localhost", "127.0.0.1"];

export interface ServerCert {
  /** PEM private key of the server certificate. */
  key: string;
  /** PEM server certificate (leaf only). */
  cert: string;
  keyFile: string;
  certFile: string;
  /** The names in subjectAltName. */
  hosts: readonly string[];
}

export interface TestCa {
  /** PEM certificate of the CA: pass as `ca` to TLS clients. */
  caCertPem: string;
  /** Path of the CA certificate: for NODE_EXTRA_CA_CERTS in a spawned process. */
  caFile: string;
  /** A server certificate issued by this CA for the requested names. */
  server: ServerCert;
  /** Issues another server certificate from the same CA (e.g. for a wrong hostname). */
  issue(hosts: readonly string[]): Promise<ServerCert>;
  /** The temp dir holding all files. */
  dir: string;
  cleanup(): Promise<void>;
}

export interface UntrustedCert extends ServerCert {
  dir: string;
  cleanup(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync("openssl", args, { cwd });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") {
      throw new Error("openssl is not installed. Run: sudo bash scripts/install-test-deps.sh");
    }
    throw new Error(`openssl ${args.join(" ")} failed:\n${err.stderr ?? err.message}`);
  }
}

function subjectAltName(hosts: readonly string[]): string {
  if (hosts.length === 0) throw new Error("a certificate needs at least one host name");
  return hosts.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(",");
}

const LEAF_EXTENSIONS = (hosts: readonly string[]): string =>
  [
    "basicConstraints = critical, CA:FALSE",
    "keyUsage = critical, digitalSignature, keyEncipherment",
    "extendedKeyUsage = serverAuth",
    `subjectAltName = ${subjectAltName(hosts)}`,
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid:always",
    "",
  ].join("\n");

let serial = 0;

async function makeServerKey(dir: string, name: string): Promise<string> {
  const keyFile = path.join(dir, `${name}.key`);
  await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile], dir);
  return keyFile;
}

async function issueFromCa(dir: string, hosts: readonly string[]): Promise<ServerCert> {
  const name = `server-${++serial}`;
  const keyFile = await makeServerKey(dir, name);
  const csrFile = path.join(dir, `${name}.csr`);
  const extFile = path.join(dir, `${name}.ext`);
  const certFile = path.join(dir, `${name}.crt`);
  await writeFile(extFile, LEAF_EXTENSIONS(hosts));
  await openssl(["req", "-new", "-key", keyFile, "-subj", `/CN=${hosts[0]}`, "-out", csrFile], dir);
  await openssl(
    [
      "x509", "-req", "-in", csrFile, "-CA", "ca.crt", "-CAkey", "ca.key",
      "-set_serial", `0x${randomBytes(8).toString("hex")}`,
      "-days", "2", "-sha256", "-extfile", extFile, "-out", certFile,
    ],
    dir,
  );
  return {
    key: await readFile(keyFile, "utf8"),
    cert: await readFile(certFile, "utf8"),
    keyFile,
    certFile,
    hosts: [...hosts],
  };
}

/** A fresh CA and a server certificate for `hosts` issued by it. */
export async function createTestCa(hosts: readonly string[] = DEFAULT_TLS_HOSTS): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandbox-ca-"));
  const cleanup = tempDirCleanup(dir);
  try {
    await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"], dir);
    await openssl(
      [
        "req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "2",
        "-subj", "/CN=mail-infra sandbox test CA",
        "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash",
        "-out", "ca.crt",
      ],
      dir,
    );
    const caFile = path.join(dir, "ca.crt");
    const server = await issueFromCa(dir, hosts);
    return {
      caCertPem: await readFile(caFile, "utf8"),
      caFile,
      server,
      issue: (more) => issueFromCa(dir, more),
      dir,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A self-signed server certificate for `hosts` that is not trusted by anything. */
export async function createUntrustedCert(hosts: readonly string[] = DEFAULT_TLS_HOSTS): Promise<UntrustedCert> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandbox-untrusted-"));
  const cleanup = tempDirCleanup(dir);
  try {
    const keyFile = await makeServerKey(dir, "self-signed");
    const certFile = path.join(dir, "self-signed.crt");
    await openssl(
      [
        "req", "-x509", "-new", "-key", keyFile, "-sha256", "-days", "2",
        "-subj", `/CN=${hosts[0] ?? "localhost"}`,
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
        "-addext", "extendedKeyUsage=serverAuth",
        "-addext", `subjectAltName=${subjectAltName(hosts)}`,
        "-out", certFile,
      ],
      dir,
    );
    return {
      key: await readFile(keyFile, "utf8"),
      cert: await readFile(certFile, "utf8"),
      keyFile,
      certFile,
      hosts: [...hosts],
      dir,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
