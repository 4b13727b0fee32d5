/**
 * The stack configuration: what keys exist, their types and defaults (one table, which
 * Pulumi.yaml must mirror), and the validator that turns raw Pulumi config into one typed
 * MailConfig before any resource is declared.
 *
 * Insecure but legal settings (DMARC p=none, USE_DEFAULT_VALUE, TLS OPTIONAL, 1024-bit DKIM,
 * an immediate secret delete) are accepted here on purpose: the policy pack judges them.
 */
import { z } from "zod";
import { buildSpf, isSpfRecord, validateSpfTerm } from "./spf";
import {

  type DmarcPolicy,
  type DmarcRecord,
  validateDmarcAlignment,
  validateDmarcPct,
  validateDmarcPolicy,
  validateDmarcUri,
} from "./dmarc";
import { isRoute53ZoneId, kmsKeyRegionProblem, snsTopicKeyProblem, validateKmsKeyId } from "./aws-ids";
import { addressDomain, isEmailAddress, isSubdomainOf, mailFromCollisions, normalizeDomain, validateDomainName, validateSendingDomain } from "./domain";
import { labelUnder, regionalMailFromName, sharedNameProblem } from "./mail-from-owner";
import type { MailFromBehavior } from "./mail-from-move";
import { mixedPartitionsProblem, parseSmtpRegion, smtpEndpoint } from "./regions";
import { shown, typeName } from "./text";
import { policySize, sesArn, smtpGrant, smtpSendRegions, USER_INLINE_POLICY_LIMIT } from "./iam";
import { configurationSetName, domainPhysicalNames, nameCollisions } from "./names";
import { PREVIOUS_KEY_STATES, type PreviousKeyState } from "./rotation";
import { reportAuthorizations } from "./report-authorization";
import { credentialsDecision, SMTP_CREDENTIALS_MODES, type SmtpCredentialsMode } from "./smtp-credentials";
import {
  ALARM_LEVELS,
  type AlarmLevel,
  DEFAULT_THRESHOLDS,
  formatRate,
  parseRate,
  reviewRateProblem,
  type ReputationKind,
  type ReputationThresholds,
  THRESHOLD_KEYS,
  monitoringRegions,
  thresholdOrderProblem,
} from "./monitoring";
import { DEFAULT_BOUNCE_THRESHOLD, DEFAULT_WATCH_SCHEDULE, parseWatchSchedule, resolveWatchCheck, ALL_WATCH_CHECKS, type WatchConfig } from "./watch";
import { TEXT_WIDTH, wrapText } from "./wrap";

export const PROJECT = "mail-infra";

/** The SMTP user's name when mail-infra:smtpUserName is not set. */
export const defaultSmtpUserName = (stack: string): string => `mail-infra-smtp-${stack}`;
/** The SMTP secret's name when mail-infra:smtpSecretName is not set. */
export const defaultSmtpSecretName = (stack: string): string => `${PROJECT}/${stack}/ses-smtp`;

type ConfigType = "string" | "integer" | "boolean" | "array";
export interface ConfigKeySpec {
  readonly type: ConfigType;
  readonly description: string;
  /** Absent means the key is required. Pulumi.yaml declares the same default. */
  readonly default?: string | number | boolean | readonly string[];
}

