/**
 * Recipient-domain checks: can mail to a recipient's domain be delivered, and on what terms?
 * MX (null MX, CNAME targets, addresses), the recipient's DMARC policy (information), MTA-STS
 * (record, policy, MX match), TLS-RPT, and optionally an EHLO/STARTTLS probe of the best MX.
 *
 * Pure: (observations) -> findings. The collector is scripts/verify/layers/recipient/collect.ts; the MTA-STS,
 * TLS-RPT and DMARC rules are lib/mta-sts.ts, lib/tls-rpt.ts and lib/dmarc.ts.
 */
import { dmarcAtName, type DmarcRecord, dmarcRecordName } from "../../../../lib/dmarc";
import { isSubdomainOf, normalizeDomain, organizationalDomain } from "../../../../lib/domain";
import { type MtaStsPolicy, mtaStsPolicyHost, mtaStsRecordName, MTA_STS_POLICY_PATH, mxNotInPolicy, parseMtaStsPolicy, parseMtaStsRecord } from "../../../../lib/mta-sts";
import { parseTlsRptRecord, tlsRptRecordName } from "../../../../lib/tls-rpt";
import { finding, type Finding, inconclusive, type Observation, type Unobservable } from "../../../../lib/verify/findings";

/** Why the recipient layer did not run: it checks the domains of --recipient addresses. */
export const NO_RECIPIENT = "no --recipient given: this layer checks the domain of each --recipient address";

/** The distinct recipient domains of --recipient addresses, in the order given (normalised). */
export function recipientDomains(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => normalizeDomain(a.slice(a.lastIndexOf("@") + 1))))];
}

export interface MxEntry {
  preference: number;
  /** Lowercase, no trailing dot; "" for the null MX's ".". */
  host: string;
}

/** MX answers ("10 host", as the DNS collector gives them) sorted by preference, then name. */
export function parseMxAnswers(values: readonly string[]): MxEntry[] {
  return values
    .map((v) => {
      const [pref, host = ""] = v.trim().split(/\s+/);
      return { preference: Number(pref), host: normalizeDomain(host) };
    })
    .sort((a, b) => a.preference - b.preference || a.host.localeCompare(b.host));
}

/** RFC 7505: a single MX of preference 0 and host "." means the domain accepts no mail. */
export const isNullMx = (mx: readonly MxEntry[]): boolean => mx.length === 1 && mx[0].host === "";

export interface HostObservation {
  cname: Observation<string[]>;
  a: Observation<string[]>;
  aaaa: Observation<string[]>;
}

export interface PolicyResponse {
  /** The URL asked for (https://mta-sts.<domain>/.well-known/mta-sts.txt). */
  url: string;
  status: number;
  contentType: string;
  body: string;
  /** With an endpoint override: where the request really went. */
  connectedTo?: string;
}

export interface SmtpProbeResult {
  /** The MX host probed (the certificate is checked against it). */
  host: string;
  /** address:port connected to. */
  connectedTo: string;
  ms: number;
  /** The server's first reply. */
  banner?: string;
  /** A 4xx/5xx reply (greeting, EHLO, STARTTLS) that ended the probe. */
  rejected?: { code: number; reply: string; stage: string };
  /** EHLO keywords announced before STARTTLS. */
  extensions: string[];
  starttls: boolean;
  /** The TLS upgrade, when STARTTLS was offered. */
  tls?: { ok: true } | { ok: false; certificate: boolean; error: string };
}

export interface RecipientObservations {
  domain: string;
  mx: Observation<string[]>;
  /** Only when the domain has no MX: its own addresses (the implicit MX, RFC 5321 5.1). */
  implicit?: { a: Observation<string[]>; aaaa: Observation<string[]> };
  /** For each MX host (not for the null MX). */
  hosts: ReadonlyMap<string, HostObservation>;
  /** The TXT answers of dmarcDiscoveryNames (lib/dmarc.ts), in order, as far as they were asked. */
  dmarc: readonly { name: string; txt: Observation<string[]> }[];
  mtaSts: Observation<string[]>;
  /** Fetched only when the _mta-sts record is valid. */
  policy?: Observation<PolicyResponse>;
  tlsRpt: Observation<string[]>;
  /** Only with --probe-smtp. */
  probe?: Observation<SmtpProbeResult>;
}

