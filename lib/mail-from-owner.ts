/**
 * Who owns a MAIL FROM name (issue 17). One rule, used by config validation, adopt, the
 * policy pack, plan and verify:
 *
 *   A MAIL FROM name carries exactly one MX, naming `feedback-smtp.<region>.amazonses.com` of
 *   the region that sends with it (SES developer guide, "Using a custom MAIL FROM domain":
 *   https://docs.aws.amazon.com/ses/latest/dg/mail-from.html). So one name serves one region.
 *   When several regions use one name, the region whose feedback host the live MX names keeps
 *   it (it works today, and nothing may break it); when the MX names none of them, the first of
 *   them in the given order (the primary first) keeps it. Every other region gets a name of its
 *   own, `<label>-<region>.<domain>`, moved to under USE_DEFAULT_VALUE so no mail is rejected
 *   while SES waits for the new MX (lib/mail-from-move.ts), then REJECT_MESSAGE.
 *
 * The fix for a region that shares a name is never "point the MX at this region": that MX is
 * what the owning region's passing MAIL FROM check depends on.
 */
import { isSubdomainOf, normalizeDomain } from "./domain";
import { afterMailFromSuccess, MOVE_BEHAVIOR } from "./mail-from-move";
import { MAIL_FROM_MX_PRIORITY, mailFromMxHost, regionOfMailFromMxHost, SES_SPF_INCLUDE_DOMAIN } from "./regions";

/** One region's MAIL FROM name. */
export interface RegionMailFrom {
  region: string;
  name: string;
}

/** Who a MAIL FROM name serves. */
export interface MailFromOwnership {
  /** Normalised (lowercase, no trailing dot). */
  name: string;
  /** Every region that uses the name, in the order given. */
  regions: string[];
  /** The region the name serves. */
  owner: string;
  /** "mx": the live MX names the owner's feedback host; "order": it names none of them, so the first keeps it. */
  by: "mx" | "order";
  /** The regions that must move to a name of their own (all but the owner). */
  movers: string[];
}

/** The region among `among` whose feedback host the first matching MX value names (values "10 host"). */
export function mxOwnerRegion(mxValues: readonly string[], among: readonly string[]): string | undefined {
  return mxValues.map((v) => regionOfMailFromMxHost(v.trim().split(/\s+/).pop() ?? "")).find((r) => r !== undefined && among.includes(r));
}

/**
 * The owner of every MAIL FROM name in `uses` (shared or not), in first-use order. `mx` gives a
 * name's live MX values, undefined when they are not known (the owner is then the first user).
 */
export function mailFromOwnership(uses: readonly RegionMailFrom[], mx: (name: string) => readonly string[] | undefined = () => undefined): MailFromOwnership[] {
  const byName = new Map<string, string[]>();
  for (const u of uses) {
    const name = normalizeDomain(u.name);
    if (name === "") continue;
    const regions = byName.get(name) ?? [];
    if (!regions.includes(u.region)) regions.push(u.region);
    byName.set(name, regions);
  }
  return [...byName].map(([name, regions]) => {
    const viaMx = mxOwnerRegion(mx(name) ?? [], regions);
    const owner = viaMx ?? regions[0];
    return { name, regions, owner, by: viaMx !== undefined ? "mx" : "order", movers: regions.filter((r) => r !== owner) };
  });
}

/** The names that more than one region uses (each with its owner). */
export function sharedMailFroms(uses: readonly RegionMailFrom[], mx?: (name: string) => readonly string[] | undefined): MailFromOwnership[] {
  return mailFromOwnership(uses, mx).filter((o) => o.regions.length > 1);
}

/** A test for "this name is one of `names`" (case and a trailing dot ignored): a new name of a region's own must be none of them. */
export function nameInUse(names: readonly string[]): (name: string) => boolean {
  const used = new Set(names.map(normalizeDomain).filter((n) => n !== ""));
  return (name) => used.has(normalizeDomain(name));
}

/** The label of `name` under `domain` (bounce for bounce.example.com; mail.bounce for mail.bounce.example.com); the name itself when it is not under it. */
export function labelUnder(name: string, domain: string): string {
  const n = normalizeDomain(name);
  const d = normalizeDomain(domain);
  return isSubdomainOf(n, d) ? n.slice(0, -(d.length + 1)) : n;
}

/**
 * The name a region gets of its own, derived from `base` (a full name or a label): the label
 * with `-<region>` under the domain (bounce.example.com -> bounce-us-west-2.example.com), as the
 * config's default for a non-primary region (mail-infra:mailFromSubdomain-<region>). `taken`
 * says which names are in use already: then -2, -3... is added to the first label.
 */
export function regionalMailFromName(base: string, domain: string, region: string, taken: (name: string) => boolean = () => false): string {
  const d = normalizeDomain(domain);
  const first = `${labelUnder(base, d)}-${region}.${d}`;
  let n = first;
  for (let i = 2; taken(n); i++) n = first.replace(/^([^.]+)/, `$1-${i}`);
  return n;
}

