import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DNS_RECORDS_TYPE } from "../lib/names";
import { dnsRecordRole, protectionOptions } from "../lib/protection";
import { type DnsRecord, dependsOnDkimTokens, recordResourceKey, route53TxtValue } from "../lib/records";

export interface DnsRecordsArgs {
  /**
   * The records with placeholder DKIM tokens: fixes how many resources exist and their keys.
   * Its records that do not depend on tokens (SPF, DMARC, MAIL FROM MX and TXT) already hold
   * their real names and values, and are declared from it.
   */
  shape: readonly DnsRecord[];
  /** The same records with real values, known once the identities exist (used for DKIM records). */
  records: pulumi.Output<DnsRecord[]>;
  /** The Route 53 hosted zone id that holds them. */
  zoneId: pulumi.Input<string>;
  /** mail-infra:protect: resource options from lib/protection. */
  protect: boolean;
}

/**
 * The domain's authentication records in Route 53: one resource per record of the
 * expected set from lib/records. Resource names come from recordResourceKey (the record key,
 * or the MAIL FROM domain for MAIL FROM records), so they stay stable when DKIM tokens change
 * or `regions` is reordered; the names and values follow the identity outputs.
 */
export class DnsRecords extends pulumi.ComponentResource {
  readonly records: aws.route53.Record[];

  constructor(name: string, args: DnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DNS_RECORDS_TYPE, name, {}, opts);
    this.records = args.shape.map((shape, i) => {
      // Records that depend only on config are declared from plain values, known at preview;
      // only the DKIM CNAMEs wait for the tokens SES issues.
      const record: pulumi.Output<DnsRecord> = dependsOnDkimTokens(shape)
        ? args.records.apply((all) => {
            const r = all[i];
            if (r?.key !== shape.key) throw new Error(`Record ${i} of ${name} changed shape: ${r?.key} is not ${shape.key}.`);
            return r;
          })
        : pulumi.output(shape);
      const { key, previousKeys } = recordResourceKey(shape);
      return new aws.route53.Record(
        `${name}-${key}`,
        {
          zoneId: args.zoneId,
          name: record.name,
          type: shape.type,
          ttl: shape.ttl,
          records: record.apply((r) => (r.type === "TXT" ? r.values.map(route53TxtValue) : [...r.values])),
        },
        {
          parent: this,
          ...protectionOptions(dnsRecordRole(shape.purpose), args.protect),
          // Names earlier versions gave this record (tests/urns.test.ts): adopted, not replaced.
          aliases: previousKeys.map((k) => ({ name: `${name}-${k}` })),
        },
      );
    });
    this.registerOutputs({ fqdns: this.records.map((r) => r.fqdn) });
  }
}
