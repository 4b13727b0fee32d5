/** SMTP credential and relay checks: the secret, the key behind it, SMTP AUTH, and the senders that use it. */
import { z } from "zod";
import { fixModeOf, type Manifest } from "../manifest";
import { deniedAddressIdentity } from "../ses-denial";
import { deriveSmtpPasswordV4 } from "../smtp-password";
import { type Cause, causeOf, dependsOn, finding, type Finding, inconclusive, type Observation, type Unobservable } from "./findings";

const secretSchema = z.object({
  username: z.string().min(1),
  keyGeneration: z.number().int().optional(),
  regions: z.record(z.string(), z.object({ host: z.string(), port: z.number().int(), password: z.string().min(1) })),
  /** Not written by mail-infra; some setups keep it, and then the stored passwords can be re-derived. */
  secretAccessKey: z.string().min(1).optional(),
});
export type SmtpSecret = z.infer<typeof secretSchema>;

/** Parse the secret's JSON. Errors name fields, never values. */
export function parseSmtpSecret(text: string): { ok: true; value: SmtpSecret } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: "the secret value is not JSON" };
  }
  const r = secretSchema.safeParse(json);
  if (!r.success) return { ok: false, message: `the secret JSON lacks ${r.error.issues.map((i) => i.path.join(".") || "(root)").join(", ")}` };
  return { ok: true, value: r.data };
}

export interface AccessKeyState {
  id: string;
  status: "Active" | "Inactive" | string;
  createDate?: string;
}
export interface KeyLastUsed {
  lastUsedDate?: string;
  serviceName?: string;
  region?: string;
}

/**
 * True when a key's last use is an SES login after the rotation (the current key's creation):
 * a relay that kept the old password. Every old key was used by SES before the rotation, while
 * it was the current one, so only later logins count. An unknown time counts (the cautious side).
 */
export function sesLoginAfterRotation(use: KeyLastUsed, rotatedAt: string | undefined): boolean {
  if (use.serviceName !== "ses") return false;
  if (!rotatedAt || !use.lastUsedDate) return true;
  return new Date(use.lastUsedDate) > new Date(rotatedAt);
}
export interface SmtpAuthResult {
  /** 235 accepted, 535 rejected, or another final SMTP code. */
  code: number;
  ms: number;
  message: string;
  /** Where the session really went when --smtp-endpoint overrode the endpoint ("connected to 127.0.0.1:2587 (override for ...)"). */
  connectedTo?: string;
}
export interface SimulationResult {
  decision: "allowed" | "implicitDeny" | "explicitDeny";
  deniedResources: string[];
}

export interface SmtpObservations {
  secret: Observation<string>;
  accessKeys: Observation<AccessKeyState[]>;
  lastUsed: ReadonlyMap<string, Observation<KeyLastUsed>>;
  /** Per region: SMTP AUTH with the stored username and that region's password. */
  auth: ReadonlyMap<string, Observation<SmtpAuthResult>>;
  simulation: Observation<SimulationResult>;
  /** --send-test result per region, when asked for. */
  sendTest?: ReadonlyMap<string, Observation<SmtpAuthResult>>;
  /** A secret access key supplied to verify (stdin), to re-derive the passwords. */
  suppliedSecretKey?: string;
}

