/**
 * Email-address identities under the domain (issue 17): admin@<domain> verified on its own.
 * SES authorises a send from that address against the address identity (it takes precedence
 * over the domain's), so the SMTP user's policy must name it: mail-infra:smtpAddressIdentities
 * (adopt writes it when it finds one). verify names this cause when SES answers 554 naming an
 * address identity.
 */
import { describe, expect, it } from "vitest";
import { type LiveSetup, planAdoption } from "../lib/adopt";
import { ConfigError, validateConfig } from "../lib/config";
import { type Manifest, DISCOVERED_STACK } from "../lib/manifest";
import { deniedAddressIdentity, parseSendDenial } from "../lib/ses-denial";
import { observed } from "../lib/verify/findings";
import { checkSmtpLayer, type SmtpObservations } from "../scripts/verify/layers/smtp/check";
import { expectProgramMatches } from "./adopt/consistency";
import { runWithConfig } from "./helpers/program";
import { evaluatePolicies } from "./verify/iam-evaluator";
import { programManifest } from "./verify/world";

const D = "example.com";
/** SES's SMTP answer when IAM denies the send, as SMTP clients report it (account ids changed). */
const DENIED = "554 Access denied: User `arn:aws:iam::123456789012:user/mail-infra-smtp-prod' is not authorized to perform `ses:SendRawEmail' on resource `arn:aws:ses:us-west-2:123456789012:identity/Admin@example.com'";
const BASE = { domain: D, regions: ["us-east-1", "us-west-2"], senders: [`address=admin@${D}; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1`] };

describe("mail-infra:smtpAddressIdentities", () => {
  it("lets the sender send through each address identity in each SMTP region, and lists its ARN where the grant lists ARNs", async () => {
    const allowed = (policy: string, region: string, address: string) =>
      evaluatePolicies([{ id: "p", document: JSON.parse(policy) }], ["ses:SendRawEmail"], [`arn:aws:ses:${region}:123456789012:identity/admin@${D}`], [{ key: "ses:FromAddress", values: [address] }])[0].decision;
    // With senders the grant names the regions by pattern and the From addresses (lib/iam.ts smtpGrant):
    // the address identity is covered, for the sender's own address only.
    const run = await runWithConfig({ ...BASE, smtpRegions: ["us-east-1", "us-west-2"], smtpAddressIdentities: [`Admin@${D}`] }, "prod");
    const policy = String(run.one("aws:iam/userPolicy:UserPolicy").inputs.policy);
    for (const region of ["us-east-1", "us-west-2"]) expect(allowed(policy, region, `admin@${D}`)).toBe("allowed");
    expect(allowed(policy, "us-east-1", `ceo@${D}`)).toBe("implicitDeny");
    // Without senders (credentials asked for wide) the grant lists every ARN: the address identity's too.
    const wide = { domain: D, regions: ["us-east-1", "us-west-2"], smtpCredentials: "any-address", smtpRegions: ["us-east-1", "us-west-2"] };
    const listed = await runWithConfig({ ...wide, smtpAddressIdentities: [`Admin@${D}`] }, "prod");
    const doc = JSON.parse(String(listed.one("aws:iam/userPolicy:UserPolicy").inputs.policy)) as { Statement: { Resource: string[] }[] };
    expect(doc.Statement[0].Resource).toEqual(expect.arrayContaining([`arn:aws:ses:us-east-1:123456789012:identity/admin@${D}`, `arn:aws:ses:us-west-2:123456789012:identity/admin@${D}`]));
    const without = await runWithConfig(wide, "prod");
    expect(String(without.one("aws:iam/userPolicy:UserPolicy").inputs.policy)).not.toContain(`identity/admin@${D}`);
  });

  it("refuses what is no address of a configured domain", () => {
    expect(() => validateConfig({ ...BASE, smtpAddressIdentities: ["admin@other.org", "not-an-address"] }, "prod")).toThrow(ConfigError);
    try {
      validateConfig({ ...BASE, smtpAddressIdentities: ["admin@other.org", "not-an-address"] }, "prod");
    } catch (e) {
      expect((e as ConfigError).message).toMatch(/smtpAddressIdentities\[0\]: admin@other\.org is not at a configured domain/);
      expect((e as ConfigError).message).toMatch(/smtpAddressIdentities\[1\]: "not-an-address" is not an email address/);
    }
  });
});

