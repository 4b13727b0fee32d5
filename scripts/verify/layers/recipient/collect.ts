/**
 * Recipient-domain collector: the DNS answers (through the run's DnsCollector, so --dns-server
 * and --authoritative apply), the MTA-STS policy over HTTPS (certificate validated against
 * mta-sts.<domain>, body bounded at 64 KiB), and with --probe-smtp an EHLO/STARTTLS session
 * with the best MX on port 25 (nodemailer's SMTPConnection; no AUTH, no MAIL). I/O only: every
 * failure is an Observation; scripts/verify/layers/recipient/check.ts judges.
 */
import * as https from "node:https";
import type { IncomingMessage } from "node:http";
import * as tls from "node:tls";
import type SMTPConnection from "nodemailer/lib/smtp-connection";
import { isIP } from "node:net";
import { mtaStsPolicyHost, mtaStsRecordName, MTA_STS_MAX_BODY_BYTES, MTA_STS_POLICY_PATH, parseMtaStsRecord } from "../../../../lib/mta-sts";
import { tlsRptRecordName } from "../../../../lib/tls-rpt";
import { dmarcDiscoveryNames, isDmarcRecord } from "../../../../lib/dmarc";
import { type Observation, observed, type Unobservable } from "../../../../lib/verify/findings";
import { bestMx, type HostObservation, parseMxAnswers, type PolicyResponse, type RecipientObservations, type SmtpProbeResult } from "./check";
import type { DnsCollector } from "../dns/collect";
import { bounded, DEADLINE_NEEDS, deadlineMessage, limiter, memo, OPERATION_BUDGET_FACTOR, type RunDeadline, seconds, usableTimeout } from "../../limit";
import { loadSmtpConnection } from "../../load";
import { certificateRefused, handshakeFailed } from "../../tls";

/** Where to connect instead of the real host: `port` alone keeps the address DNS gives; the certificate is still checked against the real name. */
export interface EndpointOverride {
  host?: string;
  port: number;
}

export interface RecipientOptions {
  dns: DnsCollector;
  /** One connection stage or answer; an HTTPS fetch or SMTP probe gets 3 x this at most. */
  timeoutMs: number;
  deadline?: RunDeadline;
  /** Extra trusted CA (PEM) on top of Node's store (tests); the CLI relies on NODE_EXTRA_CA_CERTS. */
  ca?: string;
  /** --mta-sts-endpoint: fetch MTA-STS policies here instead of mta-sts.<domain>:443. */
  mtaStsEndpoint?: EndpointOverride;
  /** --probe-smtp: probe the best MX of each domain. */
  probeSmtp?: boolean;
  /** --probe-smtp-port: probe here instead of <best MX>:25. */
  probeEndpoint?: EndpointOverride;
}

/**
 * What an error of the request or the probe means; each has a message, and a code: Node's where
 * there is one (nodemailer replaces it by its own, ESOCKET for a socket's error, and keeps it in
 * `originalCode`), else nodemailer's error type.
 */
function classifyNetworkError(err: Error & { code?: string; originalCode?: string }, where: string, realName: string): Unobservable {
  // (Node's code is in its message too, "read ECONNRESET": the patterns need only nodemailer's.)
  const text = `${err.code ?? ""} ${err.message}`;
  if (certificateRefused(text)) return { ok: false, reason: "tls", message: `TLS to ${where} failed: ${err.message} (checked against ${realName})` };
  if (/ECONNREFUSED/.test(text)) return { ok: false, reason: "unreachable", message: `connection to ${where} refused` };
  // Every timeout carries ETIMEDOUT (Node's, this request's own, nodemailer's "Timeout" and "Greeting never received") or c-ares'
  // ETIMEOUT (in nodemailer's EDNS message). Not "aborted": Node says that (ECONNRESET) of a reply cut short, which did answer.
  if (/ETIMEDOUT|ETIMEOUT/.test(text)) return { ok: false, reason: "timeout", message: `${where} did not answer in time` };
  if (/ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE/.test(text)) return { ok: false, reason: "unreachable", message: `${where}: ${err.originalCode ?? err.code ?? err.message}` };
  return { ok: false, reason: "error", message: `${where}: ${err.message.replace(/\s+/g, " ")}` };
}

