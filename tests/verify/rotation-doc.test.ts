/**
 * docs/rotation.md's examples of the relay steps are real output: verify's report and
 * relay-fix's runbook for the rotated test world (rotated-world.ts: moto's own last-used
 * records of the logins the SES stand-in saw), rendered the way the CLI prints them
 * (formatText), relay-fix run as the CLI on the world's manifest, and written as outputs
 * (docOutput: tests/docs/examples.test.ts compares them with the doc). The read time is set
 * (verify's `now`) because the runbook waits 4 h between steps.
 *
 * moto's key ids and clock differ per run, so the output is made stable the way the doc tells
 * the story: the previous key is AWS's documented example id AKIAI44QH8DHBEXAMPLE, the current
 * AKIAIOSFODNN7EXAMPLE, and each moment the test knows (key 1 created, its last use, the rotation,
 * the probes) is shown at a fixed time; every other time printed must be one of those plus the
 * 1, 4 or 5 hours the test waited, so intervals are exact. A time or key id it cannot place fails.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { DeleteAccessKeyCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Finding, type NotChecked, selectLayers } from "../../lib/verify/findings";
import { formatText } from "../../scripts/verify/report";
import { consoleTranscript, docOutput } from "../docs/doc-examples";
import { runCliAsync } from "../helpers/spawn";
import { healthyAlias, startGmailFake } from "./gmail-fake";
import { motoIam } from "./last-used";
import { lastUse, nextSecond, relaySend, type Rotated, usedBeforeRotation, withRotated } from "./rotated-world";
import { type SharedServers, startShared } from "./world";

const HOUR = 3_600_000;
const TARGET = "manifest verification.json (stack test)";
const PREVIOUS_ID = "AKIAI44QH8DHBEXAMPLE";
const CURRENT_ID = "AKIAIOSFODNN7EXAMPLE";
/** How long the test waits between steps (verify's `now`): a printed time is a moment plus one of these. */
const WAITS = [0, HOUR, 4 * HOUR, 5 * HOUR];
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/g;

let shared: SharedServers;
beforeAll(async () => {
  shared = await startShared();
});
afterAll(async () => {
  await shared?.stop();
});

/** Moments as they happened (moto's clock) and as the doc shows them. */
type Moments = { at: Date; shown: string }[];

/** `text` with the run's key ids and times replaced by the doc's; fails on one it cannot place. */
function asShown(text: string, r: Pick<Rotated, "previousId" | "currentId">, moments: Moments): string {
  const ids = text.replace(/AKIA[A-Z0-9]{16}/g, (id) => {
    if (id === r.previousId) return PREVIOUS_ID;
    if (id === r.currentId) return CURRENT_ID;
    throw new Error(`a key id the doc cannot place: ${id}`);
  });
  return ids.replace(ISO, (iso, ms: string | undefined) => {
    const t = Date.parse(iso);
    const shown = new Set(moments.flatMap((m) => WAITS.filter((w) => m.at.getTime() + w === t).map((w) => new Date(Date.parse(m.shown) + w).toISOString())));
    if (shown.size !== 1) throw new Error(`${iso} is ${shown.size === 0 ? "no known moment plus a wait" : "more than one moment plus a wait"}`);
    const [s] = shown;
    return ms ? s : s.replace(/\.\d{3}Z$/, "Z");
  });
}

const report = (findings: readonly Finding[], notChecked: readonly NotChecked[], verbose = false) =>
  formatText(findings, { target: TARGET, layers: ["relay"], notChecked: [...selectLayers(["relay"], []).notChecked, ...notChecked], verbose, color: false });

