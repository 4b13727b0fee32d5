/**
 * The relay runbook (lib/relay-runbook.ts), pure: hand-built manifests and senders, the expected
 * lines written from what a relay must be told. SES SMTP (docs.aws.amazon.com/ses, "Connecting
 * to an Amazon SES SMTP endpoint"): host email-smtp.<region>.amazonaws.com, port 587 with
 * STARTTLS or 465 with TLS wrapper; the SMTP username is the IAM access key id, the password is
 * derived per region. Gmail's "Send mail as" dialog offers "Secured connection using TLS
 * (recommended)" and "Secured connection using SSL". The CLI around it (flags, the secret, the
 * terminal): tests/verify/relay-fix.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { findSender, gmailAddAliasFix, gmailAuthBounce, gmailConfirmFix, isConsumerGmail, passwordCommand, probeLines, relayRunbook, type Sender } from "../../lib/relay-runbook";

const CUR = "AKIAEXAMPLECURRENT02";
const PREV = "AKIAEXAMPLEPREVIOUS1";
const SIM = "success@simulator.amazonses.com";
const EU = "email-smtp.eu-west-1.amazonaws.com";

/** A stack with key generation 2 current; port and previous key as given. */
function manifest(over: { port?: number; previousKey?: Manifest["smtp"]["previousKey"]; senders?: Sender[] } = {}): Manifest {
  return {
    version: 1,
    project: "mail-infra",
    stack: "prod",
    domains: [],
    smtp: {
      user: "mail-infra-smtp-prod",
      userArn: "arn:aws:iam::123456789012:user/mail-infra-smtp-prod",
      accessKeyId: CUR,
      keyGeneration: 2,
      ...(over.previousKey ? { previousKey: over.previousKey } : {}),
      secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail/smtp-AbCdEf",
      secretName: "mail/smtp",
      secretRegion: "us-east-1",
      port: over.port ?? 587,
      regions: [{ region: "eu-west-1", endpoint: EU }],
    },
    senders: over.senders ?? [],
  };
}

const gmailSender = (account?: string): Sender => ({ address: "admin@example.com", kind: "gmail-send-as", ...(account !== undefined ? { account } : {}), region: "eu-west-1", smtpEndpoint: EU });
const client: Sender = { address: "app@example.com", kind: "smtp-client", region: "eu-west-1", smtpEndpoint: EU };
const PASSWORD_COMMAND = `aws secretsmanager get-secret-value --secret-id mail/smtp --region us-east-1 --query SecretString --output text | jq -r '.regions["eu-west-1"].password'`;

describe("findSender", () => {
  const m = manifest({ senders: [gmailSender("someone@gmail.com"), { ...client, address: "App@Example.COM" }] });
  it("finds the sender whatever the case of either address and with blanks around the asked one", () => {
    expect(findSender(m, "  app@EXAMPLE.com ")?.kind).toBe("smtp-client");
    expect(findSender(m, "admin@example.com")?.kind).toBe("gmail-send-as");
  });
  it("no sender with that address: undefined (a different local part or domain is not the sender)", () => {
    expect(findSender(m, "ap@example.com")).toBeUndefined();
    expect(findSender(m, "app@example.org")).toBeUndefined();
  });
});

describe("isConsumerGmail", () => {
  it.each([
    ["someone@gmail.com", true],
    ["someone@googlemail.com", true],
    ["Someone@GMail.COM", true],
    ["owner@example.com", false],
    ["someone@gmail.com.example.org", false],
    ["someone@notgmail.com", false],
    ["someone@gmail-com", false],
    ["someone@gmailxcom", false],
    ["gmail.com", false],
  ])("%s: %s", (account, consumer) => {
    expect(isConsumerGmail(account)).toBe(consumer);
  });
  it("no account: not known to be consumer Gmail", () => {
    expect(isConsumerGmail(undefined)).toBe(false);
  });
});

describe("passwordCommand", () => {
  it("reads the secret by name in the secret's region and prints the password of the asked region", () => {
    expect(passwordCommand(manifest(), "eu-west-1")).toBe(PASSWORD_COMMAND);
  });
});

describe("gmailAuthBounce", () => {
  const bounce = (who: string) =>
    `If Gmail cannot log in to SES, ${who} receives "Delivery Status Notification (Failure)" from mailer-daemon@googlemail.com: "Your message wasn't sent because the settings for the "Send mail as" address admin@example.com are misconfigured or out of date ... 535 Authentication Credentials Invalid". Save it (Show original → Download) and run \`npm run diagnose -- FILE\`: it reads it as relay-auth.`;
  it("names the account that receives the bounce, or 'the account' when the manifest has none", () => {
    expect(gmailAuthBounce(gmailSender("someone@gmail.com"))).toBe(bounce("someone@gmail.com"));
    expect(gmailAuthBounce(gmailSender())).toBe(bounce("the account"));
  });
});

