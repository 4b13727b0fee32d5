/**
 * The SMTP user's permissions, written once: the program attaches this document and the
 * policy pack checks declared documents against the same rule.
 */
import { CONFIGURATION_SET_PREFIX } from "./names";
import { regionalArn } from "./regions";

const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/** The only action SES SMTP needs (SMTP submission is authorised as SendRawEmail). */
export const SMTP_ACTIONS = ["ses:SendRawEmail"] as const;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * Allow only ses:SendRawEmail on the given identity and configuration set ARNs, and, when
 * `fromAddresses` is not empty, only with those From addresses (condition key ses:FromAddress). SES checks
 * the configuration set ARN too when a message uses one (every identity here has a default),
 * so leaving it out makes sending fail with AccessDenied.
 */
export function smtpSendPolicy(resourceArns: readonly string[], fromAddresses: readonly string[] = []): PolicyDocument {
  const statement: PolicyStatement = {
    Sid: "SendRawEmailOnly",
    Effect: "Allow",
    Action: [...SMTP_ACTIONS],
    Resource: [...resourceArns],
  };
  if (fromAddresses.length > 0) {
    // Mail clients keep the address as the user typed it (Gmail's alias "Admin@Example.com"),
    // and the inventory is lower-cased, so exact addresses compare ignoring case. `*@example.com`
    // widens to a whole domain and needs StringLike; IAM ANDs two operators, so then one
    // operator holds every entry (a plain address has no wildcard and matches exactly).
    const operator = fromAddresses.some(hasWildcard) ? "StringLike" : "StringEqualsIgnoreCase";
    statement.Condition = { [operator]: { "ses:FromAddress": [...fromAddresses] } };
  }
  return { Version: "2012-10-17", Statement: [statement] };
}

/**
 * The resources of the bounded grant (docs/architecture.md, "The SMTP grant does not grow with
 * the domains"): in each SMTP region, every SES identity of the account and every configuration
 * set the program names (lib/names.ts configurationSetName: "mail-infra-..."). Two ARNs per
 * region, whatever the number of domains. Who may be sent as is then said by the ses:FromAddress
 * condition alone: SES authorises a send against the identity of the From address's own
 * domain (or its address identity), so a listed address can only use its own identity.
 */
export function smtpSendResourcePatterns(regions: readonly string[], accountId: string): string[] {
  return regions.flatMap((r) => [sesArn(r, accountId, "identity", "*"), sesArn(r, accountId, "configuration-set", `${CONFIGURATION_SET_PREFIX}*`)]);
}

export interface SmtpGrantInput {
  /** The SMTP regions (smtpSendRegions). */
  regions: readonly string[];
  accountId: string;
  /** The senders' addresses plus mail-infra:smtpAllowedFromAddresses (lib/config.ts). */
  fromAddresses: readonly string[];
  /** Every identity and configuration set ARN in the SMTP regions: used only without From addresses. */
  resourceArns: readonly string[];
}

/**
 * The SMTP user's send-only policy, the one document the program writes and the config
 * validator measures. With From addresses: the region patterns of smtpSendResourcePatterns and
 * the ses:FromAddress condition, so its size depends on the regions and the addresses, never on
 * the number of domains. Without any (no sender inventory), nothing names who may be sent as
 * but the ARNs, so they stay listed one by one (and bound the stack's size: lib/config.ts).
 */
export function smtpGrant(input: SmtpGrantInput): PolicyDocument {
  return input.fromAddresses.length > 0
    ? smtpSendPolicy(smtpSendResourcePatterns(input.regions, input.accountId), input.fromAddresses)
    : smtpSendPolicy(input.resourceArns);
}

/**
 * The regions the SMTP user may send in: the senders' regions plus the ones config adds
 * (mail-infra:smtpRegions), in `regions` order; every region when neither names one (nothing
 * to narrow to). One rule for both uses: the policy names only these regions' identities and
 * configuration sets, and the secret holds passwords only for these regions, so no stored
 * password is one IAM would refuse.
 */
