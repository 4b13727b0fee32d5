/**
 * npm run diagnose -- <file|directory> [...] [--json | --jsonl] [--stack S]
 *
 * Reads bounces (RFC 3464 reports, Gmail and Exchange Online notices, SES feedback JSON; `-` is
 * stdin; a directory is every regular file directly in it, in name order, so a folder of 10,000
 * saved bounces is one argument, not 10,000) and names, for each failed recipient, the layer that failed, with the evidence and the
 * next command. The rules are in lib/diagnose; this file reads files and MIME (mailparser,
 * loaded only when a message is read) and prints.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { classify } from "../lib/diagnose/classify";
import { DIAGNOSE_LAYERS, type DiagnoseLayer, type Verdict } from "../lib/diagnose/types";
import { shown } from "../lib/text";
import { MAX_MESSAGE_BYTES, readBounce } from "./diagnose/message";
import { textWidth, wrapText } from "./lib/wrap";
import { colorEnabled, EXIT_OK, EXIT_USAGE, paint, readInputBytes, readStdinBytes, runMain, standardOptions, UsageError } from "./lib/cli";
import { JSON_FORMAT_VERSION } from "./lib/json-version";

const program = standardOptions(new Command())
  .name("npm run diagnose --")
  .description("Read bounces and name, for each failed recipient, the layer that failed (relay-auth, ses, sender-auth, recipient-policy, recipient-mailbox, transient), with the evidence and the next command.")
  .argument("<files...>", "bounce messages (.eml: RFC 3464 reports, Gmail or Exchange Online notices) or SES feedback JSON; a directory reads every file in it; - reads standard input")
  .option("--json", 'print {"verdicts": [...], "tally": {...}} as one JSON document (holds every verdict until the end: for small inputs)')
  .option("--jsonl", 'print one JSON verdict per line as each input is read ({"file", "recipient", "layer", ...}), then {"tally": {...}}; memory stays flat')
  .option("-s, --stack <name>", "the stack to name in the next-step commands (default: STACK)")
  .addHelpText(
    "after",
    `
Examples:
  npm run diagnose -- bounce.eml
  npm run diagnose -- --stack prod gmail-notice.eml exchange-ndr.eml --json
  npm run diagnose -- --json saved-bounces/          # every file in the directory
  npm run diagnose -- --jsonl maildir/cur/ > verdicts.jsonl   # 50,000 bounces: one line each, flat memory
  aws sqs receive-message ... | jq -r '.Messages[0].Body' | npm run diagnose -- -

Every failed recipient a bounce lists gets a verdict: there is no cap. Text and --jsonl print
each input as it is read and end with a tally (verdicts per layer, inputs that were not
bounces); on a terminal, a progress line shows on stderr for large inputs.

Exit codes: 0 every input was a bounce and every failed recipient has a verdict, 2 an input is not a bounce or cannot be read (the message says what could be read; the other inputs' verdicts are still printed), or a usage error.`,
  );

interface Options {
  json?: boolean;
  jsonl?: boolean;
  stack?: string;
}

function format(v: Verdict, color: ReturnType<typeof paint>): string {
  return [
    `${color.bold(v.recipient)}: ${color.red(v.layer)} (${v.confidence} confidence)`,
    `  cause: ${v.cause}`,
    ...v.evidence.map((e, i) => `${i === 0 ? "  evidence: " : "            "}${e}`),
    `  next: ${v.next}`,
  ].join("\n");
}

/** Verdicts per layer and inputs that were not bounces: counted as they stream, printed at the end. */
interface Tally {
  inputs: number;
  bounces: number;
  notBounces: number;
  verdicts: number;
  byLayer: Record<DiagnoseLayer, number>;
}

