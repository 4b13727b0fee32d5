import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureSpfAll as policy } from "../../../policies/route53/Record/configureSpfAll";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps } from "../harness";

const run = (...values: string[]) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps("example.com", ...values)));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it.each(["v=spf1 include:amazonses.com ~all", "v=spf1 -all", "v=spf1 redirect=_spf.example.com"])("passes %s", async (spf) => {
    expect(await run(spf)).toEqual({ violations: [] });
  });

  it.each([
    ["v=spf1 +all", "spf-all-pass"],
    ["v=spf1 all", "spf-all-pass"],
    ["v=spf1 ?all", "spf-all-neutral"],
    ["v=spf1 include:amazonses.com", "spf-all-missing"],
  ])("fails %s (%s)", async (spf, code) => {
    const { violations } = await run(spf);
    expect(violations.map((v) => v.message)).toEqual([expect.stringMatching(new RegExp(`^The SPF record at example\\.com \\(${code}\\): `))]);
  });

  it("is not applicable to TXT data that is not SPF", async () => {
    expect((await run("v=DMARC1; p=none")).notApplicable).toBe("The record holds no SPF value.");
  });
});
