/**
 * Two-phase SMTP key rotation: which access keys a configuration declares, and which changes
 * from the last deployment are safe. Pure rules; the program reads the last deployment (its
 * own stack's `verification` output) and refuses an unsafe change before declaring anything.
 *
 * The cycle, one `pulumi up` per step:
 *   generation N (one key) -> N+1 with the previous key `active` (both keys work, the secret
 *   holds key N+1) -> `inactive` (reversible) -> `retired` (key N deleted) -> N+2 ...
 *
 * Invariants, whatever sequence of one-step config changes is deployed:
 * - the current key (the one in the secret) is always declared and Active, so at least one
 *   key is active;
 * - a key is deleted only by the explicit `retired` step, and only after it was `inactive`;
 * - at most two keys exist (IAM's limit per user): a rotation needs the previous key retired.
 */
import { z } from "zod";
import { lastOutputValue } from "./last-deployment";

export const PREVIOUS_KEY_STATES = ["active", "inactive", "retired"] as const;
export type PreviousKeyState = (typeof PREVIOUS_KEY_STATES)[number];

/** IAM's access key status. */
export type KeyStatus = "Active" | "Inactive";

/** What the configuration asks for (validated config, see lib/config.ts SmtpConfig). */
export interface DesiredKeys {
  readonly userName: string;
  readonly keyGeneration: number;
  /** The state of key keyGeneration-1; undefined when keyGeneration is 1. */
  readonly previousKey?: PreviousKeyState;
}

/** The access keys to declare: the current one always, the previous one unless retired or none. */
export interface KeyPlan {
  readonly current: { readonly generation: number; readonly status: "Active" };
  readonly previous?: { readonly generation: number; readonly status: KeyStatus };
}

/**
 * The state asked for key keyGeneration-1: none at generation 1; unset above it reads as
 * `active`, the state that deletes nothing (lib/config.ts reads an empty
 * mail-infra:smtpPreviousKey the same way). The one reading planKeys, rotationIssues and the
 * manifest share: read as "no previous key", planKeys would delete the key relays may still use.
 */
export function previousKeyState(desired: Pick<DesiredKeys, "keyGeneration" | "previousKey">): PreviousKeyState | undefined {
  return desired.keyGeneration <= 1 ? undefined : (desired.previousKey ?? "active");
}

export function planKeys(desired: DesiredKeys): KeyPlan {
  const current = { generation: desired.keyGeneration, status: "Active" as const };
  const state = previousKeyState(desired);
  if (state === undefined || state === "retired") return { current };
  return { current, previous: { generation: desired.keyGeneration - 1, status: state === "active" ? "Active" : "Inactive" } };
}

/** What the last deployment recorded (its verification manifest's smtp part). */
export interface DeployedKeys {
  readonly user: string;
  readonly keyGeneration: number;
  /** Key keyGeneration's id (the secret's username), as recorded. */
  readonly accessKeyId?: string;
  /**
   * The previous key as last deployed. Manifests written before two-phase rotation have no
   * such field: that program deleted the old key in the rotation itself, so it is retired.
   */
  readonly previousKey?: { readonly generation: number; readonly state: PreviousKeyState; readonly accessKeyId?: string };
}

const deployedSchema = z.object({
  smtp: z.object({
    user: z.string(),
    keyGeneration: z.number().int(),
    accessKeyId: z.string().optional(),
    previousKey: z
      .object({ generation: z.number().int(), state: z.enum(PREVIOUS_KEY_STATES), accessKeyId: z.string().optional() })
      .optional(),
  }),
});

export class LastDeploymentError extends Error {}

/**
 * Read the SMTP part of the last deployment's `verification` output. Undefined when there is
 * none (a first deployment). A value that is not a manifest is an error, not a first
 * deployment: guessing there could delete a key.
 */
