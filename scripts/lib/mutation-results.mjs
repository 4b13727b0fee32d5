// @ts-check
/**
 * The mutation results kept in git (tests/mutation/results/), so that `npm run test:mutation`
 * accumulates across runs, checkouts and sessions: a whole folder costs hours on this machine,
 * so it is measured a file (or a line range) at a time and the scores add up.
 *
 * One record per measured source file, `tests/mutation/results/<file>.json`: the git blob id of
 * the source it was measured on, how many mutants that source has, and each tested mutant's
 * result (location, mutator, replacement, status, the tests that killed or covered it). The
 * tests are named by file, name and position, with the blob id of their file: no source text is
 * stored (git has it), which keeps a record small. Before a run, scripts/mutation.mjs turns the
 * records back into Stryker's incremental file (the old sources read with `git cat-file`), so
 * Stryker tests again only what changed; after the run it folds Stryker's results back in.
 *
 * A summary per root (`tests/mutation/results/<root>.summary.json`, written by
 * `--report-only <root>`) holds the per-file numbers, including the mutant count of files not
 * measured yet; docs/mutation-testing.md shows it (tests/mutation/scores.test.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const RESULTS_DIR = "tests/mutation/results";

/** Statuses that count as caught, and the valid ones (Stryker's mutation score). */
export const DETECTED = ["Killed", "Timeout"];
export const UNDETECTED = ["Survived", "NoCoverage"];

/** @param {string} text @returns {string} the git blob id of `text` (what `git hash-object` prints) */
export function blobId(text) {
  const body = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

/**
 * @typedef {{ line: number, column: number }} Position
 * @typedef {{ start: Position, end: Position }} Location
 * @typedef {[name: string, line: number, column: number]} TestRef
 * @typedef {{ file: string, source: string, tests: TestRef[] }} TestFileRef
 * @typedef {[at: string, mutator: string, replacement: string, status: string, killedBy: number[], coveredBy: number[]]} Result
 * @typedef {{ file: string, source: string, mutants: number, measured: string, stryker: string, tests: TestFileRef[], results: Result[] }} MutationRecord
 */

/** @param {Location} l */
export const at = (l) => `${l.start.line}:${l.start.column}-${l.end.line}:${l.end.column}`;

/** @param {string} s @returns {Location} */
export function location(s) {
  const m = /^(\d+):(\d+)-(\d+):(\d+)$/.exec(s);
  if (!m) throw new Error(`not a mutant location: '${s}'`);
  return { start: { line: Number(m[1]), column: Number(m[2]) }, end: { line: Number(m[3]), column: Number(m[4]) } };
}

/** A mutant's identity across runs (Stryker's own: place, mutator, replacement). */
export const mutantKey = (/** @type {string} */ place, /** @type {string} */ mutator, /** @type {string} */ replacement) =>
  `${place}\n${mutator}\n${replacement}`;

/** @param {string} root @param {string} file */
export const recordPath = (root, file) => path.join(root, RESULTS_DIR, `${file}.json`);

/** @param {string} root @param {string} file @returns {MutationRecord | undefined} */
export function readRecord(root, file) {
  const p = recordPath(root, file);
  return existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : undefined;
}

/** One result (and one test file) per line: a re-run changes the lines of the mutants it retested. */
/** @param {MutationRecord} r */
export function formatRecord(r) {
  const head = JSON.stringify({ file: r.file, source: r.source, mutants: r.mutants, measured: r.measured, stryker: r.stryker }, null, 2).replace(/\n}$/, "");
  const list = (/** @type {unknown[]} */ xs) => (xs.length === 0 ? "[]" : `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(",\n")}\n  ]`);
  return `${head},\n  "tests": ${list(r.tests)},\n  "results": ${list(r.results)}\n}\n`;
}

/** @param {string} root @param {MutationRecord} r */
export function writeRecord(root, r) {
  const p = recordPath(root, r.file);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, formatRecord(r));
}

/**
 * @typedef {{ killed: number, timeout: number, survived: number, noCoverage: number, other: number }} Counts
 * @param {{ status: string }[] | Result[]} results
 * @returns {Counts}
 */
