/**
 * npm run bench's watch section, in quick mode with a small count: the Lambda bundle's size, its
 * cold start in a fresh process (time to the first SES event handled) and its events per second;
 * and the scheduled run of the handler core against the loopback world built from
 * Pulumi.prod.yaml (mail-infra:watch true), next to verify in-process over the same layers.
 * Shapes and counts are asserted, not timings.
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WATCH_LAYERS } from "../../lib/watch";
import { ROOT } from "../helpers/spawn";
import type { WatchBench } from "../../scripts/bench";

const bench = (args: string[], timeout = 240_000) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout });

describe("npm run bench -- --sections watch", () => {
  it("measures the bundle (size, time to the first event in a fresh process, events per second) and the scheduled run for prod", () => {
    const r = bench(["--sections", "watch", "--quick", "--watch-events", "300", "--watch-runs", "1", "--watch-scheduled-runs", "2", "--json"]);
    expect(r.stderr).not.toMatch(/bench failed|\n\s+at /);
    expect(r.status).toBe(0);
    const { watch } = JSON.parse(r.stdout) as { watch: WatchBench };
    expect(watch.bundleBytes).toBe(statSync(join(ROOT, "bin", "watch-lambda", "index.js")).size);
    expect(watch.events).toBe(300);
    expect(watch.runs).toHaveLength(1);
    expect(watch.medianColdStartMs).toBeGreaterThan(0);
    expect(watch.medianSpawnToFirstEventMs).toBeGreaterThan(watch.medianColdStartMs);
    expect(watch.medianEventsPerSec).toBeGreaterThan(10);

    const s = watch.scheduled;
    expect({ stack: s.stack, domain: s.domain, layers: s.layers, runs: s.runs }).toEqual({ stack: "prod", domain: "queenofsandiego.com", layers: [...WATCH_LAYERS], runs: 2 });
    expect(s.handlerMs).toHaveLength(2);
    expect(s.verifyMs).toHaveLength(2);
    expect(s.medianHandlerMs).toBe([...s.handlerMs].sort((a, b) => a - b)[1]);
    expect(s.medianVerifyMs).toBe([...s.verifyMs].sort((a, b) => a - b)[1]);
    // One CheckFailed per finding of an alarmed check, plus the Runs heartbeat; one EMF line each.
    expect(s.findings).toBeGreaterThan(20);
    expect(s.datapoints).toBeGreaterThan(20);
    expect(s.datapoints).toBeLessThanOrEqual(s.findings + 1);
    expect(s.emfLines).toBe(s.datapoints);
    // The prod world is healthy except prod's own DMARC p=none (a warning, not an alert).
    expect(s.nonPass).toEqual([expect.stringMatching(/^warn dns\.dmarc\.policy _dmarc\.queenofsandiego\.com: p=none/)]);
    expect(s.alerts).toBe(0);
  }, 300_000);

  it("refuses a bad --watch-scheduled-runs before measuring anything", () => {
    const r = bench(["--sections", "watch", "--watch-scheduled-runs", "0"], 60_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: --watch-scheduled-runs: "0" is not a whole number of at least 1.\n');
  }, 90_000);
});
