/**
 * Text output fits 100 columns (issue 22): every real output the docs print
 * (tests/docs/outputs/*.txt, written by the tests that run the CLIs) is
 * checked line by line. A wider line is allowed only when breaking it would change what it means,
 * by one rule, the wrapper's own (`unbreakable` in scripts/lib/wrap.ts: a command line to copy,
 * one token, a JSON Lines record); a file that is one JSON document is machine output, not text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEXT_WIDTH, unbreakable, visibleWidth } from "../../scripts/lib/wrap";

const isJsonDocument = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** The lines of `text` wider than `width` that may be broken, as `line N (W columns): text`. */
export function tooWide(text: string, width = TEXT_WIDTH): string[] {
  if (isJsonDocument(text)) return [];
  return text
    .split("\n")
    .map((line, i) => ({ line, n: i + 1, w: visibleWidth(line) }))
    .filter(({ line, w }) => w > width && !unbreakable(line))
    .map(({ line, n, w }) => `line ${n} (${w} columns): ${line.slice(0, 60)}…`);
}

describe("every output the docs print fits 100 columns", () => {
  // The outputs folder, named here without its constant: scripts/docs-outputs.cjs reruns every test naming it (or the writer) with -u.
  const dir = join(__dirname, "outputs");
  const names = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();
  it("there are outputs to check", () => expect(names.length).toBeGreaterThan(50));
  for (const name of names) {
    it(name, () => expect(tooWide(readFileSync(join(dir, name), "utf8"))).toEqual([]));
  }
});

// What must not be broken (unbreakable itself): tests/wrap.test.ts.
describe("tooWide", () => {
  it("lists the lines wider than the width that may be broken; a JSON document is machine output", () => {
    expect(tooWide(`ok\n${"word ".repeat(30)}\n`)).toEqual([`line 2 (150 columns): ${"word ".repeat(12)}…`]);
    expect(tooWide(JSON.stringify({ description: "word ".repeat(30) }, null, 2))).toEqual([]);
  });
});
