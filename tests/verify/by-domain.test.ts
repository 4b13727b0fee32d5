/**
 * verify's per-domain tally (lib/verify/by-domain.ts): a report over many domains names the
 * domains that are not all pass, and counts the rest.
 */
import { describe, expect, it } from "vitest";
import { domainOfSubject, domainSummaryLines, tallyByDomain } from "../../lib/verify/by-domain";
import type { Finding, Status } from "../../lib/verify/findings";

const f = (subject: string, status: Status): Finding => ({ layer: "dns", id: "dns.x", subject, status, summary: "", evidence: [] }) as unknown as Finding;
const DOMAINS = ["example.com", "sub.example.com", "example.org"];

describe("the domain a finding is about", () => {
  it("matches the domain, its record names and its addresses, the longest domain first", () => {
    expect(domainOfSubject("example.com us-east-1", DOMAINS)).toBe("example.com");
    expect(domainOfSubject("_dmarc.example.com", DOMAINS)).toBe("example.com");
    expect(domainOfSubject("bounce.sub.example.com (us-west-2)", DOMAINS)).toBe("sub.example.com");
    expect(domainOfSubject("admin@example.org", DOMAINS)).toBe("example.org");
  });
  it("reads a name at the end of a sentence (its trailing dot is not part of it)", () => {
    expect(domainOfSubject("MAIL FROM of example.org.", DOMAINS)).toBe("example.org");
    expect(domainOfSubject("mail for admin@example.org.", DOMAINS)).toBe("example.org");
  });
  it("the longest domain wins whatever the stack's order; between two of the same length, the first in that order", () => {
    expect(domainOfSubject("bounce.sub.example.com", ["sub.example.com", "example.com"])).toBe("sub.example.com");
    // example.com and example.org are both 11 characters long.
    expect(domainOfSubject("admin@example.org via example.com", ["example.org", "example.com"])).toBe("example.org");
    expect(domainOfSubject("admin@example.org via example.com", ["example.com", "example.org"])).toBe("example.com");
  });
  it("names no domain for a subject about none, or about a look-alike", () => {
    expect(domainOfSubject("AWS credentials", DOMAINS)).toBeUndefined();
    expect(domainOfSubject("notexample.com", DOMAINS)).toBeUndefined();
    expect(domainOfSubject("example.com.evil.net", DOMAINS)).toBeUndefined();
  });
});

describe("the per-domain lines", () => {
  it("count the domains that all pass and list the others with their counts", () => {
    const tallies = tallyByDomain([f("example.com", "pass"), f("_dmarc.sub.example.com", "fail"), f("sub.example.com us-east-1", "pass"), f("AWS credentials", "fail")], DOMAINS);
    expect(tallies).toEqual([
      { domain: "example.com", pass: 1, warn: 0, fail: 0, inconclusive: 0 },
      { domain: "sub.example.com", pass: 1, warn: 0, fail: 1, inconclusive: 0 },
      { domain: "example.org", pass: 0, warn: 0, fail: 0, inconclusive: 0 },
    ]);
    // A domain no finding names is not "all pass": nothing was seen of it.
    expect(domainSummaryLines(tallies)).toEqual(["Per domain: 1 of 3 domains all pass.", "  sub.example.com: 1 fail, 1 pass", "  example.org: no finding names it"]);
  });
  it("count a domain as all pass only when every finding about it passes, whatever mix of warn, fail and inconclusive it has", () => {
    const t = (domain: string, pass: number, warn: number, fail: number, inconclusive: number) => ({ domain, pass, warn, fail, inconclusive });
    expect(domainSummaryLines([t("example.com", 3, 0, 0, 0), t("example.org", 1, 1, 1, 0), t("example.net", 1, 0, 0, 1), t("example.edu", 1, 1, 0, 1)])).toEqual([
      "Per domain: 1 of 4 domains all pass.",
      "  example.org: 1 fail, 1 warn, 1 pass",
      "  example.net: 1 inconclusive, 1 pass",
      "  example.edu: 1 warn, 1 inconclusive, 1 pass",
    ]);
  });
  it("list two domains already (the lines are for any stack of more than one)", () => {
    expect(domainSummaryLines(tallyByDomain([f("example.com", "pass"), f("example.org", "warn")], ["example.com", "example.org"]))).toEqual(["Per domain: 1 of 2 domains all pass.", "  example.org: 1 warn"]);
  });
  it("add nothing for a one-domain stack", () => {
    expect(domainSummaryLines(tallyByDomain([f("example.com", "fail")], ["example.com"]))).toEqual([]);
  });
});
