/**
 * SMTP collector: the SMTP AUTH handshake as a relay does it (connect, EHLO, STARTTLS with
 * certificate validation, AUTH), via nodemailer's SMTP connection. It sends no mail unless asked
 * to (--send-test, through the whole of nodemailer). Passwords go only to the server; errors are
 * reduced to codes and server replies.
 */
import { isIP } from "node:net";
import * as tls from "node:tls";
import type SMTPConnection from "nodemailer/lib/smtp-connection";
import { causeOf, type Observation, observed, type Unobservable } from "../../../../lib/verify/findings";
import type { SmtpAuthResult } from "./check";
import { bounded, DEADLINE_NEEDS, deadlineMessage, limiter, memo, OPERATION_BUDGET_FACTOR, type RunDeadline, seconds, usableTimeout } from "../../limit";
import { loadInTurn, loadSmtpConnection } from "../../load";
import { certificateRefused, handshakeFailed, upgradeWatch } from "../../tls";

type Nodemailer = typeof import("nodemailer");

/** The whole of nodemailer, for --send-test only: loads with the first test send, in turn with the other heavy packages (scripts/verify/load.ts). */
const loadNodemailer = (): Promise<Nodemailer> => loadInTurn("nodemailer", () => import("nodemailer"));

export interface SmtpTarget {
  /** The real endpoint name: certificates are validated against it. */
  serverName: string;
  /** Where to connect (the endpoint itself, or --smtp-endpoint). */
  host: string;
  port: number;
}

export interface SmtpOptions {
  /** Connecting, the greeting, and each reply; a whole session gets 3 x this at most. */
  timeoutMs: number;
  /** The run's deadline: when it passes, every pending session ends as "deadline reached". */
  deadline?: RunDeadline;
  /** Extra trusted CA (PEM) on top of Node's store; the CLI relies on NODE_EXTRA_CA_CERTS instead. */
  ca?: string;
  concurrency?: number;
}

interface MailerError {
  /** nodemailer's error type (ESOCKET for a socket's error...). */
  code?: string;
  /** Node's code, when nodemailer replaced it by its own (ECONNRESET under ESOCKET). */
  originalCode?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  /** OpenSSL's reason, on Node's TLS errors ("wrong version number"; the message adds its error queue). */
  reason?: string;
  /** The SMTP command that failed (nodemailer sets it: "STARTTLS", "AUTH PLAIN"...). */
  command?: string;
}

/** Where a session connected, when --smtp-endpoint sent it somewhere else than the real endpoint. */
export function overrideNote(target: SmtpTarget): string | undefined {
  return target.host === target.serverName ? undefined : `connected to ${target.host}:${target.port} (override for ${target.serverName})`;
}

/** A failure's message names host:port; with --smtp-endpoint, also which endpoint that stands for. */
function noted(u: Unobservable, target: SmtpTarget): Unobservable {
  // The cause stays that of the bare failure: regions sent to one broken override share it.
  return target.host === target.serverName ? u : { ...u, message: `${u.message} (override for ${target.serverName})`, cause: causeOf(u) };
}

const classify = (e: unknown, target: SmtpTarget, handshake = false): Unobservable => noted(classifyFailure(e, target, handshake), target);

const silentNeeds = (where: string, port: number): string => `Outbound SMTP to ${where} is silent: a firewall may drop port ${port}; raise --timeout or check the network path.`;

/** `handshake`: the error came in the TLS handshake after the server accepted STARTTLS (scripts/verify/tls.ts). */
function classifyFailure(e: unknown, target: SmtpTarget, handshake: boolean): Unobservable {
  const err = (e ?? {}) as MailerError;
  const where = `${target.host}:${target.port}`;
  // requireTLS: nodemailer sends STARTTLS even when EHLO does not offer it, and ends the session
  // (ETLS) when the server refuses it, before any AUTH. Say so: the password never left.
  // (nodemailer gives every failure of the STARTTLS command the code ETLS.)
  if (err.code === "ETLS") {
    const said = err.response ? ` (it answered ${err.response.replace(/\s+/g, " ").trim()})` : err.message ? ` (${err.message})` : "";
    return {
      ok: false,
      reason: "tls",
      message: `${where} did not start TLS${said}: no AUTH was attempted, because SMTP credentials are never sent unencrypted`,
      needs: `SES's SMTP endpoints always offer STARTTLS; something on the path to ${where} (an SMTP-inspecting firewall or proxy) removes it. Try another network, or SES's other STARTTLS port: \`--smtp-endpoint ${target.serverName}:2587\`.`,
    };
  }
  // The reply starts with its code ("554 5.7.1 ..."): said once.
  if (err.responseCode !== undefined && err.responseCode >= 400) return { ok: false, reason: "error", message: `${where} said ${err.response ?? err.responseCode}` };
  const text = `${err.code ?? ""} ${err.message ?? ""} ${err.reason ?? ""}`;
  if (certificateRefused(text)) {
    return { ok: false, reason: "tls", message: `TLS to ${where} failed: ${err.message ?? err.code}`, needs: `The server's certificate is not valid for ${target.serverName}: check for TLS interception on the path, or trust the right CA with NODE_EXTRA_CA_CERTS.` };
  }
  // Not the certificate: the server hung up or spoke something else than TLS after its 220.
  if (handshake) {
    const override = target.host === target.serverName ? "" : `, or ${where}, given with --smtp-endpoint, is not an SES SMTP endpoint`;
    return {
      ok: false,
      reason: "tls",
      message: `the TLS handshake with ${where} failed after it accepted STARTTLS (${err.reason ?? err.message}): no AUTH was attempted`,
      needs: `SES's SMTP endpoints complete the TLS handshake they accept: something on the path to ${where} (a proxy or firewall that intercepts TLS) breaks it off${override}. Try another network, or SES's other STARTTLS port: \`--smtp-endpoint ${target.serverName}:2587\`.`,
    };
  }
  if (/ECONNREFUSED/.test(text)) return { ok: false, reason: "unreachable", message: `connection to ${where} refused`, needs: `Nothing listens on ${where}: outbound port ${target.port} may be blocked (try another network), or the endpoint is wrong.` };
  if (/ETIMEDOUT|ETIMEOUT|timeout|Greeting never received/i.test(text)) {
    return { ok: false, reason: "timeout", message: `${where} did not answer in time (${err.message ?? err.code})`, needs: silentNeeds(where, target.port) };
  }
  if (/ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET/.test(text)) return { ok: false, reason: "unreachable", message: `${where}: ${err.originalCode ?? err.code}`, needs: "Check DNS and the network path to the SMTP endpoint." };
  return { ok: false, reason: "error", message: `${where}: ${err.code ?? ""} ${err.message ?? ""}`.trim() };
}

