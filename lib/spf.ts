/**
 * SPF rules (RFC 7208): syntax, the `all` qualifier, building a record, and the DNS lookup
 * budget.
 *
 * This is the one place these rules live. The config validator (zod), the CrossGuard policy
 * pack and the live `verify` CLI all import them:
 * - `validateSpfTerm` checks one extra mechanism from the config;
 * - `parseSpf` / `allProblem` judge a whole record;
 * - `analyzeSpf` counts lookups through include/redirect chains. It does I/O only through the
 *   `SpfResolver` it is given: `staticResolver` answers from the records a stack declares (the
 *   policy pack), a DNS-backed resolver answers from live DNS (verify).
 */
import { isIPv4, isIPv6 } from "node:net";
import { normalizeDomain, validateDomainName } from "./domain";
import { shown } from "./text";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type SpfQualifier = "+" | "-" | "~" | "?";

export interface SpfTerm {
  /** The term exactly as written in the record. */
  raw: string;
  kind: "mechanism" | "modifier";
  /** "+" when the term has no qualifier (RFC 7208 4.6.2). Modifiers always report "+". */
  qualifier: SpfQualifier;
  /** Lowercased: all, include, a, mx, ptr, ip4, ip6, exists, or the modifier name (redirect, exp, ...). */
  name: string;
  /** The text after "name:" (mechanisms) or "name=" (modifiers), or a bare CIDR suffix such as "/24" for a/mx. */
  value?: string;
  /** The domain-spec of include/a/mx/ptr/exists/redirect/exp, as written (may contain macros). */
  domainSpec?: string;
  /** The network of ip4/ip6, without the prefix length. */
  address?: string;
  /** IPv4 prefix length of ip4, a and mx, when given. */
  cidr4?: number;
  /** IPv6 prefix length of ip6, a and mx, when given. */
  cidr6?: number;
}

export interface SpfProblem {
  severity: "error" | "warning";
  /** Stable identifier, e.g. "spf-all-pass"; policies and tests match on it. */
  code: string;
  /** One or more full sentences: what is wrong, why, and how to fix it. */
  message: string;
  /** The term the problem is about, as written. */
  term?: string;
  /** The name whose SPF record has the problem, when it is not the record being parsed (analyzeSpf). */
  domain?: string;
}

export interface ParsedSpf {
  record: string;
  terms: SpfTerm[];
  problems: SpfProblem[];
  /** True when there is no error-severity problem. */
  valid: boolean;
}

/** RFC 7208 4.6.4: at most 10 terms that cause DNS lookups per evaluation. */
export const SPF_LOOKUP_LIMIT = 10;
/** RFC 7208 4.6.4: at most 2 lookups that return no answer (NXDOMAIN or NODATA). */
export const SPF_VOID_LOOKUP_LIMIT = 2;

const MECHANISMS = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"] as const;
type MechanismName = (typeof MECHANISMS)[number];
const LOOKUP_MECHANISMS: ReadonlySet<string> = new Set(["include", "a", "mx", "ptr", "exists"]);

// ---------------------------------------------------------------------------------------------
// Record detection and parsing
// ---------------------------------------------------------------------------------------------

/**
 * RFC 7208 4.5: a TXT record is an SPF record when it begins with exactly "v=spf1" followed by
 * a space or the end of the string (case-insensitive). "v=spf10" or " v=spf1" are not.
 */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(?: |$)/i.test(txt);
}

/**
 * Parse and check one SPF record against the RFC 7208 section 12 ABNF and the semantic rules of
 * sections 5 and 6. Every term is returned (also broken ones) so callers can show them; `valid`
 * is false when any problem is an error (a receiver would return permerror, or the record
 * authorises everyone).
 */
export function parseSpf(txt: string): ParsedSpf {
  const problems: SpfProblem[] = [];
  if (!isSpfRecord(txt)) {
    const hint = isSpfRecord(txt.trimStart())
      ? " Remove the leading whitespace: receivers compare the start of the record exactly."
      : /^v=spf1\S/i.test(txt)
        ? ' Put a space after "v=spf1".'
        : ' Start the record with "v=spf1".';
    problems.push({
      severity: "error",
      code: "spf-not-spf1",
      message: `The record does not start with "v=spf1" followed by a space, so receivers do not treat it as SPF (RFC 7208 4.5).${hint}`,
    });
    return { record: txt, terms: [], problems, valid: false };
  }

  // RFC 7208 12: terms = *( 1*SP ( directive / modifier ) ), record ends with *SP.
  const terms: SpfTerm[] = [];
  for (const raw of txt.slice("v=spf1".length).split(" ")) {
    if (raw === "") continue;
    const { term, problems: termProblems } = parseTerm(raw);
    terms.push(term);
    problems.push(...termProblems);
  }
  problems.push(...recordProblems(terms));
  return { record: txt, terms, problems, valid: !problems.some((p) => p.severity === "error") };
}

