import type { StackValidationPolicy } from "@pulumi/policy";
import { analyzeSpf, analyzeSpfAlone, SPF_BUDGET_CODES, SPF_LOOKUP_LIMIT, SPF_VOID_LOOKUP_LIMIT, staticResolver } from "../../../lib/spf";
import { spfByName, txtByName } from "../../util/dns";
import { buildStackView, resourceList, unknownRecordsOfType } from "../../util/stack";
import { notCheckedAtPreview } from "../../util/unknown";

/**
 * SPF records that need more than 10 DNS lookups, or make more than 2 void lookups, counted over
 * the records in the stack. Both limits are permerrors (RFC 7208 4.6.4), as verify judges them.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4
 */
export const disallowTooManySpfLookups: StackValidationPolicy = {
  name: "aws-route53-record-disallow-too-many-spf-lookups",
  description: `Checks that each SPF record needs at most ${SPF_LOOKUP_LIMIT} DNS lookups and ${SPF_VOID_LOOKUP_LIMIT} void lookups, counted through the stack's records.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    "What one record shows on its own is reported before the record is created, by the resource policy aws-route53-record-disallow-too-many-spf-terms; this stack policy adds what the stack's other records reveal. " +
    "Lookups are include, a, mx, ptr, exists and redirect; a void lookup is one that returns no answer. Above either limit receivers return permerror and SPF fails for all of the domain's mail. An include whose target is not in the stack counts as at least one lookup; the lookups inside it (and whether it exists) are checked after deploy by the verify command. " +
    "Remove senders you no longer use, replace includes with their ip4:/ip6: ranges, or move a sender to a subdomain with its own SPF record (mail-infra:spfMechanisms).",
  validateStack: async (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const groups = spfByName(view.records);
    if (groups.length === 0) args.notApplicable("The stack declares no SPF record.");
    const resolver = staticResolver(txtByName(view.records));
    for (const g of groups) {
      if (g.count !== 1) continue; // Two SPF records at one name: aws-route53-record-disallow-multiple-spf.
      const analysis = await analyzeSpf(g.name, resolver);
      // What the record shows on its own is reported before it is created, by the resource policy
      // aws-route53-record-disallow-too-many-spf-terms; this policy adds what the stack's other records reveal.
      const alone = await analyzeSpfAlone(g.name, g.holders[0]?.values[0] ?? "");
      const seenAlone = new Set(alone.problems.map((p) => p.code));
      for (const p of analysis.problems.filter((x) => SPF_BUDGET_CODES.has(x.code) && !seenAlone.has(x.code))) {
        const outside = [...new Set(analysis.unknown)];
        const note =
          p.code === "spf-lookup-limit" && outside.length > 0
            ? ` ${outside.length} include target${outside.length === 1 ? " is" : "s are"} not declared in this stack (${outside.join(", ")}) and count${outside.length === 1 ? "s" : ""} as at least 1 lookup each; the lookups inside ${outside.length === 1 ? "it are" : "them are"} not counted here, so the real total may be higher.`
            : "";
        reportViolation(`${p.message}${note}`, g.holders[0]?.record.resource.urn);
      }
    }
    const unknown = unknownRecordsOfType(view, "TXT");
    if (unknown.length > 0) notCheckedAtPreview(`the lookups through TXT records whose name or value is unknown (${resourceList(unknown)})`);
  },
};
