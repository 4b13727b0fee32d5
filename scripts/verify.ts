/**
 * npm run verify -- --stack prod | --manifest FILE | --domain D --region R [--secret-id ID]
 * npm run verify -- --recipient ADDR --only recipient [--probe-smtp]
 *
 * Checks the live mail path layer by layer (SES, DNS, SMTP credentials, relays, recipient
 * domains, monitoring) against what the stack declared, and names the broken layer and the fix.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { Command, Option } from "commander";
import { isEmailAddress, normalizeDomain, validateSendingDomain } from "../lib/domain";
import type { Manifest } from "../lib/manifest";
import { validateSecretAccessKey } from "../lib/aws-ids";
import { shown } from "../lib/text";
import { describeNotChecked, exitCodeFor, type Layer, LAYERS, selectLayers } from "../lib/verify/findings";
import { MONITORING_NOT_DECLARED, MONITORING_NOT_DISCOVERED } from "./verify/layers/monitoring/check";
import { colorEnabled, keepSecret, readStdin, runMain, standardOptions, UsageError } from "./lib/cli";
import { MAX_TIMEOUT_SECONDS, parseDnsServer, parseHostPort, parsePortOrHostPort, parseRegionFlag, parseRelaySeen, parseTimeoutSeconds } from "./lib/flags";
import { manifestFromStack, readManifestFile } from "./lib/manifest-source";
import { discoverManifest } from "./verify/discover";
// The collectors load no heavy package with their module: each AWS SDK client and nodemailer loads
// with the first call that needs it (scripts/verify/load.ts), never for --help or a usage error.
import { AwsCollector } from "./verify/aws";
import { DnsCollector } from "./verify/layers/dns/collect";
import { MAX_TIMER_MS, runDeadline, seconds } from "./verify/limit";
import { formatJson, formatText, scrub } from "./verify/report";
import { GmailCollector, readGmailToken } from "./verify/layers/gmail/collect";
import { RecipientCollector } from "./verify/layers/recipient/collect";
import { SmtpCollector } from "./verify/layers/smtp/collect";
import { runVerify } from "./verify/run";
import { NO_RECIPIENT } from "./verify/layers/recipient/check";

const collect = (v: string, prev: string[]) => [...prev, v];
const list = (v: string, prev: string[]) => [...prev, ...v.split(",").map((x) => x.trim()).filter(Boolean)];

const program = standardOptions(new Command())
  .name("npm run verify --")
  .description("Check the live mail path layer by layer and name what is broken: SES account and identities, DNS authentication, SMTP credentials, the relays that use them, the recipients' domains, and the monitoring that watches it all (alarms, alert subscriptions, change rules, the trail, current bounce and complaint rates).")
  .option("-s, --stack <name>", "read the manifest from `pulumi stack output verification` of this stack")
  .option("-m, --manifest <file>", "read the manifest from a file (pulumi stack output verification --json > verification.json)")
  .option("-d, --domain <domain>", "discover everything from AWS and DNS for this domain (no Pulumi needed)")
  .option("-r, --region <region>", "SES region to check in discovery mode (repeatable; first is primary)", collect, [] as string[])
  .option("--secret-id <id>", "discovery mode: the Secrets Manager secret with the SMTP credentials")
  .addOption(new Option("--only <layers>", `check only these layers (${LAYERS.join(",")})`).argParser(list).default([] as string[]))
  .addOption(new Option("--skip <layers>", "skip these layers").argParser(list).default([] as string[]))
  .option("--recipient <address>", "check this recipient against the SES suppression list, and its domain in the recipient layer: MX, DMARC, MTA-STS, TLS-RPT (repeatable)", collect, [] as string[])
  .option("--probe-smtp", "recipient layer: also connect to port 25 of each recipient domain's best MX (EHLO, STARTTLS, certificate); a blocked port 25 is inconclusive")
  .addOption(new Option("--probe-smtp-port <[host:]port>", "recipient layer: probe this port (and host) instead of <best MX>:25; the certificate is still checked against the MX name (tests, tunnels)").hideHelp())
  .addOption(new Option("--mta-sts-endpoint <[host:]port>", "recipient layer: fetch MTA-STS policies from this port (and host) instead of mta-sts.<domain>:443; the certificate is still checked against mta-sts.<domain> (tests, proxies)").hideHelp())
  .option("--dns-server <host[:port]>", "resolver to use (repeatable; default: the system's)", collect, [] as string[])
  .option("--authoritative", "ask each domain's own name servers (avoids stale caches)")
  .option("--smtp-endpoint <[region=]host:port>", "connect here instead of email-smtp.<region>.amazonaws.com:587, for every region or one (repeatable; certificates are still checked against the real name)", collect, [] as string[])
  .option("--send-test", "send one message to success@simulator.amazonses.com per region, proving the whole send path")
  .option("--smtp-auth-during-rotation", "log in to SES with the current key (smtp.auth, --send-test) even while a rotation is in progress; by default verify does not, because IAM may record the login as the key's use and relay.retire could not tell it from a relay's")
  .option("--smtp-login-at <region=time>", "relay layer: verify's own earlier SMTP login with the current key (a run with --smtp-auth-during-rotation prints it); a use within 15 min of it is not counted as a relay's, repeatable", collect, [] as string[])
  .option("--secret-key-stdin", "read the SMTP key's secret access key on stdin, to re-derive the stored passwords")
  .option("--gmail-token-file <file>", "relay layer: OAuth token JSON (with an access_token) to read the Gmail \"Send mail as\" aliases (default: env GMAIL_ACCESS_TOKEN)")
  .option("--gmail-endpoint <url>", "relay layer: Gmail API root instead of https://gmail.googleapis.com/ (tests, proxies)")
  .option("--relay-seen <region=time>", "relay layer: an SES use of the current key that an earlier verify confirmed in that region (relay.retire prints it; the last-used record keeps one region), repeatable", collect, [] as string[])
  .option("--timeout <seconds>", `wait at most this long for any one answer, more than 0 up to ${MAX_TIMEOUT_SECONDS} (decimals allowed); one AWS call, DNS question or SMTP session with its retries gets 3x, the whole run 10x`, "10")
  .option("--json", "print the findings as JSON")
  .option("-v, --verbose", "show evidence for passing checks too")
  .addHelpText(
    "after",
    `
Examples:
  npm run verify -- --stack prod
  npm run verify -- --manifest verification.json --recipient someone@example.org
  npm run verify -- --domain example.com --region us-east-1 --region us-west-2 --secret-id mail-infra/prod/ses-smtp
  npm run verify -- --stack prod --only dns --dns-server 1.1.1.1 --authoritative
  npm run verify -- --stack prod --only monitoring
  npm run verify -- --recipient someone@example.org --only recipient --probe-smtp

--recipient also runs the recipient layer on the address's domain. With --only recipient,
verify needs no --stack, --manifest or --domain (and no AWS credentials).

AWS endpoints follow AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, credentials the standard AWS chain, and TLS trust NODE_EXTRA_CA_CERTS.

Timeouts: with --timeout T, every connection and answer is awaited at most T; an AWS call (SDK
retries included), a DNS question (its tries included) or an SMTP session ends within 3 x T; the
whole run ends within 10 x T (100 s by default): whatever is still pending then is reported as
inconclusive ("deadline reached") and the report is printed.

Layers that were not checked (--only, --skip, or an input discovery mode lacks) are listed as
"not checked" with the reason; then the verdict never says the mail path is healthy.

Exit codes: 0 every check that ran passed (warnings allowed; layers not checked do not count), 1 a check failed or could not be made, 2 usage, config or manifest error (also: nothing left to check), 3 unexpected error (--debug shows its stack trace).`,
  );

interface Options {
  stack?: string;
  manifest?: string;
  domain?: string;
  region: string[];
  secretId?: string;
  only: string[];
  skip: string[];
  recipient: string[];
  probeSmtp?: boolean;
  probeSmtpPort?: string;
  mtaStsEndpoint?: string;
  dnsServer: string[];
  authoritative?: boolean;
  smtpEndpoint: string[];
  sendTest?: boolean;
  secretKeyStdin?: boolean;
  gmailTokenFile?: string;
  gmailEndpoint?: string;
  relaySeen: string[];
  smtpAuthDuringRotation?: boolean;
  smtpLoginAt: string[];
  timeout: string;
  json?: boolean;
  verbose?: boolean;
}

function parseLayers(values: string[], flag: string): Layer[] {
  for (const v of values) if (!(LAYERS as readonly string[]).includes(v)) throw new UsageError(`${flag}: ${shown(v)} is not a layer. Use ${LAYERS.join(", ")}.`);
  return values as Layer[];
}

/** Stack names as `pulumi stack output --stack` takes them: name, or org/project/name. */
function parseStackName(value: string): string {
  if (!/^[\w.-]+(\/[\w.-]+){0,2}$/.test(value) || value.length > 300 || value.startsWith("-")) {
    throw new UsageError(`--stack: ${shown(value)} is not a stack name (letters, digits, '.', '_', '-'; optionally org/project/stack).`);
  }
  return value;
}

