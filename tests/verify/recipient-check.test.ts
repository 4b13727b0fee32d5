/**
 * The recipient layer's checks (scripts/verify/layers/recipient/check.ts) on hand-built DNS,
 * HTTPS and SMTP observations: each check's pass and every way it warns, fails or stays
 * inconclusive, with the words. tests/verify/recipient.test.ts makes the main cases against nsd,
 * an HTTPS policy server and SMTP servers on loopback (slow under mutation testing); this file
 * is pure.
 *
 * The rules: RFC 5321 5.1 (implicit MX; MX targets are host names), RFC 7505 (null MX), RFC 2181
 * 10.3 (an MX target is no alias), RFC 7489 6.6.3 and 6.3 (DMARC record discovery; sp for
 * subdomains), RFC 8461 (MTA-STS: record, policy over HTTPS, text/plain, no redirects, mx
 * patterns), RFC 8460 (TLS-RPT).
 */
import { describe, expect, it } from "vitest";
import { type Finding, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import {
  bestMx,
  checkRecipientDomain as checkDomain,
  deliveryHosts,
  type HostObservation,
  isNullMx,
  NO_RECIPIENT,
  parseMxAnswers,
  PORT_25_NEEDS,
  type PolicyResponse,
  type RecipientObservations,
  recipientDomains,
  type SmtpProbeResult,
} from "../../scripts/verify/layers/recipient/check";

const D = "r.example";
const nx = (what = "NXDOMAIN"): Unobservable => ({ ok: false, reason: "notfound", message: what });
const timeout: Unobservable = { ok: false, reason: "timeout", message: "no answer from 127.0.0.1:5300", needs: "Check the resolver." };
const host = (a: string[], aaaa: string[] = [], cname: Observation<string[]> = observed([])): HostObservation => ({ cname, a: observed(a), aaaa: observed(aaaa) });
const POLICY_URL = "https://mta-sts.r.example/.well-known/mta-sts.txt";
const policy = (body: string, over: Partial<PolicyResponse> = {}): Observation<PolicyResponse> => observed({ url: POLICY_URL, status: 200, contentType: "text/plain", body, ...over });
const ENFORCE = "version: STSv1\nmode: enforce\nmx: *.r.example\nmax_age: 86400\n";

function base(over: Partial<RecipientObservations> = {}): RecipientObservations {
  return {
    domain: D,
    mx: observed(["20 mx2.r.example.", "10 mx1.r.example."]),
    hosts: new Map([
      ["mx1.r.example", host(["192.0.2.1"], ["2001:db8::1"])],
      ["mx2.r.example", host(["192.0.2.2"])],
    ]),
    dmarc: [{ name: "_dmarc.r.example", txt: observed(["v=DMARC1; p=reject"]) }],
    mtaSts: observed(["v=STSv1; id=2026112901"]),
    policy: policy(ENFORCE),
    tlsRpt: observed(["v=TLSRPTv1; rua=mailto:tlsrpt@r.example"]),
    ...over,
  };
}
const IDS = ["recipient.mx", "recipient.mx.cname", "recipient.mx.address", "recipient.dmarc", "recipient.mta-sts", "recipient.mta-sts.mx", "recipient.tls-rpt", "recipient.smtp"];
/** The layer's findings, each checked to name the layer and one of its check ids. */
function checkRecipientDomain(obs: RecipientObservations): Finding[] {
  const fs = checkDomain(obs);
  for (const f of fs) expect([f.layer, IDS.includes(f.id)], `${f.id}: ${f.summary}`).toEqual(["recipient", true]);
  return fs;
}
const byId = (fs: Finding[], id: string): Finding => {
  const found = fs.filter((f) => f.id === id);
  expect(found, `${id} in ${fs.map((f) => f.id).join(", ")}`).toHaveLength(1);
  return found[0]!;
};
const check = (over: Partial<RecipientObservations>, id: string) => byId(checkRecipientDomain(base(over)), id);
const POSTMASTER = "This is on the recipient's side: tell the recipient (or postmaster@r.example) what is wrong, or check the address for a typo. Nothing in this stack can fix it.";

describe("the helpers", () => {
  it("without --recipient the layer is not checked, and says which flag it needs", () => {
    expect(NO_RECIPIENT).toMatch(/^no --recipient given: /);
  });

  it("recipient domains: distinct, normalised, in the order given", () => {
    expect(recipientDomains(["a@Good.Example", "b@good.example.", "c@x.example", "d@X.example"])).toEqual(["good.example", "x.example"]);
  });

  it("MX answers sorted by preference, then name; a null MX is one MX '.' (RFC 7505)", () => {
    expect(parseMxAnswers([" 20  b.example. ", "10 c.example", "10 A.example"])).toEqual([
      { preference: 10, host: "a.example" },
      { preference: 10, host: "c.example" },
      { preference: 20, host: "b.example" },
    ]);
    expect(parseMxAnswers(["0 ."])).toEqual([{ preference: 0, host: "" }]);
    expect(parseMxAnswers(["5"])).toEqual([{ preference: 5, host: "" }]);
    expect(isNullMx(parseMxAnswers(["0 ."]))).toBe(true);
    expect(isNullMx(parseMxAnswers(["0 .", "10 a.example"]))).toBe(false);
    expect(isNullMx(parseMxAnswers(["10 a.example"]))).toBe(false);
    expect(isNullMx([])).toBe(false);
  });

  it("delivery hosts: the MX hosts in order without the null MX; the domain itself for an implicit MX with an address", () => {
    expect(deliveryHosts(base())).toEqual(["mx1.r.example", "mx2.r.example"]);
    expect(deliveryHosts(base({ mx: observed(["0 .", "10 mx1.r.example"]) }))).toEqual(["mx1.r.example"]);
    expect(deliveryHosts(base({ mx: timeout }))).toEqual([]);
    expect(deliveryHosts(base({ mx: observed([]), implicit: { a: nx(), aaaa: observed(["2001:db8::9"]) } }))).toEqual([D]);
    expect(deliveryHosts(base({ mx: observed([]), implicit: { a: observed(["192.0.2.9"]), aaaa: nx() } }))).toEqual([D]);
    expect(deliveryHosts(base({ mx: observed([]), implicit: { a: observed([]), aaaa: observed([]) } }))).toEqual([]);
    expect(deliveryHosts(base({ mx: observed([]) }))).toEqual([]);
  });

  it("the best MX: the most preferred host with an address (A and AAAA), skipping hosts not looked up or without one", () => {
    expect(bestMx(base())).toEqual({ host: "mx1.r.example", addresses: ["192.0.2.1", "2001:db8::1"] });
    expect(bestMx(base({ hosts: new Map([["mx1.r.example", { cname: observed([]), a: timeout, aaaa: nx() }], ["mx2.r.example", host([], ["2001:db8::2"])]]) }))).toEqual({ host: "mx2.r.example", addresses: ["2001:db8::2"] });
    expect(bestMx(base({ hosts: new Map([["mx2.r.example", host(["192.0.2.2"])]]) }))).toEqual({ host: "mx2.r.example", addresses: ["192.0.2.2"] });
    expect(bestMx(base({ hosts: new Map() }))).toBeUndefined();
    // The implicit addresses are the domain's own, never an MX host's.
    expect(bestMx(base({ implicit: { a: observed(["192.0.2.99"]), aaaa: observed([]) } }))).toEqual({ host: "mx1.r.example", addresses: ["192.0.2.1", "2001:db8::1"] });
    expect(bestMx(base({ mx: observed([]), implicit: { a: observed(["192.0.2.9"]), aaaa: nx() } }))).toEqual({ host: D, addresses: ["192.0.2.9"] });
  });
});

describe("recipient.mx", () => {
  it("MX hosts: pass, naming the best; one host is 'host', not 'hosts'", () => {
    expect(check({}, "recipient.mx")).toEqual({ layer: "recipient", id: "recipient.mx", subject: D, status: "pass", summary: "2 MX hosts, best mx1.r.example (preference 10)", evidence: ["MX 10 mx1.r.example", "MX 20 mx2.r.example"] });
    expect(check({ mx: observed(["10 mx1.r.example"]) }, "recipient.mx").summary).toBe("1 MX host, best mx1.r.example (preference 10)");
  });

  it("NXDOMAIN: one failure and nothing else; a null MX: one failure and nothing else", () => {
    const gone = checkRecipientDomain(base({ mx: nx("r.example: NXDOMAIN") }));
    expect(gone).toEqual([
      {
        layer: "recipient",
        id: "recipient.mx",
        subject: D,
        status: "fail",
        summary: "r.example does not exist (NXDOMAIN): mail to it bounces",
        evidence: ["r.example: NXDOMAIN"],
        remediation: "Check the recipient address for a typo in the domain: a domain that does not exist has no one to receive mail.",
      },
    ]);
    const none = checkRecipientDomain(base({ mx: observed(["0 ."]) }));
    expect(none).toEqual([
      {
        layer: "recipient",
        id: "recipient.mx",
        subject: D,
        status: "fail",
        summary: "r.example accepts no mail: it publishes a null MX (RFC 7505)",
        evidence: ["MX 0 ."],
        remediation: "The domain says it receives no mail at all: check the address for a typo, or ask the recipient for another address. Nothing in this stack can change it.",
      },
    ]);
  });

  it("the MX unanswered: inconclusive, and the other checks still run", () => {
    const fs = checkRecipientDomain(base({ mx: timeout }));
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["recipient.mx inconclusive", "recipient.dmarc pass", "recipient.mta-sts pass", "recipient.tls-rpt pass"]);
    expect(fs[0]!.summary).toBe("could not check the MX records: no answer from 127.0.0.1:5300");
  });

  it("no MX: the implicit MX warns when the domain has an address, fails without, is inconclusive when unknown", () => {
    const implicit = checkRecipientDomain(base({ mx: observed([]), implicit: { a: observed(["192.0.2.9"]), aaaa: observed(["2001:db8::9"]) } }));
    expect(implicit[0]).toEqual({
      layer: "recipient",
      id: "recipient.mx",
      subject: D,
      status: "warn",
      summary: "r.example has no MX record: senders fall back to its address (implicit MX, RFC 5321 5.1)",
      evidence: ["no MX; A/AAAA 192.0.2.9, 2001:db8::9"],
      remediation: `Delivery works only if r.example itself runs an SMTP server; many senders treat a domain without MX as suspect. ${POSTMASTER}`,
    });
    // The domain itself is the host to deliver to, so the MTA-STS policy is matched against it.
    expect(implicit.map((f) => f.id)).toEqual(["recipient.mx", "recipient.dmarc", "recipient.mta-sts", "recipient.mta-sts.mx", "recipient.tls-rpt"]);
    const nothing = checkRecipientDomain(base({ mx: observed([]), implicit: { a: nx(), aaaa: observed([]) } }));
    expect(nothing[0]).toMatchObject({ status: "fail", summary: "r.example has no MX and no address: mail to it cannot be delivered", evidence: ["no MX, no A, no AAAA"], remediation: `Check the recipient address for a typo in the domain. ${POSTMASTER}` });
    // A failure of the implicit MX is not the NXDOMAIN or null MX case: the other checks run.
    expect(nothing.map((f) => f.id)).toContain("recipient.tls-rpt");
    const unknown = check({ mx: observed([]), implicit: { a: observed([]), aaaa: timeout } }, "recipient.mx");
    expect([unknown.status, unknown.summary]).toEqual(["inconclusive", "could not check the implicit MX: no answer from 127.0.0.1:5300"]);
    const unknownA = check({ mx: observed([]), implicit: { a: timeout, aaaa: observed([]) } }, "recipient.mx");
    expect(unknownA.status).toBe("inconclusive");
    const notAsked = check({ mx: observed([]) }, "recipient.mx");
    expect([notAsked.status, notAsked.summary, notAsked.evidence]).toEqual(["inconclusive", "could not check the implicit MX: r.example has no MX and its addresses were not looked up", ["error: r.example has no MX and its addresses were not looked up"]]);
  });

  it("MX records that all name '.', or a null MX beside a host without an address: no host to deliver to, a failure", () => {
    const dots = checkRecipientDomain(base({ mx: observed(["0 .", "10 ."]) }));
    expect(byId(dots, "recipient.mx.address")).toMatchObject({ status: "fail", summary: "no MX host of r.example has an address: mail to it cannot be delivered", evidence: [] });
    const mixed = byId(checkRecipientDomain(base({ mx: observed(["0 .", "10 mx2.r.example"]), hosts: new Map([["mx2.r.example", host([])]]) })), "recipient.mx.address");
    expect([mixed.status, mixed.evidence]).toEqual(["fail", ["mx2.r.example: no A or AAAA record"]]);
  });

  it("a null MX among other MX records: a warning (RFC 7505 3)", () => {
    const f = check({ mx: observed(["0 .", "10 mx1.r.example"]) }, "recipient.mx");
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual(["warn", "r.example mixes a null MX with other MX records; RFC 7505 3 forbids it and senders may treat the domain as accepting no mail", ["MX 0 .", "MX 10 mx1.r.example"], POSTMASTER]);
  });
});

