import type { StackValidationPolicy } from "@pulumi/policy";
import { REPUTATION_METRICS, REPUTATION_NAMESPACE } from "../../../lib/monitoring";
import { buildMonitoringView } from "../../util/monitoring";
import { buildStackView, sameRegion } from "../../util/stack";

/**
 * An SES identity in a region where no CloudWatch alarm watches the account's bounce and
 * complaint rates.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-cloudwatch-alarm.html
 */
export const missingReputationAlarms: StackValidationPolicy = {
  name: "aws-sesv2-emailidentity-missing-reputation-alarms",
  description:
    `Checks that every SES identity's region has CloudWatch alarms with an alarm action on ${REPUTATION_NAMESPACE} ${REPUTATION_METRICS.bounce} and ${REPUTATION_METRICS.complaint}. ` +
    "SES puts an account under review at a 5% bounce or 0.1% complaint rate and may pause its sending at 10% or 0.5%; the rates are per account and region, and without an alarm nobody hears of them until mail stops.",
  enforcementLevel: "advisory",
  remediationSteps:
    "Set mail-infra:alertEmails to the addresses that should be told: the program then declares a warning and an alarm on both rates in each SES region, notifying an alerts topic those addresses subscribe to (docs/monitoring.md).",
  validateStack: (args, reportViolation) => {
    const stack = buildStackView(args.resources);
    if (stack.identities.length === 0) args.notApplicable("The stack has no SES identity.");
    const { alarms } = buildMonitoringView(args.resources);
    const kinds: string[] = Object.values(REPUTATION_METRICS);
    for (const id of stack.identities) {
      const missing = kinds.filter(
        (metric) => !alarms.some((a) => a.hasActions && a.namespace === REPUTATION_NAMESPACE && a.metricName === metric && sameRegion(a.region, id.region)),
      );
      if (missing.length === 0) continue;
      const silent = alarms.filter((a) => !a.hasActions && a.namespace === REPUTATION_NAMESPACE && missing.includes(a.metricName ?? "") && sameRegion(a.region, id.region)).length;
      reportViolation(
        `${id.identity}${id.region ? ` in ${id.region}` : ""} has no CloudWatch alarm${missing.length === 1 ? "" : "s"} on ${missing.map((m) => `${REPUTATION_NAMESPACE} ${m}`).join(" and ")} in its region` +
          (silent > 0 ? ` that notifies anyone (${silent} such alarm${silent === 1 ? " has" : "s have"} no alarm action)` : "") +
          ", so a rising rate goes unnoticed until SES reviews or pauses the account.",
        id.resource.urn,
      );
    }
  },
};
