/**
 * A two-phase rotation carried out on moto, step by step, and verify's judgement of each step.
 *
 * Each step is the REAL program run under mocks with the previous step's outputs as its last
 * deployment (so lib/rotation.ts accepts it); its declared access keys (name = generation,
 * status) are then applied to moto the way `pulumi up` applies them: a new generation is
 * CreateAccessKey, a status change UpdateAccessKey, a key no longer declared DeleteAccessKey,
 * and a new current key a new secret value (PutSecretValue: the new version takes AWSCURRENT
 * and Secrets Manager moves AWSPREVIOUS to the version before, which moto enforces).
 *
 * The world (world.ts) is rebuilt per step from its manifest; the smtp layer reads the secret
 * and logs in to the SES-like SMTP servers, the relay layer reads the keys from moto and their
 * last use from the one faked IAM call (last-used.ts): the smtp layer's own logins would
 * otherwise be the current key's use. relay.test.ts runs the relay layer alone on real records.
 */
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Manifest, parseManifest } from "../../lib/manifest";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import type { Finding } from "../../lib/verify/findings";
import { formatText } from "../../scripts/verify/report";
import { runWithConfig, type TestRun } from "../helpers/program";
import { closeMotoIam, fakeLastUsed, type LastUsed, motoIam } from "./last-used";
import { createWorld, type MotoContext, type SharedServers, startShared, type StoredSecret, storedSecret, WORLD_CONFIG, type World } from "./world";

const KEY = "aws:iam/accessKey:AccessKey";
const ALIAS = "admin@example.com";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Step = "gen1" | "gen2" | "inactive" | "retired";
const STEP_CONFIG: Record<Step, Record<string, string | number>> = {
  gen1: {},
  gen2: { smtpKeyGeneration: 2 },
  inactive: { smtpKeyGeneration: 2, smtpPreviousKey: "inactive" },
  retired: { smtpKeyGeneration: 2, smtpPreviousKey: "retired" },
};
const ORDER: Step[] = ["gen1", "gen2", "inactive", "retired"];

let shared: SharedServers;
const runs = new Map<Step, TestRun>();
beforeAll(async () => {
  shared = await startShared();
  let last: TestRun | undefined;
  for (const step of ORDER) {
    last = await runWithConfig({ ...WORLD_CONFIG, ...STEP_CONFIG[step] }, "test", last?.outputs);
    runs.set(step, last);
  }
});
afterAll(async () => {
  await shared?.stop();
});

/** The declared keys of a program run: generation -> status. */
function declaredKeys(run: TestRun): Map<number, "Active" | "Inactive"> {
  return new Map(run.byType(KEY).map((k) => [Number(/-key-gen(\d+)$/.exec(k.name)?.[1]), k.inputs.status as "Active" | "Inactive"]));
}

interface Deployed {
  /** moto's key id per generation (kept after deletion, as the manifest keeps it). */
  ids: Map<number, string>;
  /** The secret access key per generation, as moto returned it. */
  secretKeys: Map<number, string>;
}

/**
 * Apply the steps after gen1 to moto, as `pulumi up` would. The world made key 1 and the
 * secret's first version; `keepSecret` leaves the secret alone (a broken deployment).
 */
async function deploy(ctx: MotoContext, m: Manifest, upTo: Step, d: Deployed, options: { keepSecret?: boolean } = {}): Promise<void> {
  d.ids.set(1, ctx.accessKeyId);
  d.secretKeys.set(1, ctx.secretAccessKey);
  let current = 1;
  for (const step of ORDER.slice(1, ORDER.indexOf(upTo) + 1)) {
    const declared = declaredKeys(runs.get(step)!);
    for (const [gen, status] of declared) {
      let id = d.ids.get(gen);
      if (id === undefined) {
        const created = await ctx.iam.send(new CreateAccessKeyCommand({ UserName: ctx.user }));
        id = created.AccessKey?.AccessKeyId ?? "";
        d.ids.set(gen, id);
        ctx.keys.set(id, created.AccessKey?.SecretAccessKey ?? "");
        d.secretKeys.set(gen, created.AccessKey?.SecretAccessKey ?? "");
      }
      await ctx.iam.send(new UpdateAccessKeyCommand({ UserName: ctx.user, AccessKeyId: id, Status: status }));
    }
    const listed = await ctx.iam.send(new ListAccessKeysCommand({ UserName: ctx.user }));
    for (const k of listed.AccessKeyMetadata ?? []) {
      const gen = [...d.ids].find(([, id]) => id === k.AccessKeyId)?.[0];
      if (gen === undefined || !declared.has(gen)) await ctx.iam.send(new DeleteAccessKeyCommand({ UserName: ctx.user, AccessKeyId: k.AccessKeyId }));
    }
    const gen = Math.max(...declared.keys());
    if (gen !== current) {
      const value = storedSecret(m, d.ids.get(gen)!, d.secretKeys.get(gen)!, gen);
      if (!options.keepSecret) await ctx.secrets.send(new PutSecretValueCommand({ SecretId: m.smtp.secretName, SecretString: JSON.stringify(value) }));
      current = gen;
    }
  }
}

