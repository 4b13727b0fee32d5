import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureDmarcPolicy as policy } from "../../../policies/route53/Record/configureDmarcPolicy";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps } from "../harness";

const run = (value: string, config: Record<string, unknown> = {}) =>
  runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps("_dmarc.example.com", value), { config }));
const messages = async (value: string, config: Record<string, unknown> = {}) => (await run(value, config)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata: advisory by default, minimum configurable", () => {
    expectPolicyShape(policy, "advisory");
    expect(policy.configSchema?.properties.minimumPolicy).toMatchObject({ enum: ["none", "quarantine", "reject"], default: "quarantine" });
  });

  it("passes quarantine and reject with the default minimum", async () => {
    expect(await run("v=DMARC1; p=quarantine; rua=mailto:d@example.com")).toEqual({ violations: [] });
    expect(await run("v=DMARC1; p=reject")).toEqual({ violations: [] });
  });

  it("fails p=none and gives the path none → quarantine → reject", async () => {
    expect(await messages("v=DMARC1; p=none")).toEqual([
      "_dmarc.example.com: The DMARC policy is p=none, below the required minimum p=quarantine. Path none → quarantine → reject: next p=quarantine. Move one step at a time, after the aggregate (rua) reports show that all legitimate mail passes DMARC.",
    ]);
  });

  it("fails a weaker subdomain policy", async () => {
    expect(await messages("v=DMARC1; p=reject; sp=none")).toEqual([expect.stringContaining("subdomain policy is sp=none")]);
  });

  it("fails a pct that leaves failing mail under a lower policy", async () => {
    expect(await messages("v=DMARC1; p=quarantine; pct=25")).toEqual([expect.stringContaining("only pct=25%")]);
  });

  it("honours a configured minimum", async () => {
    expect(await messages("v=DMARC1; p=quarantine", { minimumPolicy: "reject" })).toEqual([expect.stringContaining("next p=reject")]);
    expect(await messages("v=DMARC1; p=none", { minimumPolicy: "reject" })).toEqual([expect.stringContaining("next p=quarantine, then p=reject")]);
    expect(await run("v=DMARC1; p=none", { minimumPolicy: "none" })).toEqual({ violations: [] });
  });

  it("is not applicable to records without a valid DMARC policy", async () => {
    expect((await run("v=spf1 -all")).notApplicable).toBe("The record holds no valid DMARC policy.");
    expect((await run("v=DMARC1; rua=mailto:d@example.com")).notApplicable).toBe("The record holds no valid DMARC policy.");
  });
});
