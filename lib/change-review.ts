/**
 * Offline change review: compare two offline plans (`plan --json`, the base branch's and this
 * one's) resource by resource, and say whether the change would break live mail.
 *
 * A replace is found from the inputs that changed and REPLACE_PROPERTIES: the properties of
 * each resource type whose change makes the provider create a new resource. What each type
 * means for mail is in the resource-kind table (lib/resource-kinds.ts). Types print as
 * `pulumi preview` prints them (pulumiTypeName); `--json` keeps the full token.
 */
import { z } from "zod";
import { pulumiTypeName, RESOURCE_KINDS, resourceKind } from "./resource-kinds";

/**
 * Per resource type, the inputs whose change forces a replacement: the resource-kind table's
 * `replaceOn` (lib/resource-kinds.ts, with the provider source of each entry). A type without
 * one reads every change as an update.
 */
export const REPLACE_PROPERTIES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(RESOURCE_KINDS).flatMap(([type, k]) => (k.replaceOn ? [[type, k.replaceOn] as const] : [])),
);

const planResource = z.object({
  urn: z.string(),
  type: z.string(),
  name: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  // A base plan from before `plan --json` printed options reads as unprotected and unaliased.
  options: z
    .object({ protect: z.boolean(), retainOnDelete: z.boolean().default(false), aliases: z.array(z.string()) })
    .loose()
    .default({ protect: false, retainOnDelete: false, aliases: [] }),
});
export type PlanResource = z.infer<typeof planResource>;

export const planSchema = z.object({
  stack: z.string(),
  resources: z.array(planResource),
  outputs: z
    .object({
      verification: z
        .object({
          smtp: z
            .object({
              keyGeneration: z.number().int(),
              previousKey: z.object({ generation: z.number().int(), state: z.string() }).optional(),
            })
            .loose(),
        })
        .loose()
        .optional(),
    })
    .loose(),
});
export type Plan = z.infer<typeof planSchema>;

export type ChangeKind = "create" | "delete" | "replace" | "update";

export interface Change {
  readonly kind: ChangeKind;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Inputs whose value differs (update, replace). */
  readonly changed: readonly string[];
  /** For a replace: the changed inputs that force it. */
  readonly forcedBy: readonly string[];
  /** Why this change breaks live mail; absent when it does not. */
  readonly breaks?: string;
  /** Why `pulumi preview` (and `pulumi up`) will refuse this step; absent when the engine runs it. */
  readonly refused?: EngineRefusal;
}

/** A step the Pulumi engine refuses, why, and what to do instead. */
export interface EngineRefusal {
  readonly step: "delete" | "replace";
  /** The engine's rule, in a sentence, with the source that has it. */
  readonly why: string;
  /** The way to get the change through. */
  readonly instead: string;
  /**
   * For a protected delete of a resource with retainOnDelete: the command that drops it from
   * Pulumi while its retainOnDelete keeps the AWS object. The only way to do that, since
   * mail-infra:protect false lifts retainOnDelete with protect.
   */
  readonly keepWith?: string;
}

export interface Review {
  readonly changes: readonly Change[];
  readonly breaksMail: boolean;
  /** Some step will be refused by the engine: the change cannot be deployed as it is. */
  readonly refused: boolean;
}

/**
 * The engine's protect rules (pulumi/pulumi, read at commit 1b59498, Aug 2026):
 * - delete: pkg/resource/deploy/step.go, DeleteStep.Apply refuses with deleteProtectedError when
 *   the resource is protected in the state (`old.Protect`), before it looks at retainOnDelete
 *   and before its dry-run branch, so `pulumi preview` fails as `pulumi up` does. The state's
 *   flag is what counts: a resource the program no longer declares cannot be unprotected from
 *   the program.
 * - replace: pkg/resource/deploy/step_generator.go, continueStepsFromDiff refuses ("unable to
 *   replace resource … as it is currently marked for protection") when `new.Protect &&
 *   old.Protect`: an update that unprotects the resource may replace it in the same run. In
 *   preview it reports the error and goes on showing the plan; the preview fails.
 */
const PROTECTED_DELETE_WHY =
  "it is protected in the stack's state. The engine refuses to delete a protected resource before it looks at retainOnDelete, in `pulumi preview` as in `pulumi up` (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply: deleteProtectedError), and a resource the program no longer declares cannot be unprotected from the program.";
const PROTECTED_REPLACE_WHY =
  "it is protected in the stack's state and in this program. The engine refuses to replace a protected resource (a replace deletes it), in `pulumi preview` as in `pulumi up`, unless the same update unprotects it (pulumi/pulumi pkg/resource/deploy/step_generator.go, continueStepsFromDiff: new.Protect && old.Protect).";

function refusal(kind: ChangeKind, r: PlanResource, baseR: PlanResource): EngineRefusal | undefined {
  if (kind === "delete" && baseR.options.protect) {
    return {
      step: "delete",
      why: PROTECTED_DELETE_WHY,
      instead:
        "deploy in two steps. First lift protection while the resource is still declared: on the base branch, `pulumi config set mail-infra:protect false && pulumi up` (this clears protect and retainOnDelete in the state, so the delete that follows really deletes the AWS object). Then deploy this change, and `pulumi config set mail-infra:protect true && pulumi up`.",
      ...(baseR.options.retainOnDelete ? { keepWith: `pulumi state unprotect '${baseR.urn}'` } : {}),
    };
  }
  if (kind === "replace" && baseR.options.protect && r.options.protect) {
    return {
      step: "replace",
      why: PROTECTED_REPLACE_WHY,
      instead:
        "unprotect in the same update: `pulumi config set mail-infra:protect false` with this change, `pulumi up` (the replace goes through), then `pulumi config set mail-infra:protect true && pulumi up`.",
    };
  }
  return undefined;
}