/** Syntax of one term (RFC 7208 12 ABNF: directive / modifier). */
function parseTerm(raw: string): { term: SpfTerm; problems: SpfProblem[] } {
  const problems: SpfProblem[] = [];
  const error = (code: string, message: string): void => {
    problems.push({ severity: "error", code, message, term: raw });
  };

  if (/[^\x21-\x7e]/.test(raw)) {
    // Tabs, other whitespace and non-ASCII characters are outside the ABNF entirely.
    const term: SpfTerm = { raw, kind: "mechanism", qualifier: "+", name: raw.toLowerCase() };
    error(
      "spf-bad-character",
      `The term ${shown(raw)} contains whitespace other than a space, or a non-ASCII character. SPF terms are separated by single spaces and written in ASCII; internationalised domain names must be written in punycode (xn--...) (RFC 7208 12).`,
    );
    return { term, problems };
  }

  // modifier = name "=" macro-string; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )  (RFC 7208 6, 12)
  const modifier = /^([+\-~?]?)([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
  if (modifier) {
    const [, qualifierText = "", nameText = "", value = ""] = modifier;
    const name = nameText.toLowerCase();
    const term: SpfTerm = { raw, kind: "modifier", qualifier: "+", name, value };
    if (qualifierText !== "") {
      error(
        "spf-modifier-qualifier",
        `The modifier ${shown(raw)} has a qualifier ("${qualifierText}"); only mechanisms take +, -, ~ or ? (RFC 7208 12). Write it as "${nameText}=${value}".`,
      );
    }
    if (name === "redirect" || name === "exp") {
      term.domainSpec = value;
      if (value === "") {
        error("spf-domain-required", `${shown(raw)} needs a domain after "=" (RFC 7208 6).`);
      } else {
        const p = checkDomainSpec(value, raw);
        if (p) problems.push(p);
      }
    } else {
      const p = checkMacroString(value, raw);
      if (p) problems.push(p);
    }
    return { term, problems };
  }

  // directive = [ qualifier ] mechanism  (RFC 7208 4.6.2, 5)
  const match = /^([+\-~?]?)([^:/]*)(.*)$/.exec(raw);
  const qualifier = (match?.[1] || "+") as SpfQualifier;
  const nameText = match?.[2] ?? "";
  const rest = match?.[3] ?? "";
  const name = nameText.toLowerCase();
  const term: SpfTerm = { raw, kind: "mechanism", qualifier, name };
  if (rest !== "") term.value = rest.startsWith(":") ? rest.slice(1) : rest;

  if (!(MECHANISMS as readonly string[]).includes(name)) {
    const hints: Record<string, string> = { ipv4: "ip4", ipv6: "ip6", includes: "include", exist: "exists" };
    const hint = hints[name] ? ` Did you mean "${hints[name]}"?` : "";
    error(
      "spf-unknown-mechanism",
      `Unknown mechanism ${shown(nameText)} in ${shown(raw)}; receivers return permerror for the whole record. SPF mechanisms are all, include, a, mx, ptr, ip4, ip6 and exists (RFC 7208 5), and modifiers are written name=value.${hint}`,
    );
    return { term, problems };
  }

  switch (name as MechanismName) {
    case "all":
      // all = "all"  (RFC 7208 5.1)
      if (rest !== "") error("spf-syntax", `"all" takes no argument, but ${shown(raw)} has "${rest}" (RFC 7208 5.1). Write just "${qualifier === "+" ? "" : qualifier}all".`);
      break;

    case "include":
    case "exists": {
      // include = "include" ":" domain-spec; exists = "exists" ":" domain-spec  (RFC 7208 5.2, 5.7)
      if (!rest.startsWith(":") || rest.length === 1) {
        error(
          "spf-domain-required",
          `"${name}" needs a domain, as in "${name}:_spf.example.com", but ${shown(raw)} has none (RFC 7208 ${name === "include" ? "5.2" : "5.7"}).`,
        );
        break;
      }
      term.domainSpec = rest.slice(1);
      const p = checkDomainSpec(term.domainSpec, raw);
      if (p) problems.push(p);
      break;
    }

    case "a":
    case "mx": {
      // a = "a" [ ":" domain-spec ] [ dual-cidr-length ]; same for mx  (RFC 7208 5.3, 5.4)
      // The CIDR suffix is the trailing "/n", "//n" or "/n//n"; the rest is the domain-spec.
      const split = /^(.*?)(?:\/([0-9]+))?(?:\/\/([0-9]+))?$/.exec(rest);
      const spec = split?.[1] ?? rest;
      const c4 = split?.[2];
      const c6 = split?.[3];
      if (spec !== "") {
        if (!spec.startsWith(":") || spec.length === 1) {
          error(
            spec.startsWith(":") ? "spf-domain-required" : "spf-syntax",
            `${shown(raw)} is not valid: "${name}" is followed by ":domain", "/prefix" or "//ipv6-prefix", as in "${name}:mail.example.com/24" (RFC 7208 ${name === "a" ? "5.3" : "5.4"}).`,
          );
        } else {
          term.domainSpec = spec.slice(1);
          const p = checkDomainSpec(term.domainSpec, raw);
          if (p) problems.push(p);
        }
      }
      if (c4 !== undefined) {
        const n = checkCidr(c4, 32, raw, "IPv4");
        if (typeof n === "number") term.cidr4 = n;
        else problems.push(n);
      }
      if (c6 !== undefined) {
        const n = checkCidr(c6, 128, raw, "IPv6");
        if (typeof n === "number") term.cidr6 = n;
        else problems.push(n);
      }
      break;
    }

    case "ptr":
      // ptr = "ptr" [ ":" domain-spec ]  (RFC 7208 5.5)
      if (rest !== "") {
        if (!rest.startsWith(":") || rest.length === 1) {
          error("spf-syntax", `${shown(raw)} is not valid: "ptr" takes only an optional ":domain" (RFC 7208 5.5).`);
        } else {
          term.domainSpec = rest.slice(1);
          const p = checkDomainSpec(term.domainSpec, raw);
          if (p) problems.push(p);
        }
      }
      break;

    case "ip4":
    case "ip6": {
      // ip4 = "ip4" ":" ip4-network [ ip4-cidr-length ]; ip6 likewise  (RFC 7208 5.6)
      const v6 = name === "ip6";
      const family = v6 ? "IPv6" : "IPv4";
      if (!rest.startsWith(":") || rest.length === 1) {
        error(
          v6 ? "spf-bad-ip6" : "spf-bad-ip4",
          `"${name}" needs an ${family} address or network, as in "${v6 ? "ip6:2001:db8::/32" : "ip4:192.0.2.0/24"}", but ${shown(raw)} has none (RFC 7208 5.6).`,
        );
        break;
      }
      const body = rest.slice(1);
      const slash = body.indexOf("/");
      const address = slash === -1 ? body : body.slice(0, slash);
      term.address = address;
      const ok = v6 ? isIPv6(address) && !address.includes("%") : isIPv4(address);
      if (!ok) {
        const other = v6 ? isIPv4(address) : isIPv6(address);
        error(
          v6 ? "spf-bad-ip6" : "spf-bad-ip4",
          `${shown(address)} in ${shown(raw)} is not a valid ${family} address${other ? `; it is an ${v6 ? "IPv4" : "IPv6"} address, so use "${v6 ? "ip4" : "ip6"}:"` : ""} (RFC 7208 5.6).`,
        );
      }
      if (slash !== -1) {
        const n = checkCidr(body.slice(slash + 1), v6 ? 128 : 32, raw, family);
        if (typeof n === "number") {
          if (v6) term.cidr6 = n;
          else term.cidr4 = n;
        } else {
          problems.push(n);
        }
      }
      break;
    }
  }
  const wide = networkSizeProblem(term);
  if (wide) problems.push(wide);
  return { term, problems };
}

// ---------------------------------------------------------------------------------------------
// Networks that authorise a large part of the internet
// ---------------------------------------------------------------------------------------------

/**
 * Prefix lengths below which a passing network is judged too wide. Not in the RFC; the lines
 * are drawn from how address space is handed out:
 * - error (like "+all"): shorter than the blocks IANA allocates to a whole regional internet
 *   registry, IPv4 /8 (IANA IPv4 Address Space Registry) and IPv6 /12 (IANA IPv6 Global Unicast
 *   Address Assignments: 2400::/12 APNIC, 2600::/12 ARIN, 2a00::/12 RIPE NCC...). No sender's
 *   mail servers span more than a registry's block; such a term authorises strangers by design.
 * - warning: shorter than IPv4 /16 (65,536 addresses) or IPv6 /32 (the RIRs' standard
 *   allocation to a whole ISP, RIPE-738 5.1.2, ARIN NRPM 6.5.2). Mail providers publish far
 *   narrower ranges (Amazon SES's own record: /18 to /22; Google's: /16 to /20, IPv6 /36), so a
 *   wider one is usually a typo or a hosting provider's whole range, shared with its other
 *   customers. It may be deliberate, so it is a warning.
 * The same lines apply to the dual-cidr-length of `a` and `mx` (`a/8` authorises the /8 around
 * each address of the domain). Only passing terms (`+`, the default) authorise; `-`, `~` and
 * `?` networks do not.
 */
export const SPF_NETWORK_ERROR_PREFIX = { ipv4: 8, ipv6: 12 } as const;
export const SPF_NETWORK_WARNING_PREFIX = { ipv4: 16, ipv6: 32 } as const;

/**
 * The size problem of one parsed ip4, ip6, a or mx term, or undefined: "spf-ip-whole-internet"
 * (error) for a /0, "spf-wide-network" (error) below SPF_NETWORK_ERROR_PREFIX,
 * "spf-large-network" (warning) below SPF_NETWORK_WARNING_PREFIX. parseSpf reports it; the
 * config validator, the policy pack and verify all judge records through parseSpf. It reads
 * `cidr4` and `cidr6` as parseSpf sets them (ip4 has only cidr4, ip6 only cidr6). When both
 * prefixes of an a or mx term get the same verdict, it names the IPv6 one (a/8//12 names the /12).
 */
export function networkSizeProblem(term: SpfTerm): SpfProblem | undefined {
  if (term.kind !== "mechanism" || term.qualifier !== "+" || !["ip4", "ip6", "a", "mx"].includes(term.name)) return undefined;
  const around = term.name === "a" || term.name === "mx" ? ` around each address ${term.name === "a" ? "the name resolves to" : "of the name's MX hosts"}` : "";
  const candidates: { family: "IPv4" | "IPv6"; prefix: number; error: number; warning: number }[] = [];
  if (term.cidr4 !== undefined) candidates.push({ family: "IPv4", prefix: term.cidr4, error: SPF_NETWORK_ERROR_PREFIX.ipv4, warning: SPF_NETWORK_WARNING_PREFIX.ipv4 });
  if (term.cidr6 !== undefined) candidates.push({ family: "IPv6", prefix: term.cidr6, error: SPF_NETWORK_ERROR_PREFIX.ipv6, warning: SPF_NETWORK_WARNING_PREFIX.ipv6 });
  // The family with the worse verdict (/0, then below the error line, then below the warning
  // line); IPv6, the later candidate, on a tie.
  const rank = (c: (typeof candidates)[number]): number => (c.prefix === 0 ? 3 : c.prefix < c.error ? 2 : c.prefix < c.warning ? 1 : 0);
  let worst: (typeof candidates)[number] | undefined;
  for (const c of candidates) if (worst === undefined || rank(c) >= rank(worst)) worst = c;
  if (!worst || worst.prefix >= worst.warning) return undefined;
  const addresses = worst.family === "IPv4" ? ` (${(2 ** (32 - worst.prefix)).toLocaleString("en-US")} addresses)` : ` (2^${128 - worst.prefix} addresses)`;
  if (worst.prefix === 0) {
    return {
      severity: "error",
      code: "spf-ip-whole-internet",
      message: `${shown(term.raw)} is a /0 network${around}: it authorises every ${worst.family} address on the internet, like "+all". List only your own sending networks.`,
      term: term.raw,
    };
  }
  if (worst.prefix < worst.error) {
    return {
      severity: "error",
      code: "spf-wide-network",
      message: `${shown(term.raw)} authorises a /${worst.prefix} ${worst.family} network${around}${addresses}, more than a whole regional registry's block (/${worst.error}): anyone with an address in it passes SPF as this domain. List only your own sending networks, or the provider's include:.`,
      term: term.raw,
    };
  }
  return {
    severity: "warning",
    code: "spf-large-network",
    message: `${shown(term.raw)} authorises a /${worst.prefix} ${worst.family} network${around}${addresses}, wider than /${worst.warning}: every other user of that range (a hosting or cloud provider's customers) passes SPF as this domain. Narrow it to your own sending hosts, or use the provider's include:.`,
    term: term.raw,
  };
}

/** ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)  (RFC 7208 12) */
function checkCidr(text: string, max: number, raw: string, family: string): number | SpfProblem {
  const n = Number(text);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || n > max) {
    return {
      severity: "error",
      code: "spf-bad-cidr",
      message: `The ${family} prefix length "/${text}" in ${shown(raw)} is not valid; it must be a whole number from 0 to ${max} without leading zeros (RFC 7208 5.6).`,
      term: raw,
    };
  }
  return n;
}

/** Macro letters of RFC 7208 7.2. c, r and t are allowed only in explanation text, never in a domain-spec. */
const MACRO_LETTERS = "slodipvhcrt";
const EXP_ONLY_LETTERS = "crt";

/**
 * Check the macro syntax of a macro-string (RFC 7208 7.1):
 *   macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
 *   transformers = *DIGIT [ "r" ];  delimiter = "." / "-" / "+" / "," / "/" / "_" / "="
 * Returns the problem, if any, and whether the string ends with a macro-expand.
 */
function scanMacros(value: string, raw: string, inDomainSpec: boolean): { problem?: SpfProblem; endsWithMacro: boolean; hasMacro: boolean } {
  const bad = (message: string, section = "7.1"): { problem: SpfProblem; endsWithMacro: boolean; hasMacro: boolean } => ({
    problem: { severity: "error", code: "spf-bad-macro", message: `${message}, in ${shown(raw)} (RFC 7208 ${section}).`, term: raw },
    endsWithMacro: false,
    hasMacro: true,
  });
  let endsWithMacro = false;
  let hasMacro = false;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== "%") {
      endsWithMacro = false;
      continue;
    }
    hasMacro = true;
    const next = value[i + 1];
    if (next === "%" || next === "_" || next === "-") {
      i++;
      endsWithMacro = true;
      continue;
    }
    if (next !== "{") {
      return bad(`"%" must start a macro such as %{d} or be written "%%" for a literal percent sign, but it is followed by ${next === undefined ? "nothing" : shown(next)}`);
    }
    const close = value.indexOf("}", i + 2);
    if (close === -1) return bad(`The macro starting at "${value.slice(i)}" has no closing "}"`);
    const body = value.slice(i + 2, close);
    const m = /^([a-z])([0-9]*)(r?)([.\-+,/_=]*)$/i.exec(body);
    const letter = m?.[1]?.toLowerCase();
    if (!m || letter === undefined || !MACRO_LETTERS.includes(letter)) {
      return bad(
        `The macro "%{${body}}" is not valid; it is a letter (s, l, o, d, i, p, v, h), optional digits, an optional "r" and optional delimiters (. - + , / _ =), as in %{ir} or %{d2}`,
      );
    }
    if (inDomainSpec && EXP_ONLY_LETTERS.includes(letter)) {
      return bad(`The macro letter "${m[1]}" in "%{${body}}" may be used only in explanation text, not in a domain`, "7.2");
    }
    if (m[2] !== "" && Number(m[2]) === 0) {
      return bad(`The digit transformer in "%{${body}}" must be greater than zero`, "7.3");
    }
    i = close;
    endsWithMacro = true;
  }
  return { endsWithMacro, hasMacro };
}

