/**
 * The runbook that moves one relay (a sender of the inventory) to the current SMTP key: what to
 * enter where, and the command that prints the password. Pure: it never holds the password;
 * the relay-fix CLI adds it only when asked, and only on a terminal.
 */
import type { Manifest } from "./manifest";
import { PROBE_ADDRESS } from "./verify/key-evidence";

export type Sender = Manifest["senders"][number];

/** The sender of the manifest with this address (addresses compare ignoring case). */
export function findSender(m: Manifest, address: string): Sender | undefined {
  return m.senders.find((s) => s.address.toLowerCase() === address.trim().toLowerCase());
}

/** gmail.com / googlemail.com accounts: no API writes their "Send mail as" settings. */
export function isConsumerGmail(account: string | undefined): boolean {
  return account !== undefined && /@(gmail|googlemail)\.com$/i.test(account);
}

/** The shell command that prints the password of one region from the stack's secret. */
export function passwordCommand(m: Manifest, region: string): string {
  return `aws secretsmanager get-secret-value --secret-id ${m.smtp.secretName} --region ${m.smtp.secretRegion} --query SecretString --output text | jq -r '.regions["${region}"].password'`;
}

export interface RunbookOptions {
  /** How the user named the manifest, for the verify command at the end: "--stack prod" or "--manifest f.json". */
  source: string;
  /** Printed in place of the command, only when the CLI was asked and stdout is a terminal. */
  password?: string;
}

/** What the user sees when Gmail cannot log in to SES with what the alias holds, and what to do. */
export function gmailAuthBounce(s: Sender): string {
  return `If Gmail cannot log in to SES, ${s.account ?? "the account"} receives "Delivery Status Notification (Failure)" from mailer-daemon@googlemail.com: "Your message wasn't sent because the settings for the \"Send mail as\" address ${s.address} are misconfigured or out of date ... 535 Authentication Credentials Invalid". Save it (Show original → Download) and run \`npm run diagnose -- FILE\`: it reads it as relay-auth.`;
}

/**
 * The probe for one sender, as runbook lines: one message from it to the SES mailbox simulator,
 * then verify at least the last-used lag later (lib/verify/key-evidence.ts).
 */
export function probeLines(m: Manifest, s: Sender, o: { source: string }, n: number): string[] {
  const check = `npm run verify -- ${o.source} --only relay`;
  return [
    s.kind === "gmail-send-as"
      ? `${n}. Send the probe: in Gmail, compose a message From ${s.address} To ${PROBE_ADDRESS} (any subject) and send it.`
      : `${n}. Send the probe: one message through the relay From ${s.address} To ${PROBE_ADDRESS}.`,
    `   It logs in to SES in ${s.region} with the key the relay holds; SES's mailbox simulator accepts it without cost or reputation effect.`,
    ...(s.kind === "gmail-send-as" ? [`   ${gmailAuthBounce(s)}`] : ["   If the relay cannot log in, its log shows 535 Authentication Credentials Invalid: recheck the values above."]),
    `${n + 1}. At least 4 hours later (IAM's last-used record lags), check:`,
    `     ${check}`,
    `   relay.credentials for ${s.address} passes once SES shows the current key (${m.smtp.accessKeyId}) used in ${s.region} after the rotation, and the previous key not since.`,
  ];
}

/** The settings of a Gmail "Send mail as" alias that relays through SES, as lines "label value". */
function aliasValues(m: Manifest, s: Sender, password?: string): string[] {
  return [
    `SMTP server   ${s.smtpEndpoint}`,
    `Port          ${m.smtp.port}`,
    `Username      ${m.smtp.accessKeyId}   (the access key id of key generation ${m.smtp.keyGeneration}; the secret's "username")`,
    ...(password !== undefined
      ? [`Password      ${password}`]
      : [`Password      the ${s.region} password from Secrets Manager (passwords differ per region); print it with:`, `                ${passwordCommand(m, s.region)}`]),
  ];
}

