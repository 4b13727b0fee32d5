/**
 * Grouping of repeated advisories in the policy report (scripts/lib/policy-groups.ts): a stack of
 * 50 domains × 2 regions gets the same advisory per DMARC record and per identity; the text report
 * and the pull-request comment that carries it must stay readable and within GitHub's 65,536
 * characters per comment, and still name the `mail-infra:` key to set and every resource.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "../../policies/pack";
import { runStackOffline } from "../../scripts/lib/offline-run";
import { GROUP_MIN, groupTargets, groupViolations, VARYING } from "../../scripts/lib/policy-groups";
import { evaluatePolicies, type Violation } from "../../scripts/lib/policy-runner";
import { readStackConfig } from "../../scripts/lib/stack-config";
import { formatReport, packInfo } from "../../scripts/policy";
import { ROOT } from "../helpers/spawn";

const prComment = createRequire(__filename)(join(ROOT, "scripts", "pr-comment.cjs")) as {
  commentBody: (i: { changeReview: { text?: string; status?: number }; policy: { text?: string; status?: number }; runUrl: string }) => string;
};
/** GitHub refuses a longer comment body ("Body is too long (maximum is 65536 characters)"). */
const GITHUB_COMMENT_LIMIT = 65536;

const v = (name: string, message: string, extra: Partial<Violation> = {}): Violation => ({
  policyName: "aws-x-y-missing-z",
  kind: "resource",
  enforcementLevel: "advisory",
  urn: `urn:pulumi:s::mail-infra::t::${name}`,
  resourceType: "aws:sesv2/emailIdentity:EmailIdentity",
  resourceName: name,
  description: "Checks z.",
  message,
  remediation: "Set mail-infra:z to true.",
  ...extra,
});

describe("groupViolations", () => {
  it("prints alike violations of one policy once, keeping every one of them, and leaves the others single", () => {
    const alike = ["a.com", "b.com", "c.com", "d.com"].map((d) => v(d, `${d} in us-east-1 has no z, so mail is not watched.`));
    const other = v("e.com", "A different text altogether about e.com and what to do about it.");
    const items = groupViolations([...alike, other]);
    expect(items).toHaveLength(2);
    const first = items[0];
    if (!first || !("group" in first)) throw new Error("expected a group first");
    expect(first.group.violations).toEqual(alike);
    expect(first.group.message).toBe(`${VARYING} in us-east-1 has no z, so mail is not watched.`);
    expect(groupTargets(first.group, 2)).toBe("on 4 resources (aws:sesv2/emailIdentity:EmailIdentity): a.com, b.com, … and 2 more (full list in --json)");
    expect(items[1]).toEqual({ violation: other });
  });

  it(`groups only from ${GROUP_MIN} alike violations, and never across policies, levels or remediations`, () => {
    const two = ["a.com", "b.com"].map((d) => v(d, `${d} has no z.`));
    expect(groupViolations(two).every((i) => "violation" in i)).toBe(true);
    const mixed = [
      v("a.com", "a.com has no z."),
      v("b.com", "b.com has no z.", { policyName: "aws-other" }),
      v("c.com", "c.com has no z.", { enforcementLevel: "mandatory" }),
      v("d.com", "d.com has no z.", { remediation: "Set mail-infra:w to 1." }),
    ];
    expect(groupViolations(mixed).every((i) => "violation" in i)).toBe(true);
  });

  it("does not group messages that differ in more than a few words", () => {
    const different = ["a", "b", "c"].map((x) => v(x, `${x}1 ${x}2 ${x}3 ${x}4 ${x}5 same same same same same same same same same same same same same same same same`));
    expect(groupViolations(different).every((i) => "violation" in i)).toBe(true);
    const few = ["a", "b", "c"].map((x) => v(x, `${x}1 ${x}2 same same same same same same same same`));
    expect(groupViolations(few)).toHaveLength(1);
  });
});

describe("the policy report of 50 domains × 2 regions", () => {
  let dir: string;
  let text: string;
  let violations: Violation[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mail-infra-groups-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const domains = Array.from({ length: 50 }, (_, i) => `    - d${String(i).padStart(2, "0")}-example.com`).join("\n");
    writeFileSync(
      join(dir, "Pulumi.many.yaml"),
      `config:\n  aws:region: us-east-1\n  mail-infra:domains:\n${domains}\n  mail-infra:regions:\n    - us-east-1\n    - us-west-2\n  mail-infra:dmarcPolicy: none\n` +
        `  mail-infra:senders:\n    - "address=admin@d00-example.com; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1"\n`,
    );
    const { run } = await runStackOffline(readStackConfig("many", dir));
    const pack = packInfo({ PACK_NAME, PACK_ENFORCEMENT_LEVEL });
    const result = await evaluatePolicies({ resources: run.resources, policies, pack, stack: { name: run.stack, outputs: run.outputs } });
    violations = result.violations;
    const resources = run.resources.filter((r) => r.custom).length;
    text = formatReport({ stack: "many", pack, policies, violations, policiesRun: result.policiesRun, resources });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("groups the per-record and per-identity advisories, naming each resource count, and stays short", () => {
    // The repeated advisories are there (one per DMARC record, one per identity and region)...
    expect(violations.filter((x) => x.policyName === "aws-route53-record-configure-dmarc-policy")).toHaveLength(50);
    expect(violations.filter((x) => x.policyName === "aws-sesv2-emailidentity-missing-reputation-alarms")).toHaveLength(100);
    // ...and each prints once, with how many resources and the first names.
    expect(text).toMatch(/aws-route53-record-configure-dmarc-policy {2}on 50 resources \(aws:route53\/record:Record\): d00-example\.com-dns-dmarc, .* … and 40 more \(full list in --json\)/);
    expect(text).toMatch(/aws-sesv2-emailidentity-missing-reputation-alarms {2}on 100 resources /);
    expect(text.match(/aws-route53-record-configure-dmarc-policy/g)).toHaveLength(1);
    expect(text).toContain("252 advisory violations");
    expect(text).toMatch(/aws-sns-topic-configure-customer-managed-key {2}on 100 resources /);
    // The stack-wide advisory that lists identities stays bounded too.
    expect(text).toMatch(/100 identities in us-east-1, us-west-2 \(d00-example\.com, .* and 40 more\) are used with SMTP credentials/);
    expect(text.length).toBeLessThan(12_000);
  });

  it("still names the mail-infra: key and the value to set in every printed advisory", () => {
    const entries = text.split("\n        - ").slice(1);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e).toMatch(/mail-infra:[a-zA-Z]+/);
    expect(text).toContain("raise mail-infra:dmarcPolicy one step (none → quarantine → reject)");
  });

  it("fits one pull-request comment, untruncated", () => {
    const body = prComment.commentBody({ changeReview: { text: "No change.", status: 0 }, policy: { text, status: 0 }, runUrl: "https://github.com/o/r/actions/runs/1" });
    expect(body.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(body).not.toContain("truncated");
    expect(body).toContain("on 50 resources");
  });
});
