#!/usr/bin/env node
// @ts-check
/**
 * npm run build: bundle each CLI (scripts/<name>.ts) into bin/<name>.js with esbuild, so a
 * command starts with plain JavaScript instead of transpiling TypeScript on every run.
 *
 *   node scripts/build.cjs [--if-stale] [--optional]
 *
 * Runs on `npm ci` / `npm install` (the root package's `prepare`), before `npm test`
 * (`pretest`), and from the launcher (scripts/run.cjs) whenever a source file changed since the
 * last build. Plain JavaScript because it runs before anything is compiled.
 *
 * - Our own code (scripts/, lib/, components/, policies/, index.ts) is bundled into one file
 *   per CLI; every node_modules package stays external and is `require`d from node_modules as
 *   usual (bundling @pulumi/pulumi breaks it, and the packages are installed anyway).
 * - Heavy packages load lazily: the CLIs `await import()` them where they are used, and esbuild
 *   keeps a dynamic import of our own modules lazy inside the bundle.
 * - bin/build.json records every input file with its mtime and size (from esbuild's
 *   metafile); the launcher compares them to decide whether the build is stale.
 * - Outputs are written to a temporary name and renamed, so a CLI started during a rebuild
 *   (tests run in parallel) sees either the old or the new file, never half of one.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const OUT_DIR = path.join(ROOT, "bin");
const MANIFEST = path.join(OUT_DIR, "build.json");

/** npm script name -> CLI source in scripts/. Every entry is built to bin/<file>.js. */
const CLIS = {
  verify: "verify.ts",
  plan: "plan.ts",
  policy: "policy.ts",
  "smtp-password": "smtp-password.ts",
  "preview:policy": "preview-policy.ts",
  "docs:policies": "docs-policies.ts",
  "relay-fix": "relay-fix.ts",
  adopt: "adopt.ts",
  diagnose: "diagnose.ts",
};

/** Files that shape the output without being bundled into it. */
const BUILD_INPUTS = ["scripts/build.cjs", "tsconfig.json", "package.json"];

/** @param {string} cli the npm script name or the source file name */
function outputOf(cli) {
  const source = CLIS[/** @type {keyof typeof CLIS} */ (cli)] ?? cli;
  return path.join(OUT_DIR, source.replace(/\.ts$/, ".js"));
}

/**
 * @typedef {{ version: 1, builder: string, inputs: Record<string, [number, number]> }} BuildManifest
 * inputs: path relative to ROOT -> [mtimeMs, size]
 */

/** @param {string} file @param {string | Uint8Array} text */
function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Bundle every CLI. Returns the manifest it wrote. */
async function build() {
  let esbuild;
  try {
    esbuild = require("esbuild");
  } catch {
    throw new Error("esbuild is not installed: run `npm ci` (it is a devDependency) and try again.");
  }
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.values(CLIS).map((f) => path.join("scripts", f)),
    outdir: OUT_DIR,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const f of result.outputFiles) writeAtomically(f.path, f.contents);

  /** @type {BuildManifest} */
  const manifest = { version: 1, builder: "esbuild " + esbuild.version, inputs: {} };
  for (const rel of [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS]) {
    const st = fs.statSync(path.join(ROOT, rel));
    // A file changed while the build read it: record it as unknown so the next run rebuilds.
    manifest.inputs[rel] = st.mtimeMs >= started ? [0, -1] : [st.mtimeMs, st.size];
  }
  writeAtomically(MANIFEST, JSON.stringify(manifest) + "\n");
  return manifest;
}

/**
 * Why the build must be redone, or undefined when it is current: an input that changed (mtime
 * or size) or vanished, or a missing build. Costs one stat per input (a few dozen files).
 */
function staleReason() {
  /** @type {BuildManifest} */
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
  } catch {
    return "no build yet";
  }
  for (const [rel, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
    let st;
    try {
      st = fs.statSync(path.join(ROOT, rel));
    } catch {
      return `${rel} is gone`;
    }
    if (st.mtimeMs !== mtimeMs || st.size !== size) return `${rel} changed`;
  }
  for (const source of Object.values(CLIS)) if (!fs.existsSync(outputOf(source))) return `bin/${source.replace(/\.ts$/, ".js")} is missing`;
  return undefined;
}

/** @param {string} pkg */
function isInstalled(pkg) {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

module.exports = { CLIS, ROOT, OUT_DIR, build, staleReason, outputOf };

if (require.main === module) {
  // --if-stale: only when an input changed. --optional (npm's prepare): without esbuild (an
  // install without devDependencies, e.g. only to run `pulumi up`) say so and succeed.
  if (process.argv.includes("--if-stale") && staleReason() === undefined) process.exit(0);
  if (process.argv.includes("--optional") && !isInstalled("esbuild")) {
    process.stderr.write("mail-infra: esbuild is not installed (no devDependencies), so the CLIs are not built now; they build on first use once it is.\n");
    process.exit(0);
  }
  build().then(
    () => undefined,
    (e) => {
      process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
