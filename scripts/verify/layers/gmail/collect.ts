/**
 * The Gmail collector: reads a "Send mail as" alias (users.settings.sendAs.get) with Google's
 * maintained client, @googleapis/gmail. The client is loaded only when an alias is read, so a
 * verify run without Gmail credentials (or without Gmail senders) never pays for it.
 *
 * The access token is held here and nowhere else: it goes into the Authorization header of each
 * request, never into an Observation; `secrets()` lists it for the report's last-resort scrub.
 */
import { type Observation, observed, type Unobservable } from "../../../../lib/verify/findings";
import { GMAIL_CREDENTIALS, type GmailSendAs } from "../relay/check";
import { readInputFile, UsageError } from "../../../lib/cli";
import { memo } from "../../limit";

/** Google's API root; --gmail-endpoint overrides it (tests, proxies). */
export const GMAIL_API_ROOT = "https://gmail.googleapis.com/";

export interface GmailOptions {
  accessToken: string;
  /** API root, e.g. http://127.0.0.1:8080/ (default GMAIL_API_ROOT). */
  endpoint?: string;
  timeoutMs: number;
}

/**
 * The access token from --gmail-token-file (JSON with `access_token`, as Google's OAuth tools
 * write it; `token` as google-auth's authorized-user files do) or GMAIL_ACCESS_TOKEN. Undefined
 * when neither is given. A file that holds no token is a usage error: it never names the value.
 */
export function readGmailToken(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (file === undefined) {
    const t = env.GMAIL_ACCESS_TOKEN?.trim();
    return t ? t : undefined;
  }
  // Refuses directories, devices and oversized files before reading them.
  const text = readInputFile(file, "--gmail-token-file");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--gmail-token-file: ${file} is not JSON. Give the OAuth token file (JSON with an "access_token") that Google's tools write.`);
  }
  const o = (json ?? {}) as Record<string, unknown>;
  const token = typeof o.access_token === "string" ? o.access_token : typeof o.token === "string" ? o.token : undefined;
  if (!token?.trim()) throw new UsageError(`--gmail-token-file: ${file} has no "access_token" field. Give the OAuth token JSON (with an access_token) for the account that owns the aliases.`);
  return token.trim();
}

interface GaxiosLikeError {
  name?: string;
  code?: string | number;
  status?: number;
  message?: string;
  response?: { status?: number; data?: unknown };
}

/** Google's error body: {"error": {"code", "message", "status"}}. Only its message is kept. */
function apiMessage(data: unknown): string | undefined {
  const e = (data as { error?: { message?: unknown } } | undefined)?.error;
  return typeof e?.message === "string" ? e.message.split("\n")[0] : undefined;
}

/** What a request does, for a refusal (403): the words, and which scopes or account it needs. */
export interface GmailAccess {
  doing: string;
  needs: string;
}

/** users.settings.sendAs.get (scopes: Google's reference for the method). */
export const GMAIL_READ: GmailAccess = { doing: "reading", needs: "The token lacks the scope gmail.settings.basic (or gmail.readonly), or belongs to another account than the alias's owner." };
/** users.settings.sendAs.update: only a delegated service account may change an alias other than the primary address. */
export const GMAIL_UPDATE: GmailAccess = {
  doing: "updating",
  needs: "Gmail lets only a service account with domain-wide delegation change an alias other than the account's primary address, with the scope gmail.settings.basic or gmail.settings.sharing: give --gmail-service-account FILE (or a token minted from one), impersonating the alias's owner.",
};
/** users.messages.send. */
export const GMAIL_SEND: GmailAccess = { doing: "sending", needs: "The token lacks the scope gmail.send, or belongs to another account than the alias's owner." };

