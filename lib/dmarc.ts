/**
 * DMARC rules (RFC 7489): tag syntax and values, building a record, the policy ladder and
 * external report destinations.
 *
 * This is the one place these rules live. The per-tag validators exist so the config
 * validator can check each config key on its own and name that key in its error; `parseDmarc`
 * judges a whole record (policy pack, verify) with the same validators.
 */
import { isAligned, normalizeDomain, organizationalDomain, validateDomainName } from "./domain";
import { shown, shown as show } from "./text";

export const DMARC_POLICIES = ["none", "quarantine", "reject"] as const;
export type DmarcPolicy = (typeof DMARC_POLICIES)[number];
export type DmarcAlignment = "r" | "s";

export interface DmarcRecord {
  v: "DMARC1";
  p: DmarcPolicy;
  sp?: DmarcPolicy;
  rua?: string[];
  ruf?: string[];
  pct?: number;
  adkim?: DmarcAlignment;
  aspf?: DmarcAlignment;
  fo?: string;
  rf?: string;
  ri?: number;
}

export interface DmarcProblem {
  severity: "error" | "warning";
  /** Stable identifier, e.g. "dmarc-policy-below-minimum"; policies and tests match on it. */
  code: string;
  tag?: string;
  /** One or more full sentences: what is wrong, why, and how to fix it. */
  message: string;
}

export interface ParsedDmarc {
  /** Present when the record is a DMARC record with a valid "p"; tags with invalid values are left out. */
  record?: DmarcRecord;
  /** Every tag as written (names lowercased, values trimmed); the first one wins for duplicates. */
  tags: Record<string, string>;
  problems: DmarcProblem[];
  /** True when there is no error-severity problem. */
  valid: boolean;
}

/** Tags defined by RFC 7489 6.3, in the order buildDmarc writes them. */
const TAG_ORDER = ["v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri"] as const;
const KNOWN_TAGS: ReadonlySet<string> = new Set(TAG_ORDER);
/** Tags from the DMARCbis drafts that RFC 7489 receivers ignore. */
const DMARCBIS_TAGS: ReadonlySet<string> = new Set(["np", "psd", "t"]);

// ---------------------------------------------------------------------------------------------
// Policy ladder
// ---------------------------------------------------------------------------------------------

/** none 0, quarantine 1, reject 2. */
export function policyRank(p: DmarcPolicy): number {
  return DMARC_POLICIES.indexOf(p);
}

/** The next step on the path none → quarantine → reject, or undefined at reject. */
export function nextPolicyStep(p: DmarcPolicy): DmarcPolicy | undefined {
  return DMARC_POLICIES[policyRank(p) + 1];
}

