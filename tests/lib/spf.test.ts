import { describe, expect, it } from "vitest";
import {
  SPF_LOOKUP_LIMIT,
  SPF_VOID_LOOKUP_LIMIT,
  allProblem,
  analyzeSpf,
  buildSpf,
  isSpfRecord,
  looksLikeSpf,
  lookupTerms,
  parseSpf,
  spfIncludes,
  staticResolver,
  validateSpfTerm,
  worstIncludes,
  type ParsedSpf,
  type SpfResolver,
  type SpfTxtAnswer,
} from "../../lib/spf";

const codes = (parsed: { problems: { code: string }[] }): string[] => parsed.problems.map((p) => p.code);
const errorCodes = (parsed: ParsedSpf): string[] => parsed.problems.filter((p) => p.severity === "error").map((p) => p.code);

describe("constants", () => {
  it("match RFC 7208 4.6.4", () => {
    expect(SPF_LOOKUP_LIMIT).toBe(10);
    expect(SPF_VOID_LOOKUP_LIMIT).toBe(2);
  });
});

describe("isSpfRecord", () => {
  it.each(["v=spf1", "v=spf1 -all", "V=SPF1 include:amazonses.com ~all"])("accepts %j", (txt) => {
    expect(isSpfRecord(txt)).toBe(true);
  });
  it.each(["v=spf10 -all", "v=spf1-all", " v=spf1 -all", "spf2.0/pra -all", "google-site-verification=x", ""])("rejects %j", (txt) => {
    expect(isSpfRecord(txt)).toBe(false);
  });
});

