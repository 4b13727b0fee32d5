/**
 * Conventions every CLI here follows: exit codes, colour, `--version` and `--debug`, bounded
 * input, and the one error boundary (runMain) that turns every failure into a message and an
 * exit code.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { relative } from "node:path";
import { CommanderError, type Command } from "commander";
// Types only: the boundary knows errors by name, so a command that never reads config does not load the validator.
import type { ConfigError } from "../../lib/config";
import { MIN_SECRET_LENGTH, redact } from "../../lib/redact";
import { shown } from "../../lib/text";
import { version as PACKAGE_VERSION } from "../../package.json";
import { UsageError } from "./errors";
import type { StackConfigFile } from "./stack-config-file";
import { textWidth, wrapText } from "./wrap";

export { UsageError };

export const EXIT_OK = 0;
/** Findings: verify found a failure, policy a mandatory violation, docs:policies --check a stale file. */
export const EXIT_FINDINGS = 1;
/** Bad input: a flag, the stack config, a manifest or a file given on the command line. */
export const EXIT_USAGE = 2;
/** An unexpected error inside the command (a bug, or a fault nobody anticipated): one line, the stack with --debug. */
export const EXIT_INTERNAL = 3;

/** The version every command prints with --version: package.json's. */
export const VERSION: string = PACKAGE_VERSION;

/** Colour only on a TTY and only when NO_COLOR is unset (https://no-color.org). */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb";
}

export function paint(enabled: boolean) {
  const wrap = (code: number) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap(1), dim: wrap(2), red: wrap(31), green: wrap(32), yellow: wrap(33), cyan: wrap(36) };
}

/**
 * The flags every command has: `--version` (package.json's version) and `--debug` (the stack
 * trace of an unexpected error). Commander's own exits (help, version, a bad flag) become
 * CommanderErrors that runMain maps to exit codes.
 */
export function standardOptions(program: Command): Command {
  return program
    // Help and Commander's messages fit the width every text report fits (scripts/lib/wrap.ts).
    .configureHelp({ helpWidth: textWidth() })
    .configureOutput({ writeOut: (s) => process.stdout.write(wrapText(s)), writeErr: (s) => process.stderr.write(wrapText(s)) })
    .version(VERSION, "-V, --version", "print the mail-infra version and exit")
    .option("--debug", "on an unexpected error, print its stack trace")
    // A usage error is one line (and Commander's "Did you mean"), not a screen of help.
    .showHelpAfterError("(--help lists the options, with examples)")
    .exitOverride();
}

/** A config error with each problem pointing at its line in the stack file. */
export function formatConfigError(e: ConfigError, file?: StackConfigFile): string {
  const lines = e.issues.map((i) => {
    const baseKey = i.key.replace(/\[\d+\]$/, "");
    const line = file?.lineOf(baseKey);
    const where = file ? `${relative(process.cwd(), file.path) || file.path}${line ? `:${line}` : ""}: ` : "";
    return `  ${where}${i.key}: ${i.message}`;
  });
  return wrapText(`Invalid stack configuration (${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}\n`);
}

// ---------------------------------------------------------------------------------------------
// Secrets: what a command read that must never be printed, not even in an error.
// ---------------------------------------------------------------------------------------------

const secrets = new Set<string>();

/** Remember a secret this process holds, so the error boundary removes it from anything it prints. */
export function keepSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** `text` with every kept secret (and `extra`) redacted (lib/redact.ts). */
export function scrubSecrets(text: string, extra: readonly string[] = []): string {
  return redact(text, [...secrets, ...extra]);
}

// ---------------------------------------------------------------------------------------------
// The error boundary
// ---------------------------------------------------------------------------------------------

export interface ErrorReport {
  code: number;
  /** What to print on stderr (ends with a newline, or is empty). */
  text: string;
}

export interface BoundaryOptions {
  /** The command, as the one-line message names it ("plan", "verify"). */
  command: string;
  /** Print the stack of an unexpected error. */
  debug?: boolean;
  /** The stack file being read, so a config error points at its lines. */
  configFile?: StackConfigFile;
}

const isNamed = (e: unknown, name: string): boolean => e instanceof Error && e.name === name;

/** The first line of an error's message, cut like any echoed value. */
function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split("\n", 1)[0] ?? "";
  const cut = first.length > 200 ? `${first.slice(0, 200)}… (${first.length} characters)` : first;
  const name = e instanceof Error ? (e as NodeJS.ErrnoException).code ?? e.name : typeof e;
  return `${name}: ${cut}`;
}

/**
 * What a failure means for the user: known errors (bad flags, bad config, a bad manifest or
 * file) are a message and exit 2; Commander's help and version exit 0; anything else is one
 * line and exit 3, with the stack only when `debug` is set. Every text is scrubbed of kept secrets.
 */
