/**
 * Every printed example in README.md and docs/ is real output (doc-examples.ts says how a block
 * is tied to the output it shows). This is the one place that compares a doc with its output.
 * `npm run docs:outputs` rewrites the output files and then the exact blocks
 * (`MAIL_INFRA_UPDATE_DOCS=1 npx vitest run tests/docs/examples.test.ts` only the blocks);
 * excerpts are edited by hand.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docFiles, excerptMismatch, markedBlocks, OLD_MARKER, OUTPUT_MARKER, OUTPUTS, ROOT } from "./doc-examples";

const update = process.env.MAIL_INFRA_UPDATE_DOCS === "1";

/** The marker right before a block (no blank line: OUTPUT_MARKER must see the block it counts). */
const MARKER_BEFORE = /<!-- output: [a-z0-9-]+(, excerpt)? -->\n$/;

/**
 * What a fenced block is, by its info string. Printed output (what a command or the program
 * prints): ```text, ```console, or a bare ```; such a block must be a ```text block right after
 * `<!-- output: NAME -->`. What the reader types or writes is not output and is not counted:
 * ```sh (a command line), ```yaml (stack config), ```ts, ```tree (a file layout), and ```json
 * (a document to write; a printed JSON document or schema is marked like output:
 * docs/cli/json.md's schemas, written by tests/docs/json.test.ts).
 */
const PRINTS_OUTPUT = new Set(["text", "console", ""]);

/**
 * Printed-output blocks not yet tied to a test, per file: the ledger of what is left. It may
 * only shrink: an unmarked output block anywhere else fails.
 */
const NOT_YET_CHECKED: Record<string, number> = {};

/** Each fenced block's opening line, and the text before it. */
function fences(text: string): { info: string; before: string; line: number }[] {
  const out: { info: string; before: string; line: number }[] = [];
  const lines = text.split("\n");
  let open = false;
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(.*)$/.exec(lines[i]);
    if (!m) continue;
    if (!open) out.push({ info: m[1].trim(), before: lines.slice(0, i).join("\n") + "\n", line: i + 1 });
    open = !open;
  }
  return out;
}

describe("printed examples in README.md and docs/ are real output", () => {
  it("every marked block equals its output file, or is a cut of it", () => {
    const problems: string[] = [];
    for (const doc of docFiles()) {
      const path = join(ROOT, doc);
      const text = readFileSync(path, "utf8");
      for (const b of markedBlocks(text)) {
        const file = join(OUTPUTS, `${b.name}.txt`);
        if (!existsSync(file)) {
          problems.push(`${doc}:${b.line}: no output ${b.name} (tests/docs/outputs/${b.name}.txt): run the test that writes it`);
          continue;
        }
        const output = readFileSync(file, "utf8");
        if (b.excerpt) {
          const why = excerptMismatch(b.block, output);
          if (why) problems.push(`${doc}:${b.line}: excerpt of ${b.name}: ${why}`);
        } else if (!update && b.block !== output) {
          problems.push(`${doc}:${b.line}: ${b.name} differs from tests/docs/outputs/${b.name}.txt (MAIL_INFRA_UPDATE_DOCS=1 rewrites it)`);
        }
      }
      if (update) {
        const rewritten = text.replace(OUTPUT_MARKER, (all, name: string, excerpt: string | undefined, lang: string) => {
          const file = join(OUTPUTS, `${name}.txt`);
          if (excerpt || !existsSync(file)) return all;
          return `<!-- output: ${name} -->\n\`\`\`${lang}\n${readFileSync(file, "utf8")}\`\`\`\n`;
        });
        if (rewritten !== text) writeFileSync(path, rewritten);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every output file is printed somewhere", () => {
    const printed = new Set(docFiles().flatMap((doc) => markedBlocks(readFileSync(join(ROOT, doc), "utf8")).map((b) => b.name)));
    const files = readdirSync(OUTPUTS).filter((f) => f.endsWith(".txt")).map((f) => f.replace(/\.txt$/, ""));
    expect(files.filter((f) => !printed.has(f))).toEqual([]);
  });

  it("one marker syntax: `<!-- transcript: -->`, `<!-- example: -->` and `<!-- schema: -->` are gone", () => {
    const old = docFiles().flatMap((doc) =>
      [...readFileSync(join(ROOT, doc), "utf8").matchAll(OLD_MARKER)].map((m) => `${doc}: <!-- ${m[1]}: ${m[2]} --> must become <!-- output: ${m[1] === "schema" ? "schema-" : ""}${m[2]} --> (right before its block)`),
    );
    expect(old).toEqual([]);
  });

  it("a block of printed output (```text, ```console or a bare ```) is a marked ```text block, but for the ledger of what is left", () => {
    const unmarked: Record<string, number> = {};
    for (const doc of docFiles()) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      for (const f of fences(text)) {
        if (PRINTS_OUTPUT.has(f.info) && !(f.info === "text" && MARKER_BEFORE.test(f.before))) unmarked[doc] = (unmarked[doc] ?? 0) + 1;
      }
    }
    expect(unmarked).toEqual(NOT_YET_CHECKED);
  });

  it("the excerpt check fails on a line that is not in the output, and on lines out of order", () => {
    const output = "a\nb\nc\nd\n";
    expect(excerptMismatch("a\n...\nd\n", output)).toBeUndefined();
    expect(excerptMismatch("b\nc\n", output)).toBeUndefined();
    expect(excerptMismatch("a\nc\n", output)).toMatch(/not in the real output/);
    expect(excerptMismatch("d\n...\na\n", output)).toMatch(/not in the real output/);
    expect(excerptMismatch("a\n...\nx\n", output)).toMatch(/"x"/);
  });
});
