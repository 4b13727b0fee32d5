/**
 * npm run preview:policy -- [--stack prod] [--policy-pack-config file] [-- extra pulumi preview args]
 *
 * Runs the real `pulumi preview --policy-pack policies` from the repository root, when the
 * Pulumi CLI is installed. Without it, explains what is missing and exits 2: the offline
 * `npm run policy` needs neither the CLI nor credentials.
 */
import { Command } from "commander";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { EXIT_USAGE, runMain, standardOptions } from "./lib/cli";

const ROOT = join(__dirname, "..");

const program = standardOptions(new Command())
  .name("npm run preview:policy --")
  .description(
    "Run `pulumi preview --policy-pack policies` for a stack, from the repository root: the real Pulumi engine evaluates the\n" +
      "mail-infra policy pack against the real provider's plan. Needs the Pulumi CLI, `pulumi login` and AWS credentials.",
  )
  .option("-s, --stack <name>", "the Pulumi stack to preview", "prod")
  .option("--policy-pack-config <file>", "policy levels and settings, the same JSON file `npm run policy` takes")
  .argument("[pulumiArgs...]", "more arguments for `pulumi preview`, after --")
  .addHelpText(
    "after",
    "\nExamples:\n  npm run preview:policy\n  npm run preview:policy -- --stack prod --policy-pack-config policy-config.json\n  npm run preview:policy -- --stack prod -- --diff\n\n" +
      "Exit codes: pulumi preview's own (0 ok, non-zero when it fails or a mandatory policy is violated); 2 when the Pulumi CLI is " +
      "missing or a flag is wrong; 3 unexpected error (--debug shows its stack trace; after --, --debug goes to pulumi).",
  );

/** True when a `pulumi` executable is on PATH (`command -v pulumi`). */
export function hasPulumiCli(env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync("sh", ["-c", "command -v pulumi"], { env, stdio: "ignore" }).status === 0;
}

function main(): number {
  program.parse(process.argv);
  const opts = program.opts<{ stack: string; policyPackConfig?: string }>();
  if (!hasPulumiCli()) {
    process.stderr.write(
      [
        "error: the Pulumi CLI is not installed (`command -v pulumi` found nothing), so the real preview cannot run.",
        "",
        "To run it:",
        "  1. install the Pulumi CLI: https://www.pulumi.com/docs/iac/download-install/",
        "  2. pulumi login            (or: pulumi login --local)",
        "  3. AWS credentials that can read SES, IAM, Secrets Manager, SNS and Route 53 (e.g. AWS_PROFILE)",
        `  4. npm run preview:policy -- --stack ${opts.stack}`,
        "",
        "Without any of these, the same policies run offline over the mocked plan:",
        `  npm run policy -- --stack ${opts.stack}`,
        "",
      ].join("\n"),
    );
    return EXIT_USAGE;
  }
  const args = ["preview", "--stack", opts.stack, "--policy-pack", "policies"];
  if (opts.policyPackConfig) args.push("--policy-pack-config", opts.policyPackConfig);
  args.push(...program.args);
  process.stderr.write(`$ pulumi ${args.join(" ")}\n`);
  const r = spawnSync("pulumi", args, { cwd: ROOT, stdio: "inherit" });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

if (require.main === module) void runMain(main, { command: "preview:policy" });