/** Every key the project reads. Pulumi.yaml's `config:` block mirrors this table (a test checks it). */
export const CONFIG_KEYS = {
  domain: {
    type: "string",
    default: "",
    description: "The one domain to send mail from, e.g. example.com (IDN allowed). Set this or `domains`.",
  },
  domains: {
    type: "array",
    default: [],
    description: "Several domains to send mail from, each with its own component tree. Set this or `domain`.",
  },
  regions: {
    type: "array",
    description:
      "SES regions to send from; the first is the primary (its MAIL FROM is `mailFromSubdomain`, it holds the SMTP secret). Each must offer SES SMTP.",
  },
  mailFromSubdomain: {
    type: "string",
    default: "bounce",
    description:
      "Custom MAIL FROM for the primary region: a label under each domain (bounce) or, in a one-domain stack, the full name (bounce.example.com).",
  },
  regionalMailFromSubdomains: {
    type: "array",
    default: [],
    description:
      "MAIL FROM for the other regions, as region=subdomain entries (us-west-2=bounce-usw2). Default: <mailFromSubdomain>-<region>. Regions cannot share one, because its MX names the sending region.",
  },
  mailFromBehaviorOnMxFailure: {
    type: "string",
    default: "USE_DEFAULT_VALUE",
    description:
      "What SES does while the MAIL FROM status is not SUCCESS (MX missing or unchecked): USE_DEFAULT_VALUE sends with amazonses.com (SPF unaligned, DMARC passes on DKIM) or REJECT_MESSAGE rejects the region's mail. verify fails on either.",
  },
  dkimSigningKeyLength: {
    type: "string",
    default: "RSA_2048_BIT",
    description: "Easy DKIM next signing key length: RSA_2048_BIT or RSA_1024_BIT (flagged by policy).",
  },
  tlsPolicy: {
    type: "string",
    default: "REQUIRE",
    description: "Configuration set TLS policy for delivery to recipients: REQUIRE or OPTIONAL (flagged by policy).",
  },
  spfMechanisms: {
    type: "array",
    default: [],
    description:
      "Extra SPF mechanisms merged into the one apex SPF record, e.g. include:_spf.google.com or ip4:192.0.2.0/24. No `all` and no redirect.",
  },
  apexTxtValues: {
    type: "array",
    default: [],
    description:
      "Other TXT values kept verbatim in the apex TXT record set next to the SPF record (site verification tokens...). The program owns the whole set: a live value not listed here is deleted by pulumi up. One-domain stacks only.",
  },
  spfAll: {
    type: "string",
    default: "~all",
    description: "The closing `all` of the apex and MAIL FROM SPF records: ~all (softfail) or -all (fail).",
  },
  dmarcPolicy: {
    type: "string",
    default: "none",
    description: "DMARC p=: none, quarantine or reject. Roll out none -> quarantine -> reject.",
  },
  dmarcSubdomainPolicy: {
    type: "string",
    default: "",
    description: "DMARC sp= for subdomains: none, quarantine or reject. Empty: same as dmarcPolicy.",
  },
  dmarcPercent: {
    type: "integer",
    default: 100,
    description: "DMARC pct=: the percentage (0-100) of failing mail the policy applies to.",
  },
  dmarcRua: {
    type: "array",
    default: [],
    description: "DMARC aggregate report URIs (mailto: only). Empty: mailto:dmarc-reports@<domain> for each domain.",
  },
  dmarcRuf: {
    type: "array",
    default: [],
    description: "DMARC failure report URIs (mailto: only). Empty: none.",
  },
  dmarcAdkim: {
    type: "string",
    default: "r",
    description: "DMARC adkim=: DKIM alignment, r (relaxed) or s (strict).",
  },
  dmarcAspf: {
    type: "string",
    default: "r",
    description: "DMARC aspf=: SPF alignment, r (relaxed) or s (strict).",
  },
  dnsMode: {
    type: "string",
    default: "route53",
    description:
      "route53: declare the records in Route 53. external: create no DNS resources and export the record set and a BIND zone fragment to add by hand.",
  },
  route53Zones: {
    type: "array",
    default: [],
    description:
      "Route 53 hosted zone per domain, as domain=zone entries where zone is a zone name or id (Z...). Default: the public zone named after the domain.",
  },
  dnsTtl: {
    type: "integer",
    default: 600,
    description: "TTL in seconds for the records this project declares (60-86400).",
  },
  smtpUserName: {
    type: "string",
    default: "",
    description: "IAM user for SMTP (path /mail/). Empty: mail-infra-smtp-<stack>.",
  },
  smtpKeyGeneration: {
    type: "integer",
    default: 1,
    description:
      "Access key generation N: declares key N, whose username and passwords the secret holds. Raise it by one to rotate; key N-1 stays until smtpPreviousKey retires it.",
  },
  smtpPreviousKey: {
    type: "string",
    default: "",
    description:
      "While smtpKeyGeneration > 1, the state of key N-1: active (empty means active: both keys work), inactive (deactivated, reversible) or retired (deleted). Go active -> inactive -> retired; rotate again only once it is retired.",
  },
  smtpUnrecordedKeyId: {
    type: "string",
    default: "",
    description:
      "Only to recover from a failed rotation: the access key id that a failed `pulumi up` of generation smtpKeyGeneration created before it could record its outputs (`pulumi stack export` lists it). Lets the next `pulumi up` finish that rotation instead of refusing an unrecorded key. Remove it afterwards.",
  },
  smtpAllowedFromAddresses: {
    type: "array",
    default: [],
    description:
      "From addresses the SMTP user may send as besides the senders' addresses (ses:FromAddress condition). *@<domain> (every address of a configured domain) needs smtpCredentials any-address. Empty: only the senders.",
  },
  smtpCredentials: {
    type: "string",
    default: "senders",
    description:
      "Whether the stack gets SMTP credentials: senders (only for the From addresses of mail-infra:senders and smtpAllowedFromAddresses; none listed, no IAM user, key or secret), any-address (credentials that may send as any address of the domains: no From condition or *@<domain> entries; flagged by policy) or none.",
  },
  smtpAddressIdentities: {
    type: "array",
    default: [],
    description:
      "Email-address identities verified on their own under a configured domain (admin@example.com). When one exists SES authorises a send against it rather than the domain, so the SMTP user's policy names it too. `npm run adopt` writes the ones it finds.",
  },
  smtpRegions: {
    type: "array",
    default: [],
    description:
      "Regions to allow SMTP sending in and derive passwords for, besides the regions the senders use. Each must be in `regions`. Empty: only the senders' regions (no senders: every region).",
  },
  smtpSecretName: {
    type: "string",
    default: "",
    description: "Secrets Manager name for the SMTP credentials. Empty: mail-infra/<stack>/ses-smtp.",
  },
  smtpSecretRecoveryWindowDays: {
    type: "integer",
    default: 30,
    description: "Days a deleted SMTP secret can be restored: 7-30, or 0 to delete at once (flagged by policy).",
  },
  smtpSecretKmsKeyId: {
    type: "string",
    default: "",
    description: "Customer-managed KMS key (id, ARN or alias) for the SMTP secret. Empty: the AWS-managed key.",
  },
  snsKmsKeyId: {
    type: "string",
    default: "",
    description:
      "Customer-managed KMS key (alias/..., mrk-... id or, with one region, a key id or ARN) for the SNS topics: the SES events topics and the alerts topics. Empty: not encrypted with a key.",
  },
  senders: {
    type: "array",
    default: [],
    description:
      "Inventory of senders relaying through SES with the SMTP credentials, as `address=...; kind=gmail-send-as|smtp-client; account=...; region=...` entries.",
  },
  alertEmails: {
    type: "array",
    default: [],
    description:
      "Addresses that receive the alerts (SES reputation alarms, SES/IAM/secret changes, bounces and complaints) by email; each must confirm the subscription mail. Empty: no monitoring is declared.",
  },
  bounceRateWarning: {
    type: "string",
    default: formatRate(DEFAULT_THRESHOLDS.bounce.warning),
    description: "Bounce rate (with a % sign) at which the warning alarm fires in each SES region. Below bounceRateAlarm.",
  },
  bounceRateAlarm: {
    type: "string",
    default: formatRate(DEFAULT_THRESHOLDS.bounce.alarm),
    description: "Bounce rate (with a % sign) at which the alarm fires; SES puts an account under review at 5%.",
  },
  complaintRateWarning: {
    type: "string",
    default: formatRate(DEFAULT_THRESHOLDS.complaint.warning),
    description: "Complaint rate (with a % sign) at which the warning alarm fires in each SES region. Below complaintRateAlarm.",
  },
  complaintRateAlarm: {
    type: "string",
    default: formatRate(DEFAULT_THRESHOLDS.complaint.alarm),
    description: "Complaint rate (with a % sign) at which the alarm fires; SES puts an account under review at 0.1%.",
  },
  createTrail: {
    type: "boolean",
    default: false,
    description:
      "Create a multi-region CloudTrail trail (management write events, own encrypted S3 bucket) for the change alerts. Leave false when the account already has a trail that logs management events.",
  },
  watch: {
    type: "boolean",
    default: false,
    description:
      "Watch (docs/monitoring.md): a Lambda function that runs verify's SES, DNS and relay checks on a schedule and after changes, diagnoses every SES bounce, and alarms to the alerts topic. Needs alertEmails.",
  },
  watchSchedule: {
    type: "string",
    default: DEFAULT_WATCH_SCHEDULE,
    description: "How often the watch runs the checks: rate(N minutes|hours), between 5 minutes and 12 hours.",
  },
  watchChecks: {
    type: "array",
    default: [],
    description: "Which checks get an alarm: layers (ses, dns, relay) or check ids (ses.identity.mail-from). Empty: every check the watch runs.",
  },
  watchBounceThreshold: {
    type: "integer",
    default: DEFAULT_BOUNCE_THRESHOLD,
    description: "Bounces within an hour, in one region, that diagnose puts on the sender-auth or ses layer, that raise the watch's bounce alarm.",
  },
  protect: {
    type: "boolean",
    default: true,
    description:
      "Protect live mail: protect identities, DNS records, the SMTP user and secret, and keep (retainOnDelete) what a retained identity needs. Set false, pulumi up, then pulumi destroy to tear a stack down on purpose.",
  },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];

export type { MailFromBehavior };
export type TlsPolicy = "REQUIRE" | "OPTIONAL";
export type DkimKeyLength = "RSA_2048_BIT" | "RSA_1024_BIT";
export type SpfAll = "~all" | "-all";
export type SenderKind = "gmail-send-as" | "smtp-client";

export interface RegionConfig {
  readonly region: string;
  readonly primary: boolean;
  readonly mailFromDomain: string;
  readonly smtpEndpoint: string;
}

export type DnsConfig =
  | { readonly mode: "route53"; readonly zone: { readonly name: string } | { readonly id: string } }
  | { readonly mode: "external" };

