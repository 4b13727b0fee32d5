/**
 * npm run smtp-password -- --region <region>
 *
 * Reads an AWS secret access key on stdin (never from argv, where it would land in shell
 * history and `ps`) and prints the SES SMTP password (v4) for that region.
 */
import { Command } from "commander";
import { isSmtpRegion, SES_SMTP_REGIONS } from "../lib/regions";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { EXIT_OK, EXIT_USAGE, readStdin } from "./lib/cli";

const program = new Command()
  .name("npm run smtp-password --")
  .description("Derive the Amazon SES SMTP password (v4) for a region from a secret access key read on stdin.")
  .requiredOption("-r, --region <region>", "SES region whose SMTP endpoint the password is for")
  .addHelpText(
    "after",
    "\nThe secret access key is read from stdin only. Examples:\n" +
      "  read -rs KEY && printf %s \"$KEY\" | npm run -s smtp-password -- --region us-east-1\n" +
      "  aws configure get aws_secret_access_key | npm run -s smtp-password -- --region us-west-2\n\n" +
      "Exit codes: 0 password printed, 2 usage error (unknown region, no key on stdin).",
  )
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));


async function main(): Promise<void> {
  program.parse(process.argv);
  const { region } = program.opts<{ region: string }>();
  if (!isSmtpRegion(region)) {
    process.stderr.write(
      `error: region "${region}" has no Amazon SES SMTP endpoint, so there is no SMTP password for it.\n` +
        `Use one of: ${SES_SMTP_REGIONS.join(", ")}.\n`,
    );
    process.exit(EXIT_USAGE);
  }
  const input = (await readStdin()).replace(/\r?\n$/, "");
  if (input.trim() === "") {
    process.stderr.write("error: no secret access key on stdin. Pipe it in, e.g. `printf %s \"$KEY\" | npm run -s smtp-password -- --region us-east-1`.\n");
    process.exit(EXIT_USAGE);
  }
  if (/\s/.test(input.trim())) {
    process.stderr.write("error: stdin does not look like one secret access key (a single token, 40 characters for IAM keys). Pipe only the key.\n");
    process.exit(EXIT_USAGE);
  }
  process.stdout.write(deriveSmtpPasswordV4(input.trim(), region) + "\n");
  process.exit(EXIT_OK);
}

void main();
