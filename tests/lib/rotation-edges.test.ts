/**
 * lib/rotation.ts rule by rule: the keys a config declares, the last deployment as recorded,
 * each refused step with what its message must tell the user, and the live-key checks that
 * tests/lib/live-keys.test.ts leaves out. Pure, hand-built inputs (written from the mutants that
 * survived tests/lib/rotation-invariant.test.ts and tests/lib/live-keys.test.ts); the cycle as
 * `pulumi up` steps under mocks is tests/rotation.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  type DeployedKeys,
  deployedKeys,
  type DesiredKeys,
  LastDeploymentError,
  type LiveAccessKey,
  liveKeyIssues,
  planKeys,
  previousKeyState,
  type PreviousKeyState,
  rotationIssues,
} from "../../lib/rotation";

const user = "mail-infra-smtp-prod";
/** The last deployment at generation `g`, its previous key (g-1) in `state` when given. */
const at = (g: number, state?: PreviousKeyState): DeployedKeys => ({ user, keyGeneration: g, ...(state ? { previousKey: { generation: g - 1, state } } : {}) });
const want = (n: number, previousKey?: PreviousKeyState, userName = user): DesiredKeys => ({ userName, keyGeneration: n, ...(previousKey ? { previousKey } : {}) });

describe("planKeys", () => {
  it("generation 1 declares key 1 alone, whatever a previous-key state says", () => {
    expect(planKeys(want(1, "active"))).toEqual({ current: { generation: 1, status: "Active" } });
  });

  // Above generation 1 lib/config.ts always sets a state (empty means active). A caller that
  // skips the config gets the same reading: an unset state keeps key N-1 (deleting it is what
  // `retired` says, never what silence says).
  it("without a previous-key state above generation 1, key N-1 stays Active", () => {
    expect(planKeys(want(2))).toEqual({ current: { generation: 2, status: "Active" }, previous: { generation: 1, status: "Active" } });
    expect(previousKeyState({ keyGeneration: 2 })).toBe("active");
    expect(previousKeyState({ keyGeneration: 1 })).toBeUndefined();
    expect(previousKeyState({ keyGeneration: 1, previousKey: "active" })).toBeUndefined();
  });

  it("retired: only the current key", () => {
    expect(planKeys(want(2, "retired"))).toEqual({ current: { generation: 2, status: "Active" } });
  });

  it("rotationIssues reads an unset state as active too: a retired key N-1 cannot come back", () => {
    const [issue] = rotationIssues(at(3, "retired"), want(3));
    expect(issue?.key).toBe("smtpPreviousKey");
    expect(issue?.message).toMatch(/^is active, but key 2 was retired/);
  });

  it("active or inactive: key N-1 too, in that IAM status", () => {
    expect(planKeys(want(3, "active"))).toEqual({ current: { generation: 3, status: "Active" }, previous: { generation: 2, status: "Active" } });
    expect(planKeys(want(3, "inactive"))).toEqual({ current: { generation: 3, status: "Active" }, previous: { generation: 2, status: "Inactive" } });
  });
});