/** The one sentence config, policy and verify use for a name two regions share. */
export function sharedNameProblem(o: Pick<MailFromOwnership, "name" | "regions">): string {
  return `${o.name} is the MAIL FROM of ${o.regions.join(" and ")}, but its one MX can name only one region's feedback host, so it can serve only one of them.`;
}

/** Where a fix is carried out: a stack (config + pulumi up) or discovery mode (AWS and DNS by hand). */
export type FixMode = "stack" | "discovery";

/** One machine-readable step of a fix: what it changes (verify's findings carry these). */
export type FixStep =
  /** Make the record set at name/type exactly `values`. */
  | { kind: "dns-record-set"; name: string; type: "CNAME" | "MX" | "TXT"; values: string[] }
  /** Set an identity's MAIL FROM in one region. */
  | { kind: "ses-mail-from"; domain: string; region: string; mailFromDomain: string; behaviorOnMxFailure: "REJECT_MESSAGE" | "USE_DEFAULT_VALUE" }
  /** Set an identity's next DKIM signing key length in one region. */
  | { kind: "ses-dkim-key-length"; domain: string; region: string; nextSigningKeyLength: "RSA_2048_BIT" };

/** The SPF record a MAIL FROM name needs, whatever region uses it (SES developer guide, "Using a custom MAIL FROM domain"). */
export const MAIL_FROM_SPF = `v=spf1 include:${SES_SPF_INCLUDE_DOMAIN} ~all`;

/** The records a MAIL FROM name needs to serve `region`. */
export function mailFromRecordSteps(name: string, region: string): FixStep[] {
  return [
    { kind: "dns-record-set", name, type: "MX", values: [`${MAIL_FROM_MX_PRIORITY} ${mailFromMxHost(region)}`] },
    { kind: "dns-record-set", name, type: "TXT", values: [MAIL_FROM_SPF] },
  ];
}

export interface OwnNameFix {
  /** The steps, in order: the new name's records, then the MAIL FROM under USE_DEFAULT_VALUE. */
  steps: FixStep[];
  /** What to do, in words, with the commands of the mode. */
  text: string;
  newName: string;
}

/**
 * The fix for `region`, which shares `o.name` with `o.owner` (the region the name serves): a
 * MAIL FROM name of its own, switched under USE_DEFAULT_VALUE; when the region's chosen behaviour
 * (`final`) is REJECT_MESSAGE, that is set back once SES reports the new name SUCCESS. The owner's
 * MX is left as it is. `taken` lists names in use (never reused).
 */
export function ownMailFromFix(o: MailFromOwnership, domain: string, region: string, mode: FixMode, taken: (name: string) => boolean = () => false, stack = "<stack>", final: "REJECT_MESSAGE" | "USE_DEFAULT_VALUE" = "USE_DEFAULT_VALUE"): OwnNameFix {
  // The new name is o.name's label with -<region> added, so it is never o.name itself.
  const newName = regionalMailFromName(o.name, domain, region, taken);
  const steps: FixStep[] = [...mailFromRecordSteps(newName, region), { kind: "ses-mail-from", domain, region, mailFromDomain: newName, behaviorOnMxFailure: MOVE_BEHAVIOR }];
  const serves = `${o.name} serves ${o.owner}${o.by === "mx" ? " (its MX names that region's feedback host)" : ""}: leave its MX as it is.`;
  const text =
    mode === "stack"
      ? `${serves} Give ${region} its own MAIL FROM, as adopt does: set mail-infra:regionalMailFromSubdomains ${region}=${labelUnder(newName, domain)}${final === "REJECT_MESSAGE" ? ` and, for this up, mail-infra:mailFromBehaviorOnMxFailure ${MOVE_BEHAVIOR}` : ""}, and \`pulumi up\` (the new MX and SPF are published before the switch; under ${MOVE_BEHAVIOR} SES sends unaligned instead of rejecting while it waits for them). ${afterMailFromSuccess(stack, final)}`
      : `${serves} Give ${region} its own MAIL FROM, as \`npm run adopt\` does: (1) publish MX "${MAIL_FROM_MX_PRIORITY} ${mailFromMxHost(region)}" and TXT "${MAIL_FROM_SPF}" at ${newName}; (2) \`aws sesv2 put-email-identity-mail-from-attributes --email-identity ${domain} --mail-from-domain ${newName} --behavior-on-mx-failure ${MOVE_BEHAVIOR} --region ${region}\` (${MOVE_BEHAVIOR}: while SES looks for the new MX, for up to 72 h, it sends with its own MAIL FROM instead of rejecting)${final === "REJECT_MESSAGE" ? `; (3) when verify shows ${newName} SUCCESS in ${region}, run the same command with --behavior-on-mx-failure REJECT_MESSAGE` : ""}.`;
  return { steps, text, newName };
}