export function describeError(e: unknown, o: BoundaryOptions): ErrorReport {
  if (e instanceof CommanderError) {
    // Commander already printed its message (and the help); help and --version exit 0.
    return { code: e.exitCode === 0 ? EXIT_OK : EXIT_USAGE, text: "" };
  }
  if (isNamed(e, "ConfigError") && Array.isArray((e as ConfigError).issues)) {
    return { code: EXIT_USAGE, text: scrubSecrets(formatConfigError(e as ConfigError, o.configFile)) };
  }
  if (e instanceof UsageError || isNamed(e, "ManifestError")) return { code: EXIT_USAGE, text: scrubSecrets(wrapText(`error: ${(e as Error).message}\n`)) };
  const line = wrapText(`error: ${o.command} failed unexpectedly (${oneLine(e)}). This is a bug or an unanticipated fault, exit ${EXIT_INTERNAL}; run again with --debug for the stack trace.\n`);
  const stack = o.debug && e instanceof Error && e.stack ? `${e.stack}\n` : "";
  return { code: EXIT_INTERNAL, text: scrubSecrets(line + stack) };
}

/** True when `--debug` is among the command's own arguments (before a `--`). */
export function debugRequested(argv: readonly string[] = process.argv.slice(2)): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--debug");
}

export interface RunMainOptions {
  /** The command's name in messages. */
  command: string;
  /** The stack file read so far, when there is one (plan, policy). */
  configFile?: () => StackConfigFile | undefined;
  /** For tests: arguments, where to write, how to exit. Default: this process. */
  argv?: readonly string[];
  write?: (text: string) => void;
  exit?: (code: number) => void;
}

/**
 * The one error boundary: run `main`, exit with the code it returns, and turn anything it
 * throws (or that escapes it: an unhandled rejection, an exception in a callback) into a
 * message and an exit code (describeError). A closed stdout (`| head`) is not an error.
 */
export async function runMain(main: () => Promise<number> | number, o: RunMainOptions): Promise<void> {
  const write = o.write ?? ((t: string) => void process.stderr.write(t));
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const debug = debugRequested(o.argv ?? process.argv.slice(2));
  let done = false;
  const fail = (e: unknown): void => {
    if (done) return;
    done = true;
    const report = describeError(e, { command: o.command, debug, configFile: o.configFile?.() });
    if (report.text) write(report.text);
    exit(report.code);
  };
  if (!o.exit) {
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);
    // A reader that went away (`| head`) is no fault: the command finishes and exits with its own code.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") fail(e);
    });
  }
  try {
    const code = await main();
    // Writes to a pipe are asynchronous: exiting at once cuts off what is still queued (a large
    // --json report read through a pipe came out truncated at 128 KiB).
    if (!o.exit) await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    if (!done) {
      done = true;
      exit(code);
    }
  } catch (e) {
    fail(e);
  }
}

/** Resolves once everything written to `stream` so far has been handed on (or the stream is gone). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write("", () => resolve());
  });
}

// ---------------------------------------------------------------------------------------------
// Bounded input
// ---------------------------------------------------------------------------------------------

/** The largest manifest, stack file or policy pack config a command reads: real ones are a few KiB. */
export const MAX_INPUT_FILE_BYTES = 5 * 1024 * 1024;
/** The most a command reads from stdin (a secret access key is 40 bytes). */
export const MAX_STDIN_BYTES = 64 * 1024;

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

/**
 * Read a text file named on the command line, refusing before reading what cannot be one:
 * a directory, a device or socket (/dev/zero would never end), or a file over `maxBytes`.
 * A pipe (`--manifest <(pulumi stack output ...)`) is read up to `maxBytes`. Every refusal
 * is a UsageError naming the file (`what` says which one it is).
 */
export function readInputFile(file: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): string {
  return readInputBytes(file, what, maxBytes).toString("utf8");
}

/** readInputFile's bytes, undecoded (a mail message carries its own charsets). */
export function readInputBytes(file: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): Buffer {
  // A path is shown whole up to 300 characters (the file name is at its end).
  const path = shown(file, 300);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "there is no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : `${code ?? "error"}`;
    throw new UsageError(`cannot read ${what} ${path}: ${why}.`);
  }
  const tooBig = (size: string) => new UsageError(`${what} ${path} is ${size}, over the ${mib(maxBytes)} this command reads; it is not the file you meant.`);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`${what} ${path} is a directory; give the path of a file.`);
    if (!st.isFile() && !st.isFIFO()) throw new UsageError(`${what} ${path} is not a regular file (a device or socket); give the path of a file.`);
    if (st.size > maxBytes) throw tooBig(mib(st.size));
    // Read at most maxBytes + 1 bytes, whatever fstat said (a pipe has no size; a file may grow).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooBig(`more than ${mib(maxBytes)}`);
    }
    return Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Everything on stdin, or "" when stdin is a terminal (nothing was piped in). Secrets come in
 * this way, never through argv. More than `maxBytes` is refused (UsageError, without the data).
 */
export async function readStdin(maxBytes = MAX_STDIN_BYTES): Promise<string> {
  return (await readStdinBytes(maxBytes)).toString("utf8");
}

/** readStdin's bytes, undecoded. */
export async function readStdinBytes(maxBytes = MAX_STDIN_BYTES): Promise<Buffer> {
  if (process.stdin.isTTY) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.from(chunk as Buffer);
    size += b.length;
    if (size > maxBytes) {
      process.stdin.destroy();
      throw new UsageError(`more than ${mib(maxBytes)} on stdin; pipe only what the command asks for.`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
