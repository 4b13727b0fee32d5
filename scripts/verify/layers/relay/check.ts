/**
 * Relay readiness after a rotation: is it safe to retire the previous SMTP key, and are the
 * Gmail "Send mail as" aliases pointed at SES the way they must be. Pure checks: the
 * collectors (scripts/verify/aws.ts keyLastUsed, scripts/verify/layers/gmail/collect.ts) supply the evidence.
 *
 * No API tells which password a relay holds (Gmail's smtpMsa.username and password are
 * write-only), so the verdict rests on the keys' last use after the probe (one message from
 * each sender to the SES mailbox simulator): lib/verify/key-evidence.ts holds the rule.
 */
import type { Manifest } from "../../../../lib/manifest";
import { gmailAddAliasFix, gmailConfirmFix } from "../../../../lib/relay-runbook";
import { type Cause, finding, type Finding, inconclusive, type Observation, type Unobservable } from "../../../../lib/verify/findings";
import { type EvidenceInput, iso, judgeRegion, LAST_USED_CAVEAT, ownLoginNote, probeStep, type RegionVerdict, undeclaredUse } from "../../../../lib/verify/key-evidence";
import type { AccessKeyState, KeyLastUsed } from "../smtp/check";

/** What Gmail's users.settings.sendAs returns for one alias (the fields the check reads). */
export interface GmailSendAs {
  sendAsEmail: string;
  verificationStatus?: string;
  isPrimary?: boolean;
  smtpMsa?: { host?: string; port?: number; securityMode?: string };
}

/** The port and security mode pairs SES's SMTP interface accepts (Gmail offers no other useful ones). */
export const GMAIL_SMTP_MODES: readonly { port: number; securityMode: string }[] = [
  { port: 587, securityMode: "starttls" },
  { port: 465, securityMode: "ssl" },
];

/** Gmail never returns these: the finding says so, every time. */
export const GMAIL_WRITE_ONLY_NOTE = "Gmail never returns the alias's SMTP username or password (write-only fields), so which key it holds is judged from the keys' last use after the probe (relay.credentials, relay.retire)";

export interface RelayObservations {
  accessKeys: Observation<AccessKeyState[]>;
  lastUsed: ReadonlyMap<string, Observation<KeyLastUsed>>;
  /** Per gmail-send-as sender address: the alias as Gmail returns it (notfound: no such alias). */
  gmail?: ReadonlyMap<string, Observation<GmailSendAs>>;
}

/** The previous key's id: the manifest's, or the user's other key when the manifest has none. */
export function previousKeyId(m: Manifest, keys: readonly AccessKeyState[] | undefined): string | undefined {
  const prev = m.smtp.previousKey;
  if (!prev || prev.state === "retired") return undefined;
  return prev.accessKeyId ?? keys?.find((k) => k.id !== m.smtp.accessKeyId)?.id;
}

function describeUse(id: string, u: Observation<KeyLastUsed> | undefined): string {
  if (!u) return `key ${id}: last use not read`;
  if (!u.ok) return `key ${id}: last use unknown (${u.message})`;
  return u.value.lastUsedDate ? `key ${id} last used ${u.value.lastUsedDate} by ${u.value.serviceName ?? "?"} in ${u.value.region ?? "?"}` : `key ${id} never used`;
}

const senderSubject = (s: Manifest["senders"][number]) => `${s.address} (gmail-send-as${s.account ? ` in ${s.account}` : ""})`;

