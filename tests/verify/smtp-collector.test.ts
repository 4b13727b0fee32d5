/**
 * The SMTP collector (scripts/verify/layers/smtp/collect.ts) against a real SMTP server on
 * loopback (smtp-server, with a certificate from a test CA for SES's endpoint name) and, for
 * servers that misbehave, a scripted one (tests/sandbox/smtp.ts `startScriptedSmtp`: it says
 * only what the test makes it say, STARTTLS included): what each outcome of EHLO / STARTTLS /
 * AUTH / a test send becomes. The SMTP check judges only what this
 * hands it, so each case states the whole observation. Found by mutation testing
 * (docs/mutation-testing.md): only the TLS-refusal path had a test of its own.
 */
import type * as net from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { overrideNote, SmtpCollector, type SmtpTarget } from "../../scripts/verify/layers/smtp/collect";
import { DEADLINE_NEEDS } from "../../scripts/verify/limit";
import { createTestCa, type ScriptedSmtpSession, startClosedPort, startScriptedSmtp, startSilentTcp, type TestCa } from "../sandbox";
import { LOOPBACK } from "../sandbox/common";

const ENDPOINT = "email-smtp.us-east-1.amazonaws.com";
const USER = "AKIAEXAMPLECURRENT01";
const PASS = "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2";

let ca: TestCa;
const servers: SMTPServer[] = [];
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ca = await createTestCa([ENDPOINT, "localhost", LOOPBACK]);
});
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))), ...stops.splice(0).map((stop) => stop())]);
});
afterAll(async () => {
  await ca?.cleanup();
});

async function smtpServer(options: Partial<SMTPServerOptions> = {}, cert = ca.server): Promise<SmtpTarget> {
  const server = new SMTPServer({
    name: ENDPOINT,
    secure: false,
    key: cert.key,
    cert: cert.cert,
    authMethods: ["PLAIN", "LOGIN"],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASS) callback(null, { user: USER });
      else callback(Object.assign(new Error("Authentication Credentials Invalid"), { responseCode: 535 }));
    },
    ...options,
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  servers.push(server);
  return { serverName: ENDPOINT, host: LOOPBACK, port: (server.server.address() as net.AddressInfo).port };
}

const override = (t: SmtpTarget) => `connected to ${t.host}:${t.port} (override for ${ENDPOINT})`;