export function deployedKeys(verification: unknown): DeployedKeys | undefined {
  if (verification === undefined || verification === null) return undefined;
  const value = lastOutputValue(verification);
  // A stack deployed without SMTP credentials (lib/smtp-credentials.ts) records no smtp section.
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "domains" in value && !("smtp" in value)) return undefined;
  const parsed = deployedSchema.safeParse(value);
  if (!parsed.success) {
    throw new LastDeploymentError(
      "The stack's last `verification` output has no readable smtp.user and smtp.keyGeneration, so a key rotation cannot be checked against it. " +
        "Look at it with `pulumi stack output verification --json`; if the stack state was edited by hand, restore it (`pulumi stack import`) before deploying.",
    );
  }
  const { user, keyGeneration, accessKeyId, previousKey } = parsed.data.smtp;
  return { user, keyGeneration, ...(accessKeyId ? { accessKeyId } : {}), ...(previousKey ? { previousKey } : {}) };
}

/** The previous key's state as last deployed: none at generation 1, retired for pre-two-phase manifests. */
function deployedPreviousState(d: DeployedKeys): PreviousKeyState | undefined {
  if (d.keyGeneration <= 1) return undefined;
  if (d.previousKey && d.previousKey.generation === d.keyGeneration - 1) return d.previousKey.state;
  return "retired";
}

export interface RotationIssue {
  /** The short config key the fix goes into. */
  readonly key: "smtpKeyGeneration" | "smtpPreviousKey" | "smtpUserName" | "smtpUnrecordedKeyId";
  readonly message: string;
}

const PK = "mail-infra:smtpPreviousKey";
const GEN = "mail-infra:smtpKeyGeneration";

/**
 * The problems of moving from the last deployment to the desired keys in one `pulumi up`.
 * Empty when the change is safe. A first deployment (no last deployment) is always safe.
 */
export function rotationIssues(deployed: DeployedKeys | undefined, desired: DesiredKeys): RotationIssue[] {
  if (deployed === undefined) return [];
  const issues: RotationIssue[] = [];
  const G = deployed.keyGeneration;
  const N = desired.keyGeneration;
  const P = deployedPreviousState(deployed);
  const S = previousKeyState(desired);

  if (deployed.user !== desired.userName) {
    issues.push({
      key: "smtpUserName",
      message:
        `the stack's SMTP user is "${deployed.user}" (last deployment), but this config names "${desired.userName}". ` +
        `Access keys belong to a user: renaming it would replace key ${G} under the new name and leave the old user's key(s) active and unmanaged, so the next rotation hits IAM's two-key limit. ` +
        `The user name is fixed once deployed: set mail-infra:smtpUserName to "${deployed.user}" (the default name follows the stack name, so a renamed stack needs it set explicitly). ` +
        "To move to another user, deploy a new stack for it, move the relays, then destroy this one.",
    });
  }

  if (N < G) {
    issues.push({
      key: "smtpKeyGeneration",
      message: `is ${N}, but the stack is at generation ${G}. Generations only go up: lowering it would delete key ${G}, which the secret and the relays use. Set it back to ${G}.`,
    });
  } else if (N > G + 1) {
    issues.push({
      key: "smtpKeyGeneration",
      message: `jumps from ${G} (last deployment) to ${N}. Rotate one generation at a time: set it to ${G + 1}, deploy, move the relays, then retire key ${G} before going further.`,
    });
  } else if (N === G + 1) {
    if (P === "active" || P === "inactive") {
      issues.push({
        key: "smtpKeyGeneration",
        message:
          `raises the generation to ${N} while key ${G - 1} is still ${P} (${PK}). A new key now would be the user's third, and IAM allows two. ` +
          `Keep ${GEN} at ${G} and finish the last rotation first: ${P === "active" ? `set ${PK} to inactive, deploy, check the relays, then ` : ""}set it to retired and deploy. Then rotate.`,
      });
    }
    if (S === "inactive" || S === "retired") {
      issues.push({
        key: "smtpPreviousKey",
        message:
          `is ${S} in the same change that raises ${GEN} to ${N}. That would ${S === "inactive" ? "deactivate" : "delete"} key ${G}, the key every relay uses now, before any relay holds key ${N}: the outage two-phase rotation exists to prevent. ` +
          `Remove ${PK} (or set it to active) when raising the generation; deactivate key ${G} in a later step.`,
      });
    }
  } else if (N === G) {
    // At generation 1 there is no previous key (deployedPreviousState), so nothing below applies.
    if (P === "retired" && S !== "retired") {
      issues.push({
        key: "smtpPreviousKey",
        message:
          `is ${S}, but key ${N - 1} was retired (deleted) in the last deployment and cannot come back. ` +
          `Set ${PK} to retired (an empty value means active) and keep it until the next rotation. If a relay still needs a working key, give it key ${N}'s credentials from the secret.`,
      });
    } else if (P === "active" && S === "retired") {
      issues.push({
        key: "smtpPreviousKey",
        message:
          `goes from active straight to retired, which deletes key ${N - 1} for good while relays may still use it. ` +
          `Set ${PK} to inactive first and deploy: a relay still on key ${N - 1} then fails visibly and you can set it back to active. Retire it in the next step.`,
      });
    }
  }
  return issues;
}

