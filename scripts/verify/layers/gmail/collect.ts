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

/** Turn a client error into why the alias could not be read. Never includes request headers. */
export function classifyGmailError(e: unknown, what: string): Unobservable {
  const err = (e ?? {}) as GaxiosLikeError;
  const status = err.response?.status ?? err.status;
  const said = apiMessage(err.response?.data) ?? `HTTP ${status ?? "?"}`;
  if (status === 404) return { ok: false, reason: "notfound", message: `Gmail: ${said} (${what})` };
  if (status === 401) {
    return { ok: false, reason: "denied", message: `Gmail refused the access token (401: ${said})`, needs: GMAIL_CREDENTIALS.remediation, cause: GMAIL_CREDENTIALS };
  }
  if (status === 403) {
    return { ok: false, reason: "denied", message: `Gmail denied reading ${what} (403: ${said})`, needs: "The token lacks the scope gmail.settings.basic (or gmail.readonly), or belongs to another account than the alias's owner." };
  }
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

/** The fields the checks read; never smtpMsa.username or password (Gmail does not return them anyway). */
function toSendAs(d: SendAsSchema, address: string): GmailSendAs {
  const msa = d.smtpMsa;
  return {
    sendAsEmail: d.sendAsEmail ?? address,
    ...(d.verificationStatus ? { verificationStatus: d.verificationStatus } : {}),
    ...(d.isPrimary ? { isPrimary: true } : {}),
    ...(msa ? { smtpMsa: { ...(msa.host ? { host: msa.host } : {}), ...(typeof msa.port === "number" ? { port: msa.port } : {}), ...(msa.securityMode ? { securityMode: msa.securityMode } : {}) } } : {}),
  };
}

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
   * tests the SMTP login before it saves. Not memoised; the read-back is a fresh get.
   */
  async updateSmtpMsa(
    account: string,
    address: string,
    smtpMsa: { host: string; port: number; securityMode: "starttls" | "ssl"; username: string; password: string },
  ): Promise<Observation<GmailSendAs>> {
    const what = `alias ${address} of ${account}`;
    try {
      const api = await this.client();
      this.calls += 1;
      const current = (await api.users.settings.sendAs.get({ userId: account, sendAsEmail: address }, this.options_())).data;
      const keep = (["displayName", "replyToAddress", "signature", "isDefault", "treatAsAlias"] as const).filter((k) => current[k] !== undefined && current[k] !== null);
      const requestBody = { sendAsEmail: address, ...Object.fromEntries(keep.map((k) => [k, current[k]])), smtpMsa };
      this.calls += 1;
      await api.users.settings.sendAs.update({ userId: account, sendAsEmail: address, requestBody }, this.options_());
    } catch (e) {
      return classifyGmailError(e, what);
    }
    return this.readBack(account, address);
  }

  /**
   * relay-fix --apply's probe: users.messages.send of one short message From the alias To
   * `to` (the SES mailbox simulator). Gmail relays it through the alias's SMTP server with the
   * credentials it holds, so SES sees that key log in. Returns the message id Gmail gave.
   */
  async sendProbe(account: string, from: string, to: string, subject: string, text: string): Promise<Observation<{ id: string }>> {
    const raw = [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, "MIME-Version: 1.0", 'Content-Type: text/plain; charset="UTF-8"', "", text, ""].join("\r\n");
    this.calls += 1;
    try {
      const api = await this.client();
      const r = await api.users.messages.send({ userId: account, requestBody: { raw: Buffer.from(raw, "utf8").toString("base64url") } }, this.options_());
      return observed({ id: r.data.id ?? "?" });
    } catch (e) {
      return classifyGmailError(e, `sending the probe from ${from} as ${account}`);
    }
  }

  private async readBack(account: string, address: string): Promise<Observation<GmailSendAs>> {
    this.calls += 1;
    try {
      const api = await this.client();
      return observed(toSendAs((await api.users.settings.sendAs.get({ userId: account, sendAsEmail: address }, this.options_())).data, address));
    } catch (e) {
      return classifyGmailError(e, `alias ${address} of ${account}`);
    }
  }

  /** users.settings.sendAs.get for `address` in `account` ("me": the token's own account). */
  sendAs(account: string | undefined, address: string): Promise<Observation<GmailSendAs>> {
    const userId = account ?? "me";
    return this.cache(`${userId}:${address.toLowerCase()}`, async () => {
      this.calls += 1;
      const what = `alias ${address} of ${userId}`;
      try {
        const api = await this.client();
        const r = await api.users.settings.sendAs.get({ userId, sendAsEmail: address }, this.options_());
        return observed(toSendAs(r.data, address));
      } catch (e) {
        return classifyGmailError(e, what);
      }
    });
  }
}