const hostPort = (host: string, port: number) => (isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);

export class RecipientCollector {
  /** HTTPS policy fetches and SMTP probes started (after memoisation). */
  connections = 0;
  private readonly options: RecipientOptions;
  private readonly run = limiter(4);
  private readonly cache = memo<RecipientObservations>();

  constructor(options: RecipientOptions) {
    this.options = { ...options, timeoutMs: usableTimeout(options.timeoutMs) };
  }

  private get dns(): DnsCollector {
    return this.options.dns;
  }

  /** Everything the recipient check (check.ts) needs about one domain; each question starts as soon as what it depends on is known. */
  observe(rawDomain: string): Promise<RecipientObservations> {
    const domain = rawDomain.toLowerCase().replace(/\.$/, "");
    return this.cache(domain, async () => {
      this.dns.useAuthoritativeFor(domain);
      const mxP = this.dns.query("MX", domain);
      const hostsP = mxP.then(async (mx) => {
        const hosts = mx.ok ? [...new Set(parseMxAnswers(mx.value).map((m) => m.host).filter((h) => h !== ""))] : [];
        return new Map(await Promise.all(hosts.map(async (h) => [h, await this.host(h)] as const)));
      });
      const implicitP = mxP.then(async (mx) => (mx.ok && mx.value.length === 0 ? { a: await this.dns.query("A", domain), aaaa: await this.dns.query("AAAA", domain) } : undefined));
      const dmarcP = this.dmarc(domain);
      const mtaStsP = this.dns.query("TXT", mtaStsRecordName(domain));
      const policyP = mtaStsP.then((txt) => (txt.ok && parseMtaStsRecord(txt.value).kind === "record" ? this.fetchPolicy(domain) : undefined));
      const tlsRptP = this.dns.query("TXT", tlsRptRecordName(domain));
      const [mx, hosts, implicit, dmarc, mtaSts, policy, tlsRpt] = await Promise.all([mxP, hostsP, implicitP, dmarcP, mtaStsP, policyP, tlsRptP]);
      const obs: RecipientObservations = { domain, mx, hosts, dmarc, mtaSts, tlsRpt, ...(implicit ? { implicit } : {}), ...(policy ? { policy } : {}) };
      if (this.options.probeSmtp) {
        const best = bestMx(obs);
        if (best) obs.probe = await this.probe(best.host, best.addresses);
      }
      return obs;
    });
  }

  private async host(name: string): Promise<HostObservation> {
    const [cname, a, aaaa] = await Promise.all([this.dns.query("CNAME", name), this.dns.query("A", name), this.dns.query("AAAA", name)]);
    return { cname, a, aaaa };
  }

  /** _dmarc.<domain>, and only when it holds no DMARC record, the Organisational Domain's. */
  private async dmarc(domain: string): Promise<{ name: string; txt: Observation<string[]> }[]> {
    const out: { name: string; txt: Observation<string[]> }[] = [];
    for (const name of dmarcDiscoveryNames(domain)) {
      const txt = await this.dns.query("TXT", name);
      out.push({ name, txt });
      if (!txt.ok && txt.reason !== "notfound") break;
      if (txt.ok && txt.value.some(isDmarcRecord)) break;
    }
    return out;
  }

  /** Where to connect for `name`: the override, or the first address DNS gives for it. */
  private async address(name: string, override: EndpointOverride | undefined, defaultPort: number): Promise<Observation<{ host: string; port: number }>> {
    if (override?.host) return observed({ host: override.host, port: override.port });
    const [a, aaaa] = await Promise.all([this.dns.query("A", name), this.dns.query("AAAA", name)]);
    const first = (a.ok ? a.value : [])[0] ?? (aaaa.ok ? aaaa.value : [])[0];
    if (first) return observed({ host: first, port: override?.port ?? defaultPort });
    const failed = [a, aaaa].find((o): o is Unobservable => !o.ok && o.reason !== "notfound");
    return failed ?? { ok: false, reason: "notfound", message: `${name} has no A or AAAA record` };
  }

