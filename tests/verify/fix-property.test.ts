/**
 * No fix breaks another region (issue 17). Over generated worlds of two and three regions
 * (seeded: shared and own MAIL FROM names, MX records naming any region or none, SES MAIL FROM
 * and DKIM states, missing and wrong DKIM CNAMEs, 1024-bit keys), every fix any verify finding
 * carries (Finding.fix, lib/mail-from-owner FixStep) is applied to the world, and:
 *
 *   A. it changes no record that a passing check of another region depends on, and no SES
 *      setting of another region;
 *   B. every check of another region that passed before still passes after it (SES re-checks
 *      a MAIL FROM or DKIM whose records the fix changed; the others keep their status);
 *   C. the finding it came from passes afterwards (for DNS fixes and MAIL FROM moves).
 *
 * Pure: the manifest comes from discoverManifest (discovery mode) or is the stack's own, the
 * findings from checkSesIdentity and checkDnsLayer. No server.
 */
import { describe, expect, it } from "vitest";
import type { ManifestDomain, ManifestRegion } from "../../lib/manifest";
import { type FixMode, type FixStep, MAIL_FROM_SPF } from "../../lib/mail-from-owner";
import { MOVE_BEHAVIOR } from "../../lib/mail-from-move";
import { dkimRecords, mailFromMxRecord } from "../../lib/records";
import { dkimCnameName, dkimCnameTarget, mailFromMxHost, smtpEndpoint } from "../../lib/regions";
import { checkDnsLayer, type DnsObservations, dnsQuestions, questionKey } from "../../scripts/verify/layers/dns/check";
import { type Finding, type Observation, observed } from "../../lib/verify/findings";
import { checkSesIdentity, type SesIdentityState } from "../../scripts/verify/layers/ses/check";
import { discoverManifest } from "../../scripts/verify/discover";

const D = "example.com";
const ALL_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"];
const ACCOUNT = "123456789012";

/** mulberry32: a small seeded PRNG, so every run generates the same worlds. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  mode: FixMode;
  regions: string[];
  /** SES per region. */
  ses: Map<string, SesIdentityState>;
  /** "TYPE name" -> values (absent: NXDOMAIN). */
  dns: Map<string, string[]>;
}

const key = (type: string, name: string) => `${type} ${name.toLowerCase()}`;
const tokens = (region: string) => [1, 2, 3].map((i) => `t${i}${region.replace(/-/g, "")}`);

