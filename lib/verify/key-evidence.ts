/**
 * Which senders' regions demonstrably moved to the current SMTP key: the one rule that
 * relay.retire and relay.credentials share. Pure: the collectors read the keys' last use
 * (IAM GetAccessKeyLastUsed) and creation dates (ListAccessKeys); this judges them.
 *
 * What the record is (IAM API reference, AccessKeyLastUsed / GetAccessKeyLastUsed,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyLastUsed.html): the date,
 * service and region of the key's LAST use only. Every use overwrites it, so it never moves
 * back, and it names one region. AWS documents that IAM's last-accessed data "usually appears
 * within four hours" (IAM API reference, GenerateServiceLastAccessedDetails); no lag is
 * documented for the key's record itself, so the same 4 h applies by analogy: a use younger
 * than that may not show yet. That an SES SMTP login updates the record, and that it
 * names the service "ses", is NOT documented anywhere we found (see docs/architecture.md,
 * "Positive evidence before safe"): the rule relies on it and every finding says so.
 *
 * The rule, for one region r of the declared senders (R = the read time, C = the rotation,
 * i.e. the current key's CreateDate, L = LAST_USED_LAG_MS):
 * - **moved** when the current key has an SES use in r at s (s >= C: read now, or carried from
 *   an earlier verify with --relay-seen r=s), the previous key's last use of any kind is
 *   before s (a later use, whatever its service or region, would hide a use in r), and
 *   s <= R - L (a previous-key use right after s has had the lag to show; not needed when the
 *   user has no other key).
 * - **stale** when the previous key's last use is SES in r at or after C and no current-key
 *   use in r came after it: some client in r sent with the previous key after the rotation,
 *   and nothing shows it moved since.
 * - **unconfirmed** otherwise: not enough evidence, with the reason and what produces it (the
 *   probe, or waiting out the lag).
 *
 * The record is second-precise: a use in the same second as the rotation, or as the current
 * key's use, counts as after it (the cautious side).
 */

/** A key's last use as IAM reports it (GetAccessKeyLastUsed's AccessKeyLastUsed). */
export interface KeyLastUsed {
  lastUsedDate?: string;
  serviceName?: string;
  region?: string;
}

const HOUR = 3_600_000;

/** AWS: last-accessed data "usually appears within 4 hours". */
export const LAST_USED_LAG_MS = 4 * HOUR;

/** Where the probe goes: SES's mailbox simulator accepts it without touching quotas or reputation. */
export const PROBE_ADDRESS = "success@simulator.amazonses.com";

/** Said in every finding that rests on the record: what is assumed and not documented. */
export const LAST_USED_CAVEAT =
  "assumed, not documented by AWS: an SES SMTP login updates the key's last-used record with service \"ses\" and the endpoint's region; the record keeps only the last use and may lag up to ~4 h";

export interface Use {
  at: Date;
  service?: string;
  region?: string;
}

/** A key's last use as a Use, or undefined when the record has no date (never used). */
export function useOf(u: KeyLastUsed | undefined): Use | undefined {
  if (!u?.lastUsedDate) return undefined;
  const at = new Date(u.lastUsedDate);
  if (Number.isNaN(at.getTime())) return undefined;
  return { at, ...(u.serviceName ? { service: u.serviceName } : {}), ...(u.region ? { region: u.region } : {}) };
}

export interface EvidenceInput {
  /** The current key's CreateDate. */
  rotatedAt: Date;
  current: KeyLastUsed;
  /** The previous key's last use; undefined when there is no previous key. */
  previous?: KeyLastUsed;
  /** When the records were read. */
  readAt: Date;
  lagMs?: number;
  /** An SES use of the current key per region that an earlier verify saw (--relay-seen region=time). */
  carried?: ReadonlyMap<string, Date>;
  /**
   * verify's own SMTP logins with the current key, per region (a run forced with
   * --smtp-auth-during-rotation, or an earlier one named with --smtp-login-at region=time):
   * a use within OWN_LOGIN_MARGIN_MS of one is verify's, not a relay's, and never counts.
   */
  ownLogins?: ReadonlyMap<string, Date>;
}

/**
 * How close to verify's own login a recorded use is taken for that login: the session's length
 * plus the skew between this machine's clock (which names the login) and IAM's (which dates the
 * record). A relay's use inside the window cannot be told from ours: the probe is sent after it.
 */
export const OWN_LOGIN_MARGIN_MS = 15 * 60_000;

/**
 * Said in the relay findings of a run that logged in with the current key during a rotation:
 * the records were read before the login, and what a later read shows near it is verify's.
 */
export function ownLoginNote(region: string, at: Date, stack: string, thisRun: boolean): string {
  const after = iso(new Date(at.getTime() + OWN_LOGIN_MARGIN_MS));
  return thisRun
    ? `verify itself logged in with the current key in ${region} at ${iso(at)} (--smtp-auth-during-rotation), after reading the records above: from then on the current key's last-used record shows that login, not a relay's. Relay evidence in ${region} counts only for a probe sent after ${after}; give later runs \`npm run verify -- --stack ${stack} --smtp-login-at ${region}=${iso(at)}\` so they do not count it`
    : `verify's own login in ${region} at ${iso(at)} (--smtp-login-at): a current-key use within ${OWN_LOGIN_MARGIN_MS / 60_000} min of it is not counted as a relay's; a probe sent after ${after} is`;
}

/** Whether a use of the current key in `region` at `at` may be verify's own login. */
export function isOwnLogin(region: string, at: Date, ownLogins: ReadonlyMap<string, Date> | undefined): boolean {
  const own = ownLogins?.get(region);
  return own !== undefined && Math.abs(at.getTime() - own.getTime()) <= OWN_LOGIN_MARGIN_MS;
}

