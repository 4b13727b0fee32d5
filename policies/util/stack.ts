/**
 * A read-only view of the stack for the stack policies: the mail resources with the few
 * properties the rules compare, read once. A property that is unknown during preview leaves
 * its resource out of the view and is counted in `unknown`, so a policy that needs the whole
 * picture (e.g. "a record is missing") can tell it cannot decide yet.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { normalizeDomain } from "../../lib/domain";
import { DNS_MODE_TAG, MAIL_DOMAIN_TYPE, ROLE_TAG, SMTP_ROLE, SMTP_USER_PATH } from "../../lib/names";
import { parseRoute53TxtValue } from "../../lib/records";
import { known } from "./unknown";
import { obj, str, strList } from "./values";

export interface IdentityView {
  resource: PolicyResource;
  /** The identity, normalised: a domain, or an e-mail address. */
  identity: string;
  isDomain: boolean;
  region?: string;
  /** Easy DKIM tokens; undefined while unknown (preview) or when SES has not issued them. */
  tokens?: string[];
  /** Bring-your-own DKIM (a selector and private key were given): no Easy DKIM CNAMEs. */
  byodkim: boolean;
  /** The DNS_MODE_TAG value: "external" exempts the identity from the records-in-stack rule. */
  dnsMode?: string;
}

export interface MailFromView {
  resource: PolicyResource;
  identity: string;
  region?: string;
  mailFromDomain?: string;
}

export interface RecordView {
  /** The Route 53 record, or for an external-DNS domain the MailDomain component that lists it. */
  resource: PolicyResource;
  /** True for a record of an external-DNS domain: published by hand, not declared in Route 53. */
  external?: boolean;
  /** Fully qualified, normalised. */
  name: string;
  type: string;
  zoneId?: string;
  /** TXT and SPF values decoded to their text; other types as written. */
  values: string[];
}

export interface ConfigurationSetView {
  resource: PolicyResource;
  name: string;
  region?: string;
}

export interface EventDestinationView {
  resource: PolicyResource;
  configurationSetName: string;
  region?: string;
  enabled: boolean;
  eventTypes: string[];
}

export interface StackView {
  identities: IdentityView[];
  mailFroms: MailFromView[];
  records: RecordView[];
  configurationSets: ConfigurationSetView[];
  eventDestinations: EventDestinationView[];
  /** Resources left out because a property they need is unknown during preview, by type. */
  unknown: Map<string, number>;
  /** Route 53 records left out (name or value unknown during preview), with their type when known. */
  unknownRecords: { resource: PolicyResource; type?: string }[];
  /** Domains whose records are published outside Route 53 and listed by their MailDomain component. */
  externalDomains: Set<string>;
}

/** The region a resource is placed in: its own `region` (aws v7), else its provider's. */
export function regionOf(r: { props: Record<string, unknown>; provider?: { props: Record<string, unknown> } }): string | undefined {
  return known(() => str(r.props.region) ?? str(r.provider?.props.region))?.toLowerCase();
}

/** The text values of a Route 53 record's `records`, decoded from the provider's TXT form. */
export function recordValues(type: string, records: unknown): string[] {
  const values = strList(records);
  return type === "TXT" || type === "SPF" ? values.map(parseRoute53TxtValue) : values;
}

export function buildStackView(resources: readonly PolicyResource[]): StackView {
  const view: StackView = {
    identities: [],
    mailFroms: [],
    records: [],
    configurationSets: [],
    eventDestinations: [],
    unknown: new Map(),
    unknownRecords: [],
    externalDomains: new Set(),
  };
  const skip = (r: PolicyResource): void => {
    view.unknown.set(r.type, (view.unknown.get(r.type) ?? 0) + 1);
  };

  for (const r of resources) {
    if (r.isType(aws.sesv2.EmailIdentity)) {
      const v = known((): IdentityView => {
        const identity = normalizeIdentity(String(r.props.emailIdentity ?? ""));
        const dkim = obj(r.props.dkimSigningAttributes);
        const tokens = known(() => strList(dkim.tokens));
        return {
          resource: r,
          identity,
          isDomain: !identity.includes("@"),
          region: regionOf(r),
          tokens: tokens && tokens.length > 0 ? tokens : undefined,
          byodkim: known(() => str(dkim.domainSigningSelector) !== undefined || str(dkim.domainSigningPrivateKey) !== undefined) ?? false,
          dnsMode: known(() => str(obj(r.props.tags)[DNS_MODE_TAG])),
        };
      });
      if (v && v.identity !== "") view.identities.push(v);
      else skip(r);
    } else if (r.isType(aws.sesv2.EmailIdentityMailFromAttributes)) {
      const v = known((): MailFromView => {
        const mailFrom = str(r.props.mailFromDomain);
        return {
          resource: r,
          identity: normalizeIdentity(String(r.props.emailIdentity ?? "")),
          region: regionOf(r),
          ...(mailFrom ? { mailFromDomain: normalizeDomain(mailFrom) } : {}),
        };
      });
      if (v) view.mailFroms.push(v);
      else skip(r);
    } else if (r.isType(aws.route53.Record)) {
      const v = known((): RecordView | undefined => {
        const type = String(r.props.type ?? "").toUpperCase();
        // `name` first: `fqdn` is computed by the provider, so it is unknown for a record being created.
        const name = str(r.props.name) ?? str(r.props.fqdn);
        if (name === undefined) return undefined;
        return { resource: r, name: normalizeDomain(name), type, zoneId: str(r.props.zoneId), values: recordValues(type, r.props.records) };
      });
      if (v) view.records.push(v);
      else {
        skip(r);
        const type = known(() => str(r.props.type)?.toUpperCase());
        view.unknownRecords.push({ resource: r, ...(type ? { type } : {}) });
      }
    } else if (r.type === MAIL_DOMAIN_TYPE) {
      addExternalRecords(view, r);
    } else if (r.isType(aws.sesv2.ConfigurationSet)) {
      const v = known(() => ({ resource: r, name: String(r.props.configurationSetName ?? ""), region: regionOf(r) }));
      if (v) view.configurationSets.push(v);
      else skip(r);
    } else if (r.isType(aws.sesv2.ConfigurationSetEventDestination)) {
      const v = known((): EventDestinationView => {
        const d = obj(r.props.eventDestination);
        return {
          resource: r,
          configurationSetName: String(r.props.configurationSetName ?? ""),
          region: regionOf(r),
          enabled: d.enabled === true,
          eventTypes: strList(d.matchingEventTypes).map((t) => t.toUpperCase()),
        };
      });
      if (v) view.eventDestinations.push(v);
      else skip(r);
    }
  }
  return view;
}

