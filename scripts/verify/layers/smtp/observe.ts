/**
 * What the smtp and relay layers both read about the SMTP credentials: the stored secret, the
 * user's access keys, when each key was last used, the SMTP AUTH handshake per region and the
 * permission simulations. Started once per run by whichever of the two layers asks first
 * (LayerRun.once), so nothing is fetched twice and the order below holds for both.
 */
import type { Manifest } from "../../../../lib/manifest";
import { dependsOn, type Observation, type Unobservable } from "../../../../lib/verify/findings";
import type { LayerRun } from "../../layer";
import {
  type AccessKeyState,
  duringRotation,
  type KeyLastUsed,
  parseSmtpSecret,
  type SimulationOutcome,
  simulationQuestions,
  type SmtpAuthResult,
  type SmtpObservations,
  unknownSmtpUser,
} from "./check";
import type { SmtpTarget } from "./collect";

export interface CredentialObservations {
  readonly obs: SmtpObservations;
  /** verify's own logins with the current key in this run, per region, while a rotation is in progress. */
  readonly loginsThisRun: Map<string, Date>;
}

export function credentialObservations(r: LayerRun): Promise<CredentialObservations> {
  return r.once("smtp-credentials", () => observe(r, r.m!));
}

async function observe(r: LayerRun, m: Manifest): Promise<CredentialObservations> {
  const { c, opts, on, track } = r;
  const s = m.smtp;
  const secret = track("SMTP secret", c.aws.secretValue(s.secretRegion, s.secretId));
  // No call is made on an empty name: discovery without a readable secret knows no user.
  const unknownUser = (): Promise<Unobservable> => secret.then((o) => unknownSmtpUser(s, o));
  const accessKeys: Promise<Observation<AccessKeyState[]>> = s.user === "" ? unknownUser() : track("SMTP user keys", c.aws.accessKeys(s.user));
  // SMTP AUTH needs nodemailer's SMTP connection once the secret and the keys are in: load it while they travel.
  if (on("smtp")) c.smtp.prepare();
  // One question per sender (check.ts simulationQuestions), each on the resources that are
  // known: discovery may not know the account (so no ARN) or a configuration set.
  const unknownAccount = m.domains.flatMap((d) => d.regions).find((x) => x.unknown?.account)?.unknown?.account;
  const noUser = s.userArn === "" ? unknownUser() : undefined;
  const simulations: Promise<SimulationOutcome[]> = !on("smtp")
    ? Promise.resolve([])
    : Promise.all(
        simulationQuestions(m).map(async (question): Promise<SimulationOutcome> => {
          if (unknownAccount) return { question, result: dependsOn(unknownAccount, `the SES resource ARNs are unknown: ${unknownAccount.message}`) };
          if (noUser) return { question, result: await noUser };
          if (question.resources.length === 0) return { question, result: { ok: false, reason: "error", message: `the stack declares no identity for ${question.sender ?? "its domains"} in ${question.region}`, needs: "Add the region to mail-infra:regions, or correct the sender's region." } };
          return { question, result: await track(`SMTP permissions ${question.sender ?? question.region}`, c.aws.simulateSend(s.userArn, question.resources, question.context)) };
        }),
      );
  const parsed = secret.then((o) => (o.ok ? parseSmtpSecret(o.value) : undefined));

  // The relay layer reads when each key of the user, and the secret's username, was last used.
  const lastUsedById = new Map<string, Promise<readonly [string, Observation<KeyLastUsed>]>>();
  const lastUsedOf = (id: string) => {
    let p = lastUsedById.get(id);
    if (!p) lastUsedById.set(id, (p = track(`key last used ${id}`, c.aws.keyLastUsed(id).then((o) => [id, o] as const))));
    return p;
  };
  const lastUsed = on("relay")
    ? Promise.all([
        accessKeys.then((k) => Promise.all((k.ok ? k.value : []).map((key) => lastUsedOf(key.id)))),
        parsed.then((p) => {
          const id = p?.ok ? p.value.username : s.accessKeyId;
          return id ? [lastUsedOf(id)] : [];
        }).then((ps) => Promise.all(ps)),
      ]).then(([fromKeys, fromSecret]) => [...fromKeys, ...fromSecret])
    : Promise.resolve([]);

  // SMTP AUTH logs in with the current key, and IAM may record that login as the key's use by
  // SES in the region: the relay checks could not tell it from a relay's, and it overwrites
  // the relay's own record. So it starts only after the relay layer has read the last-used
  // records, and during a rotation not at all unless forced (check.ts duringRotation).
  const rotating = Promise.all([accessKeys, parsed]).then(([k, p]) => duringRotation(m, k, p?.ok ? p.value.username : s.accessKeyId));
  const loginsThisRun = new Map<string, Date>();
  const auths = Promise.all([parsed, rotating, lastUsed]).then(([p, rot]) => {
    if (!on("smtp") || !p?.ok) return [];
    if (rot && !opts.smtpAuthDuringRotation) return [];
    const stored = p.value;
    return Promise.all(
      s.regions
        .filter((x) => stored.regions[x.region])
        .map((x) =>
          track(
            `SMTP AUTH ${x.region}`,
            (async () => {
              const override = opts.smtpEndpoints?.[x.region] ?? opts.smtpEndpoints?.["*"];
              const target: SmtpTarget = { serverName: x.endpoint, host: override?.host ?? x.endpoint, port: override?.port ?? s.port };
              const pass = stored.regions[x.region].password;
              // The wall clock, not opts.now: IAM dates the record by its own clock.
              if (rot) loginsThisRun.set(x.region, new Date());
              const auth = await c.smtp.auth(target, stored.username, pass, x.region);
              let send: Observation<SmtpAuthResult> | undefined;
              if (opts.sendTest && auth.ok && auth.value.code === 235) {
                const from = m.senders.find((y) => y.region === x.region)?.address ?? `verify@${m.domains[0].domain}`;
                send = await c.smtp.sendTest(target, stored.username, pass, from, x.region);
              }
              return { region: x.region, auth, send };
            })(),
          ),
        ),
    );
  });

  const [secretObs, keysObs, simulationOutcomes, parsedSecret, authResults, lastUsedResults, rotation] = await Promise.all([secret, accessKeys, simulations, parsed, auths, lastUsed, rotating]);
  if (parsedSecret?.ok) {
    for (const x of Object.values(parsedSecret.value.regions)) r.secrets.push(x.password);
    if (parsedSecret.value.secretAccessKey) r.secrets.push(parsedSecret.value.secretAccessKey);
  }
  const obs: SmtpObservations = {
    secret: secretObs,
    accessKeys: keysObs,
    lastUsed: new Map(lastUsedResults),
    auth: new Map(authResults.map((a) => [a.region, a.auth] as const)),
    simulations: simulationOutcomes,
    ...(opts.sendTest ? { sendTest: new Map(authResults.flatMap((a) => (a.send ? [[a.region, a.send] as const] : []))) } : {}),
    ...(opts.secretKey ? { suppliedSecretKey: opts.secretKey } : {}),
    ...(rotation && !opts.smtpAuthDuringRotation
      ? { authWithheld: { keys: keysObs.ok ? keysObs.value.map((k) => k.id) : [s.accessKeyId, ...(s.previousKey?.accessKeyId ? [s.previousKey.accessKeyId] : [])] } }
      : {}),
    ...(opts.ownLogins?.size ? { ownLogins: opts.ownLogins } : {}),
    ...(loginsThisRun.size > 0 ? { loginsThisRun } : {}),
  };
  return { obs, loginsThisRun };
}
