/**
 * DNS layer checks: live answers against the manifest's expected record set, judged with
 * the same SPF and DMARC rules the config validator and the policy pack use.
 */
import { type DmarcRecord, dmarcAlignment, dmarcRecordName, externalReportDestinations, isDmarcRecord, nextPolicyStep, parseDmarc } from "../../../../lib/dmarc";
import type { ManifestDomain } from "../../../../lib/manifest";
import type { DnsRecord, RecordType } from "../../../../lib/records";
import { type FixMode, type FixStep, MAIL_FROM_SPF, type MailFromOwnership, mailFromOwnership, nameInUse, ownMailFromFix, sharedNameProblem } from "../../../../lib/mail-from-owner";
import { MAIL_FROM_MX_PRIORITY, mailFromMxHost, regionOfMailFromMxHost } from "../../../../lib/regions";
import { allProblem, isSpfRecord, parseSpf, SPF_LOOKUP_LIMIT, SPF_VOID_LOOKUP_LIMIT, type SpfAnalysis, worstIncludes } from "../../../../lib/spf";
import { type Cause, finding, type Finding, inconclusive, type Observation } from "../../../../lib/verify/findings";

export interface DnsQuestion {
  type: RecordType;
  name: string;
}

/** Answers keyed by question; values are normalised (lowercase names without a trailing dot, "10 host" for MX, joined TXT). */
export type DnsAnswers = ReadonlyMap<string, Observation<string[]>>;

export const questionKey = (q: DnsQuestion): string => `${q.type} ${q.name.toLowerCase()}`;

/** The names one domain needs: every expected record, plus the apex SPF, MAIL FROM and DMARC names. */
export function dnsQuestions(d: ManifestDomain): DnsQuestion[] {
  const qs: DnsQuestion[] = d.records.map((r) => ({ type: r.type, name: r.name }));
  qs.push({ type: "TXT", name: d.domain }, { type: "TXT", name: dmarcRecordName(d.domain) });
  for (const r of d.regions) if (r.mailFromDomain) qs.push({ type: "MX", name: r.mailFromDomain }, { type: "TXT", name: r.mailFromDomain });
  const seen = new Set<string>();
  return qs.filter((q) => (seen.has(questionKey(q)) ? false : (seen.add(questionKey(q)), true)));
}

/** Names whose SPF record is evaluated: the apex and every known MAIL FROM domain. */
export function spfNames(d: ManifestDomain): string[] {
  return [...new Set([d.domain, ...d.regions.map((r) => r.mailFromDomain).filter((n) => n !== "")])];
}

/** The one DMARC record among TXT values, parsed, when there is exactly one. */
export function liveDmarc(values: readonly string[]): DmarcRecord | undefined {
  const records = values.filter(isDmarcRecord);
  return records.length === 1 ? parseDmarc(records[0]).record : undefined;
}

/** Authorisation names for external report destinations of the live DMARC record. */
export function reportAuthorizationNames(domain: string, dmarcTxt: readonly string[]): string[] {
  const record = liveDmarc(dmarcTxt);
  return record ? externalReportDestinations(domain, record).map((d) => d.authorizationName) : [];
}

export interface DnsObservations {
  answers: DnsAnswers;
  spf: ReadonlyMap<string, Observation<SpfAnalysis>>;
  /** TXT answers at <domain>._report._dmarc.<destination>. */
  reportAuthorizations: ReadonlyMap<string, Observation<string[]>>;
}

const subjectOf = (name: string, region?: string): string => (region ? `${name} (${region})` : name);

function answer(obs: DnsObservations, type: RecordType, name: string): Observation<string[]> {
  return obs.answers.get(questionKey({ type, name })) ?? { ok: false, reason: "error", message: `${type} ${name} was not queried` };
}

