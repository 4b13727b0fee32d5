import type { StackValidationPolicy } from "@pulumi/policy";
import { dmarcRecordName, isDmarcRecord } from "../../../lib/dmarc";
import { normalizeDomain, organizationalDomain } from "../../../lib/domain";
import { DNS_MODE_TAG } from "../../../lib/names";
import { dkimCnameName, mailFromMxHost, SES_SPF_INCLUDE_DOMAIN } from "../../../lib/regions";
import { isSpfRecord, parseSpf, spfIncludes } from "../../../lib/spf";
import { buildStackView, type RecordView, resourceList, sameRegion, unknownRecordsOfType } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * A domain identity whose DKIM, MAIL FROM or DMARC records are not declared in the stack.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication.html
 */
export const missingIdentityRecords: StackValidationPolicy = {
  name: "aws-route53-record-missing-identity-records",
  description: "Checks that every SES domain identity has its DKIM, MAIL FROM and DMARC records, in the stack or published externally.",
  enforcementLevel: "mandatory",
  remediationSteps:
    `The records: the Easy DKIM CNAMEs, the MAIL FROM MX and SPF record (including ${SES_SPF_INCLUDE_DOMAIN}) and a DMARC record; an identity tagged ${DNS_MODE_TAG}=external is exempt. ` +
    "Without the DKIM records SES never verifies the domain and cannot sign; without the MAIL FROM records SES cannot use the MAIL FROM domain; without DMARC receivers apply no policy to mail that fails. " +
    "Keep mail-infra:dnsMode at route53 so the program declares the records, or set it to external and add the records from the stack output zoneFile to your DNS provider (the identity is then tagged mail-infra:dns=external).",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    // An external-DNS identity is checked against the records its MailDomain lists for publishing;
    // one tagged external whose records the stack does not list at all is left alone.
    const identities = view.identities.filter((i) => i.isDomain && (i.dnsMode !== "external" || view.externalDomains.has(i.identity)));
    if (identities.length === 0) args.notApplicable("The stack has no SES domain identity whose records it should declare.");
    const at = (name: string, type: string): RecordView[] => view.records.filter((r) => r.name === normalizeDomain(name) && r.type === type);
    const dmarcReported = new Set<string>();
    // A record whose name or value is unknown during preview could be a missing one of its type:
    // then that record is not checked, and the note says so.
    const gaps: string[] = [];
    const missingUnlessUnknown = (missing: string[], type: string, what: string): void => {
      const unknown = unknownRecordsOfType(view, type);
      if (unknown.length === 0) missing.push(what);
      else gaps.push(`${what} may be one of the ${type} records whose name or value is unknown (${resourceList(unknown)})`);
    };

    for (const id of identities) {
      const missing: string[] = [];
      if (!id.byodkim && id.tokens === undefined) {
        gaps.push(`the Easy DKIM CNAMEs of ${id.identity}${id.region ? ` in ${id.region}` : ""} (its DKIM tokens are unknown until SES creates the identity)`);
      } else if (!id.byodkim && id.tokens !== undefined) {
        const names = id.tokens.map((t) => dkimCnameName(t, id.identity)).filter((n) => at(n, "CNAME").length === 0);
        if (names.length > 0) missingUnlessUnknown(missing, "CNAME", `the Easy DKIM CNAME${names.length === 1 ? "" : "s"} ${names.join(", ")}`);
      }
      const mailFrom = view.mailFroms.find((m) => m.identity === id.identity && sameRegion(m.region, id.region))?.mailFromDomain;
      if (mailFrom !== undefined) {
        if (at(mailFrom, "MX").length === 0) missingUnlessUnknown(missing, "MX", `the MAIL FROM MX ${mailFrom} → 10 ${mailFromMxHost(id.region ?? "<region>")}`);
        const spf = at(mailFrom, "TXT").flatMap((r) => r.values).filter(isSpfRecord);
        if (spf.length === 0) missingUnlessUnknown(missing, "TXT", `the MAIL FROM SPF record at ${mailFrom} ("v=spf1 include:${SES_SPF_INCLUDE_DOMAIN} ~all")`);
        else if (!spf.some((v) => spfIncludes(parseSpf(v), SES_SPF_INCLUDE_DOMAIN))) {
          missing.push(`an SPF record at ${mailFrom} that includes ${SES_SPF_INCLUDE_DOMAIN} (the declared one does not authorise SES)`);
        }
      }
      // DMARC applies from the domain's own record or, failing that, its organisational domain's.
      const dmarcNames = [...new Set([dmarcRecordName(id.identity), dmarcRecordName(organizationalDomain(id.identity))])];
      const hasDmarc = dmarcNames.some((n) => at(n, "TXT").some((r) => r.values.some(isDmarcRecord)));
      if (!hasDmarc && !dmarcReported.has(id.identity)) {
        dmarcReported.add(id.identity);
        missingUnlessUnknown(missing, "TXT", `a DMARC record at ${dmarcNames.join(" or ")}`);
      }
      if (missing.length > 0) {
        reportViolation(
          `${id.identity}${id.region ? ` in ${id.region}` : ""} is missing ${missing.join("; ")} in this stack. If these records are kept in another DNS provider, tag the identity ${DNS_MODE_TAG}=external (mail-infra:dnsMode external).`,
          id.resource.urn,
        );
      }
    }
    reportGaps(gaps);
  },
};
