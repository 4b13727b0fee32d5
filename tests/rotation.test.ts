/**
 * Two-phase SMTP key rotation and the SMTP user's least privilege, under mocks: each step is
 * one `pulumi up` whose "last deployment" is the previous step's stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../lib/config";
import { parseManifest, type Manifest } from "../lib/manifest";
import { deployedKeys, LastDeploymentError } from "../lib/rotation";
import { sendOnlyPolicyProblems } from "../lib/iam";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { isSecretValue, mockSecretAccessKey, MOCK_ACCOUNT_ID } from "../scripts/lib/mock-program";
import { readStackConfig } from "../scripts/lib/stack-config";
import { configIssues, PROD_LIKE } from "./helpers/config";
import { ROOT } from "./helpers/spawn";
import { docOutput } from "./docs/doc-examples";
import { refusedWith, resolve, runWithConfig, type TestRun } from "./helpers/program";

const KEY = "aws:iam/accessKey:AccessKey";
const POLICY = "aws:iam/userPolicy:UserPolicy";
type Values = Record<string, string | number | string[]>;

/** One `pulumi up` of the prod-like stack with extra config, after the `last` step. */
function up(extra: Values, last?: TestRun): Promise<TestRun> {
  return runWithConfig({ ...PROD_LIKE, ...extra }, "prod", last?.outputs);
}

/**
 * The lines a step is refused with. `printed`: docs/rotation.md prints the whole message as the
 * output `rotation-refused-<printed>` ("What a refused step looks like").
 */
async function refusal(extra: Values, last?: TestRun, printed?: string): Promise<string[]> {
  const r = await refusedWith(up(extra, last), JSON.stringify(extra));
  if (printed) await docOutput(`rotation-refused-${printed}`, r.message);
  return r.lines;
}

const keys = (run: TestRun) => run.byType(KEY).map((k) => ({ name: k.name, status: k.inputs.status, user: k.inputs.user }));
const manifestOf = (run: TestRun): Manifest => parseManifest(run.outputs.verification, "verification output");
const nonKeyUrns = (run: TestRun) => run.resources.filter((r) => r.type !== KEY).map((r) => r.urn).sort();
const keyUrn = (gen: number) => `urn:pulumi:prod::mail-infra::mail-infra:iam:SmtpCredentials$${KEY}::smtp-key-gen${gen}`;

