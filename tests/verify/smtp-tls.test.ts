/**
 * The SMTP check never sends a password without TLS. A loopback smtp-server that would take
 * AUTH in plain text (allowInsecureAuth) hides STARTTLS: the collector must not authenticate,
 * and the finding must say why. Every byte the client sends is captured to prove it.
 */
import type * as net from "node:net";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { SmtpCollector } from "../../scripts/verify/layers/smtp/collect";
import { inconclusive } from "../../lib/verify/findings";
import { createTestCa, type TestCa } from "../sandbox";
import { LOOPBACK } from "../sandbox/common";

interface Plaintext {
  server: SMTPServer;
  port: number;
  auths: { secure: boolean }[];
  clientBytes: () => string;
}

async function startServer(options: { hideSTARTTLS: boolean; disableSTARTTLS: boolean; ca: TestCa }): Promise<Plaintext> {
  const auths: { secure: boolean }[] = [];
  const chunks: Buffer[] = [];
  const server = new SMTPServer({
    name: "email-smtp.us-east-1.amazonaws.com",
    secure: false,
    key: options.ca.server.key,
    cert: options.ca.server.cert,
    hideSTARTTLS: options.hideSTARTTLS,
    disabledCommands: options.disableSTARTTLS ? ["STARTTLS"] : [],
    // This server would accept a password in plain text: only the client can refuse to send it.
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    disableReverseLookup: true,
    logger: false,
    onAuth(_auth, session, callback) {
      auths.push({ secure: session.secure });
      callback(null, { user: "x" });
    },
  });
  server.on("error", () => undefined);
  server.server.on("connection", (socket: net.Socket) => socket.on("data", (d: Buffer) => chunks.push(d)));
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const port = (server.server.address() as net.AddressInfo).port;
  return { server, port, auths, clientBytes: () => Buffer.concat(chunks).toString("latin1") };
}

const USER = "AKIAEXAMPLECURRENT01";
const PASS = "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2";

describe("SMTP AUTH only over TLS", () => {
  let ca: TestCa | undefined;
  let running: Plaintext | undefined;
  afterEach(async () => {
    if (running) await new Promise<void>((r) => running!.server.close(() => r()));
    running = undefined;
    await ca?.cleanup();
    ca = undefined;
  });

  it("a server that offers no STARTTLS gets no AUTH, and the finding says why", async () => {
    ca = await createTestCa(["email-smtp.us-east-1.amazonaws.com", "localhost", LOOPBACK]);
    running = await startServer({ hideSTARTTLS: true, disableSTARTTLS: true, ca });
    const smtp = new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem });
    const r = await smtp.auth({ serverName: "email-smtp.us-east-1.amazonaws.com", host: LOOPBACK, port: running.port }, USER, PASS, "us-east-1");
    expect(running.auths).toEqual([]);
    const sent = running.clientBytes();
    expect(sent).toMatch(/^EHLO /m);
    expect(sent).not.toMatch(/^AUTH/m);
    expect(sent).not.toContain(PASS);
    expect(sent).not.toContain(Buffer.from(`\u0000${USER}\u0000${PASS}`).toString("base64"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe("tls");
    expect(r.message).toMatch(new RegExp(`^${LOOPBACK}:${running.port} did not start TLS \\(it answered 5\\d\\d .+\\): no AUTH was attempted, because SMTP credentials are never sent unencrypted \\(override for email-smtp.us-east-1.amazonaws.com\\)$`));
    const f = inconclusive("smtp", "smtp.auth", "email-smtp.us-east-1.amazonaws.com:587 (us-east-1)", "SMTP AUTH", r);
    expect(f.remediation).toBe("SES's SMTP endpoints always offer STARTTLS; something on the path to " + `${LOOPBACK}:${running.port}` + " (an SMTP-inspecting firewall or proxy) removes it. Try another network, or SES's other STARTTLS port: `--smtp-endpoint email-smtp.us-east-1.amazonaws.com:2587`.");
  });

  it("STARTTLS hidden from EHLO but honoured: the client still upgrades first, and AUTH happens only inside TLS", async () => {
    ca = await createTestCa(["email-smtp.us-east-1.amazonaws.com", "localhost", LOOPBACK]);
    running = await startServer({ hideSTARTTLS: true, disableSTARTTLS: false, ca });
    const smtp = new SmtpCollector({ timeoutMs: 5_000, ca: ca.caCertPem });
    const r = await smtp.auth({ serverName: "email-smtp.us-east-1.amazonaws.com", host: LOOPBACK, port: running.port }, USER, PASS, "us-east-1");
    expect(r).toMatchObject({ ok: true, value: { code: 235 } });
    expect(running.auths).toEqual([{ secure: true }]);
    // In clear text the client said only EHLO and STARTTLS; the rest is TLS records.
    expect(running.clientBytes()).not.toContain("AUTH");
  });
});
