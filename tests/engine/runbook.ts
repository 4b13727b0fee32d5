/**
 * Runbooks as data, run through the engine model against the world, with the invariants checked
 * after every step and a transcript of what happened (the docs print some: tests/docs/outputs/;
 * the others are snapshots in tests/engine/transcripts/).
 *
 * Invariants (docs/architecture.md, "The engine model"):
 * - `refused`: no documented step is refused by the engine (or the program) unless the runbook
 *   says it is a refused step; a refused step changes nothing.
 * - `relay`: every relay holds a working key at every moment (its sends between steps succeed,
 *   and it could log in right after each step).
 * - `mail`: no region whose mail was flowing stops (identity, DKIM, MAIL FROM under REJECT_MESSAGE).
 * - `dns`: no DNS value the program does not own is lost.
 * - `review`: every delete and replace an up makes was named by the change review
 *   (`plan --against`, lib/change-review.ts) of that config change.
 */
import { hasSmtpCredentials, type Manifest, manifestSchema } from "../../lib/manifest";
import { type Plan, planSchema, reviewChange } from "../../lib/change-review";
import { pulumiTypeName } from "../../lib/resource-kinds";
import { checkRetire } from "../../scripts/verify/layers/relay/check";
import { checkSesIdentity } from "../../scripts/verify/layers/ses/check";
import { observed } from "../../lib/verify/findings";
import { type ProgramRun, redactSecrets, runProgramUnderMocks } from "../../scripts/lib/mock-program";
import * as pulumi from "@pulumi/pulumi";
import { runMailProgram, stackOutputs } from "../../components/MailStack";
import { pulumiConfig } from "../helpers/config";
import { type ConfigValues, Engine, type OperationResult, type Step } from "./model";
import { HOUR, type World } from "./world";
import { unwrapped } from "../helpers/unwrap";

export type InvariantName = "refused" | "relay" | "mail" | "dns" | "review";

export interface Violation {
  invariant: InvariantName;
  step: string;
  message: string;
}

/** One step of a runbook, as the docs write it. */
export type RunbookStep =
  | { kind: "config"; title: string; set?: ConfigValues; unset?: string[]; expectRefused?: RegExp; reviewBase?: "previous" | "head" }
  | { kind: "refresh"; title: string }
  | { kind: "relay-fix"; title: string; sender: string }
  | { kind: "wait"; title: string; hours: number }
  | { kind: "verify-until"; title: string; check: "relay.retire" | "ses.identity.mail-from" | "ses"; maxHours: number }
  | { kind: "outside"; title: string; act: (w: World) => string }
  | { kind: "manual"; title: string; act: (w: World) => string }
  | { kind: "import"; title: string; entries: () => { urn: string; type: string; id: string }[] };

export interface RunbookResult {
  violations: Violation[];
  transcript: string[];
  engine: Engine;
  config: ConfigValues;
}

/** `plan --json` of a program run (its custom resources, as scripts/plan.ts prints them), parsed as `plan --against` reads it. */
export function planOf(run: ProgramRun): Plan {
  return planSchema.parse({
    stack: run.stack,
    resources: run.resources.filter((r) => r.custom).map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: redactSecrets(r.inputs), options: r.options })),
    outputs: run.outputs,
  });
}

const planCache = new Map<string, Plan>();

/** The offline plan of a config, as `npm run plan -- --json` makes it (mocks, no last deployment). */
export async function offlinePlan(config: ConfigValues, stack: string): Promise<Plan> {
  const key = JSON.stringify([stack, Object.entries(config).sort(([a], [b]) => a.localeCompare(b))]);
  const cached = planCache.get(key);
  if (cached) return cached;
  const plan = await offlinePlanUncached(config, stack);
  planCache.set(key, plan);
  return plan;
}

async function offlinePlanUncached(config: ConfigValues, stack: string): Promise<Plan> {
  const run = await runProgramUnderMocks({
    stack,
    config: pulumiConfig(config),
    program: async () => stackOutputs(await runMailProgram(pulumi.runtime.allConfig(), pulumi.getStack())),
  });
  return planOf(run);
}

const shortUrn = (urn: string): string => urn.split("::").at(-1)!;