/** One finding for a DKIM CNAME per region: all three must point at their signing-host target. */
function checkDkim(d: ManifestDomain, obs: DnsObservations, mode: FixMode): Finding[] {
  return d.regions.map((region) => {
    const subject = `${d.domain} DKIM (${region.region})`;
    const expected = d.records.filter((r) => r.purpose === "dkim" && r.region === region.region);
    if (expected.length === 0) {
      if (region.unknown?.dkimTokens) return inconclusive("dns", "dns.dkim", subject, "the DKIM CNAMEs", region.unknown.dkimTokens);
      return inconclusive("dns", "dns.dkim", subject, "the DKIM CNAMEs", { ok: false, reason: "error", message: `no DKIM tokens are known for ${region.region}`, needs: "Check the SES layer: the identity's DKIM tokens could not be read." });
    }
    const evidence: string[] = [];
    const fix: FixStep[] = [];
    let failed = 0;
    for (const r of expected) {
      const a = answer(obs, "CNAME", r.name);
      const set: FixStep = { kind: "dns-record-set", name: r.name, type: "CNAME", values: [r.values[0]] };
      if (!a.ok) {
        if (a.reason !== "notfound") return inconclusive("dns", "dns.dkim", subject, `${r.name} CNAME`, a);
        failed += 1;
        fix.push(set);
        evidence.push(`${r.name}: no CNAME (NXDOMAIN); expected ${r.values[0]}`);
      } else if (a.value.length === 0) {
        failed += 1;
        fix.push(set);
        evidence.push(`${r.name}: no CNAME record; expected ${r.values[0]}`);
      } else if (a.value[0] !== r.values[0].toLowerCase()) {
        failed += 1;
        fix.push(set);
        evidence.push(`${r.name}: expected ${r.values[0]}, found ${a.value.join(", ")}`);
      } else evidence.push(`${r.name} -> ${a.value[0]}`);
    }
    return failed === 0
      ? finding("dns", "dns.dkim", subject, "pass", `all ${expected.length} DKIM CNAMEs point at ${region.signingHostedZone}`, { evidence })
      : finding("dns", "dns.dkim", subject, "fail", `${failed} of ${expected.length} DKIM CNAMEs are missing or wrong: SES cannot sign with this domain in ${region.region}`, {
          evidence,
          remediation:
            mode === "stack"
              ? `Publish the CNAMEs exactly as listed (\`npm run plan -- --zone-file\` or \`pulumi stack output zoneFile\`), or run \`pulumi up --refresh\` to restore the Route 53 records.`
              : `Publish the CNAMEs exactly as listed above at your DNS host: each is ${region.region}'s own token, so no other region's record changes.`,
          fix,
        });
  });
}

/** The MX values of `name` when DNS answered (an empty list for NXDOMAIN), undefined when it could not be asked. */
function mxValues(obs: DnsObservations, name: string): string[] | undefined {
  const a = answer(obs, "MX", name);
  return a.ok ? a.value : a.reason === "notfound" ? [] : undefined;
}

/** Who each MAIL FROM name of the domain serves (lib/mail-from-owner: the region the live MX names keeps it). */
function mailFromOwners(d: ManifestDomain, mx: (name: string) => readonly string[] | undefined): MailFromOwnership[] {
  return mailFromOwnership(
    d.regions.filter((r) => r.mailFromDomain !== "").map((r) => ({ region: r.region, name: r.mailFromDomain })),
    mx,
  );
}

