/**
 * Discovery mode: build the manifest from AWS alone, for people without Pulumi access (for
 * example right after a rotation). What cannot be known without the stack (the intended SPF
 * and DMARC records) is left out, so those names get the rule checks but no drift check.
 */
import { MANIFEST_VERSION, type Manifest, type ManifestDomain } from "../../lib/manifest";
import { configurationSetName } from "../../lib/names";
import { type DnsRecord, dkimRecords, mailFromMxRecord } from "../../lib/records";
import { dkimSigningHostedZone, SES_SMTP_PORT, smtpEndpoint } from "../../lib/regions";
import { parseSmtpSecret } from "../../lib/verify/smtp";
import type { AwsCollector } from "./aws";

export interface DiscoveryInput {
  domain: string;
  regions: string[];
  secretId?: string;
}

export async function discoverManifest(input: DiscoveryInput, aws: AwsCollector): Promise<Manifest> {
  const account = await aws.callerAccount();
  const accountId = account.ok ? account.value : "000000000000";
  const d = input.domain;
  const regions = await Promise.all(
    input.regions.map(async (region, i) => {
      const id = await aws.identity(region, d);
      const v = id.ok ? id.value : undefined;
      const configurationSet = v?.configurationSetName ?? configurationSetName(d);
      return {
        region,
        primary: i === 0,
        identityArn: `arn:aws:ses:${region}:${accountId}:identity/${d}`,
        dkimTokens: v?.dkim.tokens ?? [],
        dkimSigningKeyLength: v?.dkim.nextSigningKeyLength ?? "RSA_2048_BIT",
        signingHostedZone: v?.dkim.signingHostedZone ?? dkimSigningHostedZone(region),
        mailFromDomain: v?.mailFrom?.domain || `bounce.${d}`,
        mailFromBehaviorOnMxFailure: v?.mailFrom?.behaviorOnMxFailure === "USE_DEFAULT_VALUE" ? ("USE_DEFAULT_VALUE" as const) : ("REJECT_MESSAGE" as const),
        configurationSet,
        configurationSetArn: `arn:aws:ses:${region}:${accountId}:configuration-set/${configurationSet}`,
        eventTopicArn: "",
        tlsPolicy: "REQUIRE" as const,
        smtpEndpoint: smtpEndpoint(region),
      };
    }),
  );
  // TTLs are unknown without the stack; verify compares values, never TTLs.
  const records: DnsRecord[] = regions.flatMap((r) => [
    ...dkimRecords(d, r.region, r.dkimTokens, 0, r.signingHostedZone),
    mailFromMxRecord(r.mailFromDomain, r.region, 0),
  ]);
  const domain: ManifestDomain = { domain: d, dns: { mode: "external" }, regions, records };

  let smtp: Manifest["smtp"] = {
    user: "",
    userArn: "",
    accessKeyId: "",
    keyGeneration: 0,
    secretId: input.secretId ?? "",
    secretName: input.secretId ?? "",
    secretRegion: input.regions[0],
    port: SES_SMTP_PORT,
    regions: input.regions.map((region) => ({ region, endpoint: smtpEndpoint(region) })),
  };
  if (input.secretId) {
    const arnRegion = /^arn:aws[\w-]*:secretsmanager:([a-z0-9-]+):/.exec(input.secretId)?.[1];
    const secretRegion = arnRegion ?? input.regions[0];
    const secret = await aws.secretValue(secretRegion, input.secretId);
    const parsed = secret.ok ? parseSmtpSecret(secret.value) : undefined;
    const accessKeyId = parsed?.ok ? parsed.value.username : "";
    const owner = accessKeyId ? await aws.keyLastUsed(accessKeyId) : undefined;
    const user = owner?.ok ? (owner.value.userName ?? "") : "";
    const userArn = user ? await aws.userArn(user) : undefined;
    smtp = { ...smtp, secretRegion, accessKeyId, user, userArn: userArn?.ok ? userArn.value : "" };
  }
  return { version: MANIFEST_VERSION, project: "mail-infra", stack: "(discovered)", domains: [domain], smtp, senders: [] };
}
