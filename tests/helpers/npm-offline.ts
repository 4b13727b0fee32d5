/**
 * Installing a package offline in a test, from the repository's own node_modules: the closure of
 * a package's dependencies at the versions package-lock.json pins (tests/policies/pack-package,
 * tests/component/plugin), and npm's environment without what an enclosing `npm test` exports.
 */
import { dependencyClosure as closureOf } from "../../scripts/lib/npm-closure";
import { ROOT } from "./spawn";

/** npm's environment without what an enclosing `npm test` exports for its own scripts. */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || /^npm_config_(cache|userconfig)$/i.test(k)) env[k] = v;
  return env;
}

/** The top-level folders of the repository's node_modules that the given dependencies need (scripts/lib/npm-closure.ts). */
export function dependencyClosure(names: string[]): string[] {
  return closureOf(ROOT, names);
}
