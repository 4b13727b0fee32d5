/** Where a CLI gets the verification manifest: a stack's output (Pulumi CLI) or a file. Errors are UsageErrors that never echo file contents. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type Manifest, parseManifest } from "../../lib/manifest";
import { UsageError } from "./stack-config";

export function manifestFromStack(stack: string): Manifest {
  let out: string;
  try {
    out = execFileSync("pulumi", ["stack", "output", "verification", "--json", "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") {
      throw new UsageError("the Pulumi CLI is not installed here, so --stack cannot read the stack output. Use --manifest FILE (from `pulumi stack output verification --json`) or discovery mode (--domain ... --region ...).");
    }
    throw new UsageError(`pulumi stack output verification failed for stack ${stack}: ${(err.stderr ?? err.message).trim()}`);
  }
  return parseManifest(JSON.parse(out), `the verification output of stack ${stack}`);
}

export function readManifestFile(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the start of the text: never echo a file that may hold secrets.
    const at = /position (\d+)/.exec((e as Error).message);
    const where = at ? ` (${lineAndColumn(text, Number(at[1]))})` : "";
    throw new UsageError(`${file} is not JSON${where}. Write it with \`pulumi stack output verification --json > ${file}\`.`);
  }
  return parseManifest(json, file);
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
