/**
 * npm run bench's watch section, with a small count: the Lambda bundle's size, its cold start in
 * a fresh process (time to the first SES event handled) and its events per second.
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn";
import type { WatchBench } from "../../scripts/bench";

describe("npm run bench -- --sections watch", () => {
  it("measures the bundle: size, time to the first event in a fresh process, events per second", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--sections", "watch", "--watch-events", "300", "--watch-runs", "1", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 240_000,
    });
    expect(r.stderr).not.toMatch(/bench failed|\n\s+at /);
    expect(r.status).toBe(0);
    const { watch } = JSON.parse(r.stdout) as { watch: WatchBench };
    expect(watch.bundleBytes).toBe(statSync(join(ROOT, "bin", "watch-lambda", "index.js")).size);
    expect(watch.events).toBe(300);
    expect(watch.runs).toHaveLength(1);
    expect(watch.medianColdStartMs).toBeGreaterThan(0);
    expect(watch.medianSpawnToFirstEventMs).toBeGreaterThan(watch.medianColdStartMs);
    expect(watch.medianEventsPerSec).toBeGreaterThan(10);
  }, 300_000);
});
