/**
 * A Gmail access token for a Google Workspace user, minted from a service account key with
 * domain-wide delegation (relay-fix --apply --gmail-service-account FILE --gmail-subject OWNER).
 *
 * The token comes from Google's maintained auth library (google-auth-library's JWT client with
 * `subject`): it signs the assertion with the key and exchanges it at the token endpoint. The
 * library is loaded only here, when a token is minted. The private key, the signed assertion
 * and the token never appear in a message: errors keep only the endpoint's error code and text.
 */
import { createPrivateKey } from "node:crypto";
import { shown } from "../../../../lib/text";
import { readInputFile, UsageError } from "../../../lib/cli";

/** Google's OAuth token endpoint (what a key file's token_uri says). */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

/**
 * The scopes the delegated token asks for: reading the alias (settings.basic), changing its
 * SMTP settings (settings.sharing, which sendAs.create requires and SMTP relay changes use),
 * and sending the probe message from it (gmail.send, users.messages.send).
 * The Workspace admin grants exactly these to the service account's client ID.
 */
export const GMAIL_DELEGATION_SCOPES = ["https://www.googleapis.com/auth/gmail.settings.basic", "https://www.googleapis.com/auth/gmail.settings.sharing", "https://www.googleapis.com/auth/gmail.send"] as const;

export interface ServiceAccountKey {
  clientEmail: string;
  /** PEM. Never printed. */
  privateKey: string;
  /** The key file's token_uri (Google's endpoint in every key Google issues). */
  tokenUri: string;
}

const FLAG = "--gmail-service-account";

/** Read and check a service account key file (JSON as the Cloud console downloads it). Usage errors never quote the key. */
export function readServiceAccountKey(file: string): ServiceAccountKey {
  const text = readInputFile(file, FLAG);
  const where = `${FLAG}: ${shown(file, 300)}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${where} is not JSON. Give the service account's JSON key file (IAM & Admin → Service accounts → Keys → Add key → JSON).`);
  }
  const o = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  if (o.type !== "service_account") {
    const type = typeof o.type === "string" ? shown(o.type, 40) : "missing";
    throw new UsageError(`${where} is not a service account key (its "type" is ${type}, not "service_account"). An OAuth token file goes to --gmail-token-file instead.`);
  }
  const missing = (["client_email", "private_key"] as const).filter((k) => typeof o[k] !== "string" || !(o[k] as string).trim());
  if (missing.length > 0) throw new UsageError(`${where} has no ${missing.map((k) => `"${k}"`).join(" or ")}. Download a new JSON key for the service account.`);
  const privateKey = o.private_key as string;
  try {
    createPrivateKey(privateKey);
  } catch {
    throw new UsageError(`${where}: "private_key" is not a PEM private key. Download a new JSON key for the service account.`);
  }
  const tokenUri = o.token_uri === undefined ? GOOGLE_TOKEN_URI : o.token_uri;
  if (typeof tokenUri !== "string" || !/^https?:\/\/[^\s/]+/.test(tokenUri)) throw new UsageError(`${where}: "token_uri" is not an http(s) URL.`);
  return {
    clientEmail: o.client_email as string,
    privateKey,
    tokenUri,
  };
}

export type Minted = { ok: true; token: string } | { ok: false; message: string };

interface TokenErrorLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: { status?: number; data?: unknown };
}

/** Why the token endpoint gave no token, from its JSON error (RFC 6749 5.2) or the transport. Never the request. */
function tokenError(e: unknown, key: ServiceAccountKey, subject: string): string {
  const err = (e ?? {}) as TokenErrorLike;
  const data = (err.response?.data ?? {}) as { error?: unknown; error_description?: unknown };
  const who = `the service account ${key.clientEmail} acting as ${subject}`;
  if (typeof data.error === "string") {
    const said = `${data.error}${typeof data.error_description === "string" ? `: ${data.error_description.replace(/\s+/g, " ").slice(0, 300)}` : ""}`;
    const fix =
      data.error === "unauthorized_client"
        ? `In the Google Admin console (Security → Access and data control → API controls → Domain-wide delegation), authorize the service account's client ID for ${GMAIL_DELEGATION_SCOPES.join(", ")}.`
        : data.error === "invalid_grant"
          ? `Check that ${subject} is a user of the Workspace domain, that the key is not deleted or expired, and that this machine's clock is right.`
          : "Check the key file and the delegation in the Google Admin console.";
    return `the token endpoint ${key.tokenUri} refused ${who} (${said}). ${fix}`;
  }
  const status = err.response?.status ?? err.status;
  if (status !== undefined) return `the token endpoint ${key.tokenUri} answered HTTP ${status} for ${who}, with no token.`;
  return `cannot reach the token endpoint ${key.tokenUri} (${String(err.code ?? "network error")}). Check the network path to it.`;
}

/**
 * A delegated access token for `subject`, with GMAIL_DELEGATION_SCOPES, asked once. The library
 * always posts to Google's endpoint; a key whose token_uri names another one (a proxy, a test) is
 * honoured by redirecting that one request. The token request carries its own retryConfig
 * (google-auth-library 11, src/gtoken/getToken.ts: POST retried on 5xx and 429, 3 times with
 * backoff), which transporterOptions cannot turn off; each retry would take another timeoutMs of
 * verify's time budget, so the request's retries are set to 0 where it is sent.
 */
export async function mintDelegatedToken(key: ServiceAccountKey, subject: string, timeoutMs: number): Promise<Minted> {
  const { JWT } = await import("google-auth-library");
  const client = new JWT({
    email: key.clientEmail,
    key: key.privateKey,
    // No keyId: the library reads it only for self-signed JWTs, never for a token from the endpoint.
    scopes: [...GMAIL_DELEGATION_SCOPES],
    subject,
    transporterOptions: { timeout: timeoutMs },
  });
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (String(config.url) === GOOGLE_TOKEN_URI) config.url = new URL(key.tokenUri);
      config.retryConfig = { retry: 0 };
      return config;
    },
  });
  try {
    const credentials = await client.authorize();
    const token = credentials.access_token;
    if (!token) return { ok: false, message: `the token endpoint ${key.tokenUri} answered without an access_token for the service account ${key.clientEmail} acting as ${subject}.` };
    return { ok: true, token };
  } catch (e) {
    return { ok: false, message: tokenError(e, key, subject) };
  }
}
