/**
 * Which stack domain can publish each DMARC report authorisation (lib/report-authorization.ts,
 * RFC 7489 7.1): the longest stack domain the destination host is, or is under. The records the
 * program publishes from it: tests/safe-defaults/report-authorization.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { DmarcRecord } from "../../lib/dmarc";
import { reportAuthorizations } from "../../lib/report-authorization";

const dmarc = (...rua: string[]): DmarcRecord => ({ v: "DMARC1", p: "reject", rua });

describe("reportAuthorizations: the stack domain whose zone holds the record", () => {
  it("a destination under a stack domain is published in that domain's zone", () => {
    expect(reportAuthorizations([{ domain: "a.example", dmarc: dmarc("mailto:agg@reports.b.example") }, { domain: "b.example", dmarc: dmarc() }])).toEqual([
      { policyDomain: "a.example", uri: "mailto:agg@reports.b.example", destination: "reports.b.example", name: "a.example._report._dmarc.reports.b.example", inStack: "b.example" },
    ]);
  });
  it("the longest stack domain the destination is under wins, whatever the order of the domains", () => {
    const a = { domain: "a.example", dmarc: dmarc("mailto:agg@x.reports.b.example") };
    const parent = { domain: "b.example", dmarc: dmarc() };
    const child = { domain: "reports.b.example", dmarc: dmarc() };
    for (const domains of [[a, parent, child], [a, child, parent], [child, parent, a]]) {
      expect(reportAuthorizations(domains).map((r) => [r.policyDomain, r.name, r.inStack])).toEqual([["a.example", "a.example._report._dmarc.x.reports.b.example", "reports.b.example"]]);
    }
  });
  it("a destination outside the stack has no stack domain: the other side must publish it", () => {
    expect(reportAuthorizations([{ domain: "a.example", dmarc: dmarc("mailto:agg@reports.example.net") }])).toEqual([
      { policyDomain: "a.example", uri: "mailto:agg@reports.example.net", destination: "reports.example.net", name: "a.example._report._dmarc.reports.example.net" },
    ]);
  });
});
