import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isDmarcRecordName } from "../../../lib/dmarc";
import { dmarcValues, isDmarcCandidate } from "../../util/dmarc";
import { txtRecordOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * A DMARC record that receivers would discard.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7489#section-6.6.3
 */
export const disallowInvalidDmarc: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-invalid-dmarc",
  description: "Checks that a _dmarc name holds exactly one valid DMARC record and that DMARC records appear only at _dmarc names.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "A DMARC record must be valid under RFC 7489. Receivers discard a record that does not start with v=DMARC1, has no valid p= tag, or is one of several, and then apply no DMARC policy at all to the domain. " +
    "Publish one record \"v=DMARC1; p=<policy>; rua=mailto:<address>\" at _dmarc.<domain> (mail-infra:dmarcPolicy, dmarcRua and the other dmarc* keys), and fix the tag the message names.",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const txt = txtRecordOf(record, args);
      if (!isDmarcCandidate(txt)) args.notApplicable("The record is neither at a _dmarc name nor a DMARC value.");
      const values = dmarcValues(txt);
      if (!isDmarcRecordName(txt.name)) {
        reportViolation(`${txt.name} holds a DMARC record, but receivers look for DMARC only at _dmarc.<domain> (RFC 7489 6.1). Move it to _dmarc.${txt.name}.`);
        return;
      }
      if (values.length === 0) {
        reportViolation(`${txt.name} has TXT data but no record starting with "v=DMARC1", so receivers find no DMARC policy (RFC 7489 6.6.3).`);
        return;
      }
      if (values.length > 1) {
        reportViolation(`${txt.name} has ${values.length} DMARC records; receivers then apply none of them (RFC 7489 6.6.3). Keep one.`);
      }
      for (const { parsed } of values) {
        // A bad report URI is reported by aws-route53-record-configure-dmarc-rua.
        for (const p of parsed.problems.filter((x) => x.severity === "error" && !(x.code === "dmarc-bad-uri" && x.tag === "rua"))) {
          reportViolation(`The DMARC record at ${txt.name} is invalid (${p.code}): ${p.message}`);
        }
      }
    }),
  ),
};