describe("deployedKeys reads the last `verification` output", () => {
  const smtp = { user, keyGeneration: 3, accessKeyId: "AKIAEXAMPLEKEYGEN003", previousKey: { generation: 2, state: "inactive", accessKeyId: "AKIAEXAMPLEKEYGEN002" } };
  const manifest = { domains: [{ domain: "example.com" }], smtp };
  const read = { user, keyGeneration: 3, accessKeyId: "AKIAEXAMPLEKEYGEN003", previousKey: { generation: 2, state: "inactive", accessKeyId: "AKIAEXAMPLEKEYGEN002" } };

  it("a manifest's smtp part, as an object or as JSON text", () => {
    expect(deployedKeys(manifest)).toEqual(read);
    expect(deployedKeys(JSON.stringify(manifest))).toEqual(read);
  });

  it("a manifest from before access key ids and two-phase rotation: user and generation only", () => {
    expect(deployedKeys({ domains: [], smtp: { user, keyGeneration: 2 } })).toStrictEqual({ user, keyGeneration: 2 });
  });

  it("no output (a first deployment), or a stack deployed without SMTP credentials: nothing to check against", () => {
    expect(deployedKeys(undefined)).toBeUndefined();
    expect(deployedKeys(null)).toBeUndefined();
    expect(deployedKeys({ domains: [{ domain: "example.com" }] })).toBeUndefined();
  });

  it.each([
    ["text that is not JSON", "not a manifest"],
    ["JSON null", "null"],
    ["a number", 42],
    ["a list", ["smtp"]],
    ["an object without domains or smtp", {}],
    ["an smtp part without a generation", { domains: [], smtp: { user } }],
    ["a previous key in an unknown state", { domains: [], smtp: { user, keyGeneration: 2, previousKey: { generation: 1, state: "gone" } } }],
  ])("refuses %s, saying how to look at it and restore it", (_what, verification) => {
    expect(() => deployedKeys(verification)).toThrow(LastDeploymentError);
    expect(() => deployedKeys(verification)).toThrow(
      "The stack's last `verification` output has no readable smtp.user and smtp.keyGeneration, so a key rotation cannot be checked against it. " +
        "Look at it with `pulumi stack output verification --json`; if the stack state was edited by hand, restore it (`pulumi stack import`) before deploying.",
    );
  });
});

