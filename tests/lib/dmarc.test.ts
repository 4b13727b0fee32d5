import { describe, expect, it } from "vitest";
import {
  DMARC_POLICIES,
  applicableDmarc,
  dmarcDiscoveryNames,
  buildDmarc,
  dmarcPolicyProblem,
  dmarcRecordName,
  externalReportDestinations,
  isDmarcRecord,
  looksLikeDmarc,
  nextPolicyStep,
  parseDmarc,
  parseDmarcUri,
  policyRank,
  validateDmarcAlignment,
  validateDmarcFo,
  validateDmarcPct,
  validateDmarcPolicy,
  validateDmarcRf,
  validateDmarcRi,
  validateDmarcUri,
  type DmarcRecord,
} from "../../lib/dmarc";

const codes = (parsed: { problems: { code: string }[] }): string[] => parsed.problems.map((p) => p.code);

describe("policy ladder", () => {
  it("ranks none < quarantine < reject", () => {
    expect(DMARC_POLICIES).toEqual(["none", "quarantine", "reject"]);
    expect(DMARC_POLICIES.map(policyRank)).toEqual([0, 1, 2]);
  });
  it("steps none → quarantine → reject, then stops", () => {
    expect(nextPolicyStep("none")).toBe("quarantine");
    expect(nextPolicyStep("quarantine")).toBe("reject");
    expect(nextPolicyStep("reject")).toBeUndefined();
  });
});

describe("dmarcRecordName", () => {
  it("prefixes _dmarc and normalises", () => {
    expect(dmarcRecordName("Example.COM.")).toBe("_dmarc.example.com");
  });
});

describe("validateDmarcPolicy", () => {
  it.each(["none", "quarantine", "reject"])("accepts %s", (v) => {
    expect(validateDmarcPolicy(v)).toBeUndefined();
  });
  it("asks for the canonical lowercase form, so a validated value is a DmarcPolicy", () => {
    expect(validateDmarcPolicy("Reject")).toMatch(/write the DMARC policy as "reject"/);
    expect(validateDmarcPolicy(" none")).toMatch(/as "none"/);
  });
  it.each(["", "block", "quarantined"])("rejects %j", (v) => {
    expect(validateDmarcPolicy(v)).toMatch(/is not a DMARC policy; use "none" \(monitor only\), "quarantine" or "reject"/);
  });
});

describe("validateDmarcUri / parseDmarcUri", () => {
  it.each(["mailto:dmarc@example.com", "MAILTO:dmarc@Example.com", "mailto:dmarc+rua@example.com!10m", "mailto:a.b@example.com!500", "mailto:x@bücher.example", "mailto:x@example.com?subject=dmarc"])(
    "accepts %s",
    (uri) => {
      expect(validateDmarcUri(uri)).toBeUndefined();
    },
  );
  it("parses address, domain and size", () => {
    expect(parseDmarcUri(" mailto:Reports@Example.COM!10M ")).toEqual({
      uri: "mailto:Reports@Example.COM!10M",
      address: "Reports@example.com",
      domain: "example.com",
      size: "10m",
    });
    expect(parseDmarcUri("mailto:a%21b@example.com")).toMatchObject({ address: "a!b@example.com" });
  });
  it.each([
    ["", /empty/],
    ["https://example.com/dmarc", /not a mailto: URI/],
    ["dmarc@example.com", /not a mailto: URI/],
    ["mailto:dmarc@example.com!10x", /size limit "!10x".*k, m, g or t/],
    ["mailto:dmarc@example.com!", /size limit/],
    ["mailto:a!b@example.com", /size limit .*%21/],
    ["mailto:", /does not contain an e-mail address/],
    ["mailto:example.com", /does not contain an e-mail address/],
    ["mailto:dmarc@", /does not contain an e-mail address/],
    ["mailto:a..b@example.com", /local part "a..b"/],
    ["mailto:dmarc@localhost", /invalid domain: .*single label/],
    ["mailto:dmarc@exa_mple.com", /invalid domain: .*underscore/],
    ["mailto:a@example.com,mailto:b@example.com", /comma/],
    ["mailto:a%zz@example.com", /percent-encoding/],
  ])("rejects %j", (uri, message) => {
    expect(validateDmarcUri(uri)).toMatch(message);
    expect(typeof parseDmarcUri(uri)).toBe("string");
  });
});

