/**
 * External DNS: the program declares no Route 53 record, yet the DNS policies judge the records
 * the stack asks the user to publish (the MailDomain component's `records` output), in a full
 * run and as a first preview sees it.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { NotChecked, Violation } from "../../scripts/lib/policy-runner";
import { ROOT, runCliAsync } from "../helpers/spawn";

const FIXTURES = join(ROOT, "tests", "fixtures", "stacks");

interface JsonReport {
  summary: { mandatory: number; advisory: number; notChecked: number };
  violations: Violation[];
  notChecked: NotChecked[];
  policiesNotChecked: string[];
}

const short = (v: Violation) => `${v.enforcementLevel} ${v.policyName} ${v.message.slice(0, 60)}`;

describe("npm run policy on an external-DNS stack", () => {
  let full: Promise<{ status: number | null; stdout: string; stderr: string }>;
  let preview: Promise<{ status: number | null; stdout: string; stderr: string }>;
  beforeAll(() => {
    full = runCliAsync("policy.ts", ["--stack", "external", "--json"], { cwd: FIXTURES });
    preview = runCliAsync("policy.ts", ["--stack", "external", "--preview", "--json"], { cwd: FIXTURES });
  });

  it("checks the records to publish: strict SPF alignment (mandatory), a /12 network and p=none (advisory); exit 1", async () => {
    const r = await full;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations.map(short)).toEqual([
      expect.stringMatching(/^mandatory aws-route53-record-configure-dmarc-spf-alignment The DMARC record at _dmarc\.external\.example\.com sets aspf=s/),
      expect.stringMatching(/^advisory aws-route53-record-configure-external-records-advisory \[aws-route53-record-disallow-spf-large-network\]/),
      expect.stringMatching(/^advisory aws-route53-record-configure-external-records-advisory \[aws-route53-record-configure-dmarc-policy\]/),
      // The fixture sets no mail-infra:alertEmails.
      expect.stringMatching(/^advisory aws-sesv2-emailidentity-missing-reputation-alarms external\.example\.com in us-east-1 /),
      // The SES events topic has no customer-managed key (mail-infra:snsKmsKeyId unset).
      expect.stringMatching(/^advisory aws-sns-topic-configure-customer-managed-key mail-infra-external-example-com-ses-events in us-east-1 /),
      // No senders: no SMTP credentials (issue 21), so no secret and no SMTP use to watch.
    ]);
    expect(report.violations[0]?.resourceType).toBe("mail-infra:ses:MailDomain");
    expect(report.notChecked).toEqual([]);
  });

  it("--preview: the same findings (the records depend only on config), and only the DKIM CNAMEs not checked", async () => {
    const [f, r] = await Promise.all([full, preview]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.violations).toEqual((JSON.parse(f.stdout) as JsonReport).violations);
    expect(report.policiesNotChecked).toEqual([
      "aws-route53-record-configure-dkim-cname",
      "aws-route53-record-missing-identity-records",
    ]);
    expect(report.notChecked.find((n) => n.policyName === "aws-route53-record-configure-dkim-cname")?.message).toBe(
      "not checked at preview: 3 CNAME records whose name or target is unknown until SES issues the DKIM tokens (external.example.com)",
    );
  });
});