describe("parseSpf", () => {
  it("parses a typical record without problems", () => {
    const p = parseSpf("v=spf1 include:amazonses.com ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/24//64 ~all");
    expect(p.valid).toBe(true);
    expect(p.problems).toEqual([]);
    expect(p.terms.map((t) => [t.kind, t.qualifier, t.name])).toEqual([
      ["mechanism", "+", "include"],
      ["mechanism", "+", "ip4"],
      ["mechanism", "+", "ip6"],
      ["mechanism", "+", "a"],
      ["mechanism", "+", "mx"],
      ["mechanism", "~", "all"],
    ]);
    expect(p.terms[0]).toMatchObject({ raw: "include:amazonses.com", value: "amazonses.com", domainSpec: "amazonses.com" });
    expect(p.terms[1]).toMatchObject({ address: "192.0.2.0", cidr4: 24 });
    expect(p.terms[2]).toMatchObject({ address: "2001:db8::", cidr6: 32 });
    expect(p.terms[4]).toMatchObject({ domainSpec: "mail.example.com", cidr4: 24, cidr6: 64 });
  });

  it("is case-insensitive for names and tolerates extra spaces", () => {
    const p = parseSpf("v=spf1  INCLUDE:_spf.Google.com   -ALL ");
    expect(p.valid).toBe(true);
    expect(p.terms.map((t) => t.name)).toEqual(["include", "all"]);
  });

  it("refuses a string that is not SPF", () => {
    const p = parseSpf("v=spf1include:x.example -all");
    expect(p.valid).toBe(false);
    expect(p.problems[0]).toMatchObject({ code: "spf-not-spf1", severity: "error" });
    expect(p.problems[0]?.message).toMatch(/Put a space after "v=spf1"/);
    expect(parseSpf(" v=spf1 -all").problems[0]?.message).toMatch(/leading whitespace/);
  });

  describe("unknown mechanism", () => {
    it("is an error with a hint", () => {
      const p = parseSpf("v=spf1 ipv4:192.0.2.1 -all");
      expect(p.valid).toBe(false);
      expect(p.problems[0]).toMatchObject({ code: "spf-unknown-mechanism", term: "ipv4:192.0.2.1" });
      expect(p.problems[0]?.message).toMatch(/Did you mean "ip4"/);
    });
  });

  describe("ip4 / ip6", () => {
    it("accepts addresses and prefixes in range", () => {
      expect(parseSpf("v=spf1 ip4:192.0.2.1 ip4:10.0.0.0/8 ip4:192.0.2.0/32 ip6:::1 ip6:2001:db8::/128 -all").valid).toBe(true);
    });
    it.each([
      ["ip4:192.0.2", "spf-bad-ip4", /not a valid IPv4 address/],
      ["ip4:256.0.0.1", "spf-bad-ip4", /not a valid IPv4 address/],
      ["ip4:2001:db8::1", "spf-bad-ip4", /use "ip6:"/],
      ["ip4:", "spf-bad-ip4", /needs an IPv4 address/],
      ["ip6:192.0.2.1", "spf-bad-ip6", /use "ip4:"/],
      ["ip6:fe80::1%eth0", "spf-bad-ip6", /not a valid IPv6/],
      ["ip4:192.0.2.0/33", "spf-bad-cidr", /0 to 32/],
      ["ip4:192.0.2.0/024", "spf-bad-cidr", /without leading zeros/],
      ["ip6:2001:db8::/129", "spf-bad-cidr", /0 to 128/],
      ["ip4:192.0.2.0/", "spf-bad-cidr", /prefix length/],
    ])("rejects %s", (term, code, message) => {
      const p = parseSpf(`v=spf1 ${term} -all`);
      expect(p.valid).toBe(false);
      const problem = p.problems.find((x) => x.code === code);
      expect(problem?.message).toMatch(message);
      expect(problem?.term).toBe(term);
    });
    it("flags a /0 pass network as authorising the whole internet", () => {
      expect(errorCodes(parseSpf("v=spf1 ip4:0.0.0.0/0 -all"))).toEqual(["spf-ip-whole-internet"]);
      expect(errorCodes(parseSpf("v=spf1 ip6:::/0 -all"))).toEqual(["spf-ip-whole-internet"]);
      expect(parseSpf("v=spf1 -ip4:0.0.0.0/0 -all").valid).toBe(true);
    });
  });

  describe("networks that authorise a large part of the internet", () => {
    const sized = (term: string) => parseSpf(`v=spf1 ${term} -all`).problems.find((p) => ["spf-ip-whole-internet", "spf-wide-network", "spf-large-network"].includes(p.code));
    it.each([
      ["ip4:10.0.0.0/7", "spf-wide-network", "error", /a \/7 IPv4 network \(33,554,432 addresses\)/],
      ["ip6:2000::/11", "spf-wide-network", "error", /a \/11 IPv6 network \(2\^117 addresses\)/],
      ["a/4", "spf-wide-network", "error", /around each address the name resolves to/],
      ["mx//0", "spf-ip-whole-internet", "error", /every IPv6 address on the internet/],
      ["a:mail.example.com/0", "spf-ip-whole-internet", "error", /every IPv4 address/],
      ["ip4:198.51.0.0/15", "spf-large-network", "warning", /wider than \/16/],
      ["ip6:2001:db8::/31", "spf-large-network", "warning", /wider than \/32/],
      ["a/8", "spf-large-network", "warning", /a \/8 IPv4 network around each address/],
      ["mx//16", "spf-large-network", "warning", /of the name's MX hosts/],
      ["a/24//11", "spf-wide-network", "error", /\/11 IPv6/],
      ["a/7//20", "spf-wide-network", "error", /\/7 IPv4/],
    ])("%s: %s (%s)", (term, code, severity, message) => {
      expect(sized(term)).toMatchObject({ code, severity, term });
      expect(sized(term)?.message).toMatch(message);
    });
    it.each(["ip4:10.0.0.0/8", "ip6:2600::/12"])("%s is a warning, not an error: the error line is a registry's block", (term) => {
      expect(sized(term)?.severity).toBe("warning");
      expect(parseSpf(`v=spf1 ${term} -all`).valid).toBe(true);
    });
    it.each(["ip4:54.240.0.0/18", "ip4:74.125.0.0/16", "ip6:2001:4860:4000::/36", "ip6:2001:db8::/32", "a/24", "mx//64", "a", "ip4:192.0.2.1"])("%s passes", (term) => {
      expect(sized(term)).toBeUndefined();
    });
    it.each(["-ip4:0.0.0.0/1", "~ip6:2000::/3", "?a/4"])("%s authorises nobody (not a pass)", (term) => {
      expect(sized(term)).toBeUndefined();
    });
  });

  describe("a / mx dual CIDR", () => {
    it.each(["a/24", "a//64", "a/24//64", "-mx:mail.example.com//0", "a:example.com"])("accepts %s", (term) => {
      expect(parseSpf(`v=spf1 ${term} -all`).valid).toBe(true);
    });
    it.each([
      ["a/33", "spf-bad-cidr"],
      ["mx//129", "spf-bad-cidr"],
      ["a:", "spf-domain-required"],
      ["mx-foo", "spf-unknown-mechanism"],
    ])("rejects %s", (term, code) => {
      expect(errorCodes(parseSpf(`v=spf1 ${term} -all`))).toEqual([code]);
    });
  });

  describe("domain-spec", () => {
    it("is required for include and exists", () => {
      for (const term of ["include", "include:", "exists"]) {
        const p = parseSpf(`v=spf1 ${term} -all`);
        expect(p.problems[0]).toMatchObject({ code: "spf-domain-required", term });
        expect(p.problems[0]?.message).toMatch(/needs a domain/);
      }
    });
    it("must be fully qualified with a non-numeric top label", () => {
      expect(errorCodes(parseSpf("v=spf1 include:localhost -all"))).toEqual(["spf-bad-domain-spec"]);
      expect(parseSpf("v=spf1 include:localhost -all").problems[0]?.message).toMatch(/not a fully qualified domain name/);
      expect(errorCodes(parseSpf("v=spf1 a:192.0.2.1 -all"))).toEqual(["spf-bad-domain-spec"]);
      expect(errorCodes(parseSpf("v=spf1 include:example.com/ -all"))).toEqual(["spf-bad-domain-spec"]);
    });
    it("top label: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum \"-\" *( alphanum / \"-\" ) alphanum ) (RFC 7208 7.1)", () => {
      // Accepted: a letter anywhere among letters and digits; an IDN top label (xn--p1ai, .рф).
      for (const top of ["3com", "12c", "c2", "xn--p1ai", "ab-cd"]) {
        expect(errorCodes(parseSpf(`v=spf1 include:example.${top} -all`)), top).toEqual([]);
      }
      // Refused: a hyphen first or last, a character outside letters, digits and "-".
      for (const top of ["-abc", "-x-y", "a-b-", "c_m"]) {
        expect(errorCodes(parseSpf(`v=spf1 include:example.${top} -all`)), top).toEqual(["spf-bad-domain-spec"]);
      }
    });
    it("must be a valid DNS name when it has no macros", () => {
      const p = parseSpf("v=spf1 include:_spf..example.com -all");
      expect(p.problems[0]).toMatchObject({ code: "spf-bad-domain-spec" });
      expect(p.problems[0]?.message).toMatch(/empty label/);
      expect(parseSpf(`v=spf1 include:${"a".repeat(64)}.example.com -all`).problems[0]?.message).toMatch(/at most 63/);
      expect(parseSpf("v=spf1 include:_spf.google.com include:example.com. -all").valid).toBe(true);
    });
    it("rejects non-ASCII (IDNs must be punycode) and tabs", () => {
      expect(errorCodes(parseSpf("v=spf1 include:bücher.example -all"))).toEqual(["spf-bad-character"]);
      expect(errorCodes(parseSpf("v=spf1 include:a.example\t-all"))).toEqual(["spf-bad-character"]);
    });
  });

  describe("macros (RFC 7208 7)", () => {
    it.each([
      "exists:%{i}._spf.%{d}",
      "exists:%{ir}.%{l1r+-}._spf.%{d2}",
      "include:%{d}",
      "exists:%{I}.%{S}.example.com",
      "include:a%%b.example.com",
      "include:%_x.%-y.example.com",
      "exists:%{o}.%{h}.%{v}.%{p}.example.com",
    ])("accepts %s", (term) => {
      expect(parseSpf(`v=spf1 ${term} -all`).valid).toBe(true);
    });
    it.each([
      ["exists:%{x}.example.com", /not valid/],
      ["exists:%{i.example.com", /no closing/],
      ["include:50%.example.com", /"%%"/],
      ["exists:%{d0}.example.com", /greater than zero/],
      ["exists:%{c}.example.com", /only in explanation text/],
      ["exists:%{i}%{d}!", /not a fully qualified/],
      ["foo=%z", /"%%"/],
    ])("rejects %s", (term, message) => {
      const p = parseSpf(`v=spf1 ${term} -all`);
      expect(p.valid).toBe(false);
      expect(p.problems.find((x) => x.severity === "error")?.message).toMatch(message);
    });
  });

  it("a mechanism's value: the text after \"name:\", a bare CIDR suffix of a/mx, none for a bare name", () => {
    const p = parseSpf("v=spf1 ip4:192.0.2.0/24 a/24 mx//64 -all");
    expect(p.terms.map((t) => [t.name, "value" in t, t.value])).toEqual([
      ["ip4", true, "192.0.2.0/24"],
      ["a", true, "/24"],
      ["mx", true, "//64"],
      ["all", false, undefined],
    ]);
  });

  describe("modifiers (RFC 7208 6)", () => {
    it("parses redirect and exp", () => {
      const p = parseSpf("v=spf1 redirect=_spf.example.com exp=explain.%{d}");
      expect(p.valid).toBe(true);
      expect(p.terms.map((t) => [t.kind, t.name, t.value])).toEqual([
        ["modifier", "redirect", "_spf.example.com"],
        ["modifier", "exp", "explain.%{d}"],
      ]);
    });
    it("rejects a duplicate redirect or exp", () => {
      expect(errorCodes(parseSpf("v=spf1 redirect=a.example redirect=b.example"))).toEqual(["spf-duplicate-modifier"]);
      const p = parseSpf("v=spf1 exp=a.example exp=b.example -all");
      expect(p.problems[0]).toMatchObject({ code: "spf-duplicate-modifier", term: "exp=b.example" });
      expect(p.problems[0]?.message).toMatch(/"exp" modifier appears 2 times/);
    });
    it("rejects a qualifier on a modifier", () => {
      expect(errorCodes(parseSpf("v=spf1 -redirect=_spf.example.com"))).toEqual(["spf-modifier-qualifier"]);
    });
    it("accepts unknown modifiers with a valid macro-string", () => {
      expect(parseSpf("v=spf1 foo=bar%{d} -all").valid).toBe(true);
    });
    it("requires a domain for redirect", () => {
      expect(errorCodes(parseSpf("v=spf1 redirect="))).toEqual(["spf-domain-required"]);
    });
  });

  describe("warnings", () => {
    it("terms after all are ignored", () => {
      const p = parseSpf("v=spf1 -all include:late.example ip4:192.0.2.1");
      expect(p.valid).toBe(true);
      expect(codes(p)).toEqual(["spf-terms-after-all", "spf-terms-after-all"]);
      expect(p.problems[0]).toMatchObject({ term: "include:late.example", severity: "warning" });
      expect(p.problems[0]?.message).toMatch(/never evaluated/);
      expect(codes(parseSpf("v=spf1 include:a.example -all exp=x.example"))).toEqual([]);
    });
    it("redirect is ignored next to all", () => {
      const p = parseSpf("v=spf1 redirect=_spf.example.com ~all");
      expect(codes(p)).toEqual(["spf-redirect-ignored"]);
      expect(p.problems[0]?.message).toMatch(/ignored because the record also has "~all"/);
    });
    it("ptr should not be used", () => {
      const p = parseSpf("v=spf1 ptr:example.com -all");
      expect(p.valid).toBe(true);
      expect(p.problems[0]).toMatchObject({ code: "spf-ptr", severity: "warning" });
      expect(p.problems[0]?.message).toMatch(/RFC 7208 5.5/);
    });
    it("duplicate terms", () => {
      const p = parseSpf("v=spf1 include:a.example +INCLUDE:A.example -all");
      expect(p.problems[0]).toMatchObject({ code: "spf-duplicate-term", term: "+INCLUDE:A.example" });
      expect(p.problems[0]?.message).toMatch(/another DNS lookup/);
      expect(codes(parseSpf("v=spf1 exists:%{i}.example.com exists:%{I}.example.com -all"))).toEqual([]);
    });
  });
});

describe("allProblem", () => {
  it("-all and ~all are fine", () => {
    expect(allProblem(parseSpf("v=spf1 -all"))).toBeUndefined();
    expect(allProblem(parseSpf("v=spf1 include:a.example ~all"))).toBeUndefined();
  });
  it("+all and all are errors", () => {
    for (const record of ["v=spf1 +all", "v=spf1 ip4:192.0.2.1 all"]) {
      const problem = allProblem(parseSpf(record));
      expect(problem).toMatchObject({ code: "spf-all-pass", severity: "error" });
      expect(problem?.message).toMatch(/every host on the internet/);
      expect(parseSpf(record).valid).toBe(false);
    }
  });
  it("?all is a warning", () => {
    const problem = allProblem(parseSpf("v=spf1 ?all"));
    expect(problem).toMatchObject({ code: "spf-all-neutral", severity: "warning", term: "?all" });
    expect(problem?.message).toMatch(/neutral/);
  });
  it("missing all without redirect is a warning", () => {
    const problem = allProblem(parseSpf("v=spf1 include:a.example"));
    expect(problem).toMatchObject({ code: "spf-all-missing", severity: "warning" });
    expect(problem?.message).toMatch(/default "neutral"/);
    expect(allProblem(parseSpf("v=spf1 redirect=_spf.example.com"))).toBeUndefined();
  });
  it("only the first all counts", () => {
    expect(allProblem(parseSpf("v=spf1 -all +all"))).toBeUndefined();
  });
  it("is part of parseSpf's problems", () => {
    expect(codes(parseSpf("v=spf1 ?all"))).toEqual(["spf-all-neutral"]);
  });
});

describe("validateSpfTerm", () => {
  it.each(["include:_spf.google.com", "ip4:192.0.2.0/24", "ip6:2001:db8::/32", "a", "mx:mail.example.com", "-ip4:192.0.2.7", "exists:%{i}._spf.example.com"])(
    "accepts %s",
    (term) => {
      expect(validateSpfTerm(term)).toBeUndefined();
    },
  );
  it.each([
    ["", "spf-term-empty"],
    ["include:a.example ip4:192.0.2.1", "spf-term-multiple"],
    ["v=spf1", "spf-term-version"],
    ["v=spf1 include:a.example", "spf-term-multiple"],
    ["all", "spf-term-all"],
    ["-all", "spf-term-all"],
    ["~all", "spf-term-all"],
    ["+all", "spf-term-all"],
    ["?all", "spf-term-all"],
    ["redirect=_spf.example.com", "spf-term-modifier"],
    ["exp=explain.example.com", "spf-term-modifier"],
    ["include=_spf.example.com", "spf-term-modifier"],
    ["include", "spf-domain-required"],
    ["ip4:300.1.1.1", "spf-bad-ip4"],
    ["ip4:192.0.2.0/40", "spf-bad-cidr"],
    ["foo:bar.example", "spf-unknown-mechanism"],
    ["exists:%{q}.example.com", "spf-bad-macro"],
    ["ip4:0.0.0.0/0", "spf-ip-whole-internet"],
    ["ip4:10.0.0.0/7", "spf-wide-network"],
    ["mx//8", "spf-wide-network"],
  ])("rejects %j with %s", (term, code) => {
    const problem = validateSpfTerm(term);
    expect(problem).toMatchObject({ code, severity: "error" });
  });
  it("explains how to replace a redirect", () => {
    expect(validateSpfTerm("redirect=_spf.example.com")?.message).toMatch(/Use "include:_spf.example.com"/);
  });
  it("lets a legal but discouraged term through (the policy pack warns about it)", () => {
    expect(validateSpfTerm("ptr")).toBeUndefined();
    expect(validateSpfTerm("ip4:10.0.0.0/12")).toBeUndefined();
    expect(parseSpf(buildSpf(["ptr"], "-all")).problems[0]).toMatchObject({ code: "spf-ptr", severity: "warning" });
  });
});

describe("buildSpf", () => {
  it("joins mechanisms and all", () => {
    expect(buildSpf(["include:amazonses.com"], "~all")).toBe("v=spf1 include:amazonses.com ~all");
    expect(buildSpf([], "-all")).toBe("v=spf1 -all");
  });
  it("de-duplicates case-insensitively, keeping order and first spelling", () => {
    expect(buildSpf(["include:B.example", "ip4:192.0.2.1", "include:b.example", " +include:b.EXAMPLE ", "", "ip4:192.0.2.1"], "-all")).toBe(
      "v=spf1 include:B.example ip4:192.0.2.1 -all",
    );
  });
  it("keeps terms that differ only in macro-letter case (uppercase means URL-escape)", () => {
    expect(buildSpf(["exists:%{l}.example.com", "exists:%{L}.example.com"], "-all")).toBe("v=spf1 exists:%{l}.example.com exists:%{L}.example.com -all");
  });
  it("builds a record parseSpf accepts", () => {
    expect(parseSpf(buildSpf(["include:amazonses.com", "ip4:192.0.2.0/24"], "-all"))).toMatchObject({ valid: true, problems: [] });
  });
});

describe("lookupTerms", () => {
  it("lists include, a, mx, ptr, exists and redirect, not ip4/ip6/all/exp", () => {
    const p = parseSpf("v=spf1 ip4:192.0.2.1 include:a.example a mx ptr exists:%{i}.example.com ip6:::1 exp=x.example redirect=r.example");
    expect(lookupTerms(p).map((t) => t.name)).toEqual(["include", "a", "mx", "ptr", "exists", "redirect"]);
  });
  it("skips what a receiver never evaluates: terms after all, redirect next to all", () => {
    const p = parseSpf("v=spf1 include:a.example -all include:b.example redirect=r.example");
    expect(lookupTerms(p).map((t) => t.raw)).toEqual(["include:a.example"]);
  });
});

/** A resolver over a map, counting queries; a name absent from the map is NXDOMAIN. */
function mapResolver(
  txt: Record<string, string[] | SpfTxtAnswer>,
  hosts?: Record<string, boolean | undefined>,
): SpfResolver & { queries: string[] } {
  const queries: string[] = [];
  const resolver: SpfResolver & { queries: string[] } = {
    queries,
    txt(name) {
      queries.push(name);
      const entry = txt[name];
      if (entry === undefined) return Promise.resolve({ kind: "nxdomain" });
      if (Array.isArray(entry)) return Promise.resolve(entry.length === 0 ? { kind: "nodata" } : { kind: "records", records: entry });
      return Promise.resolve(entry);
    },
  };
  if (hosts) resolver.hasAddressOrMx = (name, type) => Promise.resolve(hosts[`${type}:${name}`]);
  return resolver;
}

describe("analyzeSpf", () => {
  it("counts a simple record", async () => {
    const r = mapResolver({
      "example.com": ["google-site-verification=abc", "v=spf1 include:amazonses.com mx ip4:192.0.2.1 ~all"],
      "amazonses.com": ["v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 -all"],
    });
    const a = await analyzeSpf("Example.COM.", r);
    expect(a).toMatchObject({ domain: "example.com", total: 2, voidLookups: 0, exceeded: false, voidExceeded: false, unknown: [], problems: [] });
    expect(a.record).toBe("v=spf1 include:amazonses.com mx ip4:192.0.2.1 ~all");
    expect(a.tree.map((n) => [n.term, n.lookups, n.subtotal])).toEqual([
      ["include:amazonses.com", 1, 1],
      ["mx", 1, 1],
    ]);
    expect(a.tree[1]?.domain).toBe("example.com");
  });

  it("follows a chain deep enough to cross 10 lookups and names the include that spends the budget", async () => {
    const r = mapResolver({
      "example.com": ["v=spf1 include:big.example a include:small.example -all"],
      "big.example": ["v=spf1 include:l1.example mx a -all"],
      "l1.example": ["v=spf1 include:l2.example a mx -all"],
      "l2.example": ["v=spf1 include:l3.example exists:%{i}.l2.example -all"],
      "l3.example": ["v=spf1 a mx ptr -all"],
      "small.example": ["v=spf1 ip4:192.0.2.0/24 -all"],
    });
    const a = await analyzeSpf("example.com", r);
    // big: 1 + l1(1 + l2(1 + l3(1 + 3) + 1) + 2) + 2 = 1+1+1+1+3+1+2+2 = 12
    expect(a.tree[0]?.subtotal).toBe(12);
    expect(a.total).toBe(14);
    expect(a.exceeded).toBe(true);
    expect(a.unknown).toEqual([]);
    expect(worstIncludes(a)).toEqual([
      { term: "include:big.example", subtotal: 12 },
      { term: "include:small.example", subtotal: 1 },
    ]);
    const limit = a.problems.find((p) => p.code === "spf-lookup-limit");
    expect(limit?.severity).toBe("error");
    expect(limit?.message).toMatch(/needs 14 DNS lookups, more than the limit of 10/);
    expect(limit?.message).toMatch(/"include:big.example" costs 12, "include:small.example" costs 1 of your 10 lookups/);
    // the ptr inside l3 is a nested warning below an include: not reported for example.com
    expect(a.problems.map((p) => p.code)).toEqual(["spf-lookup-limit"]);
  });

  it("stays under the limit at exactly 10", async () => {
    const r = mapResolver({
      "example.com": ["v=spf1 include:v.example a mx -all"],
      "v.example": ["v=spf1 a mx exists:x.v.example include:w.example -all"],
      "w.example": ["v=spf1 a mx a:a.w.example -all"],
    });
    const a = await analyzeSpf("example.com", r);
    expect(a.total).toBe(10);
    expect(a.exceeded).toBe(false);
    expect(a.problems).toEqual([]);
  });

  it("detects an include loop without hanging", async () => {
    const r = mapResolver({
      "example.com": ["v=spf1 include:a.example -all"],
      "a.example": ["v=spf1 include:b.example -all"],
      "b.example": ["v=spf1 include:a.example -all"],
    });
    const a = await analyzeSpf("example.com", r);
    const loop = a.problems.find((p) => p.code === "spf-loop");
    expect(loop).toMatchObject({ severity: "error", term: "include:a.example", domain: "b.example" });
    expect(loop?.message).toMatch(/example\.com → a\.example → b\.example → a\.example/);
    expect(a.total).toBe(3);
    expect(a.tree[0]?.children[0]?.children[0]?.note).toMatch(/loop/);
    expect(r.queries).toEqual(["example.com", "a.example", "b.example"]);
  });

  it("detects a record that includes itself", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:example.com -all"] }));
    expect(a.problems.map((p) => p.code)).toEqual(["spf-loop"]);
  });

  it("caps the depth", async () => {
    const txt: Record<string, string[]> = {};
    for (let i = 0; i < 20; i++) txt[`d${i}.example`] = [`v=spf1 include:d${i + 1}.example -all`];
    txt["d20.example"] = ["v=spf1 -all"];
    const a = await analyzeSpf("d0.example", mapResolver(txt), { maxDepth: 3 });
    expect(a.total).toBe(4);
    expect(a.unknown).toEqual(["d4.example"]);
    expect(a.tree[0]?.children[0]?.children[0]?.children[0]?.note).toMatch(/nested deeper than 3/);
  });

  it("caps the number of queries", async () => {
    const a = await analyzeSpf(
      "example.com",
      mapResolver({
        "example.com": ["v=spf1 include:a.example include:b.example include:c.example -all"],
        "a.example": ["v=spf1 -all"],
        "b.example": ["v=spf1 -all"],
        "c.example": ["v=spf1 -all"],
      }),
      { maxQueries: 2 },
    );
    expect(a.total).toBe(3);
    expect(a.unknown).toEqual(["b.example", "c.example"]);
  });

  it("counts void lookups: 3 NXDOMAIN includes exceed the limit of 2", async () => {
    const r = mapResolver({ "example.com": ["v=spf1 include:gone1.example include:gone2.example include:gone3.example -all"], "gone3.example": [] });
    const a = await analyzeSpf("example.com", r);
    expect(a.voidLookups).toBe(3);
    expect(a.voidExceeded).toBe(true);
    expect(a.total).toBe(3);
    expect(a.tree.every((n) => n.void === true)).toBe(true);
    expect(a.problems.map((p) => p.code)).toEqual(["spf-include-no-record", "spf-include-no-record", "spf-include-no-record", "spf-void-limit"]);
    expect(a.problems[0]?.message).toMatch(/gone1\.example, which has no SPF record \(the name does not exist \(NXDOMAIN\)\)/);
    expect(a.problems[2]?.message).toMatch(/no TXT records/);
    expect(a.problems[3]?.message).toMatch(/3 lookups that return no answer/);
  });

  it("two void lookups are still within the limit", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:g1.example include:g2.example -all"] }));
    expect(a.voidLookups).toBe(2);
    expect(a.voidExceeded).toBe(false);
  });

  it("an include target with TXT records but no SPF is a permerror but not void", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:t.example -all"], "t.example": ["hello"] }));
    expect(a.voidLookups).toBe(0);
    expect(a.problems[0]).toMatchObject({ code: "spf-include-no-record", severity: "error" });
    expect(a.problems[0]?.message).toMatch(/none of its TXT records starts with "v=spf1"/);
  });

  it("counts a/mx/exists void lookups when the resolver can tell", async () => {
    const r = mapResolver(
      { "example.com": ["v=spf1 a mx:mail.example.com exists:e.example.com a:ok.example.com exists:%{i}.example.com -all"] },
      { "a:example.com": false, "mx:mail.example.com": false, "a:e.example.com": false, "a:ok.example.com": true },
    );
    const a = await analyzeSpf("example.com", r);
    expect(a.voidLookups).toBe(3);
    expect(a.voidExceeded).toBe(true);
    expect(a.tree.map((n) => n.void ?? false)).toEqual([true, true, true, false, false]);
    expect(a.problems.filter((p) => p.code === "spf-void-lookup")).toHaveLength(3);
    expect(a.problems.at(-1)?.code).toBe("spf-void-limit");
  });

  it("does not guess void lookups when the resolver cannot tell", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 a mx exists:e.example.com -all"] }, {}));
    expect(a.voidLookups).toBe(0);
    expect(a.problems).toEqual([]);
  });

  it("static mode: an include outside the stack counts as at least 1 (lower bound)", async () => {
    const resolver = staticResolver({
      "Example.com.": ["v=spf1 include:_spf.example.com include:amazonses.com -all"],
      "_spf.example.com": ["v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ~all"],
    });
    const a = await analyzeSpf("example.com", resolver);
    expect(a.total).toBe(3);
    expect(a.unknown).toEqual(["_spf.google.com", "amazonses.com"]);
    expect(a.exceeded).toBe(false);
    expect(a.problems).toEqual([]);
    expect(a.tree[1]?.note).toMatch(/not declared in this stack.*at least 1/);
    expect(a.tree[0]?.children[0]?.note).toMatch(/not declared in this stack/);
  });

  it("static mode: a lower bound that already exceeds says 'at least'", async () => {
    const includes = Array.from({ length: 11 }, (_, i) => `include:v${i}.example`).join(" ");
    const a = await analyzeSpf("example.com", staticResolver({ "example.com": [`v=spf1 ${includes} -all`] }));
    expect(a.exceeded).toBe(true);
    expect(a.problems.find((p) => p.code === "spf-lookup-limit")?.message).toMatch(/needs at least 11 DNS lookups/);
  });

  it("live mode: an include that timed out is reported as unknown", async () => {
    const a = await analyzeSpf(
      "example.com",
      mapResolver({ "example.com": ["v=spf1 include:slow.example -all"], "slow.example": { kind: "unknown", reason: "timed out" } }),
    );
    expect(a.unknown).toEqual(["slow.example"]);
    expect(a.tree[0]?.note).toMatch(/^not followed \(timed out\)/);
    expect(a.total).toBe(1);
  });

  it("macro include targets are not followed and make the total a lower bound", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:%{d}.spf.example.net -all"] }));
    expect(a.unknown).toEqual(["%{d}.spf.example.net"]);
    expect(a.tree[0]?.note).toMatch(/macros/);
  });

  it("two SPF records at one name are a permerror", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:amazonses.com ~all", "v=spf1 include:_spf.google.com ~all"] }));
    expect(a.record).toBeUndefined();
    expect(a.problems).toHaveLength(1);
    expect(a.problems[0]).toMatchObject({ code: "spf-multiple-records", severity: "error" });
    expect(a.problems[0]?.message).toMatch(/has 2 SPF records; receivers return permerror/);
  });

  it("two SPF records at an include target are a permerror", async () => {
    const a = await analyzeSpf(
      "example.com",
      mapResolver({ "example.com": ["v=spf1 include:t.example -all"], "t.example": ["v=spf1 -all", "v=spf1 ~all"] }),
    );
    expect(a.problems[0]).toMatchObject({ code: "spf-multiple-records", domain: "t.example", term: "include:t.example" });
  });

  it("no SPF record at the domain", async () => {
    const cases: Record<string, string[]>[] = [{}, { "example.com": [] }, { "example.com": ["other"] }];
    for (const txt of cases) {
      const a = await analyzeSpf("example.com", mapResolver(txt));
      expect(a.problems[0]).toMatchObject({ code: "spf-missing", severity: "error" });
      expect(a.problems[0]?.message).toMatch(/has no SPF record/);
    }
  });

  it("the domain itself not knowable", async () => {
    const a = await analyzeSpf("example.com", staticResolver({}));
    expect(a.unknown).toEqual(["example.com"]);
    expect(a.problems[0]).toMatchObject({ code: "spf-unknown", severity: "warning" });
  });

  it("follows a redirect and reports the target's problems, including its all", async () => {
    const r = mapResolver({
      "example.com": ["v=spf1 ip4:192.0.2.1 redirect=_spf.example.net"],
      "_spf.example.net": ["v=spf1 include:amazonses.com ?all"],
      "amazonses.com": ["v=spf1 ip4:199.255.192.0/22 -all"],
    });
    const a = await analyzeSpf("example.com", r);
    expect(a.total).toBe(2);
    expect(a.tree[0]).toMatchObject({ term: "redirect=_spf.example.net", name: "redirect", subtotal: 2 });
    expect(worstIncludes(a)).toEqual([{ term: "redirect=_spf.example.net", subtotal: 2 }]);
    expect(a.problems).toHaveLength(1);
    expect(a.problems[0]).toMatchObject({ code: "spf-all-neutral", domain: "_spf.example.net" });
    expect(a.problems[0]?.message).toMatch(/^In the SPF record of _spf\.example\.net \(reached through example\.com → _spf\.example\.net\)/);
  });

  it("a redirect to a name without SPF is a permerror", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 redirect=gone.example"] }));
    expect(a.problems.map((p) => p.code)).toEqual(["spf-redirect-no-record"]);
    expect(a.voidLookups).toBe(1);
  });

  it("propagates errors from included records, such as +all", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:open.example -all"], "open.example": ["v=spf1 +all"] }));
    expect(a.problems.map((p) => [p.code, p.domain])).toEqual([["spf-all-pass", "open.example"]]);
  });

  it("includes the record's own parse problems", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 ptr ?all"] }));
    expect(a.problems.map((p) => p.code)).toEqual(["spf-ptr", "spf-all-neutral"]);
    expect(a.parsed?.valid).toBe(true);
  });
});

