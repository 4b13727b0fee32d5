/**
 * The SMTP collector (scripts/verify/layers/smtp/collect.ts) against a real SMTP server on
 * loopback (smtp-server, with a certificate from a test CA for SES's endpoint name): what each
 * outcome of EHLO / STARTTLS / AUTH / a test send becomes. The SMTP check judges only what this
 * hands it, so each case states the whole observation. Found by mutation testing
 * (docs/mutation-testing.md): only the TLS-refusal path had a test of its own.
 */
import * as net from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SmtpCollector, type SmtpTarget } from "../../scripts/verify/layers/smtp/collect";
import { DEADLINE_NEEDS } from "../../scripts/verify/limit";
import { createTestCa, type TestCa } from "../sandbox";
import { LOOPBACK } from "../sandbox/common";

const ENDPOINT = "email-smtp.us-east-1.amazonaws.com";
const USER = "AKIAEXAMPLECURRENT01";
const PASS = "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2";

let ca: TestCa;
const servers: { close(cb: () => void): void }[] = [];

beforeAll(async () => {
  ca = await createTestCa([ENDPOINT, "localhost", LOOPBACK]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
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
    await smtp.auth(target, USER, PASS, "us-east-1");
    expect(smtp.connections).toBe(1);
    await smtp.auth(target, USER, PASS, "us-west-2");
    expect(smtp.connections).toBe(2);
  });

  it("535 is an answer (the code and the server's words), not a failure to observe", async () => {
    const target = await smtpServer();
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(target, USER, "wrong", "us-east-1");
    expect(r).toEqual({ ok: true, value: { code: 535, ms: expect.any(Number), message: "535 Authentication Credentials Invalid", connectedTo: override(target) } });
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
    expect(r.message).toMatch(new RegExp(`^TLS to ${LOOPBACK}:${target.port} failed: .+ \\(override for ${ENDPOINT.replace(/\./g, "\\.")}\\)$`));
  });

  it("a trusted certificate for another name fails too (the name is checked, not only the CA)", async () => {
    const target = await smtpServer({}, await ca.issue(["smtp.other.example"]));
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).auth(target, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "tls" });
  });

  it("a port nothing listens on: 'unreachable', with what to try", async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, LOOPBACK, resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
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
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, LOOPBACK, resolve));
    servers.push(silent);
    const port = (silent.address() as net.AddressInfo).port;
    const r = await new SmtpCollector({ timeoutMs: 300 }).auth({ serverName: ENDPOINT, host: LOOPBACK, port }, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: false, reason: "timeout", needs: `Outbound SMTP to ${LOOPBACK}:${port} is silent: a firewall may drop port ${port}; raise --timeout or check the network path.` });
    if (r.ok) return;
    expect(r.message).toMatch(new RegExp(`^${LOOPBACK}:${port} did not answer in time \\(.+\\) \\(override for `));
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
  it("an accepted message: the server's reply and its code", async () => {
    const target = await smtpServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on("end", () => callback());
      },
    });
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).sendTest(target, USER, PASS, "admin@example.com", "us-east-1");
    expect(r.ok && r.value.code).toBe(250);
    expect(r.ok && r.value.message).toMatch(/^250 /);
    expect(r.ok && r.value.connectedTo).toBe(override(target));
  });

  it("a refused sender: the refusal is the answer (code and words)", async () => {
    const target = await smtpServer({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error("Email address is not verified."), { responseCode: 554 }));
      },
    });
    const r = await new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem }).sendTest(target, USER, PASS, "admin@example.com", "us-east-1");
    expect(r).toEqual({ ok: true, value: { code: 554, ms: expect.any(Number), message: "554 Email address is not verified.", connectedTo: override(target) } });
  });
});
