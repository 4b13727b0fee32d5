/**
 * The verify run: collect what each check needs, in parallel and bounded, then judge it with
 * the pure checks in lib/verify. Nothing is fetched twice: collectors memoise every call.
 */
import { dnsQuestions, questionKey, reportAuthorizationNames, spfNames, checkDnsLayer } from "../../lib/verify/dns";
import { dmarcRecordName } from "../../lib/dmarc";
import { analyzeSpf, type SpfAnalysis } from "../../lib/spf";
import type { Manifest } from "../../lib/manifest";
import { type Finding, type Layer, LAYERS, type Observation, observed } from "../../lib/verify/findings";
import { checkRecipient, checkSesAccount, checkSesConfigurationSet, checkSesIdentity } from "../../lib/verify/ses";
import { checkRelays, checkSmtpLayer, parseSmtpSecret, type SmtpAuthResult } from "../../lib/verify/smtp";
import type { AwsCollector } from "./aws";
import type { DnsCollector } from "./dns";
import type { SmtpCollector, SmtpTarget } from "./smtp";

export interface VerifyOptions {
  layers: readonly Layer[];
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
}

export interface Collectors {
  aws: AwsCollector;
  dns: DnsCollector;
  smtp: SmtpCollector;
}

export interface VerifyResult {
  findings: Finding[];
  /** Values that must never be printed (the report scrubs them as a last line of defence). */
  secrets: string[];
}

export type Progress = (done: number, total: number, label: string) => void;

/** Run tasks concurrently, reporting each as it finishes, keeping their order in the result. */
async function tracked<T>(tasks: { label: string; run: () => Promise<T> }[], progress: Progress | undefined, counter: { done: number; total: number }): Promise<T[]> {
  counter.total += tasks.length;
  return Promise.all(
    tasks.map(async (t) => {
      const r = await t.run();
      counter.done += 1;
      progress?.(counter.done, counter.total, t.label);
      return r;
    }),
  );
}