export interface DomainConfig {
  readonly domain: string;
  readonly regions: readonly RegionConfig[];
  readonly mailFromBehaviorOnMxFailure: MailFromBehavior;
  readonly dkimSigningKeyLength: DkimKeyLength;
  readonly tlsPolicy: TlsPolicy;
  readonly spf: { readonly mechanisms: readonly string[]; readonly all: SpfAll; readonly record: string };
  /** Other values of the apex TXT record set, kept verbatim next to the SPF record. */
  readonly apexTxtValues: readonly string[];
  readonly dmarc: DmarcRecord;
  /**
   * Report authorisation records this domain's zone publishes for other domains of the stack
   * whose rua/ruf name a mailbox here (`<policy domain>._report._dmarc.<this domain>`,
   * lib/report-authorization.ts). Absent: none.
   */
  readonly reportAuthorizations?: readonly string[];
  readonly dns: DnsConfig;
  readonly ttl: number;
}

export interface Sender {
  readonly address: string;
  readonly kind: SenderKind;
  readonly account?: string;
  readonly region: string;
}

export interface SmtpConfig {
  readonly userName: string;
  readonly keyGeneration: number;
  /** The state of key keyGeneration-1 (active unless configured); undefined at generation 1. */
  readonly previousKey?: PreviousKeyState;
  /** mail-infra:smtpUnrecordedKeyId: a key a failed `pulumi up` created (lib/rotation.ts liveKeyIssues). */
  readonly unrecordedKeyId?: string;
  /**
   * The From addresses the SMTP user may send as: the senders' addresses plus
   * smtpAllowedFromAddresses (entries may be *@domain). Empty: no From condition.
   */
  readonly allowedFromAddresses: readonly string[];
  /**
   * Email-address identities under a configured domain (lower-cased): SES authorises against
   * such an identity when it exists (it takes precedence over its domain's), so the send policy
   * names its ARN in each SMTP region too.
   */
  readonly addressIdentities: readonly string[];
  readonly secretName: string;
  readonly recoveryWindowDays: number;
  readonly kmsKeyId?: string;
  /** Region that holds the secret: the primary region. */
  readonly secretRegion: string;
  /** Regions the SMTP user may send in and gets a password for: the senders' plus smtpRegions, in `regions` order. */
  readonly regions: readonly string[];
}

/** Monitoring (issue 12, lib/monitoring.ts): declared only when alertEmails is non-empty. */
export interface MonitoringConfig {
  /** Lower-cased, unique, in config order. */
  readonly alertEmails: readonly string[];
  readonly thresholds: ReputationThresholds;
  readonly createTrail: boolean;
}

export interface MailConfig {
  readonly stack: string;
  readonly domains: readonly DomainConfig[];
  /**
   * The SMTP credentials; absent when the stack declares none (lib/smtp-credentials.ts: no
   * senders and no From address, or mail-infra:smtpCredentials none).
   */
  readonly smtp?: SmtpConfig;
  /** mail-infra:smtpCredentials (lib/smtp-credentials.ts). */
  readonly smtpCredentials: SmtpCredentialsMode;
  readonly senders: readonly Sender[];
  /** Absent when mail-infra:alertEmails is empty: then nothing of monitoring is declared. */
  readonly monitoring?: MonitoringConfig;
  /** Protection options on (lib/protection.ts); false only to tear the stack down on purpose. */
  readonly protect: boolean;
  /** Watch (issue 19, lib/watch.ts): declared only with mail-infra:watch true (which needs monitoring). */
  readonly watch?: WatchConfig;
  /** mail-infra:snsKmsKeyId: the customer-managed KMS key of the SNS topics; absent: not encrypted. */
  readonly snsKmsKeyId?: string;
}

export interface ConfigIssue {
  /** The full config key, e.g. mail-infra:dmarcPolicy. */
  readonly key: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    // 100 columns, like every text the CLIs print (lib/wrap.ts); `issues` keeps each problem whole.
    super(
      wrapText(
        `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` + issues.map((i) => `  - ${i.key}: ${i.message}`).join("\n"),
        TEXT_WIDTH,
      ),
    );
    this.name = "ConfigError";
  }
}

const fullKey = (key: string): string => `${PROJECT}:${key}`;

const TYPE_SCHEMAS: Record<ConfigType, z.ZodType> = {
  string: z.string(),
  integer: z.number().int(),
  boolean: z.boolean(),
  array: z.array(z.string()),
};

const TYPE_HINTS: Record<ConfigType, string> = {
  string: "a string",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list of strings (YAML list, or `pulumi config set --path 'mail-infra:KEY[0]' VALUE`)",
};

/**
 * Decode one raw Pulumi config value. Pulumi stores every value as a string; structured
 * values (lists, numbers) arrive as JSON text, plain strings arrive as they are.
 */
