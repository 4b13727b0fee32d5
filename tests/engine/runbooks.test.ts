/**
 * Every documented runbook, run step by step through the engine model against the world
 * (tests/engine/model.ts, world.ts), with the invariants of tests/engine/runbook.ts checked after
 * every step; and, per invariant, a deliberately wrong runbook that must be caught. The
 * transcripts the docs print are outputs (tests/docs/outputs/, written with docOutput and
 * compared with the docs by tests/docs/examples.test.ts); the others are kept in
 * tests/engine/transcripts/.
 */
import { describe, expect, it } from "vitest";
import { TEXT_WIDTH, wrapText } from "../../scripts/lib/wrap";
import { docOutput } from "../docs/doc-examples";
import { PROD_LIKE } from "../helpers/config";
import { adoptionRunbook, liveWorld } from "./adoption";
import { deployedProd, protectEveryRecord } from "./fixtures";
import { Engine } from "./model";
import { type InvariantName, runRunbook, type RunbookStep, type Violation } from "./runbook";
import * as S from "./scenarios";

async function run(steps: readonly RunbookStep[], override?: typeof protectEveryRecord) {
  const d = await deployedProd(undefined, override);
  return runRunbook(steps, { world: d.world, config: d.config, engine: d.engine, foreign: d.foreign });
}

const invariants = (v: readonly Violation[]): InvariantName[] => [...new Set(v.map((x) => x.invariant))].sort();
/** A transcript as the docs print it: 100 columns, by the CLIs' own wrapping (scripts/lib/wrap.ts); a step's detail continues under it. */
const transcriptOf = (t: readonly string[]): string => `${wrapText(t.join("\n"), TEXT_WIDTH, (indent) => (indent === 2 ? 8 : indent + 4))}\n`;

describe("the MAIL FROM move (docs/operations.md: one up by default, two under REJECT_MESSAGE)", () => {
  it("passes every invariant, without pulumi state unprotect", async () => {
    const r = await run(S.MAIL_FROM_MOVE);
    expect(r.violations).toEqual([]);
    // The old records are retained: a region still on the old MAIL FROM would keep its MX.
    expect(r.engine.world.recordSet("bounce.queenofsandiego.com", "MX")?.values).toEqual(["10 feedback-smtp.us-east-1.amazonses.com"]);
    await docOutput("mail-from-move", transcriptOf(r.transcript));
  });

  it("a stack that chose REJECT_MESSAGE: the one-change move is refused as documented, the two ups pass every invariant", async () => {
    const r = await run(S.MAIL_FROM_MOVE_REJECT);
    expect(r.violations).toEqual([]);
    await docOutput("mail-from-move-reject", transcriptOf(r.transcript));
  });

  it("stops at pulumi preview under the old table (MAIL FROM records protected): the refusal is caught", async () => {
    const r = await run(S.MAIL_FROM_MOVE, protectEveryRecord);
    expect(invariants(r.violations)).toContain("refused");
    expect(r.violations.find((v) => v.invariant === "refused")?.message).toMatch(/pulumi preview refuses a documented step: unable to delete resource .*mail-from-(mx|spf)-bounce/s);
  });

  it("catches switching back to REJECT_MESSAGE before verify says SUCCESS (mail rejected)", async () => {
    const r = await run(S.MAIL_FROM_MOVE_NO_WAIT);
    expect(invariants(r.violations)).toEqual(["mail"]);
    expect(r.violations[0]!.message).toMatch(/MAIL FROM mail\.queenofsandiego\.com is PENDING under REJECT_MESSAGE/);
  });

  it("catches a review made against the wrong base (plan --against its own head names nothing)", async () => {
    const steps: RunbookStep[] = [{ ...(S.MAIL_FROM_MOVE[0] as Extract<RunbookStep, { kind: "config" }>), reviewBase: "head" }];
    const r = await run(steps);
    expect(invariants(r.violations)).toEqual(["review"]);
    expect(r.violations.map((v) => v.message)).toContain("delete of queenofsandiego.com-dns-mail-from-mx-bounce.queenofsandiego.com was not named by plan --against");
  });
});

