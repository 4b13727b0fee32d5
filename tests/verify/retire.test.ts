/**
 * relay.retire (scripts/verify/layers/relay/check.ts checkRetire) where key-evidence.test.ts does not look: the
 * guards before the evidence rule (no previous key, keys unreadable, a key gone, a current key
 * without a creation date, last-used records missing or unreadable), what the finding carries
 * besides the verdict (inactive previous key, verify's own logins, Gmail evidence, an
 * undeclared use in an unknown region), and which remediation an open region gets (wait, or
 * produce the evidence). Each block answers a mutant that survived `npm run test:mutation --
 * scripts/verify/layers/relay/check.ts:127-222`. Expected texts are written out here.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { finding, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import { LAST_USED_CAVEAT } from "../../lib/verify/key-evidence";
import { checkRetire } from "../../scripts/verify/layers/relay/check";
import type { AccessKeyState, KeyLastUsed } from "../../scripts/verify/layers/smtp/check";

const HOUR = 3_600_000;
const C = new Date("2026-11-29T11:00:00.000Z");
const at = (h: number) => new Date(C.getTime() + h * HOUR);
const ses = (d: Date, region = "us-east-1"): KeyLastUsed => ({ lastUsedDate: d.toISOString(), serviceName: "ses", region });
const CUR = "AKIAEXAMPLECURRENT01";
const PREV = "AKIAEXAMPLEPREVIOUS1";
const USER = "mail-infra-smtp-prod";

type Prev = { generation: number; accessKeyId?: string; state: "active" | "inactive" | "retired" } | undefined;
function manifest(prev: Prev, senders: { address: string; region: string }[] = [{ address: "admin@example.com", region: "us-east-1" }]): Manifest {
  return {
    stack: "prod",
    smtp: { user: USER, accessKeyId: CUR, keyGeneration: 2, ...(prev ? { previousKey: prev } : {}) },
    senders: senders.map((s) => ({ kind: "gmail-send-as" as const, account: "someone@gmail.com", ...s, smtpEndpoint: `email-smtp.${s.region}.amazonaws.com` })),
  } as unknown as Manifest;
}
const ACTIVE: Prev = { generation: 1, accessKeyId: PREV, state: "active" };
const KEYS: AccessKeyState[] = [
  { id: CUR, status: "Active", createDate: C.toISOString() },
  { id: PREV, status: "Active", createDate: "2025-01-01T00:00:00.000Z" },
] as AccessKeyState[];
const down: Unobservable = { ok: false, reason: "denied", message: "iam:ListAccessKeys denied", needs: "Allow iam:ListAccessKeys." };

function obs(keys: Observation<AccessKeyState[]> = observed(KEYS), used: [string, Observation<KeyLastUsed>][] = [[CUR, observed(ses(at(2)))], [PREV, observed(ses(at(-25)))]]) {
  return { accessKeys: keys, lastUsed: new Map(used) };
}
const one = (fs: ReturnType<typeof checkRetire>) => {
  expect(fs).toHaveLength(1);
  return fs[0]!;
};

describe("relay.retire: nothing to say without a previous key", () => {
  it("no previous key, or one already retired: no finding", () => {
    expect(checkRetire(manifest(undefined), obs(), [], at(7))).toEqual([]);
    expect(checkRetire(manifest({ generation: 1, accessKeyId: PREV, state: "retired" }), obs(), [], at(7))).toEqual([]);
  });
});

describe("relay.retire: the guards before the evidence rule", () => {
  it("the user's keys unreadable: inconclusive, passing the reason and its fix on", () => {
    const f = one(checkRetire(manifest(ACTIVE), obs(down), [], at(7)));
    expect(f).toMatchObject({ layer: "relay", id: "relay.retire", subject: `previous key ${PREV} of ${USER}`, status: "inconclusive", remediation: "Allow iam:ListAccessKeys." });
    expect(f.summary).toBe("could not check when the rotation happened (the user's access keys): iam:ListAccessKeys denied");
  });

  it("the subject names the generation when the manifest has no previous key id and no other key exists", () => {
    const f = one(checkRetire(manifest({ generation: 1, state: "active" }), obs(observed([KEYS[0]!])), [], at(7)));
    expect(f.subject).toBe(`previous key (generation 1) of ${USER}`);
  });

  it("the previous key is no longer a key of the user: warn, not needed, with the keys seen", () => {
    const f = one(checkRetire(manifest(ACTIVE), obs(observed([KEYS[0]!])), [], at(7)));
    expect(f.status).toBe("warn");
    expect(f.summary).toBe(`not needed: the previous key (generation 1) is no longer an access key of ${USER}`);
    expect(f.evidence).toEqual([`keys of ${USER}: ${CUR} (Active)`, "manifest: previous key active"]);
    expect(f.remediation).toBe("Set mail-infra:smtpPreviousKey to retired and run `pulumi up`, so the stack stops declaring a key that is gone.");
  });

  it("the current key missing, or without a creation date: the rotation time is unknown, inconclusive", () => {
    const missing = one(checkRetire(manifest(ACTIVE), obs(observed([KEYS[1]!])), [], at(7)));
    expect(missing.status).toBe("inconclusive");
    expect(missing.summary).toBe(`could not check when the rotation happened: the current key ${CUR} is not an access key of ${USER}, so the rotation time is unknown`);
    expect(missing.remediation).toBe("Fix the smtp.key check first.");
    const undated = one(checkRetire(manifest(ACTIVE), obs(observed([{ id: CUR, status: "Active" } as AccessKeyState, KEYS[1]!])), [], at(7)));
    expect(undated.summary).toBe(`could not check when the rotation happened: the current key ${CUR} has no creation date, so the rotation time is unknown`);
  });

  it("a last-used record not read or unreadable, previous or current: inconclusive, naming which", () => {
    const noPrev = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[CUR, observed(ses(at(2)))]]), [], at(7)));
    expect(noPrev).toMatchObject({ status: "inconclusive", summary: "could not check the previous key's last use: not read" });
    const prevDown = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[CUR, observed(ses(at(2)))], [PREV, down]]), [], at(7)));
    expect(prevDown).toMatchObject({ status: "inconclusive", summary: "could not check the previous key's last use: iam:ListAccessKeys denied", remediation: "Allow iam:ListAccessKeys." });
    const noCur = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[PREV, observed(ses(at(-25)))]]), [], at(7)));
    expect(noCur).toMatchObject({ status: "inconclusive", summary: "could not check the current key's last use: not read" });
    const curDown = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[PREV, observed(ses(at(-25)))], [CUR, down]]), [], at(7)));
    expect(curDown).toMatchObject({ status: "inconclusive", summary: "could not check the current key's last use: iam:ListAccessKeys denied" });
  });
});

describe("relay.retire: what the finding carries", () => {
  it("an inactive previous key still used: the relays fail now, and the fix says how to let mail flow meanwhile", () => {
    const f = one(checkRetire(manifest({ ...ACTIVE, state: "inactive" }), obs(observed(KEYS), [[CUR, observed(ses(at(2)))], [PREV, observed(ses(at(3)))]]), [], at(9)));
    expect(f.status).toBe("fail");
    expect(f.remediation).toBe(
      "Give each of these relays the current key's credentials (`npm run relay-fix -- --stack prod --sender admin@example.com`), send the probe from each, then re-run verify. The key is inactive, so those relays fail now: set mail-infra:smtpPreviousKey back to active if mail must flow while you fix them.",
    );
    expect(f.evidence).toContain(`read at ${at(9).toISOString()}: previous key ${PREV} last used ${at(3).toISOString()} by ses in us-east-1 (IAM status Active; stack config: inactive)`);
  });

  it("an undeclared use in no known region: 'an unknown region', and the fix asks to find and declare that relay", () => {
    const f = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[CUR, observed(ses(at(2)))], [PREV, observed({ lastUsedDate: at(1).toISOString(), serviceName: "ses" })]]), [], at(9)));
    expect(f.status).toBe("fail");
    expect(f.summary).toContain(`the previous key was used by SES in an unknown region at ${at(1).toISOString()}, after the rotation`);
    expect(f.remediation).toMatch(/^Give each of these relays the current key's credentials \(find the relay sending through that region and declare it in mail-infra:senders\)/);
  });

  it("verify's own logins, earlier and in this run, and the Gmail aliases' findings are in the evidence, after the per-region lines", () => {
    const gmail = [finding("relay", "relay.gmail.alias", "admin@example.com", "pass", "points at SES")];
    const f = one(
      checkRetire(manifest(ACTIVE), obs(), gmail, at(7), {
        ownLogins: new Map([["us-east-1", at(-1)]]),
        loginsThisRun: new Map([["us-east-1", at(7)]]),
      }),
    );
    const ev = f.evidence;
    const region = ev.findIndex((l) => l.startsWith("us-east-1 (admin@example.com): "));
    expect(region).toBe(3);
    expect(ev[4]).toMatch(new RegExp(`^verify's own login in us-east-1 at ${at(-1).toISOString().replace(/\./g, "\\.")} \\(--smtp-login-at\\)`));
    expect(ev[5]).toMatch(new RegExp(`^verify itself logged in with the current key in us-east-1 at ${at(7).toISOString().replace(/\./g, "\\.")} \\(--smtp-auth-during-rotation\\)`));
    expect(ev[6]).toBe(LAST_USED_CAVEAT);
    expect(ev[7]).toBe("gmail alias admin@example.com: pass (points at SES)");
  });
});

describe("relay.retire: the remediation of open regions", () => {
  const two = manifest(ACTIVE, [
    { address: "admin@example.com", region: "us-east-1" },
    { address: "app@example.com", region: "us-west-2" },
  ]);

  it("every open region only waits for the lag: wait until the latest of them", () => {
    // One key, one record: seen in us-east-1 1 h ago; us-west-2 cannot be shown by this read, so not every open region waits.
    const f = one(checkRetire(two, obs(observed(KEYS), [[CUR, observed(ses(at(2)))], [PREV, observed(ses(at(-25)))]]), [], at(3)));
    expect(f.status).toBe("inconclusive");
    expect(f.remediation).toMatch(/^Produce the evidence: send one probe message from each unconfirmed sender, one region at a time \(the record keeps only the last region\), then re-run/);
    // Both regions seen recently (us-west-2 carried from an earlier read): both wait; the later moment wins.
    const carried = new Map([["us-west-2", at(1.5)]]);
    const g = one(checkRetire(two, obs(observed(KEYS), [[CUR, observed(ses(at(2)))], [PREV, observed(ses(at(-25)))]]), [], at(3), { carried }));
    expect(g.status).toBe("inconclusive");
    expect(g.remediation).toMatch(new RegExp(`^Wait: re-run \`npm run verify -- --stack prod --only relay\` after ${at(6).toISOString().replace(/\./g, "\\.")} `));
  });

  it("the summary names the open regions with their senders; a single sender's probe is not 'one region at a time'", () => {
    const f = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[CUR, observed({})], [PREV, observed(ses(at(-25)))]]), [], at(7)));
    expect(f.summary).toBe("not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (admin@example.com)");
    expect(f.remediation).not.toContain("one region at a time");
    expect(f.remediation).toContain("Do not deactivate or retire the previous key yet.");
  });
});

describe("relay.retire: edges of the verdict", () => {
  it("no declared sender: never safe (no region gave evidence), and the finding is the relay layer's", () => {
    const f = one(checkRetire(manifest(ACTIVE, []), obs(), [], at(7)));
    expect(f.status).not.toBe("pass");
    expect(f.layer).toBe("relay");
  });

  it("lagMs: a shorter lag confirms a younger use; the default (4 h) does not", () => {
    const read = at(3);
    expect(one(checkRetire(manifest(ACTIVE), obs(), [], read)).status).toBe("inconclusive");
    expect(one(checkRetire(manifest(ACTIVE), obs(), [], read, { lagMs: HOUR })).status).toBe("pass");
  });

  it("two senders in the stale region: senders joined with ', ', one relay-fix each", () => {
    const four = manifest(ACTIVE, [
      { address: "a@example.com", region: "us-east-1" },
      { address: "b@example.com", region: "us-east-1" },
      { address: "c@example.com", region: "us-west-2" },
    ]);
    // The previous key used after the rotation in us-east-1, the current key never: stale there; us-west-2 open.
    const f = one(checkRetire(four, obs(observed(KEYS), [[CUR, observed({})], [PREV, observed(ses(at(1)))]]), [], at(9)));
    expect(f).toMatchObject({ layer: "relay", status: "fail" });
    expect(f.summary).toMatch(/\(senders there: a@example\.com, b@example\.com\)$/);
    expect(f.remediation).toContain("(`npm run relay-fix -- --stack prod --sender a@example.com`, `npm run relay-fix -- --stack prod --sender b@example.com`)");
    expect(f.evidence.filter((l) => l.startsWith("us-east-1 (a@example.com, b@example.com): still on the previous key: "))).toHaveLength(1);
  });

  it("pass and inconclusive are the relay layer's; an inactive key's open regions say 'retire', not 'deactivate'", () => {
    expect(one(checkRetire(manifest(ACTIVE), obs(), [], at(7))).layer).toBe("relay");
    const f = one(checkRetire(manifest({ ...ACTIVE, state: "inactive" }), obs(observed(KEYS), [[CUR, observed({})], [PREV, observed(ses(at(-25)))]]), [], at(7)));
    expect(f).toMatchObject({ layer: "relay", status: "inconclusive" });
    expect(f.summary).toBe("not enough evidence yet to retire the previous key: not confirmed us-east-1 (admin@example.com)");
  });
});

describe("relay.retire: the finding's parts, one by one (survivors of the second mutation run)", () => {
  it("the guards' findings are the relay layer's and say what failed (reason 'error' when nothing was read)", () => {
    const gone = one(checkRetire(manifest(ACTIVE), obs(observed([KEYS[0]!, { id: "AKIAEXAMPLEOTHERKEY1", status: "Inactive" } as AccessKeyState])), [], at(7)));
    expect(gone).toMatchObject({ layer: "relay", status: "warn" });
    expect(gone.evidence[0]).toBe(`keys of ${USER}: ${CUR} (Active), AKIAEXAMPLEOTHERKEY1 (Inactive)`);
    const none = one(checkRetire(manifest(ACTIVE), obs(observed([])), [], at(7)));
    expect(none.evidence[0]).toBe(`keys of ${USER}: none`);
    const undated = one(checkRetire(manifest(ACTIVE), obs(observed([{ id: CUR, status: "Active" } as AccessKeyState, KEYS[1]!])), [], at(7)));
    expect(undated).toMatchObject({ layer: "relay", evidence: [`error: the current key ${CUR} has no creation date, so the rotation time is unknown`] });
    const noPrev = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[CUR, observed(ses(at(2)))]]), [], at(7)));
    expect(noPrev).toMatchObject({ layer: "relay", evidence: ["error: not read"] });
    const noCur = one(checkRetire(manifest(ACTIVE), obs(observed(KEYS), [[PREV, observed(ses(at(-25)))]]), [], at(7)));
    expect(noCur).toMatchObject({ layer: "relay", evidence: ["error: not read"] });
  });

  it("verify's own login reaches the evidence rule: a current-key use at that moment is not a relay's", () => {
    const f = one(checkRetire(manifest(ACTIVE), obs(), [], at(7), { ownLogins: new Map([["us-east-1", at(2)]]) }));
    expect(f.status).toBe("inconclusive");
    expect(one(checkRetire(manifest(ACTIVE), obs(), [], at(7))).status).toBe("pass");
  });

  const three = manifest(ACTIVE, [
    { address: "a@example.com", region: "us-east-1" },
    { address: "b@example.com", region: "us-west-2" },
    { address: "c@example.com", region: "eu-west-1" },
  ]);

  it("several regions: the pass names each with ', '; open regions and their probes are listed with ', ' and '; '", () => {
    const carried = new Map([["us-west-2", at(1.5)], ["eu-west-1", at(1.8)]]);
    const pass = one(checkRetire(three, obs(), [], at(7), { carried }));
    expect(pass.status).toBe("pass");
    expect(pass.summary).toMatch(/^safe to deactivate the previous key: in us-east-1 \(a@example\.com\), us-west-2 \(b@example\.com\), eu-west-1 \(c@example\.com\) the current key/);
    const open = one(checkRetire(three, obs(observed(KEYS), [[CUR, observed({})], [PREV, observed(ses(at(-25)))]]), [], at(7)));
    expect(open.summary).toBe("not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (a@example.com), us-west-2 (b@example.com), eu-west-1 (c@example.com)");
    expect(open.remediation).toContain("compose a message From a@example.com To success@simulator.amazonses.com and send it; b@example.com (us-west-2): ");
  });

  it("two regions confirmed and one open: both carried forward, separated by a space", () => {
    // The record shows us-west-2 (read 5 h later: moved); eu-west-1 carried; us-east-1 open.
    const f = one(checkRetire(three, obs(observed(KEYS), [[CUR, observed(ses(at(2), "us-west-2"))], [PREV, observed(ses(at(-25)))]]), [], at(7), { carried: new Map([["eu-west-1", at(1.8)]]) }));
    expect(f.status).toBe("inconclusive");
    expect(f.summary).toBe("not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (a@example.com); confirmed us-west-2, eu-west-1");
    expect(f.remediation).toContain(`add --relay-seen us-west-2=${at(2).toISOString()} --relay-seen eu-west-1=${at(1.8).toISOString()} to the next verify`);
  });
});
