/**
 * The engine's outputs the docs print: plan --against's change review computed from two offline
 * plans, and where each runbook's transcript (written by runbooks.test.ts) must be printed. The
 * blocks themselves are compared with the outputs in one place, tests/docs/examples.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatReview, reviewChange } from "../../lib/change-review";
import { wrapText } from "../../scripts/lib/wrap";
import { docFiles, docOutput, markedBlocks, ROOT } from "../docs/doc-examples";
import { PROD_LIKE } from "../helpers/config";
import { offlinePlan } from "./runbook";

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

describe("the engine's outputs the docs print", () => {
  it("docs/cli/plan.md's change review example is plan --against's own output for removing us-west-2 from prod", async () => {
    const prod = { ...PROD_LIKE, "aws:region": "us-east-1" };
    const base = await offlinePlan(prod, "prod");
    const head = await offlinePlan({ ...prod, regions: ["us-east-1"] }, "prod");
    // As plan prints it: fitted to 100 columns.
    await docOutput("review-remove-us-west-2", wrapText(formatReview(reviewChange(base, head), "base.json", false)));
  });

  it("every procedure's transcript is printed where the table says", () => {
    const found: Record<string, string> = {};
    for (const doc of docFiles()) for (const b of markedBlocks(readFileSync(join(ROOT, doc), "utf8"))) if (b.name in REQUIRED) found[b.name] = doc;
    expect(found).toEqual(REQUIRED);
  });
});