describe("staticResolver", () => {
  it("answers from the map with normalised names", async () => {
    const r = staticResolver({ "Mail.Example.com.": ["v=spf1 -all"], "empty.example.com": [] });
    await expect(r.txt("mail.example.COM")).resolves.toEqual({ kind: "records", records: ["v=spf1 -all"] });
    await expect(r.txt("empty.example.com")).resolves.toEqual({ kind: "nodata" });
    await expect(r.txt("other.example.com")).resolves.toEqual({ kind: "unknown", reason: "not declared in this stack" });
    expect(r.hasAddressOrMx).toBeUndefined();
  });
  it("merges names that normalise to the same key", async () => {
    const r = staticResolver({ "example.com": ["a"], "EXAMPLE.com.": ["b"] });
    await expect(r.txt("example.com")).resolves.toEqual({ kind: "records", records: ["a", "b"] });
  });
});

describe("spfIncludes", () => {
  it("finds an include that receivers evaluate", async () => {
    const { parseSpf: parse, spfIncludes } = await import("../../lib/spf");
    expect(spfIncludes(parse("v=spf1 include:amazonses.com ~all"), "amazonses.com")).toBe(true);
    expect(spfIncludes(parse("v=spf1 include:AmazonSES.com. -all"), "amazonses.com")).toBe(true);
    expect(spfIncludes(parse("v=spf1 -include:amazonses.com ~all"), "amazonses.com")).toBe(false);
    expect(spfIncludes(parse("v=spf1 ~all include:amazonses.com"), "amazonses.com")).toBe(false);
    expect(spfIncludes(parse("v=spf1 include:_spf.google.com ~all"), "amazonses.com")).toBe(false);
  });
});

