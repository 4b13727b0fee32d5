/**
 * The DNS layer's checks (scripts/verify/layers/dns/check.ts), branch by branch: the cases the
 * broad tests in checks.test.ts do not reach, found by mutation testing (docs/mutation-testing.md).
 * Each case states the whole finding a user reads (status, summary, evidence, remediation, fix):
 * hand-built answers as the DNS collector normalises them, SPF analyses from lib/spf over a
 * static resolver. Pure: no server.
 */
import { describe, expect, it } from "vitest";
import type { ManifestDomain, ManifestRegion } from "../../lib/manifest";
import type { DnsRecord } from "../../lib/records";
import { dkimCnameName, dkimCnameTarget, mailFromMxHost } from "../../lib/regions";
import { analyzeSpf, type SpfAnalysis, type SpfResolver, staticResolver } from "../../lib/spf";
import { type Finding, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import { MAIL_FROM_SPF, manifestRegion, regionRecords } from "../helpers/manifest";
import { checkApexTxt, checkDnsLayer, type DnsObservations, dnsQuestions, liveDmarc, questionKey, reportAuthorizationNames, spfNames } from "../../scripts/verify/layers/dns/check";

const D = "example.com";
const APEX_SPF = "v=spf1 include:_spf.example.net ~all";
const DMARC = "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example.net";

const region = (name: string, mailFromDomain: string, over: Partial<ManifestRegion> = {}) => manifestRegion(D, name, mailFromDomain, over);

/** The records the stack declares for `regions` (DKIM, MAIL FROM MX and SPF per region, apex SPF, DMARC). */
function domainOf(regions: ManifestRegion[], over: Partial<ManifestDomain> = {}): ManifestDomain {
  const records: DnsRecord[] = regions.flatMap((r) => regionRecords(D, r));
  records.push({ key: "spf", purpose: "spf", name: D, type: "TXT", ttl: 600, values: [APEX_SPF] });
  records.push({ key: "dmarc", purpose: "dmarc", name: `_dmarc.${D}`, type: "TXT", ttl: 600, values: [DMARC] });
  return { domain: D, dns: { mode: "external" }, regions, records, ...over };
}

const USE1 = region("us-east-1", "bounce.example.com");
const ONE = domainOf([USE1]);

const THIRD_PARTY: Record<string, string[]> = {
  "_spf.example.net": ["v=spf1 ip4:192.0.2.0/24 -all"],
  "amazonses.com": ["v=spf1 ip4:54.240.0.0/18 -all"],
  "example.com._report._dmarc.reports.example.net": ["v=DMARC1"],
};

interface Live {
  answers: Map<string, Observation<string[]>>;
  txt: Record<string, string[]>;
  /** Report-authorization answers that are not a plain TXT lookup of `txt` (a timeout...). */
  auth?: Map<string, Observation<string[]>>;
  /**
   * Names with no A, AAAA or MX records: an SPF `a:`/`mx:` term naming one is a void lookup
   * (RFC 7208 4.6.4), as the DNS collector's SPF view reports it. Without it a/mx targets are
   * not judged (the static resolver cannot tell).
   */
  noAddress?: string[];
}

function healthy(d: ManifestDomain): Live {
  const answers = new Map<string, Observation<string[]>>();
  for (const q of dnsQuestions(d)) answers.set(questionKey(q), observed(d.records.filter((r) => questionKey(r) === questionKey(q)).flatMap((r) => r.values)));
  return { answers, txt: { ...THIRD_PARTY } };
}

async function observe(d: ManifestDomain, live: Live): Promise<DnsObservations> {
  const data: Record<string, string[]> = { ...live.txt };
  for (const name of spfNames(d)) {
    const a = live.answers.get(`TXT ${name.toLowerCase()}`);
    data[name] = a?.ok ? a.value : [];
  }
  const txt = staticResolver(data);
  const none = live.noAddress;
  const resolver: SpfResolver = none ? { txt: (n) => txt.txt(n), hasAddressOrMx: (n) => Promise.resolve(!none.includes(n)) } : txt;
  const spf = new Map<string, Observation<SpfAnalysis>>();
  for (const name of spfNames(d)) spf.set(name, observed(await analyzeSpf(name, resolver)));
  const dmarc = live.answers.get(`TXT _dmarc.${D}`);
  const names = dmarc?.ok ? reportAuthorizationNames(D, dmarc.value) : [];
  const reportAuthorizations = new Map<string, Observation<string[]>>(
    names.map((n) => [n, live.auth?.get(n) ?? (live.txt[n] ? observed(live.txt[n]) : { ok: false, reason: "notfound", message: `TXT ${n}: NXDOMAIN` })]),
  );
  return { answers: live.answers, spf, reportAuthorizations };
}

/** The layer's findings, each of them checked to belong to the dns layer. */
function checkDns(...args: Parameters<typeof checkDnsLayer>): Finding[] {
  const fs = checkDnsLayer(...args);
  expect(fs.filter((f) => f.layer !== "dns")).toEqual([]);
  return fs;
}
function checkApex(...args: Parameters<typeof checkApexTxt>): Finding[] {
  const fs = checkApexTxt(...args);
  expect(fs.filter((f) => f.layer !== "dns")).toEqual([]);
  return fs;
}
const nxdomain = (what: string): Unobservable => ({ ok: false, reason: "notfound", message: `${what}: NXDOMAIN` });
const timeout = (what: string): Unobservable => ({ ok: false, reason: "timeout", message: `${what}: no answer from 127.0.0.1:5300`, needs: "DNS at 127.0.0.1:5300 did not answer: check the resolver or pass --dns-server." });
const notPassing = (fs: Finding[]) => fs.filter((f) => f.status !== "pass");
const one = (fs: Finding[], id: string, subject?: string): Finding => {
  const found = fs.filter((f) => f.id === id && (subject === undefined || f.subject === subject));
  expect(found.map((f) => `${f.id} ${f.subject}`), `${id} ${subject ?? ""}`).toHaveLength(1);
  expect(found[0].layer).toBe("dns");
  return found[0];
};

describe("the questions and names a domain needs", () => {
  it("dnsQuestions asks each name once (case-insensitively), the apex TXT, DMARC, and each MAIL FROM's MX and TXT", () => {
    const d = domainOf([USE1, region("us-west-2", "BOUNCE.example.com")]);
    expect(dnsQuestions(d).map(questionKey)).toEqual([
      ...USE1.dkimTokens.map((t) => `CNAME ${dkimCnameName(t, D)}`),
      "MX bounce.example.com",
      "TXT bounce.example.com",
      ...d.regions[1].dkimTokens.map((t) => `CNAME ${dkimCnameName(t, D)}`),
      "TXT example.com",
      "TXT _dmarc.example.com",
    ]);
    // Discovery mode declares no records for the MAIL FROM name: it is asked all the same.
    const discovered = { ...ONE, records: ONE.records.filter((r) => r.purpose === "dkim") };
    expect(dnsQuestions(discovered).map(questionKey).filter((k) => !k.startsWith("CNAME"))).toEqual(["TXT example.com", "TXT _dmarc.example.com", "MX bounce.example.com", "TXT bounce.example.com"]);
    const noMailFrom = domainOf([region("us-east-1", "")]);
    expect(dnsQuestions(noMailFrom).map(questionKey).filter((k) => !k.startsWith("CNAME"))).toEqual(["TXT example.com", "TXT _dmarc.example.com"]);
  });

  it("spfNames: the apex and each MAIL FROM once, never an unknown (empty) one", () => {
    expect(spfNames(domainOf([USE1, region("us-west-2", "bounce.example.com"), region("eu-west-1", "")]))).toEqual([D, "bounce.example.com"]);
  });

  it("liveDmarc reads the one DMARC record among other TXT values; none or two give nothing", () => {
    expect(liveDmarc(["google-site-verification=x", DMARC])?.p).toBe("quarantine");
    expect(liveDmarc([DMARC, "v=DMARC1; p=none"])).toBeUndefined();
    expect(liveDmarc(["v=spf1 -all"])).toBeUndefined();
    expect(reportAuthorizationNames(D, [DMARC])).toEqual(["example.com._report._dmarc.reports.example.net"]);
    expect(reportAuthorizationNames(D, ["v=DMARC1; p=none; rua=mailto:d@example.com"])).toEqual([]);
    expect(reportAuthorizationNames(D, [])).toEqual([]);
  });
});

describe("dns.dkim", () => {
  it("passes when each CNAME answers with its target, whatever the case the stack wrote it in", async () => {
    const upper = { ...ONE, records: ONE.records.map((r) => (r.purpose === "dkim" ? { ...r, values: [r.values[0].toUpperCase()] } : r)) };
    const fs = checkDns(upper, await observe(upper, healthy(ONE)));
    expect(notPassing(fs)).toEqual([]);
    expect(one(fs, "dns.dkim").evidence).toEqual(USE1.dkimTokens.map((t) => `${dkimCnameName(t, D)} -> ${dkimCnameTarget(t, "us-east-1")}`));
  });

  it("a name that answers without a CNAME fails, with the record to set; discovery mode says to publish by hand", async () => {
    const name = dkimCnameName(USE1.dkimTokens[0], D);
    const target = dkimCnameTarget(USE1.dkimTokens[0], "us-east-1");
    const live = healthy(ONE);
    live.answers.set(`CNAME ${name}`, observed([]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.dkim");
    expect(f).toMatchObject({
      status: "fail",
      summary: "1 of 3 DKIM CNAMEs are missing or wrong: SES cannot sign with this domain in us-east-1",
      evidence: [`${name}: no CNAME record; expected ${target}`, ...USE1.dkimTokens.slice(1).map((t) => `${dkimCnameName(t, D)} -> ${dkimCnameTarget(t, "us-east-1")}`)],
      remediation: "Publish the CNAMEs exactly as listed (`npm run plan -- --zone-file` or `pulumi stack output zoneFile`), or run `pulumi up --refresh` to restore the Route 53 records.",
      fix: [{ kind: "dns-record-set", name, type: "CNAME", values: [target] }],
    });
    const byHand = one(checkDns(ONE, await observe(ONE, live), "discovery"), "dns.dkim");
    expect(byHand.remediation).toBe("Publish the CNAMEs exactly as listed above at your DNS host: each is us-east-1's own token, so no other region's record changes.");
  });

  it("counts every missing CNAME of the region, NXDOMAIN and wrong target alike", async () => {
    const [n1, n2, n3] = USE1.dkimTokens.map((t) => dkimCnameName(t, D));
    const live = healthy(ONE);
    live.answers.set(`CNAME ${n1}`, nxdomain(`CNAME ${n1}`));
    live.answers.set(`CNAME ${n2}`, observed(["x.other.net", "y.other.net"]));
    live.answers.set(`CNAME ${n3}`, observed([]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.dkim");
    expect(f.summary).toBe("3 of 3 DKIM CNAMEs are missing or wrong: SES cannot sign with this domain in us-east-1");
    expect(f.evidence[1]).toBe(`${n2}: expected ${dkimCnameTarget(USE1.dkimTokens[1], "us-east-1")}, found x.other.net, y.other.net`);
    expect(f.fix?.map((s) => (s.kind === "dns-record-set" ? s.name : s.kind))).toEqual([n1, n2, n3]);
  });

  it("without DKIM tokens there is nothing to compare: inconclusive, with discovery's cause or pointing at the SES layer", async () => {
    const denied: Unobservable = { ok: false, reason: "denied", message: "AccessDeniedException: ses:GetEmailIdentity", needs: "Grant ses:GetEmailIdentity." };
    const unknown = domainOf([region("us-east-1", "bounce.example.com", { dkimTokens: [], unknown: { dkimTokens: denied } })]);
    const u = one(checkDns(unknown, await observe(unknown, healthy(unknown))), "dns.dkim");
    expect(u).toMatchObject({ status: "inconclusive", subject: "example.com DKIM (us-east-1)", summary: "could not check the DKIM CNAMEs: AccessDeniedException: ses:GetEmailIdentity", remediation: "Grant ses:GetEmailIdentity." });

    const none = domainOf([region("us-east-1", "bounce.example.com", { dkimTokens: [] })]);
    const n = one(checkDns(none, await observe(none, healthy(none))), "dns.dkim");
    expect(n).toMatchObject({
      status: "inconclusive",
      summary: "could not check the DKIM CNAMEs: no DKIM tokens are known for us-east-1",
      evidence: ["error: no DKIM tokens are known for us-east-1"],
      remediation: "Check the SES layer: the identity's DKIM tokens could not be read.",
    });
  });

  it("a CNAME that was not asked is inconclusive (never a pass)", async () => {
    const name = dkimCnameName(USE1.dkimTokens[2], D);
    const live = healthy(ONE);
    live.answers.delete(`CNAME ${name}`);
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.dkim");
    expect([f.status, f.summary, f.evidence]).toEqual(["inconclusive", `could not check ${name} CNAME: CNAME ${name} was not queried`, [`error: CNAME ${name} was not queried`]]);
  });
});

describe("dns.mail-from.mx", () => {
  const expected = `10 ${mailFromMxHost("us-east-1")}`;

  it("the pass names the region's feedback host and shows the MX", async () => {
    const f = one(checkDns(ONE, await observe(ONE, healthy(ONE))), "dns.mail-from.mx");
    expect([f.status, f.summary, f.evidence]).toEqual(["pass", "MX points at us-east-1's feedback host", [`MX ${expected}`]]);
  });

  it("another region's feedback host is named even behind a foreign MX; every wrong MX carries the record to set", async () => {
    const live = healthy(ONE);
    live.answers.set("MX bounce.example.com", observed(["5 mx.other.net", `10 ${mailFromMxHost("us-west-2")}`]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.mail-from.mx");
    expect([f.summary, f.evidence, f.fix]).toEqual([
      "MX points at us-west-2's feedback host, but this MAIL FROM sends from us-east-1",
      [`expected ${expected}, found 5 mx.other.net, 10 ${mailFromMxHost("us-west-2")}`],
      [{ kind: "dns-record-set", name: "bounce.example.com", type: "MX", values: [expected] }],
    ]);
  });

  it("NXDOMAIN fails as no MX, with the record to set; a timeout is inconclusive", async () => {
    const live = healthy(ONE);
    live.answers.set("MX bounce.example.com", nxdomain("MX bounce.example.com"));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.mail-from.mx");
    expect(f).toMatchObject({
      status: "fail",
      subject: "bounce.example.com (us-east-1)",
      summary: "bounce.example.com has no MX: SES cannot use it as MAIL FROM",
      evidence: [`expected ${expected}, found none (NXDOMAIN)`],
      remediation: `Set the MX of bounce.example.com to "${expected}" (and only that), or run \`pulumi up --refresh\`. With behaviour REJECT_MESSAGE, SES refuses to send while it is wrong.`,
      fix: [{ kind: "dns-record-set", name: "bounce.example.com", type: "MX", values: [expected] }],
    });
    // The name exists but has no MX (NODATA): no "(NXDOMAIN)" then.
    live.answers.set("MX bounce.example.com", observed([]));
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.mail-from.mx").evidence).toEqual(["expected 10 feedback-smtp.us-east-1.amazonses.com, found none"]);
    live.answers.set("MX bounce.example.com", timeout("MX bounce.example.com"));
    const t = one(checkDns(ONE, await observe(ONE, live)), "dns.mail-from.mx");
    expect([t.status, t.summary]).toEqual(["inconclusive", "could not check the MAIL FROM MX: MX bounce.example.com: no answer from 127.0.0.1:5300"]);
  });

  it("an MX that is not SES's, or a second MX beside SES's, fails; discovery mode and USE_DEFAULT_VALUE change the advice", async () => {
    const live = healthy(ONE);
    live.answers.set("MX bounce.example.com", observed(["10 mx.other.net"]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.mail-from.mx");
    expect([f.status, f.summary, f.evidence]).toEqual(["fail", `MX is not ${expected}`, [`expected ${expected}, found 10 mx.other.net`]]);

    live.answers.set("MX bounce.example.com", observed([expected, "20 mx.other.net"]));
    const two = one(checkDns(ONE, await observe(ONE, live)), "dns.mail-from.mx");
    expect([two.status, two.summary]).toEqual(["fail", `MX is not ${expected}`]);

    const fallback = domainOf([region("us-east-1", "bounce.example.com", { mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE" })]);
    const byHand = one(checkDns(fallback, await observe(fallback, live), "discovery"), "dns.mail-from.mx");
    expect(byHand.remediation).toBe(`Set the MX of bounce.example.com to "${expected}" (and only that). With behaviour USE_DEFAULT_VALUE, SES falls back to amazonses.com and SPF no longer aligns while it is wrong.`);
  });

  it("a region without a known MAIL FROM is inconclusive, with discovery's reason or its own", async () => {
    const why: Unobservable = { ok: false, reason: "notfound", message: "the identity has no custom MAIL FROM domain in us-east-1" };
    const unknown = domainOf([region("us-east-1", "", { unknown: { mailFromDomain: why } })]);
    const u = one(checkDns(unknown, await observe(unknown, healthy(unknown))), "dns.mail-from.mx");
    expect([u.status, u.subject, u.summary]).toEqual(["inconclusive", "MAIL FROM (us-east-1)", "could not check the MAIL FROM MX: the identity has no custom MAIL FROM domain in us-east-1"]);
    const none = domainOf([region("us-east-1", "")]);
    const n = one(checkDns(none, await observe(none, healthy(none))), "dns.mail-from.mx");
    expect([n.status, n.summary, n.evidence]).toEqual(["inconclusive", "could not check the MAIL FROM MX: no MAIL FROM domain is known for us-east-1", ["error: no MAIL FROM domain is known for us-east-1"]]);
  });

  it("a name two regions share serves the one its MX names; the other fails with a name of its own, the pass says who else uses it", async () => {
    const shared = domainOf([USE1, region("us-west-2", "bounce.example.com")]);
    const live = healthy(shared);
    live.answers.set("MX bounce.example.com", observed([`10 ${mailFromMxHost("us-west-2")}`]));
    const fs = checkDns(shared, await observe(shared, live));
    const east = one(fs, "dns.mail-from.mx", "bounce.example.com (us-east-1)");
    expect(east.status).toBe("fail");
    expect(east.summary).toBe("bounce.example.com is also the MAIL FROM of us-west-2; its one MX names us-west-2's feedback host, so it serves us-west-2: SES in us-east-1 cannot use it");
    expect(east.evidence).toEqual([
      "bounce.example.com is the MAIL FROM of us-east-1 and us-west-2, but its one MX can name only one region's feedback host, so it can serve only one of them.",
      `MX 10 ${mailFromMxHost("us-west-2")}`,
    ]);
    expect(east.fix?.map((s) => s.kind)).toEqual(["dns-record-set", "dns-record-set", "ses-mail-from"]);
    const west = one(fs, "dns.mail-from.mx", "bounce.example.com (us-west-2)");
    expect([west.status, west.summary]).toEqual(["pass", "MX points at us-west-2's feedback host (bounce.example.com serves us-west-2; us-east-1 uses it too and cannot send with it)"]);

    // No MX yet: the first region keeps the name, and the other one's evidence says there is no MX.
    live.answers.set("MX bounce.example.com", observed([]));
    const none = checkDns(shared, await observe(shared, live));
    expect(one(none, "dns.mail-from.mx", "bounce.example.com (us-west-2)").summary).toBe("bounce.example.com is also the MAIL FROM of us-east-1; its one MX can serve one region only, and us-east-1 keeps it: SES in us-west-2 cannot use it");
    expect(one(none, "dns.mail-from.mx", "bounce.example.com (us-west-2)").evidence[1]).toBe("no MX at bounce.example.com");
    const owner = one(none, "dns.mail-from.mx", "bounce.example.com (us-east-1)");
    expect(owner.remediation).toMatch(/ bounce\.example\.com serves us-east-1 \(also the MAIL FROM of us-west-2, which need names of their own\)\.$/);

    const three = domainOf([USE1, region("us-west-2", "bounce.example.com"), region("eu-west-1", "bounce.example.com")]);
    const l3 = healthy(three);
    l3.answers.set("MX bounce.example.com", observed([expected]));
    expect(one(checkDns(three, await observe(three, l3)), "dns.mail-from.mx", "bounce.example.com (us-east-1)").summary).toBe(
      "MX points at us-east-1's feedback host (bounce.example.com serves us-east-1; us-west-2 and eu-west-1 use it too and cannot send with it)",
    );
  });

  it("three regions on one name: each other region is named, and every MX value is shown; the owner's wrong MX advice names both others", async () => {
    const three = domainOf([USE1, region("us-west-2", "bounce.example.com"), region("eu-west-1", "bounce.example.com")]);
    const live = healthy(three);
    live.answers.set("MX bounce.example.com", observed(["10 feedback-smtp.us-west-2.amazonses.com", "20 backup.example.net"]));
    const fs = checkDns(three, await observe(three, live));
    const east = one(fs, "dns.mail-from.mx", "bounce.example.com (us-east-1)");
    expect([east.status, east.summary, east.evidence]).toEqual([
      "fail",
      "bounce.example.com is also the MAIL FROM of us-west-2 and eu-west-1; its one MX names us-west-2's feedback host, so it serves us-west-2: SES in us-east-1 cannot use it",
      [
        "bounce.example.com is the MAIL FROM of us-east-1 and us-west-2 and eu-west-1, but its one MX can name only one region's feedback host, so it can serve only one of them.",
        "MX 10 feedback-smtp.us-west-2.amazonses.com, 20 backup.example.net",
      ],
    ]);
    // The owner's MX has a second value: it fails, and the advice says who else needs a name.
    const owner = one(fs, "dns.mail-from.mx", "bounce.example.com (us-west-2)");
    expect([owner.status, owner.summary, owner.remediation]).toEqual([
      "fail",
      "MX is not 10 feedback-smtp.us-west-2.amazonses.com",
      'Set the MX of bounce.example.com to "10 feedback-smtp.us-west-2.amazonses.com" (and only that), or run `pulumi up --refresh`. With behaviour REJECT_MESSAGE, SES refuses to send while it is wrong. bounce.example.com serves us-west-2 (also the MAIL FROM of us-east-1 and eu-west-1, which need names of their own).',
    ]);
  });
});

describe("dns.spf.*", () => {
  it("a MAIL FROM name without SPF gets SES's record added beside its other TXT values; the apex gets no fix", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT bounce.example.com", observed(["other=1"]));
    live.answers.set("TXT example.com", nxdomain("TXT example.com"));
    const fs = checkDns(ONE, await observe(ONE, live), "discovery");
    const mf = one(fs, "dns.spf.record", "bounce.example.com (us-east-1)");
    expect(mf).toMatchObject({
      status: "fail",
      summary: "bounce.example.com has no SPF record",
      evidence: ["no TXT record starting with v=spf1"],
      remediation: `Publish TXT "${MAIL_FROM_SPF}" at bounce.example.com (the SPF record a MAIL FROM name needs).`,
      fix: [{ kind: "dns-record-set", name: "bounce.example.com", type: "TXT", values: ["other=1", MAIL_FROM_SPF] }],
    });
    const apex = one(fs, "dns.spf.record", D);
    expect([apex.summary, apex.remediation, apex.fix]).toEqual([`${D} has no SPF record`, `Publish the SPF record from the plan at ${D}, or run \`pulumi up --refresh\`.`, undefined]);
    // In a stack the MAIL FROM's record comes from the plan too.
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.spf.record", "bounce.example.com (us-east-1)").remediation).toBe("Publish the SPF record from the plan at bounce.example.com, or run `pulumi up --refresh`.");
  });

  it("a MAIL FROM name that does not exist gets SES's SPF record alone; two SPF records there get no fix (merging is a choice)", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT bounce.example.com", nxdomain("TXT bounce.example.com"));
    const f = one(checkDns(ONE, await observe(ONE, live), "discovery"), "dns.spf.record", "bounce.example.com (us-east-1)");
    expect(f.fix).toEqual([{ kind: "dns-record-set", name: "bounce.example.com", type: "TXT", values: [MAIL_FROM_SPF] }]);
    live.answers.set("TXT bounce.example.com", observed([MAIL_FROM_SPF, "v=spf1 -all"]));
    const two = one(checkDns(ONE, await observe(ONE, live), "discovery"), "dns.spf.record", "bounce.example.com (us-east-1)");
    expect([two.status, two.fix]).toEqual(["fail", undefined]);
  });

  it("one valid record passes, showing it", async () => {
    const f = one(checkDns(ONE, await observe(ONE, healthy(ONE))), "dns.spf.record", D);
    expect([f.status, f.summary, f.evidence]).toEqual(["pass", "exactly one valid SPF record", [APEX_SPF]]);
  });

  it("two SPF records: both in the evidence, and the advice to merge", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", observed([APEX_SPF, "v=spf1 -all"]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.record", D);
    expect([f.evidence, f.remediation, f.fix]).toEqual([[`found: ${APEX_SPF}`, "found: v=spf1 -all"], "Merge them into one record at example.com; keep the mechanisms of both (the one mail-infra manages is in `npm run plan`).", undefined]);
  });

  it("an invalid record lists every error; +all is dns.spf.all's, not an invalid record", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", observed(["v=spf1 ipv4:192.0.2.1 ~all"]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.record", D);
    expect(f.evidence[0]).toBe("found: v=spf1 ipv4:192.0.2.1 ~all");
    expect(f.evidence[1]).toMatch(/^Unknown mechanism "ipv4"/);
    expect(f.summary).toBe(`the SPF record is not valid: ${f.evidence[1]}`);
    expect(f.remediation).toBe("Fix the record at example.com; `npm run plan` shows the one mail-infra expects.");
    expect(checkDns(ONE, await observe(ONE, live)).filter((x) => x.subject === D && x.id.startsWith("dns.spf")).map((x) => x.id)).toEqual(["dns.spf.record"]);

    live.answers.set("TXT example.com", observed(["v=spf1 +all"]));
    const open = checkDns(ONE, await observe(ONE, live)).filter((x) => x.subject === D && x.id.startsWith("dns.spf"));
    expect(open.map((x) => `${x.id} ${x.status}`).slice(0, 2)).toEqual(["dns.spf.record pass", "dns.spf.all fail"]);
    expect(open[1].remediation).toBe("End the record with ~all (or -all once every sender is listed).");
    expect(open[1].evidence).toEqual(["v=spf1 +all"]);
  });

  it("dns.spf.all names how the record ends: its all term, or a redirect", async () => {
    const live = healthy(ONE);
    live.txt["_spf.example.net"] = ["v=spf1 ip4:192.0.2.0/24 -all"];
    live.answers.set("TXT example.com", observed(["v=spf1 redirect=_spf.example.net"]));
    const fs = checkDns(ONE, await observe(ONE, live));
    expect(one(fs, "dns.spf.all", D).summary).toBe("ends with redirect");
    expect(one(fs, "dns.spf.all", "bounce.example.com (us-east-1)").summary).toBe("ends with ~all");
  });

  it("dns.spf.network counts the wide terms (one or several) and lists them", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", observed(["v=spf1 ip4:10.0.0.0/12 ip4:172.16.0.0/12 ~all"]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.network", D);
    expect(f.status).toBe("warn");
    expect(f.summary).toMatch(/^2 terms authorise a large network: "ip4:10\.0\.0\.0\/12"/);
    expect(f.evidence).toEqual(["ip4:10.0.0.0/12", "ip4:172.16.0.0/12"]);
    expect(f.remediation).toBe("Narrow the terms to your own sending hosts (mail-infra:spfMechanisms), or use the provider's include:.");
  });

  it("dns.spf.lookups: an analysis that failed is inconclusive; none at all means no lookup findings", async () => {
    const obs = await observe(ONE, healthy(ONE));
    const failed = new Map(obs.spf);
    failed.set(D, timeout("TXT _spf.example.net"));
    const fs = checkDns(ONE, { ...obs, spf: failed });
    expect(one(fs, "dns.spf.lookups", D)).toMatchObject({ status: "inconclusive", summary: "could not check the SPF lookup count: TXT _spf.example.net: no answer from 127.0.0.1:5300" });
    expect(fs.filter((f) => f.subject === D).map((f) => f.id)).not.toContain("dns.spf.void");

    const missing = new Map(obs.spf);
    missing.delete(D);
    const m = checkDns(ONE, { ...obs, spf: missing });
    expect(m.filter((f) => f.subject === D).map((f) => f.id)).toEqual(["dns.spf.record", "dns.spf.all"]);
    // The other name is judged in full.
    expect(m.filter((f) => f.subject === "bounce.example.com (us-east-1)" && f.id.startsWith("dns.spf")).map((f) => f.id)).toEqual(["dns.spf.record", "dns.spf.all", "dns.spf.lookups", "dns.spf.void"]);
  });

  it("over the limit: the three costliest includes as evidence, the costliest in the advice; 'at least' when some did not answer", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", observed(["v=spf1 include:a.example.net include:b.example.net include:c.example.net include:d.example.net ~all"]));
    const leaf = ["v=spf1 ip4:203.0.113.0/24 -all"];
    const chain = (p: string, n: number) => [`v=spf1 ${Array.from({ length: n }, (_, i) => `include:${p}${i}.example.net`).join(" ")} -all`];
    live.txt["a.example.net"] = chain("a", 4);
    live.txt["b.example.net"] = chain("b", 2);
    live.txt["c.example.net"] = chain("c", 1);
    live.txt["d.example.net"] = leaf;
    for (const n of ["a0", "a1", "a2", "a3", "b0", "b1", "c0"]) live.txt[`${n}.example.net`] = leaf;
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.lookups", D);
    expect(f).toMatchObject({
      status: "fail",
      summary: "SPF needs 11 DNS lookups; the limit is 10, so receivers return permerror and SPF fails",
      evidence: ["include:a.example.net costs 5", "include:b.example.net costs 3", "include:c.example.net costs 2"],
      remediation: "Remove or flatten the costliest include (include:a.example.net), or move that sender to its own subdomain.",
    });

    delete live.txt["d.example.net"]; // not answering: the count is a lower bound
    const lower = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.lookups", D);
    expect(lower.summary).toBe("SPF needs at least 11 DNS lookups; the limit is 10, so receivers return permerror and SPF fails");
  });

  it("a permerror down the chain names the term and the record it is in; the pass lists what each include costs", async () => {
    const live = healthy(ONE);
    live.txt["_spf.example.net"] = ["v=spf1 include:gone.example.net ~all"];
    live.txt["gone.example.net"] = [];
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.lookups", D);
    expect(f.remediation).toBe("Fix or remove the term named above (include:gone.example.net) in the record of _spf.example.net.");
    expect(f.evidence).toEqual([expect.stringMatching(/^"include:gone\.example\.net" in the SPF record of _spf\.example\.net points at gone\.example\.net, which has no SPF record/), "include:_spf.example.net costs 2"]);
    expect(f.summary).toBe(`the include chain ends in permerror, so SPF fails for all mail: ${f.evidence[0]}`);
    const ok = one(checkDns(ONE, await observe(ONE, healthy(ONE))), "dns.spf.lookups", D);
    expect([ok.summary, ok.evidence]).toEqual(["1 of 10 DNS lookups", ["include:_spf.example.net costs 1"]]);
  });

  it("a permerror that names no term points at the evidence", async () => {
    const obs = await observe(ONE, healthy(ONE));
    const apex = obs.spf.get(D);
    if (!apex?.ok) throw new Error("the apex SPF analysis is missing");
    const spf = new Map(obs.spf);
    spf.set(D, observed({ ...apex.value, problems: [...apex.value.problems, { severity: "error", code: "spf-multiple-records", message: "_spf.example.net has 2 SPF records", domain: "_spf.example.net" }] }));
    const f = one(checkDns(ONE, { ...obs, spf }), "dns.spf.lookups", D);
    expect([f.status, f.summary, f.remediation]).toEqual([
      "fail",
      "the include chain ends in permerror, so SPF fails for all mail: _spf.example.net has 2 SPF records",
      "Fix or remove the term named above (see evidence) in the record of _spf.example.net.",
    ]);
  });

  it("over the limit without any include: the advice is to replace the lookup terms, not an include", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", observed([`v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i + 1}.example.com`).join(" ")} ~all`]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.lookups", D);
    expect(f).toMatchObject({
      status: "fail",
      summary: "SPF needs 11 DNS lookups; the limit is 10, so receivers return permerror and SPF fails",
      evidence: [],
      remediation: "Replace the a, mx, ptr and exists terms with the ip4:/ip6: ranges they stand for, or move some senders to their own subdomain.",
    });
  });

  it("void a: targets past the void limit fail dns.spf.void only: neither the limit nor the void-lookup warnings are a permerror of the lookup count", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", observed(["v=spf1 include:_spf.example.net a:gone1.example.com a:gone2.example.com a:gone3.example.com ~all"]));
    live.noAddress = ["gone1.example.com", "gone2.example.com", "gone3.example.com"];
    const fs = checkDns(ONE, await observe(ONE, live));
    expect(one(fs, "dns.spf.lookups", D)).toMatchObject({ status: "pass", summary: "4 of 10 DNS lookups", evidence: ["include:_spf.example.net costs 1"] });
    expect(one(fs, "dns.spf.void", D)).toMatchObject({
      status: "fail",
      summary: "3 void lookups; more than 2 is a permerror (RFC 7208 4.6.4), so SPF fails for all mail",
      evidence: ["a:gone1.example.com", "a:gone2.example.com", "a:gone3.example.com"],
    });
    // Two are within the limit: both checks pass.
    live.noAddress = ["gone1.example.com", "gone2.example.com"];
    const two = checkDns(ONE, await observe(ONE, live)).filter((f) => f.subject === D && (f.id === "dns.spf.lookups" || f.id === "dns.spf.void"));
    expect(two.map((f) => `${f.id} ${f.status} ${f.summary}`)).toEqual(["dns.spf.lookups pass 4 of 10 DNS lookups", "dns.spf.void pass 2 void lookups"]);
    // One, and none: the count reads as English.
    live.noAddress = ["gone1.example.com"];
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.spf.void", D)).toMatchObject({ status: "pass", summary: "1 void lookup" });
    live.noAddress = [];
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.spf.void", D)).toMatchObject({ status: "pass", summary: "0 void lookups" });
  });

  it("dns.spf.void lists every void term down the chain and says what to do", async () => {
    const live = healthy(ONE);
    live.txt["_spf.example.net"] = ["v=spf1 include:g1.example.net include:g2.example.net ~all"];
    live.answers.set("TXT example.com", observed(["v=spf1 include:_spf.example.net include:g3.example.net ~all"]));
    for (const n of ["g1", "g2", "g3"]) live.txt[`${n}.example.net`] = [];
    const v = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.void", D);
    expect([v.status, v.evidence.slice().sort(), v.remediation]).toEqual(["fail", ["include:g1.example.net", "include:g2.example.net", "include:g3.example.net"], "Remove the includes and mechanisms listed above: their names no longer exist."]);
  });

  it("includes that did not answer make the count inconclusive, naming each", async () => {
    const live = healthy(ONE);
    live.txt["_spf.example.net"] = ["v=spf1 include:q1.example.net include:q2.example.net ~all"];
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.spf.lookups", D);
    expect(f).toMatchObject({
      status: "inconclusive",
      summary: "could not check every include: q1.example.net, q2.example.net did not answer; at least 3 of 10 lookups used",
      evidence: ["timeout: q1.example.net, q2.example.net did not answer; at least 3 of 10 lookups used"],
    });
  });
});

describe("dns.dmarc.*", () => {
  it("an invalid record fails with the parser's error, or 'no policy'", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT _dmarc.example.com", observed(["v=DMARC1; p=sometimes"]));
    const f = checkDns(ONE, await observe(ONE, live)).filter((x) => x.id.startsWith("dns.dmarc"));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ status: "fail", summary: expect.stringMatching(/^the DMARC record is not valid: \S/), evidence: ["v=DMARC1; p=sometimes"], remediation: "Fix the record at _dmarc.example.com; the plan shows the expected one." });
    expect(f[0].summary).not.toBe("the DMARC record is not valid: no policy");
  });

  it("a record with a policy and an invalid tag fails with that error; a warning alone (an unknown tag) does not", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT _dmarc.example.com", observed([`${DMARC}; pct=150`]));
    const f = checkDns(ONE, await observe(ONE, live)).filter((x) => x.id.startsWith("dns.dmarc"));
    expect(f.map((x) => `${x.id} ${x.status}`)).toEqual(["dns.dmarc.record fail"]);
    expect(f[0].summary).toMatch(/^the DMARC record is not valid: pct: .*\b150\b/);
    expect(f[0].evidence).toEqual([`${DMARC}; pct=150`]);
    live.answers.set("TXT _dmarc.example.com", observed([`${DMARC}; foo=1`]));
    const w = one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.record");
    expect([w.status, w.summary, w.evidence]).toEqual(["pass", "one valid DMARC record", [`${DMARC}; foo=1`]]);
  });

  it("a DMARC lookup that did not answer is one inconclusive finding, with the resolver's advice", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT _dmarc.example.com", timeout("TXT _dmarc.example.com"));
    const f = checkDns(ONE, await observe(ONE, live)).filter((x) => x.id.startsWith("dns.dmarc"));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      id: "dns.dmarc.record",
      status: "inconclusive",
      subject: "_dmarc.example.com",
      summary: "could not check the DMARC record: TXT _dmarc.example.com: no answer from 127.0.0.1:5300",
      evidence: ["timeout: TXT _dmarc.example.com: no answer from 127.0.0.1:5300"],
      remediation: "DNS at 127.0.0.1:5300 did not answer: check the resolver or pass --dns-server.",
    });
  });

  it("no record: remediation and empty evidence; two: both shown", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT _dmarc.example.com", observed(["something-else"]));
    const none = one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.record");
    expect([none.status, none.summary, none.evidence, none.remediation]).toEqual(["fail", "example.com publishes no DMARC record", [], "Publish exactly one TXT record at _dmarc.example.com (the plan shows it), or run `pulumi up --refresh`."]);
    live.answers.set("TXT _dmarc.example.com", observed([DMARC, "v=DMARC1; p=none"]));
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.record").evidence).toEqual([`found: ${DMARC}`, "found: v=DMARC1; p=none"]);
  });

  it("the policy pass names p and a pct below 100", async () => {
    const live = healthy(ONE);
    const fs = checkDns(ONE, await observe(ONE, live));
    expect(one(fs, "dns.dmarc.record")).toMatchObject({ summary: "one valid DMARC record", evidence: [DMARC] });
    expect(one(fs, "dns.dmarc.policy").summary).toBe("p=quarantine");
    live.answers.set("TXT _dmarc.example.com", observed([`${DMARC}; pct=50`]));
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.policy").summary).toBe("p=quarantine on 50% of failing mail");
    live.answers.set("TXT _dmarc.example.com", observed([`${DMARC}; pct=100`]));
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.policy").summary).toBe("p=quarantine");
    live.answers.set("TXT _dmarc.example.com", observed(["v=DMARC1; p=none"]));
    const none = one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.policy");
    expect([none.evidence, none.remediation]).toEqual([["v=DMARC1; p=none"], "When the aggregate reports show only your own senders passing, move to p=quarantine (then p=reject): set mail-infra:dmarcPolicy and run `pulumi up`."]);
  });

  it("alignment: the pass lists each MAIL FROM (or that it is unknown); strict SPF alignment warns only for the unaligned ones", async () => {
    const mixed = domainOf([region("us-east-1", "example.com"), region("us-west-2", ""), region("eu-west-1", "bounce.example.com")]);
    const live = healthy(mixed);
    const pass = one(checkDns(mixed, await observe(mixed, live)), "dns.dmarc.alignment");
    expect([pass.status, pass.summary, pass.evidence]).toEqual([
      "pass",
      "SPF (aspf=r) and DKIM (adkim=r) align with example.com",
      ["MAIL FROM example.com (us-east-1)", "MAIL FROM unknown (us-west-2)", "MAIL FROM bounce.example.com (eu-west-1)"],
    ]);
    live.answers.set("TXT _dmarc.example.com", observed([`${DMARC}; aspf=s`]));
    const warn = one(checkDns(mixed, await observe(mixed, live)), "dns.dmarc.alignment");
    expect([warn.status, warn.evidence, warn.remediation]).toEqual(["warn", ["MAIL FROM bounce.example.com is not example.com"], "Use aspf=r (relaxed) so a MAIL FROM subdomain aligns."]);
  });

  it("report authorization: a pass names the destination; an unanswered lookup is inconclusive; one not looked up is left out", async () => {
    const auth = "example.com._report._dmarc.reports.example.net";
    const live = healthy(ONE);
    const ok = one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.report-authorization");
    expect(ok).toMatchObject({ status: "pass", subject: `mailto:dmarc@reports.example.net (${D})`, summary: "reports.example.net accepts reports for example.com", evidence: [`${auth} TXT v=DMARC1`] });

    live.auth = new Map([[auth, timeout(`TXT ${auth}`)]]);
    const t = one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.report-authorization");
    expect([t.status, t.summary]).toEqual(["inconclusive", `could not check ${auth}: TXT ${auth}: no answer from 127.0.0.1:5300`]);

    live.auth = new Map([[auth, observed(["v=spf1 -all", "v=DMARC1"])]]);
    expect(one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.report-authorization").status).toBe("pass");
    live.auth = new Map([[auth, observed(["v=spf1 -all"])]]);
    const other = one(checkDns(ONE, await observe(ONE, live)), "dns.dmarc.report-authorization");
    expect([other.status, other.evidence]).toEqual(["fail", [`no v=DMARC1 TXT at ${auth}`]]);

    const obs = await observe(ONE, healthy(ONE));
    const skipped = checkDns(ONE, { ...obs, reportAuthorizations: new Map() });
    expect(skipped.map((f) => f.id)).not.toContain("dns.dmarc.report-authorization");
    // A failed authorization does not hide drift of the DMARC record (it is not the record's fault).
    const drifted = healthy(ONE);
    drifted.answers.set("TXT _dmarc.example.com", observed(["v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example.net; ruf=mailto:f@example.com"]));
    drifted.auth = new Map([[auth, nxdomain(`TXT ${auth}`)]]);
    expect(checkDns(ONE, await observe(ONE, drifted)).filter((f) => f.status !== "pass").map((f) => f.id)).toEqual(["dns.dmarc.report-authorization", "dns.drift"]);
  });
});

