/**
 * The component package's inputs are checked by the stack's own validator (lib/config.ts), and
 * every problem is reported under the input the caller wrote (issue 23): never a `mail-infra:`
 * config key, in the input's name or in the message.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidInputsError, MailDomain, type MailDomainArgs, MailMonitoring, type MailMonitoringArgs, SmtpRelay, type SmtpRelayArgs } from "../../packages/mail-infra/index";
import { inputName } from "../../packages/mail-infra/inputs";
import { mockState } from "../../scripts/lib/mock-program";
import { docOutput } from "../docs/doc-examples";

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, ...mockState(a.type, a.name, a.inputs as Record<string, unknown>, "test") } }),
      call: (a) => (a.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: "123456789012" } : {}),
    },
    "mail-infra",
    "test",
  );
});

/** The issues a constructor is refused with; fails when it is accepted. */
function refusal(construct: () => unknown): { input: string; message: string }[] {
  try {
    construct();
  } catch (e) {
    if (e instanceof InvalidInputsError) {
      for (const i of e.issues) expect(`${i.input} ${i.message}`).not.toMatch(/mail-infra:|pulumi config/);
      return e.issues.map((i) => ({ input: i.input, message: i.message }));
    }
    throw e;
  }
  throw new Error("expected the inputs to be refused");
}

const DOMAIN: MailDomainArgs = { domain: "example.com", regions: ["us-east-1", "eu-west-1"] };
const domain = (over: Partial<MailDomainArgs>) => () => new MailDomain("mail", { ...DOMAIN, ...over });

describe("MailDomain inputs", () => {
  it("accepts the minimal inputs", () => {
    expect(domain({})()).toBeInstanceOf(MailDomain);
  });

  it("names a bad enumerated setting by its input", () => {
    const issues = refusal(domain({ dmarcPolicy: "rejct" }));
    expect(issues.map((i) => i.input)).toEqual(["dmarcPolicy"]);
    expect(issues[0].message).toMatch(/none, quarantine or reject|quarantine/);
  });

  it("names a map entry by its key, and other inputs in the message by their names", () => {
    const issues = refusal(domain({ regionalMailFromSubdomains: { "us-west-2": "bounce-usw2" } }));
    expect(issues).toEqual([{ input: 'regionalMailFromSubdomains["us-west-2"]', message: expect.stringContaining("not in regions (us-east-1, eu-west-1)") }]);
  });

  it("checks a plain snsKmsKeyId by the stack's rule, under its own name", () => {
    expect(domain({ snsKmsKeyId: "alias/mail-sns" })()).toBeInstanceOf(MailDomain);
    // Two regions: a key ARN of one region cannot encrypt the other region's events topic.
    const issues = refusal(domain({ snsKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }));
    expect(issues).toEqual([{ input: "snsKmsKeyId", message: expect.stringContaining("SNS topics in eu-west-1 too") }]);
  });

  it("the error a library user sees: every problem under its input (docs/component.md prints it)", async () => {
    let message = "";
    try {
      new MailDomain("mail", { domain: "example.com", regions: ["us-east-1"], dmarcPolicy: "rejct", regionalMailFromSubdomains: { "us-west-2": "bounce-usw2" } });
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputsError);
      message = (e as Error).message;
    }
    expect(message, "the inputs were accepted").not.toBe("");
    await docOutput("component-invalid-inputs", `${message}\n`);
  });

  it("names zoneId or zoneName, whichever was given", () => {
    expect(refusal(domain({ zoneId: "not a zone" })).map((i) => i.input)).toEqual(["zoneId"]);
    expect(refusal(domain({ zoneName: "example.org" })).map((i) => i.input)).toEqual(["zoneName"]);
  });

  it("reports every problem at once, before any resource", () => {
    const issues = refusal(domain({ dmarcPercent: 101, dnsTtl: 5, spfMechanisms: ["include:_spf.google.com", "-all"] }));
    expect(issues.map((i) => i.input).sort()).toEqual(["dmarcPercent", "dnsTtl", "spfMechanisms[1]"]);
  });

  it("requires domain and regions, by name", () => {
    expect(refusal(() => new MailDomain("m", { domain: "", regions: [] }))).toEqual([
      { input: "domain", message: "is required." },
      { input: "regions", message: "is required." },
    ]);
  });

  it("refuses an Output where the input decides the resources (a secret or another resource's value)", () => {
    const issues = refusal(() => new MailDomain("m", { ...DOMAIN, domain: pulumi.secret("example.com") as unknown as string }));
    expect(issues).toEqual([{ input: "domain", message: expect.stringContaining("must be a plain value") }]);
  });
});

const RELAY: SmtpRelayArgs = { domains: ["example.com"], regions: ["us-east-1"], allowedFromAddresses: ["app@example.com"] };
const relay = (over: Partial<SmtpRelayArgs>) => () => new SmtpRelay("smtp", { ...RELAY, ...over });

describe("SmtpRelay inputs", () => {
  it("accepts the minimal inputs", () => {
    expect(relay({})()).toBeInstanceOf(SmtpRelay);
  });

  it("refuses a relay with no address it may send as (no credentials that could send as anyone)", () => {
    expect(refusal(relay({ allowedFromAddresses: [] }))).toEqual([{ input: "senders", message: expect.stringContaining("needs at least one address it may send as") }]);
  });

  it("names a sender by its index and the rotation inputs by their names", () => {
    const issues = refusal(relay({ senders: [{ address: "admin@example.com", kind: "gmail", region: "us-east-1" }], previousKey: "inactive" }));
    expect(issues.map((i) => i.input).sort()).toEqual(["previousKey", "senders[0]"]);
    expect(issues.find((i) => i.input === "previousKey")?.message).toMatch(/but keyGeneration is 1.*Remove previousKey/);
  });

  it("names a KMS key in another region by secretKmsKeyId", () => {
    const issues = refusal(relay({ secretKmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }));
    expect(issues.map((i) => i.input)).toEqual(["secretKmsKeyId"]);
  });

  it("refuses a From address outside the domains, under allowedFromAddresses", () => {
    expect(refusal(relay({ allowedFromAddresses: ["ops@example.org"] })).map((i) => i.input)).toEqual(["allowedFromAddresses[0]"]);
  });
});

