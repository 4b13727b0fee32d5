/**
 * MailDomain's DNS choices under mocks: an existing zone passed as an Output (a zone declared in
 * the same program), a zone by name, and external DNS (no Route 53 resource; the records and a
 * zone file as outputs). MailMonitoring's resources are named after the component.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { MailDomain, MailMonitoring } from "../../packages/mail-infra";
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
