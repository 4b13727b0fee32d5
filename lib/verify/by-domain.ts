/**
 * verify's per-domain view of a multi-domain stack: which domain each finding is about, and a
 * count per status for each domain, so a report over 1,000 domains names the few that are not
 * healthy instead of burying them (docs/architecture.md, "A thousand domains in one stack").
 * Pure: reads the findings' subjects only.
 */
import type { Finding, Status } from "./findings";

export interface DomainTally {
  domain: string;
  pass: number;
  warn: number;
  fail: number;
  inconclusive: number;
}

/**
 * The stack domain a subject names: the longest domain `d` such that one of the subject's words
 * is `d`, ends in ".d" (a record name such as _dmarc.d or bounce.d) or ends in "@d" (an address).
 * Undefined for subjects about no one domain (the SES account, the SMTP credentials).
 */
export function domainOfSubject(subject: string, domains: readonly string[]): string | undefined {
  const words = subject.toLowerCase().split(/[\s(),;:'"<>[\]]+/).map((w) => w.replace(/\.$/, "")).filter(Boolean);
  let best: string | undefined;
  for (const d of domains) {
    if (best !== undefined && d.length <= best.length) continue;
    if (words.some((w) => w === d || w.endsWith(`.${d}`) || w.endsWith(`@${d}`))) best = d;
  }
  return best;
}

/** One tally per domain, in `domains` order; findings about no single domain are not counted. */
export function tallyByDomain(findings: readonly Finding[], domains: readonly string[]): DomainTally[] {
  const byDomain = new Map(domains.map((d) => [d.toLowerCase(), { domain: d.toLowerCase(), pass: 0, warn: 0, fail: 0, inconclusive: 0 } as DomainTally]));
  const lower = [...byDomain.keys()];
  for (const f of findings) {
    const d = domainOfSubject(f.subject, lower);
    if (d !== undefined) byDomain.get(d)![f.status as Status] += 1;
  }
  return [...byDomain.values()];
}

/** Report lines: every domain that is not all pass, and how many are. Empty for fewer than two domains. */
export function domainSummaryLines(tallies: readonly DomainTally[]): string[] {
  if (tallies.length < 2) return [];
  const notPass = tallies.filter((t) => t.fail + t.warn + t.inconclusive > 0 || t.pass === 0);
  const lines = [`Per domain: ${tallies.length - notPass.length} of ${tallies.length} domains all pass.`];
  for (const t of notPass) {
    const parts = (["fail", "warn", "inconclusive", "pass"] as const).filter((s) => t[s] > 0).map((s) => `${t[s]} ${s}`);
    lines.push(`  ${t.domain}: ${parts.length > 0 ? parts.join(", ") : "no finding names it"}`);
  }
  return lines;
}
