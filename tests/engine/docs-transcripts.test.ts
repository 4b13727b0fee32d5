/**
 * The docs print the harness's transcripts: every block marked `<!-- transcript: NAME -->` (the
 * fenced block right after the marker) must equal tests/engine/transcripts/NAME.txt, which the
 * runbook tests write. `MAIL_INFRA_UPDATE_DOCS=1 npx vitest run tests/engine/docs-transcripts.test.ts`
 * rewrites the marked blocks from the transcripts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatReview, reviewChange } from "../../lib/change-review";
import { PROD_LIKE } from "../helpers/config";
import { ROOT } from "../helpers/spawn";
import { wrapText } from "../../scripts/lib/wrap";
import { offlinePlan } from "./runbook";
import { docFiles } from "../docs/doc-examples";

const TRANSCRIPTS = join(ROOT, "tests/engine/transcripts");
const DOCS = docFiles();
const MARKED = /<!-- transcript: ([a-z0-9-]+) -->\n```text\n([\s\S]*?)```\n/g;

/** Where each procedure's transcript must be printed. */
const REQUIRED: Record<string, string> = {
  "mail-from-move": "docs/operations.md",
  "mail-from-move-reject": "docs/operations.md",
  "remove-region": "docs/operations.md",
  "recover-identity": "docs/operations.md",
  rotation: "docs/rotation.md",
  adoption: "docs/adopting.md",
  "review-remove-us-west-2": "docs/cli/plan.md",
};

describe("docs print the harness's transcripts", () => {
  it("docs/cli/plan.md's change review example is plan --against's own output for removing us-west-2 from prod", async () => {
    const prod = { ...PROD_LIKE, "aws:region": "us-east-1" };
    const base = await offlinePlan(prod, "prod");
    const head = await offlinePlan({ ...prod, regions: ["us-east-1"] }, "prod");
    // As plan prints it: fitted to 100 columns.
    await expect(wrapText(formatReview(reviewChange(base, head), "base.json", false))).toMatchFileSnapshot("transcripts/review-remove-us-west-2.txt");
  });

  it("every marked block equals its transcript, and every procedure is printed where the table says", () => {
    const update = process.env.MAIL_INFRA_UPDATE_DOCS === "1";
    const found: Record<string, string> = {};
    for (const doc of DOCS) {
      const path = join(ROOT, doc);
      const text = readFileSync(path, "utf8");
      const rewritten = text.replace(MARKED, (_all, name: string, block: string) => {
        found[name] = doc;
        const transcript = readFileSync(join(TRANSCRIPTS, `${name}.txt`), "utf8");
        if (!update) expect(block, `${doc}: transcript ${name}`).toBe(transcript);
        return `<!-- transcript: ${name} -->\n\`\`\`text\n${transcript}\`\`\`\n`;
      });
      if (update && rewritten !== text) writeFileSync(path, rewritten);
    }
    expect(found).toMatchObject(REQUIRED);
  });
});
