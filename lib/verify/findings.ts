/**
 * What verify reports: one finding per check and subject. Checks are pure functions from
 * (expected, observed) to findings; collectors only do I/O; the report only formats.
 */

import type { FixStep } from "../mail-from-owner";

/**
 * The layers of the mail path, in the order a message crosses them; then `monitoring`, which
 * is not on the path but watches it (alarms, alert subscriptions, change rules, the trail).
 */
export const LAYERS = ["ses", "dns", "smtp", "relay", "recipient", "monitoring"] as const;
export type Layer = (typeof LAYERS)[number];

export const LAYER_TITLES: Record<Layer, string> = {
  ses: "SES account and identities",
  dns: "DNS authentication",
  smtp: "SMTP credentials",
  relay: "Relays using the credentials",
  recipient: "Recipient domains",
  monitoring: "Monitoring and alerts",
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
  /**
   * The remediation as machine-readable steps, when it changes a DNS record or an SES setting
   * (lib/mail-from-owner FixStep): `--json` carries them, and the property test applies them to
   * generated worlds to prove no fix breaks a passing check of another region.
   */
  fix?: FixStep[];
  /**
   * On a finding that stands for a root cause: the other checks that cause decided (they are
   * not reported separately). See groupByCause.
   */
  blocked?: BlockedCheck[];
  /** While checking: the root cause this finding depends on. groupByCause consumes it; reports never show it. */
  cause?: Cause;
}

/** A check that a root cause decided, listed under the finding that reports the cause. */
export interface BlockedCheck {
  layer: Layer;
  id: string;
  subject: string;
  status: Status;
}

/**
 * One root cause that several findings share (missing AWS credentials, a domain that does not
 * exist, an unreadable secret...). Findings with the same key are reported once. Without an id
 * the group is shown as its first finding (in layer order) and the others are listed as
 * blocked; with an id the group is shown as this cause, listing every finding as blocked.
 */
export interface Cause {
  key: string;
  id?: string;
  subject?: string;
  summary?: string;
  evidence?: string[];
  remediation?: string;
}

export function finding(
  layer: Layer,
  id: string,
  subject: string,
  status: Status,
  summary: string,
  extra: { evidence?: string[]; remediation?: string; fix?: FixStep[]; cause?: Cause } = {},
): Finding {
  return {
    layer,
    id,
    subject,
    status,
    summary,
    evidence: extra.evidence ?? [],
    ...(extra.remediation ? { remediation: extra.remediation } : {}),
    ...(extra.fix && extra.fix.length > 0 ? { fix: extra.fix } : {}),
    ...(extra.cause ? { cause: extra.cause } : {}),
  };
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
  /** The root cause, when it is known to be shared (e.g. no AWS credentials); default: reason and message. */
  cause?: Cause;
}
export interface Observed<T> {
  ok: true;
  value: T;
}
export type Observation<T> = Observed<T> | Unobservable;

export const observed = <T>(value: T): Observed<T> => ({ ok: true, value });

/** Every AWS call fails the same way without credentials: one finding, listing what it blocked. */
export const NO_AWS_CREDENTIALS: Cause = {
  key: "aws.credentials",
  id: "aws.credentials",
  subject: "AWS credentials",
  summary: "no AWS credentials were found, so no AWS check could be made",
};

/** The root cause behind an Unobservable: its own, or one keyed by why and what could not be observed. */
export function causeOf(u: Unobservable): Cause {
  return u.cause ?? { key: `${u.reason}: ${u.message}` };
}

/**
 * An Unobservable for something that depends on `u` (a password from an unreadable secret, a
 * MAIL FROM domain from an unreadable identity): a new message, the same root cause.
 */
export function dependsOn(u: Unobservable, message: string, needs?: string): Unobservable {
  return { ok: false, reason: u.reason, message, needs: needs ?? u.needs, cause: causeOf(u) };
}

/** The inconclusive finding for a check whose input could not be observed. */
export function inconclusive(layer: Layer, id: string, subject: string, what: string, u: Unobservable): Finding {
  return finding(layer, id, subject, "inconclusive", `could not check ${what}: ${u.message}`, {
    evidence: [`${u.reason}: ${u.message}`],
    remediation: u.needs ?? "Re-run when the service answers; nothing was concluded from this check.",
    cause: causeOf(u),
  });
}