describe("the key rotation (docs/rotation.md), two rotations, every refused step", () => {
  it("passes every invariant; each refused step is refused as documented and changes nothing", async () => {
    const r = await run(S.ROTATION);
    expect(r.violations).toEqual([]);
    expect([...r.engine.world.keys.values()].map((k) => k.status)).toEqual(["Active"]);
    await docOutput("rotation", transcriptOf(r.transcript));
  });

  it("catches deactivating the old key before the relay moved (the relay loses its key)", async () => {
    const r = await run(S.ROTATION_RELAY_NOT_MOVED);
    // verify (issue 17's positive evidence) never says safe while the relay holds the old key:
    // the runbook's wait fails first, and the deactivation it then ignores loses the relay.
    expect(invariants(r.violations)).toEqual(["refused", "relay"]);
    expect(r.violations[0]).toMatchObject({ step: "4. Verify until relay.retire says safe", message: "verify never said relay.retire passes within 336 h" });
    expect(r.violations[1]!.message).toMatch(/relay admin@queenofsandiego\.com cannot log in/);
  });

  it("catches a documented refusal that the program no longer makes", async () => {
    // Raising the generation by two is refused; a runbook that claims a wrong refusal must fail.
    const r = await run([{ kind: "config", title: "claims a refusal", set: { dnsTtl: 900 }, expectRefused: /never/ }]);
    expect(invariants(r.violations)).toEqual(["refused"]);
  });
});

describe("a failed up in the middle of a rotation (outputs since CLI 3.112)", () => {
  it("a retire whose key delete fails still writes 'retired' into the outputs; rotating right away hits IAM's two-key limit", async () => {
    const r = await run(S.RETIRE_FAILS_THEN_NEXT_ROTATION);
    expect(r.violations.map((v) => `${v.step}: ${v.message}`)).toEqual([
      "7. Retire (the key delete fails): pulumi up fails: Throttling: Rate exceeded (delete aws:iam/accessKey:AccessKey)",
      "Next rotation right away: pulumi up fails: LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2",
    ]);
    const smtp = (r.engine.outputs.verification as { smtp: { keyGeneration: number; previousKey: { state: string } } }).smtp;
    expect(smtp).toMatchObject({ keyGeneration: 2, previousKey: { state: "retired" } });
    expect([...r.engine.world.keys.values()]).toHaveLength(2);
  });

  it("running the failed up again before the next step recovers (docs/rotation.md)", async () => {
    const r = await run(S.RETIRE_FAILS_RERUN);
    expect(r.violations.map((v) => v.step)).toEqual(["7. Retire (the key delete fails)"]);
    expect([...r.engine.world.keys.values()].map((k) => k.status)).toEqual(["Active", "Active"]);
  });
});

describe("recovery after a delete outside Pulumi (docs/monitoring.md): refresh, then up", () => {
  for (const what of ["identity", "record", "event-destination"] as const) {
    it(`recovers a deleted ${what} without unprotect`, async () => {
      const r = await run(S.outsideDeleteRecovery(what));
      expect(r.violations).toEqual([]);
      // The docs print the identity's (tests/docs/outputs); the others are the engine's own snapshots.
      if (what === "identity") await docOutput("recover-identity", transcriptOf(r.transcript));
      else await expect(transcriptOf(r.transcript)).toMatchFileSnapshot(`transcripts/recover-${what}.txt`);
    });
  }

  it("re-created identity: new DKIM tokens replace the three CNAMEs, the old ones stay in DNS", async () => {
    const r = await run(S.outsideDeleteRecovery("identity"));
    const west = r.engine.world.identities.get("us-west-2/queenofsandiego.com")!;
    for (const t of west.tokens) expect(r.engine.world.recordSet(`${t}._domainkey.queenofsandiego.com`, "CNAME")?.values).toEqual([`${t}.dkim.amazonses.com`]);
    expect([...r.engine.world.dns.keys()].filter((k) => k.includes("_domainkey") && k.includes("uswest2")).length).toBe(6);
  });

  it("fails under the old table: the DKIM replace is refused (records protected)", async () => {
    const r = await run(S.outsideDeleteRecovery("identity"), protectEveryRecord);
    expect(r.violations.find((v) => v.invariant === "refused")?.message).toMatch(/unable to replace resource .*dns-dkim-us-west-2-1/s);
  });

  it("with monitoring (prod's alertEmails): a deleted alarm comes back after refresh and up, not after up alone", async () => {
    const alarms = (w: { objects: Map<string, { type: string }> }) => [...w.objects.values()].filter((o) => o.type === "aws:cloudwatch/metricAlarm:MetricAlarm").length;
    const d = await deployedProd(PROD_LIKE);
    d.engine.refreshOnUp = false;
    const before = alarms(d.world);
    expect(before).toBe(8);
    const noRefresh = await runRunbook([S.ALARM_RECOVERY[0]!, S.ALARM_RECOVERY[2]!], { world: d.world, config: d.config, engine: d.engine, foreign: d.foreign });
    expect(noRefresh.violations).toEqual([]);
    expect(alarms(d.world)).toBe(before - 1);
    const r = await runRunbook(S.ALARM_RECOVERY.slice(1), { world: d.world, config: d.config, engine: d.engine, foreign: d.foreign });
    expect(r.violations).toEqual([]);
    expect(alarms(d.world)).toBe(before);
  });

  it("catches pulumi up without a refresh: the engine sees no change and the region stays down", async () => {
    const d = await deployedProd();
    // `pulumi up --refresh=false` (or a project without `options: refresh: always`).
    d.engine.refreshOnUp = false;
    const r = await runRunbook(S.IDENTITY_RECOVERY_WITHOUT_REFRESH, { world: d.world, config: d.config, engine: d.engine, foreign: d.foreign });
    expect(invariants(r.violations)).toEqual(["mail"]);
  });
});

