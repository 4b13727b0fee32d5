import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { configureRecoveryWindow as policy } from "../../../policies/secretsmanager/Secret/configureRecoveryWindow";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

type Props = Unwrap<aws.secretsmanager.SecretArgs>;
const run = (props: Props, config: Record<string, unknown> = {}) => runResourcePolicy(policy, resourceArgs(aws.secretsmanager.Secret, props, { config }));
const messages = async (props: Props, config: Record<string, unknown> = {}) => (await run(props, config)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata, with the minimum configurable", () => {
    expectPolicyShape(policy, "mandatory");
    expect(policy.configSchema?.properties.minimumDays).toMatchObject({ minimum: 7, maximum: 30, default: 7 });
  });

  it("passes 7 to 30 days, and Secrets Manager's default of 30 when unset", async () => {
    for (const recoveryWindowInDays of [7, 30]) expect(await run({ name: "s", recoveryWindowInDays })).toEqual({ violations: [] });
    expect(await run({ name: "s" })).toEqual({ violations: [] });
  });

  it("fails an immediate delete (0 days)", async () => {
    expect(await messages({ name: "mail-infra/prod/ses-smtp", recoveryWindowInDays: 0 })).toEqual([
      "mail-infra/prod/ses-smtp has recoveryWindowInDays 0: deleting it removes it at once, with no way to restore it. Use at least 7 days.",
    ]);
  });

  it("fails a window below the configured minimum", async () => {
    expect(await messages({ name: "s", recoveryWindowInDays: 10 }, { minimumDays: 14 })).toEqual(["s can be restored for only 10 days after deletion; at least 14 are required."]);
    expect(await messages({ name: "s", recoveryWindowInDays: 3 })).toEqual(["s can be restored for only 3 days after deletion; at least 7 are required."]);
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.secretsmanager.SecretVersion, { secretId: "s" }))).notApplicable).toMatch(/secretsmanager\/secret:Secret/);
  });
});
