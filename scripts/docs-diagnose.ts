/**
 * npm run docs:diagnose -- [--check]
 *
 * Regenerates the per-family accuracy table in docs/cli/diagnose.md: diagnose and sisimai (Debian's
 * libsisimai-perl) on the sisimai sample set (tests/fixtures/bounces-sisimai), scored the way
 * tests/diagnose/corpus.test.ts scores them. Writing needs sisimai (its column is part of the table);
 * --check changes nothing and exits 1 when the file is out of date (without sisimai it checks the
 * diagnose column only, and says so).
 */
import { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { accuracySection, diagnoseColumnOf, withAccepted, withAccuracySection } from "../tests/diagnose/corpus-accepted";
import { familyTable, scoreCorpus } from "../tests/diagnose/corpus-score";
import { EXIT_FINDINGS, EXIT_OK, runMain, standardOptions, UsageError } from "./lib/cli";

export const DOC_PATH = join(__dirname, "..", "docs", "cli", "diagnose.md");

const program = standardOptions(new Command())
  .name("npm run docs:diagnose --")
  .description("Regenerate the per-family accuracy table in docs/cli/diagnose.md from the sisimai sample set.")
  .option("--check", "change nothing; exit 1 when docs/cli/diagnose.md is out of date")
  .addHelpText("after", "\nExamples:\n  npm run docs:diagnose\n  npm run docs:diagnose -- --check\n\nExit codes: 0 up to date or rewritten, 1 out of date (--check), 2 usage error (sisimai not installed for a rewrite), 3 unexpected error.");

async function main(): Promise<number> {
  program.parse(process.argv);
  const { check } = program.opts<{ check?: boolean }>();
  const { scores, sisimai } = await scoreCorpus(true);
  const rows = familyTable(withAccepted(scores));
  const current = readFileSync(DOC_PATH, "utf8");
  if (!sisimai) {
    if (!check) throw new UsageError("sisimai is not installed (perl -MSisimai fails), and its column is part of the table: install it with bash scripts/install-test-deps.sh, or run with --check.");
    const doc = diagnoseColumnOf(current);
    const stale = rows.filter((r) => doc.get(r.family)?.join() !== [r.recipients, r.diagnose].join()).map((r) => r.family);
    if (stale.length || doc.size !== rows.length) {
      process.stderr.write(`docs/cli/diagnose.md is out of date (diagnose column: ${stale.join(", ") || "the family list"}): run npm run docs:diagnose where sisimai is installed.\n`);
      return EXIT_FINDINGS;
    }
    process.stdout.write("docs/cli/diagnose.md: the diagnose column is up to date (sisimai not installed: its column was not checked).\n");
    return EXIT_OK;
  }
  let next: string;
  try {
    next = withAccuracySection(current, accuracySection(rows, sisimai.version));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (check) {
    if (next !== current) {
      process.stderr.write("docs/cli/diagnose.md is out of date: run `npm run docs:diagnose`.\n");
      return EXIT_FINDINGS;
    }
    process.stdout.write("docs/cli/diagnose.md is up to date.\n");
    return EXIT_OK;
  }
  if (next !== current) writeFileSync(DOC_PATH, next);
  process.stdout.write(`${next !== current ? "Updated" : "Unchanged:"} docs/cli/diagnose.md (${rows.length} families).\n`);
  return EXIT_OK;
}

void runMain(main, { command: "docs:diagnose" });
