/** SES layer checks: the account and each identity in each region, against the manifest. */
import type { ManifestDomain, ManifestRegion } from "../../../../lib/manifest";
import { REQUIRED_EVENT_TYPES } from "../../../../lib/names";
import { type FixMode, type FixStep, nameInUse, ownMailFromFix, sharedMailFroms } from "../../../../lib/mail-from-owner";
import { causeOf, finding, type Finding, inconclusive, type Observation } from "../../../../lib/verify/findings";

export interface SesAccountState {
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
  enforcementStatus?: string;
  max24HourSend?: number;
  sentLast24Hours?: number;
  /** Account-level suppression list reasons. */
  suppressedReasons: string[];
}

export interface SesIdentityState {
  verifiedForSending: boolean;
  verificationStatus?: string;
  dkim: {
    signingEnabled: boolean;
    status?: string;
    tokens: string[];
    signingHostedZone?: string;
    currentSigningKeyLength?: string;
    nextSigningKeyLength?: string;
  };
  mailFrom?: { domain: string; status?: string; behaviorOnMxFailure?: string };
  configurationSetName?: string;
}

export interface SesConfigurationSetState {
  tlsPolicy?: string;
  reputationMetricsEnabled?: boolean;
  sendingEnabled?: boolean;
  suppressedReasons?: string[];
  eventDestinations: { name: string; enabled: boolean; matchingEventTypes: string[]; target?: string }[];
}

export interface SuppressionState {
  reason: string;
  lastUpdateTime?: string;
}

/** Quota use above this share of the 24-hour limit is a warning. */
export const QUOTA_WARN_RATIO = 0.8;

/**
 * The fix for a live setting that differs from what the last `pulumi up` deployed (drift). The
 * engine diffs the program against its state, not against AWS, so a plain `pulumi up` sees no
 * change; `--refresh` re-reads the resources first (Pulumi CLI docs, pulumi refresh: "compares
 * the current stack's resource state with the state known to exist in the actual cloud
 * provider"). Pulumi.yaml sets `options.refresh: always`, so a plain `pulumi up` in this project
 * refreshes too; the flag is spelled out so the advice holds wherever it is run.
 */
export const DRIFT_FIX = "If the change was not intended, run `pulumi up --refresh`: it re-reads the live setting and puts the declared one back (a plain `pulumi up` compares with Pulumi's state, not with AWS). If it was, put it in the stack config.";

export function checkSesAccount(region: string, account: Observation<SesAccountState>): Finding[] {
  const subject = `account in ${region}`;
  if (!account.ok) {
    return ["ses.account.sending"].map((id) => inconclusive("ses", id, subject, "the SES account", account));
  }
  const a = account.value;
  const out: Finding[] = [];
  out.push(
    a.sendingEnabled
      ? finding("ses", "ses.account.sending", subject, "pass", "sending is enabled")
      : finding("ses", "ses.account.sending", subject, "fail", `sending is paused for the whole account in ${region}`, {
          remediation: "Find why in the SES console (Reputation metrics, and any AWS notice), fix it, then resume with `aws sesv2 put-account-sending-attributes --sending-enabled`.",
        }),
  );
  out.push(
    a.productionAccessEnabled
      ? finding("ses", "ses.account.production", subject, "pass", "production access (out of the sandbox)")
      : finding("ses", "ses.account.production", subject, "fail", `the account is in the SES sandbox in ${region}: it can only send to verified addresses, at most 200 messages a day`, {
          remediation: `Request production access for ${region}: SES console > Account dashboard > Request production access (or \`aws sesv2 put-account-details --production-access-enabled ...\`).`,
        }),
  );
  const status = a.enforcementStatus ?? "HEALTHY";
  out.push(
    status === "HEALTHY"
      ? finding("ses", "ses.account.enforcement", subject, "pass", "enforcement status HEALTHY")
      : finding("ses", "ses.account.enforcement", subject, status === "SHUTDOWN" ? "fail" : "warn", `enforcement status ${status}`, {
          remediation: "Read the notice from AWS, bring bounce and complaint rates down (SES console > Reputation metrics), and answer the case.",
        }),
  );
  if (a.max24HourSend !== undefined && a.sentLast24Hours !== undefined && a.max24HourSend > 0) {
    const ratio = a.sentLast24Hours / a.max24HourSend;
    const text = `${a.sentLast24Hours} of ${a.max24HourSend} messages in the last 24 hours (${Math.round(ratio * 100)}%)`;
    out.push(
      ratio > QUOTA_WARN_RATIO
        ? finding("ses", "ses.account.quota", subject, "warn", text, { remediation: "Request a higher sending quota before it runs out (Service Quotas > Amazon SES > Sending quota)." })
        : finding("ses", "ses.account.quota", subject, "pass", text),
    );
  }
  const missing = ["BOUNCE", "COMPLAINT"].filter((r) => !a.suppressedReasons.includes(r));
  out.push(
    missing.length === 0
      ? finding("ses", "ses.account.suppression", subject, "pass", "account suppression list covers BOUNCE and COMPLAINT")
      : finding("ses", "ses.account.suppression", subject, "warn", `the account suppression list does not cover ${missing.join(" and ")}`, {
          evidence: [`suppressed reasons: ${a.suppressedReasons.join(", ") || "none"}`],
          remediation: "Run `aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE COMPLAINT` (the configuration set covers mail sent through it).",
        }),
  );
  return out;
}

