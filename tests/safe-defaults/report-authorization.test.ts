/**
 * DMARC report authorisation (RFC 7489 7.1): the program publishes
 * `<policy domain>._report._dmarc.<destination>` TXT "v=DMARC1" when the reports of one stack
 * domain go to another domain of the same stack.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../lib/config";
import { expectedRecords } from "../../lib/records";
import { reportAuthorizations } from "../../lib/report-authorization";
import { pulumiConfig } from "../helpers/config";
import { runWithConfig } from "../helpers/program";

const TOKENS = { "us-east-1": ["t1", "t2", "t3"] };

describe("report authorisation records", () => {
  it("a stack domain that receives another stack domain's reports publishes the authorisation", () => {
    const cfg = validateConfig(pulumiConfig({ domains: ["a.example", "b.example"], regions: ["us-east-1"], dmarcRua: ["mailto:dmarc@a.example", "mailto:agg@reports.example.net"] }), "t");
    const [a, b] = cfg.domains;
    expect(a.reportAuthorizations).toEqual(["b.example._report._dmarc.a.example"]);
    expect(b.reportAuthorizations).toBeUndefined();
    expect(expectedRecords(a, TOKENS).filter((r) => r.purpose === "dmarc-report-auth")).toEqual([
      { key: "dmarc-report-auth-b.example._report._dmarc.a.example", purpose: "dmarc-report-auth", name: "b.example._report._dmarc.a.example", type: "TXT", ttl: 600, values: ["v=DMARC1"] },
    ]);
  });

  it("publishes nothing for a mailbox at the domain itself, and names the record an outside destination must publish", () => {
    const cfg = validateConfig(pulumiConfig({ domain: "a.example", regions: ["us-east-1"], dmarcRua: ["mailto:dmarc@a.example", "mailto:agg@reports.example.net"] }), "t");
    expect(cfg.domains[0].reportAuthorizations).toBeUndefined();
    expect(reportAuthorizations(cfg.domains)).toEqual([
      { policyDomain: "a.example", uri: "mailto:agg@reports.example.net", destination: "reports.example.net", name: "a.example._report._dmarc.reports.example.net" },
    ]);
  });

  it("the program declares the record in the destination's zone", async () => {
    const run = await runWithConfig({ domains: ["a.example", "b.example"], regions: ["us-east-1"], dmarcRua: ["mailto:dmarc@a.example"] });
    const auth = run.resources.filter((r) => r.type === "aws:route53/record:Record" && String(r.inputs.name).includes("._report._dmarc."));
    expect(auth.map((r) => [r.name, r.inputs.name, r.inputs.records])).toEqual([["a.example-dns-dmarc-report-auth-b.example._report._dmarc.a.example", "b.example._report._dmarc.a.example", ["v=DMARC1"]]]);
  });
});
