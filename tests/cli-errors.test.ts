/**
 * Bad flags, bad stdin and bad stack config for every command, as a table: each row runs the
 * real CLI and states the exit code and a message that names the problem. No row may print a
 * stack trace, and none may echo a secret it was given.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { version } from "../package.json";
import { runCli } from "./helpers/spawn";

const KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/** Looks like a key (right length), but has a character outside the alphabet. */
const NOT_A_KEY = `${KEY.slice(0, 39)}=`;

interface Row {
  name: string;
  script: "plan.ts" | "policy.ts" | "smtp-password.ts" | "preview-policy.ts" | "verify.ts" | "docs-policies.ts";
  args: string[];
  stdin?: string;
  /** Write Pulumi.<stack>.yaml in a fresh directory and run there: file text, or "dir" for a directory. */
  stackFile?: { stack: string; content: string | "dir" };
  exit: number;
  message: RegExp;
  /** Strings that must not appear in any output (secrets given on stdin). */
  secret?: string;
}

const yaml = (...lines: string[]) => ["config:", ...lines, ""].join("\n");
const ok = ["  mail-infra:domain: example.com", "  mail-infra:regions:", "    - us-east-1"];

const stackFileRows = (script: "plan.ts" | "policy.ts"): Row[] => [
  { name: "the stack file is a directory", script, args: ["--stack", "dir"], stackFile: { stack: "dir", content: "dir" }, exit: 2, message: /^error: the stack config ".*Pulumi\.dir\.yaml" is a directory; give the path of a file\.$/m },
  { name: "--debug does not turn a usage error into a stack trace", script, args: ["--stack", "dir", "--debug"], stackFile: { stack: "dir", content: "dir" }, exit: 2, message: /is a directory/ },
];
/** Config rules are the same code for both commands: policy runs a few, to show its errors exit 2, never 1. */
const moreConfigRows = (script: "plan.ts" | "policy.ts"): Row[] => [
  { name: "a stack name with a slash", script, args: ["--stack", "../etc"], exit: 2, message: /"\.\.\/etc" is not a stack name/ },
  { name: "an unknown flag", script, args: ["--frobnicate"], exit: 2, message: /unknown option '--frobnicate'/ },
  { name: "a stack file that is not YAML", script, args: ["--stack", "s"], stackFile: { stack: "s", content: "config: [unclosed\n" }, exit: 2, message: /Pulumi\.s\.yaml:\d+: not valid YAML/ },
  { name: "a stack file over 5 MiB", script, args: ["--stack", "s"], stackFile: { stack: "s", content: `# ${"x".repeat(6 * 1024 * 1024)}\n` }, exit: 2, message: /is 6 MiB, over the 5 MiB this command reads/ },
  { name: "a public suffix as the domain", script, args: ["--stack", "s"], stackFile: { stack: "s", content: yaml("  mail-infra:domain: co.uk", "  mail-infra:regions: [us-east-1]") }, exit: 2, message: /Pulumi\.s\.yaml:2: mail-infra:domain: "co\.uk" is not a valid domain to send from: .*public suffix/ },
  { name: "a number where a string belongs", script, args: ["--stack", "s"], stackFile: { stack: "s", content: yaml("  mail-infra:domain: 42", "  mail-infra:regions: [us-east-1]") }, exit: 2, message: /mail-infra:domain: must be a string, got a whole number: 42\./ },
  { name: "a map where a list belongs", script, args: ["--stack", "s"], stackFile: { stack: "s", content: yaml("  mail-infra:domain: example.com", "  mail-infra:regions: {us-east-1: true}") }, exit: 2, message: /mail-infra:regions: must be a list of strings .*got a map: \{"us-east-1":true\}\./ },
  { name: "a KMS key id that is none", script, args: ["--stack", "s"], stackFile: { stack: "s", content: yaml(...ok, "  mail-infra:smtpSecretKmsKeyId: my-key") }, exit: 2, message: /Pulumi\.s\.yaml:5: mail-infra:smtpSecretKmsKeyId: "my-key" is not a KMS key reference/ },
  { name: "a region without SES SMTP", script, args: ["--stack", "s"], stackFile: { stack: "s", content: yaml("  mail-infra:domain: example.com", "  mail-infra:regions: [EU-East-9]") }, exit: 2, message: /mail-infra:regions\[0\]: "EU-East-9" has no Amazon SES SMTP endpoint\. Use one of: us-east-1/ },
  { name: "a 100 000-character value is cut", script, args: ["--stack", "s"], stackFile: { stack: "s", content: yaml(...ok, `  mail-infra:dmarcPolicy: ${"q".repeat(100_000)}`) }, exit: 2, message: /"q{60}…" \(100000 characters\) is not a DMARC policy/ },
];

