/** Where a CLI gets the verification manifest: a stack's output (Pulumi CLI) or a file. Reads are bounded, and errors are UsageErrors that never echo file contents. */
import { execFileSync } from "node:child_process";
import { type Manifest, parseManifest } from "../../lib/manifest";
import { seconds } from "../verify/limit";
import { MAX_INPUT_FILE_BYTES, readInputFile, UsageError } from "./cli";

/** `pulumi stack output verification` of a stack, given at most timeoutMs. */
export function manifestFromStack(stack: string, timeoutMs: number): Manifest {
  let out: string;
  try {
    out = execFileSync("pulumi", ["stack", "output", "verification", "--json", "--stack", stack], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: MAX_INPUT_FILE_BYTES,
      timeout: timeoutMs,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOBUFS") {
      throw new UsageError(`the verification output of stack ${stack} is over ${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB, which no manifest is; check \`pulumi stack output verification\`.`);
    }
    if (err.code === "ETIMEDOUT") {
      throw new UsageError(`pulumi stack output verification did not finish within ${seconds(timeoutMs)} for stack ${stack}: check \`pulumi whoami\` and the backend, or use --manifest FILE.`);
    }
    if (err.code === "ENOENT") {
      throw new UsageError("the Pulumi CLI is not installed here, so --stack cannot read the stack output. Use --manifest FILE (from `pulumi stack output verification --json`) or discovery mode (--domain ... --region ...).");
    }
    throw new UsageError(`pulumi stack output verification failed for stack ${stack}: ${String(err.stderr ?? err.message).trim().slice(0, 2000)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(out);
  } catch {
    throw new UsageError(`the verification output of stack ${stack} is not JSON; check \`pulumi stack output verification --json --stack ${stack}\`.`);
  }
  return parseManifest(json, `the verification output of stack ${stack}`);
}

export function readManifestFile(file: string): Manifest {
  // Refuses directories, devices (/dev/zero) and files over 5 MiB before reading them.
  const text = readInputFile(file, "--manifest");
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
