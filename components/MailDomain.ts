import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DomainConfig } from "../lib/config";
import type { ManifestDomain, ManifestRegion } from "../lib/manifest";
import { DKIM_TOKENS_PER_IDENTITY, dependsOnDkimTokens, dkimIdentityKey, type DnsRecord, expectedRecords, stableDkimOrder } from "../lib/records";
import { DNS_MODE_TAG, MAIL_DOMAIN_TYPE } from "../lib/names";
import { dkimSigningHostedZone } from "../lib/regions";
import { DnsRecords } from "./DnsRecords";
import { SesIdentity } from "./SesIdentity";

export interface MailDomainArgs {
  config: DomainConfig;
  accountId: pulumi.Input<string>;
  tags?: Record<string, string>;
  /** mail-infra:protect (lib/protection). */
  protect: boolean;
  /** DKIM tokens in record order at the last deployment, by dkimIdentityKey (lib/records deployedDkimTokens). */
  deployedDkimTokens?: ReadonlyMap<string, readonly string[]>;
  /**
   * The hosted zone id when it is only known as an output (an existing zone a library user
   * passes in, packages/mail-infra); it replaces the id in `config.dns.zone`.
   */
  zoneId?: pulumi.Input<string>;
  /** mail-infra:snsKmsKeyId: the customer-managed key of the SES events topics. */
  snsKmsKeyId?: pulumi.Input<string>;
}

/**
 * Everything one sending domain needs: an SES identity per region and its DNS
 * authentication records (in Route 53, or exported for an external DNS provider).
 */
export class MailDomain extends pulumi.ComponentResource {
  readonly identities: Record<string, SesIdentity>;
  /** The expected record set with real token values. */
  readonly records: pulumi.Output<DnsRecord[]>;
  /** This domain's part of the verification manifest (no secrets). */
  readonly manifest: pulumi.Output<ManifestDomain>;

  constructor(name: string, args: MailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MAIL_DOMAIN_TYPE, name, {}, opts);
    const cfg = args.config;

    // Each region's MAIL FROM attributes wait for the MX and SPF records of its MAIL FROM
    // domain, declared below (none with external DNS): resolved once DnsRecords exists.
    const mailFromRecords = new Map<string, (rs: pulumi.Resource[]) => void>();
    const mailFromDependsOn = Object.fromEntries(
      cfg.regions.map((r) => [r.region, new Promise<pulumi.Resource[]>((resolve) => mailFromRecords.set(r.region, resolve))]),
    );

    this.identities = Object.fromEntries(
      cfg.regions.map((r) => [
        r.region,
        new SesIdentity(
          `${name}-${r.region}`,
          {
            domain: cfg.domain,
            region: r.region,
            mailFromDomain: r.mailFromDomain,
            mailFromBehaviorOnMxFailure: cfg.mailFromBehaviorOnMxFailure,
            dkimSigningKeyLength: cfg.dkimSigningKeyLength,
            tlsPolicy: cfg.tlsPolicy,
            accountId: args.accountId,
            // Lets the policy pack tell an external-DNS identity from one whose records are missing.
            tags: { ...args.tags, [DNS_MODE_TAG]: cfg.dns.mode },
            protect: args.protect,
            mailFromDependsOn: mailFromDependsOn[r.region],
            ...(args.snsKmsKeyId ? { snsKmsKeyId: args.snsKmsKeyId } : {}),
          },
          { parent: this },
        ),
      ]),
    );

    // The tokens in the positions their records hold: SES's order does not move a record.
    const dkimTokens = Object.fromEntries(
      cfg.regions.map((r) => [
        r.region,
        this.identities[r.region].dkimTokens.apply((t) => stableDkimOrder(t, args.deployedDkimTokens?.get(dkimIdentityKey(cfg.domain, r.region)))),
      ]),
    );
    const tokens = pulumi.all(dkimTokens);
    this.records = tokens.apply((t) => expectedRecords(cfg, t));

