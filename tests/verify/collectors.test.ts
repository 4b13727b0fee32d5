/**
 * The DNS collector's reading of answers, against a real nsd on loopback: what verify's pure
 * checks receive is only as right as this translation. Each case here was a planted bug that
 * the rest of the suite let through (issue 22, "Tests that catch bugs"):
 * - a TXT record longer than 255 bytes travels as several character-strings, which receivers
 *   join without a separator (RFC 7208 3.3, RFC 7489 6.4); joined with a space or reduced to
 *   its first string, the SPF or DMARC record reads differently;
 * - an SPF `a:` target with only AAAA records resolves (RFC 7208 5.3 looks up A or AAAA by the
 *   connecting IP's family), so it is not a void lookup (RFC 7208 4.6.4);
 * - a name that exists without records of the asked type (NODATA) is an empty answer, not an
 *   error; MX answers read as "<preference> <host>", lowercased, without the trailing dot.
 * The expected values are written out here, not derived from the code under test.
 */
import { createSocket, type Socket } from "node:dgram";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeSpf } from "../../lib/spf";
import { DnsCollector, resolverName } from "../../scripts/verify/layers/dns/collect";
import { DEADLINE_NEEDS } from "../../scripts/verify/limit";
import { type DnsSandbox, type FakeDnsServer, startDns, startRcodeDns, startServfailDns, startSilentDns } from "../sandbox";

// A 476-character SPF record, as a DNS provider stores it: split into strings of at most 255
// characters, the cut falling inside a mechanism (ip|4:192.0.2.18 below).
const IPS = Array.from({ length: 22 }, (_, i) => `ip4:192.0.2.${i + 1}`).join(" ");
const LONG_SPF = `v=spf1 ${IPS} ${Array.from({ length: 8 }, (_, i) => `ip4:198.51.100.${i + 10}`).join(" ")} -all`;
const FIRST = LONG_SPF.slice(0, 255);
const REST = LONG_SPF.slice(255);

const ZONE = [
  "@ IN NS ns1.example.com.",
  "ns1 IN A 127.0.0.1",
  `@ IN TXT "${FIRST}" "${REST}"`,
  // A DMARC record written as two strings by hand, the second starting with a space.
  `_dmarc IN TXT "v=DMARC1; p=reject;" " rua=mailto:dmarc@example.com"`,
  "v6only IN AAAA 2001:db8::25",
  "v4only IN A 192.0.2.25",
  `noaddr IN TXT "this name has no address"`,
  "@ IN MX 10 Mail.Example.COM.",
  "Alias IN CNAME Target.Example.NET.",
  "mail IN A 192.0.2.26",
  `spf-a IN TXT "v=spf1 a:v6only.example.com a:v4only.example.com a:noaddr.example.com mx:noaddr.example.com -all"`,
].join("\n");

let dnsServer: DnsSandbox;
let dns: DnsCollector;

beforeAll(async () => {
  dnsServer = await startDns({ zones: [{ origin: "example.com", text: ZONE }] });
  dns = new DnsCollector({ servers: [dnsServer.server], timeoutMs: 2000 });
});
afterAll(async () => {
  dns?.destroy();
  await dnsServer?.stop();
});

