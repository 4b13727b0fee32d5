import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { nameCollisions, type PhysicalName } from "../../../lib/names";
import { regionOf, resourceList } from "../../util/stack";
import { known, reportGaps } from "../../util/unknown";
import { str } from "../../util/values";

/**
 * Two configuration sets, or two SNS topics, with one name in one region.
 *
 * @link https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateConfigurationSet.html
 * @link https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 */
export const disallowNameCollision: StackValidationPolicy = {
  name: "aws-sesv2-configurationset-disallow-name-collision",
  description: "Checks that no two SES configuration sets, or SNS topics, of the stack share a name in one region.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "AWS names both per account and region: the second configuration set fails to create (AlreadyExists), and CreateTopic returns the existing topic, so two domains silently share one and deleting either removes the other's events. " +
    "The program derives the names from the domain keeping only letters and digits (lib/names.ts), so a.b-c.com and a-b.c.com collide: put one of them in another stack.",
  validateStack: (args, reportViolation) => {
    const names: (PhysicalName & { resource: PolicyResource })[] = [];
    const unknown: PolicyResource[] = [];
    for (const r of args.resources) {
      const kind = r.isType(aws.sesv2.ConfigurationSet) ? "configuration set" : r.isType(aws.sns.Topic) ? "SNS topic" : undefined;
      if (!kind) continue;
      const name = known(() => str(kind === "configuration set" ? r.props.configurationSetName : r.props.name));
      const region = regionOf(r);
      if (name) names.push({ kind, name, owner: r.name, resource: r, ...(region ? { region } : {}) });
      else if (known(() => r.props.configurationSetName ?? r.props.name) === undefined) unknown.push(r);
    }
    if (names.length === 0 && unknown.length === 0) args.notApplicable("The stack has no named configuration set or SNS topic.");
    for (const c of nameCollisions(names)) {
      const resources = names.filter((n) => n.kind === c.kind && n.name === c.name && n.region === c.region);
      reportViolation(
        `The ${c.kind} name ${c.name}${c.region ? ` in ${c.region}` : ""} is taken by ${c.owners.length} resources (${c.owners.join(", ")}): AWS keeps one per name and region, so they cannot both exist.`,
        resources[1]?.resource.urn,
      );
    }
    if (unknown.length > 0) reportGaps([`the names of ${resourceList(unknown)}, unknown until they are created`]);
  },
};
