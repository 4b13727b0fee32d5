/**
 * A real authoritative DNS server for tests: Debian's `nsd`, run in the foreground on a
 * loopback port, serving BIND master-file zones given as text.
 *
 * Every query goes through a small counting proxy (UDP and TCP on the same port) in front
 * of nsd, so a test or benchmark can count exactly how many queries reached the server and
 * which. The proxy can also hold every answer back by `delayMs`. `port` is always the
 * proxy's; `nsdPort` talks to nsd directly (not counted, not delayed).
 *
 * Also: `startSilentDns()` (never answers) and `startServfailDns()` (answers SERVFAIL).
 * Point a resolver at any of them with `resolver.setServers([\`${host}:${port}\`])`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import * as dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as dnsPacket from "dns-packet";
import {
  LOOPBACK,
  freeUdpTcpPort,
  spawnGuarded,
  tempDirCleanup,
  waitUntil,
} from "./common";

const execFileAsync = promisify(execFile);

export interface DnsZone {
  /** The zone's origin, e.g. "example.com" (a trailing dot is optional). */
  origin: string;
  /**
   * BIND master-file text. `$ORIGIN` defaults to the origin and `$TTL` to 300. When the
   * text has no SOA record, a placeholder SOA is added so that nsd loads the zone.
   */
  text: string;
}

export interface DnsQuestion {
  name: string;
  type: string;
  transport: "udp" | "tcp";
}

export interface DnsSandbox {
  host: string;
  /** The port to query (the counting/delaying proxy in front of nsd). UDP and TCP. */
  port: number;
  /** "127.0.0.1:PORT", ready for `Resolver.setServers([server])`. */
  server: string;
  /** nsd's own port: not counted and not delayed. */
  nsdPort: number;
  /** How many queries reached the server through `port` since start or the last reset. */
  queryCount(): number;
  /**
   * The questions of those queries, in arrival order. A truncated UDP answer that the
   * client retries over TCP shows up twice (once per transport), as it does at a server.
   */
  queries(): DnsQuestion[];
  resetQueries(): void;
  stop(): Promise<void>;
}

export interface StartDnsOptions {
  zones: DnsZone[];
  /** Hold every answer back by this many milliseconds (at the proxy). */
  delayMs?: number;
}

const NSD = "/usr/sbin/nsd";
const NSD_CHECKZONE = "/usr/sbin/nsd-checkzone";
const INSTALL_HINT = "Install the test dependencies first: sudo bash scripts/install-test-deps.sh";

function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim().replace(/\.+$/, "");
  if (trimmed.length === 0) throw new Error("startDns: a zone origin is empty");
  return trimmed.toLowerCase();
}

function zoneFileText(zone: DnsZone): string {
  const origin = normalizeOrigin(zone.origin);
  const lines: string[] = [];
  if (!/^\s*\$ORIGIN\b/im.test(zone.text)) lines.push(`$ORIGIN ${origin}.`);
  if (!/^\s*\$TTL\b/im.test(zone.text)) lines.push("$TTL 300");
  // An SOA is an RR whose type field is SOA: look for it as a separate word outside comments.
  const hasSoa = zone.text
    .split("\n")
    .map((line) => line.replace(/;.*$/, ""))
    .some((line) => /(^|\s)SOA(\s|\(|$)/i.test(line));
  if (!hasSoa) {
    lines.push(`@ IN SOA ns1.${origin}. hostmaster.${origin}. 1 3600 600 86400 300`);
  }
  lines.push(zone.text, "");
  return lines.join("\n");
}

function nsdConfig(dir: string, port: number, zones: { origin: string; file: string }[]): string {
  const quote = (value: string): string => JSON.stringify(value);
  return [
    "server:",
    `  ip-address: ${LOOPBACK}@${port}`,
    `  port: ${port}`,
    '  username: ""',
    '  chroot: ""',
    '  database: ""',
    `  zonesdir: ${quote(dir)}`,
    `  zonelistfile: ${quote(path.join(dir, "zone.list"))}`,
    `  pidfile: ${quote(path.join(dir, "nsd.pid"))}`,
    `  xfrdfile: ${quote(path.join(dir, "xfrd.state"))}`,
    `  xfrdir: ${quote(dir)}`,
    "  server-count: 1",
    "  verbosity: 1",
    "  hide-version: yes",
    "  do-ip6: no",
    "  reuseport: no",
    "remote-control:",
    "  control-enable: no",
    ...zones.flatMap((zone) => ["zone:", `  name: ${quote(zone.origin)}`, `  zonefile: ${quote(zone.file)}`]),
    "",
  ].join("\n");
}

function questionsOf(message: Buffer, transport: "udp" | "tcp"): DnsQuestion[] {
  try {
    const packet = dnsPacket.decode(message);
    return (packet.questions ?? []).map((q) => ({ name: q.name, type: q.type, transport }));
  } catch {
    return [{ name: "<undecodable>", type: "?", transport }];
  }
}

interface ZoneFile {
  origin: string;
  fileName: string;
  text: string;
}

/** Runs nsd-checkzone on every zone so a broken zone fails with nsd's own message. */
async function checkZones(zones: ZoneFile[]): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandbox-nsd-check-"));
  const removeDir = tempDirCleanup(dir);
  try {
    for (const zone of zones) {
      const file = path.join(dir, zone.fileName);
      await writeFile(file, zone.text);
      try {
        await execFileAsync(NSD_CHECKZONE, [zone.origin, file]);
      } catch (error) {
        const err = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
        if (err.code === "ENOENT") throw new Error(`startDns: ${NSD_CHECKZONE} is missing. ${INSTALL_HINT}`);
        throw new Error(
          `startDns: zone ${zone.origin} does not load:\n${(err.stderr ?? "") + (err.stdout ?? "")}\n--- zone file ---\n${zone.text}`,
        );
      }
    }
  } finally {
    await removeDir();
  }
}

