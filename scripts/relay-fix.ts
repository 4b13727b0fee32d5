/**
 * npm run relay-fix -- --sender <address> [--stack S | --manifest F] [--show-password]
 *
 * Prints the exact steps that move one relay (a sender of the stack) to the current SMTP key.
 * The password is never printed unless --show-password is given AND stdout is a terminal: the
 * runbook names the command that prints it instead.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { Command } from "commander";
import { findSender, gmailAuthBounce, isConsumerGmail, relayRunbook, type Sender } from "../lib/relay-runbook";
import { LAST_USED_LAG_MS, PROBE_ADDRESS } from "../lib/verify/key-evidence";
import { checkGmailAliases } from "./verify/layers/relay/check";
import { observed } from "../lib/verify/findings";
import { scrub } from "./verify/report";
import { GmailCollector, readGmailToken } from "./verify/layers/gmail/collect";
import type { Manifest } from "../lib/manifest";
import { shown } from "../lib/text";
import { parseSmtpSecret } from "./verify/layers/smtp/check";
import { textWidth, wrapText } from "./lib/wrap";
import { EXIT_OK, keepSecret, runMain, scrubSecrets, standardOptions, UsageError } from "./lib/cli";
import { type Minted, mintDelegatedToken, readServiceAccountKey } from "./verify/layers/gmail/delegation";
import { parseTimeoutSeconds } from "./lib/flags";
import { manifestFromStack, readManifestFile } from "./lib/manifest-source";

const program = standardOptions(new Command())
  .name("npm run relay-fix --")
  .description("Print the steps that move one relay (a sender of the stack) to the current SMTP key: where to enter what, and the command that prints the password.")
  .requiredOption("--sender <address>", "the sender's From address, as in mail-infra:senders")
  .option("-s, --stack <name>", "read the manifest from `pulumi stack output verification` of this stack")
  .option("-m, --manifest <file>", "read the manifest from a file (pulumi stack output verification --json > verification.json)")
  .option("--show-password", "read the secret and print the password itself (only when stdout is a terminal)")
  .option("--apply", "Google Workspace with domain-wide delegation: write the alias's SMTP settings (users.settings.sendAs.update), read it back and check it, then send the probe (users.messages.send, From the alias To success@simulator.amazonses.com)")
  .option("--gmail-token-file <file>", "--apply: OAuth token JSON (access_token) of a service account delegated for the alias's owner (default: env GMAIL_ACCESS_TOKEN)")
  .option("--gmail-service-account <file>", "--apply: the service account's JSON key (domain-wide delegation): relay-fix mints the delegated token itself")
  .option("--gmail-subject <owner>", "--apply with --gmail-service-account: the Workspace user to act as (default: the sender's account; it must own the alias)")
  .option("--gmail-endpoint <url>", "--apply: Gmail API root instead of https://gmail.googleapis.com/ (tests, proxies)")
  .option("--timeout <seconds>", "timeout for reading the secret and for each Gmail call", "10")
  .addHelpText(
    "after",
    `
Examples:
  npm run relay-fix -- --stack prod --sender admin@queenofsandiego.com
  npm run relay-fix -- --manifest verification.json --sender admin@example.com --show-password
  npm run relay-fix -- --stack prod --sender admin@example.com --apply --gmail-service-account sa-key.json

Exit codes: 0 runbook printed (--apply: alias written, its check passes and the probe was sent), 1 the secret could not be read (--show-password, --apply), --apply: no Gmail token, the alias not written, its check fails or the probe not sent, 2 usage or manifest error (unknown sender, --show-password without a terminal).`,
  )


interface Options {
  sender: string;
  stack?: string;
  manifest?: string;
  showPassword?: boolean;
  apply?: boolean;
  gmailTokenFile?: string;
  gmailServiceAccount?: string;
  gmailSubject?: string;
  gmailEndpoint?: string;
  timeout: string;
}

/** The password of one region, read from the stack's secret; an error message never holds a value. */
async function readPassword(m: Manifest, region: string, timeoutMs: number): Promise<{ ok: true; password: string } | { ok: false; message: string }> {
  // Loaded only here: the runbook alone needs no AWS SDK.
  const { AwsCollector } = await import("./verify/aws");
  const aws = new AwsCollector({ timeoutMs, maxAttempts: 2 });
  try {
    const o = await aws.secretValue(m.smtp.secretRegion, m.smtp.secretId);
    if (!o.ok) return { ok: false, message: `cannot read the secret ${m.smtp.secretName}: ${o.message}${o.needs ? `. ${o.needs}` : ""}` };
    const p = parseSmtpSecret(o.value);
    if (!p.ok) return { ok: false, message: `the secret ${m.smtp.secretName} is not valid: ${p.message}. Run \`pulumi up --refresh\` to write it again.` };
    if (p.value.username !== m.smtp.accessKeyId) return { ok: false, message: `the secret's username is ${p.value.username}, not the stack's current key ${m.smtp.accessKeyId}: the secret is stale. Run \`pulumi up --refresh\`, then run relay-fix again.` };
    const r = p.value.regions[region];
    if (!r) return { ok: false, message: `the secret ${m.smtp.secretName} holds no password for ${region}. Run \`pulumi up --refresh\` (mail-infra:smtpRegions must include ${region}).` };
    return { ok: true, password: r.password };
  } finally {
    aws.destroy();
  }
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  if ((o.stack === undefined) === (o.manifest === undefined)) throw new UsageError("give exactly one of --stack or --manifest (see --help).");
  const timeoutMs = parseTimeoutSeconds(o.timeout, "--timeout");
  if (o.showPassword && !process.stdout.isTTY) {
    throw new UsageError("--show-password prints the password only to a terminal, and stdout is not one (a pipe or a file would keep it). Run it in a terminal, or use the command the runbook prints.");
  }
  const m = o.manifest ? readManifestFile(o.manifest) : manifestFromStack(o.stack!, 10 * timeoutMs);
  const sender = findSender(m, o.sender);
  if (!sender) {
    const known = m.senders.map((s) => s.address).join(", ");
    throw new UsageError(`--sender: ${shown(o.sender)} is not a sender of stack ${m.stack} (${known ? `its senders: ${known}` : "it declares none"}). Senders are declared in mail-infra:senders.`);
  }
  const source = o.stack ? `--stack ${o.stack}` : `--manifest ${o.manifest}`;
  // Only a region the SMTP user may send in (the same regions its policy names and the secret
  // holds passwords for, lib/iam.ts smtpSendRegions): a password for any other region would be
  // refused by IAM at the relay's first send, however it got into the secret.
  const mayUse = m.smtp.regions.map((r) => r.region);
  if (!mayUse.includes(sender.region)) {
    print(
      process.stderr,
      `error: ${sender.address} sends through ${sender.region}, but the SMTP user of stack ${m.stack} may send only in ${mayUse.join(", ") || "no region"}: no password is handed out for ${sender.region}. ` +
        "Deploy the sender's region first (mail-infra:senders or mail-infra:smtpRegions, then `pulumi up`), then run relay-fix again.\n",
    );
    return 1;
  }
  if (o.apply) return apply(m, sender, o, source, timeoutMs);
  let password: string | undefined;
  if (o.showPassword) {
    const r = await readPassword(m, sender.region, timeoutMs);
    if (!r.ok) {
      print(process.stderr, `error: ${r.message}\n`);
      return 1;
    }
    password = r.password;
  }
  print(process.stdout, relayRunbook(m, sender, { source, ...(password !== undefined ? { password } : {}) }).join("\n") + "\n");
  return EXIT_OK;
}

