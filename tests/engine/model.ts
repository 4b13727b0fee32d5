/**
 * A model of the Pulumi engine: `pulumi preview`, `pulumi up`, `pulumi refresh` and
 * `pulumi import --file` applied to a state it keeps, step by step, with the real program (run
 * under Pulumi's mocks, each resource's state decided here as the engine decides it) and a
 * world that stands for AWS (tests/engine/world.ts). Each rule cites the engine source it
 * follows (pulumi/pulumi, read through the code index; paths are at the repository root):
 *
 * - [SG] pkg/resource/deploy/step_generator.go: a registration with no old state is a create
 *   (or an import when the goal has an import id); with old state, a diff of the old inputs and
 *   the goal's (minus `ignoreChanges`) is same, update or replace; a replace of a resource
 *   whose old state and new goal are both protected is refused ("unable to replace resource ...
 *   as it is currently marked for protection"): in preview the error is reported and the preview
 *   continues, in an update it bails at once. Unprotecting and replacing in one update is
 *   allowed ("we don't look at old.Protect here"). Create-before-delete unless
 *   `deleteBeforeReplace`; the replaced resource's delete is pended to the end.
 * - [DS] pkg/resource/deploy/step.go `DeleteStep.Apply`: "Refuse to delete protected resources"
 *   comes first, before any provider call and before `retainOnDelete` is looked at, and it runs
 *   in preview as in up. A retained resource leaves the state without a provider Delete.
 * - [GD] step_generator.go `GenerateDeletes` / deployment_executor.go: resources of the old state
 *   that the program did not register are deleted after the program has finished, in reverse
 *   dependency order, together with the pended deletes of replaced resources.
 * - [AL] step_generator.go: a goal whose `aliases` name an old URN takes over that state (no
 *   create, no delete).
 * - [IM] step.go `ImportStep.Apply`: the provider reads the object; "inputs to import do not
 *   match the existing resource" is a warning in preview ("importing this resource will
 *   fail") and an error in up. `ignoreChanges` applies to that diff.
 * - [IC] step.go `diffResource(..., ignoreChanges)`: ignored paths take their old value before
 *   the diff, so they never cause an update or replace.
 * - [OUT] stack outputs are registered by the program when it finishes and written at the end of
 *   an update. Since CLI 3.112.0 a failed update writes the outputs it did register and keeps
 *   the others (pulumi/pulumi#14621, #14752, #15754); an update that failed before the program
 *   registered them keeps the old ones.
 * - [RF] pkg/resource/deploy/source_refresh.go and step.go `RefreshStep`: refresh reads every
 *   resource of the state from the provider, drops the ones that are gone and takes the live
 *   inputs and outputs of the others. It does not run the program, so stack outputs are
 *   untouched (pulumi/pulumi#9990).
 * - [PV] preview: the same steps with no provider Create/Update/Delete (step.go `Apply(preview)`),
 *   values the provider would assign unknown (here: the mocks' placeholders).
 *
 * Not modelled (docs/architecture.md, "The engine model"): component resources' own state,
 * providers as resources, parallel step execution, partial failures inside one step,
 * `replaceOnChanges`, `dependsOn`-driven replaces of dependents, and targeted updates.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { runMailProgram, stackOutputs } from "../../components/MailStack";
import { REPLACE_PROPERTIES } from "../../lib/change-review";
import { type ProgramRun, type RecordedResource, runProgramUnderMocks, unwrapSecrets } from "../../scripts/lib/mock-program";
import { pulumiConfig } from "../helpers/config";
import { AwsError, type World } from "./world";

export interface StateResource {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
}

export type StepOp = "create" | "update" | "replace" | "delete" | "import" | "same" | "refresh-delete" | "refresh-update";

export interface Step {
  op: StepOp;
  urn: string;
  type: string;
  /** The changed inputs (update, replace) or the forcing ones (replace). */
  detail?: string[];
  /** A delete (or the delete half of a replace) that left the object in AWS. */
  retained?: boolean;
  /** The provider call failed (the update stopped here). */
  failed?: boolean;
}

export interface EngineError {
  urn: string;
  message: string;
}

export interface OperationResult {
  kind: "preview" | "up" | "refresh" | "import";
  steps: Step[];
  /** Refusals and provider errors; an up with errors failed. */
  errors: EngineError[];
  /** Warnings (an import whose inputs do not match, in preview). */
  warnings: EngineError[];
  /** The program's own refusal (a ConfigError: rotation and MAIL FROM rules), before any step. */
  programError?: string;
  ok: boolean;
  /** The program run (the goal): its resources and outputs. */
  run?: ProgramRun;
}

