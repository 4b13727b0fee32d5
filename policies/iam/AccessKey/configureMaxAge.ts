import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_MAX_KEY_AGE_DAYS, keyAgeDays } from "../../../lib/smtp-credentials";
import { propText } from "../../util/stack";
import { known } from "../../util/unknown";
import { str } from "../../util/values";

export interface ConfigureMaxAgeConfig {
  /** The oldest an active access key may be, in days. */
  maxKeyAge?: number;
}

/**
 * Active access keys older than maxKeyAge days (as awsguard's access-keys-rotated, which asks
 * IAM's ListAccessKeys; here the key's own `createDate` output is read, so the rule needs no
 * credentials and runs offline too). A key this deployment creates has no date yet: it is new.
 *
 * @link https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
 */
export const configureMaxAge: StackValidationPolicy = {
  name: "aws-iam-accesskey-configure-max-age",
  description: "Checks that every active access key was created within maxKeyAge days (default 90).",
  enforcementLevel: "advisory",
  remediationSteps:
    "An SMTP password is derived from its access key and lives as long as the key; the longer a key lives, the longer a leaked copy (in a relay's settings, an old laptop) keeps working. " +
    "Rotate: raise mail-infra:smtpKeyGeneration by one, pulumi up, move each relay (npm run relay-fix), then retire the previous key (docs/rotation.md).",
  configSchema: {
    properties: {
      maxKeyAge: { type: "integer", minimum: 1, maximum: 730, default: DEFAULT_MAX_KEY_AGE_DAYS, description: "The oldest an active access key may be, in days." },
    },
  },
  validateStack: (args, reportViolation) => {
    const maxAge = args.getConfig<ConfigureMaxAgeConfig>().maxKeyAge ?? DEFAULT_MAX_KEY_AGE_DAYS;
    const keys = args.resources.filter((r) => r.isType(aws.iam.AccessKey));
    if (keys.length === 0) args.notApplicable("The stack declares no access key.");
    let dated = 0;
    for (const k of keys) {
      if (known(() => str(k.props.status)) === "Inactive") continue;
      const created = known(() => str(k.props.createDate));
      const age = created ? keyAgeDays(created, Date.now()) : undefined;
      if (age === undefined) continue;
      dated += 1;
      if (age <= maxAge) continue;
      const generation = /-gen(\d+)$/.exec(k.name)?.[1];
      reportViolation(
        `The access key ${known(() => str(k.props.id)) ?? k.name} of ${propText(k, "user") ?? "its user"} is ${age} days old (created ${created}), over ${maxAge}. ` +
          (generation ? `Set mail-infra:smtpKeyGeneration to ${Number(generation) + 1} and follow docs/rotation.md.` : "Rotate it."),
        k.urn,
      );
    }
    if (dated === 0) args.notApplicable("No active access key has a creation date yet: the keys this deployment creates are new.");
  },
};
