/**
 * The watch's checks in verify's monitoring layer (scripts/verify/layers/watch/check.ts): the
 * whole findings for each branch, beyond the status-only cases of tests/watch/verify-watch.test.ts
 * (a server test, slow under mutation testing). Hand-built CloudWatch observations. Pure.
 */
import { describe, expect, it } from "vitest";
import type { ManifestWatch } from "../../lib/manifest";
import { observed, type Unobservable } from "../../lib/verify/findings";
import type { AlarmState } from "../../scripts/verify/layers/monitoring/check";
import { checkWatch, type WatchObservations } from "../../scripts/verify/layers/watch/check";

const W: ManifestWatch = {
  functionName: "mail-infra-prod-watch",
  region: "eu-west-1",
  scheduleName: "mail-infra-prod-watch-schedule",
  schedule: "rate(30 minutes)",
  scheduleMinutes: 30,
  queueName: "mail-infra-prod-watch-failed",
  alarms: ["watch-a", "watch-b"],
};
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:mail-infra-prod-alerts";
const alarm = (name: string, over: Partial<AlarmState> = {}): AlarmState => ({ name, dimensions: [], actionsEnabled: true, alarmActions: [TOPIC], state: "OK", ...over });
const healthy = (): WatchObservations => ({
  alarms: observed(W.alarms.map((n) => alarm(n))),
  runs: observed({ sum: 3, datapoints: 2, latest: "2026-05-14T15:00:00.000Z" }),
  invocations: observed({ sum: 4, datapoints: 2 }),
  errors: observed({ sum: 0, datapoints: 5 }),
});
const throttled: Unobservable = { ok: false, reason: "throttled", message: "ThrottlingException after retries", needs: "AWS kept throttling: re-run later." };
const byId = (o: WatchObservations, w: ManifestWatch = W) => Object.fromEntries(checkWatch(w, TOPIC, o).map((f) => [f.id, f]));

describe("the watch's findings", () => {
  it("three, in the monitoring layer: run, errors, alarms", () => {
    for (const o of [healthy(), { ...healthy(), runs: throttled, errors: throttled, alarms: throttled }, { ...healthy(), runs: observed({ sum: 0, datapoints: 0 }), errors: observed({ sum: 2, datapoints: 1 }) }]) {
      expect(checkWatch(W, TOPIC, o).map((f) => [f.layer, f.id])).toEqual([
        ["monitoring", "monitoring.watch.run"],
        ["monitoring", "monitoring.watch.errors"],
        ["monitoring", "monitoring.watch.alarms"],
      ]);
    }
    const quiet = checkWatch(W, TOPIC, { ...healthy(), errors: observed({ sum: 0, datapoints: 0 }), alarms: observed([alarm("watch-a")]) });
    expect(quiet.map((f) => [f.layer, f.status])).toEqual([
      ["monitoring", "pass"],
      ["monitoring", "inconclusive"],
      ["monitoring", "fail"],
    ]);
  });
});

describe("monitoring.watch.run", () => {
  it("a run within two periods passes, with the window in minutes or hours and what was read", () => {
    const f = byId(healthy())["monitoring.watch.run"];
    expect(f).toMatchObject({
      subject: "watch function mail-infra-prod-watch in eu-west-1",
      status: "pass",
      summary: "the watch completed a run within 2 schedule periods (last 2026-05-14T15:00:00.000Z)",
      evidence: ["MailInfra/Watch Runs over 1 h (2 x rate(30 minutes)): 3, latest 2026-05-14T15:00:00.000Z", "AWS/Lambda Invocations over 1 h: 4"],
    });
    const odd = byId({ ...healthy(), runs: observed({ sum: 1, datapoints: 1 }), invocations: throttled }, { ...W, scheduleMinutes: 45, schedule: "rate(45 minutes)" })["monitoring.watch.run"];
    expect([odd.status, odd.summary, odd.evidence]).toEqual([
      "pass",
      "the watch completed a run within 2 schedule periods (last ?)",
      ["MailInfra/Watch Runs over 90 min (2 x rate(45 minutes)): 1", "AWS/Lambda Invocations not read: ThrottlingException after retries"],
    ]);
  });

  it("no run fails with the commands to look with; an unreadable metric is inconclusive", () => {
    const f = byId({ ...healthy(), runs: observed({ sum: 0, datapoints: 0 }) })["monitoring.watch.run"];
    expect([f.status, f.summary, f.remediation]).toEqual([
      "fail",
      "no completed watch run in 1 h (2 schedule periods): nothing is checking the mail path",
      "Check the schedule is ENABLED (`aws scheduler get-schedule --name mail-infra-prod-watch-schedule --region eu-west-1`) and read the function's log (`aws logs tail /aws/lambda/mail-infra-prod-watch --region eu-west-1 --since 1h`). If the function or schedule is missing, run `pulumi up`.",
    ]);
    // A datapoint of 0 is no completed run either.
    expect(byId({ ...healthy(), runs: observed({ sum: 0, datapoints: 1 }) })["monitoring.watch.run"].status).toBe("fail");
    const u = byId({ ...healthy(), runs: throttled })["monitoring.watch.run"];
    expect([u.status, u.summary]).toEqual(["inconclusive", "could not check when the watch last ran (its Runs metric): ThrottlingException after retries"]);
  });
});

