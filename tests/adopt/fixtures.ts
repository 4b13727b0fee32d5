/**
 * Hand-built live setups for adopt's tests (tests/adopt/plan.test.ts, pure; tests/adopt/program.test.ts,
 * the same setups under Pulumi's mocks).
 */
import type { LiveNamesakes, LiveRecordSet, LiveSetup } from "../../lib/adopt";

export const D = "example.com";
const tok = (region: string, i: number) => `tok${i}${region.replace(/-/g, "")}`;
export const tokens = (region: string) => [3, 1, 2].map((i) => tok(region, i));
export const ZONE = "Z0ADOPTTEST00000000001";

export function dkimSets(region: string, host = "dkim.amazonses.com"): LiveRecordSet[] {
  return tokens(region).map((t) => ({ name: `${t}._domainkey.${D}`, type: "CNAME", ttl: 1800, values: [`${t}.${host}`] }));
}

/** The two-region setup of the issue: one MAIL FROM name shared by both regions, its MX at us-east-1. */
export function twoRegionShared(): LiveSetup {
  return {
    domain: D,
    regions: ["us-east-1", "us-west-2"],
    identities: ["us-east-1", "us-west-2"].map((region) => ({
      region,
      dkimTokens: tokens(region),
      dkimStatus: "SUCCESS",
      nextSigningKeyLength: region === "us-east-1" ? "RSA_2048_BIT" : "RSA_1024_BIT",
      mailFrom: { domain: `bounce.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE", status: "SUCCESS" },
      configurationSetName: "my-config-set",
    })),
    dns: {
      mode: "route53",
      zoneId: ZONE,
      zoneName: D,
      recordSets: [
        ...dkimSets("us-east-1"),
        ...dkimSets("us-west-2"),
        { name: `bounce.${D}`, type: "MX", ttl: 1800, values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
        { name: `bounce.${D}`, type: "TXT", ttl: 1800, values: ["v=spf1 include:amazonses.com ~all"] },
        { name: D, type: "TXT", ttl: 1800, values: ["v=spf1 include:_spf.google.com include:amazonses.com ~all", "google-site-verification=abc123", "MS=ms4711"] },
        { name: `_dmarc.${D}`, type: "TXT", ttl: 1800, values: ["v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.com; fo=1"] },
        { name: `www.${D}`, type: "CNAME", ttl: 300, values: ["example.github.io"] },
      ],
    },
    sendUsers: [{ userName: "ses-smtp-user.20240101", arn: "arn:aws:iam::123456789012:user/ses-smtp-user.20240101", accessKeyIds: ["AKIAOLDSMTPKEY000001"], grantedBy: ["inline AmazonSesSendingAccess"], lastSesLogin: { accessKeyId: "AKIAOLDSMTPKEY000001", date: "2026-11-20T08:00:00.000Z", region: "us-east-1" } }],
  };
}

export function oneRegion(): LiveSetup {
  const live = twoRegionShared();
  return { ...live, regions: ["us-east-1", "us-west-2"], identities: live.identities.filter((i) => i.region === "us-east-1").map((i) => ({ ...i, mailFrom: undefined })) };
}

export function externalDns(): LiveSetup {
  return { ...oneRegion(), dns: { mode: "external", why: `no public Route 53 hosted zone for ${D} or a parent of it` }, sendUsers: [] };
}

/** twoRegionShared with live resources that carry the program's names (stack prod). */
export const CS = "mail-infra-example-com";
export const TOPIC = "arn:aws:sns:us-east-1:123456789012:mail-infra-example-com-ses-events";
export const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail-infra/prod/ses-smtp-AbCdEf";
export function withNamesakes(over: Partial<LiveNamesakes> = {}): LiveSetup {
  return {
    ...twoRegionShared(),
    namesakes: {
      configurationSets: [
        {
          region: "us-east-1",
          name: CS,
          tlsPolicy: "OPTIONAL",
          sendingEnabled: true,
          reputationMetricsEnabled: false,
          suppressedReasons: ["BOUNCE"],
          eventDestinations: [
            { name: "sns-feedback", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], target: "arn:aws:sns:us-east-1:123456789012:old-topic" },
            { name: "to-cloudwatch", enabled: true, matchingEventTypes: ["SEND"], target: "CloudWatch" },
          ],
        },
      ],
      topics: [{ region: "us-east-1", arn: TOPIC }],
      secrets: [{ region: "us-east-1", name: "mail-infra/prod/ses-smtp", arn: SECRET }],
      user: { userName: "mail-infra-smtp-prod", arn: "arn:aws:iam::123456789012:user/mail/mail-infra-smtp-prod", path: "/mail/", accessKeyIds: [] },
      userNames: ["mail-infra-smtp-prod", "ses-smtp-user.20240101"],
      ...over,
    },
  };
}

/** An SMTP-named user that can send (a relay may use it), and the next name taken too. */
export function sendingNamesake(): LiveSetup {
  const sender = twoRegionShared();
  sender.sendUsers.push({ userName: "mail-infra-smtp-prod", arn: "arn:aws:iam::123456789012:user/mail-infra-smtp-prod", accessKeyIds: ["AKIAPRODSMTP00000001"], grantedBy: ["inline send"] });
  sender.namesakes = { configurationSets: [], topics: [], secrets: [], user: { userName: "mail-infra-smtp-prod", arn: "x", path: "/", accessKeyIds: ["AKIAPRODSMTP00000001"] }, userNames: ["mail-infra-smtp-prod", "mail-infra-smtp-prod-2"] };
  return sender;
}

/** The program's SMTP secret name scheduled for deletion. */
export function deletedSecret(): LiveSetup {
  return withNamesakes({ secrets: [{ region: "us-east-1", name: "mail-infra/prod/ses-smtp", arn: SECRET, deletedDate: "2026-12-05T00:00:00.000Z" }] });
}
