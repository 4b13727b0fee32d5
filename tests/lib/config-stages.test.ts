/**
 * validateConfig stage by stage (lib/config.ts): each refusal with its whole message (the key
 * it names, what is wrong, how to fix it), and each accepted value as the typed config carries
 * it. tests/config.test.ts covers the rules; this file pins the words a user reads and the
 * edges of each stage.
 */
import { describe, expect, it } from "vitest";
import { apexTxtValueProblem, ConfigError, parseSender, resolveMailFrom, validateConfig, type MailConfig } from "../../lib/config";
import { policySize, sesArn, smtpGrant } from "../../lib/iam";
import { configIssues as issues, pulumiConfig } from "../helpers/config";

const base = { domain: "example.com", regions: ["us-east-1"] };

function valid(values: Record<string, string | number | string[]>, stack = "test"): MailConfig {
  return validateConfig(pulumiConfig(values), stack);
}

describe("config stage 1, shape: keys, types, defaults", () => {
  it("an unknown key lists the known keys, in the table's order", () => {
    const [found, ...rest] = issues({ ...base, frobnicate: "x" });
    expect(rest).toEqual([]);
    expect(found).toMatch(/^mail-infra:frobnicate: unknown key\. Known keys: domain, domains, regions, mailFromSubdomain, .*, protect\.$/);
    expect(found).not.toMatch(/Did you mean/);
  });

  it("a near miss (another case) is named with its full key", () => {
    expect(issues({ ...base, DNSMODE: "external" })).toEqual([expect.stringMatching(/^mail-infra:DNSMODE: unknown key\. Did you mean mail-infra:dnsMode\? Known keys: domain, /)]);
  });

  it("takes full keys and short keys, and skips other namespaces", () => {
    expect(validateConfig({ "mail-infra:domain": "example.com", regions: '["us-east-1"]', "aws:region": "eu-west-1", "other:frobnicate": "x" }, "t").domains.map((d) => d.domain)).toEqual(["example.com"]);
    // A key of another project that happens to contain this project's name is not ours.
    expect(validateConfig({ ...pulumiConfig(base), "xmail-infra:frobnicate": "x" }, "t").stack).toBe("t");
  });

  it("a missing required key names the command to set it and what the key is for", () => {
    expect(issues({ domain: "example.com" })).toEqual([
      "mail-infra:regions: is required. Set it with `pulumi config set mail-infra:regions ...` (SES regions to send from; the first is the primary (its MAIL FROM is `mailFromSubdomain`, it holds the SMTP secret). Each must offer SES SMTP.)",
    ]);
  });

  it("a value of the wrong type names the type wanted and the value got", () => {
    expect(issues({ ...base, dmarcPercent: "half" })).toEqual(['mail-infra:dmarcPercent: must be a whole number, got a string: "half".']);
    expect(issues({ ...base, dmarcPercent: "1.5" })).toEqual(["mail-infra:dmarcPercent: must be a whole number, got a number: 1.5."]);
    expect(issues({ ...base, protect: "yes" })).toEqual(['mail-infra:protect: must be true or false, got a string: "yes".']);
    expect(issues({ ...base, regions: "us-east-1" })).toEqual([
      "mail-infra:regions: must be a list of strings (YAML list, or `pulumi config set --path 'mail-infra:KEY[0]' VALUE`), got a string: \"us-east-1\".",
    ]);
    expect(issues({ ...base, regions: "[1]" })).toEqual([
      "mail-infra:regions: must be a list of strings (YAML list, or `pulumi config set --path 'mail-infra:KEY[0]' VALUE`), got a list: [1].",
    ]);
    // A string key's value is never decoded: JSON text stays the text.
    expect(issues({ ...base, smtpUserName: '["a"]' })).toEqual(['mail-infra:smtpUserName: "[\\"a\\"]" is not a valid IAM user name: use up to 64 letters, digits and +=,.@_-.']);
  });

  it("a string key keeps text that reads as JSON; other types take JSON text or values already decoded", () => {
    expect(valid({ ...base, smtpCredentials: "any-address", smtpUserName: "12345" }).smtp?.userName).toBe("12345");
    expect(valid({ ...base, smtpCredentials: "any-address", smtpUserName: "true" }).smtp?.userName).toBe("true");
    const decoded = validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": ["us-east-1"], "mail-infra:dnsTtl": 600, "mail-infra:protect": false }, "t");
    expect(decoded.domains[0].ttl).toBe(600);
    expect(decoded.protect).toBe(false);
    expect(valid({ ...base, protect: "false" }).protect).toBe(false);
    expect(valid(base).protect).toBe(true);
  });

  it("stops after the shape stage: no later stage judges a config without its shape", () => {
    // regions has the wrong type and the domain is invalid: only the shape problem is reported.
    expect(issues({ domain: "bad_domain", regions: "us-east-1" })).toEqual([expect.stringMatching(/^mail-infra:regions: must be a list of strings/)]);
  });

  it("defaults are copies: one validated config does not change the next", () => {
    const first = valid(base);
    (first.domains[0].spf.mechanisms as string[]).push("ip4:192.0.2.1");
    (first.domains[0].apexTxtValues as string[]).push("token");
    expect(valid(base).domains[0].spf).toEqual({ mechanisms: [], all: "~all", record: "v=spf1 ~all" });
    expect(valid(base).domains[0].apexTxtValues).toEqual([]);
  });
});

describe("ConfigError", () => {
  it("counts its problems in the first line, one problem or several", () => {
    const one = new ConfigError([{ key: "mail-infra:a", message: "x." }]);
    expect(one.message).toBe("Invalid stack configuration (1 problem):\n  - mail-infra:a: x.");
    expect(one.name).toBe("ConfigError");
    expect(one.issues).toEqual([{ key: "mail-infra:a", message: "x." }]);
    const two = new ConfigError([
      { key: "mail-infra:a", message: "x." },
      { key: "mail-infra:b", message: "y." },
    ]);
    expect(two.message).toBe("Invalid stack configuration (2 problems):\n  - mail-infra:a: x.\n  - mail-infra:b: y.");
  });
  it("wraps a long problem at 100 columns", () => {
    const e = new ConfigError([{ key: "mail-infra:a", message: "word ".repeat(40).trim() }]);
    const lines = e.message.split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(e.issues[0].message).toBe("word ".repeat(40).trim());
  });
});

describe("config stage 2, domains", () => {
  it("refuses domain and domains together, and no domain at all", () => {
    expect(issues({ ...base, domains: ["example.org"] })).toEqual(["mail-infra:domains: set either mail-infra:domain or mail-infra:domains, not both. Move the single domain into the list."]);
    expect(issues({ regions: ["us-east-1"] })).toEqual(["mail-infra:domain: no domain configured. Set `pulumi config set mail-infra:domain example.com` (or a list in mail-infra:domains)."]);
    expect(issues({ domains: [], regions: ["us-east-1"] })).toEqual(["mail-infra:domain: no domain configured. Set `pulumi config set mail-infra:domain example.com` (or a list in mail-infra:domains)."]);
  });
  it("a domain given with domain takes domain's value, not the list", () => {
    const both = issues({ domain: "example.com", domains: ["bad_domain"], regions: ["us-east-1"] });
    expect(both).toEqual(["mail-infra:domains: set either mail-infra:domain or mail-infra:domains, not both. Move the single domain into the list."]);
  });
  it("names a bad entry by its index in domains, or as domain", () => {
    expect(issues({ domains: ["ok.example", "bad_domain"], regions: ["us-east-1"] })).toEqual([
      expect.stringMatching(/^mail-infra:domains\[1\]: "bad_domain" is not a valid domain to send from: "bad_domain" is a single label/),
    ]);
    expect(issues({ ...base, domain: "bad_domain" })).toEqual([expect.stringMatching(/^mail-infra:domain: "bad_domain" is not a valid domain to send from: /)]);
  });
  it("refuses a duplicate after normalising (case, trailing dot)", () => {
    expect(issues({ domains: ["a.example", "A.example."], regions: ["us-east-1"] })).toEqual(['mail-infra:domains[1]: "A.example." is listed twice. Remove the duplicate.']);
    expect(valid({ ...base, domain: "Example.COM." }).domains.map((d) => d.domain)).toEqual(["example.com"]);
  });
});

