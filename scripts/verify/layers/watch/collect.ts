/**
 * Collector of the watch (issue 19): its alarms, its Runs heartbeat, Lambda's Invocations and
 * Errors, read with the monitoring layer's CloudWatch reads (../monitoring/collect.ts).
 */
import type { ManifestWatch } from "../../../../lib/manifest";
import { METRICS, WATCH_NAMESPACE } from "../../../../lib/watch";
import type { AwsCollector } from "../../aws";
import { monitoringCollector, type Track } from "../monitoring/collect";
import { ERRORS_WINDOW_HOURS, type WatchObservations } from "./check";

/** The watch's observations (scripts/verify/layers/watch/check.ts): its alarms, its Runs heartbeat, Lambda's Invocations and Errors. */
export async function collectWatch(stack: string, w: ManifestWatch, aws: AwsCollector, now: Date, track: Track = (_l, p) => p): Promise<WatchObservations> {
  const c = monitoringCollector(aws);
  const window = 2 * w.scheduleMinutes * 60_000;
  const period = Math.min(w.scheduleMinutes * 60, 3600);
  const fn = { FunctionName: w.functionName };
  const [alarms, runs, invocations, errors] = await Promise.all([
    track(`watch alarms ${w.region}`, c.alarms(w.region, w.alarms)),
    track(`watch runs ${w.region}`, c.metricSum(w.region, WATCH_NAMESPACE, METRICS.runs, { Stack: stack }, now, window, period)),
    c.metricSum(w.region, "AWS/Lambda", "Invocations", fn, now, window, period),
    track(`watch errors ${w.region}`, c.metricSum(w.region, "AWS/Lambda", "Errors", fn, now, ERRORS_WINDOW_HOURS * 3600_000, 3600)),
  ]);
  return { alarms, runs, invocations, errors };
}