function checkMailFromMx(d: ManifestDomain, obs: DnsObservations, mode: FixMode): Finding[] {
  const owners = mailFromOwners(d, (name) => mxValues(obs, name));
  return d.regions.map((region) => {
    const name = region.mailFromDomain;
    if (!name) {
      // Discovery mode could not learn the MAIL FROM domain: nothing to compare the MX of.
      const why = region.unknown?.mailFromDomain ?? { ok: false as const, reason: "error" as const, message: `no MAIL FROM domain is known for ${region.region}` };
      return inconclusive("dns", "dns.mail-from.mx", `MAIL FROM (${region.region})`, "the MAIL FROM MX", why);
    }
    const subject = subjectOf(name, region.region);
    const expected = `${MAIL_FROM_MX_PRIORITY} ${mailFromMxHost(region.region)}`;
    const a = answer(obs, "MX", name);
    if (!a.ok && a.reason !== "notfound") return inconclusive("dns", "dns.mail-from.mx", subject, "the MAIL FROM MX", a);
    const found = a.ok ? a.value : [];
    const hosts = found.map((v) => v.split(/\s+/)[1] ?? "");
    // A name several regions share serves one of them (its owner): the others need their own
    // name. Pointing the MX at this region would break the owner, which may work today.
    const own = owners.find((o) => o.name === name.toLowerCase());
    if (own && own.owner !== region.region) {
      const fix = ownMailFromFix(own, d.domain, region.region, mode, nameInUse(d.regions.map((r) => r.mailFromDomain)), undefined, region.mailFromBehaviorOnMxFailure);
      return finding(
        "dns",
        "dns.mail-from.mx",
        subject,
        "fail",
        `${name} is also the MAIL FROM of ${own.regions.filter((r) => r !== region.region).join(" and ")}; its one MX ${own.by === "mx" ? `names ${own.owner}'s feedback host, so it serves ${own.owner}` : `can serve one region only, and ${own.owner} keeps it`}: SES in ${region.region} cannot use it`,
        { evidence: [sharedNameProblem(own), found.length > 0 ? `MX ${found.join(", ")}` : `no MX at ${name}`], remediation: fix.text, fix: fix.steps },
      );
    }
    const setMx = { kind: "dns-record-set" as const, name, type: "MX" as const, values: [expected] };
    const sharedNote = own && own.regions.length > 1 ? ` ${name} serves ${region.region} (also the MAIL FROM of ${own.movers.join(" and ")}, which need names of their own).` : "";
    const remediation = `Set the MX of ${name} to "${expected}" (and only that)${mode === "stack" ? ", or run `pulumi up --refresh`" : ""}. With behaviour ${region.mailFromBehaviorOnMxFailure}, SES ${region.mailFromBehaviorOnMxFailure === "REJECT_MESSAGE" ? "refuses to send" : "falls back to amazonses.com and SPF no longer aligns"} while it is wrong.${sharedNote}`;
    if (found.length === 0) {
      return finding("dns", "dns.mail-from.mx", subject, "fail", `${name} has no MX: SES cannot use it as MAIL FROM`, { evidence: [`expected ${expected}, found none${a.ok ? "" : " (NXDOMAIN)"}`], remediation, fix: [setMx] });
    }
    if (found.length === 1 && hosts[0] === mailFromMxHost(region.region)) {
      return finding("dns", "dns.mail-from.mx", subject, "pass", `MX points at ${region.region}'s feedback host${own && own.regions.length > 1 ? ` (${name} serves ${region.region}; ${own.movers.join(" and ")} ${own.movers.length === 1 ? "uses" : "use"} it too and cannot send with it)` : ""}`, { evidence: [`MX ${found[0]}`] });
    }
    const wrongRegion = hosts.map(regionOfMailFromMxHost).find((r) => r !== undefined && r !== region.region);
    return finding(
      "dns",
      "dns.mail-from.mx",
      subject,
      "fail",
      wrongRegion ? `MX points at ${wrongRegion}'s feedback host, but this MAIL FROM sends from ${region.region}` : `MX is not ${expected}`,
      { evidence: [`expected ${expected}, found ${found.join(", ")}`], remediation, fix: [setMx] },
    );
  });
}