/** One line per step that changes something, in the engine's own symbols. */
export function formatSteps(result: OperationResult): string[] {
  const symbol: Record<Step["op"], string> = { create: "+", update: "~", replace: "+-", delete: "-", import: "=", same: "=", "refresh-delete": "-", "refresh-update": "~" };
  const lines = result.steps.map((s) => {
    const extra = [s.detail && s.detail.length > 0 ? `(${s.detail.join(", ")})` : "", s.retained ? "[retained: left in AWS]" : "", s.failed ? "FAILED" : ""].filter(Boolean).join(" ");
    return `  ${symbol[s.op].padEnd(2)} ${s.op.padEnd(14)} ${pulumiTypeName(s.type)} ${shortUrn(s.urn)}${extra ? ` ${extra}` : ""}`;
  });
  for (const w of result.warnings) lines.push(`  warning: ${shortUrn(w.urn)}: ${w.message}`);
  for (const e of result.errors) lines.push(`  error: ${e.message.split("\n")[0]}`);
  // Indented under the command, and wrapped again by the transcript (the program wraps it at 100 columns unindented).
  if (result.programError) lines.push(...unwrapped(result.programError).split("\n").map((l) => `  ${l}`));
  return lines;
}

/** Foreign DNS values: the record sets the program never declares, with every value. */
export function foreignValues(world: World): Map<string, string[]> {
  return new Map([...world.dns.entries()].map(([k, v]) => [k, [...v.values]]));
}

function manifestOf(engine: Engine): Manifest | undefined {
  const parsed = manifestSchema.safeParse(engine.outputs.verification);
  return parsed.success && hasSmtpCredentials(parsed.data) ? parsed.data : undefined;
}

/** verify's relay.retire, on observations read from the world (IAM keys and their last use). */
export function relayRetire(engine: Engine): { status: string; summary: string } {
  const m = manifestOf(engine);
  if (!m) return { status: "inconclusive", summary: "no manifest" };
  const keys = [...engine.world.keys.values()].filter((k) => k.user === m.smtp.user);
  const obs = {
    accessKeys: observed(keys.map((k) => ({ id: k.id, status: k.status, createDate: new Date(k.created).toISOString() }))),
    lastUsed: new Map(keys.map((k) => [k.id, observed(engine.world.lastUsed(k.id))])),
  };
  const f = checkRetire(m, obs, [], new Date(engine.world.now))[0];
  return f ? { status: f.status, summary: f.summary } : { status: "none", summary: "no previous key" };
}

/** verify's ses.identity.mail-from per region, on the identity as the world has it. */
export function mailFromFindings(engine: Engine): { region: string; status: string; summary: string }[] {
  return sesIdentityFindings(engine).filter((f) => f.id === "ses.identity.mail-from");
}

/** verify's SES identity checks (verified, DKIM, MAIL FROM, configuration set) per region, on the world. */
export function sesIdentityFindings(engine: Engine): { id: string; region: string; status: string; summary: string }[] {
  const m = manifestOf(engine);
  if (!m) return [];
  const out: { id: string; region: string; status: string; summary: string }[] = [];
  for (const d of m.domains) {
    for (const r of d.regions) {
      const i = engine.world.identities.get(engine.world.identityKey(r.region, d.domain));
      const obs = i
        ? observed({
            verifiedForSending: i.dkimVerified,
            dkim: { signingEnabled: true, status: i.dkimVerified ? "SUCCESS" : "PENDING", tokens: i.tokens, signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: i.keyLength, nextSigningKeyLength: i.keyLength },
            ...(i.mailFrom ? { mailFrom: { domain: i.mailFrom.domain, status: i.mailFrom.status, behaviorOnMxFailure: i.mailFrom.behavior } } : {}),
            configurationSetName: i.configurationSetName,
          })
        : ({ ok: false, reason: "notfound", message: "no identity" } as const);
      for (const f of checkSesIdentity(d, r, obs)) out.push({ id: f.id, region: r.region, status: f.status, summary: f.summary });
    }
  }
  return out;
}

/** Regions of the stack's domain whose mail flows now. */
function flowingRegions(engine: Engine, domain: string): Set<string> {
  const regions = new Set([...engine.world.identities.values()].filter((i) => i.domain === domain).map((i) => i.region));
  return new Set([...regions].filter((r) => engine.world.rejection(r, domain) === undefined));
}

export interface RunbookOptions {
  world: World;
  config: ConfigValues;
  stack?: string;
  /** An engine carried over from an earlier runbook (a deployed stack). */
  engine?: Engine;
  /** Record sets the program does not own, by `name|TYPE`: their values must survive. */
  foreign?: Map<string, string[]>;
}

