/**
 * MTA-STS rules (RFC 8461): the `_mta-sts` TXT record, the policy file served at
 * `https://mta-sts.<domain>/.well-known/mta-sts.txt`, and which MX hosts a policy allows.
 *
 * Pure functions: the collector (scripts/verify/layers/recipient/collect.ts) fetches, these judge. mailauth's
 * MTA-STS helpers were considered and not used: its wildcard match lets `*.example.com` match
 * `a.b.example.com` (RFC 8461 4.1 allows only the left-most label), it reports no match in
 * testing mode, and its fetch has no body-size bound, no timeout and no endpoint override.
 */
import { normalizeDomain } from "./domain";
import { shown } from "./text";

/** Where the TXT record lives (RFC 8461 3.1). */
export const mtaStsRecordName = (domain: string): string => `_mta-sts.${normalizeDomain(domain)}`;
/** The host that serves the policy (RFC 8461 3.3). */
export const mtaStsPolicyHost = (domain: string): string => `mta-sts.${normalizeDomain(domain)}`;
export const MTA_STS_POLICY_PATH = "/.well-known/mta-sts.txt";
/** RFC 8461 3.3: senders SHOULD refuse policy bodies over 64 KiB. */
export const MTA_STS_MAX_BODY_BYTES = 64 * 1024;
/** RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;

export type MtaStsMode = "enforce" | "testing" | "none";

export interface MtaStsRecord {
  id: string;
}

/** One record, or why senders treat the domain as having none (RFC 8461 3.1). */
export type MtaStsRecordResult = { kind: "none" } | { kind: "record"; record: MtaStsRecord; text: string } | { kind: "invalid"; problem: string; texts: string[] };

const WSP = "[ \\t]*";

/**
 * Judge the TXT values at `_mta-sts.<domain>`: values not starting with "v=STSv1" are not
 * MTA-STS and are discarded; zero left is "none"; more than one, or one without a valid id
 * (1 to 32 letters and digits), is "invalid": senders then assume there is no policy.
 */
export function parseMtaStsRecord(values: readonly string[]): MtaStsRecordResult {
  const texts = values.filter((v) => new RegExp(`^v=STSv1${WSP}(;|$)`).test(v));
  if (texts.length === 0) return { kind: "none" };
  if (texts.length > 1) return { kind: "invalid", problem: `${texts.length} "v=STSv1" records are published; with more than one, senders ignore MTA-STS (RFC 8461 3.1). Keep exactly one.`, texts };
  const text = texts[0];
  const fields = new Map<string, string>();
  for (const part of text.split(";").slice(1)) {
    const field = part.trim();
    if (field === "") continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=([\x21-\x3a\x3c\x3e-\x7e]{1,200})$/.exec(field);
    if (!m) return { kind: "invalid", problem: `${shown(field)} is not a key=value field (RFC 8461 3.1); senders ignore the record.`, texts };
    if (!fields.has(m[1])) fields.set(m[1], m[2]);
  }
  const id = fields.get("id");
  if (id === undefined) return { kind: "invalid", problem: 'the record has no "id" field; it is required (RFC 8461 3.1), so senders ignore the record. Add id=<1 to 32 letters and digits>, changed at every policy change.', texts };
  if (!/^[A-Za-z0-9]{1,32}$/.test(id)) return { kind: "invalid", problem: `the id ${shown(id)} is not 1 to 32 letters and digits (RFC 8461 3.1); senders ignore the record.`, texts };
  return { kind: "record", record: { id }, text };
}

export interface MtaStsPolicy {
  mode: MtaStsMode;
  maxAge: number;
  /** The mx patterns as written (lowercase, no trailing dot): "mail.example.com" or "*.example.com". */
  mx: string[];
}

export interface ParsedMtaStsPolicy {
  policy?: MtaStsPolicy;
  /** What makes the policy invalid (senders then treat the domain as having none). */
  problems: string[];
}

/**
 * Parse a policy file (RFC 8461 3.2): "key: value" lines separated by LF or CRLF; field names
 * are case-sensitive; version STSv1, mode and max_age are required, mx (repeatable) too unless
 * the mode is none; of a repeated non-mx field the first counts; unknown fields are ignored.
 */
export function parseMtaStsPolicy(body: string): ParsedMtaStsPolicy {
  const problems: string[] = [];
  const fields = new Map<string, string>();
  const mx: string[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    const m = /^([A-Za-z0-9_.-]{1,32}):[ \t]*(.*)$/.exec(line);
    if (!m) {
      problems.push(`${shown(line)} is not a "key: value" line (RFC 8461 3.2).`);
      continue;
    }
    // The line is trimmed and the delimiter's WSP consumed: the value has no space at either end.
    const [, key, value] = m;
    if (key === "mx") {
      const pattern = value.toLowerCase().replace(/\.$/, "");
      if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(pattern)) problems.push(`mx ${shown(value)} is not a host name or a "*." wildcard followed by one (RFC 8461 3.2).`);
      else if (!mx.includes(pattern)) mx.push(pattern);
    } else if (!fields.has(key)) fields.set(key, value);
  }
  const version = fields.get("version");
  if (version !== "STSv1") problems.push(version === undefined ? 'the policy has no "version: STSv1" line (RFC 8461 3.2).' : `the version is ${shown(version)}; it must be exactly "STSv1" (RFC 8461 3.2).`);
  const mode = fields.get("mode");
  if (mode !== "enforce" && mode !== "testing" && mode !== "none") problems.push(mode === undefined ? 'the policy has no "mode" line (enforce, testing or none; RFC 8461 3.2).' : `the mode is ${shown(mode)}; it must be enforce, testing or none (case-sensitive, RFC 8461 3.2).`);
  const maxAgeText = fields.get("max_age");
  const maxAge = maxAgeText !== undefined && /^\d{1,10}$/.test(maxAgeText) ? Number(maxAgeText) : NaN;
  if (!(maxAge <= MTA_STS_MAX_AGE_LIMIT)) problems.push(maxAgeText === undefined ? 'the policy has no "max_age" line (RFC 8461 3.2).' : `max_age ${shown(maxAgeText)} is not a whole number of seconds up to ${MTA_STS_MAX_AGE_LIMIT} (RFC 8461 3.2).`);
  if ((mode === "enforce" || mode === "testing") && mx.length === 0) problems.push(`a ${mode} policy needs at least one "mx:" line (RFC 8461 3.2).`);
  if (problems.length > 0) return { problems };
  return { policy: { mode: mode as MtaStsMode, maxAge, mx }, problems };
}

/**
 * Does an MX host match a policy's mx pattern (RFC 8461 4.1)? Case-insensitive, trailing dots
 * ignored; "*.example.com" matches exactly one left-most label: mail.example.com, but neither
 * example.com nor a.b.example.com.
 */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const h = normalizeDomain(host);
  const p = normalizeDomain(pattern);
  if (!p.startsWith("*.")) return h === p;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** The MX hosts that no pattern of the policy allows. */
export function mxNotInPolicy(hosts: readonly string[], policy: MtaStsPolicy): string[] {
  return hosts.filter((h) => !policy.mx.some((p) => mxMatchesPattern(h, p)));
}
