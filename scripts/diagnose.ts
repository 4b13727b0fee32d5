/**
 * npm run diagnose -- <file|directory> [...] [--json] [--stack S]
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
import type { Verdict } from "../lib/diagnose/types";
import { shown } from "../lib/text";
import { MAX_MESSAGE_BYTES, readBounce } from "./diagnose/message";
import { colorEnabled, EXIT_OK, EXIT_USAGE, paint, readInputBytes, readStdinBytes, runMain, standardOptions, UsageError } from "./lib/cli";

const program = standardOptions(new Command())
  .name("npm run diagnose --")
  .description("Read bounces and name, for each failed recipient, the layer that failed (relay-auth, ses, sender-auth, recipient-policy, recipient-mailbox, transient), with the evidence and the next command.")
  .argument("<files...>", "bounce messages (.eml: RFC 3464 reports, Gmail or Exchange Online notices) or SES feedback JSON; a directory reads every file in it; - reads standard input")
  .option("--json", 'print {"verdicts": [...]} as JSON')
  .option("-s, --stack <name>", "the stack to name in the next-step commands (default: STACK)")
  .addHelpText(
    "after",
    `
Examples:
  npm run diagnose -- bounce.eml
  npm run diagnose -- --stack prod gmail-notice.eml exchange-ndr.eml --json
  npm run diagnose -- --json saved-bounces/          # every file in the directory
  aws sqs receive-message ... | jq -r '.Messages[0].Body' | npm run diagnose -- -

Exit codes: 0 every input was a bounce and every failed recipient has a verdict,
2 an input is not a bounce or cannot be read (the message says what could be read; the other
inputs' verdicts are still printed), or a usage error.`,
  )
  .showHelpAfterError();

interface Options {
  json?: boolean;
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

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  const files = program.args;
  if (files.filter((f) => f === "-").length > 1) throw new UsageError("- (standard input) can be given only once.");
  const verdicts: Verdict[] = [];
  const problems: string[] = [];
  const results: { file: string; what: string; verdicts: Verdict[] }[] = [];
  for (const input of expandDirectories(files)) {
    if ("problem" in input) {
      problems.push(input.problem);
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
      problems.push(e.message.replace(/\.$/, ""));
      continue;
    }
    if (bytes.length === 0) {
      problems.push(`${name}: empty, not a bounce.`);
      continue;
    }
    const r = await readBounce(bytes);
    if (!r.ok) {
      problems.push(`${name}: ${r.message}.`);
      continue;
    }
    const vs = r.failures.map((f) => classify(f, o.stack ? { stack: o.stack } : {}));
    verdicts.push(...vs);
    results.push({ file: name, what: r.what, verdicts: vs });
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ verdicts }, null, 2)}\n`);
  else {
    const color = paint(colorEnabled());
    const out = results.map((r) => [`${r.file}: ${r.what}`, ...r.verdicts.map((v) => format(v, color))].join("\n"));
    if (out.length) process.stdout.write(`${out.join("\n\n")}\n`);
  }
  for (const p of problems) process.stderr.write(`error: ${p.replace(/\.?$/, ".")}\n`);
  if (problems.length) process.stderr.write("diagnose reads RFC 3464 delivery status reports, Gmail and Exchange Online non-delivery notices, and SES bounce, complaint, delay and reject feedback (JSON, bare or in an SNS envelope).\n");
  return problems.length ? EXIT_USAGE : EXIT_OK;
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
