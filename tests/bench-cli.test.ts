/**
 * `npm run bench` on the shared CLI kit: every flag is checked before anything is measured (a
 * typo is one line and exit 2, in about a second, not a multi-minute run), --help and --version,
 * and Ctrl-C ends it with one line, exit 130, never a stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { version } from "../package.json";
import { ROOT } from "./helpers/spawn";

const BENCH = ["--import", "tsx", join(ROOT, "scripts", "bench.ts")];
const bench = (args: string[]) => spawnSync(process.execPath, [...BENCH, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

describe("npm run bench: flags", () => {
  it("an unknown flag is refused before anything runs: one error line, a suggestion, exit 2", () => {
    const r = bench(["--sectons", "startup"]);
    expect([r.status, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe("error: unknown option '--sectons'\n(Did you mean --sections?)\n(--help lists the options, with examples)\n");
  });

  it.each([
    [["--sections", "startp"], 'error: --sections: "startp" is not a section. Use startup, single, scale, diagnose, watch, plan.\n'],
    [["--startup-runs", "3"], 'error: --startup-runs: "3" is not a whole number of at least 9.\n'],
    [["--sizes", "1,,200"], 'error: --sizes: "1,,200" is not a comma-separated list of whole numbers (e.g. 1,10,200).\n'],
    [["--throttle", "1"], 'error: --throttle: "1" is not a whole number of at least 2.\n'],
    [["--diagnose-runs", "2.5"], 'error: --diagnose-runs: "2.5" is not a whole number of at least 1.\n'],
    // A bad flag of the last section is refused before the first section runs.
    [["--sections", "startup,watch", "--watch-runs", "0"], 'error: --watch-runs: "0" is not a whole number of at least 1.\n'],
  ])("%j: one line, exit 2, nothing measured", (args, message) => {
    const r = bench(args);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, "", message]);
  });

  it("--help lists every flag with examples; --version prints mail-infra's version", () => {
    const help = bench(["--help"]);
    expect(help.status).toBe(0);
    for (const flag of ["--sections", "--startup-runs", "--quick", "--sizes", "--throttle", "--diagnose-counts", "--diagnose-runs", "--watch-events", "--watch-runs", "--watch-scheduled-runs", "--json", "--version"]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain("Examples:");
    const v = bench(["--version"]);
    expect([v.status, v.stdout]).toEqual([0, `${version}\n`]);
  });
});

describe("npm run bench: Ctrl-C", () => {
  it("ends with one line and exit 130, no stack trace, whatever was running", async () => {
    // Its own process group, as a shell gives a foreground job: Ctrl-C signals the whole group.
    const p = spawn(process.execPath, [...BENCH, "--sections", "startup", "--startup-runs", "9"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stderr = "";
    let stdout = "";
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    // Interrupt once the measuring has started (the start-up section spawns npm over and over).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    process.kill(-p.pid!, "SIGINT");
    const code = await new Promise<number | null>((resolve) => p.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain("bench: interrupted; the section that was running did not finish, so nothing of it is reported.\n");
    expect(stderr + stdout).not.toMatch(/^\s+at /m);
    expect(stderr).not.toMatch(/bench failed|Error:/);
  }, 60_000);
});
