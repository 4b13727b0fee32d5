/**
 * A healthy mail world for one verify test, built from real parts on loopback:
 *
 * - the manifest comes from the REAL program run under mocks, then its SMTP fields are
 *   patched with what moto really created (user ARN, access key id, secret ARN);
 * - moto (IAM, STS, Secrets Manager): the SMTP user at /mail/, its inline policy, one access
 *   key, and the secret with the JSON the program writes;
 * - nsd: the domain's zone is `toZoneFile(manifest records)`; `amazonses.com` has SES's SPF;
 *   `example.net` has the shared include, an include chain over 10 lookups, void lookups and
 *   a DMARC report authorisation;
 * - one SES-like SMTP server per region (STARTTLS, a test CA, SES v4 passwords of the user's
 *   ACTIVE keys only, as SES);
 * - SES v2 from `aws-fakes.ts` (aws-sdk-client-mock in-process, or the REST front).
 *
 * A broken variant is the healthy world plus one override (zone text, SES state, a moto
 * edit, the stored secret). `stop()` undoes everything the world did.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { smtpGrant } from "../../lib/iam";
import { type Manifest, parseManifest } from "../../lib/manifest";
import { toZoneFile } from "../../lib/records";
import { SES_SMTP_PORT, smtpEndpoint } from "../../lib/regions";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { AwsCollector, loadAwsSdks } from "../../scripts/verify/aws";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { runVerify, type VerifyOptions, type VerifyResult, type Collectors } from "../../scripts/verify/run";
import { SmtpCollector } from "../../scripts/verify/layers/smtp/collect";
import { recordSesUse } from "./last-used";
import { validateConfig } from "../../lib/config";
import { pulumiConfig } from "../helpers/config";
import { runWithConfig } from "../helpers/program";
import {
  createTestCa,
  createUntrustedCert,
  type DnsSandbox,
  type MotoSandbox,
  type SmtpSandbox,
  startDns,
  startMoto,
  startSmtp,
  type TestCa,
  type UntrustedCert,
} from "../sandbox";
import { installSesMock, SesFake, type SimulateInput, simulateAgainstMoto, type SimulationBehaviour, startAwsFront, type AwsFront, userPoliciesFromMoto } from "./aws-fakes";
import { type CloudWatchFake, startCloudWatchFake } from "./cloudwatch-fake";
import { ALERT_EMAILS, createMonitoringResources, type MonitoringClients, monitoringClients } from "./monitoring-world";

// The SDK's Node-version notice is noise in test output (the CLI silences it the same way).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const REGIONS = ["us-east-1", "us-west-2"] as const;

/** The stack config of the world (the lead's example, plus an external DMARC report address). */
export const WORLD_CONFIG = {
  domain: "example.com",
  regions: [...REGIONS],
  dmarcPolicy: "quarantine",
  dmarcRua: ["mailto:dmarc-reports@example.com", "mailto:dmarc@reports.example.net"],
  spfMechanisms: ["include:_spf.example.net"],
  senders: ["address=admin@example.com; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1"],
  // SMTP in every region of the world (by default only the senders' regions get a password).
  smtpRegions: [...REGIONS],
  // Monitoring (issue 12): the program declares alerts topics, alarms and rules; the world creates them.
  alertEmails: [...ALERT_EMAILS],
};

/** The one include every domain of a world shares. */
export const SHARED_INCLUDE = "_spf.example.net";

/** Dummy credentials verify signs with; moto does not check them. */
export const CALLER_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: "AKIAVERIFYTESTCALLER",
  AWS_SECRET_ACCESS_KEY: "verify-test-caller-secret-not-a-real-one",
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/nonexistent/mail-infra-test/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/mail-infra-test/credentials",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

// ---------------------------------------------------------------------------------------
// Manifests
// ---------------------------------------------------------------------------------------

const manifestCache = new Map<string, Promise<Manifest>>();

/** The manifest the real program produces for a config (run once per config per process). */
export function programManifest(config: Record<string, string | number | string[]> = WORLD_CONFIG): Promise<Manifest> {
  const key = JSON.stringify(config);
  let p = manifestCache.get(key);
  if (!p) {
    p = runWithConfig(config).then((run) => parseManifest(run.outputs.verification, "the program's verification output"));
    manifestCache.set(key, p);
  }
  return p.then((m) => structuredClone(m));
}