/** A Secrets Manager secret id: a name or a secret ARN. */
function parseSecretId(value: string): string {
  if (!/^(arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[\w/+=.@-]{1,512}$/.test(value)) {
    throw new UsageError(`--secret-id: ${shown(value)} is not a Secrets Manager secret name or ARN (letters, digits and /_+=.@-).`);
  }
  return value;
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  const sources = [o.stack, o.manifest, o.domain].filter((x) => x !== undefined).length;
  // Every flag is checked here, before any file, network or stdin is touched.
  const only = parseLayers(o.only, "--only");
  const skip = parseLayers(o.skip, "--skip");
  // Only the recipient layer needs no manifest: without a source, --only/--skip must leave nothing else.
  const recipientOnly = selectLayers(only, skip).layers.every((l) => l === "recipient");
  if (sources > 1 || (sources === 0 && !recipientOnly)) {
    throw new UsageError("give exactly one of --stack, --manifest or --domain (see --help); to check only recipients' domains, give --recipient ADDRESS --only recipient.");
  }
  const timeoutMs = parseTimeoutSeconds(o.timeout, "--timeout");
  const stack = o.stack === undefined ? undefined : parseStackName(o.stack);
  // Discovery mode cannot know the relays (they are the stack's senders), nor read the SMTP
  // credentials without the secret's id. Those layers are listed as not checked, with why.
  const discovery = o.domain !== undefined;
  const unavailable: Partial<Record<Layer, string>> = {
    ...(discovery && !o.secretId ? { smtp: "no --secret-id given: discovery mode reads the SMTP credentials from that secret" } : {}),
    ...(discovery ? { relay: "discovery mode does not know the relays: they are the stack's senders; use --stack or --manifest" } : {}),
    ...(o.recipient.length === 0 ? { recipient: NO_RECIPIENT } : {}),
    ...(discovery ? { monitoring: MONITORING_NOT_DISCOVERED } : {}),
  };
  const choose = () => {
    const chosen = selectLayers(only, skip, unavailable);
    if (chosen.layers.length === 0) throw new UsageError(`nothing to check: ${describeNotChecked(chosen.notChecked)}.`);
    return chosen;
  };
  let { layers, notChecked } = choose();
  const smtpEndpoints: Record<string, { host: string; port: number }> = {};
  for (const value of o.smtpEndpoint) {
    const eq = value.indexOf("=");
    const region = eq < 0 ? "*" : parseRegionFlag(value.slice(0, eq), "--smtp-endpoint");
    smtpEndpoints[region] = parseHostPort(eq < 0 ? value : value.slice(eq + 1), "--smtp-endpoint");
  }
  const dnsServers = o.dnsServer.map((s) => parseDnsServer(s, "--dns-server"));
  const probeEndpoint = o.probeSmtpPort === undefined ? undefined : parsePortOrHostPort(o.probeSmtpPort, "--probe-smtp-port");
  const mtaStsEndpoint = o.mtaStsEndpoint === undefined ? undefined : parsePortOrHostPort(o.mtaStsEndpoint, "--mta-sts-endpoint", "127.0.0.1:8443");
  if (probeEndpoint && !o.probeSmtp) throw new UsageError("--probe-smtp-port belongs to --probe-smtp: add --probe-smtp, or drop --probe-smtp-port.");
  for (const r of o.recipient) if (!isEmailAddress(r)) throw new UsageError(`--recipient: ${shown(r)} is not an email address.`);
  if (o.domain === undefined && (o.region.length > 0 || o.secretId)) throw new UsageError("--region and --secret-id belong to discovery mode: use them with --domain.");
  const regions = o.region.map((r) => parseRegionFlag(r, "--region"));
  const secretId = o.secretId === undefined ? undefined : parseSecretId(o.secretId);
  if (o.domain !== undefined) {
    const problem = validateSendingDomain(o.domain);
    if (problem) throw new UsageError(`--domain: ${problem}`);
    if (regions.length === 0) throw new UsageError("discovery mode needs at least one --region.");
  }
  let secretKey: string | undefined;
  if (o.secretKeyStdin) {
    secretKey = (await readStdin()).trim();
    keepSecret(secretKey);
    if (!secretKey) throw new UsageError("--secret-key-stdin: nothing on stdin.");
    const problem = validateSecretAccessKey(secretKey);
    if (problem) throw new UsageError(`--secret-key-stdin: ${problem}`);
  }

  const relaySeen = parseRelaySeen(o.relaySeen);
  const ownLogins = parseRelaySeen(o.smtpLoginAt, "--smtp-login-at", "a verify run with --smtp-auth-during-rotation");
  if (o.gmailEndpoint !== undefined && !URL.canParse(o.gmailEndpoint)) throw new UsageError(`--gmail-endpoint: ${shown(o.gmailEndpoint)} is not an http(s) URL (e.g. http://127.0.0.1:8080/).`);
  if (o.gmailEndpoint !== undefined && !/^https?:$/.test(new URL(o.gmailEndpoint).protocol)) throw new UsageError(`--gmail-endpoint: ${shown(o.gmailEndpoint)} is not an http(s) URL (e.g. http://127.0.0.1:8080/).`);
  const gmailToken = readGmailToken(o.gmailTokenFile);
  if (gmailToken) keepSecret(gmailToken);

  const deadline = runDeadline(timeoutMs);
  // The collectors end everything pending at the deadline; this is the last resort if something does not.
  const watchdog = setTimeout(() => {
    process.stderr.write(`error: verify did not finish within its deadline of ${seconds(deadline.ms)} (10 x --timeout); stopping.\n`);
    process.exit(1);
  }, Math.min(MAX_TIMER_MS, deadline.ms + 2000));
  const aws = new AwsCollector({ timeoutMs, deadline });
  const dns = new DnsCollector({ servers: dnsServers, timeoutMs, authoritative: o.authoritative, deadline });
  const smtp = new SmtpCollector({ timeoutMs, deadline });
  const recipient = new RecipientCollector({
    dns,
    timeoutMs,
    deadline,
    probeSmtp: Boolean(o.probeSmtp),
    ...(probeEndpoint ? { probeEndpoint } : {}),
    ...(mtaStsEndpoint ? { mtaStsEndpoint } : {}),
  });
  const gmail = gmailToken ? new GmailCollector({ accessToken: gmailToken, timeoutMs, ...(o.gmailEndpoint ? { endpoint: o.gmailEndpoint } : {}) }) : undefined;
  try {
    let manifest: Manifest | undefined;
    let target: string;
    if (sources === 0) {
      target = `recipient domains of ${o.recipient.join(", ")}`;
    } else if (o.manifest || stack) {
      manifest = o.manifest ? readManifestFile(o.manifest) : manifestFromStack(stack!, deadline.ms);
      target = o.manifest ? `manifest ${o.manifest} (stack ${manifest.stack})` : `stack ${stack}`;
      // A stack without senders has no relay to check (known before any network I/O).
      if (manifest.senders.length === 0) unavailable.relay = "the manifest declares no relays (mail-infra:senders)";
      // Without a monitoring section there is nothing to compare with: not checked, with the fix.
      if (!manifest.monitoring) unavailable.monitoring = MONITORING_NOT_DECLARED;
      if (unavailable.relay || unavailable.monitoring) ({ layers, notChecked } = choose());
    } else {
      manifest = await discoverManifest({ domain: normalizeDomain(o.domain!), regions, secretId }, aws);
      target = `${o.domain} (discovered from AWS)`;
    }

    const tty = Boolean(process.stderr.isTTY) && !o.json;
    const progress = tty
      ? (done: number, total: number, label: string) => process.stderr.write(`\r\u001b[2K  checking ${done}/${total}: ${label}`)
      : undefined;
    const result = await runVerify(manifest, { layers, notChecked, recipients: o.recipient, smtpEndpoints, sendTest: Boolean(o.sendTest), secretKey, relaySeen, ownLogins, smtpAuthDuringRotation: Boolean(o.smtpAuthDuringRotation) }, { aws, dns, smtp, recipient, ...(gmail ? { gmail } : {}) }, progress);
    if (tty) process.stderr.write("\r\u001b[2K");
    const output = o.json
      ? formatJson(result.findings, { target, layers, notChecked: result.notChecked, domains: manifest?.domains.map((d) => d.domain) })
      : formatText(result.findings, { target, layers, notChecked: result.notChecked, verbose: Boolean(o.verbose), color: colorEnabled(), domains: manifest?.domains.map((d) => d.domain) });
    process.stdout.write(scrub(output, result.secrets));
    return exitCodeFor(result.findings);
  } finally {
    clearTimeout(watchdog);
    aws.destroy();
  }
}

void runMain(main, { command: "verify" });
