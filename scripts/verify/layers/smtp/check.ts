/** SMTP credential and relay checks: the secret, the key behind it, SMTP AUTH, and the senders that use it. */
import { z } from "zod";
import { fixModeOf, type Manifest } from "../../../../lib/manifest";
import { deniedAddressIdentity } from "../../../../lib/ses-denial";
import { deriveSmtpPasswordV4 } from "../../../../lib/smtp-password";
import { type Cause, causeOf, dependsOn, finding, type Finding, inconclusive, type Observation, type Unobservable } from "../../../../lib/verify/findings";
import { judgeRegion, type KeyLastUsed, LAST_USED_CAVEAT, ownLoginNote, PROBE_ADDRESS, probeStep } from "../../../../lib/verify/key-evidence";

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

/**
 * Why the SMTP user is not known. Discovery mode (verify --domain --secret-id) learns the user
 * only through the access key stored in the secret; without a readable secret, or when IAM names
 * no owner for that key, there is no user to ask about, and no call is made on an empty name.
 * The cause is the secret's own when the secret is the reason, so the report shows it once.
 */
export function unknownSmtpUser(smtp: Manifest["smtp"], secret: Observation<string>): Unobservable {
  const needs = "Fix the smtp.secret check first, or run verify with --stack so the user comes from the stack's manifest.";
  if (!secret.ok) {
    return {
      ...dependsOn(secret, `the SMTP user is unknown: it is found through the access key in the secret ${smtp.secretId}, which ${secret.reason === "notfound" ? "does not exist" : "could not be read"}`, needs),
      reason: secret.reason === "notfound" ? "error" : secret.reason,
    };
  }
  const parsed = parseSmtpSecret(secret.value);
  if (!parsed.ok) return { ok: false, reason: "error", message: `the SMTP user is unknown: the secret ${smtp.secretId} is not valid (${parsed.message})`, needs, cause: { key: `smtp.secret invalid ${smtp.secretId}` } };
  return {
    ok: false,
    reason: "error",
    message: `the SMTP user is unknown: IAM named no user for the access key ${parsed.value.username} stored in ${smtp.secretId} (GetAccessKeyLastUsed)`,
    needs: "Check that the key still exists (`aws iam get-access-key-last-used --access-key-id <id>`), or run verify with --stack.",
  };
}

export interface AccessKeyState {
  id: string;
  status: "Active" | "Inactive" | string;
  createDate?: string;
}
export type { KeyLastUsed } from "../../../../lib/verify/key-evidence";

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
  /** The policies whose statements decided (SourcePolicyId of the matched statements). */
  matchedPolicies?: string[];
  /** Condition keys the policies use that the question did not supply (MissingContextValues). */
  missingContext?: string[];
}

/** A request context entry for SimulatePrincipalPolicy (ContextEntries). */
export interface SimulationContextEntry {
  key: string;
  values: string[];
}

/**
 * One question to IAM's policy simulator: may the SMTP user send this way? A real SES SMTP
 * login of a sender is SendRawEmail on the identity of the sender's domain and the
 * configuration set SES applies, in the sender's region, with the sender's address as From.
 */
export interface SimulationQuestion {
  /** The sender's address, absent for the per-region question of a stack without senders. */
  sender?: string;
  region: string;
  resources: string[];
  context: SimulationContextEntry[];
}

/**
 * The questions smtp.permission asks: one per sender (its address as ses:FromAddress, its
 * region as aws:RequestedRegion, its domain's identity and configuration set ARNs in that
 * region), or, when the stack declares no sender, one per SMTP region without a From address.
 * The SMTP policy's ses:FromAddress condition (lib/iam.ts smtpSendPolicy) cannot match a
 * question without that key: IAM evaluates a condition on a missing key as false, so such a
 * question gets implicitDeny from a healthy policy (IAM User Guide, "Condition operators").
 * ARNs discovery could not learn ("") are left out.
 */