describe("SmtpCollector.auth", () => {
  it("235: the code, the time it took and where it connected; asked once per endpoint, user and region", async () => {
    const target = await smtpServer();
    const smtp = new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem });
    const r = await smtp.auth(target, USER, PASS, "us-east-1");
    expect(r).toEqual({ ok: true, value: { code: 235, ms: expect.any(Number), message: "Authentication successful", connectedTo: override(target) } });
    expect(r.ok && r.value.ms).toBeGreaterThanOrEqual(0);
    expect(r.ok && r.value.ms).toBeLessThan(5_000);
    await smtp.auth(target, USER, PASS, "us-east-1");
    expect(smtp.connections).toBe(1);
    await smtp.auth(target, USER, PASS, "us-west-2");
    expect(smtp.connections).toBe(2);
  });

  it("535 is an answer (the code and the server's words), not a failure to observe", async () => {
    const target = await smtpServer();
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(target, USER, "wrong", "us-east-1");
    expect(r).toEqual({ ok: true, value: { code: 535, ms: expect.any(Number), message: "535 Authentication Credentials Invalid", connectedTo: override(target) } });
    expect(r.ok && r.value.ms).toBeGreaterThanOrEqual(0);
    expect(r.ok && r.value.ms).toBeLessThan(5_000);
  });

  it("a server that offers no AUTH after STARTTLS: no login was made, so no 235 (nodemailer's verify() passes it)", async () => {
    const target = await smtpServer({ disabledCommands: ["AUTH"] });
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(target, USER, PASS, "us-east-1");
    expect(r).toEqual({
      ok: false,
      reason: "error",
      message: `${LOOPBACK}:${target.port} offered no AUTH after STARTTLS: the login was not tried (override for ${ENDPOINT})`,
      needs: `SES's SMTP endpoints always offer AUTH after STARTTLS: ${LOOPBACK}:${target.port} is not one, or something on the path (an SMTP-inspecting firewall or proxy) removes it.`,
      cause: { key: `error: ${LOOPBACK}:${target.port} offered no AUTH after STARTTLS: the login was not tried` },
    });
  });

  it("a certificate the client does not trust: 'tls', naming the endpoint the certificate must be valid for", async () => {
    const target = await smtpServer();
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth(target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls", needs: `The server's certificate is not valid for ${ENDPOINT}: check for TLS interception on the path, or trust the right CA with NODE_EXTRA_CA_CERTS.` });
    if (r.ok) return;
    // The TLS error's own words (they name the certificate), not only its code.
    expect(r.message).toMatch(new RegExp(`^TLS to ${LOOPBACK}:${target.port} failed: .*certificate.* \\(override for ${ENDPOINT.replace(/\./g, "\\.")}\\)$`));
  });

  it("a trusted certificate for another name fails too (the name is checked, not only the CA)", async () => {
    const target = await smtpServer({}, await ca.issue(["smtp.other.example"]));
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls" });
  });

  it("a port nothing listens on: 'unreachable', with what to try", async () => {
    const port = await closedPort();
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth({ serverName: ENDPOINT, host: LOOPBACK, port }, USER, PASS, "us-east-1");
    expect(r).toEqual({
      ok: false,
      reason: "unreachable",
      message: `connection to ${LOOPBACK}:${port} refused (override for ${ENDPOINT})`,
      needs: `Nothing listens on ${LOOPBACK}:${port}: outbound port ${port} may be blocked (try another network), or the endpoint is wrong.`,
      cause: { key: `unreachable: connection to ${LOOPBACK}:${port} refused` },
    });
  });

  it("a server that accepts the connection and never greets: 'timeout', blaming the silent path", async () => {
    const silent = await startSilentTcp();
    stops.push(() => silent.stop());
    const port = silent.port;
    const r = await new SmtpCollector({ timeoutMs: 300 }).auth({ serverName: ENDPOINT, host: LOOPBACK, port }, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "timeout", needs: `Outbound SMTP to ${LOOPBACK}:${port} is silent: a firewall may drop port ${port}; raise --timeout or check the network path.` });
    if (r.ok) return;
    expect(r.message).toMatch(new RegExp(`^${LOOPBACK}:${port} did not answer in time \\(.+\\) \\(override for `));
    // nodemailer's words for the stage that timed out ("Greeting never received"...), not its bare code.
    expect(r.message).not.toContain("(ETIMEDOUT)");
  });

  it("after the run's deadline the session says so", async () => {
    const target = await smtpServer();
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem, deadline: { ms: 50_000, signal: AbortSignal.abort() } }).auth(target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({
      ok: false,
      reason: "timeout",
      message: `deadline reached: verify stops after 50 s (10 x --timeout) and SMTP AUTH handshake at ${LOOPBACK}:${target.port} had not answered (override for ${ENDPOINT})`,
      needs: DEADLINE_NEEDS,
    });
  });
});

describe("SmtpCollector.sendTest", () => {
  it("an accepted message: the server's reply and its code; the message says what it is, to the SES mailbox simulator", async () => {
    const received: { to: string[]; data: string }[] = [];
    const target = await smtpServer({
      onData(stream, session, callback) {
        let data = "";
        stream.on("data", (c: Buffer) => (data += c.toString()));
        stream.on("end", () => {
          received.push({ to: session.envelope.rcptTo.map((a) => a.address), data });
          callback();
        });
      },
    });
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).sendTest(target, USER, PASS, "admin@example.com", "us-east-1");
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(["success@simulator.amazonses.com"]);
    expect(received[0]?.data).toMatch(/^Subject: mail-infra verify --send-test\r$/m);
    // Quoted-printable: soft line breaks ("=" at a line's end) removed.
    expect(received[0]?.data.replace(/=\r?\n/g, "").replace(/\r?\n/g, " ")).toContain(`Sent by mail-infra verify through ${ENDPOINT} (us-east-1) to prove the send path.`);
    expect(r.ok && r.value.ms).toBeGreaterThanOrEqual(0);
    expect(r.ok && r.value.ms).toBeLessThan(5_000);
    expect(r.ok && r.value.code).toBe(250);
    expect(r.ok && r.value.message).toMatch(/^250 /);
    expect(r.ok && r.value.connectedTo).toBe(override(target));
  });

  it("a refused sender: the refusal is the answer (code and words)", async () => {
    const target = await smtpServer({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error("Email  address   is not verified.  "), { responseCode: 554 }));
      },
    });
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).sendTest(target, USER, PASS, "admin@example.com", "us-east-1");
    // The server's words on one line, spaces collapsed.
    expect(r).toEqual({ ok: true, value: { code: 554, ms: expect.any(Number), message: "554 Email address is not verified.", connectedTo: override(target) } });
    expect(r.ok && r.value.ms).toBeLessThan(5_000);
  });
});

