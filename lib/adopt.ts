/**
 * Adoption of an existing SES setup (`npm run adopt`): from what is live (read by
 * scripts/adopt/discover.ts), the stack config that reproduces it where it is sound, the
 * `pulumi import --file` entries for what already exists, and the report of what the first
 * `pulumi up` changes and what is risky. Pure: no AWS, no files.
 *
 * The config is validated with lib/config (validateConfig) and the record set comes from
 * lib/records (expectedRecords, recordResourceKey): the names and values here are the ones the
 * program declares, never a second copy of its rules. Resource names follow components/*
 * (MailDomain `<domain>`, SesIdentity `<domain>-<region>`, DnsRecords `<domain>-dns`); the
 * consistency test runs the program under mocks with the written config and checks every
 * import entry against what it registers.
 */
import { isRoute53ZoneId } from "./aws-ids";
import { defaultSmtpSecretName, defaultSmtpUserName, type MailConfig, PROJECT, validateConfig } from "./config";
import { type DmarcRecord, dmarcRecordName, isDmarcRecord, parseDmarc } from "./dmarc";
import { normalizeDomain } from "./domain";
import { afterMailFromSuccess, MOVE_BEHAVIOR } from "./mail-from-move";
import { mailFromOwnership, regionalMailFromName } from "./mail-from-owner";
import { configurationSetName, DNS_RECORDS_TYPE, EVENT_DESTINATION_NAME, eventTopicName, MAIL_DOMAIN_TYPE, PUBLISHED_EVENT_TYPES, SES_IDENTITY_TYPE, SMTP_CREDENTIALS_TYPE, SMTP_USER_PATH, SUPPRESSED_REASONS } from "./names";
import { DKIM_TOKENS_PER_IDENTITY, type DnsRecord, expectedRecords, recordResourceKey, stableDkimOrder } from "./records";
import { dkimCnameName } from "./regions";
import { isSpfRecord, parseSpf, validateSpfTerm } from "./spf";

/** One SES v2 identity as GetEmailIdentity reports it (only what adoption uses). */
export interface LiveIdentity {
  region: string;
  dkimTokens: string[];
  dkimStatus?: string;
  nextSigningKeyLength?: string;
  currentSigningKeyLength?: string;
  mailFrom?: { domain: string; behaviorOnMxFailure?: string; status?: string };
  configurationSetName?: string;
}

/** A Route 53 record set, normalised: lowercase name without the trailing dot, TXT values as text, MX "10 host", CNAME target without the dot. */
export interface LiveRecordSet {
  name: string;
  type: string;
  ttl?: number;
  values: string[];
}

/**
 * A Route 53 record set adopt neither reads nor imports: one with a routing policy other than
 * simple (weighted, latency, geolocation, failover, multivalue...: it has a set identifier), or
 * an alias. The program declares simple, non-alias sets only.
 */
export interface LiveRoutedSet {
  name: string;
  type: string;
  /** Its SetIdentifier; absent for an alias with simple routing. */
  setIdentifier?: string;
  alias: boolean;
}

export type LiveDns =
  | {
      mode: "route53";
      zoneId: string;
      zoneName: string;
      recordSets: LiveRecordSet[];
      /** The CNAME, MX and TXT sets at or under the domain that are routed or aliases (none when absent). */
      routedSets?: LiveRoutedSet[];
    }
  | { mode: "external"; why: string };

/** An IAM user whose policies allow sending through SES. */
export interface LiveSendUser {
  userName: string;
  arn: string;
  /** Access key ids only (never a secret). */
  accessKeyIds: string[];
  /** The policies that grant the send permission, as "inline NAME" or "attached ARN". */
  grantedBy: string[];
  /** The latest SES use (an SMTP login) of its keys, from GetAccessKeyLastUsed; absent when none is recorded. */
  lastSesLogin?: { accessKeyId: string; date?: string; region?: string };
}

/** A live configuration set's settings (GetConfigurationSet, GetConfigurationSetEventDestinations). */
export interface LiveConfigurationSet {
  region: string;
  name: string;
  tlsPolicy?: string;
  sendingEnabled?: boolean;
  reputationMetricsEnabled?: boolean;
  suppressedReasons?: string[];
  eventDestinations: { name: string; enabled: boolean; matchingEventTypes: string[]; target?: string }[];
}

/**
 * Live resources that carry the names the program gives its own, so a first `pulumi up` would
 * answer AlreadyExists: the configuration set and SNS topic of each region, the SMTP secret and
 * the SMTP user of the stack. Read by name; absent means not there.
 */
export interface LiveNamesakes {
  configurationSets: LiveConfigurationSet[];
  topics: { region: string; arn: string }[];
  secrets: { region: string; name: string; arn: string; deletedDate?: string }[];
  /** The IAM user named like the stack's SMTP user (mail-infra-smtp-<stack>). */
  user?: { userName: string; arn: string; path: string; accessKeyIds: string[] };
  /** Every IAM user name (a renamed SMTP user must be free). */
  userNames: string[];
}

export interface LiveSetup {
  domain: string;
  /** The regions asked for (--region), in order. */
  regions: string[];
  identities: LiveIdentity[];
  dns: LiveDns;
  sendUsers: LiveSendUser[];
  /** The program's own names that are taken live (none when absent). */
  namesakes?: LiveNamesakes;
  /** Email-address identities under the domain (ListEmailIdentities, IdentityType EMAIL_ADDRESS), per region. */
  addressIdentities?: { region: string; address: string }[];
}

/** One entry of a `pulumi import --file` document (Pulumi's import file format, 3.94+). */
export interface ImportEntry {
  type: string;
  name: string;
  id?: string;
  parent?: string;
  component?: boolean;
}

export interface ImportFile {
  resources: ImportEntry[];
}

/** One difference the first `pulumi up` acts on. */
export interface Change {
  subject: string;
  action: "create" | "update" | "keep";
  live: string;
  declared: string;
  risk?: string;
}

export interface AdoptionPlan {
  stack: string;
  domain: string;
  /** Full keys (mail-infra:..., aws:region) to plain values, in CONFIG_KEYS order. */
  config: Record<string, string | number | boolean | string[]>;
  /** The validated config (proof that the written file passes validation). */
  validated: MailConfig;
  imports: ImportFile;
  changes: Change[];
  /** Risks, each with how the tool sequences it. */
  risks: string[];
  /** Apex TXT values kept through mail-infra:apexTxtValues (live, and declared verbatim). */
  keptApexTxt: string[];
  /** What was not adopted, and why (regions without identity, DNS outside Route 53...). */
  notes: string[];
  /** Live SMTP (send) users left untouched, to retire after the relay moved. */
  retire: LiveSendUser[];
  /**
   * The behaviour on MX failure after adoption: REJECT_MESSAGE when the live identities use it
   * (kept), else the program's default USE_DEFAULT_VALUE. When it is REJECT_MESSAGE and a MAIL
   * FROM moves, the first up runs with USE_DEFAULT_VALUE and a later step sets it back.
   */
  finalMailFromBehavior: "REJECT_MESSAGE" | "USE_DEFAULT_VALUE";
  /**
   * What `pulumi preview` after `pulumi import` will count as creates (previewCreates), when the
   * program was run under mocks with the written config (scripts/adopt.ts does).
   */
  creates?: DeclaredResource[];
}

/** A resource the program declares (from a run under mocks). */
export interface DeclaredResource {
  type: string;
  name: string;
  custom: boolean;
}

