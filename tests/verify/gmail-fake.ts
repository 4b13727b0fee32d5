/**
 * A loopback stand-in for the Gmail API's users.settings.sendAs get and list, answering with the
 * documented JSON shapes (SendAs, SmtpMsa, ListSendAsResponse, and Google's error body
 * {"error": {"code", "message", "status"}}). Only requests with the expected bearer token are
 * answered; any other gets 401 as Google does. Every request is recorded.
 */
import { listenOnLoopback } from "../sandbox/common";
import { createServer, type IncomingMessage } from "node:http";

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
  stop(): Promise<void>;
}

const error = (code: number, status: string, message: string) => ({ error: { code, message, errors: [{ message, domain: "global", reason: status.toLowerCase() }], status } });

export async function startGmailFake(options: { token: string; me: string; aliases?: Record<string, SendAsResource[]>; delayMs?: number }): Promise<GmailFake> {
  const aliases = new Map(Object.entries(options.aliases ?? {}));
  const requests: GmailFake["requests"] = [];
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
        res.end(JSON.stringify(body));
      };
      if (options.delayMs) setTimeout(reply, options.delayMs);
      else reply();
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."));
    }
    const m = /^\/gmail\/v1\/users\/([^/]+)\/settings\/sendAs(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || (req.method !== "GET" && !(req.method === "PUT" && m[2]))) return send(404, error(404, "NOT_FOUND", "Not Found"));
    const user = decodeURIComponent(m[1]);
    const account = user === "me" ? options.me : user;
    if (account !== options.me) return send(403, error(403, "PERMISSION_DENIED", "Delegation denied for " + options.me));
    const list = aliases.get(account) ?? [];
    if (m[2] === undefined) return send(200, { sendAs: list });
    const alias = list.find((a) => a.sendAsEmail.toLowerCase() === decodeURIComponent(m[2]).toLowerCase());
    if (!alias) return send(404, error(404, "NOT_FOUND", "Requested entity was not found."));
    if (req.method === "PUT") {
      // update: the new resource; smtpMsa's username and password are write-only (not stored here, never returned).
      const next = body as SendAsResource & { smtpMsa?: { username?: string; password?: string } };
      const { username: _u, password: _p, ...msa } = next.smtpMsa ?? ({} as Record<string, never>);
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
