import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isSpfRecord, looksLikeSpf, parseSpf } from "../../../lib/spf";
import { txtRecordOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";
import { WIDE_NETWORK_CODES } from "./disallowSpfWideNetwork";

/** Problems other policies report on their own, so a record is not flagged twice for them. */
const REPORTED_ELSEWHERE = new Set(["spf-all-pass", ...WIDE_NETWORK_CODES]);

/**
 * A TXT record meant as SPF that receivers would reject (permerror) or ignore.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-4.6
 */
export const disallowInvalidSpf: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-invalid-spf",
  description: "Checks that every record meant as SPF is valid under RFC 7208 and that the obsolete SPF record type is not used.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "A record is meant as SPF when a TXT value starts with v=spf1. Receivers return permerror for a record with a syntax error, and ignore one that does not start exactly with \"v=spf1 \", so SPF fails or is absent for all of the domain's mail. " +
    "Fix the term named in the message (mail-infra:spfMechanisms for the apex record). Each term is one mechanism such as include:_spf.example.com or ip4:192.0.2.0/24, separated by single spaces.",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const txt = txtRecordOf(record, args);
      if (txt.type === "SPF") {
        reportViolation(`${txt.name} uses the SPF record type, which RFC 7208 3.1 retired; receivers read SPF only from TXT records. Publish the same value as TXT.`);
      }
      const spf = txt.values.filter(looksLikeSpf);
      if (spf.length === 0) args.notApplicable("The record holds no SPF value.");
      for (const value of spf) {
        if (!isSpfRecord(value)) {
          const problem = parseSpf(value).problems[0];
          reportViolation(`The SPF record at ${txt.name} is ignored by receivers: ${problem?.message ?? "it does not start with \"v=spf1 \"."}`);
          continue;
        }
        for (const p of parseSpf(value).problems) {
          if (p.severity === "error" && !REPORTED_ELSEWHERE.has(p.code)) reportViolation(`The SPF record at ${txt.name} is invalid (${p.code}): ${p.message}`);
        }
      }
    }),
  ),
};
