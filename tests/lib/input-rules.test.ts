/** The input rules every command and the config share: regions, sending domains, AWS ids, and how values are echoed. */
import { describe, expect, it } from "vitest";
import { isRoute53ZoneId, validateKmsKeyId, validateSecretAccessKey } from "../../lib/aws-ids";
import { ConfigError, validateConfig } from "../../lib/config";
import { validateSendingDomain } from "../../lib/domain";
import { parseSmtpRegion } from "../../lib/regions";
import { shown, typeName } from "../../lib/text";

function issues(values: Record<string, unknown>): string[] {
  try {
    validateConfig(values, "test");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.message}`);
    throw e;
  }
  return [];
}
const base = { domain: "example.com", regions: ["us-east-1"] };

describe("shown: echoing a value in an error", () => {
  it("quotes a short value as it is", () => {
    expect(shown("eu-east-9")).toBe('"eu-east-9"');
    expect(shown(42)).toBe("42");
  });
  it("cuts a long value to 60 characters and gives its length", () => {
    const s = shown("a".repeat(20_000_000));
    expect(s).toBe(`"${"a".repeat(60)}…" (20000000 characters)`);
    expect(shown({ k: "b".repeat(1000) })).toMatch(/^\{"k":"b{54}… \(1008 characters of JSON\)$/);
  });
  it("a value exactly as long as the limit is shown whole; one character more is cut", () => {
    expect(shown({ a: 1 }, 7)).toBe('{"a":1}');
    expect(shown({ a: 1 }, 6)).toBe('{"a":1… (7 characters of JSON)');
    expect(shown("abc", 3)).toBe('"abc"');
    expect(shown("abcd", 3)).toBe('"abc…" (4 characters)');
  });
  it("a value JSON cannot write is shown as text", () => {
    expect(shown(10n)).toBe("10");
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(shown(loop)).toBe("[object Object]");
    expect(shown(undefined)).toBe("undefined");
  });
  it("names types in words", () => {
    expect([typeName("x"), typeName(3), typeName(1.5), typeName([]), typeName({}), typeName(null), typeName(true)]).toEqual([
      "a string", "a whole number", "a number", "a list", "a map", "null", "true or false",
    ]);
    expect([typeName(undefined), typeName(10n)]).toEqual(["undefined", "bigint"]);
  });
});

describe("parseSmtpRegion: one region parser for config and every flag", () => {
  it("ignores case and surrounding whitespace", () => {
    expect(parseSmtpRegion("  US-East-1 ")).toEqual({ region: "us-east-1" });
    expect(parseSmtpRegion("eu-west-2")).toEqual({ region: "eu-west-2" });
  });
  it("refuses a region without SES SMTP and lists the ones with it", () => {
    const r = parseSmtpRegion("eu-east-9");
    expect("error" in r && r.error).toMatch(/^"eu-east-9" has no Amazon SES SMTP endpoint\. Use one of: us-east-1, us-east-2, .*us-gov-west-1/);
  });
  it("points from an availability zone to its region", () => {
    const r = parseSmtpRegion("us-east-1a");
    expect("error" in r && r.error).toMatch(/availability zone; the region is us-east-1/);
  });
  it("refuses an empty region and cuts a long one", () => {
    expect("error" in parseSmtpRegion(" ")).toBe(true);
    const r = parseSmtpRegion("x".repeat(5000));
    expect("error" in r && r.error.length).toBeLessThan(900);
  });
});

describe("validateSendingDomain", () => {
  it.each(["co.uk", "github.io", "com.au", "s3.amazonaws.com"])("refuses the public suffix %s", (d) => {
    expect(validateSendingDomain(d)).toMatch(/is a public suffix/);
  });
  it("refuses a bare TLD (single label)", () => {
    expect(validateSendingDomain("com")).toMatch(/single label/);
  });
  it.each(["example.co.uk", "example.com", "me.github.io", "bücher.example"])("accepts the registrable or lower name %s", (d) => {
    expect(validateSendingDomain(d)).toBeUndefined();
  });
});

describe("validateKmsKeyId", () => {
  it.each([
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "mrk-1234abcd12ab34cd56ef1234567890ab",
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "alias/mail-infra",
    "arn:aws:kms:us-east-1:111122223333:alias/mail/secrets",
    // A key id is a UUID, whose hex digits are "case insensitive on input" (RFC 4122, section 3).
    "1234ABCD-12AB-34CD-56EF-1234567890AB",
  ])("accepts %s", (id) => {
    expect(validateKmsKeyId(id)).toBeUndefined();
  });
  it.each([
    "my-key",
    "1234abcd-12ab-34cd-56ef",
    "mrk-123",
    "alias/",
    "alias/with space",
    "arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:s3:::bucket",
    "arn:aws:kms:us-east-1:111122223333:key/alias/x",
  ])("refuses %s and lists the accepted forms", (id) => {
    expect(validateKmsKeyId(id)).toMatch(/is not a KMS key reference\. Use a key id .* an alias ARN/);
  });
  it("names every accepted form, with an example of each", () => {
    expect(validateKmsKeyId("my-key")).toBe(
      '"my-key" is not a KMS key reference. Use a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a multi-region key id (mrk-1234abcd12ab34cd56ef1234567890ab), ' +
        "a key ARN (arn:aws:kms:us-east-1:111122223333:key/<key id>), an alias (alias/mail) or an alias ARN (arn:aws:kms:us-east-1:111122223333:alias/mail).",
    );
  });
});

describe("isRoute53ZoneId: one reading for config, adopt and its discovery", () => {
  it("Route 53's ids: Z, then letters and digits", () => {
    // The id in Route 53's API reference examples (GetHostedZone: Z1D633PJN98FT9), and the shortest and longest kept.
    expect(isRoute53ZoneId("Z1D633PJN98FT9")).toBe(true);
    expect(isRoute53ZoneId("Z123456")).toBe(true);
    expect(isRoute53ZoneId(`Z${"A".repeat(32)}`)).toBe(true);
  });
  it("a zone's name, a lower-case id, a short or long one, or one with its /hostedzone/ prefix is not an id", () => {
    expect(isRoute53ZoneId("example.com")).toBe(false);
    expect(isRoute53ZoneId("z1d633pjn98ft9")).toBe(false);
    expect(isRoute53ZoneId("Z12345")).toBe(false);
    expect(isRoute53ZoneId(`Z${"A".repeat(33)}`)).toBe(false);
    expect(isRoute53ZoneId("/hostedzone/Z1D633PJN98FT9")).toBe(false);
    expect(isRoute53ZoneId("Z1D633PJN98FT9 ")).toBe(false);
    // moto's ids: 15 random capitals and digits, a Z first only by chance.
    expect(isRoute53ZoneId("NSD5C7K39F3BSOR")).toBe(false);
  });
});

describe("validateSecretAccessKey", () => {
  const key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  it("accepts 40 characters of the base64 alphabet", () => {
    expect(key).toHaveLength(40);
    expect(validateSecretAccessKey(key)).toBeUndefined();
  });
  it.each([
    ["too short", "some+secret+key"],
    ["too long", `${key}A`],
    ["a character outside the alphabet", `${key.slice(0, 39)}=`],
    ["an access key id", "AKIAIOSFODNN7EXAMPLE"],
  ])("refuses %s without echoing it", (_what, value) => {
    const problem = validateSecretAccessKey(value);
    expect(problem).toMatch(/not an AWS secret access key.*40 characters/);
    expect(problem).not.toContain(value);
  });
  it("says what is wrong by the length alone, or by the alphabet when the length is right (anywhere in the key)", () => {
    const tail = ", and a secret access key is 40 characters of A-Z, a-z, 0-9, / and +. Pipe only the key's secret (not the access key id AKIA..., not a password).";
    expect(validateSecretAccessKey("AKIAIOSFODNN7EXAMPLE")).toBe(`this is not an AWS secret access key: it has 20 characters${tail}`);
    expect(validateSecretAccessKey("x")).toBe(`this is not an AWS secret access key: it has 1 character${tail}`);
    expect(validateSecretAccessKey("")).toBe(`this is not an AWS secret access key: it has 0 characters${tail}`);
    expect(validateSecretAccessKey(`=${key.slice(1)}`)).toBe(`this is not an AWS secret access key: it has characters outside A-Z, a-z, 0-9, / and +${tail}`);
    expect(validateSecretAccessKey(`${key.slice(0, 20)} ${key.slice(21)}`)).toMatch(/characters outside A-Z/);
  });
});

describe("config: the shared rules", () => {
  it("refuses a public suffix as the domain, accepts a domain under one", () => {
    expect(issues({ ...base, domain: "co.uk" })).toEqual([expect.stringMatching(/^mail-infra:domain: "co\.uk" is not a valid domain to send from: .*public suffix/)]);
    expect(issues({ domains: ["example.org", "github.io"], regions: ["us-east-1"] })).toEqual([expect.stringMatching(/^mail-infra:domains\[1\]: .*public suffix/)]);
    expect(issues({ ...base, domain: "example.co.uk" })).toEqual([]);
  });
  it("takes regions in any case and with whitespace, as the commands do", () => {
    const cfg = validateConfig({ ...base, smtpCredentials: "any-address", regions: [" US-EAST-1", "Eu-West-1 "] }, "test");
    expect(cfg.smtp?.regions).toEqual(["us-east-1", "eu-west-1"]);
  });
  it("refuses a KMS key id that is none of the accepted forms, accepts an alias", () => {
    expect(issues({ ...base, smtpSecretKmsKeyId: "my-key" })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretKmsKeyId: "my-key" is not a KMS key reference.*Leave it empty/)]);
    expect(validateConfig({ ...base, smtpCredentials: "any-address", smtpSecretKmsKeyId: "alias/mail" }, "test").smtp?.kmsKeyId).toBe("alias/mail");
  });
  it.each([
    ["domain", 5, /must be a string, got a whole number: 5\./],
    ["domain", { name: "example.com" }, /must be a string, got a map: \{"name":"example\.com"\}\./],
    ["regions", "us-east-1", /must be a list of strings .*got a string: "us-east-1"\./],
    ["dnsTtl", "soon", /must be a whole number, got a string: "soon"\./],
    ["dnsTtl", [600], /must be a whole number, got a list: \[600\]\./],
  ])("refuses %s given as %j, naming the key, the expected and the given type", (key, value, message) => {
    expect(issues({ ...base, [key]: value })).toEqual([expect.stringMatching(new RegExp(`^mail-infra:${key}: ${message.source}`))]);
  });
  it("cuts a 20 MB value in every message", () => {
    const huge = "a".repeat(20_000_000);
    for (const values of [{ ...base, domain: `${huge}.com` }, { ...base, dmarcPolicy: huge }, { ...base, regions: [huge] }, { ...base, dnsTtl: huge }]) {
      const found = issues(values);
      expect(found.length).toBeGreaterThan(0);
      for (const m of found) {
        expect(m.length).toBeLessThan(1000);
        expect(m).toMatch(/…"? \(2000000\d characters/);
      }
    }
  });
});
