/**
 * Installing a package offline in a test, from the repository's own node_modules: the closure of
 * a package's dependencies at the versions package-lock.json pins (tests/policies/pack-package,
 * tests/component/plugin), and npm's environment without what an enclosing `npm test` exports.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./spawn";

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, "utf8")) as T;

/** npm's environment without what an enclosing `npm test` exports for its own scripts. */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || /^npm_config_(cache|userconfig)$/i.test(k)) env[k] = v;
  return env;
}

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * The top-level folders of node_modules that the given dependencies need, per package-lock.json:
 * each package's dependencies (and required peers), resolved the way node does, from the
 * package's own node_modules up. Nested copies come with the top-level folder that holds them.
 */
export function dependencyClosure(names: string[]): string[] {
  const lock = readJson<{ packages: Record<string, LockEntry> }>(join(ROOT, "package-lock.json")).packages;
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
      if (found && existsSync(join(ROOT, found))) visit(found);
    }
  };
  for (const name of names) visit(`node_modules/${name}`);
  return [...top].sort();
}

