/**
 * The recipient collector (scripts/verify/layers/recipient/collect.ts) in-process, over a DNS
 * stand-in (tests/helpers/collectors.ts: each question logged and answered by the test) and
 * loopback servers that misbehave on purpose: a closed port, a port that accepts and says
 * nothing, TLS servers that hang up, answer slowly, speak something other than HTTP or cut a
 * reply short, a certificate from a CA nobody trusts. What each case becomes is the whole
 * Observation the recipient check (check.ts) judges. Found by mutation testing
 * (docs/mutation-testing.md): tests/verify/recipient.test.ts (nsd, a good policy server) covered
 * the paths that work; the failure paths had no test.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Observation } from "../../lib/verify/findings";
import { RecipientCollector, type RecipientOptions } from "../../scripts/verify/layers/recipient/collect";
import { DEADLINE_NEEDS } from "../../scripts/verify/limit";
import { fakeCollectors } from "../helpers/collectors";
import { createTestCa, createUntrustedCert, startClosedPort, startHttpsPolicyServer, startSilentTcp, type TestCa, type UntrustedCert } from "../sandbox";
import { LOOPBACK } from "../sandbox/common";

const D = "example.com";
const POLICY_HOST = "mta-sts.example.com";
const URL = "https://mta-sts.example.com/.well-known/mta-sts.txt";
const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n";

let ca: TestCa;
let untrusted: UntrustedCert;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [ca, untrusted] = await Promise.all([createTestCa([POLICY_HOST, "mx1.example.com"]), createUntrustedCert([POLICY_HOST])]);
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});
afterAll(async () => {
  await Promise.all([ca?.cleanup(), untrusted?.cleanup()]);
});

/** A server on 127.0.0.1 whose connections `onSocket` handles; stopped after the test. */
async function serve(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  stops.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

/** A TLS server with the test CA's certificate for mta-sts.example.com; `onRequest` gets each connection once the client has sent its request. */
function tlsServer(onRequest: (s: tls.TLSSocket) => void, cert: { key: string; cert: string } = ca.server): Promise<number> {
  const server = tls.createServer({ key: cert.key, cert: cert.cert }, (s) => {
    s.on("error", () => undefined);
    s.once("data", () => onRequest(s));
  });
  server.on("tlsClientError", () => undefined);
  return serve(server);
}

/** A plain TCP server; `onSocket` gets each connection as it is accepted. */
function tcpServer(onSocket: (s: net.Socket) => void): Promise<number> {
  return serve(
    net.createServer((s) => {
      s.on("error", () => undefined);
      onSocket(s);
    }),
  );
}

type Answers = Record<string, Observation<string[]>>;
const ok = (...value: string[]): Observation<string[]> => ({ ok: true, value });
const timeout = (q: string): Observation<string[]> => ({ ok: false, reason: "timeout", message: `${q}: no answer from 127.0.0.1:53` });

/** A collector over a DNS stand-in answering `answers` ("TYPE name" -> answer; anything else NXDOMAIN); `calls` logs each question. */
function collector(answers: Answers, options: Partial<Omit<RecipientOptions, "dns">> = {}): { r: RecipientCollector; calls: string[] } {
  const { c, calls } = fakeCollectors({ dns: { query: (type, name) => (answers[`${type} ${name}`] ? Promise.resolve(answers[`${type} ${name}`]) : undefined) as Promise<Observation<string[]>> } });
  return { r: new RecipientCollector({ dns: c.dns, timeoutMs: 3_000, ca: ca.caCertPem, ...options }), calls };
}

/** A collector whose policy fetches go to 127.0.0.1:<port> (--mta-sts-endpoint 127.0.0.1:<port>). */
const fetcher = (port: number, options: Partial<Omit<RecipientOptions, "dns">> = {}) => collector({}, { mtaStsEndpoint: { host: LOOPBACK, port }, ...options }).r;

describe("RecipientCollector.observe: which questions are asked", () => {
  it("the domain is lowercased without its final dot, registered for --authoritative, and each MX host is asked for CNAME, A and AAAA", async () => {
    const { r, calls } = collector({ [`MX ${D}`]: ok("20 MX2.example.com.", "10 mx1.example.com") });
    const obs = await r.observe("Example.COM.");
    expect(obs.domain).toBe(D);
    expect(calls[0]).toBe(`dns.useAuthoritativeFor ${D}`);
    expect([...obs.hosts.keys()].sort()).toEqual(["mx1.example.com", "mx2.example.com"]);
    expect(obs.hosts.get("mx1.example.com")).toEqual({
      cname: { ok: false, reason: "notfound", message: "CNAME mx1.example.com: NXDOMAIN" },
      a: { ok: false, reason: "notfound", message: "A mx1.example.com: NXDOMAIN" },
      aaaa: { ok: false, reason: "notfound", message: "AAAA mx1.example.com: NXDOMAIN" },
    });
    // An MX was found: the domain's own addresses (the implicit MX) are not asked for.
    expect("implicit" in obs).toBe(false);
    expect(calls).not.toContain(`dns.query A ${D}`);
    // The same domain again, in any spelling, is the same observation.
    expect(await r.observe("example.com")).toBe(obs);
  });

  it("a null MX (RFC 7505, `0 .`) has no host to ask about, and with --probe-smtp nothing to probe", async () => {
    const { r, calls } = collector({ [`MX ${D}`]: ok("0 .") }, { probeSmtp: true });
    const obs = await r.observe(D);
    expect(obs.hosts.size).toBe(0);
    expect(calls.filter((c) => /^dns\.query (CNAME|A|AAAA) /.test(c))).toEqual([]);
    expect("probe" in obs).toBe(false);
    expect(r.connections).toBe(0);
  });

  it("an MX question that fails: no hosts, no implicit MX, and with --probe-smtp no probe", async () => {
    const { r, calls } = collector({ [`MX ${D}`]: timeout(`MX ${D}`) }, { probeSmtp: true });
    const obs = await r.observe(D);
    expect(obs.mx).toEqual(timeout(`MX ${D}`));
    expect(obs.hosts.size).toBe(0);
    expect("implicit" in obs).toBe(false);
    expect("probe" in obs).toBe(false);
    expect(calls.filter((c) => /^dns\.query (CNAME|A|AAAA) /.test(c))).toEqual([]);
  });

  it("no MX records (NODATA): the domain's own A and AAAA are asked for (the implicit MX, RFC 5321 5.1)", async () => {
    const { r } = collector({ [`MX ${D}`]: ok(), [`A ${D}`]: ok("192.0.2.1") });
    const obs = await r.observe(D);
    expect(obs.implicit).toEqual({ a: ok("192.0.2.1"), aaaa: { ok: false, reason: "notfound", message: `AAAA ${D}: NXDOMAIN` } });
  });

  it("the MTA-STS policy is fetched only when _mta-sts holds a valid record", async () => {
    for (const mtaSts of [undefined, timeout(`TXT _mta-sts.${D}`), ok("v=STSv1;"), ok("v=spf1 -all")]) {
      const { r, calls } = collector(mtaSts ? { [`TXT _mta-sts.${D}`]: mtaSts } : {}, { mtaStsEndpoint: { host: LOOPBACK, port: 9 } });
      const obs = await r.observe(D);
      expect("policy" in obs).toBe(false);
      expect(calls.filter((c) => c.endsWith(` ${POLICY_HOST}`))).toEqual([]);
      expect(r.connections).toBe(0);
    }
    const closed = await startClosedPort();
    const { r } = collector({ [`TXT _mta-sts.${D}`]: ok("v=STSv1; id=20261207") }, { mtaStsEndpoint: { host: LOOPBACK, port: closed.port } });
    expect((await r.observe(D)).policy).toEqual({ ok: false, reason: "unreachable", message: `${URL}: connection to 127.0.0.1:${closed.port} refused` });
  });
});

describe("RecipientCollector.observe: DMARC discovery (RFC 7489 6.6.3)", () => {
  const SUB = "news.example.com";
  const names = async (answers: Answers) => (await collector(answers).r.observe(SUB)).dmarc.map((d) => `${d.name} ${d.txt.ok ? d.txt.value.join(" | ") : d.txt.reason}`);

  it("no record at _dmarc.<domain> (NXDOMAIN, or TXT that is not DMARC): the Organisational Domain's is asked for next", async () => {
    expect(await names({ [`TXT _dmarc.${D}`]: ok("v=DMARC1; p=reject") })).toEqual([`_dmarc.${SUB} notfound`, `_dmarc.${D} v=DMARC1; p=reject`]);
    expect(await names({ [`TXT _dmarc.${SUB}`]: ok("v=spf1 -all"), [`TXT _dmarc.${D}`]: ok("v=DMARC1; p=reject") })).toEqual([`_dmarc.${SUB} v=spf1 -all`, `_dmarc.${D} v=DMARC1; p=reject`]);
  });

  it("a DMARC record at _dmarc.<domain>, among other TXT: discovery stops there", async () => {
    expect(await names({ [`TXT _dmarc.${SUB}`]: ok("v=DMARC1; p=none", "google-site-verification=abc"), [`TXT _dmarc.${D}`]: ok("v=DMARC1; p=reject") })).toEqual([`_dmarc.${SUB} v=DMARC1; p=none | google-site-verification=abc`]);
  });

  it("a question that fails (not NXDOMAIN): discovery stops, the Organisational Domain's record would not be the one that applies", async () => {
    expect(await names({ [`TXT _dmarc.${SUB}`]: timeout(`TXT _dmarc.${SUB}`), [`TXT _dmarc.${D}`]: ok("v=DMARC1; p=reject") })).toEqual([`_dmarc.${SUB} timeout`]);
  });
});

describe("RecipientCollector.fetchPolicy: where it connects", () => {
  it("--mta-sts-endpoint host:port: no address is looked up; the policy is read with the real name's Host and certificate, and says where it went", async () => {
    const server = await startHttpsPolicyServer({ cert: ca.server, routes: { [POLICY_HOST]: { body: POLICY } } });
    stops.push(() => server.stop());
    const { r, calls } = collector({}, { mtaStsEndpoint: { host: LOOPBACK, port: server.port } });
    expect(await r.fetchPolicy(D)).toEqual({ ok: true, value: { url: URL, status: 200, contentType: "text/plain", body: POLICY, connectedTo: `127.0.0.1:${server.port} (override for mta-sts.example.com:443)` } });
    expect(calls).toEqual([]);
    expect(server.requests()).toEqual([`${POLICY_HOST} /.well-known/mta-sts.txt`]);
    expect(r.connections).toBe(1);
    await r.fetchPolicy("example.org");
    expect(r.connections).toBe(2);
  });

  it("without an override: the first A address, port 443", async () => {
    const { r, calls } = collector({ [`A ${POLICY_HOST}`]: ok("127.0.0.1", "127.0.0.2"), [`AAAA ${POLICY_HOST}`]: ok("::1") });
    // Refused where nothing listens on port 443; a local web server there fails TLS for mta-sts.example.com.
    expect(await r.fetchPolicy(D)).toMatchObject({ ok: false, message: expect.stringContaining("127.0.0.1:443") });
    expect(calls.sort()).toEqual([`dns.query A ${POLICY_HOST}`, `dns.query AAAA ${POLICY_HOST}`]);
  });

  it("only an IPv6 address (the A question failed, or NODATA and --mta-sts-endpoint with a port alone): it is written [address]:port", async () => {
    const closed = await startClosedPort();
    const aFailed = collector({ [`A ${POLICY_HOST}`]: timeout(`A ${POLICY_HOST}`), [`AAAA ${POLICY_HOST}`]: ok("::1") }).r;
    // Refused, or unreachable on a machine without IPv6 on loopback: either names [::1]:<port>.
    expect(await aFailed.fetchPolicy(D)).toMatchObject({ ok: false, message: expect.stringContaining("[::1]:443") });
    const portOnly = collector({ [`A ${POLICY_HOST}`]: ok(), [`AAAA ${POLICY_HOST}`]: ok("::1") }, { mtaStsEndpoint: { port: closed.port } }).r;
    expect(await portOnly.fetchPolicy(D)).toMatchObject({ ok: false, message: expect.stringContaining(`[::1]:${closed.port}`) });
  });

  it("no address: NXDOMAIN and NODATA say so with the URL; a failed question is passed on as it is", async () => {
    expect(await collector({}).r.fetchPolicy(D)).toEqual({ ok: false, reason: "notfound", message: `${URL}: mta-sts.example.com has no A or AAAA record` });
    expect(await collector({ [`A ${POLICY_HOST}`]: ok(), [`AAAA ${POLICY_HOST}`]: ok() }).r.fetchPolicy(D)).toEqual({ ok: false, reason: "notfound", message: `${URL}: mta-sts.example.com has no A or AAAA record` });
    // NXDOMAIN for A, a timeout for AAAA: the timeout (an answer might exist).
    expect(await collector({ [`AAAA ${POLICY_HOST}`]: timeout(`AAAA ${POLICY_HOST}`) }).r.fetchPolicy(D)).toEqual(timeout(`AAAA ${POLICY_HOST}`));
    // NODATA for A, a timeout for AAAA.
    const r = collector({ [`A ${POLICY_HOST}`]: ok(), [`AAAA ${POLICY_HOST}`]: timeout(`AAAA ${POLICY_HOST}`) }).r;
    expect(await r.fetchPolicy(D)).toEqual(timeout(`AAAA ${POLICY_HOST}`));
    expect(r.connections).toBe(0);
  });
});

describe("RecipientCollector.fetchPolicy: a policy host that misbehaves", () => {
  it("a closed port: unreachable, refused", async () => {
    const closed = await startClosedPort();
    expect(await fetcher(closed.port).fetchPolicy(D)).toEqual({ ok: false, reason: "unreachable", message: `${URL}: connection to 127.0.0.1:${closed.port} refused` });
  });

  it("a port that accepts and says nothing: a timeout after --timeout (the check calls it inconclusive)", async () => {
    const silent = await startSilentTcp();
    stops.push(() => silent.stop());
    expect(await fetcher(silent.port, { timeoutMs: 300 }).fetchPolicy(D)).toEqual({ ok: false, reason: "timeout", message: `${URL}: 127.0.0.1:${silent.port} did not answer in time` });
  });

  it("a server that hangs up before the TLS handshake: unreachable, with the error's code", async () => {
    const port = await tcpServer((s) => s.destroy());
    expect(await fetcher(port).fetchPolicy(D)).toEqual({ ok: false, reason: "unreachable", message: `${URL}: 127.0.0.1:${port}: ECONNRESET` });
  });

  it("a certificate no one trusts: tls, checked against the policy host's name", async () => {
    const port = await tlsServer(() => undefined, untrusted);
    const got = await fetcher(port).fetchPolicy(D);
    expect(got).toEqual({ ok: false, reason: "tls", message: expect.stringMatching(/^https:\/\/mta-sts\.example\.com\/\.well-known\/mta-sts\.txt: TLS to 127\.0\.0\.1:\d+ failed: self[- ]signed certificate \(checked against mta-sts\.example\.com\)$/) });
  });

  it("TLS, then something that is not HTTP: an error with the parser's words, on one line", async () => {
    const port = await tlsServer((s) => s.end("SSH-2.0-OpenSSH_9.6\r\n"));
    expect(await fetcher(port).fetchPolicy(D)).toEqual({ ok: false, reason: "error", message: `${URL}: 127.0.0.1:${port}: Parse Error: Expected HTTP/, RTSP/ or ICE/` });
  });

  it("a policy that trickles in: stopped after 3 x --timeout", async () => {
    const port = await tlsServer((s) => {
      s.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n");
      const t = setInterval(() => s.write("#"), 50);
      s.on("close", () => clearInterval(t));
    });
    // The run's deadline is there but does not pass: the operation's own budget stops it.
    const deadline = { ms: 60_000, signal: new AbortController().signal };
    const started = Date.now();
    const got = await fetcher(port, { timeoutMs: 300, deadline }).fetchPolicy(D);
    expect(got).toEqual({ ok: false, reason: "timeout", message: `127.0.0.1:${port} did not answer in time (no complete MTA-STS policy fetch within 900 ms, 3 x --timeout)` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
  });

  it("the run's deadline passes while a fetch waits: deadline reached, with what to do", async () => {
    const silent = await startSilentTcp();
    stops.push(() => silent.stop());
    const controller = new AbortController();
    const r = fetcher(silent.port, { timeoutMs: 5_000, deadline: { ms: 50_000, signal: controller.signal } });
    const pending = r.fetchPolicy(D);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toEqual({ ok: false, reason: "timeout", message: `deadline reached: verify stops after 50 s (10 x --timeout) and MTA-STS policy fetch at 127.0.0.1:${silent.port} had not answered`, needs: DEADLINE_NEEDS });
  });
});

describe("RecipientCollector.probe: failures without an SMTP reply", () => {
  const prober = (port: number) => new RecipientCollector({ dns: fakeCollectors().c.dns, timeoutMs: 3_000, probeSmtp: true, probeEndpoint: { host: LOOPBACK, port } });

  it("a closed port 25: unreachable, refused (nodemailer's ESOCKET carries Node's ECONNREFUSED in its message)", async () => {
    const closed = await startClosedPort();
    expect(await prober(closed.port).probe("mx1.example.com", ["192.0.2.1"])).toEqual({ ok: false, reason: "unreachable", message: `connection to 127.0.0.1:${closed.port} refused` });
  });

  it("a greeting that is not SMTP: an error with the server's words, its runs of spaces made one", async () => {
    const port = await tcpServer((s) => s.write("SSH-2.0-OpenSSH_9.6  Ubuntu-3\r\n"));
    expect(await prober(port).probe("mx1.example.com", ["192.0.2.1"])).toEqual({
      ok: false,
      reason: "error",
      message: `127.0.0.1:${port}: Invalid greeting. response=SSH-2.0-OpenSSH_9.6 Ubuntu-3: SSH-2.0-OpenSSH_9.6 Ubuntu-3`,
    });
  });
});