/**
 * The resources `pulumi preview` will count as "to create" after `pulumi import --file`: every
 * resource the program declares that the import did not put in the state, component resources
 * included. The engine counts every logical step of a resource, custom or component, and leaves
 * out only its internal steps (default providers, pending-replace removals): pulumi/pulumi
 * pkg/engine/update.go, previewActions.OnResourceStepPost (`if record && !isInternalStep {
 * acts.Ops[op]++ }`) and isInternalStep. The stack itself exists after the import.
 */
export function previewCreates(plan: Pick<AdoptionPlan, "imports">, declared: readonly DeclaredResource[]): DeclaredResource[] {
  const imported = new Set(plan.imports.resources.map((e) => `${e.type}::${e.name}`));
  return declared.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:") && !imported.has(`${r.type}::${r.name}`));
}

/** Adoption cannot go on. `input` is true when the command line is what to fix (exit 2), false when AWS could not be read (exit 1). */
export class AdoptionError extends Error {
  constructor(
    message: string,
    readonly input = false,
  ) {
    super(message);
    this.name = "AdoptionError";
  }
}

export const TYPES = {
  mailDomain: MAIL_DOMAIN_TYPE,
  sesIdentity: SES_IDENTITY_TYPE,
  dnsRecords: DNS_RECORDS_TYPE,
  emailIdentity: "aws:sesv2/emailIdentity:EmailIdentity",
  mailFrom: "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
  configurationSet: "aws:sesv2/configurationSet:ConfigurationSet",
  eventDestination: "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
  topic: "aws:sns/topic:Topic",
  record: "aws:route53/record:Record",
  smtpCredentials: SMTP_CREDENTIALS_TYPE,
  user: "aws:iam/user:User",
  secret: "aws:secretsmanager/secret:Secret",
} as const;

/** The name of the program's SmtpCredentials component (components/MailStack.ts). */
export const SMTP_COMPONENT = "smtp";

/**
 * The import id of a regional resource: the provider's id with `@<region>` (AWS provider 7
 * enhanced region support: "To import a resource in a specific Region, append @<region> to the
 * import ID"), so each region's identity is read where it lives whatever the provider's default
 * region is. Not for ARN-identified resources (SNS topics, secrets): their ARN names the region.
 */
export const regionalImportId = (id: string, region: string): string => `${id}@${region}`;

/** The import id of a Route 53 record set: ZONEID_NAME_TYPE (no set identifier: the program declares none). */
export const recordImportId = (zoneId: string, name: string, type: string): string => `${zoneId}_${name}_${type}`;

const lower = (s: string): string => s.toLowerCase().replace(/\.$/, "");
const recordSet = (dns: LiveDns, name: string, type: string): LiveRecordSet | undefined =>
  dns.mode === "route53" ? dns.recordSets.find((r) => lower(r.name) === lower(name) && r.type === type) : undefined;
