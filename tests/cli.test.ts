import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { mockSecretAccessKey } from "../scripts/lib/mock-program";
import { ROOT, runCli } from "./helpers/spawn";
import { PROD_GMAIL } from "./helpers/config";

/** Text with its line breaks and runs of spaces as one space: what a report says, whatever its wrapping to 100 columns. */
const flat = (text: string) => text.replace(/\s+/g, " ");

describe("npm run plan", () => {
  it("prints the prod plan grouped by domain, component and region, and exits 0", () => {
    const r = runCli("plan.ts", ["--stack", "prod"]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Plan for stack prod \(offline/);
    expect(r.stdout).toContain("MailDomain queenofsandiego.com");
    expect(r.stdout).toContain("SesIdentity queenofsandiego.com-us-east-1");
    expect(r.stdout).toContain("SesIdentity queenofsandiego.com-us-west-2");
    expect(flat(r.stdout)).toMatch(/aws:sesv2:EmailIdentityMailFromAttributes\s+MAIL FROM bounce\.queenofsandiego\.com, on MX failure USE_DEFAULT_VALUE/);
    expect(flat(r.stdout)).toMatch(/MX\s+bounce-us-west-2\.queenofsandiego\.com\s+10 feedback-smtp\.us-west-2\.amazonses\.com/);
    expect(r.stdout).toMatch(/CNAME placeholder1-\w+-us-east-1\._domainkey\.queenofsandiego\.com/);
    expect(flat(r.stdout)).toContain(`admin@queenofsandiego.com (gmail-send-as in ${PROD_GMAIL}) via email-smtp.us-east-1.amazonaws.com:587`);
    expect(r.stdout).toMatch(/57 resources to create/);
    expect(r.stdout).not.toContain("\u001b[");
    const key = mockSecretAccessKey("prod", "smtp-key-gen1");
    for (const secret of [key, deriveSmtpPasswordV4(key, "us-east-1"), deriveSmtpPasswordV4(key, "us-west-2")]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
  });

  it("--json shows each resource's options: protect, retainOnDelete, deleteBeforeReplace, dependsOn, aliases, ignoreChanges, import id", () => {
    const r = runCli("plan.ts", ["--stack", "prod", "--json"]);
    expect(r.status).toBe(0);
    type Res = { type: string; name: string; urn: string; options: Record<string, unknown> };
    const resources = (JSON.parse(r.stdout) as { resources: Res[] }).resources;
    const find = (name: string) => resources.find((x) => x.name === name)!;
    const identity = find("queenofsandiego.com-us-east-1-identity");
    expect(identity.options).toEqual({
      protect: true,
      retainOnDelete: true,
      deleteBeforeReplace: false,
      dependsOn: [find("queenofsandiego.com-us-east-1-configuration-set").urn],
      aliases: [],
      ignoreChanges: [],
      importId: null,
    });
    expect(find("smtp-key-gen1").options).toMatchObject({ protect: false, retainOnDelete: false });
    const mx = find("queenofsandiego.com-dns-mail-from-mx-bounce.queenofsandiego.com");
    expect(mx.options.aliases).toEqual([mx.urn.replace(/::[^:]+$/, "::queenofsandiego.com-dns-mail-from-mx-us-east-1")]);
    for (const x of resources) expect(Object.keys(x.options).sort(), x.urn).toEqual(["aliases", "deleteBeforeReplace", "dependsOn", "ignoreChanges", "importId", "protect", "retainOnDelete"]);
  });

  it("shows the monitoring resources by region, and what alerts whom", () => {
    const r = runCli("plan.ts", ["--stack", "prod"]);
    expect(r.status).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("\nMonitoring monitoring\n"), r.stdout.indexOf("\nDNS records for"));
    const lines = section.split("\n").filter((l) => l.trim() !== "");
    expect(lines.slice(0, 3)).toEqual(["Monitoring monitoring", "  us-east-1", expect.stringMatching(/^ {4}\+ aws:sns:Topic\s+mail-infra-prod-alerts$/)]);
    expect(lines.filter((l) => /^ {2}\S/.test(l))).toEqual(["  us-east-1", "  us-west-2"]);
    expect(flat(section)).toContain(`aws:sns:TopicSubscription email to ${PROD_GMAIL} (pending until the address clicks the confirmation mail)`);
    expect(flat(section)).toMatch(/aws:cloudwatch:MetricAlarm\s+mail-infra-prod-bounce-rate-alarm: AWS\/SES Reputation\.BounceRate >= 5% \(Maximum over 1 h; missing data: ignore\) -> alerts topic/);
    expect(flat(section)).toMatch(/aws:cloudwatch:EventRule\s+mail-infra-prod-iam-changes: /);
    expect(flat(section)).toMatch(/aws:cloudwatch:EventTarget\s+mail-infra-prod-feedback -> alerts topic, as a readable message/);
    expect(flat(section)).toMatch(/aws:sesv2:ConfigurationSetEventDestination\s+eventbridge-alerts: BOUNCE, COMPLAINT -> EventBridge default bus/);
    expect(section.match(/MetricAlarm/g)).toHaveLength(8);
    expect(flat(r.stdout)).toContain(
      flat(`Monitoring (docs/monitoring.md): alerts by email to ${PROD_GMAIL} (each address confirms one subscription mail per region)\n` +
        "  us-east-1: 4 reputation alarms (bounce warning 2%, bounce alarm 5%, complaint warning 0.05%, complaint alarm 0.1%); rules: iam, ses, secret, feedback\n" +
        "  us-west-2: 4 reputation alarms (bounce warning 2%, bounce alarm 5%, complaint warning 0.05%, complaint alarm 0.1%); rules: ses, feedback\n" +
        "  trail: none created (mail-infra:createTrail false); an existing trail must log management events in us-east-1, us-west-2\n"),
    );
  });

  it("marks protected resources in the text plan, and says how to tear down on purpose", () => {
    const r = runCli("plan.ts", ["--stack", "prod"]);
    expect(flat(r.stdout)).toMatch(/aws:sesv2:EmailIdentity\s+queenofsandiego\.com: .*\[protected, retained on delete\]/);
    expect(flat(r.stdout)).toMatch(/aws:iam:User\s+\/mail\/mail-infra-smtp-prod \[protected\]/);
    expect(flat(r.stdout)).toMatch(/aws:iam:AccessKey\s+key generation 1 of mail-infra-smtp-prod, Active \(SMTP username = its id; [^[]*?\) \+ aws:/);
    expect(flat(r.stdout)).toContain("DnsRecords queenofsandiego.com-dns: + 12 aws:route53:Record (listed below) [2 protected, 10 retained on delete]");
    expect(flat(r.stdout)).toContain("pulumi config set mail-infra:protect false && pulumi up && pulumi destroy");
  });

  describe("--against", () => {
    const dir = mkdtempSync(join(tmpdir(), "mail-infra-against-"));
    const basePath = join(dir, "base.json");
    const prod = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8");
    const head = (yaml: string) => {
      const d = mkdtempSync(join(dir, "head-"));
      writeFileSync(join(d, "Pulumi.prod.yaml"), yaml);
      return d;
    };

    it("exits 1 with the verdict when the change would break mail, 0 with --allow-break, 0 for a harmless change", () => {
      const base = runCli("plan.ts", ["--stack", "prod", "--json"]);
      expect(base.status).toBe(0);
      writeFileSync(basePath, base.stdout);

      const removed = head(prod.replace("    - us-west-2\n", ""));
      const r = runCli("plan.ts", ["--stack", "prod", "--against", basePath], { cwd: removed });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/delete\s+aws:sesv2:EmailIdentity queenofsandiego\.com-us-west-2-identity\n\s+BREAKS MAIL: deletes the SES identity/);
      expect(r.stdout).toContain("Verdict: would break mail");
      // The identity is protected in the base plan: the engine refuses its delete, --allow-break or not.
      expect(flat(r.stdout)).toMatch(/queenofsandiego\.com-us-west-2-identity BREAKS MAIL: .+? REFUSED BY PULUMI: delete of a protected resource/);
      expect(r.stdout).toContain("`pulumi preview` will refuse");
      expect(flat(r.stdout)).toContain("pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply: deleteProtectedError");
      const refused = runCli("plan.ts", ["--stack", "prod", "--against", basePath, "--allow-break"], { cwd: removed });
      expect(refused.status).toBe(1);
      expect(flat(refused.stdout)).toContain("the change cannot be deployed as it is. Exit 1 (--allow-break does not change that).");
      // A change that breaks mail but that the engine runs (a key in use deleted): --allow-break accepts it.
      const skipped = head(prod + "  mail-infra:smtpKeyGeneration: 3\n");
      const breaking = runCli("plan.ts", ["--stack", "prod", "--against", basePath], { cwd: skipped });
      expect(breaking.status).toBe(1);
      expect(breaking.stdout).not.toContain("REFUSED BY PULUMI");
      const allowed = runCli("plan.ts", ["--stack", "prod", "--against", basePath, "--allow-break"], { cwd: skipped });
      expect(allowed.status).toBe(0);
      expect(allowed.stdout).toContain("Accepted with --allow-break.");

      const harmless = runCli("plan.ts", ["--stack", "prod", "--against", basePath], { cwd: head(prod + "  mail-infra:dnsTtl: 3600\n") });
      expect(harmless.stdout).toMatch(/update\s+aws:route53:Record queenofsandiego\.com-dns-dmarc \(ttl\)/);
      expect(harmless.stdout).toContain("Verdict: no change breaks mail.");
      expect(harmless.status).toBe(0);
    });

    it("exits 2 with a clear message when the base is not a plan", () => {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, "{\"stack\": \"prod\"}");
      const r = runCli("plan.ts", ["--stack", "prod", "--against", bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--against .*bad\.json: not a plan with resource options \(resources: .*Regenerate it with `npm run plan -- --json`/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const missing = runCli("plan.ts", ["--stack", "prod", "--against", join(dir, "nope.json")]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/cannot read --against ".*nope\.json": there is no such file/);
    });
  });

  it("--json prints a machine-readable plan without secrets", () => {
    const r = runCli("plan.ts", ["--stack", "prod", "--json"]);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.stack).toBe("prod");
    expect(plan.resources).toHaveLength(57);
    const version = plan.resources.find((x: { type: string }) => x.type === "aws:secretsmanager/secretVersion:SecretVersion");
    expect(version.inputs.secretString).toBe("[secret]");
    expect(plan.domains[0].records).toHaveLength(12);
    expect(plan.outputs.verification.smtp.user).toBe("mail-infra-smtp-prod");
    const key = mockSecretAccessKey("prod", "smtp-key-gen1");
    expect(r.stdout).not.toContain(key);
    expect(r.stdout).not.toContain(deriveSmtpPasswordV4(key, "us-east-1"));
  });

  it("--zone-file prints a BIND fragment", () => {
    const r = runCli("plan.ts", ["--zone-file"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^; mail-infra records for queenofsandiego\.com/);
    expect(r.stdout).toMatch(/^_dmarc\.queenofsandiego\.com\.\s+600 IN TXT\s+"v=DMARC1; p=none; rua=mailto:dmarc-reports@queenofsandiego\.com"$/m);
  });

  it("a config error exits 2 with the validator's message, file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "mail-infra-plan-"));
    writeFileSync(
      join(dir, "Pulumi.broken.yaml"),
      ["config:", "  mail-infra:domain: example.com", "  mail-infra:regions:", "    - us-east-1", "  mail-infra:dmarcPolicy: monitor", ""].join("\n"),
    );
    const r = runCli("plan.ts", ["--stack", "broken"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`Pulumi.broken.yaml:5: mail-infra:dmarcPolicy: "monitor" is not a DMARC policy`);
  });

  it("a missing stack file exits 2 and says how to fix it", () => {
    const r = runCli("plan.ts", ["--stack", "nosuch"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/No stack config .*Pulumi\.nosuch\.yaml\. Create it/);
  });

  it("an unknown option exits 2", () => {
    const r = runCli("plan.ts", ["--frobnicate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });

  it("--help shows examples", () => {
    const r = runCli("plan.ts", ["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Examples:");
  });
});

describe("npm run smtp-password", () => {
  // The published vectors use a 15-character secret, which the CLI refuses (it is no secret
  // access key); tests/lib/smtp-password.test.ts checks them against the derivation itself.
  const KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  it.each([["eu-central-1"], ["us-west-1"], ["US-West-1 "]])("reads the key on stdin and prints the password for %s", (region) => {
    const r = runCli("smtp-password.ts", ["--region", region], { input: `${KEY}\n` });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${deriveSmtpPasswordV4(KEY, region.trim().toLowerCase())}\n`);
  });

  it("refuses a region without SES SMTP with exit 2", () => {
    const r = runCli("smtp-password.ts", ["--region", "xx-nowhere-1"], { input: KEY });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/--region: "xx-nowhere-1" has no Amazon SES SMTP endpoint/);
    expect(r.stderr).not.toContain(KEY);
  });

  it("refuses an empty stdin, never echoing input", () => {
    const r = runCli("smtp-password.ts", ["--region", "us-east-1"], { input: "" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no secret access key on stdin/);
  });

  it("refuses more than one token on stdin without printing it", () => {
    const r = runCli("smtp-password.ts", ["--region", "us-east-1"], { input: "secretA secretB" });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain("secretA");
  });

  it("has no option to pass the key in argv", () => {
    const r = runCli("smtp-password.ts", ["--region", "us-east-1", "--secret", "abc"], { input: "x" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--secret'/);
    expect(runCli("smtp-password.ts", []).status).toBe(2);
  });
});
