/**
 * diagnose's progress line (issue 20): on a terminal, from 200 inputs, one line on stderr redrawn
 * in place and cleared before any other output; never in a pipe. The terminal is a real pseudo-
 * terminal from util-linux's `script` (bsdutils, Essential in Debian): stderr a TTY, stdout a file.
 */
import { spawnSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/spawn";

const FIXTURE = join(ROOT, "tests", "fixtures", "bounces-sisimai", "lhost-postfix-01.eml");
let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "diagnose-progress-"));
  for (const [name, n] of [["many", 260], ["few", 150]] as const) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < n; i++) linkSync(FIXTURE, join(dir, name, `${String(i).padStart(4, "0")}.eml`));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** diagnose with stderr on a pseudo-terminal: what the terminal showed, and stdout (a file). */
function onTerminal(sub: string): { terminal: string; stdout: string } {
  // Builds the CLI if stale, so the spawned one below does not.
  runCli("diagnose.ts", ["--help"]);
  const out = join(dir, `${sub}.jsonl`);
  const cmd = `${JSON.stringify(process.execPath)} scripts/run.cjs diagnose ${JSON.stringify(join(dir, sub))} --jsonl > ${JSON.stringify(out)}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.CI;
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: ROOT, encoding: "utf8", env, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return { terminal: r.stdout, stdout: readFileSync(out, "utf8") };
}

describe("diagnose progress line", () => {
  it("on a terminal from 200 inputs: drawn on stderr, cleared, never in stdout", () => {
    const { terminal, stdout } = onTerminal("many");
    expect(terminal).toMatch(/\r\u001b\[2Kdiagnose: 200 inputs read, \d+ verdicts, 0 not bounces/);
    // Cleared at the end: the last thing on the terminal is the clearing sequence.
    expect(terminal.trimEnd().endsWith("\r\u001b[2K") || terminal.endsWith("\r\u001b[2K")).toBe(true);
    expect(stdout).not.toMatch(/inputs read/);
    expect(stdout.trimEnd().split("\n")).toHaveLength(261);
  }, 150_000);

  it("below 200 inputs, no progress line", () => {
    expect(onTerminal("few").terminal).not.toMatch(/inputs read/);
  }, 150_000);

  it("in a pipe (not a terminal), no progress line", () => {
    const r = runCli("diagnose.ts", [join(dir, "many"), "--jsonl"]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/inputs read/);
    expect(r.stdout).not.toMatch(/inputs read/);
  }, 150_000);
});
