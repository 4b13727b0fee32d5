/**
 * Discovery mode: build the manifest from AWS alone, for people without Pulumi access (for
 * example right after a rotation). What cannot be known without the stack (the intended SPF
 * and DMARC records) is left out, so those names get the rule checks but no drift check.
 *
 * Nothing is assumed about how the identity was set up: the MAIL FROM domain, the DKIM tokens,
 * the configuration set and the account come from SES and STS or are marked unknown (with why)
 * in `region.unknown`. A value this project would have chosen (bounce.<domain>, its own
 * configuration set name) is never put in their place: the checks that need an unknown value
 * say what could not be determined instead of checking DNS against an invented one.
 */
import { DISCOVERED_STACK, MANIFEST_VERSION, type Manifest, type ManifestDomain, type ManifestRegion } from "../../lib/manifest";
import { mailFromOwnership } from "../../lib/mail-from-owner";
import { type DnsRecord, dkimRecords, mailFromMxRecord } from "../../lib/records";
import { dkimSigningHostedZone, SES_SMTP_PORT, smtpEndpoint } from "../../lib/regions";
import { dependsOn, type Unobservable } from "../../lib/verify/findings";
import { parseSmtpSecret } from "./layers/smtp/check";
import type { AwsCollector } from "./aws";

export interface DiscoveryInput {
  domain: string;
  regions: string[];
  secretId?: string;
}

/** A value the identity does not have (a real answer: the SES checks report it as a failure). */
const absent = (message: string): Unobservable => ({ ok: false, reason: "notfound", message });

/** The AWS reads discovery makes (a test may give a pure stand-in). */
export type DiscoveryAws = Pick<AwsCollector, "callerAccount" | "identity" | "secretValue" | "keyLastUsed" | "userArn">;

export async function discoverManifest(input: DiscoveryInput, aws: DiscoveryAws): Promise<Manifest> {
  const account = await aws.callerAccount();
  const d = input.domain;
  const regions = await Promise.all(
    input.regions.map(async (region, i): Promise<ManifestRegion> => {
      const id = await aws.identity(region, d);
      const unknown: NonNullable<ManifestRegion["unknown"]> = {};
      if (!account.ok) unknown.account = dependsOn(account, `the AWS account could not be read (${account.message})`);
      let dkimTokens: string[] = [];
      let mailFromDomain = "";
      let configurationSet = "";
      if (!id.ok) {
        // Everything below comes from the identity: each unknown carries the identity's own cause,
        // so the report shows it once, with the checks it blocked.
        const why = id.reason === "notfound" ? `there is no SES identity for ${d} in ${region}` : `the SES identity could not be read (${id.message})`;
        unknown.dkimTokens = dependsOn(id, `DKIM tokens unknown: ${why}`);
        unknown.mailFromDomain = dependsOn(id, `MAIL FROM domain unknown: ${why}`);
        unknown.configurationSet = dependsOn(id, `configuration set unknown: ${why}`);
      } else {
        const v = id.value;
        dkimTokens = v.dkim.tokens;
        if (dkimTokens.length === 0) unknown.dkimTokens = absent(`the identity has no DKIM tokens in ${region}`);
        mailFromDomain = v.mailFrom?.domain ?? "";
        if (!mailFromDomain) unknown.mailFromDomain = absent(`the identity has no custom MAIL FROM domain in ${region}`);
        configurationSet = v.configurationSetName ?? "";
        if (!configurationSet) unknown.configurationSet = absent(`the identity has no default configuration set in ${region}`);
      }
      const accountId = account.ok ? account.value : undefined;
      const v = id.ok ? id.value : undefined;
      return {
        region,
        primary: i === 0,
        identityArn: accountId ? `arn:aws:ses:${region}:${accountId}:identity/${d}` : "",
        dkimTokens,
        dkimSigningKeyLength: v?.dkim.nextSigningKeyLength ?? "RSA_2048_BIT",
        // The signing host is AWS's published table for the region, not a naming choice.
        signingHostedZone: v?.dkim.signingHostedZone ?? dkimSigningHostedZone(region),
        mailFromDomain,
        mailFromBehaviorOnMxFailure: v?.mailFrom?.behaviorOnMxFailure === "USE_DEFAULT_VALUE" ? "USE_DEFAULT_VALUE" : "REJECT_MESSAGE",
        configurationSet,
        configurationSetArn: accountId && configurationSet ? `arn:aws:ses:${region}:${accountId}:configuration-set/${configurationSet}` : "",
        eventTopicArn: "",
        tlsPolicy: "REQUIRE",
        smtpEndpoint: smtpEndpoint(region),
        ...(Object.keys(unknown).length > 0 ? { unknown } : {}),
      };
    }),
  );
  // TTLs are unknown without the stack; verify compares values, never TTLs.
  // One MX per MAIL FROM name (lib/mail-from-owner): a name several regions share is expected to
  // name one region's feedback host. Without DNS here the first region keeps it; verify's MX
  // check reads the live MX to say which region the name really serves. A region without a
  // MAIL FROM domain ("") has no name to own (mailFromOwnership skips it).
  const owners = mailFromOwnership(regions.map((r) => ({ region: r.region, name: r.mailFromDomain })));
  const records: DnsRecord[] = [
    ...regions.flatMap((r) => dkimRecords(d, r.region, r.dkimTokens, 0, r.signingHostedZone)),
    ...owners.map((o) => mailFromMxRecord(o.name, o.owner, 0)),
  ];
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
  return { version: MANIFEST_VERSION, project: "mail-infra", stack: DISCOVERED_STACK, domains: [domain], smtp, senders: [] };
}
