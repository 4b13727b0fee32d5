/**
 * Evaluate a CrossGuard policy pack offline, over the resources that the real program declared
 * under Pulumi's mocks (scripts/lib/mock-program.ts). `npm run policy` and the tests use it.
 *
 * It mirrors what @pulumi/policy's analyzer server hands the policies when the Pulumi engine
 * calls it (node_modules/@pulumi/policy/server.js):
 * - resource policies get each custom resource's inputs as `props`, secrets unwrapped, behind
 *   the same unknown-checking proxy, with `isType`/`asType`, `getConfig`, `stackTags` and
 *   `notApplicable`; a validation function tagged with a Pulumi type is skipped for other types;
 * - both get `opts` as the engine fills them from the registration (protect, ignoreChanges,
 *   deleteBeforeReplace where set, aliases, additionalSecretOutputs, customTimeouts, parent) and
 *   the `provider` (the default one the engine registers, or the explicit one);
 * - stack policies get every resource with its outputs (inputs plus mocked provider outputs)
 *   as `props`, `parent`, `dependencies` and `propertyDependencies` linked to the resource
 *   objects, and the default providers and (given the outputs) the root stack resource as
 *   resources of the stack;
 * - the enforcement level is the policy's entry in the config, else "all", else the policy's
 *   own, else the pack's; "disabled" skips the policy and "remediate" reports as "mandatory"
 *   (no policy here remediates);
 * - a policy that stops on a value unknown during preview (an UnknownValueError, including the
 *   "not checked at preview: …" notes of policies/util/unknown.ts) keeps the violations it
 *   reported before; the engine adds its message as an advisory note, and this runner lists it
 *   apart, in `notChecked`, so a preview that could not check is never mistaken for a clean one;
 * - the config file has the format of `pulumi preview --policy-pack-config` and is validated
 *   against each policy's configSchema, whose defaults are filled in.
 */
import Ajv, { type ErrorObject } from "ajv";
import * as policySdk from "@pulumi/policy";
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyProviderResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import { readInputFile } from "./cli";
import { PROJECT } from "../../lib/config";
import { redact } from "../../lib/redact";
import { isSecretValue, type RecordedResource, unwrapSecrets } from "./mock-program";
import { UsageError } from "./stack-config";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export type ReportedLevel = "advisory" | "mandatory";

export interface Violation {
  policyName: string;
  /** "resource" for a resource policy, "stack" for a stack policy. */
  kind: "resource" | "stack";
  enforcementLevel: ReportedLevel;
  /** The resource the violation is about; absent when a stack policy blames the whole stack. */
  urn?: string;
  resourceType?: string;
  resourceName?: string;
  /** The policy's description: what it checks and why. */
  description: string;
  /** What is wrong with this resource. */
  message: string;
  /** The policy's remediation steps. */
  remediation?: string;
}

/** A policy that could not check everything: a value it needs is unknown (preview). */
export interface NotChecked {
  policyName: string;
  kind: "resource" | "stack";
  /** The resource whose value was unknown (resource policies); absent for a stack policy. */
  urn?: string;
  resourceType?: string;
  resourceName?: string;
  /** "not checked at preview: …": what could not be checked, and why. */
  message: string;
}

export interface PolicySettings {
  enforcementLevel: EnforcementLevel;
  /** The config properties (defaults filled in), without enforcementLevel. */
  config: Record<string, unknown>;
}

export interface PackInfo {
  name: string;
  version: string;
  /** Used for policies that set no level; Pulumi's default is advisory. */
  enforcementLevel?: EnforcementLevel;
}

// ---------------------------------------------------------------------------------------------
// Policy pack config (the --policy-pack-config file)
// ---------------------------------------------------------------------------------------------

/** Read and parse a --policy-pack-config JSON file; a missing or malformed file is a usage error. */
export function readPackConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readInputFile(path, "the policy pack config");
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (The policy pack config is a JSON file such as {"all": "mandatory"}.)`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // V8's message quotes the start of the text; give only where it broke (the file may be the wrong one, holding secrets).
    const at = /position (\d+)/.exec((e as Error).message);
    const where = at ? ` (at character ${Number(at[1]) + 1})` : "";
    throw new UsageError(`${path} is not valid JSON${where}. The policy pack config is a JSON object such as {"aws-route53-record-configure-dmarc-policy": {"enforcementLevel": "mandatory", "minimumPolicy": "reject"}}.`);
  }
}

function isLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath === "" ? "" : `${e.instancePath.slice(1).replace(/\//g, ".")} `;
      const extra =
        e.keyword === "additionalProperty" || e.keyword === "additionalProperties"
          ? ` "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
          : e.keyword === "enum"
            ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(", ")})`
            : "";
      return `${where}${e.message ?? "is not valid"}${extra}`;
    })
    .join("; ");
}

