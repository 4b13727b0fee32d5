/**
 * Whether a stack gets SMTP credentials at all, and how wide they may be (issue 21, "least
 * privilege and safe defaults"). One rule, read by the config validator, the program (a stack
 * whose last deployment holds credentials) and the policy pack's wide-credentials rule.
 *
 * A leaked SMTP password (usually kept at a third party, like a Gmail "Send mail as" alias)
 * sends DMARC-passing mail as whatever From address the IAM policy allows. So:
 * - `senders` (default): credentials only for the From addresses the stack names (the senders'
 *   plus plain addresses in smtpAllowedFromAddresses). No address, no credentials: a stack
 *   without senders declares no IAM user, key or secret.
 * - `any-address`: the stack says it wants credentials that may send as any address of its
 *   domains (no From condition, or `*@domain` entries). The policy pack flags such a policy
 *   (aws-iam-userpolicy-disallow-any-from-address).
 * - `none`: no credentials, said explicitly: the way to remove the credentials of a live stack
 *   on purpose (docs/operations.md "Remove the SMTP credentials").
 */
export type SmtpCredentialsMode = "senders" | "any-address" | "none";
export const SMTP_CREDENTIALS_MODES: readonly SmtpCredentialsMode[] = ["senders", "any-address", "none"];
export const SMTP_CREDENTIALS_KEY = "smtpCredentials";

const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/**
 * Whether a From list lets the credentials send as any address of a domain: no list at all
 * (no ses:FromAddress condition) or an entry with a wildcard.
 */
export function isWideFromList(fromAddresses: readonly string[]): boolean {
  return fromAddresses.length === 0 || fromAddresses.some(hasWildcard);
}

export interface CredentialsDecision {
  /** Declare the IAM user, its keys and the secret. */
  declare: boolean;
  /** Problems, keyed by the config key (without the project prefix) to edit. */
  issues: { key: string; message: string }[];
}

/**
 * Decide from config alone. `allowedFromAddresses` are the raw smtpAllowedFromAddresses entries
 * (lower-cased), `senderCount` the valid senders.
 */
export function credentialsDecision(mode: SmtpCredentialsMode, senderCount: number, allowedFromAddresses: readonly string[]): CredentialsDecision {
  const issues: CredentialsDecision["issues"] = [];
  if (mode === "none") {
    if (senderCount > 0) {
      issues.push({
        key: SMTP_CREDENTIALS_KEY,
        message: `is none, but mail-infra:senders lists ${senderCount} sender${senderCount === 1 ? "" : "s"} that relay through SES with the credentials. Set mail-infra:smtpCredentials to "senders" (or remove it), or remove the senders once they no longer relay.`,
      });
    }
    if (allowedFromAddresses.length > 0) {
      issues.push({ key: "smtpAllowedFromAddresses", message: `lists From addresses for SMTP credentials, but mail-infra:smtpCredentials is none. Remove mail-infra:smtpAllowedFromAddresses, or set mail-infra:smtpCredentials to "senders".` });
    }
    return { declare: false, issues };
  }
  if (mode === "senders") {
    allowedFromAddresses.forEach((a, i) => {
      if (hasWildcard(a)) {
        issues.push({
          key: `smtpAllowedFromAddresses[${i}]`,
          message: `"${a}" lets the SMTP credentials send as any address of ${a.slice(a.lastIndexOf("@") + 1)}: a leaked password then sends DMARC-passing mail as anyone there. List the addresses that send instead, or set mail-infra:smtpCredentials to "any-address" to say the stack wants credentials that wide (the policy pack flags them).`,
        });
      }
    });
    return { declare: senderCount > 0 || allowedFromAddresses.length > 0, issues };
  }
  return { declare: true, issues };
}

/**
 * The change from the last deployment's credentials to none, when config did not say `none`:
 * refused before any resource is declared, because `pulumi up` would delete the SMTP user (every
 * key with it: every relay stops) and the secret. With protect on, the engine would refuse the
 * delete anyway (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply, "refuse to delete
 * protected resources"), but only with a generic error; this says what to do.
 */