describe("probeLines", () => {
  const tail = (n: number, source: string, address: string) => [
    `${n}. At least 4 hours later (IAM's last-used record lags), check:`,
    `     npm run verify -- ${source} --only relay`,
    `   relay.credentials for ${address} passes once SES shows the current key (${CUR}) used in eu-west-1 after the rotation, and the previous key not since.`,
  ];
  it("a Gmail alias: the probe composed in Gmail, the bounce Gmail sends on a failed login, the check numbered on", () => {
    const s = gmailSender("someone@gmail.com");
    expect(probeLines(manifest(), s, { source: "--stack prod" }, 6)).toEqual([
      `6. Send the probe: in Gmail, compose a message From admin@example.com To ${SIM} (any subject) and send it.`,
      "   It logs in to SES in eu-west-1 with the key the relay holds; SES's mailbox simulator accepts it without cost or reputation effect.",
      `   ${gmailAuthBounce(s)}`,
      ...tail(7, "--stack prod", "admin@example.com"),
    ]);
  });
  it("an SMTP client: one message through the relay, its log on a failed login", () => {
    expect(probeLines(manifest(), client, { source: "--manifest f.json" }, 3)).toEqual([
      `3. Send the probe: one message through the relay From app@example.com To ${SIM}.`,
      "   It logs in to SES in eu-west-1 with the key the relay holds; SES's mailbox simulator accepts it without cost or reputation effect.",
      "   If the relay cannot log in, its log shows 535 Authentication Credentials Invalid: recheck the values above.",
      ...tail(4, "--manifest f.json", "app@example.com"),
    ]);
  });
});

describe("gmailAddAliasFix", () => {
  const fix = (as: string, port: number, tls: string) =>
    `Add the alias in Gmail${as}: Settings → See all settings → Accounts and Import → Send mail as → Add another email address; Email address admin@example.com; Next Step; then ` +
    `SMTP Server ${EU}, Port ${port}, Username ${CUR} (the access key id, the secret's "username"), Password = the eu-west-1 password (\`${PASSWORD_COMMAND}\`), ${tls}; Add Account. ` +
    `Gmail then mails a confirmation link to admin@example.com: follow it. Then send the probe (From admin@example.com To ${SIM}) and re-run verify at least 4 hours later.`;
  it("port 587: TLS (STARTTLS), as the account", () => {
    expect(gmailAddAliasFix(manifest(), gmailSender("someone@gmail.com"))).toBe(fix(" as someone@gmail.com", 587, "Secured connection using TLS (recommended)"));
  });
  it("port 465: SSL (TLS wrapper); no account named when the manifest has none", () => {
    expect(gmailAddAliasFix(manifest({ port: 465 }), gmailSender())).toBe(fix("", 465, "Secured connection using SSL"));
  });
});

describe("gmailConfirmFix", () => {
  const fix = (account: string) =>
    `Gmail is waiting for the confirmation of admin@example.com: open the message "Gmail Confirmation - Send Mail as admin@example.com" delivered to admin@example.com and follow its link (or enter its code in Gmail). ` +
    `No mail arrived? In Gmail${account}, Settings → Accounts and Import → Send mail as → "Resend email" next to the alias. The SMTP settings need no change for this.`;
  it("the confirmation mail, and where to resend it (in the account, when known)", () => {
    expect(gmailConfirmFix(gmailSender("someone@gmail.com"))).toBe(fix(" (someone@gmail.com)"));
    expect(gmailConfirmFix(gmailSender())).toBe(fix(""));
  });
});