export function smtpSendRegions(regions: readonly string[], senderRegions: readonly string[], extraRegions: readonly string[]): string[] {
  const wanted = new Set([...senderRegions, ...extraRegions.map((r) => r.trim().toLowerCase())]);
  return wanted.size > 0 ? regions.filter((r) => wanted.has(r)) : [...regions];
}

/**
 * IAM's quota for the inline policies of one user: 2,048 characters, whitespace not counted
 * (IAM and STS quotas, "Inline policy size" for users).
 */
export const USER_INLINE_POLICY_LIMIT = 2048;

/** The size IAM counts for a policy document: its JSON without whitespace. */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).replace(/\s+/g, "").length;
}

/** The ARN of an SES identity or configuration set, as the API returns it. */
export function sesArn(region: string, accountId: string, kind: "identity" | "configuration-set", name: string): string {
  return regionalArn("ses", region, accountId, `${kind}/${name}`);
}

export interface IamPolicyProblem {
  /** Stable identifier, e.g. "iam-action-not-allowed"; policies and tests match on it. */
  code: string;
  /** One or more full sentences: what is wrong, why, and how to fix it. */
  message: string;
  /** The statement's Sid, or its index as "#n" when it has none. */
  statement?: string;
}

/** Parse an IAM policy document given as JSON text or as an object; undefined when it is neither. */
export function parsePolicyDocument(policy: unknown): { Statement?: unknown } | undefined {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return undefined;
    }
  }
  return doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as { Statement?: unknown }) : undefined;
}

/**
 * An SES resource pattern of the bounded grant: a literal partition, region and 12-digit
 * account, and either every identity ("identity/*") or the configuration sets with a literal
 * name prefix ("configuration-set/mail-infra-*"). Nothing else with a wildcard qualifies.
 */
export function isBoundedSesPattern(resource: string): boolean {
  return /^arn:aws(?:-cn|-us-gov)?:ses:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:(?:identity\/\*|configuration-set\/[A-Za-z0-9_-]+\*)$/.test(resource);
}

/** Operators under which a ses:FromAddress list narrows every send (no IfExists, no set prefix, not negated). */
const FROM_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike"]);

/**
 * Why a statement's Condition does not pin the From address, or undefined when it does: some
 * condition block of an operator in FROM_OPERATORS has the key ses:FromAddress, and each of its
 * values is an address whose domain is literal (the local part may be "*", for a whole
 * domain). IAM ANDs the blocks, so one such block narrows the statement whatever the others say.
 * A missing key makes these operators false (IAM User Guide, "Condition operators"), so a send
 * without a From address is not allowed either.
 */
export function fromAddressConditionProblem(condition: unknown): string | undefined {
  if (condition === null || typeof condition !== "object") return "the statement has no Condition.";
  let seen: string | undefined;
  for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
    if (keys === null || typeof keys !== "object") continue;
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      if (key.toLowerCase() !== "ses:fromaddress") continue;
      if (!FROM_OPERATORS.has(operator.toLowerCase())) {
        seen = `its ses:FromAddress condition uses ${operator}, which does not restrict every send (use StringEqualsIgnoreCase, or StringLike for *@domain).`;
        continue;
      }
      const list = asList(values).map(String);
      const loose = list.filter((v) => !/^(?:\*|[^*?@\s]+)@[^*?@\s]+\.[^*?@\s]+$/.test(v));
      if (list.length === 0 || loose.length > 0) {
        seen = `its ses:FromAddress values ${loose.map((v) => `"${v}"`).join(", ") || "(none)"} do not name one address or one domain (write a@example.com or *@example.com).`;
        continue;
      }
      return undefined;
    }
  }
  return seen ?? "the statement has no ses:FromAddress condition.";
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The rule "this identity policy lets its holder send mail and do nothing else", for the SES
 * SMTP user. Every Allow statement must:
 * - name its actions with Action (NotAction allows everything else → "iam-not-action");
 * - use no wildcard in an action ("ses:*", "ses:Send*", "*" → "iam-action-wildcard");
 * - use only `allowedActions`, compared case-insensitively as IAM does (→ "iam-action-not-allowed");
 * - name its resources with Resource (NotResource → "iam-not-resource"), without wildcards
 *   ("*" → "iam-resource-wildcard"), except the bounded grant's patterns (isBoundedSesPattern:
 *   one region, one account, SES identities or a named prefix of configuration sets) in a
 *   statement whose ses:FromAddress condition names the addresses (fromAddressConditionProblem).
 * Deny statements only take permissions away and are not judged. A document that is not JSON
 * or has no statement gives "iam-policy-invalid".
 */
