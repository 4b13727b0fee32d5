/**
 * The edges of the positive-evidence rule (lib/verify/key-evidence.ts) that the scenarios in
 * tests/verify/key-evidence.test.ts do not reach, found untested by mutation testing
 * (docs/mutation-testing.md): judgeRegion's reasons, the second-precise boundaries of the
 * rotation and of carried evidence, verify's own login, and the probe step per sender kind.
 */
import { describe, expect, it } from "vitest";
import { type EvidenceInput, isOwnLogin, judgeRegion, type KeyLastUsed, LAST_USED_CAVEAT, OWN_LOGIN_MARGIN_MS, ownLoginNote, probeStep, undeclaredUse, useOf } from "../../lib/verify/key-evidence";

const HOUR = 3_600_000;
const C = new Date("2026-11-29T11:00:00.000Z");
const at = (hoursAfterRotation: number) => new Date(C.getTime() + hoursAfterRotation * HOUR);
const ses = (d: Date, region = "us-east-1"): KeyLastUsed => ({ lastUsedDate: d.toISOString(), serviceName: "ses", region });
const input = (current: KeyLastUsed, previous: KeyLastUsed | undefined, readAt: Date, extra: Partial<EvidenceInput> = {}): EvidenceInput => ({ rotatedAt: C, current, ...(previous ? { previous } : {}), readAt, ...extra });
const whyOf = (current: KeyLastUsed) => judgeRegion("us-east-1", { rotatedAt: C, current, readAt: at(6) });

describe("judgeRegion: why the current key's last use is not evidence", () => {
  it("a use recorded before the key's own creation (a clock or a record to distrust)", () => {
    expect(whyOf({ lastUsedDate: at(-1).toISOString(), serviceName: "ses", region: "us-east-1" })).toEqual({
      kind: "unconfirmed",
      region: "us-east-1",
      why: `no SES use of the current key in us-east-1 is on record: the current key's last SES use in us-east-1 at ${at(-1).toISOString()} is before its own creation (${C.toISOString()})`,
    });
  });
  it("a record without the service or the region names them as unknown", () => {
    expect(whyOf({ lastUsedDate: at(1).toISOString() }).why).toBe(
      `no SES use of the current key in us-east-1 is on record: the current key's last use is by an unknown service at ${at(1).toISOString()}, not an SES login`,
    );
    expect(whyOf({ lastUsedDate: at(1).toISOString(), serviceName: "ses" }).why).toBe(
      `no SES use of the current key in us-east-1 is on record: the current key's last use is SES in an unknown region at ${at(1).toISOString()}; the record keeps one region, so this read cannot show us-east-1`,
    );
  });
  it("a record with no date, or one that is not a date, is no use at all (IAM writes N/A for a key never used)", () => {
    expect(useOf({ serviceName: "N/A", region: "N/A" })).toBeUndefined();
    expect(useOf({ lastUsedDate: "N/A", serviceName: "ses", region: "us-east-1" })).toBeUndefined();
    expect(useOf({ lastUsedDate: "2026-11-29T13:00:00Z", serviceName: "ses", region: "us-east-1" })).toEqual({ at: new Date("2026-11-29T13:00:00.000Z"), service: "ses", region: "us-east-1" });
    expect(whyOf({ lastUsedDate: "N/A", serviceName: "ses", region: "us-east-1" }).why).toBe("no SES use of the current key in us-east-1 is on record: the current key has no recorded use at all");
  });
  it("a previous-key use by another service after the rotation is not a relay sending: unconfirmed, not stale", () => {
    expect(judgeRegion("us-east-1", input({}, { lastUsedDate: at(1).toISOString(), serviceName: "iam", region: "us-east-1" }, at(6)))).toEqual({
      kind: "unconfirmed",
      region: "us-east-1",
      why: "no SES use of the current key in us-east-1 is on record: the current key has no recorded use at all",
    });
  });
  it("a previous-key use without service or region that is later hides the current key's use, named as unknown", () => {
    expect(judgeRegion("us-east-1", input(ses(at(2)), { lastUsedDate: at(3).toISOString() }, at(9))).why).toBe(
      `the current key was used by SES in us-east-1 at ${at(2).toISOString()}, but the previous key's last use (an unknown service in an unknown region at ${at(3).toISOString()}) is later and hides any use in us-east-1 after it`,
    );
  });
});