/** Turn a client error into why the request failed. Never includes request headers. */
export function classifyGmailError(e: unknown, what: string, access: GmailAccess = GMAIL_READ): Unobservable {
  const err = (e ?? {}) as GaxiosLikeError;
  const status = err.response?.status ?? err.status;
  // Used only with a status: a reply without Google's message is named by its status.
  const said = apiMessage(err.response?.data) ?? `HTTP ${status}`;
  if (status === 404) return { ok: false, reason: "notfound", message: `Gmail: ${said} (${what})` };
  if (status === 401) {
    return { ok: false, reason: "denied", message: `Gmail refused the access token (401: ${said})`, needs: GMAIL_CREDENTIALS.remediation, cause: GMAIL_CREDENTIALS };
  }
  if (status === 403) return { ok: false, reason: "denied", message: `Gmail denied ${access.doing} ${what} (403: ${said})`, needs: access.needs };
  if (status === 429) return { ok: false, reason: "throttled", message: `Gmail: ${said}`, needs: "Gmail's quota was exceeded: re-run later." };
  const code = String(err.code ?? "");
  const text = `${err.name ?? ""} ${code} ${err.message ?? ""}`;
  if (/Timeout|ETIMEDOUT|AbortError|aborted/i.test(text)) return { ok: false, reason: "timeout", message: `Gmail did not answer in time (${what})`, needs: "Check the network path to the Gmail API, or raise --timeout." };
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|fetch failed/i.test(text)) {
    return { ok: false, reason: "unreachable", message: `the Gmail API is unreachable (${code || "network error"})`, needs: "Check the network path to gmail.googleapis.com (or --gmail-endpoint)." };
  }
  return { ok: false, reason: "error", message: `Gmail answered ${status ? `HTTP ${status}: ${said}` : "with an error"} (${what})`, needs: "Re-run; if it persists, read the alias in Gmail's settings by hand." };
}

type GmailApi = import("@googleapis/gmail").gmail_v1.Gmail;
type SendAsSchema = import("@googleapis/gmail").gmail_v1.Schema$SendAs;

/** A SendAs resource always names its address; anything else (an empty body, a proxy's page) is not one. */
function isSendAs(d: unknown): d is SendAsSchema & { sendAsEmail: string } {
  return typeof (d as SendAsSchema | null | undefined)?.sendAsEmail === "string";
}

/** A 2xx answer without what the method returns: not Gmail's answer, so nothing is concluded from it. */
function unexpected(what: string, wanted: string): Unobservable {
  return { ok: false, reason: "error", message: `Gmail answered without ${wanted} (${what})`, needs: "Re-run; if it persists, check what answers at the Gmail API's address (a proxy on the path, or --gmail-endpoint)." };
}

/** The fields the checks read; never smtpMsa.username or password (Gmail does not return them anyway). */
function toSendAs(d: SendAsSchema & { sendAsEmail: string }): GmailSendAs {
  const msa = d.smtpMsa;
  return {
    sendAsEmail: d.sendAsEmail,
    ...(d.verificationStatus ? { verificationStatus: d.verificationStatus } : {}),
    ...(d.isPrimary ? { isPrimary: true } : {}),
    ...(msa ? { smtpMsa: { ...(msa.host ? { host: msa.host } : {}), ...(typeof msa.port === "number" ? { port: msa.port } : {}), ...(msa.securityMode ? { securityMode: msa.securityMode } : {}) } } : {}),
  };
}

const ALIAS = 'a "Send mail as" alias';

/** Reads Gmail aliases; one instance per run, every read memoised. */
export class GmailCollector {
  calls = 0;
  private api?: Promise<GmailApi>;
  private readonly cache = memo<Observation<GmailSendAs>>();

  constructor(private readonly options: GmailOptions) {}

  /** Values the report must never print. */
  secrets(): string[] {
    return [this.options.accessToken];
  }

  private client(): Promise<GmailApi> {
    // Loaded at the point of use: the client and its dependencies cost start-up time.
    return (this.api ??= import("@googleapis/gmail").then(({ gmail }) => gmail({ version: "v1", rootUrl: this.options.endpoint ?? GMAIL_API_ROOT })));
  }

