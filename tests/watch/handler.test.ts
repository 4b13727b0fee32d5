/**
 * The watch handler (scripts/watch/core.ts, the code the Lambda bundle and `npm run watch` run)
 * against the loopback world (moto, nsd, the SES fake) and on SES events as AWS delivers them:
 * - a scheduled run of a healthy world writes CheckFailed 0 for every check it makes, the
 *   heartbeat, no alert, and never reads the SMTP secret;
 * - with the MAIL FROM FAILED it writes ses.identity.mail-from = 1 for that subject and raises
 *   the alert with the summary and remediation verify prints for the same world;
 * - every check id the layers report is in lib/watch's table (so each has an alarm);
 * - an SES bounce gives the layer diagnose gives for the same bounce (the built diagnose CLI);
 * - SNS redelivery of the same message is counted once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_WATCH_CHECKS, METRICS, scheduleInput, toEmf, WATCH_NAMESPACE } from "../../lib/watch";
import { BoundedSet, handleWatchEvent } from "../../scripts/watch/core";
import { runCli } from "../helpers/spawn";
import { createWorld, type SharedServers, startShared, type World, WORLD_CONFIG } from "../verify/world";

const FX = join(__dirname, "..", "fixtures", "watch");
const fx = (f: string) => JSON.parse(readFileSync(join(FX, f), "utf8")) as unknown;
const SCHEDULED = JSON.parse(scheduleInput("test")) as unknown;
const WATCHED = { ...WORLD_CONFIG, watch: "true" };

let shared: SharedServers;
beforeAll(async () => {
  shared = await startShared();
}, 120_000);
afterAll(async () => {
  await shared?.stop();
});

async function withWorld<T>(options: Parameters<typeof createWorld>[1], fn: (w: World) => Promise<T>): Promise<T> {
  const w = await createWorld(shared, { config: WATCHED, ...options });
  try {
    return await fn(w);
  } finally {
    await w.stop();
  }
}

describe("a scheduled run against the loopback world", () => {
  it("healthy: CheckFailed 0 for every check made, the Runs heartbeat, no alert, and the secret is never read", async () => {
    await withWorld({}, async (w) => {
      const collectors = w.collectors();
      let secretReads = 0;
      const secretValue = collectors.aws.secretValue.bind(collectors.aws);
      collectors.aws.secretValue = (...a) => ((secretReads += 1), secretValue(...a));
      const r = await handleWatchEvent(SCHEDULED, { manifest: w.manifest, collectors: () => collectors, now: new Date("2026-05-14T15:00:00Z") });
      expect(r.kind).toBe("scheduled");
      expect(secretReads).toBe(0);
      const checks = r.metrics.filter((m) => m.name === METRICS.check);
      expect(checks.length).toBeGreaterThan(20);
      const failing = checks.filter((m) => m.value !== 0).map((m) => `${m.dimensions.Check} ${m.dimensions.Subject}`);
      expect(failing).toEqual([]);
      expect(r.alerts).toEqual([]);
      expect(r.metrics.filter((m) => m.name === METRICS.runs)).toEqual([{ name: "Runs", value: 1, dimensions: { Stack: w.manifest.stack } }]);
      // Every check id the layers report has its alarm (lib/watch WATCH_CHECK_IDS).
      for (const id of new Set(r.metrics.map((m) => m.dimensions.Check).filter(Boolean))) expect(ALL_WATCH_CHECKS, id).toContain(id);
      expect([...new Set(r.findings.map((f) => f.layer))].sort()).toEqual(["dns", "relay", "ses"]);
    });
  }, 120_000);

  it("MAIL FROM FAILED in us-east-1: ses.identity.mail-from = 1 for that subject, and the alert carries verify's own summary and remediation", async () => {
    await withWorld(
      { ses: (fake) => (fake.region("us-east-1").identities.get("example.com")!.MailFromAttributes!.MailFromDomainStatus = "FAILED") },
      async (w) => {
        const r = await handleWatchEvent(SCHEDULED, { manifest: w.manifest, collectors: () => w.collectors() });
        const mailFrom = r.metrics.filter((m) => m.name === METRICS.check && m.dimensions.Check === "ses.identity.mail-from");
        expect(mailFrom.map((m) => [m.dimensions.Subject, m.value])).toEqual([
          ["example.com in us-east-1", 1],
          ["example.com in us-west-2", 0],
        ]);
        const verified = await w.verify({ layers: ["ses"] });
        const expected = verified.findings.find((f) => f.id === "ses.identity.mail-from" && f.status === "fail")!;
        expect(expected).toBeDefined();
        expect(r.alerts).toEqual([
          { check: "ses.identity.mail-from", subject: "example.com in us-east-1", summary: expected.summary, remediation: expected.remediation, alarm: `mail-infra-${w.manifest.stack}-watch-ses.identity.mail-from` },
        ]);
        // The EMF line: the namespace, both dimension sets, the value, and verify's words as properties.
        const line = JSON.parse(toEmf([mailFrom[0]], 0)[0]) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } };
        expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: WATCH_NAMESPACE, Dimensions: [["Stack", "Check", "Subject"], ["Stack", "Check"]] });
        expect(line).toMatchObject({ CheckFailed: 1, Check: "ses.identity.mail-from", Status: "fail", Remediation: expected.remediation });
      },
    );
  }, 120_000);
});

describe("SES events", () => {
  it("an SNS-delivered SES bounce gives the layer the diagnose CLI gives for the same bounce", () => {
    const bounce = readFileSync(join(__dirname, "..", "fixtures", "bounces", "ses-notification-dmarc.json"), "utf8");
    const diagnosed = runCli("diagnose.ts", ["-", "--json"], { input: bounce });
    const layers = (JSON.parse(diagnosed.stdout) as { verdicts: { layer: string }[] }).verdicts.map((v) => v.layer);
    expect(layers).toEqual(["sender-auth"]);
    return handleWatchEvent(fx("sns-lambda-ses-bounce-dmarc.json"), {}).then((r) => {
      expect(r.metrics).toEqual([expect.objectContaining({ name: "Bounces", value: 1, dimensions: { Stack: "STACK", Region: "us-east-1", Layer: layers[0] } })]);
    });
  }, 60_000);

  it("reads every delivered shape: the SES guide's DSN bounce (bare), an EventBridge SES event (its region), and says what an unknown event is", async () => {
    const bare = await handleWatchEvent(fx("ses-notification-bounce-dsn.json"), {});
    expect(bare.metrics.map((m) => m.dimensions)).toEqual([{ Stack: "STACK", Region: "us-east-1", Layer: "recipient-mailbox" }]);
    const eb = await handleWatchEvent(fx("eventbridge-ses-bounce.json"), {});
    expect(eb.metrics.map((m) => [m.dimensions.Region, m.dimensions.Layer])).toEqual([["us-west-2", "recipient-policy"]]);
    const unknown = await handleWatchEvent({ hello: "world" }, {});
    expect([unknown.kind, unknown.metrics, unknown.problems.length]).toEqual(["unknown", [], 1]);
  });

  it("SNS delivers at least once: the same message twice is counted once", async () => {
    const seen = new BoundedSet();
    const e = fx("sns-lambda-ses-bounce-dmarc.json");
    const first = await handleWatchEvent(e, { seen });
    const again = await handleWatchEvent(e, { seen });
    expect([first.metrics.length, first.duplicates, again.metrics.length, again.duplicates]).toEqual([1, 0, 0, 1]);
  });
});
