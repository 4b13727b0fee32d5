import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { allProblem } from "../../../lib/spf";
import { spfRecordsOf } from "../../util/txt";
import { noteUnknown } from "../../util/unknown";

/**
 * SPF records that end in +all or ?all, or have no all at all.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7208#section-5.1
 */
export const configureSpfAll: ResourceValidationPolicy = {
  name: "aws-route53-record-configure-spf-all",
  description: "Checks that every SPF record ends in ~all or -all.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "\"+all\" authorises every host on the internet to send as the domain, and \"?all\" or a missing \"all\" give unlisted senders a neutral result, which receivers treat like no SPF at all. " +
    "End the record with ~all while rolling out and -all once every sender is listed (mail-infra:spfAll).",
  validateResource: validateResourceOfType(
    aws.route53.Record,
    noteUnknown((record, args, reportViolation) => {
      const { name, spf } = spfRecordsOf(record, args);
      for (const parsed of spf) {
        const problem = allProblem(parsed);
        if (problem) reportViolation(`The SPF record at ${name} (${problem.code}): ${problem.message}`);
      }
    }),
  ),
};
