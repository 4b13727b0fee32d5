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

// Failure codes only (4xx/5xx, 4.x.x/5.x.x): a notice that quotes the session ("Out: 250 2.1.5 Ok
// ... Out: 451 4.3.0 Error") holds success replies before the one that failed.
const ENHANCED = /(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;
const REPLY = /(?:^|[\s;'"(#:])([45]\d\d)(?=[\s-]|$)/;

/**
 * The last detail IANA's SMTP Enhanced Status Codes registry holds for each subject X.0 to X.7
 * (https://www.iana.org/assignments/smtp-enhanced-status-codes/; each subject's details run from
 * 0 without a gap): X.1.10 (RFC 7505), X.2.4, X.3.6 (RFC 6710), X.4.7, X.5.6 (RFC 4954), X.6.10
 * (RFC 6531), X.7.30 (RFC 8689). The registry has no subject after X.7.
 */
const LAST_DETAIL = [0, 10, 4, 6, 7, 6, 10, 30];
/**
 * Details past the registry that a provider documents and the rules below read as such: Microsoft
 * 365's X.4.3xx, its connection errors (4.4.312 DNS query failed, 4.4.316 connection refused:
 * https://learn.microsoft.com/en-us/defender-office-365/connectors-mail-flow-intelligence), and
 * Exchange Online's 5.7.509, DMARC.
 */
const providerDetail = (subject: number, detail: number): boolean => (subject === 4 && detail >= 300 && detail <= 399) || (subject === 7 && detail === 509);

/**
 * A code as RFC 3463 section 2 says a client reads it: "A client must recognize and report class
 * sub-code even where subsequent subject sub-codes are unrecognized", and "Clients should ...
 * [report] the general error described in the subject sub-code when the specific detail is
 * unrecognized". X.0.0 is the code "for all errors for which only the class of the error is
 * known" (section 3.1). So a subject it does not define (X.8.x and up) reads as X.0.0, and a
 * detail neither the registry nor a provider's documentation names as X.subject.0: generic codes,
 * under which the words decide. The text stays the server's own code.
 */
function enhancedOf(s: string | undefined): Codes["enhanced"] {
  const m = s ? ENHANCED.exec(s) : null;
  if (!m) return undefined;
  const subject = Number(m[2]);
  const detail = Number(m[3]);
  const last = LAST_DETAIL[subject];
  if (last === undefined) return { klass: Number(m[1]), subject: 0, detail: 0, text: m[0] };
  return { klass: Number(m[1]), subject, detail: detail <= last || providerDetail(subject, detail) ? detail : 0, text: m[0] };
}

/** The codes of a failure: the Status field, unless the server's own response is more specific. */
export function codesOf(f: Failure): Codes {
  const fromStatus = enhancedOf(f.status);
  const fromDiag = enhancedOf(f.diagnostic);
  // A reporting MTA often writes a generic Status (5.0.0) above the server's precise answer.
  // (X.0.0 is the only X.0 code: enhancedOf reads any other X.0.y, and X.8.x and up, as X.0.0.)
  const generic = (e: Codes["enhanced"]) => !e || e.subject === 0;
  const enhanced = fromDiag && (generic(fromStatus) || fromDiag.klass === fromStatus?.klass) ? fromDiag : (fromStatus ?? fromDiag);
  const r = f.diagnostic ? REPLY.exec(f.diagnostic) : null;
  const reply = r ? Number(r[1]) : undefined;
  return { ...(enhanced ? { enhanced } : {}), ...(reply !== undefined ? { reply } : {}), ...stageOf(f.diagnostic ?? "", reply) };
}

function stageOf(text: string, reply: number | undefined): Pick<Codes, "stage"> {
  if (/\b(?:after|during|at) (?:the )?(?:initial connection|connect(?:ion)?\b|greeting|banner)|refused to talk to me|while connecting|at connect/i.test(text)) return { stage: "CONNECT" };
  const m = /\b(?:after|in reply to|during|in response to)\s+(?:the\s+)?(AUTH|MAIL FROM|RCPT TO|end of DATA|DATA|STARTTLS|EHLO|HELO|connect)/i.exec(text);
  if (m) {
    const s = m[1]!.toUpperCase();
    const stage = s === "HELO" ? "EHLO" : s === "END OF DATA" ? "DATA" : (s as NonNullable<Codes["stage"]>);
    return { stage };
  }
  // A transcript (Sendmail's ">>> DATA" then "<<< 550 ...", ">>> MAIL FROM:<a@b>" then "<<< 550 ..."):
  // the command sent just before the failure reply. Its argument may hold an address in angle
  // brackets; another ">>>" or "<<<" may not come between.
  const sent = />>>\s*(MAIL FROM|RCPT TO|DATA|AUTH|EHLO|HELO|STARTTLS)\b(?:[^<>]|<[^<>]{1,320}>){0,300}?<<<\s*[45]\d\d/i.exec(text);
  if (sent) {
    const s = sent[1]!.toUpperCase();
    return { stage: s === "HELO" ? "EHLO" : (s as NonNullable<Codes["stage"]>) };
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

/** The codes that only answer SMTP AUTH (X.7.8 bad credentials, X.7.9 mechanism too weak). */
const authFailureCode = (e: Codes["enhanced"]): boolean => e?.subject === 7 && (e.detail === 8 || e.detail === 9);

export interface ClassifyContext {
  /** The stack to name in next-step commands (default: a STACK placeholder). */
  stack?: string;
}

/**
 * The wordings that name a cause whatever the code around them says: many servers answer with a
 * generic code (550, 554, 5.0.0, 5.7.1, 5.5.0) and say the cause in words. Each list is the
 * general wording of one cause, as MTAs and providers write it (read from the sisimai sample
 * set and the providers' documented replies); none is one server's sentence.
 */
/** SPF, DKIM, DMARC, Sender ID: the recipient judged our domain's authentication. */
const SENDER_AUTH_WORDS = /\b(?:spf|dkim|dmarc|sender policy framework|sender ?id|domainkeys?|not pass (?:dmarc|spf|dkim)|authentication checks?|purported responsible address|pra check|unauthenticated (?:e-?mail|messages?|mail) from|(?:does not|doesn't) have authentication information)\b/i;
/** The sending host's reverse DNS (RFC 7372 X.7.25): the host that sent is ours (SES or the relay). */
const PTR_WORDS = /reverse (?:dns|lookup|mapping|hostname)|\bptr\b|\brdns\b|cannot find your (?:hostname|reverse)|(?:client )?host(?:name)? (?:name )?(?:does not|doesn't|did not) (?:resolve|match)|no (?:dns|reverse) (?:entry|record)|ip name lookup failed|hostname (?:lookup|check) failed|rejected: unknown client|not resolve .{0,60} to .{0,60} hostname|unresolvable/i;
/** Our envelope sender itself refused: its syntax, its domain, or the address (RFC 3463 X.1.7/X.1.8). */
const SENDER_ADDRESS_WORDS = /sender (?:address )?(?:rejected|refused|invalid|unknown|not allowed|verify failed|verification failed)|unroutable sender|sender domain (?:does not exist|not found|unknown|must (?:exist|resolve))|domain of sender address|sender address (?:domain|must)|mail from (?:address )?(?:rejected|refused|invalid)|invalid (?:sender|mail from)|bad sender|sender (?:is )?not (?:found|valid|accepted)|return-path (?:address|domain)/i;
/** The client did not log in to its submission server (the relay's SMTP AUTH), or did it without TLS. */
const RELAY_AUTH_WORDS = /authentication (?:is )?required|must (?:be )?authenticat|unauthenticated (?:senders?|relay|users?|connections?) (?:are )?not (?:allowed|permitted)|authentication (?:credentials invalid|failed|unsuccessful)|invalid (?:credentials|username or password)|username and password not accepted|smtp auth(?:entication)? (?:required|failed)|relay(?:ing)? requires auth|please (?:log ?in|authenticate)|turn on smtp auth(?:entication)?|enable smtp auth(?:entication)?|(?:does not|doesn't) advertise (?:the )?auth|send mail as'? account (?:is |are )?misconfigured/i;
/** A blocklist or the sender's reputation: the recipient's server refused us, not the address. */
const BLOCK_WORDS = /black ?list|block ?list|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda ?(?:central|reputation)|sorbs|(?<!not )\blisted (?:at|on|by)\b|\bon (?:our|a) (?:block|black) ?list|(?:poor|bad|low) reputation|reputation|\bblocked\b|\bbanned\b|access denied.{0,40}\b(?:ip|client|host|network)\b|(?:client|connection|ip|host) (?:address )?(?:rejected|refused|blocked|denied)|too many (?:bad|invalid) recipients|rejected (?:due to|because of) (?:policy|abuse)|envelope blocked|denied by policy|too many unwanted messages|please use the smtp server of your isp|open relay|insecure (?:mail )?relay|dial-?up|dynamic ip|residential ip/i;
/** A named blocklist: explicit, whatever code it comes with. */
const NAMED_BLOCKLIST = /black ?list|block ?list|\bdnsbl\b|\brbl\b|spamhaus|spamcop|sorbs|barracudacentral/i;
/** A rate or volume limit: temporary by nature, whatever code the server chose. */
const RATE_WORDS = /rate limit|sent (?:to )?too many (?:recipients|messages)|(?:receiving|sending|accepting) (?:mail|messages) at a rate|frequency limit|too many (?:connections|concurrent|sessions|messages)|throttl|(?:sending|message) rate|exceeded .{0,30}\brate\b|too (?:fast|frequent)|unexpected volume/i;
/** Spam, virus, content and size: the recipient's server refused this message. */
const CONTENT_WORDS = /\bspam\b|junk|virus|malware|infected|content (?:rejected|filter|violat)|message (?:content )?(?:rejected|refused) (?:as|because|due)|message filtered|filtered|policy (?:reasons|violation|rejection)|not accepted for policy|message (?:size |length )?(?:exceeds|too (?:big|large))|too (?:big|large)|size limit|message size|mime|header (?:error|invalid|too)|rfc ?(?:2822|5322) |does not comply|not compliant|spam score|bulk mail|phish|refused due to recipient preferences|recipient preferences|relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)|not (?:permitted|allowed) to relay|we do not relay|unable to relay|no relaying|relay not permitted/i;
/** The address: unknown, gone, disabled, full, moved. General mailbox wording under any code. */
const MAILBOX_UNKNOWN_WORDS = /(?:account|mailbox|user|address) .{0,40}?(?:does not|doesn't|did not) exist|not a registered (?:gateway )?user|user(?:name)? (?:unknown|not (?:found|exist|known|listed))|unknown (?:user|recipient|local[- ]?part|address|mailbox)|no such (?:user|recipient|mailbox|address|account|person)|(?:mailbox|account|address|recipient|user|addressee)(?: name)? (?:does not|doesn't|did not) exist|(?:mailbox|recipient|address|account) (?:is )?(?:unknown|not found|unavailable|invalid)|invalid (?:recipient|mailbox|address|user|account)|recipient (?:name )?is not recognized|recipient not (?:found|valid)|not (?:a )?(?:valid|known) (?:recipient|user|mailbox)|(?:doesn't|does not|do not|don't) have an? .{0,60}account|not listed in .{0,40}?(?:directory|address book)|invalid .{0,20}userid|invalid (?:final )?delivery|no valid recipients?|not in (?:the |our )?directory|no mailbox|bad (?:destination|recipient) (?:mailbox|address)|address rejected.{0,20}(?:user unknown|access denied|not exist)|recipient address rejected|unrouteable address|the address (?:couldn't|could not|can't|cannot) be found|check (?:if|that|whether) (?:the )?(?:e-?mail |recipient(?:'s)? )?address is (?:correct|valid|right)|not our customer|addressee unknown|destinataire invalide|existiert nicht|unbekannt|\u5b58\u5728\u3057\u307e\u305b\u3093|\u898b\u3064\u304b\u308a\u307e\u305b\u3093|\u30ea\u30b9\u30c8\u306b\u3042\u308a\u307e\u305b\u3093/iu;
const MAILBOX_DISABLED_WORDS = /disabled recipient|account (?:is |has been )?(?:disabled|suspended|inactive|deactivated|expired|locked|closed|blocked|terminated|deleted|frozen|unavailable)|(?:mailbox|user|address|recipient) (?:is |has been )?(?:disabled|suspended|inactive|deactivated|closed|locked|frozen)|inactive (?:user|account|mailbox)|disabled (?:user|account|mailbox)|(?:has|have) (?:moved|been moved)|user has moved|no longer (?:active|valid|in use|available|exists|accepts)|not (?:currently )?active|over ?quota|quota (?:exceeded|exceed|full)|exceeded (?:the )?(?:storage|quota|mailbox)|(?:mailbox|inbox|mail ?box|disk|storage)(?: is)? (?:is )?(?:full|over|exceeded|size limit)|insufficient (?:disk |storage )?space|not enough (?:disk |storage )?space|out of (?:disk |storage )?space|mailbox (?:size|storage) limit|exceeds (?:the )?allowed (?:size|quota)|mail ?folder is full|too many messages (?:in|on)/i;
/** The recipient host's delivery program for that mailbox failed (a pipe, procmail, a local mailer). */
const MAILER_WORDS = /mailer error|pipe to \||procmail|\bexit (?:code |status )?\d+|delivery program|local delivery failed|child status|unknown mailer/i;
/** The recipient's domain: it does not exist, has no MX, or accepts no mail (RFC 7505 null MX). */
const DOMAIN_WORDS = /domain is not reachable|(?:and )?other recipients (?:in|at|of) the same domain|indicated no smtp service|no smtp service|host (?:or domain name )?(?:unknown|not found)|domain (?:not found|unknown|does not exist|doesn't exist|name not found|is not valid)|no such (?:domain|host)|(?:unknown|invalid|non-?existent) (?:domain|host)|name (?:service|server) error|unrouteable (?:mail )?domain|no (?:mx|mail exchanger|valid mx)|mx (?:record )?(?:not found|lookup failed)|all (?:relevant )?mx hosts|null mx|does not accept mail|accepts no mail|domain .{0,80}(?:does not|doesn't) (?:accept|receive) (?:e-?)?mail|dns error|could not be resolved|mail loops back|loops back to myself|routing loop|too many hops|hop count exceeded/i;
/**
 * A DNS lookup that failed for now, not a name that does not exist: Postfix writes "Host not
 * found, try again" for the resolver's TRY_AGAIN (its dns_lookup.c), Gmail "Could not contact DNS
 * servers": the recipient's name servers failed, a network failure, not "no such domain". Not
 * Postfix's "Malformed or unexpected name server reply": older Postfix writes it for a null MX too.
 */
const DNS_TEMPORARY_WORDS = /host not found, try again|could not contact dns servers|(?:dns|name server) (?:timeout|timed out|servfail|server failure)|temporary (?:dns|name server|name service) (?:failure|error)/i;
/** A mailing list's guard against loops: it already received a message with that Message-ID (fml's "Duplicated Message-ID"). */
const DUPLICATE_WORDS = /duplicated? message-?id/i;
/** A mailing list or group that takes posts only from its members (fml, Mailman, Google Groups). */
const MEMBERS_ONLY_WORDS = /not a member of (?:this|the) (?:mailing )?(?:list|group)|\bnon-?member (?:post|article|submission)|only (?:list |group )?members (?:can|may) (?:post|send)|members[- ]only (?:list|group)/i;
/** The server names spam as its reason: its verdict on the message, whatever advice about SPF follows. */
const SPAM_VERDICT_WORDS = /(?:rejected|refused|blocked|bounced) (?:due to|because of|as) (?:spam|junk|bulk)/i;
/** The message's headers refused (a duplicate or malformed header): its format, even when the header is DKIM-Signature. */
const HEADER_WORDS = /(?:duplicate|malformed|invalid|missing|bad) header|header (?:error|invalid|syntax)/i;
/** Temporary: the sender retries, or retried until it gave up. */
const TRANSIENT_WORDS = /socket error|failed \d+ attempts|(?:host|server) (?:is )?not (?:reachable|responding)|service (?:is )?(?:currently |temporarily )?(?:unavailable|not available)|did not accept our requests to connect|(?:could not|unable to|cannot|failed to) connect|failing for a long time|retry time(?:out)? (?:exceeded|reached|not reached)|expired|timed? ?out|time-?out|could not be delivered (?:for|within) \d+|(?:has been|was) (?:delayed|deferred)|deferred|try (?:again )?later|temporar(?:y|ily)|connection (?:refused|reset|closed|lost|dropped|timed out)|lost connection|network (?:is )?unreachable|no route to host|too many (?:connections|concurrent|recipients|messages|sessions)|rate limit|throttl|exceeded (?:the )?(?:rate|message rate|sending rate)|too (?:fast|frequent)|system (?:error|not available|busy|full)|server (?:busy|unavailable|error)|service (?:temporarily )?unavailable|internal (?:server )?error|local error|insufficient system storage|resources temporarily|queue(?:d)? too long|giving up|given up|(?:aborted|abandoned|cancell?ed|gave up) after \d/i;
/** SES's refusals. `unique`: wording only SES writes (its API error names, its own sentences), read whoever relayed it. */
const SES_REFUSAL: readonly { re: RegExp; cause: string; unique?: true }[] = [
  { re: /address (?:is )?blacklisted|suppression list|suppressed/i, cause: "SES did not send: the address is on a suppression list (SES's global list or the account's)" },
  // Before "not verified": SES's MailFromDomainNotVerified (the identity's custom MAIL FROM domain has no MX, and it is set to reject then).
  { re: /MailFromDomainNotVerified/i, unique: true, cause: "SES refused the message: the identity's custom MAIL FROM domain is not verified (SES could not find its MX record) and the identity is set to reject mail then" },
  { re: /mail from domain.{0,80}not verified/i, cause: "SES refused the message: the identity's custom MAIL FROM domain is not verified (SES could not find its MX record) and the identity is set to reject mail then" },
  { re: /identities failed the check/i, unique: true, cause: "SES refused the message: the From address or domain is not a verified identity in that region (or, in the sandbox, the recipient is not verified)" },
  { re: /(?:email )?address(?:es)? (?:is |are )?not verified|not authorized to send from/i, cause: "SES refused the message: the From address or domain is not a verified identity in that region (or, in the sandbox, the recipient is not verified)" },
  { re: /AccountSendingPaused|sending paused for this account/i, unique: true, cause: "SES refused the message: sending is paused for the account or configuration set" },
  { re: /sending (?:paused|suspended|disabled)|account (?:is )?(?:paused|suspended)/i, cause: "SES refused the message: sending is paused for the account or configuration set" },
  { re: /daily (?:message|sending) quota exceeded/i, cause: "SES refused the message: the account's daily sending quota is used up" },
];

/**
 * verify's option that picks layers. The recipient-side verdicts point at verify's `recipient`
 * layer (MX, the recipient domain's DMARC policy, MTA-STS, TLS-RPT): one place to change if the
 * option is renamed.
 */
/**
 * Codes a provider publishes with their meaning, which decide over the words around them: Cox's
 * "550 5.1.0 <a@b> sender rejected ... AUP#CDRBL" is its blocklist of the sending host, not our
 * envelope sender. Each code is its provider's own name (the "AUP#" or "OFR_" prefix), so no
 * other server's words can match.
 * - Cox, "Error Codes" (http://postmaster.cox.net/confluence/display/postmaster/Error+Codes, now
 *   https://www.cox.com/residential/support/email-error-codes.html): CXBL and CDRBL "the sending
 *   IP address has been (temporarily) blocked by Cox", IPBLnnnn "the sending IP is listed in"
 *   Spamhaus Zen, Return Path, ivmSIP, Cloudmark CSI; CXDNS the connecting IP's DNS; CXSNDR "a
 *   problem with the sender's domain" (SPF, DKIM, or no MX/A); CXCNCT the concurrent connections
 *   per IP, CXMXRT the number of messages sent.
 * - Spectrum/Charter, "Understanding email error codes"
 *   (https://www.spectrum.net/support/internet/understanding-email-error-codes, which its bounces
 *   cite): incoming AUP#I-nnnn, 1000 the sending IP blocked, 1100-1150 its DNS, 1200-1250 listed
 *   by Cloudmark CSI or Spamhaus, 1300-1490 the limits on concurrent connections and messages.
 * - Orange/Wanadoo OFR_nnn (https://bentonow.com/smtp-errors/orange; Orange's own postmaster page
 *   https://postmaster.orange.fr lists the criteria): OFR_506 "Mail rejected" as spam, OFR_999
 *   "Service refused" the sending IP temporarily blocklisted.
 */
const PROVIDER_CODE = /\bAUP#(CXBL|CDRBL|CXDNS|IPBL\d{4,5}|CXSNDR|CXCNCT|CXMXRT)\b|\bAUP#In?-(\d{4})\b|\bOFR_(506|999)\b/i;
type ProviderMeaning = "block" | "rate" | "sender" | "spam";
function providerCode(words: string): { code: string; meaning: ProviderMeaning } | undefined {
  const m = PROVIDER_CODE.exec(words);
  if (!m) return undefined;
  if (m[1]) {
    const c = m[1].toUpperCase();
    return { code: `AUP#${c}`, meaning: c === "CXSNDR" ? "sender" : c === "CXCNCT" || c === "CXMXRT" ? "rate" : "block" };
  }
  if (m[2]) {
    const n = Number(m[2]);
    const meaning: ProviderMeaning | undefined = n === 1000 || (n >= 1100 && n <= 1250) ? "block" : n >= 1300 && n <= 1490 ? "rate" : undefined;
    return meaning ? { code: m[0], meaning } : undefined;
  }
  return { code: `OFR_${m[3]}`, meaning: m[3] === "506" ? "spam" : "block" };
}

export const VERIFY_LAYERS_OPTION = "--only";

/** A recipient as a shell argument, only when the notice named one (an address, nothing else). */
const recipientArg = (f: Failure): string => (/^[^\s@'"`$\\;|&<>()]+@[^\s@'"`$\\;|&<>()]+$/.test(f.recipient) ? ` --recipient ${f.recipient}` : "");
const senderArg = (f: Failure): string | undefined => (f.sender && /^[^\s@'"`$\\;|&<>()]+@[^\s@'"`$\\;|&<>()]+$/.test(f.sender) ? f.sender : undefined);

function commands(f: Failure, ctx: ClassifyContext) {
  const stack = `--stack ${ctx.stack ?? "STACK"}`;
  const verify = (layers: string) => `npm run verify -- ${stack} ${VERIFY_LAYERS_OPTION} ${layers}${recipientArg(f)}`;
  const sender = senderArg(f);
  const domain = /@([^@\s]+)$/.exec(f.recipient)?.[1];
  const senderDomain = sender ? sender.slice(sender.lastIndexOf("@") + 1) : undefined;
  const quoted = (f.diagnostic ?? f.evidence.find((e) => /[245]\d\d|[245]\.\d/.test(e)) ?? f.evidence[0] ?? "").replace(/\s+/g, " ").trim();
  return {
    relayFix: sender ? `npm run relay-fix -- ${stack} --sender ${sender}` : `this bounce does not name the relay's sender: run npm run relay-fix -- ${stack} --sender with the From address of the message that bounced`,
    /** Our account and identity, and the recipient on the suppression list. */
    ses: verify("ses"),
    /** Our SPF, DKIM, DMARC, and how strictly the recipient's domain judges them. */
    senderAuth: verify("dns,recipient"),
    /** The recipient's domain: MX, DMARC policy, MTA-STS, TLS-RPT. */
    recipient: verify("recipient"),
    /**
     * A refusal by the recipient's own policy: nothing in this stack refused the message and no
     * check here can show why (verify's recipient layer reads public DNS and would likely come
     * back clean), so the step is a person: the recipient's mail administrator.
     */
    /** The recipient's own reception filter: only the recipient can allow the sender. */
    recipientFilter: `nothing in this stack refused the message: the recipient's own reception filter did; ask the recipient to allow mail from ${senderDomain ? `${senderDomain} (the sender's domain)` : "the sender's address or domain"} in their mail filter settings`,
    recipientAdmin: `nothing in this stack refused the message: forward this bounce to the mail administrator of ${domain ?? "the recipient's domain"}${domain ? ` (postmaster@${domain})` : ""} and ask why their server refused it, quoting: ${quoted ? `"${quoted.length > 240 ? `${quoted.slice(0, 240)}…` : quoted}"` : "the server's reply in the bounce"}`,
  };
}

/** The quoted reason in a cause: the server's own words, cut. */
const said = (f: Failure): string => {
  const d = (f.diagnostic ?? "").replace(/\s+/g, " ").trim();
  return d ? ` ("${d.length > 160 ? `${d.slice(0, 160)}…` : d}")` : "";
};

/**
 * SES's own delivery status reports wrap the receiving server's reply in SES's summary:
 * "5.1.0 - Unknown address error 550-'5.7.1 <a@b>... Access denied' (delivery attempts: 0)".
 * The summary is SES's guess from the code; the quoted reply is what the server said.
 */
const SES_WRAPPED = /^[245]\.\d{1,3}\.\d{1,3} - [A-Za-z ]{1,60}? ([245]\d\d)[ -]'([^\n]{1,1000}?)' \(delivery attempts: \d{1,6}\)\s*$/;
function unwrapped(f: Failure): Failure {
  const m = f.diagnostic ? SES_WRAPPED.exec(f.diagnostic) : null;
  return m ? { ...f, diagnostic: `${m[1]} ${m[2]}` } : f;
}

export function classify(failure: Failure, ctx: ClassifyContext = {}): Verdict {
  const f = unwrapped(failure);
  const c = codesOf(f);
  const cmd = commands(f, ctx);
  const e = c.enhanced;
  const text = `${f.diagnostic ?? ""}\n${f.evidence.join("\n")}`;
  // The SES endpoint answered the relay. Not an SES notification: SES sends one only for a message
  // it accepted (the relay's login succeeded), and its diagnosticCode is the recipient's server's reply.
  const atSes = isSesHost(f.remoteMta);
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

  // What the server said, without the lines diagnose itself quoted around it (field names, the
  // notice's boilerplate): the word lists read only this.
  const words = f.diagnostic ?? "";
  const permanent = e ? e.klass === 5 : c.reply !== undefined ? c.reply >= 500 : f.action !== "delayed";

  // A relay that could not log in to its submission server. 535/534/530 only ever answer AUTH;
  // X.7.8 (bad credentials) and X.7.9 (mechanism too weak) are AUTH codes too, but Yahoo and AOL
  // answer "554 5.7.9 Message not accepted for policy reasons" to a delivery: X.7.9 counts only
  // at an SES endpoint, at the AUTH stage, or with words about logging in.
  // The server's own reply decides whether it is permanent: a relay that soft-bounces a 535 (Postfix's
  // smtp_sasl_auth_soft_bounce) reports Status 4.7.0 and Action delayed, but the password stays wrong.
  const authWords = RELAY_AUTH_WORDS.test(words);
  // (At the AUTH stage every code counts, below.)
  const x79 = e?.klass === 5 && e.subject === 7 && e.detail === 9 && (atSes || authWords);
  const authFailure = c.stage === "AUTH" || (e?.klass === 5 && e.subject === 7 && e.detail === 8) || x79 || c.reply === 535 || (authWords && !SENDER_AUTH_WORDS.test(words));
  const serverClass = c.reply !== undefined ? Math.floor(c.reply / 100) : e?.klass;
  if (authFailure && serverClass !== 4) {
    const retried = f.action === "delayed" ? "; the relay keeps retrying (Action: delayed), and every retry fails the same way until its password is replaced" : "";
    if (atSes) return verdict("relay-auth", `the relay could not authenticate to SES at ${f.remoteMta} (${codeName}): the SMTP password it holds is stale or wrong${retried}${said(f)}`, "high", cmd.relayFix);
    // Gmail's own notice about a "Send mail as" alias: Gmail is the relay, and the notice names the alias.
    const gmailRelay = f.source === "gmail" || isGoogleHost(f.reportingMta);
    const aliasNotice = gmailRelay && /send mail as|sending (?:your message|this message|mail) from|smtp server settings|misconfigured or out of date/i.test(f.evidence.join("\n"));
    // The server offered no AUTH at all: the settings point at the wrong server or port, not a wrong password.
    const noAuth = /(?:does not|doesn't) advertise (?:the )?auth/i.test(words);
    return verdict("relay-auth", `the relay could not authenticate to its SMTP server${f.remoteMta ? ` ${f.remoteMta}` : ""} (${codeName})${aliasNotice && f.sender ? `: Gmail's "Send mail as" settings for ${f.sender} ${noAuth ? "name an SMTP server or port that offers no AUTH (not the submission endpoint)" : "hold a stale or wrong SMTP password"}` : ""}${said(f)}`, aliasNotice && (c.reply === 535 || c.stage === "AUTH") ? "high" : gmailRelay ? "medium" : "low", cmd.relayFix);
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
  // The wording is SES's own only when SES answered: "blacklisted" from any other host is a blocklist.
  const sesAnswered = atSes || f.source === "ses-notification" || (!f.remoteMta && /amazonses\.com|amazon ses|email-smtp\.[a-z0-9-]+\.amazonaws\.com/i.test(text));
  for (const r of SES_REFUSAL) {
    if ((sesAnswered || r.unique) && r.re.test(text)) return verdict("ses", `${r.cause}${said(f)}`, atSes || f.source === "ses-notification" ? "high" : "medium", cmd.ses);
  }

  // A provider's published code names the cause, whatever status code and words surround it.
  const provider = providerCode(words);
  if (provider) {
    const pc = `${provider.code}, ${codeName}`;
    if (provider.meaning === "sender") return verdict("sender-auth", `the recipient's provider refused our sender's domain (${pc}: its SPF, DKIM, or no MX or A record)${said(f)}`, "high", cmd.senderAuth);
    if (provider.meaning === "rate") return verdict("transient", `the recipient's provider limits how many connections or messages it accepts from the sending host (${pc}); the sending server retries, and the limit eases with volume${said(f)}`, "high", cmd.ses);
    if (provider.meaning === "spam") return verdict("recipient-policy", `the recipient's provider classified the message as spam and refused it (${pc})${said(f)}`, "high", cmd.recipientAdmin);
    return verdict("recipient-policy", `the recipient's provider refused the sending host: it blocks or lists that IP address (${pc})${said(f)}`, "high", cmd.recipientAdmin);
  }

  // The notice says the recipient's own reception filter refused the message (EZweb's X-SPASIGN: NG).
  if (f.recipientFilter) return verdict("recipient-mailbox", `the recipient's own reception filter refused the message (the notice says so: ${f.recipientFilter}); the address exists, and only the recipient can allow the sender${said(f)}`, "medium", cmd.recipientFilter);

  const x = e ? `${e.subject}.${e.detail}` : "";
  /** A code that names no cause: 5.0.0, 5.7.1/5.7.0 (any policy), 5.5.x (protocol), 5.3.0 (other system status), or only a reply code. */
  const genericCode = !e || (e.subject === 0) || x === "7.1" || x === "7.0" || e.subject === 5 || x === "3.0" || x === "1.0" || x === "2.0";
  // Temporary and still retried; a 4xx the sender gave up on (Action failed) is final for the words below.
  // Still being retried: not a permanent code, not given up on (Action failed), and not an SES Bounce
  // notification (SES sends one only once it has stopped trying, whatever code it quotes).
  const temp = !permanent && f.action !== "failed" && f.sesType !== "Bounce";
  const tempNote = temp ? "; it is temporary: the sending server retries it" : "";

  // A DNS failure for now (the name servers failed or gave an unusable answer): the domain may well exist.
  if (DNS_TEMPORARY_WORDS.test(words)) return verdict("transient", `the sending server could not look up the recipient's domain: its name servers failed or gave an unusable answer, a temporary DNS failure, not a domain that does not exist (${codeName})${temp ? tempNote : "; the sending server gave up, so send it again once the recipient's DNS answers"}${said(f)}`, "medium", cmd.recipient);
  // A mailing list dropped a copy whose Message-ID it had already received: its loop guard. The first
  // copy reached the list; nothing refused the sender or the message.
  if (DUPLICATE_WORDS.test(words) && !e) return verdict("transient", `the mailing list dropped this copy: it had already received a message with the same Message-ID (its guard against mail loops), so the first copy reached the list; nothing to fix unless new messages are dropped the same way${said(f)}`, "medium", cmd.recipient);
  // A list or group that takes posts only from its members: the list's own policy, not our sender's address or authentication.
  if (MEMBERS_ONLY_WORDS.test(words)) return verdict("recipient-policy", `the mailing list or group takes posts only from its members, and the sender is not one: the list's own policy${said(f)}`, "medium", cmd.recipientAdmin);
  // A header the server refused: the message's format. Before the sender-auth words: a duplicate DKIM-Signature header is not a DKIM failure.
  if (HEADER_WORDS.test(words) && !authFailureCode(e)) return verdict("recipient-policy", `the ${atSes ? "SES endpoint" : "recipient's server"} refused the message's headers: a duplicate, malformed or missing header (${codeName})${said(f)}`, "medium", atSes ? cmd.ses : cmd.recipientAdmin);

  // Spam named as the reason, before the sender-auth words: "rejected due to spam classification ... set up SPF records" advises SPF, it does not say SPF failed.
  if (SPAM_VERDICT_WORDS.test(words) && !authFailureCode(e)) return verdict("recipient-policy", `the recipient's server classified the message as spam and refused it (${codeName})${tempNote}${said(f)}`, "medium", cmd.recipientAdmin);

  // Our own side, named in words or by X.1.7/X.1.8 (the sender's address): the sending identity.
  if ((e?.subject === 1 && (e.detail === 7 || e.detail === 8)) || SENDER_ADDRESS_WORDS.test(words)) {
    return verdict("sender-auth", `the recipient's server refused our envelope sender: its syntax, its domain or the address itself (${codeName}); the fault is on our side, not the recipient's mailbox${tempNote}${said(f)}`, e?.subject === 1 ? "high" : "medium", cmd.senderAuth);
  }
  // RFC 7372 X.7.20-X.7.27: DKIM, SPF, DMARC, reverse DNS (X.7.25), the sender domain accepts no mail (X.7.27); Gmail's 5.7.26 and Exchange's 5.7.509 (DMARC).
  const authCode = e?.subject === 7 && ((e.detail >= 20 && e.detail <= 27) || e.detail === 509);
  // Sendmail also writes X.7.27 when the recipient's host accepts no mail ("550 Host does not accept
  // mail" from the recipient's null MX): then the words, not the code, say whose domain it is.
  if (authCode && e!.detail === 27 && DOMAIN_WORDS.test(words) && !/sender|mail from|return-path/i.test(words)) return verdict("recipient-mailbox", `the recipient's domain accepts no mail (null MX, RFC 7505), although the reporting server wrote ${codeName}${said(f)}`, "medium", cmd.recipient);
  if (authCode && e!.detail === 27) return verdict("sender-auth", `the recipient's server says our sender's domain accepts no mail (null MX, RFC 7505), so it refuses mail from it (${codeName})${said(f)}`, "high", cmd.senderAuth);
  if (authCode && e!.detail === 25) return verdict("sender-auth", `the recipient's server found no valid reverse DNS for the sending host (${codeName}): with SES that host is SES's; with a relay it is the relay's${said(f)}`, "high", cmd.senderAuth);
  if (authCode || SENDER_AUTH_WORDS.test(words)) return verdict("sender-auth", `the recipient's server says our mail fails sender authentication (SPF, DKIM or DMARC) (${codeName})${tempNote}${said(f)}`, authCode ? "high" : "medium", cmd.senderAuth);
  if (PTR_WORDS.test(words)) return verdict("sender-auth", `the recipient's server found no valid reverse DNS for the sending host (${codeName}): with SES that host is SES's; with a relay it is the relay's${tempNote}${said(f)}`, "medium", cmd.senderAuth);

  // A rate limit: retried, and nothing to fix unless it persists.
  if (RATE_WORDS.test(words)) return verdict("transient", `the recipient's server limits how fast or how much it accepts from the sending host (${codeName}); the sending server retries, and the limit eases with volume${said(f)}`, "medium", cmd.ses);
  // The mail system's own status (X.3.x system, X.4.x network and congestion): "insufficient disk space" is then the server's disk, not the mailbox.
  const systemCode = e?.subject === 3 || e?.subject === 4;
  // Sendmail's "Diagnostic-Code: X-Unix; N": the exit status of the local delivery program (a pipe,
  // procmail). sysexits.h: 70-74, 77, 78 are the system's own errors (software, OS, file, I/O,
  // permission, configuration), 75 temporary; any other status is that program's own failure.
  const exit = /^Diagnostic-Code:\s*x-unix\s*;\s*(\d{1,3})\s*$/im.exec(f.evidence.join("\n"))?.[1];
  const mailerExit = exit !== undefined && !/^(?:7[0-578])$/.test(exit);
  // A disabled or full mailbox in words, before "blocked": "the recipient account is blocked" is the account.
  if ((genericCode || e?.klass === 4) && !systemCode && MAILBOX_DISABLED_WORDS.test(words)) return verdict("recipient-mailbox", `the recipient's mailbox cannot take mail: full, disabled, moved or over a limit (${codeName})${tempNote}${said(f)}`, "medium", cmd.recipient);
  // A blocklist or reputation beats a generic code, a named blocklist any code: the recipient's server refused the sending host.
  if ((BLOCK_WORDS.test(words) && (genericCode || e?.subject === 7)) || NAMED_BLOCKLIST.test(words)) {
    const who = atExchange ? "the recipient's Exchange Online" : "the recipient's server";
    return verdict("recipient-policy", `${who} refused the sending host: a blocklist, its policy or the host's reputation (${codeName})${tempNote}${said(f)}`, atExchange && e?.subject === 7 ? "high" : "medium", temp ? cmd.ses : cmd.recipientAdmin);
  }

  // "550 Unknown user" in reply to DATA: the server accepted that address at RCPT TO (RFC 5321 3.3),
  // so it exists; mobile carriers answer so at DATA when the recipient's reception filter refuses the
  // sender (NTT docomo: https://akisoftware.com/pmsrv/help/docomo.html; sisimai's own guide calls it
  // "filtered", https://libsisimai.org/ja/docs/distinguish-between-the-unknown-and-the-filtered.html).
  if (genericCode && permanent && c.stage === "DATA" && MAILBOX_UNKNOWN_WORDS.test(words)) return verdict("recipient-mailbox", `the recipient's server accepted the address at RCPT TO and then answered "unknown user" to the message at DATA (${codeName}): the address exists, and the recipient's own reception filter refused the sender (mobile carriers such as NTT docomo answer so)${said(f)}`, "medium", cmd.recipientFilter);
  // The mailbox in words, under a code that names no cause (550, 554 5.0.0, 5.7.1): the address or the account.
  if (genericCode || (e?.klass === 4)) {
    if (MAILBOX_UNKNOWN_WORDS.test(words) && !temp) return verdict("recipient-mailbox", `the recipient's server says the address does not exist (${codeName})${said(f)}`, "medium", cmd.recipient);
    if (DOMAIN_WORDS.test(words) && !temp) return verdict("recipient-mailbox", `the recipient's domain cannot take mail: it does not exist, has no usable MX, or accepts none (${codeName})${said(f)}`, "medium", cmd.recipient);
    if ((MAILER_WORDS.test(`${words} ${f.recipient}`) || mailerExit) && !temp) return verdict("recipient-mailbox", `the recipient's server could not hand the message to that mailbox: its delivery program (a pipe, procmail) failed (${codeName})${said(f)}`, "medium", cmd.recipient);
  }

  // The server would not even greet the sending host (a 4xx in its banner, "refused to talk to me"), at
  // every attempt until the sender gave up: before any sender, recipient or message was named, it
  // refused the connecting host itself (RFC 5321 4.3.2: a 421/554 greeting refuses the client).
  if (c.stage === "CONNECT" && f.action === "failed" && !RATE_WORDS.test(words)) return verdict("recipient-policy", `the recipient's server refused the sending host in its greeting, before any message was named, until the sending server gave up (${codeName}): it does not accept connections from that host${said(f)}`, "low", cmd.recipientAdmin);

  // Temporary: the sender retries.
  if (e?.klass === 4 || (!e && c.reply !== undefined && c.reply >= 400 && c.reply < 500) || f.action === "delayed" || f.sesBounceType === "Transient" || f.sesType === "DeliveryDelay" || (genericCode && TRANSIENT_WORDS.test(words) && !CONTENT_WORDS.test(words))) {
    // A temporary failure the sender retried until it gave up (Action failed; SES's Transient bounce,
    // which SES sends only after it stops retrying; Exchange's "550 4.4.7 QUEUE.Expired") is still
    // transient: the cause was temporary and nothing on either side refused the message. But it is
    // not retried any more, and the message was not delivered: it has to be sent again.
    // SES sends a Bounce notification only once it has stopped trying, Permanent or Transient (its
    // event types: https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html), so any
    // SES bounce that reaches here, even one quoting a 4.x.x code, was given up on.
    const gaveUp = f.action === "failed" || f.sesType === "Bounce" || (permanent && f.action !== "delayed");
    const expired = (e?.subject === 4 && e.detail === 7) || /expired|retry time|could not be delivered (?:for|within)|giving up|given up|aborted after/i.test(words) ? "the message expired in the sending server's queue" : "the sending server stopped retrying";
    const retry = gaveUp ? `; ${expired}, so it is not retried and was not delivered: send it again once the recipient's server accepts mail` : "; the sending server retries it";
    // X.4.x is network and routing: whether the recipient's domain can be reached is the recipient layer's question.
    const next = e?.subject === 4 || !e ? cmd.recipient : cmd.ses;
    return verdict("transient", `a temporary failure (${codeName})${retry}${said(f)}`, e?.klass === 4 || c.reply !== undefined ? "high" : "medium", next);
  }

  if (e && e.klass === 5) {
    // RFC 3463 X.1.x addressing, X.2.x mailbox; Exchange's 5.4.1 "Recipient address rejected" (DBEB).
    if (e.subject === 1 && e.detail === 2) return verdict("recipient-mailbox", `the recipient's domain cannot take mail: it does not exist or has no usable MX (${codeName})${said(f)}`, "high", cmd.recipient);
    // X.1.10 (RFC 7505 5): the recipient's domain publishes a null MX. Exchange writes 5.1.10 for an
    // address it cannot find (RESOLVER.ADR.RecipientNotFound): the words tell the two apart.
    if (x === "1.10" && DOMAIN_WORDS.test(words)) return verdict("recipient-mailbox", `the recipient's domain accepts no mail: it publishes a null MX (RFC 7505) (${codeName})${said(f)}`, "high", cmd.recipient);
    if (e.subject === 1 && e.detail !== 0) return verdict("recipient-mailbox", `the recipient's server says the address does not exist (${codeName})${said(f)}`, "high", cmd.recipient);
    // X.2.3 "message length exceeds administrative limit": a size limit when the words say so (Exchange's RecipSizeLimit), else the mailbox's.
    if (e.subject === 2 && e.detail === 3 && /too (?:large|big)|size ?limit|message size|exceeds .{0,20}size/i.test(words)) return verdict("recipient-policy", `the recipient's server refused the message's size for this recipient (${codeName})${said(f)}`, "high", cmd.recipientAdmin);
    if (e.subject === 2) return verdict("recipient-mailbox", `the recipient's mailbox cannot take mail: full, disabled or over a limit (${codeName})${said(f)}`, "high", cmd.recipient);
    if (x === "4.1" && /recipient address rejected|access denied/i.test(text)) return verdict("recipient-mailbox", `the recipient's Exchange Online tenant does not know the address (${codeName})${said(f)}`, atExchange ? "high" : "medium", cmd.recipient);
    // X.7.13 "user account disabled" (IANA's SMTP Enhanced Status Codes registry) is written for a
    // submission account that logged in but is disabled; servers also use it for a disabled
    // recipient ("525 5.7.13 Disabled recipient address"): the words say whose account it is.
    if (e.subject === 7 && e.detail === 13) {
      if (/recipient|mailbox|addressee|user unknown/i.test(words)) return verdict("recipient-mailbox", `the recipient's account is disabled (${codeName})${said(f)}`, "medium", cmd.recipient);
      return verdict("relay-auth", `the SMTP server says the account the relay logged in with is disabled (${codeName})${said(f)}`, atSes ? "high" : "low", cmd.relayFix);
    }
    if (e.subject === 7) {
      const who = atExchange ? "the recipient's Exchange Online" : "the recipient's server";
      return verdict("recipient-policy", `${who} refused the message by its policy or our reputation (${codeName})${said(f)}`, atExchange ? "high" : "medium", cmd.recipientAdmin);
    }
    // X.3.4 (too big for the system), X.3.x other system status; X.6.x content and media.
    if (e.subject === 3 && e.detail === 4) return verdict("recipient-policy", `the recipient's server refused the message's size (${codeName})${said(f)}`, "high", cmd.recipientAdmin);
    if (e.subject === 6) return verdict("recipient-policy", `the recipient's server refused the message's content or format (${codeName})${said(f)}`, "medium", cmd.recipientAdmin);
    // X.4.x routing: no usable MX, a routing loop, a host that cannot be reached.
    if (e.subject === 4 && (e.detail === 4 || e.detail === 0 || e.detail === 6 || e.detail === 3)) return verdict("recipient-mailbox", `the recipient's domain cannot be reached for mail: no usable MX, a DNS failure or a routing loop (${codeName})${said(f)}`, "medium", cmd.recipient);
    if (e.subject === 4) return verdict("transient", `a network or routing failure on the way to the recipient's server (${codeName}); the sending server gave up, so send it again once the recipient's server accepts mail${said(f)}`, "medium", cmd.recipient);
    if (e.subject === 3) return verdict("transient", `the recipient's mail system failed (${codeName}): nothing on our side or in the address; send it again later${said(f)}`, "low", cmd.recipient);
  }

  // Only a reply code or a generic one, and words. Every code that reaches here is generic (each
  // other subject returned above, a 4.x.x as transient) and permanent, so the mailbox, domain,
  // blocklist and timeout words were read above already.
  if (CONTENT_WORDS.test(words) || (permanent && (c.stage === "CONNECT" || c.stage === "EHLO"))) return verdict("recipient-policy", `the recipient's server refused the message by its policy: content, size, spam, relaying or the sending host (${codeName})${said(f)}`, "medium", cmd.recipientAdmin);
  // RFC 5321: the reply to MAIL FROM judges the envelope sender, before any recipient is named.
  if (permanent && c.stage === "MAIL FROM") return verdict("sender-auth", `the recipient's server refused our envelope sender at MAIL FROM (${codeName}), before any recipient was named${said(f)}`, "low", cmd.senderAuth);
  // RFC 5321: 550/553 mailbox unavailable or name not allowed, 551 user not local, 552 storage exceeded.
  if (c.reply === 551) return verdict("recipient-mailbox", `the recipient's server says the user is not local there (551: moved or forwarded elsewhere)${said(f)}`, "medium", cmd.recipient);
  if (c.reply === 552) return verdict("recipient-mailbox", `the recipient's mailbox is full or over its storage limit (${codeName})${said(f)}`, "medium", cmd.recipient);
  // RFC 5321: a 550 to DATA comes after the server accepted the recipient at RCPT TO: the message, not the address, was refused.
  if (c.reply === 550 && c.stage === "DATA") return verdict("recipient-policy", `the recipient's server accepted the address and then refused the message at DATA (${codeName}): its policy or the message itself${said(f)}`, "low", cmd.recipientAdmin);
  // "542 a@b Rejected" (MessageLabs): the reply names the failed recipient's own address as the thing refused, and nothing else.
  const addressOnly = /^[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3} )?<?([^\s<>@]{1,64}@[^\s<>]{1,255}?)>?(?:\.\.\.)? (?:rejected|refused)\.?$/i.exec(words.trim());
  if (permanent && addressOnly && addressOnly[1]!.toLowerCase() === f.recipient.toLowerCase()) return verdict("recipient-mailbox", `the recipient's server refused the address itself (${codeName}), and says no more${said(f)}`, "low", cmd.recipient);
  if (c.reply === 550 || c.reply === 553) return verdict("recipient-mailbox", `the recipient's server refused the address (${codeName}: mailbox unavailable), and says no more${said(f)}`, "low", cmd.recipient);
  return verdict("recipient-policy", `a permanent failure that names no known cause (${codeName}): read the server's words${said(f)}`, "low", cmd.recipientAdmin);
}
