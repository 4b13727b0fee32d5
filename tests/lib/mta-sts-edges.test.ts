/**
 * MTA-STS (RFC 8461) edges the first tests (tests/lib/mta-sts.test.ts) left open: the names,
 * the record's field syntax (3.1), the policy's line syntax and limits (3.2), and the wildcard
 * match (4.1). Each expected value is from the RFC.
 */
import { describe, expect, it } from "vitest";
import {
  MTA_STS_MAX_AGE_LIMIT,
  MTA_STS_MAX_BODY_BYTES,
  MTA_STS_POLICY_PATH,
  mtaStsPolicyHost,
  mtaStsRecordName,
  mxMatchesPattern,
  parseMtaStsPolicy,
  parseMtaStsRecord,
} from "../../lib/mta-sts";

describe("names and limits (RFC 8461 3.1 to 3.3)", () => {
  it("puts the record at _mta-sts and the policy at mta-sts of the normalised domain", () => {
    expect(mtaStsRecordName("Example.COM.")).toBe("_mta-sts.example.com");
    expect(mtaStsPolicyHost(" Example.com ")).toBe("mta-sts.example.com");
    expect(MTA_STS_POLICY_PATH).toBe("/.well-known/mta-sts.txt");
  });

  it("bounds the body at 64 KiB and max_age at 31557600 seconds", () => {
    expect(MTA_STS_MAX_BODY_BYTES).toBe(65_536);
    expect(MTA_STS_MAX_AGE_LIMIT).toBe(31_557_600);
  });
});

describe("parseMtaStsRecord: the field syntax (RFC 8461 3.1)", () => {
  it("takes spaces or a tab after the version, and only STSv1 itself as the version", () => {
    expect(parseMtaStsRecord(["v=STSv1 \t; id=a1"])).toEqual({ kind: "record", record: { id: "a1" }, text: "v=STSv1 \t; id=a1" });
    expect(parseMtaStsRecord(["v=STSv10; id=a1"])).toEqual({ kind: "none" });
    expect(parseMtaStsRecord([" v=STSv1; id=a1"])).toEqual({ kind: "none" });
    expect(parseMtaStsRecord(["v=STSv1"])).toMatchObject({ kind: "invalid", texts: ["v=STSv1"] });
  });

  it("skips empty fields, keeps the first of a repeated field and ignores extension fields", () => {
    expect(parseMtaStsRecord(["v=STSv1;; id=first ;ext_1.x-y=v; id=second;"])).toMatchObject({ kind: "record", record: { id: "first" } });
  });

  it("says which field is no key=value, and keeps the records it judged", () => {
    const texts = ["v=STSv1; id=a b"];
    expect(parseMtaStsRecord(["other", ...texts])).toEqual({ kind: "invalid", problem: '"id=a b" is not a key=value field (RFC 8461 3.1); senders ignore the record.', texts });
    for (const field of ["=x", "id=", "-id=x", `${"k".repeat(33)}=x`, `id=${"x".repeat(201)}`, "id=a=b", "id=a;b"]) {
      expect(parseMtaStsRecord([`v=STSv1; ${field}`]), field).toMatchObject({ kind: "invalid" });
    }
    // The longest key (32) and value (200) are fields.
    expect(parseMtaStsRecord([`v=STSv1; id=x; ${"k".repeat(32)}=${"v".repeat(200)}`])).toMatchObject({ kind: "record" });
  });

  it("gives the exact reasons for two records, no id and a bad id", () => {
    expect(parseMtaStsRecord(["v=STSv1; id=1", "v=STSv1; id=2", "v=STSv1; id=3"])).toEqual({
      kind: "invalid",
      problem: '3 "v=STSv1" records are published; with more than one, senders ignore MTA-STS (RFC 8461 3.1). Keep exactly one.',
      texts: ["v=STSv1; id=1", "v=STSv1; id=2", "v=STSv1; id=3"],
    });
    expect(parseMtaStsRecord(["v=STSv1; ext=1"])).toEqual({
      kind: "invalid",
      problem: 'the record has no "id" field; it is required (RFC 8461 3.1), so senders ignore the record. Add id=<1 to 32 letters and digits>, changed at every policy change.',
      texts: ["v=STSv1; ext=1"],
    });
    expect(parseMtaStsRecord(["v=STSv1; id=2024_01"])).toEqual({
      kind: "invalid",
      problem: 'the id "2024_01" is not 1 to 32 letters and digits (RFC 8461 3.1); senders ignore the record.',
      texts: ["v=STSv1; id=2024_01"],
    });
    expect(parseMtaStsRecord([`v=STSv1; id=${"A1".repeat(16)}`])).toMatchObject({ kind: "record" });
  });
});

