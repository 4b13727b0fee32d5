/**
 * lib/watch.ts's pure parts: which event is which (the fixtures as AWS delivers them), the
 * metric data of findings (a blocked check carries its cause's status, an inconclusive one
 * writes no CheckFailed), the EMF record shape, and the idempotency key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finding } from "../../lib/verify/findings";
import { classifyWatchEvent, findingMetrics, METRICS, sesItemKey, toEmf, watchBusArn, watchForwarding, WATCH_NAMESPACE } from "../../lib/watch";

const fx = (f: string) => JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "watch", f), "utf8")) as unknown;

describe("classifyWatchEvent", () => {
  it("tells the delivered shapes apart", () => {
    expect(classifyWatchEvent(fx("scheduler-run.json"))).toEqual({ kind: "scheduled", detail: "scheduled run at 2026-05-14T15:00:00Z" });
    expect(classifyWatchEvent(fx("eventbridge-scheduled-event.json"))).toEqual({ kind: "scheduled", detail: "scheduled event at 2015-10-08T16:53:06Z" });
    expect(classifyWatchEvent(fx("cloudtrail-ses-change.json"))).toEqual({ kind: "change", detail: "ses.amazonaws.com PutEmailIdentityMailFromAttributes in us-east-1" });
    const sns = classifyWatchEvent(fx("sns-lambda-ses-bounce-dmarc.json"));
    expect(sns.kind === "ses" && sns.items.map((i) => [i.region, i.id])).toEqual([["us-east-1", "95df01b4-ee98-5cb9-9903-4c221d41eb5e"]]);
    const eb = classifyWatchEvent(fx("eventbridge-ses-bounce.json"));
    expect(eb.kind === "ses" && eb.items[0].region).toBe("us-west-2");
    expect(classifyWatchEvent(fx("ses-notification-bounce-dsn.json")).kind).toBe("ses");
    expect(classifyWatchEvent({ Records: [{ Sns: { Message: "not json" } }] })).toEqual({ kind: "unknown", message: "Records[0].Sns.Message is not JSON" });
    expect(classifyWatchEvent([1, 2])).toEqual({ kind: "unknown", message: "the event is not a JSON object" });
  });

  it("keys SES messages for idempotency: SNS's MessageId, else SES's message id, type and feedback id", () => {
    expect(sesItemKey({ json: {}, id: "m-1" })).toBe("m-1");
    expect(sesItemKey({ json: fx("ses-notification-bounce-dsn.json") })).toBe("00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000:Bounce:00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000");
    expect(sesItemKey({ json: { notificationType: "Bounce" } })).toBeUndefined();
  });
});

describe("findingMetrics and toEmf", () => {
  it("fail 1, pass and warn 0, inconclusive no CheckFailed; a blocked check carries its cause's status", () => {
    const cause = { ...finding("ses", "ses.identity.verified", "example.com in us-east-1", "fail", "not verified", { remediation: "publish the DKIM CNAMEs" }), blocked: [{ layer: "ses" as const, id: "ses.identity.dkim", subject: "example.com in us-east-1", status: "pass" as const }] };
    const data = findingMetrics("prod", [cause, finding("dns", "dns.spf.lookups", "example.com", "warn", "9 lookups"), finding("dns", "dns.dkim", "example.com", "inconclusive", "timeout")]);
    expect(data.map((d) => [d.name, d.dimensions.Check, d.value])).toEqual([
      [METRICS.check, "ses.identity.verified", 1],
      [METRICS.check, "ses.identity.dkim", 1],
      [METRICS.check, "dns.spf.lookups", 0],
      [METRICS.inconclusive, "dns.dkim", 1],
    ]);
    expect(data[1].properties).toMatchObject({ Status: "fail", Cause: "ses.identity.verified", Remediation: "publish the DKIM CNAMEs" });
    const line = JSON.parse(toEmf([data[0]], 1_700_000_000_000)[0]) as Record<string, unknown>;
    expect(line).toEqual({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: WATCH_NAMESPACE, Dimensions: [["Stack", "Check", "Subject"], ["Stack", "Check"]], Metrics: [{ Name: "CheckFailed", Unit: "Count" }] }] },
      Status: "fail",
      Summary: "not verified",
      Remediation: "publish the DKIM CNAMEs",
      Stack: "prod",
      Check: "ses.identity.verified",
      Subject: "example.com in us-east-1",
      CheckFailed: 1,
    });
  });
});

describe("change events outside the function's region", () => {
  it("every other region forwards what its change rules see: SES regions ses, us-east-1 iam, the secret's region secret", () => {
    expect(watchForwarding("us-east-1", ["us-east-1", "us-west-2"], "us-east-1")).toEqual([{ region: "us-west-2", purposes: ["ses"] }]);
    expect(watchForwarding("eu-west-1", ["eu-west-1", "us-east-1"], "eu-west-1")).toEqual([{ region: "us-east-1", purposes: ["iam", "ses"] }]);
    expect(watchForwarding("eu-west-1", ["eu-west-1"], "eu-central-1")).toEqual([
      { region: "us-east-1", purposes: ["iam"] },
      { region: "eu-central-1", purposes: ["secret"] },
    ]);
    expect(watchForwarding("us-east-1", ["us-east-1"], "us-east-1")).toEqual([]);
  });

  it("no forwarding outside the commercial partition (EventBridge does not route between GovCloud or China regions); the bus ARN follows the partition", () => {
    expect(watchForwarding("us-gov-west-1", ["us-gov-west-1", "us-gov-east-1"], "us-gov-west-1")).toEqual([]);
    expect(watchForwarding("cn-north-1", ["cn-north-1", "cn-northwest-1"], "cn-north-1")).toEqual([]);
    expect(watchBusArn("prod", "us-east-1", "123456789012")).toBe("arn:aws:events:us-east-1:123456789012:event-bus/mail-infra-prod-watch");
    expect(watchBusArn("prod", "cn-north-1", "123456789012")).toBe("arn:aws-cn:events:cn-north-1:123456789012:event-bus/mail-infra-prod-watch");
  });

  it("a forwarded CloudTrail event names the region of the call (detail.awsRegion), not the bus it arrived on", () => {
    const ev = fx("cloudtrail-ses-change.json") as { region: string; detail: { awsRegion: string } };
    ev.detail.awsRegion = "us-west-2";
    expect(classifyWatchEvent(ev)).toEqual({ kind: "change", detail: "ses.amazonaws.com PutEmailIdentityMailFromAttributes in us-west-2" });
  });
});
