/**
 * How mutation results accumulate (scripts/lib/mutation-results.mjs): a Stryker report folds
 * into a per-file record, and the records become Stryker's incremental file for the next run.
 * A hand-made report over a temporary directory; no Stryker run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blobId, type Context, foldIntoRecords, incrementalFromRecords, mutantKey, readRecord, recordPath } from "../../scripts/lib/mutation-results.mjs";

const root = mkdtempSync(join(tmpdir(), "mutation-records-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SOURCE = "export const big = (n: number): boolean => n > 1;\n";
const TESTS = 'it("big", () => expect(big(2)).toBe(true));\nit("small", () => expect(big(0)).toBe(false));\n';
const GT = { start: { line: 1, column: 44 }, end: { line: 1, column: 49 } };
const BODY = { start: { line: 1, column: 44 }, end: { line: 1, column: 49 } };
const STATIC = { start: { line: 1, column: 20 }, end: { line: 1, column: 49 } };

/** Today's files, what git holds, and the mutants of today's source. */
function context(files: Record<string, string>, git: Record<string, string>, today: string): Context {
  const keys = new Set([mutantKey("1:44-1:49", "EqualityOperator", "n >= 1"), mutantKey("1:44-1:49", "ConditionalExpression", "true"), mutantKey("1:20-1:49", "ArrowFunction", "() => undefined")]);
  return {
    root,
    read: (f) => files[f],
    gitBlob: (id) => git[id],
    keysOf: async (list) => new Map(list.map((f) => [f, { blob: blobId(files[f] ?? ""), keys }])),
    today,
    stryker: "10.1.1",
  };
}

const report = {
  files: {
    "lib/x.ts": {
      source: SOURCE,
      mutants: [
        { id: "1", mutatorName: "EqualityOperator", replacement: "n >= 1", location: GT, status: "Killed", killedBy: ["t2"], coveredBy: ["t1", "t2"] },
        { id: "2", mutatorName: "ConditionalExpression", replacement: "true", location: BODY, status: "Survived", killedBy: [], coveredBy: ["t1"] },
        { id: "3", mutatorName: "ArrowFunction", replacement: "() => undefined", location: STATIC, status: "Survived", killedBy: [], coveredBy: [] },
        { id: "4", mutatorName: "BooleanLiteral", replacement: "false", location: GT, status: "Pending" },
        // Code that is gone from today's source (not among its mutants): dropped.
        { id: "5", mutatorName: "StringLiteral", replacement: '""', location: GT, status: "Killed", killedBy: ["t1"] },
      ],
    },
  },
  testFiles: {
    "tests/x.test.ts": {
      source: TESTS,
      tests: [
        { id: "t1", name: "big", location: { start: { line: 1, column: 1 } } },
        { id: "t2", name: "small", location: { start: { line: 2, column: 1 } } },
      ],
    },
  },
};

describe("a run's results, kept per source file", () => {
  it("keeps each tested mutant with its status and the tests that killed it (or covered a survivor), nothing pending", async () => {
    const ctx = context({ "lib/x.ts": SOURCE, "tests/x.test.ts": TESTS }, {}, "2026-12-07");
    expect(await foldIntoRecords(ctx, ["lib/x.ts"], report)).toBe(1);
    expect(readRecord(root, "lib/x.ts")).toEqual({
      file: "lib/x.ts",
      source: blobId(SOURCE),
      mutants: 3,
      measured: "2026-12-07",
      stryker: "10.1.1",
      tests: [{ file: "tests/x.test.ts", source: blobId(TESTS), tests: [["big", 1, 1], ["small", 2, 1]] }],
      results: [
        ["1:20-1:49", "ArrowFunction", "() => undefined", "Survived", [], []],
        ["1:44-1:49", "ConditionalExpression", "true", "Survived", [], [0]],
        ["1:44-1:49", "EqualityOperator", "n >= 1", "Killed", [1], []],
      ],
    });
    // One result a line: a re-run changes only the lines of what it retested.
    expect(readFileSync(recordPath(root, "lib/x.ts"), "utf8")).toContain('\n    ["1:44-1:49","EqualityOperator","n >= 1","Killed",[1],[]]\n');
  });

  it("becomes Stryker's incremental file: today's source and tests, the static survivor left out to be tested again", () => {
    const inc = incrementalFromRecords(context({ "lib/x.ts": SOURCE, "tests/x.test.ts": TESTS }, {}, "2026-12-08"), ["lib/x.ts"]);
    expect(inc.files["lib/x.ts"]?.source).toBe(SOURCE);
    const mutants = inc.files["lib/x.ts"]?.mutants ?? [];
    expect(mutants.map((m) => `${m.mutatorName} ${m.status}`)).toEqual(["ConditionalExpression Survived", "EqualityOperator Killed"]);
    const tests = new Map(inc.testFiles["tests/x.test.ts"]?.tests.map((t) => [t.id, `${t.name}@${t.location.start.line}`]));
    expect(inc.testFiles["tests/x.test.ts"]?.source).toBe(TESTS);
    expect(mutants[1]?.killedBy.map((id) => tests.get(id))).toEqual(["small@2"]);
    expect(mutants[0]?.coveredBy.map((id) => tests.get(id))).toEqual(["big@1"]);
    expect(mutants[1]?.location).toEqual(GT);
  });

  it("a source changed since: its measured version comes from git (Stryker diffs it), or it is left out when git lacks it", () => {
    const changed = `// a comment\n${SOURCE}`;
    const fromGit = incrementalFromRecords(context({ "lib/x.ts": changed, "tests/x.test.ts": TESTS }, { [blobId(SOURCE)]: SOURCE }, "2026-12-08"), ["lib/x.ts"]);
    expect(fromGit.files["lib/x.ts"]?.source).toBe(SOURCE);
    const lost = incrementalFromRecords(context({ "lib/x.ts": changed, "tests/x.test.ts": TESTS }, {}, "2026-12-08"), ["lib/x.ts"]);
    expect(lost.files).toEqual({});
  });

  it("a later run on the same source adds up: what it retested is replaced, the rest kept", async () => {
    const ctx = context({ "lib/x.ts": SOURCE, "tests/x.test.ts": TESTS }, {}, "2026-12-09");
    const later = {
      files: { "lib/x.ts": { mutants: [{ id: "9", mutatorName: "ConditionalExpression", replacement: "true", location: BODY, status: "Killed", killedBy: ["n1"], coveredBy: ["n1"] }] } },
      testFiles: { "tests/x.test.ts": { source: TESTS, tests: [{ id: "n1", name: "big", location: { start: { line: 1, column: 1 } } }] } },
    };
    await foldIntoRecords(ctx, ["lib/x.ts"], later);
    const rec = readRecord(root, "lib/x.ts");
    expect(rec?.measured).toBe("2026-12-09");
    expect(rec?.results.map((r) => `${r[1]} ${r[3]}`)).toEqual(["ArrowFunction Survived", "ConditionalExpression Killed", "EqualityOperator Killed"]);
  });
});
