import { describe, expect, it } from "vitest";
import { PROTECTION, type ProtectedRole } from "../lib/protection";
import type { RecordedResource } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { EXPECTED_PROTECTION } from "./helpers/protection";
import { runWithConfig } from "./helpers/program";

/** The role of a recorded resource, from its type (and, for a DNS record, its record key; for monitoring, its parent). */
function roleOf(r: RecordedResource): ProtectedRole {
  const monitoring = r.parent?.endsWith("::monitoring") ?? false;
  if (monitoring) {
    const byMonitoringType: Record<string, ProtectedRole> = {
      "aws:sns/topic:Topic": "alerts-topic",
      "aws:sns/topicPolicy:TopicPolicy": "alerts-topic-policy",
      "aws:sns/topicSubscription:TopicSubscription": "alerts-subscription",
      "aws:cloudwatch/metricAlarm:MetricAlarm": "reputation-alarm",
      "aws:cloudwatch/eventRule:EventRule": "alert-rule",
      "aws:cloudwatch/eventTarget:EventTarget": "alert-rule-target",
      "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": "feedback-event-destination",
      "aws:cloudtrail/trail:Trail": "trail",
      "aws:s3/bucket:Bucket": "trail-bucket",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "trail-bucket-settings",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "trail-bucket-settings",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "trail-bucket-settings",
      "aws:s3/bucketPolicy:BucketPolicy": "trail-bucket-settings",
    };
    const role = byMonitoringType[r.type];
    if (!role) throw new Error(`no monitoring role for ${r.type}`);
    return role;
  }
  const byType: Record<string, ProtectedRole> = {
    "aws:sesv2/emailIdentity:EmailIdentity": "identity",
    "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": "mail-from-attributes",
    "aws:sesv2/configurationSet:ConfigurationSet": "configuration-set",
    "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": "event-destination",
    "aws:sns/topic:Topic": "event-topic",
    "aws:sns/topicPolicy:TopicPolicy": "event-topic-policy",
    "aws:iam/user:User": "smtp-user",
    "aws:iam/userPolicy:UserPolicy": "smtp-user-policy",
    "aws:iam/accessKey:AccessKey": "smtp-access-key",
    "aws:secretsmanager/secret:Secret": "smtp-secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "smtp-secret-version",
  };
  if (r.type === "aws:route53/record:Record") {
    const m = /-dns-(dkim|mail-from-mx|mail-from-spf|spf|dmarc-report-auth|dmarc)(-|$)/.exec(r.name);
    if (!m) throw new Error(`no DNS role for ${r.name}`);
    return `dns-${m[1]}` as ProtectedRole;
  }
  const role = byType[r.type];
  if (!role) throw new Error(`no role for ${r.type}`);
  return role;
}

