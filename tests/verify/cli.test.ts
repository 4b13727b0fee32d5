/**
 * The verify CLI as users run it, in its own process, against the loopback world: IAM, STS and
 * Secrets Manager are moto (AWS_ENDPOINT_URL_*), SES v2 is the REST front in aws-fakes.ts
 * (AWS_ENDPOINT_URL_SESV2; it also answers IAM's policy simulation, which moto cannot), DNS is
 * nsd through --dns-server, SMTP the SES-like servers through --smtp-endpoint, trusted with
 * NODE_EXTRA_CA_CERTS. Exit codes, the human and --json reports, NO_COLOR, and for every
 * spawned case: neither stdout nor stderr contains a secret.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { TEXT_WIDTH } from "../../scripts/lib/wrap";
import { wrapReport } from "../../scripts/verify/report";
import { consoleTranscript, docOutput, stable } from "../docs/doc-examples";
import { type CliResult, runCliAsync } from "../helpers/spawn";
import { startClosedPort } from "../sandbox";
import { type GmailFake, healthyAlias, startGmailFake } from "./gmail-fake";
import { createWorld, REGIONS, type SharedServers, startShared, type World } from "./world";

let shared: SharedServers;
let healthy: World;
let dir: string;
let manifestFile: string;
/** The world's Gmail alias, healthy, so a healthy world is healthy in every check (relay.gmail too). */
let gmail: GmailFake;
const GMAIL_TOKEN = "ya29.cli-test-gmail-token";

