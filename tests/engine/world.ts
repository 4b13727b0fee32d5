/**
 * A pure in-memory AWS account for the engine model (tests/engine/model.ts): what the
 * provider's create, update, delete and read do to it, and the behaviour of AWS that decides
 * whether mail flows, on a virtual clock. In memory rather than moto plus the fakes: a scenario
 * runs the program and this world dozens of times, and moto has no SES v2 (DESIGN.md, "Testing
 * against real parts"). What is modelled, each from a checked fact (docs/architecture.md,
 * "The engine model"):
 *
 * - IAM: at most two access keys per user (IAM quotas); `GetAccessKeyLastUsed` returns only the
 *   latest use, and a use becomes visible only after LAST_USED_LAG (AWS: "usually within four
 *   hours").
 * - SES: `CreateEmailIdentity` fails with AlreadyExists on a live identity; every new identity
 *   gets three new DKIM tokens; DKIM is verified while its three CNAMEs are in DNS. A MAIL FROM
 *   change puts the identity in Pending; SES finds the MX (Success), or, after 72 h without it,
 *   Failed; a Success whose MX goes away is TemporaryFailure, then Failed after 72 h. Under
 *   REJECT_MESSAGE a region whose MAIL FROM is not Success rejects every message
 *   (`MailFromDomainNotVerified`). The MAIL FROM attribute resource creates with a Put and
 *   deletes with a Put that switches MAIL FROM off (provider source, DESIGN.md).
 * - Route 53: a record set is keyed by name and type; CREATE fails when the set exists unless
 *   `allowOverwrite` (UPSERT replaces every value of the set).
 * - SMTP: SES accepts a login when the username is an Active key of the user and the password is
 *   that key's v4 password for the region (lib/smtp-password.ts).
 * - The relay (a Gmail "Send mail as" alias) holds one username and password and sends now and
 *   then; a send with a key that is inactive or gone fails.
 */
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { mockState, unwrapSecrets } from "../../scripts/lib/mock-program";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** AWS: last-accessed data "usually appears within four hours" (GetAccessKeyLastUsed). */
export const LAST_USED_LAG = 4 * HOUR;
/** SES looks for a MAIL FROM MX for up to 72 hours before it gives up (SES developer guide, MAIL FROM). */
export const MAIL_FROM_GIVE_UP = 72 * HOUR;
/** How soon SES notices a published DKIM CNAME or MAIL FROM MX (minutes in practice; one check per virtual hour here). */
export const SES_CHECK_EVERY = HOUR;

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface Identity {
  domain: string;
  region: string;
  tokens: string[];
  keyLength: string;
  /** When the key length last changed: Easy DKIM allows one change a day. */
  keyLengthChangedAt?: number;
  configurationSetName?: string;
  /** DKIM seen in DNS by SES (verification). */
  dkimVerified: boolean;
  mailFrom?: { domain: string; behavior: string; status: "PENDING" | "SUCCESS" | "TEMPORARY_FAILURE" | "FAILED"; since: number };
}

export interface AccessKey {
  id: string;
  user: string;
  secret: string;
  status: "Active" | "Inactive";
  created: number;
  /** Every use (time, region); GetAccessKeyLastUsed shows the latest one older than the lag. */
  uses: { at: number; region: string }[];
}

export interface RecordSet {
  ttl: number;
  values: string[];
}

/** A relay that holds one SMTP username and password and sends every `every` ms. */
export interface Relay {
  address: string;
  region: string;
  username: string;
  password: string;
  every: number;
  nextSend: number;
}