/** relay.gmail's fix for an alias Gmail does not have: add it with exactly these settings. */
export function gmailAddAliasFix(m: Manifest, s: Sender): string {
  const tls = m.smtp.port === 465 ? "Secured connection using SSL" : "Secured connection using TLS (recommended)";
  return (
    `Add the alias in Gmail${s.account ? ` as ${s.account}` : ""}: Settings → See all settings → Accounts and Import → Send mail as → Add another email address; Email address ${s.address}; Next Step; then ` +
    `SMTP Server ${s.smtpEndpoint}, Port ${m.smtp.port}, Username ${m.smtp.accessKeyId} (the access key id, the secret's "username"), Password = the ${s.region} password (\`${passwordCommand(m, s.region)}\`), ${tls}; Add Account. ` +
    `Gmail then mails a confirmation link to ${s.address}: follow it. Then send the probe (From ${s.address} To ${PROBE_ADDRESS}) and re-run verify at least 4 hours later.`
  );
}

/** relay.gmail's fix for an alias that is not yet accepted: the confirmation, not the settings. */
export function gmailConfirmFix(s: Sender): string {
  return (
    `Gmail is waiting for the confirmation of ${s.address}: open the message "Gmail Confirmation - Send Mail as ${s.address}" delivered to ${s.address} and follow its link (or enter its code in Gmail). ` +
    `No mail arrived? In Gmail${s.account ? ` (${s.account})` : ""}, Settings → Accounts and Import → Send mail as → "Resend email" next to the alias. The SMTP settings need no change for this.`
  );
}

/** The runbook, as lines of text. */
export function relayRunbook(m: Manifest, s: Sender, o: RunbookOptions): string[] {
  const port = m.smtp.port;
  const tls = port === 465 ? "SSL (port 465)" : "TLS / STARTTLS (port 587)";
  const values = aliasValues(m, s, o.password);
  const head = [
    `Relay fix for ${s.address} (${s.kind === "gmail-send-as" ? `Gmail "Send mail as"${s.account ? ` in ${s.account}` : ""}` : "SMTP client"}), stack ${m.stack}`,
    `It must log in to SES in ${s.region} with the current SMTP key, generation ${m.smtp.keyGeneration}.`,
    ...(m.smtp.previousKey && m.smtp.previousKey.state !== "retired"
      ? [`Key generation ${m.smtp.previousKey.generation} (${m.smtp.previousKey.accessKeyId ?? "previous"}) is ${m.smtp.previousKey.state}: move this relay before it is retired.`]
      : []),
    "",
  ];
  if (s.kind === "gmail-send-as") {
    const who = s.account ?? "the Gmail account that owns the alias";
    return [
      ...head,
      `1. Sign in to Gmail as ${who}.`,
      "2. Settings (gear) → See all settings → Accounts and Import → Send mail as.",
      `3. On ${s.address} choose "edit info" → Next Step.`,
      "4. Enter:",
      ...values.map((v) => `     ${v}`),
      `     Select        Secured connection using ${port === 465 ? "SSL" : "TLS (recommended)"}`,
      '5. Save Changes. Gmail tests the login at once: an error here means a wrong value (check the region).',
      ...probeLines(m, s, o, 6),
      "",
      isConsumerGmail(s.account)
        ? `${s.account} is a consumer Gmail account: no API can change this alias's SMTP settings (users.settings.sendAs.update needs a Google Workspace domain-wide delegation), so these steps are manual.`
        : `${who} may be a Google Workspace account: with an access token of a service account that has domain-wide delegation for it, \`npm run relay-fix -- ${o.source} --sender ${s.address} --apply --gmail-token-file FILE\` writes these settings, checks them and sends the probe itself.`,
      "Gmail never shows the stored username or password: verify judges the alias from the keys' last use after the probe (relay.credentials, relay.retire).",
    ];
  }
  return [
    ...head,
    "1. In the relay's outgoing mail (smarthost) settings, enter:",
    ...values.map((v) => `     ${v}`),
    `     Security      ${tls}, required; AUTH PLAIN or LOGIN`,
    "2. Reload the relay.",
    ...probeLines(m, s, o, 3),
  ];
}