describe("docs/rotation.md: the relay steps' examples are real output", () => {
  it("after the rotation, the runbook, the probe not yet visible, and the probe seen: each as printed", async () => {
    const rendered: Record<string, string> = {};
    const moments: Moments = [];
    let ids: Pick<Rotated, "previousId" | "currentId"> = { previousId: "", currentId: "" };
    await withRotated(
      shared,
      "active",
      async (r) => {
        ids = r;
        const c = r.w.collectors();
        const listed = await c.aws.accessKeys(r.w.manifest.smtp.user);
        c.aws.destroy();
        const created = listed.ok ? listed.value.find((k) => k.id === r.previousId)?.createDate : undefined;
        if (!created) throw new Error("moto did not list the previous key");
        moments.push(
          { at: new Date(created), shown: "2026-01-05T09:00:00.000Z" },
          { at: (await lastUse(r, r.previousId)).at, shown: "2026-01-12T08:14:05.000Z" },
          { at: r.rotatedAt, shown: "2026-01-12T11:00:00.000Z" },
        );
        const early = await r.w.verify({ layers: ["relay"], now: new Date(r.rotatedAt.getTime() + HOUR) });
        rendered["rotation-verify-after-rotation"] = report(early.findings, early.notChecked);
        // The smtp layer during the rotation: no login of verify's own, and what it checked instead.
        const smtp = await r.w.verify({ layers: ["smtp"], now: new Date(r.rotatedAt.getTime() + HOUR) });
        rendered["rotation-verify-smtp"] = formatText(smtp.findings, { target: TARGET, layers: ["smtp"], notChecked: [...selectLayers(["smtp"], []).notChecked, ...smtp.notChecked], verbose: false, color: false });
        expect(Object.values(r.w.smtp).flatMap((x) => x.authAttempts())).toEqual([]);
        // The runbook as `npm run relay-fix` prints it for the world's manifest (no AWS call).
        const fixDir = await mkdtemp(path.join(os.tmpdir(), "rotation-doc-fix-"));
        try {
          await writeFile(path.join(fixDir, "verification.json"), JSON.stringify(r.w.manifest));
          const args = ["--manifest", "verification.json", "--sender", "admin@example.com"];
          const fix = await runCliAsync("relay-fix.ts", args, { cwd: fixDir, env: { COLUMNS: "" } });
          expect([fix.status, fix.stderr]).toEqual([0, ""]);
          rendered["rotation-relay-fix"] = consoleTranscript(`npm run -s relay-fix -- ${args.join(" ")}`, fix);
        } finally {
          await rm(fixDir, { recursive: true, force: true });
        }
        // A second later at least: the probe's use is after the rotation, also in whole seconds.
        await nextSecond();
        await relaySend(r, "us-east-1", r.currentId);
        const seen = await lastUse(r, r.currentId);
        moments.push({ at: seen.at, shown: "2026-01-12T12:31:07.000Z" });
        const young = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + HOUR) });
        rendered["rotation-verify-probe-young"] = report(young.findings, young.notChecked);
        const moved = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + 4 * HOUR) });
        rendered["rotation-verify-probe-seen"] = report(moved.findings, moved.notChecked, true);

        // Step 5: key 1 deactivated (pulumi up), the probe sent again, read 4 h later.
        await motoIam(r.w).send(new UpdateAccessKeyCommand({ UserName: r.w.manifest.smtp.user, AccessKeyId: r.previousId, Status: "Inactive" }));
        r.w.manifest.smtp.previousKey = { generation: 1, accessKeyId: r.previousId, state: "inactive" };
        await nextSecond();
        await relaySend(r, "us-east-1", r.currentId);
        const again = await lastUse(r, r.currentId);
        moments.push({ at: again.at, shown: "2026-01-12T16:45:12.000Z" });
        const inactive = await r.w.verify({ layers: ["relay"], now: new Date(again.at.getTime() + 4 * HOUR) });
        rendered["rotation-verify-inactive"] = report(inactive.findings, inactive.notChecked);

        // Step 7: key 1 deleted (retired).
        await motoIam(r.w).send(new DeleteAccessKeyCommand({ UserName: r.w.manifest.smtp.user, AccessKeyId: r.previousId }));
        r.w.manifest.smtp.previousKey = { generation: 1, accessKeyId: r.previousId, state: "retired" };
        const retired = await r.w.verify({ layers: ["relay"], now: new Date(again.at.getTime() + 5 * HOUR) });
        rendered["rotation-verify-retired"] = report(retired.findings, retired.notChecked, true);

        // relay-fix --apply for a Workspace alias: writes the settings, sends the probe through Gmail.
        const token = "ya29.doc-example-token";
        const m = structuredClone(r.w.manifest);
        m.senders[0].account = "owner@example.com";
        const dir = await mkdtemp(path.join(os.tmpdir(), "rotation-doc-"));
        const file = path.join(dir, "workspace.json");
        await writeFile(file, JSON.stringify(m));
        const fake = await startGmailFake({ token, me: "owner@example.com", aliases: { "owner@example.com": [healthyAlias("admin@example.com")] }, smtpRoutes: { "email-smtp.us-east-1.amazonaws.com": r.w.smtpEndpoints["us-east-1"] }, ca: r.w.ca.caCertPem });
        try {
          const out = await runCliAsync("relay-fix.ts", ["--manifest", "workspace.json", "--sender", "admin@example.com", "--apply", "--gmail-endpoint", fake.endpoint], { env: { ...r.w.env, GMAIL_ACCESS_TOKEN: token, COLUMNS: "" }, cwd: dir });
          expect([out.status, out.stderr]).toEqual([0, ""]);
          rendered["rotation-relay-fix-apply"] = out.stdout;
          const probe = /^Probe: [\s\S]*? at (\S+Z);/m.exec(out.stdout);
          if (!probe) throw new Error(`relay-fix --apply printed no probe time:\n${out.stdout}`);
          moments.push({ at: new Date(probe[1]), shown: "2026-01-12T12:20:41.337Z" });
          expect(fake.deliveries.map((d) => [d.username, d.ok])).toEqual([[r.currentId, true]]);
        } finally {
          await fake.stop();
          await rm(dir, { recursive: true, force: true });
        }
      },
      {
        recordLastUse: "immediate",
        // Key 1's last use a second after its creation at least, so the two are two moments.
        before: async (ctx) => {
          await nextSecond();
          await usedBeforeRotation(shared)(ctx);
        },
      },
    );
    expect(Object.keys(rendered)).toHaveLength(8);
    for (const [name, text] of Object.entries(rendered)) await docOutput(name, asShown(text, ids, moments).replace(/ +$/gm, ""));
  });
});