function checkSpf(d: ManifestDomain, obs: DnsObservations, mode: FixMode): Finding[] {
  const owners = mailFromOwners(d, (name) => mxValues(obs, name));
  const out: Finding[] = [];
  for (const name of spfNames(d)) {
    // A MAIL FROM name's SPF is reported for the region the name serves (its owner), so its fix is that region's.
    const region = owners.find((o) => o.name === name.toLowerCase())?.owner;
    const subject = subjectOf(name, region);
    const txt = answer(obs, "TXT", name);
    if (!txt.ok && txt.reason !== "notfound") {
      out.push(inconclusive("dns", "dns.spf.record", subject, "the SPF record", txt));
      continue;
    }
    const spfRecords = (txt.ok ? txt.value : []).filter(isSpfRecord);
    if (spfRecords.length !== 1) {
      out.push(
        finding("dns", "dns.spf.record", subject, "fail", spfRecords.length === 0 ? `${name} has no SPF record` : `${name} has ${spfRecords.length} SPF records: receivers treat that as a permanent error (RFC 7208 4.5)`, {
          evidence: spfRecords.length === 0 ? ["no TXT record starting with v=spf1"] : spfRecords.map((r) => `found: ${r}`),
          remediation:
            spfRecords.length === 0
              ? region && mode === "discovery"
                ? `Publish TXT "${MAIL_FROM_SPF}" at ${name} (the SPF record a MAIL FROM name needs).`
                : `Publish the SPF record from the plan at ${name}, or run \`pulumi up --refresh\`.`
              : `Merge them into one record at ${name}; keep the mechanisms of both (the one mail-infra manages is in \`npm run plan\`).`,
          // A MAIL FROM name's SPF is SES's include whatever region uses the name: adding it changes nothing another region depends on.
          ...(spfRecords.length === 0 && region ? { fix: [{ kind: "dns-record-set" as const, name, type: "TXT" as const, values: [...(txt.ok ? txt.value : []), MAIL_FROM_SPF] }] } : {}),
        }),
      );
      continue;
    }
    const parsed = parseSpf(spfRecords[0]);
    const errors = parsed.problems.filter((p) => p.severity === "error" && p.code !== "spf-all-pass");
    if (errors.length > 0) {
      out.push(finding("dns", "dns.spf.record", subject, "fail", `the SPF record is not valid: ${errors[0].message}`, { evidence: [`found: ${spfRecords[0]}`, ...errors.map((e) => e.message)], remediation: `Fix the record at ${name}; \`npm run plan\` shows the one mail-infra expects.` }));
      continue;
    }
    out.push(finding("dns", "dns.spf.record", subject, "pass", "exactly one valid SPF record", { evidence: [spfRecords[0]] }));

    const all = allProblem(parsed);
    out.push(
      all === undefined
        ? finding("dns", "dns.spf.all", subject, "pass", `ends with ${parsed.terms.find((t) => t.name === "all")?.raw ?? "redirect"}`)
        : finding("dns", "dns.spf.all", subject, all.severity === "error" ? "fail" : "warn", all.message, { evidence: [spfRecords[0]], remediation: "End the record with ~all (or -all once every sender is listed)." }),
    );

    // Legal but wide: a passing network wider than /16 (IPv6 /32) lets that range's other users pass.
    const wide = parsed.problems.filter((p) => p.code === "spf-large-network");
    if (wide.length > 0) {
      out.push(
        finding("dns", "dns.spf.network", subject, "warn", `${wide.length} term${wide.length === 1 ? "" : "s"} authorise${wide.length === 1 ? "s" : ""} a large network: ${wide[0].message}`, {
          evidence: wide.map((p) => p.term ?? ""),
          remediation: "Narrow the terms to your own sending hosts (mail-infra:spfMechanisms), or use the provider's include:.",
        }),
      );
    }

    const analysis = obs.spf.get(name);
    if (!analysis) continue;
    if (!analysis.ok) {
      out.push(inconclusive("dns", "dns.spf.lookups", subject, "the SPF lookup count", analysis));
      continue;
    }
    const a = analysis.value;
    const worst = worstIncludes(a);
    const costly = worst.slice(0, 3).map((w) => `${w.term} costs ${w.subtotal}`);
    const costliest = worst.at(0);
    // Errors found while walking the chain (the record's own syntax is dns.spf.record's; the two limits are reported below).
    const permerrors = a.problems.filter((p) => p.severity === "error" && p.domain !== undefined && p.code !== "spf-lookup-limit" && p.code !== "spf-void-limit");
    if (a.exceeded) {
      out.push(
        finding("dns", "dns.spf.lookups", subject, "fail", `SPF needs ${a.unknown.length > 0 ? "at least " : ""}${a.total} DNS lookups; the limit is ${SPF_LOOKUP_LIMIT}, so receivers return permerror and SPF fails`, {
          evidence: costly,
          remediation: costliest
            ? `Remove or flatten the costliest include (${costliest.term}), or move that sender to its own subdomain.`
            : "Replace the a, mx, ptr and exists terms with the ip4:/ip6: ranges they stand for, or move some senders to their own subdomain.",
        }),
      );
    } else if (permerrors.length > 0) {
      // An include or redirect target without an SPF record, a loop, or an invalid record down
      // the chain: receivers return permerror although the count is within the limit.
      out.push(
        finding("dns", "dns.spf.lookups", subject, "fail", `the include chain ends in permerror, so SPF fails for all mail: ${permerrors[0].message}`, {
          evidence: [...permerrors.map((p) => p.message), ...costly],
          remediation: `Fix or remove the term named above (${permerrors[0].term ?? "see evidence"}) in the record of ${permerrors[0].domain ?? name}.`,
        }),
      );
    } else if (a.unknown.length > 0) {
      out.push(inconclusive("dns", "dns.spf.lookups", subject, "every include", { ok: false, reason: "timeout", message: `${a.unknown.join(", ")} did not answer; at least ${a.total} of ${SPF_LOOKUP_LIMIT} lookups used` }));
    } else {
      out.push(finding("dns", "dns.spf.lookups", subject, "pass", `${a.total} of ${SPF_LOOKUP_LIMIT} DNS lookups`, { evidence: costly }));
    }
    out.push(
      a.voidExceeded
        ? // RFC 7208 4.6.4: past the void limit evaluation MUST return permerror, so SPF fails for all mail.
          finding("dns", "dns.spf.void", subject, "fail", `${a.voidLookups} void lookups; more than ${SPF_VOID_LOOKUP_LIMIT} is a permerror (RFC 7208 4.6.4), so SPF fails for all mail`, {
            evidence: a.tree.flatMap(function walk(n): string[] { return [...(n.void ? [n.term] : []), ...n.children.flatMap(walk)]; }),
            remediation: "Remove the includes and mechanisms listed above: their names no longer exist.",
          })
        : finding("dns", "dns.spf.void", subject, "pass", `${a.voidLookups} void lookup${a.voidLookups === 1 ? "" : "s"}`),
    );
  }
  return out;
}