describe("validateDmarcPct", () => {
  it.each([0, 1, 50, 100])("accepts %d", (n) => {
    expect(validateDmarcPct(n)).toBeUndefined();
  });
  it.each([-1, 101, 50.5, Number.NaN])("rejects %d", (n) => {
    expect(validateDmarcPct(n)).toMatch(/whole number from 0 to 100/);
  });
});

describe("validateDmarcAlignment", () => {
  it.each(["r", "s"])("accepts %s", (v) => {
    expect(validateDmarcAlignment(v)).toBeUndefined();
  });
  it("asks for lowercase", () => {
    expect(validateDmarcAlignment("S")).toMatch(/as "s"/);
  });
  it.each(["", "relaxed", "x"])("rejects %j", (v) => {
    expect(validateDmarcAlignment(v)).toMatch(/use "r" \(relaxed.*"s" \(strict/);
  });
});

describe("validateDmarcFo / validateDmarcRf / validateDmarcRi", () => {
  it("fo: colon-separated 0, 1, d, s", () => {
    expect(validateDmarcFo("1")).toBeUndefined();
    expect(validateDmarcFo("d:s")).toBeUndefined();
    expect(validateDmarcFo("2")).toMatch(/colon-separated list of 0, 1, d and s/);
    expect(validateDmarcFo("1,d")).toMatch(/colon-separated/);
    expect(validateDmarcFo("")).toMatch(/colon-separated/);
  });
  it("rf: only afrf", () => {
    expect(validateDmarcRf("afrf")).toBeUndefined();
    expect(validateDmarcRf("iodef")).toMatch(/only registered failure report format is "afrf"/);
  });
  it("ri: unsigned 32-bit seconds", () => {
    expect(validateDmarcRi(86400)).toBeUndefined();
    expect(validateDmarcRi(-1)).toMatch(/whole number of seconds/);
    expect(validateDmarcRi(2 ** 32)).toMatch(/whole number of seconds/);
  });
});

describe("isDmarcRecord", () => {
  it.each(["v=DMARC1; p=none", "v=DMARC1", "v = DMARC1 ;p=reject", "V=DMARC1; p=none"])("accepts %j", (txt) => {
    expect(isDmarcRecord(txt)).toBe(true);
  });
  it.each(["v=dmarc1; p=none", "p=none; v=DMARC1", "v=DMARC10; p=none", "v=spf1 -all", " v=DMARC1; p=none", "v=DMARC1 p=none"])("rejects %j", (txt) => {
    expect(isDmarcRecord(txt)).toBe(false);
  });
});

describe("parseDmarc", () => {
  it("parses a complete record", () => {
    const parsed = parseDmarc(
      "v=DMARC1; p=Quarantine; sp=reject; pct=50; rua=mailto:a@example.com, mailto:b@example.net!10m; ruf=mailto:f@example.com; adkim=S; aspf=r; fo=1:d; rf=afrf; ri=3600;",
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.valid).toBe(true);
    expect(parsed.record).toEqual({
      v: "DMARC1",
      p: "quarantine",
      sp: "reject",
      pct: 50,
      rua: ["mailto:a@example.com", "mailto:b@example.net!10m"],
      ruf: ["mailto:f@example.com"],
      adkim: "s",
      aspf: "r",
      fo: "1:d",
      rf: "afrf",
      ri: 3600,
    });
    expect(parsed.tags.p).toBe("Quarantine");
  });

  it("v=DMARC1 must come first", () => {
    const parsed = parseDmarc("p=none; v=DMARC1");
    expect(parsed.valid).toBe(false);
    expect(parsed.record).toBeUndefined();
    expect(parsed.problems[0]).toMatchObject({ code: "dmarc-version-first", tag: "v", severity: "error" });
  });

  it("v must be exactly DMARC1", () => {
    const parsed = parseDmarc("v=dmarc1; p=none");
    expect(parsed.problems[0]).toMatchObject({ code: "dmarc-bad-version" });
    expect(parsed.problems[0]?.message).toMatch(/exactly "DMARC1" \(case-sensitive\)/);
    expect(parseDmarc("v=DMARC1 p=none").problems[0]?.message).toMatch(/Separate the tags with ";"/);
  });

  it("p is required", () => {
    const parsed = parseDmarc("v=DMARC1; rua=mailto:a@example.com");
    expect(parsed.valid).toBe(false);
    expect(parsed.record).toBeUndefined();
    expect(codes(parsed)).toEqual(["dmarc-p-missing"]);
  });

  it("p belongs right after v (warning)", () => {
    const parsed = parseDmarc("v=DMARC1; rua=mailto:a@example.com; p=reject");
    expect(parsed.valid).toBe(true);
    expect(parsed.record?.p).toBe("reject");
    expect(parsed.problems).toEqual([expect.objectContaining({ code: "dmarc-p-position", severity: "warning", tag: "p" })]);
  });

  it("invalid p is an error and no record is returned", () => {
    const parsed = parseDmarc("v=DMARC1; p=block");
    expect(parsed.record).toBeUndefined();
    expect(parsed.problems[0]).toMatchObject({ code: "dmarc-bad-policy", tag: "p" });
    expect(parsed.problems[0]?.message).toMatch(/^p: "block" is not a DMARC policy/);
  });

  it("duplicate tags are errors", () => {
    const parsed = parseDmarc("v=DMARC1; p=none; p=reject");
    expect(parsed.valid).toBe(false);
    expect(parsed.problems[0]).toMatchObject({ code: "dmarc-duplicate-tag", tag: "p" });
    expect(parsed.record?.p).toBe("none");
  });

  it("unknown tags are warnings, with a hint for DMARCbis tags", () => {
    const parsed = parseDmarc("v=DMARC1; p=none; rue=mailto:a@example.com; np=reject");
    expect(parsed.valid).toBe(true);
    expect(codes(parsed)).toEqual(["dmarc-unknown-tag", "dmarc-unknown-tag"]);
    expect(parsed.problems[0]?.message).toMatch(/"rue".*Check the spelling/);
    expect(parsed.problems[1]?.message).toMatch(/"np".*DMARCbis/);
  });

  it("a part without = is a syntax error", () => {
    expect(codes(parseDmarc("v=DMARC1; p=none; reject"))).toEqual(["dmarc-syntax"]);
  });

  it.each([
    ["sp=blocked", "dmarc-bad-policy", "sp"],
    ["rua=https://example.com/r", "dmarc-bad-uri", "rua"],
    ["ruf=mailto:f@example.com!1q", "dmarc-bad-uri", "ruf"],
    ["pct=101", "dmarc-bad-pct", "pct"],
    ["pct=5.5", "dmarc-bad-pct", "pct"],
    ["adkim=x", "dmarc-bad-alignment", "adkim"],
    ["aspf=relaxed", "dmarc-bad-alignment", "aspf"],
    ["fo=2", "dmarc-bad-fo", "fo"],
    ["rf=iodef", "dmarc-bad-rf", "rf"],
    ["ri=daily", "dmarc-bad-ri", "ri"],
  ])("rejects %s", (tag, code, name) => {
    const parsed = parseDmarc(`v=DMARC1; p=none; ${tag}`);
    expect(parsed.valid).toBe(false);
    expect(parsed.problems).toEqual([expect.objectContaining({ code, tag: name, severity: "error" })]);
    expect(parsed.record).toBeDefined();
    expect(parsed.record?.[name as keyof DmarcRecord]).toBeUndefined();
  });

  it("keeps the valid URIs of a list with one bad entry", () => {
    const parsed = parseDmarc("v=DMARC1; p=none; rua=mailto:a@example.com,ftp://x");
    expect(parsed.record?.rua).toEqual(["mailto:a@example.com"]);
    expect(codes(parsed)).toEqual(["dmarc-bad-uri"]);
  });
});

describe("buildDmarc", () => {
  it("writes tags in the canonical order and omits undefined ones", () => {
    expect(buildDmarc({ v: "DMARC1", p: "none" })).toBe("v=DMARC1; p=none");
    expect(
      buildDmarc({
        ri: 86400,
        rf: "afrf",
        fo: "1",
        aspf: "s",
        adkim: "r",
        ruf: ["mailto:f@example.com"],
        rua: ["mailto:a@example.com", "mailto:b@example.net"],
        pct: 100,
        sp: "quarantine",
        p: "reject",
        v: "DMARC1",
      }),
    ).toBe("v=DMARC1; p=reject; sp=quarantine; pct=100; rua=mailto:a@example.com,mailto:b@example.net; ruf=mailto:f@example.com; adkim=r; aspf=s; fo=1; rf=afrf; ri=86400");
  });
  it("omits empty URI lists", () => {
    expect(buildDmarc({ v: "DMARC1", p: "none", rua: [] })).toBe("v=DMARC1; p=none");
  });
  it("round-trips through parseDmarc", () => {
    const record: DmarcRecord = { v: "DMARC1", p: "quarantine", sp: "reject", pct: 25, rua: ["mailto:a@example.com!10m"], adkim: "s" };
    expect(parseDmarc(buildDmarc(record))).toEqual({ record, tags: expect.any(Object), problems: [], valid: true });
  });
});

describe("dmarcPolicyProblem", () => {
  it("is silent at or above the minimum", () => {
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "reject" }, "quarantine")).toBeUndefined();
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "quarantine" }, "quarantine")).toBeUndefined();
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "none" }, "none")).toBeUndefined();
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "reject", pct: 50 }, "quarantine")).toBeUndefined();
  });
  it("names the current policy and the next step first", () => {
    const problem = dmarcPolicyProblem({ v: "DMARC1", p: "none" }, "reject");
    expect(problem).toMatchObject({ code: "dmarc-policy-below-minimum", severity: "warning", tag: "p" });
    expect(problem?.message).toMatch(/The DMARC policy is p=none, below the required minimum p=reject/);
    expect(problem?.message).toMatch(/none → quarantine → reject: next p=quarantine, then p=reject/);
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "quarantine" }, "reject")?.message).toMatch(/: next p=reject\./);
  });
  it("checks the subdomain policy", () => {
    const problem = dmarcPolicyProblem({ v: "DMARC1", p: "reject", sp: "none" }, "quarantine");
    expect(problem).toMatchObject({ code: "dmarc-subdomain-policy-below-minimum", tag: "sp" });
    expect(problem?.message).toMatch(/sp=none.*next sp=quarantine/);
  });
  it("checks a partial pct (RFC 7489 6.6.4)", () => {
    const problem = dmarcPolicyProblem({ v: "DMARC1", p: "reject", pct: 20 }, "reject");
    expect(problem).toMatchObject({ code: "dmarc-pct-below-minimum", tag: "pct" });
    expect(problem?.message).toMatch(/other 80% is treated as p=quarantine/);
  });
});