describe("dns.drift", () => {
  it("compares case-insensitively and in any order; an empty side reads (nothing); unanswered names are left to the functional checks", async () => {
    const twoValues = { ...ONE, records: ONE.records.map((r) => (r.purpose === "spf" ? { ...r, values: [APEX_SPF.toUpperCase().replace("V=SPF1", "v=spf1")] } : r)) };
    const live = healthy(ONE);
    expect(notPassing(checkDns(twoValues, await observe(twoValues, live)))).toEqual([]);

    // A DMARC name: only DMARC records count, another TXT value there is not drift.
    live.answers.set("TXT _dmarc.example.com", observed([DMARC, "unrelated=1"]));
    expect(notPassing(checkDns(ONE, await observe(ONE, live)))).toEqual([]);

    // The MX of a MAIL FROM name with an extra value fails dns.mail-from.mx, so it is not drift too.
    const mx = healthy(ONE);
    mx.answers.set("MX bounce.example.com", observed([`10 ${mailFromMxHost("us-east-1")}`, "20 backup.example.net"]));
    expect(notPassing(checkDns(ONE, await observe(ONE, mx))).map((f) => f.id)).toEqual(["dns.mail-from.mx"]);

    // A drifted MAIL FROM SPF that still passes: drift, with both sides.
    const spf = healthy(ONE);
    spf.answers.set("TXT bounce.example.com", observed(["v=spf1 include:amazonses.com -all"]));
    const f = one(checkDns(ONE, await observe(ONE, spf)), "dns.drift");
    expect(f).toMatchObject({
      status: "warn",
      subject: "TXT bounce.example.com",
      summary: "differs from what the stack declares",
      evidence: [`expected: ${MAIL_FROM_SPF}`, "found:    v=spf1 include:amazonses.com -all", "(TXT bounce.example.com)"],
      remediation: "If the change was intended, put it in the stack config; otherwise run `pulumi up --refresh` to restore the declared record (a plain `pulumi up` compares with Pulumi's state, not with the live record).",
    });
  });

  it("a DMARC record that passes but differs from the stack is drift (it was never reported: the values were lowercased before isDmarcRecord picked them)", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT _dmarc.example.com", observed(["v=DMARC1; p=reject; rua=mailto:dmarc@reports.example.net", "unrelated=1"]));
    const f = one(checkDns(ONE, await observe(ONE, live)), "dns.drift");
    expect([f.subject, f.evidence]).toEqual(["TXT _dmarc.example.com", [`expected: ${DMARC.toLowerCase()}`, "found:    v=dmarc1; p=reject; rua=mailto:dmarc@reports.example.net", "(TXT _dmarc.example.com)"]]);
  });

  it("a report authorization the stack declares drifts when its v=DMARC1 is gone (it was compared as SPF, so never)", async () => {
    const name = "example.org._report._dmarc.example.com";
    const auth: DnsRecord = { key: `dmarc-report-auth-${name}`, purpose: "dmarc-report-auth", name, type: "TXT", ttl: 600, values: ["v=DMARC1"] };
    const d = { ...ONE, records: [...ONE.records, auth] };
    const live = healthy(d);
    expect(notPassing(checkDns(d, await observe(d, live)))).toEqual([]);
    live.answers.set(`TXT ${name}`, observed(["unrelated=1"]));
    expect(one(checkDns(d, await observe(d, live)), "dns.drift")).toMatchObject({ status: "warn", subject: `TXT ${name}`, evidence: ["expected: v=dmarc1", "found:    (nothing)", `(TXT ${name})`] });
  });

  it("a declared TXT set without a value of its kind reads (nothing) on the expected side", async () => {
    const legacy: DnsRecord = { key: "legacy", purpose: "spf", name: "legacy.example.com", type: "TXT", ttl: 600, values: ["legacy-verification=1"] };
    const d = { ...ONE, records: [...ONE.records, legacy] };
    const live = healthy(d);
    expect(notPassing(checkDns(d, await observe(d, live)))).toEqual([]);
    live.answers.set("TXT legacy.example.com", observed(["legacy-verification=1", "v=spf1 -all"]));
    expect(one(checkDns(d, await observe(d, live)), "dns.drift").evidence).toEqual(["expected: (nothing)", "found:    v=spf1 -all", "(TXT legacy.example.com)"]);
  });

  it("a record the stack declares with several values drifts when one is missing, and shows (nothing) for an empty side", async () => {
    const extra: DnsRecord = { key: "extra", purpose: "dkim", name: "x._domainkey.example.com", type: "CNAME", ttl: 600, values: ["a.example.net"], region: "eu-west-1" };
    const d = { ...ONE, records: [...ONE.records, extra] };
    const live = healthy(d);
    live.answers.set("CNAME x._domainkey.example.com", observed([]));
    const f = one(checkDns(d, await observe(d, live)), "dns.drift");
    expect(f.evidence).toEqual(["expected: a.example.net", "found:    (nothing)", "(CNAME x._domainkey.example.com)"]);
    live.answers.set("CNAME x._domainkey.example.com", observed(["A.example.net"]));
    expect(checkDns(d, await observe(d, live)).map((x) => x.id)).not.toContain("dns.drift");
    live.answers.set("CNAME x._domainkey.example.com", observed(["a.example.net", "b.example.net"]));
    expect(one(checkDns(d, await observe(d, live)), "dns.drift").evidence[1]).toBe("found:    a.example.net | b.example.net");
    live.answers.set("CNAME x._domainkey.example.com", timeout("CNAME x._domainkey.example.com"));
    expect(checkDns(d, await observe(d, live)).map((x) => x.id)).not.toContain("dns.drift");
    live.answers.set("CNAME x._domainkey.example.com", observed(["a.example.net", "c.example.net"]));
    const pairDrift = { ...d, records: [...d.records, { ...extra, key: "extra2", values: ["b.example.net"] }] };
    expect(one(checkDns(pairDrift, await observe(pairDrift, live)), "dns.drift").evidence.slice(0, 2)).toEqual(["expected: a.example.net | b.example.net", "found:    a.example.net | c.example.net"]);
    // Two declared records at one name are one question: both values are expected.
    const pair = { ...d, records: [...d.records, { ...extra, key: "extra2", values: ["b.example.net"] }] };
    live.answers.set("CNAME x._domainkey.example.com", observed(["b.example.net", "a.example.net"]));
    expect(checkDns(pair, await observe(pair, live)).map((x) => x.id)).not.toContain("dns.drift");
  });
});

