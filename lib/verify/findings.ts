/**
 * What verify reports: one finding per check and subject. Checks are pure functions from
 * (expected, observed) to findings; collectors only do I/O; the report only formats.
 */

/** The layers of the mail path, in the order a message crosses them. */
export const LAYERS = ["ses", "dns", "smtp", "relay"] as const;
export type Layer = (typeof LAYERS)[number];

export const LAYER_TITLES: Record<Layer, string> = {
  ses: "SES account and identities",
  dns: "DNS authentication",
  smtp: "SMTP credentials",
  relay: "Relays using the credentials",
};

export type Status = "pass" | "warn" | "fail" | "inconclusive";

export interface Finding {
  layer: Layer;
  /** Stable check id, e.g. ses.identity.dkim. */
  id: string;
  /** What was checked, e.g. "queenofsandiego.com in us-east-1". */
  subject: string;
  status: Status;
  /** One line: what is true. */
  summary: string;
  /** What was observed (never a secret value). */
  evidence: string[];
  /** What to do, for anything but a pass. */
  remediation?: string;
}

export function finding(
  layer: Layer,
  id: string,
  subject: string,
  status: Status,
  summary: string,
  extra: { evidence?: string[]; remediation?: string } = {},
): Finding {
  return { layer, id, subject, status, summary, evidence: extra.evidence ?? [], ...(extra.remediation ? { remediation: extra.remediation } : {}) };
}

/**
 * Why something could not be observed. Every collector returns one of these instead of
 * throwing, so a timeout or a denied call becomes an inconclusive finding, never a crash.
 */
export interface Unobservable {
  ok: false;
  /** notfound is a real answer (NXDOMAIN, NoSuchEntity) and makes checks fail; the rest are inconclusive. */
  reason: "notfound" | "denied" | "throttled" | "timeout" | "unreachable" | "tls" | "error";
  message: string;
  /** The permission or network path that is missing, for the remediation. */
  needs?: string;
}
export interface Observed<T> {
  ok: true;
  value: T;
}
export type Observation<T> = Observed<T> | Unobservable;

export const observed = <T>(value: T): Observed<T> => ({ ok: true, value });

/** The inconclusive finding for a check whose input could not be observed. */
export function inconclusive(layer: Layer, id: string, subject: string, what: string, u: Unobservable): Finding {
  return finding(layer, id, subject, "inconclusive", `could not check ${what}: ${u.message}`, {
    evidence: [`${u.reason}: ${u.message}`],
    remediation: u.needs ?? "Re-run when the service answers; nothing was concluded from this check.",
  });
}

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
  inconclusive: number;
}

export function summarize(findings: readonly Finding[]): Summary {
  const s: Summary = { pass: 0, warn: 0, fail: 0, inconclusive: 0 };
  for (const f of findings) s[f.status] += 1;
  return s;
}

/**
 * 0 when nothing failed and everything could be checked (warnings alone are fine);
 * 1 when a check failed or could not be made (an unchecked layer is not a healthy one).
 */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.status === "fail" || f.status === "inconclusive") ? 1 : 0;
}
