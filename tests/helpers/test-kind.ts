import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * Which vitest project a test file belongs to, read from what it and the helpers it imports
 * under tests/ do (vitest.config.mts; docs/ci.md, "The test loop"):
 * - unit: pure and in-process (lib/ rules, checks, policies over hand-built arguments): no child
 *   process, no Pulumi mock runtime, no server. `npm run test:unit` runs only these.
 * - program: the real program under Pulumi's mocks, and the CLIs as child processes.
 * - servers: the suites that start loopback servers (tests/sandbox: nsd, moto, SMTP, HTTPS; the
 *   verify world).
 * A new file lands in the right project by itself; tests/ci.test.ts checks the rule.
 */
export type TestKind = "unit" | "program" | "servers";

/** Starts a server (or a helper that does): the sandbox's servers, the verify world. */
const SERVERS = /\bcreateServer\(|\bstartShared\(|\bstartSandbox\(|\bnew SMTPServer\(/;
/** Runs the program under Pulumi's mocks, or a CLI as a child process. */
const PROGRAM = /\brunCli(?:Async)?\(|\bspawnSync\(|\bspawn\(|\bexecFile(?:Sync)?\(|\bsetMocks\(|\brunProgramUnderMocks\(|\brunStackOffline\(/;

/** Source without its comments and string literals: code quoted in a test is not run by it. */
function codeOnly(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, (m) => (m.startsWith('"') && m.length > 1 ? '""' : " "));
}

/** The kind of one source text alone. */
export function sourceKind(source: string): TestKind {
  const code = codeOnly(source);
  if (SERVERS.test(code)) return "servers";
  if (PROGRAM.test(code)) return "program";
  return "unit";
}

const RANK: Record<TestKind, number> = { unit: 0, program: 1, servers: 2 };

/**
 * Helpers not followed: tests/helpers/spawn.ts defines runCli and ROOT; a test that imports only
 * ROOT runs no CLI, and one that calls runCli is seen at its call.
 */
const CALL_SITE_HELPERS = new Set(["helpers/spawn.ts"]);

/**
 * The kind of a test file: the heaviest of its own and that of every module under `testsDir` it
 * imports, directly or through other helpers (a helper in tests/ that starts the verify world
 * makes every file importing it a server suite). Imports outside tests/ (lib/, scripts/) are
 * the code under test and do not count: importing a pure function from scripts/lib/mock-program
 * is not running the program.
 */
export function testKind(
  file: string,
  testsDir: string,
  read: (f: string) => string = (f) => readFileSync(f, "utf8"),
  exists: (f: string) => boolean = existsSync,
): TestKind {
  const seen = new Set<string>();
  let kind: TestKind = "unit";
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const source = read(f);
    const own = sourceKind(source);
    if (RANK[own] > RANK[kind]) kind = own;
    for (const m of source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gm)) {
      if (/^import\s+type\b/.test(m[0].trim())) continue;
      const target = resolve(dirname(f), m[1]);
      if (!target.startsWith(testsDir)) continue;
      if (CALL_SITE_HELPERS.has(relative(testsDir, `${target}.ts`))) continue;
      const ts = [`${target}.ts`, join(target, "index.ts"), target].find((c) => c.endsWith(".ts") && exists(c));
      if (ts) visit(ts);
    }
  };
  visit(file);
  return kind;
}
