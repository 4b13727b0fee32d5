import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { route53TxtValue } from "../../../lib/records";
import { disallowTooManySpfLookups as policy } from "../../../policies/route53/Record/disallowTooManySpfLookups";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, ZONE_ID } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const txt = (name: string, value: string) =>
  entry(aws.route53.Record, `txt-${name}`, { zoneId: ZONE_ID, name, fqdn: name, type: "TXT", records: [route53TxtValue(value)] });
const setApex = (stack: ReturnType<typeof goodStack>, value: string) => {
  find(stack, "record-spf").props.records = [route53TxtValue(value)];
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes the stack's own records (includes outside the stack count as 1)", async () => {
    const stack = goodStack(["us-east-1"], { spfMechanisms: ["include:_spf.google.com", "mx", "a"] });
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("leaves more than 10 lookup terms in the record itself to the resource policy (it can block before the record exists)", async () => {
    const stack = goodStack();
    const includes = Array.from({ length: 9 }, (_, i) => `include:spf${i}.vendor.example`);
    setApex(stack, `v=spf1 a mx ${includes.join(" ")} ~all`);
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("counts through includes declared in the stack, and names the one that spends the budget", async () => {
    const stack = goodStack();
    setApex(stack, "v=spf1 include:_spf.example.com ~all");
    stack.push(txt("_spf.example.com", `v=spf1 ${Array.from({ length: 10 }, (_, i) => `a:h${i}.example.com`).join(" ")} -all`));
    const { violations } = await run(stack);
    expect(violations.map((v) => v.message)).toEqual([expect.stringMatching(/needs 11 DNS lookups.*"include:_spf\.example\.com" costs 11 of your 10 lookups/)]);
    expect(violations[0].message).not.toContain("not declared in this stack");
  });

  it("fails more than 2 void lookups (a permerror, as verify's dns.spf.void), not 2", async () => {
    const stack = goodStack();
    setApex(stack, "v=spf1 include:v1.example.com include:v2.example.com include:v3.example.com ~all");
    // Declared in the stack with no TXT value: a NODATA answer, so each include is a void lookup.
    for (const n of ["v1", "v2", "v3"]) stack.push(entry(aws.route53.Record, `txt-${n}`, { zoneId: ZONE_ID, name: `${n}.example.com`, fqdn: `${n}.example.com`, type: "TXT", records: [] }));
    const { violations } = await run(stack);
    expect(violations.map((v) => [v.urn, v.message])).toEqual([[urnOf(find(stack, "record-spf")), expect.stringMatching(/makes 3 lookups that return no answer .*permerror after 2 \(RFC 7208 4\.6\.4\)/)]]);

    setApex(stack, "v=spf1 include:v1.example.com include:v2.example.com ~all");
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails an include loop inside the stack", async () => {
    const stack = goodStack();
    setApex(stack, "v=spf1 include:_spf.example.com ~all");
    stack.push(txt("_spf.example.com", "v=spf1 include:example.com -all"));
    // Both records are in the loop, so each is reported.
    expect((await run(stack)).violations).toEqual([
      { urn: urnOf(find(stack, "record-spf")), message: expect.stringContaining("(example.com → _spf.example.com → example.com)") },
      { urn: urnOf(find(stack, "txt-_spf.example.com")), message: expect.stringContaining("(_spf.example.com → example.com → _spf.example.com)") },
    ]);
  });

  it("leaves two SPF records at one name to the multiple-SPF policy", async () => {
    const stack = goodStack();
    stack.push(txt("example.com", `v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.example.com`).join(" ")} -all`));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("says it could not count through records unknown during preview", async () => {
    const stack = goodStack();
    find(stack, "record-spf").props.records = [UNKNOWN];
    expect(await run(stack)).toEqual({
      violations: [],
      notChecked: "not checked at preview: the lookups through TXT records whose name or value is unknown (record-spf)",
    });
  });

  it("does not apply to a stack without SPF records", async () => {
    const stack = goodStack(["us-east-1"], { dnsMode: "external" }).filter((e) => e.type !== "mail-infra:ses:MailDomain");
    expect((await run(stack)).notApplicable).toBe("The stack declares no SPF record.");
  });
});
