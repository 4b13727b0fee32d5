/**
 * The adoption runbook (docs/adopting.md) on a live world: mail that already works, set up by
 * hand. adopt's own planner (lib/adopt.ts `planAdoption`) reads that world (the LiveSetup is
 * built from what the world shows, as scripts/adopt/discover.ts reads AWS) and its output, the
 * stack config and import.json, drive `pulumi import` and the ups of the runbook.
 */
import { type ImportEntry, type LiveSetup, planAdoption } from "../../lib/adopt";
import { PROJECT } from "../../lib/config";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import type { ConfigValues } from "./model";
import type { RunbookStep } from "./runbook";
import { DAY, HOUR, World } from "./world";

export const ADOPT_DOMAIN = "example.com";
export const ADOPT_ZONE = "Z0ADOPTENGINE00000001";
export const ADOPT_SENDER = `admin@${ADOPT_DOMAIN}`;
const LEGACY_USER = "ses-smtp-user.legacy";

/**
 * The live setup of docs/adopting.md: identities in us-east-1 and us-west-2 sharing the MAIL
 * FROM bounce.example.com (its MX names `mxRegion`; docs/adopting.md's case is us-west-2), an apex TXT set with SPF and two site
 * verifications, DMARC, a web record, and a legacy SMTP user whose key the Gmail alias uses.
 */
export function liveWorld(mxRegion = "us-east-1"): { world: World; foreign: Map<string, string[]> } {
  const world = new World();
  const D = ADOPT_DOMAIN;
  for (const region of ["us-east-1", "us-west-2"]) {
    const tokens = [1, 2, 3].map((i) => `live${i}${region.replace(/-/g, "")}`);
    world.identities.set(world.identityKey(region, D), {
      domain: D,
      region,
      tokens,
      keyLength: "RSA_2048_BIT",
      configurationSetName: undefined,
      dkimVerified: true,
      mailFrom: { domain: `bounce.${D}`, behavior: "REJECT_MESSAGE", status: "SUCCESS", since: world.now - 30 * DAY },
    });
    for (const t of tokens) world.putForeignRecord(`${t}._domainkey.${D}`, "CNAME", [`${t}.dkim.amazonses.com`], 1800);
  }
  world.putForeignRecord(`bounce.${D}`, "MX", [`10 feedback-smtp.${mxRegion}.amazonses.com`], 1800);
  world.putForeignRecord(`bounce.${D}`, "TXT", ["v=spf1 include:amazonses.com ~all"], 1800);
  world.putForeignRecord(D, "TXT", ["v=spf1 include:_spf.google.com include:amazonses.com ~all", "google-site-verification=abc123", "MS=ms4711"], 1800);
  world.putForeignRecord(`_dmarc.${D}`, "TXT", ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"], 1800);
  world.putForeignRecord(`www.${D}`, "CNAME", ["example.github.io"], 300);
  // The legacy SMTP user and its key, which the Gmail alias holds.
  world.users.add(LEGACY_USER);
  const id = "AKIALEGACYSMTPKEY001";
  const secret = "legacy/secret/key/for/the/alias/000000";
  world.keys.set(id, { id, user: LEGACY_USER, secret, status: "Active", created: world.now - 400 * DAY, uses: [] });
  world.relays.push({ address: ADOPT_SENDER, region: "us-east-1", username: id, password: deriveSmtpPasswordV4(secret, "us-east-1"), every: 6 * HOUR, nextSend: world.now + HOUR });
  world.advance(3 * DAY);
  // What is not the program's and must survive: the web record and the other apex TXT values.
  const foreign = new Map<string, string[]>([
    [`www.${D}|CNAME`, ["example.github.io"]],
    [`${D}|TXT`, ["google-site-verification=abc123", "MS=ms4711"]],
  ]);
  return { world, foreign };
}

/** What `npm run adopt` reads from the world: the LiveSetup its discovery builds from AWS. */
export function discover(world: World, regions: readonly string[]): LiveSetup {
  const recordSets = [...world.dns.entries()].map(([key, rs]) => {
    const [name, type] = key.split("|") as [string, string];
    return { name, type, ttl: rs.ttl, values: [...rs.values] };
  });
  const keys = [...world.keys.values()].filter((k) => k.user === LEGACY_USER);
  const latest = keys.map((k) => ({ k, u: world.lastUsed(k.id) })).find((x) => x.u.lastUsedDate);
  return {
    domain: ADOPT_DOMAIN,
    regions: [...regions],
    identities: regions.flatMap((region) => {
      const i = world.identities.get(world.identityKey(region, ADOPT_DOMAIN));
      if (!i) return [];
      return [{
        region,
        dkimTokens: [...i.tokens],
        dkimStatus: i.dkimVerified ? "SUCCESS" : "PENDING",
        nextSigningKeyLength: i.keyLength,
        currentSigningKeyLength: i.keyLength,
        ...(i.mailFrom ? { mailFrom: { domain: i.mailFrom.domain, behaviorOnMxFailure: i.mailFrom.behavior, status: i.mailFrom.status } } : {}),
        ...(i.configurationSetName ? { configurationSetName: i.configurationSetName } : {}),
      }];
    }),
    dns: { mode: "route53", zoneId: ADOPT_ZONE, zoneName: ADOPT_DOMAIN, recordSets },
    sendUsers: [
      {
        userName: LEGACY_USER,
        arn: `arn:aws:iam::123456789012:user/${LEGACY_USER}`,
        accessKeyIds: keys.map((k) => k.id),
        grantedBy: ["inline AmazonSesSendingAccess"],
        ...(latest ? { lastSesLogin: { accessKeyId: latest.k.id, date: latest.u.lastUsedDate, region: latest.u.region } } : {}),
      },
    ],
  };
}

/** adopt's stack config as the engine takes it (full keys; booleans as Pulumi's strings). */
export function adoptedConfig(config: Record<string, string | number | boolean | string[]>): ConfigValues {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "boolean" ? String(v) : v]));
}

