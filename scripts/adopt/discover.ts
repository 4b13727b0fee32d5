/**
 * Discovery for `npm run adopt`: read the live setup of one domain with the verify collectors
 * (scripts/verify/aws.ts: SES v2, IAM, and the Route 53 reads added for adoption). Reads only:
 * nothing here writes to AWS.
 */
import { AdoptionError, grantsSesSend, type LiveConfigurationSet, type LiveDns, type LiveIdentity, type LiveNamesakes, type LiveRecordSet, type LiveRoutedSet, type LiveSendUser, type LiveSetup } from "../../lib/adopt";
import { isRoute53ZoneId } from "../../lib/aws-ids";
import { defaultSmtpSecretName, defaultSmtpUserName } from "../../lib/config";
import { configurationSetName, eventTopicName } from "../../lib/names";
import { isSubdomainOf, normalizeDomain } from "../../lib/domain";
import { parseRoute53TxtValue } from "../../lib/records";
import type { Observation } from "../../lib/verify/findings";
import type { AwsCollector } from "../verify/aws";

export interface AdoptInput {
  domain: string;
  regions: string[];
  /** A hosted zone id (Z...) or name; default: the public zone named after the domain or a parent. */
  zone?: string;
  /** The stack adopted into: names the program's SMTP user and secret. */
  stack: string;
}

/** The value, or an AdoptionError saying what could not be read and what permission it needs. */
function need<T>(o: Observation<T>, what: string): T {
  if (o.ok) return o.value;
  throw new AdoptionError(`could not read ${what}: ${o.message}${o.needs ? `. ${o.needs}` : ""}`);
}

/** The value, undefined when AWS answers that it does not exist, else an AdoptionError. */
function needOrAbsent<T>(o: Observation<T>, what: string): T | undefined {
  if (!o.ok && o.reason === "notfound") return undefined;
  return need(o, what);
}

const MANAGED_TYPES = new Set(["CNAME", "MX", "TXT"]);

function normalise(rs: { name: string; type: string; ttl?: number; values: string[] }): LiveRecordSet {
  const values = rs.values.map((v) => (rs.type === "TXT" ? parseRoute53TxtValue(v) : v.trim().toLowerCase().replace(/\.$/, "")));
  return { name: rs.name, type: rs.type, ...(rs.ttl !== undefined ? { ttl: rs.ttl } : {}), values };
}

async function discoverDns(domain: string, zone: string | undefined, aws: AwsCollector): Promise<LiveDns> {
  let zoneId: string | undefined;
  let zoneName: string | undefined;
  if (zone && isRoute53ZoneId(zone)) {
    zoneId = zone;
  } else {
    // The zone named after the domain, else the closest parent zone that holds it.
    const labels = (zone ? normalizeDomain(zone) : domain).split(".");
    for (let i = 0; i < labels.length - 1 && !zoneId; i++) {
      const name = labels.slice(i).join(".");
      const zones = need(await aws.hostedZonesNamed(name), `the Route 53 hosted zones named ${name}`).filter((z) => !z.private);
      if (zones.length > 1) {
        throw new AdoptionError(`Route 53 has ${zones.length} public hosted zones named ${name} (${zones.map((z) => z.id).join(", ")}): pass --zone with the id of the one the domain's name servers serve.`);
      }
      if (zones.length === 1) {
        zoneId = zones[0].id;
        zoneName = name;
      }
      if (zone) break;
    }
    if (!zoneId) {
      return { mode: "external", why: zone ? `no public Route 53 hosted zone named ${zone}` : `no public Route 53 hosted zone for ${domain} or a parent of it` };
    }
  }
  const sets = need(await aws.recordSets(zoneId), `the record sets of hosted zone ${zoneId}`);
  if (!zoneName) {
    const soa = sets.find((s) => s.type === "SOA");
    zoneName = soa?.name ?? domain;
  }
  if (!(zoneName === domain || isSubdomainOf(domain, zoneName))) {
    throw new AdoptionError(`hosted zone ${zoneId} is ${zoneName}, which does not hold ${domain}. Pass --zone with the zone of ${domain}.`);
  }
  // Every CNAME/MX/TXT set at or under the domain: each name the program could declare. The
  // routed ones (a set identifier) and aliases are kept apart: the program declares neither,
  // and planAdoption names those at a name and type it declares.
  const candidates = sets.filter((s) => MANAGED_TYPES.has(s.type) && (s.name === domain || isSubdomainOf(s.name, domain)));
  const routed = (s: { alias: boolean; setIdentifier?: string }): boolean => s.alias || s.setIdentifier !== undefined;
  const recordSets = candidates.filter((s) => !routed(s)).map(normalise);
  const routedSets: LiveRoutedSet[] = candidates.filter(routed).map((s) => ({ name: s.name, type: s.type, ...(s.setIdentifier !== undefined ? { setIdentifier: s.setIdentifier } : {}), alias: s.alias }));
  return { mode: "route53", zoneId, zoneName, recordSets, ...(routedSets.length > 0 ? { routedSets } : {}) };
}

