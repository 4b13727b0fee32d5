/** SES layer checks: the account and each identity in each region, against the manifest. */
import type { ManifestDomain, ManifestRegion } from "../manifest";
import { REQUIRED_EVENT_TYPES } from "../names";
import { type FixMode, type FixStep, nameInUse, ownMailFromFix, sharedMailFroms } from "../mail-from-owner";
import { causeOf, finding, type Finding, inconclusive, type Observation } from "./findings";

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
          remediation: "Run `pulumi up` to create it (or check that verify looks at the right account and region).",
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
      ? "Run `pulumi refresh` then `pulumi up` so the stack and its DNS records follow the identity's current DKIM settings."
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

  const mf = id.mailFrom;
  const mfProblems: string[] = [];
  // A name other regions share serves one of them (lib/mail-from-owner): for the others the
  // fix is a name of their own, never an MX that names them.
  const shared = mf?.domain
    ? sharedMailFroms(
        domain.regions.filter((r) => r.mailFromDomain !== "").map((r) => ({ region: r.region, name: r.mailFromDomain })),
        context.mailFromMx,
      ).find((o) => o.name === mf.domain.toLowerCase() && o.regions.includes(region.region))
    : undefined;
  const notOwner = shared !== undefined && shared.owner !== region.region ? shared : undefined;
  if (!mf || mf.domain === "") mfProblems.push("no custom MAIL FROM: mail goes out with amazonses.com and SPF does not align");
  else {
    if (notOwner) mfProblems.push(`MAIL FROM ${mf.domain} is shared with ${notOwner.regions.filter((r) => r !== region.region).join(" and ")}; it serves ${notOwner.owner}${notOwner.by === "mx" ? " (its MX names that region's feedback host)" : ""}, so SES in ${region.region} cannot use it`);
    if (mf.domain !== region.mailFromDomain) mfProblems.push(`MAIL FROM is ${mf.domain}, the stack declares ${region.mailFromDomain}`);
    if (mf.status && mf.status !== "SUCCESS") mfProblems.push(`MAIL FROM status ${mf.status}: SES did not find the MX at ${mf.domain}`);
    if (mf.behaviorOnMxFailure && mf.behaviorOnMxFailure !== region.mailFromBehaviorOnMxFailure) {
      mfProblems.push(`behaviour on MX failure is ${mf.behaviorOnMxFailure}, the stack declares ${region.mailFromBehaviorOnMxFailure}`);
    }
  }
  const ownName = notOwner ? ownMailFromFix(notOwner, domain.domain, region.region, mode, nameInUse(domain.regions.map((r) => r.mailFromDomain))) : undefined;
  out.push(
    mfProblems.length === 0
      ? finding("ses", "ses.identity.mail-from", subject, "pass", `MAIL FROM ${mf?.domain} is SUCCESS`, { evidence: [`behaviour on MX failure ${mf?.behaviorOnMxFailure ?? "?"}`] })
      : finding("ses", "ses.identity.mail-from", subject, "fail", mfProblems[0], {
          evidence: mfProblems,
          remediation: ownName?.text ?? (mode === "stack" ? "Check the MAIL FROM MX in the DNS layer, then run `pulumi up`." : "Check the MAIL FROM MX in the DNS layer (dns.mail-from.mx) and fix it as it says; SES checks the MX again by itself."),
          ...(ownName ? { fix: ownName.steps } : {}),
          ...(region.unknown?.mailFromDomain ? { cause: causeOf(region.unknown.mailFromDomain) } : {}),
        }),
  );

  out.push(
    id.configurationSetName === region.configurationSet
      ? finding("ses", "ses.identity.configuration-set", subject, "pass", `default configuration set ${region.configurationSet}`)
      : finding("ses", "ses.identity.configuration-set", subject, "fail", id.configurationSetName ? `default configuration set is ${id.configurationSetName}, not ${region.configurationSet}` : "no default configuration set: TLS, suppression and event publishing do not apply", {
          remediation: "Run `pulumi up` to set it back.",
          ...(region.unknown?.configurationSet ? { cause: causeOf(region.unknown.configurationSet) } : {}),
        }),
  );
  return out;
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
          fix: `Turn on Easy DKIM for ${domain} in ${region} (run \`pulumi up\`, which declares it), then publish the CNAMEs the DNS layer lists.`,
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
      return [finding("ses", "ses.configuration-set", subject, "fail", "the configuration set does not exist", { remediation: "Run `pulumi up` to create it." })];
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
  const missing = ["BOUNCE", "COMPLAINT"].filter((r) => !(cs.suppressedReasons ?? []).includes(r));
  if (cs.suppressedReasons !== undefined && missing.length > 0) drift.push(`does not suppress ${missing.join(" and ")}`);
  const out: Finding[] = [
    drift.length === 0
      ? finding("ses", "ses.configuration-set", subject, "pass", `exists (TLS ${cs.tlsPolicy ?? "?"}, reputation metrics on)`)
      : finding("ses", "ses.configuration-set", subject, "warn", drift[0], { evidence: drift, remediation: "Run `pulumi up` to restore the declared settings." }),
  ];
  const covering = cs.eventDestinations.filter((e) => e.enabled && REQUIRED_EVENT_TYPES.every((t) => e.matchingEventTypes.includes(t)));
  out.push(
    covering.length > 0
      ? finding("ses", "ses.configuration-set.events", subject, "pass", `event destination ${covering[0].name} publishes BOUNCE and COMPLAINT`, { evidence: covering.map((e) => `${e.name}: ${e.matchingEventTypes.join(", ")}${e.target ? ` -> ${e.target}` : ""}`) })
      : finding("ses", "ses.configuration-set.events", subject, "fail", "no enabled event destination publishes BOUNCE and COMPLAINT: bounces go unseen", {
          evidence: cs.eventDestinations.map((e) => `${e.name}: ${e.enabled ? "enabled" : "disabled"}, ${e.matchingEventTypes.join(", ")}`),
          remediation: "Run `pulumi up` to restore the SNS event destination.",
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
