import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { addressDomain, isSubdomainOf, normalizeDomain } from "../../../lib/domain";
import { buildStackView } from "../../util/stack";
import { known } from "../../util/unknown";
import { str } from "../../util/values";

/**
 * An alert address at a domain the stack sends from: the alerts share fate with the mail they
 * watch (the domain's DNS, zone or registration breaking takes both down). One violation per
 * address, however many regions subscribe it.
 *
 * @link https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html
 */
export const disallowMonitoredDomain: StackValidationPolicy = {
  name: "aws-sns-topicsubscription-disallow-monitored-domain",
  description: "Checks that no alert email address is at a domain the stack sends mail from.",
  enforcementLevel: "advisory",
  remediationSteps:
    "The alerts exist for the day this domain's mail breaks; an alert address at the same domain depends on the same DNS zone, MX and registration, so the failure that breaks sending can also keep the alert from arriving. " +
    "Set mail-infra:alertEmails to (or add) an address at another domain and provider, e.g. the admin's personal mailbox.",
  validateStack: (args, reportViolation) => {
    const domains = buildStackView(args.resources).identities.filter((i) => i.isDomain).map((i) => i.identity);
    const subscriptions = args.resources.filter((r) => r.isType(aws.sns.TopicSubscription) && /^email(-json)?$/.test(known(() => str(r.props.protocol)) ?? ""));
    if (subscriptions.length === 0) args.notApplicable("The stack has no email subscription.");
    const byAddress = new Map<string, { first: PolicyResource; regions: Set<string>; domain: string }>();
    for (const s of subscriptions) {
      const address = known(() => str(s.props.endpoint))?.toLowerCase();
      if (!address || !address.includes("@")) continue;
      const at = addressDomain(address);
      const domain = domains.find((d) => at === normalizeDomain(d) || isSubdomainOf(at, d));
      if (!domain) continue;
      const entry = byAddress.get(address) ?? { first: s, regions: new Set<string>(), domain };
      const region = known(() => str(s.props.region));
      if (region) entry.regions.add(region);
      byAddress.set(address, entry);
    }
    for (const [address, e] of byAddress) {
      reportViolation(
        `The alert address ${address}${e.regions.size > 0 ? ` (subscribed in ${[...e.regions].join(", ")})` : ""} is at ${e.domain}, which this stack sends mail from: a DNS or domain failure that breaks the mail can also stop the alert about it. ` +
          "Set mail-infra:alertEmails to (or add) an address at another domain.",
        e.first.urn,
      );
    }
  },
};