export type RegionVerdict =
  | { kind: "moved"; region: string; seenAt: Date; carried: boolean; why: string }
  | { kind: "stale"; region: string; why: string }
  | { kind: "unconfirmed"; region: string; why: string; /** Re-run verify after this (the lag). */ waitUntil?: Date };

export const iso = (d: Date) => d.toISOString();
const describe = (u: Use) => `${u.service ?? "an unknown service"} in ${u.region ?? "an unknown region"} at ${iso(u.at)}`;

/** The verdict for one region (see the file comment). */
export function judgeRegion(region: string, input: EvidenceInput): RegionVerdict {
  const lag = input.lagMs ?? LAST_USED_LAG_MS;
  const C = input.rotatedAt;
  const cur = useOf(input.current);
  const prev = useOf(input.previous);
  const candidates: { at: Date; carried: boolean }[] = [];
  const own = input.ownLogins?.get(region);
  const ours = (at: Date) => isOwnLogin(region, at, input.ownLogins);
  if (cur && cur.service === "ses" && cur.region === region && cur.at >= C && !ours(cur.at)) candidates.push({ at: cur.at, carried: false });
  const carried = input.carried?.get(region);
  if (carried && carried >= C && !(cur && cur.at < carried) && !ours(carried)) candidates.push({ at: carried, carried: true });
  const prevSesHere = prev !== undefined && prev.at >= C && prev.service === "ses" && prev.region === region;

  if (candidates.length === 0) {
    if (prevSesHere) {
      return { kind: "stale", region, why: `the previous key was used by SES in ${region} at ${iso(prev!.at)}, after the rotation (${iso(C)}), and the current key has no SES use in ${region} since: a relay in ${region} still sends with the previous key` };
    }
    const curWhy = !cur
      ? "the current key has no recorded use at all"
      : cur.service !== "ses"
        ? `the current key's last use is by ${cur.service ?? "an unknown service"} at ${iso(cur.at)}, not an SES login`
        : cur.region !== region
          ? `the current key's last use is SES in ${cur.region ?? "an unknown region"} at ${iso(cur.at)}; the record keeps one region, so this read cannot show ${region}`
          : own !== undefined && ours(cur.at)
            ? `the current key's last SES use in ${region} at ${iso(cur.at)} is within ${OWN_LOGIN_MARGIN_MS / 60_000} min of verify's own SMTP login there (${iso(own)}), so it is verify's, not a relay's`
            : `the current key's last SES use in ${region} at ${iso(cur.at)} is before its own creation (${iso(C)})`;
    return { kind: "unconfirmed", region, why: `no SES use of the current key in ${region} is on record: ${curWhy}` };
  }
  let last: RegionVerdict | undefined;
  for (const s of candidates) {
    const seen = `the current key was used by SES in ${region} at ${iso(s.at)}${s.carried ? " (carried from an earlier verify with --relay-seen)" : ""}`;
    if (prev && prev.at >= s.at) {
      last =
        prev.service === "ses" && prev.region === region
          ? { kind: "stale", region, why: `the previous key was used by SES in ${region} at ${iso(prev.at)}, at or after ${seen.replace("the current key was used", "the current key's use")}: a relay in ${region} still sends with the previous key` }
          : { kind: "unconfirmed", region, why: `${seen}, but the previous key's last use (${describe(prev)}) is later and hides any use in ${region} after it` };
      continue;
    }
    // The lag guards against a previous-key use after s that has not shown yet: without another key there is none to wait for.
    const until = new Date(s.at.getTime() + lag);
    if (input.previous !== undefined && until > input.readAt) {
      last = { kind: "unconfirmed", region, why: `${seen}, less than ${lag / HOUR} h before this read (${iso(input.readAt)}): a later use of the previous key may not show yet`, waitUntil: until };
      continue;
    }
    return {
      kind: "moved",
      region,
      seenAt: s.at,
      carried: s.carried,
      why:
        input.previous === undefined
          ? `${seen}; no other key exists (read at ${iso(input.readAt)})`
          : `${seen}, after the rotation (${iso(C)}); the previous key's last use ${prev ? `(${describe(prev)})` : "(none)"} is before it, and the read (${iso(input.readAt)}) is at least ${lag / HOUR} h later`,
    };
  }
  return last!;
}

/**
 * The previous key's SES use after the rotation in a region no declared sender uses: an
 * undeclared relay holds it. Undefined when there is none.
 */
export function undeclaredUse(input: EvidenceInput, regions: readonly string[]): Use | undefined {
  const prev = useOf(input.previous);
  if (!prev || prev.at < input.rotatedAt || prev.service !== "ses") return undefined;
  return prev.region !== undefined && regions.includes(prev.region) ? undefined : prev;
}

/** The one step that produces the evidence for a sender: one message from it to the mailbox simulator. */
export function probeStep(s: { address: string; kind: string; region: string; account?: string }, stack: string): string {
  const how =
    s.kind === "gmail-send-as"
      ? `in Gmail${s.account ? ` (${s.account})` : ""}, compose a message From ${s.address} To ${PROBE_ADDRESS} and send it${s.account && !/@(gmail|googlemail)\.com$/i.test(s.account) ? ` (or \`npm run relay-fix -- --stack ${stack} --sender ${s.address} --apply\`, which sends it itself)` : ""}`
      : `send one message through the relay From ${s.address} To ${PROBE_ADDRESS}`;
  return `${s.address} (${s.region}): ${how}`;
}