/** Inputs from which a progress line is worth drawing (on a terminal only). */
const PROGRESS_FROM = 200;
/** --json holds every verdict until the end: past this many, say that --jsonl streams. */
const JSON_HINT_FROM = 10_000;

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  const files = program.args;
  if (files.filter((f) => f === "-").length > 1) throw new UsageError("- (standard input) can be given only once.");
  if (o.json && o.jsonl) throw new UsageError("--json and --jsonl are two formats of the same output: give one.");
  const ctx = o.stack ? { stack: o.stack } : {};
  const tally: Tally = { inputs: 0, bounces: 0, notBounces: 0, verdicts: 0, byLayer: Object.fromEntries(DIAGNOSE_LAYERS.map((l) => [l, 0])) as Record<DiagnoseLayer, number> };
  // --json is one document: its verdicts are held until the end. Text and --jsonl print each input
  // as it is read and keep nothing, so memory stays flat however many messages there are.
  const held: Verdict[] = [];
  const problems: string[] = [];
  const color = paint(colorEnabled());
  const progress = process.stderr.isTTY && !process.env.CI ? progressLine() : undefined;
  let printedText = false;
  const problem = (message: string) => {
    tally.notBounces++;
    const line = wrapped(`error: ${message.replace(/\.?$/, ".")}\n`);
    // Streamed formats say each problem when it happens; --json and text keep the old order (output, then problems).
    if (o.jsonl) {
      progress?.clear();
      process.stderr.write(line);
    } else problems.push(line);
  };
  for (const input of expandDirectories(files)) {
    tally.inputs++;
    if (tally.inputs >= PROGRESS_FROM) progress?.draw(`diagnose: ${tally.inputs} inputs read, ${tally.verdicts} verdicts, ${tally.notBounces} not bounces`);
    if ("problem" in input) {
      problem(input.problem);
      continue;
    }
    const file = input.file;
    const name = file === "-" ? "standard input" : shown(file, 300);
    let bytes: Buffer;
    try {
      bytes = file === "-" ? await readStdinBytes(MAX_MESSAGE_BYTES) : readInputBytes(file, "message", MAX_MESSAGE_BYTES);
    } catch (e) {
      // One unreadable file (too big, a device, gone) is that file's problem: the others are still read.
      if (!(e instanceof UsageError)) throw e;
      problem(e.message.replace(/\.$/, ""));
      continue;
    }
    if (bytes.length === 0) {
      problem(`${name}: empty, not a bounce.`);
      continue;
    }
    const r = await readBounce(bytes);
    if (!r.ok) {
      problem(`${name}: ${r.message}.`);
      continue;
    }
    tally.bounces++;
    const vs = r.failures.map((f) => classify(f, ctx));
    tally.verdicts += vs.length;
    for (const v of vs) tally.byLayer[v.layer]++;
    if (o.json) {
      for (const v of vs) held.push(v);
      continue;
    }
    progress?.clear();
    if (o.jsonl) {
      // The path as given (JSON escapes what needs escaping); "-" for standard input.
      process.stdout.write(vs.map((v) => `${JSON.stringify({ version: JSON_FORMAT_VERSION, file, ...v })}\n`).join(""));
      continue;
    }
    process.stdout.write(wrapped(`${printedText ? "\n" : ""}${[`${name}: ${r.what}`, ...vs.map((v) => format(v, color))].join("\n")}\n`));
    printedText = true;
  }
  progress?.clear();
  if (o.json) process.stdout.write(`${JSON.stringify({ version: JSON_FORMAT_VERSION, verdicts: held, tally }, null, 2)}\n`);
  else if (o.jsonl) process.stdout.write(`${JSON.stringify({ version: JSON_FORMAT_VERSION, tally })}\n`);
  else if (tally.inputs > 1) process.stdout.write(wrapped(`${printedText ? "\n" : ""}${tallyLine(tally)}\n`));
  for (const p of problems) process.stderr.write(wrapped(p));
  if (tally.notBounces) process.stderr.write(wrapped("diagnose reads RFC 3464 delivery status reports (also written inline or with broken MIME), the plain-text notices of the common MTAs and mailbox providers (Exim, Postfix, Sendmail, qmail, Courier, Exchange, Domino, Gmail, Yahoo, ...), bounces forwarded inline or attached, and SES bounce, complaint, delay and reject feedback (JSON, bare, in an SNS envelope, or delivered by email).\n"));
  if (o.json && tally.verdicts > JSON_HINT_FROM) process.stderr.write(`note: --json held ${tally.verdicts} verdicts in memory to print one document; --jsonl prints one verdict per line as it reads, in flat memory.\n`);
  return tally.notBounces ? EXIT_USAGE : EXIT_OK;
}

/** Text output wrapped to the report width: a verdict's field continues under its value, evidence under itself. */
function wrapped(text: string): string {
  return wrapText(text, textWidth(), (indent) => (indent === 2 ? 12 : indent + 2));
}

function tallyLine(t: Tally): string {
  const layers = DIAGNOSE_LAYERS.filter((l) => t.byLayer[l]).map((l) => `${l} ${t.byLayer[l]}`);
  return `tally: ${t.inputs} inputs, ${t.bounces} bounces, ${t.verdicts} verdicts${layers.length ? ` (${layers.join(", ")})` : ""}, ${t.notBounces} not bounces or unreadable`;
}

/** One line on a terminal, redrawn at most 4 times a second and cleared before any other output. */
function progressLine() {
  let last = 0;
  let shownNow = false;
  return {
    draw(text: string) {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      process.stderr.write(`\r\u001b[2K${text}`);
      shownNow = true;
    },
    clear() {
      if (!shownNow) return;
      process.stderr.write("\r\u001b[2K");
      shownNow = false;
    },
  };
}

/**
 * The inputs, with each directory replaced by the regular files directly in it (name order;
 * subdirectories and other entries are skipped). A directory with no file is a problem of its own.
 */
function* expandDirectories(args: string[]): Generator<{ file: string } | { problem: string }> {
  for (const arg of args) {
    let isDirectory = false;
    if (arg !== "-") {
      try {
        isDirectory = statSync(arg).isDirectory();
      } catch {
        // readInputBytes names what is wrong with it (no such file, permission denied).
      }
    }
    if (!isDirectory) {
      yield { file: arg };
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(arg).sort();
    } catch (e) {
      yield { problem: `cannot list the directory ${shown(arg, 300)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
      continue;
    }
    let n = 0;
    for (const name of names) {
      const path = join(arg, name);
      let regular = false;
      try {
        regular = statSync(path).isFile();
      } catch {
        // Gone since the listing: skipped like any other non-file entry.
      }
      if (!regular) continue;
      n++;
      yield { file: path };
    }
    if (n === 0) yield { problem: `the directory ${shown(arg, 300)} holds no files, so no bounce` };
  }
}

void runMain(main, { command: "diagnose" });
