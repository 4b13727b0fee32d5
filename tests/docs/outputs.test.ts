/**
 * The outputs README.md and docs/cli/ print, produced by running the commands: each is written
 * to tests/docs/outputs/NAME.txt (a vitest file snapshot: `npx vitest run -u` rewrites it), and
 * examples.test.ts checks that the docs show exactly that, or a cut of it. Only what differs
 * per run is replaced (doc-examples.ts `stable`: loopback ports, durations, key ids, times; the
 * temporary directory a command ran in).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, ROOT, runCli as runWide } from "../helpers/spawn";
import { consoleTranscript, docOutput, stable } from "./doc-examples";

const { CLIS } = require("../../scripts/build.cjs") as { CLIS: Record<string, string> };

const dir = mkdtempSync(join(tmpdir(), "mail-infra-doc-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `dir` in a message, as the docs show it. */
const SHOWN_DIR = "/home/you/mail-infra";
const shownPaths = (text: string) => stable(text.split(dir).join(SHOWN_DIR));

/** A CLI as a user runs it: the default width (the test helper's COLUMNS unset). */
const runCli = (script: string, args: string[], opts: Parameters<typeof runWide>[2] = {}) => runWide(script, args, { ...opts, env: { ...opts.env, COLUMNS: "" } });

/** Lines wider than 100 columns that are more than one word (one word, a URN, cannot be broken). */
export const tooWide = (text: string) => text.split("\n").filter((l) => l.length > 100 && /\S\s+\S/.test(l.trim()));

const output = docOutput;