describe("recipient.mx.cname", () => {
  it("no alias passes; aliases warn, one or several; an unanswered CNAME question is inconclusive", () => {
    expect(check({}, "recipient.mx.cname")).toEqual({ layer: "recipient", id: "recipient.mx.cname", subject: D, status: "pass", summary: "no MX host is an alias (CNAME)", evidence: [] });
    const one = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"], [], observed(["real.r.example"]))], ["mx2.r.example", host(["192.0.2.2"])]]) }, "recipient.mx.cname");
    expect([one.status, one.summary, one.evidence, one.remediation]).toEqual([
      "warn",
      "1 MX host is an alias (CNAME): RFC 2181 10.3 and RFC 5321 5.1 forbid it, and strict senders refuse to deliver",
      ["mx1.r.example is a CNAME for real.r.example"],
      `The MX should name the canonical host itself. ${POSTMASTER}`,
    ]);
    const two = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"], [], observed(["a.r.example", "b.r.example"]))], ["mx2.r.example", host(["192.0.2.2"], [], observed(["c.r.example"]))]]) }, "recipient.mx.cname");
    expect([two.summary, two.evidence]).toEqual(["2 MX hosts are aliases (CNAME): RFC 2181 10.3 and RFC 5321 5.1 forbid it, and strict senders refuse to deliver", ["mx1.r.example is a CNAME for a.r.example, b.r.example", "mx2.r.example is a CNAME for c.r.example"]]);
    const unknown = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"], [], nx())], ["mx2.r.example", host(["192.0.2.2"], [], timeout)]]) }, "recipient.mx.cname");
    expect([unknown.status, unknown.summary]).toEqual(["inconclusive", "could not check whether the MX hosts are aliases: no answer from 127.0.0.1:5300"]);
    // An alias found wins over another host's unknown answer.
    const both = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"], [], timeout)], ["mx2.r.example", host(["192.0.2.2"], [], observed(["c.r.example"]))]]) }, "recipient.mx.cname");
    expect(both.status).toBe("warn");
  });
});

