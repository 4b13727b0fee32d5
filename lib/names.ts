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

/** The SES configuration set that the identity in every region uses by default. */
export function configurationSetName(domain: string): string {
  return slug(`mail-infra-${domain}`);
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

/** Tag on each SES identity: "route53" or "external", where its DNS records are kept. */
export const DNS_MODE_TAG = "mail-infra:dns";
/** Tag and path that mark the IAM user whose keys are SES SMTP credentials. */
export const ROLE_TAG = "mail-infra:role";
export const SMTP_ROLE = "ses-smtp";
export const SMTP_USER_PATH = "/mail/";
