import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { missingConfigurationSet as policy } from "../../../policies/sesv2/EmailIdentity/missingConfigurationSet";
import { expectPolicyShape, resourceArgs, runResourcePolicy, UNKNOWN } from "../harness";

const run = (props: Unwrap<aws.sesv2.EmailIdentityArgs>) =>
  runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, props));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes an identity with a default configuration set", async () => {
    expect(await run({ emailIdentity: "example.com", configurationSetName: "mail-infra-example-com" })).toEqual({ violations: [] });
  });

  it.each([undefined, "", "  "])("fails configurationSetName %j", async (configurationSetName) => {
    const { violations } = await run({ emailIdentity: "example.com", ...(configurationSetName !== undefined ? { configurationSetName } : {}) });
    expect(violations.map((v) => v.message)).toEqual([
      "example.com has no default configuration set, so mail sent without one escapes its TLS, suppression and event settings.",
    ]);
  });

  it("is not applicable to other resource types", async () => {
    const { notApplicable } = await runResourcePolicy(policy, resourceArgs(aws.sesv2.ConfigurationSet, { configurationSetName: "cs" }));
    expect(notApplicable).toMatch(/emailIdentity:EmailIdentity/);
  });

  it("says it could not check a name that is unknown during preview", async () => {
    expect(await run({ emailIdentity: "example.com", configurationSetName: UNKNOWN })).toEqual({
      violations: [],
      notChecked: "not checked at preview: test: .configurationSetName is unknown until the resource exists (string value at .configurationSetName can't be known during preview)",
    });
  });
});