/** What checkSesIdentity needs beyond the identity: how fixes are carried out, and the live MX of MAIL FROM names regions share. */
export interface SesIdentityContext {
  mode?: FixMode;
  /** The live MX values of a MAIL FROM name, undefined when not known (then the first region in order owns a shared name). */
  mailFromMx?: (name: string) => readonly string[] | undefined;
}

/**
 * The fix for a current 1024-bit Easy DKIM key, per mode. SES generates the next key with
 * NextSigningKeyLength, which "can be changed at most once per day"
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_DkimSigningAttributes.html).
 */
export function dkimKeyLengthFix(domain: string, region: string, next: string | undefined, mode: FixMode, declared?: string): { text: string; fix: FixStep[] } {
  if (next === "RSA_2048_BIT") {
    return {
      text: `NextSigningKeyLength is already RSA_2048_BIT in ${region}: SES signs with a 2048-bit key from the next key pair it generates (GetEmailIdentity's LastKeyGenerationTimestamp shows the last one); nothing to change. SES allows one key-length change a day: do not switch it back.`,
      fix: [],
    };
  }
  const step: FixStep = { kind: "ses-dkim-key-length", domain, region, nextSigningKeyLength: "RSA_2048_BIT" };
  const oncePerDay = "SES allows one key-length change per identity a day, and the new key replaces the current one at SES's next key generation (the CNAMEs stay the same).";
  // A stack that already declares 2048 bits drifted: pulumi up diffs against its state, so only a refresh lets it see the change.
  if (mode === "stack" && declared === "RSA_2048_BIT") {
    return { text: `The stack declares RSA_2048_BIT but the identity's next key is ${next ?? "not 2048-bit"} (changed outside the stack): \`pulumi refresh\` (so the state sees it) then \`pulumi up\` sets it back. ${oncePerDay}`, fix: [step] };
  }
  return mode === "stack"
    ? { text: `Move to 2048 bits: \`pulumi config set mail-infra:dkimSigningKeyLength RSA_2048_BIT\` (it sets NextSigningKeyLength) and \`pulumi up\`. ${oncePerDay}`, fix: [step] }
    : {
        text: `Move to 2048 bits: \`aws sesv2 put-email-identity-dkim-signing-attributes --email-identity ${domain} --signing-attributes-origin AWS_SES --signing-attributes NextSigningKeyLength=RSA_2048_BIT --region ${region}\` (each region on its own). ${oncePerDay}`,
        fix: [step],
      };
}

