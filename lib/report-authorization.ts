/**
 * DMARC report authorisation (RFC 7489 7.1, "Verifying External Destinations"): a receiver
 * sends reports to a mailbox outside the policy domain's Organisational Domain only when the
 * destination publishes TXT "v=DMARC1" at `<policy domain>._report._dmarc.<destination host>`.
 * One rule for the program (it publishes the record when the destination is another domain of
 * the same stack), the policy pack (it names the record the other side must publish) and verify
 * (dns.dmarc.report-authorization reads it live).
 *
 * @link https://www.rfc-editor.org/rfc/rfc7489#section-7.1
 */
import { type DmarcRecord, externalReportDestinations } from "./dmarc";
import { normalizeDomain } from "./domain";

/** The value an authorisation record holds (RFC 7489 7.1: a record that starts with v=DMARC1). */
export const REPORT_AUTHORIZATION_VALUE = "v=DMARC1";

export interface ReportAuthorization {
  /** The domain whose DMARC record names the destination. */
  policyDomain: string;
  uri: string;
  /** The destination host of the mailto: URI. */
  destination: string;
  /** `<policy domain>._report._dmarc.<destination>`. */
  name: string;
  /** The stack domain whose zone holds `name` (the destination or its parent), or undefined when outside the stack. */
  inStack?: string;
}

/**
 * Every authorisation the stack's DMARC records need, with the stack domain that can publish
 * each (the longest stack domain the destination host is, or is under).
 */
export function reportAuthorizations(domains: readonly { domain: string; dmarc: DmarcRecord }[]): ReportAuthorization[] {
  const names = domains.map((d) => normalizeDomain(d.domain));
  const out: ReportAuthorization[] = [];
  for (const d of domains) {
    for (const dest of externalReportDestinations(d.domain, d.dmarc)) {
      const host = normalizeDomain(dest.destination);
      const owner = names.filter((n) => host === n || host.endsWith(`.${n}`)).sort((a, b) => b.length - a.length)[0];
      out.push({ policyDomain: normalizeDomain(d.domain), uri: dest.uri, destination: host, name: normalizeDomain(dest.authorizationName), ...(owner ? { inStack: owner } : {}) });
    }
  }
  return out;
}
