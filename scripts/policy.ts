/**
 * npm run policy -- [--stack prod] [--preview] [--json] [--policy-pack-config file] [--list]
 *
 * Runs the real program under Pulumi's mocks (no CLI, no credentials) and evaluates the real
 * policy pack in policies/ over every resource it declares, the way `pulumi preview
 * --policy-pack policies` does. Exit 0 when no mandatory policy is violated, 1 when one is,
 * 2 for a usage or config error.
 *
 * --preview runs the program as a first `pulumi preview` sees it: the values AWS assigns (DKIM
 * tokens, ARNs, ids, fqdns) are unknown, and the report says which policies could not check
 * what ("not checked at preview: …").
 */
import type { Policies } from "@pulumi/policy";
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { textWidth, wrapText } from "./lib/wrap";
import { colorEnabled, EXIT_FINDINGS, EXIT_OK, paint, runMain, standardOptions } from "./lib/cli";
import { runStackOffline } from "./lib/offline-run";
import { groupTargets, groupViolations, violationTarget } from "./lib/policy-groups";
import type { NotChecked, PackInfo, Violation } from "./lib/policy-runner";
import { readStackConfig, type StackConfigFile } from "./lib/stack-config";
import { JSON_FORMAT_VERSION } from "./lib/json-version";

const POLICIES_DIR = join(__dirname, "..", "policies");

export function packInfo({ PACK_NAME, PACK_ENFORCEMENT_LEVEL }: Pick<typeof import("../policies/pack"), "PACK_NAME" | "PACK_ENFORCEMENT_LEVEL">): PackInfo {
  const pkg = JSON.parse(readFileSync(join(POLICIES_DIR, "package.json"), "utf8")) as { version: string };
  return { name: PACK_NAME, version: pkg.version, enforcementLevel: PACK_ENFORCEMENT_LEVEL };
}

const program = standardOptions(new Command())
  .name("npm run policy --")
  .description(
    "Check a stack against the mail-infra policy pack, offline: the real program runs under Pulumi's mocks and the real " +
      "policies in policies/ judge every resource it declares, as `pulumi preview --policy-pack policies` would.\n" +
      "Values only AWS can assign (DKIM tokens, ARNs) are placeholders; the verify command checks the live ones.",
  )
  .option("-s, --stack <name>", "stack whose Pulumi.<name>.yaml to read (from the current directory)", "prod")
  .option("--preview", "run as a first `pulumi preview` sees the program: values AWS assigns (DKIM tokens, ARNs) unknown; report what could not be checked")
  .option("--json", "print the violations as JSON")
  .option("--policy-pack-config <file>", "JSON file in the format of `pulumi preview --policy-pack-config`: levels and policy settings")
  .option("--list", "list the policies (name, enforcement level, kind) and exit")
  .addHelpText(
    "after",
    "\nExamples:\n" +
      "  npm run policy\n" +
      "  npm run policy -- --stack prod --json\n" +
      "  npm run policy -- --preview\n" +
      "  npm run policy -- --policy-pack-config policy-config.json\n" +
      "      with policy-config.json:\n" +
      '      {"aws-route53-record-configure-dmarc-policy": {"enforcementLevel": "mandatory", "minimumPolicy": "reject"}}\n' +
      "  npm run policy -- --list\n\n" +
      "Exit codes: 0 no mandatory violation (advisory ones may be printed), 1 a mandatory policy is violated, " +
      "2 usage error, invalid stack config or invalid policy pack config, 3 unexpected error (--debug shows its stack trace).\n" +
      "Exit 1 means a mandatory violation and nothing else.",
  );

interface Options {
  stack: string;
  json?: boolean;
  preview?: boolean;
  policyPackConfig?: string;
  list?: boolean;
}

const kindOf = (p: Policies[number]): "resource" | "stack" => ("validateStack" in p ? "stack" : "resource");

let file: StackConfigFile | undefined;

async function main(): Promise<number> {
  program.parse(process.argv);
  const opts = program.opts<Options>();
  // The pack and its runner load @pulumi/policy and @pulumi/aws: only now, never for --help or a usage error.
  const [packModule, { evaluatePolicies, hasMandatory, readPackConfigFile, resolvePolicySettings }] = await Promise.all([
    import("../policies/pack"),
    import("./lib/policy-runner"),
  ]);
  const { policies } = packModule;
  const pack = packInfo(packModule);
  const settings = resolvePolicySettings(
    policies,
    pack,
    opts.policyPackConfig ? readPackConfigFile(opts.policyPackConfig) : {},
    opts.policyPackConfig ?? "the policy pack config",
  );

  if (opts.list) {
    const rows = policies.map((p) => ({ name: p.name, enforcementLevel: settings.get(p.name)?.enforcementLevel ?? p.enforcementLevel, kind: kindOf(p) }));
    if (opts.json) process.stdout.write(JSON.stringify({ version: JSON_FORMAT_VERSION, policies: rows }, null, 2) + "\n");
    else for (const r of rows) process.stdout.write(`${r.enforcementLevel?.padEnd(10)} ${r.kind.padEnd(8)} ${r.name}\n`);
    return EXIT_OK;
  }

  file = readStackConfig(opts.stack);
  const preview = opts.preview === true;
  const { run } = await runStackOffline(file, { preview });
  const result = await evaluatePolicies({ resources: run.resources, policies, pack, settings, stack: { name: run.stack, outputs: run.outputs } });
  const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = result.violations.length - mandatory;
  const exitCode = hasMandatory(result.violations) ? EXIT_FINDINGS : EXIT_OK;

  if (opts.json) {
    const out = {
      version: JSON_FORMAT_VERSION,
      stack: opts.stack,
      offline: true,
      preview,
      policyPack: { name: pack.name, version: pack.version, path: relative(process.cwd(), POLICIES_DIR) || "." },
      summary: { policies: result.policiesRun, resources: run.resources.filter((r) => r.custom).length, mandatory, advisory, notChecked: result.notChecked.length },
      violations: result.violations,
      // The alike violations the text report prints once: each with every resource it is about.
      groups: groupViolations(result.violations).flatMap((i) =>
        "group" in i ? [{ policyName: i.group.policyName, enforcementLevel: i.group.enforcementLevel, message: i.group.message, resources: i.group.violations.map((v) => ({ urn: v.urn, name: violationTarget(v), message: v.message })) }] : [],
      ),
      notChecked: result.notChecked,
      policiesNotChecked: [...new Set(result.notChecked.map((n) => n.policyName))],
    };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    return exitCode;
  }

  // Pulumi's own layout, each line wrapped: a violation's continuation under its name, a message's indented under it.
  process.stdout.write(
    wrapText(formatReport({
      stack: opts.stack,
      pack,
      policies,
      violations: result.violations,
      notChecked: result.notChecked,
      preview,
      policiesRun: result.policiesRun,
      resources: run.resources.filter((r) => r.custom).length,
    }), textWidth(), (indent) => (indent === 8 ? 14 : indent + 2)),
  );
  return exitCode;
}

