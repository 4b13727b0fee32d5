import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const LAUNCHER = join(ROOT, "scripts", "run.cjs");
const { CLIS } = createRequire(LAUNCHER)("./build.cjs") as { CLIS: Record<string, string> };

/**
 * What `npm run <cli>` runs for a CLI source file (e.g. "verify.ts"): the launcher on the
 * built bundle, `node scripts/run.cjs verify`. The build is brought up to date once per test
 * process first, so no spawned CLI rebuilds (and says so on stderr) while tests run in parallel.
 */
let built = false;
function cliCommand(script: string, args: string[]): [string, string[]] {
  const name = Object.keys(CLIS).find((n) => CLIS[n] === script);
  if (!name) throw new Error(`${script} is not one of the CLIs in scripts/build.cjs (${Object.values(CLIS).join(", ")})`);
  if (!built) {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build.cjs"), "--if-stale"], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`the CLI build failed:\n${r.stderr}`);
    built = true;
  }
  return [process.execPath, [LAUNCHER, name, ...args]];
}

/**
 * Reports wrap to 100 columns (scripts/lib/wrap.ts); tests that read what a report says run the
 * CLIs with COLUMNS this wide, so a finding is one line whatever its length. The tests of the
 * layout itself (tests/docs/outputs.test.ts, tests/wrap.test.ts) pass COLUMNS: "" for the default.
 */
export const WIDE = "10000";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run one of the project's CLIs the way `npm run <script>` does, as a separate process. */
export function runCli(script: string, args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const [command, argv] = cliCommand(script, args);
  const r = spawnSync(command, argv, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", COLUMNS: WIDE, ...opts.env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `runCli` without blocking this process: needed when the CLI talks to servers that run in
 * the test process itself (the sandbox's SMTP servers, DNS proxy, SES front), which a
 * synchronous spawn would freeze. `tty` runs it under `script` so stdout is a terminal
 * (stderr then goes to /dev/null).
 */
export function runCliAsync(
  script: string,
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; tty?: boolean; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", COLUMNS: WIDE, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const [cli, argv] = cliCommand(script, args);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const [command, commandArgs] = opts.tty
    ? ["script", ["-qefc", `${[cli, ...argv].map(quote).join(" ")} 2>/dev/null`, "/dev/null"]]
    : [cli, argv];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: opts.cwd ?? ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}
