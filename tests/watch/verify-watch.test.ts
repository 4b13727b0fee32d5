/**
 * verify's monitoring layer checks the watch (scripts/verify/layers/watch/check.ts): pure judgements with a
 * passing and a failing case each, then the layer against the loopback world (the CloudWatch
 * fake holds the watch's alarms, created as the program declares them, and its Runs metric).
 */
import { PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestWatch } from "../../lib/manifest";
import { observed } from "../../lib/verify/findings";
import type { AlarmState } from "../../scripts/verify/layers/monitoring/check";
import { checkWatch, type WatchObservations } from "../../scripts/verify/layers/watch/check";
import { METRICS, watchAlarms, WATCH_NAMESPACE, type WatchConfig } from "../../lib/watch";
import { createWorld, type SharedServers, startShared, WORLD_CONFIG } from "../verify/world";

const W: ManifestWatch = {
  functionName: "mail-infra-prod-watch",
  region: "us-east-1",
  scheduleName: "mail-infra-prod-watch",
  schedule: "rate(1 hour)",
  scheduleMinutes: 60,
  queueName: "mail-infra-prod-watch-failed",
  alarms: ["mail-infra-prod-watch-ses.identity.mail-from", "mail-infra-prod-watch-not-running"],
};
const TOPIC = "arn:aws:sns:us-east-1:123456789012:mail-infra-prod-alerts";
const alarm = (name: string, state = "OK", description?: string): AlarmState => ({ name, dimensions: [], actionsEnabled: true, alarmActions: [TOPIC], state, ...(description ? { description } : {}) });
const healthy: WatchObservations = {
  alarms: observed(W.alarms.map((n) => alarm(n))),
  runs: observed({ sum: 2, datapoints: 2, latest: "2026-05-14T15:00:00.000Z" }),
  invocations: observed({ sum: 2, datapoints: 2 }),
  errors: observed({ sum: 0, datapoints: 3 }),
};
const status = (o: WatchObservations, id: string) => checkWatch(W, TOPIC, o).find((f) => f.id === id)!;

describe("the watch checks", () => {
  it("healthy: a run within 2 periods, no errors, every alarm present and quiet", () => {
    expect(checkWatch(W, TOPIC, healthy).map((f) => [f.id, f.status])).toEqual([
      ["monitoring.watch.run", "pass"],
      ["monitoring.watch.errors", "pass"],
      ["monitoring.watch.alarms", "pass"],
    ]);
  });
  it("monitoring.watch.run fails without a Runs datapoint (a missing function or schedule writes nothing)", () => {
    const f = status({ ...healthy, runs: observed({ sum: 0, datapoints: 0 }) }, "monitoring.watch.run");
    expect([f.status, f.summary]).toEqual(["fail", "no completed watch run in 2 h (2 schedule periods): nothing is checking the mail path"]);
    expect(f.remediation).toContain("aws scheduler get-schedule --name mail-infra-prod-watch --region us-east-1");
  });
  it("monitoring.watch.errors fails on errors, and is inconclusive without any datapoint", () => {
    expect(status({ ...healthy, errors: observed({ sum: 3, datapoints: 2 }) }, "monitoring.watch.errors").status).toBe("fail");
    expect(status({ ...healthy, errors: observed({ sum: 0, datapoints: 0 }) }, "monitoring.watch.errors").status).toBe("inconclusive");
  });
  it("monitoring.watch.alarms fails for a missing alarm, one that does not notify the topic, and one in ALARM (quoting its description, which names the fix)", () => {
    expect(status({ ...healthy, alarms: observed([alarm(W.alarms[0])]) }, "monitoring.watch.alarms").evidence).toEqual(["mail-infra-prod-watch-not-running: missing"]);
    const unrouted = status({ ...healthy, alarms: observed([alarm(W.alarms[0]), { ...alarm(W.alarms[1]), alarmActions: [] }]) }, "monitoring.watch.alarms");
    expect([unrouted.status, unrouted.evidence]).toEqual(["fail", ["mail-infra-prod-watch-not-running: does not notify the alerts topic"]]);
    const firing = status({ ...healthy, alarms: observed([alarm(W.alarms[0], "ALARM", "Fix: run `npm run verify -- --stack prod --only ses`"), alarm(W.alarms[1])]) }, "monitoring.watch.alarms");
    expect([firing.status, firing.summary, firing.remediation]).toEqual(["fail", "1 watch alarm(s) in ALARM", "mail-infra-prod-watch-ses.identity.mail-from: Fix: run `npm run verify -- --stack prod --only ses`"]);
  });
});

describe("verify --only monitoring against the world, with the watch declared", () => {
  let shared: SharedServers;
  beforeAll(async () => {
    shared = await startShared();
  }, 120_000);
  afterAll(async () => {
    await shared?.stop();
  });

  it("passes with the program's alarms and a recent run, fails monitoring.watch.run when the watch stopped writing", async () => {
    for (const ran of [true, false]) {
      const w = await createWorld(shared, {
        config: { ...WORLD_CONFIG, watch: "true" },
        monitoring: async ({ manifest, clients }) => {
          const cfg: WatchConfig = { schedule: { expression: "rate(1 hour)", minutes: 60 }, checks: [...manifest.watch!.alarms.filter((n) => /watch-(ses|dns|relay)\./.test(n)).map((n) => n.replace(/^.*-watch-/, ""))], bounceThreshold: 3 };
          const topic = manifest.monitoring!.regions.find((r) => r.region === manifest.watch!.region)!.alertsTopicArn;
          const cw = clients.cloudwatch(manifest.watch!.region);
          for (const a of watchAlarms(manifest.stack, manifest.watch!.functionName, cfg, ["us-east-1", "us-west-2"])) {
            await cw.send(new PutMetricAlarmCommand({ AlarmName: a.name, AlarmDescription: a.description, Namespace: a.namespace, MetricName: a.metricName, Statistic: a.statistic, Period: a.periodSeconds, EvaluationPeriods: a.evaluationPeriods, ComparisonOperator: a.comparisonOperator, Threshold: a.threshold, TreatMissingData: a.treatMissingData, AlarmActions: [topic], OKActions: [topic], Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })) }));
          }
          if (ran) {
            await cw.send(new PutMetricDataCommand({ Namespace: WATCH_NAMESPACE, MetricData: [{ MetricName: METRICS.runs, Value: 1, Dimensions: [{ Name: "Stack", Value: manifest.stack }] }] }));
            await cw.send(new PutMetricDataCommand({ Namespace: "AWS/Lambda", MetricData: [{ MetricName: "Errors", Value: 0, Dimensions: [{ Name: "FunctionName", Value: manifest.watch!.functionName }] }] }));
          }
        },
      });
      try {
        expect(w.manifest.watch!.alarms.length).toBeGreaterThan(20);
        const r = await w.verify({ layers: ["monitoring"] });
        const watch = r.findings.filter((f) => f.id.startsWith("monitoring.watch."));
        expect(watch.map((f) => [f.id, f.status]), JSON.stringify(watch, null, 1)).toEqual(
          ran
            ? [["monitoring.watch.run", "pass"], ["monitoring.watch.errors", "pass"], ["monitoring.watch.alarms", "pass"]]
            : [["monitoring.watch.run", "fail"], ["monitoring.watch.errors", "inconclusive"], ["monitoring.watch.alarms", "pass"]],
        );
      } finally {
        await w.stop();
      }
    }
  }, 180_000);
});
