/**
 * The recipient collector's I/O (scripts/verify/layers/recipient/collect.ts: the MTA-STS policy
 * fetch and the --probe-smtp session) against loopback servers that misbehave on purpose: an
 * HTTPS policy host scripted per test (a certificate from a test CA for mta-sts.example.com) and
 * a scripted SMTP server for the MX (tests/sandbox/smtp.ts `startScriptedSmtp`: it says only
 * what the test makes it say, STARTTLS included). The check judges only what the collector
 * hands it, so each case states the observation. In-process, no DNS: every endpoint is given
 * with its host. Found by mutation testing (docs/mutation-testing.md).
 */
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type * as net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { type RecipientOptions, RecipientCollector } from "../../scripts/verify/layers/recipient/collect";
import { DEADLINE_NEEDS } from "../../scripts/verify/limit";
import { createTestCa, type ScriptedSmtp, type ScriptedSmtpSession, startScriptedSmtp, type TestCa } from "../sandbox";
import { LOOPBACK } from "../sandbox/common";

const DOMAIN = "example.com";
const POLICY_HOST = "mta-sts.example.com";
const URL = "https://mta-sts.example.com/.well-known/mta-sts.txt";
const MX = "mx.example.com";
const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 86400\r\n";

let ca: TestCa;
let mxCert: { key: string; cert: string };
let otherCert: { key: string; cert: string };
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ca = await createTestCa([POLICY_HOST]);
  [mxCert, otherCert] = await Promise.all([ca.issue([MX]), ca.issue(["mx.other.example"])]);
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});
afterAll(async () => {
  await ca?.cleanup();
});

/** A collector that never asks DNS: the policy host and the MX are given with their address. */
function collector(o: Partial<RecipientOptions> = {}): RecipientCollector {
  const timeoutMs = o.timeoutMs ?? 5_000;
  return new RecipientCollector({ dns: new DnsCollector({ servers: [`${LOOPBACK}:9`], timeoutMs }), ca: ca.caCertPem, ...o, timeoutMs });
}

const until = async (ok: () => boolean, ms = 2_000) => {
  for (const started = performance.now(); !ok() && performance.now() - started < ms; ) await new Promise((r) => setTimeout(r, 10));
  return ok();
};

interface PolicyHost {
  port: number;
  where: string;
  requests: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  /** Connections closed so far. */
  closed(): number;
}

/** An HTTPS server on loopback whose every answer is `answer`'s (certificate: mta-sts.example.com from the test CA). */
async function policyHost(answer: (res: ServerResponse, req: IncomingMessage) => void): Promise<PolicyHost> {
  const requests: PolicyHost["requests"] = [];
  let closed = 0;
  const sockets = new Set<net.Socket>();
  const server = https.createServer({ key: ca.server.key, cert: ca.server.cert }, (req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    answer(res, req);
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      closed += 1;
      sockets.delete(socket);
    });
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  stops.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as net.AddressInfo).port;
  return { port, where: `${LOOPBACK}:${port}`, requests, closed: () => closed };
}

const fetchFrom = (host: PolicyHost, o: Partial<RecipientOptions> = {}) => {
  const c = collector({ mtaStsEndpoint: { host: LOOPBACK, port: host.port }, ...o });
  return { c, result: c.fetchPolicy(DOMAIN) };
};