/** Access key generations that carry mail in the base: the current one, and the previous one while active. */
function keysInUse(base: Plan): Set<number> {
  const smtp = base.outputs.verification?.smtp;
  if (!smtp) return new Set();
  const inUse = new Set([smtp.keyGeneration]);
  if (smtp.previousKey && smtp.previousKey.state === "active") inUse.add(smtp.previousKey.generation);
  return inUse;
}

function breaks(kind: ChangeKind, r: PlanResource, baseR: PlanResource, changed: readonly string[], base: Plan): string | undefined {
  const why = resourceKind(r.type)?.breaksMail?.({ kind, name: r.name, inputs: r.inputs, baseInputs: baseR.inputs, changed, keysInUse: keysInUse(base) });
  if (why) return why;
  const gone = kind === "delete" || kind === "replace";
  if (gone && baseR.options.protect) return `${kind === "delete" ? "deletes" : "replaces"} a protected resource`;
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Compare the base plan with the head plan. A head resource whose alias is a base URN is the same resource. */
export function reviewChange(base: Plan, head: Plan): Review {
  const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
  const matched = new Set<string>();
  const changes: Change[] = [];
  for (const r of head.resources) {
    const baseR = [r.urn, ...r.options.aliases].map((u) => baseByUrn.get(u)).find((b) => b !== undefined && !matched.has(b.urn));
    if (!baseR) {
      changes.push({ kind: "create", urn: r.urn, type: r.type, name: r.name, changed: [], forcedBy: [] });
      continue;
    }
    matched.add(baseR.urn);
    const keys = [...new Set([...Object.keys(baseR.inputs), ...Object.keys(r.inputs)])].sort();
    const changed = keys.filter((k) => !same(baseR.inputs[k], r.inputs[k]));
    if (changed.length === 0) continue;
    const forceNew = REPLACE_PROPERTIES[r.type];
    const forcedBy = forceNew ? changed.filter((k) => forceNew.includes(k)) : [];
    const kind: ChangeKind = forcedBy.length > 0 ? "replace" : "update";
    const why = breaks(kind, r, baseR, changed, base);
    const refused = refusal(kind, r, baseR);
    changes.push({ kind, urn: r.urn, type: r.type, name: r.name, changed, forcedBy, ...(why ? { breaks: why } : {}), ...(refused ? { refused } : {}) });
  }
  for (const r of base.resources) {
    if (matched.has(r.urn)) continue;
    const why = breaks("delete", r, r, [], base);
    const refused = refusal("delete", r, r);
    changes.push({ kind: "delete", urn: r.urn, type: r.type, name: r.name, changed: [], forcedBy: [], ...(why ? { breaks: why } : {}), ...(refused ? { refused } : {}) });
  }
  return { changes, breaksMail: changes.some((c) => c.breaks !== undefined), refused: changes.some((c) => c.refused !== undefined) };
}

/** The review as text: one line per change, then the verdict. */
export function formatReview(review: Review, against: string, allowBreak: boolean): string {
  const lines = [`Change review against ${against}:`];
  if (review.changes.length === 0) lines.push("  no changes");
  for (const c of review.changes) {
    const detail =
      c.kind === "replace" ? ` (${c.forcedBy.join(", ")} forces a replacement)` : c.kind === "update" ? ` (${c.changed.join(", ")})` : "";
    const refusedLine = c.refused ? `\n          REFUSED BY PULUMI: ${c.refused.step} of a protected resource (see below)` : "";
    lines.push(`  ${c.kind.padEnd(7)} ${pulumiTypeName(c.type)} ${c.name}${detail}${c.breaks ? `\n          BREAKS MAIL: ${c.breaks}` : ""}${refusedLine}`);
  }
  for (const step of ["delete", "replace"] as const) {
    const refused = review.changes.flatMap((c) => (c.refused?.step === step ? [c.refused] : []));
    const first = refused[0];
    if (!first) continue;
    const what = `${refused.length} ${step}${refused.length === 1 ? "" : "s"}`;
    lines.push(`\`pulumi preview\` will refuse ${what} of protected resources: ${first.why}`);
    const instead = refused.map((x) => x.instead).filter((x, i, all) => all.indexOf(x) === i);
    for (const text of instead) lines.push(`  Instead: ${text}`);
    const keep = refused.map((x) => x.keepWith).filter((x): x is string => x !== undefined);
    if (keep.length > 0) {
      lines.push(
        `  To drop ${keep.length === 1 ? "the retained one" : `the ${keep.length} retained ones`} from Pulumi but keep ${keep.length === 1 ? "its AWS object" : "their AWS objects"} (retainOnDelete), the only way is, before this \`pulumi up\` (mail-infra:protect false lifts retainOnDelete too):`,
      );
      for (const command of keep) lines.push(`    ${command}`);
    }
  }
  const n = review.changes.filter((c) => c.breaks).length;
  lines.push(
    review.breaksMail
      ? `Verdict: would break mail (${n} change${n === 1 ? "" : "s"}).${allowBreak ? " Accepted with --allow-break." : " Exit 1; pass --allow-break to accept it on purpose."}`
      : "Verdict: no change breaks mail.",
  );
  const r = review.changes.filter((c) => c.refused).length;
  if (review.refused) lines.push(`Pulumi will refuse ${r} step${r === 1 ? "" : "s"}: the change cannot be deployed as it is. Exit 1 (--allow-break does not change that).`);
  return lines.join("\n") + "\n";
}