/** An access key of the SMTP user as IAM lists it (aws.iam.getAccessKeys, read at preview too). */
export interface LiveAccessKey {
  readonly accessKeyId: string;
  readonly status: string;
  readonly createDate?: string;
}

/**
 * The live keys against what the last deployment recorded, before anything is declared.
 *
 * The outputs can lag the engine's state (checked in pulumi/pulumi):
 * - a failed `pulumi up` keeps the outputs it did not register (since CLI 3.112.0,
 *   pulumi/pulumi#15754: "If an update fails, update any stack outputs that were updated, but
 *   otherwise leave existing stack outputs as-is"). Our one `verification` output is registered
 *   only once every resource it names resolved, so a run that created key N+1 (and maybe wrote
 *   its password to the secret) and then failed leaves the outputs at generation N;
 * - a run whose outputs were registered and whose end-of-run deletes failed (retiring key N-1)
 *   records the key as retired while IAM still has it;
 * - `pulumi refresh` never updates outputs (pulumi/pulumi#9990): only a successful `up` does.
 *
 * So the rule reads IAM itself (one ListAccessKeys through the provider, at preview too):
 * - a key the outputs do not name at all: someone made it outside the stack, or a failed run
 *   made it. Either way a rotation now would create a third key (IAM allows two per user,
 *   CreateAccessKey fails half-way), and lowering the generation after a failed rotation would
 *   delete a key whose password the secret may already hold. Refused, whatever the change,
 *   with the commands that tell the two apart. `unrecordedKeyId` (mail-infra:smtpUnrecordedKeyId)
 *   names a key a failed run of this stack made; it is accepted only to finish that rotation
 *   (generation G+1), the one change that keeps it;
 * - a key recorded as retired that IAM still has: rotating now would also be the third key, so
 *   a raise is refused until `pulumi up` at the same generation finishes the delete.
 * Nothing is checked on a first deployment (no outputs), and without a recorded access key id
 * (manifests older than the field).
 */
