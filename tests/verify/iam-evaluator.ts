/**
 * A small, honest evaluator of IAM identity policies, for the policy-simulation fakes: it
 * answers SimulatePrincipalPolicy from the policy documents it is given (the user's policies as
 * moto holds them) and the request's actions, resource ARNs and context entries, so a question
 * asked wrongly (no ses:FromAddress context, the wrong region's ARNs) gets IAM's answer, not
 * the one a test chose.
 *
 * What it covers is what our policies and the tests' hostile edits use; anything else throws
 * (it never guesses):
 * - Effect Allow/Deny; an explicit Deny wins, then an Allow, else implicitDeny
 *   ("Policy evaluation logic", IAM User Guide);
 * - Action / NotAction with `*` and `?`, compared ignoring case; Resource / NotResource with
 *   wildcards, compared with case;
 * - Condition operators String(Not)Equals, String(Not)EqualsIgnoreCase, String(Not)Like,
 *   Arn(Not)Equals, Arn(Not)Like, Bool, Null; the ForAllValues:/ForAnyValue: prefixes and the
 *   IfExists suffix. Operators AND, keys AND, a key's values OR ("Condition element", IAM User
 *   Guide). Condition key names ignore case, values do not (except *IgnoreCase).
 * - A key missing from the request context: a positive operator is false and a negated one
 *   true; IfExists and ForAllValues are true, ForAnyValue false ("IAM JSON policy elements:
 *   Condition operators", "...IfExists", "Multivalued context keys"). Keys the evaluated
 *   statements use but the request did not give are listed as MissingContextValues.
 */

export interface ContextEntry {
  key: string;
  values: string[];
}

export interface PolicySource {
  /** Shown as SourcePolicyId in matched statements (the inline policy's name). */
  id: string;
  document: unknown;
}

export interface Evaluation {
  action: string;
  resource: string;
  decision: "allowed" | "explicitDeny" | "implicitDeny";
  matched: string[];
  missingContextValues: string[];
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "is" : "s");
  return re.test(value);
}

type Compare = (policyValue: string, contextValue: string) => boolean;
const BASE: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (p, c) => p === c, negated: false },
  StringNotEquals: { compare: (p, c) => p === c, negated: true },
  StringEqualsIgnoreCase: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: true },
  StringLike: { compare: (p, c) => wildcard(p, c, false), negated: false },
  StringNotLike: { compare: (p, c) => wildcard(p, c, false), negated: true },
  ArnEquals: { compare: (p, c) => p === c, negated: false },
  ArnNotEquals: { compare: (p, c) => p === c, negated: true },
  ArnLike: { compare: (p, c) => wildcard(p, c, false), negated: false },
  ArnNotLike: { compare: (p, c) => wildcard(p, c, false), negated: true },
  Bool: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
};

/** One operator block's verdict for one key. `values`: the context's, or undefined when absent. */
function conditionHolds(operator: string, policyValues: string[], values: string[] | undefined): boolean {
  let op = operator;
  let set: "all" | "any" | undefined;
  if (op.startsWith("ForAllValues:")) [set, op] = ["all", op.slice("ForAllValues:".length)];
  else if (op.startsWith("ForAnyValue:")) [set, op] = ["any", op.slice("ForAnyValue:".length)];
  let ifExists = false;
  if (op.endsWith("IfExists")) [ifExists, op] = [true, op.slice(0, -"IfExists".length)];
  if (op === "Null") {
    // "true": the key must be absent; "false": present.
    return policyValues.some((p) => (p.toLowerCase() === "true") === (values === undefined));
  }
  const base = BASE[op];
  if (!base) throw new Error(`iam-evaluator: condition operator ${operator} is not modelled; add it before a test relies on it`);
  if (values === undefined) {
    if (ifExists || set === "all") return true;
    if (set === "any") return false;
    return base.negated;
  }
  const matchesOne = (c: string) => policyValues.some((p) => base.compare(p, c));
  if (set === "all") return values.every((c) => (base.negated ? !matchesOne(c) : matchesOne(c)));
  if (set === "any") return values.some((c) => (base.negated ? !matchesOne(c) : matchesOne(c)));
  // A single-valued key: a positive operator matches any listed value, a negated one none.
  return values.some((c) => (base.negated ? !matchesOne(c) : matchesOne(c)));
}

function statementApplies(s: Record<string, unknown>, action: string, resource: string, context: Map<string, string[]>, used: Set<string>): boolean {
  const actionMatch = (patterns: unknown[]) => patterns.map(String).some((p) => wildcard(p, action, true));
  if (s.Action !== undefined && !actionMatch(list(s.Action))) return false;
  if (s.NotAction !== undefined && actionMatch(list(s.NotAction))) return false;
  if (s.Action === undefined && s.NotAction === undefined) throw new Error("iam-evaluator: a statement has neither Action nor NotAction");
  const resourceMatch = (patterns: unknown[]) => patterns.map(String).some((p) => wildcard(p, resource, false));
  if (s.Resource !== undefined && !resourceMatch(list(s.Resource))) return false;
  if (s.NotResource !== undefined && resourceMatch(list(s.NotResource))) return false;
  const condition = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, expected] of Object.entries(keys)) {
      const values = context.get(key.toLowerCase());
      if (values === undefined) used.add(key);
      if (!conditionHolds(operator, list(expected).map(String), values)) return false;
    }
  }
  return true;
}

/** IAM's decision for each action and resource, as SimulatePrincipalPolicy reports it. */
export function evaluatePolicies(policies: readonly PolicySource[], actions: readonly string[], resources: readonly string[], contextEntries: readonly ContextEntry[]): Evaluation[] {
  const context = new Map(contextEntries.map((e) => [e.key.toLowerCase(), e.values] as const));
  const out: Evaluation[] = [];
  for (const action of actions) {
    for (const resource of resources.length > 0 ? resources : ["*"]) {
      const allows: string[] = [];
      const denies: string[] = [];
      const missing = new Set<string>();
      for (const p of policies) {
        const doc = (typeof p.document === "string" ? JSON.parse(p.document) : p.document) as { Statement?: unknown };
        for (const raw of list(doc.Statement)) {
          const s = raw as Record<string, unknown>;
          if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new Error(`iam-evaluator: Effect ${String(s.Effect)} in ${p.id}`);
          if (statementApplies(s, action, resource, context, missing)) (s.Effect === "Deny" ? denies : allows).push(p.id);
        }
      }
      const decision = denies.length > 0 ? "explicitDeny" : allows.length > 0 ? "allowed" : "implicitDeny";
      out.push({ action, resource, decision, matched: decision === "explicitDeny" ? denies : decision === "allowed" ? allows : [], missingContextValues: [...missing] });
    }
  }
  return out;
}
