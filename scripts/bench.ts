/**
 * npm run bench: how verify scales. Verifies a synthetic manifest of N domains x 2 regions
 * (N = 1, 10, 200; all sharing one SPF include and one SMTP credential) against the loopback
 * test servers, each answer delayed as on a real network: DNS 50 ms, AWS 100 ms, every SMTP
 * reply 50 ms. Prints wall time, AWS calls, DNS queries, SMTP connections and peak memory.
 *
 * Each N runs in its own process (fresh servers, a fresh heap) and reports the median of 3
 * runs (--quick: 1 run for N >= 100). Peak RSS is the process's, sampled during the runs; the
 * process also hosts the SMTP servers, the DNS proxy and the SES fake, and has loaded the
 * Pulumi program once, so "+MB" (growth during the run) is verify's own share.
 *
 * --throttle N makes AWS answer every Nth request with a throttling error (moto for IAM and
 * Secrets Manager, the SES REST front for SES): the SDK's retry with backoff must still yield
 * a complete report.
 *
 *   npm run bench [-- --quick] [-- --sizes 1,10,200] [-- --throttle 4] [-- --json]
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { spawn } from "node:child_process";
import * as path from "node:path";
import { BENCH_DELAYS, benchRun, benchWorld, type BenchRun } from "../tests/verify/bench-world";
import { startShared } from "../tests/verify/world";

interface ChildResult {
  runs: BenchRun[];
}

async function child(n: number, runs: number, throttle: number | undefined): Promise<void> {
  const shared = await startShared({ awsDelayMs: BENCH_DELAYS.awsMs, throttleEveryNth: throttle });
  const world = await benchWorld(shared, n, BENCH_DELAYS, throttle);
  try {
    const results: BenchRun[] = [];
    for (let i = 0; i < runs; i++) results.push(await benchRun(world));
    const out: ChildResult = { runs: results };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
  } finally {
    await world.stop();
    await shared.stop();
  }
}

function runChild(n: number, runs: number, throttle: number | undefined): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const extra = throttle ? ["--throttle", String(throttle)] : [];
    const p = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "bench.ts"), "--child", String(n), "--runs", String(runs), ...extra], {
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    });
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    p.on("error", reject);
    p.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code !== 0 || !line) reject(new Error(`bench child for N=${n} exited with ${code}\n${out}`));
      else resolve(JSON.parse(line.slice("BENCH_RESULT ".length)) as ChildResult);
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const throttleArg = arg("--throttle");
  const throttle = throttleArg === undefined ? undefined : Number(throttleArg);
  if (throttle !== undefined && (!Number.isInteger(throttle) || throttle < 2)) {
    process.stderr.write(`--throttle: "${throttleArg}" must be an integer >= 2 (every Nth AWS request is throttled).\n`);
    return 2;
  }
  const childN = arg("--child");
  if (childN) {
    await child(Number(childN), Number(arg("--runs") ?? "1"), throttle);
    return 0;
  }
  if (args.includes("--help")) {
    process.stdout.write(
      "npm run bench [-- --quick] [-- --sizes 1,10,200] [-- --throttle N] [-- --json]\n" +
        "  --quick       one run for sizes >= 100 instead of three\n" +
        "  --sizes       comma-separated domain counts (default 1,10,200)\n" +
        "  --throttle N  AWS throttles every Nth request; the report must still be complete\n" +
        "  --json        print the raw measurements\n",
    );
    return 0;
  }
  const sizes = (arg("--sizes") ?? "1,10,200").split(",").map(Number);
  const quick = args.includes("--quick");
  const rows: { n: number; runs: number; wallMs: number; all: number[]; r: BenchRun; peakRssMb: number; growthMb: number }[] = [];
  let incomplete = false;
  for (const n of sizes) {
    const runs = quick && n >= 100 ? 1 : 3;
    const res = await runChild(n, runs, throttle);
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
  if (args.includes("--json")) {
    process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    return 0;
  }
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
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  process.stdout.write(
    `verify benchmark: N domains x 2 regions; DNS +${BENCH_DELAYS.dnsMs} ms per answer, AWS +${BENCH_DELAYS.awsMs} ms per call, SMTP +${BENCH_DELAYS.smtpMs} ms per reply` +
      `${throttle ? `; AWS throttles every ${throttle}th request` : ""}\n` +
      "wall ms is the median; AWS calls are verify's logical calls (retries not counted), moto/SES reqs what reached the servers;\n" +
      "DNS queries reached the server; shared include = TXT queries for the include every domain uses; SMTP conns reached the servers.\n\n",
  );
  process.stdout.write([fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n") + "\n");
  const big = rows.find((x) => x.n === Math.max(...sizes));
  if (base && big && big.n !== 1) {
    const ratio = big.wallMs / base;
    process.stdout.write(
      throttle
        ? `\nN=${big.n} / N=1 wall time: ${ratio.toFixed(2)}x (with throttling the SDK's backoff dominates; the < 3x target applies without --throttle)\n`
        : `\nN=${big.n} / N=1 wall time: ${ratio.toFixed(2)}x (target < 3x): ${ratio < 3 ? "met" : "MISSED"}\n`,
    );
  }
  if (incomplete) process.stdout.write("Some reports were not all pass (see stderr).\n");
  return incomplete ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