/** A two-region live setup with its own MAIL FROM per region (the MAIL FROM rule is not what this file tests). */
function twoRegions(): LiveSetup {
  const regions = ["us-east-1", "us-west-2"];
  const tokens = (r: string) => [1, 2, 3].map((i) => `addr${i}${r.replace(/-/g, "")}`);
  return {
    domain: D,
    regions,
    identities: regions.map((region) => ({ region, dkimTokens: tokens(region), mailFrom: { domain: `bounce-${region}.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE", status: "SUCCESS" } })),
    dns: {
      mode: "route53",
      zoneId: "Z0ADDRESSIDENTITY0001",
      zoneName: D,
      recordSets: regions.flatMap((r) => [
        ...tokens(r).map((t) => ({ name: `${t}._domainkey.${D}`, type: "CNAME", ttl: 600, values: [`${t}.dkim.amazonses.com`] })),
        { name: `bounce-${r}.${D}`, type: "MX", ttl: 600, values: [`10 feedback-smtp.${r}.amazonses.com`] },
      ]),
    },
    sendUsers: [],
  };
}

describe("adopt finds email-address identities under the domain", () => {
  const live = { ...twoRegions(), addressIdentities: [{ region: "us-east-1", address: `admin@${D}` }, { region: "us-west-2", address: `Admin@${D}` }] };
  const plan = planAdoption(live, "prod");

  it("keeps them and lists them in smtpAddressIdentities, with the reason as a risk; the program agrees", async () => {
    expect(plan.config["mail-infra:smtpAddressIdentities"]).toEqual([`admin@${D}`]);
    expect(plan.risks.find((r) => r.startsWith(`admin@${D} is verified as an email-address identity of its own (us-east-1, us-west-2)`))).toMatch(/554 Access denied .*identity\/admin@example\.com\)\. The written config lists it in mail-infra:smtpAddressIdentities/);
    await expectProgramMatches(plan, live);
  });

  it("none found: no key written", () => {
    expect("mail-infra:smtpAddressIdentities" in planAdoption(twoRegions(), "prod").config).toBe(false);
  });
});

describe("verify names an address identity behind a 554", () => {
  it("parses SES's denial: action, resource, the identity and its region", () => {
    expect(parseSendDenial(DENIED)).toEqual({
      principal: "arn:aws:iam::123456789012:user/mail-infra-smtp-prod",
      action: "ses:SendRawEmail",
      resource: `arn:aws:ses:us-west-2:123456789012:identity/Admin@${D}`,
      identity: `admin@${D}`,
      region: "us-west-2",
    });
    // The API's AccessDenied wording too.
    expect(parseSendDenial("User: arn:aws:iam::1:user/u is not authorized to perform: ses:SendRawEmail on resource: arn:aws:ses:us-east-1:1:identity/example.com")?.identity).toBe(D);
    expect(deniedAddressIdentity(DENIED, [D])?.address).toBe(`admin@${D}`);
    // A denial on the domain identity or on another domain's address is not this cause.
    expect(deniedAddressIdentity(DENIED.replace(`identity/Admin@${D}`, `identity/${D}`), [D])).toBeUndefined();
    expect(deniedAddressIdentity(DENIED.replace(`Admin@${D}`, "someone@gmail.com"), [D])).toBeUndefined();
  });

  const sendTest = (m: Manifest, message: string) => {
    const obs: SmtpObservations = {
      secret: { ok: false, reason: "error", message: "not read" },
      accessKeys: { ok: false, reason: "error", message: "not read" },
      lastUsed: new Map(),
      auth: new Map(),
      simulations: [],
      sendTest: new Map([["us-west-2", observed({ code: 554, ms: 40, message })]]),
    };
    const f = checkSmtpLayer(m, obs).find((x) => x.id === "smtp.send-test");
    if (!f) throw new Error("no smtp.send-test finding");
    return f;
  };

  it("a 554 on an address identity of the domain: that cause, and the fix of the mode", async () => {
    const m = await programManifest();
    const f = sendTest(m, DENIED);
    expect([f.status, f.summary]).toEqual(["fail", `refused (554): SES authorised the send against the email-address identity admin@${D} (us-west-2), which the SMTP user's policy does not name`]);
    expect(f.remediation).toMatch(/^Add admin@example\.com to mail-infra:smtpAddressIdentities and run `pulumi up`.*aws sesv2 delete-email-identity --email-identity admin@example\.com --region us-west-2/);
    const discovered = sendTest({ ...m, stack: DISCOVERED_STACK }, DENIED);
    expect(discovered.remediation).toMatch(/^Add arn:aws:ses:us-west-2:123456789012:identity\/Admin@example\.com to the Resource list of the SMTP user's send policy/);
    // Any other refusal keeps the generic wording.
    expect(sendTest(m, "554 Message rejected: Email address is not verified.").summary).toBe("refused (554)");
  });
});
