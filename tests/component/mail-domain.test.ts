/**
 * MailDomain's DNS choices under mocks: an existing zone passed as an Output (a zone declared in
 * the same program), a zone by name, and external DNS (no Route 53 resource; the records and a
 * zone file as outputs). MailMonitoring's resources are named after the component.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { MailDomain, MailMonitoring } from "../../packages/mail-infra/index";
import { runProgramUnderMocks } from "../../scripts/lib/mock-program";

const RECORD = "aws:route53/record:Record";

describe("MailDomain DNS", async () => {
  const inZone = await runProgramUnderMocks({
    stack: "test",
    config: {},
    program: () => {
      const zone = new aws.route53.Zone("zone", { name: "example.com" });
      // The mocks give a zone no zoneId: an Output that depends on the zone stands for it.
      const zoneId = zone.id.apply(() => "Z0123456789ABCDEFGHIJ");
      const mail = new MailDomain("mail", { domain: "example.com", regions: ["us-east-1"], zoneId });
      return { zoneId: mail.zoneId };
    },
  });
  const external = await runProgramUnderMocks({
    stack: "test",
    config: {},
    program: () => {
      const mail = new MailDomain("mail", { domain: "example.org", regions: ["eu-west-1"], externalDns: true, dmarcPolicy: "reject" });
      return { zoneFile: mail.zoneFile, records: mail.records, zoneId: mail.zoneId };
    },
  });

  it("puts the records in a zone the program declares (zoneId as an Output), and waits for it", () => {
    const records = inZone.resources.filter((r) => r.type === RECORD);
    expect(records).toHaveLength(7);
    const zoneUrn = inZone.resources.find((r) => r.type === "aws:route53/zone:Zone")!.urn;
    for (const r of records) {
      expect(r.inputs.zoneId).toBe("Z0123456789ABCDEFGHIJ");
      expect(r.propertyDependencies.zoneId).toContain(zoneUrn);
    }
    expect(inZone.outputs.zoneId).toBe("Z0123456789ABCDEFGHIJ");
  });

  it("with externalDns declares no record and returns them, as a zone file too", () => {
    expect(external.resources.filter((r) => r.type === RECORD)).toEqual([]);
    const zoneFile = String(external.outputs.zoneFile);
    expect(zoneFile).toMatch(/_dmarc\.example\.org\.\s+600\s+IN\s+TXT\s+"v=DMARC1; p=reject/);
    expect(zoneFile).toMatch(/bounce\.example\.org\.\s+600\s+IN\s+MX\s+10 feedback-smtp\.eu-west-1\.amazonses\.com\./);
    expect((external.outputs.records as unknown[]).length).toBe(7);
    expect(external.outputs.zoneId).toBe("");
  });
});

describe("MailMonitoring", async () => {
  const run = await runProgramUnderMocks({
    stack: "test",
    config: {},
    program: () => {
      const m = new MailMonitoring("alerts", { alertEmails: ["ops@example.com"], domains: ["example.com"], regions: ["us-east-1"], smtpUserName: "mail-infra-smtp-x", smtpSecretName: "mail-infra/x/ses-smtp" });
      return { topics: m.alertTopicArns, trail: m.trailArn };
    },
  });

  it("subscribes the address, alarms on the rates and names its resources after the component", () => {
    expect(run.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription").map((r) => r.inputs.endpoint)).toEqual(["ops@example.com"]);
    expect(run.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").length).toBe(4);
    expect(Object.keys(run.outputs.topics as object)).toEqual(["us-east-1"]);
    expect(String((run.outputs.topics as Record<string, string>)["us-east-1"])).toContain("alerts");
    expect(run.outputs.trail).toBe("");
  });
});

describe("MailMonitoring with an existing alerts topic", async () => {
  const TOPIC = "aws:sns/topic:Topic";
  const run = await runProgramUnderMocks({
    stack: "test",
    config: {},
    program: () => {
      // The program's own ops topic, in eu-west-1 (an SES region); us-east-1 (IAM's events) gets a created topic.
      const ops = new aws.sns.Topic("ops", { region: "eu-west-1", name: "ops" });
      const opsArn = ops.id.apply(() => "arn:aws:sns:eu-west-1:123456789012:ops");
      const m = new MailMonitoring("alerts", { alertEmails: ["ops@example.com"], alertTopicArns: { "eu-west-1": opsArn }, domains: ["example.com"], regions: ["eu-west-1"], smtpUserName: "mail-infra-smtp-x", smtpSecretName: "mail-infra/x/ses-smtp" });
      return { topics: m.alertTopicArns, policies: m.alertTopicPolicies };
    },
  });
  const ofRegion = (type: string, region: string) => run.resources.filter((r) => r.type === type && r.inputs.region === region && r.name.startsWith("alerts-"));
  const opsUrn = run.resources.find((r) => r.type === TOPIC && r.name === "ops")!.urn;

  it("declares no topic, topic policy or subscription in the existing topic's region, and the usual ones elsewhere", () => {
    for (const type of [TOPIC, "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription"]) {
      expect(ofRegion(type, "eu-west-1")).toEqual([]);
      expect(ofRegion(type, "us-east-1")).toHaveLength(1);
    }
  });

  it("points the alarms and rules of that region at the existing topic, and waits for it", () => {
    const alarms = ofRegion("aws:cloudwatch/metricAlarm:MetricAlarm", "eu-west-1");
    const targets = ofRegion("aws:cloudwatch/eventTarget:EventTarget", "eu-west-1");
    expect(alarms).toHaveLength(4);
    expect(targets.length).toBeGreaterThan(0);
    for (const a of alarms) {
      expect(a.inputs.alarmActions).toEqual(["arn:aws:sns:eu-west-1:123456789012:ops"]);
      expect(a.propertyDependencies.alarmActions).toContain(opsUrn);
    }
    for (const t of targets) expect(t.inputs.arn).toBe("arn:aws:sns:eu-west-1:123456789012:ops");
  });

  it("returns the policy the existing topic needs: this account's alarms and rules may publish to it", () => {
    const topics = run.outputs.topics as Record<string, string>;
    expect(topics["eu-west-1"]).toBe("arn:aws:sns:eu-west-1:123456789012:ops");
    const policy = JSON.parse((run.outputs.policies as Record<string, string>)["eu-west-1"]) as { Statement: { Sid: string; Principal: { Service: string }; Resource: string; Condition: { ArnEquals: { "aws:SourceArn": string[] } } }[] };
    expect(policy.Statement.map((s) => [s.Sid, s.Principal.Service, s.Resource])).toEqual([
      ["AllowEventBridgeRules", "events.amazonaws.com", "arn:aws:sns:eu-west-1:123456789012:ops"],
      ["AllowReputationAlarms", "cloudwatch.amazonaws.com", "arn:aws:sns:eu-west-1:123456789012:ops"],
    ]);
    const alarmNames = ofRegion("aws:cloudwatch/metricAlarm:MetricAlarm", "eu-west-1").map((a) => String(a.inputs.name));
    expect(policy.Statement[1].Condition.ArnEquals["aws:SourceArn"].map((arn) => arn.split(":alarm:")[1]).sort()).toEqual(alarmNames.sort());
  });
});

describe("snsKmsKeyId as an Output (a key declared in the same program)", async () => {
  const run = await runProgramUnderMocks({
    stack: "test",
    config: {},
    program: () => {
      const key = new aws.kms.Key("sns-key", { description: "SNS topics" });
      const keyArn = key.id.apply(() => "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
      const mail = new MailDomain("mail", { domain: "example.com", regions: ["us-east-1"], externalDns: true, snsKmsKeyId: keyArn });
      new MailMonitoring("alerts", { alertEmails: ["ops@example.com"], domains: ["example.com"], regions: ["us-east-1"], smtpUserName: "u", smtpSecretName: "s", snsKmsKeyId: keyArn }, { dependsOn: [mail] });
      return {};
    },
  });

  it("encrypts the events topic and the alerts topic with it, after the key exists", () => {
    const keyUrn = run.resources.find((r) => r.type === "aws:kms/key:Key")!.urn;
    const topics = run.resources.filter((r) => r.type === "aws:sns/topic:Topic");
    expect(topics).toHaveLength(2);
    for (const t of topics) {
      expect(t.inputs.kmsMasterKeyId).toBe("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
      expect(t.propertyDependencies.kmsMasterKeyId).toContain(keyUrn);
    }
  });
});