describe("rotationIssues: each refused step and what it tells the user", () => {
  it("re-deploying the same generation is accepted, at generation 1 too", () => {
    expect(rotationIssues(at(1), want(1))).toEqual([]);
    expect(rotationIssues(at(3, "active"), want(3, "active"))).toEqual([]);
    expect(rotationIssues(at(3, "retired"), want(3, "retired"))).toEqual([]);
  });

  it("a renamed user", () => {
    const issues = rotationIssues(at(3, "retired"), want(3, "retired", "mail-infra-smtp-renamed"));
    expect(issues.map((i) => i.key)).toEqual(["smtpUserName"]);
    const [{ message }] = issues;
    expect(message).toMatch(/^the stack's SMTP user is "mail-infra-smtp-prod" \(last deployment\), but this config names "mail-infra-smtp-renamed"\. /);
    expect(message).toContain("renaming it would replace key 3 under the new name and leave the old user's key(s) active and unmanaged");
    expect(message).toContain('set mail-infra:smtpUserName to "mail-infra-smtp-prod"');
    expect(message).toMatch(/To move to another user, deploy a new stack for it, move the relays, then destroy this one\.$/);
  });

  it("a lower generation", () => {
    expect(rotationIssues(at(3, "retired"), want(2, "retired"))).toEqual([
      { key: "smtpKeyGeneration", message: expect.stringMatching(/^is 2, but the stack is at generation 3\. .*would delete key 3, .*Set it back to 3\.$/) },
    ]);
  });

  it("a jump of more than one generation", () => {
    expect(rotationIssues(at(2, "retired"), want(4, "active"))).toEqual([
      { key: "smtpKeyGeneration", message: expect.stringMatching(/^jumps from 2 \(last deployment\) to 4\. Rotate one generation at a time: set it to 3, deploy, move the relays, then retire key 2 /) },
    ]);
  });

  it("a raise while the previous key is still active: deactivate, then retire", () => {
    const issues = rotationIssues(at(3, "active"), want(4, "active"));
    expect(issues.map((i) => i.key)).toEqual(["smtpKeyGeneration"]);
    expect(issues[0].message).toMatch(/^raises the generation to 4 while key 2 is still active \(mail-infra:smtpPreviousKey\)\. A new key now would be the user's third, and IAM allows two\./);
    expect(issues[0].message).toContain(
      "Keep mail-infra:smtpKeyGeneration at 3 and finish the last rotation first: set mail-infra:smtpPreviousKey to inactive, deploy, check the relays, then set it to retired and deploy. Then rotate.",
    );
  });

  it("a raise while the previous key is inactive: retire it first (no deactivation step)", () => {
    const issues = rotationIssues(at(3, "inactive"), want(4, "active"));
    expect(issues.map((i) => i.key)).toEqual(["smtpKeyGeneration"]);
    expect(issues[0].message).toMatch(/^raises the generation to 4 while key 2 is still inactive /);
    expect(issues[0].message).toContain("finish the last rotation first: set it to retired and deploy. Then rotate.");
  });

  it.each([
    ["inactive", "deactivate"],
    ["retired", "delete"],
  ] as const)("a raise that makes the current key %s at once", (state, verb) => {
    const issues = rotationIssues(at(3, "retired"), want(4, state));
    expect(issues.map((i) => i.key)).toEqual(["smtpPreviousKey"]);
    expect(issues[0].message).toMatch(new RegExp(`^is ${state} in the same change that raises mail-infra:smtpKeyGeneration to 4\\. That would ${verb} key 3, the key every relay uses now, before any relay holds key 4`));
    expect(issues[0].message).toContain("Remove mail-infra:smtpPreviousKey (or set it to active) when raising the generation; deactivate key 3 in a later step.");
  });

  it.each([
    ["active", want(3, "active")],
    ["inactive", want(3, "inactive")],
    ["active", want(3)],
  ])("a retired key brought back as %s", (shown, desired) => {
    const issues = rotationIssues(at(3, "retired"), desired);
    expect(issues.map((i) => i.key)).toEqual(["smtpPreviousKey"]);
    expect(issues[0].message).toMatch(new RegExp(`^is ${shown}, but key 2 was retired \\(deleted\\) in the last deployment and cannot come back\\. `));
    expect(issues[0].message).toContain("Set mail-infra:smtpPreviousKey to retired (an empty value means active)");
    expect(issues[0].message).toContain("give it key 3's credentials from the secret");
  });

  it("a manifest without a previous key (before two-phase rotation) or with one of another generation: key N-1 is retired", () => {
    expect(rotationIssues({ user, keyGeneration: 3 }, want(3, "active")).map((i) => i.key)).toEqual(["smtpPreviousKey"]);
    expect(rotationIssues({ user, keyGeneration: 3 }, want(3, "retired"))).toEqual([]);
    const stale: DeployedKeys = { user, keyGeneration: 3, previousKey: { generation: 1, state: "active" } };
    expect(rotationIssues(stale, want(4, "active"))).toEqual([]);
    expect(rotationIssues(stale, want(3, "active")).map((i) => i.key)).toEqual(["smtpPreviousKey"]);
  });

  it("active straight to retired", () => {
    const issues = rotationIssues(at(3, "active"), want(3, "retired"));
    expect(issues.map((i) => i.key)).toEqual(["smtpPreviousKey"]);
    expect(issues[0].message).toMatch(/^goes from active straight to retired, which deletes key 2 for good while relays may still use it\. /);
    expect(issues[0].message).toContain("Set mail-infra:smtpPreviousKey to inactive first and deploy: a relay still on key 2 then fails visibly");
  });
});

describe("liveKeyIssues: what the pure live-key tests leave out", () => {
  const K1 = "AKIAEXAMPLEKEYGEN001";
  const K2 = "AKIAEXAMPLEKEYGEN002";
  const K3 = "AKIAEXAMPLEKEYGEN003";
  const CONSOLE = "AKIACONSOLEMADE00001";
  const OTHER = "AKIACONSOLEMADE00002";
  const live = (...ids: string[]): LiveAccessKey[] => ids.map((accessKeyId) => ({ accessKeyId, status: "Active", createDate: "2026-05-01T09:00:00Z" }));
  const gen1: DeployedKeys = { user, keyGeneration: 1, accessKeyId: K1 };
  const gen2 = (state: PreviousKeyState): DeployedKeys => ({ user, keyGeneration: 2, accessKeyId: K2, previousKey: { generation: 1, state, accessKeyId: K1 } });
  const wantLive = (n: number, extra: { previousKey?: PreviousKeyState; unrecordedKeyId?: string } = {}) => ({ userName: user, keyGeneration: n, ...extra });

  it("nothing is checked against a manifest without the current key's id", () => {
    expect(liveKeyIssues({ user, keyGeneration: 1 }, wantLive(2), live(K1, CONSOLE))).toEqual([]);
  });

  it("the message names what the deployment records: both kept keys, or the retired one as retired", () => {
    expect(liveKeyIssues(gen2("active"), wantLive(2, { previousKey: "active" }), live(K1, K2, CONSOLE))[0].message).toContain(`(the last recorded deployment names ${K2} and ${K1}).`);
    expect(liveKeyIssues(gen2("retired"), wantLive(2, { previousKey: "retired" }), live(K2, CONSOLE))[0].message).toContain(`(the last recorded deployment names ${K2} and ${K1} as retired).`);
  });

  it("a previous key recorded for another generation is not a recorded key", () => {
    const stale: DeployedKeys = { user, keyGeneration: 3, accessKeyId: K3, previousKey: { generation: 1, state: "active", accessKeyId: K1 } };
    const issues = liveKeyIssues(stale, wantLive(3, { previousKey: "retired" }), live(K1, K3));
    expect(issues.map((i) => i.key)).toEqual(["smtpKeyGeneration"]);
    expect(issues[0].message).toContain(`has an access key ${K1} (Active, created 2026-05-01T09:00:00Z) that the stack does not record (the last recorded deployment names ${K3}).`);
  });

  it("one unknown key without a rotation: 'it', no third-key sentence, the generation that would have made it", () => {
    const [issue] = liveKeyIssues(gen1, wantLive(1), [{ accessKeyId: CONSOLE, status: "Inactive" }, ...live(K1)]);
    expect(issue.message).toContain(`has an access key ${CONSOLE} (Inactive, created at an unknown time) that the stack does not record (the last recorded deployment names ${K1}). Find out where it came from:`);
    expect(issue.message).toContain("a `pulumi up` of generation 2 created it and failed before recording its outputs");
  });

  it("two unknown keys: 'they', both listed, the commands for the first", () => {
    const [issue, ...rest] = liveKeyIssues(gen1, wantLive(2), live(K1, CONSOLE, OTHER));
    expect(rest).toEqual([]);
    expect(issue.message).toContain(`has access keys ${CONSOLE} (Active, created 2026-05-01T09:00:00Z), ${OTHER} (Active, created 2026-05-01T09:00:00Z) that the stack does not record`);
    expect(issue.message).toContain("Find out where they came from:");
    expect(issue.message).toContain(`\`pulumi stack export | grep ${CONSOLE}\``);
  });

  it("a named unrecorded key: the fix for the wrong generation, and for a key IAM does not list", () => {
    expect(liveKeyIssues(gen1, wantLive(3, { unrecordedKeyId: K2 }), live(K1, K2))[0].message).toMatch(/Set mail-infra:smtpKeyGeneration to 2 and run `pulumi up`\.$/);
    expect(liveKeyIssues(gen1, wantLive(2, { unrecordedKeyId: K2 }), live(K1))).toEqual([
      { key: "smtpUnrecordedKeyId", message: `names ${K2}, but IAM lists no such key for ${user} (\`aws iam list-access-keys --user-name ${user}\`). Remove mail-infra:smtpUnrecordedKeyId.` },
    ]);
  });

  it("an inactive key Active in IAM: the retire step is refused with why; a raise is not this rule's business", () => {
    const [issue] = liveKeyIssues(gen2("inactive"), wantLive(2, { previousKey: "retired" }), live(K1, K2));
    expect(issue.message).toContain("Deleting it now could cut off a relay that still logs in with it.");
    // At a raise, smtpPreviousKey speaks of key 2 (the one the secret holds), not of key 1.
    expect(liveKeyIssues(gen2("inactive"), wantLive(3, { previousKey: "retired" }), live(K1, K2))).toEqual([]);
  });

  it("a retired key still in IAM refuses the raise under smtpKeyGeneration", () => {
    expect(liveKeyIssues(gen2("retired"), wantLive(3), live(K1, K2)).map((i) => i.key)).toEqual(["smtpKeyGeneration"]);
  });
});
