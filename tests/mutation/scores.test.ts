/**
 * The mutation scores docs/mutation-testing.md shows are the results kept in git
 * (tests/mutation/results/, written by `npm run test:mutation`): each root's summary (written by
 * `npm run test:mutation -- <root> --report-only`) agrees with the per-file records, and the doc's
 * table is the summaries rendered (tests/docs/outputs/mutation-scores.txt, checked in the doc by
 * tests/docs/examples.test.ts). After a mutation run: `npm run test:mutation -- lib --report-only`,
 * then `npx vitest run tests/mutation/scores.test.ts -u` and
 * `MAIL_INFRA_UPDATE_DOCS=1 npx vitest run tests/docs/examples.test.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { blobId, counts, readRecord, RESULTS_DIR, renderScores, type ScoreRow, summaryPath } from "../../scripts/lib/mutation-results.mjs";
import { OUTPUTS, ROOT } from "../docs/doc-examples";

interface Summary {
  target: string;
  files: ScoreRow[];
}

const dir = join(ROOT, RESULTS_DIR);
const summaries: Summary[] = readdirSync(dir)
  .filter((f) => f.endsWith(".summary.json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Summary);

/** Every record kept, by source file. */
function records(sub: string): string[] {
  return readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? records(join(sub, e.name)) : e.name.endsWith(".ts.json") ? [join(sub, e.name).replace(/\.json$/, "")] : [],
  );
}

describe("mutation scores kept in git", () => {
  it("each summary line is the numbers of its file's record (or of no record: nothing tested)", () => {
    expect(summaries.map((s) => s.target)).toContain("lib");
    for (const s of summaries) {
      for (const row of s.files) {
        const rec = readRecord(ROOT, row.file);
        const expected = rec
          ? { source: rec.source, mutants: rec.mutants, measured: rec.measured, ...counts(rec.results) }
          : { source: row.source, mutants: row.mutants, measured: null, killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
        const { file: _file, ...actual } = row;
        expect({ file: row.file, ...actual }).toEqual({ file: row.file, ...expected });
      }
    }
  });

  it("every record is in a summary, and was measured on a source git can show", () => {
    const summarised = new Set(summaries.flatMap((s) => s.files.map((r) => r.file)));
    const kept = [...records("lib"), ...records("scripts")].map((f) => f.replace(/\\/g, "/"));
    expect(kept.length).toBeGreaterThan(0);
    for (const f of kept) {
      const root = f.startsWith("lib/") ? "lib" : f.split("/").slice(0, 2).join("/");
      expect(summarised.has(f), `${f} has a record but is in no summary: npm run test:mutation -- ${root} --report-only`).toBe(true);
      const rec = readRecord(ROOT, f);
      expect(rec?.source).toMatch(/^[0-9a-f]{40}$/);
      // The tested mutants can be no more than the source has.
      expect(rec?.results.length).toBeLessThanOrEqual(rec?.mutants ?? 0);
    }
  });

  it("every survivor kept is written down in docs/mutation-testing.md, under its file's heading, as an equivalent", () => {
    // A survivor that is not listed is a missing test (or an equivalent nobody has argued yet).
    const doc = readFileSync(join(ROOT, "docs/mutation-testing.md"), "utf8");
    const listed = new Map<string, string>();
    let heading: string | undefined;
    for (const line of doc.split("\n")) {
      const h = /^\*\*((?:lib|scripts)\/[^*\s]+)\*\*/.exec(line);
      if (h) heading = h[1];
      else if (/^(#|\*\*)/.test(line)) heading = undefined;
      if (heading) listed.set(heading, `${listed.get(heading) ?? ""}${line}\n`);
    }
    const unlisted: string[] = [];
    for (const f of [...records("lib"), ...records("scripts")].map((x) => x.replace(/\\/g, "/"))) {
      for (const [at, mutator, replacement, status] of readRecord(ROOT, f)?.results ?? []) {
        if (status !== "Survived" && status !== "NoCoverage") continue;
        const place = at.split("-")[0];
        if (!new RegExp(`\`${place}\``).test(listed.get(f) ?? "")) unlisted.push(`${f}:${place} ${mutator} ${replacement}`);
      }
    }
    expect(unlisted, "survivors not listed: kill each with a test, or list it as an equivalent with its reason").toEqual([]);
  });

  it("a blob id is git's (git hash-object)", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(blobId("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("the table docs/mutation-testing.md shows", async () => {
    const text = summaries
      .map((s) => `${s.target}: ${relative(ROOT, summaryPath(ROOT, s.target))}, the files measured\n${renderScores(s.files, { target: s.target, files: "measured" })}`)
      .join("\n");
    await expect(text).toMatchFileSnapshot(join(OUTPUTS, "mutation-scores.txt"));
  });
});
