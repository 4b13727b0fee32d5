/**
 * Domain-name rules shared by the config validator, the policy pack and verify.
 *
 * Pure functions: no DNS, no I/O. Organisational domains come from the Public Suffix List
 * through `tldts` (RFC 7489 3.2 tells DMARC to use a public suffix list for this).
 */
import { domainToASCII } from "node:url";
import { getDomain, parse as parseName } from "tldts";
import { shown as show } from "./text";

/** RFC 1035 2.3.4: a label is at most 63 octets. */
export const MAX_LABEL_LENGTH = 63;
/** RFC 1035 2.3.4 (255 octets on the wire) = at most 253 characters in text form, without the trailing dot. */
export const MAX_DOMAIN_LENGTH = 253;

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Canonical text form of a domain name: trimmed, lowercase, one trailing dot removed, and
 * internationalised (Unicode) labels converted to punycode A-labels (RFC 5890/5891).
 *
 * Only names that contain non-ASCII characters go through `domainToASCII`: for ASCII input it
 * would also percent-decode and rewrite numeric hosts, which must stay visible to
 * `validateDomainName` instead. If the IDN conversion fails the lowercased input is returned
 * unchanged, so the validator can say what is wrong with it.
 */
export function normalizeDomain(input: string): string {
  let name = input.trim().toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (NON_ASCII.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii !== "") name = ascii.endsWith(".") ? ascii.slice(0, -1) : ascii;
  }
  return name;
}

export interface DomainNameOptions {
  /**
   * Allow "_" in labels. Host names (RFC 952/1123) may not contain underscores, but DNS record
   * names such as `_dmarc.example.com` or SPF include targets such as `_spf.google.com` do.
   * Default false.
   */
  allowUnderscore?: boolean;
}

/**
 * Check that `input` is a usable fully qualified domain name.
 *
 * Returns undefined when it is valid, otherwise one sentence that says what is wrong and how to
 * fix it (the caller adds where: the config key or the record). Internationalised names are
 * accepted and validated in their punycode form; `xn--` labels must be valid punycode.
 */
export function validateDomainName(input: string, options: DomainNameOptions = {}): string | undefined {
  const shown = show(input);
  const trimmed = input.trim();
  if (trimmed === "") return "The domain name is empty; enter a fully qualified name such as example.com.";
  if (/\s/.test(trimmed)) return `${shown} contains whitespace; a domain name has none. Remove the spaces.`;

  let name = trimmed.toLowerCase();
  const idn = NON_ASCII.test(name);
  if (idn) {
    const ascii = domainToASCII(name);
    if (ascii === "") {
      return `${shown} is not a valid internationalised domain name (IDNA conversion to punycode failed); check for symbols or characters that are not allowed in domain names.`;
    }
    name = ascii;
  }
  // One trailing dot marks the root (absolute form) and is allowed.
  if (name.endsWith(".")) name = name.slice(0, -1);

  if (name.length > MAX_DOMAIN_LENGTH) {
    return `${shown} is ${name.length} characters long${idn ? " in punycode" : ""}; a domain name may have at most ${MAX_DOMAIN_LENGTH} (RFC 1035 2.3.4). Use a shorter name.`;
  }
  const labels = name.split(".");
  if (labels.some((l) => l === "")) {
    return `${shown} has an empty label (a leading dot or two dots in a row); remove the extra dot.`;
  }
  if (labels.length < 2) {
    return `${shown} is a single label; use a fully qualified domain name such as ${name}.com or mail.${name}.com.`;
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH) {
      return `The label "${label.slice(0, 20)}…" in ${shown} is ${label.length} characters long; each label (the part between dots) may have at most ${MAX_LABEL_LENGTH} (RFC 1035 2.3.4). Shorten it.`;
    }
    if (label.includes("_") && !options.allowUnderscore) {
      return `The label "${label}" in ${shown} contains an underscore; host and domain names may use only letters, digits and hyphens (RFC 952, RFC 1123 2.1). Underscores belong only in record names such as _dmarc; remove it or use a hyphen.`;
    }
    const allowed = options.allowUnderscore ? /^[a-z0-9_-]+$/ : /^[a-z0-9-]+$/;
    if (!allowed.test(label)) {
      const bad = [...new Set(label.replace(options.allowUnderscore ? /[a-z0-9_-]/g : /[a-z0-9-]/g, ""))].join(" ");
      return `The label "${label}" in ${shown} contains characters not allowed in a domain name (${bad}); use only letters, digits and hyphens${options.allowUnderscore ? " (and underscores)" : ""}.`;
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return `The label "${label}" in ${shown} starts or ends with a hyphen, which RFC 1123 2.1 forbids; move or remove the hyphen.`;
    }
    if (label.startsWith("xn--") && domainToASCII(label) === "") {
      return `The label "${label}" in ${shown} starts with "xn--" but is not valid punycode; write the Unicode form instead, or convert it again.`;
    }
  }
  // RFC 3696 2: a top-level domain is never all-numeric; such a name is usually an IP address.
  const tld = labels[labels.length - 1] ?? "";
  if (/^[0-9]+$/.test(tld)) {
    return `${shown} ends in the all-numeric label "${tld}"; top-level domains are never numeric (RFC 3696 2). Enter a domain name, not an IP address.`;
  }
  return undefined;
}

