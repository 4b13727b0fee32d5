/**
 * Long TXT values, both ways (lib/records.ts): split into RFC 1035 character-strings of at most
 * 255 bytes when written, joined without a separator when read (RFC 7208 3.3, RFC 7489 6.4).
 * adopt and the policies read Route 53 values with parseRoute53TxtValue; a value rejoined with
 * a space, or cut to its first string, changes an SPF or DMARC record. Expected values are
 * written out by hand, in the forms Route 53 and the provider use: the API's quoted strings
 * `"part one" "part two"` with `\"` and `\\` escapes
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat)
 * and the provider's `part one""part two` (terraform-provider-aws route53_record docs, quoted in
 * https://github.com/hashicorp/terraform-provider-aws/issues/14941: "add \"\" inside the
 * configuration string").
 */
import { describe, expect, it } from "vitest";
import { parseRoute53TxtValue, route53TxtValue, txtStrings } from "../../lib/records";

const A255 = "a".repeat(255);

describe("txtStrings: at most 255 bytes per character-string", () => {
  it("255 bytes stay one string; 256 become 255 + 1; 511 become 255 + 255 + 1", () => {
    expect(txtStrings(A255)).toEqual([A255]);
    expect(txtStrings(`${A255}b`)).toEqual([A255, "b"]);
    expect(txtStrings(`${A255}${"b".repeat(255)}c`)).toEqual([A255, "b".repeat(255), "c"]);
    expect(txtStrings("")).toEqual([""]);
  });

  it("bytes, not characters: 128 two-byte characters (256 bytes) do not fit one string", () => {
    const parts = txtStrings("é".repeat(128));
    expect(parts.length).toBe(2);
    for (const p of parts) expect(Buffer.byteLength(p, "utf8")).toBeLessThanOrEqual(255);
  });

  it("a multi-byte character is never cut in two: the strings rejoin to the same text", () => {
    // 254 ASCII bytes, then "é" (2 bytes) straddles the 255-byte boundary.
    const value = `${"a".repeat(254)}é${"z".repeat(10)}`;
    const parts = txtStrings(value);
    expect(parts).toEqual(["a".repeat(254), `é${"z".repeat(10)}`]);
    expect(parts.join("")).toBe(value);
  });
});

describe("route53TxtValue: the provider's form", () => {
  it("a short value is itself; a long one is its strings joined with \"\"", () => {
    expect(route53TxtValue("v=spf1 -all")).toBe("v=spf1 -all");
    expect(route53TxtValue(`${A255}tail`)).toBe(`${A255}""tail`);
  });
});

describe("parseRoute53TxtValue: the text receivers see", () => {
  it("the provider's form: strings joined with \"\" rejoin without a separator", () => {
    expect(parseRoute53TxtValue(`${A255}""tail`)).toBe(`${A255}tail`);
    expect(parseRoute53TxtValue('v=spf1 ip4:192.0.2.1 ip""4:192.0.2.2 -all')).toBe("v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all");
  });

  it("the API's form: quoted strings separated by spaces rejoin without a separator, the spaces between them dropped", () => {
    expect(parseRoute53TxtValue('"v=DMARC1; p=reject;" " rua=mailto:d@example.com"')).toBe("v=DMARC1; p=reject; rua=mailto:d@example.com");
    expect(parseRoute53TxtValue('"v=spf1 ip4:192.0.2.1 ip"   "4:192.0.2.2 -all"')).toBe("v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all");
    expect(parseRoute53TxtValue('"one"')).toBe("one");
    expect(parseRoute53TxtValue('  "one"  "two"  ')).toBe("onetwo");
  });

  it("escapes inside quoted strings: \\\" is a quote, \\\\ a backslash", () => {
    expect(parseRoute53TxtValue('"say \\"hi\\"" "back\\\\slash"')).toBe('say "hi"back\\slash');
  });

  it("an unquoted value with no \"\" is taken as written (spaces kept)", () => {
    expect(parseRoute53TxtValue("v=spf1 include:amazonses.com ~all")).toBe("v=spf1 include:amazonses.com ~all");
  });

  it("a value that only starts with a quoted string is not the quoted form", () => {
    expect(parseRoute53TxtValue('"a" b')).toBe('"a" b');
  });

  it("a value that only ends with a quoted string is not the quoted form either", () => {
    expect(parseRoute53TxtValue('say "hi"')).toBe('say "hi"');
  });

  it("round trip: every long value written by route53TxtValue reads back as itself", () => {
    for (const v of [`v=spf1 ${"ip4:192.0.2.1 ".repeat(40)}-all`, `${"x".repeat(600)}`, "short"]) expect(parseRoute53TxtValue(route53TxtValue(v))).toBe(v);
  });
});
