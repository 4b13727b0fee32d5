/**
 * The component package's inputs are checked by the stack's own validator (lib/config.ts), and
 * every problem is reported under the input the caller wrote (issue 23): never a `mail-infra:`
 * config key, in the input's name or in the message.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidInputsError, MailDomain, type MailDomainArgs, MailMonitoring, type MailMonitoringArgs, SmtpRelay, type SmtpRelayArgs } from "../../packages/mail-infra";
import { inputName } from "../../packages/mail-infra/inputs";
import { mockState } from "../../scripts/lib/mock-program";
import { OUTPUTS } from "../docs/doc-examples";

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

  it("the error a library user sees: every problem under its input (docs/component.md prints it)", async () => {
    let message = "";
    try {
      new MailDomain("mail", { domain: "example.com", regions: ["us-east-1"], dmarcPolicy: "rejct", regionalMailFromSubdomains: { "us-west-2": "bounce-usw2" } });
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputsError);
      message = (e as Error).message;
    }
    expect(message, "the inputs were accepted").not.toBe("");
    await expect(`${message}\n`).toMatchFileSnapshot(join(OUTPUTS, "component-invalid-inputs.txt"));
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
});

describe("inputName", () => {
  it("maps config keys, entries and map entries", () => {
    const names = { smtpUserName: "userName", regionalMailFromSubdomains: (i: number | undefined) => (i === 1 ? 'r["b"]' : "r") };
    expect(inputName("mail-infra:smtpUserName", names)).toBe("userName");
    expect(inputName("mail-infra:senders[2]", names)).toBe("senders[2]");
    expect(inputName("mail-infra:regionalMailFromSubdomains[1]", names)).toBe('r["b"]');
  });
});
