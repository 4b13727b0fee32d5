/**
 * The packages a set of dependencies needs, read from a package-lock.json: what the component
 * package's own lockfile holds (scripts/component-lock.ts) and what tests install offline from
 * the repository's node_modules (tests/helpers/npm-offline.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The `packages` of `<root>/package-lock.json`. */
export function lockPackages(root: string): Record<string, LockEntry> {
  return (JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> }).packages;
}

/**
 * The top-level folders of `<root>/node_modules` that the given dependencies need, per its package-lock.json:
 * each package's dependencies (and required peers), resolved the way node does, from the
 * package's own node_modules up. Nested copies come with the top-level folder that holds them.
 */
export function dependencyClosure(root: string, names: string[]): string[] {
  const lock = lockPackages(root);
  const resolve = (from: string, name: string): string | undefined => {
    for (let base = from; ; ) {
      const key = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
      if (lock[key]) return key;
      if (base === "") return undefined;
      const up = base.lastIndexOf("/node_modules/");
      base = up < 0 ? "" : base.slice(0, up);
    }
  };
  const seen = new Set<string>();
  const top = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    top.add(/^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(key)?.[1] ?? key);
    const entry = lock[key] ?? {};
    const required = Object.keys(entry.peerDependencies ?? {}).filter((n) => !entry.peerDependenciesMeta?.[n]?.optional);
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...required]) {
      const found = resolve(key, name);
      if (!found) throw new Error(`package-lock.json: ${key} needs ${name}, which it does not hold`);
      visit(found);
    }
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      const found = resolve(key, name);
      if (found && existsSync(join(root, found))) visit(found);
    }
  };
  for (const name of names) visit(`node_modules/${name}`);
  return [...top].sort();
}

