/**
 * Which resources `mail-infra:protect` protects, and why: one table, read by the components
 * (resource options), the tests and docs/architecture.md.
 *
 * - `protect`: the engine refuses to delete or replace the resource, in `pulumi preview` as in
 *   `pulumi up` and `pulumi destroy`, and it checks `protect` before `retainOnDelete`
 *   (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply; step_generator.go refuses a
 *   replace when the old and new state are both protected). A resource removed from the program
 *   can be unprotected only with `pulumi state unprotect`. So `protect` is only on what no
 *   documented procedure removes or replaces (tests/engine runs every runbook to prove it).
 * - `retainOnDelete`: when Pulumi deletes it (removed from the program, replaced, renamed),
 *   the cloud object stays and only leaves the state. For what a documented procedure removes
 *   while mail may still need it (the MAIL FROM and DKIM records), for what a retained identity
 *   needs, and for attribute resources whose delete would switch a setting off right after a
 *   renamed replacement switched it on.
 *
 * With `mail-infra:protect false` every option is off, so `pulumi destroy` deletes everything.
 */
import type { RecordPurpose } from "./records";

export type ProtectedRole =
  | "identity"
  | "mail-from-attributes"
  | "configuration-set"
  | "event-destination"
  | "event-topic"
  | "event-topic-policy"
  | "dns-dkim"
  | "dns-mail-from-mx"
  | "dns-mail-from-spf"
  | "dns-spf"
  | "dns-dmarc"
  | "dns-dmarc-report-auth"
  | "smtp-user"
  | "smtp-user-policy"
  | "smtp-access-key"
  | "smtp-secret"
  | "smtp-secret-version"
  | "alerts-topic"
  | "alerts-topic-policy"
  | "alerts-subscription"
  | "reputation-alarm"
  | "alert-rule"
  | "alert-rule-target"
  | "feedback-event-destination"
  | "trail"
  | "trail-bucket"
  | "trail-bucket-settings";

export interface ProtectionRule {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Why, in one sentence: the table in docs/architecture.md repeats it. */
  readonly reason: string;
}

export const PROTECTION: Readonly<Record<ProtectedRole, ProtectionRule>> = {
  identity: {
    protect: true,
    retainOnDelete: true,
    reason: "A new identity gets new DKIM tokens and may take up to 72 h to verify; even an intended delete stops mail, so it is kept.",
  },
  "mail-from-attributes": {
    protect: false,
    retainOnDelete: true,
    reason: "An attribute of the identity: deleting it switches MAIL FROM off, also right after a renamed replacement switched it on. Kept with the identity.",
  },
  "configuration-set": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated by name with the same settings; holds no state mail depends on.",
  },
  "event-destination": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated with the same settings; a short gap loses feedback events, not mail.",
  },
  "event-topic": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated by name; subscribers re-subscribe. Mail keeps flowing.",
  },
  "event-topic-policy": {
    protect: false,
    retainOnDelete: true,
    reason: "An attribute of the topic: deleting it after a renamed replacement would remove SES's right to publish. Deleting the topic removes it anyway.",
  },
  "dns-dkim": {
    protect: false,
    retainOnDelete: true,
    reason: "New DKIM tokens (an identity re-created) rename these records, a replace that protect would refuse; retained, a replaced or removed CNAME stays in DNS, so no delete ever takes a signing key away.",
  },
  "dns-mail-from-mx": {
    protect: false,
    retainOnDelete: true,
    reason: "A MAIL FROM move removes it from the program, a delete that protect would refuse; retained, the old MX stays in DNS, so a region still on the old MAIL FROM never loses it.",
  },
  "dns-mail-from-spf": {
    protect: false,
    retainOnDelete: true,
    reason: "Removed by a MAIL FROM move like its MX; retained, the old SPF record stays in DNS while SES may still use the old MAIL FROM.",
  },
  "dns-spf": {
    protect: true,
    retainOnDelete: false,
    reason: "Domain-wide SPF: an accidental delete fails SPF for every sender of the domain. An intended one is the domain owner's call.",
  },
  "dns-dmarc": {
    protect: true,
    retainOnDelete: false,
    reason: "Domain-wide DMARC: an accidental delete loses the policy and the reports. An intended one is the domain owner's call.",
  },
  "dns-dmarc-report-auth": {
    protect: false,
    retainOnDelete: false,
    reason: "Lets this domain receive another stack domain's DMARC reports; removing that domain (or its rua) must remove it, and a gap only loses reports, not mail.",
  },
  "smtp-user": {
    protect: true,
    retainOnDelete: false,
    reason: "Deleting the user deletes every SMTP key, so every sender stops at once. forceDestroy is off: a delete fails while keys it does not manage exist.",
  },
  "smtp-user-policy": {
    protect: false,
    retainOnDelete: true,
    reason: "An attribute of the user: deleting it after a renamed replacement would leave the SMTP user without its send permission. Kept while the user is protected.",
  },
  "smtp-access-key": {
    protect: false,
    retainOnDelete: false,
    reason: "Two-phase rotation (lib/rotation.ts) must delete the retired key; rotationIssues guards deletes of a key in use.",
  },
  "smtp-secret": {
    protect: true,
    retainOnDelete: false,
    reason: "Senders read their password from it; a deleted name is blocked for the recovery window, so it cannot simply be recreated.",
  },
  "smtp-secret-version": {
    protect: false,
    retainOnDelete: false,
    reason: "The secret's current value, rewritten in place at each rotation.",
  },
  "alerts-topic": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated by name; a recreated topic's email subscriptions must be confirmed again. No mail depends on it.",
  },
  "alerts-topic-policy": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated with its topic; a gap only delays alerts.",
  },
  "alerts-subscription": {
    protect: false,
    retainOnDelete: false,
    reason: "Removing an address from alertEmails must unsubscribe it.",
  },
  "reputation-alarm": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated by name with the same thresholds; it holds no state but its current alarm state.",
  },
  "alert-rule": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated by name with the same pattern; a gap only misses alerts.",
  },
  "alert-rule-target": {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated with its rule.",
  },
  "feedback-event-destination": {
    protect: false,
    retainOnDelete: false,
    reason: "The configuration set's copy of bounces and complaints for people; the SNS destination keeps every event.",
  },
  trail: {
    protect: false,
    retainOnDelete: false,
    reason: "Recreated by name; its logs stay in the bucket.",
  },
  "trail-bucket": {
    protect: false,
    retainOnDelete: true,
    reason: "Holds the audit log of past changes: createTrail false or a rename leaves it (and its logs) in the account. forceDestroy is off, so a teardown fails while it holds logs.",
  },
  "trail-bucket-settings": {
    protect: false,
    retainOnDelete: true,
    reason: "Encryption, public access block, policy and lifecycle of a retained bucket stay with it.",
  },
};

/** The DNS record role of a record purpose (lib/records). */
export function dnsRecordRole(purpose: RecordPurpose): ProtectedRole {
  return `dns-${purpose}`;
}

/** The resource options for a role: both off when protection is off (teardown on purpose). */
export function protectionOptions(role: ProtectedRole, enabled: boolean): { protect: boolean; retainOnDelete: boolean } {
  const rule = PROTECTION[role];
  return { protect: enabled && rule.protect, retainOnDelete: enabled && rule.retainOnDelete };
}