export async function runVerify(m: Manifest, opts: VerifyOptions, c: Collectors, progress?: Progress): Promise<VerifyResult> {
  const on = (l: Layer) => opts.layers.includes(l);
  const counter = { done: 0, total: 0 };
  const secrets: string[] = opts.secretKey ? [opts.secretKey] : [];
  const regions = [...new Set(m.domains.flatMap((d) => d.regions.map((r) => r.region)))];

  const sesLayer = async (): Promise<Finding[]> => {
    if (!on("ses")) return [];
    const accountTasks = regions.map((region) => ({ label: `SES account ${region}`, run: async () => checkSesAccount(region, await c.aws.account(region)) }));
    const identityTasks = m.domains.flatMap((d) =>
      d.regions.map((r) => ({
        label: `SES identity ${d.domain} ${r.region}`,
        run: async () => {
          const [identity, cs] = await Promise.all([c.aws.identity(r.region, d.domain), c.aws.configurationSet(r.region, r.configurationSet)]);
          return [...checkSesIdentity(d, r, identity), ...checkSesConfigurationSet(r, cs)];
        },
      })),
    );
    const recipientTasks = opts.recipients.flatMap((address) =>
      regions.map((region) => ({ label: `suppression ${address} ${region}`, run: async () => [checkRecipient(region, address, await c.aws.suppressed(region, address))] })),
    );
    return (await tracked([...accountTasks, ...identityTasks, ...recipientTasks], progress, counter)).flat();
  };

  const dnsLayer = async (): Promise<Finding[]> => {
    if (!on("dns")) return [];
    for (const d of m.domains) c.dns.useAuthoritativeFor(d.domain);
    const perDomain = m.domains.map((d) => ({
      label: `DNS ${d.domain}`,
      run: async () => {
        const questions = dnsQuestions(d);
        const [answers, spf] = await Promise.all([
          Promise.all(questions.map(async (q) => [questionKey(q), await c.dns.query(q.type, q.name)] as const)),
          Promise.all(
            spfNames(d).map(async (name): Promise<readonly [string, Observation<SpfAnalysis>]> => [name, observed(await analyzeSpf(name, c.dns.spfResolver()))]),
          ),
        ]);
        const answerMap = new Map(answers);
        const dmarc = answerMap.get(questionKey({ type: "TXT", name: dmarcRecordName(d.domain) }));
        const authNames = dmarc?.ok ? reportAuthorizationNames(d.domain, dmarc.value) : [];
        const auths = await Promise.all(authNames.map(async (n) => [n, await c.dns.query("TXT", n)] as const));
        return checkDnsLayer(d, { answers: answerMap, spf: new Map(spf), reportAuthorizations: new Map(auths) });
      },
    }));
    return (await tracked(perDomain, progress, counter)).flat();
  };

  const smtpAndRelay = async (): Promise<Finding[]> => {
    if (!on("smtp") && !on("relay")) return [];
    const s = m.smtp;
    const [secret, accessKeys, simulation] = await tracked(
      [
        { label: "SMTP secret", run: () => c.aws.secretValue(s.secretRegion, s.secretId) as Promise<Observation<unknown>> },
        { label: "SMTP user keys", run: () => c.aws.accessKeys(s.user) as Promise<Observation<unknown>> },
        {
          label: "SMTP permissions",
          run: () =>
            (on("smtp")
              ? c.aws.simulateSend(s.userArn, m.domains.flatMap((d) => d.regions.flatMap((r) => [r.identityArn, r.configurationSetArn])))
              : Promise.resolve(observed(null))) as Promise<Observation<unknown>>,
        },
      ],
      progress,
      counter,
    );
    const secretObs = secret as Observation<string>;
    const parsed = secretObs.ok ? parseSmtpSecret(secretObs.value) : undefined;
    if (parsed?.ok) {
      for (const r of Object.values(parsed.value.regions)) secrets.push(r.password);
      if (parsed.value.secretAccessKey) secrets.push(parsed.value.secretAccessKey);
    }
    const keysObs = accessKeys as Observation<{ id: string; status: string; createDate?: string }[]>;
    const keyIds = keysObs.ok ? keysObs.value.map((k) => k.id) : [];
    const username = parsed?.ok ? parsed.value.username : s.accessKeyId;

    const authTasks = on("smtp") && parsed?.ok
      ? s.regions
          .filter((r) => parsed.value.regions[r.region])
          .map((r) => ({
            label: `SMTP AUTH ${r.region}`,
            run: async () => {
              const override = opts.smtpEndpoints?.[r.region] ?? opts.smtpEndpoints?.["*"];
              const target: SmtpTarget = { serverName: r.endpoint, host: override?.host ?? r.endpoint, port: override?.port ?? s.port };
              const pass = parsed.value.regions[r.region].password;
              const auth = await c.smtp.auth(target, username, pass, r.region);
              let send: Observation<SmtpAuthResult> | undefined;
              if (opts.sendTest && auth.ok && auth.value.code === 235) {
                const from = m.senders.find((x) => x.region === r.region)?.address ?? `verify@${m.domains[0].domain}`;
                send = await c.smtp.sendTest(target, username, pass, from, r.region);
              }
              return { region: r.region, auth, send };
            },
          }))
      : [];
    const lastUsedTasks = on("relay") || on("smtp") ? [...new Set([...keyIds, username])].map((id) => ({ label: `key last used ${id}`, run: async () => [id, await c.aws.keyLastUsed(id)] as const })) : [];
    const [auths, lastUsed] = await Promise.all([tracked(authTasks, progress, counter), tracked(lastUsedTasks, progress, counter)]);

    const obs = {
      secret: secretObs,
      accessKeys: keysObs,
      lastUsed: new Map(lastUsed),
      auth: new Map(auths.map((a) => [a.region, a.auth] as const)),
      simulation: simulation as Observation<{ decision: "allowed" | "implicitDeny" | "explicitDeny"; deniedResources: string[] }>,
      ...(opts.sendTest ? { sendTest: new Map(auths.filter((a) => a.send).map((a) => [a.region, a.send!] as const)) } : {}),
      ...(opts.secretKey ? { suppliedSecretKey: opts.secretKey } : {}),
    };
    return [...(on("smtp") ? checkSmtpLayer(m, obs) : []), ...(on("relay") ? checkRelays(m, obs, opts.now ?? new Date()) : [])];
  };

  const [ses, dns, smtp] = await Promise.all([sesLayer(), dnsLayer(), smtpAndRelay()]);
  const all = [...ses, ...dns, ...smtp];
  // Report in layer order, keeping each layer's own order.
  const findings = LAYERS.flatMap((l) => all.filter((f) => f.layer === l));
  return { findings, secrets };
}
