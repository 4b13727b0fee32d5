/**
 * IAM's last-use record of access keys, for relay tests against moto.
 *
 * Real records: moto 5.1 records a key's last use (service, region, its own clock) on every
 * request signed with that key (moto/core/responses.py setup_class -> moto/iam/models.py
 * mark_account_as_visited; the service is the responding backend's name, "ses" for the SES v1
 * query API). recordSesUse makes such a request; the world's SMTP servers call it on each
 * successful login (WorldOptions.recordLastUse), as SES is assumed to record an SMTP login.
 *
 * Made-up records: moto's clock is the wall clock, so a use "25 hours ago" cannot be made
 * real. fakeLastUsed fakes only GetAccessKeyLastUsed on the collector's own IAM client, with
 * the SDK's response shape; ListAccessKeys is forwarded to moto.
 */
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { mockClient } from "aws-sdk-client-mock";
import type { World } from "./world";

/** One SES (v1 query API, GetSendQuota) call signed with the key in `region`: moto records it as the key's last use by "ses" there. */
export async function recordSesUse(endpoint: string, accessKeyId: string, secretAccessKey: string, region: string): Promise<void> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: "ses", region, credentials: { accessKeyId, secretAccessKey }, sha256: Hash.bind(null, "sha256") });
  const body = "Action=GetSendQuota&Version=2010-12-01";
  const signed = await signer.sign({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" }, body });
  const r = await fetch(`${endpoint.replace(/\/$/, "")}/`, { method: "POST", headers: signed.headers, body });
  if (!r.ok) throw new Error(`recording an SES use in moto: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
}

export type LastUsed = { LastUsedDate?: Date; ServiceName: string; Region: string } | "denied";

/** Fake GetAccessKeyLastUsed only; ListAccessKeys goes to moto through `direct`. Use as a collector `prepare`. */
export function fakeLastUsed(direct: IAMClient, byKey: Record<string, LastUsed>) {
  return (c: { aws: { iam(): IAMClient } }) => {
    const stub = mockClient(c.aws.iam());
    stub.on(ListAccessKeysCommand).callsFake((input: { UserName?: string }) => direct.send(new ListAccessKeysCommand(input)));
    stub.on(GetAccessKeyLastUsedCommand).callsFake(async (input: { AccessKeyId?: string }) => {
      const u = byKey[input.AccessKeyId ?? ""] ?? { ServiceName: "N/A", Region: "N/A" };
      if (u === "denied") throw Object.assign(new Error("User is not authorized to perform: iam:GetAccessKeyLastUsed"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
      return { UserName: "mail-smtp", AccessKeyLastUsed: u };
    });
  };
}

const worldIam = new WeakMap<World, IAMClient>();

/** A client straight to moto (for the forwarded ListAccessKeys); close it with closeMotoIam. */
export function motoIam(w: World): IAMClient {
  let c = worldIam.get(w);
  if (!c) {
    c = new IAMClient({ endpoint: w.moto.directEndpoint, region: "us-east-1", credentials: { accessKeyId: w.env.AWS_ACCESS_KEY_ID, secretAccessKey: w.env.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 });
    worldIam.set(w, c);
  }
  return c;
}

export function closeMotoIam(w: World): void {
  worldIam.get(w)?.destroy();
  worldIam.delete(w);
}