async function secretOf(run: TestRun): Promise<{ username: string; keyGeneration: number; regions: Record<string, { password: string }> }> {
  expect(await pulumi.isSecret(run.stackObjects.smtp!.secretValue)).toBe(true);
  expect(isSecretValue(run.one("aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString)).toBe(true);
  return JSON.parse(await resolve(run.stackObjects.smtp!.secretValue));
}

/** No key secret or password of any generation appears in the stack outputs. */
function expectNoSecretsInOutputs(run: TestRun, gens: number[]): void {
  expect(run.secretOutputs).toEqual([]);
  const published = JSON.stringify(run.outputs);
  for (const g of gens) {
    const secret = mockSecretAccessKey("prod", `smtp-key-gen${g}`);
    for (const needle of [secret, deriveSmtpPasswordV4(secret, "us-east-1"), deriveSmtpPasswordV4(secret, "us-west-2")]) {
      expect(published).not.toContain(needle);
    }
  }
}

describe("the rotation cycle 1 -> 2 (active) -> inactive -> retired -> 3", async () => {
  const gen1 = await up({});
  const gen2 = await up({ smtpKeyGeneration: 2 }, gen1);
  const inactive = await up({ smtpKeyGeneration: 2, smtpPreviousKey: "inactive" }, gen2);
  const reactivated = await up({ smtpKeyGeneration: 2, smtpPreviousKey: "active" }, inactive);
  const retired = await up({ smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, inactive);
  const gen3 = await up({ smtpKeyGeneration: 3 }, retired);
  const id = (run: TestRun, gen: number) => run.one(KEY, `gen${gen}`).id;

  it("generation 1 (a first deployment): one active key, in the secret", async () => {
    expect(keys(gen1)).toEqual([{ name: "smtp-key-gen1", status: "Active", user: "mail-infra-smtp-prod" }]);
    const m = manifestOf(gen1);
    expect(m.smtp.keyGeneration).toBe(1);
    expect(m.smtp.previousKey).toBeUndefined();
    expect((await secretOf(gen1)).username).toBe(id(gen1, 1));
    expectNoSecretsInOutputs(gen1, [1]);
  });

  it("raising to 2 adds key 2 and keeps key 1 active under the same URN; the secret holds key 2", async () => {
    expect(keys(gen2)).toEqual([
      { name: "smtp-key-gen2", status: "Active", user: "mail-infra-smtp-prod" },
      { name: "smtp-key-gen1", status: "Active", user: "mail-infra-smtp-prod" },
    ]);
    expect(gen2.one(KEY, "gen1").urn).toBe(keyUrn(1));
    expect(gen2.one(KEY, "gen1").urn).toBe(gen1.one(KEY, "gen1").urn);
    expect(id(gen2, 1)).toBe(id(gen1, 1));
    expect(nonKeyUrns(gen2)).toEqual(nonKeyUrns(gen1));
    const m = manifestOf(gen2);
    expect(m.smtp).toMatchObject({ keyGeneration: 2, accessKeyId: id(gen2, 2), previousKey: { generation: 1, accessKeyId: id(gen1, 1), state: "active" } });
    const secret = await secretOf(gen2);
    const key2 = mockSecretAccessKey("prod", "smtp-key-gen2");
    expect(secret).toMatchObject({ username: id(gen2, 2), keyGeneration: 2, regions: { "us-east-1": { password: deriveSmtpPasswordV4(key2, "us-east-1") } } });
    expectNoSecretsInOutputs(gen2, [1, 2]);
  });

  it("inactive deactivates key 1 in place; the secret still holds key 2", async () => {
    expect(keys(inactive).map((k) => [k.name, k.status])).toEqual([["smtp-key-gen2", "Active"], ["smtp-key-gen1", "Inactive"]]);
    expect(id(inactive, 1)).toBe(id(gen1, 1));
    expect(nonKeyUrns(inactive)).toEqual(nonKeyUrns(gen1));
    expect(manifestOf(inactive).smtp.previousKey).toEqual({ generation: 1, accessKeyId: id(gen1, 1), state: "inactive" });
    expect((await secretOf(inactive)).username).toBe(id(gen2, 2));
    expectNoSecretsInOutputs(inactive, [1, 2]);
  });

  it("inactive is reversible: back to active", () => {
    expect(keys(reactivated).map((k) => [k.name, k.status])).toEqual([["smtp-key-gen2", "Active"], ["smtp-key-gen1", "Active"]]);
    expect(manifestOf(reactivated).smtp.previousKey?.state).toBe("active");
  });

  it("retired stops declaring key 1 (Pulumi deletes it); the manifest keeps its id", async () => {
    expect(keys(retired).map((k) => [k.name, k.status])).toEqual([["smtp-key-gen2", "Active"]]);
    expect(manifestOf(retired).smtp.previousKey).toEqual({ generation: 1, accessKeyId: id(gen1, 1), state: "retired" });
    expect((await secretOf(retired)).username).toBe(id(gen2, 2));
    expectNoSecretsInOutputs(retired, [1, 2]);
  });

  it("raising to 3 adds key 3 and keeps key 2 active; never more than two keys", async () => {
    expect(keys(gen3).map((k) => [k.name, k.status])).toEqual([["smtp-key-gen3", "Active"], ["smtp-key-gen2", "Active"]]);
    expect(id(gen3, 2)).toBe(id(gen2, 2));
    expect(manifestOf(gen3).smtp).toMatchObject({ keyGeneration: 3, previousKey: { generation: 2, accessKeyId: id(gen2, 2), state: "active" } });
    expect((await secretOf(gen3)).username).toBe(id(gen3, 3));
    expectNoSecretsInOutputs(gen3, [1, 2, 3]);
    for (const step of [gen1, gen2, inactive, reactivated, retired, gen3]) {
      expect(keys(step).length).toBeLessThanOrEqual(2);
      expect(keys(step).filter((k) => k.status === "Active").length).toBeGreaterThanOrEqual(1);
    }
  });

  describe("refused transitions (each names the key and the fix)", () => {
    it("rotating and deactivating the key in use at once (no key the relays hold would work)", async () => {
      expect(await refusal({ smtpKeyGeneration: 2, smtpPreviousKey: "inactive" }, gen1, "deactivate-in-rotation")).toEqual([
        expect.stringMatching(/^mail-infra:smtpPreviousKey: is inactive in the same change that raises mail-infra:smtpKeyGeneration to 2\. That would deactivate key 1, the key every relay uses now.*Remove mail-infra:smtpPreviousKey \(or set it to active\)/),
      ]);
      expect(await refusal({ smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, gen1)).toEqual([expect.stringMatching(/^mail-infra:smtpPreviousKey: is retired .*delete key 1/)]);
    });

    it("skipping a generation", async () => {
      expect(await refusal({ smtpKeyGeneration: 3 }, gen1, "skip-generation")).toEqual([
        expect.stringMatching(/^mail-infra:smtpKeyGeneration: jumps from 1 \(last deployment\) to 3\. Rotate one generation at a time: set it to 2/),
      ]);
      expect(await refusal({ smtpKeyGeneration: 4, smtpPreviousKey: "retired" }, retired)).toEqual([expect.stringMatching(/jumps from 2 .* to 4/)]);
    });

    it("rotating again before the previous key is retired (a third key)", async () => {
      expect(await refusal({ smtpKeyGeneration: 3 }, gen2, "third-key-active")).toEqual([
        expect.stringMatching(/^mail-infra:smtpKeyGeneration: raises the generation to 3 while key 1 is still active .*third, and IAM allows two\. Keep mail-infra:smtpKeyGeneration at 2 .*set mail-infra:smtpPreviousKey to inactive, deploy/),
      ]);
      expect(await refusal({ smtpKeyGeneration: 3 }, inactive, "third-key-inactive")).toEqual([expect.stringMatching(/while key 1 is still inactive .*set it to retired and deploy/)]);
    });

    it("retired -> active or inactive: a deleted key cannot come back", async () => {
      expect(await refusal({ smtpKeyGeneration: 2 }, retired, "retired-comes-back")).toEqual([
        expect.stringMatching(/^mail-infra:smtpPreviousKey: is active, but key 1 was retired \(deleted\) in the last deployment and cannot come back\. Set mail-infra:smtpPreviousKey to retired/),
      ]);
      expect(await refusal({ smtpKeyGeneration: 2, smtpPreviousKey: "inactive" }, retired)).toEqual([expect.stringMatching(/is inactive, but key 1 was retired/)]);
    });

    it("active -> retired without the reversible inactive step", async () => {
      expect(await refusal({ smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, gen2, "active-to-retired")).toEqual([
        expect.stringMatching(/^mail-infra:smtpPreviousKey: goes from active straight to retired.*Set mail-infra:smtpPreviousKey to inactive first and deploy/),
      ]);
    });

    it("lowering the generation (it would delete the key in use)", async () => {
      expect(await refusal({}, gen2, "lower-generation")).toEqual([expect.stringMatching(/^mail-infra:smtpKeyGeneration: is 1, but the stack is at generation 2\. Generations only go up/)]);
    });

    it("renaming the SMTP user of a live stack", async () => {
      expect(await refusal({ smtpUserName: "smtp-relay" }, gen1, "rename-user")).toEqual([
        expect.stringMatching(/^mail-infra:smtpUserName: the stack's SMTP user is "mail-infra-smtp-prod" \(last deployment\), but this config names "smtp-relay"\..*set mail-infra:smtpUserName to "mail-infra-smtp-prod"/),
      ]);
      // Naming the deployed user explicitly is no rename.
      expect(keys(await up({ smtpUserName: "mail-infra-smtp-prod" }, gen1))).toHaveLength(1);
    });

    it("the same step deployed twice is accepted (an up without changes)", async () => {
      expect(keys(await up({ smtpKeyGeneration: 2, smtpPreviousKey: "inactive" }, inactive)).map((k) => k.status)).toEqual(["Active", "Inactive"]);
      expect(keys(await up({ smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, retired))).toHaveLength(1);
    });
  });
});

describe("the last deployment", () => {
  const oldManifest = (keyGeneration: number) => ({ version: 1, smtp: { user: "mail-infra-smtp-prod", keyGeneration } });

  it("a manifest from before two-phase rotation parses, and its old key counts as retired", async () => {
    const gen1 = await up({});
    const m = manifestOf(gen1) as Record<string, unknown> & Manifest;
    expect(parseManifest({ ...m, smtp: { ...m.smtp, keyGeneration: 2 } }, "old manifest").smtp.previousKey).toBeUndefined();
    expect(deployedKeys(oldManifest(2))).toEqual({ user: "mail-infra-smtp-prod", keyGeneration: 2 });
    const last = { verification: oldManifest(2) } as unknown as TestRun["outputs"];
    const lastRun = { outputs: last } as TestRun;
    expect(await refusal({ smtpKeyGeneration: 2 }, lastRun)).toEqual([expect.stringMatching(/key 1 was retired \(deleted\)/)]);
    expect(keys(await up({ smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, lastRun))).toHaveLength(1);
    expect(keys(await up({ smtpKeyGeneration: 3 }, lastRun))).toHaveLength(2);
  });

  it("an unreadable last manifest stops the deployment instead of guessing", async () => {
    await expect(up({}, { outputs: { verification: "not a manifest" } } as unknown as TestRun)).rejects.toThrow(LastDeploymentError);
    expect(() => deployedKeys({ smtp: { user: "u" } })).toThrow(/pulumi stack output verification --json/);
    expect(deployedKeys(undefined)).toBeUndefined();
  });

  it("config validation refuses what it can see without the last deployment", () => {
    const issues = (values: Values): string[] => configIssues({ ...PROD_LIKE, ...values }, "prod");
    expect(issues({ smtpPreviousKey: "inactive" })).toEqual([expect.stringMatching(/^mail-infra:smtpPreviousKey: is inactive, but mail-infra:smtpKeyGeneration is 1: generation 1 has no previous key\. Remove mail-infra:smtpPreviousKey/)]);
    expect(issues({ smtpKeyGeneration: 2, smtpPreviousKey: "paused" })).toEqual([expect.stringMatching(/^mail-infra:smtpPreviousKey: "paused" is not a key state\. Use one of: active, inactive, retired/)]);
    expect(issues({ smtpKeyGeneration: 2, smtpPreviousKey: "inactive" })).toEqual([]);
  });
});

describe("least privilege", () => {
  const policyOf = (run: TestRun) => JSON.parse(String(run.one(POLICY).inputs.policy));
  // With senders the grant names each SMTP region's identities and mail-infra-* configuration
  // sets by pattern; the From condition names whose (lib/iam.ts smtpGrant).
  const arns = (...regions: string[]) =>
    regions.flatMap((r) => [`arn:aws:ses:${r}:${MOCK_ACCOUNT_ID}:identity/*`, `arn:aws:ses:${r}:${MOCK_ACCOUNT_ID}:configuration-set/mail-infra-*`]);

  it("by default: only the senders' From addresses, only their regions, passwords only there", async () => {
    const run = await up({
      senders: [
        "address=admin@queenofsandiego.com; kind=gmail-send-as; account=owner@gmail.com; region=us-east-1",
        "address=Shop@queenofsandiego.com; kind=smtp-client; region=us-east-1",
      ],
    });
    const doc = policyOf(run);
    expect(doc.Statement[0].Condition).toEqual({ StringEqualsIgnoreCase: { "ses:FromAddress": ["admin@queenofsandiego.com", "shop@queenofsandiego.com"] } });
    expect(doc.Statement[0].Resource).toEqual(arns("us-east-1"));
    expect(sendOnlyPolicyProblems(doc)).toEqual([]);
    expect(Object.keys((await secretOf(run)).regions)).toEqual(["us-east-1"]);
    expect(manifestOf(run).smtp.regions.map((r) => r.region)).toEqual(["us-east-1"]);
  });

  it("the regions follow the senders", async () => {
    const run = await up({ senders: ["address=admin@queenofsandiego.com; kind=smtp-client; region=us-west-2"] });
    expect(policyOf(run).Statement[0].Resource).toEqual(arns("us-west-2"));
    expect(Object.keys((await secretOf(run)).regions)).toEqual(["us-west-2"]);
  });

  it("config widens explicitly: more From addresses, a whole domain, more regions", async () => {
    const run = await up({ smtpAllowedFromAddresses: ["ops@queenofsandiego.com"], smtpRegions: ["us-west-2"] });
    expect(policyOf(run).Statement[0].Condition).toEqual({ StringEqualsIgnoreCase: { "ses:FromAddress": ["admin@queenofsandiego.com", "ops@queenofsandiego.com"] } });
    expect(policyOf(run).Statement[0].Resource).toEqual(arns("us-east-1", "us-west-2"));
    const secret = await secretOf(run);
    const key = mockSecretAccessKey("prod", "smtp-key-gen1");
    expect(secret.regions["us-west-2"].password).toBe(deriveSmtpPasswordV4(key, "us-west-2"));
    const domainWide = await up({ smtpAllowedFromAddresses: ["*@queenofsandiego.com"], smtpCredentials: "any-address" });
    expect(policyOf(domainWide).Statement[0].Condition).toEqual({ StringLike: { "ses:FromAddress": ["admin@queenofsandiego.com", "*@queenofsandiego.com"] } });
  });

  it("refuses widenings outside the stack", () => {
    expect(() => validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1"]', "mail-infra:smtpRegions": '["eu-west-1"]' }, "t")).toThrow(
      /mail-infra:smtpRegions\[0\]: "eu-west-1" is not in mail-infra:regions \(us-east-1\)/,
    );
    expect(() => validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1"]', "mail-infra:smtpAllowedFromAddresses": '["*@other.org"]' }, "t")).toThrow(
      /smtpAllowedFromAddresses\[0\]: "\*@other\.org" is not at a configured domain/,
    );
    expect(() => validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1"]', "mail-infra:smtpAllowedFromAddresses": '["*@"]' }, "t")).toThrow(
      /smtpAllowedFromAddresses\[0\]: "\*@" is not an email address/,
    );
  });

  it("without a sender inventory there are no credentials, unless config asks for them wide: then any address, every region", () => {
    expect(validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1","eu-west-1"]' }, "t").smtp).toBeUndefined();
    const cfg = validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1","eu-west-1"]', "mail-infra:smtpCredentials": "any-address" }, "t");
    expect(cfg.smtp?.allowedFromAddresses).toEqual([]);
    expect(cfg.smtp?.regions).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("the prod stack file gets the narrow policy", () => {
    const file = readStackConfig("prod", ROOT);
    const cfg = validateConfig(file.values, "prod");
    expect(cfg.smtp?.allowedFromAddresses).toEqual(["admin@queenofsandiego.com"]);
    expect(cfg.smtp?.regions).toEqual(["us-east-1"]);
  });
});

describe("a refused step declares nothing", () => {
  it("the rotation check runs before any resource is registered", async () => {
    const { runCatching } = await import("./helpers/program");
    const last = await up({ smtpKeyGeneration: 2 });
    const run = await runCatching({ ...PROD_LIKE, smtpKeyGeneration: 3 }, "prod", last.outputs);
    const { refused } = run;
    expect(refused).toBeInstanceOf(ConfigError);
    expect(run.resources).toEqual([]);
  });
});

describe("npm run plan mid-rotation", () => {
  it("shows both keys, the previous key's state and the From addresses, and no secret", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { runCli } = await import("./helpers/spawn");
    const dir = mkdtempSync(join(tmpdir(), "mail-infra-rotation-"));
    writeFileSync(
      join(dir, "Pulumi.rot.yaml"),
      [
        "config:",
        "  mail-infra:domain: example.com",
        "  mail-infra:regions: [us-east-1, us-west-2]",
        "  mail-infra:smtpKeyGeneration: 2",
        "  mail-infra:smtpPreviousKey: inactive",
        '  mail-infra:senders: ["address=app@example.com; kind=smtp-client; region=us-west-2"]',
        "",
      ].join("\n"),
    );
    const r = runCli("plan.ts", ["--stack", "rot"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("key generation 2\n  previous key: generation 1, inactive (deactivated: active undoes it, retired deletes it)");
    expect(r.stdout).toMatch(/\+ aws:iam:AccessKey +key generation 2 of mail-infra-smtp-rot, Active \(/);
    expect(r.stdout).toMatch(/\+ aws:iam:AccessKey +key generation 1 of mail-infra-smtp-rot, Inactive \(/);
    expect(r.stdout).toContain("  us-west-2: email-smtp.us-west-2.amazonaws.com:587\n  may send as: app@example.com\n");
    expect(r.stdout).not.toContain("us-east-1: email-smtp");
    for (const g of [1, 2]) expect(r.stdout).not.toContain(mockSecretAccessKey("rot", `smtp-key-gen${g}`));
  });
});