describe("config stage 3, regions", () => {
  it("needs one region at least", () => {
    expect(issues({ ...base, regions: [] })).toEqual(["mail-infra:regions: list at least one SES region, e.g. [us-east-1]. The first is the primary."]);
  });
  it("names a region without SES SMTP by its index, and why it matters", () => {
    expect(issues({ ...base, regions: ["us-east-1", "mars-1"] })).toEqual([
      expect.stringMatching(/^mail-infra:regions\[1\]: "mars-1" has no Amazon SES SMTP endpoint\..* \(The SMTP credentials could not be used in a region without it\.\)$/),
    ]);
  });
  it("refuses a duplicate after normalising, and keeps the regions in order", () => {
    expect(issues({ ...base, regions: ["us-east-1", "US-EAST-1"] })).toEqual(['mail-infra:regions[1]: "US-EAST-1" is listed twice. Remove the duplicate.']);
    expect(valid({ ...base, regions: ["EU-West-1", "us-east-1"] }).domains[0].regions.map((r) => [r.region, r.primary])).toEqual([
      ["eu-west-1", true],
      ["us-east-1", false],
    ]);
  });
});

describe("config stage 4, the enumerated settings", () => {
  it("names each refused value and the allowed ones", () => {
    expect(issues({ ...base, dkimSigningKeyLength: "RSA_4096_BIT", tlsPolicy: "NONE", spfAll: "?all", dnsMode: "x", mailFromBehaviorOnMxFailure: "y" })).toEqual([
      'mail-infra:mailFromBehaviorOnMxFailure: "y" is not allowed. Use one of: REJECT_MESSAGE, USE_DEFAULT_VALUE.',
      'mail-infra:dkimSigningKeyLength: "RSA_4096_BIT" is not allowed. Use one of: RSA_2048_BIT, RSA_1024_BIT.',
      'mail-infra:tlsPolicy: "NONE" is not allowed. Use one of: REQUIRE, OPTIONAL.',
      'mail-infra:spfAll: "?all" is not allowed. Use one of: ~all, -all.',
      'mail-infra:dnsMode: "x" is not allowed. Use one of: route53, external.',
    ]);
  });
  it("carries each allowed value into every domain", () => {
    const strict = valid({ domains: ["a.example", "b.example"], regions: ["us-east-1"], mailFromBehaviorOnMxFailure: "REJECT_MESSAGE", dkimSigningKeyLength: "RSA_1024_BIT", tlsPolicy: "OPTIONAL", spfAll: "-all", dnsMode: "external" });
    for (const d of strict.domains) {
      expect(d).toMatchObject({ mailFromBehaviorOnMxFailure: "REJECT_MESSAGE", dkimSigningKeyLength: "RSA_1024_BIT", tlsPolicy: "OPTIONAL", dns: { mode: "external" } });
      expect(d.spf.all).toBe("-all");
    }
    expect(valid(base).domains[0]).toMatchObject({ mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE", dkimSigningKeyLength: "RSA_2048_BIT", tlsPolicy: "REQUIRE", spf: { all: "~all" } });
  });
});

describe("config stage 5, SPF mechanisms and the other apex TXT values", () => {
  it("names a refused mechanism by its index, as written, with lib/spf's reason", () => {
    expect(issues({ ...base, spfMechanisms: ["include:_spf.google.com", "ipv4:192.0.2.1"] })).toEqual([expect.stringMatching(/^mail-infra:spfMechanisms\[1\]: "ipv4:192\.0\.2\.1": Unknown mechanism "ipv4"/)]);
  });
  it("trims each mechanism before judging it and in the record", () => {
    const d = valid({ ...base, spfMechanisms: [" include:_spf.google.com ", "\tip4:192.0.2.0/24"] }).domains[0];
    expect(d.spf.mechanisms).toEqual(["include:_spf.google.com", "ip4:192.0.2.0/24"]);
    expect(d.spf.record).toBe("v=spf1 include:_spf.google.com ip4:192.0.2.0/24 ~all");
  });
  it("refuses apex values with several domains, and each bad value by its index", () => {
    expect(issues({ domains: ["a.example", "b.example"], regions: ["us-east-1"], apexTxtValues: ["token"] })).toEqual([
      "mail-infra:apexTxtValues: is set in a stack with several domains, but apex TXT values belong to one domain. Put each domain that has other apex TXT values in its own stack (mail-infra:domain).",
    ]);
    expect(issues({ domains: ["a.example"], regions: ["us-east-1"], apexTxtValues: ["token"] })).toEqual([
      "mail-infra:apexTxtValues: is set in a stack with several domains, but apex TXT values belong to one domain. Put each domain that has other apex TXT values in its own stack (mail-infra:domain).",
    ]);
    expect(issues({ ...base, apexTxtValues: ["v=spf1 -all", " v = DMARC1; p=none", "", "a\tb", "t", "t"] })).toEqual([
      'mail-infra:apexTxtValues[0]: "v=spf1 -all" is an SPF record. A domain may publish only one (RFC 7208 4.5): put its mechanisms in mail-infra:spfMechanisms and its all in mail-infra:spfAll.',
      'mail-infra:apexTxtValues[1]: " v = DMARC1; p=none" is a DMARC record, which belongs at _dmarc.<domain>: set it with the mail-infra:dmarc* keys.',
      "mail-infra:apexTxtValues[2]: is empty. Remove it.",
      'mail-infra:apexTxtValues[3]: "a\\tb" holds control characters. Write the value as it is published, without line breaks or tabs.',
      'mail-infra:apexTxtValues[5]: "t" is listed twice. Remove the duplicate.',
    ]);
  });
});

describe("apexTxtValueProblem", () => {
  it("refuses every control character (U+0000 to U+001F, U+007F) and nothing next to them", () => {
    for (const c of ["\u0000", "\u001f", "\u007f", "\r", "\n"]) expect(apexTxtValueProblem(`a${c}b`)).toMatch(/holds control characters/);
    for (const c of [" ", "~", "\u0080", "é"]) expect(apexTxtValueProblem(`a${c}b`)).toBeUndefined();
  });
  it("an SPF record even with spaces around it; not a value that only mentions v=spf1", () => {
    expect(apexTxtValueProblem("  v=spf1 ~all  ")).toMatch(/is an SPF record/);
    expect(apexTxtValueProblem("note: v=spf1")).toBeUndefined();
    expect(apexTxtValueProblem("v=spf10")).toBeUndefined();
  });
  it("a DMARC record at the start only, in any case and spacing", () => {
    expect(apexTxtValueProblem("V=dmarc1; p=reject")).toMatch(/is a DMARC record/);
    expect(apexTxtValueProblem("v=DMARC1")).toMatch(/is a DMARC record/);
    expect(apexTxtValueProblem("x v=DMARC1")).toBeUndefined();
    expect(apexTxtValueProblem(" \t")).toBe("is empty. Remove it.");
  });
});

describe("config stage 6, DMARC tags", () => {
  it("names each refused tag with lib/dmarc's reason", () => {
    expect(issues({ ...base, dmarcPolicy: "x", dmarcSubdomainPolicy: "y", dmarcPercent: 200, dmarcRua: ["mailto:a@example.com", "http://x"], dmarcRuf: ["x"], dmarcAdkim: "q", dmarcAspf: "z" })).toEqual([
      expect.stringMatching(/^mail-infra:dmarcPolicy: "x" is not a DMARC policy/),
      expect.stringMatching(/^mail-infra:dmarcSubdomainPolicy: "y" is not a DMARC policy/),
      expect.stringMatching(/^mail-infra:dmarcPercent: pct 200 is not valid/),
      expect.stringMatching(/^mail-infra:dmarcRua\[1\]: "http:\/\/x" is not a mailto: URI/),
      expect.stringMatching(/^mail-infra:dmarcRuf\[0\]: "x" is not a mailto: URI/),
      expect.stringMatching(/^mail-infra:dmarcAdkim: "q" is not a DMARC alignment mode/),
      expect.stringMatching(/^mail-infra:dmarcAspf: "z" is not a DMARC alignment mode/),
    ]);
  });
  it("builds the record from the tags: defaults left out, the others written", () => {
    expect(valid(base).domains[0].dmarc).toEqual({ v: "DMARC1", p: "none", rua: ["mailto:dmarc-reports@example.com"] });
    expect(valid({ ...base, dmarcPolicy: "reject", dmarcSubdomainPolicy: "none", dmarcPercent: 50, dmarcRua: ["mailto:r@example.com"], dmarcRuf: ["mailto:f@example.com"], dmarcAdkim: "s", dmarcAspf: "s" }).domains[0].dmarc).toEqual({
      v: "DMARC1",
      p: "reject",
      sp: "none",
      pct: 50,
      rua: ["mailto:r@example.com"],
      ruf: ["mailto:f@example.com"],
      adkim: "s",
      aspf: "s",
    });
    expect(valid({ ...base, dmarcPercent: 100, dmarcAdkim: "r", dmarcAspf: "r" }).domains[0].dmarc).toEqual({ v: "DMARC1", p: "none", rua: ["mailto:dmarc-reports@example.com"] });
  });
});

describe("config stage 7, MAIL FROM per region, zones, TTL", () => {
  const two = { domain: "example.com", regions: ["us-east-1", "us-west-2"] };
  it("names each bad regional entry by its index", () => {
    expect(issues({ ...two, regionalMailFromSubdomains: ["us-west-2 bounce"] })).toEqual(['mail-infra:regionalMailFromSubdomains[0]: "us-west-2 bounce" is not region=subdomain. Write it like us-west-2=bounce-usw2.']);
    expect(issues({ ...two, regionalMailFromSubdomains: ["eu-west-1=b"] })).toEqual(['mail-infra:regionalMailFromSubdomains[0]: region "eu-west-1" is not in mail-infra:regions (us-east-1, us-west-2). Add it there or remove this entry.']);
    expect(issues({ ...two, regionalMailFromSubdomains: ["US-EAST-1=b"] })).toEqual(['mail-infra:regionalMailFromSubdomains[0]: "us-east-1" is the primary region; set its MAIL FROM with mail-infra:mailFromSubdomain instead.']);
    expect(issues({ ...two, regionalMailFromSubdomains: ["us-west-2=b2", "us-west-2=b3"] })).toEqual(['mail-infra:regionalMailFromSubdomains[1]: region "us-west-2" is listed twice. Keep one entry.']);
  });
  it("reads region=subdomain with spaces around either side, the region in any case", () => {
    expect(valid({ ...two, regionalMailFromSubdomains: ["  US-West-2 =  b-usw2  "] }).domains[0].regions.map((r) => r.mailFromDomain)).toEqual(["bounce.example.com", "b-usw2.example.com"]);
    expect(issues({ ...two, regionalMailFromSubdomains: ["us-west-2=b c"] })).toEqual([expect.stringMatching(/is not region=subdomain/)]);
    expect(issues({ ...two, regionalMailFromSubdomains: ["us_west=b"] })).toEqual([expect.stringMatching(/is not region=subdomain/)]);
    expect(issues({ ...two, regionalMailFromSubdomains: ["x us-west-2=b"] })).toEqual([expect.stringMatching(/is not region=subdomain/)]);
  });
  it("derives a region's MAIL FROM from the primary's label, whether that was given relative or in full", () => {
    expect(valid({ ...two, mailFromSubdomain: "mail.example.com" }).domains[0].regions.map((r) => r.mailFromDomain)).toEqual(["mail.example.com", "mail-us-west-2.example.com"]);
    expect(valid({ ...two, mailFromSubdomain: "Mail" }).domains[0].regions.map((r) => r.mailFromDomain)).toEqual(["mail.example.com", "mail-us-west-2.example.com"]);
  });
  it("a MAIL FROM problem names the key it came from, the domain and the region", () => {
    expect(issues({ ...base, mailFromSubdomain: " " })).toEqual(['mail-infra:mailFromSubdomain: MAIL FROM " " is the apex. Use a subdomain such as bounce.example.com: its MX must point at SES. (for example.com, region us-east-1)']);
    expect(issues({ ...two, regionalMailFromSubdomains: ["us-west-2=-x-"] })).toEqual([expect.stringMatching(/^mail-infra:regionalMailFromSubdomains: MAIL FROM -x-\.example\.com is not a valid name: .* \(for example\.com, region us-west-2\)$/)]);
    expect(issues({ ...two, mailFromSubdomain: "bad_label" })).toEqual([
      expect.stringMatching(/^mail-infra:mailFromSubdomain: MAIL FROM bad_label\.example\.com is not a valid name: .* \(for example\.com, region us-east-1\)$/),
      expect.stringMatching(/^mail-infra:mailFromSubdomain: MAIL FROM bad_label-us-west-2\.example\.com is not a valid name: .* \(for example\.com, region us-west-2\)$/),
    ]);
  });
  it("two regions on one MAIL FROM: the first keeps it, the second is told a free label", () => {
    const three = { domain: "example.com", regions: ["us-east-1", "us-west-2", "eu-west-1"] };
    expect(issues({ ...three, regionalMailFromSubdomains: ["us-west-2=bounce", "eu-west-1=bounce.example.com"] })).toEqual([
      "mail-infra:regionalMailFromSubdomains: bounce.example.com is the MAIL FROM of us-east-1 and us-west-2, but its one MX can name only one region's feedback host, so it can serve only one of them. Give us-west-2 its own, e.g. us-west-2=bounce-us-west-2.",
      "mail-infra:regionalMailFromSubdomains: bounce.example.com is the MAIL FROM of us-east-1 and eu-west-1, but its one MX can name only one region's feedback host, so it can serve only one of them. Give eu-west-1 its own, e.g. eu-west-1=bounce-eu-west-1.",
    ]);
    expect(issues({ ...three, regionalMailFromSubdomains: ["us-west-2=b2", "eu-west-1=b2"] })).toEqual([expect.stringMatching(/^mail-infra:regionalMailFromSubdomains: b2\.example\.com is the MAIL FROM of us-west-2 and eu-west-1, /)]);
  });
  it("route53Zones: domain=zone id or zone name, each checked", () => {
    expect(issues({ ...base, route53Zones: ["example.com"] })).toEqual(['mail-infra:route53Zones[0]: "example.com" is not domain=zone. Write it like example.com=Z0123456789ABCDEFGHIJ or example.com=example.com.']);
    expect(issues({ ...base, route53Zones: ["example.org=Z123456789"] })).toEqual(['mail-infra:route53Zones[0]: domain "example.org" is not one of the configured domains (example.com).']);
    expect(issues({ ...base, route53Zones: ["example.com=other.org"] })).toEqual(['mail-infra:route53Zones[0]: zone "other.org" is neither a hosted zone id (Z...) nor a zone that contains example.com.']);
    expect(issues({ ...base, route53Zones: ["example.com=bad_zone.com"] })).toEqual([expect.stringMatching(/^mail-infra:route53Zones\[0\]: zone "bad_zone\.com" is neither/)]);
    // A parent that is no valid zone name (a single label) is refused too, though it contains the domain.
    expect(issues({ ...base, route53Zones: ["example.com=com"] })).toEqual(['mail-infra:route53Zones[0]: zone "com" is neither a hosted zone id (Z...) nor a zone that contains example.com.']);
    expect(issues({ ...base, dnsMode: "external", route53Zones: ["example.com=Z123456789"] })).toEqual(["mail-infra:route53Zones: is set but mail-infra:dnsMode is external, so no Route 53 zone is used. Remove it or set dnsMode to route53."]);
  });
  it("route53Zones: an id is Z and 6 to 32 capitals or digits; anything else is a zone name", () => {
    const zone = (entry: string) => valid({ ...base, domain: "mail.example.com", route53Zones: [entry] }).domains[0].dns;
    expect(zone(" Mail.Example.com. = Z1234567 ")).toEqual({ mode: "route53", zone: { id: "Z1234567" } });
    expect(zone(`mail.example.com=Z${"A".repeat(32)}`)).toEqual({ mode: "route53", zone: { id: `Z${"A".repeat(32)}` } });
    expect(zone("mail.example.com=example.com")).toEqual({ mode: "route53", zone: { name: "example.com" } });
    expect(zone("mail.example.com=Mail.Example.COM.")).toEqual({ mode: "route53", zone: { name: "mail.example.com" } });
    // Too short or too long for an id, or lower case: read as a zone name, which cannot hold the domain.
    expect(issues({ ...base, route53Zones: ["example.com=Z12345"] })).toEqual([expect.stringMatching(/zone "Z12345" is neither/)]);
    expect(issues({ ...base, route53Zones: [`example.com=Z${"A".repeat(33)}`] })).toEqual([expect.stringMatching(/is neither a hosted zone id/)]);
    expect(issues({ ...base, route53Zones: ["example.com=z1234567"] })).toEqual([expect.stringMatching(/zone "z1234567" is neither/)]);
    expect(issues({ ...base, route53Zones: ["example.com=xZ1234567"] })).toEqual([expect.stringMatching(/zone "xZ1234567" is neither/)]);
    expect(issues({ ...base, route53Zones: ["example.com=Z1234567x"] })).toEqual([expect.stringMatching(/zone "Z1234567x" is neither/)]);
    expect(issues({ ...base, route53Zones: ["example.com=Z1234567 x"] })).toEqual([expect.stringMatching(/is not domain=zone/)]);
    expect(issues({ ...base, route53Zones: ["example.org example.com=Z1234567"] })).toEqual([expect.stringMatching(/is not domain=zone/)]);
    expect(issues({ domains: ["a.example", "b.example"], regions: ["us-east-1"], route53Zones: ["c.example=Z1234567"] })).toEqual([
      'mail-infra:route53Zones[0]: domain "c.example" is not one of the configured domains (a.example, b.example).',
    ]);
    // Zones map per domain: the other domain keeps its default zone.
    expect(valid({ domains: ["a.example", "b.example"], regions: ["us-east-1"], route53Zones: ["b.example=Z1234567"] }).domains.map((d) => d.dns)).toEqual([
      { mode: "route53", zone: { name: "a.example" } },
      { mode: "route53", zone: { id: "Z1234567" } },
    ]);
  });
  it("dnsTtl: 60 to 86400 seconds", () => {
    expect(issues({ ...base, dnsTtl: 59 })).toEqual(["mail-infra:dnsTtl: 59 is out of range. Use 60 to 86400 seconds."]);
    expect(issues({ ...base, dnsTtl: 86401 })).toEqual(["mail-infra:dnsTtl: 86401 is out of range. Use 60 to 86400 seconds."]);
    expect(valid({ ...base, dnsTtl: 60 }).domains[0].ttl).toBe(60);
    expect(valid({ ...base, dnsTtl: 86400 }).domains[0].ttl).toBe(86400);
  });
  it("a region's endpoint and primary flag", () => {
    expect(valid(two).domains[0].regions).toEqual([
      { region: "us-east-1", primary: true, mailFromDomain: "bounce.example.com", smtpEndpoint: "email-smtp.us-east-1.amazonaws.com" },
      { region: "us-west-2", primary: false, mailFromDomain: "bounce-us-west-2.example.com", smtpEndpoint: "email-smtp.us-west-2.amazonaws.com" },
    ]);
  });
  it("a collision across domains names the key the MAIL FROM came from", () => {
    expect(issues({ domains: ["example.com", "bounce-us-west-2.example.com"], regions: ["us-east-1", "us-west-2"], regionalMailFromSubdomains: ["us-west-2=bounce-us-west-2"] })).toEqual([
      expect.stringMatching(/^mail-infra:regionalMailFromSubdomains: The MAIL FROM of example\.com is bounce-us-west-2\.example\.com, which is itself a sending domain of this stack/),
    ]);
  });
  it("names two domains whose resource names collide once per pair and kind, under the key the domains were given", () => {
    const found = issues({ domains: ["a.b-c.com", "a-b.c.com"], regions: ["us-east-1", "us-west-2"] });
    expect(found).toEqual([
      "mail-infra:domains: a.b-c.com and a-b.c.com get the same configuration set name mail-infra-a-b-c-com (names keep only letters and digits), so the second one cannot be created. Put one of them in another stack.",
      "mail-infra:domains: a.b-c.com and a-b.c.com get the same SNS topic name mail-infra-a-b-c-com-ses-events (names keep only letters and digits), so the second one cannot be created. Put one of them in another stack.",
    ]);
  });
  it("tells two collisions of one kind apart by their owners, not by the owners' names run together", () => {
    // Run together, the four owners of the first name spell the two owners of the second.
    const found = issues({ domains: ["a.b.com", "a-b.com", "a--b.com", "a---b.com", "a.b.coma-b.com", "a--b.coma---b.com"], regions: ["us-east-1"] });
    expect(found.map((f) => f.replace(/ \(names keep.*$/, ""))).toEqual([
      "mail-infra:domains: a.b.com and a-b.com and a--b.com and a---b.com get the same configuration set name mail-infra-a-b-com",
      "mail-infra:domains: a.b.com and a-b.com and a--b.com and a---b.com get the same SNS topic name mail-infra-a-b-com-ses-events",
      "mail-infra:domains: a.b.coma-b.com and a--b.coma---b.com get the same configuration set name mail-infra-a-b-coma-b-com",
      "mail-infra:domains: a.b.coma-b.com and a--b.coma---b.com get the same SNS topic name mail-infra-a-b-coma-b-com-ses-events",
    ]);
  });
  it("a DMARC report mailbox at another domain of the stack: that domain publishes the authorisation, once", () => {
    const cfg = valid({ domains: ["a.example", "b.example", "c.example"], regions: ["us-east-1"], dmarcRua: ["mailto:dmarc@b.example", "mailto:dmarc2@b.example"] });
    expect(cfg.domains.map((d) => d.reportAuthorizations)).toEqual([undefined, ["a.example._report._dmarc.b.example", "c.example._report._dmarc.b.example"], undefined]);
    // The first domain of the stack publishes too.
    expect(valid({ domains: ["a.example", "b.example"], regions: ["us-east-1"], dmarcRua: ["mailto:dmarc@a.example"] }).domains.map((d) => d.reportAuthorizations)).toEqual([["b.example._report._dmarc.a.example"], undefined]);
    // A mailbox outside the stack: no record here (the other domain's owner publishes it).
    expect(valid({ ...base, dmarcRua: ["mailto:dmarc@reports.example.net"] }).domains[0].reportAuthorizations).toBeUndefined();
  });
});

describe("config stage 8, the SMTP credentials", () => {
  const any = { ...base, smtpCredentials: "any-address" };
  it("key generation and the previous key's state", () => {
    expect(issues({ ...base, smtpKeyGeneration: 0 })).toEqual(["mail-infra:smtpKeyGeneration: 0 is not a generation. Start at 1 and raise it by one to rotate."]);
    expect(issues({ ...base, smtpKeyGeneration: 2, smtpPreviousKey: "gone" })).toEqual(['mail-infra:smtpPreviousKey: "gone" is not a key state. Use one of: active, inactive, retired (empty means active).']);
    expect(issues({ ...base, smtpPreviousKey: "inactive" })).toEqual([
      "mail-infra:smtpPreviousKey: is inactive, but mail-infra:smtpKeyGeneration is 1: generation 1 has no previous key. Remove mail-infra:smtpPreviousKey.",
    ]);
    expect(valid(any).smtp).not.toHaveProperty("previousKey");
    expect(valid({ ...any, smtpKeyGeneration: 2 }).smtp?.previousKey).toBe("active");
    expect(valid({ ...any, smtpKeyGeneration: 3, smtpPreviousKey: "retired" }).smtp).toMatchObject({ keyGeneration: 3, previousKey: "retired" });
  });
  it("an unrecorded key id is an access key id (16 to 128 capitals or digits), trimmed", () => {
    expect(issues({ ...base, smtpUnrecordedKeyId: "akia1234" })).toEqual([
      'mail-infra:smtpUnrecordedKeyId: "akia1234" is not an access key id (e.g. AKIAIOSFODNN7EXAMPLE). Copy it from `aws iam list-access-keys`, or remove it.',
    ]);
    expect(valid({ ...any, smtpUnrecordedKeyId: " AKIAIOSFODNN7EXAMPLE " }).smtp?.unrecordedKeyId).toBe("AKIAIOSFODNN7EXAMPLE");
    expect(valid({ ...any, smtpUnrecordedKeyId: "A".repeat(16) }).smtp?.unrecordedKeyId).toBe("A".repeat(16));
    expect(valid({ ...any, smtpUnrecordedKeyId: "A".repeat(128) }).smtp?.unrecordedKeyId).toBe("A".repeat(128));
    expect(issues({ ...base, smtpUnrecordedKeyId: "A".repeat(15) })).toEqual([expect.stringMatching(/^mail-infra:smtpUnrecordedKeyId: /)]);
    expect(issues({ ...base, smtpUnrecordedKeyId: "A".repeat(129) })).toEqual([expect.stringMatching(/^mail-infra:smtpUnrecordedKeyId: /)]);
    expect(issues({ ...base, smtpUnrecordedKeyId: "xAKIAIOSFODNN7EXAMPLE" })).toEqual([expect.stringMatching(/^mail-infra:smtpUnrecordedKeyId: /)]);
    expect(issues({ ...base, smtpUnrecordedKeyId: "AKIAIOSFODNN7EXAMPLEx" })).toEqual([expect.stringMatching(/^mail-infra:smtpUnrecordedKeyId: /)]);
    expect(valid(any).smtp).not.toHaveProperty("unrecordedKeyId");
  });
  it("the secret's recovery window: 0, or 7 to 30 days", () => {
    for (const days of [6, 31, -1]) {
      expect(issues({ ...base, smtpSecretRecoveryWindowDays: days })).toEqual([`mail-infra:smtpSecretRecoveryWindowDays: ${days} is not accepted by Secrets Manager. Use 7 to 30 days (or 0 to delete at once).`]);
    }
    for (const days of [0, 7, 30]) expect(valid({ ...any, smtpSecretRecoveryWindowDays: days }).smtp?.recoveryWindowDays).toBe(days);
  });
  it("the IAM user's and the secret's names: defaults from the stack, or as set, within IAM's and Secrets Manager's characters", () => {
    expect(valid(any, "staging").smtp).toMatchObject({ userName: "mail-infra-smtp-staging", secretName: "mail-infra/staging/ses-smtp" });
    expect(valid({ ...any, smtpUserName: "a+b=c,d.e@f_g-h", smtpSecretName: "team/mail_+=.@-x" }).smtp).toMatchObject({ userName: "a+b=c,d.e@f_g-h", secretName: "team/mail_+=.@-x" });
    expect(valid({ ...any, smtpUserName: "u".repeat(64), smtpSecretName: "s".repeat(512) }).smtp).toMatchObject({ userName: "u".repeat(64), secretName: "s".repeat(512) });
    expect(issues({ ...base, smtpUserName: "u".repeat(65) })).toEqual([`mail-infra:smtpUserName: "${"u".repeat(60)}…" (65 characters) is not a valid IAM user name: use up to 64 letters, digits and +=,.@_-.`]);
    expect(issues({ ...base, smtpUserName: "smtp/user" })).toEqual([expect.stringMatching(/^mail-infra:smtpUserName: "smtp\/user" is not a valid IAM user name/)]);
    expect(issues({ ...base, smtpSecretName: "a b" })).toEqual(['mail-infra:smtpSecretName: "a b" is not a valid secret name: use letters, digits and /_+=.@-.']);
    expect(issues({ ...base, smtpSecretName: "s".repeat(513) })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretName: .* is not a valid secret name/)]);
    expect(issues({ ...base, smtpSecretName: "x a/b" })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretName: /)]);
    expect(issues({ ...base, smtpSecretName: "a/b x" })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretName: /)]);
    expect(issues({ ...base, smtpUserName: "x a" })).toEqual([expect.stringMatching(/^mail-infra:smtpUserName: /)]);
    expect(issues({ ...base, smtpUserName: "a x" })).toEqual([expect.stringMatching(/^mail-infra:smtpUserName: /)]);
  });
  it("the secret's KMS key: checked, and in the primary region", () => {
    expect(issues({ ...base, smtpSecretKmsKeyId: "my key" })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretKmsKeyId: "my key" is not a KMS key reference\. .* Leave it empty for the AWS-managed key aws\/secretsmanager\.$/)]);
    expect(valid(any).smtp).not.toHaveProperty("kmsKeyId");
    // Without a valid region there is no primary to compare with: only the regions are reported.
    const west = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(issues({ domain: "example.com", regions: [], smtpSecretKmsKeyId: west })).toEqual(["mail-infra:regions: list at least one SES region, e.g. [us-east-1]. The first is the primary."]);
    expect(issues({ domain: "example.com", regions: [], snsKmsKeyId: west, alertEmails: ["ops@example.com"] })).toEqual(["mail-infra:regions: list at least one SES region, e.g. [us-east-1]. The first is the primary."]);
  });
  it("From addresses: an address or *@domain, at a configured domain", () => {
    expect(issues({ ...any, smtpAllowedFromAddresses: ["nobody", "*@bad_domain", "*@example.org", "x@example.org", "*@Example.COM", "Y@example.com"] })).toEqual([
      'mail-infra:smtpAllowedFromAddresses[0]: "nobody" is not an email address (or *@<domain> for every address of a domain).',
      'mail-infra:smtpAllowedFromAddresses[1]: "*@bad_domain" is not an email address (or *@<domain> for every address of a domain).',
      'mail-infra:smtpAllowedFromAddresses[2]: "*@example.org" is not at a configured domain (example.com); SES would refuse to send as it.',
      'mail-infra:smtpAllowedFromAddresses[3]: "x@example.org" is not at a configured domain (example.com); SES would refuse to send as it.',
    ]);
    expect(issues({ ...any, smtpAllowedFromAddresses: ["x@sub.example.com"] })).toEqual([expect.stringMatching(/^mail-infra:smtpAllowedFromAddresses\[0\]: "x@sub\.example\.com" is not at a configured domain/)]);
    expect(issues({ ...any, smtpAllowedFromAddresses: ["*@sub.example.com"] })).toEqual([expect.stringMatching(/^mail-infra:smtpAllowedFromAddresses\[0\]: "\*@sub\.example\.com" is not at a configured domain/)]);
    expect(issues({ ...any, smtpAllowedFromAddresses: ["a*@example.com"] })).toEqual([]);
  });
  it("smtpRegions: each one of mail-infra:regions (any case, spaces trimmed)", () => {
    expect(issues({ ...base, smtpRegions: ["us-west-2"] })).toEqual(['mail-infra:smtpRegions[0]: "us-west-2" is not in mail-infra:regions (us-east-1). Add it there, or remove it here.']);
    expect(valid({ ...any, regions: ["us-east-1", "us-west-2", "eu-west-1"], smtpRegions: [" EU-WEST-1 "] }).smtp?.regions).toEqual(["eu-west-1"]);
  });
});