const MONITORING: MailMonitoringArgs = { alertEmails: ["ops@example.com"], domains: ["example.com"], regions: ["us-east-1"], smtpUserName: "mail-infra-smtp-smtp", smtpSecretName: "mail-infra/smtp/ses-smtp" };

describe("MailMonitoring inputs", () => {
  it("accepts the minimal inputs", () => {
    expect(new MailMonitoring("alerts", MONITORING)).toBeInstanceOf(MailMonitoring);
  });

  it("names thresholds out of order by the warning input", () => {
    const issues = refusal(() => new MailMonitoring("alerts", { ...MONITORING, bounceRateWarning: "6%" }));
    expect(issues.map((i) => i.input)).toEqual(["bounceRateWarning"]);
  });

  it("names an address that is not one", () => {
    expect(refusal(() => new MailMonitoring("alerts", { ...MONITORING, alertEmails: ["ops"] })).map((i) => i.input)).toEqual(["alertEmails[0]"]);
  });

  const TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alerts";
  const existing = (over: Partial<MailMonitoringArgs>) => () => new MailMonitoring("alerts", { ...MONITORING, alertEmails: undefined, alertTopicArns: { "us-east-1": TOPIC }, ...over });

  it("takes an existing topic for every region without alertEmails", () => {
    expect(existing({})()).toBeInstanceOf(MailMonitoring);
    expect(existing({ alertTopicArns: { "us-east-1": pulumi.output(TOPIC) } })()).toBeInstanceOf(MailMonitoring);
  });

  it("counts an entry without a value (a Python None) as no topic", () => {
    const none = { "us-east-1": undefined } as unknown as Record<string, string>;
    expect(refusal(existing({ alertTopicArns: none })).map((i) => i.input)).toEqual(["alertEmails"]);
    expect(new MailMonitoring("alerts", { ...MONITORING, alertTopicArns: none })).toBeInstanceOf(MailMonitoring);
  });

  it("names the entry of a topic in another region, and of a region without alerts", () => {
    const issues = refusal(existing({ alertTopicArns: { "us-east-1": "arn:aws:sns:eu-west-1:123456789012:ops-alerts", "eu-central-1": TOPIC } }));
    expect(issues).toEqual([
      { input: 'alertTopicArns["us-east-1"]', message: expect.stringContaining("is in eu-west-1, not us-east-1") },
      { input: 'alertTopicArns["eu-central-1"]', message: expect.stringContaining("is in us-east-1, not eu-central-1") },
      { input: 'alertTopicArns["eu-central-1"]', message: expect.stringContaining('region "eu-central-1" has no alerts') },
    ]);
  });

  it("requires alertEmails while some region's topic is created, and refuses them (and a key) when none is", () => {
    const partial = refusal(() => new MailMonitoring("alerts", { ...MONITORING, regions: ["eu-west-1"], alertEmails: undefined, alertTopicArns: { "eu-west-1": "arn:aws:sns:eu-west-1:123456789012:ops" } }));
    expect(partial).toEqual([{ input: "alertEmails", message: expect.stringContaining("the alerts of us-east-1 go to a topic this component creates") }]);
    expect(refusal(existing({ alertEmails: ["ops@example.com"], snsKmsKeyId: "alias/mail-sns" })).map((i) => i.input)).toEqual(["alertEmails", "snsKmsKeyId"]);
  });

  it("reports a bad threshold and a bad topic at once", () => {
    expect(refusal(existing({ bounceRateWarning: "6%", alertTopicArns: { "us-east-1": "ops" } })).map((i) => i.input)).toEqual(["bounceRateWarning", 'alertTopicArns["us-east-1"]']);
  });

  it("refuses the map as one Output: its regions decide which topics exist", () => {
    expect(refusal(existing({ alertTopicArns: pulumi.output({ "us-east-1": TOPIC }) as unknown as Record<string, string> })).map((i) => i.input)).toEqual(["alertTopicArns"]);
  });

  it("checks snsKmsKeyId by the stack's rule, under its own name", () => {
    expect(new MailMonitoring("alerts", { ...MONITORING, snsKmsKeyId: "alias/mail-sns" })).toBeInstanceOf(MailMonitoring);
    const issues = refusal(() => new MailMonitoring("alerts", { ...MONITORING, snsKmsKeyId: "alias/aws/sns" }));
    expect(issues).toEqual([{ input: "snsKmsKeyId", message: expect.stringContaining("AWS-managed key of SNS") }]);
  });
});

describe("inputName", () => {
  it("maps config keys, entries and map entries", () => {
    const names = { smtpUserName: "userName", regionalMailFromSubdomains: (i: number | undefined) => (i === 1 ? 'r["b"]' : "r") };
    expect(inputName("mail-infra:smtpUserName", names)).toBe("userName");
    expect(inputName("mail-infra:senders[2]", names)).toBe("senders[2]");
    expect(inputName("mail-infra:regionalMailFromSubdomains[1]", names)).toBe('r["b"]');
  });
});