/**
 * Check a domain to send mail from (config's domain/domains, verify's --domain): a valid
 * name (validateDomainName) that is not itself a public suffix. A public suffix (`co.uk`,
 * `com`, or a private one such as `github.io`) is where others register names: SES cannot
 * verify it for one sender, and DMARC treats each name below it as its own organisation.
 * Returns undefined when it is usable, otherwise one sentence saying why and what to use.
 */
export function validateSendingDomain(input: string): string | undefined {
  const problem = validateDomainName(input);
  if (problem) return problem;
  const name = normalizeDomain(input);
  const { publicSuffix, isIcann, isPrivate } = parseName(name, { allowPrivateDomains: true });
  if (publicSuffix === name && (isIcann || isPrivate)) {
    return `${show(input)} is a public suffix (${isPrivate ? "a private entry" : "an ICANN entry"} of the Public Suffix List, https://publicsuffix.org): names are registered under it, it cannot be one sender's domain. Use your registered domain, e.g. example.${name}.`;
  }
  return undefined;
}

/** True when `name` is strictly below `parent` (equal names are not subdomains). Case and trailing dots are ignored. */
export function isSubdomainOf(name: string, parent: string): boolean {
  const n = normalizeDomain(name);
  const p = normalizeDomain(parent);
  return p !== "" && n.length > p.length && n.endsWith("." + p);
}

/**
 * The Organisational Domain (RFC 7489 3.2): the registered domain one label below the public
 * suffix, from the ICANN section of the Public Suffix List (private suffixes such as github.io
 * are not used). Falls back to the normalised name itself when there is none (e.g. a bare
 * public suffix or an IP address).
 */
export function organizationalDomain(name: string): string {
  const n = normalizeDomain(name);
  return getDomain(n, { allowPrivateDomains: false }) ?? n;
}

/**
 * DMARC identifier alignment (RFC 7489 3.1.1 for DKIM, 3.1.2 for SPF):
 * strict ("s") needs the two names to be equal, relaxed ("r") needs the same Organisational Domain.
 */
export function isAligned(a: string, b: string, mode: "r" | "s"): boolean {
  if (mode === "s") return normalizeDomain(a) === normalizeDomain(b);
  return organizationalDomain(a) === organizationalDomain(b);
}

/** The domain of a mailbox address (after its last @), normalised; "" when there is no local part. */
export function addressDomain(address: string): string {
  const at = address.lastIndexOf("@");
  return at > 0 ? normalizeDomain(address.slice(at + 1)) : "";
}