/**
 * A synthetic manifest of `n` domains: the program's one-domain manifest cloned under new
 * names (brand-001.com, ...), each with its own DKIM tokens and configuration set, all sharing
 * the SMTP credential and the SPF include. (Running the program itself for 200 domains under
 * mocks takes half a minute.)
 */
export function multiplyManifest(base: Manifest, n: number): Manifest {
  const template = base.domains[0];
  const from = template.domain;
  const fromSlug = from.replace(/[^a-z0-9]+/g, "-");
  const fromHash = createHash("sha256").update(from).digest("hex").slice(0, 6);
  const domains = Array.from({ length: n }, (_, i) => {
    const name = `brand-${String(i + 1).padStart(3, "0")}.com`;
    const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
    const json = JSON.stringify(template).split(fromHash).join(hash).split(fromSlug).join(name.replace(/[^a-z0-9]+/g, "-")).split(from).join(name);
    return JSON.parse(json) as Manifest["domains"][number];
  });
  const senders = base.senders.map((s) => ({ ...s, address: s.address.replace(from, domains[0].domain) }));
  return { ...structuredClone(base), domains, senders };
}

// ---------------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------------

/** SES's own SPF record (the real one lists ip4 ranges and ends with -all). */
export const AMAZONSES_ZONE = `@ IN TXT "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 ip4:54.240.64.0/19 ip4:54.240.96.0/19 ip4:52.82.172.0/22 -all"
`;

/**
 * A third party's zone: the include every domain uses (2 lookups deep), an include chain that
 * costs 13 lookups (deep), one with 3 void lookups (voids), and a wildcard authorisation for
 * DMARC reports sent to reports.example.net from any domain (RFC 7489 7.1 allows it).
 */
export const EXAMPLE_NET_ZONE = `@        IN MX  10 mx.example.net.
mx       IN A   192.0.2.25
_spf     IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf2.example.net ~all"
_spf2    IN TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 -all"
deep     IN TXT "v=spf1 include:deep1.example.net include:wide.example.net ~all"
deep1    IN TXT "v=spf1 ip4:203.0.113.1 include:deep2.example.net -all"
deep2    IN TXT "v=spf1 ip4:203.0.113.2 include:deep3.example.net -all"
deep3    IN TXT "v=spf1 ip4:203.0.113.3 include:deep4.example.net -all"
deep4    IN TXT "v=spf1 ip4:203.0.113.4 include:deep5.example.net -all"
deep5    IN TXT "v=spf1 ip4:203.0.113.5 include:deep6.example.net -all"
deep6    IN TXT "v=spf1 ip4:203.0.113.6 -all"
wide     IN A   192.0.2.10
wide     IN MX  10 mx.example.net.
wide     IN TXT "v=spf1 a mx include:wide2.example.net -all"
wide2    IN TXT "v=spf1 a:mx.example.net mx:example.net -all"
voids    IN TXT "v=spf1 ip4:192.0.2.0/24 a:gone1.example.net a:gone2.example.net exists:gone3.example.net ~all"
*._report._dmarc.reports IN TXT "v=DMARC1"
`;

/**
 * The recipients' domain the world's tests send to (--recipient someone@example.org): a healthy
 * one for the recipient layer (MX with an address, DMARC, TLS-RPT, no MTA-STS).
 */
export const EXAMPLE_ORG_ZONE = `@          IN MX  10 mx.example.org.
mx         IN A   192.0.2.26
_dmarc     IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.org"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.org"
`;

/** Zone texts by origin: one per domain (the program's records), amazonses.com, example.net, example.org. */
export function worldZones(m: Manifest): Record<string, string> {
  const zones: Record<string, string> = {};
  for (const d of m.domains) zones[d.domain] = toZoneFile(d.records, `mail-infra records for ${d.domain}`);
  zones["amazonses.com"] = AMAZONSES_ZONE;
  zones["example.net"] = EXAMPLE_NET_ZONE;
  zones["example.org"] = EXAMPLE_ORG_ZONE;
  return zones;
}

/** Replace exactly one occurrence (a zone edit that silently matched nothing would test nothing). */
export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const count = typeof from === "string" ? text.split(from).length - 1 : (text.match(new RegExp(from.source, from.flags.includes("g") ? from.flags : from.flags + "g")) ?? []).length;
  if (count !== 1) throw new Error(`zone edit: expected one match of ${String(from)}, found ${count}`);
  return text.replace(from, to);
}

// ---------------------------------------------------------------------------------------
// Servers shared by the worlds of one test file
// ---------------------------------------------------------------------------------------

export interface SharedServers {
  moto: MotoSandbox;
  ca: TestCa;
  stop(): Promise<void>;
}

