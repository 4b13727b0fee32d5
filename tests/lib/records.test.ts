import { describe, expect, it } from "vitest";
import { validateConfig } from "../../lib/config";
import { expectedRecords, route53TxtValue, toZoneFile, txtStrings } from "../../lib/records";
import { pulumiConfig } from "../helpers/config";

const cfg = () => validateConfig(pulumiConfig({ domain: "example.com", regions: ["us-east-1", "af-south-1"], spfAll: "-all" }), "t").domains[0];
const tokens = { "us-east-1": ["aaa", "bbb", "ccc"], "af-south-1": ["ddd", "eee", "fff"] };

describe("expectedRecords", () => {
  it("lists DKIM, MAIL FROM MX and SPF per region, then the apex SPF and DMARC", () => {
    const records = expectedRecords(cfg(), tokens);
    expect(records.map((r) => `${r.key} ${r.type} ${r.name} ${r.values.join("|")}`)).toEqual([
      "dkim-us-east-1-1 CNAME aaa._domainkey.example.com aaa.dkim.amazonses.com",
      "dkim-us-east-1-2 CNAME bbb._domainkey.example.com bbb.dkim.amazonses.com",
      "dkim-us-east-1-3 CNAME ccc._domainkey.example.com ccc.dkim.amazonses.com",
      "mail-from-mx-us-east-1 MX bounce.example.com 10 feedback-smtp.us-east-1.amazonses.com",
      "mail-from-spf-us-east-1 TXT bounce.example.com v=spf1 include:amazonses.com -all",
      "dkim-af-south-1-1 CNAME ddd._domainkey.example.com ddd.dkim.af-south-1.amazonses.com",
      "dkim-af-south-1-2 CNAME eee._domainkey.example.com eee.dkim.af-south-1.amazonses.com",
      "dkim-af-south-1-3 CNAME fff._domainkey.example.com fff.dkim.af-south-1.amazonses.com",
      "mail-from-mx-af-south-1 MX bounce-af-south-1.example.com 10 feedback-smtp.af-south-1.amazonses.com",
      "mail-from-spf-af-south-1 TXT bounce-af-south-1.example.com v=spf1 include:amazonses.com -all",
      "spf TXT example.com v=spf1 -all",
      "dmarc TXT _dmarc.example.com v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com",
    ]);
  });

  it("has the same keys whatever the token values", () => {
    const other = expectedRecords(cfg(), { "us-east-1": ["x", "y", "z"], "af-south-1": ["u", "v", "w"] });
    expect(other.map((r) => r.key)).toEqual(expectedRecords(cfg(), tokens).map((r) => r.key));
  });

  it("refuses a region without exactly three tokens", () => {
    expect(() => expectedRecords(cfg(), { "us-east-1": ["a", "b"], "af-south-1": ["d", "e", "f"] })).toThrow(/Expected 3 Easy DKIM tokens for example.com in us-east-1, got 2/);
  });
});

describe("TXT encoding", () => {
  const long = "v=spf1 " + Array.from({ length: 30 }, (_, i) => `ip4:192.0.2.${i}`).join(" ") + " -all";
  it("keeps a short value as one string", () => {
    expect(txtStrings("v=spf1 -all")).toEqual(["v=spf1 -all"]);
    expect(route53TxtValue("v=spf1 -all")).toBe("v=spf1 -all");
  });
  it("splits a value over 255 bytes for Route 53 and zone files", () => {
    expect(long.length).toBeGreaterThan(255);
    const parts = txtStrings(long);
    expect(parts.length).toBe(2);
    expect(parts[0]).toHaveLength(255);
    expect(parts.join("")).toBe(long);
    expect(route53TxtValue(long)).toBe(parts.join('""'));
    expect(toZoneFile([{ key: "spf", purpose: "spf", name: "example.com", type: "TXT", ttl: 300, values: [long] }])).toContain(`"${parts[0]}" "${parts[1]}"`);
  });
  it("writes absolute names and escapes quotes", () => {
    const zone = toZoneFile(
      [
        { key: "a", purpose: "dkim", name: "t._domainkey.example.com", type: "CNAME", ttl: 300, values: ["t.dkim.amazonses.com"] },
        { key: "b", purpose: "spf", name: "example.com", type: "TXT", ttl: 300, values: ['say "hi"'] },
        { key: "c", purpose: "mail-from-mx", name: "bounce.example.com", type: "MX", ttl: 300, values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
      ],
      "header line",
    );
    expect(zone.split("\n")).toEqual([
      "; header line",
      "t._domainkey.example.com.   300 IN CNAME t.dkim.amazonses.com.",
      'example.com.                300 IN TXT   "say \\"hi\\""',
      "bounce.example.com.         300 IN MX    10 feedback-smtp.us-east-1.amazonses.com.",
      "",
    ]);
  });
});

describe("parseRoute53TxtValue", () => {
  it("is the inverse of route53TxtValue, also for values over 255 bytes", async () => {
    const { parseRoute53TxtValue } = await import("../../lib/records");
    const long = `v=spf1 ${Array.from({ length: 30 }, (_, i) => `ip4:192.0.2.${i}`).join(" ")} -all`;
    expect(long.length).toBeGreaterThan(255);
    expect(route53TxtValue(long)).toContain('""');
    expect(parseRoute53TxtValue(route53TxtValue(long))).toBe(long);
    expect(parseRoute53TxtValue("v=spf1 ~all")).toBe("v=spf1 ~all");
  });

  it("reads the quoted form, with escapes", async () => {
    const { parseRoute53TxtValue } = await import("../../lib/records");
    expect(parseRoute53TxtValue('"v=DMARC1; p=none"')).toBe("v=DMARC1; p=none");
    expect(parseRoute53TxtValue('"v=spf1 ip4:192.0.2.1 " "-all"')).toBe("v=spf1 ip4:192.0.2.1 -all");
    expect(parseRoute53TxtValue('"say \\"hi\\""')).toBe('say "hi"');
  });
});
