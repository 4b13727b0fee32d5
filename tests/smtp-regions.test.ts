/**
 * Passwords only for the regions the SMTP user may send in (lib/iam.ts smtpSendRegions): the
 * secret's regions and the policy's regions come from one rule, under mocks, for several
 * configs; the secret stays a Pulumi secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { smtpSendRegions } from "../lib/iam";
import { isSecretValue } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { resolve, runWithConfig } from "./helpers/program";

type Values = Record<string, string | number | string[]>;
const THREE = ["us-east-1", "us-west-2", "eu-west-1"];

async function regionsOf(values: Values): Promise<{ secret: string[]; policy: string[] }> {
  const run = await runWithConfig(values, "prod");
  expect(await pulumi.isSecret(run.stackObjects.smtp!.secretValue)).toBe(true);
  expect(isSecretValue(run.one("aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString)).toBe(true);
  const secret = JSON.parse(await resolve(run.stackObjects.smtp!.secretValue)) as { regions: Record<string, unknown> };
  const policy = JSON.parse(String(run.one("aws:iam/userPolicy:UserPolicy").inputs.policy)) as { Statement: { Resource: string[] }[] };
  const policyRegions = [...new Set(policy.Statement.flatMap((s) => s.Resource).map((arn) => arn.split(":")[3]))];
  return { secret: Object.keys(secret.regions), policy: policyRegions };
}

describe("the SMTP regions: one rule for the policy and the secret", () => {
  it("the rule: senders' regions plus smtpRegions in regions order; every region when neither names one", () => {
    expect(smtpSendRegions(THREE, ["eu-west-1"], [])).toEqual(["eu-west-1"]);
    expect(smtpSendRegions(THREE, ["eu-west-1"], [" US-EAST-1 "])).toEqual(["us-east-1", "eu-west-1"]);
    expect(smtpSendRegions(THREE, [], [])).toEqual(THREE);
  });

  it.each([
    ["prod: the Gmail alias in us-east-1", PROD_LIKE, ["us-east-1"]],
    ["a sender in us-west-2 only", { ...PROD_LIKE, senders: ["address=admin@queenofsandiego.com; kind=smtp-client; region=us-west-2"] }, ["us-west-2"]],
    ["smtpRegions widens", { ...PROD_LIKE, smtpRegions: ["us-west-2"] }, ["us-east-1", "us-west-2"]],
    ["no senders, credentials asked for wide: every region", { ...PROD_LIKE, regions: THREE, senders: [], smtpCredentials: "any-address" }, THREE],
  ] as [string, Values, string[]][])("%s: the secret holds passwords exactly where the policy allows sending", async (_name, values, want) => {
    const r = await regionsOf(values);
    expect(r.secret).toEqual(want);
    expect(r.policy).toEqual(want);
  });
});
