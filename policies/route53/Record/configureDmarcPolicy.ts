import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { DMARC_POLICIES, type DmarcPolicy, dmarcPolicyProblem } from "../../../lib/dmarc";
import { dmarcValues } from "../../util/dmarc";
import { txtRecordOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

export interface ConfigureDmarcPolicyConfig {
  /** The weakest DMARC policy accepted: none, quarantine or reject. */
  minimumPolicy?: DmarcPolicy;
}

export const DEFAULT_MINIMUM_DMARC_POLICY: DmarcPolicy = "quarantine";

/**
 * A DMARC policy below the configured minimum (p, sp, or a pct that leaves part of the mail
 * under a lower policy).
 *
 * @link https://www.rfc-editor.org/rfc/rfc7489#section-6.3
 */
export const configureDmarcPolicy: ResourceValidationPolicy = {
  name: "aws-route53-record-configure-dmarc-policy",
  description: "Checks that the DMARC policy, subdomain policy and pct reach a minimum (configurable, default quarantine).",
  enforcementLevel: "advisory",
  remediationSteps:
    "A policy of p=none only monitors: receivers deliver mail that fails DMARC as if there were no policy, so anyone can still send as the domain. Advisory by default because every domain starts at none; the path is none, then quarantine, then reject. " +
    "Read the aggregate (rua) reports until all legitimate mail passes DMARC, then raise mail-infra:dmarcPolicy one step (none → quarantine → reject) and keep mail-infra:dmarcPercent at 100.",
  configSchema: {
    properties: {
      minimumPolicy: {
        type: "string",
        enum: [...DMARC_POLICIES],
        default: DEFAULT_MINIMUM_DMARC_POLICY,
        description: "The weakest DMARC policy accepted.",
      },
    },
  },
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const txt = txtRecordOf(record, args);
      const records = dmarcValues(txt).flatMap((v) => (v.parsed.record ? [v.parsed.record] : []));
      if (records.length === 0) args.notApplicable("The record holds no valid DMARC policy.");
      const minimum = args.getConfig<ConfigureDmarcPolicyConfig>().minimumPolicy ?? DEFAULT_MINIMUM_DMARC_POLICY;
      for (const dmarc of records) {
        const problem = dmarcPolicyProblem(dmarc, minimum);
        if (problem) reportViolation(`${txt.name}: ${problem.message}`);
      }
    }),
  ),
};