function isPolicy(value: string): value is DmarcPolicy {
  return (DMARC_POLICIES as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Per-tag validators (each returns a message, or undefined when the value is valid)
// ---------------------------------------------------------------------------------------------

/*
 * The per-tag validators accept exactly the canonical (lowercase, untrimmed) values that a
 * DmarcRecord holds, so a caller that validated a value may use it as the typed value. The
 * ABNF (RFC 7489 6.4) is case-insensitive, so parseDmarc lowercases what it reads from DNS
 * before calling them.
 */

/** p and sp: "none", "quarantine" or "reject" (RFC 7489 6.3). */
export function validateDmarcPolicy(value: string): string | undefined {
  if (isPolicy(value)) return undefined;
  const lower = value.trim().toLowerCase();
  if (isPolicy(lower)) return `${shown(value)}: write the DMARC policy as "${lower}" (lowercase, no spaces).`;
  return `${shown(value)} is not a DMARC policy; use "none" (monitor only), "quarantine" or "reject" (RFC 7489 6.3).`;
}

export interface DmarcUri {
  /** The URI as given, including any size limit. */
  uri: string;
  /** The e-mail address, percent-decoded and with the domain normalised. */
  address: string;
  /** The address's domain (normalised). */
  domain: string;
  /** The "!size" limit, e.g. "10m", when given. */
  size?: string;
}

/**
 * Parse a DMARC report URI: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
 * (RFC 7489 6.2), restricted to mailto: (the only scheme receivers must support, RFC 7489 6.3).
 * Returns the parsed URI or a message saying what is wrong.
 */
export function parseDmarcUri(uri: string): DmarcUri | string {
  const given = uri.trim();
  const shown = show(uri);
  const example = "mailto:dmarc-reports@example.com";
  if (given === "") return `The report URI is empty; give one such as ${example}.`;

  let target = given;
  let size: string | undefined;
  const bang = given.lastIndexOf("!");
  if (bang !== -1) {
    size = given.slice(bang + 1);
    target = given.slice(0, bang);
    if (!/^[0-9]+[kmgt]?$/i.test(size)) {
      return `The size limit "!${size}" in ${shown} is not valid; it is "!" followed by digits and an optional unit k, m, g or t, as in "${example}!10m" (RFC 7489 6.2). A "!" inside the address must be written %21.`;
    }
  }
  if (!/^mailto:/i.test(target)) {
    return `${shown} is not a mailto: URI; DMARC reports are sent by e-mail, so write it as "${example}" (RFC 7489 6.2, 6.3).`;
  }
  // RFC 6068: mailto:addr[?hfields]. DMARC separates URIs with "," so an address may not contain one.
  const encoded = target.slice("mailto:".length).split("?")[0] ?? "";
  if (encoded.includes(",")) {
    return `${shown} contains a comma; list each report address as its own URI (RFC 7489 6.3: commas separate URIs, and a comma inside one must be written %2C).`;
  }
  let address: string;
  try {
    address = decodeURIComponent(encoded);
  } catch {
    return `${shown} has an invalid percent-encoding; write "%" followed by two hex digits, as in %21 for "!".`;
  }
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) {
    return `${shown} does not contain an e-mail address (local-part@domain) after "mailto:"; write it as "${example}".`;
  }
  const local = address.slice(0, at);
  const domainPart = address.slice(at + 1);
  // dot-atom local part (RFC 5322 3.2.3); quoted local parts are not supported here.
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(local)) {
    return `The local part ${show(local)} of the address in ${shown} is not valid; use letters, digits and . _ + - (no spaces, no leading, trailing or double dots).`;
  }
  const domainProblem = validateDomainName(domainPart);
  if (domainProblem) return `The address in ${shown} has an invalid domain: ${domainProblem}`;
  const domain = normalizeDomain(domainPart);
  return { uri: given, address: `${local}@${domain}`, domain, ...(size !== undefined ? { size: size.toLowerCase() } : {}) };
}

/** rua and ruf entries: a mailto: URI with a valid address and an optional "!size" suffix (RFC 7489 6.2). */
export function validateDmarcUri(uri: string): string | undefined {
  const parsed = parseDmarcUri(uri);
  return typeof parsed === "string" ? parsed : undefined;
}

/** pct: an integer from 0 to 100 (RFC 7489 6.3). */
export function validateDmarcPct(n: number): string | undefined {
  if (Number.isInteger(n) && n >= 0 && n <= 100) return undefined;
  return `pct ${shown(n)} is not valid; it is a whole number from 0 to 100, the percentage of failing mail the policy applies to (RFC 7489 6.3). Omit it for 100.`;
}

/** adkim and aspf: "r" (relaxed) or "s" (strict) (RFC 7489 6.3). */
export function validateDmarcAlignment(v: string): string | undefined {
  if (v === "r" || v === "s") return undefined;
  const lower = v.trim().toLowerCase();
  if (lower === "r" || lower === "s") return `${shown(v)}: write the DMARC alignment mode as "${lower}" (lowercase, no spaces).`;
  return `${shown(v)} is not a DMARC alignment mode; use "r" (relaxed: same organisational domain) or "s" (strict: exact domain) (RFC 7489 3.1, 6.3).`;
}

/** fo: a colon-separated list of 0, 1, d and s (RFC 7489 6.3). */
export function validateDmarcFo(value: string): string | undefined {
  if (value.split(":").every((p) => p === "0" || p === "1" || p === "d" || p === "s")) return undefined;
  return `fo ${shown(value)} is not valid; it is a colon-separated list of 0, 1, d and s, as in "1" or "d:s" (RFC 7489 6.3).`;
}

/** rf: a colon-separated list of registered report formats; only "afrf" is registered (RFC 7489 6.3, 11). */
export function validateDmarcRf(value: string): string | undefined {
  if (value.split(":").every((p) => p === "afrf")) return undefined;
  return `rf ${shown(value)} is not valid; the only registered failure report format is "afrf" (RFC 7489 6.3, 11). Omit the tag to use it.`;
}