export const TLS_HOSTS = [...REGIONS.map((r) => smtpEndpoint(r)), "localhost", "127.0.0.1"];

export async function startShared(options: { awsDelayMs?: number; throttleEveryNth?: number } = {}): Promise<SharedServers> {
  const [moto, ca] = await Promise.all([
    startMoto({ delayMs: options.awsDelayMs, ...(options.throttleEveryNth ? { throttle: { everyNth: options.throttleEveryNth } } : {}) }),
    createTestCa(TLS_HOSTS),
  ]);
  return {
    moto,
    ca,
    stop: async () => {
      await Promise.all([moto.stop(), ca.cleanup()]);
    },
  };
}

// ---------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------

export interface StoredSecret {
  username: string;
  keyGeneration: number;
  regions: Record<string, { host: string; port: number; password: string }>;
}

/** The secret's value for one key, in the shape components/SmtpCredentials.ts writes. */
export function storedSecret(m: Manifest, accessKeyId: string, secretAccessKey: string, keyGeneration = m.smtp.keyGeneration): StoredSecret {
  return {
    username: accessKeyId,
    keyGeneration,
    regions: Object.fromEntries(
      m.smtp.regions.map(({ region }) => [region, { host: smtpEndpoint(region), port: SES_SMTP_PORT, password: deriveSmtpPasswordV4(secretAccessKey, region) }]),
    ),
  };
}

export interface MotoContext {
  /** Clients talking to moto directly (not counted, delayed or throttled). */
  iam: IAMClient;
  secrets: SecretsManagerClient;
  user: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Secrets of every key created so far, by key id (SMTP servers accept the active ones). */
  keys: Map<string, string>;
}

export interface WorldOptions {
  /** Program config (default WORLD_CONFIG). */
  config?: Record<string, string | number | string[]>;
  /** Replace the manifest (e.g. a synthetic multi-domain one); its SMTP fields are still patched. */
  manifest?: Manifest;
  /** Edit zone texts (by origin) before nsd starts. */
  zones?: (zones: Record<string, string>, m: Manifest) => void;
  /** Edit the SES state. */
  ses?: (fake: SesFake, m: Manifest) => void;
  /** Edit the stored secret before it is written to Secrets Manager. */
  secret?: (value: StoredSecret, ctx: MotoContext) => void;
  /** Change moto after the user, key and secret exist (e.g. deactivate the key). */
  moto?: (ctx: MotoContext) => Promise<void>;
  /** Per region: serve STARTTLS with an untrusted self-signed certificate. */
  untrustedTls?: readonly string[];
  /** Delays: DNS per answer, AWS per call (SES fake; moto's own delay is set in startShared), SMTP per reply. */
  delays?: { dnsMs?: number; sesMs?: number; smtpMs?: number };
  /** "mock": aws-sdk-client-mock in-process (default). "http": the REST front (SDK retries really run). */
  sesTransport?: "mock" | "http";
  /** How IAM policy simulation answers (default: evaluate the user's policies in moto; "moto" = moto's real HTTP 500). */
  simulation?: SimulationBehaviour;
  /**
   * Monitoring (issue 12): by default the manifest has the program's monitoring section
   * (WORLD_CONFIG sets mail-infra:alertEmails) and its resources exist, healthy. A function
   * changes them after they are created (e.g. disable a rule); false: no monitoring section.
   */
  monitoring?: false | ((ctx: MonitoringContext) => Promise<void>);
  /**
   * Each successful SMTP login records the key's use in moto the way SES is assumed to (a
   * signed SES call with that key in the server's region; see last-used.ts recordSesUse), so
   * GetAccessKeyLastUsed answers from moto. "held": the uses wait in a queue until
   * `lastUse.release()`, modelling IAM's lag (the record shows the login later). Default: off.
   */
  recordLastUse?: "immediate" | "held";
}

export interface MonitoringContext {
  manifest: Manifest;
  /** Clients talking to moto directly (SNS, EventBridge, CloudTrail) and to the CloudWatch fake. */
  clients: MonitoringClients;
  cloudwatch: CloudWatchFake;
  motoEndpoint: string;
}

export interface CollectorOptions {
  /** Per-operation timeout for every collector (default 5 s); the next three override it per collector. */
  timeoutMs?: number;
  awsTimeoutMs?: number;
  dnsTimeoutMs?: number;
  smtpTimeoutMs?: number;
  dnsServers?: string[];
  dnsTries?: number;
  maxAttempts?: number;
  awsConcurrency?: number;
  dnsConcurrency?: number;
  /** Called with the fresh collectors before the run (e.g. to mock one client instance). */
  prepare?: (c: Collectors) => void;
}