  private options_(): { headers: Record<string, string>; timeout: number; retry: false } {
    return { headers: { Authorization: `Bearer ${this.options.accessToken}` }, timeout: this.options.timeoutMs, retry: false };
  }

  /**
   * relay-fix --apply: users.settings.sendAs.update of the alias with a new smtpMsa, keeping the
   * alias's other writable fields as read just before (update replaces the resource). Gmail
   * tests the SMTP login before it saves. Not memoised; the read-back is a fresh get. A failure's
   * message says whether the alias was changed: not updated, or updated but not read back.
   */
  async updateSmtpMsa(
    account: string,
    address: string,
    smtpMsa: { host: string; port: number; securityMode: "starttls" | "ssl"; username: string; password: string },
  ): Promise<Observation<GmailSendAs>> {
    const what = `alias ${address} of ${account}`;
    const notUpdated = (u: Unobservable): Unobservable => ({ ...u, message: `the alias was not updated: ${u.message}` });
    // Which request failed: the read before the update, or the update.
    let access = GMAIL_READ;
    try {
      const api = await this.client();
      this.calls += 1;
      const current = (await api.users.settings.sendAs.get({ userId: account, sendAsEmail: address }, this.options_())).data;
      // Not written over an answer that is not the alias.
      if (!isSendAs(current)) return notUpdated(unexpected(what, ALIAS));
      const keep = (["displayName", "replyToAddress", "signature", "isDefault", "treatAsAlias"] as const).filter((k) => current[k] !== undefined && current[k] !== null);
      const requestBody = { sendAsEmail: address, ...Object.fromEntries(keep.map((k) => [k, current[k]])), smtpMsa };
      this.calls += 1;
      access = GMAIL_UPDATE;
      await api.users.settings.sendAs.update({ userId: account, sendAsEmail: address, requestBody }, this.options_());
    } catch (e) {
      return notUpdated(classifyGmailError(e, what, access));
    }
    const back = await this.read(account, address);
    return back.ok ? back : { ...back, message: `the alias was updated, but reading it back failed: ${back.message}` };
  }

  /**
   * relay-fix --apply's probe: users.messages.send of one short message From the alias To
   * `to` (the SES mailbox simulator). Gmail relays it through the alias's SMTP server with the
   * credentials it holds, so SES sees that key log in. Returns the message id Gmail gave.
   */
  async sendProbe(account: string, from: string, to: string, subject: string, text: string): Promise<Observation<{ id: string }>> {
    const what = `the probe from ${from} as ${account}`;
    const raw = [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, "MIME-Version: 1.0", 'Content-Type: text/plain; charset="UTF-8"', "", text, ""].join("\r\n");
    this.calls += 1;
    try {
      const api = await this.client();
      const r = await api.users.messages.send({ userId: account, requestBody: { raw: Buffer.from(raw).toString("base64url") } }, this.options_());
      const id = (r.data as { id?: unknown } | null)?.id;
      return typeof id === "string" && id ? observed({ id }) : unexpected(what, "a message id");
    } catch (e) {
      return classifyGmailError(e, what, GMAIL_SEND);
    }
  }

  /** users.settings.sendAs.get, not memoised. */
  private async read(userId: string, address: string): Promise<Observation<GmailSendAs>> {
    this.calls += 1;
    const what = `alias ${address} of ${userId}`;
    try {
      const api = await this.client();
      const d = (await api.users.settings.sendAs.get({ userId, sendAsEmail: address }, this.options_())).data;
      return isSendAs(d) ? observed(toSendAs(d)) : unexpected(what, ALIAS);
    } catch (e) {
      return classifyGmailError(e, what);
    }
  }

  /** users.settings.sendAs.get for `address` in `account` ("me": the token's own account), memoised. */
  sendAs(account: string | undefined, address: string): Promise<Observation<GmailSendAs>> {
    const userId = account ?? "me";
    return this.cache(`${userId}:${address.toLowerCase()}`, () => this.read(userId, address));
  }
}