const has = (o: Observation<string[]> | undefined): boolean => Boolean(o?.ok && o.value.length > 0);
/** Answered (with data, NODATA or NXDOMAIN), as opposed to a timeout or error. */
const answered = (o: Observation<string[]>): boolean => o.ok || o.reason === "notfound";

/** The hosts a sender would try, in order: the MX hosts, or the domain itself for an implicit MX. */
export function deliveryHosts(obs: RecipientObservations): string[] {
  if (!obs.mx.ok) return [];
  const mx = parseMxAnswers(obs.mx.value);
  if (mx.length === 0) return has(obs.implicit?.a) || has(obs.implicit?.aaaa) ? [obs.domain] : [];
  return mx.filter((m) => m.host !== "").map((m) => m.host);
}

/** The host to probe and its addresses: the most preferred host that has an address. */
export function bestMx(obs: RecipientObservations): { host: string; addresses: string[] } | undefined {
  for (const host of deliveryHosts(obs)) {
    const h = host === obs.domain && obs.implicit ? obs.implicit : obs.hosts.get(host);
    if (!h) continue;
    const addresses = [...(h.a.ok ? h.a.value : []), ...(h.aaaa.ok ? h.aaaa.value : [])];
    if (addresses.length > 0) return { host, addresses };
  }
  return undefined;
}

const POSTMASTER = (d: string) => `This is on the recipient's side: tell the recipient (or postmaster@${d}) what is wrong, or check the address for a typo. Nothing in this stack can fix it.`;

