/**
 * No senders, no SMTP credentials (lib/smtp-credentials.ts), and what that change does to a
 * stack whose last deployment holds credentials: refused before any resource is declared, as
 * the engine would otherwise plan to delete the SMTP user (every key with it) and the secret.
 * With protect on the engine refuses that delete itself (pulumi/pulumi pkg/resource/deploy/step.go,
 * DeleteStep.Apply), but only with a generic error in the middle of a preview.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../lib/config";
import { parseStackManifest } from "../../lib/manifest";
import { credentialsDecision, isWideFromList } from "../../lib/smtp-credentials";
import { configIssues as issues, PROD_LIKE, pulumiConfig } from "../helpers/config";
import { runCatching, runWithConfig } from "../helpers/program";

const NO_SENDERS = { ...PROD_LIKE, senders: [] as string[] };

describe("SMTP credentials only for named senders", () => {
  it("a stack with senders gets credentials limited to them (prod)", () => {
    const cfg = validateConfig(pulumiConfig(PROD_LIKE), "prod");
    expect(cfg.smtp?.allowedFromAddresses).toEqual(["admin@queenofsandiego.com"]);
    expect(isWideFromList(cfg.smtp?.allowedFromAddresses ?? [])).toBe(false);
  });

  it("a stack without senders declares no IAM user, key or secret, and its manifest has no smtp section", async () => {
    expect(validateConfig(pulumiConfig(NO_SENDERS), "prod").smtp).toBeUndefined();
    const run = await runWithConfig(NO_SENDERS, "fresh");
    expect(run.resources.filter((r) => /aws:(iam\/(user|userPolicy|accessKey)|secretsmanager)/.test(r.type))).toEqual([]);
    expect(parseStackManifest(run.outputs.verification, "verification").smtp).toBeUndefined();
    expect(run.outputs).not.toHaveProperty("smtpUsername");
  });

  it("wide credentials need mail-infra:smtpCredentials any-address, for no senders as for *@domain", async () => {
    expect(issues({ ...PROD_LIKE, smtpAllowedFromAddresses: ["*@queenofsandiego.com"] })).toEqual([
      expect.stringMatching(/^mail-infra:smtpAllowedFromAddresses\[0\]: "\*@queenofsandiego\.com" lets the SMTP credentials send as any address of queenofsandiego\.com.*set mail-infra:smtpCredentials to "any-address"/),
    ]);
    expect(issues({ ...PROD_LIKE, smtpAllowedFromAddresses: ["*@queenofsandiego.com"], smtpCredentials: "any-address" })).toEqual([]);
    const run = await runWithConfig({ ...NO_SENDERS, smtpCredentials: "any-address" }, "wide");
    expect(run.resources.filter((r) => r.type === "aws:iam/user:User")).toHaveLength(1);
  });

  it("none refuses listed senders; an unknown mode is refused", () => {
    expect(credentialsDecision("none", 1, []).issues.map((i) => i.key)).toEqual(["smtpCredentials"]);
    expect(issues({ ...NO_SENDERS, smtpCredentials: "wide" })).toEqual([expect.stringMatching(/^mail-infra:smtpCredentials: "wide" is not allowed\. Use one of: senders, any-address, none/)]);
  });
});

describe("a live stack that had credentials and drops its senders", () => {
  const refusal = async (values: Record<string, string | number | string[]>): Promise<{ refused: unknown; declared: number }> => {
    const last = await runWithConfig(PROD_LIKE, "prod");
    const { refused, resources } = await runCatching(values, "prod", last.outputs);
    return { refused, declared: resources.length };
  };

  it("is refused before any resource is declared, naming the keys to set", async () => {
    const { refused, declared } = await refusal(NO_SENDERS);
    expect(refused).toBeInstanceOf(ConfigError);
    const text = (refused as ConfigError).issues.map((i) => `${i.key}: ${i.message}`).join("\n");
    expect(text).toMatch(/^mail-infra:senders: is empty, and the last deployment holds SMTP credentials \(IAM user mail-infra-smtp-prod, access key /);
    expect(text).toMatch(/set mail-infra:smtpCredentials to "any-address"/);
    expect(text).toMatch(/set mail-infra:smtpCredentials to "none"/);
    expect(declared).toBe(0);
  });

  it("goes through when the stack says what it wants: wide credentials kept, or none on purpose", async () => {
    expect((await refusal({ ...NO_SENDERS, smtpCredentials: "any-address" })).refused).toBeUndefined();
    expect((await refusal({ ...NO_SENDERS, smtpCredentials: "none" })).refused).toBeUndefined();
    // Senders still listed: nothing to refuse.
    expect((await refusal(PROD_LIKE)).refused).toBeUndefined();
  });
});
