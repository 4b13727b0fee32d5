/**
 * What a new component schema breaks for programs written against the old one (issue 23): the
 * generated SDKs of other languages follow the schema, so a program breaks when a resource or a
 * property it uses disappears, when an input it may omit becomes required, when a property's
 * type changes, or when a plain input starts to accept only Outputs (or the reverse). Additions
 * that are optional break nothing.
 */

/** The part of a Pulumi package schema (pulumi/pulumi pkg/codegen/schema) this compares. */
export interface PackageSchema {
  resources?: Record<string, ObjectSpec & { inputProperties?: Record<string, PropertySpec>; requiredInputs?: string[] }>;
  types?: Record<string, ObjectSpec>;
}

interface ObjectSpec {
  properties?: Record<string, PropertySpec>;
  required?: string[];
}

export interface PropertySpec {
  type?: string;
  $ref?: string;
  plain?: boolean;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
}

/** A property's type without its documentation, e.g. `array<string>` or `map<ref:#/types/x>`. */
function typeOf(p: PropertySpec): string {
  if (p.$ref) return `ref:${p.$ref}`;
  if (p.type === "array" && p.items) return `array<${typeOf(p.items)}>`;
  if (p.type === "object" && p.additionalProperties) return `map<${typeOf(p.additionalProperties)}>`;
  return p.type ?? "any";
}

/** The changes from `before` to `after` that break a program written against `before`, one line each. */
export function schemaBreaks(before: PackageSchema, after: PackageSchema): string[] {
  const breaks: string[] = [];
  const props = (where: string, old: Record<string, PropertySpec> = {}, now: Record<string, PropertySpec> = {}, checkPlain: boolean): void => {
    for (const [name, p] of Object.entries(old)) {
      const q = now[name];
      if (!q) breaks.push(`${where}.${name} was removed.`);
      else if (typeOf(p) !== typeOf(q)) breaks.push(`${where}.${name} changed type from ${typeOf(p)} to ${typeOf(q)}.`);
      else if (checkPlain && Boolean(p.plain) !== Boolean(q.plain)) breaks.push(`${where}.${name} ${q.plain ? "now takes only plain values" : "is no longer a plain value"}.`);
    }
  };
  const newlyRequired = (where: string, old: string[] = [], now: string[] = []): void => {
    for (const name of now) if (!old.includes(name)) breaks.push(`${where}.${name} is now required.`);
  };
  for (const [token, r] of Object.entries(before.resources ?? {})) {
    const s = after.resources?.[token];
    if (!s) {
      breaks.push(`resource ${token} was removed.`);
      continue;
    }
    props(`${token} input`, r.inputProperties, s.inputProperties, true);
    newlyRequired(`${token} input`, r.requiredInputs, s.requiredInputs);
    props(`${token} output`, r.properties, s.properties, false);
    // An output that may now be absent breaks a program that reads it without a check.
    for (const name of r.required ?? []) if (r.properties?.[name] && s.properties?.[name] && !(s.required ?? []).includes(name)) breaks.push(`${token} output.${name} is no longer always set.`);
  }
  for (const [token, t] of Object.entries(before.types ?? {})) {
    const u = after.types?.[token];
    if (!u) {
      breaks.push(`type ${token} was removed.`);
      continue;
    }
    props(`type ${token}`, t.properties, u.properties, true);
    newlyRequired(`type ${token}`, t.required, u.required);
  }
  return breaks;
}