function checkMx(obs: RecipientObservations): Finding[] {
  const d = obs.domain;
  if (!obs.mx.ok) {
    if (obs.mx.reason === "notfound") {
      return [finding("recipient", "recipient.mx", d, "fail", `${d} does not exist (NXDOMAIN): mail to it bounces`, { evidence: [obs.mx.message], remediation: "Check the recipient address for a typo in the domain: a domain that does not exist has no one to receive mail." })];
    }
    return [inconclusive("recipient", "recipient.mx", d, "the MX records", obs.mx)];
  }
  const mx = parseMxAnswers(obs.mx.value);
  if (isNullMx(mx)) {
    return [finding("recipient", "recipient.mx", d, "fail", `${d} accepts no mail: it publishes a null MX (RFC 7505)`, { evidence: ["MX 0 ."], remediation: "The domain says it receives no mail at all: check the address for a typo, or ask the recipient for another address. Nothing in this stack can change it." })];
  }
  if (mx.length === 0) {
    const i = obs.implicit;
    if (!i) return [inconclusive("recipient", "recipient.mx", d, "the implicit MX", { ok: false, reason: "error", message: `${d} has no MX and its addresses were not looked up` })];
    const addresses = [...(i.a.ok ? i.a.value : []), ...(i.aaaa.ok ? i.aaaa.value : [])];
    if (addresses.length > 0) {
      return [finding("recipient", "recipient.mx", d, "warn", `${d} has no MX record: senders fall back to its address (implicit MX, RFC 5321 5.1)`, { evidence: [`no MX; A/AAAA ${addresses.join(", ")}`], remediation: `Delivery works only if ${d} itself runs an SMTP server; many senders treat a domain without MX as suspect. ${POSTMASTER(d)}` })];
    }
    const failed = [i.a, i.aaaa].find((o): o is Unobservable => !answered(o));
    if (failed) return [inconclusive("recipient", "recipient.mx", d, "the implicit MX", failed)];
    return [finding("recipient", "recipient.mx", d, "fail", `${d} has no MX and no address: mail to it cannot be delivered`, { evidence: ["no MX, no A, no AAAA"], remediation: `Check the recipient address for a typo in the domain. ${POSTMASTER(d)}` })];
  }
  const out: Finding[] = [];
  const mixedNull = mx.some((m) => m.host === "");
  const listed = mx.map((m) => `MX ${m.preference} ${m.host || "."}`);
  out.push(
    mixedNull
      ? finding("recipient", "recipient.mx", d, "warn", `${d} mixes a null MX with other MX records; RFC 7505 3 forbids it and senders may treat the domain as accepting no mail`, { evidence: listed, remediation: POSTMASTER(d) })
      : finding("recipient", "recipient.mx", d, "pass", `${mx.length} MX host${mx.length === 1 ? "" : "s"}, best ${mx[0].host} (preference ${mx[0].preference})`, { evidence: listed }),
  );

  const hosts = mx.filter((m) => m.host !== "").map((m) => m.host);
  // MX targets must be host names with addresses, not aliases (RFC 2181 10.3, RFC 5321 5.1).
  const cnameUnknown = hosts.map((h) => obs.hosts.get(h)?.cname).find((o): o is Unobservable => o !== undefined && !answered(o));
  const aliases = hosts.flatMap((h) => {
    const c = obs.hosts.get(h)?.cname;
    return c?.ok && c.value.length > 0 ? [`${h} is a CNAME for ${c.value.join(", ")}`] : [];
  });
  if (aliases.length > 0) {
    out.push(finding("recipient", "recipient.mx.cname", d, "warn", `${aliases.length} MX host${aliases.length === 1 ? " is an alias" : "s are aliases"} (CNAME): RFC 2181 10.3 and RFC 5321 5.1 forbid it, and strict senders refuse to deliver`, { evidence: aliases, remediation: `The MX should name the canonical host itself. ${POSTMASTER(d)}` }));
  } else if (cnameUnknown) out.push(inconclusive("recipient", "recipient.mx.cname", d, "whether the MX hosts are aliases", cnameUnknown));
  else out.push(finding("recipient", "recipient.mx.cname", d, "pass", "no MX host is an alias (CNAME)"));

  const evidence: string[] = [];
  const missing: string[] = [];
  let unknown: Unobservable | undefined;
  for (const h of hosts) {
    const o = obs.hosts.get(h);
    if (!o) continue;
    const addresses = [...(o.a.ok ? o.a.value : []), ...(o.aaaa.ok ? o.aaaa.value : [])];
    if (addresses.length > 0) evidence.push(`${h}: ${addresses.join(", ")}`);
    else if (answered(o.a) && answered(o.aaaa)) {
      missing.push(h);
      evidence.push(`${h}: no A or AAAA record${!o.a.ok ? " (NXDOMAIN)" : ""}`);
    } else unknown ??= [o.a, o.aaaa].find((x): x is Unobservable => !answered(x));
  }
  // Every host without an address, or no host at all (MX records that all name "."): nothing to deliver to.
  if (missing.length === hosts.length) {
    out.push(finding("recipient", "recipient.mx.address", d, "fail", `no MX host of ${d} has an address: mail to it cannot be delivered`, { evidence, remediation: POSTMASTER(d) }));
  } else if (missing.length > 0) {
    out.push(finding("recipient", "recipient.mx.address", d, "warn", `${missing.join(", ")} ${missing.length === 1 ? "has" : "have"} no address: senders skip ${missing.length === 1 ? "it" : "them"} and use the other MX hosts`, { evidence, remediation: POSTMASTER(d) }));
  } else if (unknown) out.push(inconclusive("recipient", "recipient.mx.address", d, "the MX hosts' addresses", unknown));
  else out.push(finding("recipient", "recipient.mx.address", d, "pass", `every MX host has an address`, { evidence }));
  return out;
}

/** One sentence on what the recipient's DMARC policy says, and does not say, about our mail. */
function dmarcMeaning(domain: string, r: DmarcRecord, effective: string): string {
  const strict = [r.adkim === "s" ? "adkim=s" : "", r.aspf === "s" ? "aspf=s" : ""].filter(Boolean).join(" and ");
  const own = `Receivers judge our mail by our own domain's DMARC record, not by this one (RFC 7489 6.6.3)`;
  const alignment = strict ? `; its ${strict} bind only mail that claims to be from ${domain}` : "";
  if (effective === "none") return `${own}${alignment}. p=none only monitors ${domain}'s own mail and says little about how strictly it filters what it receives.`;
  return `${own}${alignment}. A domain that ${effective === "reject" ? "rejects" : "quarantines"} its own failing mail usually enforces DMARC on what it receives too: our mail must pass DMARC with aligned DKIM or SPF (\`npm run verify -- --only dns\` checks ours).`;
}