/**
 * Resolve each policy's enforcement level and config from a parsed config file (or none).
 * Throws UsageError naming the file, the policy and what is wrong: unknown policy names,
 * unknown levels, and properties that do not match the policy's configSchema.
 */
export function resolvePolicySettings(policies: Policies, pack: PackInfo, file: unknown = {}, source = "the policy pack config"): Map<string, PolicySettings> {
  if (file === null || typeof file !== "object" || Array.isArray(file)) {
    throw new UsageError(`${source} must be a JSON object whose keys are policy names or "all".`);
  }
  const entries = file as Record<string, unknown>;
  const names = policies.map((p) => p.name);
  const problems: string[] = [];
  for (const key of Object.keys(entries)) {
    if (key !== "all" && !names.includes(key)) {
      const near = names.filter((n) => n.includes(key) || key.includes(n.replace(/^aws-/, "")));
      // Stricter than the Pulumi CLI on purpose: its ReconcilePolicyPackConfig keeps an unknown
      // name without validating or using it, so a typo would silently leave a policy at its default.
      problems.push(
        `"${key}" is not a policy of ${pack.name}.${near.length > 0 ? ` Did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ""} Run \`npm run policy -- --list\` to see the names. (\`pulumi preview --policy-pack-config\` would silently ignore this name, so its setting would never apply.)`,
      );
    }
  }
  const levelOf = (key: string, value: unknown): EnforcementLevel | undefined => {
    const level = typeof value === "string" ? value : value !== null && typeof value === "object" ? (value as Record<string, unknown>).enforcementLevel : undefined;
    if (level === undefined) return undefined;
    if (!isLevel(level)) {
      problems.push(`"${key}": enforcement level ${JSON.stringify(level)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}.`);
      return undefined;
    }
    return level;
  };
  const all = entries.all;
  if (all !== undefined && typeof all !== "string" && (all === null || typeof all !== "object" || Object.keys(all).some((k) => k !== "enforcementLevel"))) {
    problems.push(`"all" sets only the enforcement level of every policy: write "all": "mandatory" or "all": {"enforcementLevel": "mandatory"}.`);
  }
  const allLevel = levelOf("all", all);

  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const settings = new Map<string, PolicySettings>();
  for (const p of policies) {
    const entry = entries[p.name];
    if (entry !== undefined && typeof entry !== "string" && (entry === null || typeof entry !== "object" || Array.isArray(entry))) {
      problems.push(`"${p.name}": give an enforcement level ("advisory") or an object ({"enforcementLevel": "mandatory", ...}).`);
      continue;
    }
    const level = levelOf(p.name, entry) ?? allLevel ?? p.enforcementLevel ?? pack.enforcementLevel ?? "advisory";
    const props: Record<string, unknown> = typeof entry === "object" && entry !== null ? { ...(entry as Record<string, unknown>) } : {};
    delete props.enforcementLevel;
    const schema = {
      type: "object",
      properties: p.configSchema?.properties ?? {},
      required: p.configSchema?.required ?? [],
      additionalProperties: false,
    };
    const validate = ajv.compile(schema);
    if (!validate(props)) {
      const known = Object.keys(p.configSchema?.properties ?? {});
      problems.push(
        `"${p.name}": ${formatAjvErrors(validate.errors)}. ${known.length > 0 ? `Its config properties: ${known.join(", ")} (and enforcementLevel).` : "It takes no config properties besides enforcementLevel."}`,
      );
      continue;
    }
    settings.set(p.name, { enforcementLevel: level, config: props });
  }
  if (problems.length > 0) {
    throw new UsageError(`Invalid policy pack config in ${source}:\n${problems.map((x) => `  - ${x}`).join("\n")}`);
  }
  return settings;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

type ResourceClass = { new (...rest: never[]): Resource } & { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };

// @pulumi/policy exports these at run time; its type declarations mark them internal.
const sdk = policySdk as unknown as {
  unknownCheckingProxy: <T extends object>(o: T) => T;
  UnknownValueError: new (...args: never[]) => Error;
};

class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