describe("recipient.mx.address", () => {
  it("every host with an address passes, listing them", () => {
    expect(check({}, "recipient.mx.address")).toEqual({
      layer: "recipient",
      id: "recipient.mx.address",
      subject: D,
      status: "pass",
      summary: "every MX host has an address",
      evidence: ["mx1.r.example: 192.0.2.1, 2001:db8::1", "mx2.r.example: 192.0.2.2"],
    });
  });

  it("no host with an address fails; some without warn, naming them (NXDOMAIN said)", () => {
    const none = check({ hosts: new Map([["mx1.r.example", { cname: observed([]), a: nx(), aaaa: nx() }], ["mx2.r.example", host([])]]) }, "recipient.mx.address");
    expect([none.status, none.summary, none.evidence, none.remediation]).toEqual([
      "fail",
      "no MX host of r.example has an address: mail to it cannot be delivered",
      ["mx1.r.example: no A or AAAA record (NXDOMAIN)", "mx2.r.example: no A or AAAA record"],
      POSTMASTER,
    ]);
    const some = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"])], ["mx2.r.example", host([])]]) }, "recipient.mx.address");
    expect([some.status, some.summary, some.remediation]).toEqual(["warn", "mx2.r.example has no address: senders skip it and use the other MX hosts", POSTMASTER]);
    const three = check({ mx: observed(["10 a.r.example", "20 b.r.example", "30 c.r.example"]), hosts: new Map([["a.r.example", host(["192.0.2.1"])], ["b.r.example", host([])], ["c.r.example", host([])]]) }, "recipient.mx.address");
    expect(three.summary).toBe("b.r.example, c.r.example have no address: senders skip them and use the other MX hosts");
  });

  it("an address question unanswered: inconclusive unless a host is known to have none; a host not looked up is skipped", () => {
    const unknown = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"])], ["mx2.r.example", { cname: observed([]), a: observed([]), aaaa: timeout }]]) }, "recipient.mx.address");
    expect([unknown.status, unknown.summary]).toEqual(["inconclusive", "could not check the MX hosts' addresses: no answer from 127.0.0.1:5300"]);
    const first = check({ hosts: new Map([["mx1.r.example", { cname: observed([]), a: { ...timeout, message: "A: first" }, aaaa: { ...timeout, message: "AAAA: second" } }], ["mx2.r.example", { cname: observed([]), a: { ...timeout, message: "A: third" }, aaaa: observed([]) }]]) }, "recipient.mx.address");
    expect(first.summary).toBe("could not check the MX hosts' addresses: A: first");
    const missingWins = check({ hosts: new Map([["mx1.r.example", host([])], ["mx2.r.example", { cname: observed([]), a: timeout, aaaa: observed([]) }]]) }, "recipient.mx.address");
    expect([missingWins.status, missingWins.summary]).toEqual(["warn", "mx1.r.example has no address: senders skip it and use the other MX hosts"]);
    const notLooked = check({ hosts: new Map([["mx1.r.example", host(["192.0.2.1"])]]) }, "recipient.mx.address");
    expect([notLooked.status, notLooked.evidence]).toEqual(["pass", ["mx1.r.example: 192.0.2.1"]]);
  });
});