export function checkSesIdentity(domain: ManifestDomain, region: ManifestRegion, identity: Observation<SesIdentityState>, context: SesIdentityContext = {}): Finding[] {
  const mode = context.mode ?? "stack";
  const subject = `${domain.domain} in ${region.region}`;
  if (!identity.ok) {
    if (identity.reason === "notfound") {
      return [
        finding("ses", "ses.identity.verified", subject, "fail", `no SES identity for ${domain.domain} in ${region.region}`, {
          remediation: "Run `pulumi up --refresh` to create it again: the refresh drops the deleted identity from the state (a plain `pulumi up` compares with the state and sees nothing to do). A new identity gets new DKIM tokens. Or check that verify looks at the right account and region.",
          // Discovery mode could not learn the tokens, MAIL FROM or configuration set either: one cause.
          cause: causeOf(identity),
        }),
      ];
    }
    return [inconclusive("ses", "ses.identity.verified", subject, "the identity", identity)];
  }
  const id = identity.value;
  const out: Finding[] = [];
  out.push(
    id.verifiedForSending
      ? finding("ses", "ses.identity.verified", subject, "pass", "verified for sending", { evidence: [`DKIM status ${id.dkim.status ?? "?"}`] })
      : finding("ses", "ses.identity.verified", subject, "fail", `not verified for sending (status ${id.verificationStatus ?? id.dkim.status ?? "PENDING"})`, {
          evidence: [`VerifiedForSendingStatus false`, `DKIM status ${id.dkim.status ?? "?"}`],
          remediation: "SES verifies a domain by finding its DKIM CNAMEs: check the DNS layer below, then wait (up to 72 hours) or re-run verify.",
        }),
  );

  // The DKIM check: the status SES reports, then the signing setup against the stack. The
  // status of an identity that is not verified is evidence of ses.identity.verified above, so a
  // pending identity fails one check, not two.
  const setupFix =
    mode === "stack"
      ? "Run `pulumi up --refresh` so the stack and its DNS records follow the identity's current DKIM settings."
      : `Look at the identity's DKIM settings in the SES console (${region.region}) and publish the CNAMEs the DNS layer lists.`;
  const dkimIssues: DkimIssue[] = id.verifiedForSending ? dkimStatusIssues(domain.domain, region.region, id.dkim.status) : [];
  if (!id.dkim.signingEnabled) dkimIssues.push({ status: "fail", text: "DKIM signing is disabled", fix: setupFix });
  const expectedTokens = [...region.dkimTokens].sort();
  const foundTokens = [...id.dkim.tokens].sort();
  if (expectedTokens.join() !== foundTokens.join()) dkimIssues.push({ status: "fail", text: `tokens differ from the stack (expected ${expectedTokens.join(", ")}; found ${foundTokens.join(", ") || "none"})`, fix: setupFix });
  if (id.dkim.signingHostedZone && id.dkim.signingHostedZone !== region.signingHostedZone) {
    dkimIssues.push({ status: "fail", text: `signing host is ${id.dkim.signingHostedZone}, the stack published CNAMEs into ${region.signingHostedZone}`, fix: setupFix });
  }
  if (id.dkim.currentSigningKeyLength === "RSA_1024_BIT") {
    const k = dkimKeyLengthFix(domain.domain, region.region, id.dkim.nextSigningKeyLength, mode, region.dkimSigningKeyLength);
    dkimIssues.push({ status: "fail", text: "the current DKIM key is 1024-bit", fix: k.text, steps: k.fix });
  }
  // The most serious issue leads; the others are evidence.
  const worst = dkimIssues.find((i) => i.status === "fail") ?? dkimIssues[0];
  out.push(
    worst === undefined
      ? finding("ses", "ses.identity.dkim", subject, "pass", `Easy DKIM signing on, tokens match the stack`, { evidence: [`DKIM status ${id.dkim.status ?? "?"}`, `key ${id.dkim.currentSigningKeyLength ?? "?"}`, `signing host ${id.dkim.signingHostedZone ?? region.signingHostedZone}`] })
      : finding("ses", "ses.identity.dkim", subject, worst.status, worst.text, {
          evidence: [...dkimIssues.map((i) => i.text), ...(dkimIssues.some((i) => i.text.startsWith("DKIM status")) ? [] : [`DKIM status ${id.dkim.status ?? "?"}`])],
          remediation: worst.fix,
          ...(worst.steps ? { fix: worst.steps } : {}),
          ...(region.unknown?.dkimTokens ? { cause: causeOf(region.unknown.dkimTokens) } : {}),
        }),
  );

  // A name other regions share serves one of them (lib/mail-from-owner): for the others the
  // fix is a name of their own, never an MX that names them.
  const mf = id.mailFrom;
  const shared = mf?.domain
    ? sharedMailFroms(
        domain.regions.filter((r) => r.mailFromDomain !== "").map((r) => ({ region: r.region, name: r.mailFromDomain })),
        context.mailFromMx,
      ).find((o) => o.name === mf.domain.toLowerCase() && o.regions.includes(region.region))
    : undefined;
  const notOwner = shared !== undefined && shared.owner !== region.region ? shared : undefined;
  // The behaviour the region keeps after the move: the stack's choice, or in discovery what SES reports.
  const chosen = mode === "stack" ? region.mailFromBehaviorOnMxFailure : (mf?.behaviorOnMxFailure ?? region.mailFromBehaviorOnMxFailure);
  const final = chosen === "REJECT_MESSAGE" ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE";
  let sharedProblem: { text: string; fix: string; steps: FixStep[] } | undefined;
  if (notOwner && mf) {
    const ownName = ownMailFromFix(notOwner, domain.domain, region.region, mode, nameInUse(domain.regions.map((r) => r.mailFromDomain)), undefined, final);
    sharedProblem = {
      text: `MAIL FROM ${mf.domain} is shared with ${notOwner.regions.filter((r) => r !== region.region).join(" and ")}; it serves ${notOwner.owner}${notOwner.by === "mx" ? " (its MX names that region's feedback host)" : ""}, so SES in ${region.region} cannot use it`,
      fix: ownName.text,
      steps: ownName.steps,
    };
  }
  out.push(checkMailFrom(domain.domain, region, mf, { mode, shared: sharedProblem }));

  out.push(
    id.configurationSetName === region.configurationSet
      ? finding("ses", "ses.identity.configuration-set", subject, "pass", `default configuration set ${region.configurationSet}`)
      : finding("ses", "ses.identity.configuration-set", subject, "fail", id.configurationSetName ? `default configuration set is ${id.configurationSetName}, not ${region.configurationSet}` : "no default configuration set: TLS, suppression and event publishing do not apply", {
          remediation: DRIFT_FIX,
          ...(region.unknown?.configurationSet ? { cause: causeOf(region.unknown.configurationSet) } : {}),
        }),
  );
  return out;
}

