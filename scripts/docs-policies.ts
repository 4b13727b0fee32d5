/**
 * npm run docs:policies -- [--check]
 *
 * Regenerates the reference tables in docs/policies.md from the policy pack. With --check it
 * changes nothing and exits 1 when the file is out of date.
 */
import { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT_FINDINGS, EXIT_OK, runMain, standardOptions, UsageError } from "./lib/cli";
import { withGeneratedSection } from "./lib/policy-docs";

export const DOC_PATH = join(__dirname, "..", "docs", "policies.md");

const program = standardOptions(new Command())
  .name("npm run docs:policies --")
  .description("Regenerate the policy reference tables in docs/policies.md from policies/pack.ts.")
  .option("--check", "change nothing; exit 1 when docs/policies.md is out of date")
  .addHelpText(
    "after",
    "\nExamples:\n  npm run docs:policies\n  npm run docs:policies -- --check\n\n" +
      "Exit codes: 0 up to date or rewritten, 1 out of date (--check), 2 usage error, 3 unexpected error (--debug shows its stack trace).",
  );

function main(): number {
  program.parse(process.argv);
  const { check } = program.opts<{ check?: boolean }>();
  // Loaded after parsing: the pack pulls in @pulumi/aws and @pulumi/policy, which --help does not need.
  const { policies } = require("../policies/pack") as typeof import("../policies/pack");
  const current = readFileSync(DOC_PATH, "utf8");
  let next: string;
  try {
    next = withGeneratedSection(current, policies);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (check) {
    if (next !== current) {
      process.stderr.write("docs/policies.md is out of date: run `npm run docs:policies`.\n");
      return EXIT_FINDINGS;
    }
    process.stdout.write("docs/policies.md is up to date.\n");
    return EXIT_OK;
  }
  if (next !== current) writeFileSync(DOC_PATH, next);
  process.stdout.write(`${next !== current ? "Updated" : "Unchanged:"} docs/policies.md (${policies.length} policies).\n`);
  return EXIT_OK;
}

void runMain(main, { command: "docs:policies" });