const SEVERITY: Record<Status, number> = { pass: 0, warn: 1, inconclusive: 2, fail: 3 };

/**
 * Report each root cause once. Findings that share a cause key become one finding listing the
 * others under `blocked` (ids and subjects, for machines too); a cause with a single finding
 * leaves it as it is. The group keeps its worst status, so the exit code does not change.
 * Order: the group takes the place of its first finding. Every `cause` is removed.
 */
export function groupByCause(findings: readonly Finding[]): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) if (f.cause) groups.set(f.cause.key, [...(groups.get(f.cause.key) ?? []), f]);
  const out: Finding[] = [];
  for (const f of findings) {
    const { cause, ...plain } = f;
    const group = cause ? (groups.get(cause.key) ?? []) : [];
    if (!cause || group.length < 2) {
      out.push(plain);
      continue;
    }
    if (group[0] !== f) continue;
    // The most descriptive cause in the group (one with its own id) names it.
    const c = group.map((g) => g.cause).find((x) => x?.id !== undefined) ?? cause;
    const status = group.reduce<Status>((worst, g) => (SEVERITY[g.status] > SEVERITY[worst] ? g.status : worst), "pass");
    const members = c.id !== undefined ? group : group.slice(1);
    out.push({
      layer: f.layer,
      id: c.id ?? f.id,
      subject: c.subject ?? f.subject,
      status,
      summary: c.summary ?? f.summary,
      evidence: c.evidence ?? f.evidence,
      ...((c.remediation ?? f.remediation) !== undefined ? { remediation: c.remediation ?? f.remediation } : {}),
      blocked: members.map((g) => ({ layer: g.layer, id: g.id, subject: g.subject, status: g.status })),
    });
  }
  return out;
}

/** Why a layer was not checked at all: skipped on purpose, or lacking an input it needs. */
export interface NotChecked {
  layer: Layer;
  /**
   * One check of the layer that was not made (e.g. relay.gmail without Gmail credentials); the
   * rest of the layer ran. Absent: the whole layer was not checked.
   */
  check?: string;
  reason: string;
}

export interface LayerSelection {
  /** The layers to check, in layer order. */
  layers: Layer[];
  notChecked: NotChecked[];
}

/**
 * Which layers run: those --only names (all when empty), minus --skip, minus those that lack an
 * input (`unavailable`: layer -> why). Every other layer is listed as not checked, with why.
 */
export function selectLayers(only: readonly Layer[], skip: readonly Layer[], unavailable: Partial<Record<Layer, string>> = {}): LayerSelection {
  const selection: LayerSelection = { layers: [], notChecked: [] };
  for (const layer of LAYERS) {
    const why =
      only.length > 0 && !only.includes(layer)
        ? `not in --only ${only.join(",")}`
        : skip.includes(layer)
          ? "skipped with --skip"
          : unavailable[layer];
    if (why === undefined) selection.layers.push(layer);
    else selection.notChecked.push({ layer, reason: why });
  }
  return selection;
}

/** "SMTP credentials (no --secret-id given)", for the verdict and the usage error. */
export function describeNotChecked(notChecked: readonly NotChecked[]): string {
  return notChecked.map((n) => `${LAYER_TITLES[n.layer]}${n.check ? `: ${n.check}` : ""} (${n.reason})`).join("; ");
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

/** Every status seen in each layer, counting checks a cause blocked in the layer they belong to. */
export function layerStatuses(findings: readonly Finding[]): Record<Layer, Status[]> {
  const out = Object.fromEntries(LAYERS.map((l) => [l, [] as Status[]])) as Record<Layer, Status[]>;
  for (const f of findings) {
    out[f.layer].push(f.status);
    for (const b of f.blocked ?? []) out[b.layer].push(b.status);
  }
  return out;
}

/**
 * 0 when nothing failed and every check that ran could be made (warnings alone are fine);
 * 1 when a check failed or could not be made (a check that could not be made is not a pass).
 * A layer that was not checked at all (skipped, or lacking an input such as --secret-id) does
 * not change the exit code: the report and the JSON's notChecked list it, and the verdict
 * never calls the mail path healthy then.
 */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.status === "fail" || f.status === "inconclusive") ? 1 : 0;
}