export function sendOnlyPolicyProblems(policy: unknown, allowedActions: readonly string[] = SMTP_ACTIONS): IamPolicyProblem[] {
  const doc = parsePolicyDocument(policy);
  if (doc === undefined || doc.Statement === undefined) {
    return [
      {
        code: "iam-policy-invalid",
        message: "The policy is not a JSON IAM policy document with a Statement, so what it allows cannot be checked. Write it as {\"Version\": \"2012-10-17\", \"Statement\": [...]}.",
      },
    ];
  }
  const allowed = new Set(allowedActions.map((a) => a.toLowerCase()));
  const allowedText = allowedActions.join(", ");
  const problems: IamPolicyProblem[] = [];
  asList(doc.Statement).forEach((raw, i) => {
    if (raw === null || typeof raw !== "object") return;
    const s = raw as Record<string, unknown>;
    if (s.Effect !== "Allow") return;
    const statement = typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : `#${i + 1}`;
    const where = `Statement ${statement}`;
    if (s.NotAction !== undefined) {
      problems.push({
        code: "iam-not-action",
        message: `${where} allows NotAction, which grants every action except the ones listed. Use "Action": [${allowedActions.map((a) => `"${a}"`).join(", ")}] instead.`,
        statement,
      });
    }
    for (const action of asList(s.Action).map(String)) {
      if (hasWildcard(action)) {
        problems.push({
          code: "iam-action-wildcard",
          message: `${where} allows the wildcard action "${action}", which grants more than sending and grows whenever AWS adds actions. Name the actions: ${allowedText}.`,
          statement,
        });
      } else if (!allowed.has(action.toLowerCase())) {
        problems.push({
          code: "iam-action-not-allowed",
          message: `${where} allows "${action}", but SMTP credentials need only ${allowedText}. Remove the action; a leaked SMTP password must not be able to do more than send.`,
          statement,
        });
      }
    }
    if (s.NotResource !== undefined) {
      problems.push({
        code: "iam-not-resource",
        message: `${where} uses NotResource, which applies the actions to every resource except the ones listed. List the identity and configuration set ARNs in "Resource".`,
        statement,
      });
    }
    const patterns = asList(s.Resource).map(String).filter(hasWildcard);
    // Region-scoped SES patterns are the bounded grant (smtpGrant): accepted only when the same
    // statement names the From addresses, which then decide whose identity is used.
    // (No pattern at all: every() is true and the loop below has nothing to refuse.)
    const allBounded = patterns.every(isBoundedSesPattern);
    const fromProblem = allBounded ? fromAddressConditionProblem(s.Condition) : undefined;
    for (const resource of allBounded && fromProblem === undefined ? [] : patterns) {
      const fix = fromProblem
        ? ` A pattern over one region's identities is accepted only with a ses:FromAddress condition naming the addresses, and ${fromProblem}`
        : " List the identity and configuration set ARNs instead, or write the program's grant (lib/iam.ts smtpGrant): identity/* and configuration-set/mail-infra-* of a named region and account, with a ses:FromAddress condition.";
      problems.push({
        code: "iam-resource-wildcard",
        message: `${where} applies to the wildcard resource "${resource}", so the credentials can send as any identity${resource === "*" ? " in the account" : " it matches"}.${fix}`,
        statement,
      });
    }
  });
  return problems;
}
