/**
 * The positive-evidence rule (lib/verify/key-evidence.ts) and relay.retire on top of it, as pure
 * functions: every boundary of the rule (rotation second, current-use second, the 4 h lag), the
 * region filter, a key shared by two regions, and evidence carried across reads. The same
 * scenarios run against moto's real last-used records in relay.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { exitCodeFor, observed } from "../../lib/verify/findings";
import { type EvidenceInput, judgeRegion, LAST_USED_CAVEAT, LAST_USED_LAG_MS, undeclaredUse } from "../../lib/verify/key-evidence";
import { checkRetire } from "../../scripts/verify/layers/relay/check";
import type { KeyLastUsed } from "../../scripts/verify/layers/smtp/check";

const HOUR = 3_600_000;
const C = new Date("2026-11-29T11:00:00.000Z");
const at = (hoursAfterRotation: number) => new Date(C.getTime() + hoursAfterRotation * HOUR);
const ses = (d: Date, region = "us-east-1"): KeyLastUsed => ({ lastUsedDate: d.toISOString(), serviceName: "ses", region });
const input = (current: KeyLastUsed, previous: KeyLastUsed | undefined, readAt: Date, extra: Partial<EvidenceInput> = {}): EvidenceInput => ({ rotatedAt: C, current, ...(previous ? { previous } : {}), readAt, ...extra });

describe("judgeRegion: positive evidence per region", () => {
  it("moved: the current key used by SES in the region after the rotation, the previous key before it, the read at least 4 h later", () => {
    const v = judgeRegion("us-east-1", input(ses(at(2)), ses(at(-25)), at(6)));
    expect(v).toMatchObject({ kind: "moved", region: "us-east-1", seenAt: at(2), carried: false });
    expect(v.why).toBe(
      `the current key was used by SES in us-east-1 at ${at(2).toISOString()}, after the rotation (${C.toISOString()}); the previous key's last use (ses in us-east-1 at ${at(-25).toISOString()}) is before it, and the read (${at(6).toISOString()}) is at least 4 h later`,
    );
  });

  it("the incident: current key never used, previous key last used by SES 25 h before: unconfirmed (not a pass)", () => {
    const v = judgeRegion("us-east-1", input({}, ses(at(-25)), at(1)));
    expect(v).toEqual({ kind: "unconfirmed", region: "us-east-1", why: "no SES use of the current key in us-east-1 is on record: the current key has no recorded use at all" });
  });

  it("the lag: a current-key use younger than 4 h cannot prove that no previous-key use followed; exactly 4 h can", () => {
    const seen = at(2);
    const early = judgeRegion("us-east-1", input(ses(seen), ses(at(-25)), new Date(seen.getTime() + LAST_USED_LAG_MS - 1000)));
    expect(early).toMatchObject({ kind: "unconfirmed", waitUntil: new Date(seen.getTime() + LAST_USED_LAG_MS) });
    expect(early.why).toContain("less than 4 h before this read");
    expect(judgeRegion("us-east-1", input(ses(seen), ses(at(-25)), new Date(seen.getTime() + LAST_USED_LAG_MS))).kind).toBe("moved");
  });

  it("the previous key used after the current key (or in the same second): stale, the relay still sends with it", () => {
    const v = judgeRegion("us-east-1", input(ses(at(2)), ses(at(3)), at(9)));
    expect(v.kind).toBe("stale");
    expect(v.why).toBe(`the previous key was used by SES in us-east-1 at ${at(3).toISOString()}, at or after the current key's use by SES in us-east-1 at ${at(2).toISOString()}: a relay in us-east-1 still sends with the previous key`);
    expect(judgeRegion("us-east-1", input(ses(at(2)), ses(at(2)), at(9))).kind).toBe("stale");
    expect(judgeRegion("us-east-1", input(ses(at(2)), ses(new Date(at(2).getTime() - 1000)), at(9))).kind).toBe("moved");
  });

  it("the rotation second: a previous-key SES use in the same second as the rotation counts as after it; a second earlier does not", () => {
    expect(judgeRegion("us-east-1", input({}, ses(C), at(1))).kind).toBe("stale");
    expect(judgeRegion("us-east-1", input({}, ses(new Date(C.getTime() - 1000)), at(1))).kind).toBe("unconfirmed");
  });

  it("region filter: evidence in one region says nothing about another; a previous-key use elsewhere is not stale here", () => {
    // The current key seen in us-east-1; the previous key used after the rotation in us-west-2, before that.
    const i = input(ses(at(2), "us-east-1"), ses(at(1), "us-west-2"), at(9));
    expect(judgeRegion("us-east-1", i).kind).toBe("moved");
    expect(judgeRegion("us-west-2", i)).toMatchObject({ kind: "stale", why: expect.stringContaining("a relay in us-west-2 still sends with the previous key") });
    // No current-key use anywhere, the previous key used after the rotation in us-west-2: stale there only.
    const westOnly = input({}, ses(at(1), "us-west-2"), at(9));
    expect(judgeRegion("us-west-2", westOnly).kind).toBe("stale");
    expect(judgeRegion("us-east-1", westOnly).kind).toBe("unconfirmed");
    // The previous key's later use in another region hides any use here: not stale, not moved.
    const hidden = judgeRegion("us-east-1", input(ses(at(2), "us-east-1"), ses(at(3), "us-west-2"), at(9)));
    expect(hidden.kind).toBe("unconfirmed");
    expect(hidden.why).toContain("is later and hides any use in us-east-1 after it");
  });

  it("another service's use is not an SES login: the current key used by iam proves nothing; a later iam use of the previous key hides SES uses", () => {
    expect(judgeRegion("us-east-1", input({ lastUsedDate: at(2).toISOString(), serviceName: "iam", region: "us-east-1" }, undefined, at(9)))).toMatchObject({ kind: "unconfirmed", why: expect.stringContaining("by iam") });
    expect(judgeRegion("us-east-1", input(ses(at(2)), { lastUsedDate: at(3).toISOString(), serviceName: "iam", region: "us-east-1" }, at(9))).kind).toBe("unconfirmed");
  });

  it("one key, two regions: one read confirms at most the region in the record; carried evidence confirms the other while nothing contradicts it", () => {
    const first = input(ses(at(2), "us-west-2"), ses(at(-25)), at(7));
    expect(judgeRegion("us-west-2", first).kind).toBe("moved");
    expect(judgeRegion("us-east-1", first)).toMatchObject({ kind: "unconfirmed", why: expect.stringContaining("the record keeps one region, so this read cannot show us-east-1") });
    // Later: the probe from us-east-1 overwrote the record; us-west-2 is carried (--relay-seen us-west-2=...).
    const carried = new Map([["us-west-2", at(2)]]);
    const second = input(ses(at(8), "us-east-1"), ses(at(-25)), at(13), { carried });
    expect(judgeRegion("us-east-1", second).kind).toBe("moved");
    expect(judgeRegion("us-west-2", second)).toMatchObject({ kind: "moved", carried: true });
    // A previous-key use after the carried time undoes it.
    expect(judgeRegion("us-west-2", input(ses(at(8), "us-east-1"), ses(at(3), "us-west-2"), at(13), { carried })).kind).toBe("stale");
    // A carried time later than the current key's last use is impossible: ignored.
    expect(judgeRegion("us-west-2", input(ses(at(1), "us-east-1"), ses(at(-25)), at(13), { carried })).kind).toBe("unconfirmed");
  });

  it("undeclaredUse: a previous-key SES use after the rotation in a region no sender uses", () => {
    expect(undeclaredUse(input({}, ses(at(1), "eu-west-1"), at(2)), ["us-east-1"])).toMatchObject({ region: "eu-west-1" });
    expect(undeclaredUse(input({}, ses(at(1), "us-east-1"), at(2)), ["us-east-1"])).toBeUndefined();
    expect(undeclaredUse(input({}, ses(at(-1), "eu-west-1"), at(2)), ["us-east-1"])).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// relay.retire over every declared sender's region
// ---------------------------------------------------------------------------------------

const CUR = "AKIAEXAMPLECURRENT01";
const PREV = "AKIAEXAMPLEPREVIOUS1";

function manifest(senders: { address: string; region: string; kind?: "gmail-send-as" | "smtp-client"; account?: string }[], state: "active" | "inactive" = "active"): Manifest {
  return {
    stack: "prod",
    smtp: { user: "mail-infra-smtp-prod", accessKeyId: CUR, keyGeneration: 2, previousKey: { generation: 1, accessKeyId: PREV, state } },
    senders: senders.map((s) => ({ kind: "gmail-send-as" as const, account: "someone@gmail.com", ...s, smtpEndpoint: `email-smtp.${s.region}.amazonaws.com` })),
  } as unknown as Manifest;
}

function retire(m: Manifest, current: KeyLastUsed, previous: KeyLastUsed, now: Date, carried?: ReadonlyMap<string, Date>) {
  const obs = {
    accessKeys: observed([
      { id: CUR, status: "Active", createDate: C.toISOString() },
      { id: PREV, status: "Active", createDate: "2025-01-01T00:00:00.000Z" },
    ]),
    lastUsed: new Map([
      [CUR, observed(current)],
      [PREV, observed(previous)],
    ]),
  };
  const fs = checkRetire(m, obs, [], now, carried ? { carried } : {});
  expect(fs).toHaveLength(1);
  return fs[0];
}

describe("relay.retire: safe only on positive evidence for every declared sender's region", () => {
  const one = manifest([{ address: "admin@example.com", region: "us-east-1" }]);

  it("the incident (key 2 an hour old, never used; key 1 last used by SES 25 h ago): not enough evidence, inconclusive, exit 1, with the probe", () => {
    const f = retire(one, {}, ses(at(-25)), at(1));
    expect(f.status).toBe("inconclusive");
    expect(exitCodeFor([f])).toBe(1);
    expect(f.summary).toBe("not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (admin@example.com)");
    expect(f.remediation).toBe(
      "Produce the evidence: send one probe message from each unconfirmed sender, then re-run `npm run verify -- --stack prod --only relay` at least 4 hours later. " +
        "admin@example.com (us-east-1): in Gmail (someone@gmail.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it. Do not deactivate or retire the previous key yet.",
    );
    expect(f.evidence).toEqual([
      `rotation: current key ${CUR} (generation 2) created ${C.toISOString()}`,
      `read at ${at(1).toISOString()}: previous key ${PREV} last used ${at(-25).toISOString()} by ses in us-east-1 (IAM status Active; stack config: active)`,
      `read at ${at(1).toISOString()}: current key ${CUR} never used`,
      "us-east-1 (admin@example.com): not confirmed: no SES use of the current key in us-east-1 is on record: the current key has no recorded use at all",
      LAST_USED_CAVEAT,
    ]);
  });

  it("the relay demonstrably moved (key 2 used by SES in the sender's region after the rotation, key 1 quiet since): safe, naming what was seen", () => {
    const f = retire(one, ses(at(2)), ses(at(-25)), at(7));
    expect(f.status).toBe("pass");
    expect(f.summary).toBe(
      "safe to deactivate the previous key: in us-east-1 (admin@example.com) the current key was used by SES after the rotation and the previous key not since. Next: set mail-infra:smtpPreviousKey to inactive and run `pulumi up` (reversible), send the probe from each sender again (a bounce means a relay still held the previous key: set it back to active), re-run verify, then set it to retired.",
    );
    expect(retire(manifest([{ address: "admin@example.com", region: "us-east-1" }], "inactive"), ses(at(2)), ses(at(-25)), at(7)).summary).toMatch(/^safe to retire the previous key: .* Next: set mail-infra:smtpPreviousKey to retired/);
  });

  it("the lag: a probe seen 1 h ago is not enough; the remediation says when to look again", () => {
    const f = retire(one, ses(at(2)), ses(at(-25)), at(3));
    expect(f.status).toBe("inconclusive");
    expect(f.remediation).toMatch(new RegExp(`^Wait: re-run \`npm run verify -- --stack prod --only relay\` after ${at(6).toISOString().replace(/\./g, "\\.")} `));
  });

  it("the previous key used after the current key: fails, naming the senders there", () => {
    const f = retire(one, ses(at(2)), ses(at(3)), at(9));
    expect(f.status).toBe("fail");
    expect(f.summary).toMatch(/^not yet: the previous key was used by SES in us-east-1 at .*a relay in us-east-1 still sends with the previous key \(senders there: admin@example\.com\)$/);
    expect(f.remediation).toContain("`npm run relay-fix -- --stack prod --sender admin@example.com`");
    expect(f.remediation).toContain("Do not deactivate or retire the previous key yet.");
  });

  it("an undeclared relay: the previous key used after the rotation in a region no sender declares", () => {
    const f = retire(one, ses(at(2)), ses(at(1), "eu-west-1"), at(9));
    expect(f.status).toBe("fail");
    expect(f.summary).toContain("where no declared sender sends: an undeclared relay holds it");
  });

  it("two senders in two regions sharing the key: one read confirms one region; the other is named with the probe, and the confirmed one is carried", () => {
    const two = manifest([
      { address: "admin@example.com", region: "us-east-1" },
      { address: "app@example.com", region: "us-west-2", kind: "smtp-client" },
    ]);
    const f = retire(two, ses(at(2), "us-west-2"), ses(at(-25)), at(7));
    expect(f.status).toBe("inconclusive");
    expect(f.summary).toBe("not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (admin@example.com); confirmed us-west-2");
    expect(f.remediation).toContain("one region at a time (the record keeps only the last region)");
    expect(f.remediation).toContain(`add --relay-seen us-west-2=${at(2).toISOString()} to the next verify`);
    expect(f.remediation).not.toContain("app@example.com (us-west-2)");
    // Next read, after the probe from us-east-1, with the carried evidence: safe.
    const g = retire(two, ses(at(8), "us-east-1"), ses(at(-25)), at(13), new Map([["us-west-2", at(2)]]));
    expect(g.status).toBe("pass");
    expect(g.evidence).toContain(
      `us-west-2 (app@example.com): moved: the current key was used by SES in us-west-2 at ${at(2).toISOString()} (carried from an earlier verify with --relay-seen), after the rotation (${C.toISOString()}); the previous key's last use (ses in us-east-1 at ${at(-25).toISOString()}) is before it, and the read (${at(13).toISOString()}) is at least 4 h later`,
    );
    // Without the carried evidence the second read alone cannot say it.
    expect(retire(two, ses(at(8), "us-east-1"), ses(at(-25)), at(13)).status).toBe("inconclusive");
  });

  it("no quiet period: a previous key unseen for weeks is still not enough without the current key's use", () => {
    expect(retire(one, {}, ses(at(-24 * 30)), at(24 * 30)).status).toBe("inconclusive");
    expect(retire(one, {}, {}, at(24 * 30)).status).toBe("inconclusive");
  });
});