export type ConfigValues = Record<string, string | number | string[]>;

/**
 * Whether the project refreshes before every preview and up: `options: refresh: always` in
 * Pulumi.yaml (Pulumi's project file reference, "options.refresh"), read as the CLI reads it.
 */
export function projectRefreshesAlways(root = join(__dirname, "../..")): boolean {
  const doc = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { options?: { refresh?: unknown } } | null;
  return doc?.options?.refresh === "always";
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** [IC] The goal inputs with every ignored top-level path set to its old value. */
function withIgnored(oldInputs: Record<string, unknown>, news: Record<string, unknown>, ignore: readonly string[]): Record<string, unknown> {
  const out = { ...news };
  for (const path of ignore) {
    const top = path.split(".")[0]!;
    if (top in oldInputs) out[top] = oldInputs[top];
    else delete out[top];
  }
  return out;
}

/** The inputs that differ; a secret compares by its value (the engine diffs plaintext, then re-marks secrets). */
/** `top` over `base`, object by object (arrays and scalars of `top` win). */
function overlay(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(top)) {
    const b = base[k];
    const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? overlay(b, v) : v;
  }
  return out;
}

function changedKeys(rawOlds: Record<string, unknown>, rawNews: Record<string, unknown>): string[] {
  const olds = unwrapSecrets(rawOlds) as Record<string, unknown>;
  const news = unwrapSecrets(rawNews) as Record<string, unknown>;
  return [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => !same(olds[k], news[k])).sort();
}

export class Engine {
  state: StateResource[] = [];
  outputs: Record<string, unknown> = {};
  /**
   * Changes the options a goal carries before the engine acts on them: for the tests that run
   * a deliberately wrong protection table (the one before issue 18) through the same runbooks.
   */
  optionsOverride?: (r: RecordedResource) => void;
  /**
   * Refresh before each preview and up (`pulumi up --refresh`, or `options: refresh: always` in
   * Pulumi.yaml, the default here); a preview's refresh is not kept.
   */
  refreshOnUp = projectRefreshesAlways();

  constructor(
    readonly world: World,
    readonly stack = "prod",
    /** The program: the mail program by default; tests/engine/model.test.ts passes small ones. */
    readonly program: () => Promise<Record<string, unknown>> = async () => stackOutputs(await runMailProgram(pulumi.runtime.allConfig(), pulumi.getStack())),
  ) {}

  /** `pulumi preview`: the steps an up would take, with no effect on the world, the state or the outputs. */
  preview(config: ConfigValues): Promise<OperationResult> {
    return this.run(config, true);
  }

  /** `pulumi up` (after its preview, which refuses the same things): the steps, applied. */
  async up(config: ConfigValues): Promise<OperationResult> {
    return this.run(config, false);
  }

  /** [RF] `pulumi refresh`: the state re-read from the world; outputs untouched. */
  refresh(): OperationResult {
    const steps: Step[] = [];
    const kept: StateResource[] = [];
    for (const r of this.state) {
      const live = this.world.read(r.type, r.id);
      if (!live) {
        steps.push({ op: "refresh-delete", urn: r.urn, type: r.type });
        continue;
      }
      const detail = changedKeys(r.inputs, live.inputs);
      if (detail.length > 0) steps.push({ op: "refresh-update", urn: r.urn, type: r.type, detail });
      kept.push({ ...r, inputs: live.inputs, outputs: { ...r.outputs, ...live.outputs } });
    }
    this.state = kept;
    return { kind: "refresh", steps, errors: [], warnings: [], ok: true };
  }

  /**
   * `pulumi import --file F`: each entry read from the world into the state under its URN, with
   * the live inputs, protected ("The resources are protected from deletion by default": Pulumi
   * CLI reference, pulumi import; `--protect=false` turns it off). The program's own `protect`
   * replaces the flag at the first up (a same step writes the goal's options). An entry that
   * does not exist fails the import.
   */
  importFile(entries: readonly { urn: string; type: string; id: string }[], protect = true): OperationResult {
    const steps: Step[] = [];
    const errors: EngineError[] = [];
    for (const e of entries) {
      const live = this.world.read(e.type, e.id);
      if (!live) {
        errors.push({ urn: e.urn, message: `resource '${e.id}' does not exist` });
        continue;
      }
      this.state.push({ urn: e.urn, type: e.type, name: e.urn.split("::").at(-1)!, id: e.id, inputs: live.inputs, outputs: live.outputs, protect, retainOnDelete: false });
      steps.push({ op: "import", urn: e.urn, type: e.type });
    }
    return { kind: "import", steps, errors, warnings: [], ok: errors.length === 0 };
  }