describe("RecipientCollector.fetchPolicy: what the policy host is asked and what its answer becomes", () => {
  it("a GET of the well-known path with the policy host's name, the client's name and text/plain asked for; the answer and where it was fetched", async () => {
    const host = await policyHost((res) => res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(POLICY));
    const { c, result } = fetchFrom(host);
    expect(await result).toEqual({
      ok: true,
      value: { url: URL, status: 200, contentType: "text/plain; charset=utf-8", body: POLICY, connectedTo: `${host.where} (override for mta-sts.example.com:443)` },
    });
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]).toMatchObject({ method: "GET", url: "/.well-known/mta-sts.txt" });
    expect(host.requests[0]?.headers).toMatchObject({ host: POLICY_HOST, "user-agent": "mail-infra-verify", accept: "text/plain" });
    expect(c.connections).toBe(1);
  });

  it("an answer without a media type: an empty one (the check then says so)", async () => {
    const host = await policyHost((res) => res.writeHead(200).end(POLICY));
    const r = await fetchFrom(host).result;
    expect(r.ok && r.value.contentType).toBe("");
  });

  it("a policy of exactly 64 KiB is read whole; one byte more is refused (RFC 8461 3.3)", async () => {
    const exact = "#".repeat(65_536);
    const atLimit = await policyHost((res) => res.writeHead(200, { "content-type": "text/plain" }).end(exact));
    const r = await fetchFrom(atLimit).result;
    expect(r.ok && r.value.body.length).toBe(65_536);
    const over = await policyHost((res) => res.writeHead(200, { "content-type": "text/plain" }).end(`${exact}#`));
    expect(await fetchFrom(over).result).toEqual({ ok: false, reason: "error", message: `${URL}: the policy is larger than 64 KiB (RFC 8461 3.3 lets senders refuse it)` });
  });

  it("a body without end: refused at 64 KiB, and the connection closed at once rather than read on", async () => {
    const host = await policyHost((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const t = setInterval(() => res.write("#".repeat(16_384)), 5);
      res.on("close", () => clearInterval(t));
    });
    const started = performance.now();
    expect(await fetchFrom(host, { timeoutMs: 10_000 }).result).toMatchObject({ ok: false, reason: "error", message: `${URL}: the policy is larger than 64 KiB (RFC 8461 3.3 lets senders refuse it)` });
    expect(await until(() => host.closed() === 1)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a server that hangs up in the middle of the policy: it closed the connection (a warning in the check), not a timeout (inconclusive)", async () => {
    const host = await policyHost((res, req) => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "1000" });
      res.write("version: STSv1\r\n");
      setTimeout(() => req.socket.destroy(), 50);
    });
    expect(await fetchFrom(host).result).toEqual({ ok: false, reason: "error", message: `${URL}: ${host.where} closed the connection before the end of the policy` });
  });

  it("a server that never answers the request: a timeout after --timeout, not after the whole budget", async () => {
    const host = await policyHost(() => undefined);
    const started = performance.now();
    expect(await fetchFrom(host, { timeoutMs: 300 }).result).toEqual({ ok: false, reason: "timeout", message: `${URL}: ${host.where} did not answer in time` });
    expect(performance.now() - started).toBeLessThan(900);
    expect(host.requests).toHaveLength(1);
  });

  it("an answer that trickles on (never idle for --timeout): cut at 3 x --timeout", async () => {
    const host = await policyHost((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const t = setInterval(() => res.write("#"), 50);
      res.on("close", () => clearInterval(t));
    });
    expect(await fetchFrom(host, { timeoutMs: 300 }).result).toEqual({ ok: false, reason: "timeout", message: `${host.where} did not answer in time (no complete MTA-STS policy fetch within 900 ms, 3 x --timeout)` });
  });

  it("after the run's deadline no request is made, and the fetch says why", async () => {
    const host = await policyHost((res) => res.writeHead(200, { "content-type": "text/plain" }).end(POLICY));
    const r = await fetchFrom(host, { deadline: { ms: 50_000, signal: AbortSignal.abort() } }).result;
    expect(r).toEqual({
      ok: false,
      reason: "timeout",
      message: `deadline reached: verify stops after 50 s (10 x --timeout) and MTA-STS policy fetch at ${host.where} had not answered`,
      needs: DEADLINE_NEEDS,
    });
    expect(host.requests).toHaveLength(0);
  });
});

/** A scripted MX: greets with `greeting` (unless undefined), then answers each command through `answer`; QUIT gets 221 unless `answer` takes it. */
async function mx(greeting: string | undefined, answer: (line: string, s: ScriptedSmtpSession) => boolean | void = () => undefined): Promise<ScriptedSmtp> {
  const server = await startScriptedSmtp(
    (s) => {
      if (greeting !== undefined) s.write(greeting);
    },
    (line, s) => {
      if (answer(line, s) === true) return;
      if (/^QUIT$/i.test(line)) s.write("221 2.0.0 bye\r\n");
    },
  );
  stops.push(() => server.stop());
  return server;
}

const probeOf = (server: ScriptedSmtp, o: Partial<RecipientOptions> = {}) => {
  const c = collector({ probeSmtp: true, probeEndpoint: { host: LOOPBACK, port: server.port }, ...o });
  return { c, result: c.probe(MX, ["192.0.2.1"]) };
};
const via = (server: ScriptedSmtp) => `${server.where} (override for mx.example.com:25)`;

