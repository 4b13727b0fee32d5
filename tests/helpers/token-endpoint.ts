/**
 * A loopback OAuth 2.0 token endpoint, as Google's for service accounts (JWT bearer grant,
 * RFC 7523): it records each request's form and decoded JWT assertion (header, claims, and
 * whether the signature verifies against `publicKey`) and answers every request with `status`,
 * `body` (a string as written, anything else as JSON) and any `headers` (e.g. a Location).
 */
import { type KeyObject, verify as verifySignature } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface TokenRequest {
  path: string;
  contentType: string | undefined;
  form: Record<string, string>;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Whether the assertion's RS256 signature verifies; undefined without a public key. */
  signatureValid: boolean | undefined;
}

export async function startTokenEndpoint(status: number, body: unknown, publicKey?: KeyObject, headers: Record<string, string> = {}) {
  const requests: TokenRequest[] = [];
  const decode = (x: string) => JSON.parse(Buffer.from(x, "base64url").toString() || "{}") as Record<string, unknown>;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const [h = "", p = "", sig = ""] = (form.assertion ?? "").split(".");
      requests.push({
        path: req.url ?? "",
        contentType: req.headers["content-type"],
        form,
        header: decode(h),
        claims: decode(p),
        signatureValid: publicKey ? verifySignature("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(sig, "base64url")) : undefined,
      });
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { uri: `http://127.0.0.1:${port}/token`, requests, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
