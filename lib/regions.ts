/**
 * Where SES can be used, and the region-specific host names it expects.
 *
 * Source for both tables: AWS General Reference, "Amazon Simple Email Service endpoints
 * and quotas" (https://docs.aws.amazon.com/general/latest/gr/ses.html), sections
 * "SMTP endpoints" and "Easy DKIM domains" (#ses_dkim_domains). When AWS adds a region,
 * update this file only: config validation, the components, the policies and verify all
 * read these tables.
 */

import { shown } from "./text";

/** Regions with an SES SMTP interface (email-smtp.<region>.amazonaws.com). */
export const SES_SMTP_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
];

/**
 * Regions whose Easy DKIM CNAMEs point at a regional signing host instead of the global
 * dkim.amazonses.com. The SES API reports the same value as DkimAttributes.SigningHostedZone;
 * the Pulumi provider does not expose it, so the program reads it from here and verify
 * compares this table with what the API says.
 */
const REGIONAL_DKIM_SIGNING_ZONES: Readonly<Record<string, string>> = {
  "af-south-1": "dkim.af-south-1.amazonses.com",
  "ap-south-2": "dkim.ap-south-2.amazonses.com",
  "ap-southeast-3": "dkim.ap-southeast-3.amazonses.com",
  "ap-southeast-5": "dkim.ap-southeast-5.amazonses.com",
  "ap-northeast-3": "dkim.ap-northeast-3.amazonses.com",
  "ca-west-1": "dkim.ca-west-1.amazonses.com",
  "eu-central-2": "dkim.eu-central-2.amazonses.com",
  "eu-south-1": "dkim.eu-south-1.amazonses.com",
  "il-central-1": "dkim.il-central-1.amazonses.com",
  "me-central-1": "dkim.me-central-1.amazonses.com",
  "us-gov-east-1": "dkim.us-gov-east-1.amazonses.com",
};

const GLOBAL_DKIM_SIGNING_ZONE = "dkim.amazonses.com";

/** Port used for SMTP submission with STARTTLS (SES also listens on 25 and 2587). */
export const SES_SMTP_PORT = 587;

export function isSmtpRegion(region: string): boolean {
  return SES_SMTP_REGIONS.includes(region);
}

/**
 * Read a region the way every input takes it (config, `--region`, `--smtp-endpoint
 * region=...`, `smtp-password --region`): surrounding whitespace and case are ignored, and
 * the region must offer SES SMTP. The error says what was given (cut when long) and lists the
 * regions that do.
 */
export function parseSmtpRegion(input: string): { region: string } | { error: string } {
  const region = input.trim().toLowerCase();
  if (isSmtpRegion(region)) return { region };
  if (region === "") return { error: `the region is empty. Use one of: ${SES_SMTP_REGIONS.join(", ")}.` };
  const zone = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$/.exec(region);
  const hint = zone && isSmtpRegion(zone[1]) ? ` That is an availability zone; the region is ${zone[1]}.` : "";
  return {
    error: `${shown(input)} has no Amazon SES SMTP endpoint.${hint} Use one of: ${SES_SMTP_REGIONS.join(", ")} (https://docs.aws.amazon.com/general/latest/gr/ses.html#ses_smtp_endpoints).`,
  };
}

export function assertSmtpRegion(region: string): void {
  if (!isSmtpRegion(region)) {
    throw new Error(
      `Region "${region}" has no Amazon SES SMTP endpoint. Use one of: ${SES_SMTP_REGIONS.join(", ")} ` +
        "(source: https://docs.aws.amazon.com/general/latest/gr/ses.html#ses_smtp_endpoints).",
    );
  }
}

/** The host that Easy DKIM CNAMEs in this region point into. */
export function dkimSigningHostedZone(region: string): string {
  return REGIONAL_DKIM_SIGNING_ZONES[region] ?? GLOBAL_DKIM_SIGNING_ZONE;
}

/** The CNAME target for one Easy DKIM token. */
export function dkimCnameTarget(token: string, region: string, signingHostedZone = dkimSigningHostedZone(region)): string {
  return `${token}.${signingHostedZone}`;
}