function checkDmarc(obs: RecipientObservations): Finding {
  const d = obs.domain;
  const subject = dmarcRecordName(d);
  for (const { name, txt } of obs.dmarc) {
    if (!txt.ok && txt.reason !== "notfound") return inconclusive("recipient", "recipient.dmarc", subject, `the DMARC record at ${name}`, txt);
    const at = dmarcAtName(txt.ok ? txt.value : []);
    if (at.kind === "none") continue;
    if (at.kind === "several") {
      return finding("recipient", "recipient.dmarc", subject, "warn", `${name} has ${at.records.length} DMARC records: receivers ignore them all (RFC 7489 6.6.3), so ${d} has no effective DMARC policy`, { evidence: at.records, remediation: POSTMASTER(d) });
    }
    if (at.kind === "ignored") {
      return finding("recipient", "recipient.dmarc", subject, "warn", `the DMARC record at ${name} has no valid p (or an invalid sp) and no valid rua: receivers ignore it (RFC 7489 6.6.3)`, { evidence: [at.text, ...at.errors.map((p) => p.message)], remediation: POSTMASTER(d) });
    }
    const r = at.record;
    const inherited = name !== dmarcRecordName(d);
    // A subdomain under its Organisational Domain's record gets sp (RFC 7489 6.3), else p.
    const effective = inherited && isSubdomainOf(d, organizationalDomain(d)) ? (r.sp ?? r.p) : r.p;
    const tags = `p=${r.p}${r.sp ? ` sp=${r.sp}` : ""} pct=${r.pct ?? 100} adkim=${r.adkim ?? "r"} aspf=${r.aspf ?? "r"}`;
    const readAsNone = at.asNone ? " (read as p=none: no valid p or sp, but a valid rua; RFC 7489 6.6.3)" : "";
    return finding("recipient", "recipient.dmarc", subject, "pass", `${d} publishes DMARC ${tags}${inherited ? ` (from ${name})` : ""}${readAsNone}: policy ${effective} for its own mail`, {
      evidence: [`${name}: ${at.text}`, dmarcMeaning(d, r, effective), ...at.errors.map((p) => `receivers discard the invalid tag: ${p.message}`)],
    });
  }
  return finding("recipient", "recipient.dmarc", subject, "pass", `${d} publishes no DMARC record${obs.dmarc.length > 1 ? ` (nor does ${obs.dmarc.at(-1)?.name.slice("_dmarc.".length)})` : ""}: nothing to learn about how it filters`, {
    evidence: obs.dmarc.map((x) => `${x.name}: no DMARC record`),
  });
}

export interface MtaStsJudgement {
  findings: Finding[];
  /** The valid policy, when there is one (the SMTP probe's judgement depends on its mode). */
  policy?: MtaStsPolicy;
}

