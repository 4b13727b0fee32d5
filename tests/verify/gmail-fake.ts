/**
 * A loopback stand-in for the Gmail API's users.settings.sendAs get, list and update, and
 * users.messages.send, answering with the documented JSON shapes (SendAs, SmtpMsa,
 * ListSendAsResponse, Message, and Google's error body {"error": {"code", "message",
 * "status"}}). Only requests with the expected bearer token are answered; any other gets 401 as
 * Google does. Every request is recorded.
 *
 * messages.send behaves like Gmail with a "Send mail as" alias: a message whose From is an alias
 * with an smtpMsa is relayed through that SMTP server, logging in with the username and
 * password last written by sendAs.update (kept here, never returned) or given in `credentials`.
 * `smtpRoutes` maps the alias's host (email-smtp.<region>.amazonaws.com) to the loopback SES
 * stand-in; the certificate is checked against the real name with `ca`. The API call answers
 * 200 either way (Gmail accepts the message, then relays it); a refused login or send becomes
 * a delivery with `ok: false` and the server's reply, which real Gmail mails back as a bounce
 * ("Message not delivered", tests/fixtures/bounces/gmail-relay-auth.eml).
 */
import * as tls from "node:tls";
import { createServer, type IncomingMessage } from "node:http";
import { createTransport } from "nodemailer";
import { listenOnLoopback } from "../sandbox/common";

export interface GmailDelivery {
  from: string;
  to: string[];
  /** The SMTP username Gmail logged in with (an access key id). */
  username?: string;
  ok: boolean;
  /** The relay's reply (e.g. "250 Ok sandbox-1" or "535 Authentication Credentials Invalid"). */
  response: string;
}

/** The SendAs resource as the API returns it (smtpMsa.username/password are never returned). */
export interface SendAsResource {
  sendAsEmail: string;
  displayName?: string;
  replyToAddress?: string;
  signature?: string;
  isPrimary?: boolean;
  isDefault?: boolean;
  treatAsAlias?: boolean;
  verificationStatus?: "accepted" | "pending" | "verificationStatusUnspecified";
  smtpMsa?: { host: string; port: number; securityMode: "none" | "ssl" | "starttls" | "securityModeUnspecified" };
}

export interface GmailFake {
  /** API root for --gmail-endpoint / rootUrl, e.g. http://127.0.0.1:PORT/ */
  endpoint: string;
  /** Aliases by account (userId; "me" maps to `me`). */
  aliases: Map<string, SendAsResource[]>;
  requests: { method: string; path: string; authorization?: string; body?: unknown }[];
  /** Messages sent with messages.send and what the relay answered. */
  deliveries: GmailDelivery[];
  stop(): Promise<void>;
}

export interface GmailFakeOptions {
  token: string;
  me: string;
  aliases?: Record<string, SendAsResource[]>;
  delayMs?: number;
  /** SMTP host of an alias -> where it really listens (the loopback SES stand-in). */
  smtpRoutes?: Record<string, { host: string; port: number }>;
  /** The test CA's certificate, to trust the stand-in's STARTTLS certificate. */
  ca?: string;
  /** Stored SMTP logins per alias address (as if entered in Gmail earlier). */
  credentials?: Record<string, { username: string; password: string }>;
  /**
   * Misbehaviour on purpose, asked for each request once it is recorded (`n`: its 1-based
   * number): an answer replaces the fake's own. `{ status, body }` answers with that status and
   * body (a string as written, anything else as JSON); "hang up" destroys the connection
   * without an answer.
   */
  fault?: (request: { method: string; path: string; n: number }) => GmailFault | undefined;
}

export type GmailFault = { status: number; body: unknown } | "hang up";

/** Google's error body (AIP-193): {"error": {"code", "message", "errors", "status"}}. */
export const googleError = (code: number, status: string, message: string) => ({ error: { code, message, errors: [{ message, domain: "global", reason: status.toLowerCase() }], status } });