describe("regions, DKIM key length, protection (README, docs/operations.md)", () => {
  it("adds a region: the other regions' mail is untouched, the new one verifies", async () => {
    const r = await run(S.ADD_REGION);
    expect(r.violations).toEqual([]);
    expect(r.engine.world.rejection("eu-west-1", "queenofsandiego.com")).toBeUndefined();
    await expect(transcriptOf(r.transcript)).toMatchFileSnapshot("transcripts/add-region.txt");
  });

  it("removes a region in three ups (protect false, remove, protect true); removing it alone is refused", async () => {
    const r = await run(S.REMOVE_REGION);
    expect(r.violations).toEqual([]);
    expect(r.engine.world.identities.has("us-west-2/queenofsandiego.com")).toBe(false);
    expect(r.engine.state.filter((x) => x.protect).map((x) => x.name).sort()).toEqual([
      "queenofsandiego.com-dns-dmarc",
      "queenofsandiego.com-dns-spf",
      "queenofsandiego.com-us-east-1-identity",
      "smtp-secret",
      "smtp-user",
    ]);
    await docOutput("remove-region", transcriptOf(r.transcript));
  });

  it("catches protect false and the removal in one change (the state still protects the removed identity)", async () => {
    const r = await run(S.REMOVE_REGION_ONE_STEP);
    expect(invariants(r.violations)).toEqual(["refused"]);
    expect(r.violations[0]!.message).toMatch(/unable to delete resource .*us-west-2-identity/s);
  });

  it("turns protect off and back on without a delete or replace", async () => {
    const r = await run(S.PROTECT_OFF_AND_BACK);
    expect(r.violations).toEqual([]);
    expect(r.transcript.filter((l) => /^\s+(\+|-|~|\+-) /.test(l))).toEqual([]);
  });

  it("changes the DKIM key length and back a day later: updates in place, tokens kept", async () => {
    const before = await deployedProd();
    const tokens = before.world.identities.get("us-east-1/queenofsandiego.com")!.tokens;
    const r = await runRunbook(S.DKIM_KEY_LENGTH, { world: before.world, config: before.config, engine: before.engine, foreign: before.foreign });
    expect(r.violations).toEqual([]);
    expect(r.engine.world.identities.get("us-east-1/queenofsandiego.com")!.tokens).toEqual(tokens);
    await expect(transcriptOf(r.transcript)).toMatchFileSnapshot("transcripts/dkim-key-length.txt");
  });

  it("catches changing the key length twice in a day: the up fails, the stack outputs stay as they were", async () => {
    const d = await deployedProd();
    const r = await runRunbook(S.DKIM_KEY_LENGTH_SAME_DAY, { world: d.world, config: d.config, engine: d.engine, foreign: d.foreign });
    expect(invariants(r.violations)).toEqual(["refused"]);
    expect(r.violations[0]!.message).toMatch(/changed less than 24 hours ago/);
    // The failed up bailed before the program registered its outputs: they still say 1024 bits.
    const regions = (r.engine.outputs.verification as { domains: { regions: { dkimSigningKeyLength: string }[] }[] }).domains[0]!.regions;
    expect(regions.map((x) => x.dkimSigningKeyLength)).toEqual(["RSA_1024_BIT", "RSA_1024_BIT"]);
  });
});