/**
 * --apply: write the alias's smtpMsa (server, port, STARTTLS, username, the region's password)
 * with users.settings.sendAs.update, read it back, and judge it with the relay check. Only for a
 * Google Workspace account: a consumer gmail.com alias cannot be written by any API.
 */
async function apply(m: Manifest, sender: Sender, o: Options, source: string, timeoutMs: number): Promise<number> {
  if (sender.kind !== "gmail-send-as") throw new UsageError(`--apply: ${sender.address} is an SMTP client, not a Gmail alias: nothing to write through an API. Follow the steps without --apply.`);
  if (!sender.account) throw new UsageError(`--apply: the sender ${sender.address} names no Gmail account (account= in mail-infra:senders), so there is no alias owner to write to.`);
  if (isConsumerGmail(sender.account)) {
    print(process.stdout, relayRunbook(m, sender, { source }).join("\n") + "\n");
    throw new UsageError(`--apply: ${sender.account} is a consumer Gmail account: the Gmail API cannot change its "Send mail as" SMTP settings (only Google Workspace with domain-wide delegation can). Follow the manual steps printed above.`);
  }
  if (o.gmailEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(o.gmailEndpoint)) throw new UsageError(`--gmail-endpoint: "${o.gmailEndpoint}" is not an http(s) URL (e.g. http://127.0.0.1:8080/).`);
  const token = await gmailToken(o, sender.account, timeoutMs);
  if (!token.ok) {
    print(process.stderr, scrubSecrets(`error: no Gmail token: ${token.message}\n`));
    return 1;
  }
  const secret = await readPassword(m, sender.region, timeoutMs);
  if (!secret.ok) {
    print(process.stderr, `error: ${secret.message}\n`);
    return 1;
  }
  const gmail = new GmailCollector({ accessToken: token.token, timeoutMs, ...(o.gmailEndpoint ? { endpoint: o.gmailEndpoint } : {}) });
  const secrets = [token.token, secret.password];
  const mode = m.smtp.port === 465 ? "ssl" : "starttls";
  const back = await gmail.updateSmtpMsa(sender.account, sender.address, { host: sender.smtpEndpoint, port: m.smtp.port, securityMode: mode, username: m.smtp.accessKeyId, password: secret.password });
  if (!back.ok) {
    print(process.stderr, scrub(`error: ${back.message}${back.needs ? `. ${back.needs}` : ""}\n`, secrets));
    return 1;
  }
  const [f] = checkGmailAliases(m, { accessKeys: observed([]), lastUsed: new Map(), gmail: new Map([[sender.address, back]]) });
  const lines = [
    `Updated ${sender.address} in ${sender.account}: SMTP server ${sender.smtpEndpoint}, port ${m.smtp.port} (${mode}), username ${m.smtp.accessKeyId}, the ${sender.region} password from ${m.smtp.secretName}.`,
    `Read back: ${f.status.toUpperCase()} ${f.id}: ${f.summary}`,
    ...(f.remediation ? [`fix: ${f.remediation}`] : []),
  ];
  if (f.status !== "pass") {
    print(process.stdout, scrub(lines.join("\n") + "\n", secrets));
    return 1;
  }
  // The probe: one message from the alias to the SES mailbox simulator. Gmail relays it through
  // SES with the key it now holds, which is what verify then sees in the key's last use.
  const sentAt = new Date();
  const probe = await gmail.sendProbe(
    sender.account,
    sender.address,
    PROBE_ADDRESS,
    `mail-infra relay probe (${m.stack}, key generation ${m.smtp.keyGeneration})`,
    `Sent by npm run relay-fix -- --apply at ${sentAt.toISOString()} so that SES sees ${sender.address} log in with the current SMTP key in ${sender.region}. The SES mailbox simulator accepts it; nobody reads it.`,
  );
  if (!probe.ok) {
    lines.push(`error: the probe was not sent: ${probe.message}${probe.needs ? `. ${probe.needs}` : ""}`, `Send it yourself: in Gmail, a message From ${sender.address} To ${PROBE_ADDRESS}.`);
    print(process.stdout, scrub(lines.join("\n") + "\n", secrets));
    return 1;
  }
  lines.push(
    `Probe: sent a message From ${sender.address} To ${PROBE_ADDRESS} through the Gmail API (message ${probe.value.id}) at ${sentAt.toISOString()}; Gmail relays it through ${sender.smtpEndpoint} with the key the alias holds.`,
    gmailAuthBounce(sender),
    `Next: after ${new Date(sentAt.getTime() + LAST_USED_LAG_MS).toISOString()} (IAM's last-used record lags up to ~4 h), run:`,
    `  npm run verify -- ${source} --only relay`,
  );
  print(process.stdout, scrub(lines.join("\n") + "\n", secrets));
  return EXIT_OK;
}