function checkMtaSts(obs: RecipientObservations): MtaStsJudgement {
  const d = obs.domain;
  const subject = mtaStsRecordName(d);
  const url = `https://${mtaStsPolicyHost(d)}${MTA_STS_POLICY_PATH}`;
  if (!obs.mtaSts.ok && obs.mtaSts.reason !== "notfound") return { findings: [inconclusive("recipient", "recipient.mta-sts", subject, "the MTA-STS record", obs.mtaSts)] };
  const record = parseMtaStsRecord(obs.mtaSts.ok ? obs.mtaSts.value : []);
  if (record.kind === "none") {
    return { findings: [finding("recipient", "recipient.mta-sts", subject, "pass", `${d} publishes no MTA-STS policy: senders deliver with opportunistic TLS`)] };
  }
  if (record.kind === "invalid") {
    return { findings: [finding("recipient", "recipient.mta-sts", subject, "warn", `the MTA-STS record of ${d} is invalid, so senders ignore MTA-STS: ${record.problem}`, { evidence: record.texts, remediation: POSTMASTER(d) })] };
  }
  const fetched = obs.policy;
  const cannotFetch = (why: string, evidence: string[]): MtaStsJudgement => ({
    findings: [
      finding("recipient", "recipient.mta-sts", subject, "warn", `${d} announces an MTA-STS policy (id ${record.record.id}) but ${why}: senders without a cached policy deliver as if there were none, senders with a cached one keep applying it (RFC 8461 5)`, {
        evidence: [record.text, ...evidence],
        remediation: `The policy must be served at ${url} with HTTP 200, text/plain and a certificate valid for ${mtaStsPolicyHost(d)}. ${POSTMASTER(d)}`,
      }),
    ],
  });
  if (!fetched) return { findings: [inconclusive("recipient", "recipient.mta-sts", subject, "the MTA-STS policy", { ok: false, reason: "error", message: `${url} was not fetched` })] };
  if (!fetched.ok) {
    if (fetched.reason === "timeout") return { findings: [inconclusive("recipient", "recipient.mta-sts", subject, `the MTA-STS policy at ${url}`, fetched)] };
    return cannotFetch(`the policy cannot be fetched (${fetched.message})`, []);
  }
  const via = fetched.value.connectedTo ? [`fetched through ${fetched.value.connectedTo}`] : [];
  const status = fetched.value.status;
  if (status !== 200) return cannotFetch(`${url} answers HTTP ${status}${status >= 300 && status < 400 ? " (senders do not follow redirects, RFC 8461 3.3)" : ""}`, via);
  if (!/^text\/plain\s*(;|$)/i.test(fetched.value.contentType)) return cannotFetch(`${url} is served as ${fetched.value.contentType || "no media type"}, not text/plain (RFC 8461 3.3)`, via);
  const parsed = parseMtaStsPolicy(fetched.value.body);
  if (!parsed.policy) return cannotFetch(`its policy is invalid: ${parsed.problems.join(" ")}`, via);
  const p = parsed.policy;
  const summary = `mode ${p.mode}, max_age ${p.maxAge}, mx ${p.mx.join(", ") || "(none)"}`;
  const out: Finding[] = [finding("recipient", "recipient.mta-sts", subject, "pass", `${d} publishes an MTA-STS policy: ${summary}`, { evidence: [record.text, `${url}: ${summary}`, ...via] })];

  const hosts = deliveryHosts(obs);
  if (p.mode !== "none" && hosts.length > 0) {
    const outside = mxNotInPolicy(hosts, p);
    const evidence = hosts.map((h) => `${h}: ${outside.includes(h) ? "matches no mx pattern" : "allowed"}`);
    const fix = `The policy's mx lines must cover every MX host (RFC 8461 4.1: "*.example.com" matches exactly one label). ${POSTMASTER(d)}`;
    if (outside.length === 0) out.push(finding("recipient", "recipient.mta-sts.mx", d, "pass", `every MX host matches the ${p.mode} policy`, { evidence }));
    else if (p.mode === "testing") {
      out.push(finding("recipient", "recipient.mta-sts.mx", d, "warn", `${outside.join(", ")} ${outside.length === 1 ? "matches" : "match"} no mx pattern; the policy is in testing mode, so senders deliver anyway and report it (TLS-RPT)`, { evidence, remediation: fix }));
    } else if (outside.length === hosts.length) {
      out.push(finding("recipient", "recipient.mta-sts.mx", d, "fail", `no MX host matches the enforce policy: senders that apply MTA-STS refuse to deliver to ${d}`, { evidence, remediation: fix }));
    } else {
      out.push(finding("recipient", "recipient.mta-sts.mx", d, "warn", `${outside.join(", ")} ${outside.length === 1 ? "matches" : "match"} no mx pattern of the enforce policy: senders that apply MTA-STS skip ${outside.length === 1 ? "it" : "them"}`, { evidence, remediation: fix }));
    }
  }
  return { findings: out, policy: p };
}

function checkTlsRpt(obs: RecipientObservations): Finding {
  const d = obs.domain;
  const subject = tlsRptRecordName(d);
  if (!obs.tlsRpt.ok && obs.tlsRpt.reason !== "notfound") return inconclusive("recipient", "recipient.tls-rpt", subject, "the TLS-RPT record", obs.tlsRpt);
  const r = parseTlsRptRecord(obs.tlsRpt.ok ? obs.tlsRpt.value : []);
  if (r.kind === "none") return finding("recipient", "recipient.tls-rpt", subject, "pass", `${d} publishes no TLS-RPT record: senders do not report TLS failures to it`);
  if (r.kind === "invalid") return finding("recipient", "recipient.tls-rpt", subject, "warn", `the TLS-RPT record of ${d} is invalid, so senders send no TLS reports: ${r.problem}`, { evidence: r.texts, remediation: POSTMASTER(d) });
  return finding("recipient", "recipient.tls-rpt", subject, "pass", `${d} receives TLS reports at ${r.record.rua.join(", ")}`, { evidence: [r.text] });
}

