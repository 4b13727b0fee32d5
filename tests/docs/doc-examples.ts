/**
 * Printed examples in README.md and docs/ are real output, by one mechanism. A fenced block right
 * after `<!-- output: NAME -->` must equal tests/docs/outputs/NAME.txt; after
 * `<!-- output: NAME, excerpt -->` it is a cut of that file: lines that start with `...` or `…`
 * stand for lines left out, and every other run of lines appears, in order and contiguous, in
 * the file. The files are written only through `docOutput` (below), by the tests that produce the
 * output: the CLIs run as users run them (tests/docs/outputs.test.ts), the engine model's
 * runbooks (tests/engine), the rotation's verify and relay-fix in the loopback world
 * (tests/verify/rotation-doc.test.ts), the program's refusals (tests/rotation.test.ts). A change of
 * output fails the writing test until `-u` rewrites the file, and then tests/docs/examples.test.ts
 * (the one place that compares) fails until the doc shows it. `npm run docs:outputs` does both
 * updates: it reruns every test that calls `docOutput` with `-u`, then rewrites the exact blocks
 * (`MAIL_INFRA_UPDATE_DOCS=1`); excerpts are edited by hand.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect } from "vitest";

export const ROOT = join(__dirname, "..", "..");
export const OUTPUTS = join(__dirname, "outputs");

/** README.md and every markdown file under docs/, as paths relative to the repository root. */
export function docFiles(): string[] {
  const out = ["README.md"];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".md")) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, "docs"));
  return out;
}

/**
 * Write `text` as the output NAME (tests/docs/outputs/NAME.txt), a vitest file snapshot: the one
 * way a test produces what a doc prints. Await it.
 */
export const docOutput = (name: string, text: string): Promise<void> => expect(text).toMatchFileSnapshot(join(OUTPUTS, `${name}.txt`));

/** Marker syntaxes that are gone: what each must become. */
export const OLD_MARKER = /<!-- (transcript|example|schema): ([a-z0-9-]+) -->/g;

export interface MarkedBlock {
  name: string;
  excerpt: boolean;
  /** The fence's language: text, json or yaml. */
  lang: string;
  /** The block's text, each line ending in "\n". */
  block: string;
  /** 1-based line of the marker. */
  line: number;
}

/**
 * A marker and the block right after it: ```text (printed output), ```json (a printed JSON
 * document or schema, or a JSON file a command wrote) or ```yaml (a YAML file a command wrote).
 */
export const OUTPUT_MARKER = /<!-- output: ([a-z0-9-]+)(, excerpt)? -->\n```(text|json|yaml)\n([\s\S]*?)```\n/g;

export function markedBlocks(text: string): MarkedBlock[] {
  const blocks: MarkedBlock[] = [];
  for (const m of text.matchAll(OUTPUT_MARKER)) {
    blocks.push({ name: m[1], excerpt: Boolean(m[2]), lang: m[3], block: m[4], line: text.slice(0, m.index).split("\n").length });
  }
  return blocks;
}

const isElision = (line: string) => /^\s*(\.\.\.|…)/.test(line);

/**
 * Why `excerpt` is not a cut of `output`, or undefined when it is: each run of lines between
 * elisions must appear contiguously in the output, after the previous run.
 */
export function excerptMismatch(excerpt: string, output: string): string | undefined {
  const out = output.replace(/\n$/, "").split("\n");
  const lines = excerpt.replace(/\n$/, "").split("\n");
  const runs: string[][] = [[]];
  for (const l of lines) {
    if (isElision(l)) runs.push([]);
    else runs[runs.length - 1].push(l);
  }
  let from = 0;
  for (const run of runs.filter((r) => r.length > 0)) {
    let at = -1;
    for (let i = from; i + run.length <= out.length; i++) {
      if (run.every((l, k) => out[i + k] === l)) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      const first = run.find((l) => !out.slice(from).includes(l)) ?? run[0];
      return `this line is not in the real output (in this order and place): ${JSON.stringify(first)}`;
    }
    from = at + run.length;
  }
  return undefined;
}

/**
 * A command's output as the docs print it: `$ <shown>` then what it wrote (stdout, then stderr),
 * with what differs per run replaced (loopback ports, durations, key ids, times).
 */
export function consoleTranscript(shown: string, r: { stdout: string; stderr: string; status?: number | null }, opts: { exitCode?: boolean } = {}): string {
  const body = `${r.stdout}${r.stderr}`;
  const code = opts.exitCode ? `$ echo $?\n${r.status}\n` : "";
  return `$ ${shown}\n${body}${body === "" || body.endsWith("\n") ? "" : "\n"}${code}`;
}

/** What changes from run to run, replaced by stable placeholders. */
export function stable(text: string): string {
  return text
    // Ephemeral ports only (Linux: 32768-60999): a port a message names as an example stays.
    .replace(/127\.0\.0\.1:(3[2-9]\d{3}|[4-6]\d{4})\b/g, "127.0.0.1:PORT")
    .replace(/\bin \d+ ms\b/g, "in N ms")
    .replace(/AKIA[A-Z0-9]{16}/g, "AKIA<id>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/g, "<time>")
    .replace(/ +$/gm, "");
}
