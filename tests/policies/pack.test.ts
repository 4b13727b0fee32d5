/**
 * The pack as a whole: the offline `npm run policy` over the prod stack and over an insecure
 * test stack (as separate processes, the way users run it), the pack loaded the way the Pulumi
 * CLI loads it, and the generated reference in docs/policies.md.
 */
import type { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, type AnalyzeResponse, type AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { PACK_NAME, policies } from "../../policies/pack";
import { mockSecretAccessKey } from "../../scripts/lib/mock-program";
import { withGeneratedSection } from "../../scripts/lib/policy-docs";
import type { NotChecked, Violation } from "../../scripts/lib/policy-runner";
import { type PolicyAnalyzer, startPolicyAnalyzer } from "../helpers/policy-analyzer";
import { ROOT, runCliAsync } from "../helpers/spawn";
import { UNKNOWN } from "./harness";

const FIXTURES = join(ROOT, "tests", "fixtures", "stacks");

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run policy -- <args>` as its own process, without blocking the other runs. */
function policyCli(args: string[], cwd = ROOT): Promise<Result> {
  return runCliAsync("policy.ts", args, { cwd });
}

interface JsonReport {
  stack: string;
  offline: boolean;
  policyPack: { name: string; version: string };
  preview: boolean;
  summary: { policies: number; resources: number; mandatory: number; advisory: number; notChecked: number };
  violations: Violation[];
  notChecked: NotChecked[];
  policiesNotChecked: string[];
}

const short = (v: Violation) => `${v.enforcementLevel} ${v.policyName} ${v.resourceName ?? "(stack)"}`;

function secretsOf(stack: string): string[] {
  const key = mockSecretAccessKey(stack, "smtp-key-gen1");
  return [key, deriveSmtpPasswordV4(key, "us-east-1"), deriveSmtpPasswordV4(key, "us-west-2")];
}

describe("npm run policy", () => {
  const runs: Record<string, Promise<Result>> = {};
  beforeAll(() => {
    // Started together: each runs the program under mocks in its own process.
    runs.prodText = policyCli([]);
    runs.prodJson = policyCli(["--stack", "prod", "--json"]);
    runs.insecureText = policyCli(["--stack", "insecure"], FIXTURES);
    runs.insecureJson = policyCli(["--stack", "insecure", "--json"], FIXTURES);
    runs.prodPreviewJson = policyCli(["--preview", "--json"]);
    runs.prodPreviewText = policyCli(["--preview"]);
    runs.insecurePreviewJson = policyCli(["--stack", "insecure", "--preview", "--json"], FIXTURES);
  });

  // What a first `pulumi preview` sees: DKIM tokens, ARNs and fqdns unknown. The records that
  // depend only on config (SPF, DMARC, MAIL FROM) are still checked; what depends on the tokens
  // is named as "not checked at preview", never passed silently. The SMTP grant of a stack with
  // senders names no AWS-assigned value (lib/iam.ts smtpGrant): checked at preview too.
  const DKIM_NOTES = ["aws-route53-record-configure-dkim-cname", "aws-route53-record-missing-identity-records"];
  // Without senders the grant lists the identities' ARNs, which AWS assigns.
  const NO_SENDER_NOTES = [...DKIM_NOTES, "aws-iam-userpolicy-disallow-non-send-actions"];
  // The alerts subscriptions name their topic by ARN, which AWS assigns.
  const PROD_NOTES = [...DKIM_NOTES, "aws-sns-topic-missing-subscription"];

  it("prod --preview: the same findings as a full run (DMARC p=none included), and what it could not check", async () => {
    const [full, r] = await Promise.all([runs.prodJson, runs.prodPreviewJson]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.preview).toBe(true);
    expect(report.summary).toEqual({ policies: 46, resources: 57, mandatory: 0, advisory: 7, notChecked: 3 });
    expect(report.violations).toEqual((JSON.parse(full.stdout) as JsonReport).violations);
    expect(report.violations.map(short)).toContain("advisory aws-route53-record-configure-dmarc-policy queenofsandiego.com-dns-dmarc");
    expect(report.policiesNotChecked).toEqual(PROD_NOTES);
    // The DKIM CNAMEs are named after tokens SES has not issued yet: the policy says so.
    expect(report.notChecked.find((n) => n.policyName === "aws-route53-record-configure-dkim-cname")).toEqual({
      policyName: "aws-route53-record-configure-dkim-cname",
      kind: "stack",
      message:
        "not checked at preview: 6 CNAME records whose name or target is unknown until SES issues the DKIM tokens (queenofsandiego.com-dns-dkim-us-east-1-1, queenofsandiego.com-dns-dkim-us-east-1-2, queenofsandiego.com-dns-dkim-us-east-1-3 and 3 more)",
    });
    expect(report.notChecked.find((n) => n.policyName === "aws-route53-record-missing-identity-records")?.message).toBe(
      "not checked at preview: the Easy DKIM CNAMEs of queenofsandiego.com in us-east-1 (its DKIM tokens are unknown until SES creates the identity); the Easy DKIM CNAMEs of queenofsandiego.com in us-west-2 (its DKIM tokens are unknown until SES creates the identity)",
    );
    for (const secret of secretsOf("prod")) expect(r.stdout).not.toContain(secret);
  });

  it("prod --preview text: a 'Not checked at preview' section and which policies could check", async () => {
    const r = await runs.prodPreviewText;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Policy check of stack prod \(offline preview: the program ran under Pulumi mocks as a first `pulumi preview` sees it, values AWS assigns unknown; 46 policies over 57 resources\)\n/);
    expect(r.stdout).toContain("        - [advisory]  aws-route53-record-configure-dmarc-policy  (aws:route53/record:Record: queenofsandiego.com-dns-dmarc)\n");
    expect(r.stdout).toContain("\nNot checked at preview: (`pulumi preview` reports each as an advisory \"can't run policy … during preview\")\n        - aws-route53-record-configure-dkim-cname  (the stack)\n          not checked at preview: 6 CNAME records");
    expect(r.stdout).toContain("\nAt preview, 43 of 46 policies checked everything they apply to; 3 could not check some values (listed above)");
    expect(r.stdout).toMatch(/\n0 mandatory violations, 7 advisory violations\.\n$/);
  });

  it("the insecure stack --preview: every violation of the full run, the SPF lookup limit included (exit 1)", async () => {
    const [full, r] = await Promise.all([runs.insecureJson, runs.insecurePreviewJson]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations).toEqual((JSON.parse(full.stdout) as JsonReport).violations);
    expect(report.violations.map(short)).toContain("mandatory aws-route53-record-disallow-too-many-spf-terms insecure.example.com-dns-spf");
    expect(report.violations.map(short)).toContain("mandatory aws-route53-record-configure-dmarc-spf-alignment insecure.example.com-dns-dmarc");
    expect(report.summary).toMatchObject({ mandatory: 5, advisory: 8, notChecked: 3 });
    expect(report.policiesNotChecked).toEqual(NO_SENDER_NOTES);
  });

  it("prod: no mandatory violation, and exactly the expected advisory findings (exit 0)", async () => {
    const r = await runs.prodJson;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report).toMatchObject({ stack: "prod", offline: true, policyPack: { name: "mail-infra", version: "0.1.0" } });
    expect(report.summary).toEqual({ policies: 46, resources: 57, mandatory: 0, advisory: 7, notChecked: 0 });
    expect(report.preview).toBe(false);
    expect(report.violations).toEqual([
      {
        policyName: "aws-route53-record-configure-dmarc-policy",
        kind: "resource",
        enforcementLevel: "advisory",
        urn: "urn:pulumi:prod::mail-infra::mail-infra:ses:MailDomain$mail-infra:dns:DnsRecords$aws:route53/record:Record::queenofsandiego.com-dns-dmarc",
        resourceType: "aws:route53/record:Record",
        resourceName: "queenofsandiego.com-dns-dmarc",
        description: expect.stringMatching(/^Checks that the DMARC policy/),
        message:
          "_dmarc.queenofsandiego.com: The DMARC policy is p=none, below the required minimum p=quarantine. Path none → quarantine → reject: next p=quarantine. Move one step at a time, after the aggregate (rua) reports show that all legitimate mail passes DMARC.",
        remediation: expect.stringContaining("none → quarantine → reject"),
      },
      {
        policyName: "aws-secretsmanager-secret-configure-customer-managed-key",
        kind: "resource",
        enforcementLevel: "advisory",
        urn: "urn:pulumi:prod::mail-infra::mail-infra:iam:SmtpCredentials$aws:secretsmanager/secret:Secret::smtp-secret",
        resourceType: "aws:secretsmanager/secret:Secret",
        resourceName: "smtp-secret",
        description: expect.stringMatching(/^Checks that a Secrets Manager secret is encrypted with a customer-managed KMS key/),
        message: "mail-infra/prod/ses-smtp is encrypted with the AWS-managed key aws/secretsmanager (no kmsKeyId), so every principal that may read secrets in the account can decrypt it.",
        remediation: expect.any(String),
      },
      {
        policyName: "aws-sesv2-emailidentity-missing-watch",
        kind: "stack",
        enforcementLevel: "advisory",
        urn: "urn:pulumi:prod::mail-infra::mail-infra:iam:SmtpCredentials$aws:iam/accessKey:AccessKey::smtp-key-gen1",
        resourceType: "aws:iam/accessKey:AccessKey",
        resourceName: "smtp-key-gen1",
        description: expect.stringMatching(/^Checks that a stack whose identities relays use with SMTP credentials has the watch/),
        message:
          "queenofsandiego.com in us-east-1, queenofsandiego.com in us-west-2 are used with SMTP credentials, but no scheduled function checks the mail path (no Lambda function): a broken MAIL FROM, DKIM or SPF record, or a stale relay key, is found only when someone runs verify.",
        remediation: expect.stringContaining("Set mail-infra:watch to true"),
      },
      // No mail-infra:snsKmsKeyId: each SNS topic (the alerts and the SES events topic of each region).
      ...["monitoring-us-east-1-alerts", "monitoring-us-west-2-alerts", "queenofsandiego.com-us-east-1-events", "queenofsandiego.com-us-west-2-events"].map((resourceName) =>
        expect.objectContaining({ policyName: "aws-sns-topic-configure-customer-managed-key", enforcementLevel: "advisory", resourceName, message: expect.stringContaining("has no customer-managed KMS key (no kmsMasterKeyId)") }),
      ),
    ]);
  });

  it("prints violations grouped like pulumi preview: policy, level, resource, URN, message, fix", async () => {
    const r = await runs.prodText;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Policy check of stack prod \(offline: the program ran under Pulumi mocks; 46 policies over 57 resources\)\n\nPolicies:\n {4}⚠️ {2}mail-infra@v0\.1\.0 \(local: policies\)\n/);
    expect(r.stdout).toContain(
      "        - [advisory]  aws-route53-record-configure-dmarc-policy  (aws:route53/record:Record: queenofsandiego.com-dns-dmarc)\n" +
        "          urn:pulumi:prod::mail-infra::mail-infra:ses:MailDomain$mail-infra:dns:DnsRecords$aws:route53/record:Record::queenofsandiego.com-dns-dmarc\n" +
        "          Checks that the DMARC policy",
    );
    expect(r.stdout).toContain("          Remediation: A policy of p=none only monitors");
    expect(r.stdout).toMatch(/\n0 mandatory violations, 7 advisory violations\.\n$/);
    expect(r.stdout).not.toContain("\u001b[");
    // docs/cli/policy.md shows this output at the default width: tests/docs/examples.test.ts compares it (policy-prod).
  });

  it("the insecure test stack: exactly the expected violations, and exit 1", async () => {
    const r = await runs.insecureJson;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations.map(short)).toEqual([
      "mandatory aws-sesv2-emailidentity-disallow-weak-dkim-key insecure.example.com-us-east-1-identity",
      "mandatory aws-sesv2-configurationset-configure-tls-policy insecure.example.com-us-east-1-configuration-set",
      "mandatory aws-route53-record-disallow-too-many-spf-terms insecure.example.com-dns-spf",
      "advisory aws-route53-record-disallow-spf-ptr insecure.example.com-dns-spf",
      "advisory aws-route53-record-disallow-spf-large-network insecure.example.com-dns-spf",
      "advisory aws-route53-record-configure-dmarc-policy insecure.example.com-dns-dmarc",
      "mandatory aws-route53-record-configure-dmarc-spf-alignment insecure.example.com-dns-dmarc",
      // No senders, and mail-infra:smtpCredentials any-address: credentials that may send as anyone.
      "advisory aws-iam-userpolicy-disallow-any-from-address smtp-send-only",
      "mandatory aws-secretsmanager-secret-configure-recovery-window smtp-secret",
      "advisory aws-secretsmanager-secret-configure-customer-managed-key smtp-secret",
      // The insecure stack sets no mail-infra:alertEmails.
      "advisory aws-sesv2-emailidentity-missing-reputation-alarms insecure.example.com-us-east-1-identity",
      // It relays with SMTP credentials and has no watch (issue 19).
      "advisory aws-sesv2-emailidentity-missing-watch smtp-key-gen1",
      "advisory aws-sns-topic-configure-customer-managed-key insecure.example.com-us-east-1-events",
    ]);
    expect(report.summary).toMatchObject({ mandatory: 5, advisory: 8 });
    // A resource policy: it runs before the record is created, so it blocks pulumi up.
    const lookups = report.violations.find((v) => v.policyName === "aws-route53-record-disallow-too-many-spf-terms");
    expect(lookups?.kind).toBe("resource");
    expect(lookups?.message).toContain("needs at least 11 DNS lookups");
    expect(lookups?.message).toContain("7 include targets are counted as 1 lookup each without being followed (_spf.google.com, servers.mcsv.net, sendgrid.net, mailgun.org, spf.protection.outlook.com, _spf.salesforce.com, mail.zendesk.com)");
  });

  it("the insecure stack's text report ends with the blocking summary", async () => {
    const r = await runs.insecureText;
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("    ❌ mail-infra@v0.1.0 (local: policies)");
    expect(r.stdout).toMatch(/\n5 mandatory violations, 8 advisory violations: `pulumi up` would be blocked\.\n$/);
  });

  it("never prints the SMTP secret or a derived password", async () => {
    for (const [name, stack] of [["prodText", "prod"], ["prodJson", "prod"], ["insecureText", "insecure"], ["insecureJson", "insecure"]] as const) {
      const r = await runs[name];
      for (const secret of secretsOf(stack)) expect(r.stdout + r.stderr, name).not.toContain(secret);
    }
  });

  it("honours --policy-pack-config, and refuses an invalid one with exit 2", async () => {
    const dir = join(ROOT, "tests", "fixtures", "policy-config");
    const [strict, bad, missing] = await Promise.all([
      policyCli(["--json", "--policy-pack-config", join(dir, "strict.json")]),
      policyCli(["--policy-pack-config", join(dir, "invalid.json")]),
      policyCli(["--policy-pack-config", join(dir, "does-not-exist.json")]),
    ]);
    expect(strict.status).toBe(1);
    const report = JSON.parse(strict.stdout) as JsonReport;
    expect(report.violations.map(short)).toEqual(["mandatory aws-route53-record-configure-dmarc-policy queenofsandiego.com-dns-dmarc", "advisory aws-sesv2-emailidentity-missing-watch smtp-key-gen1", ...["monitoring-us-east-1-alerts", "monitoring-us-west-2-alerts", "queenofsandiego.com-us-east-1-events", "queenofsandiego.com-us-west-2-events"].map((t) => `advisory aws-sns-topic-configure-customer-managed-key ${t}`)]);
    expect(report.violations[0]?.message).toContain("next p=quarantine, then p=reject");

    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(`error: Invalid policy pack config in ${join(dir, "invalid.json")}:`);
    expect(bad.stderr).toContain('"aws-route53-record-configure-dmarc-policy": minimumPolicy must be equal to one of the allowed values ("none", "quarantine", "reject")');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot read the policy pack config ".*": there is no such file\./);
  });

  it("--list and --help", async () => {
    const [list, help] = await Promise.all([policyCli(["--list", "--json"]), policyCli(["--help"])]);
    expect(list.status).toBe(0);
    const { version, policies: rows } = JSON.parse(list.stdout) as { version: number; policies: { name: string; enforcementLevel: string; kind: string }[] };
    expect(version).toBe(1);
    expect(rows.map((r) => r.name)).toEqual(policies.map((p) => p.name));
    expect(rows.find((r) => r.name === "aws-route53-record-missing-identity-records")).toEqual({ name: "aws-route53-record-missing-identity-records", enforcementLevel: "mandatory", kind: "stack" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--policy-pack-config <file>");
  });
});

describe("the pack loaded the way the Pulumi CLI loads it", () => {
  let analyzer: PolicyAnalyzer | undefined;
  let client: AnalyzerClient | undefined;

  beforeAll(async () => {
    // From this repository: policies/main.js loads the TypeScript sources (compiled by the
    // runner's ts-node), with the root's node_modules. tests/policies/pack-package.test.ts
    // serves the published pack the same way.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [join(ROOT, "policies")] });
    analyzer = await startPolicyAnalyzer(join(ROOT, "policies"), runner);
    client = analyzer.client;
  }, 60_000);

  afterAll(() => analyzer?.stop());

  it("serves the pack: name, version and every policy with its level", async () => {
    const info = await new Promise<AnalyzerInfo>((resolve, reject) =>
      client?.getAnalyzerInfo(new (require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => never }).Empty(), (err, res) => (err || !res ? reject(err) : resolve(res))),
    );
    expect(info.getName()).toBe(PACK_NAME);
    expect(info.getVersion()).toBe("0.1.0");
    const served = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel() === 1 ? "mandatory" : "advisory", p.getRemediationSteps() !== ""]);
    expect(served).toEqual(policies.map((p) => [p.name, p.enforcementLevel, true]));
    expect(analyzer?.stderr()).toBe("");
  });

  it("reports a weak DKIM key through the real analyzer server", async () => {
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: Record<string, unknown>): never } };
    const req = new AnalyzeRequest();
    req.setType("aws:sesv2/emailIdentity:EmailIdentity");
    req.setName("weak");
    req.setUrn("urn:pulumi:prod::mail-infra::aws:sesv2/emailIdentity:EmailIdentity::weak");
    req.setProperties(Struct.fromJavaScript({ emailIdentity: "example.com", configurationSetName: "cs", dkimSigningAttributes: { nextSigningKeyLength: "RSA_1024_BIT" } }));
    req.setOptions(new AnalyzerResourceOptions());
    const res = await new Promise<AnalyzeResponse>((resolve, reject) => client?.analyze(req, (err, r) => (err || !r ? reject(err) : resolve(r))));
    expect(res.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()])).toEqual([
      [
        "aws-sesv2-emailidentity-disallow-weak-dkim-key",
        1,
        expect.stringMatching(/^Checks that an SES identity signs with a DKIM key of at least 2048 bits\..*\nEasy DKIM for example\.com signs with RSA_1024_BIT \(1024 bits\)/s),
      ],
    ]);
  });

  it("says 'not checked at preview' through the real analyzer, as an advisory note, for a value unknown at preview", async () => {
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: Record<string, unknown>): never } };
    const req = new AnalyzeRequest();
    req.setType("aws:sesv2/emailIdentity:EmailIdentity");
    req.setName("unknown-key");
    req.setUrn("urn:pulumi:prod::mail-infra::aws:sesv2/emailIdentity:EmailIdentity::unknown-key");
    // The engine's unknown-string marker, as it sends a value computed during preview.
    req.setProperties(Struct.fromJavaScript({ emailIdentity: "example.com", configurationSetName: "cs", dkimSigningAttributes: { nextSigningKeyLength: UNKNOWN } }));
    req.setOptions(new AnalyzerResourceOptions());
    const res = await new Promise<AnalyzeResponse>((resolve, reject) => client?.analyze(req, (err, r) => (err || !r ? reject(err) : resolve(r))));
    expect(res.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()])).toEqual([
      [
        "aws-sesv2-emailidentity-disallow-weak-dkim-key",
        0, // advisory: a note, never a block
        expect.stringContaining(
          "can't run policy 'aws-sesv2-emailidentity-disallow-weak-dkim-key' from policy pack 'mail-infra@v0.1.0' during preview: not checked at preview: unknown-key: .dkimSigningAttributes.nextSigningKeyLength is unknown until the resource exists",
        ),
      ],
    ]);
  });
});

describe("the pack's layout", () => {
  it("is one Pulumi loads: PulumiPolicy.yaml, a versioned package.json, index.ts building the PolicyPack", () => {
    const yaml = readFileSync(join(ROOT, "policies", "PulumiPolicy.yaml"), "utf8");
    expect(yaml).toMatch(/^runtime:\n {2}name: nodejs\n/m);
    const pkg = JSON.parse(readFileSync(join(ROOT, "policies", "package.json"), "utf8")) as { version: string; main: string; dependencies: Record<string, string> };
    const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.main).toBe("main.js");
    for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws"]) expect(pkg.dependencies[dep], dep).toBe(root.dependencies[dep]);
    expect(readFileSync(join(ROOT, "policies", "index.ts"), "utf8")).toMatch(/new PolicyPack\(PACK_NAME, \{/);
    expect(root.scripts).toMatchObject({ policy: "node scripts/run.cjs policy", "preview:policy": "node scripts/run.cjs preview:policy", "docs:policies": "node scripts/run.cjs docs:policies" });
  });

  it("has unique policy names in the compliance-policies form", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^aws-(sesv2|route53|iam|secretsmanager|sns)-[a-z0-9]+-(missing|disallow|enable|configure)-[a-z0-9-]+$/);
  });
});

describe("docs/policies.md", () => {
  it("has the reference table generated from the pack (run `npm run docs:policies` when this fails)", () => {
    const doc = readFileSync(join(ROOT, "docs", "policies.md"), "utf8");
    expect(withGeneratedSection(doc, policies)).toBe(doc);
  });

  it("names every policy, and records which anchors' rules were considered", () => {
    const doc = readFileSync(join(ROOT, "docs", "policies.md"), "utf8");
    for (const p of policies) expect(doc).toContain(`\`${p.name}\``);
    for (const anchor of ["AWS SES Developer Guide", "checkdmarc", "pulumi/compliance-policies", "awsguard"]) expect(doc).toContain(anchor);
  });
});