describe("recipient.dmarc", () => {
  const dmarc = (records: string[], name = "_dmarc.r.example") => check({ dmarc: [{ name, txt: observed(records) }] }, "recipient.dmarc");
  const OWN = "Receivers judge our mail by our own domain's DMARC record, not by this one (RFC 7489 6.6.3)";

  it("a record: its tags with their defaults, and what it means for our mail", () => {
    expect(dmarc(["v=spf1 -all", "v=DMARC1; p=reject"])).toEqual({
      layer: "recipient",
      id: "recipient.dmarc",
      subject: "_dmarc.r.example",
      status: "pass",
      summary: "r.example publishes DMARC p=reject pct=100 adkim=r aspf=r: policy reject for its own mail",
      evidence: [
        "_dmarc.r.example: v=DMARC1; p=reject",
        `${OWN}. A domain that rejects its own failing mail usually enforces DMARC on what it receives too: our mail must pass DMARC with aligned DKIM or SPF (\`npm run verify -- --only dns\` checks ours).`,
      ],
    });
    const q = dmarc(["v=DMARC1; p=quarantine; sp=none; pct=50; adkim=s; aspf=s"]);
    expect(q.summary).toBe("r.example publishes DMARC p=quarantine sp=none pct=50 adkim=s aspf=s: policy quarantine for its own mail");
    expect(q.evidence[1]).toBe(`${OWN}; its adkim=s and aspf=s bind only mail that claims to be from r.example. A domain that quarantines its own failing mail usually enforces DMARC on what it receives too: our mail must pass DMARC with aligned DKIM or SPF (\`npm run verify -- --only dns\` checks ours).`);
    expect(dmarc(["v=DMARC1; p=none; aspf=s"]).evidence[1]).toBe(`${OWN}; its aspf=s bind only mail that claims to be from r.example. p=none only monitors r.example's own mail and says little about how strictly it filters what it receives.`);
    expect(dmarc(["v=DMARC1; p=none; adkim=s"]).evidence[1]).toBe(`${OWN}; its adkim=s bind only mail that claims to be from r.example. p=none only monitors r.example's own mail and says little about how strictly it filters what it receives.`);
  });

  it("a subdomain under its Organisational Domain's record gets sp, else p; its own record gets p", () => {
    const sub = "mail.r.example";
    const inherit = (record: string) =>
      byId(checkRecipientDomain(base({ domain: sub, dmarc: [{ name: "_dmarc.mail.r.example", txt: nx() }, { name: "_dmarc.r.example", txt: observed([record]) }] })), "recipient.dmarc");
    const f = inherit("v=DMARC1; p=reject; sp=none");
    expect([f.subject, f.summary]).toEqual(["_dmarc.mail.r.example", "mail.r.example publishes DMARC p=reject sp=none pct=100 adkim=r aspf=r (from _dmarc.r.example): policy none for its own mail"]);
    expect(f.evidence[0]).toBe("_dmarc.r.example: v=DMARC1; p=reject; sp=none");
    expect(inherit("v=DMARC1; p=quarantine").summary).toBe("mail.r.example publishes DMARC p=quarantine pct=100 adkim=r aspf=r (from _dmarc.r.example): policy quarantine for its own mail");
    const own = byId(checkRecipientDomain(base({ domain: sub, dmarc: [{ name: "_dmarc.mail.r.example", txt: observed(["v=DMARC1; p=reject; sp=none"]) }] })), "recipient.dmarc");
    expect(own.summary).toBe("mail.r.example publishes DMARC p=reject sp=none pct=100 adkim=r aspf=r: policy reject for its own mail");
  });

  it("no record: nothing to learn, naming the names asked; two records or a malformed one: a warning", () => {
    expect(check({ dmarc: [{ name: "_dmarc.r.example", txt: nx() }] }, "recipient.dmarc")).toMatchObject({ status: "pass", summary: "r.example publishes no DMARC record: nothing to learn about how it filters", evidence: ["_dmarc.r.example: no DMARC record"] });
    const sub = byId(checkRecipientDomain(base({ domain: "mail.r.example", dmarc: [{ name: "_dmarc.mail.r.example", txt: observed([]) }, { name: "_dmarc.r.example", txt: nx() }] })), "recipient.dmarc");
    expect([sub.summary, sub.evidence]).toEqual(["mail.r.example publishes no DMARC record (nor does r.example): nothing to learn about how it filters", ["_dmarc.mail.r.example: no DMARC record", "_dmarc.r.example: no DMARC record"]]);
    const two = dmarc(["v=DMARC1; p=none", "v=DMARC1; p=reject"]);
    expect([two.status, two.summary, two.evidence, two.remediation]).toEqual([
      "warn",
      "_dmarc.r.example has 2 DMARC records: receivers ignore them all (RFC 7489 6.6.3), so r.example has no effective DMARC policy",
      ["v=DMARC1; p=none", "v=DMARC1; p=reject"],
      POSTMASTER,
    ]);
    // No valid p and no valid rua: receivers apply no DMARC (RFC 7489 6.6.3 step 6b).
    const bad = dmarc(["v=DMARC1; p=maybe"]);
    expect([bad.status, bad.summary, bad.evidence[0], bad.remediation]).toEqual([
      "warn",
      "the DMARC record at _dmarc.r.example has no valid p (or an invalid sp) and no valid rua: receivers ignore it (RFC 7489 6.6.3)",
      "v=DMARC1; p=maybe",
      POSTMASTER,
    ]);
    expect(bad.evidence[1]).toMatch(/^p: /);
    expect(dmarc(["v=DMARC1; p=reject; sp=maybe"]).status).toBe("warn");
  });

  it("no valid p but a valid rua: receivers read p=none (RFC 7489 6.6.3 step 6a)", () => {
    const f = dmarc(["v=DMARC1; p=maybe; rua=mailto:d@r.example"]);
    expect([f.status, f.summary]).toEqual(["pass", "r.example publishes DMARC p=none pct=100 adkim=r aspf=r (read as p=none: no valid p or sp, but a valid rua; RFC 7489 6.6.3): policy none for its own mail"]);
    expect(f.evidence[0]).toBe("_dmarc.r.example: v=DMARC1; p=maybe; rua=mailto:d@r.example");
  });

  it("an invalid tag other than p and sp: the record applies without it (RFC 7489 6.3), and the evidence says so", () => {
    const pct = dmarc(["v=DMARC1; p=reject; pct=200; foo=bar"]);
    expect([pct.status, pct.summary]).toEqual(["pass", "r.example publishes DMARC p=reject pct=100 adkim=r aspf=r: policy reject for its own mail"]);
    // The errors, not the warnings (foo=bar is an unknown tag: a warning).
    expect(pct.evidence.slice(2)).toHaveLength(1);
    expect(pct.evidence[2]).toMatch(/^receivers discard the invalid tag: pct: /);
  });

  it("an unanswered name: inconclusive, naming it", () => {
    const f = check({ dmarc: [{ name: "_dmarc.r.example", txt: timeout }] }, "recipient.dmarc");
    expect([f.status, f.summary]).toEqual(["inconclusive", "could not check the DMARC record at _dmarc.r.example: no answer from 127.0.0.1:5300"]);
  });
});