export function simulationQuestions(m: Manifest): SimulationQuestion[] {
  const regionOf = (domain: string, region: string) => m.domains.find((d) => d.domain === domain)?.regions.find((r) => r.region === region);
  const arns = (r: { identityArn: string; configurationSetArn: string } | undefined) => (r ? [r.identityArn, r.configurationSetArn].filter((a) => a !== "") : []);
  const requested = (region: string): SimulationContextEntry => ({ key: "aws:RequestedRegion", values: [region] });
  if (m.senders.length > 0) {
    return m.senders.map((sender) => {
      const domain = sender.address.slice(sender.address.lastIndexOf("@") + 1).toLowerCase();
      return { sender: sender.address, region: sender.region, resources: arns(regionOf(domain, sender.region)), context: [{ key: "ses:FromAddress", values: [sender.address] }, requested(sender.region)] };
    });
  }
  return m.smtp.regions.map(({ region }) => ({ region, resources: m.domains.flatMap((d) => arns(regionOf(d.domain, region))), context: [requested(region)] }));
}

/** A question and IAM's answer (or why there is none). */
export interface SimulationOutcome {
  question: SimulationQuestion;
  result: Observation<SimulationResult>;
}

export interface SmtpObservations {
  secret: Observation<string>;
  accessKeys: Observation<AccessKeyState[]>;
  lastUsed: ReadonlyMap<string, Observation<KeyLastUsed>>;
  /** Per region: SMTP AUTH with the stored username and that region's password. */
  auth: ReadonlyMap<string, Observation<SmtpAuthResult>>;
  /** One simulation per question of simulationQuestions (smtp.permission). */
  simulations: readonly SimulationOutcome[];
  /** --send-test result per region, when asked for. */
  sendTest?: ReadonlyMap<string, Observation<SmtpAuthResult>>;
  /** A secret access key supplied to verify (stdin), to re-derive the passwords. */
  suppliedSecretKey?: string;
  /**
   * Set when verify did not log in (smtp.auth, --send-test) because a rotation is in progress
   * (duringRotation): the user's keys, which make it one.
   */
  authWithheld?: { keys: readonly string[] };
  /** verify's own earlier logins with the current key, per region (--smtp-login-at): not counted as a relay's use. */
  ownLogins?: ReadonlyMap<string, Date>;
  /** This run's logins with the current key during a rotation (forced), made after the records were read. */
  loginsThisRun?: ReadonlyMap<string, Date>;
}

/** The flag that makes verify log in with the current key during a rotation anyway. */
export const FORCE_AUTH_FLAG = "--smtp-auth-during-rotation";

/**
 * A rotation is in progress while the SMTP user has another key beside the current one
 * (ListAccessKeys), or, when the keys could not be read, while the manifest declares a previous
 * key not yet retired. Then verify does not log in with the current key: the login would be
 * recorded as its last use (service ses, that region), relay.retire could not tell it from a
 * relay's, and it would overwrite the relay's own record (IAM keeps only the last use).
 * `loginId` is the key verify would log in with (the secret's username): when it is not the
 * current key (a stale secret, which smtp.key fails), its login can at worst look like a use of
 * an older key, which makes the relay checks refuse, never approve: the AUTH still runs. So
 * does a login with a key IAM no longer lists (it cannot be recorded against an existing key).
 */
