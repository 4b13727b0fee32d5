/**
 * A test world after a rotation (`1 -> 2`) with real last-used records, shared by the relay
 * tests and the rotation runbook's doc check: the world's key is the previous one, a second key
 * (created a second later) the current one, the secret holds it, and the SES stand-in records
 * each SMTP login in moto (world.ts recordLastUse).
 */
import { CreateAccessKeyCommand, DeleteAccessKeyCommand } from "@aws-sdk/client-iam";
import { PutSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createTransport } from "nodemailer";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import type { Finding } from "../../lib/verify/findings";
import { PROBE_ADDRESS } from "../../lib/verify/key-evidence";
import { closeMotoIam, recordSesUse } from "./last-used";
import { createWorld, type MotoContext, type SharedServers, storedSecret, type World } from "./world";

export interface Rotated {
  w: World;
  previousId: string;
  currentId: string;
  /** The secret access key per key id. */
  secrets: Map<string, string>;
  /** The current key's CreateDate as moto reports it: the rotation time. */
  rotatedAt: Date;
  secretsClient: SecretsManagerClient;
}

export const nextSecond = () => new Promise((r) => setTimeout(r, 1_100));

/**
 * A world after `1 -> 2`: the world's key is the previous one, a second key (created by moto
 * after it, a second later) is the current one and the secret holds it; the manifest says
 * generation 2 with the previous key `state`. `before` runs before key 2 exists (e.g. a real
 * SES use of key 1 before the rotation).
 */
export async function rotatedWorld(
  shared: SharedServers,
  state: "active" | "inactive",
  options: { deletePrevious?: boolean; recordLastUse?: "immediate" | "held"; config?: Record<string, string | number | string[]>; before?: (ctx: MotoContext) => Promise<void> } = {},
): Promise<Rotated> {
  let currentId = "";
  let secretsClient: SecretsManagerClient | undefined;
  const secrets = new Map<string, string>();
  const w = await createWorld(shared, {
    ...(options.config ? { config: options.config } : {}),
    ...(options.recordLastUse ? { recordLastUse: options.recordLastUse } : {}),
    moto: async (ctx) => {
      secretsClient = ctx.secrets;
      await options.before?.(ctx);
      await nextSecond();
      const next = await ctx.iam.send(new CreateAccessKeyCommand({ UserName: ctx.user }));
      currentId = next.AccessKey?.AccessKeyId ?? "";
      ctx.keys.set(currentId, next.AccessKey?.SecretAccessKey ?? "");
      for (const [id, secret] of ctx.keys) secrets.set(id, secret);
      if (options.deletePrevious) await ctx.iam.send(new DeleteAccessKeyCommand({ UserName: ctx.user, AccessKeyId: ctx.accessKeyId }));
    },
  });
  const previousId = w.manifest.smtp.accessKeyId;
  w.manifest.smtp.accessKeyId = currentId;
  w.manifest.smtp.keyGeneration = 2;
  w.manifest.smtp.previousKey = { generation: 1, accessKeyId: previousId, state };
  // pulumi up wrote key 2's username and passwords as the secret's new version.
  await secretsClient!.send(new PutSecretValueCommand({ SecretId: w.manifest.smtp.secretId, SecretString: JSON.stringify(storedSecret(w.manifest, currentId, secrets.get(currentId)!, 2)) }));
  const c = w.collectors();
  const listed = await c.aws.accessKeys(w.manifest.smtp.user);
  c.aws.destroy();
  const created = listed.ok ? listed.value.find((k) => k.id === currentId)?.createDate : undefined;
  if (!created) throw new Error("moto did not list the current key");
  return { w, previousId, currentId, secrets, rotatedAt: new Date(created), secretsClient: secretsClient! };
}

export const retire = (fs: readonly Finding[]) => fs.filter((f) => f.id === "relay.retire");
export const credentials = (fs: readonly Finding[]) => fs.filter((f) => f.id === "relay.credentials");

export async function withRotated(shared: SharedServers, state: "active" | "inactive", fn: (r: Rotated) => Promise<void>, options: Parameters<typeof rotatedWorld>[2] = {}) {
  const r = await rotatedWorld(shared, state, options);
  try {
    await fn(r);
  } finally {
    closeMotoIam(r.w);
    await r.w.stop();
  }
}

/** A relay (as Gmail does for an alias) logs in to the SES stand-in of `region` with key `id` and sends one message to the mailbox simulator. */
export async function relaySend(r: Rotated, region: string, id: string, from = "admin@example.com"): Promise<void> {
  const target = r.w.smtpEndpoints[region];
  const t = createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    requireTLS: true,
    auth: { user: id, pass: deriveSmtpPasswordV4(r.secrets.get(id)!, region) },
    tls: { servername: `email-smtp.${region}.amazonaws.com`, ca: [r.w.ca.caCertPem] },
  });
  try {
    await t.sendMail({ envelope: { from, to: [PROBE_ADDRESS] }, raw: `From: ${from}\r\nTo: ${PROBE_ADDRESS}\r\nSubject: probe\r\n\r\nprobe\r\n` });
  } finally {
    t.close();
  }
}

/** The key's last use as moto records it (read with the collector verify uses). */
export async function lastUse(r: Rotated, id: string): Promise<{ at: Date; service?: string; region?: string }> {
  const c = r.w.collectors();
  try {
    const u = await c.aws.keyLastUsed(id);
    if (!u.ok || !u.value.lastUsedDate) throw new Error(`no last use of ${id} in moto`);
    return { at: new Date(u.value.lastUsedDate), ...(u.value.serviceName ? { service: u.value.serviceName } : {}), ...(u.value.region ? { region: u.value.region } : {}) };
  } finally {
    c.aws.destroy();
  }
}

/** Key 1 used by SES in us-east-1 before the rotation, recorded the way the SMTP stand-in records a login. */
export const usedBeforeRotation = (shared: SharedServers, region = "us-east-1") => async (ctx: MotoContext) => recordSesUse(shared.moto.directEndpoint, ctx.accessKeyId, ctx.secretAccessKey, region);

