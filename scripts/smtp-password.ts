/**
 * npm run smtp-password -- --region <region>
 *
 * Reads an AWS secret access key on stdin (never from argv, where it would land in shell
 * history and `ps`) and prints the SES SMTP password (v4) for that region.
 */
import { Command } from "commander";
import { validateSecretAccessKey } from "../lib/aws-ids";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { EXIT_OK, keepSecret, readStdin, runMain, standardOptions, UsageError } from "./lib/cli";
import { parseRegionFlag } from "./lib/flags";

const program = standardOptions(new Command())
  .name("npm run smtp-password --")
  .description("Derive the Amazon SES SMTP password (v4) for a region from a secret access key read on stdin.")
  .requiredOption("-r, --region <region>", "SES region whose SMTP endpoint the password is for (any case)")
  .addHelpText(
    "after",
    "\nThe secret access key is read from stdin only. Examples:\n" +
      "  read -rs KEY && printf %s \"$KEY\" | npm run -s smtp-password -- --region us-east-1\n" +
      "  aws configure get aws_secret_access_key | npm run -s smtp-password -- --region us-west-2\n\n" +
      "Exit codes: 0 password printed, 2 usage error (unknown region, no key or not a secret access key on stdin), " +
      "3 unexpected error (--debug shows its stack trace). The key is never printed, not even in an error.",
  );

async function main(): Promise<number> {
  program.parse(process.argv);
  // The region first: a bad flag is refused before stdin is read.
  const region = parseRegionFlag(program.opts<{ region: string }>().region, "--region");
  const input = (await readStdin()).trim();
  keepSecret(input);
  if (input === "") {
    throw new UsageError("no secret access key on stdin. Pipe it in, e.g. `printf %s \"$KEY\" | npm run -s smtp-password -- --region us-east-1`.");
  }
  const problem = validateSecretAccessKey(input);
  if (problem) throw new UsageError(`stdin: ${problem}`);
  process.stdout.write(deriveSmtpPasswordV4(input, region) + "\n");
  return EXIT_OK;
}

void runMain(main, { command: "smtp-password" });