const ROWS: Row[] = [
  ...stackFileRows("plan.ts"),
  ...moreConfigRows("plan.ts"),
  ...stackFileRows("policy.ts"),
  ...moreConfigRows("policy.ts").filter((r) => /public suffix|KMS|map where/.test(r.name)),
  { name: "a policy pack config that is a device", script: "policy.ts", args: ["--policy-pack-config", "/dev/zero"], exit: 2, message: /the policy pack config "\/dev\/zero" is not a regular file/ },
  { name: "a policy pack config that is a directory", script: "policy.ts", args: ["--policy-pack-config", "/tmp"], exit: 2, message: /the policy pack config "\/tmp" is a directory/ },
  { name: "a policy pack config that does not exist", script: "policy.ts", args: ["--policy-pack-config", "/nonexistent.json"], exit: 2, message: /cannot read the policy pack config "\/nonexistent\.json": there is no such file/ },

  { name: "no --region", script: "smtp-password.ts", args: [], stdin: KEY, exit: 2, message: /required option '-r, --region <region>' not specified/, secret: KEY },
  { name: "a region without SES SMTP", script: "smtp-password.ts", args: ["--region", "xx-nowhere-1"], stdin: KEY, exit: 2, message: /^error: --region: "xx-nowhere-1" has no Amazon SES SMTP endpoint\. Use one of: us-east-1/, secret: KEY },
  { name: "an availability zone", script: "smtp-password.ts", args: ["--region", "us-west-2b"], stdin: KEY, exit: 2, message: /That is an availability zone; the region is us-west-2\./, secret: KEY },
  { name: "a key too short", script: "smtp-password.ts", args: ["--region", "us-east-1"], stdin: "some+secret+key", exit: 2, message: /^error: stdin: this is not an AWS secret access key: it has 15 characters/, secret: "some+secret+key" },
  { name: "a key with a character outside base64", script: "smtp-password.ts", args: ["--region", "us-east-1"], stdin: NOT_A_KEY, exit: 2, message: /it has characters outside A-Z, a-z, 0-9, \/ and \+/, secret: NOT_A_KEY },
  { name: "an access key id instead of the secret", script: "smtp-password.ts", args: ["--region", "us-east-1"], stdin: "AKIAIOSFODNN7EXAMPLE", exit: 2, message: /it has 20 characters.*not the access key id/, secret: "AKIAIOSFODNN7EXAMPLE" },
  { name: "two keys", script: "smtp-password.ts", args: ["--region", "us-east-1"], stdin: `${KEY}\n${KEY}\n`, exit: 2, message: /it has 81 characters/, secret: KEY },
  { name: "more than 64 KiB on stdin", script: "smtp-password.ts", args: ["--region", "us-east-1"], stdin: KEY.repeat(2000), exit: 2, message: /^error: more than 64 KiB on stdin/, secret: KEY },
  { name: "nothing on stdin", script: "smtp-password.ts", args: ["--region", "us-east-1"], stdin: "", exit: 2, message: /no secret access key on stdin/ },

  { name: "an unknown flag", script: "preview-policy.ts", args: ["--frobnicate"], exit: 2, message: /unknown option '--frobnicate'/ },
  { name: "an unknown flag", script: "docs-policies.ts", args: ["--frobnicate"], exit: 2, message: /unknown option '--frobnicate'/ },

  // verify: every flag is checked before any I/O, so the manifest named here is never opened.
  // (tests/cli-flags.test.ts runs the parsers over many more values in-process)
  ...["1e300", "99999999999", "0", "soon"].map((t): Row => ({
    name: `--timeout ${JSON.stringify(t)}`, script: "verify.ts", args: ["--manifest", "/nonexistent.json", `--timeout=${t}`], exit: 2,
    message: /^error: --timeout: ".*" is not a number of seconds from more than 0 up to 600/,
  })),
  ...["1.2.3.4:99999", "::::", "256.1.1.1", "[::1]:0"].map((s): Row => ({
    name: `--dns-server ${s}`, script: "verify.ts", args: ["--manifest", "/nonexistent.json", "--dns-server", s], exit: 2,
    message: /^error: --dns-server: ".*" (is not an IP address|has no valid port).*Give an IP address with an optional port/,
  })),
  ...["127.0.0.1:0", "127.0.0.1:65536", "localhost"].map((e): Row => ({
    name: `--smtp-endpoint ${e}`, script: "verify.ts", args: ["--manifest", "/nonexistent.json", "--smtp-endpoint", e], exit: 2,
    message: /^error: --smtp-endpoint: ".*" (is not host:port|has no valid port|has no valid host)/,
  })),
  { name: "--smtp-endpoint with a region without SES SMTP", script: "verify.ts", args: ["--manifest", "/nonexistent.json", "--smtp-endpoint", "xx-nowhere-1=127.0.0.1:2587"], exit: 2, message: /^error: --smtp-endpoint: "xx-nowhere-1" has no Amazon SES SMTP endpoint/ },
  { name: "--region without SES SMTP", script: "verify.ts", args: ["--domain", "example.com", "--region", "mars-north-1"], exit: 2, message: /^error: --region: "mars-north-1" has no Amazon SES SMTP endpoint\. Use one of/ },
  { name: "--domain a public suffix", script: "verify.ts", args: ["--domain", "github.io", "--region", "us-east-1"], exit: 2, message: /^error: --domain: "github\.io" is a public suffix/ },
  { name: "--domain not a name", script: "verify.ts", args: ["--domain", "exa mple.com", "--region", "us-east-1"], exit: 2, message: /^error: --domain: "exa mple\.com" contains whitespace/ },
  { name: "--recipient not an address", script: "verify.ts", args: ["--manifest", "/nonexistent.json", "--recipient", "nobody"], exit: 2, message: /^error: --recipient: "nobody" is not an email address/ },
  { name: "--secret-key-stdin with no key", script: "verify.ts", args: ["--manifest", "/nonexistent.json", "--secret-key-stdin"], stdin: NOT_A_KEY, exit: 2, message: /^error: --secret-key-stdin: this is not an AWS secret access key/, secret: NOT_A_KEY },
  { name: "--manifest /dev/zero", script: "verify.ts", args: ["--manifest", "/dev/zero"], exit: 2, message: /^error: --manifest "\/dev\/zero" is not a regular file/ },
  { name: "--manifest a directory", script: "verify.ts", args: ["--manifest", "/tmp"], exit: 2, message: /^error: --manifest "\/tmp" is a directory/ },
  { name: "no source", script: "verify.ts", args: [], exit: 2, message: /give exactly one of --stack, --manifest or --domain/ },
  { name: "no source, --recipient without --only recipient", script: "verify.ts", args: ["--recipient", "a@example.org", "--only", "dns,recipient"], exit: 2, message: /give exactly one of --stack, --manifest or --domain \(see --help\); to check only recipients' domains, give --recipient ADDRESS --only recipient/ },
  { name: "--only recipient without --recipient", script: "verify.ts", args: ["--only", "recipient"], exit: 2, message: /^error: nothing to check: .*Recipient domains \(no --recipient given/ },
  { name: "--mta-sts-endpoint not a port", script: "verify.ts", args: ["--recipient", "a@example.org", "--only", "recipient", "--mta-sts-endpoint", "localhost"], exit: 2, message: /^error: --mta-sts-endpoint: "localhost" is not host:port/ },
  { name: "an unknown flag", script: "verify.ts", args: ["--frobnicate"], exit: 2, message: /unknown option '--frobnicate'/ },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mail-infra-cli-errors-"));
});

describe.each(ROWS.map((r) => [`${r.script.replace(/\.ts$/, "")}: ${r.name}`, r] as const))("%s", (_title, row) => {
  it(`exits ${row.exit} with a message that names the problem, and no stack trace`, () => {
    let cwd: string | undefined;
    if (row.stackFile) {
      cwd = mkdtempSync(join(dir, "stack-"));
      const file = join(cwd, `Pulumi.${row.stackFile.stack}.yaml`);
      if (row.stackFile.content === "dir") mkdirSync(file);
      else writeFileSync(file, row.stackFile.content);
    }
    const r = runCli(row.script, row.args, { cwd, input: row.stdin ?? "" });
    const output = r.stdout + r.stderr;
    expect(r.stderr).toMatch(row.message);
    expect(r.status).toBe(row.exit);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output.length).toBeLessThan(20_000);
    if (row.secret) expect(output).not.toContain(row.secret);
  });
});

