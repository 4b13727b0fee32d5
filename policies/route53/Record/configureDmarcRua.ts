import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { parseDmarcUri } from "../../../lib/dmarc";
import { dmarcValues } from "../../util/dmarc";
import { txtRecordOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * A DMARC record whose aggregate reports cannot arrive.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7489#section-6.2
 */
export const configureDmarcRua: ResourceValidationPolicy = {
  name: "aws-route53-record-configure-dmarc-rua",
  description: "Checks that a DMARC record asks for aggregate reports (rua) at valid mailto: addresses.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Receivers send reports only by e-mail; without them nobody can see which senders fail DMARC, so the policy can never safely move from none to quarantine and reject. " +
    "Set mail-infra:dmarcRua to mailto: URIs such as mailto:dmarc-reports@<domain> (leave it empty for that default).",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const txt = txtRecordOf(record, args);
      const values = dmarcValues(txt).filter((v) => v.parsed.record !== undefined);
      if (values.length === 0) args.notApplicable("The record holds no valid DMARC policy.");
      for (const { parsed } of values) {
        const rua = parsed.tags.rua;
        if (rua === undefined || rua.trim() === "") {
          reportViolation(`The DMARC record at ${txt.name} has no rua tag, so no aggregate reports are sent and failing senders stay invisible. Add rua=mailto:<address>.`);
          continue;
        }
        for (const uri of rua.split(",").map((u) => u.trim())) {
          const result = parseDmarcUri(uri);
          if (typeof result === "string") reportViolation(`The DMARC record at ${txt.name}: rua ${result}`);
        }
      }
    }),
  ),
};
