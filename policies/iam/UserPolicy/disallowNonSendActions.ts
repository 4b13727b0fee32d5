import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { sendOnlyPolicyProblems, SMTP_ACTIONS } from "../../../lib/iam";
import { propText, smtpUserNames } from "../../util/stack";
import { known, reportGaps } from "../../util/unknown";
import { str, strList } from "../../util/values";

export interface DisallowNonSendActionsConfig {
  /** The only actions an SMTP user's policies may allow. */
  allowedActions?: string[];
}

/**
 * SMTP user policies that allow more than sending.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html
 */
export const disallowNonSendActions: StackValidationPolicy = {
  name: "aws-iam-userpolicy-disallow-non-send-actions",
  description: `Checks that the SES SMTP user's policies allow only ${SMTP_ACTIONS.join(", ")} (configurable), with no wildcard beyond the From-bound SES grant.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    "The SMTP password is typed into mail clients and relays such as Gmail's \"Send mail as\", so it leaks more easily than other keys; whoever holds it must be able to send mail and nothing else. " +
    "Keep only the inline policy the program writes (lib/iam.ts smtpGrant): Action ses:SendRawEmail, on each SMTP region's identity/* and configuration-set/mail-infra-* with a ses:FromAddress condition naming the senders' addresses (or, without senders, on the listed identity and configuration set ARNs). Remove extra actions, other wildcards and attached managed policies from the SMTP user.",
  configSchema: {
    properties: {
      allowedActions: {
        type: "array",
        items: { type: "string", pattern: "^[A-Za-z0-9-]+:[A-Za-z0-9]+$" },
        minItems: 1,
        uniqueItems: true,
        default: [...SMTP_ACTIONS],
        description: "The only IAM actions an SMTP user's policies may allow (no wildcards).",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const smtpUsers = smtpUserNames(args.resources);
    if (smtpUsers.size === 0) args.notApplicable("The stack has no SES SMTP user.");
    const allowed = args.getConfig<DisallowNonSendActionsConfig>().allowedActions ?? [...SMTP_ACTIONS];
    const managedPolicies = new Map<string, PolicyResource>();
    for (const r of args.resources) {
      if (!r.isType(aws.iam.Policy)) continue;
      const arn = propText(r, "arn");
      if (arn) managedPolicies.set(arn, r);
    }
    const check = (policy: unknown, where: string, urn: string): void => {
      for (const p of sendOnlyPolicyProblems(policy, allowed)) reportViolation(`${where}: ${p.message}`, urn);
    };

    const gaps: string[] = [];
    for (const r of args.resources) {
      if (r.isType(aws.iam.UserPolicy)) {
        const user = propText(r, "user");
        if (!user || !smtpUsers.has(user)) continue;
        const policy = known(() => r.props.policy as unknown);
        if (policy !== undefined) check(policy, `The inline policy ${propText(r, "name") ?? r.name} of the SMTP user ${user}`, r.urn);
        else gaps.push(`the inline policy ${r.name} of the SMTP user ${user} (its document holds values AWS assigns, e.g. ARNs)`);
      } else if (r.isType(aws.iam.UserPolicyAttachment) || r.isType(aws.iam.PolicyAttachment)) {
        const users = r.isType(aws.iam.UserPolicyAttachment) ? [propText(r, "user")] : (known(() => strList(r.props.users)) ?? []);
        const user = users.find((u): u is string => u !== undefined && smtpUsers.has(u));
        const arn = propText(r, "policyArn");
        if (!user || !arn) continue;
        const managed = managedPolicies.get(arn);
        const document = managed ? known(() => str(managed.props.policy)) : undefined;
        if (document !== undefined) check(document, `The managed policy ${arn} attached to the SMTP user ${user}`, r.urn);
        else if (managed) gaps.push(`the managed policy ${managed.name} attached to the SMTP user ${user}`);
        else if (!managed) {
          reportViolation(
            `The SMTP user ${user} has the managed policy ${arn} attached, which is not declared in this stack and cannot be checked; it may allow more than ${allowed.join(", ")}. Detach it and keep the inline send-only policy.`,
            r.urn,
          );
        }
      }
    }
    reportGaps(gaps);
  },
};
