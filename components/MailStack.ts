import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type MailConfig, PROJECT } from "../lib/config";
import { type Manifest, MANIFEST_VERSION } from "../lib/manifest";
import { type DnsRecord, toZoneFile } from "../lib/records";
import { SES_SMTP_PORT, smtpEndpoint } from "../lib/regions";
import { MailDomain } from "./MailDomain";
import { SmtpCredentials } from "./SmtpCredentials";

export interface MailStack {
  domains: MailDomain[];
  smtp: SmtpCredentials;
  outputs: MailStackOutputs;
}

export interface MailStackOutputs {
  /** Non-secret manifest that `npm run verify -- --stack` reads. */
  verification: pulumi.Output<Manifest>;
  /** The SMTP username (access key id): not a secret. */
  smtpUsername: pulumi.Output<string>;
  /** Where the SMTP passwords are kept. */
  smtpSecretArn: pulumi.Output<string>;
  /** BIND zone fragment per domain, when DNS is external. */
  zoneFile: pulumi.Output<string> | undefined;
}

/** Declare every resource of a validated configuration and return the stack outputs. */
export function declareMailStack(cfg: MailConfig): MailStack {
  const tags = { "managed-by": PROJECT, "mail-infra:stack": cfg.stack };
  const accountId = aws.getCallerIdentityOutput({}).accountId;

  const domains = cfg.domains.map((d) => new MailDomain(d.domain, { config: d, accountId, tags }));

  const smtp = new SmtpCredentials("smtp", {
    config: cfg.smtp,
    resourceArns: domains.flatMap((d) => d.sendingResourceArns),
    tags,
  });

  const verification = pulumi
    .all([
      pulumi.all(domains.map((d) => d.manifest)),
      smtp.user.name,
      smtp.user.arn,
      smtp.username,
      smtp.secret.arn,
    ])
    .apply(
      ([domainManifests, user, userArn, accessKeyId, secretId]): Manifest => ({
        version: MANIFEST_VERSION,
        project: PROJECT,
        stack: cfg.stack,
        domains: domainManifests,
        smtp: {
          user,
          userArn,
          accessKeyId,
          keyGeneration: cfg.smtp.keyGeneration,
          secretId,
          secretName: cfg.smtp.secretName,
          secretRegion: cfg.smtp.secretRegion,
          port: SES_SMTP_PORT,
          regions: cfg.smtp.regions.map((region) => ({ region, endpoint: smtpEndpoint(region) })),
        },
        senders: cfg.senders.map((s) => ({ ...s, smtpEndpoint: smtpEndpoint(s.region) })),
      }),
    );

  const external = cfg.domains.some((d) => d.dns.mode === "external");
  const zoneFile = external
    ? pulumi
        .all(domains.map((d) => d.records))
        .apply((sets: DnsRecord[][]) =>
          sets.map((records, i) => toZoneFile(records, `mail-infra records for ${cfg.domains[i].domain} (stack ${cfg.stack})`)).join("\n"),
        )
    : undefined;

  return { domains, smtp, outputs: { verification, smtpUsername: smtp.username, smtpSecretArn: smtp.secret.arn, zoneFile } };
}
