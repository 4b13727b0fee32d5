#!/usr/bin/env node
// @ts-check
/**
 * `npm run docs:outputs`: the one update command for the output the docs print
 * (tests/docs/doc-examples.ts). It reruns, with `-u`, every test file that writes an output
 * (names `docOutput`, even through an alias, or writes into tests/docs/outputs via OUTPUTS), then rewrites the docs'
 * exact blocks from the files (`MAIL_INFRA_UPDATE_DOCS=1` tests/docs/examples.test.ts).
 * Excerpts (`<!-- output: NAME, excerpt -->`) are edited by hand; the check then says which.
 * Some writers start loopback servers (the verify world): this takes a minute or two.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { readdirSync, readFileSync } = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const vitest = path.join(root, "node_modules", ".bin", "vitest");
const WRITES = /\bdocOutput\b|\bOUTPUTS\b/;

/** The test files under tests/ that write an output, relative to the root. */
function writers(/** @type {string} */ dir) {
  /** @type {string[]} */
  const out = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...writers(rel));
    else if (e.name.endsWith(".test.ts") && rel !== path.join("tests", "docs", "examples.test.ts") && WRITES.test(readFileSync(path.join(root, rel), "utf8"))) out.push(rel);
  }
  return out;
}

const env = { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" };
const files = writers("tests").sort();
process.stdout.write(`docs:outputs: rewriting the outputs of ${files.length} test files\n`);
const written = spawnSync(vitest, ["run", ...files, "-u"], { cwd: root, env, stdio: "inherit" });
if (written.status !== 0) process.exit(written.status ?? 1);
const docs = spawnSync(vitest, ["run", "tests/docs/examples.test.ts"], { cwd: root, env: { ...env, MAIL_INFRA_UPDATE_DOCS: "1" }, stdio: "inherit" });
process.exit(docs.status ?? 1);
