import type { StackValidationPolicy } from "@pulumi/policy";
import { mixedPartitionsProblem } from "../../../lib/regions";
import { buildStackView, regionOf } from "../../util/stack";

/**
 * SES identities (and the resources around them) in regions of more than one AWS partition.
 *
 * @link https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */
export const disallowMixedPartitions: StackValidationPolicy = {
  name: "aws-sesv2-emailidentity-disallow-mixed-partitions",
  description: "Checks that the stack's regions are all in one AWS partition (aws, aws-cn or aws-us-gov).",
  enforcementLevel: "mandatory",
  remediationSteps:
    "IAM users, access keys and credentials belong to one partition: the SMTP user cannot send in the other partition's regions, its passwords for them are useless, and one set of deployment credentials cannot create both halves. " +
    "Put each partition's regions in a stack of their own, with that partition's account and credentials (mail-infra:regions).",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    if (view.identities.length === 0) args.notApplicable("The stack has no SES identity.");
    const regions = args.resources.map((r) => regionOf(r)).filter((r): r is string => r !== undefined);
    const problem = mixedPartitionsProblem(regions);
    if (problem) reportViolation(`This stack's regions ${problem}`, view.identities[0]?.resource.urn);
  },
};