async function discoverSendUsers(aws: AwsCollector): Promise<LiveSendUser[]> {
  const users = need(await aws.users(), "the IAM users");
  const out: LiveSendUser[] = [];
  await Promise.all(
    users.map(async (u) => {
      const policies = need(await aws.userPolicies(u.userName), `the policies of IAM user ${u.userName}`);
      const grantedBy = policies.filter((p) => grantsSesSend(p.document)).map((p) => p.source);
      if (grantedBy.length === 0) return;
      const keys = need(await aws.accessKeys(u.userName), `the access keys of IAM user ${u.userName}`);
      // The latest SES use of its keys: an SMTP login (GetAccessKeyLastUsed, service "ses").
      let lastSesLogin: LiveSendUser["lastSesLogin"];
      for (const k of keys) {
        const use = need(await aws.keyLastUsed(k.id), `the last use of access key ${k.id} (IAM user ${u.userName})`);
        if (use.serviceName !== "ses") continue;
        if (!lastSesLogin || (use.lastUsedDate ?? "") > (lastSesLogin.date ?? "")) {
          lastSesLogin = { accessKeyId: k.id, ...(use.lastUsedDate ? { date: use.lastUsedDate } : {}), ...(use.region ? { region: use.region } : {}) };
        }
      }
      out.push({ userName: u.userName, arn: u.arn, accessKeyIds: keys.map((k) => k.id), grantedBy, ...(lastSesLogin ? { lastSesLogin } : {}) });
    }),
  );
  return out.sort((a, b) => a.userName.localeCompare(b.userName));
}

/**
 * The live resources that carry the names the program would create: per region its
 * configuration set (with its settings) and SNS topic; the stack's SMTP secret (looked for in
 * every region read: the primary is the first with an identity); the stack's SMTP user.
 */
async function discoverNamesakes(domain: string, regions: readonly string[], stack: string, aws: AwsCollector): Promise<LiveNamesakes> {
  const csName = configurationSetName(domain);
  const account = need(await aws.callerAccount(), "the AWS account id (for the SNS topic ARN)");
  const configurationSets: LiveConfigurationSet[] = [];
  const topics: LiveNamesakes["topics"] = [];
  const secrets: LiveNamesakes["secrets"] = [];
  await Promise.all(
    regions.map(async (region) => {
      const cs = needOrAbsent(await aws.configurationSet(region, csName), `configuration set ${csName} in ${region}`);
      if (cs) configurationSets.push({ region, name: csName, ...cs, eventDestinations: cs.eventDestinations });
      const arn = `arn:aws:sns:${region}:${account}:${eventTopicName(domain)}`;
      const topic = needOrAbsent(await aws.topic(region, arn), `SNS topic ${arn}`);
      if (topic) topics.push({ region, arn: topic.arn });
      const secret = needOrAbsent(await aws.secretMetadata(region, defaultSmtpSecretName(stack)), `secret ${defaultSmtpSecretName(stack)} in ${region}`);
      if (secret) secrets.push({ region, ...secret });
    }),
  );
  const users = need(await aws.users(), "the IAM users");
  const named = users.find((u) => u.userName === defaultSmtpUserName(stack));
  let user: LiveNamesakes["user"];
  if (named) {
    const keys = need(await aws.accessKeys(named.userName), `the access keys of IAM user ${named.userName}`);
    user = { userName: named.userName, arn: named.arn, path: named.path, accessKeyIds: keys.map((k) => k.id) };
  }
  const byRegion = (a: { region: string }, b: { region: string }): number => regions.indexOf(a.region) - regions.indexOf(b.region);
  return { configurationSets: configurationSets.sort(byRegion), topics: topics.sort(byRegion), secrets: secrets.sort(byRegion), ...(user ? { user } : {}), userNames: users.map((u) => u.userName) };
}

/** Read the live setup of `input.domain`: SES identities per region, Route 53, IAM send users. */
export async function discoverLive(input: AdoptInput, aws: AwsCollector): Promise<LiveSetup> {
  const domain = normalizeDomain(input.domain);
  const identities: LiveIdentity[] = [];
  for (const region of input.regions) {
    const o = await aws.identity(region, domain);
    if (!o.ok && o.reason === "notfound") continue;
    const v = need(o, `the SES identity ${domain} in ${region}`);
    identities.push({
      region,
      dkimTokens: v.dkim.tokens,
      ...(v.dkim.status ? { dkimStatus: v.dkim.status } : {}),
      ...(v.dkim.nextSigningKeyLength ? { nextSigningKeyLength: v.dkim.nextSigningKeyLength } : {}),
      ...(v.dkim.currentSigningKeyLength ? { currentSigningKeyLength: v.dkim.currentSigningKeyLength } : {}),
      ...(v.mailFrom?.domain ? { mailFrom: { domain: v.mailFrom.domain, ...(v.mailFrom.behaviorOnMxFailure ? { behaviorOnMxFailure: v.mailFrom.behaviorOnMxFailure } : {}), ...(v.mailFrom.status ? { status: v.mailFrom.status } : {}) } } : {}),
      ...(v.configurationSetName ? { configurationSetName: v.configurationSetName } : {}),
    });
  }
  const found = identities.map((i) => i.region);
  // Email-address identities under the domain (admin@<domain> verified on its own): SES
  // authorises a send from that address against it, not against the domain's identity.
  const addressIdentities: { region: string; address: string }[] = [];
  for (const region of found) {
    const all = need(await aws.emailIdentities(region), `the SES identities in ${region}`);
    for (const i of all) {
      if (i.type === "EMAIL_ADDRESS" && i.name.toLowerCase().endsWith(`@${domain}`)) addressIdentities.push({ region, address: i.name.toLowerCase() });
    }
  }
  const [dns, sendUsers, namesakes] = await Promise.all([discoverDns(domain, input.zone, aws), discoverSendUsers(aws), found.length > 0 ? discoverNamesakes(domain, found, input.stack, aws) : undefined]);
  return { domain, regions: input.regions, identities, dns, sendUsers, ...(namesakes ? { namesakes } : {}), ...(addressIdentities.length > 0 ? { addressIdentities } : {}) };
}
