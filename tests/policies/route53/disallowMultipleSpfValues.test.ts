import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowMultipleSpfValues as policy } from "../../../policies/route53/Record/disallowMultipleSpfValues";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps, UNKNOWN } from "../harness";

const run = (...values: string[]) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps("example.com", ...values)));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes one SPF value next to other TXT data", async () => {
    expect(await run("v=spf1 include:amazonses.com ~all", "google-site-verification=abc")).toEqual({ violations: [] });
  });

  it("fails two SPF values in one record, also a broken one", async () => {
    expect((await run("v=spf1 ~all", " v=spf1 -all")).violations.map((v) => v.message)).toEqual([
      'example.com has 2 SPF records in one Route 53 record: "v=spf1 ~all" and " v=spf1 -all". Receivers return permerror when there is more than one (RFC 7208 3.2, 4.5). Merge them into one record.',
    ]);
  });

  it("says what it could not check when the values are unknown (preview), and skips records without SPF", async () => {
    const args = resourceArgs(aws.route53.Record, { ...txtRecordProps("example.com"), records: UNKNOWN as unknown as string[] });
    expect((await runResourcePolicy(policy, args)).notChecked).toMatch(/^not checked at preview: test: \.records is unknown/);
    expect((await run("other")).notApplicable).toBe("The record holds no SPF value.");
  });
});
