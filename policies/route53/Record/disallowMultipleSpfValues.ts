import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isSpfRecord, looksLikeSpf } from "../../../lib/spf";
import { txtRecordOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * Two SPF values in one Route 53 record. The part of the one-SPF-record rule a single record
 * shows: a resource policy, so it runs before the record is created and can block `pulumi up`.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-3.2
 */
export const disallowMultipleSpfValues: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-multiple-spf-values",
  description: "Checks that one Route 53 TXT record holds at most one SPF value.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "RFC 7208 makes more than one SPF record at a name a permerror, so SPF fails for all mail of that name; a second provider's record added as another value of the same TXT record set does exactly that. " +
    "Merge the values into one \"v=spf1 ... ~all\" record (mail-infra:spfMechanisms). aws-route53-record-disallow-multiple-spf finds SPF records of one name spread over several Route 53 records.",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const txt = txtRecordOf(record, args);
      const spf = txt.values.filter((v) => isSpfRecord(v) || looksLikeSpf(v));
      if (spf.length === 0) args.notApplicable("The record holds no SPF value.");
      if (spf.length > 1) {
        reportViolation(`${txt.name} has ${spf.length} SPF records in one Route 53 record: ${spf.map((v) => `"${v}"`).join(" and ")}. Receivers return permerror when there is more than one (RFC 7208 3.2, 4.5). Merge them into one record.`);
      }
    }),
  ),
};
