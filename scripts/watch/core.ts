/**
 * The watch's one handler, shared by the Lambda entry (scripts/watch/handler.ts) and the CLI
 * (`npm run watch -- --event FILE --dry-run`): what one event becomes in metric data, alerts and
 * verdicts. No check is written here: a scheduled or change-triggered run is verify's runVerify
 * over the ses, dns and relay layers; an SES event is diagnose's failuresFromSes + classify.
 */
import { classify } from "../../lib/diagnose/classify";
import { failuresFromSes } from "../../lib/diagnose/read";
import type { Verdict } from "../../lib/diagnose/types";
import type { Manifest } from "../../lib/manifest";
import type { Finding, Observation } from "../../lib/verify/findings";
import {
  ALL_WATCH_CHECKS,
  bounceMetrics,
  classifyWatchEvent,
  findingAlerts,
  findingMetrics,
  type MetricDatum,
  runMetric,
  sesItemKey,
  toEmf,
  type WatchAlert,
  watchCheckAlarmName,
  WATCH_LAYERS,
} from "../../lib/watch";
import type { Collectors } from "../verify/run";

export interface WatchDeps {
  /** The stack's verification manifest (the one packaged with the function); needed by scheduled and change runs. */
  manifest?: Manifest;
  /** Fresh collectors for a scheduled or change run (AWS, DNS); made only when one is needed. */
  collectors?: () => Collectors;
  now?: Date;
  /** Idempotency keys of SES messages already counted (SNS delivers at least once). */
  seen?: BoundedSet;
}

export interface WatchResult {
  /** What the event was, in one line. */
  event: string;
  kind: "scheduled" | "change" | "ses" | "unknown";
  metrics: MetricDatum[];
  /** Failing checks with verify's own summary and remediation. */
  alerts: WatchAlert[];
  /** SES events: diagnose's verdict per failed recipient. */
  verdicts: (Verdict & { region: string })[];
  /** Scheduled and change runs: every finding, as verify reports it. */
  findings: Finding[];
  /** SES messages skipped as already counted. */
  duplicates: number;
  /** The log lines (CloudWatch embedded metric format) the function writes. */
  emf: string[];
  /** Why the event was not understood (kind unknown) or an SES message was not feedback. */
  problems: string[];
}

/** A set that forgets its oldest entries beyond `max` (one warm container's memory of SNS message ids). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max = 10_000) {}
  /** True when the key was new (and is now remembered). */
  add(key: string): boolean {
    if (this.items.has(key)) return false;
    this.items.add(key);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as string);
    return true;
  }
}

/** The secret is not the watch's to read: the smtp layer does not run, and the relay evidence falls back to the manifest's key id. */
const SECRET_NOT_READ: Observation<string> = { ok: false, reason: "denied", message: "the watch does not read the SMTP secret", needs: "run `npm run verify -- --only smtp` for the SMTP layer" };

function withoutSecretReads(c: Collectors): Collectors {
  const aws = new Proxy(c.aws, {
    get(target, prop) {
      if (prop === "secretValue") return () => Promise.resolve(SECRET_NOT_READ);
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...c, aws };
}

/** The check ids with an alarm: the manifest's watch section says which; without one, all. */
function alarmedChecks(m: Manifest): string[] {
  const names = m.watch?.alarms;
  return names ? ALL_WATCH_CHECKS.filter((id) => names.includes(watchCheckAlarmName(m.stack, id))) : [...ALL_WATCH_CHECKS];
}

/** The region of an SES message without a topic: the ARN SES sent it from (mail.sourceArn). */
function regionOf(json: unknown): string | undefined {
  const mail = (json as { mail?: { sourceArn?: unknown } } | undefined)?.mail;
  return typeof mail?.sourceArn === "string" ? mail.sourceArn.split(":")[3] || undefined : undefined;
}

export async function handleWatchEvent(event: unknown, deps: WatchDeps): Promise<WatchResult> {
  const now = deps.now ?? new Date();
  const ev = classifyWatchEvent(event);
  const result: WatchResult = { event: "", kind: ev.kind, metrics: [], alerts: [], verdicts: [], findings: [], duplicates: 0, emf: [], problems: [] };
  const stack = deps.manifest?.stack ?? "STACK";

  if (ev.kind === "unknown") {
    result.event = "not a watch event";
    result.problems.push(ev.message);
    return result;
  }

  if (ev.kind === "ses") {
    result.event = `${ev.items.length} SES message${ev.items.length === 1 ? "" : "s"}`;
    for (const item of ev.items) {
      const key = sesItemKey(item);
      if (key && deps.seen && !deps.seen.add(key)) {
        result.duplicates += 1;
        continue;
      }
      const read = failuresFromSes(item.json);
      if (!read.ok) {
        result.problems.push(read.message);
        continue;
      }
      const region = item.region ?? regionOf(item.json) ?? "unknown";
      const verdicts = read.failures.map((f) => classify(f, deps.manifest ? { stack } : {}));
      result.verdicts.push(...verdicts.map((v) => ({ ...v, region })));
      result.metrics.push(...bounceMetrics(stack, region, verdicts));
    }
    result.emf = toEmf(result.metrics, now.getTime());
    return result;
  }

  // A scheduled or change-triggered run: verify's ses, dns and relay layers on the stack's manifest.
  result.event = ev.detail;
  const m = deps.manifest;
  if (!m) throw new Error("a scheduled or change-triggered run needs the stack's verification manifest");
  if (!deps.collectors) throw new Error("a scheduled or change-triggered run needs collectors (AWS and DNS)");
  const { runVerify } = await import("../verify/run");
  const collectors = withoutSecretReads(deps.collectors());
  const verified = await runVerify(m, { layers: [...WATCH_LAYERS], recipients: [], sendTest: false, now, gmailUnavailable: "the watch holds no Gmail credentials" }, collectors);
  result.findings = verified.findings;
  result.metrics = [...findingMetrics(stack, verified.findings), runMetric(stack)];
  result.alerts = findingAlerts(stack, verified.findings, alarmedChecks(m));
  result.emf = toEmf(result.metrics, now.getTime());
  return result;
}