/**
 * What SES does with a region's mail while its MAIL FROM status is not SUCCESS (SES API v2
 * MailFromAttributes, https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MailFromAttributes.html:
 * "These behaviors are taken when the custom MAIL FROM domain configuration is in the Pending,
 * Failed, and TemporaryFailure states"; REJECT_MESSAGE "returns a MailFromDomainNotVerified error,
 * and doesn't attempt to deliver the email", USE_DEFAULT_VALUE sends "using amazonses.com as the
 * MAIL FROM domain"). The behaviour SES reports is the one it applies; the stack's is used only
 * when SES reports none.
 */
export function mailFromConsequence(domain: string, region: string, behavior: string | undefined): string {
  switch (behavior) {
    case "REJECT_MESSAGE":
      return `SES rejects every message from ${domain} in ${region} (MailFromDomainNotVerified) until it finds the MX`;
    case "USE_DEFAULT_VALUE":
      return `SES sends ${domain}'s mail in ${region} with its own MAIL FROM (amazonses.com): SPF does not align and DMARC rests on DKIM alone`;
    default:
      return `what SES does with the mail depends on the behaviour on MX failure (${behavior ?? "not reported"})`;
  }
}

/** What each MAIL FROM status means (same API reference, MailFromDomainStatus). */
const MAIL_FROM_STATUS: Record<string, string> = {
  PENDING: "SES has not found the MX yet (after a change it looks for up to 72 hours)",
  TEMPORARY_FAILURE: "a temporary problem keeps SES from checking the MX (it retries; after 72 hours it turns FAILED)",
  FAILED: "SES cannot find the MX, or it no longer exists",
};