/** The server's EHLO after STARTTLS listed no AUTH mechanism: the login was not tried. */
class NoAuthOffered extends Error {}

/** The connection's error came in the TLS handshake after the server's 220 to STARTTLS: `error` is that error. */
class HandshakeFailed extends Error {
  constructor(readonly error: SMTPConnection.SMTPError) {
    super(error.message);
  }
}

function noAuthOffered(target: SmtpTarget): Unobservable {
  const where = `${target.host}:${target.port}`;
  return noted(
    {
      ok: false,
      reason: "error",
      message: `${where} offered no AUTH after STARTTLS: the login was not tried`,
      needs: `SES's SMTP endpoints always offer AUTH after STARTTLS: ${where} is not one, or something on the path (an SMTP-inspecting firewall or proxy) removes it.`,
    },
    target,
  );
}

export class SmtpCollector {
  /** SMTP connections opened. */
  connections = 0;
  private readonly run: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly cache = memo<Observation<SmtpAuthResult>>();

  private readonly options: SmtpOptions;

  constructor(options: SmtpOptions) {
    this.options = { ...options, timeoutMs: usableTimeout(options.timeoutMs) };
    this.run = limiter(options.concurrency ?? 4);
  }

  /**
   * Start loading nodemailer's SMTP connection now, while other requests are in flight, so the
   * first session does not wait for it (the smtp layer calls this when it starts; a session loads
   * it anyway).
   */
  prepare(): void {
    // A failure to load is reported by the session that needs it.
    loadSmtpConnection().catch(() => undefined);
  }

  /** The connection settings of every session: STARTTLS required, the certificate checked against the real name, every stage timed. */
  private settings(target: SmtpTarget) {
    return {
      host: target.host,
      port: target.port,
      secure: false,
      requireTLS: true,
      tls: {
        // No IP literal as the SNI name (RFC 6066 3); the certificate is still checked against it.
        servername: isIP(target.serverName) ? undefined : target.serverName,
        rejectUnauthorized: true,
        ...(this.options.ca ? { ca: [...tls.rootCertificates, this.options.ca] } : {}),
      },
      name: "mail-infra-verify.invalid",
      connectionTimeout: this.options.timeoutMs,
      greetingTimeout: this.options.timeoutMs,
      socketTimeout: this.options.timeoutMs,
      logger: false,
      debug: false,
    };
  }

  /** The transport for a test send; `watch` follows its STARTTLS through the transaction log (scripts/verify/tls.ts upgradeWatch). */
  private transport(mailer: Nodemailer, target: SmtpTarget, user: string, pass: string, watch: ReturnType<typeof upgradeWatch>) {
    return mailer.createTransport({ ...this.settings(target), auth: { user, pass }, logger: watch.logger, transactionLog: true });
  }

