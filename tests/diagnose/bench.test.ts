/**
 * npm run bench's diagnose section, with a small count: it runs the whole command once over
 * the bounce fixtures copied into one directory, and reports throughput and the CLI process's
 * own peak memory. The 10,000-bounce figure is the default (`npm run bench -- --sections diagnose`).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn";
import type { DiagnoseBench } from "../../scripts/bench";

const COUNT = 60;

describe("npm run bench -- --sections diagnose", () => {
  it(`measures one diagnose call over ${COUNT} bounces: every input read, verdicts per second, peak RSS`, () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--sections", "diagnose", "--diagnose-count", String(COUNT), "--diagnose-runs", "1", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/bench failed|\n\s+at /);
    expect(r.status).toBe(0);
    const { diagnose } = JSON.parse(r.stdout) as { diagnose: DiagnoseBench };
    const bounces = readdirSync(join(ROOT, "tests", "fixtures", "bounces")).filter((f) => f !== "not-a-bounce.eml" && f !== "ses-delivery.json");
    expect(diagnose).toMatchObject({ inputs: COUNT, fixtures: bounces.length });
    // Every input is a bounce with at least one failed recipient (one fixture has two).
    expect(diagnose.verdicts).toBeGreaterThanOrEqual(COUNT);
    expect(diagnose.runs).toHaveLength(1);
    expect(diagnose.verdictsPerSec).toBeCloseTo(diagnose.verdicts / (diagnose.medianMs / 1000), 6);
    // The CLI's own high-water mark: a Node process is tens of MB, never zero, never gigabytes here.
    expect(diagnose.peakRssMb).toBeGreaterThan(20);
    expect(diagnose.peakRssMb).toBeLessThan(1024);
  }, 150_000);

  it("refuses a count that is not a positive integer, exit 2", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--sections", "diagnose", "--diagnose-count", "0"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--diagnose-count and --diagnose-runs: "0" \/ "" must be integers >= 1/);
  });
});
