/**
 * npm run plan -- [--stack prod] [--json] [--zone-file] [--against base.json [--allow-break]]
 *
 * Runs the real program under Pulumi's mocks (no credentials, no network) and prints what
 * `pulumi up` would create, grouped by domain, component and region, with the DNS records.
 */
import { Command } from "commander";
import type { StackManifest } from "../lib/manifest";
import { formatRate } from "../lib/monitoring";
import { DNS_RECORDS_TYPE } from "../lib/names";
import { BOUNCE_ALARM_LAYERS, watchBusName, watchChangeRegions, watchForwarding } from "../lib/watch";
import { type DnsRecord, toZoneFile } from "../lib/records";
import { formatReview, type Plan, planSchema, reviewChange } from "../lib/change-review";
import { pulumiTypeName, summarize } from "../lib/resource-kinds";
import { colorEnabled, EXIT_FINDINGS, EXIT_OK, paint, readInputFile, runMain, standardOptions } from "./lib/cli";
import { PLACEHOLDER, type RecordedResource, redactSecrets } from "./lib/mock-program";
import { runStackOffline } from "./lib/offline-run";
import { readStackConfig, type StackConfigFile, UsageError } from "./lib/stack-config";
import { wrapText } from "./lib/wrap";
import { JSON_FORMAT_VERSION } from "./lib/json-version";

const program = standardOptions(new Command())
  .name("npm run plan --")
  .description(
    "Show what `pulumi up` would create for a stack, offline: the real program runs under Pulumi's mocks.\n" +
      `Values that only AWS can assign (DKIM tokens, ARNs, key ids) are shown as ${PLACEHOLDER} values.`,
  )
  .option("-s, --stack <name>", "stack whose Pulumi.<name>.yaml to read", "prod")
  .option("--json", "print a machine-readable plan")
  .option("--zone-file", "print only the DNS records as a BIND zone fragment")
  .option("--against <base.json>", "review the change from a base plan (`plan --json` of the base branch): per resource create/delete/replace/update, whether it would break mail, and whether `pulumi preview` will refuse it (a delete or replace of a protected resource)")
  .option("--allow-break", "with --against: exit 0 even when the change would break mail")
  .addHelpText(
    "after",
    "\nExamples:\n  npm run plan\n  npm run plan -- --stack prod --json\n  npm run plan -- --zone-file > records.zone\n\n" +
      "Exit codes: 0 plan printed (with --against: no change breaks mail and Pulumi refuses no step), 1 with --against: the change would break mail, or `pulumi preview` will refuse a delete or replace of a protected resource, 2 usage or config error, 3 unexpected error (--debug shows its stack trace).",
  );

interface Options {
  stack: string;
  json?: boolean;
  zoneFile?: boolean;
  against?: string;
  allowBreak?: boolean;
}

/** The plan's line about a resource: the resource-kind table's summary (lib/resource-kinds.ts). */
function summary(r: RecordedResource): string {
  return summarize(r.type, r.name, r.inputs);
}

/** A resource in `plan --json`: what it is, its inputs (secrets redacted) and the options that decide a delete or replace. */
function jsonResource(r: RecordedResource): Record<string, unknown> {
  const o = r.options;
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    inputs: redactSecrets(r.inputs),
    options: {
      protect: o.protect,
      retainOnDelete: o.retainOnDelete,
      deleteBeforeReplace: o.deleteBeforeReplace,
      dependsOn: o.dependsOn,
      aliases: o.aliases,
      ignoreChanges: o.ignoreChanges,
      importId: o.importId ?? null,
    },
  };
}

/** The text plan's marks for the options that change what a delete does. */
function optionMarks(r: RecordedResource): string {
  const marks = [r.options.protect ? "protected" : "", r.options.retainOnDelete ? "retained on delete" : "", r.options.aliases.length > 0 ? "aliased" : ""].filter(Boolean);
  return marks.length > 0 ? ` [${marks.join(", ")}]` : "";
}

