/**
 * npm run watch -- --event FILE --dry-run [--json] [--manifest FILE | --stack S]
 *
 * Runs the watch function's handler (scripts/watch/core.ts, the same code the Lambda bundle
 * runs) on one event as AWS delivers it, and prints the metric data and alerts it would publish.
 * An SES event needs nothing else (no AWS credentials); a scheduled or change event runs verify's
 * ses, dns and relay layers against the stack's manifest with your AWS credentials.
 */
import { Command } from "commander";
import type { Manifest } from "../lib/manifest";
import type { MetricDatum } from "../lib/watch";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, colorEnabled, paint, readInputFile, readStdin, runMain, standardOptions, UsageError } from "./lib/cli";
import { parseDnsServer, parseTimeoutSeconds } from "./lib/flags";
import { manifestFromStack, readManifestFile } from "./lib/manifest-source";
import type { WatchResult } from "./watch/core";
import { JSON_FORMAT_VERSION } from "./lib/json-version";
import { wrapText } from "./lib/wrap";

const collect = (v: string, acc: string[]) => [...acc, v];

const program = standardOptions(new Command())
  .name("npm run watch --")
  .description(
    "Run the watch function's handler on one event (an EventBridge Scheduler run, a CloudTrail change event, an SNS delivery of SES feedback, or a bare SES notification or event record) and print the metrics and alerts it would publish.",
  )
  .requiredOption("--event <file>", "the event as JSON (- reads standard input)")
  .option("--dry-run", "print what would be published (required: only the deployed function publishes, through its log)")
  .option("--json", "print {event, metrics, alerts, verdicts, findings, emf} as JSON")
  .option("-m, --manifest <file>", "the stack's verification manifest (for scheduled and change events)")
  .option("-s, --stack <name>", "read the manifest with `pulumi stack output verification` (for scheduled and change events)")
  .option("--dns-server <host[:port]>", "resolver for the dns layer (repeatable; default: the system's)", collect, [] as string[])
  .option("--timeout <seconds>", "wait at most this long for any one answer", "5")
  .addHelpText(
    "after",
    `
Examples:
  npm run watch -- --event tests/fixtures/watch/sns-lambda-ses-bounce-dmarc.json --dry-run
  npm run watch -- --event scheduled.json --dry-run --stack prod --json
  aws logs ... | jq '.events[0].message' | npm run watch -- --event - --dry-run

Exit codes: 0 nothing fails, 1 a check fails (an alert would be raised), 2 usage error or an event
the watch does not handle.`,
  );

interface Options {
  event: string;
  dryRun?: boolean;
  json?: boolean;
  manifest?: string;
  stack?: string;
  dnsServer: string[];
  timeout: string;
}

function dims(d: MetricDatum): string {
  return Object.entries(d.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function format(r: WatchResult, color: ReturnType<typeof paint>): string {
  const lines = [`event: ${r.event}`];
  if (r.duplicates) lines.push(`duplicates skipped: ${r.duplicates}`);
  for (const v of r.verdicts) lines.push(`${color.bold(v.recipient)} (${v.region}): ${color.red(v.layer)} (${v.confidence} confidence)`, `  cause: ${v.cause}`, `  next: ${v.next}`);
  lines.push("metrics (MailInfra/Watch):");
  for (const d of r.metrics) lines.push(`  ${d.name} {${dims(d)}} = ${d.value}`);
  if (r.alerts.length) lines.push("alerts:");
  for (const a of r.alerts) {
    lines.push(`  ${color.red("FAIL")} ${a.check} — ${a.subject}: ${a.summary}`);
    if (a.remediation) lines.push(`    fix: ${a.remediation}`);
    if (a.alarm) lines.push(`    alarm: ${a.alarm}`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  if (!o.dryRun) throw new UsageError("--dry-run is required: only the deployed function publishes (through its log). Add --dry-run to see what it would publish.");
  if (o.manifest && o.stack) throw new UsageError("give --manifest or --stack, not both.");
  const timeoutMs = parseTimeoutSeconds(o.timeout, "--timeout");
  const dnsServers = o.dnsServer.map((s) => parseDnsServer(s, "--dns-server"));
  const text = o.event === "-" ? await readStdin(1024 * 1024) : readInputFile(o.event, "event");
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--event: ${o.event === "-" ? "standard input" : o.event} is not JSON (${(e as Error).message}). Give the event as AWS delivers it to the function.`);
  }
  const { classifyWatchEvent } = await import("../lib/watch");
  const kind = classifyWatchEvent(event).kind;
  let manifest: Manifest | undefined;
  if (o.manifest) manifest = readManifestFile(o.manifest);
  else if (o.stack) manifest = manifestFromStack(o.stack, Math.max(timeoutMs, 30_000));
  if ((kind === "scheduled" || kind === "change") && !manifest) {
    throw new UsageError("a scheduled or change event runs verify's ses, dns and relay checks on the stack's manifest: give --stack S or --manifest FILE.");
  }
  const [{ handleWatchEvent }, { AwsCollector }, { DnsCollector }, { SmtpCollector }, { runDeadline }] = await Promise.all([
    import("./watch/core"),
    import("./verify/aws"),
    import("./verify/layers/dns/collect"),
    import("./verify/layers/smtp/collect"),
    import("./verify/limit"),
  ]);
  const deadline = runDeadline(timeoutMs);
  const made: { aws?: InstanceType<typeof AwsCollector> } = {};
  let r: WatchResult;
  try {
    r = await handleWatchEvent(event, {
      ...(manifest ? { manifest } : {}),
      collectors: () => {
        const aws = (made.aws = new AwsCollector({ timeoutMs, deadline }));
        return { aws, dns: new DnsCollector({ servers: dnsServers, timeoutMs, deadline }), smtp: new SmtpCollector({ timeoutMs, deadline }) };
      },
    });
  } finally {
    made.aws?.destroy();
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ version: JSON_FORMAT_VERSION, event: r.event, kind: r.kind, metrics: r.metrics, alerts: r.alerts, verdicts: r.verdicts, findings: r.findings, duplicates: r.duplicates, emf: r.emf, problems: r.problems }, null, 2)}\n`);
  } else process.stdout.write(`${wrapText(format(r, paint(colorEnabled())))}\n`);
  for (const p of r.problems) process.stderr.write(`error: ${p}.\n`);
  if (r.kind === "unknown") return EXIT_USAGE;
  return r.alerts.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

void runMain(main, { command: "watch" });