/** EHLO in plaintext with `ehlo`; STARTTLS: 220 and the handshake with `cert`; EHLO again over TLS. */
const withStartTls = (ehlo: string, cert: { key: string; cert: string }) => (line: string, s: ScriptedSmtpSession) => {
  if (/^EHLO /i.test(line)) s.write(ehlo);
  else if (/^STARTTLS$/i.test(line)) {
    s.write("220 2.0.0 Ready to start TLS\r\n");
    s.startTls(cert);
  }
};

describe("RecipientCollector.probe: a session that works", () => {
  it("STARTTLS with a certificate valid for the MX: banner, the plaintext EHLO's extensions, TLS ok; EHLO again over TLS, then QUIT", async () => {
    const server = await mx("220 mx.example.com ESMTP ready\r\n", withStartTls("250-mx.example.com greets you\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250 STARTTLS\r\n", mxCert));
    const { c, result } = probeOf(server);
    const r = await result;
    expect(r).toEqual({
      ok: true,
      value: { host: MX, connectedTo: via(server), ms: expect.any(Number), banner: "220 mx.example.com ESMTP ready", extensions: ["SIZE", "8BITMIME", "STARTTLS"], starttls: true, tls: { ok: true } },
    });
    expect(r.ok && r.value.ms).toBeGreaterThanOrEqual(0);
    expect(r.ok && r.value.ms).toBeLessThan(5_000);
    expect(await until(() => server.lines().length === 4)).toBe(true);
    expect(server.lines()).toEqual(["EHLO mail-infra-verify.invalid", "STARTTLS", "EHLO mail-infra-verify.invalid", "QUIT"]);
    expect(c.connections).toBe(1);
  });

  it("a greeting and an EHLO reply over several lines: the banner is the first line, the extensions the EHLO lines after the first", async () => {
    const server = await mx("220-mx.example.com ESMTP\r\n220 no UCE\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("250-mx.example.com hello\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n");
    });
    expect(await probeOf(server).result).toEqual({
      ok: true,
      value: { host: MX, connectedTo: via(server), ms: expect.any(Number), banner: "220-mx.example.com ESMTP", extensions: ["SIZE", "8BITMIME"], starttls: false },
    });
  });

  it("an EHLO line with another code than 250 is no extension (RFC 5321 4.2.1: every line of a reply has the same code)", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("250-mx.example.com hello\r\n251-X250-PIPELINING\r\n250 SIZE 10240000\r\n");
    });
    expect(await probeOf(server).result).toMatchObject({ ok: true, value: { extensions: ["SIZE"], starttls: false } });
  });

  it("a refused EHLO gives no extensions, even with a later line claiming 250 (RFC 5321 4.2.1: a reply's code is its lines' one)", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("550-5.7.1 no EHLO from you\r\n250 STARTTLS\r\n");
      else if (/^HELO /i.test(line)) s.write("250 mx.example.com\r\n");
    });
    expect(await probeOf(server).result).toMatchObject({ ok: true, value: { banner: "220 mx.example.com ESMTP", extensions: [], starttls: false } });
    expect(await until(() => server.lines().length === 3)).toBe(true);
    expect(server.lines()).toEqual(["EHLO mail-infra-verify.invalid", "HELO mail-infra-verify.invalid", "QUIT"]);
  });

  it("QUIT is sent, and the connection closed by the client even when the server never answers QUIT", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("250 mx.example.com\r\n");
      return /^QUIT$/i.test(line);
    });
    const started = performance.now();
    expect(await probeOf(server, { timeoutMs: 10_000 }).result).toMatchObject({ ok: true, value: { banner: "220 mx.example.com ESMTP", extensions: [], starttls: false } });
    expect(await until(() => server.closed() === 1)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await until(() => server.lines().length === 2)).toBe(true);
    expect(server.lines()).toEqual(["EHLO mail-infra-verify.invalid", "QUIT"]);
  });

  it("without --probe-smtp-port: the first address of the MX, on port 25", async () => {
    const c = collector({ probeSmtp: true, timeoutMs: 2_000 });
    const r = await c.probe(MX, [LOOPBACK, "127.0.0.2"]);
    // Whatever port 25 of this machine does (nothing listens on it here: refused), the probe went there, with no override note.
    const said = JSON.stringify(r);
    expect(said).toContain(`${LOOPBACK}:25`);
    expect(said).not.toContain("override");
    expect(c.connections).toBe(1);
  });
});

