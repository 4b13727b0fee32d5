/**
 * verify's own SMTP logins are never a relay's evidence (scripts/verify/layers/smtp/check.ts duringRotation,
 * key-evidence.ts ownLogins). smtp.auth and --send-test log in with the CURRENT key; the SES
 * stand-in records each login in moto as the key's last use by ses in that region (world.ts
 * recordLastUse), the way we assume real SES does. So:
 * - during a rotation (two keys), a default run logs in nowhere: no AUTH reaches any server and
 *   the current key's record is untouched; smtp.auth says why and what it checked instead;
 * - a run forced with --smtp-auth-during-rotation logs in, after reading the records, and says
 *   so; a later run given the printed --smtp-login-at does not count that login;
 * - outside a rotation smtp.auth logs in as before, and still after the records were read.
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../helpers/spawn";
import type { Finding } from "../../lib/verify/findings";
import { judgeRegion, OWN_LOGIN_MARGIN_MS } from "../../lib/verify/key-evidence";
import { duringRotation } from "../../scripts/verify/layers/smtp/check";
import { observed } from "../../lib/verify/findings";
import { lastUse, nextSecond, relaySend, retire, credentials, usedBeforeRotation, withRotated } from "./rotated-world";
import { createWorld, programManifest, type SharedServers, startShared, WORLD_CONFIG } from "./world";
import { closeMotoIam } from "./last-used";

const HOUR = 3_600_000;
const LAG = 4 * HOUR;
const ALIAS = "admin@example.com";

let shared: SharedServers;
beforeAll(async () => {
  shared = await startShared();
});
afterAll(async () => {
  await shared?.stop();
});

const byId = (fs: readonly Finding[], id: string) => fs.filter((f) => f.id === id);
const allAuths = (w: { smtp: Record<string, { authAttempts(): unknown[] }> }) => Object.values(w.smtp).flatMap((s) => s.authAttempts());

describe("verify's own SMTP logins during a rotation", () => {
  it("default run (two keys): no AUTH at any server, --send-test sends nothing, the current key's record is the relay's probe still; smtp.auth inconclusive saying why and what it checked instead", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        await relaySend(r, "us-east-1", r.currentId);
        const probe = await lastUse(r, r.currentId);
        const authsBefore = allAuths(r.w).length;
        await nextSecond();
        const v = await r.w.verify({ layers: ["smtp", "relay"], sendTest: true, secretKey: r.secrets.get(r.currentId)!, now: new Date(probe.at.getTime() + LAG) });
        expect(allAuths(r.w)).toHaveLength(authsBefore);
        expect(Object.values(r.w.smtp).flatMap((s) => s.messages())).toHaveLength(1);
        expect(await lastUse(r, r.currentId)).toEqual(probe);
        const auth = byId(v.findings, "smtp.auth");
        expect(auth.length).toBeGreaterThan(0);
        for (const f of auth) {
          expect(f.status).toBe("inconclusive");
          expect(f.summary).toMatch(/^not attempted during a rotation: a login with the current key would be recorded as its use by SES in us-(east-1|west-2), which relay.retire could not tell from a relay's/);
          expect(f.evidence).toContain(`the user ${r.w.manifest.smtp.user} has keys ${[r.previousId, r.currentId].join(", ")}: the rotation to ${r.currentId} is in progress until the previous key is retired`);
          expect(f.evidence.some((e) => /^checked instead: the stored us-(east-1|west-2) password is the v4 derivation of the current key's secret/.test(e))).toBe(true);
          expect(f.evidence).toContain(`checked instead: key ${r.currentId} is Active (smtp.key)`);
          expect(f.remediation).toContain("--smtp-auth-during-rotation");
        }
        expect(byId(v.findings, "smtp.auth").find((f) => f.subject.includes("us-east-1"))!.evidence).toContain(`checked instead: IAM said allowed for ses:SendRawEmail as ${ALIAS} in us-east-1 (smtp.permission)`);
        expect(byId(v.findings, "smtp.send-test").map((f) => f.status)).toEqual(auth.map(() => "inconclusive"));
        // The relay's evidence stayed the relay's: safe, on the probe.
        expect(retire(v.findings).map((f) => f.status)).toEqual(["pass"]);
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
  });

  it("forced run: logs in after reading the records, says so in the relay findings; a later run given the printed --smtp-login-at does not count that login (without it, it would)", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        // Key 2 never used by a relay: the incident's situation.
        const forced = await r.w.verify({ layers: ["smtp", "relay"], smtpAuthDuringRotation: true, now: new Date(r.rotatedAt.getTime() + 5 * HOUR) });
        expect(allAuths(r.w).length).toBeGreaterThan(0);
        expect(byId(forced.findings, "smtp.auth").every((f) => f.status === "pass")).toBe(true);
        // Read before the login: this run's verdict is not fooled.
        const [f] = retire(forced.findings);
        expect(f.status).toBe("inconclusive");
        expect(f.evidence).toContain(`read at ${new Date(r.rotatedAt.getTime() + 5 * HOUR).toISOString()}: current key ${r.currentId} never used`);
        const note = f.evidence.find((e) => e.startsWith("verify itself logged in with the current key in us-east-1 at "));
        expect(note).toBeDefined();
        expect(credentials(forced.findings)[0].evidence).toContain(note);
        const flag = /--smtp-login-at (us-east-1=\S+?)`/.exec(note!)?.[1];
        expect(flag).toBeDefined();
        const at = new Date(flag!.slice("us-east-1=".length));
        // Our login is now the current key's recorded use by ses in us-east-1.
        const ours = await lastUse(r, r.currentId);
        expect([ours.service, ours.region]).toEqual(["ses", "us-east-1"]);
        expect(Math.abs(ours.at.getTime() - at.getTime())).toBeLessThan(5_000);
        const later = new Date(ours.at.getTime() + LAG);
        // The hazard this guards against: without the flag, verify's own login would pass as the relay's.
        expect(retire((await r.w.verify({ layers: ["relay"], now: later })).findings)[0].status).toBe("pass");
        const told = await r.w.verify({ layers: ["relay"], now: later, ownLogins: new Map([["us-east-1", at]]) });
        const [g] = retire(told.findings);
        expect(g.status).toBe("inconclusive");
        expect(g.evidence.join("\n")).toContain(`is within ${OWN_LOGIN_MARGIN_MS / 60_000} min of verify's own SMTP login there (${at.toISOString()}), so it is verify's, not a relay's`);
        expect(credentials(told.findings).map((x) => x.status)).toEqual(["inconclusive"]);
        // A probe sent after the margin counts again.
        const probeAt = new Date(at.getTime() + OWN_LOGIN_MARGIN_MS + 1000);
        expect(judgeRegion("us-east-1", { rotatedAt: r.rotatedAt, current: { lastUsedDate: probeAt.toISOString(), serviceName: "ses", region: "us-east-1" }, previous: {}, readAt: new Date(probeAt.getTime() + LAG), ownLogins: new Map([["us-east-1", at]]) }).kind).toBe("moved");
      },
      // SMTP in the sender's region only: with two, the last region verify logs in to holds the record.
      { recordLastUse: "immediate", before: usedBeforeRotation(shared), config: { ...WORLD_CONFIG, smtpRegions: ["us-east-1"] } },
    );
  });

  it("outside a rotation (one key): smtp.auth logs in as before, after the relay layer read the key's last use", async () => {
    const w = await createWorld(shared, { recordLastUse: "immediate" });
    try {
      const c = w.collectors();
      const before = await c.aws.keyLastUsed(w.manifest.smtp.accessKeyId);
      c.aws.destroy();
      if (!before.ok) throw new Error("no record");
      await nextSecond();
      const v = await w.verify({
        layers: ["smtp", "relay"],
        // A slow read: were the login not waiting for it, the read would show the login.
        prepare: (col) => {
          const read = col.aws.keyLastUsed.bind(col.aws);
          col.aws.keyLastUsed = async (id: string) => {
            await new Promise((res) => setTimeout(res, 1_500));
            return read(id);
          };
        },
      });
      expect(byId(v.findings, "smtp.auth").map((f) => f.status)).toEqual(w.manifest.smtp.regions.map(() => "pass"));
      expect(allAuths(w).length).toBe(w.manifest.smtp.regions.length);
      expect(credentials(v.findings)[0].evidence.join("\n")).toContain(`last used ${before.value.lastUsedDate} by ses in us-east-1`);
      const c2 = w.collectors();
      const after = await c2.aws.keyLastUsed(w.manifest.smtp.accessKeyId);
      c2.aws.destroy();
      expect(after.ok && after.value.lastUsedDate! > before.value.lastUsedDate!).toBe(true);
    } finally {
      closeMotoIam(w);
      await w.stop();
    }
  });
});

describe("npm run verify during a rotation (the CLI)", () => {
  it("default: smtp.auth not attempted, no AUTH at the servers; --smtp-auth-during-rotation logs in and prints --smtp-login-at; a bad --smtp-login-at is a usage error", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "verify-own-login-"));
    try {
      await withRotated(
        shared,
        "active",
        async (r) => {
          const file = path.join(dir, "verification.json");
          await r.w.writeManifest(file);
          const env = { ...r.w.env, GMAIL_ACCESS_TOKEN: "" };
          const endpoint = ["--smtp-endpoint", `us-east-1=${r.w.smtpEndpoints["us-east-1"].host}:${r.w.smtpEndpoints["us-east-1"].port}`];
          const plain = await runCliAsync("verify.ts", ["--manifest", file, "--only", "smtp,relay", ...endpoint], { env });
          expect(plain.stdout).toMatch(/\n {2}\?\?\?\? {2}smtp\.auth +email-smtp\.us-east-1\.amazonaws\.com:587 \(us-east-1\): not attempted during a rotation: /);
          expect(plain.stdout).toContain("--smtp-auth-during-rotation");
          expect(allAuths(r.w)).toHaveLength(0);
          const forced = await runCliAsync("verify.ts", ["--manifest", file, "--only", "smtp,relay", "--smtp-auth-during-rotation", ...endpoint], { env });
          expect(forced.stdout).toMatch(/PASS {2}smtp\.auth +email-smtp\.us-east-1\.amazonaws\.com:587 \(us-east-1\): AUTH accepted \(235\)/);
          expect(forced.stdout).toMatch(/--smtp-login-at us-east-1=\d{4}-\d\d-\d\dT[\d:.]+Z/);
          expect(allAuths(r.w).length).toBeGreaterThan(0);
          const bad = await runCliAsync("verify.ts", ["--manifest", file, "--only", "relay", "--smtp-login-at", "us-east-1"], { env });
          expect(bad.status).toBe(2);
          expect(bad.stderr).toContain('--smtp-login-at: "us-east-1" is not region=time');
        },
        { recordLastUse: "immediate", before: usedBeforeRotation(shared), config: { ...WORLD_CONFIG, smtpRegions: ["us-east-1"] } },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the rule's parts", async () => {
  const m = await programManifest();
  it("duringRotation: another key of the user makes a rotation; without the keys, the manifest's previous key not retired", () => {
    const cur = { id: m.smtp.accessKeyId, status: "Active" };
    expect(duringRotation(m, observed([cur]))).toBe(false);
    expect(duringRotation(m, observed([cur, { id: "AKIAOTHER", status: "Inactive" }]))).toBe(true);
    // A stale secret (its username is not the current key): the login could only look like an older key's use, which refuses, never approves.
    expect(duringRotation(m, observed([cur, { id: "AKIAOTHER", status: "Active" }]), "AKIAOTHER")).toBe(false);
    // The current key deleted (a secret never rewritten after a failed rotation): no record can take the login.
    expect(duringRotation(m, observed([{ id: "AKIAOTHER", status: "Active" }]))).toBe(false);
    const unread = { ok: false as const, reason: "denied" as const, message: "denied" };
    expect(duringRotation(m, unread)).toBe(false);
    expect(duringRotation({ ...m, smtp: { ...m.smtp, previousKey: { generation: 1, state: "inactive" } } }, unread)).toBe(true);
    expect(duringRotation({ ...m, smtp: { ...m.smtp, previousKey: { generation: 1, state: "retired" } } }, unread)).toBe(false);
  });
});