/** Port 25 is blocked outbound on many networks: a probe that could not connect says nothing about the MX. */
export const PORT_25_NEEDS = "Outbound port 25 is blocked on many networks (cloud providers, ISPs, offices): run --probe-smtp from a host allowed to connect to port 25. Nothing was concluded about the MX.";

function checkProbe(obs: RecipientObservations, policy: MtaStsPolicy | undefined): Finding | undefined {
  const probe = obs.probe;
  if (!probe) return undefined;
  const d = obs.domain;
  const best = bestMx(obs);
  const subject = `${best?.host ?? d} (MX of ${d})`;
  if (!probe.ok) {
    if (probe.reason === "timeout" || probe.reason === "unreachable") return inconclusive("recipient", "recipient.smtp", subject, "SMTP on port 25", { ...probe, needs: PORT_25_NEEDS });
    return inconclusive("recipient", "recipient.smtp", subject, "SMTP on port 25", probe);
  }
  const p = probe.value;
  const evidence = [`connected to ${p.connectedTo} in ${p.ms} ms`, ...(p.banner ? [`banner: ${p.banner}`] : []), ...(p.extensions.length > 0 ? [`EHLO: ${p.extensions.join(", ")}`] : [])];
  if (p.rejected) {
    const temporary = p.rejected.code < 500;
    return finding("recipient", "recipient.smtp", subject, temporary ? "warn" : "fail", `${p.host} ${temporary ? "temporarily refuses" : "refuses"} the session at ${p.rejected.stage}: ${p.rejected.reply}`, {
      evidence,
      remediation: temporary ? "A 4xx reply is temporary: senders retry. Probe again later." : `The MX refuses SMTP from this network (it may block our address or reputation). ${POSTMASTER(d)}`,
    });
  }
  const enforced = policy?.mode === "enforce";
  const stsNote = enforced
    ? `${d}'s MTA-STS policy is in enforce mode, so senders that apply it refuse to deliver`
    : `an MTA-STS policy in enforce mode would make this fatal (RFC 8461 4.2); today senders fall back to delivering anyway`;
  if (!p.starttls) {
    return finding("recipient", "recipient.smtp", subject, enforced ? "fail" : "warn", `${p.host} does not offer STARTTLS: mail to ${d} travels unencrypted; ${stsNote}`, { evidence, remediation: POSTMASTER(d) });
  }
  if (p.tls && !p.tls.ok) {
    const what = p.tls.certificate ? `its certificate is not valid for ${p.host}` : "the TLS handshake fails";
    return finding("recipient", "recipient.smtp", subject, enforced ? "fail" : "warn", `${p.host} offers STARTTLS but ${what}: ${stsNote}`, { evidence: [...evidence, `TLS: ${p.tls.error}`], remediation: POSTMASTER(d) });
  }
  return finding("recipient", "recipient.smtp", subject, "pass", `${p.host} answers on port 25, offers STARTTLS, and its certificate is valid for ${p.host}`, { evidence });
}

/** Every recipient-layer finding for one domain. A domain that does not exist or accepts no mail gets that one finding. */
export function checkRecipientDomain(obs: RecipientObservations): Finding[] {
  const mx = checkMx(obs);
  const mxFailed = mx[0]?.id === "recipient.mx" && mx[0].status === "fail";
  // NXDOMAIN: nothing below the name exists (RFC 8020); a null MX: the domain receives nothing.
  if (mxFailed && (!obs.mx.ok || isNullMx(parseMxAnswers(obs.mx.value)))) return mx;
  const sts = checkMtaSts(obs);
  const probe = checkProbe(obs, sts.policy);
  return [...mx, checkDmarc(obs), ...sts.findings, checkTlsRpt(obs), ...(probe ? [probe] : [])];
}