describe("RecipientCollector.probe: refusals (RFC 5321 4.2.1: 4yz and 5yz replies)", () => {
  it("a greeting refused over several lines: the whole reply on one line, at the greeting; no extensions", async () => {
    const server = await mx("554-mx.example.com no SMTP service here\r\n554 5.7.1 go away\r\n");
    expect(await probeOf(server).result).toEqual({
      ok: true,
      value: {
        host: MX,
        connectedTo: via(server),
        ms: expect.any(Number),
        banner: "554-mx.example.com no SMTP service here",
        extensions: [],
        starttls: false,
        rejected: { code: 554, reply: "554-mx.example.com no SMTP service here 554 5.7.1 go away", stage: "the greeting" },
      },
    });
  });

  it("a padded refusal: its spaces collapsed and trimmed", async () => {
    const server = await mx("554  5.7.1   no   service  \r\n");
    expect(await probeOf(server).result).toMatchObject({ ok: true, value: { rejected: { code: 554, reply: "554 5.7.1 no service", stage: "the greeting" } } });
  });

  it("400 is the first refusal code; 250 (a success code, not 220) and 600 (no SMTP reply) are protocol errors, not refusals", async () => {
    const busy = await mx("400 4.0.0 busy\r\n");
    expect(await probeOf(busy).result).toMatchObject({ ok: true, value: { rejected: { code: 400, reply: "400 4.0.0 busy", stage: "the greeting" } } });
    for (const greeting of ["250 mx.example.com hello", "600 mx.example.com hello"]) {
      const odd = await mx(`${greeting}\r\n`);
      const r = await probeOf(odd).result;
      expect(r).toMatchObject({ ok: false, reason: "error" });
      expect(r.ok ? "" : r.message).toMatch(new RegExp(`^${odd.where}: Invalid greeting`));
    }
  });

  it("EHLO and then HELO refused: the refusal at HELO; a refused EHLO reply (even one naming 250 in its text) is no extension list", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("550-5.7.1 client host 192.0.2.250 is listed\r\n550 5.7.1 see the block list\r\n");
      else if (/^HELO /i.test(line)) s.write("550 5.7.1 HELO refused\r\n");
    });
    expect(await probeOf(server).result).toEqual({
      ok: true,
      value: { host: MX, connectedTo: via(server), ms: expect.any(Number), banner: "220 mx.example.com ESMTP", extensions: [], starttls: false, rejected: { code: 550, reply: "550 5.7.1 HELO refused", stage: "HELO" } },
    });
  });

  it("421 to EHLO (the server closing): a refusal at EHLO", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("421 4.3.2 shutting down\r\n");
    });
    expect(await probeOf(server).result).toMatchObject({ ok: true, value: { banner: "220 mx.example.com ESMTP", rejected: { code: 421, reply: "421 4.3.2 shutting down", stage: "EHLO" } } });
  });

  it("STARTTLS refused: a refusal at STARTTLS, with STARTTLS offered", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("250-mx.example.com\r\n250 STARTTLS\r\n");
      else if (/^STARTTLS$/i.test(line)) s.write("454 4.7.0 TLS not available\r\n");
    });
    expect(await probeOf(server).result).toMatchObject({ ok: true, value: { extensions: ["STARTTLS"], starttls: true, rejected: { code: 454, reply: "454 4.7.0 TLS not available", stage: "STARTTLS" } } });
  });
});

