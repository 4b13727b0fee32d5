/**
 * The bridge between the component inputs (packages/mail-infra) and the stack's one validator
 * (lib/config.ts validateConfig): inputs are turned into the stack config keys they stand for,
 * validated by the same rules, and every problem is reported under the name of the input the
 * caller wrote, never under a `mail-infra:` config key. No rule is written here.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigKey, type MailConfig, validateConfig } from "../../lib/config";
import { TEXT_WIDTH, wrapText } from "../../lib/wrap";

/** One problem with a component's inputs: the input as the caller named it, and what to do. */
export interface InputIssue {
  /** The input, e.g. `dmarcPolicy`, `senders[0]` or `regionalMailFromSubdomains["us-west-2"]`. */
  readonly input: string;
  readonly message: string;
}

/** Thrown by a component constructor before any child is declared: every problem at once. */
export class InvalidInputsError extends Error {
  constructor(
    readonly component: string,
    readonly issues: readonly InputIssue[],
  ) {
    // 100 columns, like every text the CLIs print (lib/wrap.ts); `issues` keeps each problem whole.
    super(
      wrapText(
        `Invalid inputs for ${component} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` + issues.map((i) => `  - ${i.input}: ${i.message}`).join("\n"),
        TEXT_WIDTH,
      ),
    );
    this.name = "InvalidInputsError";
  }
}

/**
 * How a component names a config key: the input's name, or a function of the entry index
 * (entries of a map input are reported by their map key).
 */
export type InputNames = Partial<Record<ConfigKey, string | ((index: number | undefined) => string)>>;

/** Raw config values, keyed by short config key, as validateConfig accepts them. */
export type RawConfig = Partial<Record<ConfigKey, string | number | boolean | string[]>>;

/** A placeholder stack name: the components name their resources themselves, never by stack. */
const VALIDATION_STACK = "component";

/**
 * Validate `raw` with lib/config.ts. On failure, throw InvalidInputsError naming the inputs
 * through `names` (keys outside `names` keep their short config name; the `mail-infra:` prefix
 * never reaches the caller, in the key or in the message).
 */
export function validateInputs(component: string, raw: RawConfig, names: InputNames): MailConfig {
  try {
    return validateConfig(raw, VALIDATION_STACK);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new InvalidInputsError(component, e.issues.map((i) => ({ input: inputName(i.key, names), message: renameKeys(i.message, names) })));
  }
}

/** `mail-infra:route53Zones[0]` → the input that produced it. */
export function inputName(configKey: string, names: InputNames): string {
  const m = /^(?:mail-infra:)?([A-Za-z0-9]+)(?:\[(\d+)\])?(.*)$/.exec(configKey);
  if (!m) return configKey;
  const [, key, index, rest] = m;
  const name = names[key as ConfigKey];
  const i = index === undefined ? undefined : Number(index);
  if (typeof name === "function") return name(i) + rest;
  return (name ?? key) + (index === undefined ? "" : `[${index}]`) + rest;
}

/** Config keys named inside a message (`mail-infra:regions`) become input names. */
function renameKeys(message: string, names: InputNames): string {
  return message
    .replace(/`pulumi config set[^`]*`/g, "the input")
    .replace(/mail-infra:([A-Za-z0-9]+)/g, (_, key: string) => {
      const name = names[key as ConfigKey];
      return typeof name === "function" ? name(undefined) : (name ?? key);
    });
}

/**
 * A structural input (it decides which resources exist and their names) must be a plain value
 * when the component is constructed. Through a component provider, an input that came from
 * another resource or is a secret arrives as an Output (pulumi/pulumi sdk/nodejs
 * provider/server.ts deserializeInputs); say so instead of failing deep inside.
 */
export function plainIssues(component: string, inputs: Record<string, unknown>, structural: readonly string[]): InputIssue[] {
  return structural.flatMap((input) =>
    containsOutput(inputs[input])
      ? [{ input, message: `is an Output (a value another resource computes, or a secret). It decides which resources ${component} declares and their names, so it must be a plain value known when the program runs.` }]
      : [],
  );
}

function containsOutput(v: unknown): boolean {
  if (pulumi.Output.isInstance(v)) return true;
  if (Array.isArray(v)) return v.some(containsOutput);
  if (v !== null && typeof v === "object" && !pulumi.Resource.isInstance(v)) return Object.values(v).some(containsOutput);
  return false;
}

/** Inputs a component requires, checked before the validator so the message names the input. */
export function requiredIssues(inputs: Record<string, unknown>, required: readonly string[]): InputIssue[] {
  return required.flatMap((input) => {
    const v = inputs[input];
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0) ? [{ input, message: "is required." }] : [];
  });
}

/** A map input's entries in the `key=value` form a config list uses, with the keys in order for error names. */
export function mapEntries(map: Record<string, string> | undefined): { entries: string[]; keys: string[] } {
  const keys = Object.keys(map ?? {});
  return { entries: keys.map((k) => `${k}=${(map ?? {})[k]}`), keys };
}

/** `name["key"]` for the entry `index` of a map input, or the input itself. */
export function mapEntryName(input: string, keys: readonly string[]): (index: number | undefined) => string {
  return (index) => (index === undefined || keys[index] === undefined ? input : `${input}[${JSON.stringify(keys[index])}]`);
}