describe("looksLikeSpf", () => {
  it("tells a value meant as SPF from other TXT data", async () => {
    const { looksLikeSpf } = await import("../../lib/spf");
    expect(looksLikeSpf("v=spf1 -all")).toBe(true);
    expect(looksLikeSpf("  V=SPF1 -all")).toBe(true);
    expect(looksLikeSpf("v=spf1include:x.example")).toBe(true);
    expect(looksLikeSpf("google-site-verification=abc")).toBe(false);
  });
});

// The cases below pin what the mutation run (npm run test:mutation -- lib/spf.ts) found untested.

const problemsOf = (record: string, code: string) => parseSpf(record).problems.filter((p) => p.code === code);
const messageOf = (record: string, code: string): string | undefined => problemsOf(record, code)[0]?.message;

describe("parseSpf: each message in full (RFC 7208 sections named)", () => {
  it("a record that does not start with v=spf1 has no terms, and the hint says where it must start", () => {
    const p = parseSpf("ip4:192.0.2.1 v=spf1-all");
    expect(p.terms).toEqual([]);
    expect(p.problems[0]?.message).toBe(
      'The record does not start with "v=spf1" followed by a space, so receivers do not treat it as SPF (RFC 7208 4.5). Start the record with "v=spf1".',
    );
  });
  it("a term with a non-ASCII character keeps its text, lowercased, as its name", () => {
    const p = parseSpf("v=spf1 INCLUDE:Bücher.example -all");
    expect(p.terms[0]).toStrictEqual({ raw: "INCLUDE:Bücher.example", kind: "mechanism", qualifier: "+", name: "include:bücher.example" });
    expect(p.problems[0]?.message).toBe(
      'The term "INCLUDE:Bücher.example" contains whitespace other than a space, or a non-ASCII character. SPF terms are separated by single spaces and written in ASCII; internationalised domain names must be written in punycode (xn--...) (RFC 7208 12).',
    );
  });
  it("a modifier reports the qualifier +, and one written with a qualifier is told how to write it", () => {
    const p = parseSpf("v=spf1 -redirect=_spf.example.com");
    expect(p.terms[0]).toMatchObject({ kind: "modifier", qualifier: "+", name: "redirect", domainSpec: "_spf.example.com" });
    expect(p.problems[0]?.message).toBe(
      'The modifier "-redirect=_spf.example.com" has a qualifier ("-"); only mechanisms take +, -, ~ or ? (RFC 7208 12). Write it as "redirect=_spf.example.com".',
    );
  });
  it("an unknown modifier is a macro-string, not a domain: no domain-spec, and c, r, t allowed", () => {
    const p = parseSpf("v=spf1 foo=bar -all");
    expect(p.valid).toBe(true);
    expect(p.terms[0]).toStrictEqual({ raw: "foo=bar", kind: "modifier", qualifier: "+", name: "foo", value: "bar" });
    expect(parseSpf("v=spf1 foo=%{c}.%{r}.%{t} -all").valid).toBe(true);
  });
  it("a modifier name starts with a letter (RFC 7208 12): 1foo=bar is neither a modifier nor a mechanism", () => {
    expect(errorCodes(parseSpf("v=spf1 1foo=bar -all"))).toEqual(["spf-unknown-mechanism"]);
  });
  it("exp takes a domain-spec (RFC 7208 6.2): a name without a dot or a %{c} is an error", () => {
    expect(parseSpf("v=spf1 -all exp=explain.example.com").terms[1]?.domainSpec).toBe("explain.example.com");
    expect(errorCodes(parseSpf("v=spf1 -all exp=explain"))).toEqual(["spf-bad-domain-spec"]);
    expect(errorCodes(parseSpf("v=spf1 -all exp=%{c}.example.com"))).toEqual(["spf-bad-macro"]);
  });
  it("redirect= and exp= without a domain", () => {
    expect(parseSpf("v=spf1 redirect=").problems).toEqual([
      { severity: "error", code: "spf-domain-required", message: '"redirect=" needs a domain after "=" (RFC 7208 6).', term: "redirect=" },
    ]);
    expect(errorCodes(parseSpf("v=spf1 -all exp="))).toEqual(["spf-domain-required"]);
  });
  it("an unknown mechanism: a hint for each common misspelling, none otherwise", () => {
    expect(messageOf("v=spf1 ipv6:2001:db8::1 -all", "spf-unknown-mechanism")).toMatch(/Did you mean "ip6"\?$/);
    expect(messageOf("v=spf1 includes:_spf.example.com -all", "spf-unknown-mechanism")).toMatch(/Did you mean "include"\?$/);
    expect(messageOf("v=spf1 exist:%{i}.example.com -all", "spf-unknown-mechanism")).toMatch(/Did you mean "exists"\?$/);
    expect(messageOf("v=spf1 foo:bar.example -all", "spf-unknown-mechanism")).toBe(
      'Unknown mechanism "foo" in "foo:bar.example"; receivers return permerror for the whole record. SPF mechanisms are all, include, a, mx, ptr, ip4, ip6 and exists (RFC 7208 5), and modifiers are written name=value.',
    );
  });
  it('"all" takes no argument (RFC 7208 5.1)', () => {
    expect(problemsOf("v=spf1 -all:foo", "spf-syntax")).toEqual([
      {
        severity: "error",
        code: "spf-syntax",
        message: '"all" takes no argument, but "-all:foo" has ":foo" (RFC 7208 5.1). Write just "-all".',
        term: "-all:foo",
      },
    ]);
    expect(messageOf("v=spf1 all/24", "spf-syntax")).toBe('"all" takes no argument, but "all/24" has "/24" (RFC 7208 5.1). Write just "all".');
  });
  it("include (5.2) and exists (5.7) without a domain", () => {
    expect(parseSpf("v=spf1 include -all").problems).toEqual([
      {
        severity: "error",
        code: "spf-domain-required",
        message: '"include" needs a domain, as in "include:_spf.example.com", but "include" has none (RFC 7208 5.2).',
        term: "include",
      },
    ]);
    expect(messageOf("v=spf1 exists: -all", "spf-domain-required")).toBe(
      '"exists" needs a domain, as in "exists:_spf.example.com", but "exists:" has none (RFC 7208 5.7).',
    );
  });
  it("a and mx: anything but :domain, /prefix and //prefix after the name (RFC 7208 5.3, 5.4)", () => {
    expect(parseSpf("v=spf1 a/24/ -all").problems).toEqual([
      {
        severity: "error",
        code: "spf-syntax",
        message: '"a/24/" is not valid: "a" is followed by ":domain", "/prefix" or "//ipv6-prefix", as in "a:mail.example.com/24" (RFC 7208 5.3).',
        term: "a/24/",
      },
    ]);
    expect(errorCodes(parseSpf("v=spf1 a/x: -all"))).toEqual(["spf-syntax"]);
    expect(parseSpf("v=spf1 mx: -all").problems).toEqual([
      {
        severity: "error",
        code: "spf-domain-required",
        message: '"mx:" is not valid: "mx" is followed by ":domain", "/prefix" or "//ipv6-prefix", as in "mx:mail.example.com/24" (RFC 7208 5.4).',
        term: "mx:",
      },
    ]);
  });
  it("a and mx: the prefix lengths are checked against 32 (IPv4) and 128 (IPv6)", () => {
    expect(messageOf("v=spf1 a/33 -all", "spf-bad-cidr")).toBe(
      'The IPv4 prefix length "/33" in "a/33" is not valid; it must be a whole number from 0 to 32 without leading zeros (RFC 7208 5.6).',
    );
    expect(messageOf("v=spf1 mx//129 -all", "spf-bad-cidr")).toBe(
      'The IPv6 prefix length "/129" in "mx//129" is not valid; it must be a whole number from 0 to 128 without leading zeros (RFC 7208 5.6).',
    );
  });
  it("ptr takes only an optional :domain (RFC 7208 5.5)", () => {
    for (const term of ["ptr:", "ptr/24"]) {
      expect(errorCodes(parseSpf(`v=spf1 ${term} -all`)), term).toEqual(["spf-syntax"]);
    }
    expect(messageOf("v=spf1 ptr/24 -all", "spf-syntax")).toBe('"ptr/24" is not valid: "ptr" takes only an optional ":domain" (RFC 7208 5.5).');
    expect(parseSpf("v=spf1 ptr:example.com -all").terms[0]?.domainSpec).toBe("example.com");
    expect(errorCodes(parseSpf("v=spf1 ptr:localhost -all"))).toEqual(["spf-bad-domain-spec"]);
  });
  it("ip4 and ip6 without an address, or with the other family's", () => {
    expect(messageOf("v=spf1 ip4/24 -all", "spf-bad-ip4")).toBe('"ip4" needs an IPv4 address or network, as in "ip4:192.0.2.0/24", but "ip4/24" has none (RFC 7208 5.6).');
    expect(messageOf("v=spf1 ip6: -all", "spf-bad-ip6")).toBe('"ip6" needs an IPv6 address or network, as in "ip6:2001:db8::/32", but "ip6:" has none (RFC 7208 5.6).');
    expect(messageOf("v=spf1 ip4:2001:db8::1 -all", "spf-bad-ip4")).toBe(
      '"2001:db8::1" in "ip4:2001:db8::1" is not a valid IPv4 address; it is an IPv6 address, so use "ip6:" (RFC 7208 5.6).',
    );
    expect(messageOf("v=spf1 ip6:192.0.2.1 -all", "spf-bad-ip6")).toBe(
      '"192.0.2.1" in "ip6:192.0.2.1" is not a valid IPv6 address; it is an IPv4 address, so use "ip4:" (RFC 7208 5.6).',
    );
    expect(messageOf("v=spf1 ip4:192.0.2 -all", "spf-bad-ip4")).toBe('"192.0.2" in "ip4:192.0.2" is not a valid IPv4 address (RFC 7208 5.6).');
  });
});

