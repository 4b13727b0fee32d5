import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PR_COMMENT_SCRIPT, prComment } from "./helpers/pr-comment";

const { MARKER, MAX_REPORT_CHARS, commentBody, fenced, readPrNumber } = prComment;
const RUN = "https://github.com/o/r/actions/runs/1";
const REVIEW = "Change review against base-plan.json:\n  delete  aws:sesv2:EmailIdentity x\nVerdict: would break mail (1 change).\n";
const POLICY = "Policy check of stack prod\n0 mandatory violations, 2 advisory violations.\n";

function artifact(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pr-review-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const cli = (...args: string[]) => spawnSync(process.execPath, [PR_COMMENT_SCRIPT, ...args], { encoding: "utf8" });

describe("the pull-request comment (scripts/pr-comment.cjs)", () => {
  it("holds both reports, each with its verdict, under the marker the workflow updates", () => {
    const body = commentBody({ changeReview: { text: REVIEW, status: 1 }, policy: { text: POLICY, status: 0 }, runUrl: RUN });
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain("#### Change review against the base branch\n\n❌ **This change would break mail.**");
    expect(body).toContain("```text\nChange review against base-plan.json:\n  delete  aws:sesv2:EmailIdentity x\nVerdict: would break mail (1 change).\n```");
    expect(body).toContain("#### Policy report\n\n✅ No mandatory policy violation.");
    expect(body).toContain("```text\nPolicy check of stack prod\n0 mandatory violations, 2 advisory violations.\n```");
    expect(body.indexOf("Change review against the base branch")).toBeLessThan(body.indexOf("Policy report"));
  });

  it.each([
    [0, undefined, "✅ No change breaks mail.", "✅ No mandatory policy violation."],
    [1, 1, "❌ **This change would break mail.**", "❌ **Mandatory policy violations.**"],
    [2, 2, "⚠️ The change review could not run (exit 2)", "⚠️ The policy check could not run (exit 2)"],
  ])("verdicts from the exit statuses: review %s, policy %s", (review, policy, reviewLine, policyLine) => {
    const body = commentBody({ changeReview: { text: "r", status: review }, policy: { text: "p", status: policy ?? 0 }, runUrl: RUN });
    expect(body).toContain(reviewLine);
    expect(body).toContain(policyLine);
  });

  it("adds the outcome of pulumi preview as a third section, after the two offline reports", () => {
    const passed = commentBody({ changeReview: { text: REVIEW, status: 0 }, policy: { text: POLICY, status: 0 }, preview: { text: "Previewing update (prod)\n", status: 0 }, runUrl: RUN });
    expect(passed).toContain("#### `pulumi preview` with the policy pack\n\n✅ `pulumi preview` with the policy pack passed.\n\n```text\nPreviewing update (prod)\n```");
    expect(passed.indexOf("Policy report")).toBeLessThan(passed.indexOf("`pulumi preview` with the policy pack"));
    const failed = commentBody({ changeReview: { text: REVIEW, status: 0 }, policy: { text: POLICY, status: 0 }, preview: { text: "error: preview failed", status: 1 }, runUrl: RUN });
    expect(failed).toContain("❌ **`pulumi preview` failed** (a mandatory policy violation or an error): its output is below.\n\n```text\nerror: preview failed\n```");
    // The job started but stopped before the preview finished: said, with whatever it printed.
    expect(commentBody({ changeReview: { text: "r", status: 0 }, policy: { text: "p", status: 0 }, preview: { text: "partial", status: undefined }, runUrl: RUN })).toContain(
      "⚠️ `pulumi preview` did not finish; its output so far is below.",
    );
  });

  it("says pulumi preview was not run when there is no preview report (no credentials, e.g. a fork), and still carries both offline reports", () => {
    for (const preview of [undefined, { text: undefined, status: undefined }]) {
      const body = commentBody({ changeReview: { text: REVIEW, status: 1 }, policy: { text: POLICY, status: 0 }, preview, runUrl: RUN });
      expect(body).toContain("#### `pulumi preview` with the policy pack\n\n➖ Not run: it runs only for pull requests from this repository's branches, after the tests pass and a reviewer approves the `pulumi-preview` environment (docs/ci.md); never for forks.");
      expect(body).toContain("❌ **This change would break mail.**");
      expect(body).toContain("✅ No mandatory policy violation.");
    }
  });

  it("says a report is not available when the job stopped before it, and links the run", () => {
    const body = commentBody({ changeReview: { text: undefined, status: undefined }, policy: { text: POLICY, status: 0 }, runUrl: RUN });
    expect(body).toContain(`#### Change review against the base branch\n\n⚠️ Not available: the job stopped before it was computed. See [the run](${RUN}).`);
    expect(body).toContain("✅ No mandatory policy violation.");
  });

  it("fences untrusted text so it cannot close the block early, and bounds its size", () => {
    const hostile = "x\n````\n# heading\n```";
    expect(fenced(hostile)).toBe("`````text\nx\n````\n# heading\n```\n`````");
    const long = fenced("a".repeat(MAX_REPORT_CHARS + 100));
    expect(long.length).toBeLessThan(MAX_REPORT_CHARS + 200);
    expect(long).toContain("… (truncated: the full text is in the run)");
    const all = commentBody({
      changeReview: { text: "a".repeat(10 * MAX_REPORT_CHARS), status: 1 },
      policy: { text: "b".repeat(10 * MAX_REPORT_CHARS), status: 0 },
      preview: { text: "c".repeat(10 * MAX_REPORT_CHARS), status: 1 },
      runUrl: RUN,
    });
    expect(all.length).toBeLessThan(65536);
  });

  it.each([
    ["42\n", "42"],
    ["0", undefined],
    ["42; rm -rf /", undefined],
    ["../1", undefined],
    ["", undefined],
  ])("reads the pull request number %j as %s", (text, expected) => {
    expect(readPrNumber(artifact({ "pr-number": text }))).toBe(expected);
  });

  it("truncates at a line break and never inside an emoji's surrogate pair", () => {
    const lines = fenced(`${"line of a report\n".repeat(2000)}`);
    expect(lines).toMatch(/line of a report\n… \(truncated: the full text is in the run\)/);
    // One line with no break: the cut falls on an odd index, inside a 2-unit emoji unless it steps back.
    const emoji = fenced(`x${"🌈".repeat(MAX_REPORT_CHARS)}`);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(emoji).toContain("… (truncated: the full text is in the run)");
  });

  it("CLI: prints the comment from an artifact directory, or the pull request number", () => {
    const dir = artifact({ "pr-number": "7\n", "change-review.txt": REVIEW, "change-review.status": "0\n", "policy.txt": POLICY, "policy.status": "1\n" });
    const comment = cli(dir, RUN);
    expect(comment.status).toBe(0);
    expect(comment.stdout).toContain("✅ No change breaks mail.");
    expect(comment.stdout).toContain("❌ **Mandatory policy violations.**");
    expect(comment.stdout).toContain("➖ Not run:");
    // The preview job's artifact, downloaded into the same directory.
    writeFileSync(join(dir, "preview.txt"), "Previewing update (prod)\n");
    writeFileSync(join(dir, "preview.status"), "1\n");
    expect(cli(dir, RUN).stdout).toContain("❌ **`pulumi preview` failed**");
    expect(cli(dir, RUN, "--pr-number").stdout).toBe("7\n");
  });

  it("CLI: refuses a missing or bad pull request number, and bad usage, with exit 2", () => {
    const bad = cli(artifact({ "pr-number": "x" }), RUN, "--pr-number");
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("pr-number: missing or not a pull request number");
    const usage = cli();
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("usage: node scripts/pr-comment.cjs");
  });
});