  private stopped(what: string, where: string, why: "timeout" | "deadline"): Unobservable {
    const d = this.options.deadline;
    const budget = OPERATION_BUDGET_FACTOR * this.options.timeoutMs;
    return why === "deadline" && d
      ? { ok: false, reason: "timeout", message: deadlineMessage(d, `${what} at ${where}`), needs: DEADLINE_NEEDS }
      : { ok: false, reason: "timeout", message: `${where} did not answer in time (no complete ${what} within ${seconds(budget)}, ${OPERATION_BUDGET_FACTOR} x --timeout)` };
  }

  /** GET the policy: no redirects followed, at most 64 KiB read, bounded by 3 x --timeout and the run's deadline. */
  fetchPolicy(domain: string): Promise<Observation<PolicyResponse>> {
    const name = mtaStsPolicyHost(domain);
    const url = `https://${name}${MTA_STS_POLICY_PATH}`;
    return this.address(name, this.options.mtaStsEndpoint, 443).then((target) => {
      if (!target.ok) return target.reason === "notfound" ? { ...target, message: `${url}: ${target.message}` } : target;
      const { host, port } = target.value;
      const where = hostPort(host, port);
      const connectedTo = this.options.mtaStsEndpoint ? `${where} (override for ${name}:443)` : undefined;
      return this.run(() => {
        this.connections += 1;
        return bounded(
          (signal) =>
            new Promise<Observation<PolicyResponse>>((resolve) => {
              const req = https.request(
                {
                  host,
                  port,
                  path: MTA_STS_POLICY_PATH,
                  method: "GET",
                  servername: name,
                  headers: { host: name, "user-agent": "mail-infra-verify", accept: "text/plain" },
                  rejectUnauthorized: true,
                  ...(this.options.ca ? { ca: [...tls.rootCertificates, this.options.ca] } : {}),
                  agent: false,
                  timeout: this.options.timeoutMs,
                  signal,
                },
                (res: IncomingMessage) => {
                  const chunks: Buffer[] = [];
                  let size = 0;
                  res.on("data", (chunk: Buffer) => {
                    size += chunk.length;
                    if (size > MTA_STS_MAX_BODY_BYTES) {
                      resolve({ ok: false, reason: "error", message: `${url}: the policy is larger than ${MTA_STS_MAX_BODY_BYTES / 1024} KiB (RFC 8461 3.3 lets senders refuse it)` });
                      req.destroy();
                      return;
                    }
                    chunks.push(chunk);
                  });
                  res.on("end", () =>
                    resolve(observed({ url, status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks).toString("utf8"), ...(connectedTo ? { connectedTo } : {}) })),
                  );
                  // The answer had begun and its end never came (Node's "aborted"): the server or the path
                  // closed the connection. (A timeout of ours reaches the request's error handler first.)
                  res.on("error", () => resolve({ ok: false, reason: "error", message: `${url}: ${where} closed the connection before the end of the policy` }));
                },
              );
              req.on("timeout", () => req.destroy(Object.assign(new Error(), { code: "ETIMEDOUT" })));
              req.on("error", (e) => {
                const u = classifyNetworkError(e, where, name);
                resolve({ ...u, message: `${url}: ${u.message}` });
              });
              req.end();
            }),
          OPERATION_BUDGET_FACTOR * this.options.timeoutMs,
          this.options.deadline,
          (why) => this.stopped("MTA-STS policy fetch", where, why),
        );
      });
    });
  }

  /**
   * Connect to the MX on port 25 (or --probe-smtp-port), read the banner, EHLO, STARTTLS when
   * offered with the certificate checked against the MX name, then QUIT. No AUTH, no MAIL.
   */
  probe(mxHost: string, addresses: readonly string[]): Promise<Observation<SmtpProbeResult>> {
    const override = this.options.probeEndpoint;
    const host = override?.host ?? addresses[0];
    const port = override?.port ?? 25;
    const where = hostPort(host, port);
    const connectedTo = override ? `${where} (override for ${mxHost}:25)` : where;
    return this.run(async () => {
      // nodemailer's SMTP connection loads with the first probe (--probe-smtp), in turn with the other heavy packages.
      const Connection = await loadSmtpConnection();
      this.connections += 1;
      const replies: string[] = [];
      const logger = {
        // nodemailer logs each reply as a string, under an entry object it always makes.
        debug: (entry: { tnx?: string }, message: string) => {
          if (entry.tnx === "server") replies.push(message);
        },
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        trace: () => undefined,
        fatal: () => undefined,
      };
      const conn = new Connection({
        host,
        port,
        secure: false,
        servername: mxHost,
        name: "mail-infra-verify.invalid",
        tls: { servername: mxHost, rejectUnauthorized: true, ...(this.options.ca ? { ca: [...tls.rootCertificates, this.options.ca] } : {}) },
        connectionTimeout: this.options.timeoutMs,
        greetingTimeout: this.options.timeoutMs,
        socketTimeout: this.options.timeoutMs,
        logger,
        transactionLog: true,
      } as SMTPConnection.Options);
      const started = performance.now();
      const base = () => {
        const banner = replies[0]?.split(/\r?\n/)[0];
        // The first EHLO reply: its lines after the greeting line are the extensions, each "250-" or "250 " and a
        // keyword (RFC 5321 4.1.1.1); a line with another code is none (4.2.1: every line of a reply has the same code).
        const ehlo = replies[1] && /^250/.test(replies[1]) ? replies[1].split(/\r?\n/).slice(1).filter((l) => /^250[ -]/.test(l)).map((l) => l.slice(4).split(/\s/)[0]) : [];
        return { host: mxHost, connectedTo, ms: Math.round(performance.now() - started), ...(banner ? { banner } : {}), extensions: ehlo, starttls: ehlo.some((e) => e.toUpperCase() === "STARTTLS") };
      };
      return bounded(
        () =>
          new Promise<Observation<SmtpProbeResult>>((resolve) => {
            // nodemailer reports a session once (its error or the connect callback); a second call would change nothing anyway.
            const done = (o: Observation<SmtpProbeResult>) => {
              try {
                conn.quit();
              } catch {
                // already closed
              }
              conn.close();
              resolve(o);
            };
            // Asked as the error comes: was it the TLS handshake after the server accepted STARTTLS?
            conn.on("error", (e: SMTPConnection.SMTPError) => done(this.probeFailure(e, base(), where, mxHost, handshakeFailed(conn, e))));
            conn.connect((e?: SMTPConnection.SMTPError) => {
              if (e) return done(this.probeFailure(e, base(), where, mxHost, false));
              const b = base();
              done(observed({ ...b, ...(b.starttls ? { tls: { ok: true as const } } : {}) }));
            });
          }),
        OPERATION_BUDGET_FACTOR * this.options.timeoutMs,
        this.options.deadline,
        (why) => {
          conn.close();
          return this.stopped("SMTP probe", where, why);
        },
      );
    });
  }

  /**
   * What an error in the SMTP probe means: a refusal reply, a failed STARTTLS, or no answer.
   * nodemailer names the command of a reply that failed (`CONN` for the greeting), and reports a
   * failed TLS handshake as the socket's error (ESOCKET): `handshake` is that (scripts/verify/tls.ts,
   * a timeout excluded); ETLS is its error for a STARTTLS answered with neither 2xx nor 4xx/5xx.
   */
  private probeFailure(e: SMTPConnection.SMTPError, b: Omit<SmtpProbeResult, "tls" | "rejected">, where: string, mxHost: string, handshake: boolean): Observation<SmtpProbeResult> {
    const reply = typeof e.response === "string" ? e.response.replace(/\s+/g, " ").trim() : "";
    const code = Number.parseInt(reply, 10);
    if (code >= 400 && code < 600) {
      const stage = e.command === "CONN" ? "the greeting" : (e.command ?? "EHLO");
      return observed({ ...b, rejected: { code, reply, stage } });
    }
    if (e.code === "ETLS" || handshake) {
      return observed({ ...b, starttls: true, tls: { ok: false, certificate: handshake && certificateRefused(e.message), error: e.message } });
    }
    // nodemailer hands a close before any reply to the connect callback as ECONNECTION: the TCP connection was made
    // (a refused or unreachable one fails first, with Node's code), so not "unreachable"; and nothing about STARTTLS.
    if (e.code === "ECONNECTION" && b.banner === undefined) return { ok: false, reason: "error", message: `${where} accepted the connection and closed it without a greeting` };
    return classifyNetworkError(e, where, mxHost);
  }
}
