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
  // One space between the number columns: scripts/verify's longest folder name is 47 characters,
  // and the table stays within 100 columns (tests/docs/columns.test.ts).
  const head = `${"".padEnd(width)}  mutants untested   score killed survived no cov.`;
  const out = [head];
  for (const [name, r] of lines) {
    if (name === "") {
      out.push("");
      continue;
    }
    const t = tested(r);
    out.push(
      `${name.padEnd(width)}  ${String(r.mutants).padStart(7)} ${String(r.mutants - t).padStart(8)} ${score(r).padStart(7)} ${String(r.killed + r.timeout).padStart(6)} ${String(r.survived).padStart(8)} ${String(r.noCoverage).padStart(7)}`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** @param {string} root @param {string} target */
/**
 * The file name Stryker's incremental file and reports take for a run over `name` (one or more
 * targets): cut to 100 characters. scripts/mutation.mjs and stryker.config.mjs both use it, so the
 * records are read back from the file Stryker wrote.
 * @param {string} name
 */
export const runSlug = (name) => name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 100);

/** @param {string} root @param {string} target */
export const summaryPath = (root, target) => path.join(root, RESULTS_DIR, `${target.replace(/[^A-Za-z0-9]+/g, "-")}.summary.json`);

/** @param {string} root @param {string} target @param {ScoreRow[]} rows */
export function writeSummary(root, target, rows) {
  const p = summaryPath(root, target);
  mkdirSync(path.dirname(p), { recursive: true });
  const sorted = [...rows].sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(p, `{\n  "target": ${JSON.stringify(target)},\n  "files": [\n${sorted.map((r) => `    ${JSON.stringify(r)}`).join(",\n")}\n  ]\n}\n`);
}

/**
 * @typedef {{ blob: string, keys: Set<string> }} SourceMutants the blob id of a file's source and the keys (mutantKey) of its mutants
 * @typedef {{
 *   root: string,
 *   read: (file: string) => string | undefined,
 *   gitBlob: (id: string) => string | undefined,
 *   keysOf: (files: string[]) => Promise<Map<string, SourceMutants>>,
 *   today: string,
 *   stryker: string,
 * }} Context
 */

/**
 * Stryker's incremental file from the kept records of `list`: each record's mutants on the source
 * they were measured on (the current file, or its older version from git), and the tests that
 * killed or covered them. Stryker diffs the old sources against today's and reuses what still holds.
 * @param {Context} ctx @param {string[]} list
 */
export function incrementalFromRecords(ctx, list) {
  /** @type {Record<string, { language: string, source: string, mutants: object[] }>} */
  const filesOut = {};
  /** @type {Map<string, { blob: string, measured: string, tests: Map<string, { id: string, name: string, location: { start: { line: number, column: number } } }> }[]>} */
  const testEntries = new Map();
  const testId = (/** @type {string} */ file, /** @type {[string, number, number]} */ t) => `${file}@${t[1]}:${t[2]}\n${t[0]}`;
  for (const f of list) {
    const rec = readRecord(ctx.root, f);
    if (!rec) continue;
    const current = ctx.read(f) ?? "";
    const source = rec.source === blobId(current) ? current : ctx.gitBlob(rec.source);
    if (source === undefined) continue; // measured on a source git no longer has: test again
    /** @type {string[]} */
    const ids = [];
    for (const t of rec.tests) {
      const list = testEntries.get(t.file) ?? [];
      testEntries.set(t.file, list);
      let entry = list.find((e) => e.blob === t.source);
      if (!entry) list.push((entry = { blob: t.source, measured: rec.measured, tests: new Map() }));
      if (rec.measured > entry.measured) entry.measured = rec.measured;
      for (const ref of t.tests) {
        const id = `${t.source}:${testId(t.file, ref)}`;
        entry.tests.set(id, { id, name: ref[0], location: { start: { line: ref[1], column: ref[2] } } });
        ids.push(id);
      }
    }
    filesOut[f] = {
      language: "typescript",
      source,
      // A survivor covered by no test is a static mutant (run when the module loads): Stryker
      // would reuse it even after new tests, as it has no per-test coverage to compare. Test it again.
      mutants: rec.results.filter((r) => !(r[3] === "Survived" && r[5].length === 0)).map((r, n) => ({
        id: `${f}#${n}`,
        mutatorName: r[1],
        replacement: r[2],
        location: location(r[0]),
        status: r[3],
        killedBy: r[4].map((k) => ids[k]),
        coveredBy: r[5].map((k) => ids[k]),
      })),
    };
  }
  /** @type {Record<string, { source?: string, tests: object[] }>} */
  const testFiles = {};
  for (const [file, entries] of testEntries) {
    // One version of a test file: today's if a record has it, else the latest measured. Results
    // tied to another version are tested again.
    const text = ctx.read(file);
    const current = text === undefined ? undefined : blobId(text);
    const chosen = entries.find((e) => e.blob === current) ?? [...entries].sort((a, b) => b.measured.localeCompare(a.measured))[0];
    if (!chosen) continue;
    const source = chosen.blob === current ? text : ctx.gitBlob(chosen.blob);
    testFiles[file] = { ...(source === undefined ? {} : { source }), tests: [...chosen.tests.values()] };
  }
  return { schemaVersion: "2", thresholds: { high: 90, low: 75 }, projectRoot: ctx.root, files: filesOut, testFiles };
}

/**
 * Folds a Stryker report (the incremental file it wrote, complete or partial) into the records of
 * `list`: every mutant of today's source that has a result, from this run or kept from before.
 * @param {Context} ctx @param {string[]} list @param {any} report
 */
export async function foldIntoRecords(ctx, list, report) {
  const { today, stryker: version } = ctx;
  /** @type {Map<string, { file: string, blob: string, name: string, line: number, column: number }>} */
  const testsById = new Map();
  for (const [file, tf] of Object.entries(report.testFiles ?? {})) {
    const t = /** @type {{ source?: string, tests: { id: string, name: string, location?: { start: { line: number, column: number } } }[] }} */ (tf);
    const text = t.source ?? ctx.read(file);
    const blob = text === undefined ? "" : blobId(text);
    for (const x of t.tests) testsById.set(x.id, { file, blob, name: x.name, line: x.location?.start.line ?? 0, column: x.location?.start.column ?? 0 });
  }
  const now = await ctx.keysOf(list);
  let changed = 0;
  for (const f of list) {
    const cur = /** @type {{ blob: string, keys: Set<string> }} */ (now.get(f));
    /** @type {Map<string, { place: string, mutator: string, replacement: string, status: string, killedBy: typeof tests, coveredBy: typeof tests }>} */
    const entries = new Map();
    /** @type {{ file: string, blob: string, name: string, line: number, column: number }[]} */
    const tests = [];
    const old = readRecord(ctx.root, f);
    let fresh = false;
    if (old && old.source === cur.blob) {
      const oldTests = old.tests.flatMap((t) => t.tests.map((x) => ({ file: t.file, blob: t.source, name: x[0], line: x[1], column: x[2] })));
      for (const r of old.results) {
        const key = mutantKey(r[0], r[1], r[2]);
        if (cur.keys.has(key)) entries.set(key, { place: r[0], mutator: r[1], replacement: r[2], status: r[3], killedBy: r[4].map((k) => oldTests[k]), coveredBy: r[5].map((k) => oldTests[k]) });
      }
    }
    for (const m of report.files?.[f]?.mutants ?? []) {
      if (m.status === "Pending" || m.status === undefined) continue;
      const place = at(m.location);
      const key = mutantKey(place, m.mutatorName, m.replacement ?? m.mutatorName);
      if (!cur.keys.has(key)) continue;
      const ref = (/** @type {string[] | undefined} */ ids) => (ids ?? []).map((id) => testsById.get(id)).filter((t) => t !== undefined);
      const before = entries.get(key);
      entries.set(key, {
        place,
        mutator: m.mutatorName,
        replacement: m.replacement ?? m.mutatorName,
        status: m.status,
        killedBy: ref(m.killedBy),
        // What covered a killed mutant is not needed to reuse it (its killer is), and is most of a record's size.
        coveredBy: m.status === "Killed" ? [] : ref(m.coveredBy),
      });
      if (!before || before.status !== m.status) fresh = true;
    }
    if (entries.size === 0) continue;
    // The tests table: one entry per test file version, its tests in order.
    /** @type {Map<string, { file: string, source: string, tests: [string, number, number][] }>} */
    const byFile = new Map();
    /** @type {Map<string, number>} */
    const index = new Map();
    const sorted = [...entries.values()].sort((a, b) => {
      const la = location(a.place).start;
      const lb = location(b.place).start;
      return la.line - lb.line || la.column - lb.column || a.mutator.localeCompare(b.mutator) || a.replacement.localeCompare(b.replacement);
    });
    for (const e of sorted) for (const t of [...e.killedBy, ...e.coveredBy]) tests.push(t);
    for (const t of tests) {
      const k = `${t.file}\n${t.blob}`;
      if (!byFile.has(k)) byFile.set(k, { file: t.file, source: t.blob, tests: [] });
    }
    const fileOrder = [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file) || a.source.localeCompare(b.source));
    for (const tf of fileOrder) {
      const mine = tests.filter((t) => t.file === tf.file && t.blob === tf.source);
      const uniq = new Map(mine.map((t) => [`${t.line}:${t.column}\n${t.name}`, t]));
      tf.tests = [...uniq.values()].sort((a, b) => a.line - b.line || a.column - b.column || a.name.localeCompare(b.name)).map((t) => [t.name, t.line, t.column]);
    }
    let n = 0;
    for (const tf of fileOrder) for (const t of tf.tests) index.set(`${tf.file}\n${tf.source}\n${t[1]}:${t[2]}\n${t[0]}`, n++);
    const idx = (/** @type {{ file: string, blob: string, name: string, line: number, column: number }} */ t) =>
      /** @type {number} */ (index.get(`${t.file}\n${t.blob}\n${t.line}:${t.column}\n${t.name}`));
    const uniqIdx = (/** @type {typeof tests} */ ts) => [...new Set(ts.map(idx))].sort((a, b) => a - b);
    writeRecord(ctx.root, {
      file: f,
      source: cur.blob,
      mutants: cur.keys.size,
      measured: fresh || !old ? today : old.measured,
      stryker: version,
      tests: fileOrder,
      results: sorted.map((e) => [e.place, e.mutator, e.replacement, e.status, uniqIdx(e.killedBy), uniqIdx(e.coveredBy)]),
    });
    changed++;
  }
  return changed;
}

