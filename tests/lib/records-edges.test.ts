/**
 * The parts of lib/records.ts mutation testing found untested (docs/mutation-testing.md): DKIM
 * tokens read back from the last deployment, which records wait for the tokens, the report
 * authorization records, and the message for a region without tokens.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../lib/config";
import { type DnsRecord, dependsOnDkimTokens, deployedDkimTokens, dkimIdentityKey, expectedRecords, recordResourceKey, stableDkimOrder, toZoneFile } from "../../lib/records";
import { pulumiConfig } from "../helpers/config";

const cfg = () => validateConfig(pulumiConfig({ domain: "example.com", regions: ["us-east-1"], spfAll: "-all" }), "t").domains[0];
const tokens = { "us-east-1": ["aaa", "bbb", "ccc"] };

describe("deployedDkimTokens: the tokens of the last deployment, per identity, in record order", () => {
  const verification = {
    domains: [
      { domain: "example.com", regions: [{ region: "us-east-1", dkimTokens: ["t3", "t1", "t2"] }, { region: "eu-west-1", dkimTokens: ["e1", "e2", "e3"] }] },
      { domain: "example.org", regions: [{ region: "us-east-1", dkimTokens: ["o1", "o2", "o3"] }] },
    ],
  };
  it("reads the output as an object or as its JSON text, keyed domain/region", () => {
    const expected = new Map([
      ["example.com/us-east-1", ["t3", "t1", "t2"]],
      ["example.com/eu-west-1", ["e1", "e2", "e3"]],
      ["example.org/us-east-1", ["o1", "o2", "o3"]],
    ]);
    expect(deployedDkimTokens(verification)).toEqual(expected);
    expect(deployedDkimTokens(JSON.stringify(verification))).toEqual(expected);
    expect(dkimIdentityKey("example.com", "us-east-1")).toBe("example.com/us-east-1");
  });
  it("no last deployment, or one of another shape: no tokens", () => {
    expect(deployedDkimTokens(undefined)).toEqual(new Map());
    expect(deployedDkimTokens("not json")).toEqual(new Map());
    expect(deployedDkimTokens({ domains: [{ domain: "example.com" }] })).toEqual(new Map());
  });
});

describe("dependsOnDkimTokens: only the DKIM records wait for the tokens SES issues", () => {
  it("dkim yes; SPF, DMARC and MAIL FROM no", () => {
    const byPurpose = Object.fromEntries(expectedRecords(cfg(), tokens).map((r) => [r.purpose, dependsOnDkimTokens(r)]));
    expect(byPurpose).toEqual({ dkim: true, "mail-from-mx": false, "mail-from-spf": false, spf: false, dmarc: false });
  });
});

describe("expectedRecords", () => {
  it("a region without tokens is named as such", () => {
    expect(() => expectedRecords(cfg(), {})).toThrow("Expected 3 Easy DKIM tokens for example.com in us-east-1, got none.");
  });
  it("a report authorization for another domain of the stack is a v=DMARC1 TXT record at its name (RFC 7489 7.1)", () => {
    const name = "example.org._report._dmarc.example.com";
    const records = expectedRecords({ ...cfg(), reportAuthorizations: [name] }, tokens);
    expect(records.at(-1)).toEqual({ key: `dmarc-report-auth-${name}`, purpose: "dmarc-report-auth", name, type: "TXT", ttl: cfg().ttl, values: ["v=DMARC1"] });
  });
});

describe("toZoneFile: TXT text in a master file (RFC 1035 5.1)", () => {
  it("a backslash in the value is escaped as \\\\ (a bare one would escape the next character)", () => {
    const zone = toZoneFile([{ key: "b", purpose: "spf", name: "example.com", type: "TXT", ttl: 300, values: ["a\\b"] }]);
    expect(zone).toBe('example.com.   300 IN TXT   "a\\\\b"\n');
  });
});

describe("stableDkimOrder: each token keeps its deployed position", () => {
  it("keeps the deployed order, sorts only new tokens into the free positions, and returns one entry per token", () => {
    expect(stableDkimOrder(["b", "a", "c"], ["c", "a", "b"])).toEqual(["c", "a", "b"]);
    expect(stableDkimOrder(["x", "b", "a"], ["c", "a", "b"])).toEqual(["x", "a", "b"]);
    // A longer deployed list (a token dropped): positions past the new count are not kept.
    expect(stableDkimOrder(["z", "y"], ["a", "b", "z"])).toEqual(["y", "z"]);
  });
});

describe("recordResourceKey: a Route 53 record set is keyed by name and type, so MAIL FROM records are named after their domain", () => {
  const record = (key: string, purpose: DnsRecord["purpose"], name: string, type: DnsRecord["type"]): DnsRecord => ({ key, purpose, name, type, ttl: 600, values: [] });
  it("the MAIL FROM SPF TXT record: named after the MAIL FROM domain, its region key kept as the alias", () => {
    const spf = { ...record("mail-from-spf-us-east-1", "mail-from-spf", "bounce.example.com", "TXT"), region: "us-east-1" };
    expect(recordResourceKey(spf)).toEqual({ key: "mail-from-spf-bounce.example.com", previousKeys: ["mail-from-spf-us-east-1"] });
  });
  it("the MAIL FROM MX: the same rule", () => {
    const mx = { ...record("mail-from-mx-eu-west-1", "mail-from-mx", "mail.example.org", "MX"), region: "eu-west-1" };
    expect(recordResourceKey(mx)).toEqual({ key: "mail-from-mx-mail.example.org", previousKeys: ["mail-from-mx-eu-west-1"] });
  });
  it("apex SPF, DMARC, DKIM and report authorizations keep their key and have no earlier name", () => {
    expect(recordResourceKey(record("spf", "spf", "example.com", "TXT"))).toEqual({ key: "spf", previousKeys: [] });
    expect(recordResourceKey(record("dmarc", "dmarc", "_dmarc.example.com", "TXT"))).toEqual({ key: "dmarc", previousKeys: [] });
    expect(recordResourceKey(record("dkim-us-east-1-2", "dkim", "tok._domainkey.example.com", "CNAME"))).toEqual({ key: "dkim-us-east-1-2", previousKeys: [] });
    const auth = "example.org._report._dmarc.example.com";
    expect(recordResourceKey(record(`dmarc-report-auth-${auth}`, "dmarc-report-auth", auth, "TXT"))).toEqual({ key: `dmarc-report-auth-${auth}`, previousKeys: [] });
  });
});