function decodeRaw(type: ConfigType, raw: unknown): unknown {
  if (typeof raw !== "string" || type === "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

type Values = { -readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K] extends { type: "array" }
  ? string[]
  : (typeof CONFIG_KEYS)[K] extends { type: "integer" }
    ? number
    : (typeof CONFIG_KEYS)[K] extends { type: "boolean" }
      ? boolean
      : string };

/**
 * validateConfig's first stage, shape: known keys only (a near miss is named), every required
 * key present, every value of its key's type, defaults applied. The later stages run only on a
 * config that has its shape.
 */
function readShape(raw: Readonly<Record<string, unknown>>, add: (key: string, message: string) => void): Values {
  const values: Partial<Record<ConfigKey, unknown>> = {};
  for (const [k, v] of Object.entries(raw)) {
    const short = k.startsWith(`${PROJECT}:`) ? k.slice(PROJECT.length + 1) : k.includes(":") ? undefined : k;
    if (short === undefined) continue;
    if (!(short in CONFIG_KEYS)) {
      const near = CONFIG_KEY_NAMES.find((n) => n.toLowerCase() === short.toLowerCase());
      add(short, `unknown key.${near ? ` Did you mean ${fullKey(near)}?` : ""} Known keys: ${CONFIG_KEY_NAMES.join(", ")}.`);
      continue;
    }
    values[short as ConfigKey] = v;
  }
  const v = {} as Values;
  for (const key of CONFIG_KEY_NAMES) {
    const spec: ConfigKeySpec = CONFIG_KEYS[key];
    const given = values[key];
    if (given === undefined) {
      if (spec.default === undefined) {
        add(key, `is required. Set it with \`pulumi config set ${fullKey(key)} ...\` (${spec.description})`);
        continue;
      }
      (v as Record<string, unknown>)[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
      continue;
    }
    const parsed = TYPE_SCHEMAS[spec.type].safeParse(decodeRaw(spec.type, given));
    if (!parsed.success) {
      const decoded = decodeRaw(spec.type, given);
      add(key, `must be ${TYPE_HINTS[spec.type]}, got ${typeName(decoded)}: ${shown(decoded)}.`);
      continue;
    }
    (v as Record<string, unknown>)[key] = parsed.data;
  }
  return v;
}

type Add = (key: string, message: string) => void;

/** The domains to send from (stage 2), normalised, and the key they were given under (for messages about them all). */
interface DomainsStage {
  domains: string[];
  domainKey: "domain" | "domains";
}

/** Stage 2: mail-infra:domain or mail-infra:domains, each a valid sending domain, none twice. */
function readDomains(v: Values, add: Add): DomainsStage {
  if (v.domain !== "" && v.domains.length > 0) {
    add("domains", "set either mail-infra:domain or mail-infra:domains, not both. Move the single domain into the list.");
  }
  const rawDomains = v.domain !== "" ? [v.domain] : v.domains;
  if (rawDomains.length === 0) {
    add("domain", "no domain configured. Set `pulumi config set mail-infra:domain example.com` (or a list in mail-infra:domains).");
  }
  const domainKey = v.domain !== "" ? "domain" : "domains";
  const domains: string[] = [];
  rawDomains.forEach((d, i) => {
    const where = domainKey === "domains" ? `domains[${i}]` : "domain";
    const problem = validateSendingDomain(d);
    if (problem) {
      add(where, `${shown(d)} is not a valid domain to send from: ${problem}`);
      return;
    }
    const n = normalizeDomain(d);
    if (domains.includes(n)) add(where, `${shown(d)} is listed twice. Remove the duplicate.`);
    else domains.push(n);
  });
  return { domains, domainKey };
}

/** Stage 3: the SES regions, each offering SMTP, none twice, all in one partition. */
function readRegions(v: Values, add: Add): string[] {
  if (v.regions.length === 0) add("regions", "list at least one SES region, e.g. [us-east-1]. The first is the primary.");
  const regions: string[] = [];
  v.regions.forEach((r, i) => {
    const parsed = parseSmtpRegion(r);
    if ("error" in parsed) {
      add(`regions[${i}]`, `${parsed.error} (The SMTP credentials could not be used in a region without it.)`);
      return;
    }
    const { region } = parsed;
    if (regions.includes(region)) {
      add(`regions[${i}]`, `${shown(r)} is listed twice. Remove the duplicate.`);
    } else regions.push(region);
  });

  const partitions = mixedPartitionsProblem(regions);
  if (partitions) add("regions", partitions);
  return regions;
}

/** A value that must be one of a few: refused (with the allowed ones named) otherwise. */
function oneOf<T extends string>(add: Add, key: ConfigKey, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    add(key, `${shown(value)} is not allowed. Use one of: ${allowed.join(", ")}.`);
  }
  return value as T;
}

/** The enumerated settings (stage 4). */
interface SettingsStage {
  behavior: MailFromBehavior;
  dkimLength: DkimKeyLength;
  tlsPolicy: TlsPolicy;
  spfAll: SpfAll;
  dnsMode: "route53" | "external";
}

/** Stage 4: the enumerated settings, each one of its allowed values. */
function readSettings(v: Values, add: Add): SettingsStage {
  const behavior = oneOf<MailFromBehavior>(add, "mailFromBehaviorOnMxFailure", v.mailFromBehaviorOnMxFailure, [
    "REJECT_MESSAGE",
    "USE_DEFAULT_VALUE",
  ]);
  const dkimLength = oneOf<DkimKeyLength>(add, "dkimSigningKeyLength", v.dkimSigningKeyLength, ["RSA_2048_BIT", "RSA_1024_BIT"]);
  const tlsPolicy = oneOf<TlsPolicy>(add, "tlsPolicy", v.tlsPolicy, ["REQUIRE", "OPTIONAL"]);
  const spfAll = oneOf<SpfAll>(add, "spfAll", v.spfAll, ["~all", "-all"]);
  const dnsMode = oneOf<"route53" | "external">(add, "dnsMode", v.dnsMode, ["route53", "external"]);
  return { behavior, dkimLength, tlsPolicy, spfAll, dnsMode };
}

/** The SPF mechanisms and the other apex TXT values (stage 5). */
interface SpfStage {
  mechanisms: string[];
  apexTxtValues: string[];
}

/** Stage 5: the SPF mechanisms, and the other apex TXT values (kept verbatim, so only what would break the set is refused). */
function readSpf(v: Values, add: Add): SpfStage {
  v.spfMechanisms.forEach((m, i) => {
    // validateSpfTerm trims the term itself.
    const problem = validateSpfTerm(m);
    if (problem) add(`spfMechanisms[${i}]`, `${shown(m)}: ${problem.message}`);
  });
  const mechanisms = v.spfMechanisms.map((m) => m.trim());

  if (v.apexTxtValues.length > 0 && v.domains.length > 0) {
    add("apexTxtValues", "is set in a stack with several domains, but apex TXT values belong to one domain. Put each domain that has other apex TXT values in its own stack (mail-infra:domain).");
  }
  const apexTxtValues: string[] = [];
  v.apexTxtValues.forEach((t, i) => {
    const problem = apexTxtValueProblem(t);
    if (problem) add(`apexTxtValues[${i}]`, problem);
    else if (apexTxtValues.includes(t)) add(`apexTxtValues[${i}]`, `${shown(t)} is listed twice. Remove the duplicate.`);
    else apexTxtValues.push(t);
  });
  return { mechanisms, apexTxtValues };
}

/** Stage 6: the DMARC tags (the record itself is built from them in lib/dmarc). */
function checkDmarcTags(v: Values, add: Add): void {
  const policyProblem = validateDmarcPolicy(v.dmarcPolicy);
  if (policyProblem) add("dmarcPolicy", policyProblem);
  if (v.dmarcSubdomainPolicy !== "") {
    const p = validateDmarcPolicy(v.dmarcSubdomainPolicy);
    if (p) add("dmarcSubdomainPolicy", p);
  }
  const pctProblem = validateDmarcPct(v.dmarcPercent);
  if (pctProblem) add("dmarcPercent", pctProblem);
  for (const [key, uris] of [
    ["dmarcRua", v.dmarcRua],
    ["dmarcRuf", v.dmarcRuf],
  ] as const) {
    uris.forEach((u, i) => {
      const p = validateDmarcUri(u);
      if (p) add(`${key}[${i}]`, p);
    });
  }
  for (const key of ["dmarcAdkim", "dmarcAspf"] as const) {
    const p = validateDmarcAlignment(v[key]);
    if (p) add(key, p);
  }
}

/** What the MAIL FROM stage (7) needs from the stages before it. */
interface DomainInputs extends DomainsStage, SettingsStage, SpfStage {
  regions: string[];
}

/**
 * Stage 7: each domain's configuration: MAIL FROM per region (one name per region), its Route 53
 * zone, its DMARC record; then what collides across domains (MAIL FROM names, physical names),
 * and the DMARC report authorisations one domain of the stack publishes for another.
 */
function buildDomains(v: Values, add: Add, { domains, domainKey, regions, behavior, dkimLength, tlsPolicy, spfAll, dnsMode, mechanisms, apexTxtValues }: DomainInputs): DomainConfig[] {
  const regionalOverrides = new Map<string, string>();
  v.regionalMailFromSubdomains.forEach((entry, i) => {
    const m = /^\s*([a-z0-9-]+)\s*=\s*(\S+)\s*$/i.exec(entry);
    if (!m) {
      add(`regionalMailFromSubdomains[${i}]`, `${shown(entry)} is not region=subdomain. Write it like us-west-2=bounce-usw2.`);
      return;
    }
    const region = m[1].toLowerCase();
    if (!regions.includes(region)) {
      add(`regionalMailFromSubdomains[${i}]`, `region ${shown(region)} is not in mail-infra:regions (${regions.join(", ")}). Add it there or remove this entry.`);
    } else if (region === regions[0]) {
      add(`regionalMailFromSubdomains[${i}]`, `${shown(region)} is the primary region; set its MAIL FROM with mail-infra:mailFromSubdomain instead.`);
    } else if (regionalOverrides.has(region)) {
      add(`regionalMailFromSubdomains[${i}]`, `region ${shown(region)} is listed twice. Keep one entry.`);
    }
    regionalOverrides.set(region, m[2]);
  });

  const mailFromFor = (domain: string, region: string, primary: boolean): { value: string; key: string } => {
    if (primary) return { value: v.mailFromSubdomain, key: "mailFromSubdomain" };
    const override = regionalOverrides.get(region);
    if (override !== undefined) return { value: override, key: "regionalMailFromSubdomains" };
    return { value: `${relativeLabel(v.mailFromSubdomain, domain)}-${region}`, key: "mailFromSubdomain" };
  };

  const zoneOverrides = new Map<string, { name: string } | { id: string }>();
  v.route53Zones.forEach((entry, i) => {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!m) {
      add(`route53Zones[${i}]`, `${shown(entry)} is not domain=zone. Write it like example.com=Z0123456789ABCDEFGHIJ or example.com=example.com.`);
      return;
    }
    const d = normalizeDomain(m[1]);
    if (!domains.includes(d)) {
      add(`route53Zones[${i}]`, `domain ${shown(m[1])} is not one of the configured domains (${domains.join(", ")}).`);
      return;
    }
    const zone = m[2];
    if (isRoute53ZoneId(zone)) zoneOverrides.set(d, { id: zone });
    else {
      const zoneName = normalizeDomain(zone);
      if (validateDomainName(zoneName) !== undefined || !(zoneName === d || isSubdomainOf(d, zoneName))) {
        add(`route53Zones[${i}]`, `zone ${shown(zone)} is neither a hosted zone id (Z...) nor a zone that contains ${d}.`);
      } else zoneOverrides.set(d, { name: zoneName });
    }
  });
  if (dnsMode === "external" && v.route53Zones.length > 0) {
    add("route53Zones", "is set but mail-infra:dnsMode is external, so no Route 53 zone is used. Remove it or set dnsMode to route53.");
  }
  if (v.dnsTtl < 60 || v.dnsTtl > 86400) add("dnsTtl", `${v.dnsTtl} is out of range. Use 60 to 86400 seconds.`);

  const domainConfigs: DomainConfig[] = [];
  for (const domain of domains) {
    const regionConfigs: RegionConfig[] = [];
    const seenMailFrom = new Map<string, string>();
    regions.forEach((region, i) => {
      const { value, key } = mailFromFor(domain, region, i === 0);
      const resolved = resolveMailFrom(value, domain);
      if ("error" in resolved) {
        add(key, `${resolved.error} (for ${domain}, region ${region})`);
        return;
      }
      const other = seenMailFrom.get(resolved.name);
      if (other !== undefined) {
        add(
          "regionalMailFromSubdomains",
          // lib/mail-from-owner: one name serves one region; here the first declared keeps it.
          `${sharedNameProblem({ name: resolved.name, regions: [other, region] })} Give ${region} its own, e.g. ${region}=${labelUnder(regionalMailFromName(resolved.name, domain, region), domain)}.`,
        );
        return;
      }
      seenMailFrom.set(resolved.name, region);
      regionConfigs.push({ region, primary: i === 0, mailFromDomain: resolved.name, smtpEndpoint: smtpEndpoint(region) });
    });

    const rua = v.dmarcRua.length > 0 ? v.dmarcRua : [`mailto:dmarc-reports@${domain}`];
    const dmarc: DmarcRecord = {
      v: "DMARC1",
      p: v.dmarcPolicy as DmarcPolicy,
      ...(v.dmarcSubdomainPolicy !== "" ? { sp: v.dmarcSubdomainPolicy as DmarcPolicy } : {}),
      ...(v.dmarcPercent !== 100 ? { pct: v.dmarcPercent } : {}),
      rua,
      ...(v.dmarcRuf.length > 0 ? { ruf: v.dmarcRuf } : {}),
      ...(v.dmarcAdkim !== "r" ? { adkim: v.dmarcAdkim as "r" | "s" } : {}),
      ...(v.dmarcAspf !== "r" ? { aspf: v.dmarcAspf as "r" | "s" } : {}),
    };

    domainConfigs.push({
      domain,
      regions: regionConfigs,
      mailFromBehaviorOnMxFailure: behavior,
      dkimSigningKeyLength: dkimLength,
      tlsPolicy,
      spf: { mechanisms, all: spfAll, record: buildSpf(mechanisms, spfAll) },
      apexTxtValues,
      dmarc,
      dns: dnsMode === "external" ? { mode: "external" } : { mode: "route53", zone: zoneOverrides.get(domain) ?? { name: domain } },
      ttl: v.dnsTtl,
    });
  }

  // Across domains: MAIL FROM names and physical names (lib/domain, lib/names) that collide.
  for (const c of mailFromCollisions(domainConfigs.map((d) => ({ domain: d.domain, mailFroms: d.regions.map((r) => ({ region: r.region, name: r.mailFromDomain })) })))) {
    add(regionalOverrides.size > 0 ? "regionalMailFromSubdomains" : "mailFromSubdomain", c.message);
  }
  const collided = new Set<string>();
  for (const c of nameCollisions(domainConfigs.flatMap((d) => d.regions.flatMap((r) => domainPhysicalNames(d.domain, r.region))))) {
    const key = `${c.owners.join(" ")}|${c.kind}`;
    if (collided.has(key)) continue;
    collided.add(key);
    add(domainKey, `${c.owners.join(" and ")} get the same ${c.kind} name ${c.name} (names keep only letters and digits), so the second one cannot be created. Put one of them in another stack.`);
  }

  // DMARC reports sent to another domain of this stack: that domain's zone publishes the
  // authorisation record (RFC 7489 7.1), or receivers drop the reports.
  for (const a of reportAuthorizations(domainConfigs)) {
    const i = domainConfigs.findIndex((d) => d.domain === a.inStack);
    if (i < 0) continue;
    const owner = domainConfigs[i];
    const published = owner.reportAuthorizations ?? [];
    if (!published.includes(a.name)) domainConfigs[i] = { ...owner, reportAuthorizations: [...published, a.name] };
  }
  return domainConfigs;
}

