import type { StackValidationPolicy } from "@pulumi/policy";
import { alertsTopics, buildMonitoringView } from "../../util/monitoring";
import { resourceList, sameRegion } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * An alerts topic that nobody subscribes to: its alarms and rules fire into the void.
 *
 * @link https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html
 */
export const missingSubscription: StackValidationPolicy = {
  name: "aws-sns-topic-missing-subscription",
  description:
    "Checks that every alerts topic (a mail-infra-<stack>-alerts topic, or one a CloudWatch alarm or an EventBridge rule of the stack publishes to) has at least one subscription declared in the stack. " +
    "SNS drops a message that has no subscriber: an alarm or a change alert sent to such a topic reaches nobody.",
  enforcementLevel: "advisory",
  remediationSteps:
    "List the addresses that should receive the alerts in mail-infra:alertEmails (each gets an email subscription in every region with an alerts topic), or declare an aws.sns.TopicSubscription for the topic.",
  validateStack: (args, reportViolation) => {
    const view = buildMonitoringView(args.resources);
    const topics = alertsTopics(view);
    if (topics.length === 0) args.notApplicable("The stack has no alerts topic.");
    const unsubscribed = topics.filter((t) => !view.subscribed.some((s) => s.name === t.name && (t.region === undefined || s.region === t.region)));
    // A subscription in the topic's region whose topic is unknown during preview could be the missing one.
    const gaps: string[] = [];
    for (const t of unsubscribed) {
      const unknown = view.unknownSubscriptions.filter((u) => sameRegion(u.region, t.region)).map((u) => u.resource);
      if (unknown.length > 0) {
        gaps.push(`${unknown.length} subscription${unknown.length === 1 ? "" : "s"} whose topic is unknown (${resourceList(unknown)}) could be for ${t.name}${t.region ? ` in ${t.region}` : ""}`);
      } else {
        reportViolation(`The alerts topic ${t.name}${t.region ? ` in ${t.region}` : ""} has no subscription, so the alarms and alerts sent to it reach nobody.`, t.resource.urn);
      }
    }
    reportGaps(gaps);
  },
};