  private async run(config: ConfigValues, preview: boolean): Promise<OperationResult> {
    if (!this.refreshOnUp) return this.runOnce(config, preview);
    const saved = this.state;
    const refreshed = this.refresh();
    const result = await this.runOnce(config, preview);
    if (preview) this.state = saved;
    return { ...result, steps: [...refreshed.steps, ...result.steps] };
  }

  private async runOnce(config: ConfigValues, preview: boolean): Promise<OperationResult> {
    const steps: Step[] = [];
    const errors: EngineError[] = [];
    const warnings: EngineError[] = [];
    const byUrn = new Map(this.state.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const next: StateResource[] = [];
    /** Replaced resources whose delete is pended to the end (create-before-delete). */
    const pended: StateResource[] = [];
    let bailed = false;
    const world = this.world;

    const register = (r: RecordedResource): { id: string | undefined; state: Record<string, unknown> } => {
      this.optionsOverride?.(r);
      const fallback = { id: r.id, state: r.state };
      // [AL] The old state: by URN, or by one of the goal's aliases.
      const oldUrn = [r.urn, ...r.options.aliases].find((u) => byUrn.has(u) && !seen.has(u));
      const old = oldUrn ? byUrn.get(oldUrn) : undefined;
      if (old) seen.add(old.urn);
      const keep = (s: StateResource) => {
        if (!preview) next.push(s);
      };
      if (bailed) {
        if (old) keep(old);
        return old ? { id: old.id, state: { ...old.inputs, ...old.outputs } } : fallback;
      }
      const fail = (message: string) => {
        errors.push({ urn: r.urn, message });
        const started = [...steps].reverse().find((x) => x.urn === r.urn);
        if (started) started.failed = true;
        // [SG] An update bails at the first error; a preview reports it and goes on.
        if (!preview) bailed = true;
      };
      const flags = { protect: r.options.protect, retainOnDelete: r.options.retainOnDelete };

      if (!old) {
        if (r.options.importId) {
          // [IM] Import: read, compare, adopt.
          const live = world.read(r.type, r.options.importId);
          if (!live) {
            fail(`resource '${r.options.importId}' does not exist`);
            return fallback;
          }
          const diff = changedKeys(live.inputs, withIgnored(live.inputs, r.inputs, r.options.ignoreChanges ?? []));
          if (diff.length > 0) {
            const message = `inputs to import do not match the existing resource: [${diff.join(" ")}]`;
            if (preview) warnings.push({ urn: r.urn, message: `${message}; importing this resource will fail` });
            else {
              fail(message);
              return fallback;
            }
          }
          steps.push({ op: "import", urn: r.urn, type: r.type });
          keep({ urn: r.urn, type: r.type, name: r.name, id: r.options.importId, inputs: r.inputs, outputs: live.outputs, ...flags });
          return { id: r.options.importId, state: { ...r.inputs, ...live.outputs } };
        }
        steps.push({ op: "create", urn: r.urn, type: r.type });
        if (preview) return fallback;
        try {
          const created = world.create(r.type, r.name, r.inputs);
          keep({ urn: r.urn, type: r.type, name: r.name, id: created.id, inputs: r.inputs, outputs: created.outputs, ...flags });
          return { id: created.id, state: { ...r.inputs, ...created.outputs } };
        } catch (e) {
          fail(e instanceof AwsError ? e.message : String(e));
          return fallback;
        }
      }

      const goal = withIgnored(old.inputs, r.inputs, r.options.ignoreChanges ?? []);
      const changed = changedKeys(old.inputs, goal);
      const forced = changed.filter((k) => (REPLACE_PROPERTIES[r.type] ?? []).includes(k));
      const renamed = old.urn !== r.urn;
      if (changed.length === 0) {
        // Same: the new options (protect, retainOnDelete) and URN are written to the state.
        if (renamed) steps.push({ op: "same", urn: r.urn, type: r.type, detail: [`alias of ${old.urn}`] });
        keep({ ...old, urn: r.urn, name: r.name, ...flags });
        return { id: old.id, state: { ...old.inputs, ...old.outputs } };
      }
      if (forced.length > 0) {
        // [SG] A replace of a resource protected in the state and in the goal is refused.
        if (old.protect && r.options.protect) {
          fail(`unable to replace resource "${r.urn}"\nas it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``);
          keep(old);
          return { id: old.id, state: { ...old.inputs, ...old.outputs } };
        }
        steps.push({ op: "replace", urn: r.urn, type: r.type, detail: forced });
        if (preview) return fallback;
        try {
          if (r.options.deleteBeforeReplace) {
            if (!flags.retainOnDelete) world.delete(old.type, old.id, old.inputs);
          } else pended.push({ ...old, protect: false, retainOnDelete: flags.retainOnDelete });
          const created = world.create(r.type, r.name, r.inputs);
          keep({ urn: r.urn, type: r.type, name: r.name, id: created.id, inputs: r.inputs, outputs: created.outputs, ...flags });
          return { id: created.id, state: { ...r.inputs, ...created.outputs } };
        } catch (e) {
          fail(e instanceof AwsError ? e.message : String(e));
          keep(old);
          return { id: old.id, state: { ...old.inputs, ...old.outputs } };
        }
      }
      steps.push({ op: "update", urn: r.urn, type: r.type, detail: changed });
      // A preview of an update sees the new inputs over the old outputs (provider-assigned values stay known).
      if (preview) return { id: old.id, state: overlay(old.outputs, r.inputs) };
      try {
        const outputs = world.update(r.type, old.id, old.inputs, r.inputs);
        keep({ ...old, urn: r.urn, name: r.name, inputs: r.inputs, outputs, ...flags });
        return { id: old.id, state: { ...r.inputs, ...outputs } };
      } catch (e) {
        fail(e instanceof AwsError ? e.message : String(e));
        keep(old);
        return { id: old.id, state: { ...old.inputs, ...old.outputs } };
      }
    };

    let run: ProgramRun;
    try {
      run = await runProgramUnderMocks({
        stack: this.stack,
        config: pulumiConfig(config),
        lastOutputs: this.outputs,
        register,
        program: this.program,
      });
    } catch (e) {
      // The program refused the config (rotation, MAIL FROM move): nothing was registered.
      return { kind: preview ? "preview" : "up", steps: [], errors: [], warnings: [], programError: e instanceof Error ? e.message : String(e), ok: false };
    }

    // [GD] Deletes after the program: removed resources and pended replaced ones, in reverse order.
    const programFinished = !bailed;
    if (!bailed) {
      const toDelete = [...this.state.filter((r) => !seen.has(r.urn)), ...pended].reverse();
      for (const old of toDelete) {
        const replaced = pended.includes(old);
        // [DS] protect first, in preview as in up.
        if (old.protect) {
          errors.push({
            urn: old.urn,
            message: `unable to delete resource "${old.urn}"\nas it is currently marked for protection. To unprotect the resource, either remove the \`protect\` flag from the resource in your Pulumi program or use the command:\n\`pulumi state unprotect ${old.urn}\``,
          });
          if (!preview) {
            if (!replaced) next.push(old);
            break;
          }
          continue;
        }
        if (!replaced) steps.push({ op: "delete", urn: old.urn, type: old.type, ...(old.retainOnDelete ? { retained: true } : {}) });
        else if (old.retainOnDelete) {
          const s = [...steps].reverse().find((x) => x.urn === old.urn && x.op === "replace");
          if (s) s.retained = true;
        }
        if (preview || old.retainOnDelete) continue;
        try {
          world.delete(old.type, old.id, old.inputs);
        } catch (e) {
          errors.push({ urn: old.urn, message: e instanceof AwsError ? e.message : String(e) });
          if (!replaced) next.push(old);
          break;
        }
      }
      // Resources not yet reached when a delete failed stay in the state.
      if (!preview && errors.length > 0) {
        for (const old of this.state) if (!seen.has(old.urn) && !next.some((n) => n.urn === old.urn) && !steps.some((s) => s.op === "delete" && s.urn === old.urn)) next.push(old);
      }
    } else if (!preview) {
      // [SG] The update bailed: resources it did not reach keep their state.
      for (const old of this.state) if (!seen.has(old.urn)) next.push(old);
    }

    const ok = errors.length === 0;
    if (!preview) {
      this.state = next;
      // [OUT] Outputs: all on success; on failure, the registered ones over the old (3.112+), if the program got that far.
      if (ok) this.outputs = { ...run.outputs };
      else if (programFinished) this.outputs = { ...this.outputs, ...run.outputs };
    }
    return { kind: preview ? "preview" : "up", steps, errors, warnings, ok, run };
  }
}