describe("parseSpf: an a or mx term with both prefix lengths", () => {
  const sized = (term: string) => parseSpf(`v=spf1 ${term} -all`).problems.find((p) => ["spf-ip-whole-internet", "spf-wide-network", "spf-large-network"].includes(p.code));
  it("names the family below its line: IPv4 /15 is wider than /16, IPv6 /32 is not wider than /32", () => {
    expect(sized("a/15//32")).toMatchObject({ code: "spf-large-network", severity: "warning" });
    expect(sized("a/15//32")?.message).toMatch(/a \/15 IPv4 network around each address/);
  });
  it("an error line beats a warning line: IPv4 /7 is below /8, IPv6 /12 is only a warning", () => {
    expect(sized("a/7//12")).toMatchObject({ code: "spf-wide-network", severity: "error" });
    expect(sized("a/7//12")?.message).toMatch(/a \/7 IPv4 network/);
  });
  it("the same verdict for both: the IPv6 network is named", () => {
    expect(sized("a/8//12")?.message).toMatch(/a \/12 IPv6 network/);
    expect(sized("a/4//8")?.message).toMatch(/a \/8 IPv6 network/);
    expect(sized("mx/0//0")?.message).toMatch(/every IPv6 address/);
  });
  it("a /0 beats any other error: IPv4 /0 over IPv6 /4", () => {
    expect(sized("a/0//4")).toMatchObject({ code: "spf-ip-whole-internet", severity: "error" });
    expect(sized("a/0//4")?.message).toMatch(/every IPv4 address/);
  });
});