/** The header `name` of a raw RFC 5322 message (first occurrence, unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const m = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, "im").exec(head);
  return m?.[1].replace(/\r?\n[ \t]+/g, " ").trim();
}
const addresses = (v: string | undefined) => (v ?? "").split(",").map((a) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase()).filter(Boolean);

export async function startGmailFake(options: GmailFakeOptions): Promise<GmailFake> {
  const aliases = new Map(Object.entries(options.aliases ?? {}));
  const requests: GmailFake["requests"] = [];
  const deliveries: GmailDelivery[] = [];
  const logins = new Map(Object.entries(options.credentials ?? {}).map(([a, c]) => [a.toLowerCase(), c]));
  const relay = async (alias: SendAsResource, raw: string): Promise<GmailDelivery> => {
    const from = alias.sendAsEmail;
    const to = [...addresses(header(raw, "To")), ...addresses(header(raw, "Cc"))];
    const login = logins.get(from.toLowerCase());
    const msa = alias.smtpMsa!;
    const route = options.smtpRoutes?.[msa.host.toLowerCase()];
    if (!route) return { from, to, ok: false, response: `no route to ${msa.host} in this fake` };
    const transport = createTransport({
      host: route.host,
      port: route.port,
      secure: msa.securityMode === "ssl",
      requireTLS: msa.securityMode === "starttls",
      ...(login ? { auth: { user: login.username, pass: login.password } } : {}),
      tls: { servername: msa.host, rejectUnauthorized: true, ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}) },
      name: "mail-sor-f41.google.com",
    });
    try {
      const info = await transport.sendMail({ envelope: { from, to }, raw });
      return { from, to, ...(login ? { username: login.username } : {}), ok: true, response: info.response };
    } catch (e) {
      const r = e as { response?: string; message?: string };
      return { from, to, ...(login ? { username: login.username } : {}), ok: false, response: r.response ?? r.message ?? String(e) };
    } finally {
      transport.close();
    }
  };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  const handle = (req: IncomingMessage, res: import("node:http").ServerResponse, text: string) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body: unknown = text ? JSON.parse(text) : undefined;
    requests.push({ method: req.method ?? "?", path: url.pathname, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(body !== undefined ? { body } : {}) });
    const send = (status: number, body: unknown) => {
      const reply = () => {
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      };
      if (options.delayMs) setTimeout(reply, options.delayMs);
      else reply();
    };
    const fault = options.fault?.({ method: req.method ?? "?", path: url.pathname, n: requests.length });
    if (fault === "hang up") return void req.socket.destroy();
    if (fault) return send(fault.status, fault.body);
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."));
    }
    const sendPath = /^\/gmail\/v1\/users\/([^/]+)\/messages\/send$/.exec(url.pathname);
    if (sendPath && req.method === "POST") {
      const user = decodeURIComponent(sendPath[1]);
      const account = user === "me" ? options.me : user;
      if (account !== options.me) return send(403, googleError(403, "PERMISSION_DENIED", "Delegation denied for " + options.me));
      const raw = Buffer.from(String((body as { raw?: string } | undefined)?.raw ?? ""), "base64url").toString("utf8");
      const fromAddress = addresses(header(raw, "From"))[0];
      if (!fromAddress) return send(400, googleError(400, "INVALID_ARGUMENT", "Invalid From header"));
      const alias = (aliases.get(account) ?? []).find((a) => a.sendAsEmail.toLowerCase() === fromAddress);
      const id = `fake${requests.length.toString(16).padStart(12, "0")}`;
      if (!alias?.smtpMsa) return send(200, { id, threadId: id, labelIds: ["SENT"] });
      void relay(alias, raw).then((d) => {
        deliveries.push(d);
        send(200, { id, threadId: id, labelIds: ["SENT"] });
      });
      return;
    }
    const m = /^\/gmail\/v1\/users\/([^/]+)\/settings\/sendAs(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || (req.method !== "GET" && !(req.method === "PUT" && m[2]))) return send(404, googleError(404, "NOT_FOUND", "Not Found"));
    const user = decodeURIComponent(m[1]);
    const account = user === "me" ? options.me : user;
    if (account !== options.me) return send(403, googleError(403, "PERMISSION_DENIED", "Delegation denied for " + options.me));
    const list = aliases.get(account) ?? [];
    if (m[2] === undefined) return send(200, { sendAs: list });
    const alias = list.find((a) => a.sendAsEmail.toLowerCase() === decodeURIComponent(m[2]).toLowerCase());
    if (!alias) return send(404, googleError(404, "NOT_FOUND", "Requested entity was not found."));
    if (req.method === "PUT") {
      // update: the new resource; smtpMsa's username and password are write-only (kept for messages.send, never returned).
      const next = body as SendAsResource & { smtpMsa?: { username?: string; password?: string } };
      const { username, password, ...msa } = next.smtpMsa ?? ({} as Record<string, never>);
      if (username !== undefined && password !== undefined) logins.set(alias.sendAsEmail.toLowerCase(), { username, password });
      Object.assign(alias, { ...next, sendAsEmail: alias.sendAsEmail, ...(next.smtpMsa ? { smtpMsa: msa } : {}) });
      return send(200, alias);
    }
    return send(200, alias);
  };
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    aliases,
    requests,
    deliveries,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The alias as a correctly configured Gmail account returns it. */
export function healthyAlias(address: string, region = "us-east-1"): SendAsResource {
  return {
    sendAsEmail: address,
    displayName: "Admin",
    replyToAddress: "",
    signature: "",
    isPrimary: false,
    treatAsAlias: false,
    verificationStatus: "accepted",
    smtpMsa: { host: `email-smtp.${region}.amazonaws.com`, port: 587, securityMode: "starttls" },
  };
}
