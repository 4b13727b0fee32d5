/**
 * SMTP TLS Reporting (RFC 8460): the `_smtp._tls` TXT record that tells senders where to report
 * TLS failures (a failed STARTTLS, an MTA-STS mismatch) for a domain.
 */
import { normalizeDomain } from "./domain";
import { shown } from "./text";

export const tlsRptRecordName = (domain: string): string => `_smtp._tls.${normalizeDomain(domain)}`;

export interface TlsRptRecord {
  /** Report destinations: mailto: or https: URIs. */
  rua: string[];
}

export type TlsRptResult = { kind: "none" } | { kind: "record"; record: TlsRptRecord; text: string } | { kind: "invalid"; problem: string; texts: string[] };

/**
 * Judge the TXT values at `_smtp._tls.<domain>` (RFC 8460 3): values not starting with
 * "v=TLSRPTv1" are discarded; zero left is "none"; more than one, or one without a valid rua
 * (comma-separated mailto: or https: URIs), is "invalid": senders then send no reports.
 */
export function parseTlsRptRecord(values: readonly string[]): TlsRptResult {
  const texts = values.filter((v) => /^v=TLSRPTv1[ \t]*(;|$)/.test(v));
  if (texts.length === 0) return { kind: "none" };
  if (texts.length > 1) return { kind: "invalid", problem: `${texts.length} "v=TLSRPTv1" records are published; with more than one, senders send no reports (RFC 8460 3). Keep exactly one.`, texts };
  const text = texts[0];
  let rua: string | undefined;
  for (const part of text.split(";").slice(1)) {
    const field = part.trim();
    if (field === "") continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/.exec(field);
    if (!m) return { kind: "invalid", problem: `${shown(field)} is not a key=value field (RFC 8460 3).`, texts };
    if (m[1] === "rua" && rua === undefined) rua = m[2];
  }
  if (rua === undefined) return { kind: "invalid", problem: 'the record has no "rua" field; it is required (RFC 8460 3): rua=mailto:tlsrpt@<domain> or an https: URL.', texts };
  const uris = rua.split(",").map((u) => u.trim());
  for (const uri of uris) {
    const ok = /^mailto:[^\s@,;]+@[^\s@,;]+$/i.test(uri) || (/^https:\/\//i.test(uri) && URL.canParse(uri));
    if (!ok) return { kind: "invalid", problem: `rua ${shown(uri)} is neither a mailto: address nor an https: URL (RFC 8460 3).`, texts };
  }
  return { kind: "record", record: { rua: uris }, text };
}