function checkDmarc(d: ManifestDomain, obs: DnsObservations): Finding[] {
  const name = dmarcRecordName(d.domain);
  const txt = answer(obs, "TXT", name);
  if (!txt.ok && txt.reason !== "notfound") return [inconclusive("dns", "dns.dmarc.record", name, "the DMARC record", txt)];
  const records = (txt.ok ? txt.value : []).filter(isDmarcRecord);
  if (records.length !== 1) {
    return [
      finding("dns", "dns.dmarc.record", name, "fail", records.length === 0 ? `${d.domain} publishes no DMARC record` : `${records.length} DMARC records: receivers ignore them all`, {
        evidence: records.map((r) => `found: ${r}`),
        remediation: `Publish exactly one TXT record at ${name} (the plan shows it), or run \`pulumi up --refresh\`.`,
      }),
    ];
  }
  const parsed = parseDmarc(records[0]);
  const errors = parsed.problems.filter((p) => p.severity === "error");
  if (!parsed.record || errors.length > 0) {
    return [finding("dns", "dns.dmarc.record", name, "fail", `the DMARC record is not valid: ${errors[0]?.message ?? "no policy"}`, { evidence: [records[0]], remediation: `Fix the record at ${name}; the plan shows the expected one.` })];
  }
  const rec = parsed.record;
  const out: Finding[] = [finding("dns", "dns.dmarc.record", name, "pass", "one valid DMARC record", { evidence: [records[0]] })];

  const step = nextPolicyStep(rec.p);
  out.push(
    rec.p === "none"
      ? finding("dns", "dns.dmarc.policy", name, "warn", "p=none: receivers report but never act on failing mail", {
          evidence: [records[0]],
          remediation: `When the aggregate reports show only your own senders passing, move to p=${step} (then p=reject): set mail-infra:dmarcPolicy and run \`pulumi up\`.`,
        })
      : finding("dns", "dns.dmarc.policy", name, "pass", `p=${rec.p}${rec.pct !== undefined && rec.pct < 100 ? ` on ${rec.pct}% of failing mail` : ""}`),
  );

  // Alignment: Easy DKIM signs with d=<domain>; SPF is checked on the MAIL FROM domain.
  const { aspf, adkim, unalignedMailFroms, dkimAligned } = dmarcAlignment(d.domain, rec, d.regions.map((r) => r.mailFromDomain));
  const unaligned = d.regions.filter((r) => unalignedMailFroms.includes(r.mailFromDomain));
  out.push(
    unaligned.length === 0 && dkimAligned
      ? finding("dns", "dns.dmarc.alignment", name, "pass", `SPF (aspf=${aspf}) and DKIM (adkim=${adkim}) align with ${d.domain}`, { evidence: d.regions.map((r) => (r.mailFromDomain ? `MAIL FROM ${r.mailFromDomain} (${r.region})` : `MAIL FROM unknown (${r.region})`)) })
      : finding("dns", "dns.dmarc.alignment", name, "warn", `SPF does not align under aspf=${aspf}: only DKIM can pass DMARC`, {
          evidence: unaligned.map((r) => `MAIL FROM ${r.mailFromDomain} is not ${d.domain}`),
          remediation: "Use aspf=r (relaxed) so a MAIL FROM subdomain aligns.",
        }),
  );

  for (const dest of externalReportDestinations(d.domain, rec)) {
    const auth = obs.reportAuthorizations.get(dest.authorizationName);
    const subject = `${dest.uri} (${d.domain})`;
    if (!auth) continue;
    if (!auth.ok && auth.reason !== "notfound") {
      out.push(inconclusive("dns", "dns.dmarc.report-authorization", subject, dest.authorizationName, auth));
      continue;
    }
    const ok = auth.ok && auth.value.some(isDmarcRecord);
    out.push(
      ok
        ? finding("dns", "dns.dmarc.report-authorization", subject, "pass", `${dest.destination} accepts reports for ${d.domain}`, { evidence: [`${dest.authorizationName} TXT v=DMARC1`] })
        : finding("dns", "dns.dmarc.report-authorization", subject, "fail", `${dest.destination} has not authorised reports for ${d.domain}: receivers will not send them`, {
            evidence: [`no v=DMARC1 TXT at ${dest.authorizationName}`],
            remediation: `Ask the owner of ${dest.destination} to publish TXT "v=DMARC1" at ${dest.authorizationName}, or send reports to a mailbox at ${d.domain}.`,
          }),
    );
  }
  return out;
}

