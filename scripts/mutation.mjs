#!/usr/bin/env node
// @ts-check
/**
 * `npm run test:mutation -- <path> [--force] [--concurrency N] [--report-only]`
 *
 * Mutation testing with StrykerJS over one folder or file of the rules (lib/, lib/verify,
 * lib/diagnose, scripts/verify...), run against the pure tests that import it (see
 * tests/mutation/targets.mjs). Incremental: the result per mutant is kept in
 * .cache/stryker/<path>.incremental.json, so a re-run after a change tests only what changed.
 * A folder means the .ts files directly in it (lib means lib/*.ts, not lib/verify).
 * Prints the mutation score per file and for the whole target; the HTML report, with every
 * surviving mutant, is in .cache/stryker/<path>.report.html.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOTS, SERVER_TESTS } from "../tests/mutation/targets.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = `usage: npm run test:mutation -- <path> [--force] [--concurrency 1|2] [--report-only] [--survivors]
  <path>  a folder or .ts file under ${ROOTS.join(", ")}, e.g. lib/verify or lib/spf.ts,
          or a line range of one file, e.g. scripts/verify/layers/relay/check.ts:127-222
  --force         test every mutant again (ignore the incremental file)
  --concurrency   test runners at a time (default 2; this machine has 2 cores)
  --report-only   print the scores of the last run of <path> without running anything
  --survivors     also list every surviving mutant (file:line, mutator, the replacement)`;

/** @param {string} message */
function usage(message) {
  process.stderr.write(`test:mutation: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
/** @type {string | undefined} */
let target;
let force = false;
let reportOnly = false;
let survivors = false;
let concurrency = "2";
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--force") force = true;
  else if (a === "--report-only") reportOnly = true;
  else if (a === "--survivors") survivors = true;
  else if (a === "--concurrency") {
    concurrency = args[++i] ?? "";
    if (!/^[12]$/.test(concurrency)) usage(`--concurrency takes 1 or 2, got '${concurrency}'`);
  } else if (a === "--help" || a === "-h") {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } else if (a.startsWith("-")) usage(`unknown option '${a}'`);
  else if (target === undefined) target = a.replace(/\/+$/, "");
  else usage(`one path at a time, got '${target}' and '${a}'`);
}
if (target === undefined) usage("name the folder or file to mutate");
// A line range of one file (scripts/verify/layers/relay/check.ts:127-222) mutates only those lines: a big file
// is measured one function at a time.
const ranged = /^(.+\.ts):(\d+)-(\d+)$/.exec(/** @type {string} */ (target));
const rel = ranged ? /** @type {string} */ (ranged[1]) : /** @type {string} */ (target);
if (!ROOTS.some((r) => rel === r || rel.startsWith(`${r}/`))) usage(`'${rel}' is not under ${ROOTS.join(", ")}`);
const abs = path.join(ROOT, rel);
if (!existsSync(abs)) usage(`'${rel}' does not exist`);
const files = statSync(abs).isDirectory()
  ? readdirSync(abs).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort().map((f) => `${rel}/${f}`)
  : [rel];
if (files.length === 0) usage(`'${rel}' holds no .ts file`);
const slug = /** @type {string} */ (target).replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
const reportFile = path.join(ROOT, ".cache/stryker", `${slug}.report.json`);

if (!reportOnly) {
  const serverTests = [...new Set(files.flatMap((f) => SERVER_TESTS[f] ?? []))].filter((t) => existsSync(path.join(ROOT, t)));
  const env = {
    ...process.env,
    MUTATION_TARGET: /** @type {string} */ (target),
    MUTATION_FILES: ranged ? `${rel}:${ranged[2]}-${ranged[3]}` : files.join(","),
    MUTATION_SERVER_TESTS: serverTests.join(","),
    MUTATION_CONCURRENCY: concurrency,
    MUTATION_FORCE: force ? "1" : "0",
  };
  process.stderr.write(`test:mutation: ${files.length} file(s) of ${rel}${serverTests.length ? `, with ${serverTests.join(", ")}` : ""}\n`);
  const stryker = path.join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js");
  const r = spawnSync(process.execPath, [stryker, "run", "stryker.config.mjs"], { cwd: ROOT, env, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(reportFile)) {
  process.stderr.write(`test:mutation: no report for ${rel} yet (${path.relative(ROOT, reportFile)}); run without --report-only\n`);
  process.exit(2);
}
/** @typedef {{ line: number, column: number }} Position */
/** @typedef {{ status: string, mutatorName: string, replacement?: string, location: { start: Position, end: Position } }} Mutant */
/** @type {{ files: Record<string, { source: string, mutants: Mutant[] }> }} */
const report = JSON.parse(readFileSync(reportFile, "utf8"));
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);
/** @param {{ status: string }[]} mutants */
function score(mutants) {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const survived = mutants.filter((m) => m.status === "Survived").length;
  const noCoverage = mutants.filter((m) => m.status === "NoCoverage").length;
  const valid = detected + survived + noCoverage;
  return { detected, survived, noCoverage, valid, pct: valid === 0 ? "n/a" : `${((100 * detected) / valid).toFixed(1)} %` };
}
const rows = Object.entries(report.files)
  .filter(([f]) => files.includes(path.relative(ROOT, path.resolve(ROOT, f))))
  .sort(([a], [b]) => a.localeCompare(b));
const all = rows.flatMap(([, f]) => f.mutants);
const width = Math.max(...rows.map(([f]) => f.length), rel.length + 8);
const line = (/** @type {string} */ name, /** @type {ReturnType<typeof score>} */ s) =>
  `${name.padEnd(width)}  ${s.pct.padStart(7)}  ${String(s.detected).padStart(5)} killed  ${String(s.survived).padStart(4)} survived  ${String(s.noCoverage).padStart(4)} no coverage`;
process.stdout.write(`\nmutation score (killed or timed out / all valid mutants)\n`);
for (const [f, data] of rows) process.stdout.write(`${line(f, score(data.mutants))}\n`);
process.stdout.write(`${line(`${target} (all)`, score(all))}\n`);
const undetected = all.filter((m) => UNDETECTED.has(m.status)).length;
if (survivors) {
  for (const [f, data] of rows) {
    const lines = data.source.split("\n");
    for (const m of data.mutants.filter((x) => UNDETECTED.has(x.status))) {
      const { start, end } = m.location;
      const original =
        start.line === end.line
          ? (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1)
          : `${(lines[start.line - 1] ?? "").slice(start.column - 1)} ...`;
      const short = (/** @type {string} */ t) => (t.replace(/\s+/g, " ").length > 60 ? `${t.replace(/\s+/g, " ").slice(0, 57)}...` : t.replace(/\s+/g, " "));
      process.stdout.write(`${f}:${start.line}:${start.column} ${m.mutatorName}${m.status === "NoCoverage" ? " (no coverage)" : ""}: ${short(original)} => ${short(m.replacement ?? "")}\n`);
    }
  }
}
if (undetected > 0) process.stdout.write(`surviving mutants: .cache/stryker/${slug}.report.html\n`);
