import { describe, expect, it } from "vitest";
import {
  addressDomain,
  freeMailFromName,
  isAligned,
  isEmailAddress,
  isSubdomainOf,
  mailFromCollisions,
  normalizeDomain,
  organizationalDomain,
  validateDomainName,
  validateSendingDomain,
} from "../../lib/domain";

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
    expect(validateDomainName("192.0.2.10")).toMatch(/all-numeric label "10"/);
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

describe("normalizeDomain: the edges", () => {
  it("strips the trailing ideographic full stop an IDN ends with (it becomes a dot in punycode)", () => {
    expect(normalizeDomain("例え。jp。")).toBe("xn--r8jz45g.jp");
  });

  it("returns a name IDNA cannot convert lowercased, for the validator to report", () => {
    expect(normalizeDomain("\u0301A.Example")).toBe("\u0301a.example");
  });
});

describe("validateDomainName: the messages", () => {
  it("says an empty name, or one of spaces only, is empty", () => {
    for (const input of ["", "  \t"]) expect(validateDomainName(input), JSON.stringify(input)).toBe("The domain name is empty; enter a fully qualified name such as example.com.");
  });

  it("names the length at exactly one over each limit, and takes each limit itself", () => {
    const at253 = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(at253).toHaveLength(253);
    expect(validateDomainName(at253)).toBeUndefined();
    expect(validateDomainName(`${at253}.`)).toBeUndefined();
    const at254 = `${at253}d`;
    expect(validateDomainName(at254)).toBe(`"${"a".repeat(60)}…" (254 characters) is 254 characters long; a domain name may have at most 253 (RFC 1035 2.3.4). Use a shorter name.`);
  });

  it("says the length is of the punycode form for an IDN only", () => {
    const idn = `${"ü".repeat(20)}.${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(30)}.example`;
    expect(validateDomainName(idn)).toMatch(/is \d+ characters long in punycode; a domain name may have at most 253/);
    expect(validateDomainName(`${"x".repeat(60)}.${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.example`)).toMatch(/is 260 characters long; a domain name/);
  });

  it("quotes the first 20 characters of a long label", () => {
    expect(validateDomainName(`${"abcdefghij".repeat(7)}.example.com`)).toMatch(/^The label "abcdefghijabcdefghij…" in "(abcdefghij){6}…" \(82 characters\) is 70 characters long;/);
  });

  it("suggests a full name for a single label", () => {
    expect(validateDomainName("Mailhost.")).toBe('"Mailhost." is a single label; use a fully qualified domain name such as mailhost.com or mail.mailhost.com.');
  });

  it("names an underscore label and where underscores belong", () => {
    expect(validateDomainName("mail_from.example.com")).toBe(
      'The label "mail_from" in "mail_from.example.com" contains an underscore; host and domain names may use only letters, digits and hyphens (RFC 952, RFC 1123 2.1). Underscores belong only in record names such as _dmarc; remove it or use a hyphen.',
    );
  });

  it("lists each bad character once, and mentions underscores when they are allowed", () => {
    expect(validateDomainName("a$b$c!.example.com")).toBe('The label "a$b$c!" in "a$b$c!.example.com" contains characters not allowed in a domain name ($ !); use only letters, digits and hyphens.');
    expect(validateDomainName("_s%p.example.com", { allowUnderscore: true })).toBe(
      'The label "_s%p" in "_s%p.example.com" contains characters not allowed in a domain name (%); use only letters, digits and hyphens (and underscores).',
    );
    expect(validateDomainName("_spf-1.example.com", { allowUnderscore: true })).toBeUndefined();
  });

  it("accepts a valid xn-- label and a numeric label that is not the last", () => {
    expect(validateDomainName("xn--r8jz45g.jp")).toBeUndefined();
    expect(validateDomainName("123.example")).toBeUndefined();
    expect(validateDomainName("example.c0m")).toBeUndefined();
    // Only an all-numeric last label is refused, not one with digits at either end.
    expect(validateDomainName("example.x1")).toBeUndefined();
    expect(validateDomainName("example.1x")).toBeUndefined();
    // A label too large for an IPv4 number, which IDNA (WHATWG) refuses, is not an xn-- label.
    expect(validateDomainName("4294967296.example.com")).toBeUndefined();
    expect(validateDomainName("xn--zz.example")).toBe('The label "xn--zz" in "xn--zz.example" starts with "xn--" but is not valid punycode; write the Unicode form instead, or convert it again.');
  });

  it("says why a numeric top-level label is refused", () => {
    expect(validateDomainName("10.0.0.1")).toBe('"10.0.0.1" ends in the all-numeric label "1"; top-level domains are never numeric (RFC 3696 2). Enter a domain name, not an IP address.');
  });
});

