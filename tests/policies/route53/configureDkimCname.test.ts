import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureDkimCname as policy } from "../../../policies/route53/Record/configureDkimCname";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, ZONE_ID } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes CNAMEs for each region's tokens, to the global and a regional signing host", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    expect(find(stack, "record-dkim-eu-south-1-1").props.records).toEqual(["tokenddd4.dkim.eu-south-1.amazonses.com"]);
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails a CNAME that points at the global host for a regional-host region", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    const cname = find(stack, "record-dkim-eu-south-1-1");
    cname.props.records = ["tokenddd4.dkim.amazonses.com"];
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(cname),
        message:
          'tokenddd4._domainkey.example.com points at "tokenddd4.dkim.amazonses.com", but the DKIM token tokenddd4 of example.com in eu-south-1 must point at tokenddd4.dkim.eu-south-1.amazonses.com.',
      },
    ]);
  });

  it("fails a CNAME whose target names another token", async () => {
    const stack = goodStack();
    find(stack, "record-dkim-us-east-1-2").props.records = ["tokenaaa1.dkim.amazonses.com"];
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("the DKIM token tokenbbb2 of example.com in us-east-1 must point at tokenbbb2.dkim.amazonses.com")]);
  });

  it("fails a CNAME named after a token the identity does not have", async () => {
    const stack = goodStack();
    const stale = entry(aws.route53.Record, "stale", { zoneId: ZONE_ID, name: "oldtoken._domainkey.example.com", fqdn: "oldtoken._domainkey.example.com", type: "CNAME", records: ["oldtoken.dkim.amazonses.com"] });
    stack.push(stale);
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(stale),
        message: expect.stringContaining("its token is not one of the Easy DKIM tokens of example.com (us-east-1: tokenaaa1, tokenbbb2, tokenccc3)"),
      },
    ]);
  });

  it("leaves other providers' DKIM CNAMEs alone", async () => {
    const stack = goodStack();
    stack.push(entry(aws.route53.Record, "sendgrid", { zoneId: ZONE_ID, name: "s1._domainkey.example.com", type: "CNAME", records: ["s1.domainkey.u1.wl.sendgrid.net"] }));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("says it could not check while the tokens are unknown (first preview)", async () => {
    const stack = goodStack();
    (find(stack, "identity-us-east-1").props.dkimSigningAttributes as Record<string, unknown>).tokens = UNKNOWN;
    find(stack, "record-dkim-us-east-1-1").props.records = ["wrong.dkim.amazonses.com"];
    const outcome = await run(stack);
    expect(outcome.violations).toEqual([]);
    expect(outcome.notChecked).toMatch(/^not checked at preview: tokenaaa1\._domainkey\.example\.com: the DKIM tokens of example\.com are unknown until SES creates the identity; /);
  });

  it("checks the CNAMEs it can and names the ones whose name is unknown", async () => {
    const stack = goodStack();
    find(stack, "record-dkim-us-east-1-1").props.name = UNKNOWN;
    find(stack, "record-dkim-us-east-1-1").props.fqdn = UNKNOWN;
    find(stack, "record-dkim-us-east-1-2").props.records = ["wrong.dkim.amazonses.com"];
    const outcome = await run(stack);
    expect(outcome.violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "record-dkim-us-east-1-2"))]);
    expect(outcome.notChecked).toBe(
      "not checked at preview: 1 CNAME record whose name or target is unknown until SES issues the DKIM tokens (record-dkim-us-east-1-1)",
    );
  });

  it("does not apply without Easy DKIM identities", async () => {
    const stack = goodStack();
    (find(stack, "identity-us-east-1").props.dkimSigningAttributes as Record<string, unknown>).domainSigningSelector = "s1";
    expect((await run(stack)).notApplicable).toBe("The stack has no Easy DKIM domain identity.");
  });
});
