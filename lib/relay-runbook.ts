/**
 * The runbook that moves one relay (a sender of the inventory) to the current SMTP key: what to
 * enter where, and the command that prints the password. Pure: it never holds the password;
 * the relay-fix CLI adds it only when asked, and only on a terminal.
 */
import type { Manifest } from "./manifest";

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

/** The runbook, as lines of text. */
export function relayRunbook(m: Manifest, s: Sender, o: RunbookOptions): string[] {
  const port = m.smtp.port;
  const tls = port === 465 ? "SSL (port 465)" : "TLS / STARTTLS (port 587)";
  const values = [
    `SMTP server   ${s.smtpEndpoint}`,
    `Port          ${port}`,
    `Username      ${m.smtp.accessKeyId}   (the access key id of key generation ${m.smtp.keyGeneration}; the secret's "username")`,
    ...(o.password !== undefined
      ? [`Password      ${o.password}`]
      : [`Password      the ${s.region} password from Secrets Manager (passwords differ per region); print it with:`, `                ${passwordCommand(m, s.region)}`]),
  ];
  const check = `npm run verify -- ${o.source} --only relay`;
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
      `6. Send a message as ${s.address}, then check: ${check}`,
      "",
      isConsumerGmail(s.account)
        ? `${s.account} is a consumer Gmail account: no API can change this alias's SMTP settings (users.settings.sendAs.update needs a Google Workspace domain-wide delegation), so these steps are manual.`
        : `${who} may be a Google Workspace account: with an access token of a service account that has domain-wide delegation for it, \`npm run relay-fix -- ${o.source} --sender ${s.address} --apply --gmail-token-file FILE\` writes these settings and checks them.`,
      "Gmail never shows the stored username or password: after saving, verify judges the alias from the keys' last use (relay.retire).",
    ];
  }
  return [
    ...head,
    "1. In the relay's outgoing mail (smarthost) settings, enter:",
    ...values.map((v) => `     ${v}`),
    `     Security      ${tls}, required; AUTH PLAIN or LOGIN`,
    "2. Reload the relay and send a test message through it.",
    `3. Check: ${check}`,
  ];
}