  /**
   * Connect, EHLO, STARTTLS and log in, as nodemailer's `verify()` does (smtp-transport, 10.x),
   * with its SMTP connection alone: resolves when the server accepted the login and QUIT is
   * sent; rejects with the connection's error (its code, responseCode, response and command),
   * or "Connection closed" when the server hangs up first. Unlike `verify()`, which resolves
   * without logging in when the server offers no AUTH (so a 235 was reported for a login never
   * made), that rejects with NoAuthOffered.
   */
  private login(conn: SMTPConnection, user: string, pass: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let returned = false;
      const fail = (e: unknown) => {
        if (returned) return;
        returned = true;
        conn.close();
        reject(e);
      };
      const finish = () => {
        if (returned) return;
        returned = true;
        conn.quit();
        resolve();
      };
      // Asked as the error comes (nodemailer closes the connection right after): was it the TLS handshake?
      conn.on("error", (e: SMTPConnection.SMTPError) => fail(handshakeFailed(conn, e) ? new HandshakeFailed(e) : e));
      conn.once("end", () => {
        if (returned) return;
        returned = true;
        reject(new Error("Connection closed"));
      });
      conn.connect((e?: Error) => {
        if (e) return fail(e);
        if (!conn.allowsAuth) return fail(new NoAuthOffered());
        // The auth object nodemailer's transport hands over: LOGIN, the first method the server offers.
        conn.login({ type: "LOGIN", user, credentials: { user, pass }, method: false }, (err?: Error | null) => (err ? fail(err) : finish()));
      });
    });
  }

  /**
   * One session, bounded: nodemailer's own timeouts end each stage, and the session as a whole
   * ends at 3 x the timeout or the run's deadline (a server that answers slowly at every stage
   * cannot stretch it). The transport is closed either way.
   */
  private session(target: SmtpTarget, what: string, t: { close(): void }, work: () => Promise<Observation<SmtpAuthResult>>): Promise<Observation<SmtpAuthResult>> {
    const budget = OPERATION_BUDGET_FACTOR * this.options.timeoutMs;
    const where = `${target.host}:${target.port}`;
    return bounded(
      () => work(),
      budget,
      this.options.deadline,
      (why): Unobservable => {
        t.close();
        const d = this.options.deadline;
        return noted(
          why === "deadline" && d
            ? { ok: false, reason: "timeout", message: deadlineMessage(d, `${what} at ${where}`), needs: DEADLINE_NEEDS }
            : { ok: false, reason: "timeout", message: `${where} did not answer in time (no complete ${what} within ${seconds(budget)}, ${OPERATION_BUDGET_FACTOR} x --timeout)`, needs: silentNeeds(where, target.port) },
          target,
        );
      },
    );
  }

  /**
   * EHLO, STARTTLS, AUTH; once per (endpoint, username, region) per run. That names the password
   * too: a run reads one stored secret, whose password for a region is derived from the one key.
   */
  auth(target: SmtpTarget, user: string, pass: string, region: string): Promise<Observation<SmtpAuthResult>> {
    return this.cache(`auth ${target.host}:${target.port} ${target.serverName} ${user} ${region}`, () =>
      this.run(async () => {
        const Connection = await loadSmtpConnection();
        this.connections += 1;
        const conn = new Connection(this.settings(target));
        const connectedTo = overrideNote(target);
        const started = performance.now();
        return this.session(target, "SMTP AUTH handshake", conn, async () => {
          try {
            await this.login(conn, user, pass);
            return observed({ code: 235, ms: Math.round(performance.now() - started), message: "Authentication successful", ...(connectedTo ? { connectedTo } : {}) });
          } catch (e) {
            if (e instanceof NoAuthOffered) return noAuthOffered(target);
            if (e instanceof HandshakeFailed) return classify(e.error, target, true);
            const err = e as MailerError;
            const ms = Math.round(performance.now() - started);
            if (err.code === "EAUTH" && err.responseCode !== undefined) {
              return observed({ code: err.responseCode, ms, message: (err.response ?? "").replace(/\s+/g, " ").trim(), ...(connectedTo ? { connectedTo } : {}) });
            }
            return classify(e, target);
          }
        });
      }),
    );
  }

  /** One message to the SES mailbox simulator, proving the whole send path. */
  sendTest(target: SmtpTarget, user: string, pass: string, from: string, region: string): Promise<Observation<SmtpAuthResult>> {
    return this.cache(`send ${target.host}:${target.port} ${user} ${region}`, () =>
      this.run(async () => {
        const mailer = await loadNodemailer();
        this.connections += 1;
        const watch = upgradeWatch();
        const t = this.transport(mailer, target, user, pass, watch);
        const connectedTo = overrideNote(target);
        const started = performance.now();
        return this.session(target, "test send", t, async () => {
          try {
            const info = await t.sendMail({
              from,
              to: "success@simulator.amazonses.com",
              subject: "mail-infra verify --send-test",
              text: `Sent by mail-infra verify through ${target.serverName} (${region}) to prove the send path. The SES mailbox simulator accepts and discards it.`,
            });
            return observed({ code: Number.parseInt(String(info.response), 10) || 250, ms: Math.round(performance.now() - started), message: String(info.response), ...(connectedTo ? { connectedTo } : {}) });
          } catch (e) {
            const err = e as MailerError;
            // Asked as the error is handed over: the transport closes the connection only after.
            if (handshakeFailed(watch, err)) return classify(e, target, true);
            if (err.responseCode !== undefined) {
              return observed({ code: err.responseCode, ms: Math.round(performance.now() - started), message: (err.response ?? "").replace(/\s+/g, " ").trim(), ...(connectedTo ? { connectedTo } : {}) });
            }
            return classify(e, target);
          } finally {
            t.close();
          }
        });
      }),
    );
  }
}