describe("a name a functional check already reports is not reported again as drift; every other name still is", () => {
  it("a wrong DKIM CNAME and a warned apex SPF are not drift; a drifted MAIL FROM SPF and another region's extra CNAME value are", async () => {
    const west = region("us-west-2", "bounce-usw2.example.com");
    const d = domainOf([USE1, west]);
    const live = healthy(d);
    const eastName = dkimCnameName(USE1.dkimTokens[0], D);
    const westName = dkimCnameName(west.dkimTokens[0], D);
    live.answers.set(`CNAME ${eastName}`, observed(["x.other.net"]));
    live.answers.set(`CNAME ${westName}`, observed([dkimCnameTarget(west.dkimTokens[0], "us-west-2"), "x.other.net"]));
    live.answers.set("TXT example.com", observed(["v=spf1 include:_spf.example.net ?all"]));
    live.answers.set("TXT bounce.example.com", observed(["v=spf1 include:amazonses.com -all"]));
    const fs = notPassing(checkDns(d, await observe(d, live)));
    expect(fs.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual([
      "dns.dkim fail example.com DKIM (us-east-1)",
      "dns.spf.all warn example.com",
      "dns.drift warn TXT bounce.example.com",
      `dns.drift warn CNAME ${westName}`,
    ]);
  });
});

describe("dns.apex-txt.undeclared", () => {
  const inRoute53 = (d: ManifestDomain): ManifestDomain => ({ ...d, dns: { mode: "route53", zoneId: "Z0000000000000000000A" } });

  it("one undeclared value is named in the singular; SPF values and declared ones are never listed", async () => {
    const d = inRoute53(ONE);
    const live = healthy(d);
    live.answers.set("TXT example.com", observed([APEX_SPF, "v=spf1 -all", "MS=ms1"]));
    const f = one(checkApex(d, await observe(d, live)), "dns.apex-txt.undeclared");
    expect(f).toMatchObject({
      status: "warn",
      summary: "1 live apex TXT value is not declared: pulumi up would delete it",
      evidence: ["live, not declared: MS=ms1"],
      remediation: "Keep it by adding it to mail-infra:apexTxtValues (verbatim), or confirm it is no longer needed before pulumi up.",
    });
    live.answers.set("TXT example.com", observed([APEX_SPF, "MS=ms1", "x=2"]));
    expect(one(checkApex(d, await observe(d, live)), "dns.apex-txt.undeclared").remediation).toBe("Keep them by adding each to mail-infra:apexTxtValues (verbatim), or confirm they are no longer needed before pulumi up.");
  });

  it("nothing to say when the apex TXT is not declared here or did not answer", async () => {
    const d = inRoute53(ONE);
    const live = healthy(d);
    live.answers.set("TXT example.com", observed([APEX_SPF, "MS=ms1"]));
    const undeclared = { ...d, records: d.records.filter((r) => r.purpose !== "spf") };
    expect(checkApex(undeclared, await observe(undeclared, live))).toEqual([]);
    // Declared under another case of the name: still the apex.
    const upper = { ...d, records: d.records.map((r) => (r.purpose === "spf" ? { ...r, name: "EXAMPLE.com" } : r)) };
    expect(checkApex(upper, await observe(upper, live)).map((f) => f.id)).toEqual(["dns.apex-txt.undeclared"]);
    // An apex record of another type is not the apex TXT set.
    const apexMx: DnsRecord = { key: "apex-mx", purpose: "mail-from-mx", name: D, type: "MX", ttl: 600, values: ["10 feedback-smtp.us-east-1.amazonses.com"], region: "us-east-1" };
    const otherType = { ...undeclared, records: [...undeclared.records, apexMx] };
    expect(checkApex(otherType, await observe(otherType, live))).toEqual([]);
    live.answers.set("TXT example.com", timeout("TXT example.com"));
    expect(checkApex(d, await observe(d, live))).toEqual([]);
  });
});

describe("a domain that does not exist", () => {
  it("gives its failing findings one cause; passing ones keep none", async () => {
    const live = healthy(ONE);
    live.answers.set("TXT example.com", nxdomain("TXT example.com"));
    const fs = checkDns(ONE, await observe(ONE, live));
    const failing = notPassing(fs);
    expect(failing.length).toBeGreaterThan(0);
    for (const f of failing) {
      expect(f.cause).toEqual({
        key: "dns.domain example.com",
        id: "dns.domain",
        subject: D,
        summary: "example.com does not exist in DNS (NXDOMAIN), so none of its records can be found",
        evidence: ["TXT example.com: NXDOMAIN"],
        remediation: "Check the spelling of example.com, that it is registered, and that its delegation points at name servers that serve its zone (`dig NS example.com`); then re-run verify.",
      });
    }
    expect(fs.filter((f) => f.status === "pass").every((f) => f.cause === undefined)).toBe(true);
    // A timeout at the apex is no such cause.
    live.answers.set("TXT example.com", timeout("TXT example.com"));
    expect(checkDns(ONE, await observe(ONE, live)).filter((f) => f.cause?.id === "dns.domain")).toEqual([]);
  });
});