/** The provider's view of one cloud object: the inputs it was written with, and its outputs. */
interface StoredObject {
  type: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface Created {
  id: string;
  outputs: Record<string, unknown>;
}

/** Objects are keyed by type and id: an identity and its MAIL FROM attributes share an id. */
const objectKey = (type: string, id: string): string => `${type}|${id}`;

const rsKey = (name: string, type: string): string => `${name.toLowerCase().replace(/\.$/, "")}|${type}`;

export class World {
  now = Date.UTC(2026, 0, 5, 9, 0, 0);
  readonly identities = new Map<string, Identity>();
  readonly dns = new Map<string, RecordSet>();
  readonly keys = new Map<string, AccessKey>();
  readonly users = new Set<string>();
  /** Secret id → its AWSCURRENT value (JSON text) and the earlier values. */
  readonly secrets = new Map<string, { current?: string; previous?: string }>();
  readonly objects = new Map<string, StoredObject>();
  readonly relays: Relay[] = [];
  /** Everything that went wrong for mail, with the virtual time: a relay's failed send, a rejected region. */
  readonly mailFailures: { at: number; what: string }[] = [];
  /** Fault injection: the next provider call of this kind fails (throttling), once. */
  failNext?: { type: string; op: "create" | "update" | "delete" };
  private counter = 0;

  private fault(type: string, op: "create" | "update" | "delete"): void {
    if (this.failNext && this.failNext.type === type && this.failNext.op === op) {
      this.failNext = undefined;
      throw new AwsError("Throttling", `Rate exceeded (${op} ${type})`);
    }
  }

  private next(prefix: string): string {
    this.counter += 1;
    return `${prefix}${String(this.counter).padStart(4, "0")}`;
  }

  /** Advance the clock, running SES's checks and the relays' sends on the way. */
  advance(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      const step = Math.min(SES_CHECK_EVERY, end - this.now);
      this.now += step;
      this.sesChecks();
      for (const relay of this.relays) {
        while (relay.nextSend <= this.now) {
          this.relaySend(relay, relay.nextSend);
          relay.nextSend += relay.every;
        }
      }
    }
  }

  // ---- SES ----

  identityKey = (region: string, domain: string): string => `${region}/${domain}`;

  private dkimPublished(i: Identity): boolean {
    return i.tokens.every((t) => this.dns.get(rsKey(`${t}._domainkey.${i.domain}`, "CNAME"))?.values.includes(`${t}.dkim.amazonses.com`));
  }

  private mailFromMxPublished(i: Identity): boolean {
    if (!i.mailFrom) return false;
    const mx = this.dns.get(rsKey(i.mailFrom.domain, "MX"));
    return mx !== undefined && mx.values.length === 1 && mx.values[0] === `10 feedback-smtp.${i.region}.amazonses.com`;
  }

  /** SES's own periodic checks: DKIM verification and the MAIL FROM state machine. */
  sesChecks(): void {
    for (const i of this.identities.values()) {
      i.dkimVerified = this.dkimPublished(i);
      const m = i.mailFrom;
      if (!m) continue;
      const mx = this.mailFromMxPublished(i);
      // Failed is final: SES looks again only after the MAIL FROM is set again (a Put).
      if (m.status === "FAILED") continue;
      if (mx && m.status !== "SUCCESS") Object.assign(m, { status: "SUCCESS", since: this.now });
      else if (!mx && m.status === "SUCCESS") Object.assign(m, { status: "TEMPORARY_FAILURE", since: this.now });
      else if (!mx && (m.status === "PENDING" || m.status === "TEMPORARY_FAILURE") && this.now - m.since >= MAIL_FROM_GIVE_UP) Object.assign(m, { status: "FAILED", since: this.now });
    }
  }

  /** Why SES rejects mail of `domain` in `region` now, or undefined when it sends (and signs) it. */
  rejection(region: string, domain: string): string | undefined {
    const i = this.identities.get(this.identityKey(region, domain));
    if (!i) return `no SES identity ${domain} in ${region}`;
    if (!i.dkimVerified) return `${domain} in ${region} is not verified: its DKIM CNAMEs (${i.tokens.join(", ")}) are not all in DNS`;
    if (!this.dkimPublished(i)) return `${domain} in ${region} signs with a DKIM key whose CNAME is gone`;
    if (i.mailFrom && i.mailFrom.behavior === "REJECT_MESSAGE" && i.mailFrom.status !== "SUCCESS") {
      return `${domain} in ${region}: MAIL FROM ${i.mailFrom.domain} is ${i.mailFrom.status} under REJECT_MESSAGE (MailFromDomainNotVerified)`;
    }
    return undefined;
  }

