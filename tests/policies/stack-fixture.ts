/**
 * A small, correct mail stack as the engine hands it to stack policies (resource outputs as
 * props): one domain in one or two regions, its Route 53 records from lib/records (the same
 * record set the program declares), the SMTP user with its send-only policy and one key.
 * Specs take it as their happy path and break one property at a time.
 */
import * as aws from "@pulumi/aws";
import { validateConfig } from "../../lib/config";
import { smtpSendPolicy } from "../../lib/iam";
import { DNS_MODE_TAG, MAIL_DOMAIN_TYPE, ROLE_TAG, SMTP_ROLE, SMTP_USER_PATH } from "../../lib/names";
import { expectedRecords, route53TxtValue } from "../../lib/records";
import { pulumiConfig } from "../helpers/config";
import { entry, type StackEntry } from "./harness";

export const DOMAIN = "example.com";
export const ZONE_ID = "Z0123456789ABCDEFGHIJ";
export const TOKENS: Record<string, string[]> = {
  "us-east-1": ["tokenaaa1", "tokenbbb2", "tokenccc3"],
  "eu-south-1": ["tokenddd4", "tokeneee5", "tokenfff6"],
};

export function goodStack(regions: string[] = ["us-east-1"], extra: Record<string, string | number | string[]> = {}): StackEntry[] {
  const cfg = validateConfig(pulumiConfig({ domain: DOMAIN, regions, ...extra }), "test").domains[0];
  const entries: StackEntry[] = [];
  const arns: string[] = [];
  for (const { region, mailFromDomain } of cfg.regions) {
    const identityArn = `arn:aws:ses:${region}:123456789012:identity/${DOMAIN}`;
    const csArn = `arn:aws:ses:${region}:123456789012:configuration-set/cs`;
    arns.push(identityArn, csArn);
    entries.push(
      entry(aws.sesv2.EmailIdentity, `identity-${region}`, {
        emailIdentity: DOMAIN,
        region,
        arn: identityArn,
        configurationSetName: "cs",
        dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT", tokens: TOKENS[region] },
        tags: { [DNS_MODE_TAG]: cfg.dns.mode },
      }),
      entry(aws.sesv2.EmailIdentityMailFromAttributes, `mail-from-${region}`, {
        emailIdentity: DOMAIN,
        region,
        mailFromDomain,
        behaviorOnMxFailure: "REJECT_MESSAGE",
      }),
      entry(aws.sesv2.ConfigurationSet, `configuration-set-${region}`, {
        configurationSetName: "cs",
        region,
        arn: csArn,
        deliveryOptions: { tlsPolicy: "REQUIRE" },
        reputationOptions: { reputationMetricsEnabled: true },
        suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      }),
      entry(aws.sesv2.ConfigurationSetEventDestination, `event-destination-${region}`, {
        configurationSetName: "cs",
        region,
        eventDestinationName: "sns-feedback",
        eventDestination: { enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"], snsDestination: { topicArn: "arn:aws:sns:x" } },
      }),
    );
  }
  if (cfg.dns.mode === "external") {
    // No Route 53 record: the MailDomain component lists the records to publish (its outputs).
    entries.push({ type: MAIL_DOMAIN_TYPE, name: DOMAIN, props: { domain: DOMAIN, dnsMode: "external", records: expectedRecords(cfg, TOKENS).map((r) => ({ ...r, values: [...r.values] })) } });
  }
  if (cfg.dns.mode === "route53") {
    for (const r of expectedRecords(cfg, TOKENS)) {
      entries.push(
        entry(aws.route53.Record, `record-${r.key}`, {
          zoneId: ZONE_ID,
          name: r.name,
          fqdn: r.name,
          type: r.type,
          ttl: r.ttl,
          records: r.type === "TXT" ? r.values.map(route53TxtValue) : [...r.values],
        }),
      );
    }
  }
  entries.push(
    entry(aws.iam.User, "smtp-user", { name: "smtp", path: SMTP_USER_PATH, tags: { [ROLE_TAG]: SMTP_ROLE }, arn: "arn:aws:iam::123456789012:user/mail/smtp" }),
    entry(aws.iam.UserPolicy, "smtp-send-only", { user: "smtp", name: "ses-send-raw-email-only", policy: JSON.stringify(smtpSendPolicy(arns)) }),
    entry(aws.iam.AccessKey, "smtp-key-gen1", { user: "smtp", status: "Active" }),
    entry(aws.secretsmanager.Secret, "smtp-secret", { name: "mail-infra/test/ses-smtp", description: "SES SMTP credentials.", recoveryWindowInDays: 30, kmsKeyId: "alias/mail" }),
  );
  return entries;
}

/** The entry named `name` (throws when absent), to change one property of the happy path. */
export function find(entries: readonly StackEntry[], name: string): StackEntry {
  const e = entries.find((x) => x.name === name);
  if (!e) throw new Error(`no ${name} in the stack fixture (have ${entries.map((x) => x.name).join(", ")})`);
  return e;
}

export function without(entries: readonly StackEntry[], ...names: string[]): StackEntry[] {
  return entries.filter((e) => !names.includes(e.name));
}

/**
 * The happy path for another domain, to build a multi-domain stack: every `example.com` in the
 * props becomes `domain`, entries are named `<prefix>-<name>`, and the SMTP user, its policy,
 * key and secret (one per stack) are left out.
 */
export function otherDomain(domain: string, prefix: string, regions: string[] = ["us-east-1"], extra: Record<string, string | number | string[]> = {}): StackEntry[] {
  return goodStack(regions, extra)
    .filter((e) => !e.name.startsWith("smtp-"))
    .map((e) => ({ ...e, name: `${prefix}-${e.name}`, props: JSON.parse(JSON.stringify(e.props).split(DOMAIN).join(domain)) as Record<string, unknown> }));
}