/**
 * ses.identity.mail-from: the custom MAIL FROM, its status and its behaviour against the stack.
 * Any status but SUCCESS fails, whatever the behaviour: under REJECT_MESSAGE the region's mail
 * is rejected, under USE_DEFAULT_VALUE it goes out unaligned; SES mails state changes only to
 * the account's root address, so verify is the alert. No status at all is no evidence: it
 * cannot pass.
 */
export function checkMailFrom(
  domain: string,
  region: ManifestRegion,
  mf: SesIdentityState["mailFrom"],
  opts: { mode?: FixMode; shared?: { text: string; fix: string; steps: FixStep[] } } = {},
): Finding {
  // Discovery mode has no stack to put a setting back: the fix is the SES call itself.
  const driftFix =
    (opts.mode ?? "stack") === "stack"
      ? DRIFT_FIX
      : `Set it with \`aws sesv2 put-email-identity-mail-from-attributes --email-identity ${domain} --mail-from-domain <name> --behavior-on-mx-failure <behaviour> --region ${region.region}\` once the name's MX and SPF are published (the DNS layer lists them).`;
  const subject = `${domain} in ${region.region}`;
  const cause = region.unknown?.mailFromDomain ? { cause: causeOf(region.unknown.mailFromDomain) } : {};
  if (!mf || mf.domain === "") {
    return finding("ses", "ses.identity.mail-from", subject, "fail", "no custom MAIL FROM: mail goes out with amazonses.com and SPF does not align", {
      evidence: ["MailFromAttributes.MailFromDomain empty"],
      remediation: driftFix,
      ...cause,
    });
  }
  const behavior = mf.behaviorOnMxFailure ?? region.mailFromBehaviorOnMxFailure;
  const problems: { status: "fail" | "inconclusive"; text: string; fix: string; steps?: FixStep[] }[] = [];
  if (opts.shared) problems.push({ status: "fail", ...opts.shared });
  if (mf.status !== "SUCCESS") {
    if (mf.status === undefined) {
      problems.push({ status: "inconclusive", text: `SES reported no MAIL FROM status for ${mf.domain}: no evidence that it found the MX`, fix: "Re-run verify; if SES still reports no status, look at the identity in the SES console (Custom MAIL FROM domain)." });
    } else {
      const meaning = MAIL_FROM_STATUS[mf.status] ?? "a status verify does not know";
      const again =
        mf.status === "FAILED"
          ? ` If it stays FAILED once the MX is right, set the MAIL FROM again so SES looks anew: \`aws sesv2 put-email-identity-mail-from-attributes --email-identity ${domain} --mail-from-domain ${mf.domain} --behavior-on-mx-failure ${behavior} --region ${region.region}\`.`
          : " SES keeps checking by itself: re-run verify.";
      problems.push({
        status: "fail",
        text: `MAIL FROM ${mf.domain} status ${mf.status}: ${meaning}; ${mailFromConsequence(domain, region.region, behavior)}`,
        // A name another region owns can never reach SUCCESS here: pointing its MX at this
        // region, or setting the same name again, would break the owner. The shared fix (a name
        // of this region's own) is the whole fix.
        fix: opts.shared
          ? opts.shared.fix
          : `Check dns.mail-from.mx below: ${mf.domain} needs exactly one MX, to SES's feedback host of ${region.region}.${again} SES tells only the account's root address when this status changes, so run verify on a schedule (docs/monitoring.md).`,
      });
    }
  }
  if (mf.domain !== region.mailFromDomain) problems.push({ status: "fail", text: `MAIL FROM is ${mf.domain}, the stack declares ${region.mailFromDomain}`, fix: driftFix });
  if (mf.behaviorOnMxFailure && mf.behaviorOnMxFailure !== region.mailFromBehaviorOnMxFailure) {
    problems.push({ status: "fail", text: `behaviour on MX failure is ${mf.behaviorOnMxFailure}, the stack declares ${region.mailFromBehaviorOnMxFailure}`, fix: driftFix });
  }
  const evidence = [`status ${mf.status ?? "not reported"}`, `behaviour on MX failure ${mf.behaviorOnMxFailure ?? "not reported"}`];
  if (problems.length === 0) return finding("ses", "ses.identity.mail-from", subject, "pass", `MAIL FROM ${mf.domain} is SUCCESS`, { evidence });
  const worst = problems.find((p) => p.status === "fail") ?? problems[0];
  // The leading problem's fix first, then the others' in order, each once.
  const fixes = [worst.fix, ...problems.map((p) => p.fix)].filter((f, i, all) => all.indexOf(f) === i);
  return finding("ses", "ses.identity.mail-from", subject, worst.status, worst.text, {
    evidence: [...problems.map((p) => p.text), ...evidence],
    remediation: fixes.join(" "),
    fix: problems.flatMap((p) => p.steps ?? []),
    ...cause,
  });
}

