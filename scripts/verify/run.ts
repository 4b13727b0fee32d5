/**
 * The verify run: collect what each check needs, in parallel and bounded, then judge it with
 * the pure checks in lib/verify. Nothing is fetched twice: collectors memoise every call.
 */
import { dnsQuestions, questionKey, reportAuthorizationNames, spfNames, checkDnsLayer } from "../../lib/verify/dns";
import { dmarcRecordName } from "../../lib/dmarc";
import { analyzeSpf, type SpfAnalysis } from "../../lib/spf";
import { fixModeOf, type Manifest } from "../../lib/manifest";
import { sharedMailFroms } from "../../lib/mail-from-owner";
import { dependsOn, type Finding, groupByCause, type Layer, LAYERS, type NotChecked, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import { checkRecipient, checkSesAccount, checkSesConfigurationSet, checkSesIdentity } from "../../lib/verify/ses";
import { checkMonitoringLayer, MONITORING_NOT_DECLARED } from "../../lib/verify/monitoring";
import { checkWatch } from "../../lib/verify/watch";
import { checkRecipientDomain, NO_RECIPIENT, recipientDomains } from "../../lib/verify/recipient";
import { checkGmailAliases, checkRetire, type GmailSendAs } from "../../lib/verify/relay";
import {
  type AccessKeyState,
  checkRelays,
  checkSmtpLayer,
  duringRotation,
  type KeyLastUsed,
  parseSmtpSecret,
  type SimulationOutcome,
  simulationQuestions,
  type SmtpAuthResult,
  type SmtpObservations,
  unknownSmtpUser,
} from "../../lib/verify/smtp";
import type { AwsCollector } from "./aws";
import type { DnsCollector } from "./dns";
import type { GmailCollector } from "./gmail";
import type { RecipientCollector } from "./recipient";
import type { SmtpCollector, SmtpTarget } from "./smtp";
import { limiter } from "./limit";

/** Domains whose SES and DNS checks run at once (each already fans out to several requests). */
export const DOMAIN_CONCURRENCY = 16;

export interface VerifyOptions {
  layers: readonly Layer[];
  /** Layers left out before the run (--only/--skip, or a missing input), with why; the result lists them. */
  notChecked?: readonly NotChecked[];
  recipients: readonly string[];
  /**
   * Connect here instead of a region's endpoint (certificates are still checked against the
   * real name). The key "*" applies to every region without its own entry.
   */
  smtpEndpoints?: Readonly<Record<string, { host: string; port: number }>>;
  sendTest: boolean;
  /** A secret access key read from stdin, to re-derive the stored passwords. */
  secretKey?: string;
  now?: Date;
  /** relay.retire, relay.credentials: SES uses of the current key an earlier verify confirmed, per region (--relay-seen). */
  relaySeen?: ReadonlyMap<string, Date>;
  /**
   * Log in with the current key (smtp.auth, --send-test) even while a rotation is in progress
   * (--smtp-auth-during-rotation). Default: not, see lib/verify/smtp.ts duringRotation.
   */
  smtpAuthDuringRotation?: boolean;
  /** verify's own earlier logins with the current key, per region (--smtp-login-at): relay checks do not count them. */
  ownLogins?: ReadonlyMap<string, Date>;
  /** Why the Gmail alias check cannot run when there is no Gmail collector (default: no credentials). */
  gmailUnavailable?: string;
}

/** Why relay.gmail was not made when no Gmail credentials were given. */
export const NO_GMAIL_CREDENTIALS = "no Gmail credentials: give --gmail-token-file FILE (OAuth token JSON with an access_token) or set GMAIL_ACCESS_TOKEN";

export interface Collectors {
  aws: AwsCollector;
  dns: DnsCollector;
  smtp: SmtpCollector;
  /** Reads Gmail aliases; absent without Gmail credentials (relay.gmail is then not checked). */
  gmail?: GmailCollector;
  /** The recipient layer's DNS, MTA-STS and SMTP probe; needed only when that layer runs. */
  recipient?: RecipientCollector;
}

export interface VerifyResult {
  /** One finding per check and subject; checks that share a root cause are grouped under it (groupByCause). */
  findings: Finding[];
  /** Layers not checked at all, with why: those of the options, plus any the manifest gives nothing to check in. */
  notChecked: NotChecked[];
  /** Values that must never be printed (the report scrubs them as a last line of defence). */
  secrets: string[];
}

export type Progress = (done: number, total: number, label: string) => void;

/**
 * Every observation starts as soon as what it depends on is known, never later: the SMTP
 * handshake waits only for the secret, a key's last use only for the key list, the DMARC
 * report authorisations only for the DMARC answer. Collectors bound the parallelism and
 * memoise, so shared names (an SPF include every domain uses) are fetched once.
 */
export async function runVerify(m: Manifest | undefined, opts: VerifyOptions, c: Collectors, progress?: Progress): Promise<VerifyResult> {
  const on = (l: Layer) => opts.layers.includes(l);
  // Without a manifest only the recipient layer can run (verify --recipient ADDR --only recipient).
  for (const l of opts.layers) if (!m && l !== "recipient") throw new Error(`runVerify: the ${l} layer needs a manifest`);
  let done = 0;
  let total = 0;
  /** Count a unit of work for progress: known as soon as it starts, done when it settles. */
  const track = <T>(label: string, work: Promise<T>): Promise<T> => {
    total += 1;
    return work.then((v) => {
      done += 1;
      progress?.(done, total, label);
      return v;
    });
  };
  const secrets: string[] = opts.secretKey ? [opts.secretKey] : [];
  const domains = m?.domains ?? [];
  // At most DOMAIN_CONCURRENCY domains' SES and DNS work in flight at once: the collectors bound
  // their requests, this bounds the closures and answers held for a 1,000-domain stack.
  const perDomainSlot = limiter(DOMAIN_CONCURRENCY);
  const regions = [...new Set(domains.flatMap((d) => d.regions.map((r) => r.region)))];

  const mode = m ? fixModeOf(m) : "stack";
  /**
   * The live MX of each MAIL FROM name that several regions of a domain share: it decides which
   * region the name serves (lib/mail-from-owner), so the SES check gives the others their own
   * name. Only shared names are asked (the DNS collector memoises: the DNS layer asks them too).
   */
  const sharedMx = async (d: Manifest["domains"][number]): Promise<Map<string, string[]>> => {
    const names = sharedMailFroms(d.regions.filter((r) => r.mailFromDomain !== "").map((r) => ({ region: r.region, name: r.mailFromDomain }))).map((o) => o.name);
    const answers = await Promise.all(names.map(async (n) => [n, await c.dns.query("MX", n)] as const));
    return new Map(answers.flatMap(([n, a]) => (a.ok ? [[n, a.value] as const] : a.reason === "notfound" ? [[n, []] as const] : [])));
  };

  const sesLayer = async (): Promise<Finding[]> => {
    if (!on("ses")) return [];
    const accounts = regions.map((region) => track(`SES account ${region}`, c.aws.account(region).then((a) => checkSesAccount(region, a))));
    const identities = domains.flatMap((d) =>
      d.regions.map((r) =>
        track(
          `SES identity ${d.domain} ${r.region}`,
          // A configuration set discovery could not name is not looked up (its check says why).
          perDomainSlot(() => Promise.all([c.aws.identity(r.region, d.domain), r.unknown?.configurationSet ?? c.aws.configurationSet(r.region, r.configurationSet), sharedMx(d)])).then(([identity, cs, mx]) => [
            ...checkSesIdentity(d, r, identity, { mode, mailFromMx: (name) => mx.get(name) }),
            ...checkSesConfigurationSet(r, cs),
          ]),
        ),
      ),
    );
    const recipients = opts.recipients.flatMap((address) =>
      regions.map((region) => track(`suppression ${address} ${region}`, c.aws.suppressed(region, address).then((s) => [checkRecipient(region, address, s)]))),
    );
    return (await Promise.all([...accounts, ...identities, ...recipients])).flat();
  };

  const dnsLayer = async (): Promise<Finding[]> => {
    if (!on("dns")) return [];
    for (const d of domains) c.dns.useAuthoritativeFor(d.domain);
    const perDomain = domains.map((d) =>
      track(
        `DNS ${d.domain}`,
        perDomainSlot(async () => {
          const answers = Promise.all(dnsQuestions(d).map(async (q) => [questionKey(q), await c.dns.query(q.type, q.name)] as const));
          const spf = Promise.all(
            spfNames(d).map(async (name): Promise<readonly [string, Observation<SpfAnalysis>]> => [name, observed(await analyzeSpf(name, c.dns.spfResolver()))]),
          );
          // The report authorisations depend only on the DMARC answer (the same memoised query).
          const auths = c.dns.query("TXT", dmarcRecordName(d.domain)).then((dmarc) =>
            Promise.all((dmarc.ok ? reportAuthorizationNames(d.domain, dmarc.value) : []).map(async (n) => [n, await c.dns.query("TXT", n)] as const)),
          );
          const [a, s, r] = await Promise.all([answers, spf, auths]);
          return checkDnsLayer(d, { answers: new Map(a), spf: new Map(s), reportAuthorizations: new Map(r) }, mode);
        }),
      ),
    );
    return (await Promise.all(perDomain)).flat();
  };

  const smtpAndRelay = async (): Promise<Finding[]> => {
    if (!m || (!on("smtp") && !on("relay"))) return [];
    const s = m.smtp;
    const secret = track("SMTP secret", c.aws.secretValue(s.secretRegion, s.secretId));
    // No call is made on an empty name: discovery without a readable secret knows no user.
    const unknownUser = (): Promise<Unobservable> => secret.then((o) => unknownSmtpUser(s, o));
    const accessKeys: Promise<Observation<AccessKeyState[]>> = s.user === "" ? unknownUser() : track("SMTP user keys", c.aws.accessKeys(s.user));
    // One question per sender (lib/verify/smtp.ts simulationQuestions), each on the resources
    // that are known: discovery may not know the account (so no ARN) or a configuration set.
    const unknownAccount = m.domains.flatMap((d) => d.regions).find((r) => r.unknown?.account)?.unknown?.account;
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
    // records, and during a rotation not at all unless forced (lib/verify/smtp.ts duringRotation).
    const rotating = Promise.all([accessKeys, parsed]).then(([k, p]) => duringRotation(m, k, p?.ok ? p.value.username : s.accessKeyId));
    const loginsThisRun = new Map<string, Date>();
    const auths = Promise.all([parsed, rotating, lastUsed]).then(([p, rot]) => {
      if (!on("smtp") || !p?.ok) return [];
      if (rot && !opts.smtpAuthDuringRotation) return [];
      const stored = p.value;
      return Promise.all(
        s.regions
          .filter((r) => stored.regions[r.region])
          .map((r) =>
            track(
              `SMTP AUTH ${r.region}`,
              (async () => {
                const override = opts.smtpEndpoints?.[r.region] ?? opts.smtpEndpoints?.["*"];
                const target: SmtpTarget = { serverName: r.endpoint, host: override?.host ?? r.endpoint, port: override?.port ?? s.port };
                const pass = stored.regions[r.region].password;
                // The wall clock, not opts.now: IAM dates the record by its own clock.
                if (rot) loginsThisRun.set(r.region, new Date());
                const auth = await c.smtp.auth(target, stored.username, pass, r.region);
                let send: Observation<SmtpAuthResult> | undefined;
                if (opts.sendTest && auth.ok && auth.value.code === 235) {
                  const from = m.senders.find((x) => x.region === r.region)?.address ?? `verify@${m.domains[0].domain}`;
                  send = await c.smtp.sendTest(target, stored.username, pass, from, r.region);
                }
                return { region: r.region, auth, send };
              })(),
            ),
          ),
      );
    });

    // Gmail aliases need nothing from AWS: read at once.
    const gmailSenders = on("relay") && c.gmail ? m.senders.filter((x) => x.kind === "gmail-send-as") : [];
    const gmail = Promise.all(gmailSenders.map((x) => track(`Gmail alias ${x.address}`, c.gmail!.sendAs(x.account, x.address).then((o) => [x.address, o] as const))));

    const [secretObs, keysObs, simulationOutcomes, parsedSecret, authResults, lastUsedResults, gmailResults, rotation] = await Promise.all([secret, accessKeys, simulations, parsed, auths, lastUsed, gmail, rotating]);
    if (c.gmail) secrets.push(...c.gmail.secrets());
    if (parsedSecret?.ok) {
      for (const r of Object.values(parsedSecret.value.regions)) secrets.push(r.password);
      if (parsedSecret.value.secretAccessKey) secrets.push(parsedSecret.value.secretAccessKey);
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
    if (!on("relay")) return on("smtp") ? checkSmtpLayer(m, obs) : [];
    const now = opts.now ?? new Date();
    const relayObs = { accessKeys: keysObs, lastUsed: obs.lastUsed, ...(c.gmail ? { gmail: new Map<string, Observation<GmailSendAs>>(gmailResults) } : {}) };
    const gmailFindings = checkGmailAliases(m, relayObs);
    return [...(on("smtp") ? checkSmtpLayer(m, obs) : []), ...checkRelays(m, obs, now, opts.relaySeen), ...gmailFindings, ...checkRetire(m, relayObs, gmailFindings, now, {
        ...(opts.relaySeen ? { carried: opts.relaySeen } : {}),
        ...(opts.ownLogins?.size ? { ownLogins: opts.ownLogins } : {}),
        ...(loginsThisRun.size > 0 ? { loginsThisRun } : {}),
      }),
    ];
  };

  const recipientLayer = async (): Promise<Finding[]> => {
    if (!on("recipient")) return [];
    const r = c.recipient;
    if (!r) throw new Error("runVerify: the recipient layer needs collectors.recipient");
    const perDomain = recipientDomains(opts.recipients).map((d) => track(`recipient domain ${d}`, r.observe(d).then(checkRecipientDomain)));
    return (await Promise.all(perDomain)).flat();
  };

  const monitoringLayer = async (): Promise<Finding[]> => {
    const mon = m?.monitoring;
    if (!on("monitoring") || !mon) return [];
    // The CloudWatch, SNS, EventBridge and CloudTrail SDKs load only when this layer runs, and
    // only after the other layers' first requests are on their way: loading them takes the CPU
    // for a moment, better spent while those answers travel than before they are sent.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { collectMonitoring, collectWatch } = await import("./monitoring");
    const now = opts.now ?? new Date();
    // The watch (issue 19, lib/verify/watch.ts), when the manifest declares one: read alongside the rest.
    const w = m?.watch;
    const [base, watch] = await Promise.all([
      collectMonitoring(mon, c.aws, now, track).then((o) => checkMonitoringLayer(mon, o)),
      w ? collectWatch(m.stack, w, c.aws, now, track).then((o) => checkWatch(w, mon.regions.find((r) => r.region === w.region)?.alertsTopicArn, o)) : Promise.resolve([]),
    ]);
    return [...base, ...watch];
  };

  const [ses, dns, smtp, recipient, monitoring] = await Promise.all([sesLayer(), dnsLayer(), smtpAndRelay(), recipientLayer(), monitoringLayer()]);
  const all = [...ses, ...dns, ...smtp, ...recipient, ...monitoring];
  // Report in layer order, keeping each layer's own order; then each root cause once.
  const findings = groupByCause(LAYERS.flatMap((l) => all.filter((f) => f.layer === l)));
  const notChecked = [...(opts.notChecked ?? [])];
  if (on("recipient") && opts.recipients.length === 0) notChecked.push({ layer: "recipient", reason: NO_RECIPIENT });
  if (on("relay") && m && m.senders.length === 0) notChecked.push({ layer: "relay", reason: "the manifest declares no relays (mail-infra:senders)" });
  else if (on("relay") && !c.gmail && m?.senders.some((x) => x.kind === "gmail-send-as")) {
    notChecked.push({ layer: "relay", check: "relay.gmail", reason: opts.gmailUnavailable ?? NO_GMAIL_CREDENTIALS });
  }
  if (on("monitoring") && !m?.monitoring) notChecked.push({ layer: "monitoring", reason: MONITORING_NOT_DECLARED });
  return { findings, notChecked: LAYERS.flatMap((l) => notChecked.filter((n) => n.layer === l)), secrets };
}
