import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { SPF_NETWORK_WARNING_PREFIX } from "../../../lib/spf";
import { spfRecordsOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * SPF terms that pass a network wider than a whole ISP's usual allocation.
 *
 * @link https://www.ripe.net/publications/docs/ripe-738/
 */
export const disallowSpfLargeNetwork: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-spf-large-network",
  description: `Checks that no SPF term passes a network wider than IPv4 /${SPF_NETWORK_WARNING_PREFIX.ipv4} or IPv6 /${SPF_NETWORK_WARNING_PREFIX.ipv6}.`,
  enforcementLevel: "advisory",
  remediationSteps:
    `Every other host in such a range passes SPF as the domain, and wide ranges usually belong to a hosting or cloud provider shared with its other customers; mail providers publish far narrower ones (Amazon SES /18 to /22). ` +
    "Advisory because a large organisation may own such a range. Narrow the term to your own sending hosts (ip4:, a/24 instead of a/8), or use the provider's include: (mail-infra:spfMechanisms).",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const { name, spf } = spfRecordsOf(record, args);
      for (const parsed of spf) {
        for (const p of parsed.problems.filter((x) => x.code === "spf-large-network")) reportViolation(`The SPF record at ${name}: ${p.message}`);
      }
    }),
  ),
};