describe("parseSpf: macros (RFC 7208 7), each message in full", () => {
  it.each([
    [
      "exists:%{x}.example.com",
      'The macro "%{x}" is not valid; it is a letter (s, l, o, d, i, p, v, h), optional digits, an optional "r" and optional delimiters (. - + , / _ =), as in %{ir} or %{d2}, in "exists:%{x}.example.com" (RFC 7208 7.1).',
    ],
    ["exists:%{c}.example.com", 'The macro letter "c" in "%{c}" may be used only in explanation text, not in a domain, in "exists:%{c}.example.com" (RFC 7208 7.2).'],
    ["exists:%{d0}.example.com", 'The digit transformer in "%{d0}" must be greater than zero, in "exists:%{d0}.example.com" (RFC 7208 7.3).'],
    ["foo=bar%", '"%" must start a macro such as %{d} or be written "%%" for a literal percent sign, but it is followed by nothing, in "foo=bar%" (RFC 7208 7.1).'],
    ["foo=%z", '"%" must start a macro such as %{d} or be written "%%" for a literal percent sign, but it is followed by "z", in "foo=%z" (RFC 7208 7.1).'],
  ])("%s", (term, message) => {
    expect(messageOf(`v=spf1 ${term} -all`, "spf-bad-macro")).toBe(message);
  });
  it("names where an unclosed macro starts", () => {
    expect(messageOf("v=spf1 exists:x.%{i.example.com -all", "spf-bad-macro")).toMatch(/^The macro starting at "%\{i\.example\.com" has no closing "\}"/);
  });
  it.each(["exists:%{xd}.example.com", "exists:%{d!}.example.com", "exists:%{}.example.com"])("%s is not a macro", (term) => {
    expect(errorCodes(parseSpf(`v=spf1 ${term} -all`))).toEqual(["spf-bad-macro"]);
  });
  it.each(["exists:%{i}.%%", "exists:%{i}.%_", "exists:%{i}.%-"])("%s: a domain-spec may end in any macro-expand (domain-end)", (term) => {
    expect(parseSpf(`v=spf1 ${term} -all`).valid).toBe(true);
  });
});

