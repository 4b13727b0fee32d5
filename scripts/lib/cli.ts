/** Conventions every CLI here follows: exit codes, colour, and how config errors are shown. */
import { relative } from "node:path";
import { ConfigError } from "../../lib/config";
import { type StackConfigFile, UsageError } from "./stack-config";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** Colour only on a TTY and only when NO_COLOR is unset (https://no-color.org). */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb";
}

export function paint(enabled: boolean) {
  const wrap = (code: number) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap(1), dim: wrap(2), red: wrap(31), green: wrap(32), yellow: wrap(33), cyan: wrap(36) };
}

/** A config error with each problem pointing at its line in the stack file. */
export function formatConfigError(e: ConfigError, file?: StackConfigFile): string {
  const lines = e.issues.map((i) => {
    const baseKey = i.key.replace(/\[\d+\]$/, "");
    const line = file?.lineOf(baseKey);
    const where = file ? `${relative(process.cwd(), file.path) || file.path}${line ? `:${line}` : ""}: ` : "";
    return `  ${where}${i.key}: ${i.message}`;
  });
  return `Invalid stack configuration (${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}\n`;
}

/** Print a usage/config error and exit 2; rethrow anything else. */
export function exitOnKnownError(e: unknown, file?: StackConfigFile): never {
  if (e instanceof ConfigError) {
    process.stderr.write(formatConfigError(e, file));
    process.exit(EXIT_USAGE);
  }
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(EXIT_USAGE);
  }
  throw e;
}

/** Everything on stdin, or "" when stdin is a terminal (nothing was piped in). Secrets come in this way, never through argv. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
