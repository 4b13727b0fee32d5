/** The stack's DNS records grouped the way the DNS stack policies compare them. */
import { isSpfRecord, looksLikeSpf } from "../../lib/spf";
import type { RecordView } from "./stack";

/** Every TXT (and SPF-type) value declared at each name: what a static SPF resolver answers. */
export function txtByName(records: readonly RecordView[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records) {
    if (r.type !== "TXT" && r.type !== "SPF") continue;
    // The obsolete SPF type is not read by receivers; only TXT answers a TXT query.
    if (r.type === "TXT") out[r.name] = [...(out[r.name] ?? []), ...r.values];
  }
  return out;
}

export interface SpfAtName {
  name: string;
  zoneId?: string;
  /** The records (resources) holding SPF values at this name, with the values. */
  holders: { record: RecordView; values: string[] }[];
  count: number;
}

/** SPF values grouped by zone and name; a value counts when it is meant as SPF (even if broken). */
export function spfByName(records: readonly RecordView[]): SpfAtName[] {
  const groups = new Map<string, SpfAtName>();
  for (const r of records) {
    if (r.type !== "TXT") continue;
    const values = r.values.filter((v) => isSpfRecord(v) || looksLikeSpf(v));
    if (values.length === 0) continue;
    const key = `${r.zoneId ?? "?"}|${r.name}`;
    const g = groups.get(key) ?? { name: r.name, ...(r.zoneId !== undefined ? { zoneId: r.zoneId } : {}), holders: [], count: 0 };
    g.holders.push({ record: r, values });
    g.count += values.length;
    groups.set(key, g);
  }
  return [...groups.values()];
}
