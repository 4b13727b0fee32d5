#!/usr/bin/env node
// @ts-check
/**
 * `npm run test:mutation -- <path> [--force] [--concurrency N] [--minutes N] [--report-only] [--survivors]`
 *
 * Mutation testing with StrykerJS over one folder, file or line range of the rules (lib/,
 * lib/verify, lib/diagnose, scripts/verify...), run against the pure tests that import it (see
 * tests/mutation/targets.mjs). Results accumulate in git, per source file, in
 * tests/mutation/results/ (scripts/lib/mutation-results.mjs): before a run they become Stryker's
 * incremental file, so only mutants whose code or covering tests changed are tested again; after
 * it (finished, interrupted or stopped by --minutes) the new results are folded back in.
 * A folder means the .ts files directly in it (lib means lib/*.ts, not lib/verify) for a run;
 * `--report-only` over a folder reports every file below it, with what is not tested yet, and
 * over a root (lib, scripts/verify...) writes its summary (tests/mutation/results/<root>.summary.json).
 * The HTML report of the last run, with every surviving mutant, is in .cache/stryker/<path>.report.html.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOTS, SERVER_TESTS } from "../tests/mutation/targets.mjs";
import { at, blobId, counts, foldIntoRecords, incrementalFromRecords, location, mutantKey, readRecord, renderScores, runSlug, summaryPath, writeSummary } from "./lib/mutation-results.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `usage: npm run test:mutation -- <path>... [--force] [--concurrency 1|2] [--minutes N] [--report-only] [--survivors]
  <path>  a folder or .ts file under ${ROOTS.join(", ")}, e.g. lib/verify or lib/spf.ts,
          or a line range of one file, e.g. scripts/verify/layers/relay/check.ts:127-222;
          several paths share one run (one initial test run for all)
  --force         test every mutant again (ignore the results kept so far)
  --concurrency   test runners at a time (default 2; this machine has 2 cores)
  --minutes N     stop after N minutes and keep what was tested (the next run goes on from there)
  --report-only   print the scores kept so far (a folder: every file below it), run nothing
  --survivors     also list every surviving mutant (file:line, mutator, the replacement)`;

/** @param {string} message @returns {never} */
function usage(message) {
  process.stderr.write(`test:mutation: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
/** @type {string[]} */
const targets = [];
let force = false;
let reportOnly = false;
let survivors = false;
let concurrency = "2";
/** @type {number | undefined} */
let minutes;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--force") force = true;
  else if (a === "--report-only") reportOnly = true;
  else if (a === "--survivors") survivors = true;
  else if (a === "--concurrency") {
    concurrency = args[++i] ?? "";
    if (!/^[12]$/.test(concurrency)) usage(`--concurrency takes 1 or 2, got '${concurrency}'`);
  } else if (a === "--minutes") {
    const v = args[++i] ?? "";
    if (!/^[1-9]\d*$/.test(v)) usage(`--minutes takes a whole number of minutes, got '${v}'`);
    minutes = Number(v);
  } else if (a === "--help" || a === "-h") {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } else if (a.startsWith("-")) usage(`unknown option '${a}'`);
  else targets.push(a.replace(/\/+$/, ""));
}
if (targets.length === 0) usage("name the folder or file to mutate");
const name = targets.join(" ");
// A line range of one file (scripts/verify/layers/relay/check.ts:127-222) mutates only those lines: a big file
// is measured one function at a time.
const ranged = targets.length === 1 ? /^(.+\.ts):(\d+)-(\d+)$/.exec(name) : null;
if (targets.length > 1 && targets.some((t) => /:\d+-\d+$/.test(t))) usage("a line range is measured on its own");
// Several paths share one run: one initial test run (minutes here) for all their files.
const rels = ranged ? [/** @type {string} */ (ranged[1])] : targets;
for (const r of rels) {
  if (!ROOTS.some((root) => r === root || r.startsWith(`${root}/`))) usage(`'${r}' is not under ${ROOTS.join(", ")}`);
  if (!existsSync(path.join(ROOT, r))) usage(`'${r}' does not exist`);
}
const rel = /** @type {string} */ (rels[0]);
const isTs = (/** @type {string} */ f) => f.endsWith(".ts") && !f.endsWith(".d.ts");
/** @param {string} dir @param {boolean} deep @returns {string[]} */
function tsFiles(dir, deep) {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (deep ? tsFiles(`${dir}/${e.name}`, true) : []) : isTs(e.name) ? [`${dir}/${e.name}`] : []))
    .sort();
}
const isDir = rels.length === 1 && statSync(path.join(ROOT, rel)).isDirectory();
// A run mutates the files directly in a folder; a report covers every file below it.
const files = [...new Set(rels.flatMap((r) => (statSync(path.join(ROOT, r)).isDirectory() ? tsFiles(r, reportOnly) : [r])))];
if (files.length === 0) usage(`'${name}' holds no .ts file`);
const slug = runSlug(name);
const incrementalFile = path.join(ROOT, ".cache/stryker", `${slug}.incremental.json`);
const read = (/** @type {string} */ f) => readFileSync(path.join(ROOT, f), "utf8");

/** A blob's text from git (an older version of a file), or undefined when git does not have it. */
function gitBlob(/** @type {string} */ id) {
  const r = spawnSync("git", ["cat-file", "blob", id], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : undefined;
}

/** The mutants Stryker makes of each file's current source (its own instrumenter, nothing run). */
async function instrument(/** @type {string[]} */ list) {
  const { Instrumenter } = await import("@stryker-mutator/instrumenter");
  const quiet = () => false;
  const none = () => undefined;
  const logger = /** @type {any} */ ({ isTraceEnabled: quiet, isDebugEnabled: quiet, isInfoEnabled: quiet, isWarnEnabled: quiet, isErrorEnabled: quiet, isFatalEnabled: quiet, trace: none, debug: none, info: none, warn: none, error: none, fatal: none });
  /** @type {Map<string, { blob: string, keys: Set<string> }>} */
  const out = new Map();
  for (const f of list) {
    const content = read(f);
    const r = await new Instrumenter(logger).instrument([{ name: f, content, mutate: true }], { plugins: null, excludedMutations: [], ignorers: [] });
    // The instrumenter counts lines and columns from 0, Stryker's reports from 1.
    const keys = new Set(
      r.mutants.map((m) =>
        mutantKey(at({ start: { line: m.location.start.line + 1, column: m.location.start.column + 1 }, end: { line: m.location.end.line + 1, column: m.location.end.column + 1 } }), m.mutatorName, m.replacement),
      ),
    );
    out.set(f, { blob: blobId(content), keys });
  }
  return out;
}
/** What the record functions need from the outside: files, git, the instrumenter, the date. */
const context = {
  root: ROOT,
  read: (/** @type {string} */ f) => (existsSync(path.join(ROOT, f)) ? read(f) : undefined),
  gitBlob,
  keysOf: instrument,
  today: new Date().toISOString().slice(0, 10),
  stryker: JSON.parse(read("node_modules/@stryker-mutator/core/package.json")).version,
};

if (!reportOnly) {
  const serverTests = [...new Set(files.flatMap((f) => SERVER_TESTS[f] ?? []))].filter((t) => existsSync(path.join(ROOT, t)));
  mkdirSync(path.dirname(incrementalFile), { recursive: true });
  // No record yet for any of these files: a local incremental file from before is used as it is.
  if (!force && files.some((f) => readRecord(ROOT, f) !== undefined)) writeFileSync(incrementalFile, JSON.stringify(incrementalFromRecords(context, files)));
  const env = {
    ...process.env,
    MUTATION_TARGET: name,
    MUTATION_SLUG: slug,
    MUTATION_FILES: ranged ? `${rel}:${ranged[2]}-${ranged[3]}` : files.join(","),
    MUTATION_SERVER_TESTS: serverTests.join(","),
    MUTATION_CONCURRENCY: concurrency,
    MUTATION_FORCE: force ? "1" : "0",
  };
  process.stderr.write(`test:mutation: ${files.length} file(s) of ${name}${serverTests.length ? `, with ${serverTests.join(", ")}` : ""}${minutes ? `, for at most ${minutes} min` : ""}\n`);
  const stryker = path.join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js");
  const started = Date.now();
  const child = spawn(process.execPath, [stryker, "run", "stryker.config.mjs"], { cwd: ROOT, env, stdio: "inherit" });
  // Interrupted (Ctrl-C, a kill, --minutes): Stryker saves what it tested, and it is kept below.
  /** @type {NodeJS.Signals | undefined} */
  let stopped;
  const stop = (/** @type {NodeJS.Signals} */ sig) => {
    stopped = sig;
    child.kill("SIGTERM");
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const timer = minutes ? setTimeout(() => stop("SIGTERM"), minutes * 60_000) : undefined;
  const status = await new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
  if (timer) clearTimeout(timer);
  const wrote = existsSync(incrementalFile) && statSync(incrementalFile).mtimeMs >= started;
  if (wrote) {
    const n = await foldIntoRecords(context, ranged ? [rel] : files, JSON.parse(readFileSync(incrementalFile, "utf8")));
    process.stderr.write(`test:mutation: results kept in tests/mutation/results/ (${n} file(s))${stopped ? ", stopped early: run again to go on" : ""}\n`);
  }
  if (status !== 0 && !(stopped && wrote)) process.exit(Number(status));
}

/** Mutant counts of sources with no record of today's version (instrumenting is a second a file). */
async function mutantCounts(/** @type {string[]} */ list) {
  const cacheFile = path.join(ROOT, ".cache/stryker/counts.json");
  /** @type {Record<string, number>} */
  const cache = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, "utf8")) : {};
  const missing = list.filter((f) => cache[blobId(read(f))] === undefined);
  if (missing.length > 0) {
    for (const [, v] of await instrument(missing)) cache[v.blob] = v.keys.size;
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(cache));
  }
  return new Map(list.map((f) => [f, cache[blobId(read(f))] ?? 0]));
}

const reportFiles = ranged ? [rel] : files;
const records = new Map(reportFiles.map((f) => [f, readRecord(ROOT, f)]));
const unmeasured = reportFiles.filter((f) => records.get(f) === undefined);
const countsOf = await mutantCounts(unmeasured);
/** @type {Set<string>} */
const stale = new Set();
const rows = reportFiles.map((f) => {
  const rec = records.get(f);
  if (!rec) return { file: f, source: blobId(read(f)), mutants: countsOf.get(f) ?? 0, measured: null, ...counts([]) };
  if (rec.source !== blobId(read(f))) stale.add(f);
  return { file: f, source: rec.source, mutants: rec.mutants, measured: rec.measured, ...counts(rec.results) };
});
process.stdout.write(`\nmutation score (killed or timed out / valid mutants tested), kept in tests/mutation/results/\n`);
process.stdout.write(renderScores(rows, { target: targets.length > 1 ? "these paths" : name, stale }));
if (stale.size > 0) process.stdout.write(`* changed since measured: these numbers are of the older source; run the file again\n`);
if (reportOnly && isDir && ROOTS.includes(rel)) {
  writeSummary(ROOT, rel, rows);
  process.stdout.write(`summary written: ${path.relative(ROOT, summaryPath(ROOT, rel))}\n`);
}
if (survivors) {
  for (const f of reportFiles) {
    const rec = records.get(f);
    if (!rec) continue;
    const source = rec.source === blobId(read(f)) ? read(f) : gitBlob(rec.source) ?? "";
    const lines = source.split("\n");
    for (const r of rec.results.filter((x) => x[3] === "Survived" || x[3] === "NoCoverage")) {
      const { start, end } = location(r[0]);
      const original =
        start.line === end.line
          ? (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1)
          : `${(lines[start.line - 1] ?? "").slice(start.column - 1)} ...`;
      const short = (/** @type {string} */ t) => (t.replace(/\s+/g, " ").length > 60 ? `${t.replace(/\s+/g, " ").slice(0, 57)}...` : t.replace(/\s+/g, " "));
      process.stdout.write(`${f}:${start.line}:${start.column} ${r[1]}${r[3] === "NoCoverage" ? " (no coverage)" : ""}: ${short(original)} => ${short(r[2])}\n`);
    }
  }
}
if (!reportOnly && rows.some((r) => r.survived + r.noCoverage > 0)) process.stdout.write(`surviving mutants: .cache/stryker/${slug}.report.html\n`);