describe("validateSendingDomain", () => {
  it("passes the name validator's problem through", () => {
    expect(validateSendingDomain("localhost")).toMatch(/is a single label/);
  });

  it("says which section of the Public Suffix List a suffix is in", () => {
    expect(validateSendingDomain("co.uk")).toBe(
      '"co.uk" is a public suffix (an ICANN entry of the Public Suffix List, https://publicsuffix.org): names are registered under it, it cannot be one sender\'s domain. Use your registered domain, e.g. example.co.uk.',
    );
    expect(validateSendingDomain("GitHub.io.")).toMatch(/^"GitHub\.io\." is a public suffix \(a private entry of the Public Suffix List, https:\/\/publicsuffix\.org\).*e\.g\. example\.github\.io\.$/);
  });

  it("accepts a registered domain and a name below it", () => {
    expect(validateSendingDomain("example.co.uk")).toBeUndefined();
    expect(validateSendingDomain("mail.example.github.io")).toBeUndefined();
  });
});

describe("addressDomain and isEmailAddress", () => {
  it("takes the normalised domain after the last @, and nothing without a local part", () => {
    expect(addressDomain("Admin@Mail.Example.COM.")).toBe("mail.example.com");
    expect(addressDomain("\"a@b\"@example.com")).toBe("example.com");
    expect(addressDomain("@example.com")).toBe("");
    expect(addressDomain("example.com")).toBe("");
  });

  it("needs a local part without spaces or @ and a valid domain", () => {
    expect(isEmailAddress("admin@example.com")).toBe(true);
    for (const a of ["@example.com", "example.com", "ad min@example.com", "a@b@example.com", "admin@localhost", "admin@exa$mple.com"]) expect(isEmailAddress(a), a).toBe(false);
  });
});

describe("mailFromCollisions", () => {
  it("finds nothing when each domain has its own MAIL FROM under itself", () => {
    expect(
      mailFromCollisions([
        { domain: "a.example", mailFroms: [{ region: "us-east-1", name: "bounce.a.example" }, { region: "eu-west-1", name: "bounce-eu.a.example" }] },
        { domain: "b.example", mailFroms: [{ name: "bounce.b.example" }] },
      ]),
    ).toEqual([]);
  });

  it("reports a MAIL FROM shared by two domains once per domain, whatever the case or trailing dot", () => {
    const c = mailFromCollisions([
      { domain: "a.example", mailFroms: [{ region: "us-east-1", name: "bounce.shared.example" }, { region: "eu-west-1", name: "Bounce.Shared.Example." }] },
      { domain: "B.example.", mailFroms: [{ name: "bounce.shared.example" }] },
    ]);
    expect(c).toEqual([
      {
        domain: "a.example",
        mailFrom: "bounce.shared.example",
        suggestion: "bounce.a.example",
        message: "bounce.shared.example is the MAIL FROM of a.example and b.example: each declares the MX and SPF record set at that one name, so they collide. Give each domain its own MAIL FROM under itself (for a.example, bounce.a.example is free).",
      },
      {
        domain: "b.example",
        mailFrom: "bounce.shared.example",
        suggestion: "bounce.b.example",
        message: "bounce.shared.example is the MAIL FROM of b.example and a.example: each declares the MX and SPF record set at that one name, so they collide. Give each domain its own MAIL FROM under itself (for b.example, bounce.b.example is free).",
      },
    ]);
  });

  it("reports a MAIL FROM that is another sending domain, and not a domain's own name (another rule)", () => {
    const c = mailFromCollisions([
      { domain: "example.com", mailFroms: [{ name: "Mail.Example.com" }] },
      { domain: "mail.example.com", mailFroms: [{ name: "mail.example.com" }] },
    ]);
    expect(c.map((x) => [x.domain, x.mailFrom, x.suggestion])).toEqual([
      ["example.com", "mail.example.com", "bounce.example.com"],
      ["example.com", "mail.example.com", "bounce.example.com"],
      ["mail.example.com", "mail.example.com", "bounce.mail.example.com"],
    ]);
    expect(c[0].message).toBe(
      "The MAIL FROM of example.com is mail.example.com, which is itself a sending domain of this stack: its MX would have to point at SES's feedback host and its one SPF record is mail.example.com's own, so the two setups overwrite each other. Give example.com a MAIL FROM that is no other domain: bounce.example.com is free.",
    );
    expect(c[1].message).toMatch(/^mail\.example\.com is the MAIL FROM of example\.com and mail\.example\.com: /);
    expect(c[2].message).toMatch(/^mail\.example\.com is the MAIL FROM of mail\.example\.com and example\.com: /);
  });
});

describe("freeMailFromName", () => {
  it("tries bounce, mailfrom, mail-from, bounces, return, then bounce2, bounce3, ... under the normalised domain", () => {
    const taken = new Set<string>();
    const got: string[] = [];
    for (let i = 0; i < 7; i++) {
      const n = freeMailFromName("Example.COM.", taken);
      got.push(n);
      taken.add(n);
    }
    expect(got).toEqual(["bounce.example.com", "mailfrom.example.com", "mail-from.example.com", "bounces.example.com", "return.example.com", "bounce2.example.com", "bounce3.example.com"]);
  });
});
