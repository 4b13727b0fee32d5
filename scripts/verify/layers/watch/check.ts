/**
 * The watch (issue 19) in verify's `monitoring` layer, judged against the manifest's `watch`
 * section only (lib/watch.ts names):
 * - monitoring.watch.run: the function completed a run (its Runs metric, written through its
 *   log) within 2 schedule periods. A function that is gone, or whose schedule is off, writes
 *   nothing: no datapoint is a failure, never a pass.
 * - monitoring.watch.errors: AWS/Lambda Errors of the function over 24 h. Lambda publishes the
 *   metric for each period with invocations (0 when none failed); no datapoint means no
 *   invocation, which is not evidence either way.
 * - monitoring.watch.alarms: every declared watch alarm exists, mails the alerts topic, and is
 *   not in ALARM (an alarm in ALARM is reported with its description, which names the fix).
 */
import type { ManifestWatch } from "../../../../lib/manifest";
import { finding, type Finding, inconclusive, type Observation } from "../../../../lib/verify/findings";
import type { AlarmState } from "../monitoring/check";

/** A metric summed over a window: the sum, how many datapoints, and the latest datapoint's time. */
export interface MetricSum {
  sum: number;
  datapoints: number;
  latest?: string;
}

export interface WatchObservations {
  alarms: Observation<AlarmState[]>;
  /** MailInfra/Watch Runs over the last 2 schedule periods. */
  runs: Observation<MetricSum>;
  /** AWS/Lambda Invocations over the same window (evidence that the function exists and is invoked). */
  invocations: Observation<MetricSum>;
  /** AWS/Lambda Errors over ERRORS_WINDOW_HOURS. */
  errors: Observation<MetricSum>;
}

export const ERRORS_WINDOW_HOURS = 24;

const hours = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`);

export function checkWatch(w: ManifestWatch, topicArn: string | undefined, obs: WatchObservations): Finding[] {
  const subject = `watch function ${w.functionName} in ${w.region}`;
  const window = hours(2 * w.scheduleMinutes);
  // Lambda's default log group, which components/Watch.ts declares (lib/watch watchLogGroupName).
  const logGroup = `/aws/lambda/${w.functionName}`;
  const logs = `aws logs tail ${logGroup} --region ${w.region} --since ${window.replace(" ", "")}`;
  const out: Finding[] = [];

  if (!obs.runs.ok) out.push(inconclusive("monitoring", "monitoring.watch.run", subject, "when the watch last ran (its Runs metric)", obs.runs));
  else {
    const invoked = obs.invocations.ok ? `AWS/Lambda Invocations over ${window}: ${obs.invocations.value.sum}` : `AWS/Lambda Invocations not read: ${obs.invocations.message}`;
    const evidence = [`MailInfra/Watch Runs over ${window} (2 x ${w.schedule}): ${obs.runs.value.sum}${obs.runs.value.latest ? `, latest ${obs.runs.value.latest}` : ""}`, invoked];
    if (obs.runs.value.sum >= 1) out.push(finding("monitoring", "monitoring.watch.run", subject, "pass", `the watch completed a run within 2 schedule periods (last ${obs.runs.value.latest ?? "?"})`, { evidence }));
    else {
      out.push(
        finding("monitoring", "monitoring.watch.run", subject, "fail", `no completed watch run in ${window} (2 schedule periods): nothing is checking the mail path`, {
          evidence,
          remediation: `Check the schedule is ENABLED (\`aws scheduler get-schedule --name ${w.scheduleName} --region ${w.region}\`) and read the function's log (\`${logs}\`). If the function or schedule is missing, run \`pulumi up\`.`,
        }),
      );
    }
  }

  if (!obs.errors.ok) out.push(inconclusive("monitoring", "monitoring.watch.errors", subject, "the function's errors (AWS/Lambda Errors)", obs.errors));
  else if (obs.errors.value.datapoints === 0) {
    out.push(
      finding("monitoring", "monitoring.watch.errors", subject, "inconclusive", `no AWS/Lambda Errors datapoint in ${ERRORS_WINDOW_HOURS} h: the function was not invoked, so there is no evidence about its errors`, {
        remediation: `See monitoring.watch.run; invoke it once with \`aws lambda invoke --function-name ${w.functionName} --region ${w.region} --payload file://tests/fixtures/watch/scheduler-run.json --cli-binary-format raw-in-base64-out out.json\`.`,
      }),
    );
  } else if (obs.errors.value.sum > 0) {
    out.push(
      finding("monitoring", "monitoring.watch.errors", subject, "fail", `the function failed ${obs.errors.value.sum} time(s) in ${ERRORS_WINDOW_HOURS} h`, {
        evidence: [`AWS/Lambda Errors over ${ERRORS_WINDOW_HOURS} h: ${obs.errors.value.sum} in ${obs.errors.value.datapoints} period(s)`],
        remediation: `Read the function's log (\`aws logs tail ${logGroup} --region ${w.region} --since ${ERRORS_WINDOW_HOURS}h\`); SES events it could not process wait in the queue ${w.queueName}.`,
      }),
    );
  } else out.push(finding("monitoring", "monitoring.watch.errors", subject, "pass", `no function errors in ${ERRORS_WINDOW_HOURS} h`, { evidence: [`AWS/Lambda Errors over ${ERRORS_WINDOW_HOURS} h: 0 in ${obs.errors.value.datapoints} period(s)`] }));

  const alarmsSubject = `the watch's ${w.alarms.length} alarms in ${w.region}`;
  if (!obs.alarms.ok) out.push(inconclusive("monitoring", "monitoring.watch.alarms", alarmsSubject, "the watch's alarms", obs.alarms));
  else {
    const found = new Map(obs.alarms.value.map((a) => [a.name, a]));
    const missing = w.alarms.filter((n) => !found.has(n));
    const unrouted = w.alarms.filter((n) => found.has(n) && (!found.get(n)!.actionsEnabled || (topicArn !== undefined && !found.get(n)!.alarmActions.includes(topicArn))));
    const firing = w.alarms.map((n) => found.get(n)).filter((a): a is AlarmState => a?.state === "ALARM");
    const evidence = [
      ...missing.map((n) => `${n}: missing`),
      ...unrouted.map((n) => `${n}: does not notify the alerts topic`),
      ...firing.map((a) => `${a.name}: ALARM since ${a.stateUpdated ?? "?"} (${a.stateReason ?? ""})`),
    ];
    if (missing.length + unrouted.length + firing.length === 0) {
      out.push(finding("monitoring", "monitoring.watch.alarms", alarmsSubject, "pass", "every watch alarm exists, notifies the alerts topic and is not in ALARM", { evidence: [`${w.alarms.length} alarms found`] }));
    } else {
      const fixes = firing.map((a) => `${a.name}: ${descriptionOf(a)}`);
      out.push(
        finding("monitoring", "monitoring.watch.alarms", alarmsSubject, "fail", firing.length > 0 ? `${firing.length} watch alarm(s) in ALARM` : "watch alarms are missing or do not notify the alerts topic", {
          evidence,
          remediation: [...fixes, ...(missing.length + unrouted.length > 0 ? ["Run `pulumi up` to restore the missing or changed alarms."] : [])].join(" "),
        }),
      );
    }
  }
  return out;
}

function descriptionOf(a: AlarmState): string {
  return a.description ?? "see docs/monitoring.md, \"Watch alarms\".";
}