beforeAll(async () => {
  shared = await startShared();
  healthy = await createWorld(shared);
  gmail = await startGmailFake({ token: GMAIL_TOKEN, me: "someone@gmail.com", aliases: { "someone@gmail.com": [healthyAlias("admin@example.com")] } });
  dir = await mkdtemp(path.join(os.tmpdir(), "verify-cli-"));
  manifestFile = path.join(dir, "verification.json");
  await healthy.writeManifest(manifestFile);
});
afterAll(async () => {
  await healthy?.stop();
  await gmail?.stop();
  await shared?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const endpointArgs = (w: World) => [
  "--dns-server",
  w.dns.server,
  ...REGIONS.flatMap((r) => ["--smtp-endpoint", `${r}=${w.smtpEndpoints[r].host}:${w.smtpEndpoints[r].port}`]),
];

/** Run the CLI against a world; every run is checked for leaked secrets. */
async function verify(w: World, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; tty?: boolean; cwd?: string } = {}): Promise<CliResult> {
  const r = await runCliAsync("verify.ts", [...args, "--gmail-endpoint", gmail.endpoint], { env: { ...w.env, GMAIL_ACCESS_TOKEN: GMAIL_TOKEN, ...opts.env }, input: opts.input, tty: opts.tty, cwd: opts.cwd });
  expectNoSecrets([...w.secrets(), GMAIL_TOKEN], r);
  return r;
}

function expectNoSecrets(secrets: readonly string[], r: CliResult): void {
  const out = r.stdout + r.stderr;
  for (const s of secrets) expect(out.includes(s), `a secret value appears in the CLI output:\n${out}`).toBe(false);
}

/** How the verdict ends when no --recipient was given: the recipient layer is not checked, never assumed healthy. */
const NO_RECIPIENT_VERDICT = "not checked: recipient";

const SUMMARY_LINE = /^Summary: (\d+) pass, (\d+) warn, (\d+) fail, (\d+) inconclusive — (.*)\.$/m;
/** The summary line, with its continuation when it is wrapped to 100 columns. */
const SUMMARY = { exec: (text: string) => SUMMARY_LINE.exec(text.replace(/\n +/g, " ")) };

interface JsonReport {
  target: string;
  layers: string[];
  notChecked: { layer: string; reason: string }[];
  summary: { pass: number; warn: number; fail: number; inconclusive: number };
  exitCode: number;
  findings: { layer: string; id: string; subject: string; status: string; summary: string; evidence: string[]; remediation?: string; blocked?: { layer: string; id: string; subject: string; status: string }[] }[];
}

describe("verify CLI against a healthy world", () => {
  it("exits 0 with every layer ok, the summary line, and no secret (key on stdin, --send-test, --recipient)", async () => {
    const r = await verify(healthy, ["--manifest", manifestFile, ...endpointArgs(healthy), "--recipient", "someone@example.org", "--send-test", "--secret-key-stdin", "--verbose"], {
      input: `${healthy.secretAccessKey}\n`,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(`mail-infra verify: manifest ${manifestFile} (stack test)`);
    for (const title of ["SES account and identities: ok", "DNS authentication: ok", "SMTP credentials: ok", "Relays using the credentials: ok", "Recipient domains: ok"]) expect(r.stdout).toContain(`\n${title}\n`);
    expect(r.stdout).toMatch(/PASS {2}recipient\.mx +example\.org: 1 MX host, best mx\.example\.org \(preference 10\)/);
    const [, pass, warn, fail, inconclusive, verdict] = SUMMARY.exec(r.stdout) ?? [];
    expect([Number(pass) > 40, warn, fail, inconclusive, verdict]).toEqual([true, "0", "0", "0", "mail path healthy"]);
    expect(r.stdout).toMatch(/PASS {2}smtp\.password +passwords in mail-infra\/test\/ses-smtp: each stored password is the v4 derivation/);
    expect(r.stdout).toMatch(/PASS {2}smtp\.send-test +test message via us-west-2 to success@simulator\.amazonses\.com: accepted \(250\)/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it("--json: the document's structure, exit code 0", async () => {
    const r = await verify(healthy, ["--manifest", manifestFile, ...endpointArgs(healthy), "--json"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout) as JsonReport;
    expect(Object.keys(doc)).toEqual(["version", "target", "layers", "notChecked", "summary", "exitCode", "findings"]);
    // Without --recipient the recipient layer is listed as not checked, never assumed healthy.
    expect(doc).toMatchObject({ target: `manifest ${manifestFile} (stack test)`, layers: ["ses", "dns", "smtp", "relay", "monitoring"], notChecked: [{ layer: "recipient", reason: "no --recipient given: this layer checks the domain of each --recipient address" }], exitCode: 0, summary: { warn: 0, fail: 0, inconclusive: 0 } });
    expect(doc.summary.pass).toBe(doc.findings.length);
    for (const f of doc.findings) {
      expect(Object.keys(f).sort()).toEqual(["evidence", "id", "layer", "status", "subject", "summary"]);
      expect(f.status).toBe("pass");
    }
    expect(new Set(doc.findings.map((f) => f.layer))).toEqual(new Set(["ses", "dns", "smtp", "relay", "monitoring"]));
    expect(doc.findings.find((f) => f.id === "smtp.secret")?.evidence).toEqual([`secret id ${healthy.manifest.smtp.secretId}`, `username ${healthy.manifest.smtp.accessKeyId}`]);
  });

  it("--only and --skip pick the layers; the others are listed as not checked, and the verdict says so (exit 0)", async () => {
    const r = await verify(healthy, ["--manifest", manifestFile, ...endpointArgs(healthy), "--only", "dns,ses", "--skip", "ses", "--json"]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expect(doc.layers).toEqual(["dns"]);
    expect(doc.notChecked).toEqual([
      { layer: "ses", reason: "skipped with --skip" },
      { layer: "smtp", reason: "not in --only dns,ses" },
      { layer: "relay", reason: "not in --only dns,ses" },
      { layer: "recipient", reason: "not in --only dns,ses" },
      { layer: "monitoring", reason: "not in --only dns,ses" },
    ]);
    expect(new Set(doc.findings.map((f) => f.layer))).toEqual(new Set(["dns"]));
    // A manifest without senders: the relay layer is listed as not checked, with why.
    const noSenders = path.join(dir, "no-senders-dns.json");
    await writeFile(noSenders, JSON.stringify({ ...healthy.manifest, senders: [] }));
    const dnsOnly = JSON.parse((await verify(healthy, ["--manifest", noSenders, ...endpointArgs(healthy), "--skip", "ses,smtp", "--json"])).stdout) as JsonReport;
    expect(dnsOnly.notChecked.find((n) => n.layer === "relay")).toEqual({ layer: "relay", reason: "the manifest declares no relays (mail-infra:senders)" });
    const text = await verify(healthy, ["--manifest", manifestFile, ...endpointArgs(healthy), "--skip", "smtp,relay"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("\nSMTP credentials: not checked (skipped with --skip)\n");
    expect(SUMMARY.exec(text.stdout)?.[5]).toBe("checked layers healthy; not checked: smtp, relay, recipient");
  });

  it("discovery mode (--domain, --region, --secret-id) needs no manifest; relays are not checked (they are the stack's), and neither is the permission of an unknown sender", async () => {
    const r = await verify(healthy, ["--domain", "example.com", "--region", "us-east-1", "--region", "us-west-2", "--secret-id", healthy.manifest.smtp.secretId, ...endpointArgs(healthy)]);
    expect(r.stdout.split("\n")[0]).toBe("mail-infra verify: example.com (discovered from AWS)");
    // Discovery knows no sender to ask IAM about (the policy allows only the senders' From
    // addresses): the permission check says so instead of passing, so SMTP is not fully checked.
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("\nSMTP credentials: not fully checked\n");
    expect(r.stdout).toContain("  ????  smtp.permission  mail-infra-smtp-test sending in us-east-1: the policy allows only listed From addresses (ses:FromAddress) and no sender is known");
    expect(r.stdout).toContain("\nRelays using the credentials: not checked (discovery mode does not know the relays: they are the stack's senders; use --stack or --manifest)\n");
    expect(SUMMARY.exec(r.stdout)?.[5]).toMatch(/^not fully checked: smtp; not checked: relay, /);
  });

  it("discovery mode without --secret-id: SMTP listed as not checked with why, never 'mail path healthy'", async () => {
    const r = await verify(healthy, ["--domain", "example.com", "--region", "us-east-1", ...endpointArgs(healthy), "--json"]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expect(doc.layers).toEqual(["ses", "dns"]);
    expect(doc.notChecked.map((n) => [n.layer, n.reason])).toEqual([
      ["smtp", "no --secret-id given: discovery mode reads the SMTP credentials from that secret"],
      ["relay", "discovery mode does not know the relays: they are the stack's senders; use --stack or --manifest"],
      ["recipient", "no --recipient given: this layer checks the domain of each --recipient address"],
      ["monitoring", "discovery mode does not know the stack's monitoring (alert addresses, alarms, rules): use --stack or --manifest"],
    ]);
    const text = await verify(healthy, ["--domain", "example.com", "--region", "us-east-1", ...endpointArgs(healthy)]);
    expect(SUMMARY.exec(text.stdout)?.[5]).toBe("checked layers healthy; not checked: smtp, relay, recipient, monitoring");
  });

  it("no AWS credentials: one finding for the cause, listing the checks it blocked (text and --json)", async () => {
    const env = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined };
    // (--skip monitoring keeps the blocked list short enough to be listed by name; the JSON below has it all.)
    const r = await verify(healthy, ["--manifest", manifestFile, ...endpointArgs(healthy), "--skip", "monitoring"], { env });
    expect(r.status).toBe(1);
    expect(r.stdout.match(/aws\.credentials/g)).toHaveLength(3); // the finding, and the pointers from the SMTP and relay layers
    expect(r.stdout).toContain("  ????  aws.credentials  AWS credentials: no AWS credentials were found, so no AWS check could be made\n");
    expect(r.stdout).toContain("        blocks 12 checks:\n          ses.account.sending (account in us-east-1)\n");
    expect(r.stdout).toMatch(/\n {2}\?\?\?\? {2}smtp\.secret, smtp\.key, smtp\.auth, smtp\.permission: 5 checks decided by aws\.credentials \(SES account and identities, above\)\n/);
    expect(SUMMARY.exec(r.stdout)?.slice(4, 6)).toEqual(["1", "not fully checked: ses, smtp, relay; not checked: recipient, monitoring"]);
    const json = await verify(healthy, ["--manifest", manifestFile, ...endpointArgs(healthy), "--json"], { env });
    const doc = JSON.parse(json.stdout) as JsonReport;
    const bad = doc.findings.filter((f) => f.status !== "pass");
    expect(bad.map((f) => f.id)).toEqual(["aws.credentials"]);
    // The monitoring layer's reads are AWS calls too: the same one cause.
    const monitoringChecks = bad[0].blocked?.filter((b) => b.layer === "monitoring").length ?? 0;
    expect(monitoringChecks).toBeGreaterThan(0);
    expect(bad[0].blocked).toHaveLength(12 + monitoringChecks);
    expect(bad[0].blocked?.[0]).toEqual({ layer: "ses", id: "ses.account.sending", subject: "account in us-east-1", status: "inconclusive" });
  });

  it("an SMTP port that is closed: exit 1, 'not fully checked', and the network path to check", async () => {
    const closed = await startClosedPort();
    const r = await verify(healthy, ["--manifest", manifestFile, "--dns-server", healthy.dns.server, "--smtp-endpoint", `${closed.host}:${closed.port}`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("\nSMTP credentials: not fully checked\n");
    expect(r.stdout).toMatch(/\?\?\?\? {2}smtp\.auth +email-smtp\.us-east-1\.amazonaws\.com:587 \(us-east-1\): could not check SMTP AUTH: connection to 127\.0\.0\.1:\d+ refused/);
    expect(r.stdout).toMatch(/fix: Nothing listens on 127\.0\.0\.1:\d+: outbound port \d+ may be blocked/);
    expect(SUMMARY.exec(r.stdout)?.[5]).toBe(`not fully checked: smtp; ${NO_RECIPIENT_VERDICT}`);
  });

  it("NO_COLOR: colour on a terminal only without it, never in a pipe", async () => {
    const args = ["--manifest", manifestFile, ...endpointArgs(healthy), "--only", "dns"];
    const tty = await verify(healthy, args, { tty: true, env: { NO_COLOR: undefined, TERM: "xterm-256color" } });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\u001b\[32mPASS\u001b\[0m/);
    const ttyNoColor = await verify(healthy, args, { tty: true, env: { NO_COLOR: "1", TERM: "xterm-256color" } });
    expect(ttyNoColor.status).toBe(0);
    expect(ttyNoColor.stdout).toMatch(/PASS {2}dns\.dkim/);
    expect(ttyNoColor.stdout).not.toMatch(/\u001b\[/);
    const pipe = await verify(healthy, args, { env: { NO_COLOR: undefined, TERM: "xterm-256color" } });
    expect(pipe.stdout + pipe.stderr).not.toMatch(/\u001b\[/);
  });
});

describe("verify CLI against broken worlds", () => {
  it("a stale password: exit 1, the SMTP layer named broken, in text and --json, and no secret", async () => {
    const other = "another/secret/key/not/the/current/one00";
    const w = await createWorld(shared, { secret: (v) => (v.regions["us-west-2"].password = deriveSmtpPasswordV4(other, "us-west-2")) });
    try {
      const file = path.join(dir, "stale.json");
      await w.writeManifest(file);
      const text = await verify(w, ["--manifest", file, ...endpointArgs(w), "--secret-key-stdin"], { input: w.secretAccessKey });
      expect(text.status).toBe(1);
      expect(text.stdout).toContain("\nSMTP credentials: broken\n");
      expect(text.stdout).toContain("\nDNS authentication: ok\n");
      expect(text.stdout).toMatch(/FAIL {2}smtp\.password +passwords in mail-infra\/test\/ses-smtp: the stored password for us-west-2 is not derived from this key/);
      expect(text.stdout).toMatch(/FAIL {2}smtp\.auth +email-smtp\.us-west-2\.amazonaws\.com:587 \(us-west-2\): AUTH rejected \(535\)/);
      expect(text.stdout).toContain("server said: 535 Authentication Credentials Invalid");
      expect(SUMMARY.exec(text.stdout)?.slice(3, 6)).toEqual(["2", "0", `broken: smtp; ${NO_RECIPIENT_VERDICT}`]);
      for (const s of [other, deriveSmtpPasswordV4(other, "us-west-2")]) expect(text.stdout + text.stderr).not.toContain(s);

      const json = await verify(w, ["--manifest", file, ...endpointArgs(w), "--json"]);
      expect(json.status).toBe(1);
      const doc = JSON.parse(json.stdout) as JsonReport;
      expect(doc.exitCode).toBe(1);
      expect(doc.findings.filter((f) => f.status !== "pass").map((f) => [f.layer, f.id, f.status])).toEqual([["smtp", "smtp.auth", "fail"]]);
      expect(json.stdout + json.stderr).not.toContain(deriveSmtpPasswordV4(other, "us-west-2"));
    } finally {
      await w.stop();
    }
  });

  it("a stale us-east-1 password, as docs/cli/verify.md prints it (default width): SMTP broken, the relay through us-east-1 warned, the rest healthy", async () => {
    const other = "another/secret/key/not/the/current/one00";
    const w = await createWorld(shared, { secret: (v) => (v.regions["us-east-1"].password = deriveSmtpPasswordV4(other, "us-east-1")) });
    try {
      const cwd = path.join(dir, "stale-us-east-1");
      await mkdir(cwd);
      await w.writeManifest(path.join(cwd, "verification.json"));
      const args = ["--manifest", "verification.json", "--recipient", "someone@example.org", ...endpointArgs(w)];
      const r = await verify(w, args, { cwd });
      expect([r.status, r.stderr]).toEqual([1, ""]);
      const lines = r.stdout.split("\n");
      expect(lines.filter((l) => /^ {2}(FAIL|WARN|\?\?\?\?) /.test(l)).map((l) => l.split(/ +/).slice(1, 3).join(" "))).toEqual(["FAIL smtp.auth", "WARN relay.credentials"]);
      expect(r.stdout).toMatch(/FAIL {2}smtp\.auth +email-smtp\.us-east-1\.amazonaws\.com:587 \(us-east-1\): AUTH rejected \(535\)/);
      expect(r.stdout).toMatch(/^ +connected to 127\.0\.0\.1:\d+ \(override for email-smtp\.us-east-1\.amazonaws\.com\)$/m);
      for (const s of [other, deriveSmtpPasswordV4(other, "us-east-1")]) expect(r.stdout).not.toContain(s);
      // Run wide, then laid out as at the default width once the durations are replaced: the
      // digits of "in 566 ms" would otherwise move the line breaks from run to run.
      const shown = stable(`npm run -s verify -- ${args.join(" ")} --gmail-endpoint ${gmail.endpoint}`);
      const report = { ...r, stdout: wrapReport(stable(r.stdout), TEXT_WIDTH) };
      await docOutput("verify-stale-password", consoleTranscript(shown, report, { exitCode: true }));
    } finally {
      await w.stop();
    }
  });

  it("an MX pointing at the wrong region: exit 1, the DNS layer named broken", async () => {
    const w = await createWorld(shared, { zones: (z) => (z["example.com"] = z["example.com"].replace("feedback-smtp.us-east-1.amazonses.com.", "feedback-smtp.us-west-2.amazonses.com.")) });
    try {
      const file = path.join(dir, "mx.json");
      await w.writeManifest(file);
      const r = await verify(w, ["--manifest", file, ...endpointArgs(w)]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("\nDNS authentication: broken\n");
      expect(r.stdout).toMatch(/FAIL {2}dns\.mail-from\.mx +bounce\.example\.com \(us-east-1\): MX points at us-west-2's feedback host, but this MAIL FROM sends from us-east-1/);
      expect(SUMMARY.exec(r.stdout)?.[5]).toBe(`broken: dns; ${NO_RECIPIENT_VERDICT}`);
    } finally {
      await w.stop();
    }
  });
});

describe.concurrent("verify CLI usage errors exit 2 with a message", () => {
  const usage = async (args: string[]) => {
    const r = await runCliAsync("verify.ts", args, { env: healthy.env });
    expectNoSecrets(healthy.secrets(), r);
    expect(r.stdout).toBe("");
    return r;
  };

  it("no source", async () => {
    const r = await usage([]);
    expect([r.status, r.stderr]).toEqual([2, "error: give exactly one of --stack, --manifest or --domain (see --help); to check only recipients' domains, give --recipient ADDRESS --only recipient.\n"]);
  });

  it("two sources", async () => {
    const r = await usage(["--manifest", manifestFile, "--domain", "example.com", "--region", "us-east-1"]);
    expect([r.status, r.stderr]).toEqual([2, "error: give exactly one of --stack, --manifest or --domain (see --help); to check only recipients' domains, give --recipient ADDRESS --only recipient.\n"]);
  });

  it("a bad --only layer", async () => {
    const r = await usage(["--manifest", manifestFile, "--only", "dns,smpt"]);
    expect([r.status, r.stderr]).toEqual([2, 'error: --only: "smpt" is not a layer. Use ses, dns, smtp, relay, recipient, monitoring.\n']);
  });

  it("nothing to check: --only a layer discovery mode cannot run, or --skip of every layer", async () => {
    const smtpOnly = await usage(["--domain", "example.com", "--region", "us-east-1", "--only", "smtp"]);
    expect([smtpOnly.status, smtpOnly.stderr]).toEqual([
      2,
      "error: nothing to check: SES account and identities (not in --only smtp); DNS authentication (not in --only smtp); SMTP credentials (no --secret-id given: discovery mode reads the SMTP credentials from that secret); Relays using the credentials (not in --only smtp); Recipient domains (not in --only smtp); Monitoring and alerts (not in --only smtp).\n",
    ]);
    const all = await usage(["--manifest", manifestFile, "--skip", "ses,dns,smtp,relay,recipient,monitoring"]);
    expect(all.status).toBe(2);
    expect(all.stderr).toMatch(/^error: nothing to check: SES account and identities \(skipped with --skip\); .*; Relays using the credentials \(skipped with --skip\); Recipient domains \(skipped with --skip\); Monitoring and alerts \(skipped with --skip\)\.\n$/);
    // Without --recipient, skipping the other layers leaves nothing either.
    const noRecipient = await usage(["--manifest", manifestFile, "--skip", "ses,dns,smtp,relay,monitoring"]);
    expect(noRecipient.stderr).toMatch(/; Recipient domains \(no --recipient given: .*\); Monitoring and alerts \(skipped with --skip\)\.\n$/);
    const relayOnly = await usage(["--domain", "example.com", "--region", "us-east-1", "--secret-id", "s", "--only", "relay"]);
    expect(relayOnly.status).toBe(2);
    expect(relayOnly.stderr).toContain("Relays using the credentials (discovery mode does not know the relays");
  });

  it("a manifest without senders: --only relay has nothing to check", async () => {
    const file = path.join(dir, "no-senders.json");
    await writeFile(file, JSON.stringify({ ...healthy.manifest, senders: [] }));
    const r = await usage(["--manifest", file, "--only", "relay"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Relays using the credentials \(the manifest declares no relays \(mail-infra:senders\)\); Recipient domains \(not in --only relay\); Monitoring and alerts \(not in --only relay\)\.\n$/);
  });

  it("a bad --smtp-endpoint", async () => {
    const r = await usage(["--manifest", manifestFile, "--smtp-endpoint", "localhost"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --smtp-endpoint: "localhost" is not host:port\. Write host:port \(e\.g\. 127\.0\.0\.1:2587/);
    const region = await usage(["--manifest", manifestFile, "--smtp-endpoint", "xx-nowhere-1=127.0.0.1:2587"]);
    expect(region.status).toBe(2);
    expect(region.stderr).toMatch(/^error: --smtp-endpoint: "xx-nowhere-1" has no Amazon SES SMTP endpoint\. Use one of: us-east-1, /);
  });

  it("an unreadable manifest", async () => {
    const missing = path.join(dir, "nope.json");
    const r = await usage(["--manifest", missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: cannot read --manifest "${missing.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}": there is no such file`));
  });

  it("a manifest that is not JSON, or lacks a field: the message names it", async () => {
    // Someone passes the wrong file: its content must not be echoed (V8's parse error quotes it).
    const notJson = path.join(dir, "not-json.env");
    await writeFile(notJson, `AWS_SECRET_ACCESS_KEY=${healthy.secretAccessKey}\n`);
    const a = await usage(["--manifest", notJson]);
    expect(a.status).toBe(2);
    expect(a.stderr).toBe(`error: ${notJson} is not JSON. Write it with \`pulumi stack output verification --json > ${notJson}\`.\n`);
    const truncated = path.join(dir, "truncated.json");
    await writeFile(truncated, '{\n  "version": 1,\n  "project": x\n}');
    const t = await usage(["--manifest", truncated]);
    expect(t.stderr).toMatch(/^error: .*truncated\.json is not JSON( \(line 3, column \d+\))?\. Write it with/);

    const broken = JSON.parse(JSON.stringify(healthy.manifest)) as { smtp: Record<string, unknown> };
    delete broken.smtp.secretId;
    const lacking = path.join(dir, "lacking.json");
    await writeFile(lacking, JSON.stringify(broken));
    const b = await usage(["--manifest", lacking]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`error: ${lacking} is not a mail-infra verification manifest (version 1):\n  - smtp.secretId: `);
    expect(b.stderr).toContain("Get a fresh one with `pulumi stack output verification --json > verification.json`.");
  });
});

describe("verify --stack without the Pulumi CLI", () => {
  it("exits 2 and points at --manifest and discovery mode", async () => {
    const nodeOnly = path.dirname(process.execPath);
    const r = await runCliAsync("verify.ts", ["--stack", "prod"], { env: { PATH: nodeOnly } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: the Pulumi CLI is not installed here, so --stack cannot read the stack output\. Use --manifest FILE .* or discovery mode/);
  });
});
