import type { StackValidationPolicy } from "@pulumi/policy";
import { buildStackView, sameRegion } from "../../util/stack";
import { known, reportGaps } from "../../util/unknown";

/**
 * A MAIL FROM that falls back to amazonses.com when its MX fails (USE_DEFAULT_VALUE, also SES's
 * default) on an identity whose DKIM does not carry DMARC.
 *
 * Under USE_DEFAULT_VALUE a MAIL FROM fault costs SPF alignment only; DMARC still passes on DKIM
 * when the domain identity signs (Easy DKIM or BYODKIM, d= the domain). Under REJECT_MESSAGE the
 * same fault rejects every message of the region (docs/architecture.md, "MAIL FROM when its MX
 * fails"). So the fallback is the default, and it needs aligned DKIM next to it.
 *
 * @link https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MailFromAttributes.html
 */
export const disallowFallbackWithoutDkim: StackValidationPolicy = {
  name: "aws-sesv2-emailidentitymailfromattributes-disallow-fallback-without-dkim",
  description: "Checks that a MAIL FROM that falls back to amazonses.com (USE_DEFAULT_VALUE) has its domain identity, whose DKIM keeps DMARC passing.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "During a fallback SPF does not align, so DMARC rests on DKIM alone: without a domain identity that signs with the domain, every message would fail DMARC. " +
    "Declare the domain identity (Easy DKIM) in the same region, or set mail-infra:mailFromBehaviorOnMxFailure to REJECT_MESSAGE, which rejects the region's mail while the MX is broken instead.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    if (view.mailFroms.length === 0 && (view.unknown.get("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes") ?? 0) === 0) {
      args.notApplicable("The stack has no custom MAIL FROM domain.");
    }
    const gaps: string[] = [];
    for (const m of view.mailFroms) {
      const read = known(() => ({ behavior: m.resource.props.behaviorOnMxFailure as unknown }));
      if (!read) {
        gaps.push(`${m.resource.name}: behaviorOnMxFailure is unknown`);
        continue;
      }
      const { behavior } = read;
      if (behavior === "REJECT_MESSAGE") continue;
      const identity = view.identities.find((i) => i.identity === m.identity && sameRegion(i.region, m.region));
      const what = `The MAIL FROM ${m.mailFromDomain ?? "(none)"} of ${m.identity}${m.region ? ` in ${m.region}` : ""} falls back to amazonses.com when its MX fails (behaviorOnMxFailure ${behavior ?? "unset: SES uses USE_DEFAULT_VALUE"})`;
      if (!identity && (view.unknown.get("aws:sesv2/emailIdentity:EmailIdentity") ?? 0) > 0) {
        gaps.push(`whether an identity whose name is unknown is the one of ${m.resource.name}`);
      } else if (!identity) {
        reportViolation(`${what}, and no identity ${m.identity} of this stack in that region shows that DKIM keeps DMARC passing then. Declare the domain identity, or use REJECT_MESSAGE.`, m.resource.urn);
      } else if (!identity.isDomain) {
        reportViolation(`${what}, and ${m.identity} is an e-mail address identity: its DKIM signature is not shown to align with the domain. Use the domain identity, or REJECT_MESSAGE.`, m.resource.urn);
      }
    }
    reportGaps(gaps);
  },
};