/** Starts nsd with the given zones; resolves once every zone's SOA is really served. */
export async function startDns(options: StartDnsOptions): Promise<DnsSandbox> {
  if (options.zones.length === 0) throw new Error("startDns: pass at least one zone");
  if (!existsSync(NSD)) throw new Error(`startDns: ${NSD} is missing. ${INSTALL_HINT}`);
  const zones: ZoneFile[] = options.zones.map((zone, index) => ({
    origin: normalizeOrigin(zone.origin),
    fileName: `zone-${index}.zone`,
    text: zoneFileText(zone),
  }));
  await checkZones(zones);

  const nsd = await startNsdOnFreePort(zones);
  let proxy: DnsProxy;
  try {
    proxy = await startDnsProxy(nsd.port, options.delayMs ?? 0);
  } catch (error) {
    await nsd.stop();
    throw error;
  }
  return {
    host: LOOPBACK,
    port: proxy.port,
    server: `${LOOPBACK}:${proxy.port}`,
    nsdPort: nsd.port,
    queryCount: () => proxy.questions.length,
    queries: () => [...proxy.questions],
    resetQueries: () => {
      proxy.questions.length = 0;
    },
    stop: async () => {
      await proxy.stop();
      await nsd.stop();
    },
  };
}

async function startNsdOnFreePort(zones: ZoneFile[]): Promise<{ port: number; stop: () => Promise<void> }> {
  let lastError: unknown;
  // The port is probed free and then handed to nsd; retry if something grabbed it meanwhile.
  for (let attempt = 0; attempt < 5; attempt++) {
    // Each attempt gets its own directory: the guard deletes it when that nsd exits.
    const dir = await mkdtemp(path.join(os.tmpdir(), "sandbox-nsd-"));
    const removeDir = tempDirCleanup(dir);
    const port = await freeUdpTcpPort();
    const files = zones.map((zone) => ({ origin: zone.origin, file: path.join(dir, zone.fileName) }));
    for (const zone of zones) await writeFile(path.join(dir, zone.fileName), zone.text);
    const configFile = path.join(dir, "nsd.conf");
    await writeFile(configFile, nsdConfig(dir, port, files));
    const nsd = spawnGuarded(NSD, ["-d", "-c", configFile], { removeDirOnExit: dir });
    const stop = async (): Promise<void> => {
      await nsd.stop();
      await removeDir();
    };
    const resolver = new Resolver({ timeout: 250, tries: 1 });
    resolver.setServers([`${LOOPBACK}:${port}`]);
    try {
      await waitUntil({
        what: `nsd on ${LOOPBACK}:${port}`,
        timeoutMs: 15_000,
        probe: async () => {
          for (const zone of zones) await resolver.resolveSoa(zone.origin);
          return true;
        },
        failed: () => nsd.exited(),
        describe: nsd.output,
      });
      return { port, stop };
    } catch (error) {
      lastError = error;
      await stop();
      if (!/can't bind|could not (open|bind)|Address already in use/i.test(nsd.output())) break;
    } finally {
      resolver.cancel();
    }
  }
  throw lastError;
}

interface DnsProxy {
  port: number;
  questions: DnsQuestion[];
  stop(): Promise<void>;
}

/** UDP and TCP forwarder on one port: counts queries, delays answers by `delayMs`. */
async function startDnsProxy(upstreamPort: number, delayMs: number): Promise<DnsProxy> {
  for (let attempt = 0; ; attempt++) {
    const port = await freeUdpTcpPort();
    try {
      return await startDnsProxyOn(port, upstreamPort, delayMs);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

async function startDnsProxyOn(port: number, upstreamPort: number, delayMs: number): Promise<DnsProxy> {
  const questions: DnsQuestion[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void): void => {
    if (delayMs <= 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs);
    timers.add(timer);
  };

  // UDP: one upstream socket per query, so answers go back to the right client.
  const udp = dgram.createSocket("udp4");
  const upstreams = new Set<dgram.Socket>();
  udp.on("message", (message, client) => {
    questions.push(...questionsOf(message, "udp"));
    const upstream = dgram.createSocket("udp4");
    upstreams.add(upstream);
    const done = (): void => {
      if (upstreams.delete(upstream)) upstream.close();
    };
    const giveUp = setTimeout(done, 10_000);
    upstream.on("error", () => {
      clearTimeout(giveUp);
      done();
    });
    upstream.on("message", (answer) => {
      clearTimeout(giveUp);
      done();
      later(() => udp.send(answer, client.port, client.address, () => undefined));
    });
    upstream.send(message, upstreamPort, LOOPBACK);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, LOOPBACK, () => {
      udp.off("error", reject);
      resolve();
    });
  });
  udp.on("error", () => undefined);

  // TCP: messages are length-prefixed; count each one, delay what comes back.
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, LOOPBACK);
    sockets.add(client);
    sockets.add(upstream);
    let pending = Buffer.alloc(0);
    client.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        questions.push(...questionsOf(pending.subarray(2, 2 + length), "tcp"));
        pending = pending.subarray(2 + length);
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => later(() => client.write(chunk)));
    client.on("end", () => upstream.end());
    upstream.on("end", () => later(() => client.end()));
    const destroy = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", destroy);
    upstream.on("error", destroy);
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(port, LOOPBACK, () => {
        tcp.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    udp.close();
    throw error;
  }
  udp.unref();
  tcp.unref();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const upstream of upstreams) upstream.close();
      upstreams.clear();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    })();
    return stopped;
  };
  return { port, questions, stop };
}