describe("config stage 9, senders and the SMTP user's grant", () => {
  it("names each sender that is not at a domain or not in a region", () => {
    expect(issues({ ...base, senders: ["address=a@example.com; kind=smtp-client; region=us-west-2", "address=a@other.org; kind=smtp-client; region=us-east-1", "foo=bar"] })).toEqual([
      "mail-infra:senders[0]: region us-west-2 is not in mail-infra:regions (us-east-1).",
      "mail-infra:senders[1]: address a@other.org is not at a configured domain (example.com); it cannot relay through these identities.",
      'mail-infra:senders[2]: unknown field "foo". Use address, kind, account and region.',
    ]);
  });
  it("the grant: senders' addresses and regions, From addresses lower-cased, no duplicates", () => {
    const cfg = valid({
      domain: "example.com",
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      smtpCredentials: "any-address",
      senders: ["address=a@example.com; kind=smtp-client; region=eu-west-1", "address=b@example.com; kind=smtp-client; region=us-east-1"],
      smtpAllowedFromAddresses: ["A@example.com", "c@example.com"],
    });
    expect(cfg.smtp?.allowedFromAddresses).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    expect(cfg.smtp?.regions).toEqual(["us-east-1", "eu-west-1"]);
    expect(cfg.smtp?.secretRegion).toBe("us-east-1");
  });
  it("smtpCredentials: one of the three modes; none declares nothing", () => {
    expect(issues({ ...base, smtpCredentials: "x" })).toEqual(['mail-infra:smtpCredentials: "x" is not allowed. Use one of: senders, any-address, none.']);
    const none = valid({ ...base, smtpCredentials: "none" });
    expect(none.smtpCredentials).toBe("none");
    expect(none).not.toHaveProperty("smtp");
    // senders (the default) without senders or From addresses: nothing to grant.
    expect(valid(base).smtpCredentials).toBe("senders");
    expect(valid(base)).not.toHaveProperty("smtp");
    expect(valid({ ...base, senders: ["address=a@example.com; kind=smtp-client; region=us-east-1"] }).smtp?.allowedFromAddresses).toEqual(["a@example.com"]);
    expect(issues({ ...base, smtpCredentials: "none", senders: ["address=a@example.com; kind=smtp-client; region=us-east-1"] })).toEqual([expect.stringMatching(/^mail-infra:smtpCredentials: is none, but mail-infra:senders lists 1 sender /)]);
  });
  it("address identities: email addresses at a configured domain, lower-cased and trimmed, once each", () => {
    expect(issues({ ...base, smtpAddressIdentities: ["nope", "a@example.org"] })).toEqual([
      'mail-infra:smtpAddressIdentities[0]: "nope" is not an email address. List each address identity as SES shows it, e.g. admin@example.com.',
      "mail-infra:smtpAddressIdentities[1]: a@example.org is not at a configured domain (example.com): the SMTP user sends only through these domains.",
    ]);
    expect(issues({ domain: "example.org", regions: ["us-east-1"], smtpAddressIdentities: ["nope"] })).toEqual([expect.stringMatching(/e\.g\. admin@example\.org\.$/)]);
    expect(issues({ regions: ["us-east-1"], smtpAddressIdentities: ["nope"] })).toEqual([
      expect.stringMatching(/^mail-infra:domain: no domain configured/),
      'mail-infra:smtpAddressIdentities[0]: "nope" is not an email address. List each address identity as SES shows it, e.g. admin@example.com.',
    ]);
    expect(valid({ ...base, smtpCredentials: "any-address", smtpAddressIdentities: [" Admin@Example.com ", "admin@example.com"] }).smtp?.addressIdentities).toEqual(["admin@example.com"]);
  });
  it("the inline policy limit: with From addresses the count of addresses, under the key they came from", () => {
    const addresses = (n: number) => Array.from({ length: n }, (_, i) => `sender-number-${i}@example.com`);
    const regions = ["us-east-1", "us-west-2", "eu-west-1"];
    const fromOnly = issues({ domain: "example.com", regions, smtpCredentials: "any-address", smtpAllowedFromAddresses: addresses(60) });
    expect(fromOnly).toEqual([
      expect.stringMatching(/^mail-infra:smtpAllowedFromAddresses: 60 From addresses in 3 SMTP regions make the SMTP user's send-only policy \d+ characters, over IAM's 2048-character limit for a user's inline policies \(the number of domains does not count\)\. Split the senders across stacks \(each stack has its own SMTP user\), or send from fewer regions\.$/),
    ]);
    const senders = addresses(60).map((a) => `address=${a}; kind=smtp-client; region=us-east-1`);
    expect(issues({ domain: "example.com", regions, senders })).toEqual([expect.stringMatching(/^mail-infra:senders: 60 From addresses in 1 SMTP regions make/)]);
    expect(issues({ domain: "example.com", regions, senders: senders.slice(0, 5) })).toEqual([]);
  });
  it("the inline policy limit without From addresses counts the domains, and only the SMTP regions' identities", () => {
    const domains = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.example.com`);
    expect(issues({ domains: domains(10), regions: ["us-east-1", "us-west-2"], smtpCredentials: "any-address" })).toEqual([
      expect.stringMatching(
        /^mail-infra:domains: 10 domains in 2 regions make the SMTP user's send-only policy \d+ characters, over IAM's 2048-character limit for a user's inline policies: without senders the policy lists every identity\. List the senders in mail-infra:senders \(the policy then names addresses, not domains, and its size no longer grows with the domains\), or split the domains across stacks\.$/,
      ),
    ]);
    // The same ten domains with one SMTP region of the two: half the ARNs, under the limit.
    expect(issues({ domains: domains(10), regions: ["us-east-1", "us-west-2"], smtpCredentials: "any-address", smtpRegions: ["us-east-1"] })).toEqual([]);
    // A single domain under domain: the issue names mail-infra:domain.
    const ids = Array.from({ length: 40 }, (_, i) => `someone-${i}@example.com`);
    expect(issues({ domain: "example.com", regions: ["us-east-1"], smtpCredentials: "any-address", smtpAddressIdentities: ids })).toEqual([expect.stringMatching(/^mail-infra:domain: 1 domains in 1 regions make/)]);
  });
});

describe("config stages 8 and 9 in a stack of two domains and two regions: each list named whole", () => {
  it("names every configured domain and region in the refusals", () => {
    expect(
      issues({
        domains: ["a.example", "b.example"],
        regions: ["us-east-1", "us-west-2"],
        smtpCredentials: "any-address",
        smtpAllowedFromAddresses: ["x@c.example", "*@c.example"],
        smtpRegions: ["eu-west-1"],
        senders: ["address=x@c.example; kind=smtp-client; region=us-east-1", "address=x@a.example; kind=smtp-client; region=eu-west-1"],
        smtpAddressIdentities: ["x@c.example"],
      }),
    ).toEqual([
      'mail-infra:smtpAllowedFromAddresses[0]: "x@c.example" is not at a configured domain (a.example, b.example); SES would refuse to send as it.',
      'mail-infra:smtpAllowedFromAddresses[1]: "*@c.example" is not at a configured domain (a.example, b.example); SES would refuse to send as it.',
      'mail-infra:smtpRegions[0]: "eu-west-1" is not in mail-infra:regions (us-east-1, us-west-2). Add it there, or remove it here.',
      "mail-infra:senders[0]: address x@c.example is not at a configured domain (a.example, b.example); it cannot relay through these identities.",
      "mail-infra:senders[1]: region eu-west-1 is not in mail-infra:regions (us-east-1, us-west-2).",
      "mail-infra:smtpAddressIdentities[0]: x@c.example is not at a configured domain (a.example, b.example): the SMTP user sends only through these domains.",
    ]);
  });
  it("a KMS key that is not a key reference is not also judged by its region", () => {
    expect(issues({ ...base, smtpSecretKmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/nope" })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretKmsKeyId: ".*" is not a KMS key reference\./)]);
  });
  it("in senders mode a *@domain entry is judged lower-cased (lib/smtp-credentials)", () => {
    expect(issues({ ...base, smtpAllowedFromAddresses: ["*@Example.com"] })).toEqual([
      'mail-infra:smtpAllowedFromAddresses[0]: "*@example.com" lets the SMTP credentials send as any address of example.com: a leaked password then sends DMARC-passing mail as anyone there. List the addresses that send instead, or set mail-infra:smtpCredentials to "any-address" to say the stack wants credentials that wide (the policy pack flags them).',
    ]);
  });
  it("an entry already refused is not also called too wide: one message for it", () => {
    expect(issues({ ...base, smtpAllowedFromAddresses: [" *@Example.com", "*@example.org"] })).toEqual([
      'mail-infra:smtpAllowedFromAddresses[0]: " *@Example.com" is not an email address (or *@<domain> for every address of a domain).',
      'mail-infra:smtpAllowedFromAddresses[1]: "*@example.org" is not at a configured domain (example.com); SES would refuse to send as it.',
    ]);
    // A problem under another key does not silence it.
    expect(issues({ ...base, smtpAllowedFromAddresses: ["*@example.com"], smtpRegions: ["eu-west-1"] })).toEqual([
      'mail-infra:smtpRegions[0]: "eu-west-1" is not in mail-infra:regions (us-east-1). Add it there, or remove it here.',
      expect.stringMatching(/^mail-infra:smtpAllowedFromAddresses\[0\]: "\*@example\.com" lets the SMTP credentials send as any address of example\.com: /),
    ]);
  });
  it("the grant's size is counted with a 12-digit account id, as every AWS account id has", () => {
    const from = Array.from({ length: 60 }, (_, i) => `sender-number-${i}@example.com`);
    const [issue] = issues({ ...base, smtpCredentials: "any-address", smtpAllowedFromAddresses: from });
    const size = policySize(smtpGrant({ regions: ["us-east-1"], accountId: "111122223333", fromAddresses: from, resourceArns: [] }));
    expect(size).toBeGreaterThan(2048);
    expect(issue).toContain(`make the SMTP user's send-only policy ${size} characters`);
  });
});

describe("the SMTP user's inline policy at IAM's limit", () => {
  it("without From addresses the size is that of the grant naming each identity and configuration set", () => {
    const domains = Array.from({ length: 10 }, (_, i) => `d${i}.example.com`);
    const [issue] = issues({ domains, regions: ["us-east-1", "us-west-2"], smtpCredentials: "any-address" });
    const arns = domains.flatMap((d) =>
      ["us-east-1", "us-west-2"].flatMap((r) => [sesArn(r, "111122223333", "identity", d), sesArn(r, "111122223333", "configuration-set", `mail-infra-${d.replaceAll(".", "-")}`)]),
    );
    expect(issue).toContain(`make the SMTP user's send-only policy ${policySize(smtpGrant({ regions: ["us-east-1", "us-west-2"], accountId: "111122223333", fromAddresses: [], resourceArns: arns }))} characters`);
  });
  it("without From addresses each address identity is named in each SMTP region too", () => {
    const ids = Array.from({ length: 40 }, (_, i) => `someone-${i}@example.com`);
    const [issue] = issues({ ...base, smtpCredentials: "any-address", smtpAddressIdentities: ids });
    const arns = [sesArn("us-east-1", "111122223333", "identity", "example.com"), sesArn("us-east-1", "111122223333", "configuration-set", "mail-infra-example-com"), ...ids.map((a) => sesArn("us-east-1", "111122223333", "identity", a))];
    expect(issue).toContain(`1 domains in 1 regions make the SMTP user's send-only policy ${policySize(smtpGrant({ regions: ["us-east-1"], accountId: "111122223333", fromAddresses: [], resourceArns: arns }))} characters`);
  });
  it("2,048 characters are accepted, 2,049 refused (IAM: a user's inline policies may not exceed 2,048)", () => {
    const others = Array.from({ length: 40 }, (_, i) => `s${i}@example.com`);
    const sizeWith = (local: string) => policySize(smtpGrant({ regions: ["us-east-1"], accountId: "111122223333", fromAddresses: [...others, `${local}@example.com`], resourceArns: [] }));
    const pad = 2048 - sizeWith("");
    expect(pad).toBeGreaterThan(0);
    const at = (n: number) => issues({ ...base, smtpCredentials: "any-address", smtpAllowedFromAddresses: [...others, `${"x".repeat(n)}@example.com`] });
    expect(sizeWith("x".repeat(pad))).toBe(2048);
    expect(at(pad)).toEqual([]);
    expect(at(pad + 1)).toEqual([expect.stringMatching(/^mail-infra:smtpAllowedFromAddresses: 41 From addresses in 1 SMTP regions make the SMTP user's send-only policy 2049 characters/)]);
  });
});

describe("config stage 10, monitoring, watch and the SNS key", () => {
  it("alert addresses: email addresses, lower-cased, once each", () => {
    expect(issues({ ...base, alertEmails: ["nope", "A@example.com", " a@example.com "] })).toEqual([
      'mail-infra:alertEmails[0]: "nope" is not an email address. List the addresses that should receive the alerts, e.g. ops@example.com.',
      'mail-infra:alertEmails[2]: " a@example.com " is listed twice. Remove the duplicate.',
    ]);
    expect(valid({ ...base, alertEmails: [" Ops@Example.com "] }).monitoring?.alertEmails).toEqual(["ops@example.com"]);
    expect(valid(base)).not.toHaveProperty("monitoring");
  });
  it("createTrail needs alert addresses", () => {
    expect(issues({ ...base, createTrail: "true" })).toEqual([
      "mail-infra:createTrail: is true, but mail-infra:alertEmails is empty: the trail only feeds the change alerts, which are declared for alert addresses. Set mail-infra:alertEmails, or remove createTrail.",
    ]);
    // An invalid address is reported on its own, not as an empty list.
    expect(issues({ ...base, createTrail: "true", alertEmails: ["nope"] })).toEqual([expect.stringMatching(/^mail-infra:alertEmails\[0\]: "nope" is not an email address/)]);
    expect(valid({ ...base, createTrail: "true", alertEmails: ["ops@example.com"] }).monitoring?.createTrail).toBe(true);
    expect(valid({ ...base, alertEmails: ["ops@example.com"] }).monitoring?.createTrail).toBe(false);
  });
  it("rates: parsed into fractions; an unreadable one, or one above the review rate, is not also ordered", () => {
    const m = valid({ ...base, alertEmails: ["ops@example.com"], bounceRateWarning: "1%", bounceRateAlarm: "2.5%", complaintRateWarning: "0.02%", complaintRateAlarm: "0.08%" }).monitoring;
    expect(m?.thresholds).toEqual({ bounce: { warning: 0.01, alarm: 0.025 }, complaint: { warning: 0.0002, alarm: 0.0008 } });
    expect(issues({ ...base, alertEmails: ["ops@example.com"], bounceRateWarning: "x", bounceRateAlarm: "1%" })).toEqual([
      'mail-infra:bounceRateWarning: "x" is not a percentage. Write it with a % sign, e.g. "2%" or "0.05%".',
    ]);
    expect(issues({ ...base, alertEmails: ["ops@example.com"], bounceRateWarning: "6%", bounceRateAlarm: "1%" })).toEqual([expect.stringMatching(/^mail-infra:bounceRateWarning: 6% is above 5%/)]);
    expect(issues({ ...base, alertEmails: ["ops@example.com"], bounceRateWarning: "4%", bounceRateAlarm: "3%" })).toEqual([
      "mail-infra:bounceRateWarning: the bounce warning level 4% is not below the alarm level 3% (bounceRateAlarm). The warning must fire first: lower it, or raise the alarm level.",
    ]);
    // Bounce unreadable: the complaint levels are still ordered.
    expect(issues({ ...base, alertEmails: ["ops@example.com"], bounceRateWarning: "x", complaintRateWarning: "0.09%", complaintRateAlarm: "0.05%" })).toEqual([
      expect.stringMatching(/^mail-infra:bounceRateWarning: "x" is not a percentage/),
      "mail-infra:complaintRateWarning: the complaint warning level 0.09% is not below the alarm level 0.05% (complaintRateAlarm). The warning must fire first: lower it, or raise the alarm level.",
    ]);
  });
  it("watch: its settings checked whether on or not; on, it needs alert addresses and a schedule", () => {
    expect(issues({ ...base, watchSchedule: "x", watchChecks: ["nope"], watchBounceThreshold: 0 })).toEqual([
      'mail-infra:watchSchedule: "x" is not a rate expression. Write rate(N minutes) or rate(N hours), e.g. rate(1 hour): the heartbeat alarm needs a fixed period, so cron() is not accepted.',
      expect.stringMatching(/^mail-infra:watchChecks\[0\]: "nope" is not a layer \(ses, dns, relay\) or a check id the watch runs/),
      "mail-infra:watchBounceThreshold: 0 is not a count of bounces from 1 to 100000.",
    ]);
    expect(issues({ ...base, watchBounceThreshold: 100_001 })).toEqual(["mail-infra:watchBounceThreshold: 100001 is not a count of bounces from 1 to 100000."]);
    expect(issues({ ...base, watch: "true" })).toEqual([
      "mail-infra:watch: is true, but mail-infra:alertEmails is empty: the watch's alarms mail the alerts topic, and without addresses nobody hears them. Set mail-infra:alertEmails, or remove watch.",
    ]);
    expect(issues({ ...base, watch: "true", alertEmails: ["ops@example.com"], watchSchedule: "x" })).toEqual([expect.stringMatching(/^mail-infra:watchSchedule: "x" is not a rate expression/)]);
    expect(valid({ ...base, alertEmails: ["ops@example.com"] })).not.toHaveProperty("watch");
  });
  it("watch on: its checks in the watch's own order, once each; all of them when none is named", () => {
    const on = { ...base, watch: "true", alertEmails: ["ops@example.com"] };
    const all = valid(on).watch;
    // The defaults: three bounces in an hour, a run every hour.
    expect(all).toMatchObject({ bounceThreshold: 3, schedule: { expression: "rate(1 hour)" } });
    expect(valid({ ...on, watchBounceThreshold: 1 }).watch?.bounceThreshold).toBe(1);
    expect(new Set(all?.checks).size).toBe(all?.checks.length);
    expect(all?.checks).toEqual(expect.arrayContaining(["ses.identity.mail-from", "dns.spf.lookups"]));
    const some = valid({ ...on, watchChecks: ["dns", "ses", "ses"], watchBounceThreshold: 100_000 }).watch;
    expect(some?.bounceThreshold).toBe(100_000);
    expect(some?.checks.length).toBeGreaterThan(0);
    expect(some?.checks.length).toBeLessThan(all?.checks.length ?? 0);
    expect(new Set(some?.checks).size).toBe(some?.checks.length);
    // The watch's order (ses before dns), not the config's.
    expect(some?.checks.findIndex((c) => c.startsWith("ses."))).toBeLessThan(some?.checks.findIndex((c) => c.startsWith("dns.")) ?? -1);
    expect(some?.checks.every((c) => c.startsWith("ses.") || c.startsWith("dns."))).toBe(true);
    expect(valid({ ...on, watchSchedule: "rate(30 minutes)" }).watch?.schedule).toMatchObject({ expression: "rate(30 minutes)" });
  });
  it("the SNS key: checked against the topics' regions; absent when empty, trimmed when set", () => {
    expect(issues({ ...base, snsKmsKeyId: "x" })).toEqual([expect.stringMatching(/^mail-infra:snsKmsKeyId: "x" is not a KMS key reference\. .* Leave it empty for topics without a customer-managed key\.$/)]);
    expect(valid({ ...base, snsKmsKeyId: "alias/mail" }).snsKmsKeyId).toBe("alias/mail");
  });
});

describe("resolveMailFrom", () => {
  it("a label or a name under the domain; the apex refused", () => {
    expect(resolveMailFrom("bounce", "example.com")).toEqual({ name: "bounce.example.com" });
    expect(resolveMailFrom(" Bounce.Example.com. ", "example.com")).toEqual({ name: "bounce.example.com" });
    expect(resolveMailFrom("", "example.com")).toEqual({ error: 'MAIL FROM "" is the apex. Use a subdomain such as bounce.example.com: its MX must point at SES.' });
    expect(resolveMailFrom("@", "example.com")).toEqual({ error: 'MAIL FROM "@" is the apex. Use a subdomain such as bounce.example.com: its MX must point at SES.' });
    expect(resolveMailFrom("Example.COM", "example.com")).toEqual({ error: "MAIL FROM example.com is the apex. Use a subdomain such as bounce.example.com: its MX must point at SES." });
  });
  it("a dotted value that ends in a top-level-domain-like label is a full name, which must be under the domain", () => {
    expect(resolveMailFrom("bounce.example.org", "example.com")).toEqual({ error: "MAIL FROM bounce.example.org is not under example.com. Use a label (bounce) or a name ending in .example.com." });
    expect(resolveMailFrom("x.xn--p1ai", "example.com")).toEqual({ error: expect.stringMatching(/^MAIL FROM x\.xn--p1ai is not under example\.com/) });
    // mail.bounce cannot be told from a name under the (hypothetical) top-level domain "bounce".
    expect(resolveMailFrom("mail.bounce", "example.com")).toEqual({ error: "MAIL FROM mail.bounce is not under example.com. Use a label (bounce) or a name ending in .example.com." });
    // A last label of digits, one letter or with a hyphen is no top-level domain: a relative name.
    expect(resolveMailFrom("bounce.1", "example.com")).toEqual({ name: "bounce.1.example.com" });
    expect(resolveMailFrom("bounce.12", "example.com")).toEqual({ name: "bounce.12.example.com" });
    expect(resolveMailFrom("mail.b", "example.com")).toEqual({ name: "mail.b.example.com" });
    expect(resolveMailFrom("mail.1ab", "example.com")).toEqual({ name: "mail.1ab.example.com" });
    expect(resolveMailFrom("mail.b-1", "example.com")).toEqual({ name: "mail.b-1.example.com" });
    expect(resolveMailFrom("mail.xbounce-x", "example.com")).toEqual({ name: "mail.xbounce-x.example.com" });
  });
  it("the name it builds must be a valid name", () => {
    expect(resolveMailFrom("a.b-", "example.com")).toEqual({ error: expect.stringMatching(/^MAIL FROM a\.b-\.example\.com is not a valid name: The label "b-" /) });
  });
});

describe("parseSender", () => {
  it("reads the four fields in any order and case, with spaces and empty parts", () => {
    expect(parseSender("Address = A@Example.com ;; KIND=smtp-client; region=US-EAST-1 ;")).toEqual({ address: "a@example.com", kind: "smtp-client", region: "us-east-1" });
    expect(parseSender("region=us-west-2; account=Me@Gmail.com; kind=gmail-send-as; address=x@example.com")).toEqual({ address: "x@example.com", kind: "gmail-send-as", region: "us-west-2", account: "me@gmail.com" });
    expect(parseSender("address=x@example.com; kind=smtp-client; region=us-east-1; account=a@b.example")).toEqual({ address: "x@example.com", kind: "smtp-client", region: "us-east-1", account: "a@b.example" });
    expect(parseSender("address=x@example.com; kind=smtp-client; region=a=b")).toEqual({ address: "x@example.com", kind: "smtp-client", region: "a=b" });
  });
  it("says which field is missing or wrong", () => {
    expect(parseSender("color=blue")).toEqual({ error: 'unknown field "color". Use address, kind, account and region.' });
    expect(parseSender("=x; address=a@example.com")).toEqual({ error: 'unknown field "". Use address, kind, account and region.' });
    expect(parseSender("address=a@example.com; ; kind=smtp-client; region=us-east-1")).toEqual({ address: "a@example.com", kind: "smtp-client", region: "us-east-1" });
    expect(parseSender(" just text ; address=a@example.com")).toEqual({ error: '"just text" is not key=value. Write entries like address=admin@example.com; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1.' });
    expect(parseSender("just text")).toEqual({ error: '"just text" is not key=value. Write entries like address=admin@example.com; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1.' });
    expect(parseSender("kind=smtp-client")).toEqual({ error: 'needs address=<the From address that relays>, got "".' });
    expect(parseSender("address=nobody; kind=smtp-client")).toEqual({ error: 'needs address=<the From address that relays>, got "nobody".' });
    expect(parseSender("address=a@example.com")).toEqual({ error: 'needs kind=gmail-send-as or smtp-client, got "".' });
    expect(parseSender("address=a@example.com; kind=fax")).toEqual({ error: 'needs kind=gmail-send-as or smtp-client, got "fax".' });
    expect(parseSender("address=a@example.com; kind=gmail-send-as")).toEqual({ error: "needs region=<the SES region whose SMTP endpoint it relays through>." });
    const noAccount = { error: "kind=gmail-send-as needs account=<the Gmail account that owns the alias>, e.g. account=someone@gmail.com." };
    expect(parseSender("address=a@example.com; kind=gmail-send-as; region=us-east-1")).toEqual(noAccount);
    expect(parseSender("address=a@example.com; kind=gmail-send-as; region=us-east-1; account=bad")).toEqual(noAccount);
  });
});