describe("the caveat every finding on the record carries", () => {
  it("says what is assumed and not documented (an SES login updates the record, as ses, with the region), that it keeps only the last use, and the lag", () => {
    expect(LAST_USED_CAVEAT).toMatch(/^assumed, not documented by AWS: an SES SMTP login updates the key's last-used record with service "ses" and the endpoint's region; /);
    expect(LAST_USED_CAVEAT).toMatch(/the record keeps only the last use and may lag up to ~4 h$/);
  });
});

describe("judgeRegion: the boundaries, second-precise", () => {
  it("a current-key use in the same second as the rotation is after it", () => {
    expect(judgeRegion("us-east-1", input(ses(C), ses(at(-25)), at(6)))).toMatchObject({ kind: "moved", seenAt: C, carried: false });
  });
  it("a previous key that exists but was never used: moved, its last use named as none", () => {
    expect(judgeRegion("us-east-1", input(ses(at(2)), {}, at(6)))).toEqual({
      kind: "moved",
      region: "us-east-1",
      seenAt: at(2),
      carried: false,
      why: `the current key was used by SES in us-east-1 at ${at(2).toISOString()}, after the rotation (${C.toISOString()}); the previous key's last use (none) is before it, and the read (${at(6).toISOString()}) is at least 4 h later`,
    });
  });
  it("carried evidence (--relay-seen) counts from the rotation's second on, and in the same second as the current key's last use", () => {
    const judge = (seen: Date) => judgeRegion("us-west-2", input(ses(at(2), "us-east-1"), ses(at(-25)), at(9), { carried: new Map([["us-west-2", seen]]) }));
    expect(judge(C)).toMatchObject({ kind: "moved", seenAt: C, carried: true });
    expect(judge(new Date(C.getTime() - 1000)).kind).toBe("unconfirmed");
    expect(judge(at(2))).toMatchObject({ kind: "moved", seenAt: at(2), carried: true });
  });
  it("undeclaredUse: a previous-key SES use in the rotation's second counts; another service's use is no relay", () => {
    expect(undeclaredUse(input({}, ses(C, "eu-west-1"), at(2)), ["us-east-1"])).toEqual({ at: C, service: "ses", region: "eu-west-1" });
    expect(undeclaredUse(input({}, { lastUsedDate: at(1).toISOString(), serviceName: "iam", region: "eu-west-1" }, at(2)), ["us-east-1"])).toBeUndefined();
  });
});

