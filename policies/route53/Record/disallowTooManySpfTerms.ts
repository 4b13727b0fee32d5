import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { analyzeSpfAlone, SPF_BUDGET_CODES, SPF_LOOKUP_LIMIT } from "../../../lib/spf";
import { spfRecordsOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * An SPF record whose own terms already need more than 10 DNS lookups (or loop back to itself).
 * The part of the lookup limit one record shows on its own: a resource policy, so that it runs
 * before the record is created and a mandatory violation stops `pulumi up`.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4
 */
export const disallowTooManySpfTerms: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-too-many-spf-terms",
  description: `Checks that an SPF record's own terms need at most ${SPF_LOOKUP_LIMIT} DNS lookups, before any include is followed.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    `Each include, a, mx, ptr, exists and redirect costs a lookup, and an include costs at least one more for what it holds; above ${SPF_LOOKUP_LIMIT} receivers return permerror and SPF fails for all the domain's mail. ` +
    "This part of the limit is judged from the record alone, before it is created; aws-route53-record-disallow-too-many-spf-lookups counts through the includes declared in the stack. Remove senders you no longer use, replace includes with their ip4:/ip6: ranges, or move a sender to a subdomain (mail-infra:spfMechanisms).",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown(async (record, args, reportViolation) => {
      const { name, spf } = spfRecordsOf(record, args);
      if (spf.length !== 1) return; // Several SPF records: aws-route53-record-disallow-multiple-spf.
      const analysis = await analyzeSpfAlone(name, spf[0]?.record ?? "");
      const outside = [...new Set(analysis.unknown)].filter((n) => n !== name);
      for (const p of analysis.problems.filter((x) => SPF_BUDGET_CODES.has(x.code))) {
        const note =
          p.code === "spf-lookup-limit" && outside.length > 0
            ? ` ${outside.length} include target${outside.length === 1 ? " is" : "s are"} counted as 1 lookup each without being followed (${outside.join(", ")}), so the real total may be higher.`
            : "";
        reportViolation(`${p.message}${note}`);
      }
    }),
  ),
};