/** The CNAME name for one Easy DKIM token. */
export function dkimCnameName(token: string, domain: string): string {
  return `${token}._domainkey.${domain}`;
}

/** The MX host a custom MAIL FROM domain must use when sending from this region. */
export function mailFromMxHost(region: string): string {
  return `feedback-smtp.${region}.amazonses.com`;
}

/** MX preference AWS documents for the MAIL FROM MX record. */
export const MAIL_FROM_MX_PRIORITY = 10;

/** The SES SMTP endpoint for a region. */
export function smtpEndpoint(region: string): string {
  return `email-smtp.${region}.amazonaws.com`;
}

/** The region of an SES SMTP endpoint host (email-smtp[-fips].<region>.amazonaws.com), or undefined when the host is not one. */
export function regionOfSmtpEndpoint(host: string): string | undefined {
  const m = /^email-smtp(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com\.?$/i.exec(host.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/** The region named in a feedback-smtp MX host, or undefined when the host is not one. */
export function regionOfMailFromMxHost(host: string): string | undefined {
  const m = /^feedback-smtp\.([a-z0-9-]+)\.amazonses\.com\.?$/i.exec(host.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * True when `host` is inside one of the hosts that Easy DKIM CNAMEs point into: the global
 * dkim.amazonses.com or a regional dkim.<region>.amazonses.com from the table above. Lets the
 * policy pack and verify tell an SES DKIM CNAME from another provider's record under _domainkey.
 */
export function isSesDkimTarget(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/\.$/, "");
  const zones = [GLOBAL_DKIM_SIGNING_ZONE, ...Object.values(REGIONAL_DKIM_SIGNING_ZONES)];
  return zones.some((z) => h.endsWith(`.${z}`));
}

/** The domain whose SPF record lists SES's sending addresses: a MAIL FROM record includes it. */
export const SES_SPF_INCLUDE_DOMAIN = "amazonses.com";

/**
 * The AWS partition a region belongs to (AWS General Reference, "AWS partitions"): aws-cn for
 * the China regions, aws-us-gov for GovCloud, the ISO partitions, aws for every other. IAM
 * users, access keys, KMS keys and ARNs belong to one partition: credentials of one cannot act
 * in another.
 */
export function partitionOf(region: string): string {
  const r = region.trim().toLowerCase();
  if (r.startsWith("cn-")) return "aws-cn";
  if (r.startsWith("us-gov-")) return "aws-us-gov";
  if (r.startsWith("us-isob-")) return "aws-iso-b";
  if (r.startsWith("us-iso-")) return "aws-iso";
  if (r.startsWith("eu-isoe-")) return "aws-iso-e";
  if (r.startsWith("us-isof-")) return "aws-iso-f";
  return "aws";
}

/** The ARN of a regional resource: arn:<the region's partition>:<service>:<region>:<account>:<resource>. */
export function regionalArn(service: string, region: string, accountId: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}:${region}:${accountId}:${resource}`;
}

/**
 * When `regions` span more than one partition, a sentence naming each partition's regions and
 * why one stack cannot hold them; otherwise undefined. The config validator and the policy
 * pack (aws-sesv2-emailidentity-disallow-mixed-partitions) use this one rule.
 */
export function mixedPartitionsProblem(regions: readonly string[]): string | undefined {
  const byPartition = new Map<string, string[]>();
  for (const r of new Set(regions.map((x) => x.trim().toLowerCase()))) {
    const p = partitionOf(r);
    byPartition.set(p, [...(byPartition.get(p) ?? []), r]);
  }
  if (byPartition.size < 2) return undefined;
  const list = [...byPartition].map(([p, rs]) => `${rs.join(", ")} (${p})`).join(" and ");
  return `${list} are in different AWS partitions: one SMTP user, its access key and one set of credentials cannot act in both, so the SMTP password fails in the other partition and the deployment cannot reach both. Put each partition's regions in their own stack (own account, own credentials).`;
}
