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
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relayRunbook } from "../../lib/relay-runbook";
import { type Finding, type NotChecked, selectLayers } from "../../lib/verify/findings";
import { formatText } from "../../scripts/verify/report";
import { lastUse, relaySend, usedBeforeRotation, withRotated } from "./rotated-world";
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
        rendered["relay-fix"] = relayRunbook(r.w.manifest, r.w.manifest.senders[0], { source: "--manifest verification.json" }).join("\n") + "\n";
        await relaySend(r, "us-east-1", r.currentId);
        const seen = await lastUse(r, r.currentId);
        const young = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + HOUR) });
        rendered["verify-probe-young"] = report(young.findings, young.notChecked);
        const moved = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + 4 * HOUR) });
        rendered["verify-probe-seen"] = report(moved.findings, moved.notChecked, true);
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
    if (process.env.WRITE_DOC_EXAMPLES) writeFileSync(process.env.WRITE_DOC_EXAMPLES, Object.entries(rendered).map(([k, v]) => `<!-- example: ${k} -->\n\n\`\`\`text\n${v}\`\`\`\n`).join("\n"));
    for (const [name, text] of Object.entries(rendered)) expect(normalize(docExample(name)), name).toBe(normalize(text));
  });
});