describe("recipient.mta-sts", () => {
  const sts = (over: Partial<RecipientObservations>) => checkRecipientDomain(base(over)).filter((f) => f.id.startsWith("recipient.mta-sts"));
  const warnOf = (over: Partial<RecipientObservations>) => byId(sts(over), "recipient.mta-sts");
  const FIX = `The policy must be served at ${POLICY_URL} with HTTP 200, text/plain and a certificate valid for mta-sts.r.example. ${POSTMASTER}`;
  const announces = "r.example announces an MTA-STS policy (id 2026112901) but";
  const after = ": senders without a cached policy deliver as if there were none, senders with a cached one keep applying it (RFC 8461 5)";

  it("a valid policy passes, and every MX matching the enforce policy passes", () => {
    expect(sts({})).toEqual([
      {
        layer: "recipient",
        id: "recipient.mta-sts",
        subject: "_mta-sts.r.example",
        status: "pass",
        summary: "r.example publishes an MTA-STS policy: mode enforce, max_age 86400, mx *.r.example",
        evidence: ["v=STSv1; id=2026112901", `${POLICY_URL}: mode enforce, max_age 86400, mx *.r.example`],
      },
      { layer: "recipient", id: "recipient.mta-sts.mx", subject: D, status: "pass", summary: "every MX host matches the enforce policy", evidence: ["mx1.r.example: allowed", "mx2.r.example: allowed"] },
    ]);
    const via = warnOf({ policy: policy(ENFORCE, { connectedTo: "127.0.0.1:8443 (override)", contentType: "TEXT/PLAIN ; charset=utf-8" }) });
    expect([via.status, via.evidence[2]]).toEqual(["pass", "fetched through 127.0.0.1:8443 (override)"]);
  });

  it("mode none: no mx lines needed, nothing matched; no delivery host: nothing matched", () => {
    const none = sts({ policy: policy("version: STSv1\nmode: none\nmax_age: 86400\n") });
    expect(none.map((f) => [f.id, f.status, f.summary])).toEqual([["recipient.mta-sts", "pass", "r.example publishes an MTA-STS policy: mode none, max_age 86400, mx (none)"]]);
    expect(sts({ mx: observed([]), implicit: { a: observed([]), aaaa: observed([]) } }).map((f) => f.id)).toEqual(["recipient.mta-sts"]);
  });

  it("mx outside the policy: testing warns; enforce with none matching fails; with some matching warns", () => {
    const fix = `The policy's mx lines must cover every MX host (RFC 8461 4.1: "*.example.com" matches exactly one label). ${POSTMASTER}`;
    const testing = byId(sts({ policy: policy("version: STSv1\nmode: testing\nmx: mx1.r.example\nmax_age: 86400\n") }), "recipient.mta-sts.mx");
    expect([testing.status, testing.summary, testing.evidence, testing.remediation]).toEqual([
      "warn",
      "mx2.r.example matches no mx pattern; the policy is in testing mode, so senders deliver anyway and report it (TLS-RPT)",
      ["mx1.r.example: allowed", "mx2.r.example: matches no mx pattern"],
      fix,
    ]);
    const testingAll = byId(sts({ policy: policy("version: STSv1\nmode: testing\nmx: other.example\nmax_age: 86400\n") }), "recipient.mta-sts.mx");
    expect(testingAll.summary).toBe("mx1.r.example, mx2.r.example match no mx pattern; the policy is in testing mode, so senders deliver anyway and report it (TLS-RPT)");
    const fail = byId(sts({ policy: policy("version: STSv1\nmode: enforce\nmx: other.example\nmax_age: 86400\n") }), "recipient.mta-sts.mx");
    expect([fail.status, fail.summary, fail.remediation]).toEqual(["fail", "no MX host matches the enforce policy: senders that apply MTA-STS refuse to deliver to r.example", fix]);
    const some = byId(sts({ policy: policy("version: STSv1\nmode: enforce\nmx: mx2.r.example\nmax_age: 86400\n") }), "recipient.mta-sts.mx");
    expect([some.status, some.summary]).toEqual(["warn", "mx1.r.example matches no mx pattern of the enforce policy: senders that apply MTA-STS skip it"]);
    expect([some.evidence, some.remediation]).toEqual([["mx1.r.example: matches no mx pattern", "mx2.r.example: allowed"], fix]);
    const patterns = byId(sts({ policy: policy("version: STSv1\nmode: enforce\nmx: mx1.r.example\nmx: mx2.r.example\nmax_age: 86400\n") }), "recipient.mta-sts");
    expect(patterns.summary).toBe("r.example publishes an MTA-STS policy: mode enforce, max_age 86400, mx mx1.r.example, mx2.r.example");
    const several = byId(sts({ mx: observed(["10 a.r.example", "20 b.r.example", "30 c.r.example"]), hosts: new Map(), policy: policy("version: STSv1\nmode: enforce\nmx: a.r.example\nmax_age: 86400\n") }), "recipient.mta-sts.mx");
    expect(several.summary).toBe("b.r.example, c.r.example match no mx pattern of the enforce policy: senders that apply MTA-STS skip them");
  });

  it("no record passes (opportunistic TLS); an invalid record warns; an unanswered one is inconclusive", () => {
    expect(sts({ mtaSts: nx() })).toEqual([{ layer: "recipient", id: "recipient.mta-sts", subject: "_mta-sts.r.example", status: "pass", summary: "r.example publishes no MTA-STS policy: senders deliver with opportunistic TLS", evidence: [] }]);
    const invalid = warnOf({ mtaSts: observed(["v=STSv1;"]) });
    expect([invalid.status, invalid.summary, invalid.evidence, invalid.remediation]).toEqual([
      "warn",
      'the MTA-STS record of r.example is invalid, so senders ignore MTA-STS: the record has no "id" field; it is required (RFC 8461 3.1), so senders ignore the record. Add id=<1 to 32 letters and digits>, changed at every policy change.',
      ["v=STSv1;"],
      POSTMASTER,
    ]);
    expect(warnOf({ mtaSts: timeout })).toMatchObject({ status: "inconclusive", summary: "could not check the MTA-STS record: no answer from 127.0.0.1:5300" });
  });

  it("the policy not fetched, timed out, or unreachable", () => {
    const { policy: _none, ...rest } = base();
    const notFetched = byId(checkRecipientDomain(rest), "recipient.mta-sts");
    expect([notFetched.status, notFetched.summary]).toEqual(["inconclusive", `could not check the MTA-STS policy: ${POLICY_URL} was not fetched`]);
    expect(notFetched.evidence).toEqual([`error: ${POLICY_URL} was not fetched`]);
    const slow = warnOf({ policy: { ok: false, reason: "timeout", message: "no answer in 3 s" } });
    expect([slow.status, slow.summary]).toEqual(["inconclusive", `could not check the MTA-STS policy at ${POLICY_URL}: no answer in 3 s`]);
    const tls = warnOf({ policy: { ok: false, reason: "tls", message: "certificate is for another name" } });
    expect([tls.status, tls.summary, tls.evidence, tls.remediation]).toEqual(["warn", `${announces} the policy cannot be fetched (certificate is for another name)${after}`, ["v=STSv1; id=2026112901"], FIX]);
    expect(sts({ policy: { ok: false, reason: "tls", message: "x" } }).map((f) => f.id)).toEqual(["recipient.mta-sts"]);
  });

  it("not HTTP 200 (a redirect said so), not text/plain, or an invalid policy: warnings, with where it was fetched", () => {
    expect(warnOf({ policy: policy(ENFORCE, { status: 404 }) }).summary).toBe(`${announces} ${POLICY_URL} answers HTTP 404${after}`);
    expect(warnOf({ policy: policy(ENFORCE, { status: 301 }) }).summary).toBe(`${announces} ${POLICY_URL} answers HTTP 301 (senders do not follow redirects, RFC 8461 3.3)${after}`);
    expect(warnOf({ policy: policy(ENFORCE, { status: 300 }) }).summary).toContain("HTTP 300 (senders do not follow redirects");
    expect(warnOf({ policy: policy(ENFORCE, { status: 399 }) }).summary).toContain("HTTP 399 (senders do not follow redirects");
    expect(warnOf({ policy: policy(ENFORCE, { status: 400 }) }).summary).toBe(`${announces} ${POLICY_URL} answers HTTP 400${after}`);
    expect(warnOf({ policy: policy(ENFORCE, { status: 299 }) }).summary).toBe(`${announces} ${POLICY_URL} answers HTTP 299${after}`);
    const html = warnOf({ policy: policy(ENFORCE, { contentType: "text/html", connectedTo: "127.0.0.1:8443" }) });
    expect([html.summary, html.evidence]).toEqual([`${announces} ${POLICY_URL} is served as text/html, not text/plain (RFC 8461 3.3)${after}`, ["v=STSv1; id=2026112901", "fetched through 127.0.0.1:8443"]]);
    expect(warnOf({ policy: policy(ENFORCE, { contentType: "" }) }).summary).toBe(`${announces} ${POLICY_URL} is served as no media type, not text/plain (RFC 8461 3.3)${after}`);
    expect(warnOf({ policy: policy(ENFORCE, { contentType: "text/plainish" }) }).status).toBe("warn");
    expect(warnOf({ policy: policy(ENFORCE, { contentType: "application/text/plain" }) }).status).toBe("warn");
    expect(warnOf({ policy: policy(ENFORCE, { contentType: "text/plain;charset=utf-8" }) }).status).toBe("pass");
    const invalid = warnOf({ policy: policy("version: STSv1\nmode: enforce\nmax_age: 86400\n") });
    expect(invalid.summary).toBe(`${announces} its policy is invalid: a enforce policy needs at least one "mx:" line (RFC 8461 3.2).${after}`);
    const two = warnOf({ policy: policy("mode: enforce\nmax_age: 86400\n") });
    expect(two.summary).toBe(`${announces} its policy is invalid: the policy has no "version: STSv1" line (RFC 8461 3.2). a enforce policy needs at least one "mx:" line (RFC 8461 3.2).${after}`);
  });
});

