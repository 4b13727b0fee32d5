import * as aws from "@pulumi/aws";
import type { EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { MAIL_DOMAIN_TYPE } from "../../../lib/names";
import { route53TxtValue } from "../../../lib/records";
import { buildStackView, type RecordView, resourceList } from "../../util/stack";
import { reportGaps } from "../../util/unknown";
import { configureDmarcPolicy } from "./configureDmarcPolicy";
import { configureDmarcRua } from "./configureDmarcRua";
import { configureSpfAll } from "./configureSpfAll";
import { disallowInvalidDmarc } from "./disallowInvalidDmarc";
import { disallowInvalidSpf } from "./disallowInvalidSpf";
import { disallowMultipleSpfValues } from "./disallowMultipleSpfValues";
import { disallowSpfLargeNetwork } from "./disallowSpfLargeNetwork";
import { disallowSpfPtr } from "./disallowSpfPtr";
import { disallowSpfWideNetwork } from "./disallowSpfWideNetwork";
import { disallowTooManySpfTerms } from "./disallowTooManySpfTerms";

/**
 * The resource policies that judge one Route 53 record's values. With external DNS no Route 53
 * record exists for them to see, so the two stack policies below run them over the records the
 * MailDomain component lists for publishing, each at its own default level.
 */
export const RECORD_VALUE_POLICIES: readonly ResourceValidationPolicy[] = [
  disallowInvalidSpf,
  disallowMultipleSpfValues,
  configureSpfAll,
  disallowSpfPtr,
  disallowSpfWideNetwork,
  disallowSpfLargeNetwork,
  disallowTooManySpfTerms,
  disallowInvalidDmarc,
  configureDmarcPolicy,
  configureDmarcRua,
];

class NotApplicable extends Error {}

/** ResourceValidationArgs for an external record, shaped as the aws.route53.Record that would hold it. */
function recordArgs(record: RecordView): ResourceValidationArgs {
  const type = "aws:route53/record:Record";
  const props = { name: record.name, type: record.type, ttl: 0, records: record.type === "TXT" ? record.values.map(route53TxtValue) : [...record.values] };
  return {
    type,
    props,
    urn: record.resource.urn,
    name: `${record.resource.name} (${record.type} ${record.name})`,
    opts: record.resource.opts,
    stackTags: new Map(),
    isType: (cls) => (cls as unknown) === aws.route53.Record,
    asType: (cls) => ((cls as unknown) === aws.route53.Record ? props : undefined) as never,
    // Each policy's own defaults (its level in the config file does not reach this policy).
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (): never => {
      throw new NotApplicable();
    },
  };
}

function externalRecordsPolicy(level: Exclude<EnforcementLevel, "disabled" | "remediate">): StackValidationPolicy {
  const inner = RECORD_VALUE_POLICIES.filter((p) => (p.enforcementLevel ?? "advisory") === level);
  return {
    name: level === "mandatory" ? "aws-route53-record-configure-external-records" : "aws-route53-record-configure-external-records-advisory",
    description: `Checks that the records an external-DNS domain must publish pass the ${level} DNS record policies.`,
    enforcementLevel: level,
    remediationSteps:
      `With mail-infra:dnsMode external the program declares no Route 53 record, so the record policies (${inner.map((p) => p.name).join(", ")}) would never see the records the zoneFile output asks you to publish; this policy runs them over the records each MailDomain lists, and each message starts with the policy that found it. ` +
      "Fix the config key the message names; the records in the zoneFile output change with it.",
    validateStack: async (args, reportViolation) => {
      const view = buildStackView(args.resources);
      const external = view.records.filter((r) => r.external);
      const unknown = view.unknownRecords.filter((u) => u.resource.type === MAIL_DOMAIN_TYPE && (u.type === undefined || u.type === "TXT"));
      if (external.length === 0 && unknown.length === 0) args.notApplicable("The stack has no external-DNS domain.");
      for (const record of external) {
        for (const p of inner) {
          const validations = Array.isArray(p.validateResource) ? p.validateResource : p.validateResource ? [p.validateResource] : [];
          for (const validate of validations) {
            try {
              await validate(recordArgs(record), (message) => reportViolation(`[${p.name}] ${message}`, record.resource.urn));
            } catch (e) {
              if (!(e instanceof NotApplicable)) throw e;
            }
          }
        }
      }
      if (unknown.length > 0) reportGaps([`external TXT records whose values are unknown (${resourceList(unknown.map((u) => u.resource))})`]);
    },
  };
}

/**
 * The mandatory record policies over an external-DNS domain's records.
 *
 * @link https://www.pulumi.com/docs/iac/using-pulumi/crossguard/
 */
export const configureExternalRecords = externalRecordsPolicy("mandatory");

/** The advisory record policies over an external-DNS domain's records. */
export const configureExternalRecordsAdvisory = externalRecordsPolicy("advisory");