describe("relayRunbook: a Gmail alias", () => {
  const values = (password?: string) => [
    `     SMTP server   ${EU}`,
    "     Port          587",
    `     Username      ${CUR}   (the access key id of key generation 2; the secret's "username")`,
    ...(password !== undefined
      ? [`     Password      ${password}`]
      : ["     Password      the eu-west-1 password from Secrets Manager (passwords differ per region); print it with:", `                     ${PASSWORD_COMMAND}`]),
  ];
  const steps = (who: string) => [
    `1. Sign in to Gmail as ${who}.`,
    "2. Settings (gear) → See all settings → Accounts and Import → Send mail as.",
    '3. On admin@example.com choose "edit info" → Next Step.',
    "4. Enter:",
  ];
  const NEVER = "Gmail never shows the stored username or password: verify judges the alias from the keys' last use after the probe (relay.credentials, relay.retire).";

  it("a consumer account, no previous key: every step manual, the password as a command", () => {
    const s = gmailSender("someone@gmail.com");
    expect(relayRunbook(manifest(), s, { source: "--stack prod" })).toEqual([
      'Relay fix for admin@example.com (Gmail "Send mail as" in someone@gmail.com), stack prod',
      "It must log in to SES in eu-west-1 with the current SMTP key, generation 2.",
      "",
      ...steps("someone@gmail.com"),
      ...values(),
      "     Select        Secured connection using TLS (recommended)",
      "5. Save Changes. Gmail tests the login at once: an error here means a wrong value (check the region).",
      ...probeLines(manifest(), s, { source: "--stack prod" }, 6),
      "",
      "someone@gmail.com is a consumer Gmail account: no API can change this alias's SMTP settings (users.settings.sendAs.update needs a Google Workspace domain-wide delegation), so these steps are manual.",
      NEVER,
    ]);
  });

  it("a Workspace account on port 465, previous key active, the password given: SSL, the password itself, the --apply command", () => {
    const m = manifest({ port: 465, previousKey: { generation: 1, accessKeyId: PREV, state: "active" } });
    const s = gmailSender("owner@example.com");
    const lines = relayRunbook(m, s, { source: "--manifest f.json", password: "pw-secret" });
    expect(lines.slice(0, 4)).toEqual([
      'Relay fix for admin@example.com (Gmail "Send mail as" in owner@example.com), stack prod',
      "It must log in to SES in eu-west-1 with the current SMTP key, generation 2.",
      `Key generation 1 (${PREV}) is active: move this relay before it is retired.`,
      "",
    ]);
    expect(lines).toContain("     Port          465");
    expect(lines).toContain("     Password      pw-secret");
    expect(lines.filter((l) => l.includes("aws secretsmanager"))).toEqual([]);
    expect(lines).toContain("     Select        Secured connection using SSL");
    expect(lines.slice(-2)).toEqual([
      "owner@example.com may be a Google Workspace account: with an access token of a service account that has domain-wide delegation for it, `npm run relay-fix -- --manifest f.json --sender admin@example.com --apply --gmail-token-file FILE` writes these settings, checks them and sends the probe itself.",
      NEVER,
    ]);
  });

  it("no account in the manifest: 'the Gmail account that owns the alias', and no consumer claim", () => {
    const lines = relayRunbook(manifest(), gmailSender(), { source: "--stack prod" });
    expect(lines[0]).toBe('Relay fix for admin@example.com (Gmail "Send mail as"), stack prod');
    expect(lines[3]).toBe("1. Sign in to Gmail as the Gmail account that owns the alias.");
    expect(lines.at(-2)).toBe(
      "the Gmail account that owns the alias may be a Google Workspace account: with an access token of a service account that has domain-wide delegation for it, `npm run relay-fix -- --stack prod --sender admin@example.com --apply --gmail-token-file FILE` writes these settings, checks them and sends the probe itself.",
    );
  });
});

describe("relayRunbook: an SMTP client", () => {
  it("smarthost settings, STARTTLS on 587, reload, the probe numbered from 3", () => {
    const m = manifest({ previousKey: { generation: 1, accessKeyId: PREV, state: "inactive" } });
    expect(relayRunbook(m, client, { source: "--stack prod" })).toEqual([
      "Relay fix for app@example.com (SMTP client), stack prod",
      "It must log in to SES in eu-west-1 with the current SMTP key, generation 2.",
      `Key generation 1 (${PREV}) is inactive: move this relay before it is retired.`,
      "",
      "1. In the relay's outgoing mail (smarthost) settings, enter:",
      `     SMTP server   ${EU}`,
      "     Port          587",
      `     Username      ${CUR}   (the access key id of key generation 2; the secret's "username")`,
      "     Password      the eu-west-1 password from Secrets Manager (passwords differ per region); print it with:",
      `                     ${PASSWORD_COMMAND}`,
      "     Security      TLS / STARTTLS (port 587), required; AUTH PLAIN or LOGIN",
      "2. Reload the relay.",
      ...probeLines(m, client, { source: "--stack prod" }, 3),
    ]);
  });

  it("port 465: TLS wrapper ('SSL (port 465)')", () => {
    expect(relayRunbook(manifest({ port: 465 }), client, { source: "--stack prod" })).toContain("     Security      SSL (port 465), required; AUTH PLAIN or LOGIN");
  });

  it("a retired previous key is not mentioned; one whose id is gone is 'previous'", () => {
    const retired = relayRunbook(manifest({ previousKey: { generation: 1, accessKeyId: PREV, state: "retired" } }), client, { source: "--stack prod" });
    expect(retired.slice(0, 3)).toEqual(["Relay fix for app@example.com (SMTP client), stack prod", "It must log in to SES in eu-west-1 with the current SMTP key, generation 2.", ""]);
    const noId = relayRunbook(manifest({ previousKey: { generation: 1, state: "inactive" } }), client, { source: "--stack prod" });
    expect(noId[2]).toBe("Key generation 1 (previous) is inactive: move this relay before it is retired.");
  });
});