/** One finding per gmail-send-as sender; none when `obs.gmail` is absent (the check was not made: see NotChecked). */
export function checkGmailAliases(m: Manifest, obs: RelayObservations): Finding[] {
  if (!obs.gmail) return [];
  const keys = obs.accessKeys.ok ? obs.accessKeys.value : undefined;
  const prevId = previousKeyId(m, keys);
  const useEvidence = [describeUse(m.smtp.accessKeyId, obs.lastUsed.get(m.smtp.accessKeyId)), ...(prevId ? [describeUse(prevId, obs.lastUsed.get(prevId))] : [])];
  const out: Finding[] = [];
  for (const s of m.senders.filter((x) => x.kind === "gmail-send-as")) {
    const subject = senderSubject(s);
    const o = obs.gmail.get(s.address);
    const fix = `Fix it in Gmail: \`npm run relay-fix -- --sender ${s.address}\` prints the steps (docs/operations.md#fix-a-gmail-send-mail-as-alias).`;
    if (!o) {
      out.push(inconclusive("relay", "relay.gmail", subject, "the Gmail alias", { ok: false, reason: "error", message: "the alias was not read" }));
      continue;
    }
    if (!o.ok) {
      out.push(
        o.reason === "notfound"
          ? finding("relay", "relay.gmail", subject, "fail", `the account has no "Send mail as" alias ${s.address}`, { evidence: [o.message], remediation: gmailAddAliasFix(m, s) })
          : inconclusive("relay", "relay.gmail", subject, "the Gmail alias", o),
      );
      continue;
    }
    const a = o.value;
    const msa = a.smtpMsa;
    const seen = [
      `verificationStatus ${a.verificationStatus ?? "(none)"}`,
      msa ? `smtpMsa ${msa.host ?? "?"}:${msa.port ?? "?"} (${msa.securityMode ?? "?"})` : "no smtpMsa: Gmail sends this alias through its own servers",
    ];
    const problems: string[] = [];
    const pending = a.verificationStatus !== "accepted";
    if (pending) problems.push(`the alias is ${a.verificationStatus ?? "not verified"}, not accepted: Gmail will not send as it until the confirmation link is followed`);
    if (!msa?.host) problems.push(`the alias has no SMTP server: Gmail sends it from its own servers, not through SES ${s.smtpEndpoint}`);
    else if (msa.host.toLowerCase() !== s.smtpEndpoint.toLowerCase()) problems.push(`the alias relays through ${msa.host}, not ${s.smtpEndpoint} (the SES endpoint of ${s.region})`);
    if (msa?.host && !GMAIL_SMTP_MODES.some((x) => x.port === msa.port && x.securityMode === msa.securityMode)) {
      problems.push(`port ${msa.port ?? "?"} with ${msa.securityMode ?? "no security mode"} is not one SES accepts from Gmail: use 587 with TLS (starttls) or 465 with SSL`);
    }
    const evidence = [...seen, GMAIL_WRITE_ONLY_NOTE, ...useEvidence];
    out.push(
      problems.length === 0
        ? finding("relay", "relay.gmail", subject, "pass", `Gmail returns the alias as accepted, relaying through ${msa!.host}:${msa!.port} (${msa!.securityMode}); which key it holds is not readable here (relay.credentials judges that)`, { evidence })
        : finding("relay", "relay.gmail", subject, "fail", problems.join("; "), { evidence, remediation: [...(pending ? [gmailConfirmFix(s)] : []), ...(problems.length > (pending ? 1 : 0) ? [fix] : [])].join(" Then: ") }),
    );
  }
  return out;
}

/** The declared senders grouped by region, in declaration order. */
export function sendersByRegion(m: Manifest): Map<string, Manifest["senders"][number][]> {
  const out = new Map<string, Manifest["senders"][number][]>();
  for (const s of m.senders) out.set(s.region, [...(out.get(s.region) ?? []), s]);
  return out;
}

export interface RetireOptions {
  /** SES uses of the current key that an earlier verify saw, per region (--relay-seen region=time). */
  carried?: ReadonlyMap<string, Date>;
  lagMs?: number;
  /** verify's own earlier SMTP logins with the current key, per region (--smtp-login-at; key-evidence.ts ownLogins): not counted. */
  ownLogins?: ReadonlyMap<string, Date>;
  /** This run's own logins (--smtp-auth-during-rotation), made after the records were read: said, so later runs discount them. */
  loginsThisRun?: ReadonlyMap<string, Date>;
}

/**
 * The verdict `relay.retire`, while the previous key exists (state active or inactive). Safe
 * only on positive evidence for every declared sender's region (lib/verify/key-evidence.ts):
 * the current key used by SES there after the rotation, and the previous key not used since.
 * A region where the previous key was used after the rotation and not superseded fails; a
 * region without evidence either way is "not enough evidence yet" (inconclusive: exit 1, so
 * the runbook's next step waits), naming its senders and the probe that produces it.
 */
