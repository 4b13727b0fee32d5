/**
 * The expected DNS record set for a domain: computed here once. The DnsRecords component
 * declares it, the policies compare what is declared against it, verify compares live DNS
 * against it, and `plan` prints it.
 */
import type { DomainConfig } from "./config";
import { buildDmarc, dmarcRecordName } from "./dmarc";
import { buildSpf } from "./spf";
import { dkimCnameName, dkimCnameTarget, MAIL_FROM_MX_PRIORITY, mailFromMxHost } from "./regions";

export type RecordPurpose = "dkim" | "mail-from-mx" | "mail-from-spf" | "spf" | "dmarc";
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
  records.push({ key: "spf", purpose: "spf", name: cfg.domain, type: "TXT", ttl: cfg.ttl, values: [cfg.spf.record] });
  records.push({
    key: "dmarc",
    purpose: "dmarc",
    name: dmarcRecordName(cfg.domain),
    type: "TXT",
    ttl: cfg.ttl,
    values: [buildDmarc(cfg.dmarc)],
  });
  return records;
}

/** Split a TXT value into RFC 1035 character-strings of at most 255 bytes. */
export function txtStrings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= 255) return [value];
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255).toString("utf8"));
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
      const rdata =
        r.type === "TXT" ? txtStrings(value).map(quote).join(" ") : r.type === "MX" ? value.replace(/(\S+)$/, "$1.") : `${value}.`;
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
