import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { spfRecordsOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * SPF records that use the ptr mechanism.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-5.5
 */
export const disallowSpfPtr: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-spf-ptr",
  description: "Checks that SPF records do not use the ptr mechanism.",
  enforcementLevel: "advisory",
  remediationSteps:
    "RFC 7208 says ptr SHOULD NOT be used: it is slow, depends on reverse DNS that senders rarely control, spends the lookup budget, and some receivers skip it, so mail it was meant to authorise can fail SPF. " +
    "Replace ptr with the sending hosts' ip4:/ip6: ranges, a, or the provider's include: (mail-infra:spfMechanisms).",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const { name, spf } = spfRecordsOf(record, args);
      for (const parsed of spf) {
        for (const p of parsed.problems.filter((x) => x.code === "spf-ptr")) {
          reportViolation(`The SPF record at ${name}: ${p.message}`);
        }
      }
    }),
  ),
};