// ---------------------------------------------------------------------------------------
// Misbehaving DNS servers
// ---------------------------------------------------------------------------------------

export interface FakeDnsServer {
  host: string;
  port: number;
  /** "127.0.0.1:PORT", ready for `Resolver.setServers([server])`. */
  server: string;
  /** How many queries arrived. */
  queryCount(): number;
  queries(): DnsQuestion[];
  stop(): Promise<void>;
}

async function startUdpServer(
  onQuery: (socket: dgram.Socket, message: Buffer, client: dgram.RemoteInfo) => void,
): Promise<FakeDnsServer> {
  const questions: DnsQuestion[] = [];
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, client) => {
    questions.push(...questionsOf(message, "udp"));
    onQuery(socket, message, client);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, LOOPBACK, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  socket.on("error", () => undefined);
  socket.unref();
  const port = socket.address().port;
  let closed = false;
  return {
    host: LOOPBACK,
    port,
    server: `${LOOPBACK}:${port}`,
    queryCount: () => questions.length,
    queries: () => [...questions],
    stop: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** A UDP "DNS server" that receives queries and never answers (a resolver times out). */
export function startSilentDns(): Promise<FakeDnsServer> {
  return startUdpServer(() => undefined);
}

/** A UDP DNS server that answers every query with rcode SERVFAIL. */
export function startServfailDns(): Promise<FakeDnsServer> {
  return startRcodeDns(() => 2);
}

/**
 * A UDP DNS server that answers every query without records, with the rcode `rcodeOf` gives
 * for its question's type (0 NOERROR: NODATA, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED).
 */
export function startRcodeDns(rcodeOf: (type: string) => number): Promise<FakeDnsServer> {
  return startUdpServer((socket, message, client) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const rcode = rcodeOf(String(query.questions?.[0]?.type ?? ""));
    const answer = dnsPacket.encode({
      type: "response",
      id: query.id ?? 0,
      flags: ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: query.questions ?? [],
    });
    socket.send(answer, client.port, client.address, () => undefined);
  });
}
