/**
 * npm run verify -- --stack prod | --manifest FILE | --domain D --region R [--secret-id ID]
 *
 * Checks the live mail path layer by layer (SES, DNS, SMTP credentials, relays) against what
 * the stack declared, and names the broken layer and the fix.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { Command, Option } from "commander";
import { isEmailAddress, normalizeDomain, validateDomainName } from "../lib/domain";
import { type Manifest, ManifestError } from "../lib/manifest";
import { isSmtpRegion, SES_SMTP_REGIONS } from "../lib/regions";
import { describeNotChecked, exitCodeFor, type Layer, LAYERS, selectLayers } from "../lib/verify/findings";
import { colorEnabled, EXIT_USAGE, readStdin } from "./lib/cli";
import { manifestFromStack, readManifestFile } from "./lib/manifest-source";
import { UsageError } from "./lib/stack-config";
import { DEFAULT_QUIET_DAYS } from "../lib/verify/relay";
import { GmailCollector, readGmailToken } from "./verify/gmail";
import { AwsCollector } from "./verify/aws";
import { discoverManifest } from "./verify/discover";
import { DnsCollector } from "./verify/dns";
import { formatJson, formatText, scrub } from "./verify/report";
import { runVerify } from "./verify/run";
import { SmtpCollector } from "./verify/smtp";

const collect = (v: string, prev: string[]) => [...prev, v];
const list = (v: string, prev: string[]) => [...prev, ...v.split(",").map((x) => x.trim()).filter(Boolean)];

const program = new Command()
  .name("npm run verify --")
  .description("Check the live mail path layer by layer and name what is broken: SES account and identities, DNS authentication, SMTP credentials, and the relays that use them.")
  .option("-s, --stack <name>", "read the manifest from `pulumi stack output verification` of this stack")
  .option("-m, --manifest <file>", "read the manifest from a file (pulumi stack output verification --json > verification.json)")
  .option("-d, --domain <domain>", "discover everything from AWS and DNS for this domain (no Pulumi needed)")
  .option("-r, --region <region>", "SES region to check in discovery mode (repeatable; first is primary)", collect, [] as string[])
  .option("--secret-id <id>", "discovery mode: the Secrets Manager secret with the SMTP credentials")
  .addOption(new Option("--only <layers>", `check only these layers (${LAYERS.join(",")})`).argParser(list).default([] as string[]))
  .addOption(new Option("--skip <layers>", "skip these layers").argParser(list).default([] as string[]))
  .option("--recipient <address>", "also check this recipient against the SES suppression list (repeatable)", collect, [] as string[])
  .option("--dns-server <host[:port]>", "resolver to use (repeatable; default: the system's)", collect, [] as string[])
  .option("--authoritative", "ask each domain's own name servers (avoids stale caches)")
  .option("--smtp-endpoint <[region=]host:port>", "connect here instead of email-smtp.<region>.amazonaws.com:587, for every region or one (repeatable; certificates are still checked against the real name)", collect, [] as string[])
  .option("--send-test", "send one message to success@simulator.amazonses.com per region, proving the whole send path")
  .option("--secret-key-stdin", "read the SMTP key's secret access key on stdin, to re-derive the stored passwords")
  .option("--gmail-token-file <file>", "relay layer: OAuth token JSON (with an access_token) to read the Gmail \"Send mail as\" aliases (default: env GMAIL_ACCESS_TOKEN)")
  .option("--gmail-endpoint <url>", "relay layer: Gmail API root instead of https://gmail.googleapis.com/ (tests, proxies)")
  .option("--relay-quiet-days <days>", "relay layer: days without an SES login with the previous key, after the rotation, before it is safe to retire", String(DEFAULT_QUIET_DAYS))
  .option("--timeout <seconds>", "per-operation timeout (AWS, DNS, SMTP and Gmail)", "10")
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

AWS endpoints follow AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, credentials the standard AWS chain,
and TLS trust NODE_EXTRA_CA_CERTS.

Layers that were not checked (--only, --skip, or an input discovery mode lacks) are listed as
"not checked" with the reason; then the verdict never says the mail path is healthy.

Exit codes: 0 every check that ran passed (warnings allowed; layers not checked do not count),
1 a check failed or could not be made, 2 usage, config or manifest error (also: nothing left to check).`,
  )
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));

interface Options {
  stack?: string;
  manifest?: string;
  domain?: string;
  region: string[];
  secretId?: string;
  only: string[];
  skip: string[];
  recipient: string[];
  dnsServer: string[];
  authoritative?: boolean;
  smtpEndpoint: string[];
  sendTest?: boolean;
  secretKeyStdin?: boolean;
  gmailTokenFile?: string;
  gmailEndpoint?: string;
  relayQuietDays: string;
  timeout: string;
  json?: boolean;
  verbose?: boolean;
}

function parseLayers(values: string[], flag: string): Layer[] {
  for (const v of values) if (!(LAYERS as readonly string[]).includes(v)) throw new UsageError(`${flag}: "${v}" is not a layer. Use ${LAYERS.join(", ")}.`);
  return values as Layer[];
}

function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`${flag}: "${value}" is not host:port (e.g. 127.0.0.1:2587).`);
  return { host: m[1], port: Number(m[2]) };
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  const sources = [o.stack, o.manifest, o.domain].filter((x) => x !== undefined).length;
  if (sources !== 1) throw new UsageError("give exactly one of --stack, --manifest or --domain (see --help).");
  const timeoutSeconds = Number(o.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout: "${o.timeout}" is not a positive number of seconds.`);
  const timeoutMs = Math.round(timeoutSeconds * 1000);
  const only = parseLayers(o.only, "--only");
  const skip = parseLayers(o.skip, "--skip");
  // Discovery mode cannot know the relays (they are the stack's senders), nor read the SMTP
  // credentials without the secret's id. Those layers are listed as not checked, with why.
  const discovery = o.domain !== undefined;
  const unavailable: Partial<Record<Layer, string>> = {
    ...(discovery && !o.secretId ? { smtp: "no --secret-id given: discovery mode reads the SMTP credentials from that secret" } : {}),
    ...(discovery ? { relay: "discovery mode does not know the relays: they are the stack's senders; use --stack or --manifest" } : {}),
  };
  const choose = () => {
    const chosen = selectLayers(only, skip, unavailable);
    if (chosen.layers.length === 0) throw new UsageError(`nothing to check: ${describeNotChecked(chosen.notChecked)}.`);
    return chosen;
  };
  let { layers, notChecked } = choose();
  const smtpEndpoints: Record<string, { host: string; port: number }> = {};
  for (const value of o.smtpEndpoint) {
    const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)=(.+)$/.exec(value);
    if (m && !isSmtpRegion(m[1])) throw new UsageError(`--smtp-endpoint: "${m[1]}" has no Amazon SES SMTP endpoint.`);
    smtpEndpoints[m ? m[1] : "*"] = parseHostPort(m ? m[2] : value, "--smtp-endpoint");
  }
  for (const s of o.dnsServer) if (!/^\[?[0-9a-f.:]+\]?(:\d+)?$/i.test(s)) throw new UsageError(`--dns-server: "${s}" is not an IP address with an optional :port.`);
  for (const r of o.recipient) if (!isEmailAddress(r)) throw new UsageError(`--recipient: "${r}" is not an email address.`);
  if (o.domain === undefined && (o.region.length > 0 || o.secretId)) throw new UsageError("--region and --secret-id belong to discovery mode: use them with --domain.");
  const secretKey = o.secretKeyStdin ? (await readStdin()).trim() : undefined;
  if (o.secretKeyStdin && !secretKey) throw new UsageError("--secret-key-stdin: nothing on stdin.");

  const relayQuietDays = Number(o.relayQuietDays);
  if (!Number.isFinite(relayQuietDays) || relayQuietDays < 0) throw new UsageError(`--relay-quiet-days: "${o.relayQuietDays}" is not a number of days (0 or more).`);
  if (o.gmailEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(o.gmailEndpoint)) throw new UsageError(`--gmail-endpoint: "${o.gmailEndpoint}" is not an http(s) URL (e.g. http://127.0.0.1:8080/).`);
  const gmailToken = readGmailToken(o.gmailTokenFile);
  const gmail = gmailToken ? new GmailCollector({ accessToken: gmailToken, timeoutMs, ...(o.gmailEndpoint ? { endpoint: o.gmailEndpoint } : {}) }) : undefined;

  const aws = new AwsCollector({ timeoutMs });
  const dns = new DnsCollector({ servers: o.dnsServer, timeoutMs, authoritative: o.authoritative });
  const smtp = new SmtpCollector({ timeoutMs });
  try {
    let manifest: Manifest;
    let target: string;
    if (o.manifest || o.stack) {
      manifest = o.manifest ? readManifestFile(o.manifest) : manifestFromStack(o.stack!);
      target = o.manifest ? `manifest ${o.manifest} (stack ${manifest.stack})` : `stack ${o.stack}`;
      // A stack without senders has no relay to check (known before any network I/O).
      if (manifest.senders.length === 0) {
        unavailable.relay = "the manifest declares no relays (mail-infra:senders)";
        ({ layers, notChecked } = choose());
      }
    } else {
      const problem = validateDomainName(o.domain ?? "");
      if (problem) throw new UsageError(`--domain: "${o.domain}" ${problem}`);
      if (o.region.length === 0) throw new UsageError("discovery mode needs at least one --region.");
      for (const r of o.region) if (!isSmtpRegion(r)) throw new UsageError(`--region: "${r}" has no Amazon SES SMTP endpoint. Use one of: ${SES_SMTP_REGIONS.join(", ")}.`);
      manifest = await discoverManifest({ domain: normalizeDomain(o.domain!), regions: o.region, secretId: o.secretId }, aws);
      target = `${o.domain} (discovered from AWS)`;
    }

    const tty = Boolean(process.stderr.isTTY) && !o.json;
    const progress = tty
      ? (done: number, total: number, label: string) => process.stderr.write(`\r\u001b[2K  checking ${done}/${total}: ${label}`)
      : undefined;
    const result = await runVerify(manifest, { layers, notChecked, recipients: o.recipient, smtpEndpoints, sendTest: Boolean(o.sendTest), secretKey, relayQuietDays }, { aws, dns, smtp, ...(gmail ? { gmail } : {}) }, progress);
    if (tty) process.stderr.write("\r\u001b[2K");
    const output = o.json
      ? formatJson(result.findings, { target, layers, notChecked: result.notChecked })
      : formatText(result.findings, { target, layers, notChecked: result.notChecked, verbose: Boolean(o.verbose), color: colorEnabled() });
    process.stdout.write(scrub(output, result.secrets));
    return exitCodeFor(result.findings);
  } finally {
    aws.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof ManifestError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`verify crashed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(EXIT_USAGE);
  },
);
