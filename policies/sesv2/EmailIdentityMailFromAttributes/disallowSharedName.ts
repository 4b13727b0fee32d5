import type { StackValidationPolicy } from "@pulumi/policy";
import { mailFromCollisions } from "../../../lib/domain";
import { buildStackView, resourceList, unknownRecordsOfType } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * A MAIL FROM name that is another sending domain, another domain's MAIL FROM, or declared in
 * more than one hosted zone.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
 */
export const disallowSharedName: StackValidationPolicy = {
  name: "aws-sesv2-emailidentitymailfromattributes-disallow-shared-name",
  description: "Checks that no MAIL FROM name is another domain of the stack, is shared by two domains, or has records in two zones.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "A MAIL FROM name carries one MX (to SES's feedback host) and one SPF record: a sending domain there loses its own apex records, two domains there overwrite each other's, and records of one name in two hosted zones are served only from the zone the name is delegated to, so the other zone's are silently ignored. " +
    "Give each domain a MAIL FROM of its own under itself (mail-infra:mailFromSubdomain, regionalMailFromSubdomains), and keep each name's records in one zone.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const withMailFrom = view.mailFroms.filter((m): m is typeof m & { mailFromDomain: string } => m.mailFromDomain !== undefined);
    const unknownMailFroms = view.unknown.get("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes") ?? 0;
    if (withMailFrom.length === 0 && unknownMailFroms === 0) args.notApplicable("The stack has no custom MAIL FROM domain.");
    const domains = [...new Set([...view.identities.filter((i) => i.isDomain).map((i) => i.identity), ...withMailFrom.map((m) => m.identity)])];
    const uses = domains.map((domain) => ({ domain, mailFroms: withMailFrom.filter((m) => m.identity === domain).map((m) => ({ name: m.mailFromDomain, ...(m.region ? { region: m.region } : {}) })) }));
    for (const c of mailFromCollisions(uses)) {
      const at = withMailFrom.find((m) => m.identity === c.domain && m.mailFromDomain === c.mailFrom);
      reportViolation(c.message, at?.resource.urn);
    }
    // The same MAIL FROM name declared in two hosted zones: only the delegated one is served.
    for (const name of new Set(withMailFrom.map((m) => m.mailFromDomain))) {
      const records = view.records.filter((r) => r.name === name && r.zoneId !== undefined);
      const zones = [...new Set(records.map((r) => r.zoneId))];
      if (zones.length < 2) continue;
      reportViolation(
        `Records of the MAIL FROM ${name} are declared in ${zones.length} hosted zones (${zones.map((z) => `${z}: ${resourceList(records.filter((r) => r.zoneId === z).map((r) => r.resource))}`).join("; ")}); resolvers read the name from only the zone it is delegated to, so the others are never served. Keep them in one zone.`,
        records[1]?.resource.urn,
      );
    }
    const gaps: string[] = [];
    if (unknownMailFroms > 0) gaps.push(`${unknownMailFroms} MAIL FROM setting${unknownMailFroms === 1 ? "" : "s"} whose domain is unknown`);
    const unknownRecords = [...unknownRecordsOfType(view, "MX"), ...unknownRecordsOfType(view, "TXT")];
    if (unknownRecords.length > 0) gaps.push(`whether the MX and TXT records whose name is unknown sit in another zone (${resourceList(unknownRecords)})`);
    reportGaps(gaps);
  },
};