export function liveKeyIssues(deployed: DeployedKeys | undefined, desired: DesiredKeys & { readonly unrecordedKeyId?: string }, live: readonly LiveAccessKey[]): RotationIssue[] {
  if (deployed === undefined || deployed.accessKeyId === undefined) return [];
  const G = deployed.keyGeneration;
  const N = desired.keyGeneration;
  const user = deployed.user;
  const previous = deployed.previousKey?.generation === G - 1 ? deployed.previousKey : undefined;
  const kept = new Set([deployed.accessKeyId, ...(previous && previous.state !== "retired" && previous.accessKeyId ? [previous.accessKeyId] : [])]);
  const retiredId = previous?.state === "retired" ? previous.accessKeyId : undefined;
  const shown = (k: LiveAccessKey) => `${k.accessKeyId} (${k.status}, created ${k.createDate ?? "at an unknown time"})`;
  const recorded = `the last recorded deployment names ${[...kept].join(" and ")}${retiredId ? ` and ${retiredId} as retired` : ""}`;
  const issues: RotationIssue[] = [];

  const accepted = desired.unrecordedKeyId && !kept.has(desired.unrecordedKeyId) ? desired.unrecordedKeyId : undefined;
  if (accepted && N !== G + 1) {
    issues.push({
      key: "smtpUnrecordedKeyId",
      message:
        `names ${accepted}, a key a failed \`pulumi up\` created, but ${GEN} is ${N}: only finishing that rotation keeps it (any other generation makes the engine delete it, and the secret may already hold its password). ` +
        `Set ${GEN} to ${G + 1} and run \`pulumi up\`.`,
    });
  }
  if (accepted && !live.some((k) => k.accessKeyId === accepted)) {
    issues.push({ key: "smtpUnrecordedKeyId", message: `names ${accepted}, but IAM lists no such key for ${user} (\`aws iam list-access-keys --user-name ${user}\`). Remove mail-infra:smtpUnrecordedKeyId.` });
  }

  const unknown = live.filter((k) => !kept.has(k.accessKeyId) && k.accessKeyId !== retiredId && k.accessKeyId !== accepted);
  if (unknown.length > 0) {
    const ids = unknown.map((k) => k.accessKeyId);
    issues.push({
      key: "smtpKeyGeneration",
      message:
        `cannot be checked: the SMTP user ${user} has ${unknown.length === 1 ? "an access key" : "access keys"} ${unknown.map(shown).join(", ")} that the stack does not record (${recorded}). ` +
        (N === G + 1 ? `Rotating now would create a third key: IAM allows two per user, so CreateAccessKey would fail half-way through the update. ` : "") +
        `Find out where ${unknown.length === 1 ? "it" : "they"} came from: \`aws iam list-access-keys --user-name ${user}\`, and \`pulumi stack export | grep ${ids[0]}\`. ` +
        `If the stack's state does not hold it, someone created it outside the stack: see whether anything uses it (\`aws iam get-access-key-last-used --access-key-id ${ids[0]}\`), move that sender to the stack's credentials, then delete it (\`aws iam delete-access-key --user-name ${user} --access-key-id ${ids[0]}\`). ` +
        `If the state holds it, a \`pulumi up\` of generation ${G + 1} created it and failed before recording its outputs (pulumi/pulumi#15754; \`pulumi refresh\` does not update outputs, #9990): never lower the generation then, the secret may already hold its password. ` +
        `Set ${GEN} to ${G + 1} and mail-infra:smtpUnrecordedKeyId to ${ids[0]}, and run \`pulumi up\` to finish that rotation.`,
    });
  }
  // The previous key recorded as inactive but Active in IAM: the deactivation did not happen
  // (or someone reactivated it). Retiring it now would delete a key relays may still log in with.
  const stillActive = previous?.state === "inactive" ? live.find((k) => k.accessKeyId === previous.accessKeyId && k.status === "Active") : undefined;
  if (stillActive && desired.previousKey === "retired" && N === G) {
    issues.push({
      key: "smtpPreviousKey",
      message:
        `is retired, but key ${G - 1} ${shown(stillActive)} is Active in IAM although the last deployment records it as inactive (the deactivation did not complete, or someone reactivated it). ` +
        `Deleting it now could cut off a relay that still logs in with it. Set ${PK} to inactive and run \`pulumi up\`, check the relays with \`npm run verify -- --only relay\`, then retire it.`,
    });
  }
  const lingering = live.find((k) => k.accessKeyId === retiredId);
  if (lingering && N === G + 1) {
    issues.push({
      key: "smtpKeyGeneration",
      message:
        `raises the generation to ${N}, but key ${G - 1} ${shown(lingering)}, recorded as retired, still exists: the delete at the end of the last \`pulumi up\` did not happen (a failed update keeps the outputs it registered, pulumi/pulumi#15754). ` +
        `A new key now would be the user's third. Keep ${GEN} at ${G} with ${PK} retired and run \`pulumi up\` so the engine deletes it; then rotate.`,
    });
  }
  return issues;
}