interface DkimIssue {
  status: "fail" | "warn";
  text: string;
  fix: string;
  steps?: FixStep[];
}

/**
 * What the DKIM status of a verified identity means (SES v2 DkimAttributes.Status). FAILED and
 * NOT_STARTED fail: SES does not sign, and does nothing about it by itself. PENDING and
 * TEMPORARY_FAILURE warn: SES is still looking and resolves them itself, while mail already
 * goes out; verify says what to watch. SUCCESS (or no status at all) is no issue.
 */
export function dkimStatusIssues(domain: string, region: string, status: string | undefined): DkimIssue[] {
  switch (status) {
    case undefined:
    case "SUCCESS":
      return [];
    case "FAILED":
      return [
        {
          status: "fail",
          text: "DKIM status FAILED: SES did not find the DKIM records and no longer looks for them, so it does not sign this domain's mail",
          fix: `Publish the DKIM CNAMEs exactly as the DNS layer lists them (dns.dkim), then restart DKIM verification for ${domain} in ${region} (SES console > Verified identities > ${domain} > Authentication).`,
        },
      ];
    case "NOT_STARTED":
      return [
        {
          status: "fail",
          text: "DKIM status NOT_STARTED: DKIM verification was never started, so SES does not sign this domain's mail",
          fix: `Turn on Easy DKIM for ${domain} in ${region} (run \`pulumi up --refresh\`, which declares it), then publish the CNAMEs the DNS layer lists.`,
        },
      ];
    case "PENDING":
      return [
        {
          status: "warn",
          text: "DKIM status PENDING: SES has not found the DKIM records yet (it keeps looking for up to 72 hours)",
          fix: "Check that the DKIM CNAMEs resolve (dns.dkim below) and re-run verify later; if the status turns FAILED, SES stops looking.",
        },
      ];
    case "TEMPORARY_FAILURE":
      return [
        {
          status: "warn",
          text: "DKIM status TEMPORARY_FAILURE: a temporary problem keeps SES from determining the DKIM status",
          fix: "SES retries by itself: check that the DKIM CNAMEs resolve from the internet (dns.dkim below) and re-run verify later.",
        },
      ];
    default:
      return [{ status: "warn", text: `DKIM status ${status} is not one verify knows`, fix: "Look at the identity in the SES console and re-run verify when its DKIM status is SUCCESS." }];
  }
}

