import type { StackValidationPolicy } from "@pulumi/policy";
import { REQUIRED_EVENT_TYPES } from "../../../lib/names";
import { buildStackView, sameRegion } from "../../util/stack";
import { notCheckedAtPreview } from "../../util/unknown";

/**
 * A configuration set whose bounces and complaints go nowhere.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/monitor-using-event-publishing.html
 */
export const missingEventDestination: StackValidationPolicy = {
  name: "aws-sesv2-configurationset-missing-event-destination",
  description: `Checks that every SES configuration set has enabled event destinations for ${REQUIRED_EVENT_TYPES.join(" and ")}.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    "Bounces and complaints are how a sender learns that an address is dead or that recipients object; without them nobody sees a failing relay or a list going bad until SES pauses the account. " +
    "Declare an aws.sesv2.ConfigurationSetEventDestination for the configuration set, in its region, with enabled: true, matchingEventTypes including BOUNCE and COMPLAINT, and a destination such as an SNS topic.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    if (view.configurationSets.length === 0) args.notApplicable("The stack has no SES configuration set.");
    // An event destination whose configuration set name is unknown (preview) might be the missing one.
    const unknown = view.unknown.get("aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination") ?? 0;
    if (unknown > 0) notCheckedAtPreview(`${unknown} event destination${unknown === 1 ? "" : "s"} whose configuration set name is unknown could be the missing one`);
    for (const cs of view.configurationSets) {
      const destinations = view.eventDestinations.filter((d) => d.configurationSetName === cs.name && sameRegion(d.region, cs.region));
      const covered = new Set(destinations.filter((d) => d.enabled).flatMap((d) => d.eventTypes));
      const missing = REQUIRED_EVENT_TYPES.filter((t) => !covered.has(t));
      if (missing.length === 0) continue;
      const disabled = destinations.filter((d) => !d.enabled).length;
      reportViolation(
        `The configuration set ${cs.name}${cs.region ? ` in ${cs.region}` : ""} has no enabled event destination for ${missing.join(" and ")}` +
          (destinations.length === 0 ? " (it has no event destination at all)" : disabled > 0 ? ` (${disabled} of its event destinations ${disabled === 1 ? "is" : "are"} disabled)` : "") +
          ", so those events are lost.",
        cs.resource.urn,
      );
    }
  },
};
