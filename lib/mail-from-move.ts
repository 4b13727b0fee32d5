/**
 * Moving a live identity's MAIL FROM (issue 9). Under REJECT_MESSAGE, SES rejects a region's
 * mail from the moment its MAIL FROM changes until it has seen the new domain's MX, which can
 * take up to 72 hours. The program makes the move in two `pulumi up`s with evidence in between:
 *
 *   1. the new MAIL FROM together with mailFromBehaviorOnMxFailure USE_DEFAULT_VALUE: the new MX
 *      and SPF records are published before the attribute switches (the attribute `dependsOn`
 *      them), and while SES waits for the MX it sends with its own MAIL FROM (unaligned SPF,
 *      DKIM still aligns) instead of rejecting;
 *   2. once `npm run verify -- --only ses` shows the new MAIL FROM as SUCCESS, back to
 *      REJECT_MESSAGE.
 *
 * Step 1 under REJECT_MESSAGE is refused before any resource is declared, from the stack's own
 * last `verification` output (components/LastDeployment.ts), like an unsafe key rotation.
 * adopt stages its MAIL FROM moves the same way (lib/adopt.ts).
 */
import { z } from "zod";
import type { DomainConfig, MailFromBehavior } from "./config";
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
export function mailFromMoves(deployed: ReadonlyMap<string, string>, domains: readonly DomainConfig[]): MailFromMove[] {
  return domains.flatMap((d) =>
    d.regions.flatMap((r) => {
      const from = deployed.get(key(d.domain, r.region));
      return from === undefined || from === r.mailFromDomain
        ? []
        : [{ domain: d.domain, region: r.region, from, to: r.mailFromDomain, behavior: d.mailFromBehaviorOnMxFailure }];
    }),
  );
}

/** The pack's policy that step 1 trips on purpose (USE_DEFAULT_VALUE is flagged as mandatory). */
export const USE_DEFAULT_VALUE_POLICY = "aws-sesv2-emailidentitymailfromattributes-disallow-use-default-value";

/** The behaviour a MAIL FROM move runs under (step 1): SES sends unaligned instead of rejecting while it waits for the MX. */
export const MOVE_BEHAVIOR = "USE_DEFAULT_VALUE" satisfies MailFromBehavior;
/**
 * The behaviour once SES reports the new MAIL FROM SUCCESS (step 2): REJECT_MESSAGE, the only
 * one that keeps SPF alignment (the pack refuses USE_DEFAULT_VALUE). Every text that says what
 * to set after a move (this file, adopt's risks and steps, verify's fixes) comes from here.
 */
export const FINAL_BEHAVIOR = "REJECT_MESSAGE" satisfies MailFromBehavior;

/** The sentence every move ends with: what to set, and when. */
export function afterMailFromSuccess(stack = "<stack>"): string {
  return `Once \`npm run verify -- --stack ${stack} --only ses\` reports the new MAIL FROM SUCCESS in every region, set it back: \`pulumi config set --stack ${stack} mail-infra:mailFromBehaviorOnMxFailure ${FINAL_BEHAVIOR}\` and \`pulumi up --stack ${stack}\`.`;
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
        `(1) set mail-infra:mailFromBehaviorOnMxFailure to ${MOVE_BEHAVIOR} with the new MAIL FROM and pulumi up (the new MX and SPF are published before the switch; ` +
        `the pack flags USE_DEFAULT_VALUE, so give that up a --policy-pack-config with {"${USE_DEFAULT_VALUE_POLICY}": "advisory"}); ` +
        `(2) when \`npm run verify -- --only ses\` shows the new MAIL FROM as SUCCESS, set it back to ${FINAL_BEHAVIOR} and pulumi up.`,
    },
  ];
}