describe("mail-infra:protect", async () => {
  // With the trail, so that every role of the table is declared.
  const rotating = { ...PROD_LIKE, smtpKeyGeneration: 2, smtpPreviousKey: "active", createTrail: "true" };
  const on = await runWithConfig(rotating, "prod");
  const off = await runWithConfig({ ...rotating, protect: "false" }, "prod");
  const multi = await runWithConfig({ domains: ["a.example", "b.example"], regions: ["us-east-1"], dmarcRua: ["mailto:dmarc@a.example"] }, "multi");
  const custom = (run: typeof on) => run.resources.filter((r) => r.custom);


  it("is on by default: each resource carries its role's protect and retainOnDelete", () => {
    const seen = new Set<ProtectedRole>();
    for (const r of custom(on)) {
      const role = roleOf(r);
      seen.add(role);
      expect({ urn: r.urn, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete }).toEqual({ urn: r.urn, ...EXPECTED_PROTECTION[role] });
    }
    // A second domain of the stack receiving the reports: the authorisation record's role.
    for (const r of custom(multi)) {
      if (roleOf(r) !== "dns-dmarc-report-auth") continue;
      seen.add("dns-dmarc-report-auth");
      expect({ urn: r.urn, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete }).toEqual({ urn: r.urn, ...EXPECTED_PROTECTION["dns-dmarc-report-auth"] });
    }
    // Every role is exercised by these stacks, and the table has no role this test does not know.
    expect([...seen].sort()).toEqual((Object.keys(EXPECTED_PROTECTION) as ProtectedRole[]).sort());
    expect((Object.keys(PROTECTION) as ProtectedRole[]).sort()).toEqual((Object.keys(EXPECTED_PROTECTION) as ProtectedRole[]).sort());
  });

  it("protects nothing of monitoring, and keeps the trail bucket (with its logs) when it leaves the stack", () => {
    const monitoring = custom(on).filter((r) => r.parent?.endsWith("::monitoring"));
    expect(monitoring.length).toBeGreaterThan(20);
    for (const r of monitoring) expect(r.options.protect, r.name).toBe(false);
    expect(monitoring.filter((r) => r.options.retainOnDelete).map((r) => r.type).sort()).toEqual([
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ]);
    expect(on.one("aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(false);
  });

  it("protects identities, the SPF and DMARC records, the user and the secret; retains identities, DKIM and MAIL FROM records", () => {
    const protectedTypes = new Set(custom(on).filter((r) => r.options.protect).map((r) => r.type));
    expect([...protectedTypes].sort()).toEqual([
      "aws:iam/user:User",
      "aws:route53/record:Record",
      "aws:secretsmanager/secret:Secret",
      "aws:sesv2/emailIdentity:EmailIdentity",
    ]);
    const records = custom(on).filter((r) => r.type === "aws:route53/record:Record");
    expect(records).toHaveLength(12);
    const flags = (r: RecordedResource) => `${r.options.protect ? "protect" : "-"} ${r.options.retainOnDelete ? "retain" : "-"}`;
    const byPurpose = new Map<string, Set<string>>();
    for (const r of records) {
      const purpose = /-dns-(dkim|mail-from-mx|mail-from-spf|spf|dmarc)(-|$)/.exec(r.name)?.[1] ?? r.name;
      byPurpose.set(purpose, (byPurpose.get(purpose) ?? new Set()).add(flags(r)));
    }
    expect(Object.fromEntries([...byPurpose].map(([k, v]) => [k, [...v]]))).toEqual({
      dkim: ["- retain"],
      "mail-from-mx": ["- retain"],
      "mail-from-spf": ["- retain"],
      spf: ["protect -"],
      dmarc: ["protect -"],
    });
    for (const r of custom(on).filter((x) => x.type === "aws:sesv2/emailIdentity:EmailIdentity")) expect(flags(r)).toBe("protect retain");
  });

  it("leaves both access keys unprotected and deletable, so rotation can retire them", () => {
    const keys = custom(on).filter((r) => r.type === "aws:iam/accessKey:AccessKey");
    expect(keys.map((k) => k.name).sort()).toEqual(["smtp-key-gen1", "smtp-key-gen2"]);
    for (const k of keys) expect(k.options).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("keeps forceDestroy off on the SMTP user, whatever protect says", () => {
    for (const run of [on, off]) expect(run.one("aws:iam/user:User").inputs.forceDestroy).toBe(false);
  });

  it("false turns every protect and retainOnDelete off, for a teardown on purpose", () => {
    expect(custom(off).length).toBe(custom(on).length);
    for (const r of custom(off)) expect(r.options, r.urn).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("records the other options the engine acts on: dependencies, no import, no ignoreChanges, no deleteBeforeReplace", () => {
    const identity = on.one("aws:sesv2/emailIdentity:EmailIdentity", "us-east-1");
    const configSet = on.one("aws:sesv2/configurationSet:ConfigurationSet", "us-east-1");
    expect(identity.options.dependsOn).toContain(configSet.urn);
    for (const r of custom(on)) {
      expect(r.options.deleteBeforeReplace, r.urn).toBe(false);
      expect(r.options.importId, r.urn).toBeUndefined();
      expect(r.options.ignoreChanges, r.urn).toEqual([]);
    }
  });

  it("is validated as a boolean", async () => {
    await expect(runWithConfig({ ...PROD_LIKE, protect: "maybe" }, "prod")).rejects.toThrow(/mail-infra:protect: must be true or false/);
  });
});