  /** Delete an identity outside Pulumi (console, CLI): its MAIL FROM setting goes with it. */
  deleteIdentityOutside(region: string, domain: string): void {
    this.identities.delete(this.identityKey(region, domain));
  }

  // ---- IAM, SMTP, relays ----

  /** GetAccessKeyLastUsed: the latest use that is older than the lag. */
  lastUsed(id: string): { lastUsedDate?: string; serviceName?: string; region?: string } {
    const k = this.keys.get(id);
    const visible = k?.uses.filter((u) => u.at <= this.now - LAST_USED_LAG).at(-1);
    return visible ? { lastUsedDate: new Date(visible.at).toISOString(), serviceName: "ses", region: visible.region } : { serviceName: "N/A", region: "N/A" };
  }

  /** SES SMTP AUTH: the key exists, is Active, and the password is its v4 password for the region. */
  smtpLogin(username: string, password: string, region: string): boolean {
    const k = this.keys.get(username);
    return k !== undefined && k.status === "Active" && deriveSmtpPasswordV4(k.secret, region) === password;
  }

  /** The secret's current value: { username, regions: { r: { password } } }. */
  secretValue(secretId: string): { username: string; regions: Record<string, { password: string }> } | undefined {
    const s = [...this.secrets.entries()].find(([id]) => id === secretId || id.includes(`:secret:${secretId}-`))?.[1];
    return s?.current ? (JSON.parse(s.current) as { username: string; regions: Record<string, { password: string }> }) : undefined;
  }

  /** relay-fix, done by a person: the relay takes the username and its region's password from the secret. */
  relayFix(address: string, secretId: string): void {
    const relay = this.relays.find((r) => r.address === address);
    const value = this.secretValue(secretId);
    if (!relay || !value) throw new Error(`relay-fix: no relay ${address} or no secret ${secretId}`);
    relay.username = value.username;
    relay.password = value.regions[relay.region]?.password ?? "";
  }

  private relaySend(relay: Relay, at: number): void {
    const ok = this.smtpLogin(relay.username, relay.password, relay.region);
    if (ok) this.keys.get(relay.username)?.uses.push({ at, region: relay.region });
    else this.mailFailures.push({ at, what: `relay ${relay.address}: 535 Authentication Credentials Invalid with key ${relay.username} in ${relay.region}` });
    const rejected = this.rejection(relay.region, relay.address.split("@")[1]!);
    if (ok && rejected) this.mailFailures.push({ at, what: `relay ${relay.address}: SES rejected the message: ${rejected}` });
  }

  /** Whether the relay could log in right now. */
  relayWorks(relay: Relay): boolean {
    return this.smtpLogin(relay.username, relay.password, relay.region);
  }

  // ---- the provider: create, update, delete, read per resource type ----