/**
 * The records of an external-DNS domain, as they will be published: the `records` output of its
 * MailDomain component (lib/names MAIL_DOMAIN_TYPE), whose values are already text (TXT values
 * unquoted). A record whose name or values are unknown (DKIM CNAMEs at preview) is counted in
 * `unknownRecords`, like an unknown Route 53 record.
 */
function addExternalRecords(view: StackView, r: PolicyResource): void {
  if (known(() => str(r.props.dnsMode)) !== "external") return;
  const domain = known(() => str(r.props.domain));
  if (domain) view.externalDomains.add(normalizeDomain(domain));
  const entries = known(() => (Array.isArray(r.props.records) ? (r.props.records as unknown[]) : undefined));
  if (entries === undefined) {
    view.unknownRecords.push({ resource: r });
    return;
  }
  for (let i = 0; i < entries.length; i++) {
    const rec = known(() => {
      const e = obj(entries[i]);
      const name = str(e.name);
      const type = str(e.type)?.toUpperCase();
      return name === undefined || type === undefined ? undefined : { name: normalizeDomain(name), type, values: strList(e.values) };
    });
    if (rec) view.records.push({ resource: r, external: true, ...rec });
    else {
      const type = known(() => str(obj(entries[i]).type)?.toUpperCase());
      view.unknownRecords.push({ resource: r, ...(type ? { type } : {}) });
    }
  }
}

/** The unknown records that could be a record of `type` (every unknown record when its type is unknown too). */
export function unknownRecordsOfType(view: StackView, type: string): PolicyResource[] {
  return view.unknownRecords.filter((u) => u.type === undefined || u.type === type).map((u) => u.resource);
}

/** "name, name and N more": the names of resources in a note, kept short. */
export function resourceList(resources: readonly PolicyResource[], max = 3): string {
  return nameList(resources.map((r) => r.name), max);
}

/** "a, b and N more": names in a message, bounded so a stack of many domains keeps it short. */
export function nameList(list: readonly string[], max = 3): string {
  const names = [...new Set(list)];
  return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** Domains normalised (IDN to punycode, lowercase); addresses keep their local part. */
function normalizeIdentity(identity: string): string {
  const at = identity.lastIndexOf("@");
  return at === -1 ? normalizeDomain(identity) : `${identity.slice(0, at)}@${normalizeDomain(identity.slice(at + 1))}`;
}

/** Same region, when both are known; an unknown region matches (the rule cannot tell them apart). */
export function sameRegion(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/**
 * The IAM users that hold SES SMTP credentials: path /mail/ or tag mail-infra:role=ses-smtp
 * (lib/names). Returns their names.
 */
export function smtpUserNames(resources: readonly PolicyResource[]): Set<string> {
  const names = new Set<string>();
  for (const r of resources) {
    if (!r.isType(aws.iam.User)) continue;
    const name = known(() => {
      const isSmtp = str(r.props.path) === SMTP_USER_PATH || str(obj(r.props.tags)[ROLE_TAG]) === SMTP_ROLE;
      return isSmtp ? str(r.props.name) : undefined;
    });
    if (name) names.add(name);
  }
  return names;
}

/** The first known value of `prop` on a resource, as text (e.g. the `user` of an access key). */
export function propText(r: PolicyResource, prop: string): string | undefined {
  return known(() => str(r.props[prop]));
}