describe("externalReportDestinations", () => {
  it("lists destinations outside the organisational domain with their authorisation name", () => {
    const record: DmarcRecord = {
      v: "DMARC1",
      p: "none",
      rua: ["mailto:dmarc@example.com", "mailto:x@reports.Vendor.net!10m", "mailto:y@mail.example.com"],
      ruf: ["mailto:x@reports.Vendor.net!10m", "mailto:f@forensics.example.org"],
    };
    expect(externalReportDestinations("Mail.Example.com.", record)).toEqual([
      { uri: "mailto:x@reports.Vendor.net!10m", destination: "reports.vendor.net", authorizationName: "mail.example.com._report._dmarc.reports.vendor.net" },
      { uri: "mailto:f@forensics.example.org", destination: "forensics.example.org", authorizationName: "mail.example.com._report._dmarc.forensics.example.org" },
    ]);
  });
  it("is empty when all destinations are in the same organisational domain", () => {
    expect(externalReportDestinations("example.co.uk", { v: "DMARC1", p: "none", rua: ["mailto:d@reports.example.co.uk"] })).toEqual([]);
    expect(externalReportDestinations("example.com", { v: "DMARC1", p: "none" })).toEqual([]);
  });
  it("treats sibling registrations under a public suffix as external", () => {
    expect(externalReportDestinations("a.co.uk", { v: "DMARC1", p: "none", rua: ["mailto:d@b.co.uk"] })).toHaveLength(1);
  });
});

