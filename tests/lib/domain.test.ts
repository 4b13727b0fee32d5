import { describe, expect, it } from "vitest";
import { isAligned, isSubdomainOf, normalizeDomain, organizationalDomain, validateDomainName } from "../../lib/domain";

describe("normalizeDomain", () => {
  it("lowercases, trims and strips one trailing dot", () => {
    expect(normalizeDomain("  Mail.Example.COM. ")).toBe("mail.example.com");
  });

  it("converts Unicode labels to punycode", () => {
    expect(normalizeDomain("Bücher.Example")).toBe("xn--bcher-kva.example");
    expect(normalizeDomain("例え。jp")).toBe("xn--r8jz45g.jp");
  });

  it("leaves ASCII input alone instead of percent-decoding it (the validator reports it)", () => {
    expect(normalizeDomain("a%41.example.com")).toBe("a%41.example.com");
  });

  it("keeps record names with underscores", () => {
    expect(normalizeDomain("_DMARC.example.com.")).toBe("_dmarc.example.com");
  });
});

describe("validateDomainName", () => {
  it.each(["example.com", "mail.example.co.uk", "example.com.", "bücher.example", "xn--bcher-kva.example", "a-b.example", "x1.example"])(
    "accepts %s",
    (name) => {
      expect(validateDomainName(name)).toBeUndefined();
    },
  );

  it("rejects an empty name", () => {
    expect(validateDomainName("  ")).toMatch(/empty/);
  });

  it("rejects whitespace inside", () => {
    expect(validateDomainName("exa mple.com")).toMatch(/whitespace/);
  });

  it("rejects a label over 63 characters", () => {
    const msg = validateDomainName(`${"a".repeat(64)}.example.com`);
    expect(msg).toMatch(/64 characters long/);
    expect(msg).toMatch(/at most 63/);
    expect(validateDomainName(`${"a".repeat(63)}.example.com`)).toBeUndefined();
  });

  it("rejects a name over 253 characters", () => {
    const long = `${Array.from({ length: 4 }, () => "a".repeat(63)).join(".")}.com`; // 4*63 + 3 dots + 4 = 259
    expect(validateDomainName(long)).toMatch(/259 characters long; a domain name may have at most 253/);
  });

  it("measures an IDN in punycode", () => {
    const name = `${"ü".repeat(60)}.example`;
    expect(validateDomainName(name)).toMatch(/in punycode|at most 63/);
  });

  it("rejects bad characters and names them", () => {
    expect(validateDomainName("exa$mple.com")).toMatch(/characters not allowed in a domain name \(\$\)/);
    expect(validateDomainName("a%41.example.com")).toMatch(/not allowed/);
  });

  it("rejects a leading or trailing hyphen in a label", () => {
    expect(validateDomainName("-mail.example.com")).toMatch(/starts or ends with a hyphen/);
    expect(validateDomainName("mail-.example.com")).toMatch(/starts or ends with a hyphen/);
  });

  it("rejects a single label", () => {
    expect(validateDomainName("localhost")).toMatch(/single label; use a fully qualified domain name/);
  });

  it("rejects empty labels", () => {
    expect(validateDomainName("mail..example.com")).toMatch(/empty label/);
    expect(validateDomainName(".example.com")).toMatch(/empty label/);
    expect(validateDomainName("example.com..")).toMatch(/empty label/);
  });

  it("rejects underscores in host names but allows them in record names when asked", () => {
    expect(validateDomainName("mail_from.example.com")).toMatch(/underscore/);
    expect(validateDomainName("_dmarc.example.com", { allowUnderscore: true })).toBeUndefined();
  });

  it("rejects invalid punycode in xn-- labels", () => {
    expect(validateDomainName("xn--zz.example")).toMatch(/not valid punycode/);
  });

  it("rejects an IDN that cannot be converted", () => {
    // A label may not start with a combining mark (IDNA2008 / UTS #46).
    expect(validateDomainName("\u0301a.example")).toMatch(/not a valid internationalised domain name/);
    expect(validateDomainName("straße.de")).toBeUndefined();
    expect(validateDomainName("exa\u00a0mple.com")).toMatch(/whitespace/);
  });

  it("rejects an all-numeric top-level label (an IP address)", () => {
    expect(validateDomainName("192.0.2.1")).toMatch(/all-numeric label "1"/);
  });
});

describe("isSubdomainOf", () => {
  it("is true for a strict subdomain, ignoring case and trailing dots", () => {
    expect(isSubdomainOf("Mail.Example.com.", "example.COM")).toBe(true);
    expect(isSubdomainOf("a.b.example.com", "example.com.")).toBe(true);
  });

  it("is false for the same name and for look-alikes", () => {
    expect(isSubdomainOf("example.com", "example.com.")).toBe(false);
    expect(isSubdomainOf("badexample.com", "example.com")).toBe(false);
    expect(isSubdomainOf("example.com", "mail.example.com")).toBe(false);
    expect(isSubdomainOf("example.com", "")).toBe(false);
  });

  it("compares IDNs in punycode", () => {
    expect(isSubdomainOf("mail.bücher.example", "xn--bcher-kva.example")).toBe(true);
  });
});

describe("organizationalDomain", () => {
  it("uses the public suffix list", () => {
    expect(organizationalDomain("a.b.mail.example.co.uk")).toBe("example.co.uk");
    expect(organizationalDomain("_dmarc.Example.com.")).toBe("example.com");
  });

  it("ignores private suffixes (allowPrivateDomains false)", () => {
    expect(organizationalDomain("foo.github.io")).toBe("github.io");
  });

  it("falls back to the name itself", () => {
    expect(organizationalDomain("com")).toBe("com");
    expect(organizationalDomain("192.0.2.1")).toBe("192.0.2.1");
  });
});

describe("isAligned", () => {
  it("relaxed: same organisational domain", () => {
    expect(isAligned("bounce.mail.example.com", "example.com", "r")).toBe(true);
    expect(isAligned("a.example.co.uk", "b.example.co.uk", "r")).toBe(true);
  });

  it("relaxed: different organisational domains do not align", () => {
    expect(isAligned("example.com", "example.net", "r")).toBe(false);
    expect(isAligned("a.example.co.uk", "other.co.uk", "r")).toBe(false);
  });

  it("strict: only equal names align", () => {
    expect(isAligned("Example.com.", "example.com", "s")).toBe(true);
    expect(isAligned("mail.example.com", "example.com", "s")).toBe(false);
  });
});
