/**
 * SMTP collector: the SMTP AUTH handshake as a relay does it (connect, EHLO, STARTTLS with
 * certificate validation, AUTH), via nodemailer. It sends no mail unless asked to (--send-test).
 * Passwords go only to the server; errors are reduced to codes and server replies.
 */
import * as tls from "node:tls";
import { createTransport } from "nodemailer";
import { type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import type { SmtpAuthResult } from "../../lib/verify/smtp";
import { limiter, memo } from "./limit";

export interface SmtpTarget {
  /** The real endpoint name: certificates are validated against it. */
  serverName: string;
  /** Where to connect (the endpoint itself, or --smtp-endpoint). */
  host: string;
  port: number;
}

export interface SmtpOptions {
  timeoutMs: number;
  /** Extra trusted CA (PEM) on top of Node's store; the CLI relies on NODE_EXTRA_CA_CERTS instead. */
  ca?: string;
  concurrency?: number;
}

interface MailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  reason?: string;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER|ERR_TLS|certificate/i;

function classify(e: unknown, target: SmtpTarget): Observation<SmtpAuthResult> | Unobservable {
  const err = (e ?? {}) as MailerError;
  const where = `${target.host}:${target.port}`;
  if (err.responseCode !== undefined && err.responseCode >= 400) return { ok: false, reason: "error", message: `${err.responseCode} ${err.response ?? ""}`.trim() };
  const text = `${err.code ?? ""} ${err.message ?? ""} ${err.reason ?? ""}`;
  if (TLS_CODES.test(text)) {
    return { ok: false, reason: "tls", message: `TLS to ${where} failed: ${err.message ?? err.code}`, needs: `The server's certificate is not valid for ${target.serverName}: check for TLS interception on the path, or trust the right CA with NODE_EXTRA_CA_CERTS.` };
  }
  if (/ECONNREFUSED/.test(text)) return { ok: false, reason: "unreachable", message: `connection to ${where} refused`, needs: `Nothing listens on ${where}: outbound port ${target.port} may be blocked (try another network), or the endpoint is wrong.` };
  if (/ETIMEDOUT|ETIMEOUT|timeout|Greeting never received/i.test(text)) {
    return { ok: false, reason: "timeout", message: `${where} did not answer in time (${err.message ?? err.code})`, needs: `Outbound SMTP to ${where} is silent: a firewall may drop port ${target.port}; raise --timeout or check the network path.` };
  }
  if (/ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET/.test(text)) return { ok: false, reason: "unreachable", message: `${where}: ${err.code}`, needs: "Check DNS and the network path to the SMTP endpoint." };
  return { ok: false, reason: "error", message: `${where}: ${err.code ?? ""} ${err.message ?? ""}`.trim() };
}

export class SmtpCollector {
  /** SMTP connections opened. */
  connections = 0;
  private readonly run: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly cache = memo<Observation<SmtpAuthResult>>();

  constructor(private readonly options: SmtpOptions) {
    this.run = limiter(options.concurrency ?? 4);
  }

  private transport(target: SmtpTarget, user: string, pass: string) {
    return createTransport({
      host: target.host,
      port: target.port,
      secure: false,
      requireTLS: true,
      auth: { user, pass },
      tls: {
        servername: target.serverName,
        rejectUnauthorized: true,
        ...(this.options.ca ? { ca: [...tls.rootCertificates, this.options.ca] } : {}),
      },
      name: "mail-infra-verify.invalid",
      connectionTimeout: this.options.timeoutMs,
      greetingTimeout: this.options.timeoutMs,
      socketTimeout: this.options.timeoutMs,
      logger: false,
      debug: false,
    });
  }

  /** EHLO, STARTTLS, AUTH; once per (endpoint, username, password) per run. */
  auth(target: SmtpTarget, user: string, pass: string, region: string): Promise<Observation<SmtpAuthResult>> {
    return this.cache(`auth ${target.host}:${target.port} ${target.serverName} ${user} ${region}`, () =>
      this.run(async () => {
        this.connections += 1;
        const t = this.transport(target, user, pass);
        const started = performance.now();
        try {
          await t.verify();
          return observed({ code: 235, ms: Math.round(performance.now() - started), message: "Authentication successful" });
        } catch (e) {
          const err = e as MailerError;
          const ms = Math.round(performance.now() - started);
          if (err.code === "EAUTH" && err.responseCode !== undefined) {
            return observed({ code: err.responseCode, ms, message: (err.response ?? "").replace(/\s+/g, " ").trim() });
          }
          return classify(e, target);
        } finally {
          t.close();
        }
      }),
    );
  }

  /** One message to the SES mailbox simulator, proving the whole send path. */
  sendTest(target: SmtpTarget, user: string, pass: string, from: string, region: string): Promise<Observation<SmtpAuthResult>> {
    return this.cache(`send ${target.host}:${target.port} ${user} ${region}`, () =>
      this.run(async () => {
        this.connections += 1;
        const t = this.transport(target, user, pass);
        const started = performance.now();
        try {
          const info = await t.sendMail({
            from,
            to: "success@simulator.amazonses.com",
            subject: "mail-infra verify --send-test",
            text: `Sent by mail-infra verify through ${target.serverName} (${region}) to prove the send path. The SES mailbox simulator accepts and discards it.`,
          });
          return observed({ code: Number.parseInt(String(info.response), 10) || 250, ms: Math.round(performance.now() - started), message: String(info.response) });
        } catch (e) {
          const err = e as MailerError;
          if (err.responseCode !== undefined) {
            return observed({ code: err.responseCode, ms: Math.round(performance.now() - started), message: (err.response ?? "").replace(/\s+/g, " ").trim() });
          }
          return classify(e, target);
        } finally {
          t.close();
        }
      }),
    );
  }
}