describe("recipient.tls-rpt", () => {
  it("reports to its rua; none is a pass; an invalid record warns; an unanswered one is inconclusive", () => {
    expect(check({}, "recipient.tls-rpt")).toEqual({ layer: "recipient", id: "recipient.tls-rpt", subject: "_smtp._tls.r.example", status: "pass", summary: "r.example receives TLS reports at mailto:tlsrpt@r.example", evidence: ["v=TLSRPTv1; rua=mailto:tlsrpt@r.example"] });
    expect(check({ tlsRpt: observed(["v=TLSRPTv1; rua=mailto:a@r.example,https://r.example/tlsrpt"]) }, "recipient.tls-rpt").summary).toBe("r.example receives TLS reports at mailto:a@r.example, https://r.example/tlsrpt");
    expect(check({ tlsRpt: nx() }, "recipient.tls-rpt")).toMatchObject({ status: "pass", summary: "r.example publishes no TLS-RPT record: senders do not report TLS failures to it", evidence: [] });
    const bad = check({ tlsRpt: observed(["v=TLSRPTv1; rua=a", "v=TLSRPTv1; rua=b"]) }, "recipient.tls-rpt");
    expect([bad.status, bad.summary, bad.evidence, bad.remediation]).toEqual([
      "warn",
      'the TLS-RPT record of r.example is invalid, so senders send no TLS reports: 2 "v=TLSRPTv1" records are published; with more than one, senders send no reports (RFC 8460 3). Keep exactly one.',
      ["v=TLSRPTv1; rua=a", "v=TLSRPTv1; rua=b"],
      POSTMASTER,
    ]);
    expect(check({ tlsRpt: timeout }, "recipient.tls-rpt")).toMatchObject({ status: "inconclusive", summary: "could not check the TLS-RPT record: no answer from 127.0.0.1:5300" });
  });
});