describe("RecipientCollector.probe: STARTTLS that fails", () => {
  const offering = (then: (s: ScriptedSmtpSession) => void) => (line: string, s: ScriptedSmtpSession) => {
    if (/^EHLO /i.test(line)) s.write("250-mx.example.com\r\n250 STARTTLS\r\n");
    else if (/^STARTTLS$/i.test(line)) {
      s.write("220 2.0.0 Ready to start TLS\r\n");
      then(s);
    }
  };

  it("a certificate for another name: a certificate failure, in TLS's own words", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", offering((s) => s.startTls(otherCert)));
    const r = await probeOf(server).result;
    expect(r).toMatchObject({ ok: true, value: { starttls: true, tls: { ok: false, certificate: true } } });
    expect(r.ok && r.value.tls && !r.value.tls.ok && r.value.tls.error).toMatch(/^Hostname\/IP does not match certificate's altnames: .*mx\.other\.example/);
  });

  it("a server that answers 220 and then speaks plaintext: the TLS handshake fails (not a certificate problem), an observation, not 'could not check'", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", offering((s) => setTimeout(() => s.write("this is not TLS\r\n"), 20)));
    const r = await probeOf(server).result;
    expect(r).toMatchObject({ ok: true, value: { host: MX, banner: "220 mx.example.com ESMTP", extensions: ["STARTTLS"], starttls: true, tls: { ok: false, certificate: false } } });
    expect(r.ok && r.value.tls && !r.value.tls.ok && r.value.tls.error).toMatch(/wrong version number/);
  });

  it("a server that hangs up during the handshake: the TLS handshake fails", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", offering((s) => setTimeout(() => s.destroy(), 20)));
    const r = await probeOf(server).result;
    expect(r).toMatchObject({ ok: true, value: { starttls: true, tls: { ok: false, certificate: false } } });
    // Node's words depend on whether the hang-up arrives as a reset or an end.
    expect(r.ok && r.value.tls && !r.value.tls.ok && r.value.tls.error).toMatch(/^(Client network socket disconnected before secure TLS connection was established|read ECONNRESET)$/);
  });

  it("STARTTLS answered with neither 2xx nor 4xx/5xx, its text naming a certificate: a failed STARTTLS, not a certificate problem", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.write("250-mx.example.com\r\n250 STARTTLS\r\n");
      else if (/^STARTTLS$/i.test(line)) s.write("354 send your certificate\r\n");
    });
    expect(await probeOf(server).result).toMatchObject({
      ok: true,
      value: { starttls: true, tls: { ok: false, certificate: false, error: "Error upgrading connection with STARTTLS: 354 send your certificate" } },
    });
  });

  it("a handshake that never starts (220, then silence): a timeout, nothing concluded about TLS", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", offering(() => undefined));
    expect(await probeOf(server, { timeoutMs: 300 }).result).toEqual({ ok: false, reason: "timeout", message: `${server.where} did not answer in time` });
  });
});

describe("RecipientCollector.probe: no answer", () => {
  it("a server that accepts the connection and closes it before its greeting: said so, not 'unreachable' (the TCP connection was made)", async () => {
    const hangUp = await startScriptedSmtp((s) => s.destroy());
    stops.push(() => hangUp.stop());
    expect(await probeOf(hangUp).result).toEqual({ ok: false, reason: "error", message: `${hangUp.where} accepted the connection and closed it without a greeting` });
    expect(hangUp.connections()).toBe(1);
  });

  it("a server that greets and then closes the connection without answering EHLO: the connection's error (after a greeting, not 'without a greeting')", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.destroy();
    });
    expect(await probeOf(server).result).toEqual({ ok: false, reason: "error", message: `${server.where}: Connection closed unexpectedly` });
  });

  it("a connection reset (TCP RST) after the greeting: Node's code ECONNRESET, not nodemailer's ESOCKET", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (/^EHLO /i.test(line)) s.reset();
    });
    expect(await probeOf(server).result).toEqual({ ok: false, reason: "unreachable", message: `${server.where}: ECONNRESET` });
  });

  it("an EHLO reply without end: cut at 3 x --timeout, and the connection closed", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n", (line, s) => {
      if (!/^EHLO /i.test(line)) return;
      // One more continuation line every 50 ms: no stage's own timeout ever passes.
      const t = setInterval(() => s.write("250-still going\r\n"), 50);
      stops.push(async () => clearInterval(t));
    });
    expect(await probeOf(server, { timeoutMs: 300 }).result).toEqual({ ok: false, reason: "timeout", message: `${server.where} did not answer in time (no complete SMTP probe within 900 ms, 3 x --timeout)` });
    expect(await until(() => server.closed() === 1)).toBe(true);
  });

  it("after the run's deadline no connection is made, and the probe says why", async () => {
    const server = await mx("220 mx.example.com ESMTP\r\n");
    const r = await probeOf(server, { deadline: { ms: 50_000, signal: AbortSignal.abort() } }).result;
    expect(r).toEqual({ ok: false, reason: "timeout", message: `deadline reached: verify stops after 50 s (10 x --timeout) and SMTP probe at ${server.where} had not answered`, needs: DEADLINE_NEEDS });
    expect(server.connections()).toBe(0);
  });
});