describe("--version on every command", () => {
  it.each(["plan.ts", "policy.ts", "smtp-password.ts", "preview-policy.ts", "verify.ts", "docs-policies.ts"])("%s --version prints package.json's version", (script) => {
    const r = runCli(script, ["--version"]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, ""]);
  });
});

describe("config rules the commands share", () => {
  it("a region in any case in the stack file is accepted, as --region takes it", () => {
    const cwd = mkdtempSync(join(dir, "stack-"));
    writeFileSync(join(cwd, "Pulumi.s.yaml"), yaml("  mail-infra:domain: example.co.uk", "  mail-infra:regions: [' US-East-1 ']"));
    const r = runCli("plan.ts", ["--stack", "s", "--zone-file"], { cwd });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^bounce\.example\.co\.uk\.\s+600 IN MX\s+10 feedback-smtp\.us-east-1\.amazonses\.com\.$/m);
  });
});

describe("an unexpected error in a real command", () => {
  // A real fault nobody anticipated: a `pulumi` on PATH that cannot run (its interpreter is gone).
  const brokenPulumi = () => {
    const bin = mkdtempSync(join(dir, "bin-"));
    writeFileSync(join(bin, "pulumi"), "#!/nonexistent/interpreter\n");
    chmodSync(join(bin, "pulumi"), 0o755);
    return { PATH: `${bin}:${process.env.PATH ?? ""}` };
  };

  it("prints one line naming the command and the fault, and exits 3", () => {
    const r = runCli("preview-policy.ts", ["--stack", "prod"], { env: brokenPulumi() });
    expect(r.status).toBe(3);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([
      "error: preview:policy failed unexpectedly (ENOENT: spawnSync pulumi ENOENT). This is a bug or an unanticipated fault, exit 3; run again with --debug for the stack trace.",
    ]);
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
  });

  it("--debug adds the stack trace", () => {
    const r = runCli("preview-policy.ts", ["--stack", "prod", "--debug"], { env: brokenPulumi() });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/failed unexpectedly \(ENOENT/);
    expect(r.stderr).toMatch(/^\s+at .*preview-policy/m);
  });
});
