/**
 * Moving a live identity's MAIL FROM (issue 9). Under REJECT_MESSAGE, SES rejects a region's
 * mail from the moment its MAIL FROM changes until it has seen the new domain's MX, which can
 * take up to 72 hours. Under USE_DEFAULT_VALUE (the default, docs/architecture.md "MAIL FROM
 * when its MX fails") SES sends with its own MAIL FROM meanwhile (unaligned SPF, DKIM still
 * aligns): the move is one `pulumi up`. A stack that chose REJECT_MESSAGE makes it in two ups
 * with evidence in between:
 *
 *   1. the new MAIL FROM together with mailFromBehaviorOnMxFailure USE_DEFAULT_VALUE: the new MX
 *      and SPF records are published before the attribute switches (the attribute `dependsOn`
 *      them);
 *   2. once `npm run verify -- --only ses` shows the new MAIL FROM as SUCCESS, back to
 *      REJECT_MESSAGE.
 *
 * Step 1 under REJECT_MESSAGE is refused before any resource is declared, from the stack's own
 * last `verification` output (components/LastDeployment.ts), like an unsafe key rotation.
 * adopt stages its MAIL FROM moves the same way (lib/adopt.ts).
 */
import { z } from "zod";

/** What SES does when the MAIL FROM domain's MX is missing (SES v2 BehaviorOnMxFailure); lib/config.ts re-exports it. */
export type MailFromBehavior = "REJECT_MESSAGE" | "USE_DEFAULT_VALUE";

/** The part of a domain's config (lib/config.ts DomainConfig) a move reads; declared here so this module does not import config, which imports it. */
export interface MovingDomain {
  readonly domain: string;
  readonly regions: readonly { readonly region: string; readonly mailFromDomain: string }[];
  readonly mailFromBehaviorOnMxFailure: MailFromBehavior;
}
import { readLastOutput } from "./last-deployment";

const lastMailFromSchema = z.object({
  domains: z.array(z.object({ domain: z.string(), regions: z.array(z.object({ region: z.string(), mailFromDomain: z.string() })) })),
});

const key = (domain: string, region: string): string => `${domain}/${region}`;

/**
 * Each live identity's MAIL FROM domain at the last deployment, by `domain/region` ("" when it
 * had none). Empty on a first deployment or when the output is not readable.
 */
export function deployedMailFrom(verification: unknown): Map<string, string> {
  const last = readLastOutput(verification, lastMailFromSchema);
  return new Map((last?.domains ?? []).flatMap((d) => d.regions.map((r) => [key(d.domain, r.region), r.mailFromDomain] as const)));
}

export interface MailFromMove {
  readonly domain: string;
  readonly region: string;
  /** "" when the live identity had no custom MAIL FROM. */
  readonly from: string;
  readonly to: string;
  readonly behavior: MailFromBehavior;
}

/** The live identities whose MAIL FROM this config changes. A region new to the stack is no move. */
export function mailFromMoves(deployed: ReadonlyMap<string, string>, domains: readonly MovingDomain[]): MailFromMove[] {
  return domains.flatMap((d) =>
    d.regions.flatMap((r) => {
      const from = deployed.get(key(d.domain, r.region));
      return from === undefined || from === r.mailFromDomain
        ? []
        : [{ domain: d.domain, region: r.region, from, to: r.mailFromDomain, behavior: d.mailFromBehaviorOnMxFailure }];
    }),
  );
}

/** The behaviour a MAIL FROM move runs under: SES sends unaligned instead of rejecting while it waits for the new MX. */
export const MOVE_BEHAVIOR = "USE_DEFAULT_VALUE" satisfies MailFromBehavior;

/**
 * What to do once SES reports the new MAIL FROM SUCCESS, for a stack whose chosen behaviour is
 * `final`: set REJECT_MESSAGE back when that is the stack's choice; nothing under the default
 * USE_DEFAULT_VALUE. Every text that says what to set after a move (this file, adopt's risks and
 * steps, verify's fixes) comes from here, so none can disagree.
 */
export function afterMailFromSuccess(stack = "<stack>", final: MailFromBehavior = "USE_DEFAULT_VALUE"): string {
  return final === "REJECT_MESSAGE"
    ? `Once \`npm run verify -- --stack ${stack} --only ses\` reports the new MAIL FROM SUCCESS in every region, set it back: \`pulumi config set --stack ${stack} mail-infra:mailFromBehaviorOnMxFailure REJECT_MESSAGE\` and \`pulumi up --stack ${stack}\`.`
    : `Nothing to set back afterwards: the stack keeps ${MOVE_BEHAVIOR} (docs/architecture.md, "MAIL FROM when its MX fails"); \`npm run verify -- --stack ${stack} --only ses\` fails ses.identity.mail-from until SES reports the new MAIL FROM SUCCESS.`;
}

/** Config issues for moves that would reject mail: a move under REJECT_MESSAGE. */
export function mailFromMoveIssues(moves: readonly MailFromMove[]): { key: string; message: string }[] {
  const unsafe = moves.filter((m) => m.behavior === "REJECT_MESSAGE");
  if (unsafe.length === 0) return [];
  const list = unsafe.map((m) => `${m.domain} in ${m.region}: ${m.from || "(no custom MAIL FROM)"} -> ${m.to}`).join("; ");
  return [
    {
      key: "mailFromBehaviorOnMxFailure",
      message:
        `this config moves the MAIL FROM of a live identity (${list}) while the behaviour on MX failure is REJECT_MESSAGE: ` +
        "SES would reject that region's mail until it sees the new MX, for up to 72 h. Move it in two ups: " +
        `(1) set mail-infra:mailFromBehaviorOnMxFailure to ${MOVE_BEHAVIOR} with the new MAIL FROM and pulumi up (the new MX and SPF are published before the switch, and SES sends unaligned instead of rejecting while it looks for the MX); ` +
        "(2) when `npm run verify -- --only ses` shows the new MAIL FROM as SUCCESS, set it back to REJECT_MESSAGE and pulumi up.",
    },
  ];
}
