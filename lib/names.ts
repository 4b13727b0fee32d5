import { createHash } from "node:crypto";

/**
 * Physical names for AWS resources. SES configuration set and SNS topic names allow
 * letters, digits, '-' and '_' only, up to 64 characters (SNS allows 256, SES 64).
 */
export function slug(domain: string, maxLength = 64): string {
  const base = domain.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (base.length <= maxLength) return base;
  const hash = createHash("sha256").update(domain).digest("hex").slice(0, 8);
  return `${base.slice(0, maxLength - 9)}-${hash}`;
}

/** How every configuration set the program names begins (the SMTP grant's pattern relies on it, lib/iam.ts). */
export const CONFIGURATION_SET_PREFIX = "mail-infra-";

/** The SES configuration set that the identity in every region uses by default. */
export function configurationSetName(domain: string): string {
  return slug(`${CONFIGURATION_SET_PREFIX}${domain}`);
}

/** The SNS topic that receives the configuration set's events. */
export function eventTopicName(domain: string): string {
  return slug(`mail-infra-${domain}-ses-events`, 256);
}

/** The event destination's name inside the configuration set. */
export const EVENT_DESTINATION_NAME = "sns-feedback";

/** Event types published to the SNS topic. BOUNCE and COMPLAINT are the ones that must never be lost. */
export const PUBLISHED_EVENT_TYPES = ["BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY", "RENDERING_FAILURE"] as const;
export const REQUIRED_EVENT_TYPES = ["BOUNCE", "COMPLAINT"] as const;
export const SUPPRESSED_REASONS = ["BOUNCE", "COMPLAINT"] as const;

/**
 * The type of the component that holds one sending domain. Its registered outputs `dnsMode`
 * ("route53" or "external") and `records` (the domain's record set, one entry per record, each
 * known as soon as its own values are: DKIM CNAMEs wait for the tokens) are how the policy pack
 * sees the records of an external-DNS domain, which no Route 53 resource declares.
 */
export const MAIL_DOMAIN_TYPE = "mail-infra:ses:MailDomain";
/** The SmtpCredentials component's type: its outputs list the senders (the protect rule reads them). */
export const SMTP_CREDENTIALS_TYPE = "mail-infra:iam:SmtpCredentials";
/** The component that holds one domain's SES identity in one region. */
export const SES_IDENTITY_TYPE = "mail-infra:ses:SesIdentity";
/** The component that holds one domain's DNS records. */
export const DNS_RECORDS_TYPE = "mail-infra:dns:DnsRecords";

/** Tag on each SES identity: "route53" or "external", where its DNS records are kept. */
export const DNS_MODE_TAG = "mail-infra:dns";
/** Tag and path that mark the IAM user whose keys are SES SMTP credentials. */
export const ROLE_TAG = "mail-infra:role";
export const SMTP_ROLE = "ses-smtp";
export const SMTP_USER_PATH = "/mail/";

/** A physical name one resource takes in a region (resource kinds name their own namespace). */
export interface PhysicalName {
  /** e.g. "configuration set", "SNS topic": names of one kind collide within a region. */
  kind: string;
  region?: string;
  name: string;
  /** Whose it is: a domain, a resource name. */
  owner: string;
}

/**
 * Physical names taken twice: two resources of one kind with the same name in one region (AWS
 * names configuration sets and SNS topics per account and region, so the second create fails,
 * or both domains share one). Owners are in input order. `slug` keeps only letters and digits,
 * so a.b-c.com and a-b.c.com both become "a-b-c-com": the config validator refuses such a pair
 * and the policy pack flags the resources, with this one rule.
 */
export function nameCollisions(names: readonly PhysicalName[]): { kind: string; region?: string; name: string; owners: string[] }[] {
  const groups = new Map<string, { kind: string; region?: string; name: string; owners: string[] }>();
  for (const n of names) {
    const key = `${n.kind}|${n.region ?? ""}|${n.name}`;
    const g = groups.get(key) ?? { kind: n.kind, ...(n.region !== undefined ? { region: n.region } : {}), name: n.name, owners: [] };
    if (!g.owners.includes(n.owner)) g.owners.push(n.owner);
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.owners.length > 1);
}

/** The physical names the program gives one domain's resources in one region. */
export function domainPhysicalNames(domain: string, region: string): PhysicalName[] {
  return [
    { kind: "configuration set", region, name: configurationSetName(domain), owner: domain },
    { kind: "SNS topic", region, name: eventTopicName(domain), owner: domain },
  ];
}