/** ri: the aggregate report interval in seconds, a 32-bit unsigned integer (RFC 7489 6.3). */
export function validateDmarcRi(n: number): string | undefined {
  if (Number.isInteger(n) && n >= 0 && n <= 0xffffffff) return undefined;
  return `ri ${shown(n)} is not valid; it is a whole number of seconds (default 86400, one day) (RFC 7489 6.3).`;
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/** The name a domain's DMARC record is published at (RFC 7489 6.1). */
export function dmarcRecordName(domain: string): string {
  return "_dmarc." + normalizeDomain(domain);
}

/**
 * RFC 7489 6.4: a DMARC record starts with the tag "v=DMARC1" (the value is case-sensitive),
 * followed by ";" or the end. Records that do not are discarded by receivers (6.6.3).
 */
export function isDmarcRecord(txt: string): boolean {
  return /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(txt);
}

/**
 * Parse and check a DMARC record (RFC 7489 6.3, 6.4):
 * - "v=DMARC1" must be the first tag (error otherwise; the record is then not DMARC);
 * - "p" is required (error) and belongs right after "v" (warning otherwise);
 * - duplicate tags are errors, unknown tags warnings (receivers ignore them);
 * - values are checked by the per-tag validators above.
 */
export function parseDmarc(txt: string): ParsedDmarc {
  const { record, tags, problems } = readDmarc(txt);
  const valid = !problems.some((p) => p.severity === "error");
  return { ...(record.p !== undefined ? { record: record as DmarcRecord } : {}), tags, problems, valid };
}

/** parseDmarc's reading: the valid tags (p too, when valid), every tag as written, the problems. */
function readDmarc(txt: string): { record: Partial<DmarcRecord>; tags: Record<string, string>; problems: DmarcProblem[] } {
  const problems: DmarcProblem[] = [];
  const tags: Record<string, string> = {};
  const order: string[] = [];
  const error = (code: string, message: string, tag?: string): void => {
    problems.push({ severity: "error", code, message, ...(tag !== undefined ? { tag } : {}) });
  };
  // Every warning names its tag.
  const warning = (code: string, message: string, tag: string): void => {
    problems.push({ severity: "warning", code, message, tag });
  };

  // dmarc-sep = *WSP ";" *WSP; a trailing separator is allowed (RFC 7489 6.4).
  for (const part of txt.split(";")) {
    const text = part.trim();
    if (text === "") continue;
    const m = /^([A-Za-z][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/s.exec(text);
    if (!m) {
      error("dmarc-syntax", `${shown(text)} is not a tag; DMARC records are tag=value pairs separated by ";" (RFC 7489 6.4).`);
      continue;
    }
    const name = (m[1] ?? "").toLowerCase();
    const value = (m[2] ?? "").trim();
    if (name in tags) {
      error("dmarc-duplicate-tag", `The tag "${name}" appears more than once; receivers may reject the record. Keep one "${name}=".`, name);
      continue;
    }
    tags[name] = value;
    order.push(name);
  }

  // RFC 7489 6.3: "v" MUST be the first tag and MUST be exactly "DMARC1".
  if (!isDmarcRecord(txt)) {
    if (order[0] === "v" && /^[vV]/.test(txt) && tags.v !== "DMARC1") {
      const hint = /^DMARC1[ \t]/.test(tags.v ?? "") ? ' Separate the tags with ";", as in "v=DMARC1; p=none".' : "";
      error("dmarc-bad-version", `The version is ${shown(tags.v)}; it must be exactly "DMARC1" (case-sensitive), or receivers ignore the record (RFC 7489 6.3).${hint}`, "v");
    } else {
      error("dmarc-version-first", `The record must start with "v=DMARC1"; receivers ignore a record whose first tag is not v=DMARC1 (RFC 7489 6.3, 6.6.3).`, "v");
    }
    return { record: {}, tags, problems };
  }

  for (const name of order) {
    if (!KNOWN_TAGS.has(name)) {
      const bis = DMARCBIS_TAGS.has(name) ? " It comes from the DMARCbis draft, which RFC 7489 receivers do not implement yet." : " Check the spelling.";
      warning("dmarc-unknown-tag", `The tag "${name}" is not defined by RFC 7489 and receivers ignore it (RFC 7489 6.3).${bis}`, name);
    }
  }

  const record: Partial<DmarcRecord> = { v: "DMARC1" };

  // p: REQUIRED (RFC 7489 6.3), and placed right after v by the ABNF (6.4).
  if (tags.p === undefined) {
    error("dmarc-p-missing", 'The record has no "p" tag; it is required. Add "p=none" to start monitoring, then move to quarantine and reject (RFC 7489 6.3).', "p");
  } else {
    const p = tags.p.toLowerCase();
    const message = validateDmarcPolicy(p);
    if (message) error("dmarc-bad-policy", `p: ${message}`, "p");
    else record.p = p as DmarcPolicy;
    if (order[1] !== "p") {
      warning("dmarc-p-position", 'The "p" tag should come right after "v=DMARC1" (RFC 7489 6.4); some receivers only read it there. Write "v=DMARC1; p=...; ...".', "p");
    }
  }

  if (tags.sp !== undefined) {
    const sp = tags.sp.toLowerCase();
    const message = validateDmarcPolicy(sp);
    if (message) error("dmarc-bad-policy", `sp: ${message}`, "sp");
    else record.sp = sp as DmarcPolicy;
  }

  for (const tag of ["rua", "ruf"] as const) {
    const raw = tags[tag];
    if (raw === undefined) continue;
    // dmarc-auri = dmarc-uri *(*WSP "," *WSP dmarc-uri)  (RFC 7489 6.4)
    const uris = raw.split(",").map((u) => u.trim());
    const good: string[] = [];
    for (const uri of uris) {
      const message = validateDmarcUri(uri);
      if (message) error("dmarc-bad-uri", `${tag}: ${message}`, tag);
      else good.push(uri);
    }
    if (good.length > 0) record[tag] = good;
  }

  if (tags.pct !== undefined) {
    const n = /^[0-9]{1,3}$/.test(tags.pct) ? Number(tags.pct) : Number.NaN;
    const message = validateDmarcPct(n);
    if (message) error("dmarc-bad-pct", `pct: ${/^[0-9]{1,3}$/.test(tags.pct) ? message : `${shown(tags.pct)} is not a whole number from 0 to 100 (RFC 7489 6.3).`}`, "pct");
    else record.pct = n;
  }

  for (const tag of ["adkim", "aspf"] as const) {
    const raw = tags[tag];
    if (raw === undefined) continue;
    const value = raw.toLowerCase();
    const message = validateDmarcAlignment(value);
    if (message) error("dmarc-bad-alignment", `${tag}: ${message}`, tag);
    else record[tag] = value as DmarcAlignment;
  }

  if (tags.fo !== undefined) {
    // dmarc-fo allows *WSP around ":" (RFC 7489 6.4).
    const fo = tags.fo.replace(/[ \t]/g, "").toLowerCase();
    const message = validateDmarcFo(fo);
    if (message) error("dmarc-bad-fo", message, "fo");
    else record.fo = fo;
  }

  if (tags.rf !== undefined) {
    const rf = tags.rf.replace(/[ \t]/g, "").toLowerCase();
    const message = validateDmarcRf(rf);
    if (message) error("dmarc-bad-rf", message, "rf");
    else record.rf = rf;
  }

  if (tags.ri !== undefined) {
    const n = /^[0-9]+$/.test(tags.ri) ? Number(tags.ri) : Number.NaN;
    const message = validateDmarcRi(n);
    if (message) error("dmarc-bad-ri", message, "ri");
    else record.ri = n;
  }

  return { record, tags, problems };
}

/**
 * The canonical text of a record: "v=DMARC1; p=...; sp=...; pct=...; rua=mailto:a,mailto:b; ..."
 * in the fixed order v, p, sp, pct, rua, ruf, adkim, aspf, fo, rf, ri, omitting undefined tags
 * and empty URI lists. Values are written as given: validate them first.
 */
export function buildDmarc(r: DmarcRecord): string {
  const parts: string[] = [];
  for (const tag of TAG_ORDER) {
    const value = r[tag];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) parts.push(`${tag}=${value.join(",")}`);
    } else {
      parts.push(`${tag}=${value}`);
    }
  }
  return parts.join("; ");
}

// ---------------------------------------------------------------------------------------------
// Policy rules
// ---------------------------------------------------------------------------------------------

function policyPath(from: DmarcPolicy, to: DmarcPolicy): string {
  const steps: DmarcPolicy[] = [];
  for (let p = nextPolicyStep(from); p !== undefined && policyRank(p) <= policyRank(to); p = nextPolicyStep(p)) steps.push(p);
  return steps.map((s, i) => `${i === 0 ? "next" : "then"} p=${s}`).join(", ");
}

/**
 * The single rule "policy below a minimum". Checks, in this order, and returns the first hit:
 * - p below `minimum` → "dmarc-policy-below-minimum";
 * - sp (the policy for subdomains, RFC 7489 6.3) below `minimum` → "dmarc-subdomain-policy-below-minimum";
 * - pct < 100, so the rest of failing mail gets the next lower policy (RFC 7489 6.6.4), and
 *   that is below `minimum` → "dmarc-pct-below-minimum".
 * The message names the current policy and the path none → quarantine → reject, next step first.
 */
export function dmarcPolicyProblem(record: DmarcRecord, minimum: DmarcPolicy): DmarcProblem | undefined {
  const ladder = "none → quarantine → reject";
  const advice = "Move one step at a time, after the aggregate (rua) reports show that all legitimate mail passes DMARC.";
  if (policyRank(record.p) < policyRank(minimum)) {
    return {
      severity: "warning",
      code: "dmarc-policy-below-minimum",
      tag: "p",
      message: `The DMARC policy is p=${record.p}, below the required minimum p=${minimum}. Path ${ladder}: ${policyPath(record.p, minimum)}. ${advice}`,
    };
  }
  if (record.sp !== undefined && policyRank(record.sp) < policyRank(minimum)) {
    return {
      severity: "warning",
      code: "dmarc-subdomain-policy-below-minimum",
      tag: "sp",
      message: `The DMARC subdomain policy is sp=${record.sp}, below the required minimum ${minimum}, so mail from subdomains is less protected than p=${record.p}. Path ${ladder}: ${policyPath(record.sp, minimum).replace(/p=/g, "sp=")}, or remove sp to inherit p. ${advice}`,
    };
  }
  const pct = record.pct ?? 100;
  const lower = DMARC_POLICIES[policyRank(record.p) - 1];
  if (pct < 100 && lower !== undefined && policyRank(lower) < policyRank(minimum)) {
    return {
      severity: "warning",
      code: "dmarc-pct-below-minimum",
      tag: "pct",
      message: `The DMARC policy p=${record.p} applies to only pct=${pct}% of failing mail; the other ${100 - pct}% is treated as p=${lower} (RFC 7489 6.6.4), below the required minimum p=${minimum}. Raise pct step by step to 100, or remove it.`,
    };
  }
  return undefined;
}

/**
 * DMARC identifier alignment of one sending domain under its DMARC record (RFC 7489 3.1):
 * which MAIL FROM domains SPF cannot align with it under `aspf`, and whether a DKIM signature
 * with `d=<dkimDomain>` aligns under `adkim`. Easy DKIM and bring-your-own DKIM in SES both sign
 * with the identity's own domain, so DKIM aligns under either mode when the From domain is the
 * identity; SPF is checked on the MAIL FROM domain, which SES requires to be a subdomain, so
 * aspf=s never aligns it. verify (dns.dmarc.alignment) and the policy pack use this one rule.
 */
export function dmarcAlignment(
  domain: string,
  record: Pick<DmarcRecord, "aspf" | "adkim">,
  mailFromDomains: readonly string[],
  dkimDomain: string = domain,
): { aspf: DmarcAlignment; adkim: DmarcAlignment; unalignedMailFroms: string[]; dkimAligned: boolean } {
  const aspf = record.aspf ?? "r";
  const adkim = record.adkim ?? "r";
  return {
    aspf,
    adkim,
    unalignedMailFroms: mailFromDomains.filter((m) => m !== "" && !isAligned(m, domain, aspf)),
    dkimAligned: isAligned(dkimDomain, domain, adkim),
  };
}

/** The names whose DMARC record applies to mail from `domain`, in the order receivers ask them: its own, then its Organisational Domain's (RFC 7489 6.6.3 steps 1-3). */
export function dmarcDiscoveryNames(domain: string): string[] {
  return [...new Set([dmarcRecordName(domain), dmarcRecordName(organizationalDomain(domain))])];
}

/**
 * What the TXT values at one `_dmarc` name mean for policy discovery (RFC 7489 6.6.3 steps 4-6):
 * - `none`: no DMARC record; discovery goes on to the next name (step 3: only an empty set does);
 * - `several`: more than one; discovery ends with no policy (step 5);
 * - `ignored`: no valid "p", or an invalid "sp", and no valid "rua"; no policy (step 6b);
 * - `applies`: the record, its invalid tags left out (6.3: receivers discard them; `errors` says
 *   which). `asNone`: it had no valid "p" or an invalid "sp" but a valid "rua", so receivers act
 *   as if it said p=none and keep its other valid tags (step 6a: the reports still show the
 *   owner the mistake).
 */
export type DmarcAtName =
  | { readonly kind: "none" }
  | { readonly kind: "several"; readonly records: string[] }
  | { readonly kind: "ignored"; readonly text: string; readonly errors: DmarcProblem[] }
  | { readonly kind: "applies"; readonly text: string; readonly record: DmarcRecord; readonly asNone: boolean; readonly errors: DmarcProblem[] };

export function dmarcAtName(txts: readonly string[]): DmarcAtName {
  const records = txts.filter(isDmarcRecord);
  const [text] = records;
  if (text === undefined) return { kind: "none" };
  if (records.length > 1) return { kind: "several", records };
  const { record, tags, problems } = readDmarc(text);
  const errors = problems.filter((p) => p.severity === "error");
  if (record.p !== undefined && (tags.sp === undefined || record.sp !== undefined)) return { kind: "applies", text, record: record as DmarcRecord, asNone: false, errors };
  if (record.rua === undefined) return { kind: "ignored", text, errors };
  const { sp: _invalid, ...rest } = record;
  return { kind: "applies", text, record: { ...rest, v: "DMARC1", p: "none" }, asNone: true, errors };
}

/**
 * The DMARC record that applies to mail from `domain` (RFC 7489 6.6.3), with the name it was
 * found at, or undefined when none does (see dmarcAtName). `lookup` returns the TXT values
 * published at a name.
 */
export function applicableDmarc(domain: string, lookup: (name: string) => readonly string[]): { name: string; record: DmarcRecord } | undefined {
  for (const name of dmarcDiscoveryNames(domain)) {
    const at = dmarcAtName(lookup(name));
    if (at.kind === "none") continue;
    return at.kind === "applies" ? { name, record: at.record } : undefined;
  }
  return undefined;
}

/**
 * Report URIs whose destination is outside the policy domain's Organisational Domain. The
 * destination must publish an authorisation record, or receivers drop those reports
 * (RFC 7489 7.1): "v=DMARC1" at `<policy domain>._report._dmarc.<destination host>`.
 * `domain` is the policy domain (where `_dmarc.` is published), not the `_dmarc` name.
 */
export function externalReportDestinations(
  domain: string,
  record: DmarcRecord,
): { uri: string; destination: string; authorizationName: string }[] {
  const policyDomain = normalizeDomain(domain);
  const policyOrg = organizationalDomain(policyDomain);
  const out: { uri: string; destination: string; authorizationName: string }[] = [];
  const seen = new Set<string>();
  for (const uri of [...(record.rua ?? []), ...(record.ruf ?? [])]) {
    const parsed = parseDmarcUri(uri);
    if (typeof parsed === "string" || seen.has(parsed.uri)) continue;
    seen.add(parsed.uri);
    if (organizationalDomain(parsed.domain) === policyOrg) continue;
    out.push({ uri: parsed.uri, destination: parsed.domain, authorizationName: `${policyDomain}._report._dmarc.${parsed.domain}` });
  }
  return out;
}

/**
 * A TXT value meant as DMARC: it starts with "v=DMARC1" in any case, with optional spaces,
 * whether or not it is valid (`isDmarcRecord` is the strict test receivers apply).
 */
export function looksLikeDmarc(txt: string): boolean {
  return /^\s*v\s*=\s*dmarc1/i.test(txt);
}

/** True for a DMARC policy record name: `_dmarc.<domain>`, or `_dmarc` relative to a zone (RFC 7489 6.1). */
export function isDmarcRecordName(name: string): boolean {
  const n = normalizeDomain(name);
  return n === "_dmarc" || n.startsWith("_dmarc.");
}

/** The policy domain of a DMARC record name (`_dmarc.example.com` → example.com), or undefined. */
export function dmarcPolicyDomain(name: string): string | undefined {
  const n = normalizeDomain(name);
  return n.startsWith("_dmarc.") ? n.slice("_dmarc.".length) : undefined;
}