describe("DMARC record detection", () => {
  it("tells a value meant as DMARC, and the record name", async () => {
    const { looksLikeDmarc, isDmarcRecordName, dmarcPolicyDomain } = await import("../../lib/dmarc");
    expect(looksLikeDmarc("v=DMARC1; p=none")).toBe(true);
    expect(looksLikeDmarc(" v = dmarc1;p=none")).toBe(true);
    expect(looksLikeDmarc("v=spf1 -all")).toBe(false);
    expect(isDmarcRecordName("_DMARC.Example.com.")).toBe(true);
    expect(isDmarcRecordName("_dmarc")).toBe(true);
    expect(isDmarcRecordName("dmarc.example.com")).toBe(false);
    expect(dmarcPolicyDomain("_dmarc.example.com")).toBe("example.com");
    expect(dmarcPolicyDomain("_dmarc")).toBeUndefined();
  });
});

// The cases below pin what the mutation run (npm run test:mutation -- lib/dmarc.ts) found untested.

describe("parseDmarcUri: the edges of each part", () => {
  it("takes only a size of digits and a unit after the last '!' (RFC 7489 6.2)", () => {
    expect(validateDmarcUri("mailto:dmarc@example.com!x10m")).toMatch(/size limit "!x10m"/);
  });
  it("takes the scheme only at the start", () => {
    expect(validateDmarcUri("xmailto:dmarc@example.com")).toMatch(/is not a mailto: URI/);
  });
  it("needs a local part before the '@'", () => {
    expect(validateDmarcUri("mailto:@example.com")).toMatch(/does not contain an e-mail address \(local-part@domain\)/);
  });
  it("accepts a dot-atom local part with several characters between the dots (RFC 5322 3.2.3)", () => {
    expect(parseDmarcUri("mailto:dmarc.reports@example.com")).toMatchObject({ address: "dmarc.reports@example.com" });
  });
});

