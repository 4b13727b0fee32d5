/**
 * `npm run watch -- --event FILE --dry-run` as a user runs it (the built CLI, spawned): a
 * scheduled event against a world whose MAIL FROM is FAILED prints the failing check metric and
 * the alert in verify's words (exit 1); an SES bounce needs no AWS credentials; usage errors exit 2.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../helpers/spawn";
import { createWorld, type SharedServers, startShared, type World, WORLD_CONFIG } from "../verify/world";

const FX = path.join(__dirname, "..", "fixtures", "watch");
let shared: SharedServers;
let failed: World;
let dir: string;
let manifestFile: string;

beforeAll(async () => {
  shared = await startShared();
  failed = await createWorld(shared, {
    config: { ...WORLD_CONFIG, watch: "true" },
    ses: (fake) => (fake.region("us-east-1").identities.get("example.com")!.MailFromAttributes!.MailFromDomainStatus = "FAILED"),
  });
  dir = await mkdtemp(path.join(os.tmpdir(), "watch-cli-"));
  manifestFile = path.join(dir, "verification.json");
  await failed.writeManifest(manifestFile);
}, 120_000);
afterAll(async () => {
  await failed?.stop();
  await shared?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("npm run watch", () => {
  it("a scheduled event, MAIL FROM FAILED: the failing check metric and verify's alert wording, exit 1", async () => {
    const verified = await failed.verify({ layers: ["ses"] });
    const expected = verified.findings.find((f) => f.id === "ses.identity.mail-from" && f.status === "fail")!;
    const args = ["--event", path.join(FX, "scheduler-run.json"), "--dry-run", "--manifest", manifestFile, "--dns-server", failed.dns.server];
    const text = await runCliAsync("watch.ts", args, { env: failed.env });
    expect(text.status, text.stderr).toBe(1);
    expect(text.stdout).toContain("CheckFailed {Stack=test, Check=ses.identity.mail-from, Subject=example.com in us-east-1} = 1");
    expect(text.stdout).toContain(`FAIL ses.identity.mail-from — example.com in us-east-1: ${expected.summary}`);
    expect(text.stdout).toContain(`fix: ${expected.remediation}`);
    const json = await runCliAsync("watch.ts", [...args, "--json"], { env: failed.env });
    const out = JSON.parse(json.stdout) as { alerts: { check: string; remediation: string }[]; emf: string[] };
    expect(out.alerts).toEqual([expect.objectContaining({ check: "ses.identity.mail-from", remediation: expected.remediation })]);
    expect(out.emf.every((l) => (JSON.parse(l) as { _aws?: unknown })._aws !== undefined)).toBe(true);
  }, 120_000);

  it("an SES bounce needs no AWS credentials; no --dry-run or no manifest for a scheduled event is a usage error", () => {
    const env = { PATH: process.env.PATH ?? "", HOME: dir };
    const bounce = runCli("watch.ts", ["--event", path.join(FX, "sns-lambda-ses-bounce-dmarc.json"), "--dry-run", "--json"], { env });
    expect(bounce.status, bounce.stderr).toBe(0);
    expect((JSON.parse(bounce.stdout) as { metrics: { dimensions: Record<string, string> }[] }).metrics[0].dimensions.Layer).toBe("sender-auth");
    const noDry = runCli("watch.ts", ["--event", path.join(FX, "scheduler-run.json")], { env });
    expect([noDry.status, noDry.stderr]).toEqual([2, expect.stringContaining("--dry-run is required")]);
    const noManifest = runCli("watch.ts", ["--event", path.join(FX, "scheduler-run.json"), "--dry-run"], { env });
    expect([noManifest.status, noManifest.stderr]).toEqual([2, expect.stringContaining("give --stack S or --manifest FILE")]);
  });
});
