/**
 * IAM's last-use record of access keys, for relay tests against moto.
 *
 * moto does not record a key's last use for the calls these tests can make (GetAccessKeyLastUsed
 * answers "N/A"), and no API sets it: only that one call is faked, on the collector's own IAM
 * client, with the SDK's response shape; ListAccessKeys is forwarded to moto.
 */
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import type { World } from "./world";

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
