import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowTooManySpfTerms as policy } from "../../../policies/route53/Record/disallowTooManySpfTerms";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps, UNKNOWN } from "../harness";

const run = (...values: string[]) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps("example.com", ...values)));
const includes = (n: number) => Array.from({ length: n }, (_, i) => `include:spf${i}.vendor.example`).join(" ");

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes 10 lookup terms (ip4/ip6/all cost nothing)", async () => {
    expect(await run(`v=spf1 a mx ip4:192.0.2.0/24 ${includes(8)} ~all`)).toEqual({ violations: [] });
  });

  it("fails 11 lookup terms in the record itself, saying the includes were not followed", async () => {
    const { violations } = await run(`v=spf1 a mx ${includes(9)} ~all`);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toMatch(/^The SPF record of example\.com needs at least 11 DNS lookups, more than the limit of 10/);
    expect(violations[0]?.message).toContain("9 include targets are counted as 1 lookup each without being followed (spf0.vendor.example, ");
  });

  it("fails an include of the record's own name (a loop)", async () => {
    expect((await run("v=spf1 include:example.com ~all")).violations.map((v) => v.message)).toEqual([expect.stringContaining("leads back to example.com")]);
  });

  it("says what it could not check when the record's values are unknown (preview)", async () => {
    const args = resourceArgs(aws.route53.Record, { ...txtRecordProps("example.com"), records: UNKNOWN as unknown as string[] });
    expect((await runResourcePolicy(policy, args)).notChecked).toMatch(/^not checked at preview: test: \.records is unknown/);
  });
});