/** The SMTP credentials' settings (stage 8). */
interface CredentialsStage {
  previousKey: PreviousKeyState | undefined;
  unrecordedKeyId: string;
  windowDays: number;
  userName: string;
  secretName: string;
}

/** Whether an address is at one of the stack's domains. */
function atDomain(address: string, domains: readonly string[]): boolean {
  // The stack's domains are valid names, so an address without a domain ("") is at none of them.
  return domains.includes(addressDomain(address));
}

/**
 * Stage 8: the SMTP credentials: key generation and the previous key's state, the IAM user and
 * the secret (names, recovery window, KMS key), and the From addresses and regions config widens
 * the grant with, each within the stack's domains and regions.
 */
function readCredentials(v: Values, add: Add, stack: string, domains: readonly string[], regions: readonly string[]): CredentialsStage {
  if (v.smtpKeyGeneration < 1) add("smtpKeyGeneration", `${v.smtpKeyGeneration} is not a generation. Start at 1 and raise it by one to rotate.`);
  let previousKey: PreviousKeyState | undefined;
  if (v.smtpPreviousKey !== "" && !(PREVIOUS_KEY_STATES as readonly string[]).includes(v.smtpPreviousKey)) {
    add("smtpPreviousKey", `"${v.smtpPreviousKey}" is not a key state. Use one of: ${PREVIOUS_KEY_STATES.join(", ")} (empty means active).`);
  } else if (v.smtpKeyGeneration <= 1) {
    if (v.smtpPreviousKey !== "") {
      add("smtpPreviousKey", `is ${v.smtpPreviousKey}, but mail-infra:smtpKeyGeneration is ${v.smtpKeyGeneration}: generation 1 has no previous key. Remove mail-infra:smtpPreviousKey.`);
    }
  } else previousKey = v.smtpPreviousKey === "" ? "active" : (v.smtpPreviousKey as PreviousKeyState);
  const unrecordedKeyId = v.smtpUnrecordedKeyId.trim();
  if (unrecordedKeyId !== "" && !/^[A-Z0-9]{16,128}$/.test(unrecordedKeyId)) {
    add("smtpUnrecordedKeyId", `${shown(v.smtpUnrecordedKeyId)} is not an access key id (e.g. AKIAIOSFODNN7EXAMPLE). Copy it from \`aws iam list-access-keys\`, or remove it.`);
  }
  const windowDays = v.smtpSecretRecoveryWindowDays;
  if (!(windowDays === 0 || (windowDays >= 7 && windowDays <= 30))) {
    add("smtpSecretRecoveryWindowDays", `${windowDays} is not accepted by Secrets Manager. Use 7 to 30 days (or 0 to delete at once).`);
  }
  const userName = v.smtpUserName !== "" ? v.smtpUserName : defaultSmtpUserName(stack);
  if (!/^[\w+=,.@-]{1,64}$/.test(userName)) {
    add("smtpUserName", `${shown(userName)} is not a valid IAM user name: use up to 64 letters, digits and +=,.@_-.`);
  }
  const secretName = v.smtpSecretName !== "" ? v.smtpSecretName : defaultSmtpSecretName(stack);
  if (!/^[\w/+=.@-]{1,512}$/.test(secretName)) {
    add("smtpSecretName", `${shown(secretName)} is not a valid secret name: use letters, digits and /_+=.@-.`);
  }
  if (v.smtpSecretKmsKeyId !== "") {
    const problem = validateKmsKeyId(v.smtpSecretKmsKeyId);
    if (problem) add("smtpSecretKmsKeyId", `${problem} Leave it empty for the AWS-managed key aws/secretsmanager.`);
    const wrongRegion = problem === undefined && regions[0] !== undefined ? kmsKeyRegionProblem(v.smtpSecretKmsKeyId, regions[0]) : undefined;
    if (wrongRegion) add("smtpSecretKmsKeyId", `${wrongRegion} (The secret is kept in the primary region, the first of mail-infra:regions.)`);
  }
  const inDomains = (address: string): boolean => atDomain(address, domains);
  v.smtpAllowedFromAddresses.forEach((a, i) => {
    const domainWide = a.startsWith("*@");
    if (domainWide ? validateDomainName(a.slice(2)) !== undefined : !isEmailAddress(a)) {
      add(`smtpAllowedFromAddresses[${i}]`, `${shown(a)} is not an email address (or *@<domain> for every address of a domain).`);
    } else if (domainWide ? !domains.includes(normalizeDomain(a.slice(2))) : !inDomains(a)) {
      add(`smtpAllowedFromAddresses[${i}]`, `${shown(a)} is not at a configured domain (${domains.join(", ")}); SES would refuse to send as it.`);
    }
  });
  v.smtpRegions.forEach((r, i) => {
    if (!regions.includes(r.trim().toLowerCase())) {
      add(`smtpRegions[${i}]`, `${shown(r)} is not in mail-infra:regions (${regions.join(", ")}). Add it there, or remove it here.`);
    }
  });
  return { previousKey, unrecordedKeyId, windowDays, userName, secretName };
}