describe("verify's own login with the current key", () => {
  const login = new Date("2026-11-29T12:00:00.000Z");
  const rotatedAt = new Date("2026-11-29T10:00:00.000Z");
  const use = (d: Date) => ({ lastUsedDate: d.toISOString(), serviceName: "ses", region: "us-east-1" });
  const readAt = new Date(login.getTime() + 5 * HOUR);
  const ownLogins = new Map([["us-east-1", login]]);

  it("isOwnLogin: within the margin (15 min) either side, in that region only", () => {
    expect(OWN_LOGIN_MARGIN_MS).toBe(15 * 60_000);
    expect(isOwnLogin("us-east-1", new Date("2026-11-29T12:15:00.000Z"), ownLogins)).toBe(true);
    expect(isOwnLogin("us-east-1", new Date("2026-11-29T11:45:00.000Z"), ownLogins)).toBe(true);
    expect(isOwnLogin("us-east-1", new Date("2026-11-29T12:15:01.000Z"), ownLogins)).toBe(false);
    expect(isOwnLogin("us-west-2", login, ownLogins)).toBe(false);
    expect(isOwnLogin("us-east-1", login, undefined)).toBe(false);
  });
  it("judgeRegion: a use (read or carried with --relay-seen) within the margin of verify's own login is not the relay's", () => {
    expect(judgeRegion("us-east-1", { rotatedAt, current: use(new Date(login.getTime() + 2_000)), previous: {}, readAt, ownLogins })).toEqual({
      kind: "unconfirmed",
      region: "us-east-1",
      why: "no SES use of the current key in us-east-1 is on record: the current key's last SES use in us-east-1 at 2026-11-29T12:00:02.000Z is within 15 min of verify's own SMTP login there (2026-11-29T12:00:00.000Z), so it is verify's, not a relay's",
    });
    expect(judgeRegion("us-east-1", { rotatedAt, current: use(new Date(login.getTime() + 2_000)), previous: {}, readAt }).kind).toBe("moved");
    expect(judgeRegion("us-east-1", { rotatedAt, current: use(login), previous: {}, readAt, ownLogins, carried: new Map([["us-east-1", login]]) }).kind).toBe("unconfirmed");
    // A region with no login of verify's is judged as before.
    expect(judgeRegion("us-west-2", { rotatedAt, current: { ...use(login), region: "us-west-2" }, previous: {}, readAt, ownLogins }).kind).toBe("moved");
    // A login far from the use does not explain it: the use is before the key's creation.
    expect(judgeRegion("us-east-1", { rotatedAt, current: use(new Date("2026-11-29T09:00:00.000Z")), previous: {}, readAt, ownLogins }).why).toBe(
      "no SES use of the current key in us-east-1 is on record: the current key's last SES use in us-east-1 at 2026-11-29T09:00:00.000Z is before its own creation (2026-11-29T10:00:00.000Z)",
    );
  });
  it("ownLoginNote: the login, the end of its margin, and for this run the flag that tells later runs", () => {
    expect(ownLoginNote("us-east-1", login, "prod", false)).toBe(
      "verify's own login in us-east-1 at 2026-11-29T12:00:00.000Z (--smtp-login-at): a current-key use within 15 min of it is not counted as a relay's; a probe sent after 2026-11-29T12:15:00.000Z is",
    );
    expect(ownLoginNote("us-east-1", login, "prod", true)).toBe(
      "verify itself logged in with the current key in us-east-1 at 2026-11-29T12:00:00.000Z (--smtp-auth-during-rotation), after reading the records above: from then on the current key's last-used record shows that login, not a relay's. " +
        "Relay evidence in us-east-1 counts only for a probe sent after 2026-11-29T12:15:00.000Z; give later runs `npm run verify -- --stack prod --smtp-login-at us-east-1=2026-11-29T12:00:00.000Z` so they do not count it",
    );
  });
});

describe("probeStep: one message to SES's mailbox simulator, sent the way the sender sends", () => {
  const gmail = { address: "admin@example.com", kind: "gmail-send-as", region: "us-east-1" };
  it("an SMTP client sends it through the relay", () => {
    expect(probeStep({ address: "app@example.com", kind: "smtp-client", region: "us-west-2" }, "prod")).toBe(
      "app@example.com (us-west-2): send one message through the relay From app@example.com To success@simulator.amazonses.com",
    );
  });
  it("a Gmail send-as address is sent from Gmail, naming the account when it is known", () => {
    expect(probeStep(gmail, "prod")).toBe("admin@example.com (us-east-1): in Gmail, compose a message From admin@example.com To success@simulator.amazonses.com and send it");
    expect(probeStep({ ...gmail, account: "someone@googlemail.com" }, "prod")).toBe(
      "admin@example.com (us-east-1): in Gmail (someone@googlemail.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it",
    );
  });
  it("a Workspace account (not @gmail.com or @googlemail.com) may let relay-fix send it", () => {
    const fix = " (or `npm run relay-fix -- --stack prod --sender admin@example.com --apply`, which sends it itself)";
    expect(probeStep({ ...gmail, account: "ops@example.com" }, "prod")).toBe(
      `admin@example.com (us-east-1): in Gmail (ops@example.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it${fix}`,
    );
    // A Workspace domain whose name only begins with gmail.com is not Gmail's.
    expect(probeStep({ ...gmail, account: "ops@gmail.company.example" }, "prod")).toContain(fix);
    expect(probeStep({ ...gmail, account: "Someone@GMail.com" }, "prod")).not.toContain("relay-fix");
  });
});