/** Run `steps` as written, checking every invariant after each one. */
export async function runRunbook(steps: readonly RunbookStep[], opts: RunbookOptions): Promise<RunbookResult> {
  const world = opts.world;
  const stack = opts.stack ?? "prod";
  const engine = opts.engine ?? new Engine(world, stack);
  let config: ConfigValues = { ...opts.config };
  const domain = String(config.domain);
  const violations: Violation[] = [];
  const transcript: string[] = [];
  const foreign = opts.foreign ?? new Map<string, string[]>();
  let failureMark = world.mailFailures.length;
  // An outside incident breaks mail on purpose; the runbook that follows must bring it back.
  let incident = false;
  let upSinceIncident = false;
  let flowing = flowingRegions(engine, domain);

  const check = (title: string, allowMailGap: boolean) => {
    for (const f of world.mailFailures.slice(failureMark)) {
      if (f.what.includes("535")) violations.push({ invariant: "relay", step: title, message: `${new Date(f.at).toISOString()}: ${f.what}` });
      else if (!incident && !allowMailGap) violations.push({ invariant: "mail", step: title, message: `${new Date(f.at).toISOString()}: ${f.what}` });
    }
    failureMark = world.mailFailures.length;
    for (const relay of world.relays) {
      if (!world.relayWorks(relay)) violations.push({ invariant: "relay", step: title, message: `relay ${relay.address} cannot log in with key ${relay.username} in ${relay.region}` });
    }
    const now = flowingRegions(engine, domain);
    if (!incident && !allowMailGap) {
      // A region the config no longer declares was removed on purpose.
      const declared = new Set(config.regions as string[]);
      for (const r of flowing) if (declared.has(r) && !now.has(r)) violations.push({ invariant: "mail", step: title, message: `mail of ${domain} in ${r} is rejected: ${world.rejection(r, domain)}` });
    }
    flowing = now;
    for (const [key, values] of foreign) {
      const [name, type] = key.split("|") as [string, string];
      const live = world.recordSet(name, type)?.values ?? [];
      const lost = values.filter((v) => !live.includes(v));
      if (lost.length > 0) violations.push({ invariant: "dns", step: title, message: `${type} ${name} lost ${lost.join(", ")}` });
    }
  };

  for (const step of steps) {
    const at = new Date(world.now).toISOString().replace(/:00\.000Z$/, "Z");
    transcript.push(`# ${step.title}`);
    switch (step.kind) {
      case "config": {
        const next: ConfigValues = { ...config, ...(step.set ?? {}) };
        for (const k of step.unset ?? []) delete next[k];
        const full = (k: string): string => (k.includes(":") ? k : `mail-infra:${k}`);
        const changes = [...Object.entries(step.set ?? {}).map(([k, v]) => `${full(k)}: ${Array.isArray(v) ? JSON.stringify(v) : String(v)}`), ...(step.unset ?? []).map((k) => `${full(k)} removed`)];
        const what = changes.join("; ") || "no config change";
        const preview = await engine.preview(next);
        const previewRefused = !preview.ok;
        // An accepted preview is printed once, with its up below (the same steps, applied).
        if (previewRefused) {
          transcript.push(`$ pulumi preview   # ${what}`);
          transcript.push(...formatSteps(preview));
          if (step.expectRefused) {
            // Matched by its words: the program's refusal is wrapped to 100 columns (lib/wrap.ts).
            const text = unwrapped([preview.programError ?? "", ...preview.errors.map((e) => e.message)].join("\n"));
            if (!step.expectRefused.test(text)) violations.push({ invariant: "refused", step: step.title, message: `refused, but not as documented: ${text}` });
            transcript.push("  (refused, as documented: nothing changed)");
          } else {
            violations.push({ invariant: "refused", step: step.title, message: `pulumi preview refuses a documented step: ${[preview.programError, ...preview.errors.map((e) => e.message)].filter(Boolean).join("; ")}` });
          }
          break;
        }
        if (step.expectRefused) violations.push({ invariant: "refused", step: step.title, message: "the docs say this step is refused, but the engine accepts it" });
        // The review a pull request gets for this change (plan --against the base branch's plan).
        // No config change, no pull request: there is nothing for plan --against to review.
        const reviewed = changes.length > 0;
        const base = await offlinePlan(step.reviewBase === "head" ? next : config, stack);
        const head = await offlinePlan(next, stack);
        const review = reviewChange(base, head);
        const named = new Set(review.changes.filter((c) => c.kind === "delete" || c.kind === "replace").map((c) => c.urn));
        // The review cannot see a change of a secret input: `plan --json` redacts secrets on both
        // sides (docs/architecture.md, "Offline change review"). Such a replace is allowed only
        // when every input forcing it is secret in the plan; the transcript says so.
        const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
        const unseen = (s: Step): boolean => s.op === "replace" && (s.detail ?? []).length > 0 && (s.detail ?? []).every((k) => headByUrn.get(s.urn)?.inputs[k] === "[secret]");
        transcript.push(`$ pulumi preview && pulumi up   # ${what}   (${at})`);
        const up = await engine.up(next);
        transcript.push(...formatSteps(up));
        const stepKey = (r: OperationResult) => r.steps.map((x) => `${x.op} ${x.urn}`).join("\n");
        if (up.ok && stepKey(preview) !== stepKey(up)) transcript.push(...["  (the preview showed other steps:", ...formatSteps(preview), "  )"]);
        if (!up.ok) violations.push({ invariant: "refused", step: step.title, message: `pulumi up fails: ${[up.programError, ...up.errors.map((e) => e.message)].filter(Boolean).join("; ")}` });
        for (const s of up.steps.filter((x) => reviewed && (x.op === "delete" || x.op === "replace"))) {
          if (named.has(s.urn)) continue;
          if (unseen(s)) transcript.push(`  (plan --against cannot see this replace: ${shortUrn(s.urn)}'s ${(s.detail ?? []).join(", ")} is a secret, redacted in both plans)`);
          else violations.push({ invariant: "review", step: step.title, message: `${s.op} of ${shortUrn(s.urn)} was not named by plan --against` });
        }
        config = next;
        if (incident) upSinceIncident = true;
        check(step.title, false);
        break;
      }
      case "refresh": {
        transcript.push(`$ pulumi refresh   (${at})`);
        transcript.push(...formatSteps(engine.refresh()));
        check(step.title, false);
        break;
      }
      case "relay-fix": {
        transcript.push(`$ npm run relay-fix -- --stack ${stack} --sender ${step.sender}   # then enter the values in Gmail`);
        world.relayFix(step.sender, String(engine.outputs.smtpSecretArn ?? ""));
        transcript.push(`  the relay now holds key ${world.relays.find((r) => r.address === step.sender)?.username}`);
        check(step.title, false);
        break;
      }
      case "wait":
        world.advance(step.hours * HOUR);
        transcript.push(`  (${step.hours} h pass)`);
        check(step.title, false);
        break;
      case "verify-until": {
        const only = step.check === "relay.retire" ? "relay" : "ses";
        let waited = 0;
        for (;;) {
          const text: { status: string; summary: string; id?: string; region?: string }[] =
            step.check === "relay.retire" ? [relayRetire(engine)] : step.check === "ses" ? sesIdentityFindings(engine) : mailFromFindings(engine);
          const ok = text.length > 0 && text.every((f) => f.status === "pass");
          if (ok || waited >= step.maxHours) {
            transcript.push(`$ npm run verify -- --stack ${stack} --only ${only}   (after ${waited} h)`);
            for (const f of text) transcript.push(`  ${f.status.toUpperCase().padEnd(5)} ${(f.id ?? step.check).padEnd(30)} ${f.region ? `${f.region}: ` : ""}${f.summary}`);
            if (!ok) violations.push({ invariant: "refused", step: step.title, message: `verify never said ${step.check} passes within ${step.maxHours} h` });
            break;
          }
          world.advance(HOUR);
          waited += 1;
          check(step.title, false);
        }
        check(step.title, false);
        break;
      }
      case "outside":
        transcript.push(`! outside Pulumi: ${step.act(world)}`);
        incident = true;
        upSinceIncident = false;
        check(step.title, true);
        break;
      case "manual":
        transcript.push(`$ ${step.act(world)}`);
        check(step.title, false);
        break;
      case "import": {
        transcript.push(`$ pulumi import --file import.json`);
        const result = engine.importFile(step.entries());
        transcript.push(...formatSteps(result));
        if (!result.ok) violations.push({ invariant: "refused", step: step.title, message: result.errors.map((e) => e.message).join("; ") });
        check(step.title, false);
        break;
      }
    }
    // The incident is over once an up has run and every region of the stack flows again.
    if (incident && upSinceIncident && [...flowingRegions(engine, domain)].length === (config.regions as string[]).length) incident = false;
  }
  if (incident) violations.push({ invariant: "mail", step: "end", message: `the runbook ends with mail still rejected in ${(config.regions as string[]).filter((r) => !flowingRegions(engine, domain).has(r)).join(", ")}` });
  return { violations, transcript, engine, config };
}