describe("parseSpf: record-wide warnings", () => {
  it("a redirect next to all is a warning", () => {
    expect(problemsOf("v=spf1 redirect=_spf.example.com ~all", "spf-redirect-ignored")[0]?.severity).toBe("warning");
  });
  it("a repeated redirect or exp is a duplicate modifier only, not also a duplicate term", () => {
    expect(codes(parseSpf("v=spf1 redirect=a.example redirect=a.example"))).toEqual(["spf-duplicate-modifier"]);
    expect(codes(parseSpf("v=spf1 -all exp=x.example.com exp=x.example.com"))).toEqual(["spf-duplicate-modifier"]);
  });
  it("any other repeated term is a duplicate term (a warning); the lookup cost only for lookup terms", () => {
    expect(problemsOf("v=spf1 foo=bar foo=bar -all", "spf-duplicate-term")).toEqual([
      { severity: "warning", code: "spf-duplicate-term", message: '"foo=bar" appears more than once; the repeat adds nothing. Remove it.', term: "foo=bar" },
    ]);
    expect(messageOf("v=spf1 ip4:192.0.2.1 ip4:192.0.2.1 -all", "spf-duplicate-term")).toBe('"ip4:192.0.2.1" appears more than once; the repeat adds nothing. Remove it.');
    expect(problemsOf("v=spf1 redirect:x.example redirect:x.example -all", "spf-duplicate-term")).toHaveLength(1);
  });
  it("exp does not stand in for all: only redirect does (RFC 7208 4.7)", () => {
    expect(allProblem(parseSpf("v=spf1 include:a.example exp=explain.example.com"))?.code).toBe("spf-all-missing");
  });
});

describe("validateSpfTerm: each message in full", () => {
  it.each([
    ["", 'The SPF term is empty; give one mechanism such as "include:_spf.example.com" or "ip4:192.0.2.0/24".'],
    [
      "include:a.example  ip4:192.0.2.1",
      '"include:a.example  ip4:192.0.2.1" contains whitespace; give one SPF mechanism per entry (split "include:a.example", "ip4:192.0.2.1" into separate entries).',
    ],
    ["v=spf1", '"v=spf1" is the SPF version tag; give only the mechanisms to add, the program writes "v=spf1" itself.'],
    [
      "exp=explain.example.com",
      '"exp=explain.example.com" is the "exp" modifier, which cannot be merged into a generated record (a record has at most one, and redirect is ignored next to "all"). Use "include:explain.example.com" to authorise that domain\'s senders.',
    ],
    [
      "foo=bar.example",
      '"foo=bar.example" is a modifier ("foo="), which receivers ignore unless they know it (RFC 7208 6). Give a mechanism such as "include:bar.example" instead.',
    ],
    ["-all", '"-all" is an "all" mechanism; do not list it, the program ends the record with "all" itself (choose "~all" or "-all" in the SPF settings).'],
  ])("%j", (term, message) => {
    expect(validateSpfTerm(term)?.message).toBe(message);
  });
});

describe("lookupTerms: by kind, not by name alone", () => {
  it("a modifier named include costs nothing; a mechanism named redirect is no redirect", () => {
    expect(lookupTerms(parseSpf("v=spf1 include=_spf.example.com -all"))).toEqual([]);
    expect(lookupTerms(parseSpf("v=spf1 redirect:x.example"))).toEqual([]);
  });
  it("no all and no redirect: only the mechanisms", () => {
    expect(lookupTerms(parseSpf("v=spf1 include:a.example")).map((t) => t.raw)).toEqual(["include:a.example"]);
  });
});

describe("analyzeSpf: the cases the first tests left out", () => {
  it("a TXT answer with no records at all is a void lookup, like NODATA", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:t.example -all"], "t.example": { kind: "records", records: [] } }));
    expect(a.voidLookups).toBe(1);
    expect(a.tree[0]?.void).toBe(true);
  });
  it("a root that cannot be read: nothing counted, nothing exceeded", async () => {
    const a = await analyzeSpf("example.com", staticResolver({}));
    expect(a).toEqual({
      domain: "example.com",
      total: 0,
      voidLookups: 0,
      tree: [],
      exceeded: false,
      voidExceeded: false,
      unknown: ["example.com"],
      problems: [
        {
          severity: "warning",
          code: "spf-unknown",
          message: "The TXT records of example.com could not be read (not declared in this stack), so its SPF record was not checked.",
          domain: "example.com",
        },
      ],
    });
  });
  it("the lookup limit names at most the three costliest includes", async () => {
    const includes = Array.from({ length: 11 }, (_, i) => `include:v${i}.example`).join(" ");
    const a = await analyzeSpf("example.com", staticResolver({ "example.com": [`v=spf1 ${includes} -all`] }));
    expect(a.problems.find((p) => p.code === "spf-lookup-limit")?.message).toBe(
      'The SPF record of example.com needs at least 11 DNS lookups, more than the limit of 10; receivers return permerror, so SPF fails for all its mail (RFC 7208 4.6.4). "include:v0.example" costs 1, "include:v1.example" costs 1, "include:v2.example" costs 1 of your 10 lookups. Remove senders you no longer use, replace includes with their ip4:/ip6: ranges, or send through a subdomain with its own record.',
    );
  });
  it("the lookup limit without any include names none", async () => {
    const hosts = Array.from({ length: 11 }, (_, i) => `a:h${i}.example.com`).join(" ");
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": [`v=spf1 ${hosts} -all`] }));
    expect(a.problems).toEqual([
      {
        severity: "error",
        code: "spf-lookup-limit",
        message:
          "The SPF record of example.com needs 11 DNS lookups, more than the limit of 10; receivers return permerror, so SPF fails for all its mail (RFC 7208 4.6.4). Remove senders you no longer use, replace includes with their ip4:/ip6: ranges, or send through a subdomain with its own record.",
        domain: "example.com",
      },
    ]);
  });
  it("the void limit lists each void term", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:gone1.example include:gone2.example include:gone3.example -all"] }));
    expect(a.problems.at(-1)).toEqual({
      severity: "error",
      code: "spf-void-limit",
      message:
        'The SPF record of example.com makes 3 lookups that return no answer ("include:gone1.example", "include:gone2.example", "include:gone3.example"); receivers should return permerror after 2 (RFC 7208 4.6.4). Remove the terms that point at names that do not exist.',
      domain: "example.com",
    });
    expect(a.problems[0]?.message).toBe(
      '"include:gone1.example" in the SPF record of example.com points at gone1.example, which has no SPF record (the name does not exist (NXDOMAIN)); receivers return permerror (RFC 7208 5.2). Fix the name or remove the term.',
    );
  });
  it("a redirect to a name without SPF cites RFC 7208 6.1", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 redirect=gone.example"] }));
    expect(a.problems[0]?.message).toBe(
      '"redirect=gone.example" in the SPF record of example.com points at gone.example, which has no SPF record (the name does not exist (NXDOMAIN)); receivers return permerror (RFC 7208 6.1). Fix the name or remove the term.',
    );
  });
  it("each node names the domain it looks up: normalised, or the macro spec as written", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:AmazonSES.com. include:%{d}.spf.example.net -all"], "amazonses.com": ["v=spf1 -all"] }));
    expect(a.tree.map((n) => n.domain)).toEqual(["amazonses.com", "%{d}.spf.example.net"]);
  });
  it("an include or redirect without a domain is not followed (and is no loop)", async () => {
    for (const record of ["v=spf1 include -all", "v=spf1 redirect="]) {
      const a = await analyzeSpf("example.com", mapResolver({ "example.com": [record] }));
      expect(a.problems.map((p) => p.code), record).toEqual(["spf-domain-required"]);
      expect(a.tree[0]?.note).toBe("not followed: the term has no domain (a syntax error)");
    }
  });
  it("the query cap is named in the note", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:a.example include:b.example -all"], "a.example": ["v=spf1 -all"] }), { maxQueries: 2 });
    expect(a.tree[1]?.note).toBe("not followed: the analysis stopped after 2 queries; counted as at least 1");
  });
  it("two SPF records at an include or redirect target: the note, and advice per term", async () => {
    const twice = ["v=spf1 -all", "v=spf1 ~all"];
    const inc = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:t.example -all"], "t.example": twice }));
    expect(inc.tree[0]?.note).toBe("2 SPF records: permerror");
    expect(inc.problems[0]).toMatchObject({ severity: "error" });
    expect(inc.problems[0]?.message).toBe('t.example (reached through "include:t.example" in example.com) has 2 SPF records; receivers return permerror (RFC 7208 4.5). Ask its owner to merge them, or stop including it.');
    const red = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 redirect=t.example"], "t.example": twice }));
    expect(red.problems[0]?.message).toBe('t.example (reached through "redirect=t.example" in example.com) has 2 SPF records; receivers return permerror (RFC 7208 4.5). Merge them into one record.');
  });
  it("an include passes on only errors (RFC 7208 5.2): a ?all or a void lookup inside it is not the includer's problem", async () => {
    const neutral = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 include:t.example -all"], "t.example": ["v=spf1 ?all"] }));
    expect(neutral.problems).toEqual([]);
    const r = mapResolver({ "example.com": ["v=spf1 include:t.example -all"], "t.example": ["v=spf1 a:gone.t.example -all"] }, { "a:gone.t.example": false });
    const voided = await analyzeSpf("example.com", r);
    expect(voided.problems).toEqual([]);
    expect(voided.voidLookups).toBe(1);
  });
  it("void a and mx lookups: the note and the warning say which records are missing", async () => {
    const r = mapResolver({ "example.com": ["v=spf1 a mx:mail.example.com -all"] }, { "a:example.com": false, "mx:mail.example.com": false });
    const a = await analyzeSpf("example.com", r);
    expect(a.tree.map((n) => n.note)).toEqual(["no A or AAAA records: a void lookup", "no MX records: a void lookup"]);
    expect(a.problems).toEqual([
      {
        severity: "warning",
        code: "spf-void-lookup",
        message: '"a" in the SPF record of example.com looks up example.com, which has no A/AAAA records. It never matches and counts toward the limit of 2 void lookups (RFC 7208 4.6.4); remove it.',
        term: "a",
        domain: "example.com",
      },
      {
        severity: "warning",
        code: "spf-void-lookup",
        message:
          '"mx:mail.example.com" in the SPF record of example.com looks up mail.example.com, which has no MX records. It never matches and counts toward the limit of 2 void lookups (RFC 7208 4.6.4); remove it.',
        term: "mx:mail.example.com",
        domain: "example.com",
      },
    ]);
  });
  it("ptr and macro targets are not judged void, even by a resolver that finds nothing anywhere", async () => {
    const r = mapResolver({ "example.com": ["v=spf1 ptr exists:%{i}._spf.example.com -all"] });
    r.hasAddressOrMx = () => Promise.resolve(false);
    const a = await analyzeSpf("example.com", r);
    expect(a.voidLookups).toBe(0);
    expect(a.tree.map((n) => n.note)).toEqual([undefined, "the domain contains macros, which are expanded per message"]);
  });
  it("without a resolver for addresses: a macro target gets a note, a plain one none", async () => {
    const a = await analyzeSpf("example.com", mapResolver({ "example.com": ["v=spf1 a exists:%{i}._spf.example.com ptr:%{d}.example.com -all"] }));
    expect(a.tree.map((n) => n.note)).toEqual([
      undefined,
      "the domain contains macros, which are expanded per message",
      "the domain contains macros, which are expanded per message",
    ]);
  });
});