export function counts(results) {
  /** @type {Counts} */
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
  for (const r of results) {
    const status = Array.isArray(r) ? r[3] : r.status;
    if (status === "Killed") c.killed++;
    else if (status === "Timeout") c.timeout++;
    else if (status === "Survived") c.survived++;
    else if (status === "NoCoverage") c.noCoverage++;
    else c.other++;
  }
  return c;
}

/**
 * One line of the scores: a file, or a folder's files added up.
 * @typedef {Counts & { file: string, source: string, mutants: number, measured: string | null }} ScoreRow
 */

/** @param {Counts & { mutants: number }} r */
export function tested(r) {
  return r.killed + r.timeout + r.survived + r.noCoverage + r.other;
}

/** @param {Counts} r @returns {string} detected / valid, or "-" when nothing valid was tested */
export function score(r) {
  const detected = r.killed + r.timeout;
  const valid = detected + r.survived + r.noCoverage;
  return valid === 0 ? "-" : `${((100 * detected) / valid).toFixed(1)} %`;
}

/** @param {ScoreRow[]} rows @param {string} name */
export function total(rows, name) {
  /** @type {ScoreRow} */
  const t = { file: name, source: "", mutants: 0, measured: null, killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
  for (const r of rows) {
    t.mutants += r.mutants;
    t.killed += r.killed;
    t.timeout += r.timeout;
    t.survived += r.survived;
    t.noCoverage += r.noCoverage;
    t.other += r.other;
    if (r.measured !== null && (t.measured === null || r.measured > t.measured)) t.measured = r.measured;
  }
  return t;
}

/**
 * The scores table: per file, then per folder (the files directly in it) and for everything.
 * `stale` marks files changed since they were measured (their numbers are of the older source).
 * `files`: a line for every file (the default), for the measured ones only, or none.
 * @param {ScoreRow[]} rows @param {{ target: string, stale?: Set<string>, files?: "all" | "measured" | "none" }} opts
 */
export function renderScores(rows, opts) {
  const stale = opts.stale ?? new Set();
  const folders = [...new Set(rows.map((r) => path.posix.dirname(r.file)))].sort();
  /** @type {[string, ScoreRow][]} */
  const lines = [];
  const shown = opts.files === "none" ? [] : opts.files === "measured" ? rows.filter((r) => r.measured !== null) : rows;
  for (const r of [...shown].sort((a, b) => a.file.localeCompare(b.file))) lines.push([`${r.file}${stale.has(r.file) ? " *" : ""}`, r]);
  if (lines.length > 0) lines.push(["", total([], "")]);
  for (const f of folders) {
    const inside = rows.filter((r) => path.posix.dirname(r.file) === f);
    lines.push([`${f}/*.ts (${inside.length} files)`, total(inside, f)]);
  }
  if (folders.length > 1) lines.push([`${opts.target} (all, ${rows.length} files)`, total(rows, opts.target)]);
  // At least 38 columns, so that a line does not change when a longer name joins the table.
  const width = Math.max(...lines.map(([n]) => n.length), 38);
  const head = `${"".padEnd(width)}  mutants  not tested  score    killed  survived  no cov.`;
  const out = [head];
  for (const [name, r] of lines) {
    if (name === "") {
      out.push("");
      continue;
    }
    const t = tested(r);
    out.push(
      `${name.padEnd(width)}  ${String(r.mutants).padStart(7)}  ${String(r.mutants - t).padStart(10)}  ${score(r).padStart(7)}  ${String(r.killed + r.timeout).padStart(6)}  ${String(r.survived).padStart(8)}  ${String(r.noCoverage).padStart(7)}`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** @param {string} root @param {string} target */
export const summaryPath = (root, target) => path.join(root, RESULTS_DIR, `${target.replace(/[^A-Za-z0-9]+/g, "-")}.summary.json`);

/** @param {string} root @param {string} target @param {ScoreRow[]} rows */
export function writeSummary(root, target, rows) {
  const p = summaryPath(root, target);
  mkdirSync(path.dirname(p), { recursive: true });
  const sorted = [...rows].sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(p, `{\n  "target": ${JSON.stringify(target)},\n  "files": [\n${sorted.map((r) => `    ${JSON.stringify(r)}`).join(",\n")}\n  ]\n}\n`);
}