export interface World {
  manifest: Manifest;
  /** The stored secret as written to Secrets Manager. */
  stored: StoredSecret;
  /** The SMTP key's secret access key, as moto returned it. */
  secretAccessKey: string;
  dns: DnsSandbox;
  smtp: Record<string, SmtpSandbox>;
  moto: MotoSandbox;
  ses: SesFake;
  /** CloudWatch (moto cannot answer this SDK's CloudWatch protocol). */
  cloudwatch: CloudWatchFake;
  ca: TestCa;
  /** SES v2 REST + IAM policy simulation, forwarding the rest of IAM to moto. */
  front: AwsFront;
  smtpEndpoints: Record<string, { host: string; port: number }>;
  /** Environment for a spawned CLI: endpoints, dummy credentials, the test CA. */
  env: Record<string, string>;
  /** Every secret value that must never appear in output (keys, passwords, AUTH PLAIN tokens). */
  secrets(): string[];
  /** Fresh collectors wired to this world. */
  collectors(options?: CollectorOptions): Collectors;
  /** runVerify against the world with fresh collectors (destroyed afterwards). */
  verify(options?: Partial<VerifyOptions> & CollectorOptions): Promise<VerifyResult & { collectors: Collectors }>;
  writeManifest(file: string): Promise<void>;
  /** SMTP logins not yet recorded in moto (recordLastUse "held"), and their release. */
  lastUse: { pending(): number; release(): Promise<void> };
  stop(): Promise<void>;
}

/** Where verify reaches the monitoring services: moto (counted proxy) and the CloudWatch fake. */
function monitoringEnv(motoEndpoint: string, cloudwatchEndpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SNS: motoEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: motoEndpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: motoEndpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatchEndpoint,
  };
}

async function sleep(ms: number): Promise<void> {
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

export async function createWorld(shared: SharedServers, options: WorldOptions = {}): Promise<World> {
  // The collectors load each SDK with its first call; tests fake a client (`prepare`) before any call.
  await loadAwsSdks();
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  };
  try {
    return await build(shared, options, cleanups, stop);
  } catch (e) {
    await stop();
    throw e;
  }
}