describe("adoption (docs/adopting.md) of a live setup, from adopt's own output", () => {
  it("imports, then the first up creates nothing that exists, keeps every foreign DNS value and the relay working", async () => {
    const { world, foreign } = liveWorld();
    const { config, steps } = adoptionRunbook(world);
    const r = await runRunbook(steps, { world, config, engine: new Engine(world, "prod"), foreign });
    expect(r.violations).toEqual([]);
    // The apex TXT set still holds the site verifications next to the program's SPF.
    expect(world.recordSet("example.com", "TXT")?.values).toEqual(expect.arrayContaining(["google-site-verification=abc123", "MS=ms4711"]));
    await docOutput("adoption", transcriptOf(r.transcript));
  });

  it("also when the shared MAIL FROM's MX names us-west-2 (docs/adopting.md's case: us-east-1 moves)", async () => {
    const { world, foreign } = liveWorld("us-west-2");
    const { config, steps } = adoptionRunbook(world);
    const r = await runRunbook(steps, { world, config, engine: new Engine(world, "prod"), foreign });
    expect(r.violations).toEqual([]);
    expect(r.transcript.join("\n")).toMatch(/create +aws:route53:Record example\.com-dns-mail-from-mx-bounce-us-east-1\.example\.com/);
  });

  it("catches a first up without the import (AlreadyExists)", async () => {
    const { world, foreign } = liveWorld();
    const { config, steps } = adoptionRunbook(world);
    const r = await runRunbook(steps.slice(1, 2), { world, config, engine: new Engine(world, "prod"), foreign });
    expect(invariants(r.violations)).toEqual(["refused"]);
    expect(r.violations[0]!.message).toMatch(/AlreadyExistsException|already exists/);
  });

  it("catches a config that dropped mail-infra:apexTxtValues: the up loses the site verifications (dns)", async () => {
    const { world, foreign } = liveWorld();
    const { config, steps } = adoptionRunbook(world);
    const { "mail-infra:apexTxtValues": _dropped, ...withoutApex } = config;
    const r = await runRunbook(steps.slice(0, 2), { world, config: withoutApex, engine: new Engine(world, "prod"), foreign });
    expect(invariants(r.violations)).toEqual(["dns"]);
    expect(r.violations[0]!.message).toBe("TXT example.com lost google-site-verification=abc123, MS=ms4711");
  });

  it("catches retiring the old SMTP user before relay-fix (relay)", async () => {
    const { world, foreign } = liveWorld();
    const { config, steps } = adoptionRunbook(world);
    const wrong = steps.filter((s) => s.kind !== "relay-fix");
    const r = await runRunbook(wrong, { world, config, engine: new Engine(world, "prod"), foreign });
    expect(invariants(r.violations)).toEqual(["relay"]);
  });
});

describe("aliases: a stack deployed under earlier resource names", () => {
  it("takes the MAIL FROM records over from their region-keyed names: no create, no delete", async () => {
    const d = await deployedProd();
    // The state as an earlier version of the program left it: each MAIL FROM record under the
    // first URN its goal names as an alias.
    const first = await d.engine.preview(d.config);
    const aliasOf = new Map(first.run!.resources.filter((r) => r.options.aliases.length > 0).map((r) => [r.urn, r.options.aliases[0]!]));
    expect(aliasOf.size).toBeGreaterThan(0);
    for (const s of d.engine.state) s.urn = aliasOf.get(s.urn) ?? s.urn;
    const r = await runRunbook([{ kind: "config", title: "pulumi up after upgrading mail-infra" }], { world: d.world, config: d.config, engine: d.engine, foreign: d.foreign });
    expect(r.violations).toEqual([]);
    const up = r.transcript.filter((l) => /^\s+(\+|-|~|\+-|=) /.test(l));
    expect(up.length).toBe(aliasOf.size);
    for (const l of up) expect(l).toMatch(/^  =  same .*\(alias of urn:pulumi:prod::mail-infra::.*\)$/);
  });
});
