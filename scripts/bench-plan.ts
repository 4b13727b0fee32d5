/**
 * npm run bench -- --sections plan: `plan --json` of one stack with N domains × 2 regions
 * (default N = 1, 100, 1000), each a whole command (`node scripts/run.cjs plan --stack bench-N
 * --json`) in a temporary directory holding Pulumi.bench-N.yaml: external DNS, one sender (so the
 * SMTP grant is the bounded one, lib/iam.ts smtpGrant). Reports the median wall time of
 * --plan-runs runs (default 3; 1 for N >= 500), the time per domain against N = 1's (target:
 * at most 3x), peak RSS (process.resourceUsage().maxRSS, written at exit by a preload) and the
 * growth of peak RSS per domain over N = 1, and the resources the plan lists.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

export interface PlanBenchSize {
  domains: number;
  resources: number;
  runsMs: number[];
  medianMs: number;
  msPerDomain: number;
  /** msPerDomain / N = 1's msPerDomain. */
  perDomainRatio: number;
  peakRssMb: number;
  /** (peak RSS − N = 1's) / (N − 1), MB; 0 for N = 1. */
  rssPerDomainMb: number;
  planBytes: number;
}

/** The stack file of N domains × 2 regions. */
export function benchStackYaml(n: number): string {
  const domains = Array.from({ length: n }, (_, i) => `    - d${i}.example.com`).join("\n");
  return [
    "config:",
    "  mail-infra:domains:",
    domains,
    "  mail-infra:regions:",
    "    - us-east-1",
    "    - us-west-2",
    "  mail-infra:dnsMode: external",
    "  mail-infra:senders:",
    "    - address=admin@d0.example.com; kind=smtp-client; region=us-east-1",
    "",
  ].join("\n");
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function planBench(sizes: readonly number[], runsArg: number | undefined): PlanBenchSize[] {
  const built = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.cjs"), "--if-stale"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("the build failed");
  const work = mkdtempSync(path.join(os.tmpdir(), "mail-infra-plan-bench-"));
  try {
    const rssFile = path.join(work, "maxrss");
    const preload = path.join(work, "maxrss.cjs");
    writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const out: PlanBenchSize[] = [];
    for (const n of sizes) {
      const stack = `bench-${n}`;
      writeFileSync(path.join(work, `Pulumi.${stack}.yaml`), benchStackYaml(n));
      const runs = runsArg ?? (n >= 500 ? 1 : 3);
      const times: number[] = [];
      const rss: number[] = [];
      let resources = 0;
      let planBytes = 0;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const r = spawnSync(process.execPath, ["--require", preload, path.join(ROOT, "scripts", "run.cjs"), "plan", "--stack", stack, "--json"], {
          cwd: work,
          encoding: "utf8",
          maxBuffer: 1024 * 1024 * 1024,
          env: { ...process.env, NO_COLOR: "1" },
        });
        times.push(performance.now() - started);
        if (r.status !== 0) throw new Error(`plan of ${n} domains exited with ${r.status}: ${r.stderr.slice(0, 2000)}`);
        rss.push(Number(readFileSync(rssFile, "utf8")) / 1024);
        const plan = JSON.parse(r.stdout) as { resources: unknown[] };
        resources = plan.resources.length;
        planBytes = r.stdout.length;
      }
      out.push({ domains: n, resources, runsMs: times, medianMs: median(times), msPerDomain: median(times) / n, perDomainRatio: 0, peakRssMb: median(rss), rssPerDomainMb: 0, planBytes });
    }
    const one = out.find((x) => x.domains === 1) ?? out[0];
    for (const x of out) {
      x.perDomainRatio = x.msPerDomain / one.msPerDomain;
      x.rssPerDomainMb = x.domains > one.domains ? (x.peakRssMb - one.peakRssMb) / (x.domains - one.domains) : 0;
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function printPlanBench(rows: readonly PlanBenchSize[], table: (head: string[], rows: string[][]) => string): string {
  const body = table(
    ["domains x 2 regions", "resources", "runs", "median s", "ms per domain", "per domain vs N=1", "peak RSS MB", "RSS MB per added domain", "plan MB"],
    rows.map((x) => [
      String(x.domains),
      String(x.resources),
      String(x.runsMs.length),
      (x.medianMs / 1000).toFixed(1),
      x.msPerDomain.toFixed(0),
      `${x.perDomainRatio.toFixed(2)}x`,
      x.peakRssMb.toFixed(0),
      x.domains > 1 ? x.rssPerDomainMb.toFixed(2) : "-",
      (x.planBytes / 1e6).toFixed(1),
    ]),
  );
  const worst = Math.max(...rows.map((x) => x.perDomainRatio));
  return (
    "plan --json of one stack, N domains x 2 regions (external DNS, one sender), each a whole command: node scripts/run.cjs plan --stack bench-N --json\n\n" +
    body +
    `\nworst time per domain vs N = 1: ${worst.toFixed(2)}x (target <= 3x): ${worst <= 3 ? "met" : "MISSED"}\n\n`
  );
}
