/**
 * docs/rotation.md's examples of the relay steps are real output: verify's report and
 * relay-fix's runbook for the rotated test world (rotated-world.ts: moto's own last-used
 * records of the logins the SES stand-in saw). This renders each example the way the CLI prints
 * it (formatText, relayRunbook) and compares it with the block after its marker in the doc
 * (`<!-- example: NAME -->`), key ids and times replaced by placeholders since they differ per
 * run. The read time is set (verify's `now`) because the runbook waits 4 h between steps.
 * `WRITE_DOC_EXAMPLES=FILE` writes the rendered blocks to FILE, for pasting into the doc.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { DeleteAccessKeyCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relayRunbook } from "../../lib/relay-runbook";
import { type Finding, type NotChecked, selectLayers } from "../../lib/verify/findings";
import { formatText } from "../../scripts/verify/report";
import { runCliAsync } from "../helpers/spawn";
import { healthyAlias, startGmailFake } from "./gmail-fake";
import { motoIam } from "./last-used";
import { lastUse, nextSecond, relaySend, usedBeforeRotation, withRotated } from "./rotated-world";
import { type SharedServers, startShared } from "./world";

const HOUR = 3_600_000;
const DOC = path.join(__dirname, "..", "..", "docs", "rotation.md");
const TARGET = "manifest verification.json (stack test)";

let shared: SharedServers;
beforeAll(async () => {
  shared = await startShared();
});
afterAll(async () => {
  await shared?.stop();
});

/** The ```text block after `<!-- example: name -->` in the doc. */
function docExample(name: string): string {
  const doc = readFileSync(DOC, "utf8");
  const m = new RegExp(`<!-- example: ${name} -->\\n+\`\`\`text\\n([\\s\\S]*?)\`\`\`\\n`).exec(doc);
  if (!m) throw new Error(`docs/rotation.md has no example "${name}"`);
  return m[1];
}

const normalize = (text: string) =>
  text
    .replace(/AKIA[A-Z0-9]{16}/g, "AKIA<id>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/g, "<time>")
    .replace(/\(message fake[0-9a-f]+\)/g, "(message <id>)")
    .replace(/ +$/gm, "");

const report = (findings: readonly Finding[], notChecked: readonly NotChecked[], verbose = false) =>
  formatText(findings, { target: TARGET, layers: ["relay"], notChecked: [...selectLayers(["relay"], []).notChecked, ...notChecked], verbose, color: false });

describe("docs/rotation.md: the relay steps' examples are real output", () => {
  it("after the rotation, the runbook, the probe not yet visible, and the probe seen: each as printed", async () => {
    const rendered: Record<string, string> = {};
    await withRotated(
      shared,
      "active",
      async (r) => {
        const early = await r.w.verify({ layers: ["relay"], now: new Date(r.rotatedAt.getTime() + HOUR) });
        rendered["verify-after-rotation"] = report(early.findings, early.notChecked);
        // The smtp layer during the rotation: no login of verify's own, and what it checked instead.
        const smtp = await r.w.verify({ layers: ["smtp"], now: new Date(r.rotatedAt.getTime() + HOUR) });
        rendered["verify-smtp-during-rotation"] = formatText(smtp.findings, { target: TARGET, layers: ["smtp"], notChecked: [...selectLayers(["smtp"], []).notChecked, ...smtp.notChecked], verbose: false, color: false });
        expect(Object.values(r.w.smtp).flatMap((x) => x.authAttempts())).toEqual([]);
        rendered["relay-fix"] = relayRunbook(r.w.manifest, r.w.manifest.senders[0], { source: "--manifest verification.json" }).join("\n") + "\n";
        await relaySend(r, "us-east-1", r.currentId);
        const seen = await lastUse(r, r.currentId);
        const young = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + HOUR) });
        rendered["verify-probe-young"] = report(young.findings, young.notChecked);
        const moved = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + 4 * HOUR) });
        rendered["verify-probe-seen"] = report(moved.findings, moved.notChecked, true);

        // Step 5: key 1 deactivated (pulumi up), the probe sent again, read 4 h later.
        await motoIam(r.w).send(new UpdateAccessKeyCommand({ UserName: r.w.manifest.smtp.user, AccessKeyId: r.previousId, Status: "Inactive" }));
        r.w.manifest.smtp.previousKey = { generation: 1, accessKeyId: r.previousId, state: "inactive" };
        await nextSecond();
        await relaySend(r, "us-east-1", r.currentId);
        const again = await lastUse(r, r.currentId);
        const inactive = await r.w.verify({ layers: ["relay"], now: new Date(again.at.getTime() + 4 * HOUR) });
        rendered["verify-inactive"] = report(inactive.findings, inactive.notChecked);

        // Step 7: key 1 deleted (retired).
        await motoIam(r.w).send(new DeleteAccessKeyCommand({ UserName: r.w.manifest.smtp.user, AccessKeyId: r.previousId }));
        r.w.manifest.smtp.previousKey = { generation: 1, accessKeyId: r.previousId, state: "retired" };
        const retired = await r.w.verify({ layers: ["relay"], now: new Date(again.at.getTime() + 5 * HOUR) });
        rendered["verify-retired"] = report(retired.findings, retired.notChecked, true);

        // relay-fix --apply for a Workspace alias: writes the settings, sends the probe through Gmail.
        const token = "ya29.doc-example-token";
        const m = structuredClone(r.w.manifest);
        m.senders[0].account = "owner@example.com";
        const dir = await mkdtemp(path.join(os.tmpdir(), "rotation-doc-"));
        const file = path.join(dir, "workspace.json");
        await writeFile(file, JSON.stringify(m));
        const fake = await startGmailFake({ token, me: "owner@example.com", aliases: { "owner@example.com": [healthyAlias("admin@example.com")] }, smtpRoutes: { "email-smtp.us-east-1.amazonaws.com": r.w.smtpEndpoints["us-east-1"] }, ca: r.w.ca.caCertPem });
        try {
          const out = await runCliAsync("relay-fix.ts", ["--manifest", "workspace.json", "--sender", "admin@example.com", "--apply", "--gmail-endpoint", fake.endpoint], { env: { ...r.w.env, GMAIL_ACCESS_TOKEN: token }, cwd: dir });
          expect([out.status, out.stderr]).toEqual([0, ""]);
          rendered["relay-fix-apply"] = out.stdout;
          expect(fake.deliveries.map((d) => [d.username, d.ok])).toEqual([[r.currentId, true]]);
        } finally {
          await fake.stop();
          await rm(dir, { recursive: true, force: true });
        }
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
    if (process.env.WRITE_DOC_EXAMPLES) writeFileSync(process.env.WRITE_DOC_EXAMPLES, Object.entries(rendered).map(([k, v]) => `<!-- example: ${k} -->\n\n\`\`\`text\n${v}\`\`\`\n`).join("\n"));
    for (const [name, text] of Object.entries(rendered)) expect(normalize(docExample(name)), name).toBe(normalize(text));
  });
});