function checkMacroString(value: string, raw: string): SpfProblem | undefined {
  return scanMacros(value, raw, false).problem;
}

/**
 * domain-spec = macro-string domain-end;  domain-end = ( "." toplabel [ "." ] ) / macro-expand
 * toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 * (RFC 7208 7.1, 12). A spec without macros must also be a valid DNS name (RFC 7208 4.3);
 * underscores are allowed there (e.g. _spf.google.com). The callers report an empty spec
 * themselves ("spf-domain-required"), each with its own wording.
 */
function checkDomainSpec(spec: string, raw: string): SpfProblem | undefined {
  const err = (message: string): SpfProblem => ({ severity: "error", code: "spf-bad-domain-spec", message, term: raw });
  const scan = scanMacros(spec, raw, true);
  if (scan.problem) return scan.problem;
  if (!scan.endsWithMacro) {
    const withoutDot = spec.endsWith(".") ? spec.slice(0, -1) : spec;
    const dot = withoutDot.lastIndexOf(".");
    const top = withoutDot.slice(dot + 1);
    const toplabel = /^(?=[a-z0-9]*[a-z])[a-z0-9]+$|^[a-z0-9]+-[a-z0-9-]*[a-z0-9]$/i;
    if (dot === -1 || !toplabel.test(top)) {
      return err(
        `The domain ${shown(spec)} in ${shown(raw)} is not a fully qualified domain name: it needs at least one dot and must end in a top-level label that is not all digits, as in "_spf.example.com" (RFC 7208 7.1).`,
      );
    }
  }
  if (!scan.hasMacro) {
    const message = validateDomainName(spec, { allowUnderscore: true });
    if (message) return err(`${message} (in ${shown(raw)})`);
  }
  return undefined;
}

