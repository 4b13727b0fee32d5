import type { StackValidationPolicy } from "@pulumi/policy";
import { buildStackView, nameList } from "../../util/stack";

const ACCESS_KEY = "aws:iam/accessKey:AccessKey";
const FUNCTION = "aws:lambda/function:Function";
const SCHEDULE = "aws:scheduler/schedule:Schedule";

/**
 * A stack whose SES identities are used by relays (an SMTP access key exists) with nothing
 * that checks the mail path on its own: no scheduled function. Advisory: a small stack can rely
 * on running verify by hand.
 *
 * @link https://docs.aws.amazon.com/scheduler/latest/UserGuide/what-is-scheduler.html
 */
/**
 * "example.com in us-east-1" for one identity; for many, one phrase that stays short at any
 * number of domains: "50 identities in us-east-1, us-west-2 (a.com, b.com, … and 40 more)".
 */
function identitiesInRegions(identities: readonly { identity: string; region?: string }[]): string {
  if (identities.length <= 3) return identities.map((i) => `${i.identity}${i.region ? ` in ${i.region}` : ""}`).join(", ");
  const regions = [...new Set(identities.map((i) => i.region ?? "an unknown region"))];
  return `${identities.length} identities in ${regions.join(", ")} (${nameList(identities.map((i) => i.identity), 10)})`;
}

export const missingWatch: StackValidationPolicy = {
  name: "aws-sesv2-emailidentity-missing-watch",
  description: "Checks that a stack whose identities relays use with SMTP credentials has the watch: a scheduled function checking the mail path.",
  enforcementLevel: "advisory",
  remediationSteps:
    "Relays break silently: a MAIL FROM that leaves SUCCESS, a DKIM record edited away, an SPF include past 10 lookups, a relay still holding the previous SMTP key. The reputation alarms see none of these until mail bounces. " +
    "Set mail-infra:watch to true (it needs mail-infra:alertEmails): the program then deploys a function that runs verify's SES, DNS and relay checks on a schedule and after changes, diagnoses every SES bounce, and alarms to the alerts topic (docs/monitoring.md, \"Watch\").",
  validateStack: (args, reportViolation) => {
    const stack = buildStackView(args.resources);
    const keys = args.resources.filter((r) => r.type === ACCESS_KEY);
    if (stack.identities.length === 0 || keys.length === 0) args.notApplicable("The stack has no SES identity used with SMTP credentials.");
    const functions = args.resources.filter((r) => r.type === FUNCTION).length;
    const schedules = args.resources.filter((r) => r.type === SCHEDULE).length;
    if (functions > 0 && schedules > 0) return;
    reportViolation(
      `${identitiesInRegions(stack.identities)} ${stack.identities.length === 1 ? "is" : "are"} used with SMTP credentials, but no scheduled function checks the mail path (${functions === 0 ? "no Lambda function" : "no EventBridge Scheduler schedule"}): a broken MAIL FROM, DKIM or SPF record, or a stale relay key, is found only when someone runs verify.`,
      keys[0].urn,
    );
  },
};
