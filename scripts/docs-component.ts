/**
 * npm run docs:component -- [--check]
 *
 * Regenerates docs/component-api.md from the TSDoc of packages/mail-infra. With --check it
 * changes nothing and exits 1 when the file is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { componentReference } from "./lib/component-docs";

const ROOT = join(__dirname, "..");
export const COMPONENT_DOC = join(ROOT, "docs", "component-api.md");

const args = process.argv.slice(2);
if (args.includes("--help") || args.some((a) => a !== "--check")) {
  process.stdout.write("Usage: npm run docs:component -- [--check]\n\nRegenerate docs/component-api.md from packages/mail-infra.\n  --check  change nothing; exit 1 when the file is out of date\n\nExit codes: 0 up to date or rewritten, 1 out of date (--check), 2 usage error.\n");
  process.exit(args.includes("--help") ? 0 : 2);
}
const wanted = componentReference(join(ROOT, "packages", "mail-infra"));
let current = "";
try {
  current = readFileSync(COMPONENT_DOC, "utf8");
} catch {
  // absent: written below
}
if (current === wanted) {
  process.stdout.write("docs/component-api.md is up to date.\n");
} else if (args.includes("--check")) {
  process.stdout.write("docs/component-api.md is out of date. Run `npm run docs:component` and commit the result.\n");
  process.exit(1);
} else {
  writeFileSync(COMPONENT_DOC, wanted);
  process.stdout.write("Wrote docs/component-api.md.\n");
}