export function checkRetire(m: Manifest, obs: RelayObservations, gmail: readonly Finding[], now: Date, options: RetireOptions = {}): Finding[] {
  const prev = m.smtp.previousKey;
  if (!prev || prev.state === "retired") return [];
  const keys = obs.accessKeys.ok ? obs.accessKeys.value : undefined;
  const prevId = previousKeyId(m, keys);
  const subject = `previous key ${prevId ?? `(generation ${prev.generation})`} of ${m.smtp.user}`;
  const id = "relay.retire";
  if (!obs.accessKeys.ok) return [inconclusive("relay", id, subject, "when the rotation happened (the user's access keys)", obs.accessKeys)];
  const current = obs.accessKeys.value.find((k) => k.id === m.smtp.accessKeyId);
  const prevKey = obs.accessKeys.value.find((k) => k.id === prevId);
  const gmailEvidence = gmail.map((g) => `gmail alias ${g.subject}: ${g.status} (${g.summary})`);
  if (!prevKey) {
    return [
      finding("relay", id, subject, "warn", `not needed: the previous key (generation ${prev.generation}) is no longer an access key of ${m.smtp.user}`, {
        evidence: [`keys of ${m.smtp.user}: ${obs.accessKeys.value.map((k) => `${k.id} (${k.status})`).join(", ") || "none"}`, `manifest: previous key ${prev.state}`],
        remediation: "Set mail-infra:smtpPreviousKey to retired and run `pulumi up`, so the stack stops declaring a key that is gone.",
      }),
    ];
  }
  if (!current?.createDate) {
    const u: Unobservable = { ok: false, reason: "error", message: `the current key ${m.smtp.accessKeyId} ${current ? "has no creation date" : `is not an access key of ${m.smtp.user}`}, so the rotation time is unknown`, needs: "Fix the smtp.key check first." };
    return [inconclusive("relay", id, subject, "when the rotation happened", u)];
  }
  const used = obs.lastUsed.get(prevKey.id);
  if (!used || !used.ok) {
    return [inconclusive("relay", id, subject, "the previous key's last use", used && !used.ok ? used : { ok: false, reason: "error", message: "not read" })];
  }
  const curUsed = obs.lastUsed.get(current.id);
  if (!curUsed || !curUsed.ok) {
    return [inconclusive("relay", id, subject, "the current key's last use", curUsed && !curUsed.ok ? curUsed : { ok: false, reason: "error", message: "not read" })];
  }
  const input: EvidenceInput = { rotatedAt: new Date(current.createDate), current: curUsed.value, previous: used.value, readAt: now, ...(options.carried ? { carried: options.carried } : {}), ...(options.lagMs !== undefined ? { lagMs: options.lagMs } : {}), ...(options.ownLogins ? { ownLogins: options.ownLogins } : {}) };
  const byRegion = sendersByRegion(m);
  const verdicts = [...byRegion.keys()].map((r) => judgeRegion(r, input));
  const names = (r: string) => (byRegion.get(r) ?? []).map((s) => s.address).join(", ");
  const evidence = [
    `rotation: current key ${current.id} (generation ${m.smtp.keyGeneration}) created ${current.createDate}`,
    `read at ${iso(now)}: previous ${describeUse(prevKey.id, used)} (IAM status ${prevKey.status}; stack config: ${prev.state})`,
    `read at ${iso(now)}: current ${describeUse(current.id, curUsed)}`,
    ...verdicts.map((v) => `${v.region} (${names(v.region)}): ${v.kind === "moved" ? "moved" : v.kind === "stale" ? "still on the previous key" : "not confirmed"}: ${v.why}`),
    ...[...(options.ownLogins ?? [])].map(([r, at]) => ownLoginNote(r, at, m.stack, false)),
    ...[...(options.loginsThisRun ?? [])].map(([r, at]) => ownLoginNote(r, at, m.stack, true)),
    LAST_USED_CAVEAT,
    ...gmailEvidence,
  ];
  const undeclared = undeclaredUse(input, [...byRegion.keys()]);
  const stale = verdicts.filter((v) => v.kind === "stale");
  const keep =
    prev.state === "inactive"
      ? "The key is inactive, so those relays fail now: set mail-infra:smtpPreviousKey back to active if mail must flow while you fix them."
      : "Do not deactivate or retire the previous key yet.";
  if (stale.length > 0 || undeclared) {
    const who = stale.flatMap((v) => (byRegion.get(v.region) ?? []).map((s) => s.address));
    const summary = [
      ...stale.map((v) => `${v.why} (senders there: ${names(v.region)})`),
      ...(undeclared ? [`the previous key was used by SES in ${undeclared.region ?? "an unknown region"} at ${iso(undeclared.at)}, after the rotation, where no declared sender sends: an undeclared relay holds it`] : []),
    ];
    return [
      finding("relay", id, subject, "fail", `not yet: ${summary.join("; ")}`, {
        evidence,
        remediation:
          `Give each of these relays the current key's credentials (${who.map((n) => `\`npm run relay-fix -- --stack ${m.stack} --sender ${n}\``).join(", ") || "find the relay sending through that region and declare it in mail-infra:senders"}), send the probe from each, then re-run verify. ${keep}`,
      }),
    ];
  }
  const next =
    prev.state === "active"
      ? "Next: set mail-infra:smtpPreviousKey to inactive and run `pulumi up` (reversible), send the probe from each sender again (a bounce means a relay still held the previous key: set it back to active), re-run verify, then set it to retired."
      : "Next: set mail-infra:smtpPreviousKey to retired and run `pulumi up` (this deletes the key).";
  const moved = verdicts.filter((v): v is Extract<RegionVerdict, { kind: "moved" }> => v.kind === "moved");
  if (verdicts.length > 0 && moved.length === verdicts.length) {
    return [
      finding("relay", id, subject, "pass", `safe to ${prev.state === "active" ? "deactivate" : "retire"} the previous key: in ${moved.map((v) => `${v.region} (${names(v.region)})`).join(", ")} the current key was used by SES after the rotation and the previous key not since. ${next}`, { evidence }),
    ];
  }
  const open = verdicts.filter((v) => v.kind !== "moved");
  const probes = open.flatMap((v) => (byRegion.get(v.region) ?? []).map((s) => probeStep(s, m.stack)));
  const waits = open.flatMap((v) => (v.kind === "unconfirmed" && v.waitUntil ? [v.waitUntil.getTime()] : []));
  const carry = moved.map((v) => `--relay-seen ${v.region}=${iso(v.seenAt)}`);
  const remediation = [
    waits.length === open.length && waits.length > 0
      ? `Wait: re-run \`npm run verify -- --stack ${m.stack} --only relay\` after ${iso(new Date(Math.max(...waits)))} (IAM's last-used data usually appears within 4 hours).`
      : `Produce the evidence: send one probe message from each unconfirmed sender, ${open.length > 1 || moved.length > 0 ? "one region at a time (the record keeps only the last region), " : ""}then re-run \`npm run verify -- --stack ${m.stack} --only relay\` at least 4 hours later. ${probes.join("; ")}.`,
    ...(carry.length > 0 ? [`Keep what this read confirmed, since a later use in another region overwrites it: add ${carry.join(" ")} to the next verify.`] : []),
    keep,
  ].join(" ");
  return [
    finding("relay", id, subject, "inconclusive", `not enough evidence yet to ${prev.state === "active" ? "deactivate" : "retire"} the previous key: not confirmed ${open.map((v) => `${v.region} (${names(v.region)})`).join(", ")}${moved.length > 0 ? `; confirmed ${moved.map((v) => v.region).join(", ")}` : ""}`, {
      evidence,
      remediation,
    }),
  ];
}

/** The cause every Gmail read shares when the token is refused: reported once. */
export const GMAIL_CREDENTIALS: Cause = {
  key: "gmail.credentials",
  id: "gmail.credentials",
  subject: "Gmail API credentials",
  summary: "the Gmail API refused the access token, so no Gmail alias could be read",
  remediation:
    "Get a fresh access token for the account that owns the aliases (they expire after an hour), with the scope https://www.googleapis.com/auth/gmail.settings.basic or gmail.readonly, and pass it with --gmail-token-file FILE or GMAIL_ACCESS_TOKEN.",
};