const sameValues = (a: readonly string[], b: readonly string[], type: string): boolean => {
  const n = (v: string): string => (type === "TXT" ? v : v.toLowerCase().replace(/\.$/, ""));
  const x = a.map(n).sort();
  const y = b.map(n).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const show = (values: readonly string[]): string => (values.length === 0 ? "(none)" : values.join(" | "));

/** The SPF settings a live apex SPF record can be reproduced with, and what cannot be. */
function spfFromLive(record: string | undefined): { mechanisms: string[]; all: "~all" | "-all"; dropped: string[] } {
  if (record === undefined) return { mechanisms: [], all: "~all", dropped: [] };
  const parsed = parseSpf(record);
  const mechanisms: string[] = [];
  const dropped: string[] = [];
  let all: "~all" | "-all" = "~all";
  for (const t of parsed.terms) {
    if (t.kind === "mechanism" && t.name === "all") {
      if (t.qualifier === "-") all = "-all";
      else if (t.qualifier !== "~") dropped.push(`${t.raw} (only ~all or -all are declared; ~all is written)`);
      continue;
    }
    // "+" is the default qualifier (RFC 7208 4.6.2): +include:amazonses.com is the same term.
    if (/^\+?include:amazonses\.com$/i.test(t.raw)) {
      dropped.push(`${t.raw} (SES sends with the MAIL FROM domain, whose own SPF record carries this include)`);
      continue;
    }
    const problem = validateSpfTerm(t.raw);
    if (problem) dropped.push(`${t.raw} (${problem.message})`);
    else mechanisms.push(t.raw);
  }
  return { mechanisms, all, dropped };
}

/** DMARC config keys for a live record; tags the config cannot hold are reported. */
function dmarcFromLive(record: DmarcRecord | undefined): { keys: Record<string, string | number | string[]>; dropped: string[] } {
  if (!record) return { keys: {}, dropped: [] };
  const keys: Record<string, string | number | string[]> = { dmarcPolicy: record.p };
  if (record.sp) keys.dmarcSubdomainPolicy = record.sp;
  if (record.pct !== undefined && record.pct !== 100) keys.dmarcPercent = record.pct;
  if (record.rua && record.rua.length > 0) keys.dmarcRua = record.rua;
  if (record.ruf && record.ruf.length > 0) keys.dmarcRuf = record.ruf;
  if (record.adkim && record.adkim !== "r") keys.dmarcAdkim = record.adkim;
  if (record.aspf && record.aspf !== "r") keys.dmarcAspf = record.aspf;
  const dropped = (["fo", "rf", "ri"] as const).filter((t) => record[t] !== undefined).map((t) => `${t}=${record[t]}`);
  return { keys, dropped };
}

/**
 * Plan the adoption of `live` into stack `stack`. Throws AdoptionError when there is nothing to
 * adopt (no identity in any region asked for).
 */
export function planAdoption(live: LiveSetup, stack: string): AdoptionPlan {
  const domain = normalizeDomain(live.domain);
  const notes: string[] = [];
  const risks: string[] = [];
  /** Risks that stop the first pulumi up unless acted on before the import: listed first. */
  const blockers: string[] = [];
  const changes: Change[] = [];

  // 1. Regions: those with an identity, in the order asked; the first is the primary.
  const byRegion = new Map(live.identities.map((i) => [i.region, i]));
  const regions = live.regions.filter((r) => byRegion.has(r));
  for (const r of live.regions) {
    if (!byRegion.has(r)) notes.push(`No SES identity for ${domain} in ${r}: that region is left out of mail-infra:regions. Add it later to create one there.`);
  }
  if (regions.length === 0) {
    throw new AdoptionError(
      `there is no SES identity for ${domain} in ${live.regions.join(", ")}: nothing to adopt. Check --domain and --region, or start a new stack (pulumi config set mail-infra:domain ${domain}).`,
      true,
    );
  }
  const primary = regions[0];

  // 2. MAIL FROM per region, as it is where that is sound. Regions cannot share one (its MX
  // names one region's feedback host): the region the live MX points at keeps it.
  const liveMailFrom = new Map(regions.map((r) => [r, byRegion.get(r)?.mailFrom?.domain ? lower(byRegion.get(r)?.mailFrom?.domain ?? "") : undefined]));
  // Who owns each live name: lib/mail-from-owner (the region the live MX names keeps it).
  const ownership = mailFromOwnership(
    regions.flatMap((r) => (liveMailFrom.get(r) ? [{ region: r, name: liveMailFrom.get(r) ?? "" }] : [])),
    (name) => recordSet(live.dns, name, "MX")?.values,
  );
  const owner = new Map(ownership.map((o) => [o.name, o.owner]));
  // The primary keeps its live MAIL FROM when it owns it; otherwise bounce.<domain>, or a name
  // of its own when another region owns that one.
  const ownedBy = (name: string): string | undefined => owner.get(name);
  const nameTaken = (name: string): boolean => ownedBy(name) !== undefined;
  const primaryLive = liveMailFrom.get(primary);
  const primaryMailFrom =
    primaryLive && ownedBy(primaryLive) === primary
      ? primaryLive
      : primaryLive
        ? regionalMailFromName(primaryLive, domain, primary, nameTaken)
        : !nameTaken(`bounce.${domain}`)
          ? `bounce.${domain}`
          : regionalMailFromName("bounce", domain, primary, nameTaken);
  // Every other region's MAIL FROM is written out: its live one when it owns it, else a free
  // <label>-<region> name.
  const regional: string[] = [];
  for (const r of regions.slice(1)) {
    const n = liveMailFrom.get(r);
    regional.push(`${r}=${n && ownedBy(n) === r ? n : regionalMailFromName(primaryMailFrom, domain, r, nameTaken)}`);
  }

  // 3. DNS, SPF, DMARC, TTL.
  // recordSet finds nothing outside Route 53.
  const apex = recordSet(live.dns, domain, "TXT");
  const apexSpf = apex?.values.filter(isSpfRecord) ?? [];
  const spf = spfFromLive(apexSpf[0]);
  const keptApexTxt = (apex?.values ?? []).filter((v) => !isSpfRecord(v));
  const dmarcSet = recordSet(live.dns, dmarcRecordName(domain), "TXT");
  const dmarcValues = dmarcSet?.values.filter(isDmarcRecord) ?? [];
  const dmarc = dmarcFromLive(dmarcValues.length === 1 ? parseDmarc(dmarcValues[0]).record : undefined);

  const keyLengths = regions.map((r) => byRegion.get(r)?.nextSigningKeyLength).filter((x): x is string => x === "RSA_1024_BIT" || x === "RSA_2048_BIT");
  const keyLength = keyLengths[0] ?? "RSA_2048_BIT";
  const behaviors = regions.map((r) => byRegion.get(r)?.mailFrom?.behaviorOnMxFailure).filter((b): b is string => b !== undefined);

  const ttls = live.dns.mode === "route53" ? live.dns.recordSets.map((r) => r.ttl).filter((t): t is number => t !== undefined && t >= 60 && t <= 86400) : [];
  const ttl = mostCommon(ttls) ?? 600;

  const config: Record<string, string | number | boolean | string[]> = {
    "aws:region": primary,
    [`${PROJECT}:domain`]: domain,
    [`${PROJECT}:regions`]: regions,
    [`${PROJECT}:mailFromSubdomain`]: primaryMailFrom,
  };
  const set = (key: string, value: string | number | boolean | string[]): void => {
    config[`${PROJECT}:${key}`] = value;
  };
  if (regional.length > 0) set("regionalMailFromSubdomains", regional);
  set("dkimSigningKeyLength", keyLength);
  if (spf.mechanisms.length > 0) set("spfMechanisms", spf.mechanisms);
  if (spf.all !== "~all") set("spfAll", spf.all);
  if (keptApexTxt.length > 0) set("apexTxtValues", keptApexTxt);
  for (const [k, v] of Object.entries(dmarc.keys)) set(k, v);
  if (live.dns.mode === "external") set("dnsMode", "external");
  // The zone by id (Route 53's Z... form); an id of another form (a test double) by its name.
  else set("route53Zones", [`${domain}=${isRoute53ZoneId(live.dns.zoneId) ? live.dns.zoneId : live.dns.zoneName}`]);
  if (ttl !== 600) set("dnsTtl", ttl);
  // Email-address identities under the domain: SES authorises a send from such an address
  // against its own identity (it takes precedence over the domain's), so a send policy that
  // names only the domain would refuse the alias after relay-fix (554 Access denied ...
  // identity/<address>). adopt keeps them (deleting a live identity is a change adopt never
  // makes: its own settings would go, and it may be what works today) and lists them in
  // mail-infra:smtpAddressIdentities, so the new SMTP user's policy names them.
  const addresses = [...new Set((live.addressIdentities ?? []).filter((a) => regions.includes(a.region)).map((a) => a.address.toLowerCase()))];
  if (addresses.length > 0) {
    set("smtpAddressIdentities", addresses);
    for (const a of addresses) {
      const where = (live.addressIdentities ?? []).filter((x) => x.address.toLowerCase() === a).map((x) => x.region);
      risks.push(
        `${a} is verified as an email-address identity of its own (${where.join(", ")}): SES authorises sends from it against that identity, not against ${domain}'s, so a send policy naming only the domain would refuse the alias after relay-fix (554 Access denied ... on resource ...:identity/${a}). The written config lists it in mail-infra:smtpAddressIdentities, so the new SMTP user's policy names it. If nothing needs its own settings, you may delete it later (aws sesv2 delete-email-identity --email-identity ${a} --region <region>) and remove it from the config.`,
      );
    }
  }

  // The SMTP user: a new one, never one that is live and can send (that one keeps serving the
  // relay). A user that already has the stack's SMTP user name, cannot send and has room for the
  // program's access key is the stack's own (a retained earlier deployment): it is imported.
  const namesakes: LiveNamesakes = live.namesakes ?? { configurationSets: [], topics: [], secrets: [], userNames: [] };
  const defaultUser = defaultSmtpUserName(stack);
  const senderNames = new Set(live.sendUsers.map((u) => u.userName));
  const namesakeUser = namesakes.user?.userName === defaultUser ? namesakes.user : undefined;
  const importUser = namesakeUser !== undefined && !senderNames.has(defaultUser) && namesakeUser.accessKeyIds.length < 2;
  const taken = new Set([...senderNames, ...namesakes.userNames, ...(namesakeUser ? [defaultUser] : [])]);
  let userName = defaultUser;
  if (!importUser) for (let i = 2; taken.has(userName); i++) userName = `${defaultUser}-${i}`;
  if (userName !== defaultUser) set("smtpUserName", userName);
  if (namesakeUser && !importUser) {
    const why = senderNames.has(defaultUser) ? "and can send through SES (a relay may use it)" : `with ${namesakeUser.accessKeyIds.length} access keys (IAM allows 2, so the program could not add its own)`;
    risks.push(`IAM user ${defaultUser} (the name the program gives the SMTP user of stack ${stack}) exists ${why}: it is not imported and not changed. The written config names the new SMTP user ${userName} (mail-infra:smtpUserName), so the first pulumi up does not fail with EntityAlreadyExists.`);
  }
  // Adoption creates the new SMTP credentials in the first up and adds the relays to
  // mail-infra:senders after it (relayFixSteps): until then there is no sender to narrow to, so
  // the written config asks for the credentials explicitly (lib/smtp-credentials.ts); the policy
  // pack flags them until the senders are listed and the key is set back to senders.
  set("smtpCredentials", "any-address");
  risks.push(`The written config sets mail-infra:smtpCredentials to any-address: the new SMTP user may send as any address of the domain until the relays are listed in mail-infra:senders (the policy pack flags it). Once they are, set mail-infra:smtpCredentials to senders (or remove it) and pulumi up.`);
  // The SMTP secret: imported when it has the program's name; renamed when that name is
  // scheduled for deletion (Secrets Manager refuses to create it until the deletion ends).
  const defaultSecret = defaultSmtpSecretName(stack);
  const namesakeSecret = namesakes.secrets.find((x) => x.region === primary && x.name === defaultSecret);
  if (namesakeSecret?.deletedDate) {
    const renamed = `${defaultSecret}-2`;
    set("smtpSecretName", renamed);
    risks.push(`Secret ${defaultSecret} (${primary}) is scheduled for deletion (${namesakeSecret.deletedDate}): Secrets Manager refuses a new secret of that name until then. The written config names the SMTP secret ${renamed} (mail-infra:smtpSecretName). To keep the old name instead: aws secretsmanager restore-secret --secret-id ${defaultSecret} --region ${primary}, then run adopt again (it is then imported).`);
  }

  // 4. Sequencing of MAIL FROM: a region whose MAIL FROM the first up sets or moves would, under
  // REJECT_MESSAGE, refuse mail until SES sees the new MX. Such a first up runs with
  // USE_DEFAULT_VALUE; REJECT_MESSAGE comes back once SES reports the new MAIL FROM in use.
  const probe = validateOrExplain({ ...config, [`${PROJECT}:mailFromBehaviorOnMxFailure`]: "REJECT_MESSAGE" }, stack);
  const declaredMailFrom = new Map(probe.domains[0].regions.map((r) => [r.region, r.mailFromDomain]));
  const moved = regions.filter((r) => liveMailFrom.get(r) !== declaredMailFrom.get(r));
  // A live REJECT_MESSAGE is kept (the owner chose it); otherwise the program's default, USE_DEFAULT_VALUE.
  const liveBehavior = behaviors.includes("REJECT_MESSAGE") ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE";
  const firstBehavior = moved.length > 0 ? MOVE_BEHAVIOR : liveBehavior;
  set("mailFromBehaviorOnMxFailure", firstBehavior);

  const validated = validateOrExplain(config, stack);
  const d = validated.domains[0];

  // 5. Identities, MAIL FROM, configuration sets: imported where they exist.
  const resources: ImportEntry[] = [{ type: TYPES.mailDomain, name: domain, component: true }];
  for (const rc of d.regions) {
    const r = rc.region;
    const id = byRegion.get(r) as LiveIdentity;
    const parent = `${domain}-${r}`;
    resources.push({ type: TYPES.sesIdentity, name: parent, parent: domain, component: true });
    resources.push({ type: TYPES.emailIdentity, name: `${parent}-identity`, id: regionalImportId(domain, r), parent });
    const csName = configurationSetName(domain);
    // The program's configuration set and SNS topic, when they exist under its names (whether
    // or not the identity uses them): imported, so the first up does not fail with
    // AlreadyExists; their live settings are compared with the declared ones.
    const liveSet = namesakes.configurationSets.find((c) => c.region === r && c.name === csName);
    const liveTopic = namesakes.topics.find((t) => t.region === r && t.arn.split(":").pop() === eventTopicName(domain));
    const liveDestination = liveSet?.eventDestinations.find((e) => e.name === EVENT_DESTINATION_NAME);
    if (liveSet) {
      resources.push({ type: TYPES.configurationSet, name: `${parent}-configuration-set`, id: regionalImportId(csName, r), parent });
      risks.push(`Configuration set ${csName} (${r}) has the name the program gives its own: it is imported (import.json), so the first pulumi up does not fail with AlreadyExistsException. Its live settings against the declared ones are in the table above; pulumi up applies the declared ones.`);
      changes.push(...configurationSetChanges(liveSet, d.tlsPolicy));
      if (liveDestination) {
        resources.push({ type: TYPES.eventDestination, name: `${parent}-event-destination`, id: regionalImportId(`${csName}|${EVENT_DESTINATION_NAME}`, r), parent });
        changes.push(...eventDestinationChanges(liveSet, liveDestination, liveTopic?.arn, eventTopicName(domain)));
      }
      for (const other of liveSet.eventDestinations.filter((e) => e.name !== EVENT_DESTINATION_NAME)) {
        notes.push(`Configuration set ${csName} (${r}) has event destination ${other.name} (${other.target ?? "?"}): the program does not declare it, and leaves it as it is.`);
      }
      if (id.configurationSetName !== csName) {
        changes.push({ subject: `default configuration set of ${domain} (${r})`, action: "update", live: id.configurationSetName ?? "(none)", declared: csName });
      }
    }
    if (!liveDestination) {
      changes.push({ subject: `event destination ${EVENT_DESTINATION_NAME} of ${csName} (${r})`, action: "create", live: "(none)", declared: `enabled, ${PUBLISHED_EVENT_TYPES.join(", ")} -> SNS topic ${eventTopicName(domain)}` });
    }
    if (!liveSet) {
      changes.push({
        subject: `default configuration set of ${domain} (${r})`,
        action: "create",
        live: id.configurationSetName ?? "(none)",
        declared: csName,
        ...(id.configurationSetName ? { risk: `${id.configurationSetName} is left as it is (not imported, not deleted); mail sent through the identity uses ${csName} from then on.` } : {}),
      });
    }
    if (liveTopic) {
      resources.push({ type: TYPES.topic, name: `${parent}-events`, id: liveTopic.arn, parent });
      risks.push(`SNS topic ${liveTopic.arn} has the name the program gives the feedback topic of ${domain}: it is imported (import.json), so the first pulumi up does not fail on it. Its subscriptions stay; its access policy is replaced by the program's (only SES of this account may publish). If the topic belongs to something else, rename it or drop the whole adoption of ${r} instead.`);
      changes.push({ subject: `SNS topic ${eventTopicName(domain)} (${r})`, action: "update", live: "exists (subscriptions kept)", declared: "the stack's tags; its access policy becomes the program's (SES of this account may publish)" });
    } else {
      changes.push({ subject: `SNS topic ${eventTopicName(domain)} and its access policy (${r})`, action: "create", live: "(none)", declared: "bounces and complaints published to SNS" });
    }
    changes.push({ subject: `identity ${domain} (${r})`, action: "update", live: "(tags as they are)", declared: "the stack's tags added; nothing else changes" });
    const liveLength = id.nextSigningKeyLength;
    if (liveLength && liveLength !== d.dkimSigningKeyLength) {
      changes.push({ subject: `DKIM next signing key length (${r})`, action: "update", live: liveLength, declared: d.dkimSigningKeyLength, risk: "SES allows one key-length change per identity a day: keep this the only one today." });
      risks.push(`DKIM key length in ${r}: ${liveLength} -> ${d.dkimSigningKeyLength}. SES allows this once a day per identity; the written config keeps the primary's length, so only ${r} changes. Do not change mail-infra:dkimSigningKeyLength again within 24 h.`);
    }
    if (id.mailFrom?.domain) {
      resources.push({ type: TYPES.mailFrom, name: `${parent}-mail-from`, id: regionalImportId(domain, r), parent });
    }
    const liveName = liveMailFrom.get(r);
    if (liveName !== rc.mailFromDomain) {
      changes.push({
        subject: `MAIL FROM (${r})`,
        action: id.mailFrom?.domain ? "update" : "create",
        live: liveName ?? "(none: amazonses.com)",
        declared: rc.mailFromDomain,
        risk: "Until SES sees the new MX (up to 72 h) it sends unaligned (USE_DEFAULT_VALUE, the first up's behaviour); under REJECT_MESSAGE it would reject this region's mail.",
      });
      const why = liveName && owner.get(liveName) !== r ? ` (${liveName} is shared with ${owner.get(liveName)}, whose feedback host its MX names; a MAIL FROM's MX can name one region only)` : "";
      risks.push(
        liveBehavior === "REJECT_MESSAGE"
          ? `MAIL FROM in ${r}: ${liveName ?? "none"} -> ${rc.mailFromDomain}${why}. Under REJECT_MESSAGE SES rejects mail from ${r} until it sees the new MX, for up to 72 h. Sequenced: the written config has mailFromBehaviorOnMxFailure USE_DEFAULT_VALUE, so the first pulumi up publishes the MX and SPF and switches MAIL FROM without a window of rejected mail (unaligned SPF meanwhile; DKIM keeps DMARC passing). ${afterMailFromSuccess(stack, liveBehavior)}`
          : `MAIL FROM in ${r}: ${liveName ?? "none"} -> ${rc.mailFromDomain}${why}. The first pulumi up publishes the MX and SPF before it switches MAIL FROM; until SES sees the new MX (up to 72 h) it sends with its own MAIL FROM under USE_DEFAULT_VALUE (unaligned SPF; DKIM keeps DMARC passing), and verify fails ses.identity.mail-from until the status is SUCCESS.`,
      );
    } else if (id.mailFrom?.behaviorOnMxFailure && id.mailFrom.behaviorOnMxFailure !== d.mailFromBehaviorOnMxFailure) {
      changes.push({ subject: `MAIL FROM behaviour on MX failure (${r})`, action: "update", live: id.mailFrom.behaviorOnMxFailure, declared: d.mailFromBehaviorOnMxFailure });
    }
    if (id.dkimStatus && id.dkimStatus !== "SUCCESS") notes.push(`DKIM of ${domain} in ${r} is ${id.dkimStatus}: the declared CNAMEs below are what SES expects.`);
  }

  // 6. Records: each declared record set that exists is imported; the rest are created.
  const tokens = Object.fromEntries(d.regions.map((r) => [r.region, stableDkimOrder((byRegion.get(r.region) as LiveIdentity).dkimTokens)]));
  const missingTokens = d.regions.filter((r) => tokens[r.region].length !== DKIM_TOKENS_PER_IDENTITY);
  if (missingTokens.length > 0) {
    throw new AdoptionError(
      `the SES identity of ${domain} in ${missingTokens.map((r) => r.region).join(", ")} has no Easy DKIM tokens (${missingTokens.map((r) => tokens[r.region].length).join(", ")} found, ${DKIM_TOKENS_PER_IDENTITY} expected): adopt handles Easy DKIM identities only. Enable Easy DKIM on it (aws sesv2 put-email-identity-dkim-signing-attributes --signing-attributes-origin AWS_SES) and run adopt again.`,
    );
  }
  const expected = expectedRecords(d, tokens);
  // The config says dnsMode external exactly when the live DNS is (step 3).
  if (live.dns.mode === "route53") {
    const zoneId = live.dns.zoneId;
    const dnsParent = `${domain}-dns`;
    resources.push({ type: TYPES.dnsRecords, name: dnsParent, parent: domain, component: true });
    for (const rec of expected) {
      const name = `${dnsParent}-${recordResourceKey(rec).key}`;
      const found = recordSet(live.dns, rec.name, rec.type);
      // Routed sets and aliases at a name and type the program declares: Route 53 keeps no
      // simple set beside them, so creating the declared one fails (routedSetRisk).
      const routed = (live.dns.routedSets ?? []).filter((s) => lower(s.name) === lower(rec.name) && s.type === rec.type);
      if (routed.length > 0) blockers.push(routedSetRisk(rec, routed, domain));
      // A CNAME stands alone at its name (RFC 1034 3.6.2; Route 53 refuses another record set
      // there): a hosted DMARC or SPF service is often delegated so.
      const cname = rec.type === "CNAME" ? undefined : recordSet(live.dns, rec.name, "CNAME");
      if (cname) blockers.push(cnameRisk(rec, cname, domain));
      if (found) {
        resources.push({ type: TYPES.record, name, id: recordImportId(zoneId, lower(found.name), rec.type), parent: dnsParent });
        if (!sameValues(found.values, rec.values, rec.type)) {
          const c = recordChange(rec, found);
          changes.push(c);
          if (c.risk) risks.push(`${c.subject} differs from what SES expects: live ${c.live}, expected ${c.declared}. Mail from ${rec.region} fails ${rec.purpose === "dkim" ? "DKIM" : "the MAIL FROM check"} until pulumi up corrects it (an update in place).`);
        }
        // The TTL is its own line, whether or not the values change too (the apex TXT set often does both).
        if (found.ttl !== undefined && found.ttl !== rec.ttl) changes.push({ subject: `${rec.type} ${rec.name}: TTL`, action: "update", live: `TTL ${found.ttl}`, declared: `TTL ${rec.ttl}` });
      } else {
        const now = cname ? `(a CNAME to ${show(cname.values)})` : routed.length > 0 ? `(no simple set: ${routed.map(routedName).join(", ")})` : "(none)";
        changes.push({ subject: `${rec.type} ${rec.name}`, action: "create", live: now, declared: show(rec.values) });
      }
    }
    // Every live MAIL FROM name stays declared: the region that owns it (lib/mail-from-owner)
    // keeps it, so no live record set of a MAIL FROM is left behind.
  } else {
    notes.push(
      `DNS is not in Route 53 (${live.dns.why}): the config says mail-infra:dnsMode external. The program creates no record; publish the records of \`pulumi stack output zoneFile\` at your DNS host and keep every other apex TXT value there.`,
    );
    for (const rec of expected) changes.push({ subject: `${rec.type} ${rec.name}`, action: "keep", live: "(at your DNS host)", declared: `${show(rec.values)} (publish by hand)` });
  }
  if (spf.dropped.length > 0) risks.push(`The live apex SPF record has terms the config cannot hold: ${spf.dropped.join("; ")}. The declared SPF record leaves them out.`);
  if (dmarc.dropped.length > 0) risks.push(`The live DMARC record has tags the config cannot hold: ${dmarc.dropped.join(", ")}. The declared record leaves them out (receivers then use the defaults).`);
  if (apexSpf.length > 1) risks.push(`The apex publishes ${apexSpf.length} SPF records (a permerror at every receiver): the declared set has one, built from the first.`);
  // A CNAME at _dmarc serves a record adopt does not read: cnameRisk says so.
  if (dmarcValues.length === 0 && live.dns.mode === "route53" && !recordSet(live.dns, dmarcRecordName(domain), "CNAME")) notes.push(`No DMARC record is live: the declared one is p=none with reports to ${d.dmarc.rua?.join(", ")}; make sure that mailbox exists, or set mail-infra:dmarcRua.`);

  // 7. The SMTP credentials: always new. Live send users stay until the relay has moved.
  const retire = live.sendUsers;
  for (const u of retire) {
    const keys = `${u.grantedBy.join(", ")}; access keys ${u.accessKeyIds.join(", ") || "none"}`;
    const login = u.lastSesLogin;
    risks.push(
      login
        ? `IAM user ${u.userName} is an existing SMTP user that the Gmail alias (or another relay) still uses, left untouched (not imported, not changed), to retire after relay-fix: SES saw an SMTP login with its key ${login.accessKeyId}${login.date ? ` on ${login.date}` : ""}${login.region ? ` in ${login.region}` : ""} (${keys}). Retire it after relay-fix: ${relayFixSteps(stack, u.userName)}`
        : `IAM user ${u.userName} can send through SES but no SMTP login is recorded for its keys (${keys}), left untouched (not imported, not changed). No relay seems to use it: retire it by hand once you are sure nothing sends with it.`,
    );
  }
  const smtpImports: ImportEntry[] = [];
  if (importUser && namesakeUser) {
    smtpImports.push({ type: TYPES.user, name: `${SMTP_COMPONENT}-user`, id: defaultUser, parent: SMTP_COMPONENT });
    changes.push({ subject: `SMTP user ${defaultUser}`, action: "update", live: `exists: path ${namesakeUser.path}, access keys ${namesakeUser.accessKeyIds.join(", ") || "none"}`, declared: `path ${SMTP_USER_PATH}, the stack's tags; its send-only policy and a new access key are added` });
    risks.push(
      `IAM user ${defaultUser} already exists with the name the program gives the SMTP user of stack ${stack}, and cannot send: it is imported (import.json), so the first pulumi up does not fail with EntityAlreadyExists. The program adds its send-only policy and a new access key${namesakeUser.accessKeyIds.length > 0 ? `; its live key ${namesakeUser.accessKeyIds.join(", ")} is not managed: delete it by hand once nothing uses it` : ""}. If that user is not this stack's, set mail-infra:smtpUserName to another name and drop its entry from import.json instead.`,
    );
  } else if (validated.smtp) {
    changes.push({ subject: `SMTP user ${validated.smtp.userName}, its send-only policy and access key`, action: "create", live: "(none)", declared: "new credentials (relay-fix moves the relay to them)" });
  }
  if (namesakeSecret && !namesakeSecret.deletedDate) {
    smtpImports.push({ type: TYPES.secret, name: `${SMTP_COMPONENT}-secret`, id: namesakeSecret.arn, parent: SMTP_COMPONENT });
    changes.push({ subject: `secret ${defaultSecret} (${primary})`, action: "update", live: "exists (its value is not read)", declared: "description and tags; a new version holding the new credentials" });
    risks.push(
      `Secret ${defaultSecret} (${primary}) already exists with the name the program gives the SMTP secret of stack ${stack}: it is imported (import.json), so the first pulumi up does not fail with ResourceExistsException. That up writes the new credentials as its current value; the value it held stays readable as AWSPREVIOUS (aws secretsmanager get-secret-value --secret-id ${defaultSecret} --version-stage AWSPREVIOUS) for a relay that still uses it.`,
    );
  } else if (validated.smtp) {
    changes.push({ subject: `secret ${validated.smtp.secretName} (${validated.smtp.secretRegion})`, action: "create", live: "(none)", declared: "the SMTP username and per-region passwords" });
  }
  if (smtpImports.length > 0) resources.push({ type: TYPES.smtpCredentials, name: SMTP_COMPONENT, component: true }, ...smtpImports);

  return { stack, domain, config, validated, imports: { resources }, changes, risks: [...blockers, ...risks], keptApexTxt, notes, retire, finalMailFromBehavior: liveBehavior };
}

/** The live settings of the program's configuration set against the declared ones (components/SesIdentity.ts). */
function configurationSetChanges(cs: LiveConfigurationSet, tlsPolicy: string): Change[] {
  const subject = (what: string): string => `configuration set ${cs.name} (${cs.region}): ${what}`;
  const out: Change[] = [];
  if ((cs.tlsPolicy ?? "OPTIONAL") !== tlsPolicy) out.push({ subject: subject("TLS policy"), action: "update", live: cs.tlsPolicy ?? "OPTIONAL (default)", declared: tlsPolicy });
  if (cs.sendingEnabled === false) {
    out.push({ subject: subject("sending"), action: "update", live: "disabled", declared: "enabled", risk: "Sending through this configuration set is paused live: the first up resumes it." });
  }
  if (cs.reputationMetricsEnabled !== true) out.push({ subject: subject("reputation metrics"), action: "update", live: cs.reputationMetricsEnabled === undefined ? "(not set)" : "disabled", declared: "enabled" });
  const liveReasons = [...(cs.suppressedReasons ?? [])].sort();
  const declaredReasons = [...SUPPRESSED_REASONS].sort();
  if (liveReasons.join(",") !== declaredReasons.join(",")) {
    out.push({ subject: subject("suppressed reasons"), action: "update", live: liveReasons.join(", ") || "(none)", declared: declaredReasons.join(", ") });
  }
  if (out.length === 0) out.push({ subject: `configuration set ${cs.name} (${cs.region})`, action: "keep", live: `TLS ${tlsPolicy}, sending enabled, reputation metrics enabled, ${declaredReasons.join(" and ")} suppressed`, declared: "the same (tags added)" });
  return out;
}

/** The live event destination named like the program's against the declared one. */
function eventDestinationChanges(cs: LiveConfigurationSet, e: LiveConfigurationSet["eventDestinations"][number], topicArn: string | undefined, topicName: string): Change[] {
  const subject = `event destination ${e.name} of ${cs.name} (${cs.region})`;
  const out: Change[] = [];
  if (!e.enabled) out.push({ subject: `${subject}: enabled`, action: "update", live: "disabled", declared: "enabled" });
  const liveTypes = [...e.matchingEventTypes].sort().join(", ");
  const declaredTypes = [...PUBLISHED_EVENT_TYPES].sort().join(", ");
  if (liveTypes !== declaredTypes) out.push({ subject: `${subject}: event types`, action: "update", live: liveTypes || "(none)", declared: declaredTypes });
  if (!topicArn || e.target !== topicArn) out.push({ subject: `${subject}: target`, action: "update", live: e.target ?? "(none)", declared: topicArn ?? `the new SNS topic ${topicName}` });
  if (out.length === 0) out.push({ subject, action: "keep", live: `enabled, ${liveTypes} -> ${e.target}`, declared: "the same" });
  return out;
}

/** The steps that move a relay off a live SMTP user and retire that user. */
export function relayFixSteps(stack: string, userName: string): string {
  return `after the first pulumi up, add the alias to mail-infra:senders and pulumi up again, move it to the new credentials with \`npm run relay-fix -- --stack ${stack} --sender <the alias's From address>\`, check with \`npm run verify -- --stack ${stack} --only relay\`, then deactivate ${userName}'s keys (aws iam update-access-key --user-name ${userName} --access-key-id <id> --status Inactive), and delete them and the user once SES has seen no login with them for a week (aws iam get-access-key-last-used).`;
}

const routedName = (s: LiveRoutedSet): string => (s.setIdentifier !== undefined ? `${s.alias ? "alias " : ""}set "${s.setIdentifier}"` : "an alias");

/**
 * A declared record set that Route 53 cannot hold beside the live routed sets or alias of its
 * name and type. A record set is keyed by name, type and set identifier, and a simple one
 * (no set identifier) cannot share its name and type with routed ones (Route 53 API reference,
 * ResourceRecordSet: "You can't create non-geolocation resource record sets that have the same
 * values for the Name and Type elements as geolocation resource record sets"; Weight: "You
 * can't create latency, failover, or geolocation resource record sets that have the same values
 * for the Name and Type elements as weighted resource record sets"); an alias with simple
 * routing is the set of that name and type already, so creating it answers "already exists".
 */
function routedSetRisk(rec: DnsRecord, routed: readonly LiveRoutedSet[], domain: string): string {
  const what = `${rec.type} ${rec.name}`;
  return `${what} is held in Route 53 by record sets adopt cannot adopt (${routed.map(routedName).join(", ")}), so the first pulumi up fails creating the declared ${what}. Route 53 keeps no simple record set beside routed ones (weighted, latency, geolocation, failover, multivalue) or an alias of the same name and type, and the program declares only simple ones. Before pulumi import: turn them into one simple record set (no routing policy, not an alias) with the values mail needs and run adopt again (it then imports that set)${otherWaysOut(rec, domain)}`;
}

function cnameRisk(rec: DnsRecord, cname: LiveRecordSet, domain: string): string {
  const what = `${rec.type} ${rec.name}`;
  const served =
    rec.purpose === "dmarc"
      ? " adopt reads the zone, not where the CNAME points, so the DMARC policy served there is not in the written config: set mail-infra:dmarcPolicy, dmarcSubdomainPolicy and dmarcRua to what you publish, or the declared p=none record replaces it."
      : rec.purpose === "spf"
        ? " adopt reads the zone, not where the CNAME points, so the SPF terms served there are not in the written config: add them to mail-infra:spfMechanisms before pulumi up."
        : "";
  return `${what} cannot be created: ${rec.name} is a CNAME to ${show(cname.values)} in Route 53, and a CNAME stands alone at its name (RFC 1034 3.6.2; Route 53 refuses any other record set there), so the first pulumi up fails creating the declared ${what}.${served} Before pulumi up: delete the CNAME (the declared record then answers for ${rec.name})${otherWaysOut(rec, domain)}`;
}

/** The ways out when a declared record cannot be created: a MAIL FROM can move to another name; any record can stay outside the stack. */
function otherWaysOut(rec: DnsRecord, domain: string): string {
  const mailFrom = rec.purpose === "mail-from-mx" || rec.purpose === "mail-from-spf" ? `, or give the MAIL FROM of ${rec.region} another name (mail-infra:mailFromSubdomain or regionalMailFromSubdomains)` : "";
  return `${mailFrom}, or keep ${domain}'s DNS outside the stack (mail-infra:dnsMode external: you publish the records yourself).`;
}

function recordChange(rec: DnsRecord, found: LiveRecordSet): Change {
  const what = rec.purpose === "dkim" ? "SES's DKIM token" : rec.purpose === "mail-from-mx" ? `the ${rec.region} feedback host` : undefined;
  return {
    subject: `${rec.type} ${rec.name}`,
    action: "update",
    live: show(found.values),
    declared: show(rec.values),
    ...(what ? { risk: `The live record differs from what SES expects (${what}): pulumi up corrects it.` } : {}),
  };
}

function mostCommon(xs: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: number | undefined;
  for (const [x, c] of counts) if (best === undefined || c > (counts.get(best) ?? 0)) best = x;
  return best;
}

function validateOrExplain(config: Record<string, unknown>, stack: string): MailConfig {
  try {
    return validateConfig(config, stack);
  } catch (e) {
    throw new AdoptionError(`the live setup does not make a valid stack config: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The DKIM CNAME names of live tokens (for reading the zone). */
export function managedNames(domain: string, identities: readonly LiveIdentity[]): string[] {
  const names = new Set<string>([domain, dmarcRecordName(domain)]);
  for (const i of identities) {
    for (const t of i.dkimTokens) names.add(dkimCnameName(t, domain));
    if (i.mailFrom?.domain) names.add(lower(i.mailFrom.domain));
  }
  return [...names];
}

const SEND_ACTIONS = ["ses:sendrawemail", "ses:sendemail"];

/**
 * True when an IAM policy document (JSON text) allows sending through SES: an Allow statement
 * whose Action (a string or list, wildcards as IAM matches them) covers ses:SendRawEmail or
 * ses:SendEmail. NotAction statements count when they do not exclude both. Deny statements are
 * not weighed: a user listed here is one to look at, not a proof that it can send.
 */
export function grantsSesSend(document: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return false;
  }
  // JSON null holds no statement (nor does a string or a number: they have no Statement).
  const statements = (doc as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const matches = (pattern: string, action: string): boolean =>
    new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(action);
  const asList = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return list.some((st) => {
    const s = st as { Effect?: unknown; Action?: unknown; NotAction?: unknown };
    if (s.Effect !== "Allow") return false;
    if (s.Action !== undefined) return asList(s.Action).some((p) => SEND_ACTIONS.some((a) => matches(p, a)));
    if (s.NotAction !== undefined) return SEND_ACTIONS.some((a) => !asList(s.NotAction).some((p) => matches(p, a)));
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// The three files
// ---------------------------------------------------------------------------------------------

/** The marker the written files start with (adopt overwrites only its own files). */
export const WRITTEN_BY = "Written by `npm run adopt`";

/** Pulumi.<stack>.yaml: the config, with a header saying where it came from. */
export function renderStackYaml(plan: AdoptionPlan, stringify: (v: unknown) => string): string {
  const header = [
    `# ${WRITTEN_BY} from the live setup of ${plan.domain}. Read adoption.md before using it.`,
    // REJECT_MESSAGE kept, USE_DEFAULT_VALUE written: a MAIL FROM moves (planAdoption, step 4).
    ...(plan.finalMailFromBehavior === "REJECT_MESSAGE" && plan.validated.domains[0].mailFromBehaviorOnMxFailure === "USE_DEFAULT_VALUE"
      ? ["# mailFromBehaviorOnMxFailure: USE_DEFAULT_VALUE for the first pulumi up only (adoption.md, step 6)."]
      : []),
  ];
  return `${header.join("\n")}\n${stringify({ config: plan.config })}`;
}

/**
 * The config keys adopt derives from what is live (lib/adopt planAdoption): in a merge with an
 * existing stack file, adopt's value (or, when adopt leaves one out, the default) is what
 * reproduces the live setup, so `pulumi import` matches. Every other key (senders, alertEmails,
 * smtpRegions...) is the user's and is kept.
 */
export const ADOPT_DECIDES: readonly string[] = [
  "aws:region",
  ...[
    "domain",
    "domains",
    "regions",
    "mailFromSubdomain",
    "regionalMailFromSubdomains",
    "mailFromBehaviorOnMxFailure",
    "dkimSigningKeyLength",
    "spfMechanisms",
    "spfAll",
    "apexTxtValues",
    "dmarcPolicy",
    "dmarcSubdomainPolicy",
    "dmarcPercent",
    "dmarcRua",
    "dmarcRuf",
    "dmarcAdkim",
    "dmarcAspf",
    "dnsMode",
    "route53Zones",
    "dnsTtl",
    "smtpUserName",
    "smtpSecretName",
    "smtpCredentials",
  ].map((k) => `${PROJECT}:${k}`),
];

/** One key of an existing Pulumi.<stack>.yaml against adopt's. */
export interface StackFileRow {
  key: string;
  existing?: unknown;
  adopted?: unknown;
  /** keep: only in the existing file (yours); add: only adopt's; same; replace: adopt's value reproduces what is live; drop: adopt's default reproduces what is live. */
  action: "keep" | "add" | "same" | "replace" | "drop";
}

/** An existing stack file and the merge adopt writes beside it (it never overwrites it). */
export interface StackFileMerge {
  /** The existing file (Pulumi.<stack>.yaml in the project root). */
  file: string;
  /** The merged file adopt writes into its --out directory. */
  mergedFile: string;
  rows: StackFileRow[];
  /** The merged document: the existing one with its config merged key by key. */
  merged: Record<string, unknown>;
  /** Why the merged config does not validate, when it does not. */
  invalid?: string;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Merge adopt's config into an existing stack file (parsed YAML): the user's own keys are kept,
 * the keys adopt derives from the live setup take adopt's value (or are dropped when adopt's
 * default reproduces it). The existing file is never written: adopt writes the merge beside its
 * own files and adoption.md shows the differences key by key.
 */
export function mergeStackFile(plan: AdoptionPlan, existing: unknown, file: string, mergedFile: string): StackFileMerge {
  const doc = existing !== null && typeof existing === "object" && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
  const config = doc.config !== null && typeof doc.config === "object" && !Array.isArray(doc.config) ? (doc.config as Record<string, unknown>) : {};
  const rows: StackFileRow[] = [];
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key in plan.config) {
      const adopted = plan.config[key];
      rows.push({ key, existing: value, adopted, action: same(value, adopted) ? "same" : "replace" });
      merged[key] = adopted;
    } else if (ADOPT_DECIDES.includes(key)) {
      rows.push({ key, existing: value, action: "drop" });
    } else {
      rows.push({ key, existing: value, action: "keep" });
      merged[key] = value;
    }
  }
  for (const [key, adopted] of Object.entries(plan.config)) {
    if (!(key in config)) {
      rows.push({ key, adopted, action: "add" });
      merged[key] = adopted;
    }
  }
  let invalid: string | undefined;
  try {
    validateConfig(merged, plan.stack);
  } catch (e) {
    invalid = e instanceof Error ? e.message : String(e);
  }
  return { file, mergedFile, rows, merged: { ...doc, config: merged }, ...(invalid ? { invalid } : {}) };
}

