import { describe, expect, it } from "vitest";
import {
  SPF_LOOKUP_LIMIT,
  SPF_VOID_LOOKUP_LIMIT,
  allProblem,
  analyzeSpf,
  buildSpf,
  isSpfRecord,
  lookupTerms,
  parseSpf,
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