interface StepWorld {
  w: World;
  d: Deployed;
  secrets: SecretsManagerClient;
}

/** A world at `step`: moto holds the keys and the secret versions that step leaves. */
async function worldAt(step: Step, options: { keepSecret?: boolean } = {}): Promise<StepWorld> {
  const m = parseManifest(runs.get(step)!.outputs.verification, `the ${step} step's verification output`);
  const d: Deployed = { ids: new Map(), secretKeys: new Map() };
  let secrets: SecretsManagerClient | undefined;
  const w = await createWorld(shared, {
    manifest: m,
    secret: (v) => {
      v.keyGeneration = 1;
    },
    moto: async (ctx) => {
      secrets = ctx.secrets;
      await deploy(ctx, m, step, d, options);
    },
  });
  // The program's manifest names the mock key ids: patch in moto's, as world.ts does for key 1.
  const gen = w.manifest.smtp.keyGeneration;
  w.manifest.smtp.accessKeyId = d.ids.get(gen)!;
  if (w.manifest.smtp.previousKey) w.manifest.smtp.previousKey.accessKeyId = d.ids.get(gen - 1);
  return { w, d, secrets: secrets! };
}

async function withStep(step: Step, fn: (s: StepWorld) => Promise<void>, options: { keepSecret?: boolean } = {}): Promise<void> {
  const s = await worldAt(step, options);
  try {
    await fn(s);
  } finally {
    closeMotoIam(s.w);
    await s.w.stop();
  }
}

async function secretAt(s: StepWorld, stage: "AWSCURRENT" | "AWSPREVIOUS"): Promise<StoredSecret> {
  const r = await s.secrets.send(new GetSecretValueCommand({ SecretId: s.w.manifest.smtp.secretName, VersionStage: stage }));
  return JSON.parse(r.SecretString ?? "") as StoredSecret;
}

async function stages(s: StepWorld): Promise<string[][]> {
  const r = await s.secrets.send(new DescribeSecretCommand({ SecretId: s.w.manifest.smtp.secretName }));
  return Object.values(r.VersionIdsToStages ?? {}).map((v) => [...v].sort());
}

async function keyStatuses(s: StepWorld): Promise<[number, string][]> {
  const r = await motoIam(s.w).send(new ListAccessKeysCommand({ UserName: s.w.manifest.smtp.user }));
  return (r.AccessKeyMetadata ?? []).map((k): [number, string] => [[...s.d.ids].find(([, id]) => id === k.AccessKeyId)![0], k.Status ?? "?"]).sort((a, b) => a[0] - b[0]);
}

const byId = (fs: readonly Finding[]) => fs.map((f) => `${f.id} ${f.status}`);
const one = (fs: readonly Finding[], id: string) => {
  const found = fs.filter((f) => f.id === id);
  expect(found).toHaveLength(1);
  return found[0];
};

/** The secret value at one generation is key `gen`'s username and its v4 password per region. */
function expectKey(value: StoredSecret, s: StepWorld, gen: number): void {
  const key = s.d.secretKeys.get(gen)!;
  expect(value.username).toBe(s.d.ids.get(gen));
  expect(value.keyGeneration).toBe(gen);
  expect(Object.fromEntries(Object.entries(value.regions).map(([r, v]) => [r, v.password]))).toEqual({
    "us-east-1": deriveSmtpPasswordV4(key, "us-east-1"),
    "us-west-2": deriveSmtpPasswordV4(key, "us-west-2"),
  });
}