/** import.json for `pulumi import --file`. */
export function renderImportJson(plan: AdoptionPlan): string {
  return `${JSON.stringify(plan.imports, null, 2)}\n`;
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * adoption.md: what is imported, what the first up changes, the risks, the steps. `dir` is
 * where the files are written, relative to the project root (the steps' commands name it).
 */
export function renderAdoptionMd(plan: AdoptionPlan, dir = ".", existing?: StackFileMerge): string {
  const s = plan.stack;
  const d = plan.validated.domains[0];
  const imported = plan.imports.resources.filter((r) => !r.component);
  const lines: string[] = [
    `<!-- ${WRITTEN_BY}: re-running adopt rewrites this file. -->`,
    `# Adopting ${plan.domain} into stack ${s}`,
    "",
    `Regions: ${d.regions.map((r) => `${r.region}${r.primary ? " (primary)" : ""}`).join(", ")}. DNS: ${d.dns.mode === "route53" ? `Route 53 (${plan.config[`${PROJECT}:route53Zones`]})` : "external (not in Route 53: you publish the records)"}.`,
    "",
    "## What is imported",
    "",
    `\`pulumi import --file import.json\` adopts ${imported.length} existing resources (and creates their ${plan.imports.resources.length - imported.length} component parents):`,
    "",
    "| type | name | id |",
    "|---|---|---|",
    ...imported.map((r) => `| ${r.type.split(":").pop()} | ${cell(r.name)} | ${cell(r.id ?? "")} |`),
    "",
    "## What the first `pulumi up` changes",
    "",
    "| what | action | live | declared |",
    "|---|---|---|---|",
    ...plan.changes.map((c) => `| ${cell(c.subject)} | ${c.action} | ${cell(c.live)} | ${cell(c.declared)} |`),
    "",
    "Nothing live is deleted: every existing record set the program declares is imported and keeps its other values; record sets it does not declare are not touched.",
  ];
  if (plan.creates) {
    const byType = new Map<string, string[]>();
    for (const r of plan.creates) byType.set(r.type, [...(byType.get(r.type) ?? []), r.name]);
    const components = plan.creates.filter((r) => !r.custom).length;
    lines.push(
      "",
      `\`pulumi preview\` after the import counts **${plan.creates.length} to create**: every resource the program declares that import.json does not adopt, the ${components} component resource${components === 1 ? "" : "s"} among them (the engine counts components too):`,
      "",
      "| type | count | names |",
      "|---|---|---|",
      ...[...byType].map(([type, names]) => `| ${type.split(":").pop()} | ${names.length} | ${cell(names.join(", "))} |`),
    );
  }
  if (plan.keptApexTxt.length > 0) {
    lines.push(
      "",
      `The program owns the whole apex TXT record set of ${plan.domain}. These live values are kept, verbatim, through \`mail-infra:apexTxtValues\` (without them \`pulumi up\` would delete them):`,
      "",
      ...plan.keptApexTxt.map((v) => `- \`${v}\``),
    );
  }
  if (existing) {
    const v = (x: unknown): string => (x === undefined ? "" : cell(typeof x === "string" ? x : JSON.stringify(x)));
    const what: Record<StackFileRow["action"], string> = {
      keep: "kept (yours; adopt does not read it from AWS)",
      add: "added",
      same: "the same",
      replace: "adopt's value: it is what is live (pulumi import needs the declared inputs to equal the live ones)",
      drop: "left out: the default reproduces what is live",
    };
    lines.push(
      "",
      `## ${existing.file} already exists`,
      "",
      `adopt did not overwrite it. It wrote \`${dir}/${existing.mergedFile}\`: your file with the config merged key by key.${existing.invalid ? ` The merge does not validate: ${cell(existing.invalid)} Fix the merge before step 1.` : ""}`,
      "",
      "| key | in your file | written by adopt | in the merge |",
      "|---|---|---|---|",
      ...existing.rows.filter((r) => r.action !== "same").map((r) => `| ${r.key} | ${v(r.existing)} | ${v(r.adopted)} | ${what[r.action]} |`),
    );
    const sameKeys = existing.rows.filter((r) => r.action === "same").map((r) => r.key);
    if (sameKeys.length > 0) lines.push("", `The same in both: ${sameKeys.join(", ")}.`);
  }
  lines.push("", "## Risks, and how they are sequenced", "");
  lines.push(...(plan.risks.length > 0 ? plan.risks.map((r) => `- ${r}`) : ["- None found: the live setup is reproduced as it is."]));
  if (plan.notes.length > 0) lines.push("", "## Notes", "", ...plan.notes.map((n) => `- ${n}`));
  const mailFromStaged = plan.risks.some((r) => r.startsWith("MAIL FROM"));
  // Staged only for a stack that keeps REJECT_MESSAGE: its first up runs with USE_DEFAULT_VALUE.
  const finalBehavior = mailFromStaged && plan.finalMailFromBehavior === "REJECT_MESSAGE" ? "REJECT_MESSAGE" : undefined;
  lines.push(
    "",
    "## Steps, in order",
    "",
    existing
      ? `1. ${existing.file} already exists: do not copy over it (it holds settings adopt cannot read from AWS). Compare it with the merge adopt wrote beside its files (\`diff ${existing.file} ${dir}/${existing.mergedFile}\`, key by key under "${existing.file} already exists" below); when the merge is what you want, \`cp ${dir}/${existing.mergedFile} ${existing.file}\`, then \`pulumi stack select ${s}\`.`
      : `1. From the project root: \`cp -n ${dir}/Pulumi.${s}.yaml .\` (-n: never over an existing file; if one appeared since, run adopt again, it then writes a merge), then \`pulumi stack init ${s}\` (or \`pulumi stack select ${s}\`).`,
    `2. \`npm run plan -- --stack ${s}\` (the config validates; every resource the program declares) and \`npm run policy -- --stack ${s}\` (the policy pack, offline).`,
    `3. \`pulumi import --stack ${s} --file ${dir}/import.json --generate-code=false --yes\`: adopts what exists (nothing in AWS changes; the component parents are created in the stack).`,
    `4. \`pulumi preview --stack ${s} --diff\`: expect ${plan.creates ? `exactly ${plan.creates.length} to create (the resources listed above)` : "creates only for what the table above creates"}, updates only as listed, no delete and no replace. Stop if it shows anything else.`,
    `5. \`pulumi up --stack ${s}\`, then \`npm run verify -- --stack ${s}\`.${mailFromStaged ? " USE_DEFAULT_VALUE keeps mail flowing (unaligned SPF, DKIM aligned) while SES waits for the new MX." : ""}`,
  );
  let n = 6;
  if (finalBehavior) lines.push(`${n++}. SES looks for the new MX for up to 72 h. ${afterMailFromSuccess(s, finalBehavior)}`);
  lines.push(`${n++}. Add the relays to \`mail-infra:senders\`, \`pulumi up\`, and move each one to the new credentials: \`npm run relay-fix -- --stack ${s} --sender <address>\`.`);
  if (plan.retire.length > 0) {
    const who = plan.retire.map((u) => `${u.userName}${u.lastSesLogin ? ` (SMTP login${u.lastSesLogin.date ? ` ${u.lastSesLogin.date}` : ""}: the relay still uses it)` : " (no SMTP login recorded)"}`);
    lines.push(`${n++}. When \`npm run verify -- --stack ${s} --only relay\` passes, retire the old SMTP user${plan.retire.length > 1 ? "s" : ""} by hand: ${who.join(", ")}. Deactivate the keys first (aws iam update-access-key --status Inactive), delete them and the user once SES has seen no login with them for a week (aws iam get-access-key-last-used).`);
  }
  return `${lines.join("\n")}\n`;
}