/** import.json's entries as URNs: each entry's parent chain gives its qualified type (components are not kept by the model). */
export function importUrns(entries: readonly ImportEntry[], stack: string): { urn: string; type: string; id: string }[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const qualified = (e: ImportEntry): string => (e.parent ? `${qualified(byName.get(e.parent)!)}$${e.type}` : e.type);
  return entries.filter((e) => !e.component && e.id).map((e) => ({ urn: `urn:pulumi:${stack}::${PROJECT}::${qualified(e)}::${e.name}`, type: e.type, id: e.id! }));
}

/** docs/adopting.md, steps 1 to 7, with the config adopt wrote. */
export function adoptionRunbook(world: World): { config: ConfigValues; steps: RunbookStep[]; imports: ImportEntry[] } {
  const plan = planAdoption(discover(world, ["us-east-1", "us-west-2"]), "prod");
  const config = adoptedConfig(plan.config);
  const steps: RunbookStep[] = [
    { kind: "import", title: "4. pulumi import --file adopt-prod/import.json", entries: () => importUrns(plan.imports.resources, "prod") },
    { kind: "config", title: "4. pulumi preview; pulumi up (the config adopt wrote)" },
    { kind: "verify-until", title: "4./5. npm run verify -- --stack prod until MAIL FROM is SUCCESS in every region", check: "ses.identity.mail-from", maxHours: 72 },
    { kind: "config", title: "5. Back to REJECT_MESSAGE; pulumi up", set: { [`${PROJECT}:mailFromBehaviorOnMxFailure`]: "REJECT_MESSAGE" } },
    {
      kind: "config",
      title: "6. Add the alias to mail-infra:senders; pulumi up",
      set: { [`${PROJECT}:senders`]: [`address=${ADOPT_SENDER}; kind=gmail-send-as; account=owner@gmail.com; region=us-east-1`] },
    },
    { kind: "relay-fix", title: "6. npm run relay-fix -- --stack prod --sender admin@example.com", sender: ADOPT_SENDER },
    { kind: "wait", title: "A week of mail", hours: 7 * 24 },
    {
      kind: "manual",
      title: "7. Retire the old SMTP user (aws iam update-access-key ... Inactive, a week, delete-access-key, delete-user)",
      act: (w) => {
        for (const k of [...w.keys.values()].filter((x) => x.user === LEGACY_USER)) w.keys.delete(k.id);
        w.users.delete(LEGACY_USER);
        return `deleted ${LEGACY_USER} and its key`;
      },
    },
    { kind: "wait", title: "A week of mail", hours: 7 * 24 },
    { kind: "verify-until", title: "npm run verify -- --stack prod --only ses", check: "ses", maxHours: 1 },
  ];
  return { config, steps, imports: plan.imports.resources };
}