describe("parseMtaStsPolicy: lines, fields and limits (RFC 8461 3.2)", () => {
  const policy = (...lines: string[]) => parseMtaStsPolicy(lines.join("\n"));
  const OK = ["version: STSv1", "mode: enforce", "mx: mail.example.com", "max_age: 86400"];

  it("trims lines and values, skips blank lines, and takes a tab after the colon", () => {
    expect(policy("  version:STSv1  ", "", "mode:\tenforce", "   ", "mx:  Mail.Example.COM.  ", "max_age: 86400 ")).toEqual({
      policy: { mode: "enforce", maxAge: 86400, mx: ["mail.example.com"] },
      problems: [],
    });
  });

  it("takes no other character than a space or a tab as the delimiter's white space, and no CR inside a line", () => {
    // RFC 8461 3.2: sts-policy-field-delim = ":" *WSP; WSP is a space or a tab (RFC 5234).
    expect(policy("version: STSv1", "mode:\fenforce", "mx: mail.example.com", "max_age: 86400").problems).toEqual([
      'the mode is "\\fenforce"; it must be enforce, testing or none (case-sensitive, RFC 8461 3.2).',
    ]);
    expect(policy("version: STSv1", "mode: enforce\rtesting", "mx: mail.example.com", "max_age: 86400").problems[0]).toBe(
      '"mode: enforce\\rtesting" is not a "key: value" line (RFC 8461 3.2).',
    );
  });

  it("keeps the first of a repeated field and each mx pattern once", () => {
    expect(policy(...OK, "mode: none", "max_age: 5", "mx: mail.example.com", "mx: MAIL.example.com.", "mx: *.example.net").policy).toEqual({
      mode: "enforce",
      maxAge: 86400,
      mx: ["mail.example.com", "*.example.net"],
    });
  });

  it("names a line that is no key: value", () => {
    expect(policy(...OK, "mx mail.example.com").problems).toEqual(['"mx mail.example.com" is not a "key: value" line (RFC 8461 3.2).']);
    expect(policy(...OK, `${"k".repeat(33)}: v`).problems).toHaveLength(1);
    expect(policy(...OK, ": v").problems).toHaveLength(1);
    expect(policy(...OK, `${"k".repeat(32)}: v`).problems).toEqual([]);
  });

  it("refuses an mx that is no host name nor a *. wildcard before one", () => {
    for (const mx of ["*", "*.com", "mail", "a.*.example.com", "mail_1.example.com", "-mail.example.com", "mail-.example.com", "mail..example.com", "mail.example.c"]) {
      expect(policy(...OK, `mx: ${mx}`).problems, mx).toEqual([`mx ${JSON.stringify(mx)} is not a host name or a "*." wildcard followed by one (RFC 8461 3.2).`]);
    }
    expect(policy(...OK, `mx: ${"a".repeat(64)}.example.com`).problems).toHaveLength(1);
    for (const mx of ["*.example.com", "a.example.com", `${"a".repeat(63)}.example.com`, "m1.x-y.example.co"]) expect(policy(...OK, `mx: ${mx}`).problems, mx).toEqual([]);
  });

  it("says what is missing, one problem each, and returns no policy", () => {
    expect(parseMtaStsPolicy("")).toEqual({
      problems: [
        'the policy has no "version: STSv1" line (RFC 8461 3.2).',
        'the policy has no "mode" line (enforce, testing or none; RFC 8461 3.2).',
        'the policy has no "max_age" line (RFC 8461 3.2).',
      ],
    });
  });

  it("takes max_age as up to 10 digits, at most 31557600", () => {
    expect(policy("version: STSv1", "mode: none", "max_age: 31557600").policy?.maxAge).toBe(31_557_600);
    expect(policy("version: STSv1", "mode: none", "max_age: 0").policy?.maxAge).toBe(0);
    for (const age of ["31557601", "-1", "1e6", "86400s", "", "0x10", "00000000001"]) {
      expect(policy("version: STSv1", "mode: none", `max_age: ${age}`).problems, age).toEqual([`max_age ${JSON.stringify(age)} is not a whole number of seconds up to 31557600 (RFC 8461 3.2).`]);
    }
  });

  it("needs an mx line in enforce and testing mode, not in none", () => {
    expect(policy("version: STSv1", "mode: enforce", "max_age: 1").problems).toEqual(['a enforce policy needs at least one "mx:" line (RFC 8461 3.2).']);
    expect(policy("version: STSv1", "mode: testing", "max_age: 1", "mx: mail.example.com").policy).toEqual({ mode: "testing", maxAge: 1, mx: ["mail.example.com"] });
    expect(policy("version: STSv1", "mode: none", "max_age: 1").problems).toEqual([]);
  });
});

describe("mxMatchesPattern: the wildcard (RFC 8461 4.1)", () => {
  it("normalises the pattern too, and needs a label before the matched part", () => {
    expect(mxMatchesPattern("MX1.Example.com.", "*.EXAMPLE.com.")).toBe(true);
    expect(mxMatchesPattern(".example.com", "*.example.com")).toBe(false);
    expect(mxMatchesPattern("mx1example.com", "*.example.com")).toBe(false);
    // A pattern without the wildcard is a name; "*" elsewhere is a plain character.
    expect(mxMatchesPattern("mx1.example.com", "mx1.*.com")).toBe(false);
    expect(mxMatchesPattern("x.mx1.example.com", "*mx1.example.com")).toBe(false);
  });
});
