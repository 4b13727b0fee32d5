/**
 * Text reports fit a terminal of 100 columns: a longer line is broken at spaces, and each
 * continuation is indented under its line (how far, the caller says). A word longer than the
 * width (a URN, a long DNS name) is never cut: it overflows on a line of its own. Colour
 * codes count for nothing.
 */

/** The width every text report of the CLIs fits, unless COLUMNS says otherwise. */
export const TEXT_WIDTH = 100;

/**
 * The width to wrap to: COLUMNS when it is set to a whole number of at least 40 (a user's
 * wider or narrower terminal, or tests that read the content, whatever its wrapping), else 100.
 * Shells do not export COLUMNS by default, so it is 100 unless someone asks.
 */
export function textWidth(env: NodeJS.ProcessEnv = process.env): number {
  const n = /^\d+$/.test(env.COLUMNS ?? "") ? Number(env.COLUMNS) : NaN;
  return n >= 40 ? n : TEXT_WIDTH;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** The columns `s` takes on a terminal (colour codes removed). */
export function visibleWidth(s: string): number {
  return s.replace(ANSI, "").length;
}

/** Words that start a shell command a user copies (after the line's indentation). */
const COMMAND = /^(\$ |(npm|npx|node|aws|pulumi|git|dig|jq|printf|curl) )/;

/**
 * Whether `line` must stay whole, whatever its width: breaking it would change what it means.
 * - a command line to copy: after its indentation it starts with the prompt `$ ` or with a
 *   command (npm, npx, node, aws, pulumi, git, dig, jq, printf, curl) and a space, or it is one
 *   command quoted in backticks, maybe in brackets (wrapLine puts a quoted command wider than
 *   the line alone);
 * - one token: after its indentation it has no space (a URN, a URL, a long DNS name);
 * - a JSON Lines record: the whole line (trimmed) is one JSON object or array.
 * Every other line of a text report fits the width (tests/docs/columns.test.ts checks every
 * output the docs print).
 */
export function unbreakable(line: string): boolean {
  const body = line.replace(ANSI, "").trim();
  if (COMMAND.test(body) || !/\s/.test(body) || /^[(["']?`[^`]+`[^\s`]*$/.test(body)) return true;
  if (!/^[[{]/.test(body)) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * `line` broken into lines of at most `width` columns (an `unbreakable` line stays whole, and
 * so does a command quoted in backticks). `hang(indent)` gives the indent of the
 * continuation lines from the line's own leading spaces (default: 4 more).
 */
export function wrapLine(line: string, width = textWidth(), hang: (indent: number) => number = (i) => i + 4): string[] {
  if (visibleWidth(line) <= width || unbreakable(line)) return [line];
  const indent = /^ */.exec(line.replace(ANSI, ""))![0].length;
  const prefix = " ".repeat(Math.min(hang(indent), width - 20));
  // The leading spaces are kept as they are (they may sit inside a colour code).
  const lead = line.slice(0, line.length - line.trimStart().length);
  const out: string[] = [];
  let current = lead;
  let empty = true;
  let gap = "";
  // Words keep the spaces between them (padding of aligned columns) unless a break falls there.
  // A command quoted in backticks inside prose is one word: never broken.
  for (const [, word, after] of line.trimStart().matchAll(/((?:`[^`]*`|[^\s`]+|`)+)( *)/g)) {
    const next = `${current}${gap}${word}`;
    if (!empty && visibleWidth(next) > width) {
      out.push(current);
      current = prefix + word;
    } else current = next;
    empty = false;
    gap = after;
  }
  out.push(current);
  return out;
}

/** Every line of `text` wrapped (wrapLine); the line breaks of `text` are kept. */
export function wrapText(text: string, width = textWidth(), hang?: (indent: number) => number): string {
  return text
    .split("\n")
    .flatMap((l) => wrapLine(l, width, hang))
    .join("\n");
}