describe("worstIncludes", () => {
  it("only include and redirect terms, the costliest first", async () => {
    const a = await analyzeSpf(
      "example.com",
      mapResolver({ "example.com": ["v=spf1 a include:small.example include:big.example -all"], "small.example": ["v=spf1 -all"], "big.example": ["v=spf1 a mx -all"] }),
    );
    expect(worstIncludes(a)).toEqual([
      { term: "include:big.example", subtotal: 3 },
      { term: "include:small.example", subtotal: 1 },
    ]);
  });
});

describe("spfIncludes and looksLikeSpf: the edges", () => {
  it("only an include with that domain counts", () => {
    expect(spfIncludes(parseSpf("v=spf1 a:amazonses.com ~all"), "amazonses.com")).toBe(false);
    expect(spfIncludes(parseSpf("v=spf1 include ~all"), "amazonses.com")).toBe(false);
  });
  it("v=spf1 must open the value", () => {
    expect(looksLikeSpf("x v=spf1 -all")).toBe(false);
  });
});

describe("parseSpf: a modifier and a mechanism of the same name are different terms (RFC 7208 5, 6)", () => {
  // "redirect:" (a colon for the "=") is an unknown mechanism named redirect: a permerror of its
  // own (RFC 7208 5), and no redirect modifier.
  it("redirect: is no redirect: not a second one, not ignored next to all, and the record still lacks all", () => {
    expect(codes(parseSpf("v=spf1 redirect=a.example.com redirect:b.example.com"))).toEqual(["spf-unknown-mechanism"]);
    expect(codes(parseSpf("v=spf1 -all redirect:b.example.com"))).toEqual(["spf-unknown-mechanism", "spf-terms-after-all"]);
    expect(codes(parseSpf("v=spf1 include:a.example.com redirect:b.example.com"))).toEqual(["spf-unknown-mechanism", "spf-all-missing"]);
    expect(allProblem(parseSpf("v=spf1 redirect:b.example.com"))?.code).toBe("spf-all-missing");
  });
  it("exp: is no second exp modifier", () => {
    expect(codes(parseSpf("v=spf1 exp=a.example.com exp:b.example.com -all"))).toEqual(["spf-unknown-mechanism"]);
  });
  it("all=x is an unknown modifier, which receivers ignore (RFC 7208 6): the record has no all mechanism", () => {
    expect(codes(parseSpf("v=spf1 include:a.example.com all=x"))).toEqual(["spf-all-missing"]);
    expect(allProblem(parseSpf("v=spf1 include:a.example.com all=x"))?.code).toBe("spf-all-missing");
  });
});

describe("parseSpf: the top label of a domain-spec with macros (RFC 7208 7.1 domain-end)", () => {
  // Without macros the spec is also checked as a DNS name; with them only the toplabel rule
  // of domain-end applies, so these cases are its own.
  it.each(["exists:%{i}._spf.-x-y", "exists:%{i}._spf.a-b-", "exists:%{i}._spf._x-y"])("%s: a top label that starts or ends with a hyphen, or has an underscore, is refused", (term) => {
    const p = parseSpf(`v=spf1 ${term} -all`);
    expect(errorCodes(p)).toEqual(["spf-bad-domain-spec"]);
    expect(p.problems[0]?.message).toMatch(/is not a fully qualified domain name/);
  });
  it("a hyphen inside it is fine", () => {
    expect(parseSpf("v=spf1 exists:%{i}._spf.x-y -all").valid).toBe(true);
  });
});

describe("validateSpfTerm: the version tag is v= at the start only", () => {
  it("a modifier whose name ends in v is a modifier", () => {
    expect(validateSpfTerm("dev=mail.example.com")?.code).toBe("spf-term-modifier");
  });
});

describe("parseSpf: which repeated terms are the same term", () => {
  it("a macro keeps its case, also with transformers: %{Ir} (URL-escaped) is not %{ir} (RFC 7208 7.3)", () => {
    expect(codes(parseSpf("v=spf1 exists:%{Ir}.example.com exists:%{ir}.example.com -all"))).toEqual([]);
    expect(codes(parseSpf("v=spf1 exists:%{d2}.Example.com exists:%{d2}.example.com -all"))).toEqual(["spf-duplicate-term"]);
  });
  it("only ASCII letters fold (RFC 4343): two non-ASCII terms are two errors, not also a repeat", () => {
    expect(codes(parseSpf("v=spf1 include:ΑΣ.example include:ασ.example -all"))).toEqual(["spf-bad-character", "spf-bad-character"]);
  });
});
