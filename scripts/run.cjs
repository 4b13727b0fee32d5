#!/usr/bin/env node
// @ts-check
/**
 * The launcher behind every `npm run <cli>`: `node scripts/run.cjs <cli> [args...]`.
 *
 * Runs the built bin/<cli>.js as the main module (as `node bin/<cli>.js args...` would), after
 * rebuilding it when any of its sources changed since the last build (scripts/build.cjs keeps
 * the list of inputs with their mtime and size). So a developer who edits a .ts file and runs
 * `npm run verify` never gets a stale build, and the check costs one stat per source file.
 */
"use strict";
const Module = require("node:module");
const path = require("node:path");

// Node 22.1+ keeps V8's compiled code of every module loaded from here on (build.cjs, the bundle,
// the AWS SDK, @pulumi/*) on disk and reuses it: start-up and the first verify run get markedly
// faster. Node checks each entry against the file's contents. Turned on before build.cjs loads,
// so its code is cached too; the directory is build.cjs's OUT_DIR/.compile-cache.
const mod = /** @type {{ enableCompileCache?: (dir?: string) => unknown }} */ (/** @type {unknown} */ (Module));
if (typeof mod.enableCompileCache === "function" && !process.env.NODE_COMPILE_CACHE) mod.enableCompileCache(path.join(__dirname, "..", "bin", ".compile-cache"));

const { CLIS, build, outputOf, staleReason } = require("./build.cjs");

const [cli, ...args] = process.argv.slice(2);
if (!cli || !Object.prototype.hasOwnProperty.call(CLIS, cli)) {
  process.stderr.write(`usage: node scripts/run.cjs <${Object.keys(CLIS).join("|")}> [args...]\n`);
  process.exit(2);
}

function start() {
  const main = outputOf(cli);
  // With --debug, stack traces point at the TypeScript sources (bin/*.js.map).
  if (args.includes("--debug")) process.setSourceMapsEnabled(true);
  process.argv = [process.argv[0], main, ...args];
  // Load the bundle as the main module, so `require.main === module` holds in it.
  /** @type {{ runMain(main?: string): void }} */ (/** @type {unknown} */ (Module)).runMain(main);
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