/** Stage 9: the sender inventory: each sender at one of the stack's domains, in one of its regions. */
function readSenders(v: Values, add: Add, domains: readonly string[], regions: readonly string[]): Sender[] {
  const inDomains = (address: string): boolean => atDomain(address, domains);
  const senders: Sender[] = [];
  v.senders.forEach((entry, i) => {
    const key = `senders[${i}]`;
    const parsed = parseSender(entry);
    if ("error" in parsed) {
      add(key, parsed.error);
      return;
    }
    if (!inDomains(parsed.address)) {
      add(key, `address ${parsed.address} is not at a configured domain (${domains.join(", ")}); it cannot relay through these identities.`);
    } else if (!regions.includes(parsed.region)) {
      add(key, `region ${parsed.region} is not in mail-infra:regions (${regions.join(", ")}).`);
    } else senders.push(parsed);
  });
  return senders;
}

/** What the SMTP grant stage (9b) needs from the stages before it. */
interface GrantInputs {
  senders: readonly Sender[];
  domains: readonly string[];
  domainKey: DomainsStage["domainKey"];
  regions: readonly string[];
  domainConfigs: readonly DomainConfig[];
  /** Whether an earlier stage already reported a problem under this key. */
  reported: (key: string) => boolean;
}

/** What the SMTP user may do (stage 9b): as whom, in which regions, and whether it is declared at all. */
interface GrantStage {
  smtpFrom: string[];
  credentialsMode: SmtpCredentialsMode;
  credentials: ReturnType<typeof credentialsDecision>;
  smtpRegions: string[];
  addressIdentities: string[];
}

/**
 * Stage 9b: the SMTP user's grant: the From addresses and regions it may send in, whether the
 * credentials are declared (lib/smtp-credentials), the address identities, and IAM's size limit
 * on the resulting inline policy.
 */
