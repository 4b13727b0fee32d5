/**
 * npm run bench: how fast the commands start, how long verify of one domain takes as a whole
 * command, and how verify scales. Three sections; --sections picks some (default: all).
 *
 * startup: the median of --startup-runs (default 11, at least 9) runs of
 *   `npm run -s <cli> -- --help` for every CLI in package.json and of the command npm runs for it
 *   (`node scripts/run.cjs <cli> --help`), next to `node -e 0` and `npm run -s bench:baseline`
 *   (an npm script that runs `node -e 0`: npm's own start). The cases run round-robin, so a busy
 *   machine slows them all alike; the load average is printed. The goal (issue 22): every CLI at
 *   most 4x `node -e 0` through npm; each CLI's line says met or by how much it misses. Also the
 *   launcher's own cost (scripts/run.cjs checks whether the build is stale) against
 *   `node bin/verify.js --help`.
 *
 * single: verify of one domain x 2 regions against the loopback test servers, no added delays:
 *   `npm run -s verify -- --manifest ...` and the launcher without npm, each a whole process, and
 *   verify in-process (no start-up); the median of 9 runs each. The target, under 0.4 s, is for
 *   the command npm runs (the launcher): npm's own start-up comes on top of every command alike.
 *   Also the CPU time of the launcher's runs and of the in-process ones (each with the loopback
 *   servers in this process that answer it), which a busy machine changes far less than wall time.
 *
 * scale: verifies a synthetic manifest of N domains x 2 regions (N = 1, 10, 200; all sharing
 *   one SPF include and one SMTP credential) against the loopback test servers, each answer
 *   delayed as on a real network: DNS 50 ms, AWS 100 ms, every SMTP reply 50 ms. Prints wall
 *   time, AWS calls, DNS queries, SMTP connections and peak memory.
 *
 *   Each N runs in its own process (fresh servers, a fresh heap) and reports the median of 3
 *   runs (--quick: 1 run for N >= 100). Peak RSS is the process's, sampled during the runs; the
 *   process also hosts the SMTP servers, the DNS proxy and the SES fake, and has loaded the
 *   Pulumi program once, so "+MB" (growth during the run) is verify's own share.
 *
 *   --throttle N makes AWS answer every Nth request with a throttling error (moto for IAM and
 *   Secrets Manager, the SES REST front for SES): the SDK's retry with backoff must still yield
 *   a complete report.
 *
 * diagnose: `npm run diagnose -- <directory> --jsonl` over --diagnose-counts (default 1,000, 10,000 and 50,000)
 *   messages, each count in ONE call: copies (hard links) of the real bounces in
 *   tests/fixtures/bounces-sisimai (the sisimai sample set: Exim, Postfix, Sendmail, qmail,
 *   Exchange, Gmail, Yahoo, ... notices as their MTAs wrote them) round-robin in a temporary
 *   directory, which diagnose reads as one argument (50,000 paths would not fit argv). Reports
 *   the median of --diagnose-runs (default 1) whole-command runs: wall time, inputs per second,
 *   and peak memory (the CLI process's RSS high-water mark, process.resourceUsage().maxRSS,
 *   written at exit by a preload), and the growth of peak RSS from the smallest to the largest
 *   count (target <= 1.5x: memory flat in the number of messages). Where Debian's
 *   libsisimai-perl is installed, sisimai reads the same directory in the same run
 *   (tests/diagnose/sisimai-oracle.pl, its peak RSS from /proc/self/status).
 *
 * watch: the Lambda bundle (bin/watch-lambda/index.js, scripts/build.cjs): its size; its cold
 *   start (a fresh node process loads the bundle with the prod manifest next to it and handles
 *   one SNS-delivered SES bounce: time to the first event, in process and as the whole spawn);
 *   and its throughput on --watch-events (default 20,000) SES bounce events, one after the other
 *   in that one process (one core: Node runs the handler on one thread), each a distinct SNS
 *   message so none is skipped as a duplicate. Median of --watch-runs (default 3) processes.
 *   Then the scheduled run: the handler core (scripts/watch/core.ts) on a Scheduler event against
 *   the loopback world built from Pulumi.prod.yaml with mail-infra:watch true (verify's layers
 *   ses, dns and relay, no added delays), --watch-scheduled-runs times (default 9, --quick 3),
 *   alternating with verify in-process over the same layers: median wall ms of each, and the
 *   datapoints one run emits.
 *
 * plan: `plan --json` of one stack of N domains x 2 regions (--plan-sizes, default 1,100,1000),
 *   each a whole command: median wall time, time per domain against N = 1's (target <= 3x), peak
 *   RSS and its growth per domain (scripts/bench-plan.ts).
 *
 *   npm run bench [-- --sections startup,single,scale,diagnose,watch,plan] [-- --plan-sizes 1,100,1000] [-- --plan-runs N] [-- --startup-runs N] [-- --quick]
 *                 [-- --sizes 1,10,200] [-- --throttle 4] [-- --diagnose-counts N,N] [-- --diagnose-runs N] [-- --watch-events N] [-- --watch-runs N]
 *                 [-- --watch-scheduled-runs N] [-- --json]
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { BenchRun } from "../tests/verify/bench-world";
import { Command } from "commander";
import { shown } from "../lib/text";
import { runMain, standardOptions, UsageError } from "./lib/cli";
import { JSON_FORMAT_VERSION } from "./lib/json-version";
import { planBench, printPlanBench } from "./bench-plan";

/** The loopback world, loaded only when a section needs it: --help and a bad flag load none of it. */
const worldKit = async () => ({ ...(await import("../tests/verify/bench-world")), ...(await import("../tests/verify/world")) });

/** The exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it. */
const EXIT_INTERRUPTED = 130;

/** A measured child process stopped by a signal (Ctrl-C reaches the whole process group). */
class Interrupted extends Error {
  override name = "Interrupted";
}

/** The children running now, stopped with this process. */
const children = new Set<ChildProcess>();

