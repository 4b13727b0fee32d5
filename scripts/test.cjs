#!/usr/bin/env node
// @ts-check
/**
 * `npm test`: the whole suite (every vitest project) and the type check, side by side.
 *
 * `tsc --noEmit` over everything takes about 16 s and prints nothing while it works; run first,
 * it kept `npm test` silent for that long. Here it starts at once in the background, its output
 * kept, while vitest runs in the foreground and shows progress from the first second; the type
 * check's result is printed when both are done. Exit status: 0 when both passed, else the first
 * failure's (vitest's first). Arguments go to vitest (`npm test -- tests/lib`).
 * `npm run test:unit` runs only the fast unit projects, without the type check.
 */
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const root = path.join(__dirname, "..");
const bin = (/** @type {string} */ name) => path.join(root, "node_modules", ".bin", name);

/** Runs a command; resolves with its exit status and, when `quiet`, its output. */
function run(/** @type {string} */ command, /** @type {string[]} */ args, /** @type {boolean} */ quiet) {
  return new Promise((resolve) => {
    // vitest.config.mts imports a TypeScript helper and uses __dirname, which Vite's bundled
    // config loader (the default) supports; without this, Vite warns about its future native
    // loader once per project.
    const env = { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" };
    const child = spawn(command, args, { cwd: root, env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    /** @type {Buffer[]} */
    const out = [];
    if (quiet) {
      child.stdout?.on("data", (d) => out.push(d));
      child.stderr?.on("data", (d) => out.push(d));
    }
    child.on("error", (e) => resolve({ status: 2, output: `${command}: ${e.message}\n` }));
    child.on("close", (code, signal) => resolve({ status: code ?? (signal ? 1 : 2), output: Buffer.concat(out).toString("utf8") }));
  });
}

async function main() {
  process.stdout.write("npm test: type check (tsc --noEmit) in the background; its result comes after the tests.\n");
  const started = Date.now();
  const tsc = run(bin("tsc"), ["--noEmit"], true);
  const tests = await run(bin("vitest"), ["run", ...process.argv.slice(2)], false);
  const types = await tsc;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (types.status === 0) process.stdout.write(`type check: clean (tsc --noEmit; ${seconds} s for tests and type check)\n`);
  else process.stdout.write(`${types.output}type check: FAILED (tsc --noEmit exit ${types.status})\n`);
  return tests.status !== 0 ? tests.status : types.status;
}

main().then((status) => {
  process.exitCode = status;
});