function pulumiTypeOf(o: unknown): string | undefined {
  const t = (o as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" && t.length > 0 ? t : undefined;
}

/** Same test as @pulumi/policy's isTypeOf: the class's Pulumi type, else its isInstance. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = pulumiTypeOf(resourceClass);
  if (pulumiType) return type === pulumiType;
  const isInstance = (resourceClass as ResourceClass).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function freezeMap(map: Map<string, string>): ReadonlyMap<string, string> {
  return Object.freeze({
    entries: map.entries.bind(map),
    forEach: map.forEach.bind(map),
    get: map.get.bind(map),
    has: map.has.bind(map),
    keys: map.keys.bind(map),
    size: map.size,
    values: map.values.bind(map),
    [Symbol.iterator]: map[Symbol.iterator].bind(map),
  }) as ReadonlyMap<string, string>;
}

/** The tags the engine sends for a stack (pulumi:project, pulumi:runtime), plus any given. */
export function defaultStackTags(extra: Record<string, string> = {}): ReadonlyMap<string, string> {
  return freezeMap(new Map(Object.entries({ "pulumi:project": PROJECT, "pulumi:runtime": "nodejs", ...extra })));
}

/**
 * The options a policy sees, as the engine fills AnalyzerResourceOptions (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go analyzeAll for resource policies, AnalyzeResources for
 * stack policies: protect, ignoreChanges, deleteBeforeReplace only when the program set it,
 * additionalSecretOutputs, aliases, customTimeouts, parent) and @pulumi/policy's server.js
 * getResourceOptions turns them into PolicyResourceOptions.
 */
function resourceOptions(r: RecordedResource, root?: RootStack): PolicyResourceOptions {
  const o = r.options;
  const parent = r.parent ?? (root ? rootStackUrn(root.name) : undefined);
  return {
    protect: o.protect,
    ignoreChanges: [...o.ignoreChanges],
    aliases: [...o.aliases],
    customTimeouts: { ...o.customTimeouts },
    additionalSecretOutputs: [...o.additionalSecretOutputs],
    ...(o.deleteBeforeReplaceDefined ? { deleteBeforeReplace: o.deleteBeforeReplace } : {}),
    ...(parent ? { parent } : {}),
  };
}

/** The program's root resource, which the engine registers and hands stack policies too. */
export interface RootStack {
  /** The stack name. */
  name: string;
  /** The stack outputs (the root resource's registered outputs). */
  outputs: Record<string, unknown>;
}

/**
 * The root stack resource's URN: type pulumi:pulumi:Stack, named `<project>-<stack>`
 * (@pulumi/pulumi runtime/stack.ts); every resource without a parent is its child.
 */
export function rootStackUrn(stack: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
}

/**
 * The provider a policy sees (AnalyzerProviderResource: the provider's URN, type, name and
 * inputs as props; step_generator.go getProviderResource, server.js getProviderResource).
 */
function providerResource(r: RecordedResource): PolicyProviderResource | undefined {
  if (!r.provider) return undefined;
  return { type: r.provider.type, props: sdk.unknownCheckingProxy(unwrapSecrets(r.provider.inputs) as Record<string, unknown>), urn: r.provider.urn, name: r.provider.name };
}

function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
  return "validateResource" in p && p.validateResource !== undefined;
}

/** Keys of JSON inside a secret whose string values are themselves secret (not e.g. a username or host). */
const SECRET_KEY = /pass|secret|token|private|credential/i;

/**
 * The plain text of every secret in the recorded resources, for redaction: each secret-marked
 * value, the password-like fields of JSON inside it, and the access key's secret outputs.
 */
export function secretStrings(resources: readonly RecordedResource[]): string[] {
  const found = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 6) found.add(v);
  };
  const jsonLeaves = (v: unknown, key = ""): void => {
    if (typeof v === "string") {
      if (SECRET_KEY.test(key)) add(v);
    } else if (Array.isArray(v)) v.forEach((x) => jsonLeaves(x, key));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) jsonLeaves(x, k);
  };
  const secretValue = (v: unknown): void => {
    if (typeof v === "string") {
      add(v);
      try {
        jsonLeaves(JSON.parse(v) as unknown);
      } catch {
        // not JSON
      }
    } else jsonLeaves(v, "secret");
  };
  const walk = (v: unknown): void => {
    if (isSecretValue(v)) secretValue(unwrapSecrets(v.value));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const r of resources) {
    walk(r.inputs);
    walk(r.state);
    // The provider marks these outputs secret; the mock monitor does not, so name them here.
    if (r.type === "aws:iam/accessKey:AccessKey") jsonLeaves(r.state);
  }
  return [...found].sort((a, b) => b.length - a.length);
}