/** The report, laid out like the "Policies:" section of `pulumi preview`. */
export function formatReport(o: {
  stack: string;
  pack: PackInfo;
  policies: Policies;
  violations: readonly Violation[];
  /** Policies that could not check a value unknown at preview (none without --preview, under mocks). */
  notChecked?: readonly NotChecked[];
  preview?: boolean;
  policiesRun: number;
  resources: number;
}): string {
  const c = paint(colorEnabled());
  const mandatory = o.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = o.violations.length - mandatory;
  const out: string[] = [];
  out.push(
    c.bold(`Policy check of stack ${o.stack}`) +
      c.dim(
        o.preview
          ? ` (offline preview: the program ran under Pulumi mocks as a first \`pulumi preview\` sees it, values AWS assigns unknown; ${o.policiesRun} policies over ${o.resources} resources)`
          : ` (offline: the program ran under Pulumi mocks; ${o.policiesRun} policies over ${o.resources} resources)`,
      ),
  );
  out.push("");
  out.push(c.bold("Policies:"));
  const icon = mandatory > 0 ? "❌" : advisory > 0 ? "⚠️ " : "✅";
  out.push(`    ${icon} ${o.pack.name}@v${o.pack.version} (local: policies)`);
  const order = new Map(o.policies.map((p, i) => [p.name, i]));
  const sorted = [...o.violations].sort((a, b) => (order.get(a.policyName) ?? 0) - (order.get(b.policyName) ?? 0));
  // Alike violations of one policy (the same advisory per domain, record or region) print once,
  // with the resources they are about (scripts/lib/policy-groups.ts).
  for (const item of groupViolations(sorted)) {
    const v = "group" in item ? item.group : item.violation;
    const level = v.enforcementLevel === "mandatory" ? c.red("[mandatory]") : c.yellow("[advisory]");
    if ("group" in item) {
      out.push(`        - ${level}  ${c.bold(v.policyName)}  ${groupTargets(item.group)}`);
    } else {
      const target = item.violation.resourceType ? `  (${item.violation.resourceType}: ${item.violation.resourceName})` : "  (the stack)";
      out.push(`        - ${level}  ${c.bold(v.policyName)}${target}`);
      if (item.violation.urn) out.push(`          ${c.dim(item.violation.urn)}`);
    }
    out.push(`          ${v.description}`);
    out.push(`          ${v.message}`);
    if (v.remediation) out.push(`          ${c.cyan("Remediation:")} ${v.remediation}`);
  }
  const notChecked = o.notChecked ?? [];
  if (notChecked.length > 0) {
    out.push("");
    out.push(c.bold("Not checked at preview:") + c.dim(" (`pulumi preview` reports each as an advisory \"can't run policy … during preview\")"));
    const sortedNotes = [...notChecked].sort((a, b) => (order.get(a.policyName) ?? 0) - (order.get(b.policyName) ?? 0));
    for (const n of sortedNotes) {
      const target = n.resourceType ? `  (${n.resourceType}: ${n.resourceName})` : "  (the stack)";
      out.push(`        - ${c.bold(n.policyName)}${target}`);
      out.push(`          ${n.message}`);
    }
  }
  if (o.preview) {
    const partial = new Set(notChecked.map((n) => n.policyName));
    out.push("");
    out.push(
      `At preview, ${o.policiesRun - partial.size} of ${o.policiesRun} policies checked everything they apply to; ` +
        (partial.size === 0 ? "none was left with an unknown value." : `${partial.size} could not check some values (listed above): \`pulumi up\` runs them again with real values, and \`npm run verify\` checks the live records.`),
    );
  }
  out.push("");
  const count = (n: number, what: string) => `${n} ${what} violation${n === 1 ? "" : "s"}`;
  out.push(
    mandatory > 0
      ? c.red(`${count(mandatory, "mandatory")}, ${count(advisory, "advisory")}: \`pulumi up\` would be blocked.`)
      : `${count(mandatory, "mandatory")}, ${count(advisory, "advisory")}.`,
  );
  return out.join("\n") + "\n";
}

if (require.main === module) {
  void runMain(main, { command: "policy", configFile: () => file });
}
