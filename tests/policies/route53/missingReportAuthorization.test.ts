import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { missingReportAuthorization as policy } from "../../../policies/route53/Record/missingReportAuthorization";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, type StackEntry, txtRecordProps, urnOf } from "../harness";
import { find, goodStack, otherDomain } from "../stack-fixture";

const run = (entries: readonly StackEntry[]) => runStackPolicy(policy, stackArgs(entries));
const EXTERNAL = ["mailto:dmarc@example.com", "mailto:agg@reports.example.net"];

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes reports to the domain itself", async () => {
    expect(await run(goodStack())).toEqual({ violations: [] });
  });

  it("names the record an outside destination must publish, once per destination for all domains", async () => {
    const stack = [...goodStack(["us-east-1"], { dmarcRua: EXTERNAL }), ...otherDomain("example.org", "b", ["us-east-1"], { dmarcRua: EXTERNAL })];
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "record-dmarc")),
        message:
          'Reports to mailto:agg@reports.example.net arrive only if the owner of reports.example.net publishes TXT "v=DMARC1" at example.com._report._dmarc.reports.example.net, example.org._report._dmarc.reports.example.net: outside this stack, so the program cannot. Ask them to, then run npm run verify (dns.dmarc.report-authorization); or set mail-infra:dmarcRua to a mailbox at the domain itself.',
      },
    ]);
  });

  it("fails a stack destination without the declared record, and passes once it is declared", async () => {
    const stack = [...goodStack(), ...otherDomain("example.org", "b", ["us-east-1"], { dmarcRua: ["mailto:dmarc@EXAMPLE.COM"] })];
    const v = (await run(stack)).violations;
    expect(v).toEqual([{ urn: urnOf(find(stack, "b-record-dmarc")), message: expect.stringMatching(/^The DMARC record of example\.org sends reports to mailto:dmarc@EXAMPLE\.COM, at example\.com of this stack, but no TXT "v=DMARC1" is declared at example\.org\._report\._dmarc\.example\.com/) }]);
    const fixed = [...stack, entry(aws.route53.Record, "record-auth", txtRecordProps("example.org._report._dmarc.example.com", "v=DMARC1"))];
    expect(await run(fixed)).toEqual({ violations: [] });
  });
});
