import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowInvalidSpf as policy } from "../../../policies/route53/Record/disallowInvalidSpf";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps, UNKNOWN } from "../harness";

const run = (props: ReturnType<typeof txtRecordProps>) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, props));
const messages = async (props: ReturnType<typeof txtRecordProps>) => (await run(props)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes valid SPF, also a value over 255 bytes split the Route 53 way, next to other TXT data", async () => {
    expect(await run(txtRecordProps("example.com", "v=spf1 include:amazonses.com ~all", "google-site-verification=abc"))).toEqual({ violations: [] });
    const long = `v=spf1 ${Array.from({ length: 25 }, (_, i) => `ip4:198.51.100.${i}`).join(" ")} -all`;
    expect(await run(txtRecordProps("example.com", long))).toEqual({ violations: [] });
  });

  it("fails a syntax error, with the lib's code and message", async () => {
    expect(await messages(txtRecordProps("example.com", "v=spf1 ip4:192.0.2.300 ~all"))).toEqual([
      expect.stringMatching(/^The SPF record at example\.com is invalid \(spf-bad-ip4\): "192\.0\.2\.300" in "ip4:192\.0\.2\.300" is not a valid IPv4 address/),
    ]);
    expect(await messages(txtRecordProps("example.com", "v=spf1 ipv4:192.0.2.1 ~all"))).toEqual([expect.stringContaining("(spf-unknown-mechanism)")]);
  });

  it("fails a record receivers ignore because it does not start with \"v=spf1 \"", async () => {
    expect(await messages(txtRecordProps("example.com", " v=spf1 -all"))).toEqual([expect.stringContaining("Remove the leading whitespace")]);
  });

  it("fails the obsolete SPF record type", async () => {
    const props = { ...txtRecordProps("example.com", "v=spf1 -all"), type: "SPF" };
    expect(await messages(props)).toEqual([expect.stringContaining("uses the SPF record type, which RFC 7208 3.1 retired")]);
  });

  it("leaves +all to the all policy", async () => {
    expect(await run(txtRecordProps("example.com", "v=spf1 +all"))).toEqual({ violations: [] });
  });

  it("is not applicable to other TXT data, other record types, or other resources", async () => {
    expect((await run(txtRecordProps("example.com", "hello"))).notApplicable).toBe("The record holds no SPF value.");
    expect((await run({ ...txtRecordProps("example.com"), type: "MX", records: ["10 mx.example.com"] })).notApplicable).toBe("Only TXT records are checked; this one is MX.");
    expect((await runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, { emailIdentity: "example.com" }))).notApplicable).toBeDefined();
  });

  it("says it could not check values that are unknown during preview", async () => {
    expect(await run({ ...txtRecordProps("example.com"), records: [UNKNOWN] })).toMatchObject({
      violations: [],
      notChecked: expect.stringMatching(/^not checked at preview: test: \.records\.0 is unknown until the resource exists/),
    });
  });
});