/** A scripted SMTP server (tests/sandbox/smtp.ts) standing in for the endpoint, stopped after the test; `target` is it, standing in for ENDPOINT. */
async function scripted(onConnect: (s: ScriptedSmtpSession) => void, onLine?: (line: string, s: ScriptedSmtpSession) => void) {
  const server = await startScriptedSmtp(onConnect, onLine);
  stops.push(() => server.stop());
  return Object.assign(server, { target: { serverName: ENDPOINT, host: server.host, port: server.port } as SmtpTarget });
}

/** A port nothing listens on (tests/sandbox/smtp.ts). */
const closedPort = async () => (await startClosedPort()).port;

/** An EHLO reply without end: one more continuation line every 100 ms, so no stage's own timeout ever passes (stopped after the test). */
const endless = (line: string, s: ScriptedSmtpSession) => {
  if (!/^EHLO /i.test(line)) return;
  const t = setInterval(() => s.write("250-still going\r\n"), 100);
  stops.push(async () => clearInterval(t));
};

const until = async (ok: () => boolean, ms = 2_000) => {
  for (const started = performance.now(); !ok() && performance.now() - started < ms; ) await new Promise((r) => setTimeout(r, 10));
  return ok();
};

describe("SmtpCollector: what each failure of the session becomes", () => {
  it("STARTTLS refused with a padded reply: the reply on one line, its spaces collapsed", async () => {
    const s = await scripted(
      (c) => c.write("220 fake ESMTP\r\n"),
      (line, c) => {
        if (/^EHLO /i.test(line)) c.write("250-fake\r\n250 STARTTLS\r\n");
        else if (/^STARTTLS/i.test(line)) c.write("454  4.7.0   TLS not  available  \r\n");
      },
    );
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls", message: `${s.where} did not start TLS (it answered 454 4.7.0 TLS not available): no AUTH was attempted, because SMTP credentials are never sent unencrypted (override for ${ENDPOINT})` });
  });

  it("a server that greets with a refusal: what it said, its code once", async () => {
    const s = await scripted((c) => c.write("554 5.7.1 No SMTP service here\r\n"));
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toEqual({ ok: false, reason: "error", message: `${s.where} said 554 5.7.1 No SMTP service here (override for ${ENDPOINT})`, cause: { key: `error: ${s.where} said 554 5.7.1 No SMTP service here` } });
  });

  it("a server that hangs up before greeting: the connection's error, not 'no AUTH offered'", async () => {
    const s = await scripted((c) => c.destroy());
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toEqual({ ok: false, reason: "error", message: `${s.where}: ECONNECTION Connection closed unexpectedly (override for ${ENDPOINT})`, cause: { key: `error: ${s.where}: ECONNECTION Connection closed unexpectedly` } });
  });

  it("a connection reset (TCP RST) after the greeting: 'unreachable' with Node's code ECONNRESET, not nodemailer's ESOCKET", async () => {
    const s = await scripted(
      (c) => c.write("220 fake ESMTP\r\n"),
      (line, c) => {
        if (/^EHLO /i.test(line)) c.reset();
      },
    );
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "unreachable", message: `${s.where}: ECONNRESET (override for ${ENDPOINT})`, needs: "Check DNS and the network path to the SMTP endpoint." });
  });

  it("an endpoint name that does not resolve: 'unreachable', pointing at DNS; no override note when the host is the endpoint", async () => {
    const target = { serverName: "email-smtp.nowhere.invalid", host: "email-smtp.nowhere.invalid", port: 587 };
    expect(overrideNote(target)).toBeUndefined();
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth(target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "unreachable", needs: "Check DNS and the network path to the SMTP endpoint." });
    if (r.ok) return;
    expect(r.message).toMatch(/^email-smtp\.nowhere\.invalid:587: E[A-Z]+$/);
  });

  it("a server that sends an endless reply: cut at the session's budget (3 x timeout), not the run's deadline, and the connection closed", async () => {
    const s = await scripted((c) => c.write("220 fake ESMTP\r\n"), endless);
    const smtp = new SmtpCollector({ timeoutMs: 400, deadline: { ms: 60_000, signal: new AbortController().signal } });
    const r = await smtp.auth(s.target, USER, PASS, "us-east-1");
    expect(r).toEqual({
      ok: false,
      reason: "timeout",
      message: `${s.where} did not answer in time (no complete SMTP AUTH handshake within 1.2 s, 3 x --timeout) (override for ${ENDPOINT})`,
      needs: `Outbound SMTP to ${s.where} is silent: a firewall may drop port ${s.target.port}; raise --timeout or check the network path.`,
      cause: { key: `timeout: ${s.where} did not answer in time (no complete SMTP AUTH handshake within 1.2 s, 3 x --timeout)` },
    });
    expect(await until(() => s.closed() === 1)).toBe(true);
  });

  it("with concurrency 1 a second session waits until the first has ended", async () => {
    const s = await scripted(() => undefined);
    const smtp = new SmtpCollector({ timeoutMs: 1_000, concurrency: 1 });
    const first = smtp.auth(s.target, USER, PASS, "us-east-1");
    const second = smtp.auth(s.target, USER, PASS, "us-west-2");
    await new Promise((r) => setTimeout(r, 300));
    expect(s.connections()).toBe(1);
    await Promise.all([first, second]);
    expect(s.connections()).toBe(2);
  });

  it("a target whose host is the endpoint itself: no override note in a failure", async () => {
    const port = await closedPort();
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).auth({ serverName: LOOPBACK, host: LOOPBACK, port }, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "unreachable", message: `connection to ${LOOPBACK}:${port} refused` });
    expect(r).not.toHaveProperty("cause");
  });
});