export function checkSmtpLayer(m: Manifest, obs: SmtpObservations): Finding[] {
  const out: Finding[] = [];
  const s = m.smtp;
  const secretSubject = `secret ${s.secretName}`;
  let secret: SmtpSecret | undefined;
  // An invalid secret is the one cause of every password that could not be tried.
  const invalidSecret: Cause = { key: `smtp.secret invalid ${s.secretId}` };
  const missingPasswords: Cause = { key: `smtp.secret regions ${s.secretId}` };
  if (!obs.secret.ok) {
    out.push(
      obs.secret.reason === "notfound"
        ? finding("smtp", "smtp.secret", secretSubject, "fail", "the secret does not exist (or is scheduled for deletion)", { evidence: [s.secretId], remediation: "Restore it (`aws secretsmanager restore-secret`) or run `pulumi up`.", cause: causeOf(obs.secret) })
        : inconclusive("smtp", "smtp.secret", secretSubject, "the secret", obs.secret),
    );
  } else {
    const parsed = parseSmtpSecret(obs.secret.value);
    if (!parsed.ok) {
      out.push(finding("smtp", "smtp.secret", secretSubject, "fail", parsed.message, { evidence: [s.secretId], remediation: "Run `pulumi up` to write the secret again.", cause: invalidSecret }));
    } else {
      secret = parsed.value;
      const missingRegions = s.regions.map((r) => r.region).filter((r) => !secret!.regions[r]);
      out.push(
        missingRegions.length === 0
          ? finding("smtp", "smtp.secret", secretSubject, "pass", `holds the username and a password for ${Object.keys(secret.regions).join(", ")}`, { evidence: [`secret id ${s.secretId}`, `username ${secret.username}`] })
          : finding("smtp", "smtp.secret", secretSubject, "fail", `no password for ${missingRegions.join(", ")}`, { evidence: [`secret id ${s.secretId}`], remediation: "Run `pulumi up` to write the passwords for every region.", cause: missingPasswords }),
      );
    }
  }

  const username = secret?.username ?? s.accessKeyId;
  const keySubject = `access key ${username} of ${s.user}`;
  if (!obs.accessKeys.ok) {
    out.push(
      obs.accessKeys.reason === "notfound"
        ? finding("smtp", "smtp.key", keySubject, "fail", `the IAM user ${s.user} does not exist`, { remediation: "Run `pulumi up`.", cause: causeOf(obs.accessKeys) })
        : inconclusive("smtp", "smtp.key", keySubject, "the user's access keys", obs.accessKeys),
    );
  } else {
    const key = obs.accessKeys.value.find((k) => k.id === username);
    const others = obs.accessKeys.value.filter((k) => k.id !== username).map((k) => `${k.id} (${k.status}, created ${k.createDate ?? "?"})`);
    if (!key) {
      out.push(
        finding("smtp", "smtp.key", keySubject, "fail", `the secret's username ${username} is not an access key of ${s.user}: the secret is stale`, {
          evidence: [`keys of ${s.user}: ${obs.accessKeys.value.map((k) => `${k.id} (${k.status})`).join(", ") || "none"}`],
          remediation: "Run `pulumi up` so the secret is rewritten from the current key; then update every relay (see the relay layer).",
        }),
      );
    } else if (key.status !== "Active") {
      out.push(
        finding("smtp", "smtp.key", keySubject, "fail", `the key is ${key.status}: SES rejects every login with it`, {
          evidence: [`created ${key.createDate ?? "?"}`, ...others.map((o) => `other key ${o}`)],
          remediation: `Reactivate it (\`aws iam update-access-key --user-name ${s.user} --access-key-id ${key.id} --status Active\`) or rotate by raising mail-infra:smtpKeyGeneration and running \`pulumi up\`.`,
        }),
      );
    } else {
      out.push(finding("smtp", "smtp.key", keySubject, "pass", "exists and is Active", { evidence: [`created ${key.createDate ?? "?"}`, ...others.map((o) => `other key ${o}`)] }));
    }
  }

  // Why there is no password to try, when the secret did not give one.
  // It has the secret's cause, so the report shows the secret's problem once, listing these.
  const noPassword = (region: string): Unobservable =>
    !obs.secret.ok
      ? {
          ...dependsOn(obs.secret, `no password to try: the secret ${s.secretName} ${obs.secret.reason === "notfound" ? "does not exist" : "could not be read"}`, obs.secret.needs ?? "Fix the smtp.secret check first."),
          reason: obs.secret.reason === "notfound" ? "error" : obs.secret.reason,
        }
      : !secret
        ? { ok: false, reason: "error", message: `no password to try: the secret ${s.secretName} is not valid`, needs: "Fix the smtp.secret check first.", cause: invalidSecret }
        : { ok: false, reason: "error", message: `no password to try: the secret holds none for ${region}`, needs: "Fix the smtp.secret check first.", cause: missingPasswords };

  const secretKey = obs.suppliedSecretKey ?? secret?.secretAccessKey;
  if (obs.suppliedSecretKey && !secret) {
    out.push(inconclusive("smtp", "smtp.password", `passwords in ${s.secretName}`, "the stored passwords", noPassword(s.regions[0]?.region ?? "")));
  } else if (secret && secretKey) {
    const stale = Object.entries(secret.regions).filter(([region, r]) => {
      try {
        return deriveSmtpPasswordV4(secretKey, region) !== r.password;
      } catch {
        return true;
      }
    });
    out.push(
      stale.length === 0
        ? finding("smtp", "smtp.password", `passwords in ${s.secretName}`, "pass", "each stored password is the v4 derivation of the key for its region")
        : finding("smtp", "smtp.password", `passwords in ${s.secretName}`, "fail", `the stored password for ${stale.map(([r]) => r).join(", ")} is not derived from this key`, {
            remediation: "Run `pulumi up` to rewrite the secret (or derive it with `npm run smtp-password -- --region <r>`).",
          }),
    );
  }

  for (const { region, endpoint } of s.regions) {
    const auth = obs.auth.get(region);
    const subject = `${endpoint}:${s.port} (${region})`;
    if (!auth) {
      // Without a stored password the handshake was not tried: say so instead of staying silent.
      out.push(inconclusive("smtp", "smtp.auth", subject, "SMTP AUTH", noPassword(region)));
      continue;
    }
    if (!auth.ok) {
      out.push(inconclusive("smtp", "smtp.auth", subject, "SMTP AUTH", auth));
      continue;
    }
    const r = auth.value;
    out.push(
      r.code === 235
        ? finding("smtp", "smtp.auth", subject, "pass", `AUTH accepted (235) in ${r.ms} ms`, { evidence: [`username ${username}`, "EHLO, STARTTLS (certificate valid), AUTH; no mail sent", ...(r.connectedTo ? [r.connectedTo] : [])] })
        : finding("smtp", "smtp.auth", subject, "fail", `AUTH rejected (${r.code}) in ${r.ms} ms: the stored password does not work in ${region}`, {
            evidence: [`username ${username}`, `server said: ${r.message}`, ...(r.connectedTo ? [r.connectedTo] : [])],
            remediation: "If the smtp.key check passed, the password is stale: run `pulumi up` to rewrite the secret from the current key.",
          }),
    );
  }

  const simSubject = `${s.user} may ses:SendRawEmail`;
  if (!obs.simulation.ok) out.push(inconclusive("smtp", "smtp.permission", simSubject, "the user's permissions (policy simulation)", obs.simulation));
  else {
    const sim = obs.simulation.value;
    out.push(
      sim.decision === "allowed"
        ? finding("smtp", "smtp.permission", simSubject, "pass", "allowed on every identity and configuration set of the stack")
        : finding("smtp", "smtp.permission", simSubject, "fail", `${sim.decision} for ses:SendRawEmail`, {
            evidence: sim.deniedResources.map((r) => `denied: ${r}`),
            remediation: "Run `pulumi up` to restore the user's inline policy; check for an explicit Deny in a permissions boundary or SCP.",
          }),
    );
  }

  for (const [region, result] of obs.sendTest ?? []) {
    const subject = `test message via ${region} to success@simulator.amazonses.com`;
    if (!result.ok) out.push(inconclusive("smtp", "smtp.send-test", subject, "the test send", result));
    else {
      out.push(
        result.value.code === 250
          ? finding("smtp", "smtp.send-test", subject, "pass", `accepted (250) in ${result.value.ms} ms`, { evidence: [result.value.message] })
          : sendRefused(m, subject, result.value),
      );
    }
  }
  return out;
}