/** What the marks mean, and how to lift them on purpose. */
function protectionNote(resources: readonly RecordedResource[]): string {
  const n = resources.filter((r) => r.options.protect).length;
  if (n === 0) return "Protection off (mail-infra:protect false): pulumi destroy deletes every resource.";
  return (
    `${n} protected: pulumi refuses to delete or replace them. Retained on delete: a delete only removes them from the state. ` +
    "To tear the stack down on purpose: pulumi config set mail-infra:protect false && pulumi up && pulumi destroy."
  );
}

/** The base plan for --against: `plan --json` output of the base branch. */
function readBasePlan(path: string): Plan {
  // Refuses directories, devices and files over 5 MiB before reading them.
  const text = readInputFile(path, "--against");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--against ${path}: not JSON. It must be the output of \`npm run plan -- --json\` on the base branch.`);
  }
  const parsed = planSchema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(`--against ${path}: not a plan with resource options (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}). Regenerate it with \`npm run plan -- --json\` from a version that prints options.`);
  }
  return parsed.data;
}


let file: StackConfigFile | undefined;

async function main(): Promise<number> {
  program.parse(process.argv);
  const opts = program.opts<Options>();
  file = readStackConfig(opts.stack);
  // The base plan is input: checked before the program runs.
  const base = opts.against === undefined ? undefined : readBasePlan(opts.against);
  const { config, run } = await runStackOffline(file);
  const manifest = run.outputs.verification as StackManifest;

  if (opts.zoneFile) {
    for (const d of manifest.domains) {
      process.stdout.write(toZoneFile(d.records, `mail-infra records for ${d.domain} (stack ${opts.stack}); ${PLACEHOLDER} tokens are assigned by SES at pulumi up`));
    }
    return EXIT_OK;
  }

  const created = run.resources.filter((r) => r.custom);
  if (opts.json || base) {
    const out = {
      version: JSON_FORMAT_VERSION,
      stack: opts.stack,
      offline: true,
      placeholderMarker: PLACEHOLDER,
      resources: created.map(jsonResource),
      domains: manifest.domains.map((d) => ({ domain: d.domain, dns: d.dns, records: d.records })),
      outputs: Object.fromEntries(Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k))),
    };
    if (base) {
      const review = reviewChange(base, planSchema.parse(out));
      process.stdout.write(opts.json ? JSON.stringify({ version: JSON_FORMAT_VERSION, ...review }, null, 2) + "\n" : wrapText(formatReview(review, opts.against!, opts.allowBreak === true)));
      return (review.breaksMail && !opts.allowBreak) || review.refused ? EXIT_FINDINGS : EXIT_OK;
    }
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    return EXIT_OK;
  }

  const c = paint(colorEnabled());
  const byParent = new Map<string | undefined, RecordedResource[]>();
  for (const r of run.resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const out: string[] = [];
  out.push(c.bold(`Plan for stack ${opts.stack}`) + c.dim(` (offline, under Pulumi mocks; values containing "${PLACEHOLDER}" are assigned by AWS at pulumi up)`));
  // The type column is as wide as the longest type, so the summaries start as far left as they can.
  const typeWidth = Math.max(...created.map((r) => pulumiTypeName(r.type).length));
  const line = (depth: number, r: RecordedResource) =>
    out.push(`${"  ".repeat(depth)}${c.green("+")} ${pulumiTypeName(r.type).padEnd(typeWidth)} ${summary(r)}${c.yellow(optionMarks(r))}`);
  const walk = (parent: string, depth: number) => {
    for (const r of byParent.get(parent) ?? []) {
      if (r.custom) line(depth, r);
      else if (r.type === DNS_RECORDS_TYPE) {
        const n = (byParent.get(r.urn) ?? []).length;
        const records = byParent.get(r.urn) ?? [];
        const count = (f: (x: RecordedResource) => boolean, what: string) => {
          const k = records.filter(f).length;
          return k === 0 ? "" : k === records.length ? `all ${what}` : `${k} ${what}`;
        };
        const marks = [count((x) => x.options.protect, "protected"), count((x) => x.options.retainOnDelete, "retained on delete")].filter(Boolean);
        out.push(`${"  ".repeat(depth)}${c.cyan("DnsRecords")} ${r.name}: ${c.green("+")} ${n} ${pulumiTypeName("aws:route53/record:Record")} (listed below)${c.yellow(marks.length > 0 ? ` [${marks.join(", ")}]` : "")}`);
      } else if (r.type === "mail-infra:monitoring:Monitoring") {
        out.push(`${"  ".repeat(depth)}${c.cyan("Monitoring")} ${r.name}`);
        walkByRegion(r.urn, depth + 1);
      } else {
        out.push(`${"  ".repeat(depth)}${c.cyan(r.type.replace(/^mail-infra:\w+:/, ""))} ${r.name}`);
        walk(r.urn, depth + 1);
      }
    }
  };
  // Monitoring's resources by region, then in the order a reader follows them: topic, who gets
  // it, what may publish, the alarms, the rules, the feedback destinations, the trail.
  const MONITORING_ORDER = ["topic:Topic", "topicSubscription", "topicPolicy", "metricAlarm", "eventRule", "eventTarget", "configurationSetEventDestination", "trail:Trail", "s3/"];
  const rank = (r: RecordedResource) => {
    const i = MONITORING_ORDER.findIndex((k) => r.type.includes(k));
    return i < 0 ? MONITORING_ORDER.length : i;
  };
  const walkByRegion = (parent: string, depth: number) => {
    const children = byParent.get(parent) ?? [];
    const regions = [...new Set(children.map((r) => String(r.inputs.region ?? "")))];
    for (const region of regions) {
      out.push(`${"  ".repeat(depth)}${c.cyan(region || "global")}`);
      const inRegion = children.filter((r) => String(r.inputs.region ?? "") === region);
      for (const r of [...inRegion].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))) line(depth + 1, r);
    }
  };
  for (const top of byParent.get(undefined) ?? []) {
    out.push("");
    out.push(c.bold(`${top.type.replace(/^mail-infra:\w+:/, "")} ${top.name}`));
    if (top.type === "mail-infra:monitoring:Monitoring") walkByRegion(top.urn, 1);
    else walk(top.urn, 1);
  }

  for (const d of manifest.domains) {
    const dc = config.domains.find((x) => x.domain === d.domain);
    out.push("");
    if (d.dns.mode === "external") {
      out.push(c.bold(`DNS records to add by hand for ${d.domain}`) + " (external DNS mode; also in the stack output zoneFile):");
    } else {
      out.push(c.bold(`DNS records for ${d.domain}`) + ` in Route 53 zone ${"zoneName" in d.dns && d.dns.zoneName ? d.dns.zoneName : d.dns.zoneId}:`);
    }
    for (const r of d.records as DnsRecord[]) {
      const value = r.values.join(" | ");
      out.push(`  ${r.type.padEnd(5)} ${r.name.padEnd(56)} ${value}${r.region ? c.dim(`  (${r.region})`) : ""}`);
    }
    if (dc) out.push(c.dim(`  Regions: ${dc.regions.map((r) => `${r.region}${r.primary ? " (primary)" : ""} MAIL FROM ${r.mailFromDomain}`).join("; ")}`));
  }

  out.push("");
  const smtp = manifest.smtp;
  if (smtp && config.smtp) {
    out.push(c.bold("SMTP credentials") + `: user ${smtp.user}, secret ${smtp.secretName} in ${smtp.secretRegion}, key generation ${smtp.keyGeneration}`);
    const previous = smtp.previousKey;
    const stateNote = { active: "both keys work", inactive: "deactivated: active undoes it, retired deletes it", retired: "deleted" } as const;
    if (previous) out.push(`  previous key: generation ${previous.generation}, ${previous.state} (${stateNote[previous.state]})`);
    for (const r of smtp.regions) out.push(`  ${r.region}: ${r.endpoint}:${smtp.port}`);
    const from = config.smtp.allowedFromAddresses;
    out.push(`  may send as: ${from.length > 0 ? from.join(", ") : "any address of the stack's domains (mail-infra:smtpCredentials any-address)"}`);
    if (manifest.senders.length > 0) {
      out.push(c.bold("Senders relaying through SES") + " (need the new password after each rotation):");
      for (const s of manifest.senders) {
        out.push(`  ${s.address} (${s.kind}${s.account ? ` in ${s.account}` : ""}) via ${s.smtpEndpoint}:${smtp.port}`);
      }
    }
  } else {
    out.push(
      c.bold("SMTP credentials") +
        `: none (mail-infra:smtpCredentials ${config.smtpCredentials}${config.smtpCredentials === "senders" ? ", and no sender is listed" : ""}): no IAM user, access key or secret. List the relays in mail-infra:senders to get credentials that may send only as them.`,
    );
  }
  const m = manifest.monitoring;
  out.push("");
  if (m) {
    out.push(c.bold("Monitoring") + ` (docs/monitoring.md): alerts by email to ${m.alertEmails.join(", ")} (each address confirms one subscription mail per region)`);
    for (const r of m.regions) {
      const alarms = r.alarms.length > 0 ? `${r.alarms.length} reputation alarms (${r.alarms.map((a) => `${a.kind} ${a.level} ${formatRate(a.threshold)}`).join(", ")})` : "no alarms (not an SES region)";
      out.push(`  ${r.region}: ${alarms}; rules: ${r.rules.map((x) => x.purpose).join(", ")}`);
    }
    out.push(
      m.trail.created
        ? `  trail: ${m.trail.created} (created by this stack) logs management events in every region`
        : `  trail: none created (mail-infra:createTrail false); an existing trail must log management events in ${m.trail.regions.join(", ")}`,
    );
  } else {
    out.push(c.bold("Monitoring") + ": none (mail-infra:alertEmails is empty; see docs/monitoring.md)");
  }
  const w = manifest.watch;
  if (w && m && config.watch) {
    // What the watch checks and whom it tells (lib/watch.ts, docs/monitoring.md "Watch").
    const alarmed = config.watch.checks;
    out.push(c.bold("Watch") + ` (docs/monitoring.md): function ${w.functionName} in ${w.region} runs verify's ses, dns and relay checks ${w.schedule} and after IAM, SES and secret changes, and diagnoses every SES event of the stack's configuration sets`);
    // The same regions the component declares (components/Watch.ts: the first domain's SES regions).
    const sesRegions = manifest.domains[0]?.regions.map((r) => r.region) ?? [];
    const secretRegion = manifest.smtp?.secretRegion ?? sesRegions[0] ?? w.region;
    const forwarded = watchForwarding(w.region, sesRegions, secretRegion);
    const elsewhere = watchChangeRegions(w.region, sesRegions, secretRegion).filter((r) => r.region !== w.region && !forwarded.some((f) => f.region === r.region));
    if (forwarded.length > 0) out.push(`  changes elsewhere: ${forwarded.map((f) => `${f.region} (${f.purposes.join(", ")})`).join(", ")} forwarded to event bus ${watchBusName(manifest.stack)} in ${w.region}`);
    if (elsewhere.length > 0) {
      out.push(`  changes in ${elsewhere.map((f) => `${f.region} (${f.purposes.join(", ")})`).join(", ")} wait for the next scheduled run (EventBridge does not route events between regions of this partition)`);
    }
    out.push(`  alarms on checks (${alarmed.length}): ${alarmed.join(", ")}`);
    out.push(`  alarms on bounces: ${BOUNCE_ALARM_LAYERS.join(", ")} layer, ${config.watch.bounceThreshold} or more within an hour, per SES region; and on the function's errors and no run in 2 periods`);
    out.push(`  tells: ${m.alertEmails.join(", ")} through the alerts topic in ${w.region}`);
  } else out.push(c.bold("Watch") + ": none (mail-infra:watch is false; see docs/monitoring.md)");
  out.push("");
  out.push(`${created.length} resources to create (${run.resources.length - created.length} components). Stack outputs: ${Object.keys(run.outputs).join(", ")}.`);
  out.push(protectionNote(created));
  // Every line fits 100 columns: a long one goes on, indented, on the next.
  process.stdout.write(wrapText(out.join("\n")) + "\n");
  return EXIT_OK;
}

void runMain(main, { command: "plan", configFile: () => file });
