/**
 * Test harness for the policies: builds the arguments the Pulumi engine passes them
 * (ResourceValidationArgs, StackValidationArgs) by hand, including `notApplicable` and
 * `stackTags`, which @pulumi/policy 1.18+ relies on, and props behind the same unknown-checking
 * proxy the engine uses, so a value can be made "unknown during preview".
 *
 * Specs import the policy modules, never policies/index.ts (constructing the pack starts a
 * gRPC server).
 */
import * as policySdk from "@pulumi/policy";
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import { expect } from "vitest";
import { route53TxtValue } from "../../lib/records";
import { splitDescription } from "../../scripts/lib/policy-docs";
import { defaultStackTags } from "../../scripts/lib/policy-runner";

/**
 * What @pulumi/policy's deserializer puts in props for a string that is unknown during preview
 * (its `unknownStringValue` sentinel); reading it through the proxy throws UnknownValueError.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const proxy = (policySdk as unknown as { unknownCheckingProxy: <T extends object>(o: T) => T }).unknownCheckingProxy;

class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
  }
}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

type ResourceClass<TResource extends Resource, TArgs> = { new (name: string, args: TArgs, ...rest: never[]): TResource };

function typeOf(cls: unknown): string {
  const t = (cls as { __pulumiType?: unknown }).__pulumiType;
  if (typeof t !== "string") throw new Error("The resource class has no Pulumi type.");
  return t;
}

function isTypeOf(type: string, cls: unknown): boolean {
  return typeOf(cls) === type;
}

export interface ArgsOptions {
  config?: Record<string, unknown>;
  name?: string;
  urn?: string;
  stackTags?: ReadonlyMap<string, string>;
}

/** ResourceValidationArgs for one resource of `cls` with these (typed) input props. */
export function resourceArgs<TResource extends Resource, TArgs>(
  cls: ResourceClass<TResource, TArgs>,
  props: Unwrap<NonNullable<TArgs>>,
  opts: ArgsOptions = {},
): ResourceValidationArgs {
  const type = typeOf(cls);
  const name = opts.name ?? "test";
  const proxied = proxy(props as object) as Record<string, unknown>;
  return {
    type,
    props: proxied,
    urn: opts.urn ?? `urn:pulumi:test::mail-infra::${type}::${name}`,
    name,
    opts: OPTIONS,
    stackTags: opts.stackTags ?? defaultStackTags(),
    isType: (c) => isTypeOf(type, c),
    asType: <R extends Resource, A>(c: new (name: string, args: A, ...rest: never[]) => R) =>
      isTypeOf(type, c) ? (proxied as Unwrap<NonNullable<A>>) : undefined,
    getConfig: <T extends object>() => ({ ...(opts.config ?? {}) }) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

export interface PolicyOutcome {
  violations: { message: string; urn?: string }[];
  /** The reason given to notApplicable(), when the policy called it. */
  notApplicable?: string;
  /** The "not checked at preview: …" note, when a value the policy needs is unknown. */
  notChecked?: string;
}

const UnknownValueError = (policySdk as unknown as { UnknownValueError: new (...args: never[]) => Error }).UnknownValueError;

export async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<PolicyOutcome> {
  const violations: PolicyOutcome["violations"] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
  try {
    for (const validate of validations) await validate(args, (message, urn) => violations.push({ message, ...(urn ? { urn } : {}) }));
  } catch (e) {
    if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
    // As the engine: violations reported before the throw stay; the message becomes a note.
    if (e instanceof UnknownValueError) return { violations, notChecked: e.message };
    throw e;
  }
  return { violations };
}

/** One resource of a stack as the engine passes it to stack policies: outputs as props. */
export interface StackEntry {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** Resource options where they differ from the defaults (protect false, ...). */
  opts?: Partial<PolicyResourceOptions>;
}

export function entry<TResource extends Resource, TArgs>(cls: ResourceClass<TResource, TArgs>, name: string, props: Record<string, unknown>): StackEntry {
  return { type: typeOf(cls), name, props };
}

export function urnOf(e: { type: string; name: string }): string {
  return `urn:pulumi:test::mail-infra::${e.type}::${e.name}`;
}

export function stackArgs(entries: readonly StackEntry[], opts: Omit<ArgsOptions, "name" | "urn"> = {}): StackValidationArgs {
  const resources: PolicyResource[] = entries.map((e) => {
    const props = proxy(structuredClone(e.props)) as Record<string, unknown>;
    return {
      type: e.type,
      props,
      urn: urnOf(e),
      name: e.name,
      opts: { ...OPTIONS, ...e.opts },
      dependencies: [],
      propertyDependencies: {},
      isType: (c) => isTypeOf(e.type, c),
      asType: <R extends Resource>(c: new (...rest: never[]) => R) => (isTypeOf(e.type, c) ? (props as ResolvedResource<R>) : undefined),
    };
  });
  return {
    resources,
    stackTags: opts.stackTags ?? defaultStackTags(),
    getConfig: <T extends object>() => ({ ...(opts.config ?? {}) }) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

export async function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): Promise<PolicyOutcome> {
  const violations: PolicyOutcome["violations"] = [];
  try {
    await policy.validateStack(args, (message, urn) => violations.push({ message, ...(urn ? { urn } : {}) }));
  } catch (e) {
    if (e instanceof NotApplicable) return { violations, notApplicable: e.reason ?? "" };
    // As the engine: violations reported before the throw stay; the message becomes a note.
    if (e instanceof UnknownValueError) return { violations, notChecked: e.message };
    throw e;
  }
  return { violations };
}

/** The longest policy description: one short sentence. */
export const MAX_DESCRIPTION_LENGTH = 140;

/** The metadata every policy of the pack has (pulumi/compliance-policies style). */
export function expectPolicyShape(policy: ResourceValidationPolicy | StackValidationPolicy, level: "advisory" | "mandatory"): void {
  expect(policy.name).toMatch(/^aws-(sesv2|route53|iam|secretsmanager|sns)-[a-z0-9]+-(missing|disallow|enable|configure)-[a-z0-9-]+$/);
  expect(policy.enforcementLevel).toBe(level);
  // The description is one short sentence, "Checks that …." (what the CLI prints next to each
  // violation); why and how to fix it are in the remediation and docs/policies.md.
  expect(policy.description).toMatch(/^Checks that .*\.$/s);
  expect(splitDescription(policy.description), `${policy.name}: one sentence`).toEqual({ what: policy.description, why: "" });
  expect(policy.description).not.toMatch(/\n|\.\s/);
  expect(policy.description.length, `${policy.name}: description length`).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
  expect(policy.remediationSteps ?? "").toMatch(/^[A-Z"].*\.$/s);
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    expect(schema, `${policy.name} config ${key}`).toHaveProperty("default");
  }
}

/** Input props of a Route 53 TXT record, values written the way the provider takes them. */
export function txtRecordProps(name: string, ...values: string[]): { zoneId: string; name: string; type: string; ttl: number; records: string[] } {
  return { zoneId: "Z0123456789ABCDEFGHIJ", name, type: "TXT", ttl: 600, records: values.map(route53TxtValue) };
}