const ROOT = path.join(__dirname, "..");
const SECTIONS = ["startup", "single", "scale", "diagnose", "watch", "plan"] as const;
type Section = (typeof SECTIONS)[number];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => x.toFixed(0);

/** A child process of this script: `--child <kind> ...`, answering one BENCH_RESULT line. */
function runChild<T>(args: string[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "bench.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    });
    children.add(p);
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      children.delete(p);
      if (signal === "SIGINT" || signal === "SIGTERM" || code === EXIT_INTERRUPTED) return reject(new Interrupted(`bench child for ${what} stopped by ${signal}`));
      const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code !== 0 || !line) reject(new Error(`bench child for ${what} exited with ${code}\n${out}`));
      else resolve(JSON.parse(line.slice("BENCH_RESULT ".length)) as T);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// startup
// ---------------------------------------------------------------------------------------------

interface StartupCase {
  label: string;
  command: string;
  args: string[];
  runs: number[];
}

/** The CLIs: every npm script that runs the launcher. */
function cliScripts(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  return Object.entries(pkg.scripts)
    .filter(([, command]) => command.startsWith("node scripts/run.cjs "))
    .map(([name]) => name);
}

function timeSync(c: StartupCase): number {
  const started = performance.now();
  const r = spawnSync(c.command, c.args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const elapsed = performance.now() - started;
  // Ctrl-C reaches the whole process group: the command dies of the signal, or (npm) exits 130.
  if (r.signal === "SIGINT" || r.signal === "SIGTERM" || r.status === EXIT_INTERRUPTED) throw new Interrupted(`${c.label} stopped by Ctrl-C`);
  if (r.status !== 0) throw new Error(`${c.label} exited with ${r.status}: ${r.stderr}`);
  return elapsed;
}

/** The start-up goal of issue 22: every CLI's `--help` through npm at most this many times `node -e 0`. */
const STARTUP_GOAL = 4;

interface StartupResult {
  cases: StartupCase[];
  /** One per CLI: through npm, and the command npm runs (the launcher) on its own. */
  clis: { name: string; npm: StartupCase; alone: StartupCase }[];
  node: StartupCase;
  npmBase: StartupCase;
  direct: StartupCase;
  loadBefore: number[];
  loadAfter: number[];
}

function startup(runs: number): StartupResult {
  // Build first if anything changed, so no measured run includes a rebuild.
  const built = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.cjs"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("the build failed");
  const node: StartupCase = { label: "node -e 0", command: process.execPath, args: ["-e", "0"], runs: [] };
  const npmBase: StartupCase = { label: "npm run -s bench:baseline (node -e 0)", command: "npm", args: ["run", "-s", "bench:baseline"], runs: [] };
  const clis = cliScripts().map((name) => ({
    name,
    npm: { label: `npm run -s ${name} -- --help`, command: "npm", args: ["run", "-s", name, "--", "--help"], runs: [] } as StartupCase,
    alone: { label: `node scripts/run.cjs ${name} --help`, command: process.execPath, args: ["scripts/run.cjs", name, "--help"], runs: [] } as StartupCase,
  }));
  const direct: StartupCase = { label: "node bin/verify.js --help", command: process.execPath, args: ["bin/verify.js", "--help"], runs: [] };
  const cases = [node, npmBase, ...clis.flatMap((c) => [c.npm, c.alone]), direct];
  for (const c of cases) timeSync(c); // warm the file cache
  const loadBefore = os.loadavg();
  for (let i = 0; i < runs; i++) for (const c of cases) c.runs.push(timeSync(c));
  return { cases, clis, node, npmBase, direct, loadBefore, loadAfter: os.loadavg() };
}

/** The start-up section as text: per CLI its ratio through npm and on its own, and whether it meets the goal. */
function printStartup(s: StartupResult, runs: number): void {
  const bare = median(s.node.runs);
  const x = (c: StartupCase) => median(c.runs) / bare;
  const verdict = (ratio: number) => (ratio <= STARTUP_GOAL ? "met" : `MISSED by ${(ratio - STARTUP_GOAL).toFixed(2)}x`);
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(" ");
  const out: string[] = [
    `start-up: median of ${runs} runs each, round-robin (ms), against node -e 0 (${ms(bare)} ms)`,
    `Node ${process.versions.node}, ${os.cpus().length} cores, load average ${load(s.loadBefore)} before, ${load(s.loadAfter)} after`,
    `goal: every CLI's --help through npm at most ${STARTUP_GOAL}x node -e 0`,
    "",
  ];
  const rows = s.clis.map((c) => [c.name, ms(median(c.npm.runs)), `${x(c.npm).toFixed(2)}x`, verdict(x(c.npm)), ms(median(c.alone.runs)), `${x(c.alone).toFixed(2)}x`]);
  out.push(table(["npm run -s <cli> -- --help", "median ms", "vs node -e 0", `goal <= ${STARTUP_GOAL}x`, "without npm: ms", "vs node -e 0"], rows));
  const npmX = x(s.npmBase);
  const met = s.clis.filter((c) => x(c.npm) <= STARTUP_GOAL).length;
  const worst = s.clis.reduce((a, b) => (x(b.npm) > x(a.npm) ? b : a));
  const worstAlone = s.clis.reduce((a, b) => (x(b.alone) > x(a.alone) ? b : a));
  const verify = s.clis.find((c) => c.name === "verify");
  const launcher = verify ? median(verify.alone.runs) - median(s.direct.runs) : 0;
  out.push(
    `${met} of ${s.clis.length} CLIs meet ${STARTUP_GOAL}x through npm; the slowest, ${worst.name}, is ${x(worst.npm).toFixed(2)}x (${verdict(x(worst.npm))}).`,
    `npm's own start (npm run -s bench:baseline, an npm script running node -e 0): ${ms(median(s.npmBase.runs))} ms, ${npmX.toFixed(2)}x` +
      (npmX > STARTUP_GOAL ? ";\nabove the goal by itself: through npm no command can meet it on this machine." : "."),
    `Without npm the slowest, ${worstAlone.name}, is ${x(worstAlone.alone).toFixed(2)}x node -e 0.`,
    `The launcher (staleness check, kept V8 code) against node bin/verify.js --help: ${launcher >= 0 ? "+" : ""}${ms(launcher)} ms`,
    "",
    "",
  );
  process.stdout.write(out.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// single: one domain x 2 regions, no added delays, as a whole command and in-process
// ---------------------------------------------------------------------------------------------

interface SingleResult {
  npm: number[];
  launcher: number[];
  inProcess: number[];
  /**
   * CPU ms (user + system) of the same runs, which moves far less with the machine's load than
   * wall time: the launcher's process (written at its exit by a preload) plus this process while
   * it ran (the loopback servers living here answering it); in-process, this process during the
   * run (verify and the same servers). moto, a process of its own, is in neither.
   */
  launcherCpu: number[];
  inProcessCpu: number[];
}

async function singleChild(runs: number): Promise<void> {
  const { startShared, benchWorld, NO_DELAYS, REGIONS, timeCommand, benchRun } = await worldKit();
  const shared = await startShared();
  const world = await benchWorld(shared, 1, NO_DELAYS);
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-single-"));
  try {
    const manifest = path.join(dir, "verification.json");
    await world.writeManifest(manifest);
    const args = [
      "--manifest",
      manifest,
      "--dns-server",
      world.dns.server,
      ...REGIONS.flatMap((r) => ["--smtp-endpoint", `${r}=${world.smtpEndpoints[r].host}:${world.smtpEndpoints[r].port}`]),
    ];
    const env = { ...process.env, ...world.env, NO_COLOR: "1" };
    const result: SingleResult = { npm: [], launcher: [], inProcess: [], launcherCpu: [], inProcessCpu: [] };
    const npm = () => timeCommand("npm", ["run", "-s", "verify", "--", ...args], { cwd: ROOT, env });
    // The launcher's own CPU, written at its exit (not under npm: npm would run the preload too).
    const cpuFile = path.join(dir, "launcher-cpu");
    const preload = path.join(dir, "cpu-at-exit.cjs");
    writeFileSync(preload, `process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeFileSync(${JSON.stringify(cpuFile)}, String((u.user + u.system) / 1000)); });\n`);
    const launcherEnv = { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${preload}`.trim() };
    const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
    const launcher = async () => {
      const before = process.cpuUsage();
      const wall = await timeCommand(process.execPath, ["scripts/run.cjs", "verify", ...args], { cwd: ROOT, env: launcherEnv });
      result.launcherCpu.push(Number(readFileSync(cpuFile, "utf8")) + cpuMs(process.cpuUsage(before)));
      return wall;
    };
    await npm();
    for (let i = 0; i < runs; i++) {
      result.npm.push(await npm());
      result.launcher.push(await launcher());
      const before = process.cpuUsage();
      const r = await benchRun(world);
      result.inProcessCpu.push(cpuMs(process.cpuUsage(before)));
      if (r.nonPass.length > 0) throw new Error(`the in-process report is not all pass:\n  ${r.nonPass.join("\n  ")}`);
      result.inProcess.push(r.wallMs);
    }
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await world.stop();
    await shared.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// scale
// ---------------------------------------------------------------------------------------------

interface ScaleResult {
  runs: BenchRun[];
}

async function scaleChild(n: number, runs: number, throttle: number | undefined): Promise<void> {
  const { startShared, benchWorld, BENCH_DELAYS, benchRun } = await worldKit();
  const shared = await startShared({ awsDelayMs: BENCH_DELAYS.awsMs, throttleEveryNth: throttle });
  const world = await benchWorld(shared, n, BENCH_DELAYS, throttle);
  try {
    const results: BenchRun[] = [];
    for (let i = 0; i < runs; i++) results.push(await benchRun(world));
    const out: ScaleResult = { runs: results };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
  } finally {
    await world.stop();
    await shared.stop();
  }
}

type ScaleRow = { n: number; runs: number; wallMs: number; all: number[]; r: BenchRun; peakRssMb: number; growthMb: number };

async function scale(sizes: number[], quick: boolean, throttle: number | undefined): Promise<{ rows: ScaleRow[]; incomplete: boolean }> {
  const rows: ScaleRow[] = [];
  let incomplete = false;
  for (const n of sizes) {
    const runs = quick && n >= 100 ? 1 : 3;
    const extra = throttle ? ["--throttle", String(throttle)] : [];
    const res = await runChild<ScaleResult>(["--child", "scale", String(n), "--runs", String(runs), ...extra], `N=${n}`);
    const walls = res.runs.map((r) => r.wallMs);
    const mid = res.runs.find((r) => r.wallMs === median(walls)) ?? res.runs[0];
    const peakRssMb = Math.max(...res.runs.map((r) => r.rssPeakMb));
    const growthMb = Math.max(...res.runs.map((r) => r.rssPeakMb - r.rssBeforeMb));
    rows.push({ n, runs, wallMs: median(walls), all: walls, r: mid, peakRssMb, growthMb });
    const bad = res.runs.flatMap((r) => r.nonPass);
    if (bad.length > 0) {
      incomplete = true;
      process.stderr.write(`N=${n}: the report is not all pass:\n  ${[...new Set(bad)].slice(0, 10).join("\n  ")}\n`);
    }
  }
  return { rows, incomplete };
}

// ---------------------------------------------------------------------------------------------
// diagnose: many bounces in one call
// ---------------------------------------------------------------------------------------------

/**
 * The messages the diagnose bench reads: real bounces nobody here wrote, the sisimai sample set
 * (tests/fixtures/bounces-sisimai, README there: Exim, Postfix, Sendmail, qmail, Exchange, Gmail,
 * Yahoo, ... as their MTAs wrote them), every .eml in it. A few are not bounces (feedback loops,
 * auto-replies) or are ones diagnose cannot read yet: they count as inputs and are refused, as a
 * real mailbox's would be.
 */
const DIAGNOSE_CORPUS = path.join(ROOT, "tests", "fixtures", "bounces-sisimai");

export interface DiagnoseRun {
  /** Whole-command wall time and the process's own peak RSS. */
  wallMs: number;
  maxRssMb: number;
}
export interface DiagnoseSize {
  inputs: number;
  /** Verdict lines diagnose printed (--jsonl), and inputs it refused. */
  verdicts: number;
  refused: number;
  runs: DiagnoseRun[];
  medianMs: number;
  verdictsPerSec: number;
  inputsPerSec: number;
  peakRssMb: number;
  /** sisimai (Debian's libsisimai-perl) over the same files in the same run, where installed. */
  sisimai?: { recipients: number; wallMs: number; inputsPerSec: number; peakRssMb: number };
}
export interface DiagnoseBench {
  corpus: string;
  fixtures: number;
  sizes: DiagnoseSize[];
  /** Peak RSS at the largest size over the smallest: memory flat in the number of messages means near 1. */
  rssGrowth: number;
  sisimaiVersion?: string;
}

/**
 * `node scripts/run.cjs diagnose <dir> --jsonl` (what `npm run diagnose` runs) over each count of
 * copies (hard links, or copies where links fail) of the real messages, `runs` times each; then
 * sisimai over the same directory once. Peak RSS comes from each process itself: a preload writes
 * node's process.resourceUsage().maxRSS at exit; the sisimai oracle prints VmHWM.
 */
function diagnoseBench(counts: number[], runs: number): DiagnoseBench {
  const built = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.cjs"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("the build failed");
  const fixtures = readdirSync(DIAGNOSE_CORPUS).filter((f) => f.endsWith(".eml")).sort();
  const work = path.join(os.tmpdir(), `bench-diagnose-${process.pid}`);
  const sisimaiVersion = spawnSync("perl", ["-MSisimai", "-e", "print $Sisimai::VERSION"], { encoding: "utf8" });
  const haveSisimai = sisimaiVersion.status === 0;
  try {
    const sizes: DiagnoseSize[] = [];
    for (const count of counts) {
      const dir = path.join(work, `bounces-${count}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        const f = fixtures[i % fixtures.length]!;
        const from = path.join(DIAGNOSE_CORPUS, f);
        const to = path.join(dir, `${String(i).padStart(6, "0")}-${f}`);
        try {
          linkSync(from, to);
        } catch {
          copyFileSync(from, to);
        }
      }
      const rssFile = path.join(work, "maxrss");
      const preload = path.join(work, "maxrss.cjs");
      writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
      const out = path.join(work, "out.jsonl");
      const result: DiagnoseRun[] = [];
      let verdicts = 0;
      let refused = 0;
      for (let i = 0; i < runs; i++) {
        const fd = openSync(out, "w");
        const started = performance.now();
        const r = spawnSync(process.execPath, ["--require", preload, "scripts/run.cjs", "diagnose", dir, "--jsonl"], {
          cwd: ROOT,
          stdio: ["ignore", fd, "pipe"],
          encoding: "utf8",
          maxBuffer: 256 * 1024 * 1024,
          env: { ...process.env, NO_COLOR: "1" },
        });
        const wallMs = performance.now() - started;
        closeSync(fd);
        // Exit 2: some inputs were not bounces (each said so on stderr); anything else is a failure.
        if (r.status !== 0 && r.status !== 2) throw new Error(`diagnose over ${count} messages exited with ${r.status}: ${(r.stderr ?? "").slice(0, 2000)}`);
        const lines = readFileSync(out, "utf8").trimEnd().split("\n");
        const tally = (JSON.parse(lines.at(-1)!) as { tally: { verdicts: number; notBounces: number } }).tally;
        if (lines.length - 1 !== tally.verdicts) throw new Error(`diagnose printed ${lines.length - 1} verdict lines but its tally says ${tally.verdicts}`);
        verdicts = tally.verdicts;
        refused = tally.notBounces;
        result.push({ wallMs, maxRssMb: Number(readFileSync(rssFile, "utf8")) / 1024 });
      }
      const medianMs = median(result.map((x) => x.wallMs));
      let sisimai: DiagnoseSize["sisimai"];
      if (haveSisimai) {
        const started = performance.now();
        const fd = openSync(out, "w");
        const s = spawnSync("perl", [path.join(ROOT, "tests", "diagnose", "sisimai-oracle.pl"), dir], { stdio: ["ignore", fd, "pipe"], encoding: "utf8", env: { ...process.env, SISIMAI_ORACLE_RSS: "1" }, maxBuffer: 64 * 1024 * 1024 });
        const wallMs = performance.now() - started;
        closeSync(fd);
        if (s.status !== 0) throw new Error(`sisimai over ${count} messages exited with ${s.status}: ${(s.stderr ?? "").slice(0, 2000)}`);
        const recipients = readFileSync(out, "utf8").split("\n").filter((l) => l.includes('"reason"')).length;
        const rss = /"maxRssKb":(\d+)/.exec(s.stderr ?? "");
        sisimai = { recipients, wallMs, inputsPerSec: count / (wallMs / 1000), peakRssMb: rss ? Number(rss[1]) / 1024 : NaN };
      }
      sizes.push({
        inputs: count,
        verdicts,
        refused,
        runs: result,
        medianMs,
        verdictsPerSec: verdicts / (medianMs / 1000),
        inputsPerSec: count / (medianMs / 1000),
        peakRssMb: Math.max(...result.map((x) => x.maxRssMb)),
        ...(sisimai ? { sisimai } : {}),
      });
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      corpus: path.relative(ROOT, DIAGNOSE_CORPUS),
      fixtures: fixtures.length,
      sizes,
      rssGrowth: sizes.at(-1)!.peakRssMb / sizes[0]!.peakRssMb,
      ...(haveSisimai ? { sisimaiVersion: sisimaiVersion.stdout.trim() } : {}),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// watch: the Lambda bundle's size, cold start and throughput on SES bounce events
// ---------------------------------------------------------------------------------------------

export interface WatchBench {
  bundleBytes: number;
  events: number;
  runs: { coldStartMs: number; spawnToFirstEventMs: number; eventsPerSec: number }[];
  medianColdStartMs: number;
  medianSpawnToFirstEventMs: number;
  medianEventsPerSec: number;
  /** The scheduled run of the AWS and DNS checks for prod against the loopback world. */
  scheduled: WatchScheduledBench;
}

/** The child: load the bundle, handle one event (cold start), then `count` more (throughput). Results on fd 3. */
const WATCH_CHILD = `
const t0 = process.hrtime.bigint();
const fs = require("node:fs");
const [bundle, eventFile, count] = process.argv.slice(1);
const event = JSON.parse(fs.readFileSync(eventFile, "utf8"));
const { handler } = require(bundle);
const n = Number(count);
(async () => {
  await handler(event);
  const first = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    event.Records[0].Sns.MessageId = "bench-" + i;
    await handler(event);
  }
  const secs = Number(process.hrtime.bigint() - t1) / 1e9;
  fs.writeSync(3, JSON.stringify({ coldStartMs: first, eventsPerSec: n / secs }));
})();
`;

async function watchBench(events: number, runs: number): Promise<Omit<WatchBench, "scheduled">> {
  const { build, LAMBDA_BUNDLE } = require("./build.cjs") as { build(): Promise<unknown>; LAMBDA_BUNDLE: string };
  await build();
  const { runStackOffline } = await import("./lib/offline-run");
  const { readStackConfig } = await import("./lib/stack-config");
  const offline = await runStackOffline(readStackConfig("prod", ROOT));
  // The offline run resolves the outputs (as plan reads them).
  const manifest = offline.run.outputs.verification;
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-watch-"));
  try {
    // The archive as Lambda unpacks it: index.js and manifest.json side by side.
    copyFileSync(LAMBDA_BUNDLE, path.join(dir, "index.js"));
    writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
    const eventFile = path.join(ROOT, "tests", "fixtures", "watch", "sns-lambda-ses-bounce-dmarc.json");
    const out: WatchBench["runs"] = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ["-e", WATCH_CHILD, path.join(dir, "index.js"), eventFile, String(events)], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "ignore", "pipe", "pipe"],
        env: { ...process.env, WATCH_STACK: "prod", NODE_OPTIONS: "" },
        timeout: 600_000,
      });
      const wall = Number(process.hrtime.bigint() - started) / 1e6;
      if (r.status !== 0) throw new Error(`the watch bundle exited with ${r.status}: ${(r.stderr ?? "").slice(0, 2000)}`);
      const res = JSON.parse(String(r.output[3])) as { coldStartMs: number; eventsPerSec: number };
      // The spawn's own wall time includes the loop: subtract it to get spawn-to-first-event.
      out.push({ coldStartMs: res.coldStartMs, spawnToFirstEventMs: wall - events / res.eventsPerSec * 1000, eventsPerSec: res.eventsPerSec });
    }
    return {
      bundleBytes: statSync(LAMBDA_BUNDLE).size,
      events,
      runs: out,
      medianColdStartMs: median(out.map((r) => r.coldStartMs)),
      medianSpawnToFirstEventMs: median(out.map((r) => r.spawnToFirstEventMs)),
      medianEventsPerSec: median(out.map((r) => r.eventsPerSec)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// watch, scheduled: the handler core's scheduled run (scripts/watch/core.ts, what the Lambda
// runs on each Scheduler event) against the loopback world built from Pulumi.prod.yaml with
// mail-infra:watch on, next to verify in-process over the same layers (ses, dns, relay).
// ---------------------------------------------------------------------------------------------

export interface WatchScheduledBench {
  /** The stack and domain the world was built from (Pulumi.prod.yaml, mail-infra:watch true). */
  stack: string;
  domain: string;
  layers: string[];
  runs: number;
  /** The handler's scheduled run: wall ms per run, and what each run emitted. */
  handlerMs: number[];
  /** verify's runVerify over the same layers, in-process, fresh collectors each run. */
  verifyMs: number[];
  medianHandlerMs: number;
  medianVerifyMs: number;
  /** Datapoints (metric values) one run emits: CheckFailed per check and subject, plus the Runs heartbeat. */
  datapoints: number;
  /** EMF log lines one run writes (one per datapoint). */
  emfLines: number;
  findings: number;
  /** Checks that did not pass, and alerts raised (the world is healthy: both should be empty). */
  nonPass: string[];
  alerts: number;
}

async function watchScheduledChild(runs: number): Promise<void> {
  const { parseManifest } = await import("../lib/manifest");
  const { scheduleInput, WATCH_LAYERS } = await import("../lib/watch");
  const { handleWatchEvent } = await import("./watch/core");
  const { runStackOffline } = await import("./lib/offline-run");
  const { readStackConfig } = await import("./lib/stack-config");
  const { createWorld, startShared } = await import("../tests/verify/world");
  const file = readStackConfig("prod", ROOT);
  const watched = { ...file, values: { ...file.values, "mail-infra:watch": "true" }, typed: { ...file.typed, "mail-infra:watch": true } };
  const offline = await runStackOffline(watched);
  const manifest = parseManifest(offline.run.outputs.verification, "the prod stack's verification output");
  const shared = await startShared();
  const world = await createWorld(shared, { manifest });
  try {
    const event = JSON.parse(scheduleInput(world.manifest.stack)) as unknown;
    const layers = [...WATCH_LAYERS];
    const result: WatchScheduledBench = {
      stack: world.manifest.stack,
      domain: world.manifest.domains.map((d) => d.domain).join(", "),
      layers,
      runs,
      handlerMs: [],
      verifyMs: [],
      medianHandlerMs: 0,
      medianVerifyMs: 0,
      datapoints: 0,
      emfLines: 0,
      findings: 0,
      nonPass: [],
      alerts: 0,
    };
    const handlerRun = async () => {
      const c = world.collectors();
      try {
        const started = performance.now();
        const r = await handleWatchEvent(event, { manifest: world.manifest, collectors: () => c });
        return { ms: performance.now() - started, r };
      } finally {
        c.aws.destroy();
      }
    };
    const verifyRun = async () => {
      const started = performance.now();
      const r = await world.verify({ layers });
      return { ms: performance.now() - started, r };
    };
    // One of each to warm the module cache and the servers, then alternate (a busy machine slows both alike).
    await handlerRun();
    await verifyRun();
    for (let i = 0; i < runs; i++) {
      const h = await handlerRun();
      if (h.r.kind !== "scheduled") throw new Error(`the scheduled event was read as ${h.r.kind}: ${h.r.problems.join("; ")}`);
      result.handlerMs.push(h.ms);
      result.datapoints = h.r.metrics.length;
      result.emfLines = h.r.emf.length;
      result.findings = h.r.findings.length;
      result.nonPass = h.r.findings.filter((f) => f.status !== "pass").map((f) => `${f.status} ${f.id} ${f.subject}: ${f.summary}`);
      result.alerts = h.r.alerts.length;
      result.verifyMs.push((await verifyRun()).ms);
    }
    result.medianHandlerMs = median(result.handlerMs);
    result.medianVerifyMs = median(result.verifyMs);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await world.stop();
    await shared.stop();
  }
}

function table(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n") + "\n";
}

function printScale(rows: ScaleRow[], sizes: number[], throttle: number | undefined, BENCH_DELAYS: { dnsMs: number; awsMs: number; smtpMs: number }): void {
  const base = rows.find((x) => x.n === 1)?.wallMs;
  const header = ["N", "wall ms", "runs (ms)", "AWS calls", "moto/SES reqs", "throttled", "DNS queries", "shared include", "SMTP conns", "peak RSS MB", "vs N=1"];
  const lines = rows.map((x) => [
    String(x.n),
    x.wallMs.toFixed(0),
    `${x.runs}: ${x.all.map((w) => w.toFixed(0)).join(", ")}`,
    String(x.r.awsCalls),
    `${x.r.awsRequests.moto}/${x.r.awsRequests.ses}`,
    String(x.r.throttled),
    x.r.dnsQueries === x.r.dnsCollectorQueries ? String(x.r.dnsQueries) : `${x.r.dnsQueries} (collector ${x.r.dnsCollectorQueries})`,
    String(x.r.sharedIncludeQueries),
    x.r.smtpConnections === x.r.smtpCollectorConnections ? String(x.r.smtpConnections) : `${x.r.smtpConnections} (collector ${x.r.smtpCollectorConnections})`,
    `${x.peakRssMb.toFixed(0)} (+${x.growthMb.toFixed(0)})`,
    base ? `${(x.wallMs / base).toFixed(2)}x` : "",
  ]);
  process.stdout.write(
    `verify at scale: N domains x 2 regions; DNS +${BENCH_DELAYS.dnsMs} ms per answer, AWS +${BENCH_DELAYS.awsMs} ms per call, SMTP +${BENCH_DELAYS.smtpMs} ms per reply` +
      `${throttle ? `; AWS throttles every ${throttle}th request` : ""}\n` +
      "wall ms is the median; AWS calls are verify's logical calls (retries not counted), moto/SES reqs what reached the servers;\n" +
      "DNS queries reached the server; shared include = TXT queries for the include every domain uses; SMTP conns reached the servers.\n\n",
  );
  process.stdout.write(table(header, lines));
  const big = rows.find((x) => x.n === Math.max(...sizes));
  if (base && big && big.n !== 1) {
    const ratio = big.wallMs / base;
    process.stdout.write(
      throttle
        ? `\nN=${big.n} / N=1 wall time: ${ratio.toFixed(2)}x (with throttling the SDK's backoff dominates; the < 3x target applies without --throttle)\n`
        : `\nN=${big.n} / N=1 wall time: ${ratio.toFixed(2)}x (target < 3x): ${ratio < 3 ? "met" : "MISSED"}\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

/** The measured runs' settings, every one checked before anything runs. */
interface BenchOptions {
  sections: Section[];
  startupRuns: number;
  quick: boolean;
  sizes: number[];
  throttle?: number;
  diagnoseCounts: number[];
  diagnoseRuns: number;
  watchEvents: number;
  watchRuns: number;
  watchScheduledRuns: number;
  planSizes: number[];
  planRuns?: number;
  json: boolean;
}

const program = standardOptions(new Command())
  .name("npm run bench --")
  .description(
    "Measure how fast the commands start, verify of one domain as a whole command, verify at scale, diagnose over many bounces, and the watch's Lambda bundle.",
  )
  .option("--sections <list>", `which parts to run, comma-separated: ${SECTIONS.join(", ")}`, SECTIONS.join(","))
  .option("--startup-runs <n>", "startup: runs per case, at least 9", "11")
  .option("--quick", "scale: one run for sizes >= 100 instead of three; watch: 3 scheduled runs instead of 9")
  .option("--sizes <list>", "scale: comma-separated domain counts", "1,10,200")
  .option("--throttle <n>", "scale: AWS throttles every Nth request (N >= 2); the report must still be complete")
  .option("--diagnose-counts <list>", "diagnose: messages per call, one call per count", "1000,10000,50000")
  .option("--diagnose-runs <n>", "diagnose: whole-command runs, the median is reported", "1")
  .option("--watch-events <n>", "watch: SES bounce events for the throughput", "20000")
  .option("--watch-runs <n>", "watch: fresh bundle processes, the median is reported", "3")
  .option("--watch-scheduled-runs <n>", "watch: scheduled runs against the prod loopback world, and as many verify runs (default 9; --quick: 3)")
  .option("--plan-sizes <list>", "plan: domain counts of the one stack, x 2 regions", "1,100,1000")
  .option("--plan-runs <n>", "plan: whole-command runs per size, the median is reported (default 3; 1 for N >= 500)")
  .option("--json", "print the raw measurements as JSON")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  npm run bench -- --sections startup\n" +
      "  npm run bench -- --sections scale --sizes 1,10 --quick\n" +
      "  npm run bench -- --sections diagnose --diagnose-counts 1000 --json\n\n" +
      "Needs the test servers for single, scale and watch (bash scripts/install-test-deps.sh).\n" +
      "Exit codes: 0 measured, 1 a measured report was incomplete, 2 usage error (checked before anything runs), " +
      "3 unexpected error (--debug shows its stack trace), 130 interrupted (Ctrl-C).",
  );

/** A whole number of at least `min`, or a UsageError naming the flag. */
function intFlag(value: string, flag: string, min: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag}: ${shown(value)} is not a whole number of at least ${min}.`);
  return n;
}

/** A comma-separated list of whole numbers of at least `min`. */
function intListFlag(value: string, flag: string, min: number): number[] {
  const parts = value.split(",").map((x) => x.trim());
  if (parts.some((x) => x === "")) throw new UsageError(`${flag}: ${shown(value)} is not a comma-separated list of whole numbers (e.g. 1,10,200).`);
  return parts.map((x) => intFlag(x, flag, min));
}

/** The command line, checked as a whole before any measurement starts (a typo costs a second, not a run). */
function benchOptions(argv: readonly string[]): BenchOptions {
  program.parse([...argv], { from: "user" });
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const sections = String(o.sections)
    .split(",")
    .map((x) => x.trim());
  for (const x of sections) {
    if (!(SECTIONS as readonly string[]).includes(x)) throw new UsageError(`--sections: ${shown(x)} is not a section. Use ${SECTIONS.join(", ")}.`);
  }
  const quick = o.quick === true;
  return {
    sections: sections as Section[],
    startupRuns: intFlag(String(o.startupRuns), "--startup-runs", 9),
    quick,
    sizes: intListFlag(String(o.sizes), "--sizes", 1),
    throttle: o.throttle === undefined ? undefined : intFlag(String(o.throttle), "--throttle", 2),
    diagnoseCounts: intListFlag(String(o.diagnoseCounts), "--diagnose-counts", 1),
    diagnoseRuns: intFlag(String(o.diagnoseRuns), "--diagnose-runs", 1),
    watchEvents: intFlag(String(o.watchEvents), "--watch-events", 1),
    watchRuns: intFlag(String(o.watchRuns), "--watch-runs", 1),
    watchScheduledRuns: o.watchScheduledRuns === undefined ? (quick ? 3 : 9) : intFlag(String(o.watchScheduledRuns), "--watch-scheduled-runs", 1),
    planSizes: intListFlag(String(o.planSizes), "--plan-sizes", 1),
    planRuns: o.planRuns === undefined ? undefined : intFlag(String(o.planRuns), "--plan-runs", 1),
    json: o.json === true,
  };
}

/** A child of this script (`--child <kind> ...`, started by runChild): internal, not for users. */
async function childMain(args: readonly string[]): Promise<number> {
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const throttle = arg("--throttle") === undefined ? undefined : Number(arg("--throttle"));
  const childKind = arg("--child");
  if (childKind === "scale") await scaleChild(Number(args[args.indexOf("--child") + 2]), Number(arg("--runs") ?? "1"), throttle);
  else if (childKind === "watch-scheduled") await watchScheduledChild(Number(arg("--runs") ?? "9"));
  else if (childKind === "single") await singleChild(Number(arg("--runs") ?? "9"));
  else throw new Error(`unknown bench child ${String(childKind)}`);
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return childMain(argv);
  const opts = benchOptions(argv);
  const args = opts.json ? ["--json"] : [];
  const want = (x: Section) => opts.sections.includes(x);
  const { startupRuns, sizes, throttle, diagnoseCounts, diagnoseRuns } = opts;
  const json: Record<string, unknown> = { version: JSON_FORMAT_VERSION };
  let exit = 0;

  if (want("startup")) {
    const s = startup(startupRuns);
    json.startup = s.cases.map((c) => ({ label: c.label, medianMs: median(c.runs), runsMs: c.runs }));
    if (!args.includes("--json")) printStartup(s, startupRuns);
  }

  if (want("single")) {
    const r = await runChild<SingleResult>(["--child", "single", "--runs", "9"], "one domain");
    json.single = r;
    if (!args.includes("--json")) {
      const row = (label: string, xs: number[]) => [label, ms(median(xs)), `${ms(Math.min(...xs))}-${ms(Math.max(...xs))}`];
      process.stdout.write("verify of one domain x 2 regions against the loopback test servers, no added delays: median of 9 runs (ms)\n\n");
      process.stdout.write(
        table(
          ["how", "median ms", "range"],
          [
            row("npm run -s verify -- --manifest ...", r.npm),
            row("node scripts/run.cjs verify --manifest ...", r.launcher),
            row("in-process (no start-up; SES answered in-process)", r.inProcess),
          ],
        ),
      );
      // The target is for the command itself; npm run adds its own fixed start-up (the npm baseline above).
      const whole = median(r.launcher);
      const ratio = whole / median(r.inProcess);
      process.stdout.write(
        `\nthe command npm runs (node scripts/run.cjs verify): ${ms(whole)} ms, ${ratio.toFixed(2)}x its in-process work\n` +
          `(target <= 2x): ${ratio <= 2 ? "met" : `MISSED by ${(ratio - 2).toFixed(2)}x`}; through npm run: ${ms(median(r.npm))} ms; ` +
          `load average ${os.loadavg().map((v) => v.toFixed(1)).join(" ")}\n` +
          `CPU time, which the load changes far less (each with the loopback servers answering it, moto apart):\n` +
          `the command ${ms(median(r.launcherCpu))} ms, in-process ${ms(median(r.inProcessCpu))} ms: ${(median(r.launcherCpu) / median(r.inProcessCpu)).toFixed(2)}x\n\n`,
      );
    }
  }

  if (want("scale")) {
    const { rows, incomplete } = await scale(sizes, opts.quick, throttle);
    json.scale = rows;
    if (!args.includes("--json")) {
      printScale(rows, sizes, throttle, (await import("../tests/verify/bench-world")).BENCH_DELAYS);
      if (incomplete) process.stdout.write("Some reports were not all pass (see stderr).\n");
    }
    if (incomplete) exit = 1;
  }

  if (want("diagnose")) {
    const d = diagnoseBench(diagnoseCounts, diagnoseRuns);
    json.diagnose = d;
    if (!args.includes("--json")) {
      process.stdout.write(
        `diagnose: copies of the ${d.fixtures} real messages in ${d.corpus}, round-robin, in one call each: npm run diagnose -- <directory> --jsonl; ` +
          `median of ${diagnoseRuns} run(s)${d.sisimaiVersion ? `; sisimai ${d.sisimaiVersion} over the same directory, once` : "; sisimai not installed (bash scripts/install-test-deps.sh)"}\n\n`,
      );
      process.stdout.write(
        table(
          ["inputs", "verdicts", "refused", "median ms", "inputs/s", "peak RSS MB", "sisimai recipients", "sisimai ms", "sisimai inputs/s", "sisimai peak RSS MB"],
          d.sizes.map((x) => [String(x.inputs), String(x.verdicts), String(x.refused), ms(x.medianMs), x.inputsPerSec.toFixed(0), x.peakRssMb.toFixed(0), ...(x.sisimai ? [String(x.sisimai.recipients), ms(x.sisimai.wallMs), x.sisimai.inputsPerSec.toFixed(0), x.sisimai.peakRssMb.toFixed(0)] : ["-", "-", "-", "-"])]),
        ),
      );
      if (d.sizes.length > 1) process.stdout.write(`\npeak RSS at ${d.sizes.at(-1)!.inputs} inputs / at ${d.sizes[0]!.inputs}: ${d.rssGrowth.toFixed(2)}x (target <= 1.5x): ${d.rssGrowth <= 1.5 ? "met" : "MISSED"}\n`);
      process.stdout.write("\n");
    }
  }

  if (want("watch")) {
    const { watchEvents: events, watchRuns: runs, watchScheduledRuns: scheduledRuns } = opts;
    const scheduled = await runChild<WatchScheduledBench>(["--child", "watch-scheduled", "--runs", String(scheduledRuns)], "the watch's scheduled run");
    const w: WatchBench = { ...(await watchBench(events, runs)), scheduled };
    json.watch = w;
    if (!args.includes("--json")) {
      process.stdout.write(`watch: the Lambda bundle (bin/watch-lambda/index.js) in a fresh node process, SNS-delivered SES bounces; median of ${runs} process(es)\n\n`);
      process.stdout.write(
        table(
          ["bundle KB", "require + first event ms", "spawn to first event ms", "events", "events/s (one core)"],
          [[(w.bundleBytes / 1024).toFixed(0), ms(w.medianColdStartMs), ms(w.medianSpawnToFirstEventMs), String(w.events), w.medianEventsPerSec.toFixed(0)]],
        ),
      );
      const row = (label: string, xs: number[]) => [label, ms(median(xs)), `${ms(Math.min(...xs))}-${ms(Math.max(...xs))}`];
      process.stdout.write(
        `\nwatch, scheduled run: the handler core on a Scheduler event, stack ${scheduled.stack} (${scheduled.domain}; Pulumi.prod.yaml with mail-infra:watch true) ` +
          `against the loopback world, no added delays; layers ${scheduled.layers.join(", ")}; median of ${scheduled.runs} runs (ms), fresh collectors each\n\n`,
      );
      process.stdout.write(
        table(
          ["how", "median ms", "range"],
          [row("watch handler (scripts/watch/core.ts), scheduled event", scheduled.handlerMs), row(`verify in-process, --only ${scheduled.layers.join(",")}`, scheduled.verifyMs)],
        ),
      );
      process.stdout.write(
        `\none run emits ${scheduled.datapoints} datapoints (${scheduled.emfLines} EMF lines) from ${scheduled.findings} findings; ${scheduled.alerts} alert(s); ` +
          `not pass: ${scheduled.nonPass.length === 0 ? "none" : scheduled.nonPass.join("; ")}\n`,
      );
      process.stdout.write("\n");
    }
  }

  if (want("plan")) {
    const rows = planBench(opts.planSizes, opts.planRuns);
    json.plan = rows;
    if (!args.includes("--json")) process.stdout.write(printPlanBench(rows, table));
  }

  if (args.includes("--json")) process.stdout.write(JSON.stringify(json, null, 2) + "\n");
  return exit;
}

/** What Ctrl-C (or a SIGTERM) prints: one line, no stack trace; the children stop with it. */
const INTERRUPTED = "bench: interrupted; the section that was running did not finish, so nothing of it is reported.\n";
let interrupted = false;
function stopOnSignal(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = true;
  for (const child of children) child.kill(signal);
  process.stderr.write(INTERRUPTED);
  process.exit(EXIT_INTERRUPTED);
}
process.on("SIGINT", stopOnSignal);
process.on("SIGTERM", stopOnSignal);

void runMain(
  async () => {
    try {
      return await main();
    } catch (e) {
      // A measured child that a Ctrl-C stopped first: the same one line.
      if (e instanceof Interrupted) {
        stopOnSignal("SIGINT");
        return EXIT_INTERRUPTED;
      }
      throw e;
    }
  },
  { command: "bench" },
);
