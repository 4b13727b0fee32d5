import type { StackValidationPolicy } from "@pulumi/policy";
import { isSubdomainOf, normalizeDomain } from "../../../lib/domain";
import { dkimCnameName, dkimCnameTarget, isSesDkimTarget } from "../../../lib/regions";
import { buildStackView, type IdentityView, resourceList, unknownRecordsOfType } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * A DKIM CNAME whose name or target does not match its identity's tokens and region.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
 */
export const configureDkimCname: StackValidationPolicy = {
  name: "aws-route53-record-configure-dkim-cname",
  description: "Checks that every Easy DKIM CNAME is named after its identity's token and points at its region's signing host.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "The CNAMEs live under <domain>._domainkey, one per token, each pointing at <token>.<signing host of the region>. SES signs with the key behind each token; a CNAME with a stale token or the wrong region's host leaves the identity unverified and its mail unsigned, so DMARC fails wherever SPF does not align. " +
    "Let the program declare the DKIM CNAMEs from the identity's tokens (DnsRecords), or copy name and target exactly from the stack output verification.domains[].records; remove CNAMEs left from deleted identities.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const easyDkim = view.identities.filter((i) => i.isDomain && !i.byodkim);
    if (easyDkim.length === 0) args.notApplicable("The stack has no Easy DKIM domain identity.");

    const gaps: string[] = [];
    const unknown = unknownRecordsOfType(view, "CNAME");
    if (unknown.length > 0) gaps.push(`${unknown.length} CNAME record${unknown.length === 1 ? "" : "s"} whose name or target is unknown until SES issues the DKIM tokens (${resourceList(unknown)})`);
    for (const cname of view.records.filter((r) => r.type === "CNAME")) {
      const domainIds = easyDkim.filter((i) => isSubdomainOf(cname.name, `_domainkey.${i.identity}`));
      if (domainIds.length === 0) continue;
      // Without every identity's tokens (unknown during a first preview) the name cannot be judged.
      if (domainIds.some((i) => i.tokens === undefined)) {
        gaps.push(`${cname.name}: the DKIM tokens of ${domainIds.map((i) => i.identity).join(", ")} are unknown until SES creates the identity`);
        continue;
      }
      const owner = findOwner(cname.name, domainIds);
      const target = normalizeDomain(cname.values[0] ?? "");
      if (!owner) {
        if (!isSesDkimTarget(target)) continue; // Another provider's DKIM record under _domainkey.
        const domain = domainIds[0]?.identity ?? "";
        reportViolation(
          `${cname.name} points at SES (${target}) but its token is not one of the Easy DKIM tokens of ${domain} (${domainIds.map((i) => `${i.region ?? "?"}: ${(i.tokens ?? []).join(", ")}`).join("; ")}). It is probably left from a deleted identity; remove it or use the current tokens.`,
          cname.resource.urn,
        );
        continue;
      }
      const expected = dkimCnameTarget(owner.token, owner.identity.region ?? "");
      if (owner.identity.region !== undefined && (cname.values.length !== 1 || target !== expected)) {
        reportViolation(
          `${cname.name} points at "${cname.values.join(", ")}", but the DKIM token ${owner.token} of ${owner.identity.identity} in ${owner.identity.region} must point at ${expected}.`,
          cname.resource.urn,
        );
      }
    }
    reportGaps(gaps);
  },
};

function findOwner(name: string, identities: readonly IdentityView[]): { identity: IdentityView; token: string } | undefined {
  for (const identity of identities) {
    for (const token of identity.tokens ?? []) {
      if (normalizeDomain(dkimCnameName(token, identity.identity)) === name) return { identity, token };
    }
  }
  return undefined;
}