/**
 * A refused test send. A 554 that names an email-address identity under the stack's domain is
 * its own cause (lib/ses-denial): SES authorised against that identity (it takes precedence over
 * the domain's), and the SMTP user's policy names only what mail-infra:smtpAddressIdentities lists.
 */
function sendRefused(m: Manifest, subject: string, r: SmtpAuthResult): Finding {
  const address = deniedAddressIdentity(r.message, m.domains.map((d) => d.domain));
  if (!address) return finding("smtp", "smtp.send-test", subject, "fail", `refused (${r.code})`, { evidence: [r.message], remediation: "Read the server's answer above; the SES layer usually names the cause." });
  const region = address.region ?? "<region>";
  const discovered = fixModeOf(m) === "discovery";
  return finding("smtp", "smtp.send-test", subject, "fail", `refused (${r.code}): SES authorised the send against the email-address identity ${address.address} (${region}), which the SMTP user's policy does not name`, {
    evidence: [r.message, `an address identity takes precedence over its domain's identity: ${address.resource}`],
    remediation:
      (discovered
        ? `Add ${address.resource} to the Resource list of the SMTP user's send policy`
        : `Add ${address.address} to mail-infra:smtpAddressIdentities and run \`pulumi up\` (the send policy then names it in every SMTP region)`) +
      `, or, if nothing needs that identity's own settings, delete it: \`aws sesv2 delete-email-identity --email-identity ${address.address} --region ${region}\` (the domain identity then applies).`,
  });
}