function generate(seed: number, regionCount: number): World {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const regions = [...ALL_REGIONS].sort(() => r() - 0.5).slice(0, regionCount);
  const mode: FixMode = r() < 0.75 ? "discovery" : "stack";
  const names = [`bounce.${D}`, `mail.${D}`, ...ALL_REGIONS.map((x) => `bounce-${x}.${D}`)];
  const dns = new Map<string, string[]>();
  const ses = new Map<string, SesIdentityState>();
  const used: string[] = [];
  for (const region of regions) {
    // A stack never shares a name (config refuses it); discovery sees whatever is live.
    let name = mode === "stack" ? `bounce-${region}.${D}` : pick([...names, ""]);
    if (mode === "discovery" && r() < 0.4 && used.length > 0) name = pick(used);
    if (name) used.push(name);
    const current = r() < 0.3 ? "RSA_1024_BIT" : "RSA_2048_BIT";
    ses.set(region, {
      verifiedForSending: true,
      verificationStatus: "SUCCESS",
      dkim: {
        signingEnabled: true,
        status: pick(["SUCCESS", "SUCCESS", "PENDING", "FAILED", "TEMPORARY_FAILURE"]),
        tokens: tokens(region),
        signingHostedZone: "dkim.amazonses.com",
        currentSigningKeyLength: current,
        nextSigningKeyLength: current === "RSA_2048_BIT" || r() < 0.5 ? "RSA_2048_BIT" : "RSA_1024_BIT",
      },
      ...(name ? { mailFrom: { domain: name, status: pick(["SUCCESS", "SUCCESS", "FAILED", "PENDING", "TEMPORARY_FAILURE"]), behaviorOnMxFailure: pick(["REJECT_MESSAGE", "USE_DEFAULT_VALUE"]) } } : {}),
      configurationSetName: "cs",
    });
    for (const t of tokens(region)) {
      const c = r();
      if (c < 0.75) dns.set(key("CNAME", dkimCnameName(t, D)), [dkimCnameTarget(t, region)]);
      else if (c < 0.88) dns.set(key("CNAME", dkimCnameName(t, D)), [`${t}.elsewhere.example.net`]);
    }
  }
  for (const name of new Set(used)) {
    const c = r();
    const host = (x: string) => `10 ${mailFromMxHost(x)}`;
    if (c < 0.55) dns.set(key("MX", name), [host(pick(regions))]);
    else if (c < 0.7) dns.set(key("MX", name), [host(pick(ALL_REGIONS))]);
    else if (c < 0.8) dns.set(key("MX", name), [host(pick(regions)), host(pick(regions))]);
    else if (c < 0.88) dns.set(key("MX", name), ["10 mx.elsewhere.example.net"]);
    if (r() < 0.8) dns.set(key("TXT", name), [MAIL_FROM_SPF]);
  }
  dns.set(key("TXT", D), ["v=spf1 ~all"]);
  dns.set(key("TXT", `_dmarc.${D}`), ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"]);
  return { mode, regions, ses, dns };
}

/** The stack's manifest (its declared MAIL FROM per region is what SES has) or discovery's, built from SES alone. */
async function manifestOf(w: World, declared?: Map<string, string>): Promise<ManifestDomain> {
  if (w.mode === "discovery") {
    const m = await discoverManifest(
      { domain: D, regions: w.regions },
      {
        callerAccount: async () => observed(ACCOUNT),
        identity: async (region: string) => observed(structuredClone(w.ses.get(region) as SesIdentityState)),
        secretValue: async () => ({ ok: false, reason: "error", message: "unused" }),
        keyLastUsed: async () => ({ ok: false, reason: "error", message: "unused" }),
        userArn: async () => ({ ok: false, reason: "error", message: "unused" }),
      },
    );
    return m.domains[0];
  }
  const regions: ManifestRegion[] = w.regions.map((region, i) => ({
    region,
    primary: i === 0,
    identityArn: `arn:aws:ses:${region}:${ACCOUNT}:identity/${D}`,
    dkimTokens: tokens(region),
    dkimSigningKeyLength: "RSA_2048_BIT",
    signingHostedZone: "dkim.amazonses.com",
    mailFromDomain: declared?.get(region) ?? `bounce-${region}.${D}`,
    mailFromBehaviorOnMxFailure: "REJECT_MESSAGE",
    configurationSet: "cs",
    configurationSetArn: "",
    eventTopicArn: "",
    tlsPolicy: "REQUIRE",
    smtpEndpoint: smtpEndpoint(region),
  }));
  const records = regions.flatMap((x) => [...dkimRecords(D, x.region, x.dkimTokens, 600), mailFromMxRecord(x.mailFromDomain, x.region, 600)]);
  return { domain: D, dns: { mode: "external" }, regions, records };
}

function findingsOf(w: World, d: ManifestDomain): Finding[] {
  const answers = new Map<string, Observation<string[]>>();
  for (const q of dnsQuestions(d)) {
    const v = w.dns.get(key(q.type, q.name));
    answers.set(questionKey(q), v ? observed(v) : { ok: false, reason: "notfound", message: `${q.type} ${q.name}: NXDOMAIN` });
  }
  const obs: DnsObservations = { answers, spf: new Map(), reportAuthorizations: new Map() };
  const mailFromMx = (name: string) => w.dns.get(key("MX", name)) ?? [];
  return [...d.regions.flatMap((r) => checkSesIdentity(d, r, observed(w.ses.get(r.region) as SesIdentityState), { mode: w.mode, mailFromMx })), ...checkDnsLayer(d, obs, w.mode)];
}

/** The region a finding is about: "name (region)", "domain DKIM (region)" or "domain in region". */
const regionOf = (f: Finding): string | undefined => /\(([a-z0-9-]+)\)$/.exec(f.subject)?.[1] ?? / in ([a-z0-9-]+)$/.exec(f.subject)?.[1];

/** The DNS names (as "TYPE name") a passing check of a region depends on. */
function dependencies(f: Finding, d: ManifestDomain): string[] {
  const region = d.regions.find((r) => r.region === regionOf(f));
  if (!region) return [];
  if (f.id === "dns.dkim" || (f.id === "ses.identity.dkim" && f.status === "pass")) return region.dkimTokens.map((t) => key("CNAME", dkimCnameName(t, D)));
  if (f.id === "dns.mail-from.mx" || f.id === "ses.identity.mail-from") return region.mailFromDomain ? [key("MX", region.mailFromDomain), key("TXT", region.mailFromDomain)] : [];
  if (f.id.startsWith("dns.spf.")) return [key("TXT", f.subject.split(" ")[0])];
  return [];
}

/** Apply a fix, and let SES re-check what the fix changed (the rest keeps the status SES last saw). */
function apply(w: World, steps: readonly FixStep[]): World {
  const next: World = { ...w, ses: new Map([...w.ses].map(([r, s]) => [r, structuredClone(s)])), dns: new Map(w.dns) };
  const changed = new Set<string>();
  const moved = new Set<string>();
  for (const s of steps) {
    if (s.kind === "dns-record-set") {
      next.dns.set(key(s.type, s.name), [...s.values]);
      changed.add(key(s.type, s.name));
    } else if (s.kind === "ses-mail-from") {
      const st = next.ses.get(s.region) as SesIdentityState;
      st.mailFrom = { domain: s.mailFromDomain, status: "PENDING", behaviorOnMxFailure: s.behaviorOnMxFailure };
      moved.add(s.region);
    } else {
      (next.ses.get(s.region) as SesIdentityState).dkim.nextSigningKeyLength = s.nextSigningKeyLength;
    }
  }
  for (const [region, st] of next.ses) {
    const mf = st.mailFrom;
    if (mf && (moved.has(region) || changed.has(key("MX", mf.domain)))) {
      const mx = next.dns.get(key("MX", mf.domain)) ?? [];
      mf.status = mx.length === 1 && mx[0] === `10 ${mailFromMxHost(region)}` ? "SUCCESS" : "TEMPORARY_FAILURE";
    }
    const cnames = tokens(region).map((t) => key("CNAME", dkimCnameName(t, D)));
    if (cnames.some((c) => changed.has(c))) st.dkim.status = tokens(region).every((t) => next.dns.get(key("CNAME", dkimCnameName(t, D)))?.[0] === dkimCnameTarget(t, region)) ? "SUCCESS" : "PENDING";
  }
  return next;
}

const id = (f: Finding) => `${f.id} | ${f.subject}`;

/** What the generated worlds exercised: finding id and fix kinds. */
const seen = new Set<string>();

async function checkWorld(w: World): Promise<number> {
  const d = await manifestOf(w);
  const before = findingsOf(w, d);
  let fixes = 0;
  for (const f of before) {
    if (!f.fix) continue;
    fixes += 1;
    const x = regionOf(f);
    seen.add(`${f.id}: ${f.fix.map((s) => (s.kind === "dns-record-set" ? `${s.type}` : s.kind)).join("+")}`);
    const context = `world ${JSON.stringify({ mode: w.mode, regions: w.regions, dns: [...w.dns], ses: [...w.ses].map(([r, s]) => [r, s.mailFrom, s.dkim.status]) })}\nfix of ${id(f)}: ${JSON.stringify(f.fix)}`;
    expect(x, context).toBeDefined();
    // A. Nothing another region's passing check reads, and no SES setting of another region.
    // The record sets whose values the fix changes.
    const touched = new Set(f.fix.flatMap((s) => (s.kind === "dns-record-set" && JSON.stringify(w.dns.get(key(s.type, s.name)) ?? []) !== JSON.stringify(s.values) ? [key(s.type, s.name)] : [])));
    for (const p of before.filter((g) => g.status === "pass" && regionOf(g) !== undefined && regionOf(g) !== x)) {
      expect(dependencies(p, d).filter((n) => touched.has(n)), `${context}\nchanges what the passing ${id(p)} depends on`).toEqual([]);
    }
    expect(f.fix.filter((s) => s.kind !== "dns-record-set" && s.region !== x), context).toEqual([]);
    // A'. Judged on the world itself, not on the checks: a region whose MAIL FROM works (its one
    // MX names its own feedback host) keeps that MX, whatever the checks said about it.
    for (const y of w.regions.filter((r) => r !== x)) {
      const name = w.ses.get(y)?.mailFrom?.domain;
      const mx = name ? w.dns.get(key("MX", name)) : undefined;
      if (name && mx?.length === 1 && mx[0] === `10 ${mailFromMxHost(y)}`) expect(touched.has(key("MX", name)), `${context}\nchanges the MX ${y} works with`).toBe(false);
    }
    // B. Every check of another region that passed still passes.
    const after = apply(w, f.fix);
    const dAfter = await manifestOf(after, new Map(d.regions.map((r) => [r.region, r.mailFromDomain])));
    const now = new Map(findingsOf(after, dAfter).map((g) => [id(g), g]));
    for (const p of before.filter((g) => g.status === "pass" && regionOf(g) !== undefined && regionOf(g) !== x)) {
      const g = now.get(id(p));
      if (g) expect(`${id(g)}: ${g.status} (${g.summary})`, `${context}\nbroke a passing check of another region`).toBe(`${id(p)}: pass (${g.summary})`);
    }
    // C. The fix resolves its own finding (a DNS fix at once; a MAIL FROM move once SES sees the MX).
    if (f.id === "dns.dkim" || (f.id === "dns.mail-from.mx" && !f.fix.some((s) => s.kind === "ses-mail-from"))) {
      expect(now.get(id(f))?.status, `${context}\ndid not fix itself`).toBe("pass");
    }
    if (f.fix.some((s) => s.kind === "ses-mail-from")) {
      const step = f.fix.find((s) => s.kind === "ses-mail-from");
      const own = [...now.values()].filter((g) => g.id === "ses.identity.mail-from" && regionOf(g) === x);
      expect(own.map((g) => g.status), `${context}\nthe move did not work`).toEqual(["pass"]);
      expect(step && "behaviorOnMxFailure" in step ? step.behaviorOnMxFailure : undefined).toBe(MOVE_BEHAVIOR);
    }
  }
  return fixes;
}

describe("no fix a verify finding gives changes what a passing check of another region depends on", () => {
  for (const regionCount of [2, 3]) {
    it(`${regionCount} regions, 400 seeded worlds`, async () => {
      let fixes = 0;
      for (let seed = 1; seed <= 400; seed++) fixes += await checkWorld(generate(seed * 7919 + regionCount, regionCount));
      expect(fixes).toBeGreaterThan(400);
    });
  }

  it("the worlds exercised every kind of fix the findings give", () => {
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        "dns.dkim: CNAME",
        "dns.mail-from.mx: MX",
        "dns.mail-from.mx: MX+TXT+ses-mail-from",
        "dns.spf.record: TXT",
        "ses.identity.dkim: ses-dkim-key-length",
        "ses.identity.mail-from: MX+TXT+ses-mail-from",
      ]),
    );
  });

  it("the issue's world: the fix for us-west-2 leaves bounce.<domain>'s MX (us-east-1's) alone", async () => {
    const w: World = {
      mode: "discovery",
      regions: ["us-east-1", "us-west-2"],
      ses: new Map(
        ["us-east-1", "us-west-2"].map((region) => [
          region,
          {
            verifiedForSending: true,
            dkim: { signingEnabled: true, status: "SUCCESS", tokens: tokens(region), signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: "RSA_2048_BIT", nextSigningKeyLength: "RSA_2048_BIT" },
            mailFrom: { domain: `bounce.${D}`, status: region === "us-east-1" ? "SUCCESS" : "FAILED", behaviorOnMxFailure: "REJECT_MESSAGE" },
            configurationSetName: "cs",
          },
        ]),
      ),
      dns: new Map([
        ...["us-east-1", "us-west-2"].flatMap((region) => tokens(region).map((t) => [key("CNAME", dkimCnameName(t, D)), [dkimCnameTarget(t, region)]] as [string, string[]])),
        [key("MX", `bounce.${D}`), [`10 ${mailFromMxHost("us-east-1")}`]],
        [key("TXT", `bounce.${D}`), [MAIL_FROM_SPF]],
      ]),
    };
    expect(await checkWorld(w)).toBe(2);
  });
});

