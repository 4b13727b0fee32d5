/**
 * Writes packages/mail-infra/package-lock.json: the component package's own lockfile, which the
 * `npm install` that `pulumi package add` runs in that directory follows (docs/component.md), so
 * the plugin gets the versions this repository tests (notably @pulumi/pulumi, whose analyser
 * infers the schema), not whatever the ranges allow on the day.
 *
 * npm lays the tree out (`npm install --package-lock-only --offline` in a temporary directory
 * holding the package's package.json and, hard-linked from ours, the packages of its dependencies'
 * closure at the versions the root package-lock.json pins); every entry's `resolved` and
 * `integrity` are then copied from the root lockfile, at the same path. Run it after changing
 * the package's dependencies or the root's versions of them:
 *
 *   npx tsx scripts/component-lock.ts
 *
 * tests/component/lock.test.ts fails while the file is stale.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { dependencyClosure, type LockEntry, lockPackages } from "./lib/npm-closure";

const ROOT = resolve(__dirname, "..");
const PACKAGE_DIR = join(ROOT, "packages/mail-infra");

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The lockfile of the package, laid out by npm, with resolved and integrity from the root lockfile. */
export function componentLock(): { packages: Record<string, LockEntry> } & Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as PackageJson;
  const work = mkdtempSync(join(tmpdir(), "mail-infra-lock-"));
  try {
    copyFileSync(join(PACKAGE_DIR, "package.json"), join(work, "package.json"));
    for (const name of dependencyClosure(ROOT, [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies ?? {})])) {
      const target = join(work, "node_modules", name);
      mkdirSync(dirname(target), { recursive: true });
      if (spawnSync("cp", ["-al", join(ROOT, "node_modules", name), target]).status !== 0) cpSync(join(ROOT, "node_modules", name), target, { recursive: true });
    }
    const r = spawnSync("npm", ["install", "--package-lock-only", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: work, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`npm install --package-lock-only failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    const lock = JSON.parse(readFileSync(join(work, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> } & Record<string, unknown>;
    const root = lockPackages(ROOT);
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (key === "") continue;
      const pinned = root[key];
      if (!pinned || pinned.version !== entry.version) throw new Error(`${key}@${entry.version} is not at that path and version in the root package-lock.json`);
      const { version, ...rest } = entry;
      lock.packages[key] = { version, resolved: pinned.resolved, integrity: pinned.integrity, ...rest };
    }
    return lock;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  writeFileSync(join(PACKAGE_DIR, "package-lock.json"), JSON.stringify(componentLock(), null, 2) + "\n");
  console.log("wrote packages/mail-infra/package-lock.json");
}
