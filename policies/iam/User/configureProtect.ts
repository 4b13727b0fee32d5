import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { ROLE_TAG, SMTP_CREDENTIALS_TYPE, SMTP_ROLE, SMTP_USER_PATH } from "../../../lib/names";
import { known } from "../../util/unknown";
import { obj, str, strList } from "../../util/values";

/**
 * `mail-infra:protect false` on a stack whose SMTP credentials still serve senders: the plan
 * drops protect and retainOnDelete from every resource (lib/protection.ts), so the next rename
 * or removal deletes the user (every key with it) or an identity, and the relays stop.
 *
 * @link https://www.pulumi.com/docs/iac/concepts/options/protect/
 */
export const configureProtect: StackValidationPolicy = {
  name: "aws-iam-user-configure-protect",
  description: "Checks that the SMTP user of a stack with senders is protected (mail-infra:protect true).",
  enforcementLevel: "advisory",
  remediationSteps:
    "The setting mail-infra:protect false is the teardown switch: it turns protect and retainOnDelete off for every resource, so a later change that removes or renames one deletes it, and pulumi destroy deletes everything. While senders relay with the credentials that stops their mail. " +
    "Set mail-infra:protect to true (or remove the key). To tear the stack down on purpose, first move every relay elsewhere and remove it from mail-infra:senders.",
  validateStack: (args, reportViolation) => {
    const senders = new Set<string>();
    for (const r of args.resources) {
      if (r.type !== SMTP_CREDENTIALS_TYPE) continue;
      for (const s of known(() => strList(r.props.senders)) ?? []) senders.add(s);
    }
    const users = args.resources.filter(
      (r) => r.isType(aws.iam.User) && (known(() => str(r.props.path) === SMTP_USER_PATH || str(obj(r.props.tags)[ROLE_TAG]) === SMTP_ROLE) ?? false),
    );
    if (users.length === 0) args.notApplicable("The stack has no SES SMTP user.");
    if (senders.size === 0) args.notApplicable("No sender relays with the stack's SMTP credentials (mail-infra:senders is empty).");
    for (const u of users) {
      if (u.opts.protect) continue;
      const list = [...senders];
      reportViolation(
        `The SMTP user ${known(() => str(u.props.name)) ?? u.name} is not protected, but ${list.length} sender${list.length === 1 ? "" : "s"} (${list.slice(0, 3).join(", ")}${list.length > 3 ? ` and ${list.length - 3} more` : ""}) relay with its credentials: ` +
          "mail-infra:protect is false, so protect and retainOnDelete are off everywhere and the next removal or rename deletes the user, its keys or an identity. Set mail-infra:protect to true.",
        u.urn,
      );
    }
  },
};
