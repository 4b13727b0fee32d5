/**
 * npm run bench's diagnose section, with small counts: it runs the whole command once per count
 * over copies of the real bounces (tests/fixtures/bounces-sisimai) in one directory, and reports
 * throughput and the CLI process's own peak memory, and sisimai's on the same files where it is
 * installed. The 1,000/10,000/50,000 figures are the default (`npm run bench -- --sections diagnose`).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn";
import type { DiagnoseBench } from "../../scripts/bench";

const COUNTS = [40, 120];

describe("npm run bench -- --sections diagnose", () => {
  it(`measures diagnose over ${COUNTS.join(" and ")} copies of real bounces: every input read or refused, inputs per second, peak RSS, and sisimai where installed`, () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--sections", "diagnose", "--diagnose-counts", COUNTS.join(","), "--diagnose-runs", "1", "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/bench failed|\n\s+at /);
    expect(r.status).toBe(0);
    const { diagnose } = JSON.parse(r.stdout) as { diagnose: DiagnoseBench };
    const real = readdirSync(join(ROOT, "tests", "fixtures", "bounces-sisimai")).filter((f) => f.endsWith(".eml"));
    expect(diagnose).toMatchObject({ corpus: "tests/fixtures/bounces-sisimai", fixtures: real.length });
    expect(diagnose.sizes.map((s) => s.inputs)).toEqual(COUNTS);
    for (const s of diagnose.sizes) {
      // Every input gives at least one verdict or one refusal (a bounce may list several recipients).
      expect(s.verdicts + s.refused).toBeGreaterThanOrEqual(s.inputs);
      expect(s.runs).toHaveLength(1);
      expect(s.inputsPerSec).toBeCloseTo(s.inputs / (s.medianMs / 1000), 6);
      // The CLI's own high-water mark: a Node process is tens of MB, never zero, never gigabytes here.
      expect(s.peakRssMb).toBeGreaterThan(20);
      expect(s.peakRssMb).toBeLessThan(1024);
      if (diagnose.sisimaiVersion) expect(s.sisimai!.recipients).toBeGreaterThan(0);
    }
    expect(diagnose.rssGrowth).toBeCloseTo(diagnose.sizes[1]!.peakRssMb / diagnose.sizes[0]!.peakRssMb, 6);
  }, 150_000);

  it("refuses a count that is not a positive integer, exit 2", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "bench.ts"), "--sections", "diagnose", "--diagnose-counts", "0"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: --diagnose-counts: "0" is not a whole number of at least 1.\n');
  });
});