/** A mailbox address with a valid domain: enough to send to or as, not a full RFC 5322 parser. */
export function isEmailAddress(a: string): boolean {
  const at = a.lastIndexOf("@");
  return at > 0 && /^[^\s@]+$/.test(a.slice(0, at)) && validateDomainName(a.slice(at + 1)) === undefined;
}

/** One sending domain and the MAIL FROM name it uses in each region. */
export interface MailFromUse {
  domain: string;
  mailFroms: readonly { region?: string; name: string }[];
}

/**
 * MAIL FROM names that collide across the domains of one stack: a domain's MAIL FROM that is
 * another configured domain (its MX would have to name SES's feedback host, and its SPF record
 * is that domain's own apex SPF), or a MAIL FROM that two domains share (each writes its own MX
 * and SPF record set at the one name). A region sharing its own domain's MAIL FROM is another
 * rule (config refuses it; aws-route53-record-configure-mail-from-mx flags it). The config
 * validator and the policy pack use this one rule; each entry is one sentence.
 */
export function mailFromCollisions(uses: readonly MailFromUse[]): { domain: string; mailFrom: string; message: string; suggestion: string }[] {
  const domains = new Map(uses.map((u) => [normalizeDomain(u.domain), u]));
  const owners = new Map<string, Set<string>>();
  for (const u of uses) {
    for (const m of u.mailFroms) {
      const name = normalizeDomain(m.name);
      owners.set(name, new Set([...(owners.get(name) ?? []), normalizeDomain(u.domain)]));
    }
  }
  // Names a suggestion must avoid: every sending domain and every MAIL FROM in use.
  const taken = new Set<string>([...domains.keys(), ...owners.keys()]);
  const out: { domain: string; mailFrom: string; message: string; suggestion: string }[] = [];
  const seen = new Set<string>();
  for (const u of uses) {
    const domain = normalizeDomain(u.domain);
    for (const m of u.mailFroms) {
      const name = normalizeDomain(m.name);
      if (seen.has(`${domain}|${name}`)) continue;
      seen.add(`${domain}|${name}`);
      const free = freeMailFromName(domain, taken);
      if (name !== domain && domains.has(name)) {
        out.push({
          domain,
          mailFrom: name,
          suggestion: free,
          message: `The MAIL FROM of ${domain} is ${name}, which is itself a sending domain of this stack: its MX would have to point at SES's feedback host and its one SPF record is ${name}'s own, so the two setups overwrite each other. Give ${domain} a MAIL FROM that is no other domain: ${free} is free.`,
        });
      }
      const sharing = [...(owners.get(name) ?? [])].filter((d) => d !== domain);
      if (sharing.length > 0) {
        out.push({
          domain,
          mailFrom: name,
          suggestion: free,
          message: `${name} is the MAIL FROM of ${[domain, ...sharing].join(" and ")}: each declares the MX and SPF record set at that one name, so they collide. Give each domain its own MAIL FROM under itself (for ${domain}, ${free} is free).`,
        });
      }
    }
  }
  return out;
}

/** Labels tried, in order, for a free MAIL FROM name under a domain. */
const MAIL_FROM_LABELS = ["bounce", "mailfrom", "mail-from", "bounces", "return"];

/**
 * A MAIL FROM name under `domain` that is none of `taken` (the stack's sending domains and the
 * MAIL FROM names in use): the first of bounce, mailfrom, mail-from, bounces, return, then
 * bounce2, bounce3, ... under the domain. Always terminates: `taken` is finite.
 */
export function freeMailFromName(domain: string, taken: ReadonlySet<string>): string {
  const d = normalizeDomain(domain);
  for (const label of MAIL_FROM_LABELS) if (!taken.has(`${label}.${d}`)) return `${label}.${d}`;
  for (let i = 2; ; i++) if (!taken.has(`bounce${i}.${d}`)) return `bounce${i}.${d}`;
}