describe("the outputs README.md and docs/cli/ print", () => {
  it.each(Object.entries(CLIS))("npm run %s -- --help", async (name, script) => {
    const r = runCli(script, ["--help"]);
    expect(r.status).toBe(0);
    await output(`help-${name.replace(":", "-")}`, consoleTranscript(`npm run -s ${name} -- --help`, r));
  });

  it("npm run bench -- --help", async () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--help"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, COLUMNS: "" } });
    expect(r.status).toBe(0);
    await output("help-bench", consoleTranscript("npm run -s bench -- --help", r));
  });

  it("plan of the prod stack", async () => {
    const r = runCli("plan.ts", ["--stack", "prod"]);
    expect(r.status).toBe(0);
    expect(tooWide(r.stdout)).toEqual([]);
    await output("plan-prod", consoleTranscript("npm run -s plan -- --stack prod", r));
  });

  it("policy of the prod stack, and as a first preview sees it", async () => {
    const r = runCli("policy.ts", ["--stack", "prod"]);
    expect(r.status).toBe(0);
    await output("policy-prod", consoleTranscript("npm run -s policy -- --stack prod", r));
    const p = runCli("policy.ts", ["--preview"]);
    expect(p.status).toBe(0);
    await output("policy-preview", consoleTranscript("npm run -s policy -- --preview", p));
  });

  it("bad input: one line each, exit 2; an unexpected fault: one line, exit 3; --version", async () => {
    const cwd = join(dir, "errors");
    mkdirSync(join(cwd, "Pulumi.dir.yaml"), { recursive: true });
    const bin = join(dir, "broken-bin");
    mkdirSync(bin);
    // A real fault nobody anticipated: a `pulumi` on PATH that cannot run (its interpreter is gone).
    writeFileSync(join(bin, "pulumi"), "#!/nonexistent/interpreter\n");
    chmodSync(join(bin, "pulumi"), 0o755);
    const runs: [string, string, string[], { cwd?: string; env?: NodeJS.ProcessEnv }, number][] = [
      ["plan -- --stack dir", "plan.ts", ["--stack", "dir"], { cwd }, 2],
      ["verify -- --manifest verification.json --timeout 1e300", "verify.ts", ["--manifest", "verification.json", "--timeout", "1e300"], { cwd }, 2],
      ["verify -- --manifest verification.json --dns-server 1.2.3.4:99999", "verify.ts", ["--manifest", "verification.json", "--dns-server", "1.2.3.4:99999"], { cwd }, 2],
      ["preview:policy        # with a broken `pulumi` on PATH", "preview-policy.ts", [], { env: { PATH: `${bin}:${process.env.PATH ?? ""}` } }, 3],
      ["plan -- --version", "plan.ts", ["--version"], {}, 0],
    ];
    let text = "";
    for (const [shown, script, args, opts, code] of runs) {
      const r = runCli(script, args, opts);
      expect(r.status, shown).toBe(code);
      text += consoleTranscript(`npm run -s ${shown}`, r);
    }
    await output("errors", shownPaths(text));
  });

  it("verify in discovery mode without AWS credentials and with a DNS server that does not answer", async () => {
    const none = join(dir, "no-aws-config");
    const env = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none, AWS_EC2_METADATA_DISABLED: "true" };
    const args = ["--domain", "example.com", "--region", "us-east-1", "--region", "us-west-2", "--dns-server", "127.0.0.1:9", "--timeout", "1"];
    const r = runCli("verify.ts", args, { env });
    expect(r.status).toBe(1);
    expect(tooWide(r.stdout)).toEqual([]);
    await output("verify-no-credentials", consoleTranscript(`npm run -s verify -- ${args.join(" ")}`, r, { exitCode: true }));
  });

  it("an invalid stack config: the key, the file line and the fix", async () => {
    const cwd = join(dir, "config");
    mkdirSync(cwd);
    const prod = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8");
    expect(prod).toMatch(/^ {2}mail-infra:dmarcPolicy: none$/m);
    writeFileSync(join(cwd, "Pulumi.prod.yaml"), prod.replace(/^ {2}mail-infra:dmarcPolicy: none$/m, "  mail-infra:dmarcPolicy: monitor"));
    cpSync(join(ROOT, "Pulumi.yaml"), join(cwd, "Pulumi.yaml"));
    const r = runCli("plan.ts", ["--stack", "prod"], { cwd });
    expect(r.status).toBe(2);
    await output("config-error", consoleTranscript("npm run -s plan -- --stack prod     # with mail-infra:dmarcPolicy: monitor", r));
  });

  it("smtp-password of AWS's documented example secret key", async () => {
    const key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const r = runCli("smtp-password.ts", ["--region", "us-east-1"], { input: key });
    expect(r.status).toBe(0);
    await output("smtp-password", consoleTranscript(`printf %s '${key}' | npm run -s smtp-password -- --region us-east-1`, r));
  });

  it("diagnose of the incident's two bounces", async () => {
    const files = ["tests/fixtures/bounces/gmail-relay-auth.eml", "tests/fixtures/bounces/exchange-policy.eml"];
    const r = runCli("diagnose.ts", ["--stack", "prod", ...files]);
    expect(r.status).toBe(0);
    await output("diagnose-incident", consoleTranscript(`npm run -s diagnose -- --stack prod ${files.join(" ")}`, r));
  });

  it("diagnose --jsonl of two real samples (sisimai's set)", async () => {
    const files = ["tests/fixtures/bounces-sisimai/rhost-nttdocomo-02.eml", "tests/fixtures/bounces-sisimai/lhost-fml-02.eml"];
    const r = runCli("diagnose.ts", ["--stack", "prod", "--jsonl", ...files]);
    expect(r.status).toBe(0);
    await output("diagnose-jsonl", consoleTranscript(`npm run -s diagnose -- --stack prod --jsonl ${files.join(" ")}`, r));
  });

  it("watch --dry-run of an SES bounce as Lambda receives it (no AWS credentials)", async () => {
    const event = "tests/fixtures/watch/sns-lambda-ses-bounce-dmarc.json";
    const none = join(dir, "no-aws-config");
    const env = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none, AWS_EC2_METADATA_DISABLED: "true" };
    const r = runCli("watch.ts", ["--event", event, "--dry-run"], { env });
    expect(r.status).toBe(0);
    expect(tooWide(r.stdout)).toEqual([]);
    await output("watch-bounce", consoleTranscript(`npm run -s watch -- --event ${event} --dry-run`, r));
  });

  it("relay-fix for the prod stack's Gmail alias, after a rotation to key generation 2", async () => {
    // The manifest prod's `verification` output would hold after the rotation: plan's own, with
    // AWS's documented example key ids for the two keys.
    const plan = runCli("plan.ts", ["--stack", "prod", "--json"]);
    expect(plan.status).toBe(0);
    const manifest = (JSON.parse(plan.stdout) as { outputs: { verification: { smtp: Record<string, unknown> } } }).outputs.verification;
    Object.assign(manifest.smtp, {
      keyGeneration: 2,
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      previousKey: { generation: 1, accessKeyId: "AKIAI44QH8DHBEXAMPLE", state: "active" },
    });
    const cwd = join(dir, "relay-fix");
    mkdirSync(cwd);
    writeFileSync(join(cwd, "verification.json"), JSON.stringify(manifest));
    const r: CliResult = runCli("relay-fix.ts", ["--manifest", "verification.json", "--sender", "admin@queenofsandiego.com"], { cwd });
    expect(r.status).toBe(0);
    await output("relay-fix-prod", consoleTranscript("npm run -s relay-fix -- --manifest verification.json --sender admin@queenofsandiego.com", r));
  });
});
