/** TXT records as the DNS policies read them: decoded from Route 53's form, one entry per value. */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { isSpfRecord, parseSpf, type ParsedSpf } from "../../lib/spf";
import { recordValues } from "./stack";

export interface TxtRecord {
  /** As written on the resource (absolute or relative to the zone). */
  name: string;
  /** "TXT", or the obsolete "SPF" type. */
  type: string;
  /** Each value's text, decoded from Route 53's `""`-split form. */
  values: string[];
}

/**
 * The TXT (or obsolete SPF-type) values of an aws.route53.Record, or a not-applicable result for
 * any other record type and for alias records.
 */
export function txtRecordOf(record: { name: string; type: string; records?: string[] }, args: ResourceValidationArgs): TxtRecord {
  const type = String(record.type).toUpperCase();
  if (type !== "TXT" && type !== "SPF") return args.notApplicable(`Only TXT records are checked; this one is ${type}.`);
  return { name: record.name, type, values: recordValues(type, record.records) };
}

/** The SPF values of a TXT record, parsed by lib/spf, or a not-applicable result when it holds none. */
export function spfRecordsOf(record: { name: string; type: string; records?: string[] }, args: ResourceValidationArgs): { name: string; spf: ParsedSpf[] } {
  const txt = txtRecordOf(record, args);
  const spf = txt.values.filter(isSpfRecord);
  if (spf.length === 0) return args.notApplicable("The record holds no SPF value.");
  return { name: txt.name, spf: spf.map(parseSpf) };
}
