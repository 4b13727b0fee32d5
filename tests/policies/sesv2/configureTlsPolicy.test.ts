import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { configureTlsPolicy as policy } from "../../../policies/sesv2/ConfigurationSet/configureTlsPolicy";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

type Props = Unwrap<aws.sesv2.ConfigurationSetArgs>;
const run = (props: Props) => runResourcePolicy(policy, resourceArgs(aws.sesv2.ConfigurationSet, props));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes REQUIRE", async () => {
    expect(await run({ configurationSetName: "cs", deliveryOptions: { tlsPolicy: "REQUIRE" } })).toEqual({ violations: [] });
  });

  it("fails OPTIONAL", async () => {
    const { violations } = await run({ configurationSetName: "cs", deliveryOptions: { tlsPolicy: "OPTIONAL" } });
    expect(violations.map((v) => v.message)).toEqual(["The configuration set cs has tlsPolicy OPTIONAL, so SES may deliver its mail without encryption. Use REQUIRE."]);
  });

  it("fails no delivery options, because SES's default is OPTIONAL", async () => {
    expect((await run({ configurationSetName: "cs" })).violations.map((v) => v.message)).toEqual([expect.stringContaining("unset (SES uses OPTIONAL)")]);
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, { emailIdentity: "example.com" }))).notApplicable).toMatch(/configurationSet:ConfigurationSet/);
  });
});