describe("DnsCollector reads answers as receivers do", () => {
  it("the zone really holds the long record as two strings (the fixture is what it claims)", () => {
    expect(LONG_SPF.length).toBe(476);
    expect(FIRST.length).toBe(255);
    expect(FIRST.endsWith("ip4:192.0.2.17 ip")).toBe(true);
    expect(REST.startsWith("4:192.0.2.18 ")).toBe(true);
  });

  it("a TXT record split into character-strings is joined without a separator", async () => {
    expect(await dns.query("TXT", "example.com")).toEqual({ ok: true, value: [LONG_SPF] });
    expect(await dns.query("TXT", "_dmarc.example.com")).toEqual({ ok: true, value: ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"] });
  });

  it("the SPF view hands the whole joined record to the analysis (all 30 ip4 terms, the -all at the end)", async () => {
    const a = await analyzeSpf("example.com", dns.spfResolver());
    expect(a.record).toBe(LONG_SPF);
    expect(a.problems).toEqual([]);
    expect(a.parsed?.terms.filter((t) => t.name === "ip4")).toHaveLength(30);
    expect(a.parsed?.terms.at(-1)?.raw).toBe("-all");
  });

  it("NODATA (the name exists, no record of that type) is an empty answer; NXDOMAIN is notfound", async () => {
    expect(await dns.query("A", "v6only.example.com")).toEqual({ ok: true, value: [] });
    expect(await dns.query("AAAA", "v6only.example.com")).toEqual({ ok: true, value: ["2001:db8::25"] });
    expect(await dns.query("TXT", "nothing-here.example.com")).toEqual({ ok: false, reason: "notfound", message: "TXT nothing-here.example.com: NXDOMAIN" });
  });

  it("MX answers read as '<preference> <host>', lowercased, without the trailing dot", async () => {
    expect(await dns.query("MX", "example.com")).toEqual({ ok: true, value: ["10 mail.example.com"] });
  });

  it("hasAddressOrMx: AAAA alone resolves, A alone resolves, neither is void; MX of a name without MX is void; NXDOMAIN is void", async () => {
    const r = dns.spfResolver();
    const has = r.hasAddressOrMx;
    if (!has) throw new Error("the collector's SPF view must say whether a/mx targets resolve");
    expect(await has("v6only.example.com", "a")).toBe(true);
    expect(await has("v4only.example.com", "a")).toBe(true);
    expect(await has("noaddr.example.com", "a")).toBe(false);
    expect(await has("example.com", "mx")).toBe(true);
    expect(await has("noaddr.example.com", "mx")).toBe(false);
    expect(await has("gone.example.com", "a")).toBe(false);
    expect(await has("gone.example.com", "mx")).toBe(false);
  });

  it("an IPv6-only a: target is not a void lookup; a target without addresses and one without MX are (2 void lookups)", async () => {
    const a = await analyzeSpf("spf-a.example.com", dns.spfResolver());
    expect(a.total).toBe(4);
    expect(a.voidLookups).toBe(2);
    expect(a.tree.filter((n) => n.void).map((n) => n.term)).toEqual(["a:noaddr.example.com", "mx:noaddr.example.com"]);
    expect(a.problems.filter((p) => p.code === "spf-void-lookup").map((p) => p.term)).toEqual(["a:noaddr.example.com", "mx:noaddr.example.com"]);
    expect(a.voidExceeded).toBe(false);
  });
});

describe("DnsCollector turns failures into observations that say where and why", () => {
  let silent: Socket;
  let closedPort: number;
  beforeAll(async () => {
    // A UDP socket that never answers: a resolver that is down or filtered.
    silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    // A port nothing listens on (taken and released).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(() => silent?.close());

  it("CNAME targets and NS hosts are lowercased, without the trailing dot", async () => {
    expect(await dns.query("CNAME", "alias.example.com")).toEqual({ ok: true, value: ["target.example.net"] });
    expect(await dns.query("NS", "example.com")).toEqual({ ok: true, value: ["ns1.example.com"] });
  });

  it("a zone the server does not serve: REFUSED is 'denied', naming the server; the SPF view cannot tell (unknown)", async () => {
    const refused = await dns.query("TXT", "example.org");
    expect(refused).toEqual({ ok: false, reason: "denied", message: `TXT example.org: REFUSED by ${dnsServer.server}`, needs: `${dnsServer.server} refuses to answer: use a resolver that serves you.` });
    const r = dns.spfResolver();
    expect(await r.txt("example.org")).toEqual({ kind: "unknown", reason: `TXT example.org: REFUSED by ${dnsServer.server}` });
    expect(await r.hasAddressOrMx?.("example.org", "a")).toBeUndefined();
    expect(await r.hasAddressOrMx?.("example.org", "mx")).toBeUndefined();
    // NXDOMAIN and NODATA are answers to the SPF view.
    expect(await r.txt("gone.example.com")).toEqual({ kind: "nxdomain" });
    expect(await r.txt("v6only.example.com")).toEqual({ kind: "nodata" });
  });

  it("a server that never answers: 'timeout', naming the server and what to do", async () => {
    const server = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const quiet = new DnsCollector({ servers: [server], timeoutMs: 200, tries: 1 });
    expect(await quiet.query("TXT", "example.com")).toEqual({
      ok: false,
      reason: "timeout",
      message: `TXT example.com: no answer from ${server}`,
      needs: `DNS at ${server} did not answer: check the resolver or pass --dns-server, or raise --timeout.`,
    });
    quiet.destroy();
  });

  it("nothing listening: 'unreachable', naming the server", async () => {
    const server = `127.0.0.1:${closedPort}`;
    const none = new DnsCollector({ servers: [server], timeoutMs: 500, tries: 1 });
    expect(await none.query("TXT", "example.com")).toEqual({ ok: false, reason: "unreachable", message: `TXT example.com: connection refused by ${server}`, needs: `Nothing answers DNS at ${server}: pass a working --dns-server.` });
    none.destroy();
  });

  it("after the run's deadline no question is asked: each says the deadline was reached", async () => {
    const late = new DnsCollector({ servers: [dnsServer.server], timeoutMs: 2000, deadline: { ms: 20_000, signal: AbortSignal.abort() } });
    dnsServer.resetQueries();
    expect(await late.query("TXT", "example.com")).toEqual({ ok: false, reason: "timeout", message: "deadline reached: verify stops after 20 s (10 x --timeout) and TXT example.com had not answered", needs: DEADLINE_NEEDS });
    expect(dnsServer.queryCount()).toBe(0);
  });

  it("two servers that refuse connections are both named", async () => {
    const servers = [`127.0.0.1:${closedPort}`, `127.0.0.2:${closedPort}`];
    const none = new DnsCollector({ servers, timeoutMs: 500, tries: 1 });
    expect(await none.query("TXT", "example.com")).toMatchObject({ ok: false, reason: "unreachable", message: `TXT example.com: connection refused by 127.0.0.1:${closedPort}, 127.0.0.2:${closedPort}` });
    none.destroy();
  });

  it("how a report names the resolver: the servers given, or the system resolver", () => {
    expect(resolverName([])).toBe("the system resolver");
    expect(resolverName(["192.0.2.53"])).toBe("192.0.2.53");
    expect(resolverName(["192.0.2.53", "198.51.100.53:5353"])).toBe("192.0.2.53, 198.51.100.53:5353");
  });

  it("no --dns-server: the system's resolvers are asked (an answer, NXDOMAIN, or a failure that names them)", async () => {
    const system = new DnsCollector({ servers: [], timeoutMs: 1_000, tries: 1 });
    const r = await system.query("TXT", "mail-infra-test.invalid");
    system.destroy();
    if (r.ok || r.reason === "notfound") return;
    expect(`${r.message} ${r.needs ?? ""}`).toContain("the system resolver");
  });

  describe("against scripted servers", () => {
    const started: FakeDnsServer[] = [];
    afterAll(async () => {
      await Promise.all(started.map((s) => s.stop()));
    });
    const keep = async (s: Promise<FakeDnsServer>) => {
      const server = await s;
      started.push(server);
      return server;
    };

    it("SERVFAIL: an error naming the server, pointing at the zone's name servers or DNSSEC", async () => {
      const servfail = await keep(startServfailDns());
      const dns = new DnsCollector({ servers: [servfail.server], timeoutMs: 1_000, tries: 1 });
      expect(await dns.query("TXT", "example.com")).toEqual({
        ok: false,
        reason: "error",
        message: `TXT example.com: SERVFAIL from ${servfail.server}`,
        needs: "The resolver could not get an answer (SERVFAIL): the zone's name servers may be broken or DNSSEC fails; try --authoritative.",
      });
      dns.destroy();
    });

    it("an address query answered (NODATA) and the other failing: the SPF view cannot say whether the target resolves", async () => {
      const mixed = await keep(startRcodeDns((type) => (type === "AAAA" ? 2 : 0)));
      const dns = new DnsCollector({ servers: [mixed.server], timeoutMs: 1_000, tries: 1 });
      expect(await dns.query("A", "half.example.com")).toEqual({ ok: true, value: [] });
      expect(await dns.spfResolver().hasAddressOrMx?.("half.example.com", "a")).toBeUndefined();
      dns.destroy();
    });

    it("with tries 1 the resolver asks once and gives up after the timeout, before the 3 x timeout budget", async () => {
      const silent = await keep(startSilentDns());
      const dns = new DnsCollector({ servers: [silent.server], timeoutMs: 300, tries: 1 });
      const started = performance.now();
      expect(await dns.query("TXT", "once.example.com")).toMatchObject({ ok: false, reason: "timeout", message: `TXT once.example.com: no answer from ${silent.server}` });
      expect(performance.now() - started).toBeLessThan(750);
      expect(silent.queries().map((q) => `${q.type} ${q.name}`)).toEqual(["TXT once.example.com"]);
      dns.destroy();
    });

    it("a question still unanswered at its budget (3 x timeout) is a timeout naming the server, not the run's deadline", async () => {
      const silent = await keep(startSilentDns());
      const dns = new DnsCollector({ servers: [silent.server], timeoutMs: 100, tries: 4, deadline: { ms: 60_000, signal: new AbortController().signal } });
      expect(await dns.query("TXT", "slow.example.com")).toEqual({
        ok: false,
        reason: "timeout",
        message: `TXT slow.example.com: no answer from ${silent.server}`,
        needs: `DNS at ${silent.server} did not answer: check the resolver or pass --dns-server, or raise --timeout.`,
      });
      dns.destroy();
    });

    it("with concurrency 1 a second question waits until the first has ended", async () => {
      const silent = await keep(startSilentDns());
      const dns = new DnsCollector({ servers: [silent.server], timeoutMs: 1_000, tries: 1, concurrency: 1 });
      const first = dns.query("TXT", "first.example.com");
      const second = dns.query("TXT", "second.example.com");
      await new Promise((r) => setTimeout(r, 200));
      expect(silent.queries().map((q) => q.name)).toEqual(["first.example.com"]);
      dns.destroy();
      await Promise.all([first, second]);
    });

    it("destroy() cancels the questions in flight: each ends as ECANCELLED at once", async () => {
      const silent = await keep(startSilentDns());
      const dns = new DnsCollector({ servers: [silent.server], timeoutMs: 5_000, tries: 1 });
      const pending = dns.query("TXT", "cancelled.example.com");
      await new Promise((r) => setTimeout(r, 50));
      const started = performance.now();
      dns.destroy();
      expect(await pending).toEqual({ ok: false, reason: "error", message: "TXT cancelled.example.com: ECANCELLED" });
      expect(performance.now() - started).toBeLessThan(1_000);
    });
  });
});
