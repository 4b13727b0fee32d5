#!/usr/bin/env node
// @ts-check
/**
 * The one pull-request comment with the reviews: the change review (`plan --against`) and the
 * policy report (`policy`), both computed by the `change-review` job of
 * .github/workflows/pull-request.yml without credentials and saved there as the `pr-review`
 * artifact, and the outcome of `pulumi preview --policy-pack policies` when the `preview` job
 * ran (it needs credentials; its `pr-preview` artifact holds preview.txt and preview.status).
 * .github/workflows/pr-comment.yml (a `workflow_run` follow-up, which has a write token even for
 * pull requests from forks) downloads both artifacts into one directory and runs
 *
 *     node scripts/pr-comment.cjs <artifact dir> <run url> > comment.md
 *
 * The artifact was produced by the pull request's own code, so it is untrusted text: this
 * script only reads it as text, fences it, and bounds its size; it never runs it. No
 * dependencies: the follow-up workflow does not install the project.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** The first line of the comment; the follow-up workflow updates the comment that starts with it. */
const MARKER = "<!-- mail-infra:pr-review -->";
/** Per report (three of them); a comment holds at most 65536 characters. */
const MAX_REPORT_CHARS = 20000;

/**
 * @typedef {{ text: string | undefined, status: number | undefined }} Report
 * @typedef {{ changeReview: Report, policy: Report, preview?: Report, runUrl: string }} CommentInputs
 */

/**
 * Where to cut a text to at most `max` UTF-16 units: at the last line break when there is one in
 * the second half (a report line stays whole), and never inside a surrogate pair (an emoji of the
 * report cut in half would be an invalid character).
 */
function cutAt(/** @type {string} */ text, /** @type {number} */ max) {
  const line = text.lastIndexOf("\n", max);
  let cut = line >= max / 2 ? line : max;
  const before = text.charCodeAt(cut - 1);
  if (before >= 0xd800 && before <= 0xdbff) cut -= 1;
  return cut;
}

/** A fenced block that the text cannot close early: the fence is longer than any backtick run in it. */
function fenced(/** @type {string} */ text) {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  let body = text.replace(/\s+$/, "");
  if (body.length > MAX_REPORT_CHARS) body = `${body.slice(0, cutAt(body, MAX_REPORT_CHARS))}\n… (truncated: the full text is in the run)`;
  return `${fence}text\n${body}\n${fence}`;
}

/** The verdict line of the change review, from `plan --against`'s exit status. */
function reviewVerdict(/** @type {number | undefined} */ status) {
  if (status === 0) return "✅ No change breaks mail.";
  if (status === 1) return "❌ **This change would break mail.** Merge it only on purpose (see docs/architecture.md, protection).";
  return `⚠️ The change review could not run (exit ${status ?? "unknown"}); its output is below.`;
}

/** The verdict line of the policy report, from `policy`'s exit status. */
function policyVerdict(/** @type {number | undefined} */ status) {
  if (status === 0) return "✅ No mandatory policy violation.";
  if (status === 1) return "❌ **Mandatory policy violations.**";
  return `⚠️ The policy check could not run (exit ${status ?? "unknown"}); its output is below.`;
}

/** The verdict line of `pulumi preview --policy-pack policies`, from the step's outcome (0 success, 1 failure). */
function previewVerdict(/** @type {number | undefined} */ status) {
  if (status === 0) return "✅ `pulumi preview` with the policy pack passed.";
  if (status === 1) return "❌ **`pulumi preview` failed** (a mandatory policy violation or an error): its output is below.";
  return "⚠️ `pulumi preview` did not finish; its output so far is below.";
}

/** The preview section: it only exists when the job ran, which needs credentials. */
function previewSection(/** @type {Report | undefined} */ preview, /** @type {string} */ runUrl) {
  const title = "`pulumi preview` with the policy pack";
  if (preview === undefined || (preview.text === undefined && preview.status === undefined)) {
    return [
      `#### ${title}`,
      "",
      "➖ Not run: it runs only for pull requests from this repository's branches, after the tests pass and a reviewer approves the `pulumi-preview` environment (docs/ci.md); never for forks. The two reviews above need neither.",
    ];
  }
  return section(title, preview, previewVerdict, runUrl);
}

function section(/** @type {string} */ title, /** @type {Report} */ report, /** @type {(s: number | undefined) => string} */ verdict, /** @type {string} */ runUrl) {
  if (report.text === undefined) return [`#### ${title}`, "", `⚠️ Not available: the job stopped before it was computed. See [the run](${runUrl}).`];
  return [`#### ${title}`, "", verdict(report.status), "", fenced(report.text)];
}

/** The comment's Markdown. */
function commentBody(/** @type {CommentInputs} */ inputs) {
  return [
    MARKER,
    "### Mail review",
    "",
    `The change review and the policy report are computed from the pull request's code without cloud credentials, so pull requests from forks get them too ([run](${inputs.runUrl})).`,
    "",
    ...section("Change review against the base branch", inputs.changeReview, reviewVerdict, inputs.runUrl),
    "",
    ...section("Policy report", inputs.policy, policyVerdict, inputs.runUrl),
    "",
    ...previewSection(inputs.preview, inputs.runUrl),
    "",
  ].join("\n");
}

/** Reads a file of the artifact, or undefined when it is absent. */
function readOptional(/** @type {string} */ file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code === "ENOENT") return undefined;
    throw e;
  }
}

/** A report of the artifact: `<name>.txt` and `<name>.status` (the exit status, one integer). */
function readReport(/** @type {string} */ dir, /** @type {string} */ name) {
  const text = readOptional(path.join(dir, `${name}.txt`));
  const statusText = readOptional(path.join(dir, `${name}.status`))?.trim();
  const status = statusText !== undefined && /^\d{1,3}$/.test(statusText) ? Number(statusText) : undefined;
  return { text, status };
}

/** The pull request number saved in the artifact, checked to be one. */
function readPrNumber(/** @type {string} */ dir) {
  const n = readOptional(path.join(dir, "pr-number"))?.trim();
  if (n === undefined || !/^[1-9]\d{0,9}$/.test(n)) return undefined;
  return n;
}

function main(/** @type {string[]} */ argv) {
  const [dir, runUrl, what] = argv;
  if (!dir || !runUrl) {
    process.stderr.write("usage: node scripts/pr-comment.cjs <artifact dir> <run url> [--pr-number]\n");
    return 2;
  }
  if (what === "--pr-number") {
    const n = readPrNumber(dir);
    if (!n) {
      process.stderr.write(`${path.join(dir, "pr-number")}: missing or not a pull request number\n`);
      return 2;
    }
    process.stdout.write(`${n}\n`);
    return 0;
  }
  process.stdout.write(commentBody({ changeReview: readReport(dir, "change-review"), policy: readReport(dir, "policy"), preview: readReport(dir, "preview"), runUrl }));
  return 0;
}

module.exports = { MARKER, MAX_REPORT_CHARS, commentBody, cutAt, fenced, readPrNumber, readReport };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