describe("the per-tag validators at their edges", () => {
  it("alignment: trims before asking for the lowercase form, for r as for s", () => {
    expect(validateDmarcAlignment(" s")).toMatch(/write the DMARC alignment mode as "s"/);
    expect(validateDmarcAlignment("R")).toMatch(/write the DMARC alignment mode as "r"/);
  });
  it("fo: every item must be 0, 1, d or s; 0 alone is valid", () => {
    expect(validateDmarcFo("0")).toBeUndefined();
    expect(validateDmarcFo("1:2")).toMatch(/colon-separated list of 0, 1, d and s/);
  });
  it("rf: every item must be afrf", () => {
    expect(validateDmarcRf("afrf:iodef")).toMatch(/only registered failure report format is "afrf"/);
  });
  it("ri: 0 and 4294967295 (2^32 - 1) are the ends of a 32-bit unsigned integer", () => {
    expect(validateDmarcRi(0)).toBeUndefined();
    expect(validateDmarcRi(4294967295)).toBeUndefined();
  });
});

describe("parseDmarc: each problem in full", () => {
  it("a part that is not tag=value: an error without a tag, naming the part and the syntax", () => {
    const parsed = parseDmarc("v=DMARC1; p=none; 1x=y");
    expect(parsed.problems).toStrictEqual([
      { severity: "error", code: "dmarc-syntax", message: '"1x=y" is not a tag; DMARC records are tag=value pairs separated by ";" (RFC 7489 6.4).' },
    ]);
  });
  it("spaces around '=' are allowed (RFC 7489 6.4: *WSP), and values are trimmed", () => {
    const parsed = parseDmarc("v=DMARC1; p = reject; sp=\n quarantine");
    expect(parsed.problems).toEqual([]);
    expect(parsed.tags).toEqual({ v: "DMARC1", p: "reject", sp: "quarantine" });
    expect(parsed.record).toEqual({ v: "DMARC1", p: "reject", sp: "quarantine" });
  });
  it("a duplicate tag names the tag and says to keep one", () => {
    expect(parseDmarc("v=DMARC1; p=none; p=reject").problems[0]?.message).toBe(
      'The tag "p" appears more than once; receivers may reject the record. Keep one "p=".',
    );
  });
  it("DMARCbis tags psd and t get the DMARCbis hint", () => {
    const parsed = parseDmarc("v=DMARC1; p=none; psd=n; t=y");
    expect(parsed.problems.map((p) => [p.tag, p.message])).toEqual([
      ["psd", expect.stringContaining("DMARCbis draft")],
      ["t", expect.stringContaining("DMARCbis draft")],
    ]);
  });
  it("no v tag at all, or a first tag that only starts with v: the record must start with v=DMARC1", () => {
    for (const txt of ["p=none", "vx=DMARC1; p=none", " v=dmarc1; p=none", "v=DMARC1\n; p=none"]) {
      const parsed = parseDmarc(txt);
      expect(parsed.problems, txt).toStrictEqual([
        {
          severity: "error",
          code: "dmarc-version-first",
          tag: "v",
          message: 'The record must start with "v=DMARC1"; receivers ignore a record whose first tag is not v=DMARC1 (RFC 7489 6.3, 6.6.3).',
        },
      ]);
    }
  });
  it("a wrong version names it; the hint about ';' only when the value starts with DMARC1 and a space", () => {
    expect(parseDmarc("v=dmarc1; p=none").problems).toStrictEqual([
      {
        severity: "error",
        code: "dmarc-bad-version",
        tag: "v",
        message: 'The version is "dmarc1"; it must be exactly "DMARC1" (case-sensitive), or receivers ignore the record (RFC 7489 6.3).',
      },
    ]);
    expect(parseDmarc("v=XDMARC1 p=none").problems[0]?.message).toBe(
      'The version is "XDMARC1 p=none"; it must be exactly "DMARC1" (case-sensitive), or receivers ignore the record (RFC 7489 6.3).',
    );
  });
  it("p missing and p out of place: tag p, and what to write", () => {
    expect(parseDmarc("v=DMARC1; sp=none").problems).toStrictEqual([
      {
        severity: "error",
        code: "dmarc-p-missing",
        tag: "p",
        message: 'The record has no "p" tag; it is required. Add "p=none" to start monitoring, then move to quarantine and reject (RFC 7489 6.3).',
      },
    ]);
    expect(parseDmarc("v=DMARC1; sp=none; p=none").problems[0]?.message).toBe(
      'The "p" tag should come right after "v=DMARC1" (RFC 7489 6.4); some receivers only read it there. Write "v=DMARC1; p=...; ...".',
    );
  });
  it("each value error starts with its tag", () => {
    const messages = (txt: string): string[] => parseDmarc(txt).problems.map((p) => p.message);
    expect(messages("v=DMARC1; p=none; sp=block")).toEqual([expect.stringMatching(/^sp: "block" is not a DMARC policy/)]);
    expect(messages("v=DMARC1; p=none; ruf=https://example.com/r")).toEqual([expect.stringMatching(/^ruf: "https:\/\/example.com\/r" is not a mailto: URI/)]);
    expect(messages("v=DMARC1; p=none; aspf=x")).toEqual([expect.stringMatching(/^aspf: "x" is not a DMARC alignment mode/)]);
  });
  it("pct: one to three digits, then 0 to 100 (RFC 7489 6.3); a sign or an exponent is not a whole number", () => {
    expect(parseDmarc("v=DMARC1; p=none; pct=101").problems[0]?.message).toBe(
      "pct: pct 101 is not valid; it is a whole number from 0 to 100, the percentage of failing mail the policy applies to (RFC 7489 6.3). Omit it for 100.",
    );
    for (const pct of ["+50", "1e2"]) {
      const parsed = parseDmarc(`v=DMARC1; p=none; pct=${pct}`);
      expect(parsed.record?.pct, pct).toBeUndefined();
      expect(parsed.problems[0]?.message).toBe(`pct: "${pct}" is not a whole number from 0 to 100 (RFC 7489 6.3).`);
    }
  });
  it("fo and rf: spaces around ':' are dropped (RFC 7489 6.4)", () => {
    const parsed = parseDmarc("v=DMARC1; p=none; fo=1 : d; rf=afrf : afrf");
    expect(parsed.problems).toEqual([]);
    expect(parsed.record).toMatchObject({ fo: "1:d", rf: "afrf:afrf" });
  });
  it("ri: digits only; a sign or an exponent is not valid", () => {
    for (const ri of ["+3600", "1e3"]) {
      const parsed = parseDmarc(`v=DMARC1; p=none; ri=${ri}`);
      expect(parsed.record?.ri, ri).toBeUndefined();
      expect(codes(parsed)).toEqual(["dmarc-bad-ri"]);
    }
  });
});

