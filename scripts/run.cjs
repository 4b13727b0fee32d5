#!/usr/bin/env node
// @ts-check
/**
 * The launcher behind every `npm run <cli>`: `node scripts/run.cjs <cli> [args...]`.
 *
 * Runs the built bin/<cli>.js as the main module (as `node bin/<cli>.js args...` would), after
 * rebuilding it when any of its sources changed since the last build (scripts/build.cjs keeps
 * the list of inputs with their mtime and size). So a developer who edits a .ts file and runs
 * `npm run verify` never gets a stale build, and the check costs one stat per source file.
 * The bundle starts from V8's code kept by earlier runs (runWithCodeCache, below).
 */
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

// Node 22.1+ keeps V8's compiled code of every module loaded from here on (build.cjs, the bundle,
// the AWS SDK, @pulumi/*) on disk and reuses it: start-up and the first verify run get markedly
// faster. Node checks each entry against the file's contents. Turned on before build.cjs loads,
// so its code is cached too; the directory is build.cjs's OUT_DIR/.compile-cache.
const mod = /** @type {{ enableCompileCache?: (dir?: string) => unknown }} */ (/** @type {unknown} */ (Module));
if (typeof mod.enableCompileCache === "function" && !process.env.NODE_COMPILE_CACHE) mod.enableCompileCache(path.join(__dirname, "..", "bin", ".compile-cache"));

const { AWS_SDK_BUNDLE, CLIS, build, outputOf, staleReason } = require("./build.cjs");

const [cli, ...args] = process.argv.slice(2);
if (!cli || !Object.prototype.hasOwnProperty.call(CLIS, cli)) {
  process.stderr.write(`usage: node scripts/run.cjs <${Object.keys(CLIS).join("|")}> [args...]\n`);
  process.exit(2);
}

/**
 * V8's code for the bundle, kept after a run (docs/architecture.md, "Start-up"). Node's compile
 * cache (above) serializes a file's code right after compiling it, before it runs: it keeps the
 * top-level code only, and every function a run calls (commander's parsing, zod's set-up, each
 * lazily started module of the bundle, verify's checks) is compiled again on every start.
 * `vm.Script#createCachedData()` after the run includes them. One file per bundle in
 * bin/.compile-cache/bundles/ (and <cli>.aws-sdk.js.cache for the AWS SDK's bundle as each CLI
 * uses it), with a header naming the bundle it was made from (inode, size,
 * mtime: every build writes a new file by rename) and how long the run that made it took: it is
 * written when there is none, when V8 or the header rejects it, and when a run takes more than
 * twice as long as the one that made it (a real run after a --help), so it soon holds what the
 * real commands compile, and is rarely rewritten.
 */
const BUNDLE_CACHE_DIR = path.join(__dirname, "..", "bin", ".compile-cache", "bundles");

/** @param {import("node:fs").Stats} st */
const bundleKey = (st) => `${process.version} ${st.ino} ${st.size} ${st.mtimeMs}`;

/** @param {string} file @returns {{ data: Buffer | undefined, ms: number }} */
function readBundleCache(file, /** @type {string} */ key) {
  try {
    const raw = fs.readFileSync(file);
    const nl = raw.indexOf(10);
    const header = /** @type {{ key?: unknown, ms?: unknown }} */ (JSON.parse(raw.subarray(0, nl).toString("utf8")));
    if (header.key === key && typeof header.ms === "number") return { data: raw.subarray(nl + 1), ms: header.ms };
  } catch {
    // No cache yet, or not one we can use: this run makes one.
  }
  return { data: undefined, ms: 0 };
}

/**
 * A bundle's code as a vm.Script, compiled from the V8 code kept by earlier runs (in
 * `cacheName`) when that still fits; at exit the code of this run is kept when there was none,
 * V8 or the header rejected it, or this run took more than twice as long as the one that made it.
 * Returns the module wrapper function (exports, require, module, filename, dirname).
 * @param {string} file @param {string} cacheName
 */
function compileWithKeptCode(file, cacheName) {
  // One open file for both: a rebuild renaming a new bundle into place meanwhile cannot pair
  // this file's text with the other's key.
  const fd = fs.openSync(file, "r");
  let source;
  let key;
  try {
    key = bundleKey(fs.fstatSync(fd));
    source = fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
  const cacheFile = path.join(BUNDLE_CACHE_DIR, `${cacheName}.cache`);
  const cached = readBundleCache(cacheFile, key);
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    ...(cached.data ? { cachedData: cached.data } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const stale = cached.data === undefined || script.cachedDataRejected === true;
  process.on("exit", () => {
    const ms = Math.round(performance.now());
    if (!stale && ms <= 2 * cached.ms) return;
    try {
      fs.mkdirSync(BUNDLE_CACHE_DIR, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(JSON.stringify({ key, ms }) + "\n"), script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    } catch {
      // A read-only checkout: the next run compiles as it would without the cache.
    }
  });
  return /** @type {(exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void} */ (script.runInThisContext());
}

/**
 * The AWS SDK's bundle (bin/aws-sdk.js, scripts/build.cjs), which a CLI's bundle `require`s with
 * its first AWS call, also runs from kept code: one cache per CLI, as each uses other clients.
 * Only that one file; every other module loads as Node loads it.
 */
function keepAwsSdkCode() {
  const extensions = /** @type {{ _extensions: Record<string, (module: Module, filename: string) => void> }} */ (/** @type {unknown} */ (Module))._extensions;
  const loadJs = extensions[".js"];
  extensions[".js"] = function (module, filename) {
    if (filename !== AWS_SDK_BUNDLE) return loadJs.call(this, module, filename);
    const fn = compileWithKeptCode(filename, `${cli}.${path.basename(filename)}`);
    fn.call(module.exports, module.exports, Module.createRequire(filename), module, filename, path.dirname(filename));
  };
}

/** Run the bundle as the main module from a vm.Script with the kept code (what Module.runMain does, plus the cache). */
function runWithCodeCache(/** @type {string} */ main) {
  const fn = compileWithKeptCode(main, path.basename(main));
  keepAwsSdkCode();
  // The main module, as Module.runMain makes it: id ".", in require.cache, require.main.
  const m = new Module(main, null);
  m.id = ".";
  m.filename = main;
  m.paths = /** @type {{ _nodeModulePaths(dir: string): string[] }} */ (/** @type {unknown} */ (Module))._nodeModulePaths(path.dirname(main));
  /** @type {{ _cache: Record<string, unknown> }} */ (/** @type {unknown} */ (Module))._cache[main] = m;
  process.mainModule = m;
  const req = Module.createRequire(main);
  req.main = m;
  m.require = (/** @type {string} */ id) => req(id);
  fn.call(m.exports, m.exports, req, m, main, path.dirname(main));
  m.loaded = true;
}

function start() {
  const main = outputOf(cli);
  process.argv = [process.argv[0], main, ...args];
  if (args.includes("--debug")) {
    // With --debug, stack traces point at the TypeScript sources (bin/*.js.map): Node's own loader
    // reads the source map, so the bundle loads as `node bin/<cli>.js` would, without the kept code.
    process.setSourceMapsEnabled(true);
    /** @type {{ runMain(main?: string): void }} */ (/** @type {unknown} */ (Module)).runMain(main);
  } else runWithCodeCache(main);
}

const reason = staleReason();
if (reason === undefined) start();
else {
  process.stderr.write(`(rebuilding the CLIs: ${reason})\n`);
  build().then(start, (e) => {
    process.stderr.write(`error: could not build the CLIs: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