  create(type: string, name: string, rawInputs: Record<string, unknown>): Created {
    this.fault(type, "create");
    const inputs = unwrapSecrets(rawInputs) as Record<string, unknown>;
    const region = typeof inputs.region === "string" ? inputs.region : "us-east-1";
    let id: string;
    let outputs: Record<string, unknown> = {};
    switch (type) {
      case "aws:sesv2/emailIdentity:EmailIdentity": {
        const domain = String(inputs.emailIdentity);
        const key = this.identityKey(region, domain);
        if (this.identities.has(key)) throw new AwsError("AlreadyExistsException", `Email identity ${domain} already exists in ${region}`);
        const dkim = (inputs.dkimSigningAttributes ?? {}) as Record<string, unknown>;
        const tokens = [1, 2, 3].map(() => this.next(`tok${region.replace(/-/g, "")}x`));
        const identity: Identity = { domain, region, tokens, keyLength: String(dkim.nextSigningKeyLength ?? "RSA_2048_BIT"), configurationSetName: inputs.configurationSetName as string | undefined, dkimVerified: false };
        this.identities.set(key, identity);
        id = `${domain}@${region}`;
        outputs = this.identityOutputs(identity);
        break;
      }
      case "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes":
        id = `${String(inputs.emailIdentity)}@${region}`;
        this.putMailFrom(region, inputs);
        break;
      case "aws:route53/record:Record": {
        const key = rsKey(String(inputs.name), String(inputs.type));
        if (this.dns.has(key) && inputs.allowOverwrite !== true) {
          throw new AwsError("InvalidChangeBatch", `[Tried to create resource record set [name='${String(inputs.name)}.', type='${String(inputs.type)}'] but it already exists]`);
        }
        this.dns.set(key, { ttl: Number(inputs.ttl), values: [...(inputs.records as string[])] });
        id = `${String(inputs.zoneId)}_${String(inputs.name)}_${String(inputs.type)}`;
        outputs = { fqdn: inputs.name };
        break;
      }
      case "aws:iam/user:User": {
        const userName = String(inputs.name);
        if (this.users.has(userName)) throw new AwsError("EntityAlreadyExists", `User with name ${userName} already exists.`);
        this.users.add(userName);
        id = userName;
        outputs = { arn: `arn:aws:iam::123456789012:user${String(inputs.path ?? "/")}${userName}` };
        break;
      }
      case "aws:iam/accessKey:AccessKey": {
        const user = String(inputs.user);
        if (!this.users.has(user)) throw new AwsError("NoSuchEntity", `The user with name ${user} cannot be found.`);
        if ([...this.keys.values()].filter((k) => k.user === user).length >= 2) {
          throw new AwsError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: 2`);
        }
        id = this.next("AKIAWORLD").padEnd(20, "X");
        const secret = `${this.next("worldsecret")}/${"s".repeat(26)}`;
        this.keys.set(id, { id, user, secret, status: (inputs.status as "Active" | "Inactive" | undefined) ?? "Active", created: this.now, uses: [] });
        outputs = { secret, status: inputs.status ?? "Active", createDate: new Date(this.now).toISOString() };
        break;
      }
      case "aws:secretsmanager/secret:Secret": {
        const secretName = String(inputs.name);
        id = `arn:aws:secretsmanager:${region}:123456789012:secret:${secretName}-AbCdEf`;
        if (this.secrets.has(id)) throw new AwsError("ResourceExistsException", `The operation failed because the secret ${secretName} already exists.`);
        this.secrets.set(id, {});
        outputs = { arn: id };
        break;
      }
      case "aws:secretsmanager/secretVersion:SecretVersion": {
        const s = this.secrets.get(String(inputs.secretId));
        if (!s) throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret ${String(inputs.secretId)}.`);
        s.previous = s.current;
        s.current = String(inputs.secretString);
        id = `${String(inputs.secretId)}|${this.next("v")}`;
        break;
      }
      default:
        // Everything else (configuration sets, topics, policies, event destinations, monitoring):
        // an object with the ARN-like outputs the provider returns (the mocks' shapes).
        id = `${name}-${this.next("id")}`;
        outputs = mockState(type, name, inputs, "world");
    }
    this.objects.set(objectKey(type, id), { type, inputs, outputs });
    return { id, outputs };
  }

  private identityOutputs(i: Identity): Record<string, unknown> {
    return {
      arn: `arn:aws:ses:${i.region}:123456789012:identity/${i.domain}`,
      identityType: "DOMAIN",
      verifiedForSendingStatus: i.dkimVerified,
      dkimSigningAttributes: { nextSigningKeyLength: i.keyLength, tokens: [...i.tokens], status: i.dkimVerified ? "SUCCESS" : "PENDING", signingAttributesOrigin: "AWS_SES", currentSigningKeyLength: i.keyLength },
    };
  }