describe("dmarcPolicyProblem: the edges", () => {
  it("an sp at the minimum is enough; below it is a warning", () => {
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "reject", sp: "quarantine" }, "quarantine")).toBeUndefined();
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "reject", sp: "none" }, "quarantine")?.severity).toBe("warning");
  });
  it("pct under 100 with p=none: no lower policy, so nothing to report at a minimum of none", () => {
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "none", pct: 50 }, "none")).toBeUndefined();
  });
  it("the pct problem is a warning", () => {
    expect(dmarcPolicyProblem({ v: "DMARC1", p: "quarantine", pct: 50 }, "quarantine")).toMatchObject({ severity: "warning", code: "dmarc-pct-below-minimum" });
  });
});

describe("dmarcDiscoveryNames (RFC 7489 6.6.3 steps 1-3)", () => {
  it("the domain's own name, then its Organisational Domain's (once when they are the same)", () => {
    expect(dmarcDiscoveryNames("mail.r.example")).toEqual(["_dmarc.mail.r.example", "_dmarc.r.example"]);
    expect(dmarcDiscoveryNames("r.example")).toEqual(["_dmarc.r.example"]);
  });
});

describe("applicableDmarc (RFC 7489 6.6.3)", () => {
  const world =
    (records: Record<string, string[]>) =>
    (name: string): string[] =>
      records[name] ?? [];
  it("takes the record at the From domain, ignoring TXT values that are not DMARC", () => {
    const lookup = world({
      "_dmarc.mail.example.com": ["v=spf1 -all", "v=DMARC1; p=reject; aspf=s"],
      "_dmarc.example.com": ["v=DMARC1; p=none"],
    });
    expect(applicableDmarc("mail.example.com", lookup)).toEqual({ name: "_dmarc.mail.example.com", record: { v: "DMARC1", p: "reject", aspf: "s" } });
  });
  it("goes on to the Organisational Domain only when the From domain has no DMARC record (step 3)", () => {
    const lookup = world({ "_dmarc.mail.example.com": ["v=spf1 -all"], "_dmarc.example.com": ["v=DMARC1; p=none"] });
    expect(applicableDmarc("mail.example.com", lookup)).toEqual({ name: "_dmarc.example.com", record: { v: "DMARC1", p: "none" } });
  });
  it("two DMARC records at the From domain end discovery: none applies, not the Organisational Domain's (step 5)", () => {
    const lookup = world({ "_dmarc.mail.example.com": ["v=DMARC1; p=reject", "v=DMARC1; p=none"], "_dmarc.example.com": ["v=DMARC1; p=quarantine"] });
    expect(applicableDmarc("mail.example.com", lookup)).toBeUndefined();
  });
  it("a record without a valid p and without a valid rua at the From domain: no DMARC applies (step 6b)", () => {
    const lookup = world({ "_dmarc.mail.example.com": ["v=DMARC1; p=block"], "_dmarc.example.com": ["v=DMARC1; p=quarantine"] });
    expect(applicableDmarc("mail.example.com", lookup)).toBeUndefined();
    expect(applicableDmarc("mail.example.com", world({ "_dmarc.mail.example.com": ["v=DMARC1; aspf=s; rua=reports@example.com"] }))).toBeUndefined();
  });
  it("without a valid p but with a valid rua: p=none, the other valid tags kept (step 6a)", () => {
    const lookup = world({ "_dmarc.mail.example.com": ["v=DMARC1; p=block; aspf=s; rua=mailto:dmarc@example.com"], "_dmarc.example.com": ["v=DMARC1; p=reject"] });
    expect(applicableDmarc("mail.example.com", lookup)).toEqual({
      name: "_dmarc.mail.example.com",
      record: { v: "DMARC1", p: "none", aspf: "s", rua: ["mailto:dmarc@example.com"] },
    });
    expect(applicableDmarc("example.com", world({ "_dmarc.example.com": ["v=DMARC1; rua=mailto:dmarc@example.com"] }))?.record.p).toBe("none");
  });
  it("an invalid sp is step 6 too: p=none with a valid rua, nothing without one", () => {
    const withRua = world({ "_dmarc.example.com": ["v=DMARC1; p=reject; sp=block; rua=mailto:dmarc@example.com"] });
    expect(applicableDmarc("example.com", withRua)).toEqual({ name: "_dmarc.example.com", record: { v: "DMARC1", p: "none", rua: ["mailto:dmarc@example.com"] } });
    expect(applicableDmarc("example.com", world({ "_dmarc.example.com": ["v=DMARC1; p=reject; sp=block"] }))).toBeUndefined();
    expect(applicableDmarc("example.com", world({ "_dmarc.example.com": ["v=DMARC1; p=reject; sp=quarantine"] }))?.record).toEqual({ v: "DMARC1", p: "reject", sp: "quarantine" });
  });
  it("none at either name: undefined", () => {
    expect(applicableDmarc("mail.example.com", world({}))).toBeUndefined();
  });
});

describe("looksLikeDmarc", () => {
  it("needs v=DMARC1 at the start", () => {
    expect(looksLikeDmarc("p=none; v=DMARC1")).toBe(false);
  });
});
