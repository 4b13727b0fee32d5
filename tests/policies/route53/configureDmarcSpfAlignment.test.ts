import { describe, expect, it } from "vitest";
import { configureDmarcSpfAlignment as policy } from "../../../policies/route53/Record/configureDmarcSpfAlignment";
import { expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes relaxed SPF alignment, and strict DKIM alignment (SES signs as the domain itself)", async () => {
    expect(await run(goodStack(["us-east-1", "eu-south-1"], { dmarcAdkim: "s" }))).toEqual({ violations: [] });
  });

  it("fails aspf=s: the MAIL FROM subdomain never aligns, once per MAIL FROM", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"], { dmarcAspf: "s" });
    const dmarc = find(stack, "record-dmarc");
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(dmarc),
        message:
          "The DMARC record at _dmarc.example.com sets aspf=s, but example.com sends with the MAIL FROM bounce.example.com in us-east-1, a subdomain: under strict alignment SPF never aligns, so DMARC passes only when DKIM does. Use aspf=r.",
      },
      { urn: urnOf(dmarc), message: expect.stringContaining("the MAIL FROM bounce-eu-south-1.example.com in eu-south-1") },
    ]);
  });

  it("leaves a domain without custom MAIL FROM to the missing-mail-from policy", async () => {
    expect(await run(without(goodStack(["us-east-1"], { dmarcAspf: "s" }), "mail-from-us-east-1"))).toEqual({ violations: [] });
  });

  it("says what it could not check when a TXT record is unknown (preview)", async () => {
    const stack = goodStack(["us-east-1"], { dmarcAspf: "s" });
    find(stack, "record-dmarc").props.name = UNKNOWN;
    find(stack, "record-dmarc").props.fqdn = UNKNOWN;
    expect(await run(stack)).toEqual({ violations: [], notChecked: "not checked at preview: TXT records whose name or value is unknown could hold a DMARC record (record-dmarc)" });
  });

  it("does not apply to a stack without a domain identity", async () => {
    expect((await run(without(goodStack(), "identity-us-east-1"))).notApplicable).toBe("The stack has no SES domain identity.");
  });
});
