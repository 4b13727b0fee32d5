/**
 * npm run adopt -- --domain D --region R [--region R2 ...] [--stack NAME] [--zone Z] [--out DIR]
 *
 * Reads a live SES setup (identities, Route 53 record sets, IAM users that can send) and writes
 * what adopting it into a stack takes: Pulumi.<NAME>.yaml, import.json and adoption.md. Never
 * writes to AWS, and never over the project's own Pulumi.<NAME>.yaml: when one exists, its
 * merge with the adopted config is written beside the others (Pulumi.<NAME>.merged.yaml). Re-running is safe: it overwrites only files it wrote itself and that were not
 * changed since (a hash of each is kept in DIR/.adopt-files.json); anything else is refused.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { Command } from "commander";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { validateDomainName, normalizeDomain } from "../lib/domain";
import { firstSentence, shown } from "../lib/text";
import { EXIT_OK, runMain, standardOptions, UsageError } from "./lib/cli";
import { parseRegionFlag, parseTimeoutSeconds } from "./lib/flags";
import { wrapText } from "./lib/wrap";

const program = standardOptions(new Command())
  .name("npm run adopt --")
  .description("Read an existing SES setup (read-only) and write the stack config, the pulumi import file and the adoption report that adopt it.")
  .option("--domain <domain>", "the domain whose SES setup to adopt (one per run)", (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option("--region <region>", "an SES region to read (repeat for several; the first with an identity is the primary)", (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option("-s, --stack <name>", "the stack to adopt into: names Pulumi.<name>.yaml", "prod")
  .option("--zone <zone>", "the Route 53 hosted zone (id Z... or name); default: the public zone of the domain or a parent")
  .option("--out <dir>", "where to write the three files (default: adopt-<stack>)")
  .option("--timeout <seconds>", "timeout of each AWS call", "10")
  .addHelpText(
    "after",
    `
Examples:
  npm run adopt -- --domain queenofsandiego.com --region us-east-1 --region us-west-2 --stack prod
  npm run adopt -- --domain example.com --region eu-west-1 --zone Z0123456789ABCDEFGHIJ --out adopt

Exit codes: 0 files written, 1 AWS could not be read (the message names the permission), 2 usage error (bad flag, no identity to adopt, a file in --out that adopt did not write).`,
  );

interface Options {
  domain: string[];
  region: string[];
  stack: string;
  zone?: string;
  out?: string;
  timeout: string;
}

const OWNERSHIP = ".adopt-files.json";
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Write `files` into `dir`, refusing to overwrite any file adopt did not write or that changed since. */
function writeOwned(dir: string, files: Record<string, string>): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out: ${dir} exists and is not a directory. Pass another --out.`);
  mkdirSync(dir, { recursive: true });
  const ownershipFile = path.join(dir, OWNERSHIP);
  let owned: Record<string, string> = {};
  if (existsSync(ownershipFile)) {
    try {
      owned = (JSON.parse(readFileSync(ownershipFile, "utf8")) as { files?: Record<string, string> }).files ?? {};
    } catch {
      throw new UsageError(`${ownershipFile} is not adopt's record of its files. Remove it, or pass another --out.`);
    }
  }
  const refused = Object.keys(files).filter((name) => {
    const target = path.join(dir, name);
    if (!existsSync(target)) return false;
    return owned[name] === undefined || owned[name] !== sha256(readFileSync(target, "utf8"));
  });
  if (refused.length > 0) {
    throw new UsageError(
      `${refused.map((f) => path.join(dir, f)).join(", ")} already exist${refused.length === 1 ? "s" : ""} and ${refused.length === 1 ? "was" : "were"} not written by adopt (or changed since): nothing was written. Pass another --out, or move ${refused.length === 1 ? "it" : "them"} away.`,
    );
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  writeFileSync(ownershipFile, `${JSON.stringify({ writtenBy: "npm run adopt", files: Object.fromEntries(Object.entries({ ...owned, ...files }).map(([n, t]) => [n, files[n] !== undefined ? sha256(t) : t])) }, null, 2)}\n`);
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<Options>();
  if (o.domain.length === 0) throw new UsageError("give the domain to adopt: --domain example.com.");
  if (o.domain.length > 1) {
    throw new UsageError(
      `adopt reads one domain per run (given: ${o.domain.map((d) => shown(d)).join(", ")}): the apex TXT values it keeps (mail-infra:apexTxtValues) and the import file belong to one domain's stack. Run it once per domain, each with its own --stack (and --out).`,
    );
  }
  const domain = o.domain[0];
  const problem = validateDomainName(normalizeDomain(domain));
  if (problem) throw new UsageError(`--domain: ${shown(domain)} is not a domain name: ${problem}`);
  if (o.region.length === 0) throw new UsageError("give at least one --region (repeat it for several: --region us-east-1 --region us-west-2).");
  const regions = [...new Set(o.region.map((r) => parseRegionFlag(r, "--region")))];
  if (!/^[\w.-]{1,100}$/.test(o.stack)) throw new UsageError(`--stack: ${shown(o.stack)} is not a stack name (letters, digits, _ . -).`);
  const timeoutMs = parseTimeoutSeconds(o.timeout, "--timeout");
  const out = o.out ?? `adopt-${o.stack}`;

  // Loaded only now: --help needs none of the AWS SDK.
  const [{ AwsCollector }, { discoverLive }, adopt, YAML] = await Promise.all([import("./verify/aws"), import("./adopt/discover"), import("../lib/adopt"), import("yaml")]);
  const aws = new AwsCollector({ timeoutMs });
  try {
    const live = await discoverLive({ domain, regions, stack: o.stack, ...(o.zone ? { zone: o.zone } : {}) }, aws);
    const plan = adopt.planAdoption(live, o.stack);
    // What `pulumi preview` will count: the program, run under mocks (as plan does) with the
    // written config, declares its resources; those import.json does not adopt are creates.
    const { runProgramUnderMocks } = await import("./lib/mock-program");
    const program = (await import("../index")).default;
    const values = Object.fromEntries(Object.entries(plan.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    const run = await runProgramUnderMocks({ stack: o.stack, config: values, program, preview: true });
    plan.creates = adopt.previewCreates(plan, run.resources);
    // An existing Pulumi.<stack>.yaml in the project root is never overwritten (for prod it holds
    // the senders and alert emails adopt cannot read from AWS): the merge is written beside
    // adopt's files, comments kept, and adoption.md lists the differences key by key.
    const stackFile = `Pulumi.${o.stack}.yaml`;
    const mergedFile = `Pulumi.${o.stack}.merged.yaml`;
    let existing: import("../lib/adopt").StackFileMerge | undefined;
    let mergedText: string | undefined;
    if (existsSync(stackFile)) {
      const text = readFileSync(stackFile, "utf8");
      const document = YAML.parseDocument(text);
      if (document.errors.length > 0) throw new UsageError(`${stackFile} in ${process.cwd()} is not valid YAML (${document.errors[0].message}): fix it, or move it away, and run adopt again.`);
      existing = adopt.mergeStackFile(plan, document.toJS(), stackFile, mergedFile);
      for (const row of existing.rows) {
        if (row.action === "replace" || row.action === "add") document.setIn(["config", row.key], row.adopted);
        else if (row.action === "drop") document.deleteIn(["config", row.key]);
      }
      mergedText = `# ${adopt.WRITTEN_BY}: ${stackFile} with the adopted config merged in (see adoption.md). Review it, then copy it over ${stackFile}.\n${document.toString()}`;
    }
    const files: Record<string, string> = {
      [stackFile]: adopt.renderStackYaml(plan, (v) => YAML.stringify(v)),
      ...(mergedText ? { [mergedFile]: mergedText } : {}),
      "import.json": adopt.renderImportJson(plan),
      "adoption.md": adopt.renderAdoptionMd(plan, path.relative(process.cwd(), path.resolve(out)) || ".", existing),
    };
    writeOwned(out, files);
    const imported = plan.imports.resources.filter((r) => !r.component).length;
    const d = plan.validated.domains[0];
    const lines = [
      `Read ${plan.domain}: SES identity in ${d.regions.map((r) => r.region).join(", ")}${live.dns.mode === "route53" ? `; Route 53 zone ${live.dns.zoneId} (${live.dns.recordSets.length} record sets under ${plan.domain})` : "; DNS outside Route 53 (dnsMode external)"}; ${live.sendUsers.length} IAM user${live.sendUsers.length === 1 ? "" : "s"} that can send.`,
      `Wrote ${path.join(out, `Pulumi.${o.stack}.yaml`)} (validated), ${path.join(out, "import.json")} (${imported} resources to import), ${path.join(out, "adoption.md")}.`,
      `After the import, pulumi preview counts ${plan.creates.length} to create (${plan.creates.filter((r) => !r.custom).length} of them components), nothing to delete; ${plan.changes.filter((c) => c.action === "update").length} live settings change in place (listed in adoption.md).`,
      ...(existing
        ? [
            `${stackFile} already exists here: it was NOT overwritten. Its merge with the adopted config is ${path.join(out, mergedFile)}:`,
            ...existing.rows.filter((r) => r.action !== "same").map((r) => `  ${r.action === "keep" ? "kept   " : r.action === "add" ? "added  " : r.action === "drop" ? "dropped" : "changed"} ${r.key}`),
          ]
        : []),
      ...(plan.keptApexTxt.length > 0 ? [`Kept ${plan.keptApexTxt.length} other apex TXT value${plan.keptApexTxt.length === 1 ? "" : "s"} (mail-infra:apexTxtValues).`] : []),
      ...(live.dns.mode === "external" ? [`DNS: ${live.dns.why}: the config says dnsMode external; publish the records yourself.`] : []),
      ...(plan.risks.length > 0 ? [`${plan.risks.length} risk${plan.risks.length === 1 ? "" : "s"} to read first:`, ...plan.risks.map((r) => `  - ${firstSentence(r)}`)] : ["No risk found."]),
      `Next: read ${path.join(out, "adoption.md")} and follow its steps. Nothing was written to AWS.`,
    ];
    process.stdout.write(wrapText(lines.join("\n")) + "\n");
    return EXIT_OK;
  } catch (e) {
    if (e instanceof adopt.AdoptionError) {
      if (e.input) throw new UsageError(e.message);
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    aws.destroy();
  }
}

void runMain(main, { command: "adopt" });
