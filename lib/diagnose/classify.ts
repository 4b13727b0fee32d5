/**
 * classify(): one Failure -> one Verdict. Structure and codes decide (the RFC 3463 enhanced
 * status code, the SMTP reply code, which host refused, the SMTP stage, the SES bounce type);
 * the wording of the text only confirms, or decides between codes that are equally generic.
 */
import { isEmailAddress } from "../domain";
import { regionOfSmtpEndpoint } from "../regions";
import { parseSendDenial } from "../ses-denial";
import type { Confidence, DiagnoseLayer, Failure, Verdict } from "./types";

export interface Codes {
  /** RFC 3463 enhanced status code, the most specific one found (class.subject.detail). */
  enhanced?: { klass: number; subject: number; detail: number; text: string };
  /** The SMTP reply code (RFC 5321), e.g. 535. */
  reply?: number;
  /** The SMTP command the server answered, when the text names it. */
  stage?: "CONNECT" | "EHLO" | "STARTTLS" | "AUTH" | "MAIL FROM" | "RCPT TO" | "DATA";
}

const ENHANCED = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;
const REPLY = /(?:^|[\s;'"(#])([245]\d\d)(?=[\s-]|$)/;

function enhancedOf(s: string | undefined): Codes["enhanced"] {
  const m = s ? ENHANCED.exec(s) : null;
  if (!m) return undefined;
  return { klass: Number(m[1]), subject: Number(m[2]), detail: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}` };
}

/** The codes of a failure: the Status field, unless the server's own response is more specific. */
export function codesOf(f: Failure): Codes {
  const fromStatus = enhancedOf(f.status);
  const fromDiag = enhancedOf(f.diagnostic);
  // A reporting MTA often writes a generic Status (5.0.0) above the server's precise answer.
  const generic = (e: Codes["enhanced"]) => !e || (e.subject === 0 && e.detail === 0);
  const enhanced = fromDiag && (generic(fromStatus) || fromDiag.klass === fromStatus?.klass) ? fromDiag : (fromStatus ?? fromDiag);
  const r = f.diagnostic ? REPLY.exec(f.diagnostic) : null;
  const reply = r ? Number(r[1]) : undefined;
  return { ...(enhanced ? { enhanced } : {}), ...(reply !== undefined ? { reply } : {}), ...stageOf(f.diagnostic ?? "", reply) };
}

function stageOf(text: string, reply: number | undefined): Pick<Codes, "stage"> {
  const m = /\b(?:after|in reply to|during|in response to)\s+(?:the\s+)?(AUTH|MAIL FROM|RCPT TO|end of DATA|DATA|STARTTLS|EHLO|HELO|connect)/i.exec(text);
  if (m) {
    const s = m[1]!.toUpperCase();
    const stage = s === "HELO" ? "EHLO" : s === "END OF DATA" ? "DATA" : s === "CONNECT" ? "CONNECT" : (s as NonNullable<Codes["stage"]>);
    return { stage };
  }
  // 530/534/535 only ever answer AUTH (or a command refused for want of it).
  if (reply === 535 || reply === 534 || reply === 530) return { stage: "AUTH" };
  return {};
}

const host = (h: string | undefined): string => (h ?? "").toLowerCase().replace(/\.$/, "");
/** Amazon SES: its SMTP endpoints (email-smtp.<region>.amazonaws.com) and its outbound MTAs (*.amazonses.com). */
export const isSesHost = (h: string | undefined): boolean => /(^|\.)amazonses\.com$/.test(host(h)) || regionOfSmtpEndpoint(host(h)) !== undefined;
/** Exchange Online / Microsoft 365: *.outlook.com, *.protection.outlook.com, *.prod.outlook.com. */
export const isExchangeHost = (h: string | undefined): boolean => /(^|\.)(outlook\.com|outlook\.office365\.com|exchangelabs\.com)$/.test(host(h));
export const isGoogleHost = (h: string | undefined): boolean => /(^|\.)(google\.com|googlemail\.com|gmail\.com)$/.test(host(h));

export interface ClassifyContext {
  /** The stack to name in next-step commands (default: a STACK placeholder). */
  stack?: string;
}

const SENDER_AUTH_WORDS = /\b(spf|dkim|dmarc|unauthenticated|authentication checks?|sender policy framework|not pass (?:dmarc|spf|dkim))\b/i;
const SES_REFUSAL = [
  { re: /address (?:is )?blacklisted|suppression list|suppressed/i, cause: "SES did not send: the address is on a suppression list (SES's global list or the account's)" },
  // Before "not verified": SES's MailFromDomainNotVerified (the identity's custom MAIL FROM domain has no MX, and it is set to reject then).
  { re: /mail from domain.*not verified|MailFromDomainNotVerified/i, cause: "SES refused the message: the identity's custom MAIL FROM domain is not verified (SES could not find its MX record) and the identity is set to reject mail then" },
  { re: /(?:email )?address(?:es)? (?:is |are )?not verified|identities failed the check|not authorized to send from/i, cause: "SES refused the message: the From address or domain is not a verified identity in that region (or, in the sandbox, the recipient is not verified)" },
  { re: /sending (?:paused|suspended|disabled)|account (?:is )?(?:paused|suspended)/i, cause: "SES refused the message: sending is paused for the account or configuration set" },
  { re: /daily (?:message|sending) quota exceeded/i, cause: "SES refused the message: the account's daily sending quota is used up" },
] as const;

/**
 * verify's option that picks layers. The recipient-side verdicts point at verify's `recipient`
 * layer (MX, the recipient domain's DMARC policy, MTA-STS, TLS-RPT): one place to change if the
 * option is renamed.
 */
export const VERIFY_LAYERS_OPTION = "--only";

function commands(f: Failure, ctx: ClassifyContext) {
  const stack = `--stack ${ctx.stack ?? "STACK"}`;
  const verify = (layers: string, recipient = true) => `npm run verify -- ${stack} ${VERIFY_LAYERS_OPTION} ${layers}${recipient ? ` --recipient ${f.recipient}` : ""}`;
  return {
    relayFix: `npm run relay-fix -- ${stack} --sender ${f.sender ?? "SENDER"}`,
    /** Our account and identity, and the recipient on the suppression list. */
    ses: verify("ses"),
    /** Our SPF, DKIM, DMARC, and how strictly the recipient's domain judges them. */
    senderAuth: verify("dns,recipient"),
    /** The recipient's domain: MX, DMARC policy, MTA-STS, TLS-RPT. */
    recipient: verify("recipient"),
  };
}

/** The quoted reason in a cause: the server's own words, cut. */
const said = (f: Failure): string => {
  const d = (f.diagnostic ?? "").replace(/\s+/g, " ").trim();
  return d ? ` ("${d.length > 160 ? `${d.slice(0, 160)}…` : d}")` : "";
};

export function classify(f: Failure, ctx: ClassifyContext = {}): Verdict {
  const c = codesOf(f);
  const cmd = commands(f, ctx);
  const e = c.enhanced;
  const text = `${f.diagnostic ?? ""}\n${f.evidence.join("\n")}`;
  const atSes = isSesHost(f.remoteMta) || (f.source === "ses-notification" && !f.remoteMta);
  const atExchange = isExchangeHost(f.remoteMta) || isExchangeHost(f.reportingMta) || f.source === "exchange";
  const verdict = (layer: DiagnoseLayer, cause: string, confidence: Confidence, next: string): Verdict => ({ recipient: f.recipient, layer, cause, evidence: f.evidence, confidence, next });
  const codeName = [e?.text, c.reply].filter(Boolean).join("/") || "no status code";

  // SES's own feedback says what SES did, before any code.
  if (f.source === "ses-notification") {
    // A complaint is about our reputation and SES's suppression of the address: the ses layer shows both.
    if (f.sesType === "Complaint") return verdict("recipient-policy", `the recipient marked the message as spam (complaint${f.sesBounceType ? ` type ${f.sesBounceType}` : ""}); SES now suppresses the address and complaints weigh on the account's reputation`, "high", cmd.ses);
    // SES's Reject event: it accepted the message, found a virus in it and did not send it.
    if (f.sesType === "Reject") return verdict("ses", `SES accepted the message but did not send it: it found a virus in it (Reject event${f.diagnostic ? `, reason "${f.diagnostic}"` : ""})`, "high", cmd.ses);
    if (f.sesType === "RenderingFailure") return verdict("ses", `SES could not render the template${said(f)}`, "high", cmd.ses);
    if (/^(Suppressed|OnAccountSuppressionList)$/.test(f.sesBounceSubType ?? "")) {
      return verdict("ses", `SES did not send: the address is on ${f.sesBounceSubType === "Suppressed" ? "SES's global suppression list" : "the account's suppression list"} (bounceSubType ${f.sesBounceSubType})`, "high", cmd.ses);
    }
    // A permanent bounce's subtype is SES's own reading of the recipient's answer: structure, before the text.
    if (f.sesBounceType === "Permanent") {
      if (f.sesBounceSubType === "NoEmail") return verdict("recipient-mailbox", `the recipient's server says the address does not exist (SES bounceSubType NoEmail)${said(f)}`, "high", cmd.recipient);
      if (f.sesBounceSubType === "MailboxFull") return verdict("recipient-mailbox", `the recipient's mailbox is full (SES bounceSubType MailboxFull)${said(f)}`, "high", cmd.recipient);
      if (/^(ContentRejected|AttachmentRejected|MessageTooLarge)$/.test(f.sesBounceSubType ?? "")) return verdict("recipient-policy", `the recipient's server refused the message's content (SES bounceSubType ${f.sesBounceSubType}${e ? `, ${codeName}` : ""})${said(f)}`, "high", cmd.recipient);
    }
  }

  // A relay that could not log in to SES: the stage is AUTH (535/534/530, 5.7.8/5.7.9) at an SES endpoint.
  // The server's own reply decides whether it is permanent: a relay that soft-bounces a 535 (Postfix's
  // smtp_sasl_auth_soft_bounce) reports Status 4.7.0 and Action delayed, but the password stays wrong.
  const authFailure = c.stage === "AUTH" || (e?.klass === 5 && e.subject === 7 && (e.detail === 8 || e.detail === 9)) || (c.reply === 535);
  const serverClass = c.reply !== undefined ? Math.floor(c.reply / 100) : e?.klass;
  if (authFailure && serverClass !== 4) {
    const retried = f.action === "delayed" ? "; the relay keeps retrying (Action: delayed), and every retry fails the same way until its password is replaced" : "";
    if (atSes) return verdict("relay-auth", `the relay could not authenticate to SES at ${f.remoteMta ?? "its SMTP endpoint"} (${codeName}): the SMTP password it holds is stale or wrong${retried}${said(f)}`, "high", cmd.relayFix);
    const gmailRelay = f.source === "gmail" || isGoogleHost(f.reportingMta);
    return verdict("relay-auth", `the relay could not authenticate to its SMTP server${f.remoteMta ? ` ${f.remoteMta}` : ""} (${codeName})${said(f)}`, gmailRelay ? "medium" : "low", cmd.relayFix);
  }

  // SES refused after a successful login because IAM denied the send (lib/ses-denial): the
  // resource names the identity SES authorised against. An email-address identity takes
  // precedence over its domain's, so a policy that names only the domain denies its address.
  const denial = parseSendDenial(text);
  if (denial) {
    const address = denial.identity !== undefined && isEmailAddress(denial.identity) ? denial.identity : undefined;
    return verdict(
      "ses",
      address
        ? `SES refused the send: the SMTP user's policy does not allow ${denial.action} on the email-address identity ${address}${denial.region ? ` (${denial.region})` : ""}, which SES authorises sends from that address against (it takes precedence over the domain's identity); name it in mail-infra:smtpAddressIdentities and pulumi up, or delete that identity${said(f)}`
        : `SES refused the send: the SMTP user's policy does not allow ${denial.action} on ${denial.resource}${said(f)}`,
      atSes || f.source === "ses-notification" ? "high" : "medium",
      cmd.ses,
    );
  }

  // SES refused after a successful login (or in its own notification): the account or identity.
  for (const r of SES_REFUSAL) {
    // The wording is SES's own; the host confirms it (a relay's text-only notice names none).
    if (r.re.test(text)) return verdict("ses", `${r.cause}${said(f)}`, atSes || f.source === "ses-notification" ? "high" : "medium", cmd.ses);
  }

  // Temporary: the sender retries.
  if (e?.klass === 4 || (!e && c.reply !== undefined && c.reply >= 400 && c.reply < 500) || f.action === "delayed" || f.sesBounceType === "Transient" || f.sesType === "DeliveryDelay") {
    // A temporary failure the sender retried until it gave up (Action failed; SES's Transient bounce,
    // which SES sends only after it stops retrying; Exchange's "550 4.4.7 QUEUE.Expired") is still
    // transient: the cause was temporary and nothing on either side refused the message. But it is
    // not retried any more, and the message was not delivered: it has to be sent again.
    const gaveUp = f.action === "failed" || (f.sesType === "Bounce" && f.sesBounceType === "Transient");
    const expired = e?.subject === 4 && e.detail === 7 ? "the message expired in the sending server's queue" : "the sending server stopped retrying";
    const retry = gaveUp ? `; ${expired}, so it is not retried and was not delivered: send it again once the recipient's server accepts mail` : "; the sending server retries it";
    // X.4.x is network and routing: whether the recipient's domain can be reached is the recipient layer's question.
    const next = e?.subject === 4 ? cmd.recipient : cmd.ses;
    return verdict("transient", `a temporary failure (${codeName})${retry}${said(f)}`, e?.klass === 4 || c.reply !== undefined ? "high" : "medium", next);
  }

  if (e && e.klass === 5) {
    const x = `${e.subject}.${e.detail}`;
    // RFC 3463 X.1.x addressing, X.2.x mailbox; Exchange's 5.4.1 "Recipient address rejected" (DBEB).
    if (e.subject === 1 && e.detail !== 7 && e.detail !== 8) return verdict("recipient-mailbox", `the recipient's server says the address does not exist (${codeName})${said(f)}`, "high", cmd.recipient);
    if (e.subject === 2) return verdict("recipient-mailbox", `the recipient's mailbox cannot take mail: full, disabled or over a limit (${codeName})${said(f)}`, "high", cmd.recipient);
    if (x === "4.1" && /recipient address rejected|access denied/i.test(text)) return verdict("recipient-mailbox", `the recipient's Exchange Online tenant does not know the address (${codeName})${said(f)}`, atExchange ? "high" : "medium", cmd.recipient);
    if (e.subject === 7) {
      // RFC 7372 X.7.20-X.7.27: DKIM, SPF, DMARC, reverse DNS; Gmail's 5.7.26 (DMARC) and Exchange's 5.7.509 (DMARC).
      const authCode = (e.detail >= 20 && e.detail <= 27 && e.detail !== 25) || e.detail === 509;
      if (authCode || SENDER_AUTH_WORDS.test(f.diagnostic ?? "")) {
        return verdict("sender-auth", `the recipient's server says our mail fails sender authentication (SPF, DKIM or DMARC) (${codeName})${said(f)}`, authCode ? "high" : "medium", cmd.senderAuth);
      }
      const who = atExchange ? "the recipient's Exchange Online" : "the recipient's server";
      const exchangeRange = atExchange && (e.detail === 1 || (e.detail >= 500 && e.detail <= 749));
      return verdict("recipient-policy", `${who} refused the message by its policy or our reputation (${codeName})${said(f)}`, exchangeRange || atExchange ? "high" : "medium", cmd.recipient);
    }
    if (e.subject === 3 || e.subject === 6) return verdict("recipient-policy", `the recipient's server refused the message's size or content (${codeName})${said(f)}`, "medium", cmd.recipient);
    if (e.subject === 4) return verdict("recipient-mailbox", `the recipient's domain cannot be reached for mail: no usable MX or a routing loop (${codeName})${said(f)}`, "medium", cmd.recipient);
  }

  // Only a reply code, or only text.
  if (c.reply === 550 || c.reply === 551 || c.reply === 553) {
    if (/user unknown|no such user|does not exist|not found|unknown recipient|mailbox unavailable/i.test(text)) return verdict("recipient-mailbox", `the recipient's server says the address does not exist (${codeName})${said(f)}`, "medium", cmd.recipient);
    if (SENDER_AUTH_WORDS.test(f.diagnostic ?? "")) return verdict("sender-auth", `the recipient's server says our mail fails sender authentication (${codeName})${said(f)}`, "medium", cmd.senderAuth);
  }
  if (c.reply === 552) return verdict("recipient-mailbox", `the recipient's mailbox is full or over its storage limit (${codeName})${said(f)}`, "medium", cmd.recipient);
  return verdict("recipient-policy", `a permanent failure that names no known cause (${codeName}): read the server's words${said(f)}`, "low", cmd.recipient);
}
