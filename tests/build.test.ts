/**
 * The CLIs run from a bundle (scripts/build.cjs) through a launcher (scripts/run.cjs) that
 * rebuilds when a source changed. A developer who edits a .ts file must never run a stale
 * build, and --help must not load the heavy packages (start-up time is measured in
 * `npm run bench`, never here).
 *
 * The staleness cases run on a copy of the sources in a temporary folder (its node_modules a
 * link to the real one), so they never rebuild the bundle other tests are running.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/spawn";

let copy: string;

function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(copy, "scripts", script), ...args], { cwd: copy, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const launch = (...args: string[]) => run("run.cjs", args);

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "mail-infra-build-"));
  for (const entry of ["index.ts", "tsconfig.json", "package.json", "package-lock.json", "scripts", "lib", "components", "policies"]) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true, filter: (src) => !src.includes("node_modules") });
  }
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  const built = run("build.cjs", []);
  expect(built.stderr).toBe("");
  expect(built.status).toBe(0);
}, 60_000);
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe("the launcher", () => {
  it("runs the current build without rebuilding, as the main module", () => {
    const before = statSync(join(copy, "bin", "smtp-password.js")).mtimeMs;
    const r = launch("smtp-password", "--help");
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: npm run smtp-password -- /);
    expect(r.status).toBe(0);
    expect(statSync(join(copy, "bin", "smtp-password.js")).mtimeMs).toBe(before);
    // preview-policy runs main() only when it is the main module.
    expect(launch("preview:policy", "--help").stdout).toMatch(/^Usage: npm run preview:policy -- /);
  });

  it("rebuilds when a CLI's own source changed, and then runs the new code", () => {
    const file = join(copy, "scripts", "smtp-password.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace(/\.description\("/, '.description("EDITED-1 '));
    const r = launch("smtp-password", "--help");
    expect(r.stderr).toBe("(rebuilding the CLIs: scripts/smtp-password.ts changed)\n");
    expect(r.stdout).toContain("EDITED-1");
    const again = launch("smtp-password", "--help");
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("EDITED-1");
  });

  it("never runs V8 code kept from an earlier build, even after an edit of the same length", () => {
    const file = join(copy, "scripts", "smtp-password.ts");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace(/\.description\("/, '.description("SAME-LENGTH-A '));
    expect(launch("smtp-password", "--help").stdout).toContain("SAME-LENGTH-A");
    // The second run starts from the code the first one kept (scripts/run.cjs, runWithCodeCache).
    expect(launch("smtp-password", "--help").stdout).toContain("SAME-LENGTH-A");
    expect(existsSync(join(copy, "bin", ".compile-cache", "bundles", "smtp-password.js.cache"))).toBe(true);
    // V8 checks a code cache against the source's length only: the launcher must see the new build.
    writeFileSync(file, original.replace(/\.description\("/, '.description("SAME-LENGTH-B '));
    const r = launch("smtp-password", "--help");
    expect(r.stdout).toContain("SAME-LENGTH-B");
    expect(r.stdout).not.toContain("SAME-LENGTH-A");
    writeFileSync(file, original);
  });

  it("rebuilds when a module it imports changed, even with the old mtime kept", () => {
    const file = join(copy, "lib", "regions.ts");
    const { atime, mtime } = statSync(file);
    writeFileSync(file, readFileSync(file, "utf8").replace('"eu-central-1"', '"eu-central-1", "xx-edited-2"'));
    utimesSync(file, atime, mtime); // as `cp -p` or some editors leave it: only the size tells
    const r = launch("smtp-password", "--help");
    expect(r.stderr).toBe("(rebuilding the CLIs: lib/regions.ts changed)\n");
    expect(r.status).toBe(0);
    expect(readFileSync(join(copy, "bin", "smtp-password.js"), "utf8")).toContain("xx-edited-2");
  });

  it("builds when there is no build yet (an install that skipped scripts)", () => {
    rmSync(join(copy, "bin"), { recursive: true });
    const r = launch("smtp-password", "--help");
    expect(r.stderr).toBe("(rebuilding the CLIs: no build yet)\n");
    expect(r.status).toBe(0);
    expect(existsSync(join(copy, "bin", "verify.js"))).toBe(true);
  });

  it("refuses an unknown command with exit 2, naming the known ones", () => {
    const r = launch("frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage: node scripts/run.cjs <verify|plan|policy|smtp-password|preview:policy|docs:policies|relay-fix|adopt|diagnose|watch>");
  });
});

describe("npm run build --if-stale", () => {
  it("leaves a current build alone and redoes a stale one", () => {
    const out = join(copy, "bin", "verify.js");
    expect(run("build.cjs", []).status).toBe(0);
    const before = statSync(out).mtimeMs;
    expect(run("build.cjs", ["--if-stale"]).status).toBe(0);
    expect(statSync(out).mtimeMs).toBe(before);
    const file = join(copy, "lib", "verify", "findings.ts");
    writeFileSync(file, readFileSync(file, "utf8") + "\n// edited\n");
    expect(run("build.cjs", ["--if-stale"]).status).toBe(0);
    expect(statSync(out).mtimeMs).toBeGreaterThan(before);
  });
});

describe("--help and usage errors", () => {
  // Printed at exit by a preload: every package the process loaded from node_modules, and the
  // AWS SDK's bundle (bin/aws-sdk.js, scripts/build.cjs) when it loaded.
  let preload: string;
  beforeAll(() => {
    preload = join(copy, "loaded.cjs");
    writeFileSync(
      preload,
      'process.on("exit", () => process.stderr.write("LOADED " + Object.keys(require.cache).filter((f) => f.includes("/node_modules/") || f.endsWith("/bin/aws-sdk.js")).map((f) => f.includes("/node_modules/") ? f.split("/node_modules/").pop() : "bin/aws-sdk.js").join(" ") + "\\n"));\n' +
        // Node's own modules the process loaded (process.moduleLoadList: "NativeModule tls", ...).
        'process.on("exit", () => process.stderr.write("BUILTINS " + process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13)).join(" ") + "\\n"));\n',
    );
  });
  const builtins = (script: string, args: string[]): string[] => {
    const r = runCli(script, args, { env: { NODE_OPTIONS: `--require ${preload}` } });
    const line = r.stderr.split("\n").find((l) => l.startsWith("BUILTINS "));
    expect(line, `${script}: no BUILTINS line from the preload: ${r.stderr}`).toBeDefined();
    return (line ?? "").slice("BUILTINS ".length).split(" ");
  };
  // scripts/build.cjs LAZY_BUILTINS: loaded on first use, so never by --help.
  const lazy = ["tls", "https", "http", "crypto", "dns/promises", "child_process", "dgram", "zlib"];
  const loaded = (script: string, args: string[]): string[] => {
    const r = runCli(script, args, { env: { NODE_OPTIONS: `--require ${preload}` } });
    const line = r.stderr.split("\n").find((l) => l.startsWith("LOADED "));
    // The preload saw the run (with everything --help needs bundled, the list may be empty).
    expect(line, `${script}: no LOADED line from the preload: ${r.stderr}`).toBeDefined();
    return (line ?? "").slice("LOADED ".length).split(" ").filter((f) => f !== "");
  };
  const heavy = (files: string[]) =>
    files.filter((f) => /^(@aws-sdk|@smithy|@pulumi|nodemailer|mailparser|ajv|@grpc|protobufjs)\//.test(f) || f === "bin/aws-sdk.js").map((f) => (f.startsWith("bin/") ? f : f.split("/").slice(0, f.startsWith("@") ? 2 : 1).join("/")));

  it.each(["verify.ts", "plan.ts", "policy.ts", "smtp-password.ts", "preview-policy.ts", "docs-policies.ts", "relay-fix.ts", "adopt.ts", "diagnose.ts", "watch.ts"])("%s --help loads none of the AWS SDK, @pulumi/*, nodemailer, mailparser, ajv", (script) => {
    const files = loaded(script, ["--help"]);
    expect([...new Set(heavy(files))]).toEqual([]);
    // zod, yaml, tldts and commander are bundled (scripts/build.cjs BUNDLED): never loaded from their files.
    expect(files.filter((f) => /^(zod|yaml|tldts|commander)\//.test(f))).toEqual([]);
  });

  it.each(["verify.ts", "plan.ts", "adopt.ts", "relay-fix.ts"])("%s --help loads none of Node's TLS, HTTP(S), crypto, DNS, child_process", (script) => {
    expect(builtins(script, ["--help"]).filter((m) => lazy.includes(m))).toEqual([]);
  });

  it("the lazily loaded ones are the real modules where a command uses them", () => {
    // smtp-password derives with crypto's HMAC: the stand-in hands over the real createHmac.
    const r = runCli("smtp-password.ts", ["--region", "us-east-1"], { input: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(r.stdout).toMatch(/^[A-Za-z0-9+/=]{44}\n$/);
    expect(r.stderr.split("\n").find((l) => l.startsWith("BUILTINS "))?.split(" ")).toContain("crypto");
  });

  it("a real run still loads them where they are used", () => {
    const files = loaded("plan.ts", ["--stack", "prod", "--zone-file"]);
    expect(heavy(files)).toContain("@pulumi/pulumi");
  });

  it("an AWS call loads the SDK from its bundle (bin/aws-sdk.js), none of it from node_modules", () => {
    // One SES call to a closed loopback port: the client loads, the call fails, the run ends.
    const env = {
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "not-a-real-secret-access-key-0000000000",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_CONFIG_FILE: "/nonexistent/mail-infra-test/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/mail-infra-test/credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const r = runCli("verify.ts", ["--domain", "example.com", "--region", "us-east-1", "--only", "ses", "--timeout", "0.2"], { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
    expect(r.stdout).toMatch(/\bses\.\S+.*\n/);
    const line = r.stderr.split("\n").find((l) => l.startsWith("LOADED ")) ?? "";
    expect(heavy(line.slice("LOADED ".length).split(" ").filter((f) => f !== ""))).toEqual(["bin/aws-sdk.js"]);
  });
});