    // The shape of the record set does not depend on token values: placeholders fix it.
    const placeholderTokens = Object.fromEntries(
      cfg.regions.map((r) => [r.region, Array.from({ length: DKIM_TOKENS_PER_IDENTITY }, (_, i) => `token${i + 1}`)]),
    );
    const shape = expectedRecords(cfg, placeholderTokens);
    // One output entry per record: those that depend only on config are known at preview, so the
    // policy pack can check an external-DNS domain's records as they will be published.
    // A DKIM CNAME's type and key are known; its name and target wait for the token.
    const recordOutputs = shape.map((rec, i) =>
      dependsOnDkimTokens(rec) ? { ...rec, name: this.records.apply((all) => all[i].name), values: this.records.apply((all) => all[i].values) } : rec,
    );

    let zoneId: pulumi.Output<string> | undefined;
    if (cfg.dns.mode === "route53") {
      const zone = cfg.dns.zone;
      zoneId =
        args.zoneId !== undefined
          ? pulumi.output(args.zoneId)
          : "id" in zone
          ? pulumi.output(zone.id)
          : aws.route53.getZoneOutput({ name: zone.name, privateZone: false }, { parent: this }).zoneId;
      const dns = new DnsRecords(`${name}-dns`, { shape, records: this.records, zoneId, protect: args.protect }, { parent: this });
      for (const r of cfg.regions) {
        const own = shape.flatMap((rec, i) => ((rec.purpose === "mail-from-mx" || rec.purpose === "mail-from-spf") && rec.name === r.mailFromDomain ? [dns.records[i]] : []));
        mailFromRecords.get(r.region)?.(own);
      }
    }
    for (const resolve of mailFromRecords.values()) resolve([]); // external DNS (a second resolve is a no-op)

    const regionManifests = cfg.regions.map((r) => {
      const id = this.identities[r.region];
      return pulumi
        // The MAIL FROM domain is recorded from the resource, not the config: if its update fails,
        // this output never resolves, so the failed run cannot record a MAIL FROM that is not
        // live (a failed update keeps the outputs it did not register, pulumi/pulumi#15754), and
        // the next run still sees the move (lib/mail-from-move.ts).
        .all([id.arn, dkimTokens[r.region], id.configurationSet.configurationSetName, id.configurationSet.arn, id.topic.arn, id.mailFrom.mailFromDomain])
        .apply(
          ([arn, dkimTokens, configurationSet, configurationSetArn, eventTopicArn, mailFromDomain]): ManifestRegion => ({
            region: r.region,
            primary: r.primary,
            identityArn: arn,
            dkimTokens,
            dkimSigningKeyLength: cfg.dkimSigningKeyLength,
            signingHostedZone: dkimSigningHostedZone(r.region),
            // The resource always has one (it echoes its input); "" would read as "no custom MAIL FROM".
            mailFromDomain: mailFromDomain ?? r.mailFromDomain,
            mailFromBehaviorOnMxFailure: cfg.mailFromBehaviorOnMxFailure,
            configurationSet,
            configurationSetArn,
            eventTopicArn,
            tlsPolicy: cfg.tlsPolicy,
            smtpEndpoint: r.smtpEndpoint,
          }),
        );
    });

    this.manifest = pulumi.all([pulumi.all(regionManifests), this.records, zoneId ?? pulumi.output(undefined)]).apply(
      ([regions, records, zid]): ManifestDomain => ({
        domain: cfg.domain,
        dns:
          cfg.dns.mode === "route53"
            ? { mode: "route53", zoneId: zid ?? "", ...("name" in cfg.dns.zone ? { zoneName: cfg.dns.zone.name } : {}) }
            : { mode: "external" },
        regions,
        records,
      }),
    );

    this.registerOutputs({ domain: cfg.domain, dnsMode: cfg.dns.mode, records: recordOutputs, manifest: this.manifest });
  }

  /** ARNs the SMTP user must be allowed to send through in `regions`: identities and configuration sets. */
  sendingResourceArns(regions: readonly string[]): pulumi.Output<string>[] {
    return regions
      .filter((region) => region in this.identities)
      .flatMap((region) => [this.identities[region].arn, this.identities[region].configurationSet.arn]);
  }
}
