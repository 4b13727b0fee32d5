/**
 * The expected DNS record set for a domain: computed here once. The DnsRecords component
 * declares it, the policies compare what is declared against it, verify compares live DNS
 * against it, and `plan` prints it.
 */
import { z } from "zod";
import type { DomainConfig } from "./config";
import { readLastOutput } from "./last-deployment";
import { buildDmarc, dmarcRecordName } from "./dmarc";
import { REPORT_AUTHORIZATION_VALUE } from "./report-authorization";
import { buildSpf } from "./spf";
import { dkimCnameName, dkimCnameTarget, MAIL_FROM_MX_PRIORITY, mailFromMxHost } from "./regions";

export type RecordPurpose = "dkim" | "mail-from-mx" | "mail-from-spf" | "spf" | "dmarc" | "dmarc-report-auth";
export type RecordType = "CNAME" | "MX" | "TXT";

export interface DnsRecord {
  /** Stable across token values: names the Pulumi resource and matches records across runs. */
  readonly key: string;
  readonly purpose: RecordPurpose;
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  /** One value per resource record: CNAME target, "10 host" for MX, unquoted text for TXT. */
  readonly values: string[];
  /** The SES region the record belongs to (DKIM and MAIL FROM records). */
  readonly region?: string;
}

/** Easy DKIM always issues three tokens per identity and region. */
export const DKIM_TOKENS_PER_IDENTITY = 3;

/** SPF record on a MAIL FROM domain: SES's include, closed with the configured all. */
export function mailFromSpf(all: DomainConfig["spf"]["all"]): string {
  return buildSpf(["include:amazonses.com"], all);
}

/**
 * The three Easy DKIM CNAMEs of one identity in one region. `signingHostedZone` defaults to the
 * region's (lib/regions); verify's discovery mode passes the one the SES API reports.
 */
export function dkimRecords(domain: string, region: string, tokens: readonly string[], ttl: number, signingHostedZone?: string): DnsRecord[] {
  return tokens.map((token, i) => ({
    key: `dkim-${region}-${i + 1}`,
    purpose: "dkim",
    name: dkimCnameName(token, domain),
    type: "CNAME",
    ttl,
    values: [dkimCnameTarget(token, region, signingHostedZone)],
    region,
  }));
}

/**
 * The DKIM tokens of one identity in the positions their records hold (`dkim-<region>-<n>`).
 * SES returns the three tokens in no promised order, and a record's name is its token, so a
 * token that moved to another position would replace two records whose new names collide
 * with each other's old ones. A token keeps the position it had at the last deployment
 * (`deployed`, that identity's manifest dkimTokens); tokens new to the identity take the
 * free positions in sorted order. SES returning the same tokens in another order changes
 * nothing; a changed token (a new identity) replaces only its own record.
 */
export function stableDkimOrder(tokens: readonly string[], deployed: readonly string[] = []): string[] {
  const placed: (string | undefined)[] = deployed.slice(0, tokens.length).map((t) => (tokens.includes(t) ? t : undefined));
  while (placed.length < tokens.length) placed.push(undefined);
  const fresh = tokens.filter((t) => !placed.includes(t)).sort();
  return placed.map((t) => t ?? (fresh.shift() as string));
}

const lastDkimSchema = z.object({
  domains: z.array(z.object({ domain: z.string(), regions: z.array(z.object({ region: z.string(), dkimTokens: z.array(z.string()) })) })),
});

/**
 * The DKIM tokens per identity, in record order, from the stack's last `verification` output
 * (a manifest, or its JSON text). Keyed by dkimIdentityKey. Empty when there is no readable
 * last deployment: then tokens take positions in sorted order.
 */
export function deployedDkimTokens(verification: unknown): Map<string, string[]> {
  const last = readLastOutput(verification, lastDkimSchema);
  return new Map((last?.domains ?? []).flatMap((d) => d.regions.map((r) => [dkimIdentityKey(d.domain, r.region), r.dkimTokens] as const)));
}

export const dkimIdentityKey = (domain: string, region: string): string => `${domain}/${region}`;

/**
 * The Pulumi resource name suffix of a record (DnsRecords names resources `<domain>-dns-<it>`).
 * Route 53 keys a record set by name and type, so a resource named after them can never want
 * the record set another resource holds: MAIL FROM records are named after their MAIL FROM
 * domain, not their region, so a reorder of `regions` (which moves the primary's MAIL FROM
 * to another region) updates the MX in place instead of creating one that collides with the
 * existing one. DKIM records keep their position key (their name is a token, see
 * stableDkimOrder); SPF and DMARC have one record per domain. `previousKeys` are the names
 * earlier versions used, for `aliases`.
 */
export function recordResourceKey(r: DnsRecord): { key: string; previousKeys: string[] } {
  if (r.purpose === "mail-from-mx" || r.purpose === "mail-from-spf") return { key: `${r.purpose}-${r.name}`, previousKeys: [r.key] };
  return { key: r.key, previousKeys: [] };
}

/**
 * Whether a record's name or value comes from the DKIM tokens SES issues (unknown until the
 * identity exists). The others (SPF, DMARC, MAIL FROM MX and TXT) depend only on config, so
 * DnsRecords declares them with values a first `pulumi preview` already knows.
 */