function readGrant(v: Values, add: Add, { senders, domains, domainKey, regions, domainConfigs, reported }: GrantInputs): GrantStage {
  const inDomains = (address: string): boolean => atDomain(address, domains);
  // Least privilege: the SMTP user may send only as the senders (plus what config widens) and
  // only in their regions. With no sender inventory there is nothing to narrow to.
  const smtpFrom = unique([...senders.map((s) => s.address), ...v.smtpAllowedFromAddresses.map((a) => a.toLowerCase())]);
  const credentialsMode = oneOf<SmtpCredentialsMode>(add, "smtpCredentials", v.smtpCredentials, SMTP_CREDENTIALS_MODES);
  const credentials = credentialsDecision(credentialsMode, senders.length, v.smtpAllowedFromAddresses.map((a) => a.toLowerCase()));
  // One message for an entry: an address already refused (not an address, not at a domain) is not
  // also called too wide.
  for (const i of credentials.issues) if (!reported(i.key)) add(i.key, i.message);
  const smtpRegions = smtpSendRegions(regions, senders.map((s) => s.region), v.smtpRegions);

  const addressIdentities = unique(v.smtpAddressIdentities.map((a) => a.trim().toLowerCase()));
  addressIdentities.forEach((a, i) => {
    if (!isEmailAddress(a)) add(`smtpAddressIdentities[${i}]`, `${shown(a)} is not an email address. List each address identity as SES shows it, e.g. admin@${domains[0] ?? "example.com"}.`);
    else if (!inDomains(a)) add(`smtpAddressIdentities[${i}]`, `${a} is not at a configured domain (${domains.join(", ")}): the SMTP user sends only through these domains.`);
  });

  // IAM refuses a user's inline policies over 2,048 characters. With From addresses the grant
  // names each SMTP region once and each address once, whatever the number of domains
  // (lib/iam.ts smtpGrant); without any it lists every identity and configuration set ARN, so
  // then the domains × SMTP regions bound the stack.
  const size = policySize(
    smtpGrant({
      regions: smtpRegions,
      accountId: "123456789012",
      fromAddresses: smtpFrom,
      resourceArns:
        smtpFrom.length > 0
          ? []
          : domainConfigs
              .flatMap((d) =>
                d.regions
                  .filter((r) => smtpRegions.includes(r.region))
                  .flatMap((r) => [sesArn(r.region, "123456789012", "identity", d.domain), sesArn(r.region, "123456789012", "configuration-set", configurationSetName(d.domain))]),
              )
              .concat(addressIdentities.flatMap((a) => smtpRegions.map((r) => sesArn(r, "123456789012", "identity", a)))),
    }),
  );
  if (size > USER_INLINE_POLICY_LIMIT) {
    add(
      smtpFrom.length > 0 ? (senders.length > 0 ? "senders" : "smtpAllowedFromAddresses") : domainKey,
      smtpFrom.length > 0
        ? `${smtpFrom.length} From addresses in ${smtpRegions.length} SMTP regions make the SMTP user's send-only policy ${size} characters, over IAM's ${USER_INLINE_POLICY_LIMIT}-character limit for a user's inline policies (the number of domains does not count). Split the senders across stacks (each stack has its own SMTP user), or send from fewer regions.`
        : `${domainConfigs.length} domains in ${smtpRegions.length} regions make the SMTP user's send-only policy ${size} characters, over IAM's ${USER_INLINE_POLICY_LIMIT}-character limit for a user's inline policies: without senders the policy lists every identity. List the senders in mail-infra:senders (the policy then names addresses, not domains, and its size no longer grows with the domains), or split the domains across stacks.`,
    );
  }
  return { smtpFrom, credentialsMode, credentials, smtpRegions, addressIdentities };
}

/** Stage 10b: mail-infra:snsKmsKeyId fits every region that has a topic (lib/aws-ids.ts snsTopicKeyProblem). */
function checkSnsKey(v: Values, add: Add, regions: readonly string[]): void {
  if (v.snsKmsKeyId === "") return;
  // The SES events topic in each SES region; with alert addresses, an alerts topic in each monitoring region.
  const topicRegions = [...regions, ...(v.alertEmails.length > 0 && regions[0] !== undefined ? monitoringRegions(regions, regions[0]).map((p) => p.region) : [])];
  const problem = snsTopicKeyProblem(v.snsKmsKeyId, topicRegions);
  if (problem) add("snsKmsKeyId", `${problem} Leave it empty for topics without a customer-managed key.`);
}

/**
 * Validate a stack's config. `raw` maps full keys (mail-infra:domain) or short keys to
 * Pulumi's raw values (strings, or already-decoded values). Keys of other namespaces
 * (aws:region, ...) are ignored. Throws ConfigError listing every problem at once.
 */
export function validateConfig(raw: Readonly<Record<string, unknown>>, stack: string): MailConfig {
  const issues: ConfigIssue[] = [];
  const add = (key: string, message: string): void => {
    issues.push({ key: fullKey(key), message });
  };

  // 1. Shape: known keys, right types, defaults applied (readShape).
  const v = readShape(raw, add);
  if (issues.length > 0) throw new ConfigError(issues);

  // 2. Domains.
  const named = readDomains(v, add);
  const { domains, domainKey } = named;
  // 3. Regions.
  const regions = readRegions(v, add);
  // 4. Enumerated settings.
  const settings = readSettings(v, add);
  // 5. SPF mechanisms and the other apex TXT values.
  const spf = readSpf(v, add);
  // 6. DMARC tags.
  checkDmarcTags(v, add);

  // 7. MAIL FROM per region, each domain's configuration, collisions across domains.
  const domainConfigs = buildDomains(v, add, { ...named, regions, ...settings, ...spf });

  // 8. SMTP credentials.
  const { previousKey, unrecordedKeyId, windowDays, userName, secretName } = readCredentials(v, add, stack, domains, regions);

  // 9. Sender inventory, and the SMTP user's grant that follows from it.
  const senders = readSenders(v, add, domains, regions);
  const { smtpFrom, credentialsMode, credentials, smtpRegions, addressIdentities } = readGrant(v, add, { senders, domains, domainKey, regions, domainConfigs, reported: (key) => issues.some((x) => x.key === fullKey(key)) });

  // 10. Monitoring, and the key of the SNS topics.
  const monitoring = validateMonitoring(v, add);
  const watch = validateWatch(v, monitoring, add);
  checkSnsKey(v, add, regions);

  if (issues.length > 0) throw new ConfigError(issues);

  const smtpConfig: SmtpConfig = {
    userName,
    keyGeneration: v.smtpKeyGeneration,
    ...(previousKey ? { previousKey } : {}),
    ...(unrecordedKeyId !== "" ? { unrecordedKeyId } : {}),
    allowedFromAddresses: smtpFrom,
    addressIdentities,
    secretName,
    recoveryWindowDays: windowDays,
    ...(v.smtpSecretKmsKeyId !== "" ? { kmsKeyId: v.smtpSecretKmsKeyId } : {}),
    secretRegion: regions[0],
    regions: smtpRegions,
  };

  return {
    stack,
    domains: domainConfigs,
    smtpCredentials: credentialsMode,
    ...(credentials.declare ? { smtp: smtpConfig } : {}),
    senders,
    ...(monitoring ? { monitoring } : {}),
    protect: v.protect,
    ...(watch ? { watch } : {}),
    ...(v.snsKmsKeyId !== "" ? { snsKmsKeyId: v.snsKmsKeyId } : {}),
  };
}

