import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { route53TxtValue } from "../../../lib/records";
import { missingIdentityRecords as policy } from "../../../policies/route53/Record/missingIdentityRecords";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { DOMAIN, find, goodStack, without, ZONE_ID } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const messages = async (entries: Parameters<typeof stackArgs>[0]) => (await run(entries)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes a stack that declares every record", async () => {
    expect(await run(goodStack(["us-east-1", "eu-south-1"]))).toEqual({ violations: [] });
  });

  it("fails missing DKIM CNAMEs, naming them, on the identity", async () => {
    const stack = without(goodStack(), "record-dkim-us-east-1-1", "record-dkim-us-east-1-3");
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "identity-us-east-1")),
        message:
          "example.com in us-east-1 is missing the Easy DKIM CNAMEs tokenaaa1._domainkey.example.com, tokenccc3._domainkey.example.com in this stack. If these records are kept in another DNS provider, tag the identity mail-infra:dns=external (mail-infra:dnsMode external).",
      },
    ]);
  });

  it("fails a missing MAIL FROM MX", async () => {
    expect(await messages(without(goodStack(), "record-mail-from-mx-us-east-1"))).toEqual([
      expect.stringContaining("is missing the MAIL FROM MX bounce.example.com → 10 feedback-smtp.us-east-1.amazonses.com in this stack"),
    ]);
  });

  it("fails a missing MAIL FROM SPF record, and one that does not include SES", async () => {
    expect(await messages(without(goodStack(), "record-mail-from-spf-us-east-1"))).toEqual([expect.stringContaining('the MAIL FROM SPF record at bounce.example.com ("v=spf1 include:amazonses.com ~all")')]);
    const stack = goodStack();
    find(stack, "record-mail-from-spf-us-east-1").props.records = ["v=spf1 -all"];
    expect(await messages(stack)).toEqual([expect.stringContaining("an SPF record at bounce.example.com that includes amazonses.com (the declared one does not authorise SES)")]);
  });

  it("fails a missing DMARC record once per domain", async () => {
    const found = await messages(without(goodStack(["us-east-1", "eu-south-1"]), "record-dmarc"));
    expect(found).toEqual([expect.stringContaining(`is missing a DMARC record at _dmarc.${DOMAIN} in this stack`)]);
  });

  it("accepts the organisational domain's DMARC record for a subdomain identity", async () => {
    const stack = goodStack();
    const identity = find(stack, "identity-us-east-1");
    stack.push(entry(aws.sesv2.EmailIdentity, "sub", { ...identity.props, emailIdentity: "news.example.com", dkimSigningAttributes: { domainSigningSelector: "s1" } }));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("exempts identities tagged external whose records the stack does not list", async () => {
    const stack = goodStack(["us-east-1"], { dnsMode: "external" }).filter((e) => e.type !== "mail-infra:ses:MailDomain");
    expect(stack.some((e) => e.type === "aws:route53/record:Record")).toBe(false);
    expect((await run(stack)).notApplicable).toBe("The stack has no SES domain identity whose records it should declare.");
  });

  it("checks external-DNS identities against the records their MailDomain lists for publishing", async () => {
    expect(await run(goodStack(["us-east-1"], { dnsMode: "external" }))).toEqual({ violations: [] });
  });

  it("checks identities without the mode tag (records expected in the stack)", async () => {
    const stack = without(goodStack(), "record-dmarc");
    delete find(stack, "identity-us-east-1").props.tags;
    expect((await run(stack)).violations).toHaveLength(1);
  });

  it("names what an unknown record could be instead of reporting it missing (first preview)", async () => {
    const unknownRecord = without(goodStack(), "record-dmarc");
    find(unknownRecord, "record-spf").props.name = UNKNOWN;
    find(unknownRecord, "record-spf").props.fqdn = UNKNOWN;
    expect(await run(unknownRecord)).toEqual({
      violations: [],
      notChecked: "not checked at preview: a DMARC record at _dmarc.example.com may be one of the TXT records whose name or value is unknown (record-spf)",
    });

    const unknownTokens = without(goodStack(), "record-dkim-us-east-1-1");
    (find(unknownTokens, "identity-us-east-1").props.dkimSigningAttributes as Record<string, unknown>).tokens = UNKNOWN;
    expect(await run(unknownTokens)).toEqual({
      violations: [],
      notChecked: "not checked at preview: the Easy DKIM CNAMEs of example.com in us-east-1 (its DKIM tokens are unknown until SES creates the identity)",
    });
  });

  it("still reports a record no unknown record could be: an unknown CNAME is not a missing DMARC TXT", async () => {
    const stack = without(goodStack(), "record-dmarc");
    find(stack, "record-dkim-us-east-1-1").props.name = UNKNOWN;
    find(stack, "record-dkim-us-east-1-1").props.fqdn = UNKNOWN;
    const outcome = await run(stack);
    expect(outcome.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^example\.com in us-east-1 is missing a DMARC record at _dmarc\.example\.com in this stack/)]);
    expect(outcome.notChecked).toMatch(/^not checked at preview: the Easy DKIM CNAME tokenaaa1\._domainkey\.example\.com may be one of the CNAME records whose name or value is unknown \(record-dkim-us-east-1-1\)$/);
  });

  it("reads Route 53 TXT values split the provider's way", async () => {
    const stack = goodStack();
    const long = `v=DMARC1; p=none; rua=${Array.from({ length: 12 }, (_, i) => `mailto:dmarc-reports-${i}@example.com`).join(",")}`;
    find(stack, "record-dmarc").props.records = [route53TxtValue(long)];
    expect(route53TxtValue(long)).toContain('""');
    expect(await run(stack)).toEqual({ violations: [] });
    expect(ZONE_ID).toMatch(/^Z/);
  });
});
