import type { StackValidationPolicy } from "@pulumi/policy";
import { spfByName } from "../../util/dns";
import { buildStackView, resourceList, unknownRecordsOfType } from "../../util/stack";
import { notCheckedAtPreview } from "../../util/unknown";

/**
 * Two SPF records at one name.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-3.2
 */
export const disallowMultipleSpf: StackValidationPolicy = {
  name: "aws-route53-record-disallow-multiple-spf",
  description: "Checks that no name has more than one SPF record, whether in one Route 53 record or in several.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Several SPF values in one Route 53 record are reported, before the record is created, by aws-route53-record-disallow-multiple-spf-values. RFC 7208 makes more than one SPF record at a name a permerror, so SPF fails for all mail of that name; this happens easily when a second provider's record is added next to the existing one. " +
    "Merge the records into one \"v=spf1 ... ~all\" record: add the other provider's include: to mail-infra:spfMechanisms and delete the extra TXT value.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const groups = spfByName(view.records);
    if (groups.length === 0) args.notApplicable("The stack declares no SPF record.");
    // Several SPF values in one record: the resource policy aws-route53-record-disallow-multiple-spf-values
    // reports them before the record is created. This policy adds SPF records spread over several records.
    for (const g of groups.filter((x) => x.count > 1 && x.holders.length > 1)) {
      const where = `in ${g.holders.length} Route 53 records (${g.holders.map((h) => h.record.resource.name).join(", ")})`;
      const values = g.holders.flatMap((h) => h.values).map((v) => `"${v}"`).join(" and ");
      for (const h of g.holders) {
        reportViolation(`${g.name} has ${g.count} SPF records ${where}: ${values}. Receivers return permerror when there is more than one (RFC 7208 3.2, 4.5). Merge them into one record.`, h.record.resource.urn);
      }
    }
    const unknown = unknownRecordsOfType(view, "TXT");
    if (unknown.length > 0) notCheckedAtPreview(`TXT records whose name or value is unknown could add an SPF record at a name that has one (${resourceList(unknown)})`);
  },
};