export function checkSesConfigurationSet(region: ManifestRegion, state: Observation<SesConfigurationSetState>): Finding[] {
  const subject = `configuration set ${region.configurationSet || "(unknown)"} in ${region.region}`;
  // Discovery mode could not name the set: say so (with the identity's cause), never guess a name.
  if (region.unknown?.configurationSet) return [inconclusive("ses", "ses.configuration-set", subject, "the configuration set", region.unknown.configurationSet)];
  if (!state.ok) {
    if (state.reason === "notfound") {
      return [finding("ses", "ses.configuration-set", subject, "fail", "the configuration set does not exist", { remediation: "Run `pulumi up --refresh` to create it again (a plain `pulumi up` compares with Pulumi's state, which still has it)." })];
    }
    return [inconclusive("ses", "ses.configuration-set", subject, "the configuration set", state)];
  }
  const cs = state.value;
  if (cs.sendingEnabled === false) {
    return [
      finding("ses", "ses.configuration-set", subject, "fail", "sending is paused for this configuration set: SES refuses every message that uses it", {
        evidence: ["SendingOptions.SendingEnabled false"],
        remediation: `Find why (SES sometimes pauses a configuration set over reputation), then resume: \`aws sesv2 put-configuration-set-sending-options --configuration-set-name ${region.configurationSet} --sending-enabled --region ${region.region}\`.`,
      }),
    ];
  }
  const drift: string[] = [];
  if (cs.tlsPolicy !== undefined && cs.tlsPolicy !== region.tlsPolicy) drift.push(`TLS policy ${cs.tlsPolicy}, the stack declares ${region.tlsPolicy}`);
  if (cs.reputationMetricsEnabled === false) drift.push("reputation metrics are off");
  // GetConfigurationSet without SuppressionOptions: the set has no setting of its own to compare.
  const reasons = cs.suppressedReasons;
  const missing = reasons === undefined ? [] : ["BOUNCE", "COMPLAINT"].filter((r) => !reasons.includes(r));
  if (missing.length > 0) drift.push(`does not suppress ${missing.join(" and ")}`);
  const out: Finding[] = [
    drift.length === 0
      ? finding("ses", "ses.configuration-set", subject, "pass", `exists (TLS ${cs.tlsPolicy ?? "?"}, reputation metrics on)`)
      : finding("ses", "ses.configuration-set", subject, "warn", drift[0], { evidence: drift, remediation: DRIFT_FIX }),
  ];
  const covering = cs.eventDestinations.filter((e) => e.enabled && REQUIRED_EVENT_TYPES.every((t) => e.matchingEventTypes.includes(t)));
  out.push(
    covering.length > 0
      ? finding("ses", "ses.configuration-set.events", subject, "pass", `event destination ${covering[0].name} publishes BOUNCE and COMPLAINT`, { evidence: covering.map((e) => `${e.name}: ${e.matchingEventTypes.join(", ")}${e.target ? ` -> ${e.target}` : ""}`) })
      : finding("ses", "ses.configuration-set.events", subject, "fail", "no enabled event destination publishes BOUNCE and COMPLAINT: bounces go unseen", {
          evidence: cs.eventDestinations.map((e) => `${e.name}: ${e.enabled ? "enabled" : "disabled"}, ${e.matchingEventTypes.join(", ")}`),
          remediation: "Run `pulumi up --refresh` to restore the SNS event destination (a plain `pulumi up` compares with Pulumi's state, not with AWS).",
        }),
  );
  return out;
}

export function checkRecipient(region: string, recipient: string, state: Observation<SuppressionState>): Finding {
  const subject = `${recipient} in ${region}`;
  if (!state.ok) {
    if (state.reason === "notfound") return finding("ses", "ses.recipient.suppression", subject, "pass", "not on the account suppression list");
    return inconclusive("ses", "ses.recipient.suppression", subject, "the suppression list", state);
  }
  return finding("ses", "ses.recipient.suppression", subject, "fail", `on the suppression list since ${state.value.lastUpdateTime ?? "an unknown date"} (reason ${state.value.reason}): SES drops mail to it without trying`, {
    evidence: [`reason ${state.value.reason}`, `last update ${state.value.lastUpdateTime ?? "?"}`],
    remediation: `If the address works again, remove it: \`aws sesv2 delete-suppressed-destination --email-address ${recipient} --region ${region}\`. A ${state.value.reason} means it ${state.value.reason === "COMPLAINT" ? "marked your mail as spam: ask before you remove it" : "bounced hard: confirm the mailbox exists first"}.`,
  });
}