async function build(shared: SharedServers, options: WorldOptions, cleanups: (() => Promise<void> | void)[], stop: () => Promise<void>): Promise<World> {
  const { moto, ca } = shared;
  const manifest = options.manifest ? structuredClone(options.manifest) : await programManifest(options.config ?? WORLD_CONFIG);
  const delays = options.delays ?? {};

  // --- moto: the SMTP user, its policy, one key, the secret -------------------------------
  await moto.reset();
  const direct = { endpoint: moto.directEndpoint, region: "us-east-1", credentials: { accessKeyId: CALLER_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: CALLER_ENV.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 };
  const iam = new IAMClient(direct);
  const secrets = new SecretsManagerClient({ ...direct, region: manifest.smtp.secretRegion });
  cleanups.push(() => {
    iam.destroy();
    secrets.destroy();
  });
  const user = manifest.smtp.user;
  const created = await iam.send(new CreateUserCommand({ UserName: user, Path: "/mail/" }));
  // The policy the program writes (lib/iam.ts smtpGrant): with From addresses (the senders' by
  // default) the SMTP regions' patterns and the addresses; without, every identity and
  // configuration set ARN of the SMTP regions.
  const smtpRegionNames = new Set(manifest.smtp.regions.map((r) => r.region));
  const resourceArns = manifest.domains.flatMap((d) => d.regions.filter((r) => smtpRegionNames.has(r.region)).flatMap((r) => [r.identityArn, r.configurationSetArn]));
  const fromAddresses = options.manifest ? manifest.senders.map((x) => x.address) : validateConfig(pulumiConfig(options.config ?? WORLD_CONFIG), "test").smtp?.allowedFromAddresses ?? [];
  const accountId = (resourceArns[0] ?? "").split(":")[4] ?? "";
  const grant = smtpGrant({ regions: [...smtpRegionNames], accountId, fromAddresses, resourceArns });
  await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "ses-send-raw-email-only", PolicyDocument: JSON.stringify(grant) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
  const accessKeyId = key.AccessKey?.AccessKeyId ?? "";
  const secretAccessKey = key.AccessKey?.SecretAccessKey ?? "";
  const keys = new Map([[accessKeyId, secretAccessKey]]);
  // The relays have been sending with this key: its last use is an SES login in the first
  // sender's region (moto's own record, as the SES stand-in records logins; see last-used.ts).
  await recordSesUse(moto.directEndpoint, accessKeyId, secretAccessKey, manifest.senders[0]?.region ?? manifest.smtp.regions[0]?.region ?? "us-east-1");
  const ctx: MotoContext = { iam, secrets, user, accessKeyId, secretAccessKey, keys };

  const stored = storedSecret(manifest, accessKeyId, secretAccessKey);
  options.secret?.(stored, ctx);
  const secret = await secrets.send(new CreateSecretCommand({ Name: manifest.smtp.secretName, SecretString: JSON.stringify(stored) }));
  manifest.smtp = { ...manifest.smtp, userArn: created.User?.Arn ?? "", accessKeyId, secretId: secret.ARN ?? "" };
  await options.moto?.(ctx);

  // SES accepts SMTP logins only with the user's active keys.
  const listed = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  const activeKeys = Object.fromEntries(
    (listed.AccessKeyMetadata ?? []).filter((k) => k.Status === "Active" && keys.has(k.AccessKeyId ?? "")).map((k) => [k.AccessKeyId ?? "", keys.get(k.AccessKeyId ?? "") ?? ""]),
  );

  // --- Monitoring: SNS, EventBridge, CloudTrail in moto; CloudWatch in its fake --------------
  const cloudwatch = await startCloudWatchFake();
  cloudwatch.delayMs = delays.sesMs ?? 0;
  cleanups.push(() => cloudwatch.stop());
  if (options.monitoring === false) delete manifest.monitoring;
  else if (manifest.monitoring) {
    const clients = monitoringClients({ moto: moto.directEndpoint, cloudwatch: cloudwatch.endpoint });
    cleanups.push(() => clients.destroy());
    await createMonitoringResources(manifest, { moto: moto.directEndpoint, cloudwatch: cloudwatch.endpoint }, clients);
    await options.monitoring?.({ manifest, clients, cloudwatch, motoEndpoint: moto.directEndpoint });
  }

  // --- DNS ------------------------------------------------------------------------------
  const zones = worldZones(manifest);
  options.zones?.(zones, manifest);
  const dns = await startDns({ zones: Object.entries(zones).map(([origin, text]) => ({ origin, text })), delayMs: delays.dnsMs });
  cleanups.push(() => dns.stop());

  // --- SMTP, one server per region -------------------------------------------------------
  const untrusted: UntrustedCert | undefined = options.untrustedTls?.length ? await createUntrustedCert(TLS_HOSTS) : undefined;
  if (untrusted) cleanups.push(() => untrusted.cleanup());
  const smtpRegions = manifest.smtp.regions.map((r) => r.region);
  const pendingUses: (() => Promise<void>)[] = [];
  const onLogin = options.recordLastUse
    ? async (id: string, region: string) => {
        const record = () => recordSesUse(moto.directEndpoint, id, keys.get(id) ?? "", region);
        if (options.recordLastUse === "held") pendingUses.push(record);
        else await record();
      }
    : undefined;
  const smtpServers = await Promise.all(
    smtpRegions.map((region) =>
      startSmtp({ keys: activeKeys, region, tls: options.untrustedTls?.includes(region) && untrusted ? untrusted : ca.server, replyDelayMs: delays.smtpMs, ...(onLogin ? { onLogin } : {}) }),
    ),
  );
  const smtp: Record<string, SmtpSandbox> = Object.fromEntries(smtpRegions.map((r, i) => [r, smtpServers[i]]));
  for (const s of smtpServers) cleanups.push(() => s.stop());
  const smtpEndpoints = Object.fromEntries(smtpRegions.map((r) => [r, { host: smtp[r].host, port: smtp[r].port }]));

  // --- SES ------------------------------------------------------------------------------
  const ses = new SesFake(manifest);
  ses.delayMs = delays.sesMs ?? 0;
  options.ses?.(ses, manifest);
  const transport = options.sesTransport ?? "mock";
  const chosen: SimulationBehaviour = options.simulation ?? { decision: "evaluate", delayMs: delays.sesMs };
  // The user's policies as moto holds them after the world's edits, read once (not during the run).
  const simulation: SimulationBehaviour = chosen.decision === "evaluate" ? { ...chosen, policies: await userPoliciesFromMoto(iam, user) } : chosen;
  if (transport === "mock") cleanups.push(installSesMock(ses));
  // A spawned CLI always goes through the front (SES and policy simulation); in-process runs only with "http".
  const front = await startAwsFront(ses, moto.endpoint, simulation, moto.directEndpoint);
  cleanups.push(() => front.stop());

  // --- Environment ----------------------------------------------------------------------
  const env: Record<string, string> = {
    ...CALLER_ENV,
    AWS_ENDPOINT_URL_IAM: front.endpoint,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    AWS_ENDPOINT_URL_SESV2: front.endpoint,
    ...monitoringEnv(moto.endpoint, cloudwatch.endpoint),
    NODE_EXTRA_CA_CERTS: ca.caFile,
  };
  const inProcessEnv: Record<string, string> = {
    ...CALLER_ENV,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    // In-process, IAM goes to moto itself and the simulation client is mocked per collector,
    // unless the test asked for the HTTP transport.
    AWS_ENDPOINT_URL_IAM: transport === "http" ? front.endpoint : moto.endpoint,
    AWS_ENDPOINT_URL_SESV2: front.endpoint,
    ...monitoringEnv(moto.endpoint, cloudwatch.endpoint),
  };
  const saved = Object.fromEntries(Object.keys(inProcessEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, inProcessEnv);
  cleanups.push(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const mockSimulation = transport === "mock" && simulation.decision !== "moto";
  const collectors = (o: CollectorOptions = {}): Collectors => {
    const timeoutMs = o.timeoutMs ?? 5_000;
    const aws = new AwsCollector({ timeoutMs: o.awsTimeoutMs ?? timeoutMs, maxAttempts: o.maxAttempts, concurrency: o.awsConcurrency });
    if (mockSimulation) {
      // IAM's answer from the user's policies as moto holds them (tests/verify/iam-evaluator.ts).
      mockClient(aws.simulation())
        .on(SimulatePrincipalPolicyCommand)
        .callsFake(async (input: SimulateInput) => {
          await sleep(simulation.delayMs ?? 0);
          return simulateAgainstMoto(iam, input, simulation.requests, simulation.policies);
        });
    }
    const c: Collectors = {
      aws,
      dns: new DnsCollector({ servers: o.dnsServers ?? [dns.server], timeoutMs: o.dnsTimeoutMs ?? timeoutMs, tries: o.dnsTries, concurrency: o.dnsConcurrency }),
      smtp: new SmtpCollector({ timeoutMs: o.smtpTimeoutMs ?? timeoutMs, ca: ca.caCertPem }),
    };
    o.prepare?.(c);
    return c;
  };

  const world: World = {
    manifest,
    stored,
    secretAccessKey,
    dns,
    smtp,
    moto,
    ses,
    cloudwatch,
    ca,
    front,
    smtpEndpoints,
    env,
    secrets: () => {
      const values = new Set<string>();
      for (const [id, s] of keys) {
        values.add(s);
        for (const region of smtpRegions) {
          const pass = deriveSmtpPasswordV4(s, region);
          values.add(pass);
          values.add(Buffer.from(`\u0000${id}\u0000${pass}`).toString("base64"));
        }
      }
      for (const r of Object.values(stored.regions)) {
        values.add(r.password);
        values.add(Buffer.from(`\u0000${stored.username}\u0000${r.password}`).toString("base64"));
      }
      return [...values];
    },
    collectors,
    verify: async (o = {}) => {
      const c = collectors(o);
      try {
        const result = await runVerify(
          manifest,
          {
            layers: o.layers ?? ["ses", "dns", "smtp", "relay"],
            recipients: o.recipients ?? [],
            smtpEndpoints: o.smtpEndpoints ?? smtpEndpoints,
            sendTest: o.sendTest ?? false,
            ...(o.secretKey ? { secretKey: o.secretKey } : {}),
            ...(o.now ? { now: o.now } : {}),
            ...(o.relaySeen ? { relaySeen: o.relaySeen } : {}),
            ...(o.smtpAuthDuringRotation ? { smtpAuthDuringRotation: true } : {}),
            ...(o.ownLogins ? { ownLogins: o.ownLogins } : {}),
          },
          c,
        );
        return { ...result, collectors: c };
      } finally {
        c.aws.destroy();
      }
    },
    writeManifest: (file) => writeFile(file, JSON.stringify(manifest, null, 2)),
    lastUse: {
      pending: () => pendingUses.length,
      release: async () => {
        for (const record of pendingUses.splice(0)) await record();
      },
    },
    stop,
  };
  return world;
}
