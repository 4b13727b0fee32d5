import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { SPF_NETWORK_ERROR_PREFIX } from "../../../lib/spf";
import { spfRecordsOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/** The lib/spf codes of a passing network wider than a registry's block (a /0 included). */
export const WIDE_NETWORK_CODES: ReadonlySet<string> = new Set(["spf-ip-whole-internet", "spf-wide-network"]);

/**
 * SPF terms that authorise a /0 or a network wider than a regional registry's block.
 *
 * @link https://www.iana.org/assignments/ipv4-address-space/ipv4-address-space.xhtml
 * @link https://www.iana.org/assignments/ipv6-unicast-address-assignments/ipv6-unicast-address-assignments.xhtml
 */
export const disallowSpfWideNetwork: ResourceValidationPolicy = {
  name: "aws-route53-record-disallow-spf-wide-network",
  description: `Checks that no SPF term passes a network wider than IPv4 /${SPF_NETWORK_ERROR_PREFIX.ipv4} or IPv6 /${SPF_NETWORK_ERROR_PREFIX.ipv6}, a /0 included.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    `A network wider than the block IANA gives a whole regional registry (IPv4 /${SPF_NETWORK_ERROR_PREFIX.ipv4}, IPv6 /${SPF_NETWORK_ERROR_PREFIX.ipv6}) holds millions of strangers' hosts, so it works like "+all"; this covers ip4:, ip6: and the prefix lengths of a and mx (a/4, mx//8). ` +
    "List only your own sending networks, or the provider's include: (mail-infra:spfMechanisms); the config validator refuses these terms too.",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const { name, spf } = spfRecordsOf(record, args);
      for (const parsed of spf) {
        for (const p of parsed.problems.filter((x) => WIDE_NETWORK_CODES.has(x.code))) reportViolation(`The SPF record at ${name} (${p.code}): ${p.message}`);
      }
    }),
  ),
};