describe("recipient.smtp (--probe-smtp)", () => {
  const probed = (value: Partial<SmtpProbeResult>, over: Partial<RecipientObservations> = {}) =>
    check({ probe: observed({ host: "mx1.r.example", connectedTo: "192.0.2.1:25", ms: 42, extensions: [], starttls: true, tls: { ok: true }, ...value }), ...over }, "recipient.smtp");

  it("not asked: no finding; STARTTLS with a valid certificate passes, with what the server said", () => {
    expect(checkRecipientDomain(base()).map((f) => f.id)).not.toContain("recipient.smtp");
    expect(probed({ banner: "220 mx1.r.example ESMTP", extensions: ["PIPELINING", "STARTTLS"] })).toEqual({
      layer: "recipient",
      id: "recipient.smtp",
      subject: "mx1.r.example (MX of r.example)",
      status: "pass",
      summary: "mx1.r.example answers on port 25, offers STARTTLS, and its certificate is valid for mx1.r.example",
      evidence: ["connected to 192.0.2.1:25 in 42 ms", "banner: 220 mx1.r.example ESMTP", "EHLO: PIPELINING, STARTTLS"],
    });
    expect(probed({}).evidence).toEqual(["connected to 192.0.2.1:25 in 42 ms"]);
    expect(probed({ tls: undefined }).status).toBe("pass");
  });

  it("a refusal: 4xx warns (retry), 5xx fails", () => {
    const temp = probed({ rejected: { code: 421, reply: "421 busy", stage: "the greeting" } });
    expect([temp.status, temp.summary, temp.remediation]).toEqual(["warn", "mx1.r.example temporarily refuses the session at the greeting: 421 busy", "A 4xx reply is temporary: senders retry. Probe again later."]);
    const perm = probed({ rejected: { code: 554, reply: "554 no", stage: "EHLO" } });
    expect([perm.status, perm.summary, perm.remediation]).toEqual(["fail", "mx1.r.example refuses the session at EHLO: 554 no", `The MX refuses SMTP from this network (it may block our address or reputation). ${POSTMASTER}`]);
    expect(probed({ rejected: { code: 499, reply: "499 x", stage: "EHLO" } }).status).toBe("warn");
    expect(probed({ rejected: { code: 500, reply: "500 x", stage: "EHLO" } }).status).toBe("fail");
  });

  it("no STARTTLS or a bad certificate: a warning, a failure when the domain's MTA-STS policy enforces", () => {
    const testing = { policy: policy("version: STSv1\nmode: testing\nmx: *.r.example\nmax_age: 86400\n") };
    const plain = probed({ starttls: false }, testing);
    expect([plain.status, plain.summary, plain.remediation]).toEqual([
      "warn",
      "mx1.r.example does not offer STARTTLS: mail to r.example travels unencrypted; an MTA-STS policy in enforce mode would make this fatal (RFC 8461 4.2); today senders fall back to delivering anyway",
      POSTMASTER,
    ]);
    const enforced = probed({ starttls: false });
    expect([enforced.status, enforced.summary]).toEqual(["fail", "mx1.r.example does not offer STARTTLS: mail to r.example travels unencrypted; r.example's MTA-STS policy is in enforce mode, so senders that apply it refuse to deliver"]);
    const cert = probed({ tls: { ok: false, certificate: true, error: "Hostname/IP does not match certificate's altnames" } }, testing);
    expect([cert.status, cert.summary, cert.evidence]).toEqual([
      "warn",
      "mx1.r.example offers STARTTLS but its certificate is not valid for mx1.r.example: an MTA-STS policy in enforce mode would make this fatal (RFC 8461 4.2); today senders fall back to delivering anyway",
      ["connected to 192.0.2.1:25 in 42 ms", "TLS: Hostname/IP does not match certificate's altnames"],
    ]);
    const handshake = probed({ tls: { ok: false, certificate: false, error: "wrong version number" } });
    expect([handshake.status, handshake.summary]).toEqual(["fail", "mx1.r.example offers STARTTLS but the TLS handshake fails: r.example's MTA-STS policy is in enforce mode, so senders that apply it refuse to deliver"]);
    // No valid policy at all: not enforced.
    expect(probed({ starttls: false }, { mtaSts: nx() }).status).toBe("warn");
  });

  it("a probe that could not connect: inconclusive, saying port 25 is often blocked; other failures keep their own advice", () => {
    const p = (u: Unobservable, over: Partial<RecipientObservations> = {}) => check({ probe: u, ...over }, "recipient.smtp");
    const silent = p({ ok: false, reason: "timeout", message: "192.0.2.1:25 did not answer in time", needs: "something else" });
    expect([silent.subject, silent.status, silent.summary, silent.remediation]).toEqual(["mx1.r.example (MX of r.example)", "inconclusive", "could not check SMTP on port 25: 192.0.2.1:25 did not answer in time", PORT_25_NEEDS]);
    expect(p({ ok: false, reason: "unreachable", message: "refused" }).remediation).toBe(PORT_25_NEEDS);
    const odd = p({ ok: false, reason: "error", message: "odd", needs: "Look at it." });
    expect([odd.summary, odd.remediation]).toEqual(["could not check SMTP on port 25: odd", "Look at it."]);
    expect(p({ ok: false, reason: "error", message: "odd" }, { hosts: new Map() }).subject).toBe("r.example (MX of r.example)");
    // A server that accepted the connection and hung up before greeting: port 25 is open, and nothing is known about STARTTLS.
    const hungUp = p({ ok: false, reason: "error", message: "192.0.2.1:25 accepted the connection and closed it without a greeting" });
    expect([hungUp.status, hungUp.summary]).toEqual(["inconclusive", "could not check SMTP on port 25: 192.0.2.1:25 accepted the connection and closed it without a greeting"]);
    expect(hungUp.remediation).not.toBe(PORT_25_NEEDS);
    expect(PORT_25_NEEDS).toMatch(/^Outbound port 25 is blocked on many networks/);
  });
});