/** Rules that look at the record as a whole (RFC 7208 5.1, 5.5, 6). */
function recordProblems(terms: readonly SpfTerm[]): SpfProblem[] {
  const problems: SpfProblem[] = [];
  const mechanisms = terms.filter((t) => t.kind === "mechanism");
  const firstAll = mechanisms.find((t) => t.name === "all");

  // RFC 7208 6: redirect and exp MUST NOT appear more than once each (permerror).
  for (const name of ["redirect", "exp"]) {
    const found = terms.filter((t) => t.kind === "modifier" && t.name === name);
    if (found.length > 1) {
      problems.push({
        severity: "error",
        code: "spf-duplicate-modifier",
        message: `The "${name}" modifier appears ${found.length} times; it may appear at most once, so receivers return permerror (RFC 7208 6). Keep one.`,
        term: found[1]?.raw,
      });
    }
  }

  // RFC 7208 5.1: mechanisms after "all" MUST be ignored.
  if (firstAll) {
    for (const t of mechanisms.slice(mechanisms.indexOf(firstAll) + 1)) {
      problems.push({
        severity: "warning",
        code: "spf-terms-after-all",
        message: `${shown(t.raw)} comes after ${shown(firstAll.raw)} and is never evaluated: mechanisms after "all" are ignored (RFC 7208 5.1). Move it before "all" or remove it.`,
        term: t.raw,
      });
    }
    // RFC 7208 5.1 / 6.1: a redirect is ignored when the record has an "all" mechanism.
    const redirect = terms.find((t) => t.kind === "modifier" && t.name === "redirect");
    if (redirect) {
      problems.push({
        severity: "warning",
        code: "spf-redirect-ignored",
        message: `${shown(redirect.raw)} is ignored because the record also has ${shown(firstAll.raw)} (RFC 7208 6.1). Remove one of the two.`,
        term: redirect.raw,
      });
    }
  }

  // RFC 7208 5.5: "ptr" SHOULD NOT be published.
  for (const t of mechanisms.filter((m) => m.name === "ptr")) {
    problems.push({
      severity: "warning",
      code: "spf-ptr",
      message: `${shown(t.raw)} uses the "ptr" mechanism, which is slow, unreliable and SHOULD NOT be used (RFC 7208 5.5); some receivers skip it. List the senders with ip4:, ip6:, a or include instead.`,
      term: t.raw,
    });
  }

  // The same term twice evaluates (and for lookup terms, pays) twice for nothing.
  const seen = new Set<string>();
  for (const t of terms) {
    const key = termKey(t.raw);
    if (seen.has(key) && !(t.kind === "modifier" && (t.name === "redirect" || t.name === "exp"))) {
      problems.push({
        severity: "warning",
        code: "spf-duplicate-term",
        message: `${shown(t.raw)} appears more than once; the repeat adds nothing${LOOKUP_MECHANISMS.has(t.name) ? " but costs another DNS lookup" : ""}. Remove it.`,
        term: t.raw,
      });
    }
    seen.add(key);
  }

  const all = allProblemFromTerms(terms);
  if (all) problems.push(all);
  return problems;
}

