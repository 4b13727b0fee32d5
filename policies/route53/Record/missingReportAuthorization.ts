import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { dmarcPolicyDomain, isDmarcRecord, parseDmarc } from "../../../lib/dmarc";
import { reportAuthorizations } from "../../../lib/report-authorization";
import { buildStackView } from "../../util/stack";

/**
 * DMARC reports sent outside the policy domain's Organisational Domain, without the
 * authorisation record receivers look for (RFC 7489 7.1). A destination that is another domain
 * of the stack must have the record declared (the program does); for one outside the stack the
 * review names the record its owner must publish, once per destination however many domains
 * send reports there. verify checks it live (dns.dmarc.report-authorization).
 *
 * @link https://www.rfc-editor.org/rfc/rfc7489#section-7.1
 */
export const missingReportAuthorization: StackValidationPolicy = {
  name: "aws-route53-record-missing-report-authorization",
  description: "Checks that every DMARC report destination outside the policy domain authorises the reports (RFC 7489 7.1).",
  enforcementLevel: "advisory",
  remediationSteps:
    "Receivers send DMARC reports to a mailbox of another Organisational Domain only when that domain publishes TXT \"v=DMARC1\" at <policy domain>._report._dmarc.<destination>; without it the reports are dropped and nobody sees which senders fail. " +
    "For a destination that is a domain of this stack the program declares the record; for any other, ask its owner to publish it (a DMARC reporting service does this when you register the domain), then run npm run verify (dns.dmarc.report-authorization). Or set mail-infra:dmarcRua to a mailbox at the domain itself.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const stackDomains = new Set(view.identities.filter((i) => i.isDomain).map((i) => i.identity));
    const policies: { domain: string; dmarc: NonNullable<ReturnType<typeof parseDmarc>["record"]>; resource: PolicyResource }[] = [];
    for (const r of view.records) {
      if (r.type !== "TXT") continue;
      const domain = dmarcPolicyDomain(r.name);
      const record = domain ? r.values.filter(isDmarcRecord).map((v) => parseDmarc(v).record)[0] : undefined;
      if (domain && record) policies.push({ domain, dmarc: record, resource: r.resource });
    }
    if (policies.length === 0) args.notApplicable("The stack declares no DMARC record.");
    const needed = reportAuthorizations(policies.map((p) => ({ domain: p.domain, dmarc: p.dmarc })));
    const published = (name: string) => view.records.some((r) => r.type === "TXT" && r.name === name && r.values.some((v) => /^v=DMARC1\b/i.test(v.trim())));
    const outside = new Map<string, { names: string[]; uris: Set<string>; resource: PolicyResource }>();
    for (const a of needed) {
      const resource = policies.find((p) => p.domain === a.policyDomain)?.resource;
      if (!resource || published(a.name)) continue;
      if (a.inStack && stackDomains.has(a.inStack)) {
        reportViolation(
          `The DMARC record of ${a.policyDomain} sends reports to ${a.uri}, at ${a.inStack} of this stack, but no TXT "v=DMARC1" is declared at ${a.name}, so receivers drop those reports. Declare it in ${a.inStack}'s zone (the program does for mail-infra:dmarcRua and dmarcRuf mailboxes at a stack domain).`,
          resource.urn,
        );
        continue;
      }
      const entry = outside.get(a.destination) ?? { names: [], uris: new Set<string>(), resource };
      entry.names.push(a.name);
      entry.uris.add(a.uri);
      outside.set(a.destination, entry);
    }
    for (const [destination, e] of outside) {
      const names = e.names.length <= 3 ? e.names.join(", ") : `${e.names.slice(0, 3).join(", ")} and ${e.names.length - 3} more`;
      reportViolation(
        `Reports to ${[...e.uris].join(", ")} arrive only if the owner of ${destination} publishes TXT "v=DMARC1" at ${names}: outside this stack, so the program cannot. Ask them to, then run npm run verify (dns.dmarc.report-authorization); or set mail-infra:dmarcRua to a mailbox at the domain itself.`,
        e.resource.urn,
      );
    }
  },
};
