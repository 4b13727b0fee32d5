import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowInvalidSpf } from "../../../policies/route53/Record/disallowInvalidSpf";
import { disallowSpfLargeNetwork } from "../../../policies/route53/Record/disallowSpfLargeNetwork";
import { disallowSpfWideNetwork } from "../../../policies/route53/Record/disallowSpfWideNetwork";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps, UNKNOWN } from "../harness";

const args = (...values: string[]) => resourceArgs(aws.route53.Record, txtRecordProps("example.com", ...values));

describe(disallowSpfWideNetwork.name, () => {
  const run = (...values: string[]) => runResourcePolicy(disallowSpfWideNetwork, args(...values));
  it("has the pack's metadata", () => expectPolicyShape(disallowSpfWideNetwork, "mandatory"));

  it("passes a provider's ranges and narrow a/mx prefixes", async () => {
    expect(await run("v=spf1 ip4:54.240.0.0/18 ip6:2001:4860:4000::/36 a/24 mx//64 ~all")).toEqual({ violations: [] });
  });

  it.each([
    ["ip4:0.0.0.0/0", "spf-ip-whole-internet"],
    ["ip4:10.0.0.0/7", "spf-wide-network"],
    ["ip6:2000::/3", "spf-wide-network"],
    ["a/4", "spf-wide-network"],
    ["mx//0", "spf-ip-whole-internet"],
  ])("fails %s (%s)", async (term, code) => {
    const { violations } = await run(`v=spf1 ${term} ~all`);
    expect(violations.map((v) => v.message)).toEqual([expect.stringContaining(`The SPF record at example.com (${code}): "${term}"`)]);
  });

  it("leaves failing and neutral networks alone: they authorise nobody", async () => {
    expect(await run("v=spf1 -ip4:0.0.0.0/1 ?a/4 ~all")).toEqual({ violations: [] });
  });

  it("is reported here, not again as invalid SPF", async () => {
    expect((await runResourcePolicy(disallowInvalidSpf, args("v=spf1 ip4:0.0.0.0/0 ip4:10.0.0.0/7 ~all"))).violations).toEqual([]);
  });

  it("says what it could not check when the record's values are unknown (preview)", async () => {
    const a = resourceArgs(aws.route53.Record, { ...txtRecordProps("example.com"), records: UNKNOWN as unknown as string[] });
    expect((await runResourcePolicy(disallowSpfWideNetwork, a)).notChecked).toMatch(/^not checked at preview: test: \.records is unknown/);
  });
});

describe(disallowSpfLargeNetwork.name, () => {
  const run = (...values: string[]) => runResourcePolicy(disallowSpfLargeNetwork, args(...values));
  it("has the pack's metadata", () => expectPolicyShape(disallowSpfLargeNetwork, "advisory"));

  it("passes /16 and narrower (IPv6 /32 and narrower)", async () => {
    expect(await run("v=spf1 ip4:74.125.0.0/16 ip6:2001:db8::/32 a/24 ~all")).toEqual({ violations: [] });
  });

  it.each([
    ["a/8", /a \/8 IPv4 network around each address the name resolves to \(16,777,216 addresses\)/],
    ["mx//16", /a \/16 IPv6 network around each address of the name's MX hosts/],
    ["ip4:52.0.0.0/10", /wider than \/16/],
    ["ip6:2600:1f00::/24", /wider than \/32/],
  ])("fails %s", async (term, message) => {
    const { violations } = await run(`v=spf1 ${term} ~all`);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toMatch(message);
  });

  it("leaves the networks wider than a registry's block to the mandatory policy", async () => {
    expect(await run("v=spf1 ip4:10.0.0.0/7 ~all")).toEqual({ violations: [] });
  });
});