export function credentialsRemovalIssue(
  deployed: { user: string; accessKeyId: string } | undefined,
  mode: SmtpCredentialsMode,
  declare: boolean,
): { key: string; message: string } | undefined {
  if (!deployed || declare || mode === "none") return undefined;
  return {
    key: "senders",
    message:
      `is empty, and the last deployment holds SMTP credentials (IAM user ${deployed.user}, access key ${deployed.accessKeyId}). ` +
      `Without senders the stack declares no credentials (mail-infra:smtpCredentials "senders", the default), so pulumi up would delete the user, its keys and the secret, and every relay still using them would stop. ` +
      `List the senders that relay with them in mail-infra:senders (the user may then send only as them); or set mail-infra:smtpCredentials to "any-address" to keep credentials that may send as any address (flagged by the policy pack); ` +
      `or, to remove them on purpose, set mail-infra:smtpCredentials to "none" (docs/operations.md "Remove the SMTP credentials").`,
  };
}

/** SES actions that send mail as a From address (what ses:FromAddress restricts). */
const SEND_ACTIONS = ["ses:sendrawemail", "ses:sendemail", "ses:sendtemplatedemail", "ses:sendbulktemplatedemail", "ses:sendbulkemail"];
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const sendsMail = (action: string): boolean => {
  const a = action.toLowerCase();
  return SEND_ACTIONS.includes(a) || (hasWildcard(a) && new RegExp(`^${a.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test("ses:sendrawemail"));
};

export interface WideStatement {
  /** The statement's Sid, or "#n". */
  statement: string;
  /** Why it is wide, one clause. */
  reason: string;
}

/**
 * The Allow statements of an IAM policy document that let their holder send as any address:
 * a send action (ses:SendRawEmail, ses:SendEmail, a wildcard matching them) without a
 * ses:FromAddress condition, or with one whose values hold a wildcard. Judged on the document's
 * effect, whatever its shape (one statement per domain, region patterns, a managed policy).
 * Not JSON: no statement (sendOnlyPolicyProblems reports the document itself).
 */
export function wideSendStatements(policy: unknown): WideStatement[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  if (doc === null || typeof doc !== "object") return [];
  const out: WideStatement[] = [];
  asList((doc as { Statement?: unknown }).Statement).forEach((raw, i) => {
    if (raw === null || typeof raw !== "object") return;
    const s = raw as Record<string, unknown>;
    if (s.Effect !== "Allow") return;
    const sends = s.NotAction !== undefined || asList(s.Action).map(String).some(sendsMail);
    if (!sends) return;
    const statement = typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : `#${i + 1}`;
    const from: string[] = [];
    const condition = s.Condition !== null && typeof s.Condition === "object" ? (s.Condition as Record<string, unknown>) : {};
    for (const [operator, block] of Object.entries(condition)) {
      // Only operators that restrict to the listed values; ForAnyValue/Not* forms do not.
      if (!/^String(Equals|EqualsIgnoreCase|Like)$/i.test(operator) || block === null || typeof block !== "object") continue;
      for (const [key, values] of Object.entries(block as Record<string, unknown>)) if (key.toLowerCase() === "ses:fromaddress") from.push(...asList(values).map(String));
    }
    if (from.length === 0) out.push({ statement, reason: "has no ses:FromAddress condition, so it may send as any address of every identity it names" });
    else {
      const wide = from.filter(hasWildcard);
      if (wide.length > 0) out.push({ statement, reason: `lets ses:FromAddress match ${wide.map((w) => `"${w}"`).join(", ")}, so it may send as any address there` });
    }
  });
  return out;
}

/** The default maximum access key age, in days: awsguard's access-keys-rotated default (pulumi/pulumi-policy-aws src/security.ts). */
export const DEFAULT_MAX_KEY_AGE_DAYS = 90;

/** Whole days from an RFC 3339 creation date to `now` (ms); undefined when the date does not parse. */
export function keyAgeDays(createDate: string, now: number): number | undefined {
  const t = Date.parse(createDate);
  return Number.isNaN(t) ? undefined : Math.floor((now - t) / 86_400_000);
}
