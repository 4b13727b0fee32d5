/** DMARC records as the DNS policies read them from one Route 53 record. */
import { isDmarcRecordName, looksLikeDmarc, parseDmarc, type ParsedDmarc } from "../../lib/dmarc";
import type { TxtRecord } from "./txt";

export interface DmarcValue {
  text: string;
  parsed: ParsedDmarc;
}

/** The values of a TXT record that are meant as DMARC, parsed by lib/dmarc. */
export function dmarcValues(txt: TxtRecord): DmarcValue[] {
  return txt.values.filter(looksLikeDmarc).map((text) => ({ text, parsed: parseDmarc(text) }));
}

/** True when the record is at a `_dmarc` name or holds a value meant as DMARC. */
export function isDmarcCandidate(txt: TxtRecord): boolean {
  return isDmarcRecordName(txt.name) || txt.values.some(looksLikeDmarc);
}