export function duringRotation(m: Manifest, keys: Observation<AccessKeyState[]>, loginId = m.smtp.accessKeyId): boolean {
  if (loginId !== m.smtp.accessKeyId) return false;
  // A login key IAM does not list (deleted) cannot be recorded against any key: its AUTH runs (and fails).
  if (keys.ok) return keys.value.some((k) => k.id === loginId) && keys.value.some((k) => k.id !== loginId);
  const prev = m.smtp.previousKey;
  return prev !== undefined && prev.state !== "retired";
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
        ? finding("smtp", "smtp.secret", secretSubject, "fail", "the secret does not exist (or is scheduled for deletion)", { evidence: [s.secretId], remediation: "Restore it (`aws secretsmanager restore-secret`) or run `pulumi up --refresh`.", cause: causeOf(obs.secret) })
        : inconclusive("smtp", "smtp.secret", secretSubject, "the secret", obs.secret),
    );
  } else {
    const parsed = parseSmtpSecret(obs.secret.value);
    if (!parsed.ok) {
      out.push(finding("smtp", "smtp.secret", secretSubject, "fail", parsed.message, { evidence: [s.secretId], remediation: "Run `pulumi up --refresh` to write the secret again.", cause: invalidSecret }));
    } else {
      secret = parsed.value;
      const missingRegions = s.regions.map((r) => r.region).filter((r) => !secret!.regions[r]);
      out.push(
        missingRegions.length === 0
          ? finding("smtp", "smtp.secret", secretSubject, "pass", `holds the username and a password for ${Object.keys(secret.regions).join(", ")}`, { evidence: [`secret id ${s.secretId}`, `username ${secret.username}`] })
          : finding("smtp", "smtp.secret", secretSubject, "fail", `no password for ${missingRegions.join(", ")}`, { evidence: [`secret id ${s.secretId}`], remediation: "Run `pulumi up --refresh` to write the passwords for every region.", cause: missingPasswords }),
      );
    }
  }

  const username = secret?.username ?? s.accessKeyId;
  // Discovery without a readable secret knows neither the key nor the user: say so, never "access key  of ".
  const keySubject = `${username ? `access key ${username}` : "the SMTP access key"}${s.user ? ` of ${s.user}` : ""}`;
  if (!obs.accessKeys.ok) {
    out.push(
      obs.accessKeys.reason === "notfound" && s.user !== ""
        ? finding("smtp", "smtp.key", keySubject, "fail", `the IAM user ${s.user} does not exist`, { remediation: "Run `pulumi up --refresh` (the refresh drops the deleted user from the state, so the program creates it again).", cause: causeOf(obs.accessKeys) })
        : inconclusive("smtp", "smtp.key", keySubject, "the user's access keys", obs.accessKeys),
    );
  } else {
    const key = obs.accessKeys.value.find((k) => k.id === username);
    const others = obs.accessKeys.value.filter((k) => k.id !== username).map((k) => `${k.id} (${k.status}, created ${k.createDate ?? "?"})`);
    if (!key) {
      out.push(
        finding("smtp", "smtp.key", keySubject, "fail", `the secret's username ${username} is not an access key of ${s.user}: the secret is stale`, {
          evidence: [`keys of ${s.user}: ${obs.accessKeys.value.map((k) => `${k.id} (${k.status})`).join(", ") || "none"}`],
          remediation: "Run `pulumi up --refresh` so the secret is rewritten from the current key; then update every relay (see the relay layer).",
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
            remediation: "Run `pulumi up --refresh` to rewrite the secret (or derive it with `npm run smtp-password -- --region <r>`).",
          }),
    );
  }

  for (const { region, endpoint } of s.regions) {
    const auth = obs.auth.get(region);
    const subject = `${endpoint}:${s.port} (${region})`;
    if (!auth && obs.authWithheld && secret?.regions[region]) {
      out.push(withheldAuth(m, obs, region, subject, secret, secretKey));
      continue;
    }
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
            remediation: "If the smtp.key check passed, the password is stale: run `pulumi up --refresh` to rewrite the secret from the current key.",
          }),
    );
  }

  out.push(...checkPermissions(m, obs.simulations));

  if (obs.sendTest && obs.authWithheld) {
    for (const { region } of s.regions.filter((r) => secret?.regions[r.region] && !obs.sendTest?.has(r.region))) {
      out.push(
        finding("smtp", "smtp.send-test", `test message via ${region} to ${PROBE_ADDRESS}`, "inconclusive", "not sent during a rotation: it logs in with the current key, which IAM would record as that key's use by SES in this region (see smtp.auth)", {
          remediation: `Send it once the previous key is retired, or now with ${FORCE_AUTH_FLAG} (read smtp.auth first: it costs the relay evidence in ${region}).`,
        }),
      );
    }
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
 * smtp.auth when verify did not log in because a rotation is in progress (duringRotation): says
 * why, what was checked instead (the stored password's derivation, the key's state, IAM's
 * answer for the region's senders), and how to log in anyway.
 */
function withheldAuth(m: Manifest, obs: SmtpObservations, region: string, subject: string, secret: SmtpSecret, secretKey: string | undefined): Finding {
  const s = m.smtp;
  const stored = secret.regions[region].password;
  let derivation: string;
  if (!secretKey) derivation = `not re-derived: the secret holds no secret access key (give it with --secret-key-stdin to check that the ${region} password is derived from the current key)`;
  else {
    let derived: string | undefined;
    try {
      derived = deriveSmtpPasswordV4(secretKey, region);
    } catch {
      derived = undefined;
    }
    derivation = derived === stored ? `the stored ${region} password is the v4 derivation of the current key's secret for ${region} (smtp.password)` : `the stored ${region} password is NOT the v4 derivation of the key's secret (smtp.password fails)`;
  }
  const key = obs.accessKeys.ok ? obs.accessKeys.value.find((k) => k.id === secret.username) : undefined;
  const keyState = key ? `key ${key.id} is ${key.status} (smtp.key)` : `key ${secret.username}: not found among the user's keys (smtp.key)`;
  const permissions = obs.simulations
    .filter((o) => o.question.region === region)
    .map((o) => `IAM ${o.result.ok ? `said ${o.result.value.decision}` : "did not answer"} for ses:SendRawEmail${o.question.sender ? ` as ${o.question.sender}` : ""} in ${region} (smtp.permission)`);
  return finding("smtp", "smtp.auth", subject, "inconclusive", `not attempted during a rotation: a login with the current key would be recorded as its use by SES in ${region}, which relay.retire could not tell from a relay's (and it would overwrite the relay's own record)`, {
    evidence: [
      `the user ${s.user} has keys ${obs.authWithheld!.keys.join(", ")}: the rotation to ${s.accessKeyId} is in progress until the previous key is retired`,
      `checked instead: ${derivation}`,
      `checked instead: ${keyState}`,
      ...permissions.map((p) => `checked instead: ${p}`),
    ],
    remediation: `Nothing to fix: smtp.auth logs in again once the previous key is retired. To log in now anyway: \`npm run verify -- --stack ${m.stack} ${FORCE_AUTH_FLAG}\`; relay evidence in ${region} then counts only for a probe sent after that login (the relay findings print the login's time).`,
  });
}

/** The context a question supplied, as evidence ("ses:FromAddress=a@b.c, aws:RequestedRegion=us-east-1"). */
const contextText = (q: SimulationQuestion): string => q.context.map((e) => `${e.key}=${e.values.join("|")}`).join(", ");

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
 * smtp.permission: IAM's policy simulator asked, per sender, the question a real SMTP login of
 * that sender puts to IAM (simulationQuestions). A pass names what was asked and which policy
 * allowed it; an answer that depended on a condition key verify could not supply is
 * inconclusive, never a pass or a fail.
 */
export function checkPermissions(m: Manifest, simulations: readonly SimulationOutcome[]): Finding[] {
  const user = m.smtp.user;
  return simulations.map(({ question: q, result }) => {
    const subject = q.sender ? `${user || "the SMTP user"} sending as ${q.sender} in ${q.region}` : `${user || "the SMTP user"} sending in ${q.region}`;
    if (!result.ok) return inconclusive("smtp", "smtp.permission", subject, "the user's permissions (policy simulation)", result);
    const sim = result.value;
    const asked = `asked IAM (SimulatePrincipalPolicy): ses:SendRawEmail on ${q.resources.join(", ")} with ${contextText(q)}`;
    const missing = sim.missingContext ?? [];
    if (sim.decision === "allowed") {
      return finding("smtp", "smtp.permission", subject, "pass", `IAM allows ses:SendRawEmail${q.sender ? ` as ${q.sender}` : ""} in ${q.region}`, {
        evidence: [asked, `allowed by ${(sim.matchedPolicies ?? []).join(", ") || "a statement IAM did not name"}`],
      });
    }
    if (sim.decision === "explicitDeny") {
      return finding("smtp", "smtp.permission", subject, "fail", `an explicit Deny refuses ses:SendRawEmail${q.sender ? ` as ${q.sender}` : ""} in ${q.region}: SES refuses this sender's mail`, {
        evidence: [asked, ...sim.deniedResources.map((r) => `denied: ${r}`), ...(sim.matchedPolicies?.length ? [`denied by ${sim.matchedPolicies.join(", ")}`] : [])],
        remediation: `Find the Deny statement (${(sim.matchedPolicies ?? []).join(", ") || "the user's policies, its permissions boundary"}) and remove it or narrow it so it does not match this sender; \`aws iam list-user-policies --user-name ${user}\` lists the inline ones.`,
      });
    }
    if (!q.sender && missing.some((k) => k.toLowerCase() === "ses:fromaddress")) {
      return finding("smtp", "smtp.permission", subject, "inconclusive", "the policy allows only listed From addresses (ses:FromAddress) and no sender is known (none declared, or discovery mode), so there is no real From address to ask IAM about", {
        evidence: [asked, `IAM said implicitDeny; condition keys not supplied: ${missing.join(", ")}`],
        remediation:
          `List the senders in mail-infra:senders (each gets its own permission check), or ask IAM for an address by hand: \`aws iam simulate-principal-policy --policy-source-arn ${m.smtp.userArn || "<user ARN>"} --action-names ses:SendRawEmail --resource-arns ${q.resources.join(" ")} ` +
          "--context-entries ContextKeyName=ses:FromAddress,ContextKeyValues=<address>,ContextKeyType=string`.",
      });
    }
    if (missing.length > 0) {
      return finding("smtp", "smtp.permission", subject, "inconclusive", `IAM said implicitDeny, but the policies use condition keys verify does not know the values of (${missing.join(", ")}): the answer does not stand for a real SMTP login`, {
        evidence: [asked, ...sim.deniedResources.map((r) => `denied: ${r}`)],
        remediation: `Simulate with those keys by hand (\`aws iam simulate-principal-policy --policy-source-arn ${m.smtp.userArn || "<user ARN>"} --action-names ses:SendRawEmail --context-entries ...\`), or remove the conditions the stack did not write.`,
      });
    }
    return finding("smtp", "smtp.permission", subject, "fail", `no statement allows ses:SendRawEmail${q.sender ? ` as ${q.sender}` : ""} in ${q.region} (implicitDeny): SES rejects mail sent with these credentials there`, {
      evidence: [asked, ...sim.deniedResources.map((r) => `denied: ${r}`)],
      remediation: "Run `pulumi up --refresh` to restore the user's inline policy (it allows the senders' addresses in their regions). If the sender or its region is new, add it to mail-infra:senders first; a permissions boundary may also lack ses:SendRawEmail.",
    });
  });
}

/**
 * relay.credentials, per sender: does the relay demonstrably log in with the current key in its
 * region? The password a relay holds cannot be read (Gmail's API never returns it), so the
 * verdict is the region's evidence (lib/verify/key-evidence.ts judgeRegion): pass only when the
 * current key was used by SES in the sender's region after the rotation and the previous key
 * not since; fail when the previous key was used there after the rotation and not superseded.
 * Otherwise "not enough evidence": inconclusive while another key of the user exists (retiring
 * it would be unsafe), warn when the current key is the only one (no step waits on it).
 */
export function checkRelays(m: Manifest, obs: SmtpObservations, now: Date, carried?: ReadonlyMap<string, Date>): Finding[] {
  if (m.senders.length === 0) return [];
  const keys = obs.accessKeys.ok ? obs.accessKeys.value : undefined;
  const current = m.smtp.accessKeyId;
  return m.senders.map((sender) => {
    const subject = `${sender.address} (${sender.kind}${sender.account ? ` in ${sender.account}` : ""}) via ${sender.region}`;
    const runbook = sender.kind === "gmail-send-as" ? "docs/operations.md#fix-a-gmail-send-mail-as-alias" : "docs/operations.md#after-a-rotation";
    if (!keys) return inconclusive("relay", "relay.credentials", subject, "which key the relay uses", obs.accessKeys as Exclude<typeof obs.accessKeys, { ok: true }>);
    const currentKey = keys.find((k) => k.id === current);
    const curUse = obs.lastUsed.get(current);
    if (!currentKey?.createDate) {
      return inconclusive("relay", "relay.credentials", subject, "which key the relay uses", { ok: false, reason: "error", message: `the current key ${current} ${currentKey ? "has no creation date" : `is not an access key of ${m.smtp.user}`}`, needs: "Fix the smtp.key check first." });
    }
    if (!curUse || !curUse.ok) return inconclusive("relay", "relay.credentials", subject, "the current key's last use", curUse && !curUse.ok ? curUse : { ok: false, reason: "error", message: "not read" });
    // At most one other key (IAM allows two per user): the previous one, declared or not.
    const other = keys.find((k) => k.id !== current);
    const otherUse = other ? obs.lastUsed.get(other.id) : undefined;
    if (other && (!otherUse || !otherUse.ok)) return inconclusive("relay", "relay.credentials", subject, `the other key ${other.id}'s last use`, otherUse && !otherUse.ok ? otherUse : { ok: false, reason: "error", message: "not read" });
    const auth = obs.auth.get(sender.region);
    const evidence: string[] = [];
    if (auth?.ok) evidence.push(`current credentials ${auth.value.code === 235 ? "work" : "do not work"} at ${sender.smtpEndpoint} (${auth.value.code})`);
    const said = (u: KeyLastUsed) => (u.lastUsedDate ? `${u.lastUsedDate} by ${u.serviceName ?? "?"} in ${u.region ?? "?"}` : "never");
    evidence.push(`read at ${now.toISOString()}: current key ${current} (created ${currentKey.createDate}) last used ${said(curUse.value)}`);
    if (other && otherUse?.ok) evidence.push(`read at ${now.toISOString()}: other key ${other.id} (${other.status}, created ${other.createDate ?? "?"}) last used ${said(otherUse.value)}`);
    const v = judgeRegion(sender.region, {
      rotatedAt: new Date(currentKey.createDate),
      current: curUse.value,
      ...(other && otherUse?.ok ? { previous: otherUse.value } : {}),
      readAt: now,
      ...(carried ? { carried } : {}),
      ...(obs.ownLogins ? { ownLogins: obs.ownLogins } : {}),
    });
    const own = obs.ownLogins?.get(sender.region);
    if (own) evidence.push(ownLoginNote(sender.region, own, m.stack, false));
    const mine = obs.loginsThisRun?.get(sender.region);
    if (mine) evidence.push(ownLoginNote(sender.region, mine, m.stack, true));
    evidence.push(LAST_USED_CAVEAT);
    const remediation = `Put the current username and the ${sender.region} password into the relay (\`npm run relay-fix -- --stack ${m.stack} --sender ${sender.address}\`, ${runbook}), then send the probe: ${probeStep(sender, m.stack)}.`;
    if (v.kind === "stale") return finding("relay", "relay.credentials", subject, "fail", `still on the previous key: ${v.why}`, { evidence, remediation });
    if (auth?.ok && auth.value.code !== 235) {
      return finding("relay", "relay.credentials", subject, "warn", `the stored credentials for ${sender.region} are rejected (see smtp.auth): this relay cannot work with them either`, {
        evidence,
        remediation: `Fix the SMTP credentials first (the smtp layer says how), then ${remediation.charAt(0).toLowerCase()}${remediation.slice(1)}`,
      });
    }
    if (v.kind === "moved") return finding("relay", "relay.credentials", subject, "pass", `uses the current key: ${v.why}`, { evidence });
    const wait = v.waitUntil ? ` If the probe was sent already, re-run verify after ${v.waitUntil.toISOString()}.` : "";
    return other
      ? finding("relay", "relay.credentials", subject, "inconclusive", `not enough evidence yet that this relay uses the current key (key ${other.id} still exists): ${v.why}`, {
          evidence,
          remediation: `If the relay was not moved yet: ${remediation} Otherwise send the probe only: ${probeStep(sender, m.stack)}; then re-run \`npm run verify -- --stack ${m.stack} --only relay\` at least 4 hours later.${wait}`,
        })
      : finding("relay", "relay.credentials", subject, "warn", `not seen using the current key (the only key of ${m.smtp.user}): ${v.why}`, {
          evidence,
          remediation: `Nothing waits on this (no other key exists). To confirm the relay works, send the probe: ${probeStep(sender, m.stack)}; a bounce naming the relay is read by \`npm run diagnose\`.${wait}`,
        });
  });
}
