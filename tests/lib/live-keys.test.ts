/**
 * liveKeyIssues (lib/rotation.ts): the access keys IAM holds against the ones the last deployment
 * records, with hand-built inputs (pure). How the program asks IAM, under mocks, is
 * tests/live-keys.test.ts.
 */
import { describe, expect, it } from "vitest";
import { type DeployedKeys, liveKeyIssues, type LiveAccessKey } from "../../lib/rotation";

const K1 = "AKIAEXAMPLEKEYGEN001";
const K2 = "AKIAEXAMPLEKEYGEN002";
const CONSOLE = "AKIACONSOLEMADE00001";
const live = (...ids: string[]): LiveAccessKey[] => ids.map((accessKeyId) => ({ accessKeyId, status: "Active", createDate: "2026-05-01T09:00:00Z" }));
const user = "mail-infra-smtp-prod";
const gen1: DeployedKeys = { user, keyGeneration: 1, accessKeyId: K1 };
const want = (keyGeneration: number, extra: { previousKey?: "active" | "inactive" | "retired"; unrecordedKeyId?: string } = {}) => ({ userName: user, keyGeneration, ...extra });

describe("liveKeyIssues (pure)", () => {
  it("IAM holding exactly the recorded keys: every step accepted; a first deployment is never checked", () => {
    expect(liveKeyIssues(gen1, want(1), live(K1))).toEqual([]);
    expect(liveKeyIssues(gen1, want(2), live(K1))).toEqual([]);
    expect(liveKeyIssues({ user, keyGeneration: 2, accessKeyId: K2, previousKey: { generation: 1, state: "active", accessKeyId: K1 } }, want(2, { previousKey: "inactive" }), live(K1, K2))).toEqual([]);
    expect(liveKeyIssues(undefined, want(1), live(K1, CONSOLE))).toEqual([]);
  });

  it("a key made in the console refuses the rotation at preview, with the commands that show and remove it", () => {
    const [issue, ...rest] = liveKeyIssues(gen1, want(2), live(K1, CONSOLE));
    expect(rest).toEqual([]);
    expect(issue.key).toBe("smtpKeyGeneration");
    expect(issue.message).toContain(`the SMTP user ${user} has an access key ${CONSOLE} (Active, created 2026-05-01T09:00:00Z) that the stack does not record (the last recorded deployment names ${K1})`);
    expect(issue.message).toContain("Rotating now would create a third key: IAM allows two per user, so CreateAccessKey would fail half-way through the update.");
    expect(issue.message).toContain(`\`aws iam list-access-keys --user-name ${user}\``);
    expect(issue.message).toContain(`\`aws iam get-access-key-last-used --access-key-id ${CONSOLE}\``);
    expect(issue.message).toContain(`\`aws iam delete-access-key --user-name ${user} --access-key-id ${CONSOLE}\``);
    // Without a rotation the same key is still refused (it may be a failed run's key), without the third-key sentence.
    const [same] = liveKeyIssues(gen1, want(1), live(K1, CONSOLE));
    expect(same.message).not.toContain("third key");
  });

  it("a failed rotation whose outputs were not recorded: lowering back is refused; finishing it is accepted once the key is named", () => {
    // Generation 2's `up` created K2 (and maybe wrote its password to the secret), then failed: outputs still say generation 1.
    const lowered = liveKeyIssues(gen1, want(1), live(K1, K2));
    expect(lowered.map((i) => i.key)).toEqual(["smtpKeyGeneration"]);
    expect(lowered[0].message).toContain("never lower the generation then, the secret may already hold its password");
    expect(lowered[0].message).toContain(`Set mail-infra:smtpKeyGeneration to 2 and mail-infra:smtpUnrecordedKeyId to ${K2}`);
    // Retrying generation 2 without naming it: still refused (it could be a console key: a third key).
    expect(liveKeyIssues(gen1, want(2), live(K1, K2)).map((i) => i.key)).toEqual(["smtpKeyGeneration"]);
    expect(liveKeyIssues(gen1, want(2, { unrecordedKeyId: K2 }), live(K1, K2))).toEqual([]);
    // Named, but with the generation left at 1: the engine would delete it.
    const named = liveKeyIssues(gen1, want(1, { unrecordedKeyId: K2 }), live(K1, K2));
    expect(named.map((i) => i.key)).toEqual(["smtpUnrecordedKeyId"]);
    expect(named[0].message).toMatch(/^names AKIAEXAMPLEKEYGEN002, a key a failed `pulumi up` created, but mail-infra:smtpKeyGeneration is 1: only finishing that rotation keeps it/);
    // Named but not in IAM.
    expect(liveKeyIssues(gen1, want(2, { unrecordedKeyId: K2 }), live(K1)).map((i) => i.key)).toEqual(["smtpUnrecordedKeyId"]);
    // Once a successful up recorded it, a leftover setting is harmless.
    expect(liveKeyIssues({ user, keyGeneration: 2, accessKeyId: K2, previousKey: { generation: 1, state: "active", accessKeyId: K1 } }, want(2, { unrecordedKeyId: K2 }), live(K1, K2))).toEqual([]);
  });

  it("a key recorded as retired that IAM still has (the end-of-run delete failed): same generation accepted, rotation refused", () => {
    const retired: DeployedKeys = { user, keyGeneration: 2, accessKeyId: K2, previousKey: { generation: 1, state: "retired", accessKeyId: K1 } };
    expect(liveKeyIssues(retired, want(2, { previousKey: "retired" }), live(K1, K2))).toEqual([]);
    const [issue] = liveKeyIssues(retired, want(3), live(K1, K2));
    expect(issue.message).toMatch(/^raises the generation to 3, but key 1 AKIAEXAMPLEKEYGEN001 \(Active, created .*\), recorded as retired, still exists/);
    expect(issue.message).toContain("Keep mail-infra:smtpKeyGeneration at 2 with mail-infra:smtpPreviousKey retired and run `pulumi up`");
    expect(liveKeyIssues(retired, want(3), live(K2))).toEqual([]);
  });
});

describe("a deactivation the outputs record but IAM does not show", () => {
  it("retiring a previous key recorded inactive but Active in IAM is refused; Inactive in IAM is accepted", () => {
    const inactive: DeployedKeys = { user, keyGeneration: 2, accessKeyId: K2, previousKey: { generation: 1, state: "inactive", accessKeyId: K1 } };
    const [issue, ...rest] = liveKeyIssues(inactive, want(2, { previousKey: "retired" }), live(K1, K2));
    expect(rest).toEqual([]);
    expect(issue.key).toBe("smtpPreviousKey");
    expect(issue.message).toMatch(/^is retired, but key 1 AKIAEXAMPLEKEYGEN001 \(Active, created .*\) is Active in IAM although the last deployment records it as inactive/);
    expect(liveKeyIssues(inactive, want(2, { previousKey: "retired" }), [{ accessKeyId: K1, status: "Inactive" }, ...live(K2)])).toEqual([]);
    // Staying inactive (re-running the deactivation) is what fixes it: accepted.
    expect(liveKeyIssues(inactive, want(2, { previousKey: "inactive" }), live(K1, K2))).toEqual([]);
  });
});
