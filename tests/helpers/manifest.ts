/**
 * Hand-built manifest pieces for the verify checks' pure tests: one region of a domain as the
 * program records it (lib/manifest.ts), and the records the stack declares for it.
 */
import type { ManifestRegion } from "../../lib/manifest";
import type { DnsRecord } from "../../lib/records";
import { dkimCnameName, dkimCnameTarget, mailFromMxHost, smtpEndpoint } from "../../lib/regions";

export const ACCOUNT = "123456789012";
export const MAIL_FROM_SPF = "v=spf1 include:amazonses.com ~all";

/** A region of `domain` as deployed: DKIM tokens tok1<region>..tok3<region>, MAIL FROM `mailFromDomain`. */
export function manifestRegion(domain: string, name: string, mailFromDomain: string, over: Partial<ManifestRegion> = {}): ManifestRegion {
  const set = `mail-infra-${domain.replace(/\./g, "-")}`;
  return {
    region: name,
    primary: name === "us-east-1",
    identityArn: `arn:aws:ses:${name}:${ACCOUNT}:identity/${domain}`,
    dkimTokens: [1, 2, 3].map((i) => `tok${i}${name.replace(/-/g, "")}`),
    dkimSigningKeyLength: "RSA_2048_BIT",
    signingHostedZone: "dkim.amazonses.com",
    mailFromDomain,
    mailFromBehaviorOnMxFailure: "REJECT_MESSAGE",
    configurationSet: set,
    configurationSetArn: `arn:aws:ses:${name}:${ACCOUNT}:configuration-set/${set}`,
    eventTopicArn: `arn:aws:sns:${name}:${ACCOUNT}:${set}-ses-events`,
    tlsPolicy: "REQUIRE",
    smtpEndpoint: smtpEndpoint(name),
    ...over,
  };
}

/** The per-region records the stack declares: three DKIM CNAMEs, and the MAIL FROM MX and SPF when there is a MAIL FROM domain. */
export function regionRecords(domain: string, r: ManifestRegion): DnsRecord[] {
  return [
    ...r.dkimTokens.map((t, i): DnsRecord => ({ key: `dkim-${r.region}-${i + 1}`, purpose: "dkim", name: dkimCnameName(t, domain), type: "CNAME", ttl: 600, values: [dkimCnameTarget(t, r.region)], region: r.region })),
    ...(r.mailFromDomain
      ? [
          { key: `mail-from-mx-${r.region}`, purpose: "mail-from-mx", name: r.mailFromDomain, type: "MX", ttl: 600, values: [`10 ${mailFromMxHost(r.region)}`], region: r.region } satisfies DnsRecord,
          { key: `mail-from-spf-${r.region}`, purpose: "mail-from-spf", name: r.mailFromDomain, type: "TXT", ttl: 600, values: [MAIL_FROM_SPF], region: r.region } satisfies DnsRecord,
        ]
      : []),
  ];
}