/** Records that answer but differ from the manifest, where no functional check already flagged that name. */
function checkDrift(d: ManifestDomain, obs: DnsObservations, flagged: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const byQuestion = new Map<string, DnsRecord[]>();
  for (const r of d.records) byQuestion.set(questionKey(r), [...(byQuestion.get(questionKey(r)) ?? []), r]);
  for (const [key, records] of byQuestion) {
    const { type, name } = records[0];
    if (flagged.has(name.toLowerCase())) continue;
    const a = answer(obs, type, name);
    if (!a.ok) continue;
    let expected = records.flatMap((r) => r.values);
    let found = a.value;
    if (type === "TXT") {
      // Only the records mail-infra manages at this name: other TXT records (site verification…) are not drift.
      // Picked before lowercasing: isDmarcRecord needs "DMARC1" as written (RFC 7489 6.4).
      // A report authorization (RFC 7489 7.1) is a DMARC record too: "v=DMARC1".
      const kind = records[0].purpose === "dmarc" || records[0].purpose === "dmarc-report-auth" ? isDmarcRecord : isSpfRecord;
      expected = expected.filter(kind);
      found = found.filter(kind);
    }
    expected = expected.map((v) => v.toLowerCase());
    found = found.map((v) => v.toLowerCase());
    const same = expected.length === found.length && expected.every((v) => found.includes(v));
    if (!same) {
      out.push(
        finding("dns", "dns.drift", `${type} ${name}`, "warn", "differs from what the stack declares", {
          evidence: [`expected: ${expected.join(" | ") || "(nothing)"}`, `found:    ${found.join(" | ") || "(nothing)"}`, `(${key})`],
          remediation: "If the change was intended, put it in the stack config; otherwise run `pulumi up --refresh` to restore the declared record (a plain `pulumi up` compares with Pulumi's state, not with the live record).",
        }),
      );
    }
  }
  return out;
}