/** The monitoring part of the config: addresses, thresholds (fractions) and the trail switch. */
function validateMonitoring(v: Values, add: (key: string, message: string) => void): MonitoringConfig | undefined {
  const alertEmails: string[] = [];
  v.alertEmails.forEach((a, i) => {
    const address = a.trim().toLowerCase();
    if (!isEmailAddress(address)) add(`alertEmails[${i}]`, `${shown(a)} is not an email address. List the addresses that should receive the alerts, e.g. ops@example.com.`);
    else if (alertEmails.includes(address)) add(`alertEmails[${i}]`, `${shown(a)} is listed twice. Remove the duplicate.`);
    else alertEmails.push(address);
  });
  const thresholds = { bounce: { ...DEFAULT_THRESHOLDS.bounce }, complaint: { ...DEFAULT_THRESHOLDS.complaint } };
  const valid: Record<ReputationKind, boolean> = { bounce: true, complaint: true };
  for (const kind of Object.keys(THRESHOLD_KEYS) as ReputationKind[]) {
    for (const level of ALARM_LEVELS as AlarmLevel[]) {
      const key = THRESHOLD_KEYS[kind][level] as ConfigKey;
      const raw = v[key] as string;
      const parsed = parseRate(raw);
      if ("error" in parsed) {
        add(key, `${shown(raw)} ${parsed.error}`);
        valid[kind] = false;
      } else {
        thresholds[kind][level] = parsed.fraction;
        const aboveReview = reviewRateProblem(kind, level, parsed.fraction);
        if (aboveReview) {
          add(key, aboveReview);
          valid[kind] = false;
        }
      }
    }
    const problem = valid[kind] ? thresholdOrderProblem(kind, thresholds[kind]) : undefined;
    if (problem) add(THRESHOLD_KEYS[kind].warning, problem);
  }
  if (v.createTrail && v.alertEmails.length === 0) {
    add("createTrail", "is true, but mail-infra:alertEmails is empty: the trail only feeds the change alerts, which are declared for alert addresses. Set mail-infra:alertEmails, or remove createTrail.");
  }
  if (alertEmails.length === 0) return undefined;
  return { alertEmails, thresholds, createTrail: v.createTrail };
}

/**
 * The watch part of the config (issue 19). Pulumi's project schema cannot declare an object, so
 * `watch` is a boolean and its settings are flat keys (docs/architecture.md, "Flat config keys");
 * they are validated whether or not the watch is on, so a typo is caught before it is switched on.
 */
function validateWatch(v: Values, monitoring: MonitoringConfig | undefined, add: (key: string, message: string) => void): WatchConfig | undefined {
  const schedule = parseWatchSchedule(v.watchSchedule);
  if ("error" in schedule) add("watchSchedule", `${shown(v.watchSchedule)} ${schedule.error}`);
  const checks: string[] = [];
  v.watchChecks.forEach((entry, i) => {
    const ids = resolveWatchCheck(entry);
    if ("error" in ids) add(`watchChecks[${i}]`, `${shown(entry)} ${ids.error}`);
    else checks.push(...ids);
  });
  if (!Number.isInteger(v.watchBounceThreshold) || v.watchBounceThreshold < 1 || v.watchBounceThreshold > 100_000) {
    add("watchBounceThreshold", `${v.watchBounceThreshold} is not a count of bounces from 1 to 100000.`);
  }
  if (!v.watch) return undefined;
  if (!monitoring) {
    add("watch", "is true, but mail-infra:alertEmails is empty: the watch's alarms mail the alerts topic, and without addresses nobody hears them. Set mail-infra:alertEmails, or remove watch.");
    return undefined;
  }
  if ("error" in schedule) return undefined;
  return { schedule, checks: checks.length > 0 ? ALL_WATCH_CHECKS.filter((id) => checks.includes(id)) : [...ALL_WATCH_CHECKS], bounceThreshold: v.watchBounceThreshold };
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * Why one apex TXT value cannot be kept next to the SPF record, or undefined. Values are kept
 * verbatim (a verification token must match byte for byte), so only an empty value, control
 * characters, and a second SPF or a DMARC record (which belong to other keys) are refused.
 */
export function apexTxtValueProblem(value: string): string | undefined {
  if (value.trim() === "") return "is empty. Remove it.";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${shown(value)} holds control characters. Write the value as it is published, without line breaks or tabs.`;
  if (isSpfRecord(value.trim())) {
    return `${shown(value)} is an SPF record. A domain may publish only one (RFC 7208 4.5): put its mechanisms in mail-infra:spfMechanisms and its all in mail-infra:spfAll.`;
  }
  if (/^\s*v\s*=\s*DMARC1/i.test(value)) return `${shown(value)} is a DMARC record, which belongs at _dmarc.<domain>: set it with the mail-infra:dmarc* keys.`;
  return undefined;
}

/** The MAIL FROM label relative to the domain, whether it was given relative or in full. */
function relativeLabel(value: string, domain: string): string {
  const n = normalizeDomain(value);
  return isSubdomainOf(n, domain) ? n.slice(0, -(domain.length + 1)) : n;
}

/**
 * A MAIL FROM value is a label under the domain (bounce) or the full name under it
 * (bounce.example.com, mail.bounce.example.com). It must be a strict subdomain: the apex cannot
 * carry the MX. A dotted value ending in an alphabetic label (mail.bounce) reads as a full name
 * (looksQualified), so it is refused as not under the domain, with the two forms that work.
 */
export function resolveMailFrom(value: string, domain: string): { name: string } | { error: string } {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed === "@") {
    return { error: `MAIL FROM ${shown(value)} is the apex. Use a subdomain such as bounce.${domain}: its MX must point at SES.` };
  }
  const n = normalizeDomain(trimmed);
  if (n === domain) {
    return { error: `MAIL FROM ${n} is the apex. Use a subdomain such as bounce.${domain}: its MX must point at SES.` };
  }
  const name = isSubdomainOf(n, domain) ? n : n.includes(".") && looksQualified(n) ? undefined : `${n}.${domain}`;
  if (name === undefined) {
    return { error: `MAIL FROM ${n} is not under ${domain}. Use a label (bounce) or a name ending in .${domain}.` };
  }
  const problem = validateDomainName(name);
  if (problem) return { error: `MAIL FROM ${name} is not a valid name: ${problem}` };
  return { name };
}

/** A dotted value ending in a public suffix is a full name, not a label under the domain. */
function looksQualified(name: string): boolean {
  const last = name.split(".").pop() ?? "";
  return /^(xn--[a-z0-9-]+|[a-z]{2,63})$/.test(last);
}

const SENDER_KINDS: readonly SenderKind[] = ["gmail-send-as", "smtp-client"];

/** Parse one sender inventory entry: `address=a@b; kind=gmail-send-as; account=x@gmail.com; region=us-east-1`. */
export function parseSender(entry: string): Sender | { error: string } {
  const fields = new Map<string, string>();
  for (const part of entry.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) return { error: `${shown(part.trim())} is not key=value. Write entries like address=admin@example.com; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1.` };
    const k = part.slice(0, eq).trim().toLowerCase();
    if (!["address", "kind", "account", "region"].includes(k)) {
      return { error: `unknown field ${shown(k)}. Use address, kind, account and region.` };
    }
    fields.set(k, part.slice(eq + 1).trim());
  }
  const address = fields.get("address");
  const kind = fields.get("kind");
  const region = fields.get("region");
  const account = fields.get("account");
  if (!address || !isEmailAddress(address)) return { error: `needs address=<the From address that relays>, got ${shown(address ?? "")}.` };
  if (!kind || !(SENDER_KINDS as readonly string[]).includes(kind)) {
    return { error: `needs kind=${SENDER_KINDS.join(" or ")}, got ${shown(kind ?? "")}.` };
  }
  if (!region) return { error: "needs region=<the SES region whose SMTP endpoint it relays through>." };
  if (kind === "gmail-send-as" && (!account || !isEmailAddress(account))) {
    return { error: "kind=gmail-send-as needs account=<the Gmail account that owns the alias>, e.g. account=someone@gmail.com." };
  }
  return { address: address.toLowerCase(), kind: kind as SenderKind, region: region.toLowerCase(), ...(account ? { account: account.toLowerCase() } : {}) };
}