  private putMailFrom(region: string, inputs: Record<string, unknown>): void {
    const i = this.identities.get(this.identityKey(region, String(inputs.emailIdentity)));
    if (!i) throw new AwsError("NotFoundException", `Email identity ${String(inputs.emailIdentity)} does not exist in ${region}`);
    const domain = inputs.mailFromDomain as string | undefined;
    if (!domain) {
      delete i.mailFrom;
      return;
    }
    const behavior = String(inputs.behaviorOnMxFailure ?? "USE_DEFAULT_VALUE");
    // Only a changed domain restarts SES's search for the MX; a changed behaviour alone keeps the state.
    i.mailFrom = i.mailFrom && i.mailFrom.domain === domain ? { ...i.mailFrom, behavior } : { domain, behavior, status: "PENDING", since: this.now };
  }

  update(type: string, id: string, rawOld: Record<string, unknown>, rawNew: Record<string, unknown>): Record<string, unknown> {
    this.fault(type, "update");
    const inputs = unwrapSecrets(rawNew) as Record<string, unknown>;
    const old = unwrapSecrets(rawOld) as Record<string, unknown>;
    const region = typeof inputs.region === "string" ? inputs.region : "us-east-1";
    const stored = this.objects.get(objectKey(type, id));
    let outputs = stored?.outputs ?? {};
    switch (type) {
      case "aws:sesv2/emailIdentity:EmailIdentity": {
        const i = this.identities.get(this.identityKey(region, String(inputs.emailIdentity)));
        if (!i) throw new AwsError("NotFoundException", `Email identity ${String(inputs.emailIdentity)} does not exist in ${region}`);
        const dkim = (inputs.dkimSigningAttributes ?? {}) as Record<string, unknown>;
        // PutEmailIdentityDkimSigningAttributes: the key length changes, the tokens (CNAME names)
        // stay. Easy DKIM's next signing key length may change at most once a day (SES v2 API
        // reference, PutEmailIdentityDkimSigningAttributes; DESIGN.md's checked facts).
        const length = String(dkim.nextSigningKeyLength ?? i.keyLength);
        if (length !== i.keyLength) {
          if (i.keyLengthChangedAt !== undefined && this.now - i.keyLengthChangedAt < DAY) {
            throw new AwsError("BadRequestException", `the DKIM signing key length of ${i.domain} in ${region} was changed less than 24 hours ago`);
          }
          i.keyLength = length;
          i.keyLengthChangedAt = this.now;
        }
        i.configurationSetName = inputs.configurationSetName as string | undefined;
        outputs = this.identityOutputs(i);
        break;
      }
      case "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes":
        this.putMailFrom(region, inputs);
        break;
      case "aws:route53/record:Record": {
        // An in-place change (ttl, values, type): one batch that deletes the old set and creates the new one.
        this.dns.delete(rsKey(String(old.name), String(old.type)));
        this.dns.set(rsKey(String(inputs.name), String(inputs.type)), { ttl: Number(inputs.ttl), values: [...(inputs.records as string[])] });
        break;
      }
      case "aws:iam/accessKey:AccessKey": {
        const k = this.keys.get(id);
        if (!k) throw new AwsError("NoSuchEntity", `The Access Key with id ${id} cannot be found.`);
        k.status = (inputs.status as "Active" | "Inactive" | undefined) ?? "Active";
        outputs = { ...outputs, status: k.status };
        break;
      }
    }
    this.objects.set(objectKey(type, id), { type, inputs, outputs });
    return outputs;
  }

