/**
 * Parsers for command-line values that several commands take: regions, host:port pairs, DNS
 * servers, timeouts. Each returns the value in canonical form or throws a UsageError naming
 * the flag, the value (cut when long) and the accepted form, before the command does any I/O.
 */
import { isIP } from "node:net";
import { parseSmtpRegion } from "../../lib/regions";
import { shown } from "../../lib/text";
import { UsageError } from "./errors";

/** A region flag (--region, smtp-password --region, --smtp-endpoint region=...): case and whitespace ignored, SES SMTP only. */
export function parseRegionFlag(value: string, flag: string): string {
  const r = parseSmtpRegion(value);
  if ("error" in r) throw new UsageError(`${flag}: ${r.error}`);
  return r.region;
}

/** The longest --timeout a command accepts, in seconds. */
export const MAX_TIMEOUT_SECONDS = 600;

/** A timeout in seconds (decimals allowed), 0 < t <= 600, as milliseconds (at least 1). */
export function parseTimeoutSeconds(value: string, flag: string, max = MAX_TIMEOUT_SECONDS): number {
  const text = value.trim();
  const seconds = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > max) {
    throw new UsageError(`${flag}: ${shown(value)} is not a number of seconds from more than 0 up to ${max} (decimals allowed, e.g. 2.5).`);
  }
  return Math.max(1, Math.round(seconds * 1000));
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

const HOST_NAME = /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** `host:port` or `[ipv6]:port`, port 1-65535, host a name or an IP address. */
export function parseHostPort(value: string, flag: string, example = "127.0.0.1:2587"): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:([^:]*)$/.exec(value) ?? /^([^:[\]]+):([^:]*)$/.exec(value);
  const bad = (why: string): never => {
    throw new UsageError(`${flag}: ${shown(value)} ${why} Write host:port (e.g. ${example}; an IPv6 address in brackets, [::1]:2587).`);
  };
  if (!m) return bad("is not host:port.");
  const [, host, portText] = m;
  const bracketed = value.startsWith("[");
  if (bracketed ? isIP(host) !== 6 : !(isIP(host) === 4 || HOST_NAME.test(host))) return bad(`has no valid host${bracketed ? " (brackets hold an IPv6 address)" : ""}.`);
  const port = parsePort(portText);
  if (port === undefined) return bad(`has no valid port: a port is a whole number from 1 to 65535.`);
  return { host, port };
}

/** `port` alone or `host:port` (an endpoint override for tests or tunnels; a bare port keeps the host DNS gives). */
export function parsePortOrHostPort(value: string, flag: string, example = "127.0.0.1:2525"): { host?: string; port: number } {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const port = parsePort(text);
    if (port === undefined) throw new UsageError(`${flag}: ${shown(value)} is not a port: a port is a whole number from 1 to 65535. Write port or host:port (e.g. ${example}).`);
    return { port };
  }
  return parseHostPort(text, flag, example);
}

/**
 * A DNS server: an IP address with an optional port (`192.0.2.53`, `192.0.2.53:5353`, `::1`,
 * `[::1]:5353`). Returns it in the form node's Resolver#setServers takes.
 */
export function parseDnsServer(value: string, flag: string): string {
  const bad = (why: string): never => {
    throw new UsageError(`${flag}: ${shown(value)} ${why} Give an IP address with an optional port: 192.0.2.53, 192.0.2.53:5353, ::1 or [::1]:5353.`);
  };
  const text = value.trim();
  if (isIP(text) !== 0) return text;
  const v6 = /^\[([^\]]+)\](?::([^:]*))?$/.exec(text);
  const v4 = /^([^:[\]]+):([^:]*)$/.exec(text);
  const m = v6 ?? v4;
  if (!m) return bad("is not an IP address.");
  const [, host, portText] = m;
  if (isIP(host) !== (v6 ? 6 : 4)) return bad(`is not an IP address (${v6 ? "brackets hold an IPv6 address" : "an IPv4 address is four numbers 0-255"}).`);
  if (portText === undefined) return host;
  const port = parsePort(portText);
  if (port === undefined) return bad("has no valid port: a port is a whole number from 1 to 65535.");
  return v6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * --relay-seen region=time (repeatable): an SES use of the current key that an earlier verify
 * reported for that region (its relay.retire remediation prints the flag). Region: an SES SMTP
 * region; time: an ISO 8601 date-time with a zone.
 */
export function parseRelaySeen(values: readonly string[], flag = "--relay-seen", printedBy = "verify's relay.retire"): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const value of values) {
    const m = /^([^=\s]+)=(\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))$/.exec(value.trim());
    if (!m) throw new UsageError(`${flag}: ${shown(value)} is not region=time (e.g. us-east-1=2026-11-29T12:13:33.000Z, as ${printedBy} prints it).`);
    const region = parseRegionFlag(m[1], flag);
    const at = new Date(m[2]);
    if (Number.isNaN(at.getTime())) throw new UsageError(`${flag}: ${shown(m[2])} is not a valid date-time.`);
    if (at.getTime() > Date.now()) throw new UsageError(`${flag}: ${m[2]} is in the future; give the time verify printed.`);
    out.set(region, at);
  }
  return out;
}