export interface EvaluationResult {
  violations: Violation[];
  /** Policies that did not apply to a resource (or to the stack), with the reason. */
  notApplicable: { policyName: string; urn?: string; reason?: string }[];
  /** How many policies ran (not disabled). */
  policiesRun: number;
  /**
   * What could not be checked because a value is unknown (preview). The engine reports each as
   * an advisory "can't run policy … during preview" note; here they are kept apart.
   */
  notChecked: NotChecked[];
}

const NOT_CHECKED_PREFIX = "not checked at preview:";

/**
 * Run every policy over the recorded resources. `settings` comes from resolvePolicySettings.
 * Violation messages are redacted of every secret value the resources hold.
 */
export async function evaluatePolicies(opts: {
  resources: readonly RecordedResource[];
  policies: Policies;
  pack: PackInfo;
  settings?: Map<string, PolicySettings>;
  stackTags?: ReadonlyMap<string, string>;
  /** The stack and its outputs: the root stack resource, as the engine registers it. */
  stack?: RootStack;
}): Promise<EvaluationResult> {
  const settings = opts.settings ?? resolvePolicySettings(opts.policies, opts.pack);
  const stackTags = opts.stackTags ?? defaultStackTags();
  const secrets = secretStrings(opts.resources);
  const violations: Violation[] = [];
  const notApplicable: EvaluationResult["notApplicable"] = [];
  const notChecked: NotChecked[] = [];
  let policiesRun = 0;

  const stackResources = buildPolicyResources(opts.resources, opts.stack);
  const byUrn = new Map(opts.resources.map((r) => [r.urn, r]));

  for (const p of opts.policies) {
    const s = settings.get(p.name);
    const level = s?.enforcementLevel ?? p.enforcementLevel ?? opts.pack.enforcementLevel ?? "advisory";
    if (level === "disabled") continue;
    policiesRun++;
    const reported: ReportedLevel = level === "advisory" ? "advisory" : "mandatory";
    const config = s?.config ?? {};
    const kind = isResourcePolicy(p) ? "resource" : "stack";
    const report = (urn: string | undefined, message: string, level: ReportedLevel = reported): void => {
      const r = urn ? byUrn.get(urn) : undefined;
      violations.push({
        policyName: p.name,
        kind,
        enforcementLevel: level,
        ...(urn ? { urn } : {}),
        ...(r ? { resourceType: r.type, resourceName: r.name } : {}),
        description: p.description,
        message: redact(message, secrets),
        ...(p.remediationSteps ? { remediation: p.remediationSteps } : {}),
      });
    };
    // As in the engine, a policy that reads a value unknown during preview gets a note (the
    // engine makes it an advisory violation "can't run policy … during preview: <message>").
    const unknownNote = (urn: string | undefined, e: Error): void => {
      const r = urn ? byUrn.get(urn) : undefined;
      notChecked.push({
        policyName: p.name,
        kind,
        ...(urn ? { urn } : {}),
        ...(r ? { resourceType: r.type, resourceName: r.name } : {}),
        message: redact(e.message.startsWith(NOT_CHECKED_PREFIX) ? e.message : `${NOT_CHECKED_PREFIX} ${e.message}`, secrets),
      });
    };

    if (isResourcePolicy(p)) {
      const validations = Array.isArray(p.validateResource) ? p.validateResource : p.validateResource ? [p.validateResource] : [];
      for (const r of opts.resources.filter((x) => x.custom)) {
        const typeOfValidation = validations.length === 1 ? pulumiTypeOf(validations[0]) : undefined;
        if (typeOfValidation !== undefined && typeOfValidation !== r.type) {
          notApplicable.push({ policyName: p.name, urn: r.urn, reason: `Policy only applies to resources of type '${typeOfValidation}'` });
          continue;
        }
        for (const validate of validations) {
          const props = sdk.unknownCheckingProxy(unwrapSecrets(r.inputs) as Record<string, unknown>);
          const provider = providerResource(r);
          const args: ResourceValidationArgs = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r, opts.stack),
            ...(provider ? { provider } : {}),
            stackTags,
            isType: (cls) => isTypeOf(r.type, cls),
            asType: <TResource extends Resource, TArgs>(cls: new (name: string, args: TArgs, ...rest: never[]) => TResource) =>
              isTypeOf(r.type, cls) ? (props as Unwrap<NonNullable<TArgs>>) : undefined,
            getConfig: <T extends object>() => ({ ...config }) as T,
            notApplicable: throwNotApplicable,
          };
          const reportViolation: ReportViolation = (message) => report(r.urn, message);
          try {
            await validate(args, reportViolation);
          } catch (e) {
            if (e instanceof NotApplicable) notApplicable.push({ policyName: p.name, urn: r.urn, ...(e.reason ? { reason: e.reason } : {}) });
            else if (e instanceof sdk.UnknownValueError) unknownNote(r.urn, e);
            else throw new Error(`Policy ${p.name} failed on ${r.urn}: ${(e as Error).message}`, { cause: e });
          }
        }
      }
    } else {
      const typeOfValidation = pulumiTypeOf(p.validateStack);
      if (typeOfValidation !== undefined && !opts.resources.some((r) => r.type === typeOfValidation)) {
        notApplicable.push({ policyName: p.name, reason: `Policy only applies to resources of type '${typeOfValidation}'` });
        continue;
      }
      const args: StackValidationArgs = {
        resources: stackResources,
        getConfig: <T extends object>() => ({ ...config }) as T,
        stackTags,
        notApplicable: throwNotApplicable,
      };
      const reportViolation: ReportViolation = (message, urn) => report(urn, message);
      try {
        await p.validateStack(args, reportViolation);
      } catch (e) {
        if (e instanceof NotApplicable) notApplicable.push({ policyName: p.name, ...(e.reason ? { reason: e.reason } : {}) });
        else if (e instanceof sdk.UnknownValueError) unknownNote(undefined, e);
        else throw new Error(`Policy ${p.name} failed: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  return { violations, notApplicable, policiesRun, notChecked };
}

/** The StackValidationArgs resources: outputs as props, parents linked, as the engine builds them. */
export function buildPolicyResources(resources: readonly RecordedResource[], root?: RootStack): PolicyResource[] {
  const out: PolicyResource[] = resources.map((r) => {
    // Custom resources: their outputs (inputs plus what the provider assigns); components: the
    // outputs they registered, as the engine keeps both in its state.
    const props = sdk.unknownCheckingProxy(unwrapSecrets(r.custom ? r.state : (r.outputs ?? {})) as Record<string, unknown>);
    const provider = providerResource(r);
    return {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: resourceOptions(r, root),
      ...(provider ? { provider } : {}),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: <TResource extends Resource>(cls: new (...rest: never[]) => TResource) =>
        isTypeOf(r.type, cls) ? (props as ResolvedResource<TResource>) : undefined,
    };
  });
  // The default providers the engine registers are resources of the stack too (AnalyzeResources
  // walks every registered resource), each before the first resource that uses it.
  const recorded = new Set(resources.map((r) => r.urn));
  const providers = new Map<string, PolicyResource>();
  for (const r of resources) {
    const p = r.provider;
    if (!p || recorded.has(p.urn) || providers.has(p.urn)) continue;
    const props = sdk.unknownCheckingProxy(unwrapSecrets(p.inputs) as Record<string, unknown>);
    providers.set(p.urn, {
      type: p.type,
      props,
      urn: p.urn,
      name: p.name,
      opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(p.type, cls),
      asType: <TResource extends Resource>(cls: new (...rest: never[]) => TResource) => (isTypeOf(p.type, cls) ? (props as ResolvedResource<TResource>) : undefined),
    });
  }
  // As server.js makeAnalyzeStackRpcFun: parent, dependencies and propertyDependencies become the
  // resource objects of this stack; URNs of resources not in it are dropped.
  const byUrn = new Map(out.map((r) => [r.urn, r]));
  const objects = (urns: readonly string[]): PolicyResource[] => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  resources.forEach((r, i) => {
    const target = out[i];
    if (!target) return;
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) target.parent = parent;
    target.dependencies = objects(r.options.dependsOn);
    target.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, objects(urns)]));
  });
  if (!root) return [...providers.values(), ...out];
  // The root stack resource: its props are the stack outputs; it is the parent of every resource
  // the program declared without one (default providers have none, as the engine registers them).
  const urn = rootStackUrn(root.name);
  const type = "pulumi:pulumi:Stack";
  const rootProps = sdk.unknownCheckingProxy(unwrapSecrets(root.outputs) as Record<string, unknown>);
  const stack: PolicyResource = {
    type,
    props: rootProps,
    urn,
    name: `${PROJECT}-${root.name}`,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    dependencies: [],
    propertyDependencies: {},
    isType: (cls) => isTypeOf(type, cls),
    asType: <TResource extends Resource>(cls: new (...rest: never[]) => TResource) => (isTypeOf(type, cls) ? (rootProps as ResolvedResource<TResource>) : undefined),
  };
  resources.forEach((r, i) => {
    const target = out[i];
    if (target && !r.parent) target.parent = stack;
  });
  return [stack, ...providers.values(), ...out];
}

/** True when any violation blocks a deployment. */
export function hasMandatory(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.enforcementLevel === "mandatory");
}