  delete(type: string, id: string, rawOld: Record<string, unknown>): void {
    this.fault(type, "delete");
    const old = unwrapSecrets(rawOld) as Record<string, unknown>;
    const region = typeof old.region === "string" ? old.region : "us-east-1";
    switch (type) {
      case "aws:sesv2/emailIdentity:EmailIdentity":
        this.identities.delete(this.identityKey(region, String(old.emailIdentity)));
        break;
      case "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes":
        // The provider's delete is a Put without a MAIL FROM domain: it switches MAIL FROM off.
        if (this.identities.has(this.identityKey(region, String(old.emailIdentity)))) this.putMailFrom(region, { emailIdentity: old.emailIdentity });
        break;
      case "aws:route53/record:Record":
        this.dns.delete(rsKey(String(old.name), String(old.type)));
        break;
      case "aws:iam/user:User":
        if ([...this.keys.values()].some((k) => k.user === id)) throw new AwsError("DeleteConflict", `Cannot delete entity, must delete access keys first.`);
        this.users.delete(id);
        break;
      case "aws:iam/accessKey:AccessKey":
        this.keys.delete(id);
        break;
      case "aws:secretsmanager/secret:Secret":
        this.secrets.delete(id);
        break;
    }
    this.objects.delete(objectKey(type, id));
  }

  /** The provider's Read: the object's inputs and outputs as AWS has them now, or undefined when it is gone. */
  read(type: string, id: string): { inputs: Record<string, unknown>; outputs: Record<string, unknown> } | undefined {
    const stored = this.objects.get(objectKey(type, id));
    switch (type) {
      case "aws:sesv2/emailIdentity:EmailIdentity": {
        const [domain, region] = id.split("@") as [string, string];
        const i = this.identities.get(this.identityKey(region, domain));
        if (!i) return undefined;
        const inputs = { ...(stored?.inputs ?? {}), emailIdentity: domain, region, configurationSetName: i.configurationSetName, dkimSigningAttributes: { nextSigningKeyLength: i.keyLength } };
        return { inputs, outputs: this.identityOutputs(i) };
      }
      case "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": {
        const [domain, region] = id.split("@") as [string, string];
        const i = this.identities.get(this.identityKey(region, domain));
        if (!i?.mailFrom) return undefined;
        return { inputs: { ...(stored?.inputs ?? {}), emailIdentity: domain, region, mailFromDomain: i.mailFrom.domain, behaviorOnMxFailure: i.mailFrom.behavior }, outputs: {} };
      }
      case "aws:route53/record:Record": {
        // The provider's id is ZONEID_name_TYPE (terraform-provider-aws route53 record import id).
        const zoneId = id.slice(0, id.indexOf("_"));
        const type = id.slice(id.lastIndexOf("_") + 1);
        const name = id.slice(id.indexOf("_") + 1, id.lastIndexOf("_"));
        const rs = this.dns.get(rsKey(name, type));
        if (!rs) return undefined;
        return { inputs: { ...(stored?.inputs ?? {}), name, type, zoneId, ttl: rs.ttl, records: [...rs.values] }, outputs: stored?.outputs ?? { fqdn: name } };
      }
      case "aws:iam/accessKey:AccessKey": {
        const k = this.keys.get(id);
        return k && stored ? { inputs: { ...stored.inputs, status: k.status }, outputs: { ...stored.outputs, status: k.status } } : undefined;
      }
      default:
        return stored ? { inputs: stored.inputs, outputs: stored.outputs } : undefined;
    }
  }

  /** Delete any object outside Pulumi (an event destination deleted in the console). */
  deleteOutside(type: string, match: (inputs: Record<string, unknown>) => boolean): string {
    const found = [...this.objects.entries()].find(([, o]) => o.type === type && match(o.inputs));
    if (!found) throw new Error(`no ${type} to delete outside Pulumi`);
    const id = found[0].slice(type.length + 1);
    this.delete(type, id, found[1].inputs);
    return id;
  }

  /** A record set put into DNS by someone else (not the program): its values must survive every step. */
  putForeignRecord(name: string, type: string, values: string[], ttl = 300): void {
    this.dns.set(rsKey(name, type), { ttl, values });
  }

  recordSet(name: string, type: string): RecordSet | undefined {
    return this.dns.get(rsKey(name, type));
  }
}
