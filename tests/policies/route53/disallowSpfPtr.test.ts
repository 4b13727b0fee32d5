import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowSpfPtr as policy } from "../../../policies/route53/Record/disallowSpfPtr";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps } from "../harness";

const run = (...values: string[]) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps("example.com", ...values)));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes SPF without ptr", async () => {
    expect(await run("v=spf1 a mx include:amazonses.com ~all")).toEqual({ violations: [] });
  });

  it.each(["ptr", "ptr:relay.example.com", "?ptr"])("fails %s", async (term) => {
    const { violations } = await run(`v=spf1 ${term} ~all`);
    expect(violations.map((v) => v.message)).toEqual([expect.stringContaining(`The SPF record at example.com: "${term}" uses the "ptr" mechanism`)]);
  });

  it("is not applicable to records without SPF", async () => {
    expect((await run("something else")).notApplicable).toBe("The record holds no SPF value.");
  });
});