export function dependsOnDkimTokens(r: Pick<DnsRecord, "purpose">): boolean {
  return r.purpose === "dkim";
}

/** The MX a custom MAIL FROM domain needs to send from `region`. */
export function mailFromMxRecord(mailFromDomain: string, region: string, ttl: number): DnsRecord {
  return {
    key: `mail-from-mx-${region}`,
    purpose: "mail-from-mx",
    name: mailFromDomain,
    type: "MX",
    ttl,
    values: [`${MAIL_FROM_MX_PRIORITY} ${mailFromMxHost(region)}`],
    region,
  };
}

/**
 * The records a domain needs, in a fixed order and count that do not depend on token
 * values (so a Pulumi program can declare one resource per index before tokens are known).
 */
export function expectedRecords(
  cfg: DomainConfig,
  dkimTokens: Readonly<Record<string, readonly string[]>>,
): DnsRecord[] {
  const records: DnsRecord[] = [];
  for (const { region, mailFromDomain } of cfg.regions) {
    const tokens = dkimTokens[region];
    if (!tokens || tokens.length !== DKIM_TOKENS_PER_IDENTITY) {
      throw new Error(
        `Expected ${DKIM_TOKENS_PER_IDENTITY} Easy DKIM tokens for ${cfg.domain} in ${region}, got ${tokens ? tokens.length : "none"}.`,
      );
    }
    records.push(...dkimRecords(cfg.domain, region, tokens, cfg.ttl), mailFromMxRecord(mailFromDomain, region, cfg.ttl));
    records.push({
      key: `mail-from-spf-${region}`,
      purpose: "mail-from-spf",
      name: mailFromDomain,
      type: "TXT",
      ttl: cfg.ttl,
      values: [mailFromSpf(cfg.spf.all)],
      region,
    });
  }
  // The apex TXT set is one Route 53 record set: the SPF record and every other declared value.
  records.push({ key: "spf", purpose: "spf", name: cfg.domain, type: "TXT", ttl: cfg.ttl, values: [cfg.spf.record, ...cfg.apexTxtValues] });
  records.push({
    key: "dmarc",
    purpose: "dmarc",
    name: dmarcRecordName(cfg.domain),
    type: "TXT",
    ttl: cfg.ttl,
    values: [buildDmarc(cfg.dmarc)],
  });
  // Reports for other domains of the stack that name a mailbox here (lib/report-authorization.ts, RFC 7489 7.1).
  for (const name of cfg.reportAuthorizations ?? []) {
    records.push({ key: `dmarc-report-auth-${name}`, purpose: "dmarc-report-auth", name, type: "TXT", ttl: cfg.ttl, values: [REPORT_AUTHORIZATION_VALUE] });
  }
  return records;
}

/**
 * Split a TXT value into RFC 1035 character-strings of at most 255 bytes, each cut before a
 * UTF-8 lead byte, so no character is split in two (a cut one would decode as U+FFFD).
 */
export function txtStrings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= 255) return [value];
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; ) {
    let end = Math.min(i + 255, bytes.length);
    // 0b10xxxxxx is a continuation byte: the character started earlier.
    while (end < bytes.length && end > i + 1 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(i, end).toString("utf8"));
    i = end;
  }
  return parts;
}

/**
 * A TXT value as Route 53 takes it through the provider: the provider adds the outer quotes;
 * values over 255 bytes are split into several strings joined with `""`.
 */
export function route53TxtValue(value: string): string {
  return txtStrings(value).join('""');
}

const quote = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** A BIND master-file fragment with absolute names, ready to paste into a zone. */
export function toZoneFile(records: readonly DnsRecord[], header?: string): string {
  const lines: string[] = [];
  if (header) lines.push(...header.split("\n").map((l) => `; ${l}`));
  const width = Math.max(...records.map((r) => r.name.length + 1), 0);
  for (const r of records) {
    for (const value of r.values) {
      // A CNAME's target and an MX's exchange ("10 host") end in a host name: made absolute.
      const rdata = r.type === "TXT" ? txtStrings(value).map(quote).join(" ") : `${value}.`;
      lines.push(`${(r.name + ".").padEnd(width)} ${String(r.ttl).padStart(5)} IN ${r.type.padEnd(5)} ${rdata}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The inverse of `route53TxtValue`: the text of a TXT value as it is written in a Route 53
 * record (`records` of aws.route53.Record). Accepts the provider's form (strings over 255
 * bytes joined with `""`) and the fully quoted form (`"part one" "part two"`, with `\"` and
 * `\\` escapes) that the API and some programs use. The character-strings are joined
 * without a separator, as receivers do for SPF and DMARC (RFC 7208 3.3, RFC 7489 6.4).
 */
export function parseRoute53TxtValue(value: string): string {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"((?:\s*"(?:[^"\\]|\\.)*")*)\s*$/s;
  if (quoted.test(value)) {
    const parts: string[] = [];
    const part = /"((?:[^"\\]|\\.)*)"/gs;
    for (let m = part.exec(value); m !== null; m = part.exec(value)) parts.push((m[1] ?? "").replace(/\\(.)/gs, "$1"));
    return parts.join("");
  }
  return value.split('""').join("");
}