/**
 * --apply's Gmail token: minted from --gmail-service-account (acting as --gmail-subject, by
 * default the alias's owner), or the ready token of --gmail-token-file / GMAIL_ACCESS_TOKEN.
 */
async function gmailToken(o: Options, account: string, timeoutMs: number): Promise<Minted> {
  if (o.gmailServiceAccount === undefined) {
    if (o.gmailSubject !== undefined) throw new UsageError("--gmail-subject is the user a service account acts as: give it with --gmail-service-account FILE.");
    const token = readGmailToken(o.gmailTokenFile);
    if (!token) {
      throw new UsageError(
        "--apply needs Gmail credentials: --gmail-service-account FILE (the JSON key of a service account with domain-wide delegation), --gmail-token-file FILE (an access token of such a service account, impersonating the alias's owner) or GMAIL_ACCESS_TOKEN.",
      );
    }
    keepSecret(token);
    return { ok: true, token };
  }
  if (o.gmailTokenFile !== undefined) throw new UsageError("give one of --gmail-service-account (mint the token) and --gmail-token-file (a ready token), not both.");
  const subject = o.gmailSubject ?? account;
  if (subject.toLowerCase() !== account.toLowerCase()) {
    throw new UsageError(`--gmail-subject: the token must act as the alias's owner ${account} (mail-infra:senders), not ${shown(subject)}. Leave --gmail-subject out to use the owner.`);
  }
  const key = readServiceAccountKey(o.gmailServiceAccount);
  keepSecret(key.privateKey);
  const minted = await mintDelegatedToken(key, subject, timeoutMs);
  if (minted.ok) keepSecret(minted.token);
  return minted;
}

void runMain(main, { command: "relay-fix" });

/**
 * What relay-fix prints, wrapped to the report width: a step's continuation under its text, a
 * value's under the value column; a command to copy stays whole (scripts/lib/wrap.ts).
 */
function print(stream: NodeJS.WriteStream, text: string): void {
  stream.write(wrapText(text, textWidth(), (indent) => (indent === 0 ? 3 : indent === 5 ? 19 : indent)));
}