/**
 * The relay layer. A relay's stored password cannot be read (Gmail's API never returns it), so
 * the judgement rests on evidence: does SES still see logins with a key other than the current
 * one, and has the current key been used at all since it was created.
 */
export function checkRelays(m: Manifest, obs: SmtpObservations, now: Date): Finding[] {
  if (m.senders.length === 0) return [];
  const keys = obs.accessKeys.ok ? obs.accessKeys.value : undefined;
  const current = m.smtp.accessKeyId;
  return m.senders.map((sender) => {
    const subject = `${sender.address} (${sender.kind}${sender.account ? ` in ${sender.account}` : ""}) via ${sender.region}`;
    const runbook = sender.kind === "gmail-send-as" ? "docs/operations.md#fix-a-gmail-send-mail-as-alias" : "docs/operations.md#after-a-rotation";
    if (!keys) return inconclusive("relay", "relay.credentials", subject, "which key the relay uses", obs.accessKeys as Exclude<typeof obs.accessKeys, { ok: true }>);
    const auth = obs.auth.get(sender.region);
    const evidence: string[] = [];
    if (auth?.ok) evidence.push(`current credentials ${auth.value.code === 235 ? "work" : "do not work"} at ${sender.smtpEndpoint} (${auth.value.code})`);
    const rotatedAt = keys.find((k) => k.id === current)?.createDate;
    const oldUse = keys
      .filter((k) => k.id !== current)
      .map((k) => ({ k, used: obs.lastUsed.get(k.id) }))
      .filter(({ used }) => used?.ok && (used.value.region === undefined || used.value.region === sender.region) && sesLoginAfterRotation(used.value, rotatedAt));
    for (const { k, used } of oldUse) if (used?.ok) evidence.push(`old key ${k.id} last used by SES in ${used.value.region ?? "?"} at ${used.value.lastUsedDate ?? "?"}`);
    const curUse = obs.lastUsed.get(current);
    if (curUse?.ok) evidence.push(`current key ${current} last used: ${curUse.value.lastUsedDate ? `${curUse.value.lastUsedDate} by ${curUse.value.serviceName} in ${curUse.value.region}` : "never"}`);
    const remediation = `Put the current username and the ${sender.region} password into the relay (${runbook}). The password is in Secrets Manager: \`aws secretsmanager get-secret-value --secret-id ${m.smtp.secretName} --region ${m.smtp.secretRegion}\`.`;
    if (oldUse.length > 0) {
      return finding("relay", "relay.credentials", subject, "fail", "SES still sees logins with an old key: this relay most likely holds the stale password", { evidence, remediation });
    }
    if (auth?.ok && auth.value.code !== 235) {
      return finding("relay", "relay.credentials", subject, "warn", `the stored credentials for ${sender.region} are rejected (see smtp.auth): this relay cannot work with them either`, {
        evidence,
        remediation: `Fix the SMTP credentials first (the smtp layer says how), then ${remediation.charAt(0).toLowerCase()}${remediation.slice(1)}`,
      });
    }
    const currentKey = keys.find((k) => k.id === current);
    const neverUsedBySes = curUse?.ok && (curUse.value.serviceName !== "ses" || !curUse.value.lastUsedDate);
    const ageDays = currentKey?.createDate ? (now.getTime() - new Date(currentKey.createDate).getTime()) / 86_400_000 : 0;
    if (neverUsedBySes && ageDays >= 1) {
      return finding("relay", "relay.credentials", subject, "warn", `the current key has not been used by SES since it was created ${Math.floor(ageDays)} days ago: if this relay sent mail since, it has the old password`, { evidence, remediation });
    }
    return finding("relay", "relay.credentials", subject, "pass", "no sign of a stale password (no old key in use)", { evidence });
  });
}
