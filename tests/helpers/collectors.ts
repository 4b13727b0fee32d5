/**
 * Pure stand-ins for verify's collectors (scripts/verify/layer.ts `Collectors`): every method a
 * layer calls, answered from a test's own functions, each call written down in `calls` in the
 * order it was made (name and arguments). No server, no SDK: for the pure tests of the layer
 * entries (scripts/verify/layers/<id>/index.ts), the SMTP credentials' observations
 * (layers/smtp/observe.ts) and runVerify (run.ts).
 *
 * A call the test gave no answer for is answered "error: not in this world" (an Unobservable),
 * so a layer that asks for more than the test expects still runs, and `calls` shows it.
 */
import type { Manifest } from "../../lib/manifest";
import { smtpEndpoint } from "../../lib/regions";
import type { Observation, Unobservable } from "../../lib/verify/findings";
import type { AwsCollector } from "../../scripts/verify/aws";
import type { Collectors, LayerRun, VerifyOptions } from "../../scripts/verify/layer";
import type { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import type { GmailCollector } from "../../scripts/verify/layers/gmail/collect";
import type { RecipientCollector } from "../../scripts/verify/layers/recipient/collect";
import type { SmtpCollector } from "../../scripts/verify/layers/smtp/collect";
import { ACCOUNT, manifestRegion } from "./manifest";

export type FakeAws = Pick<
  AwsCollector,
  "account" | "identity" | "configurationSet" | "suppressed" | "secretValue" | "accessKeys" | "keyLastUsed" | "simulateSend" | "call" | "client" | "callerAccount" | "userArn"
>;
export type FakeDns = Pick<DnsCollector, "useAuthoritativeFor" | "query" | "spfResolver">;
export type FakeSmtp = Pick<SmtpCollector, "prepare" | "auth" | "sendTest">;
export type FakeGmail = Pick<GmailCollector, "sendAs" | "secrets">;
export type FakeRecipient = Pick<RecipientCollector, "observe">;

export const D = "example.com";
export const KEY = "AKIAEXAMPLECURRENT01";
export const USER = "mail-infra-smtp-test";
export const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/mail/${USER}`;
export const SECRET_ID = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mail-infra/test/ses-smtp-AbCdEf`;
export const EAST = "us-east-1";
export const WEST = "us-west-2";

/** A stack's manifest: example.com in us-east-1 (MAIL FROM bounce.example.com) and us-west-2 (bounce-usw2), SMTP credentials for both, one Gmail sender in us-east-1. */
export function verifyManifest(over: Partial<Manifest["smtp"]> = {}, senders: Manifest["senders"] = [{ address: "admin@example.com", kind: "gmail-send-as", account: "someone@gmail.com", region: EAST, smtpEndpoint: smtpEndpoint(EAST) }]): Manifest {
  return {
    version: 1,
    project: "mail-infra",
    stack: "test",
    domains: [{ domain: D, dns: { mode: "external" }, regions: [manifestRegion(D, EAST, "bounce.example.com"), manifestRegion(D, WEST, "bounce-usw2.example.com")], records: [] }],
    smtp: {
      user: USER,
      userArn: USER_ARN,
      accessKeyId: KEY,
      keyGeneration: 2,
      secretId: SECRET_ID,
      secretName: "mail-infra/test/ses-smtp",
      secretRegion: EAST,
      port: 587,
      regions: [EAST, WEST].map((region) => ({ region, endpoint: smtpEndpoint(region) })),
      ...over,
    },
    senders,
  };
}

export const NOT_IN_WORLD: Unobservable = { ok: false, reason: "error", message: "not in this world" };

export interface FakeAnswers {
  aws?: Partial<FakeAws>;
  dns?: Partial<FakeDns>;
  smtp?: Partial<FakeSmtp>;
  gmail?: FakeGmail;
  recipient?: FakeRecipient;
}

/** Collectors whose every call is logged in `calls` ("aws.identity us-east-1 example.com"), then answered by `answers` or NOT_IN_WORLD. */
export function fakeCollectors(answers: FakeAnswers = {}): { c: Collectors; calls: string[] } {
  const calls: string[] = [];
  const log = (name: string, args: readonly unknown[]) => calls.push([name, ...args.map((a) => (typeof a === "string" ? a : JSON.stringify(a)))].join(" "));
  const missing = <T>(): Promise<Observation<T>> => Promise.resolve(NOT_IN_WORLD);
  const a = answers.aws ?? {};
  const aws: FakeAws = {
    account: (...x) => (log("aws.account", x), a.account?.(...x) ?? missing()),
    identity: (...x) => (log("aws.identity", x), a.identity?.(...x) ?? missing()),
    configurationSet: (...x) => (log("aws.configurationSet", x), a.configurationSet?.(...x) ?? missing()),
    suppressed: (...x) => (log("aws.suppressed", x), a.suppressed?.(...x) ?? missing()),
    secretValue: (...x) => (log("aws.secretValue", x), a.secretValue?.(...x) ?? missing()),
    accessKeys: (...x) => (log("aws.accessKeys", x), a.accessKeys?.(...x) ?? missing()),
    keyLastUsed: (...x) => (log("aws.keyLastUsed", x), a.keyLastUsed?.(...x) ?? missing()),
    simulateSend: (...x) => (log("aws.simulateSend", x), a.simulateSend?.(...x) ?? missing()),
    callerAccount: () => (log("aws.callerAccount", []), a.callerAccount?.() ?? missing()),
    userArn: (...x) => (log("aws.userArn", x), a.userArn?.(...x) ?? missing()),
    // The monitoring and watch collectors' reads (CloudWatch, SNS, EventBridge, CloudTrail): logged by permission.
    call: (service, scope, key, permission, fn) => (log("aws.call", [permission]), a.call?.(service, scope, key, permission, fn) ?? missing()),
    // The SDK client a call's function sends with: only when the test's `call` runs that function.
    client: (service, region, make) => {
      if (!a.client) throw new Error(`no ${service} client in this world`);
      return a.client(service, region, make);
    },
  };
  const d = answers.dns ?? {};
  const dns: FakeDns = {
    useAuthoritativeFor: (zone) => {
      log("dns.useAuthoritativeFor", [zone]);
      d.useAuthoritativeFor?.(zone);
    },
    query: (type, name) => (log("dns.query", [type, name]), d.query?.(type, name) ?? Promise.resolve({ ok: false, reason: "notfound", message: `${type} ${name}: NXDOMAIN` })),
    spfResolver: () => d.spfResolver?.() ?? { txt: async () => ({ kind: "nxdomain" }) },
  };
  const s = answers.smtp ?? {};
  const smtp: FakeSmtp = {
    prepare: () => {
      log("smtp.prepare", []);
      s.prepare?.();
    },
    auth: (...x) => (log("smtp.auth", x), s.auth?.(...x) ?? missing()),
    sendTest: (...x) => (log("smtp.sendTest", x), s.sendTest?.(...x) ?? missing()),
  };
  const g = answers.gmail;
  const gmail: FakeGmail | undefined = g && {
    sendAs: (...x) => (log("gmail.sendAs", x), g.sendAs(...x)),
    secrets: () => g.secrets(),
  };
  const r = answers.recipient;
  const recipient: FakeRecipient | undefined = r && { observe: (domain) => (log("recipient.observe", [domain]), r.observe(domain)) };
  const c: Collectors = {
    aws: aws as AwsCollector,
    dns: dns as DnsCollector,
    smtp: smtp as SmtpCollector,
    ...(gmail ? { gmail: gmail as GmailCollector } : {}),
    ...(recipient ? { recipient: recipient as RecipientCollector } : {}),
  };
  return { c, calls };
}

export interface FakeRun {
  r: LayerRun;
  calls: string[];
  /** The progress labels, in the order their work started. */
  tracked: string[];
}

/** A LayerRun as runVerify builds it (scripts/verify/run.ts), with the layers (default smtp and relay) and options given, over fakeCollectors(answers); progress labels kept in `tracked`. */
export function layerRun(m: Manifest | undefined, opts: Partial<VerifyOptions>, answers: FakeAnswers = {}): FakeRun {
  const { c, calls } = fakeCollectors(answers);
  return { ...runOver(m, opts, c), calls };
}

function runOver(m: Manifest | undefined, opts: Partial<VerifyOptions>, c: Collectors): Omit<FakeRun, "calls"> {
  const layers = opts.layers ?? ["smtp", "relay"];
  const shared = new Map<string, unknown>();
  const tracked: string[] = [];
  const r: LayerRun = {
    m,
    opts: { recipients: [], sendTest: false, ...opts, layers },
    c,
    on: (l) => layers.includes(l),
    track: (label, work) => {
      tracked.push(label);
      return work;
    },
    mode: "stack",
    domains: m?.domains ?? [],
    regions: [...new Set((m?.domains ?? []).flatMap((d) => d.regions.map((x) => x.region)))],
    secrets: [],
    perDomain: (work) => work(),
    once: <T>(key: string, start: () => T): T => {
      if (!shared.has(key)) shared.set(key, start());
      return shared.get(key) as T;
    },
  };
  return { r, tracked };
}