/**
 * Key for comparing terms: "+" is the default qualifier (RFC 7208 4.6.2); names fold ASCII case
 * only, as the ABNF and DNS do (RFC 5234 2.3, RFC 4343; a non-ASCII term is spf-bad-character
 * anyway); a macro keeps its case (uppercase means URL-escape, RFC 7208 7.3).
 */
function termKey(raw: string): string {
  const body = raw.startsWith("+") ? raw.slice(1) : raw;
  return body.replace(/%\{[^}]*\}|%.|[^%]+/g, (part) => (part.startsWith("%{") ? part : part.replace(/[A-Z]/g, (c) => c.toLowerCase())));
}

// ---------------------------------------------------------------------------------------------
// The `all` rule
// ---------------------------------------------------------------------------------------------

/**
 * The one rule for the `all` qualifier (RFC 7208 5.1, 4.7, 8):
 * - "+all" → error "spf-all-pass": it authorises the whole internet;
 * - "?all" → warning "spf-all-neutral": unlisted senders get neutral, as without SPF;
 * - no "all" and no "redirect" → warning "spf-all-missing": the default result is neutral;
 * - "~all" and "-all" → no problem.
 * Only the first "all" counts; anything after it is ignored by receivers.
 */
export function allProblem(parsed: ParsedSpf): SpfProblem | undefined {
  return allProblemFromTerms(parsed.terms);
}

