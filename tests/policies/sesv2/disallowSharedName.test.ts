import { describe, expect, it } from "vitest";
import { disallowSharedName as policy } from "../../../policies/sesv2/EmailIdentityMailFromAttributes/disallowSharedName";
import { expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, otherDomain, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes two domains with a MAIL FROM each, in their own zones", async () => {
    const b = otherDomain("example.org", "b");
    for (const e of b) if (e.props.zoneId) e.props.zoneId = "ZOTHERZONE0000000000";
    expect(await run([...goodStack(["us-east-1", "eu-south-1"]), ...b])).toEqual({ violations: [] });
  });

  it("fails a MAIL FROM that is another sending domain of the stack", async () => {
    const stack = [...goodStack(), ...otherDomain("bounce.example.com", "b")];
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "mail-from-us-east-1")),
        message: expect.stringMatching(/^The MAIL FROM of example\.com is bounce\.example\.com, which is itself a sending domain of this stack/),
      },
    ]);
  });

  it("fails one MAIL FROM shared by two domains, once for each", async () => {
    const stack = [...goodStack(), ...otherDomain("example.org", "b")];
    find(stack, "b-mail-from-us-east-1").props.mailFromDomain = "bounce.example.com";
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([
      "bounce.example.com is the MAIL FROM of example.com and example.org: each declares the MX and SPF record set at that one name, so they collide. Give each domain its own MAIL FROM under itself (for example.com, mailfrom.example.com is free).",
      "bounce.example.com is the MAIL FROM of example.org and example.com: each declares the MX and SPF record set at that one name, so they collide. Give each domain its own MAIL FROM under itself (for example.org, bounce.example.org is free).",
    ]);
  });

  it("fails a MAIL FROM whose records are declared in two hosted zones", async () => {
    const stack = goodStack();
    find(stack, "record-mail-from-spf-us-east-1").props.zoneId = "ZSUBZONE000000000000";
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^Records of the MAIL FROM bounce\.example\.com are declared in 2 hosted zones \(Z0123456789ABCDEFGHIJ: record-mail-from-mx-us-east-1; ZSUBZONE000000000000: record-mail-from-spf-us-east-1\)/),
    ]);
  });

  it("does not apply without a custom MAIL FROM", async () => {
    expect((await run(without(goodStack(), "mail-from-us-east-1"))).notApplicable).toBe("The stack has no custom MAIL FROM domain.");
  });
});

describe(`${policy.name} at preview`, () => {
  it("names the MAIL FROM settings and records it could not see", async () => {
    const stack = goodStack();
    find(stack, "mail-from-us-east-1").props.mailFromDomain = UNKNOWN;
    find(stack, "record-mail-from-mx-us-east-1").props.name = UNKNOWN;
    find(stack, "record-mail-from-mx-us-east-1").props.fqdn = UNKNOWN;
    expect(await run(stack)).toEqual({
      violations: [],
      notChecked: "not checked at preview: 1 MAIL FROM setting whose domain is unknown; whether the MX and TXT records whose name is unknown sit in another zone (record-mail-from-mx-us-east-1)",
    });
  });
});
