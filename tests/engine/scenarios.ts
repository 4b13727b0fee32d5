/**
 * The documented runbooks, step by step as the docs write them (docs/operations.md,
 * docs/rotation.md, docs/monitoring.md, docs/adopting.md, README), and the deliberately wrong
 * variants the invariants must catch.
 */
import type { RunbookStep } from "./runbook";
import { SENDER } from "./fixtures";

/** docs/operations.md "Move the MAIL FROM of a live identity (two ups)". */
export const MAIL_FROM_MOVE: RunbookStep[] = [
  { kind: "config", title: "1. Set the new MAIL FROM and pulumi up (the default USE_DEFAULT_VALUE: one up)", set: { mailFromSubdomain: "mail.queenofsandiego.com" } },
  { kind: "verify-until", title: "2. npm run verify -- --stack prod --only ses until ses.identity.mail-from is SUCCESS in every region", check: "ses.identity.mail-from", maxHours: 72 },
  { kind: "wait", title: "A week of mail", hours: 7 * 24 },
];

/** docs/operations.md, a stack that chose REJECT_MESSAGE: the one-change move is refused; two ups. */
export const MAIL_FROM_MOVE_REJECT: RunbookStep[] = [
  { kind: "config", title: "The stack chose REJECT_MESSAGE (pulumi up)", set: { mailFromBehaviorOnMxFailure: "REJECT_MESSAGE" } },
  {
    kind: "config",
    title: "The move in one change is refused by pulumi preview (docs/operations.md)",
    set: { mailFromSubdomain: "mail.queenofsandiego.com" },
    expectRefused: /moves the MAIL FROM of a live identity .* while the behaviour on MX failure is REJECT_MESSAGE/,
  },
  {
    kind: "config",
    title: "1. Set the new MAIL FROM together with USE_DEFAULT_VALUE and pulumi up",
    set: { mailFromSubdomain: "mail.queenofsandiego.com", mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE" },
  },
  { kind: "verify-until", title: "2. npm run verify -- --stack prod --only ses until ses.identity.mail-from is SUCCESS in every region", check: "ses.identity.mail-from", maxHours: 72 },
  { kind: "config", title: "3. Set mailFromBehaviorOnMxFailure back to REJECT_MESSAGE and pulumi up", set: { mailFromBehaviorOnMxFailure: "REJECT_MESSAGE" } },
  { kind: "wait", title: "A week of mail", hours: 7 * 24 },
];

/** Wrong: step 3 right after step 1, without waiting for verify. */
export const MAIL_FROM_MOVE_NO_WAIT: RunbookStep[] = [MAIL_FROM_MOVE_REJECT[0]!, MAIL_FROM_MOVE_REJECT[2]!, MAIL_FROM_MOVE_REJECT[4]!, MAIL_FROM_MOVE_REJECT[5]!];

const refusedRotation = {
  raiseAndDeactivate: { kind: "config", title: "Refused: raising the generation and deactivating the old key in one change", set: { smtpKeyGeneration: 2, smtpPreviousKey: "inactive" }, expectRefused: /is inactive in the same change that raises mail-infra:smtpKeyGeneration to 2/ },
  skip: { kind: "config", title: "Refused: skipping a generation (1 -> 3)", set: { smtpKeyGeneration: 3 }, expectRefused: /jumps from 1 \(last deployment\) to 3/ },
  rotateWhileActive: { kind: "config", title: "Refused: rotating again while key 1 is active", set: { smtpKeyGeneration: 3 }, expectRefused: /raises the generation to 3 while key 1 is still active/ },
  activeToRetired: { kind: "config", title: "Refused: active straight to retired", set: { smtpPreviousKey: "retired" }, expectRefused: /goes from active straight to retired/ },
  rotateWhileInactive: { kind: "config", title: "Refused: rotating again while key 1 is inactive", set: { smtpKeyGeneration: 3 }, expectRefused: /raises the generation to 3 while key 1 is still inactive/ },
  lower: { kind: "config", title: "Refused: lowering the generation", set: { smtpKeyGeneration: 1 }, expectRefused: /is 1, but the stack is at generation 2/ },
  rename: { kind: "config", title: "Refused: renaming the SMTP user", set: { smtpUserName: "mail-smtp-renamed" }, expectRefused: /the stack's SMTP user is "mail-infra-smtp-prod"/ },
  revive: { kind: "config", title: "Refused: bringing back the retired key", unset: ["smtpPreviousKey"], expectRefused: /was retired \(deleted\) in the last deployment and cannot come back/ },
} satisfies Record<string, RunbookStep>;

/** docs/rotation.md (and docs/operations.md "Rotate the SMTP key"), with every refused step where the docs show it. */
export const ROTATION: RunbookStep[] = [
  refusedRotation.raiseAndDeactivate,
  refusedRotation.skip,
  { kind: "config", title: "1. Rotate: smtpKeyGeneration 2, smtpPreviousKey unset; pulumi up", set: { smtpKeyGeneration: 2 } },
  refusedRotation.rotateWhileActive,
  refusedRotation.activeToRetired,
  refusedRotation.lower,
  refusedRotation.rename,
  { kind: "wait", title: "Some hours later", hours: 3 },
  { kind: "relay-fix", title: "3. Move each relay: relay-fix, the values entered in Gmail", sender: SENDER },
  { kind: "verify-until", title: "4. Verify until relay.retire says safe", check: "relay.retire", maxHours: 14 * 24 },
  { kind: "config", title: "5. Deactivate: smtpPreviousKey inactive; pulumi up", set: { smtpPreviousKey: "inactive" } },
  refusedRotation.rotateWhileInactive,
  { kind: "wait", title: "A day of mail", hours: 24 },
  { kind: "verify-until", title: "6. Verify again", check: "relay.retire", maxHours: 1 },
  { kind: "config", title: "7. Retire: smtpPreviousKey retired; pulumi up deletes key 1", set: { smtpPreviousKey: "retired" } },
  refusedRotation.revive,
  { kind: "wait", title: "A week of mail", hours: 7 * 24 },
  { kind: "config", title: "Next rotation: smtpKeyGeneration 3, smtpPreviousKey removed; pulumi up", set: { smtpKeyGeneration: 3 }, unset: ["smtpPreviousKey"] },
  { kind: "relay-fix", title: "Move the relay to key 3", sender: SENDER },
  { kind: "verify-until", title: "Verify until relay.retire says safe", check: "relay.retire", maxHours: 14 * 24 },
  { kind: "config", title: "Deactivate key 2", set: { smtpPreviousKey: "inactive" } },
  { kind: "wait", title: "A day", hours: 24 },
  { kind: "config", title: "Retire key 2", set: { smtpPreviousKey: "retired" } },
];

/** Wrong: the relay is never moved; verify is asked (and believed) before deactivating. */
export const ROTATION_RELAY_NOT_MOVED: RunbookStep[] = [
  { kind: "config", title: "1. Rotate", set: { smtpKeyGeneration: 2 } },
  { kind: "verify-until", title: "4. Verify until relay.retire says safe", check: "relay.retire", maxHours: 14 * 24 },
  { kind: "config", title: "5. Deactivate", set: { smtpPreviousKey: "inactive" } },
  { kind: "wait", title: "A day", hours: 24 },
];

/**
 * docs/monitoring.md: an identity, a DNS record and an event destination deleted outside
 * Pulumi, then the documented recovery (`pulumi refresh`, then `pulumi up`).
 */
export function outsideDeleteRecovery(what: "identity" | "record" | "event-destination"): RunbookStep[] {
  const act: Record<typeof what, RunbookStep> = {
    identity: { kind: "outside", title: "Someone deletes the SES identity in us-west-2", act: (w) => (w.deleteIdentityOutside("us-west-2", "queenofsandiego.com"), "aws sesv2 delete-email-identity --email-identity queenofsandiego.com --region us-west-2") },
    record: {
      kind: "outside",
      title: "Someone deletes the us-east-1 MAIL FROM MX record",
      act: (w) => (w.deleteOutside("aws:route53/record:Record", (i) => i.name === "bounce.queenofsandiego.com" && i.type === "MX"), "Route 53: MX bounce.queenofsandiego.com deleted"),
    },
    "event-destination": {
      kind: "outside",
      title: "Someone deletes the us-east-1 event destination",
      act: (w) => (w.deleteOutside("aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", (i) => i.region === "us-east-1"), "aws sesv2 delete-configuration-set-event-destination (us-east-1)"),
    },
  };
  return [
    act[what],
    { kind: "wait", title: "An hour later", hours: 1 },
    { kind: "refresh", title: "pulumi refresh: the state learns what is gone" },
    { kind: "config", title: "pulumi up restores it" },
    { kind: "verify-until", title: "npm run verify -- --stack prod --only ses until every check passes", check: "ses", maxHours: 72 },
  ];
}

/** Wrong: `pulumi up` without a refresh after a delete outside Pulumi: the engine sees no change. */
export const IDENTITY_RECOVERY_WITHOUT_REFRESH: RunbookStep[] = [
  outsideDeleteRecovery("identity")[0]!,
  { kind: "config", title: "pulumi up (no refresh)" },
  { kind: "wait", title: "A day", hours: 24 },
];

/** Adding a region (README "Regions"): one up; SES verifies the new identity once its CNAMEs are in DNS. */
export const ADD_REGION: RunbookStep[] = [
  { kind: "config", title: "Add eu-west-1 to mail-infra:regions; pulumi up", set: { regions: ["us-east-1", "us-west-2", "eu-west-1"] } },
  { kind: "verify-until", title: "npm run verify -- --stack prod --only ses until MAIL FROM is SUCCESS in every region", check: "ses.identity.mail-from", maxHours: 72 },
  { kind: "wait", title: "A day of mail", hours: 24 },
];

/**
 * Removing a region (docs/operations.md "Remove a region"): its identity is protected, so the
 * teardown of that region goes through `mail-infra:protect false`, in three ups.
 */
export const REMOVE_REGION: RunbookStep[] = [
  { kind: "config", title: "Removing us-west-2 alone is refused by pulumi preview (its identity is protected)", set: { regions: ["us-east-1"] }, expectRefused: /unable to delete resource .*us-west-2-identity/s },
  { kind: "config", title: "1. mail-infra:protect false; pulumi up (writes the lifted flags into the state)", set: { protect: "false" } },
  { kind: "config", title: "2. Remove us-west-2 from mail-infra:regions; pulumi up", set: { regions: ["us-east-1"] } },
  { kind: "config", title: "3. mail-infra:protect true; pulumi up", set: { protect: "true" } },
  { kind: "wait", title: "A day of mail", hours: 24 },
];

/** Wrong: protect false and the region removal in one change (the removed resources keep protect in the state). */
export const REMOVE_REGION_ONE_STEP: RunbookStep[] = [{ kind: "config", title: "protect false and us-west-2 removed in one change", set: { protect: "false", regions: ["us-east-1"] } }];

/** `mail-infra:protect false` and back (README "Protection"): no step deletes or replaces anything. */
export const PROTECT_OFF_AND_BACK: RunbookStep[] = [
  { kind: "config", title: "mail-infra:protect false; pulumi up", set: { protect: "false" } },
  { kind: "config", title: "mail-infra:protect true; pulumi up", set: { protect: "true" } },
  { kind: "wait", title: "A day of mail", hours: 24 },
];

/** Changing the DKIM key length (mail-infra:dkimSigningKeyLength) and back, a day apart. */
export const DKIM_KEY_LENGTH: RunbookStep[] = [
  { kind: "config", title: "mail-infra:dkimSigningKeyLength RSA_1024_BIT; pulumi up", set: { dkimSigningKeyLength: "RSA_1024_BIT" } },
  { kind: "wait", title: "A day later", hours: 25 },
  { kind: "config", title: "mail-infra:dkimSigningKeyLength RSA_2048_BIT; pulumi up", set: { dkimSigningKeyLength: "RSA_2048_BIT" } },
  { kind: "wait", title: "A day of mail", hours: 24 },
];

/** Wrong: back to 2048 bits the same day (SES allows one change a day). */
export const DKIM_KEY_LENGTH_SAME_DAY: RunbookStep[] = [DKIM_KEY_LENGTH[0]!, DKIM_KEY_LENGTH[2]!];

/**
 * A retire whose key delete fails (an AWS error mid-up): since CLI 3.112 the failed up still
 * writes the outputs the program registered, so the stack says "retired" while key 1 exists.
 */
export const RETIRE_FAILS_THEN_NEXT_ROTATION: RunbookStep[] = [
  { kind: "config", title: "1. Rotate", set: { smtpKeyGeneration: 2 } },
  { kind: "relay-fix", title: "3. relay-fix", sender: SENDER },
  { kind: "config", title: "5. Deactivate", set: { smtpPreviousKey: "inactive" } },
  { kind: "manual", title: "(IAM will refuse the next DeleteAccessKey: throttled)", act: (w) => ((w.failNext = { type: "aws:iam/accessKey:AccessKey", op: "delete" }), "aws iam ... (a throttled DeleteAccessKey)") },
  { kind: "config", title: "7. Retire (the key delete fails)", set: { smtpPreviousKey: "retired" } },
  { kind: "config", title: "Next rotation right away", set: { smtpKeyGeneration: 3 }, unset: ["smtpPreviousKey"] },
];

/** The same failure, with the documented fix: run the failed up again before the next step. */
export const RETIRE_FAILS_RERUN: RunbookStep[] = [
  ...RETIRE_FAILS_THEN_NEXT_ROTATION.slice(0, 5),
  { kind: "config", title: "7. Run the same up again: key 1 is deleted now" },
  { kind: "config", title: "Next rotation", set: { smtpKeyGeneration: 3 }, unset: ["smtpPreviousKey"] },
];

/** docs/monitoring.md: a reputation alarm deleted outside Pulumi, then refresh and up. */
export const ALARM_RECOVERY: RunbookStep[] = [
  {
    kind: "outside",
    title: "Someone deletes the us-east-1 bounce-rate alarm",
    act: (w) => (w.deleteOutside("aws:cloudwatch/metricAlarm:MetricAlarm", (i) => i.region === "us-east-1" && String(i.name).endsWith("bounce-rate-alarm")), "aws cloudwatch delete-alarms (us-east-1 bounce-rate alarm)"),
  },
  { kind: "refresh", title: "pulumi refresh" },
  { kind: "config", title: "pulumi up restores it" },
];