describe("monitoring.watch.errors", () => {
  it("pass, fail and no-datapoint findings say what was counted and what to do", () => {
    expect(byId(healthy())["monitoring.watch.errors"]).toMatchObject({ status: "pass", summary: "no function errors in 24 h", evidence: ["AWS/Lambda Errors over 24 h: 0 in 5 period(s)"] });
    expect(byId({ ...healthy(), errors: observed({ sum: 1, datapoints: 1 }) })["monitoring.watch.errors"]).toMatchObject({
      status: "fail",
      summary: "the function failed 1 time(s) in 24 h",
      evidence: ["AWS/Lambda Errors over 24 h: 1 in 1 period(s)"],
      remediation: "Read the function's log (`aws logs tail /aws/lambda/mail-infra-prod-watch --region eu-west-1 --since 24h`); SES events it could not process wait in the queue mail-infra-prod-watch-failed.",
    });
    expect(byId({ ...healthy(), errors: observed({ sum: 0, datapoints: 0 }) })["monitoring.watch.errors"]).toMatchObject({
      status: "inconclusive",
      summary: "no AWS/Lambda Errors datapoint in 24 h: the function was not invoked, so there is no evidence about its errors",
      remediation: "See monitoring.watch.run; invoke it once with `aws lambda invoke --function-name mail-infra-prod-watch --region eu-west-1 --payload file://tests/fixtures/watch/scheduler-run.json --cli-binary-format raw-in-base64-out out.json`.",
    });
    expect(byId({ ...healthy(), errors: throttled })["monitoring.watch.errors"]).toMatchObject({ status: "inconclusive", summary: "could not check the function's errors (AWS/Lambda Errors): ThrottlingException after retries" });
  });
});

describe("monitoring.watch.alarms", () => {
  it("the pass counts the alarms; an unreadable list is inconclusive", () => {
    expect(byId(healthy())["monitoring.watch.alarms"]).toMatchObject({ subject: "the watch's 2 alarms in eu-west-1", status: "pass", summary: "every watch alarm exists, notifies the alerts topic and is not in ALARM", evidence: ["2 alarms found"] });
    expect(byId({ ...healthy(), alarms: throttled })["monitoring.watch.alarms"]).toMatchObject({ status: "inconclusive", summary: "could not check the watch's alarms: ThrottlingException after retries" });
  });

  it("alarms with actions off, or without the topic, do not notify; without a known topic only actions count", () => {
    const f = byId({ ...healthy(), alarms: observed([alarm("watch-a", { actionsEnabled: false }), alarm("watch-b", { alarmActions: ["arn:other"] })]) })["monitoring.watch.alarms"];
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "fail",
      "watch alarms are missing or do not notify the alerts topic",
      ["watch-a: does not notify the alerts topic", "watch-b: does not notify the alerts topic"],
      "Run `pulumi up` to restore the missing or changed alarms.",
    ]);
    const noTopic = checkWatch(W, undefined, { ...healthy(), alarms: observed([alarm("watch-a", { alarmActions: [] }), alarm("watch-b")]) }).find((x) => x.id === "monitoring.watch.alarms");
    expect(noTopic?.status).toBe("pass");
    // One missing and one not notifying: two problems, not none.
    const two = byId({ ...healthy(), alarms: observed([alarm("watch-b", { actionsEnabled: false })]) })["monitoring.watch.alarms"];
    expect([two.status, two.evidence]).toEqual(["fail", ["watch-a: missing", "watch-b: does not notify the alerts topic"]]);
    // Alarms that are not the watch's do not count.
    expect(byId({ ...healthy(), alarms: observed([alarm("watch-a"), alarm("watch-b"), alarm("other", { state: "ALARM" })]) })["monitoring.watch.alarms"].status).toBe("pass");
  });

  it("in ALARM: each with its time and reason; without a description the docs are named; missing ones add the restore advice", () => {
    const f = byId({ ...healthy(), alarms: observed([alarm("watch-a", { state: "ALARM", stateUpdated: "2026-05-14T14:00:00Z", stateReason: "Threshold crossed" }), alarm("watch-b", { state: "INSUFFICIENT_DATA" })]) })["monitoring.watch.alarms"];
    expect([f.summary, f.evidence, f.remediation]).toEqual(["1 watch alarm(s) in ALARM", ["watch-a: ALARM since 2026-05-14T14:00:00Z (Threshold crossed)"], 'watch-a: see docs/monitoring.md, "Watch alarms".']);
    const both = byId({ ...healthy(), alarms: observed([alarm("watch-a", { state: "ALARM", description: "Fix: X." })]) })["monitoring.watch.alarms"];
    expect([both.evidence, both.remediation]).toEqual([["watch-b: missing", "watch-a: ALARM since ? ()"], "watch-a: Fix: X. Run `pulumi up` to restore the missing or changed alarms."]);
  });
});
