/**
 * packages/mail-infra/package-lock.json, the lockfile the `npm install` of `pulumi package add`
 * follows in the package's directory, pins what this repository tests: the package's declared
 * dependencies, and every package at the path, version and integrity of the root
 * package-lock.json. Stale after a dependency change: `npx tsx scripts/component-lock.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dependencyClosure, type LockEntry, lockPackages } from "../../scripts/lib/npm-closure";
import { ROOT } from "../helpers/spawn";

const PACKAGE_DIR = join(ROOT, "packages/mail-infra");
type Manifest = { dependencies: Record<string, string>; devDependencies: Record<string, string>; engines: Record<string, string> };
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as Manifest;
const lock = lockPackages(PACKAGE_DIR) as Record<string, LockEntry & Partial<Manifest>>;
const root = lockPackages(ROOT);

describe("the component package's lockfile (regenerate: npx tsx scripts/component-lock.ts)", () => {
  it("declares the package's dependencies as its package.json does", () => {
    expect({ dependencies: lock[""].dependencies, devDependencies: lock[""].devDependencies, engines: lock[""].engines }).toEqual({
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
      engines: manifest.engines,
    });
  });

  it("holds every package at the path, version and integrity the root lockfile pins", () => {
    const differ = Object.entries(lock)
      .filter(([key]) => key !== "")
      .filter(([key, entry]) => root[key]?.version !== entry.version || root[key]?.integrity !== entry.integrity)
      .map(([key, entry]) => `${key}@${entry.version} (root: ${root[key]?.version ?? "absent"})`);
    expect(differ).toEqual([]);
  });

  it("holds exactly the closure of the package's dependencies", () => {
    const top = new Set(Object.keys(lock).flatMap((key) => /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1] ?? []));
    expect([...top].sort()).toEqual(dependencyClosure(ROOT, [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]));
  });
});
