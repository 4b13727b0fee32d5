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

export function planKeys(desired: DesiredKeys): KeyPlan {
  const current = { generation: desired.keyGeneration, status: "Active" as const };
  if (desired.keyGeneration <= 1 || desired.previousKey === undefined || desired.previousKey === "retired") return { current };
  return { current, previous: { generation: desired.keyGeneration - 1, status: desired.previousKey === "active" ? "Active" : "Inactive" } };
}

/** What the last deployment recorded (its verification manifest's smtp part). */
export interface DeployedKeys {
  readonly user: string;
  readonly keyGeneration: number;
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
  const parsed = deployedSchema.safeParse(lastOutputValue(verification));
  if (!parsed.success) {
    throw new LastDeploymentError(
      "The stack's last `verification` output has no readable smtp.user and smtp.keyGeneration, so a key rotation cannot be checked against it. " +
        "Look at it with `pulumi stack output verification --json`; if the stack state was edited by hand, restore it (`pulumi stack import`) before deploying.",
    );
  }
  const { user, keyGeneration, previousKey } = parsed.data.smtp;
  return { user, keyGeneration, ...(previousKey ? { previousKey } : {}) };
}

/** The previous key's state as last deployed: none at generation 1, retired for pre-two-phase manifests. */
function deployedPreviousState(d: DeployedKeys): PreviousKeyState | undefined {
  if (d.keyGeneration <= 1) return undefined;
  if (d.previousKey && d.previousKey.generation === d.keyGeneration - 1) return d.previousKey.state;
  return "retired";
}

export interface RotationIssue {
  /** The short config key the fix goes into: smtpKeyGeneration, smtpPreviousKey or smtpUserName. */
  readonly key: "smtpKeyGeneration" | "smtpPreviousKey" | "smtpUserName";
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
  const S = desired.previousKey;

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
  } else if (N === G && N > 1) {
    if (P === "retired" && S !== "retired") {
      issues.push({
        key: "smtpPreviousKey",
        message:
          `is ${S ?? "active"}, but key ${N - 1} was retired (deleted) in the last deployment and cannot come back. ` +
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
