/**
 * Read a stack's config file (Pulumi.<stack>.yaml) the way Pulumi stores it: every value
 * becomes a string, lists and maps as JSON text. Also finds the line a key is on, so an
 * error can say where to fix it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, parseDocument, LineCounter } from "yaml";
import { readInputFile } from "./cli";
import { shown } from "../../lib/text";
import { UsageError } from "./errors";
import type { StackConfigFile } from "./stack-config-file";

export { UsageError };
export type { StackConfigFile };

export function stackConfigPath(stack: string, dir = process.cwd()): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackConfig(stack: string, dir = process.cwd()): StackConfigFile {
  if (!/^[\w.-]+$/.test(stack)) throw new UsageError(`${shown(stack)} is not a stack name (letters, digits, '.', '_', '-').`);
  const path = stackConfigPath(stack, dir);
  if (!existsSync(path)) {
    throw new UsageError(`No stack config ${path}. Create it (see Pulumi.prod.yaml) or pass --stack with an existing stack.`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(readInputFile(path, "the stack config"), { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // The parser's message quotes the offending line after its first line: keep only the first, cut.
    const first = e.message.split("\n", 1)[0].replace(/:$/, "");
    throw new UsageError(`${path}:${e.linePos?.[0].line ?? "?"}: not valid YAML: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}`);
  }
  const config = doc.get("config", true);
  const values: Record<string, string> = {};
  const typed: Record<string, unknown> = {};
  const lines = new Map<string, number>();
  if (config !== undefined && config !== null) {
    if (!isMap(config)) throw new UsageError(`${path}: "config" must be a map of keys to values.`);
    for (const pair of config.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const node = pair.value;
      const value: unknown = node && typeof node === "object" && "toJSON" in node ? (node as { toJSON(): unknown }).toJSON() : node;
      if (isScalar(pair.key) && pair.key.range) lines.set(key, lineCounter.linePos(pair.key.range[0]).line);
      if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
        throw new UsageError(`${path}:${lines.get(key) ?? "?"}: ${key} is an encrypted Pulumi secret; the offline commands cannot decrypt it. mail-infra has no secret config keys: use a plain value.`);
      }
      values[key] = typeof value === "string" ? value : JSON.stringify(value);
      typed[key] = value;
    }
  }
  return { stack, path, values, typed, lineOf: (key) => lines.get(key) };
}