function allProblemFromTerms(terms: readonly SpfTerm[]): SpfProblem | undefined {
  const all = terms.find((t) => t.kind === "mechanism" && t.name === "all");
  if (!all) {
    if (terms.some((t) => t.kind === "modifier" && t.name === "redirect")) return undefined;
    return {
      severity: "warning",
      code: "spf-all-missing",
      message:
        'The record has no "all" mechanism and no "redirect", so mail from unlisted senders gets the default "neutral" result, the same as "?all" (RFC 7208 4.7). End the record with "~all" or "-all".',
    };
  }
  if (all.qualifier === "+") {
    return {
      severity: "error",
      code: "spf-all-pass",
      message: `${shown(all.raw)} authorises every host on the internet to send mail as this domain, so SPF protects nothing (RFC 7208 5.1). Use "~all" (soft fail) or "-all" (fail).`,
      term: all.raw,
    };
  }
  if (all.qualifier === "?") {
    return {
      severity: "warning",
      code: "spf-all-neutral",
      message: `${shown(all.raw)} gives unlisted senders a "neutral" result, which receivers treat like having no SPF policy (RFC 7208 8.2). Use "~all" while rolling out, then "-all".`,
      term: all.raw,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// One user-supplied term
// ---------------------------------------------------------------------------------------------

/**
 * Validate ONE term that a user wants merged into the generated record, e.g.
 * "include:_spf.google.com" or "ip4:192.0.2.0/24". Returns an error-severity problem, or
 * undefined when the term can be merged.
 *
 * Rejects: an empty or multi-term string, "v=spf1", any `all` (the program adds `all` itself),
 * modifiers (redirect/exp cannot be merged, unknown modifiers do nothing), and anything
 * `parseSpf` flags as an error. Legal but discouraged terms (such as "ptr") pass: the policy
 * pack judges them on the built record with `parseSpf`, so config does not block them.
 */
export function validateSpfTerm(term: string): SpfProblem | undefined {
  const t = term.trim();
  if (t === "") {
    return { severity: "error", code: "spf-term-empty", message: 'The SPF term is empty; give one mechanism such as "include:_spf.example.com" or "ip4:192.0.2.0/24".' };
  }
  if (/\s/.test(t)) {
    return {
      severity: "error",
      code: "spf-term-multiple",
      message: `${shown(t)} contains whitespace; give one SPF mechanism per entry (split "${t.split(/\s+/).join('", "')}" into separate entries).`,
      term: t,
    };
  }
  if (/^v=/i.test(t)) {
    return {
      severity: "error",
      code: "spf-term-version",
      message: `${shown(t)} is the SPF version tag; give only the mechanisms to add, the program writes "v=spf1" itself.`,
      term: t,
    };
  }
  const parsed = parseSpf(`v=spf1 ${t}`);
  const parsedTerm = parsed.terms[0];
  if (parsedTerm?.kind === "modifier") {
    const mergeable = parsedTerm.name === "redirect" || parsedTerm.name === "exp";
    return {
      severity: "error",
      code: "spf-term-modifier",
      message: mergeable
        ? `${shown(t)} is the "${parsedTerm.name}" modifier, which cannot be merged into a generated record (a record has at most one, and redirect is ignored next to "all"). Use "include:${parsedTerm.value ?? ""}" to authorise that domain's senders.`
        : `${shown(t)} is a modifier ("${parsedTerm.name}="), which receivers ignore unless they know it (RFC 7208 6). Give a mechanism such as "include:${parsedTerm.value ?? "example.com"}" instead.`,
      term: t,
    };
  }
  if (parsedTerm?.kind === "mechanism" && parsedTerm.name === "all") {
    return {
      severity: "error",
      code: "spf-term-all",
      message: `${shown(t)} is an "all" mechanism; do not list it, the program ends the record with "all" itself (choose "~all" or "-all" in the SPF settings).`,
      term: t,
    };
  }
  return parsed.problems.find((p) => p.severity === "error");
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

/**
 * Build "v=spf1 <mechanisms> <all>". Mechanisms are trimmed and de-duplicated (case-insensitive,
 * "+x" equals "x"; see termKey) keeping the first occurrence and the order. Validate each
 * mechanism with `validateSpfTerm` first: this function does not check them.
 */
export function buildSpf(mechanisms: readonly string[], all: "~all" | "-all"): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of mechanisms) {
    const t = m.trim();
    if (t === "") continue;
    const key = termKey(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return ["v=spf1", ...out, all].join(" ");
}

// ---------------------------------------------------------------------------------------------
// Lookup budget
// ---------------------------------------------------------------------------------------------

/**
 * The terms that cost a DNS lookup during evaluation (RFC 7208 4.6.4): include, a, mx, ptr and
 * exists mechanisms, and the redirect modifier. Like a receiver, this skips what is never
 * evaluated: mechanisms after the first "all", and "redirect" when the record has "all".
 * ip4, ip6, all and exp cost nothing.
 */
export function lookupTerms(parsed: ParsedSpf): SpfTerm[] {
  const out: SpfTerm[] = [];
  let hasAll = false;
  for (const t of parsed.terms) {
    if (t.kind !== "mechanism") continue;
    if (LOOKUP_MECHANISMS.has(t.name)) out.push(t);
    if (t.name === "all") {
      hasAll = true;
      break;
    }
  }
  if (!hasAll) {
    const redirect = parsed.terms.find((t) => t.kind === "modifier" && t.name === "redirect");
    if (redirect) out.push(redirect);
  }
  return out;
}

export type SpfTxtAnswer =
  /** All TXT strings at the name (each TXT record's strings already joined). */
  | { kind: "records"; records: string[] }
  | { kind: "nxdomain" }
  | { kind: "nodata" }
  /** Not knowable: static mode, the name is not in the stack; live mode, a timeout or SERVFAIL. */
  | { kind: "unknown"; reason: string };

export interface SpfResolver {
  txt(name: string): Promise<SpfTxtAnswer>;
  /** Optional: whether a/mx/exists targets resolve at all, for void-lookup counting. Return undefined when unknown. */
  hasAddressOrMx?(name: string, type: "a" | "mx"): Promise<boolean | undefined>;
}

export interface SpfLookupNode {
  /** The term as written, e.g. "include:_spf.google.com". */
  term: string;
  /** The term's lowercased name: include, a, mx, ptr, exists or redirect. */
  name: string;
  /** The name the term looks up (the domain-spec as written when it contains macros). */
  domain: string;
  /** What this term itself costs: always 1. */
  lookups: number;
  /** This term plus everything under it. */
  subtotal: number;
  children: SpfLookupNode[];
  /** Why the count under this term is incomplete, or other context (e.g. "timed out"). */
  note?: string;
  /** The lookup returned no answer (NXDOMAIN or NODATA): it counts toward the void limit. */
  void?: boolean;
}

export interface SpfAnalysis {
  domain: string;
  record?: string;
  parsed?: ParsedSpf;
  /** Lookups used by a full evaluation; a lower bound when `unknown` is not empty. */
  total: number;
  voidLookups: number;
  tree: SpfLookupNode[];
  /** total > SPF_LOOKUP_LIMIT */
  exceeded: boolean;
  /** voidLookups > SPF_VOID_LOOKUP_LIMIT */
  voidExceeded: boolean;
  /** Names that could not be followed; `total` is then a lower bound. */
  unknown: string[];
  /**
   * Everything found: the record's own parse problems, missing or duplicate records, include and
   * redirect targets without SPF, loops, nested errors, and the two limits.
   */
  problems: SpfProblem[];
}

export interface SpfAnalyzeOptions {
  /** How deep include/redirect chains are followed. Default 10: deeper always exceeds the limit. */
  maxDepth?: number;
  /** Upper bound on TXT queries, against pathological trees. Default 100. */
  maxQueries?: number;
}

interface WalkContext {
  resolver: SpfResolver;
  maxDepth: number;
  maxQueries: number;
  queries: number;
}

interface WalkResult {
  nodes: SpfLookupNode[];
  problems: SpfProblem[];
  unknown: string[];
}

type FetchResult =
  | { kind: "record"; record: string; parsed: ParsedSpf }
  | { kind: "none"; void: boolean; detail: string }
  | { kind: "multiple"; count: number }
  | { kind: "unknown"; reason: string };

async function fetchSpf(name: string, ctx: WalkContext): Promise<FetchResult> {
  ctx.queries++;
  const answer = await ctx.resolver.txt(name);
  switch (answer.kind) {
    case "unknown":
      return { kind: "unknown", reason: answer.reason };
    case "nxdomain":
      return { kind: "none", void: true, detail: "the name does not exist (NXDOMAIN)" };
    case "nodata":
      return { kind: "none", void: true, detail: "the name has no TXT records" };
    case "records": {
      const spf = answer.records.filter(isSpfRecord);
      if (spf.length === 0) return { kind: "none", void: answer.records.length === 0, detail: "none of its TXT records starts with \"v=spf1\"" };
      if (spf.length > 1) return { kind: "multiple", count: spf.length };
      const record = spf[0] ?? "";
      return { kind: "record", record, parsed: parseSpf(record) };
    }
  }
}

function hasMacro(spec: string): boolean {
  return spec.includes("%");
}

/**
 * Count the DNS lookups an evaluation of `domain`'s SPF record needs (RFC 7208 4.6.4): each
 * include, a, mx, ptr, exists and redirect costs 1, recursively through include and redirect
 * targets. Works with partial knowledge: a target whose TXT answer is "unknown" (not in the
 * stack, timed out) or whose name contains macros counts as its own 1 lookup, is listed in
 * `unknown`, and makes `total` a lower bound. Loops are detected along each chain and depth
 * is capped.
 *
 * Void lookups (RFC 7208 4.6.4): include/redirect targets that are NXDOMAIN/NODATA, and
 * a/mx/exists targets for which `resolver.hasAddressOrMx` returns false.
 */
export async function analyzeSpf(domain: string, resolver: SpfResolver, options: SpfAnalyzeOptions = {}): Promise<SpfAnalysis> {
  const name = normalizeDomain(domain);
  const ctx: WalkContext = { resolver, maxDepth: options.maxDepth ?? 10, maxQueries: options.maxQueries ?? 100, queries: 0 };
  const analysis: SpfAnalysis = {
    domain: name,
    total: 0,
    voidLookups: 0,
    tree: [],
    exceeded: false,
    voidExceeded: false,
    unknown: [],
    problems: [],
  };

  const root = await fetchSpf(name, ctx);
  switch (root.kind) {
    case "unknown":
      analysis.unknown.push(name);
      analysis.problems.push({
        severity: "warning",
        code: "spf-unknown",
        message: `The TXT records of ${name} could not be read (${root.reason}), so its SPF record was not checked.`,
        domain: name,
      });
      return analysis;
    case "none":
      analysis.problems.push({
        severity: "error",
        code: "spf-missing",
        message: `${name} has no SPF record (${root.detail}), so receivers get the SPF result "none" for its mail (RFC 7208 4.5). Publish one TXT record such as "v=spf1 include:amazonses.com ~all".`,
        domain: name,
      });
      return analysis;
    case "multiple":
      analysis.problems.push({
        severity: "error",
        code: "spf-multiple-records",
        message: `${name} has ${root.count} SPF records; receivers return permerror when there is more than one (RFC 7208 3.2, 4.5), so SPF fails for all its mail. Merge them into a single "v=spf1 ..." record.`,
        domain: name,
      });
      return analysis;
    case "record":
      break;
  }

  analysis.record = root.record;
  analysis.parsed = root.parsed;
  analysis.problems.push(...root.parsed.problems);
  const walked = await walkRecord(name, root.parsed, [name], 0, ctx);
  analysis.tree = walked.nodes;
  analysis.problems.push(...walked.problems);
  analysis.unknown.push(...walked.unknown);
  analysis.total = walked.nodes.reduce((sum, n) => sum + n.subtotal, 0);
  analysis.voidLookups = countVoid(walked.nodes);
  analysis.exceeded = analysis.total > SPF_LOOKUP_LIMIT;
  analysis.voidExceeded = analysis.voidLookups > SPF_VOID_LOOKUP_LIMIT;
  const lowerBound = analysis.unknown.length > 0;

  if (analysis.exceeded) {
    const worst = worstIncludes(analysis)
      .slice(0, 3)
      .map((w) => `"${w.term}" costs ${w.subtotal}`)
      .join(", ");
    analysis.problems.push({
      severity: "error",
      code: "spf-lookup-limit",
      message:
        `The SPF record of ${name} needs ${lowerBound ? "at least " : ""}${analysis.total} DNS lookups, more than the limit of ${SPF_LOOKUP_LIMIT}; receivers return permerror, so SPF fails for all its mail (RFC 7208 4.6.4).` +
        (worst ? ` ${worst} of your ${SPF_LOOKUP_LIMIT} lookups.` : "") +
        " Remove senders you no longer use, replace includes with their ip4:/ip6: ranges, or send through a subdomain with its own record.",
      domain: name,
    });
  }
  if (analysis.voidExceeded) {
    const voids = collectVoid(walked.nodes).map((n) => `"${n.term}"`).join(", ");
    analysis.problems.push({
      severity: "error",
      code: "spf-void-limit",
      message: `The SPF record of ${name} makes ${analysis.voidLookups} lookups that return no answer (${voids}); receivers should return permerror after ${SPF_VOID_LOOKUP_LIMIT} (RFC 7208 4.6.4). Remove the terms that point at names that do not exist.`,
      domain: name,
    });
  }
  return analysis;
}

async function walkRecord(domain: string, parsed: ParsedSpf, chain: readonly string[], depth: number, ctx: WalkContext): Promise<WalkResult> {
  const result: WalkResult = { nodes: [], problems: [], unknown: [] };
  const via = chain.join(" → ");

  for (const term of lookupTerms(parsed)) {
    const spec = term.domainSpec;
    const literal = spec === undefined ? domain : hasMacro(spec) ? undefined : normalizeDomain(spec);
    const node: SpfLookupNode = { term: term.raw, name: term.name, domain: literal ?? spec ?? domain, lookups: 1, subtotal: 1, children: [] };
    result.nodes.push(node);

    if (term.name === "include" || term.name === "redirect") {
      const isInclude = term.name === "include";
      if (spec === undefined || spec === "") {
        node.note = "not followed: the term has no domain (a syntax error)";
        continue;
      }
      if (literal === undefined) {
        node.note = "not followed: the domain contains macros, which are expanded per message; counted as at least 1";
        result.unknown.push(spec);
        continue;
      }
      if (chain.includes(literal)) {
        node.note = `loop: ${literal} is already being evaluated`;
        result.problems.push({
          severity: "error",
          code: "spf-loop",
          message: `"${term.raw}" in the SPF record of ${domain} leads back to ${literal} (${via} → ${literal}). The loop uses up the lookup limit on every evaluation, so receivers return permerror (RFC 7208 4.6.4, 5.2). Remove the ${term.name}.`,
          term: term.raw,
          domain,
        });
        continue;
      }
      if (depth + 1 > ctx.maxDepth) {
        node.note = `not followed: nested deeper than ${ctx.maxDepth} levels; counted as at least 1`;
        result.unknown.push(literal);
        continue;
      }
      if (ctx.queries >= ctx.maxQueries) {
        node.note = `not followed: the analysis stopped after ${ctx.maxQueries} queries; counted as at least 1`;
        result.unknown.push(literal);
        continue;
      }

      const target = await fetchSpf(literal, ctx);
      switch (target.kind) {
        case "unknown":
          node.note = `not followed (${target.reason}): counted as at least 1 lookup, the lookups inside it are unknown`;
          result.unknown.push(literal);
          break;
        case "none":
          node.void = target.void || undefined;
          node.note = target.detail;
          // RFC 7208 5.2: an include whose target has no SPF record ("none") is a permerror;
          // RFC 7208 6.1: so is a redirect to a domain without one.
          result.problems.push({
            severity: "error",
            code: isInclude ? "spf-include-no-record" : "spf-redirect-no-record",
            message: `"${term.raw}" in the SPF record of ${domain} points at ${literal}, which has no SPF record (${target.detail}); receivers return permerror (RFC 7208 ${isInclude ? "5.2" : "6.1"}). Fix the name or remove the term.`,
            term: term.raw,
            domain,
          });
          break;
        case "multiple":
          node.note = `${target.count} SPF records: permerror`;
          result.problems.push({
            severity: "error",
            code: "spf-multiple-records",
            message: `${literal} (reached through "${term.raw}" in ${via}) has ${target.count} SPF records; receivers return permerror (RFC 7208 4.5).${isInclude ? ` Ask its owner to merge them, or stop including it.` : " Merge them into one record."}`,
            term: term.raw,
            domain: literal,
          });
          break;
        case "record": {
          // An include only imports a "pass"; an error (permerror) inside it propagates (RFC 7208
          // 5.2), but its warnings (e.g. its own "all") do not matter to the includer. A redirect
          // target's record replaces this one entirely (RFC 7208 6.1), so all of its problems do.
          const keep = (p: SpfProblem): boolean => !isInclude || p.severity === "error";
          for (const p of target.parsed.problems.filter(keep)) {
            result.problems.push({
              ...p,
              message: `In the SPF record of ${literal} (reached through ${via} → ${literal}): ${p.message}`,
              domain: literal,
            });
          }
          const inner = await walkRecord(literal, target.parsed, [...chain, literal], depth + 1, ctx);
          node.children = inner.nodes;
          node.subtotal = 1 + inner.nodes.reduce((sum, n) => sum + n.subtotal, 0);
          result.problems.push(...inner.problems.filter(keep));
          result.unknown.push(...inner.unknown);
          break;
        }
      }
      continue;
    }

    // a, mx, exists: void when the target does not resolve (if the resolver can tell). ptr
    // depends on the connecting IP, so it cannot be judged ahead of time.
    if ((term.name === "a" || term.name === "mx" || term.name === "exists") && literal !== undefined && ctx.resolver.hasAddressOrMx) {
      const type = term.name === "mx" ? "mx" : "a";
      const resolves = await ctx.resolver.hasAddressOrMx(literal, type);
      if (resolves === false) {
        node.void = true;
        node.note = type === "mx" ? "no MX records: a void lookup" : "no A or AAAA records: a void lookup";
        result.problems.push({
          severity: "warning",
          code: "spf-void-lookup",
          message: `"${term.raw}" in the SPF record of ${domain} looks up ${literal}, which has no ${type === "mx" ? "MX" : "A/AAAA"} records. It never matches and counts toward the limit of ${SPF_VOID_LOOKUP_LIMIT} void lookups (RFC 7208 4.6.4); remove it.`,
          term: term.raw,
          domain,
        });
      }
    } else if (literal === undefined) {
      node.note = "the domain contains macros, which are expanded per message";
    }
  }
  return result;
}

function collectVoid(nodes: readonly SpfLookupNode[]): SpfLookupNode[] {
  return nodes.flatMap((n) => [...(n.void ? [n] : []), ...collectVoid(n.children)]);
}

function countVoid(nodes: readonly SpfLookupNode[]): number {
  return collectVoid(nodes).length;
}

/**
 * The include and redirect terms of the analysed record itself, by how much of the lookup
 * budget each spends (its own lookup plus everything under it), most expensive first. This is
 * what the diagnosis names: "include:x costs 7 of your 10 lookups".
 */
export function worstIncludes(analysis: SpfAnalysis): { term: string; subtotal: number }[] {
  return analysis.tree
    .filter((n) => n.name === "include" || n.name === "redirect")
    .map((n) => ({ term: n.term, subtotal: n.subtotal }))
    .sort((a, b) => b.subtotal - a.subtotal);
}

/**
 * A resolver that answers from the TXT records a stack declares (name → TXT strings). Names are
 * normalised; a name mapped to [] answers NODATA; a name that is not in the map answers
 * { kind: "unknown", reason: "not declared in this stack" }, so analyzeSpf reports a lower
 * bound instead of guessing. Used by the policy pack.
 */
export function staticResolver(records: Record<string, string[]>): SpfResolver {
  const byName = new Map<string, string[]>();
  for (const [name, txts] of Object.entries(records)) {
    const key = normalizeDomain(name);
    byName.set(key, [...(byName.get(key) ?? []), ...txts]);
  }
  return {
    txt(name: string): Promise<SpfTxtAnswer> {
      const found = byName.get(normalizeDomain(name));
      if (found === undefined) return Promise.resolve({ kind: "unknown", reason: "not declared in this stack" });
      return Promise.resolve(found.length === 0 ? { kind: "nodata" } : { kind: "records", records: [...found] });
    },
  };
}

/**
 * True when the record authorises `domain`'s senders with an `include:` that a receiver
 * evaluates (before the first `all`, any qualifier but "-"). Used to check that a MAIL FROM
 * record includes SES (amazonses.com).
 */
export function spfIncludes(parsed: ParsedSpf, domain: string): boolean {
  const target = normalizeDomain(domain);
  return lookupTerms(parsed).some(
    (t) => t.name === "include" && t.qualifier !== "-" && t.domainSpec !== undefined && normalizeDomain(t.domainSpec) === target,
  );
}

/**
 * A TXT value meant as SPF: it starts with "v=spf1" after optional whitespace, whether or not it
 * is valid (`isSpfRecord` is the strict test receivers apply). Lets a checker report a broken
 * SPF record, such as one with a leading space, instead of ignoring it as other TXT data.
 */
export function looksLikeSpf(txt: string): boolean {
  return /^\s*v=spf1/i.test(txt);
}

/**
 * The analysis of one SPF record on its own, before any include is followed: every include or
 * redirect to another name counts as at least 1 lookup (lower bound), a loop back to the
 * record's own name is found. What it reports over the limit is over the limit whatever the
 * includes hold, so a policy can judge it from the one record (a resource policy, which runs
 * before the record is created).
 */
export function analyzeSpfAlone(name: string, record: string): Promise<SpfAnalysis> {
  return analyzeSpf(name, staticResolver({ [name]: [record] }));
}

/** The analysis codes of the lookup budget: the 10-lookup limit, the 2-void limit, loops. */
export const SPF_BUDGET_CODES: ReadonlySet<string> = new Set(["spf-lookup-limit", "spf-void-limit", "spf-loop"]);