describe("SmtpCollector: a TLS handshake that fails after the server accepted STARTTLS", () => {
  /** EHLO offers STARTTLS (and AUTH, which must not be tried); STARTTLS: 220, then `then`. */
  const accepting = (then: (s: ScriptedSmtpSession) => void) =>
    scripted(
      (s) => s.write("220 fake ESMTP\r\n"),
      (line, s) => {
        if (/^EHLO /i.test(line)) s.write("250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n");
        else if (/^STARTTLS$/i.test(line)) {
          s.write("220 2.0.0 Ready to start TLS\r\n");
          then(s);
        }
      },
    );
  const handshakeNeeds = (where: string) =>
    `SES's SMTP endpoints complete the TLS handshake they accept: something on the path to ${where} (a proxy or firewall that intercepts TLS) breaks it off, or ${where}, given with --smtp-endpoint, is not an SES SMTP endpoint. Try another network, or SES's other STARTTLS port: \`--smtp-endpoint ${ENDPOINT}:2587\`.`;

  it("a server that hangs up during the handshake: 'tls', the handshake failed, no AUTH sent, with what to check", async () => {
    const s = await accepting((c) => setTimeout(() => c.destroy(), 20));
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls", needs: handshakeNeeds(s.where) });
    // Node's words depend on whether the hang-up arrives as a reset or an end.
    expect(r.ok ? "" : r.message).toMatch(
      new RegExp(`^the TLS handshake with ${s.where} failed after it accepted STARTTLS \\((Client network socket disconnected before secure TLS connection was established|read ECONNRESET)\\): no AUTH was attempted \\(override for ${ENDPOINT.replace(/\./g, "\\.")}\\)$`),
    );
    // After STARTTLS only the client's TLS hello came (random bytes, which may hold a line end), never a command.
    expect(s.lines().slice(0, 2)).toEqual(["EHLO mail-infra-verify.invalid", "STARTTLS"]);
    expect(s.lines().slice(2).filter((l) => /^(?:AUTH|MAIL|RCPT|EHLO|HELO)\b/i.test(l))).toEqual([]);
  });

  it("a server that speaks plaintext after its 220: 'tls', the handshake failed (not a certificate problem), in OpenSSL's words", async () => {
    const s = await accepting((c) => setTimeout(() => c.write("this is not TLS\r\n"), 20));
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls", needs: handshakeNeeds(s.where) });
    // OpenSSL's reason, without the error's queue and source position around it.
    expect(r.ok ? "" : r.message).toBe(`the TLS handshake with ${s.where} failed after it accepted STARTTLS (wrong version number): no AUTH was attempted (override for ${ENDPOINT})`);
    // After STARTTLS only the client's TLS hello came (random bytes, which may hold a line end), never a command.
    expect(s.lines().slice(0, 2)).toEqual(["EHLO mail-infra-verify.invalid", "STARTTLS"]);
    expect(s.lines().slice(2).filter((l) => /^(?:AUTH|MAIL|RCPT|EHLO|HELO)\b/i.test(l))).toEqual([]);
  });

  it("without --smtp-endpoint the advice does not blame an override; an IP literal is sent as no SNI name (RFC 6066 3)", async () => {
    const s = await accepting((c) => setTimeout(() => c.destroy(), 20));
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? w.message);
    process.on("warning", onWarning);
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth({ serverName: LOOPBACK, host: LOOPBACK, port: s.port }, USER, PASS, "us-east-1");
    // Node warns (DEP0123) when a TLS ServerName is an IP address; the warning is emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    expect(warnings).toEqual([]);
    expect(r).toMatchObject({
      ok: false,
      reason: "tls",
      needs: `SES's SMTP endpoints complete the TLS handshake they accept: something on the path to ${s.where} (a proxy or firewall that intercepts TLS) breaks it off. Try another network, or SES's other STARTTLS port: \`--smtp-endpoint ${LOOPBACK}:2587\`.`,
    });
  });

  it("a handshake that never starts (220, then silence): still a timeout, nothing concluded about TLS", async () => {
    const s = await accepting(() => undefined);
    const r = await new SmtpCollector({ timeoutMs: 300, ca: ca.caCertPem }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toEqual({
      ok: false,
      reason: "timeout",
      message: `${s.where} did not answer in time (TLS handshake timed out) (override for ${ENDPOINT})`,
      needs: `Outbound SMTP to ${s.where} is silent: a firewall may drop port ${s.port}; raise --timeout or check the network path.`,
      cause: { key: `timeout: ${s.where} did not answer in time (TLS handshake timed out)` },
    });
  });

  it("a certificate for another name during the same handshake keeps its certificate advice", async () => {
    const other = await ca.issue(["smtp.other.example"]);
    const s = await accepting((c) => c.startTls(other));
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(s.target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls", needs: `The server's certificate is not valid for ${ENDPOINT}: check for TLS interception on the path, or trust the right CA with NODE_EXTRA_CA_CERTS.` });
    expect(r.ok ? "" : r.message).toMatch(new RegExp(`^TLS to ${s.where} failed: Hostname/IP does not match certificate's altnames`));
  });
});

describe("SmtpCollector: the session as the server sees it", () => {
  it("EHLO names the client mail-infra-verify.invalid; nothing is logged; the connection is closed after a 235 and after a 535", async () => {
    const seen: string[] = [];
    const target = await smtpServer({
      onAuth(auth, session, callback) {
        seen.push(session.hostNameAppearsAs);
        if (auth.username === USER && auth.password === PASS) callback(null, { user: USER });
        else callback(Object.assign(new Error("Authentication  Credentials   Invalid  "), { responseCode: 535 }));
      },
    });
    const server = servers.at(-1) as unknown as { connections: Set<unknown> };
    const log = vi.spyOn(console, "log");
    try {
      const smtp = new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem });
      expect(await smtp.auth(target, USER, PASS, "us-east-1")).toMatchObject({ ok: true, value: { code: 235 } });
      expect(await until(() => server.connections.size === 0)).toBe(true);
      // The server's words on one line, spaces collapsed.
      expect(await smtp.auth(target, USER, "wrong", "us-west-2")).toMatchObject({ ok: true, value: { code: 535, message: "535 Authentication Credentials Invalid" } });
      expect(await until(() => server.connections.size === 0)).toBe(true);
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
    expect(seen).toEqual(["mail-infra-verify.invalid", "mail-infra-verify.invalid"]);
  });

  it("no username or password: nodemailer refuses before AUTH (no code from the server), an error, not an answer", async () => {
    const target = await smtpServer();
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(target, "", "", "us-east-1");
    expect(r).toEqual({
      ok: false,
      reason: "error",
      message: `${LOOPBACK}:${target.port}: EAUTH Missing credentials for "PLAIN" (override for ${ENDPOINT})`,
      cause: { key: `error: ${LOOPBACK}:${target.port}: EAUTH Missing credentials for "PLAIN"` },
    });
  });

  it("test sends: one connection each, per endpoint, user and region", async () => {
    const target = await smtpServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on("end", () => callback());
      },
    });
    const smtp = new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem });
    await smtp.sendTest(target, USER, PASS, "admin@example.com", "us-east-1");
    expect(smtp.connections).toBe(1);
    await smtp.sendTest(target, USER, PASS, "admin@example.com", "us-east-1");
    expect(smtp.connections).toBe(1);
    await smtp.sendTest(target, "AKIAEXAMPLEOTHER0001", PASS, "admin@example.com", "us-east-1");
    expect(smtp.connections).toBe(2);
  });

  it("a test send that cannot connect: the failure, not an answer without a code", async () => {
    const s = await scripted((c) => c.destroy());
    const r = await new SmtpCollector({ timeoutMs: 5_000 }).sendTest(s.target, USER, PASS, "admin@example.com", "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "error" });
  });

  it("a test send whose TLS handshake fails after the server accepted STARTTLS: 'tls', as for AUTH, no AUTH or mail sent", async () => {
    const s = await scripted(
      (c) => c.write("220 fake ESMTP\r\n"),
      (line, c) => {
        if (/^EHLO /i.test(line)) c.write("250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n");
        else if (/^STARTTLS$/i.test(line)) {
          c.write("220 2.0.0 Ready to start TLS\r\n");
          setTimeout(() => c.write("this is not TLS\r\n"), 20);
        }
      },
    );
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).sendTest(s.target, USER, PASS, "admin@example.com", "us-east-1");
    expect(r).toMatchObject({
      ok: false,
      reason: "tls",
      message: `the TLS handshake with ${s.where} failed after it accepted STARTTLS (wrong version number): no AUTH was attempted (override for ${ENDPOINT})`,
    });
    // After STARTTLS only the client's TLS hello came (random bytes, which may hold a line end), never a command.
    expect(s.lines().slice(0, 2)).toEqual(["EHLO mail-infra-verify.invalid", "STARTTLS"]);
    expect(s.lines().slice(2).filter((l) => /^(?:AUTH|MAIL|RCPT|EHLO|HELO)\b/i.test(l))).toEqual([]);
  });

  it("a test send whose connection is reset after a completed handshake: not a handshake failure ('unreachable', Node's code)", async () => {
    let ehlos = 0;
    const s = await scripted(
      (c) => c.write("220 fake ESMTP\r\n"),
      (line, c) => {
        if (/^EHLO /i.test(line) && ++ehlos === 1) c.write("250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n");
        else if (/^EHLO /i.test(line)) c.reset();
        else if (/^STARTTLS$/i.test(line)) {
          c.write("220 2.0.0 Ready to start TLS\r\n");
          c.startTls(ca.server);
        }
      },
    );
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).sendTest(s.target, USER, PASS, "admin@example.com", "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "unreachable", message: `${s.where}: ECONNRESET (override for ${ENDPOINT})` });
    expect(s.lines()).toEqual(["EHLO mail-infra-verify.invalid", "STARTTLS", "EHLO mail-infra-verify.invalid"]);
  });

  it("a test send that never completes is cut at its budget, named as a test send", async () => {
    const s = await scripted((c) => c.write("220 fake ESMTP\r\n"), endless);
    const r = await new SmtpCollector({ timeoutMs: 400 }).sendTest(s.target, USER, PASS, "admin@example.com", "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "timeout", message: `${s.where} did not answer in time (no complete test send within 1.2 s, 3 x --timeout) (override for ${ENDPOINT})` });
  });
});

describe("SmtpCollector: a greeting that is not 220", () => {
  it("a success code instead of 220 is a protocol error; 400 and above is what the server said", async () => {
    const odd = await scripted((c) => c.write("250 hello\r\n"));
    const busy = await scripted((c) => c.write("400 4.0.0 busy\r\n"));
    const smtp = new SmtpCollector({ timeoutMs: 5_000 });
    const r = await smtp.auth(odd.target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "error" });
    expect(r.ok ? "" : r.message).toMatch(new RegExp(`^${odd.where}: EPROTOCOL `));
    expect(await smtp.auth(busy.target, USER, PASS, "us-east-1")).toMatchObject({ ok: false, reason: "error", message: `${busy.where} said 400 4.0.0 busy (override for ${ENDPOINT})` });
  });
});
