/**
 * The verify benchmark's world and one measured run, shared by `npm run bench`
 * (scripts/bench.ts) and the deterministic count test (bench.test.ts).
 *
 * N domains x 2 regions, all sharing one SPF include and one SMTP credential, against the
 * loopback servers: nsd behind its delaying proxy, moto behind its delaying proxy, the SES
 * fake with a delay in every handler, and the SMTP servers delaying every reply.
 */
import { spawn } from "node:child_process";
import { LAYERS, summarize, type Summary } from "../../lib/verify/findings";
import { createWorld, multiplyManifest, programManifest, SHARED_INCLUDE, type SharedServers, type World } from "./world";

export interface BenchDelays {
  dnsMs: number;
  awsMs: number;
  smtpMs: number;
}

/** The delays the issue sets for the benchmark. */
export const BENCH_DELAYS: BenchDelays = { dnsMs: 50, awsMs: 100, smtpMs: 50 };

/** The loopback servers as they are: for the one-domain end-to-end time and the count test. */
export const NO_DELAYS: BenchDelays = { dnsMs: 0, awsMs: 0, smtpMs: 0 };

export interface BenchRun {
  n: number;
  wallMs: number;
  /** Logical AWS calls verify made (AwsCollector), and requests that reached moto, the SES fake and the CloudWatch fake. */
  awsCalls: number;
  awsRequests: { moto: number; ses: number; cloudwatch: number };
  /** Queries that reached the DNS server (proxy count), and the collector's own count. */
  dnsQueries: number;
  dnsCollectorQueries: number;
  /** TXT queries for the include every domain shares. */
  sharedIncludeQueries: number;
  /** SMTP sessions the servers saw, and the collector's count. */
  smtpConnections: number;
  smtpCollectorConnections: number;
  identityCalls: number;
  /** Requests AWS (moto and the SES fake) answered with a throttling error. */
  throttled: number;
  /** Process RSS before the run and its peak during the run (sampled every 5 ms). */
  rssBeforeMb: number;
  rssPeakMb: number;
  summary: Summary;
  nonPass: string[];
}

/**
 * The benchmark world. With `throttleEveryNth`, SES answers every Nth request with
 * TooManyRequestsException; SES then goes through the REST front so the SDK's own retry with
 * backoff handles it (start moto with the same throttle for IAM and Secrets Manager).
 */
export async function benchWorld(shared: SharedServers, n: number, delays: BenchDelays, throttleEveryNth?: number): Promise<World> {
  const base = await programManifest();
  return createWorld(shared, {
    manifest: multiplyManifest(base, n),
    delays: { dnsMs: delays.dnsMs, sesMs: delays.awsMs, smtpMs: delays.smtpMs },
    ...(throttleEveryNth ? { sesTransport: "http" as const, ses: (fake) => (fake.throttleEveryNth = throttleEveryNth) } : {}),
  });
}

/** One verify run with fresh collectors (so nothing is cached from an earlier run). */
export async function benchRun(world: World): Promise<BenchRun> {
  world.dns.resetQueries();
  for (const s of Object.values(world.smtp)) s.reset();
  const motoBefore = world.moto.calls();
  const sesBefore = world.ses.calls.length;
  const cloudwatchBefore = world.cloudwatch.calls.length;
  const identityBefore = world.ses.count("GetEmailIdentity");
  const throttledBefore = world.moto.throttledCalls() + world.ses.throttled;
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  // Every layer the CLI runs without --recipient (monitoring included).
  const r = await world.verify({ layers: LAYERS.filter((l) => l !== "recipient") }).finally(() => clearInterval(sampler));
  const wallMs = performance.now() - started;
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const { aws, dns, smtp } = r.collectors;
  return {
    n: world.manifest.domains.length,
    wallMs,
    awsCalls: aws.calls,
    awsRequests: { moto: world.moto.calls() - motoBefore, ses: world.ses.calls.length - sesBefore, cloudwatch: world.cloudwatch.calls.length - cloudwatchBefore },
    dnsQueries: world.dns.queryCount(),
    dnsCollectorQueries: dns.queries,
    sharedIncludeQueries: world.dns.queries().filter((q) => q.type === "TXT" && q.name.toLowerCase() === SHARED_INCLUDE).length,
    smtpConnections: Object.values(world.smtp).reduce((sum, s) => sum + s.connections(), 0),
    smtpCollectorConnections: smtp.connections,
    identityCalls: world.ses.count("GetEmailIdentity") - identityBefore,
    throttled: world.moto.throttledCalls() + world.ses.throttled - throttledBefore,
    rssBeforeMb: rssBefore / 2 ** 20,
    rssPeakMb: rssPeak / 2 ** 20,
    summary: summarize(r.findings),
    nonPass: r.findings.filter((f) => f.status !== "pass").map((f) => `${f.id} ${f.subject}: ${f.summary}`),
  };
}

/**
 * Wall time in ms of one command, from spawn to exit. Asynchronous, so the servers living in
 * this process keep answering. Rejects unless it exits 0 (a failing run is no measurement).
 */
export function timeCommand(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (status) => {
      const elapsed = performance.now() - started;
      if (status === 0) resolve(elapsed);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${status}:\n${output}`));
    });
  });
}