/**
 * Apex TXT values that are live but not declared. The program owns the whole apex TXT record
 * set (Route 53 keys a set by name and type), so `pulumi up` replaces it with the declared
 * values: a site-verification token or another SPF-less value published by hand is deleted
 * (at the next up: Pulumi.yaml's `options.refresh: always` makes it see the live set; without a
 * refresh, at the next change of that record, whose UPSERT writes the whole set).
 * Only in route53 mode (with external DNS nothing is written) and only when the manifest
 * declares the apex set (discovery mode does not know it). SPF values are left to the SPF and
 * drift checks.
 */
export function checkApexTxt(d: ManifestDomain, obs: DnsObservations): Finding[] {
  if (d.dns.mode !== "route53") return [];
  const declared = d.records.filter((r) => r.type === "TXT" && r.name.toLowerCase() === d.domain.toLowerCase());
  if (declared.length === 0) return [];
  const a = answer(obs, "TXT", d.domain);
  if (!a.ok) return [];
  const known = new Set(declared.flatMap((r) => r.values));
  const undeclared = a.value.filter((v) => !isSpfRecord(v) && !known.has(v));
  if (undeclared.length === 0) return [];
  return [
    finding("dns", "dns.apex-txt.undeclared", `TXT ${d.domain}`, "warn", `${undeclared.length} live apex TXT value${undeclared.length === 1 ? " is" : "s are"} not declared: pulumi up would delete ${undeclared.length === 1 ? "it" : "these"}`, {
      evidence: undeclared.map((v) => `live, not declared: ${v}`),
      remediation: `Keep ${undeclared.length === 1 ? "it" : "them"} by adding ${undeclared.length === 1 ? "it" : "each"} to mail-infra:apexTxtValues (verbatim), or confirm ${undeclared.length === 1 ? "it is" : "they are"} no longer needed before pulumi up.`,
    }),
  ];
}

/** Every DNS finding for one domain. */
export function checkDnsLayer(d: ManifestDomain, obs: DnsObservations, mode: FixMode = "stack"): Finding[] {
  const dkim = checkDkim(d, obs, mode);
  const mx = checkMailFromMx(d, obs, mode);
  const spf = checkSpf(d, obs, mode);
  const dmarc = checkDmarc(d, obs);
  // Names a functional check already reports on are not reported again as drift.
  const flagged = new Set<string>();
  d.regions.forEach((region, i) => {
    if (dkim[i].status !== "pass") for (const r of d.records) if (r.purpose === "dkim" && r.region === region.region) flagged.add(r.name.toLowerCase());
    if (mx[i].status !== "pass" && region.mailFromDomain) flagged.add(region.mailFromDomain.toLowerCase());
  });
  for (const name of spfNames(d)) {
    if (spf.some((f) => f.status !== "pass" && f.subject.split(" ")[0] === name)) flagged.add(name.toLowerCase());
  }
  if (dmarc.some((f) => f.status !== "pass" && f.id !== "dns.dmarc.report-authorization")) flagged.add(dmarcRecordName(d.domain));
  const all = [...dkim, ...mx, ...spf, ...dmarc, ...checkDrift(d, obs, flagged), ...checkApexTxt(d, obs)];
  // A domain that does not exist (NXDOMAIN at the apex) has no names below it either (RFC 8020):
  // that is the one cause of every failing DNS check of the domain, and is reported once.
  const apex = answer(obs, "TXT", d.domain);
  if (!apex.ok && apex.reason === "notfound") {
    const cause: Cause = {
      key: `dns.domain ${d.domain}`,
      id: "dns.domain",
      subject: d.domain,
      summary: `${d.domain} does not exist in DNS (NXDOMAIN), so none of its records can be found`,
      evidence: [apex.message],
      remediation: `Check the spelling of ${d.domain}, that it is registered, and that its delegation points at name servers that serve its zone (\`dig NS ${d.domain}\`); then re-run verify.`,
    };
    return all.map((f) => (f.status === "pass" ? f : { ...f, cause }));
  }
  return all;
}