/** verify --only smtp,relay at a step, with the given last use per generation. */
async function judge(s: StepWorld, lastUse: Record<number, LastUsed>, now: Date) {
  const byKey = Object.fromEntries(Object.entries(lastUse).map(([gen, u]) => [s.d.ids.get(Number(gen))!, u]));
  const secretKey = s.d.secretKeys.get(s.w.manifest.smtp.keyGeneration)!;
  const r = await s.w.verify({ layers: ["smtp", "relay"], now, secretKey, prepare: fakeLastUsed(motoIam(s.w), byKey) });
  const text = formatText(r.findings, { target: "t", layers: ["smtp", "relay"], verbose: true, color: false });
  for (const secret of s.w.secrets()) expect(text.includes(secret)).toBe(false);
  return r.findings;
}

async function rotatedAt(s: StepWorld): Promise<Date> {
  const r = await motoIam(s.w).send(new ListAccessKeysCommand({ UserName: s.w.manifest.smtp.user }));
  const created = r.AccessKeyMetadata?.find((k) => k.AccessKeyId === s.d.ids.get(2))?.CreateDate;
  if (!created) throw new Error("moto did not list key 2");
  return created;
}

describe("a rotation on moto: the secret's versions and verify's verdict at each step", () => {
  it("gen1: one key; the secret has one version, AWSCURRENT = key 1; smtp passes, no relay.retire", async () => {
    await withStep("gen1", async (s) => {
      expect(await keyStatuses(s)).toEqual([[1, "Active"]]);
      expect(await stages(s)).toEqual([["AWSCURRENT"]]);
      expectKey(await secretAt(s, "AWSCURRENT"), s, 1);
      const fs = await judge(s, {}, new Date());
      // The only key, never used by SES (as the record says): nothing seen, and nothing waits on it.
      expect(byId(fs)).toEqual(["smtp.secret pass", "smtp.key pass", "smtp.password pass", "smtp.auth pass", "smtp.auth pass", "smtp.permission pass", "relay.credentials warn"]);
    });
  });

  it("raise the generation (previous key active): two active keys; AWSCURRENT = key 2, AWSPREVIOUS = key 1; no login of verify's own", async () => {
    await withStep("gen2", async (s) => {
      expect(await keyStatuses(s)).toEqual([[1, "Active"], [2, "Active"]]);
      expect((await stages(s)).sort()).toEqual([["AWSCURRENT"], ["AWSPREVIOUS"]]);
      expectKey(await secretAt(s, "AWSCURRENT"), s, 2);
      expectKey(await secretAt(s, "AWSPREVIOUS"), s, 1);
      const rotated = await rotatedAt(s);

      // A relay still on key 1 (SES saw it after the rotation): not yet, naming the sender.
      const used = new Date(rotated.getTime() + HOUR);
      const busy = await judge(s, { 1: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }, new Date(used.getTime() + HOUR));
      const key = one(busy, "smtp.key");
      expect([key.status, key.subject]).toEqual(["pass", `access key ${s.d.ids.get(2)} of ${s.w.manifest.smtp.user}`]);
      expect(key.evidence[1]).toMatch(new RegExp(`^other key ${s.d.ids.get(1)} \\(Active, created `));
      // Two keys: verify does not log in with key 2 (its login would look like a relay's use); it says what it checked instead.
      expect(byId(busy.filter((f) => f.layer === "smtp"))).toEqual(["smtp.secret pass", "smtp.key pass", "smtp.password pass", "smtp.auth inconclusive", "smtp.auth inconclusive", "smtp.permission pass"]);
      expect(busy.filter((f) => f.id === "smtp.auth").every((f) => f.summary.startsWith("not attempted during a rotation: "))).toBe(true);
      expect(one(busy, "relay.credentials").status).toBe("fail");
      const notYet = one(busy, "relay.retire");
      expect(notYet.status).toBe("fail");
      expect(notYet.summary).toContain(`a relay in us-east-1 still sends with the previous key (senders there: ${ALIAS})`);
      expect(notYet.remediation).toContain("Do not deactivate or retire the previous key yet.");

      // Nothing seen since the rotation (key 2 never used, key 1 last used before it): not enough evidence.
      const quiet = await judge(s, { 1: { LastUsedDate: new Date(rotated.getTime() - DAY), ServiceName: "ses", Region: "us-east-1" } }, new Date(rotated.getTime() + 8 * DAY));
      expect([one(quiet, "relay.retire").status, one(quiet, "relay.credentials").status]).toEqual(["inconclusive", "inconclusive"]);

      // The relay moved (key 2 used by SES in us-east-1 after the rotation, key 1 before it), read 4 h later: safe, next inactive.
      const moved = await judge(s, { 1: { LastUsedDate: new Date(rotated.getTime() - DAY), ServiceName: "ses", Region: "us-east-1" }, 2: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }, new Date(used.getTime() + 4 * HOUR));
      const safe = one(moved, "relay.retire");
      expect([safe.status, one(moved, "relay.credentials").status]).toEqual(["pass", "pass"]);
      expect(safe.summary).toMatch(/^safe to deactivate the previous key: .* Next: set mail-infra:smtpPreviousKey to inactive/);
    });
  });

  it("previous key inactive: key 1 Inactive in place, the secret unchanged; smtp checked without a login, relay.retire says retire next", async () => {
    await withStep("inactive", async (s) => {
      expect(await keyStatuses(s)).toEqual([[1, "Inactive"], [2, "Active"]]);
      expect((await stages(s)).sort()).toEqual([["AWSCURRENT"], ["AWSPREVIOUS"]]);
      expectKey(await secretAt(s, "AWSCURRENT"), s, 2);
      expectKey(await secretAt(s, "AWSPREVIOUS"), s, 1);
      const rotated = await rotatedAt(s);
      const fs = await judge(s, {}, new Date(rotated.getTime() + DAY));
      expect(byId(fs.filter((f) => f.layer === "smtp" && f.id !== "smtp.auth")).every((x) => x.endsWith(" pass"))).toBe(true);
      // Key 1 still exists (inactive): still a rotation, so no login with key 2.
      expect(byId(fs.filter((f) => f.id === "smtp.auth"))).toEqual(["smtp.auth inconclusive", "smtp.auth inconclusive"]);
      expect(one(fs, "smtp.key").evidence[1]).toMatch(new RegExp(`^other key ${s.d.ids.get(1)} \\(Inactive, created `));
      // Neither key seen: not enough evidence to delete key 1.
      expect(one(fs, "relay.retire").status).toBe("inconclusive");
      const seen = new Date(rotated.getTime() + 2 * HOUR);
      const probed = await judge(s, { 2: { LastUsedDate: seen, ServiceName: "ses", Region: "us-east-1" } }, new Date(seen.getTime() + 4 * HOUR));
      const safe = one(probed, "relay.retire");
      expect([safe.status, safe.summary]).toEqual([
        "pass",
        "safe to retire the previous key: in us-east-1 (admin@example.com) the current key was used by SES after the rotation and the previous key not since. Next: set mail-infra:smtpPreviousKey to retired and run `pulumi up` (this deletes the key).",
      ]);
      // A relay that still held key 1 fails now, and verify says how to undo.
      const used = new Date(rotated.getTime() + 2 * HOUR);
      const late = one(await judge(s, { 1: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }, new Date(used.getTime() + HOUR)), "relay.retire");
      expect(late.status).toBe("fail");
      expect(late.remediation).toContain("set mail-infra:smtpPreviousKey back to active");
    });
  });

  it("previous key retired: key 1 deleted, the secret unchanged; smtp passes, no relay.retire any more", async () => {
    await withStep("retired", async (s) => {
      expect(await keyStatuses(s)).toEqual([[2, "Active"]]);
      expect((await stages(s)).sort()).toEqual([["AWSCURRENT"], ["AWSPREVIOUS"]]);
      expectKey(await secretAt(s, "AWSCURRENT"), s, 2);
      expect(s.w.manifest.smtp.previousKey).toEqual({ generation: 1, accessKeyId: s.d.ids.get(1), state: "retired" });
      const fs = await judge(s, {}, new Date());
      expect(byId(fs)).toEqual(["smtp.secret pass", "smtp.key pass", "smtp.password pass", "smtp.auth pass", "smtp.auth pass", "smtp.permission pass", "relay.credentials warn"]);
      expect(one(fs, "smtp.key").evidence).toHaveLength(1);
    });
  });

  it("a deployment that left the secret on key 1 while deactivating it is caught: smtp.key fails, the AUTH logins are rejected", async () => {
    await withStep(
      "inactive",
      async (s) => {
        expect(await stages(s)).toEqual([["AWSCURRENT"]]);
        expectKey(await secretAt(s, "AWSCURRENT"), s, 1);
        const fs = await judge(s, {}, new Date());
        const key = one(fs, "smtp.key");
        expect([key.status, key.summary]).toEqual(["fail", "the key is Inactive: SES rejects every login with it"]);
        expect(fs.filter((f) => f.id === "smtp.auth").map((f) => f.status)).toEqual(["fail", "fail"]);
      },
      { keepSecret: true },
    );
  });
});
