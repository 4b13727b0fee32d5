import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { SMTP_CREDENTIALS_TYPE } from "../../../lib/names";
import { isWideFromList, wideSendStatements } from "../../../lib/smtp-credentials";
import { strList } from "../../util/values";
import { propText } from "../../util/stack";
import { known, reportGaps } from "../../util/unknown";

/**
 * Send permissions without a From restriction: credentials that may send as any address.
 * Judged on the policy's effect (lib/smtp-credentials.ts wideSendStatements), whatever shape
 * the grant has: a user's inline policy, a group's, or a managed policy.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html (ses:FromAddress)
 */
export const disallowAnyFromAddress: StackValidationPolicy = {
  name: "aws-iam-userpolicy-disallow-any-from-address",
  description: "Checks that every IAM policy that lets its holder send through SES restricts the From address (ses:FromAddress, no wildcard).",
  enforcementLevel: "advisory",
  remediationSteps:
    "SMTP passwords are kept by third parties (a Gmail \"Send mail as\" alias keeps it in the Gmail account): if one leaks, whoever holds it sends DMARC-passing mail as any address the policy allows. " +
    "Set mail-infra:smtpCredentials to \"senders\" (the default) and list each relay in mail-infra:senders (address=...; kind=gmail-send-as|smtp-client; region=...): the program then allows only those From addresses, and a stack without senders gets no SMTP credentials at all.",
  validateStack: (args, reportViolation) => {
    const gaps: string[] = [];
    let grants = 0;
    for (const r of args.resources) {
      const kind = r.isType(aws.iam.UserPolicy) ? "inline policy" : r.isType(aws.iam.GroupPolicy) ? "group policy" : r.isType(aws.iam.Policy) ? "managed policy" : undefined;
      if (!kind) continue;
      const policy = known(() => r.props.policy as unknown);
      // At a first preview the document is unknown (it names ARNs AWS assigns); the program's
      // SmtpCredentials component lists the From addresses it is built from, known from config.
      const parent = r.parent?.type === SMTP_CREDENTIALS_TYPE ? r.parent : undefined;
      const declaredFrom = parent ? known(() => (Array.isArray(parent.props.allowedFromAddresses) ? strList(parent.props.allowedFromAddresses) : undefined)) : undefined;
      if (policy === undefined && declaredFrom === undefined) {
        gaps.push(`the ${kind} ${r.name} (its document holds values AWS assigns, e.g. ARNs)`);
        continue;
      }
      const wide =
        policy !== undefined
          ? wideSendStatements(policy)
          : isWideFromList(declaredFrom ?? [])
            ? [{ statement: "SendRawEmailOnly", reason: declaredFrom?.length ? `lets ses:FromAddress match ${declaredFrom.filter((x) => /[*?]/.test(x)).map((x) => `"${x}"`).join(", ")}, so it may send as any address there` : "has no ses:FromAddress condition, so it may send as any address of every identity it names" }]
            : [];
      grants += 1;
      if (wide.length === 0) continue;
      const holder = propText(r, "user") ?? propText(r, "group");
      reportViolation(
        `The ${kind} ${propText(r, "name") ?? r.name}${holder ? ` of ${holder}` : ""} lets its holder send as any address: ${wide.map((w) => `statement ${w.statement} ${w.reason}`).join("; ")}. ` +
          `Set mail-infra:smtpCredentials to "senders" and list the relays in mail-infra:senders, or remove the *@<domain> entries of mail-infra:smtpAllowedFromAddresses.`,
        r.urn,
      );
    }
    if (grants === 0 && gaps.length === 0) args.notApplicable("The stack declares no IAM policy.");
    reportGaps(gaps);
  },
};
