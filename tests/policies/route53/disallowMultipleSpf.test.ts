import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { route53TxtValue } from "../../../lib/records";
import { disallowMultipleSpf as policy } from "../../../policies/route53/Record/disallowMultipleSpf";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, ZONE_ID } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const txt = (resourceName: string, name: string, zoneId: string, ...values: string[]) =>
  entry(aws.route53.Record, resourceName, { zoneId, name, fqdn: name, type: "TXT", records: values.map(route53TxtValue) });

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes one SPF record per name, next to other TXT data", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    stack.push(txt("verification", "example.com", ZONE_ID, "google-site-verification=abc"));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails a second SPF record at the apex in another Route 53 record", async () => {
    const stack = goodStack();
    const extra = txt("vendor-spf", "Example.com.", ZONE_ID, "v=spf1 include:_spf.vendor.example ~all");
    stack.push(extra);
    const { violations } = await run(stack);
    expect(violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "record-spf")), urnOf(extra)]);
    expect(violations[0].message).toBe(
      'example.com has 2 SPF records in 2 Route 53 records (record-spf, vendor-spf): "v=spf1 ~all" and "v=spf1 include:_spf.vendor.example ~all". Receivers return permerror when there is more than one (RFC 7208 3.2, 4.5). Merge them into one record.',
    );
  });

  it("leaves two SPF values in one Route 53 record to the resource policy (it can block before the record exists)", async () => {
    const stack = goodStack();
    find(stack, "record-spf").props.records = ["v=spf1 ~all", " v=spf1 -all"];
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("does not mix up the same name in two hosted zones (split horizon)", async () => {
    const stack = goodStack();
    stack.push(txt("private", "example.com", "ZPRIVATE0000000", "v=spf1 -all"));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("does not apply to a stack without SPF records", async () => {
    expect((await run([])).notApplicable).toBe("The stack declares no SPF record.");
  });
});
