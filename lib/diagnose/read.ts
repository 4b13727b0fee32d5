/**
 * From what a MIME parser extracted (the header fields, the text, the message/delivery-status
 * part, the returned headers) or from SES feedback JSON to Failures. Pure: no parser here, so
 * every rule is testable on strings.
 */
import type { Failure, NoticeSource } from "./types";

/** The most a quoted line keeps. */
const LINE_MAX = 300;
// No cap on recipients per message: every failed recipient a message lists gets a verdict (a
// silent cap once turned 20,000 failed recipients into 1,000 verdicts). The reader's input is
// bounded instead (MAX_MESSAGE_BYTES in scripts/diagnose/message.ts), and every pass is linear.

const cut = (s: string): string => {
  const one = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
  return one.length > LINE_MAX ? `${one.slice(0, LINE_MAX)}…` : one;
};
// An address as a notice shows it; internationalised local parts and domains (RFC 6531) included.
const ADDRESS = /[^\s<>()[\],;:"'@]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?\.)+\p{L}{2,63}/u;

// ---------------------------------------------------------------------------------------------
// RFC 3464 message/delivery-status
// ---------------------------------------------------------------------------------------------

export type FieldBlock = Map<string, string>;

/** Header blocks separated by blank lines; folded lines joined; names lower-cased; first value wins. */
export function parseFieldBlocks(text: string): FieldBlock[] {
  const blocks: FieldBlock[] = [];
  let block: FieldBlock = new Map();
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "") {
      if (block.size) blocks.push(block);
      block = new Map();
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(raw) && last) {
      block.set(last, `${block.get(last) ?? ""} ${raw.trim()}`);
      continue;
    }
    // The s flag: a stray CR ("\r\r\n" line ends) or U+2028 in a value must not drop the field.
    const m = /^([!-9;-~]{1,76}):[ \t]*(.*)$/s.exec(raw);
    if (!m) continue;
    last = m[1]!.toLowerCase();
    // A second Final-Recipient in one block is the next recipient: some MTAs (AOL's) write the
    // per-recipient blocks without the blank line RFC 3464 puts between them.
    if (last === "final-recipient" && block.has("final-recipient")) {
      blocks.push(block);
      block = new Map();
    }
    if (!block.has(last)) block.set(last, m[2]!.trim());
  }
  if (block.size) blocks.push(block);
  return blocks;
}

/** "dns; mx.example.com (1.2.3.4)" -> "mx.example.com"; "rfc822; a@b" -> "a@b". */
export function typedValue(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const after = v.includes(";") ? v.slice(v.indexOf(";") + 1) : v;
  // The first word, then its angle brackets: "<a@b> (comment)" is a@b.
  const first = (after.trim().split(/[\s(]/, 1)[0] ?? "").replace(/^<|>$/g, "");
  return first.replace(/\.$/, "") || undefined;
}

/**
 * A multi-line SMTP reply flattened into one line ("550-5.1.1 The email account ... 550-5.1.1
 * double-checking ... 550 5.1.1 https://...") read as one sentence: the continuation lines'
 * repeated reply and status codes are dropped, the first kept.
 */
export function joinReplyLines(reply: string): string {
  const m = /^([245]\d\d)[- ]([245]\.\d{1,3}\.\d{1,3})\s+/.exec(reply);
  if (!m) return reply;
  const again = new RegExp(`\\s${m[1]}[- ]${m[2]!.replace(/\./g, "\\.")}\\s+`, "g");
  return `${m[1]} ${m[2]} ${reply.slice(m[0].length).replace(again, " ")}`;
}

/**
 * A Diagnostic-Code's text for classifying: without its diagnostic-type ("smtp; ", "X-Postfix; ":
 * an atom, RFC 3464 section 2.3.6), a multi-line reply joined, on one line. SES's diagnosticCode
 * is the DSN's field as written, so both readers use this.
 */
const diagnosticText = (d: string): string => cut(joinReplyLines(d.replace(/^\s*[a-z0-9-]+\s*;\s*/i, "")));

/**
 * The host a reporting MTA names in its own diagnostic when it writes no Remote-MTA field:
 * Postfix's "server email-smtp.us-east-1.amazonaws.com[44.1.2.3] said:" (a SASL failure) and
 * "host mx.example.com[1.2.3.4] said:", Exim's "host mx.example.com [1.2.3.4]".
 */
export function hostInDiagnostic(diagnostic: string | undefined): string | undefined {
  const m = diagnostic ? /\b(?:host|server)\s+((?:[a-z0-9-]+\.)+[a-z]{2,})\.?\s?\[[0-9a-f.:]+\]/i.exec(diagnostic.slice(0, 4096)) : null;
  return m?.[1]?.toLowerCase();
}

/** The failed and delayed recipients of a delivery-status part. */
export function failuresFromDeliveryStatus(text: string, source: NoticeSource, sender: string | undefined): Failure[] {
  const blocks = parseFieldBlocks(text);
  const perMessage = blocks.find((b) => b.has("reporting-mta"));
  const reportingMta = typedValue(perMessage?.get("reporting-mta"));
  const out: Failure[] = [];
  for (const b of blocks) {
    if (!b.has("final-recipient") && !b.has("original-recipient")) continue;
    const written = (b.get("action") ?? "").toLowerCase().trim();
    // "expired" is not an RFC 3464 action, but SendGrid writes it for a message it gave up retrying: failed.
    const action = written === "expired" ? "failed" : written;
    if (action !== "failed" && action !== "delayed") continue;
    const recipient = typedValue(b.get("final-recipient") ?? b.get("original-recipient")) ?? "(unnamed recipient)";
    const diagnostic = b.get("diagnostic-code");
    const remoteMta = typedValue(b.get("remote-mta")) ?? hostInDiagnostic(diagnostic);
    const status = b.get("status")?.trim();
    const evidence = [
      ...(reportingMta ? [`Reporting-MTA: ${cut(perMessage!.get("reporting-mta")!)}`] : []),
      `Final-Recipient: ${cut(b.get("final-recipient") ?? b.get("original-recipient") ?? "")}`,
      `Action: ${cut(written)}`,
      ...(status ? [`Status: ${cut(status)}`] : []),
      ...(b.get("remote-mta") ? [`Remote-MTA: ${cut(b.get("remote-mta")!)}`] : []),
      ...(diagnostic ? [`Diagnostic-Code: ${cut(diagnostic)}`] : []),
    ];
    out.push({
      recipient: cut(recipient),
      source,
      action,
      ...(status ? { status: cut(status) } : {}),
      ...(diagnostic ? { diagnostic: diagnosticText(diagnostic) } : {}),
      ...(remoteMta ? { remoteMta } : {}),
      ...(reportingMta ? { reportingMta } : {}),
      ...(sender ? { sender } : {}),
      evidence,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Human-readable notices (Gmail, Exchange Online, text-only variants)
// ---------------------------------------------------------------------------------------------

/** Where a notice quotes the server's answer: the answer is on the same line, or the next non-empty ones. */
// The answer runs to the end of the line or to a stray CR in it ("\r\r\n" line ends: no "$" after
// it), and is trimmed when read.
const RESPONSE_INTROS = [
  /responded as follows:?\s*\[?(.*)/i,
  /the response (?:from the remote server )?was:?(.*)/i,
  /the error that the other server returned was:?(.*)/i,
  // Greedy and without a trailing optional group: "'?(.*?)'?\s*$" backtracks quadratically on a
  // run of spaces that does not end the line; the quotes are stripped afterwards.
  /remote server returned(.*)/i,
  // IMail: "Body of message generated response:" then the server's multi-line reply.
  /generated response:?(.*)/i,
  /^\s*#?([245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}.*?)(?:##.*)?$/,
];
// Where an intro names the address, its group may take a "<" before it ("<a@b"): ADDRESS picks
// the address out of the group.
const RECIPIENT_INTROS = [
  /unable to deliver (?:the |your |this )?message to\s+(\S+@[^\s>]+)/i,
  /rejected recipient\s+(\S+@[^\s>]+)/i,
  /(?:wasn't|was not|couldn't be|could not be) delivered to\s+(\S+@\S+)/i,
  /delivering your message to\s+(\S+@\S+)/i,
  /your message to\s+(\S+@\S+)\s+couldn't be delivered/i,
  /delivery to the following recipients? (?:failed|has been delayed)[^:]*:\s*$/i,
  /delivery has failed to these recipients or groups:\s*$/i,
  // IMail "undeliverable to a@b"; "The following recipients returned permanent errors: a@b. Reason: ...".
  /\bundeliverable to\s+(\S+@[^\s>]+)/i,
  /recipients returned (?:permanent|temporary) errors:\s*(\S+@[^\s>]+)/i,
];

/** The most of one line any per-line pattern sees: every pattern's work stays bounded by it, whatever its shape. */
export const SCAN_LINE_MAX = 2000;
/** A notice's lines as the per-line patterns see them: at most 5,000, each cut to SCAN_LINE_MAX. */
export function scanLines(text: string): string[] {
  return text
    .slice(0, 256 * 1024)
    .split(/\r?\n/, 5000)
    .map((l) => l.slice(0, SCAN_LINE_MAX));
}

/**
 * Where the notice ends and the returned message begins: every MTA writes its own marker
 * (Exim "------ This is a copy of the message", qmail/Yahoo "--- Below this line is a copy",
 * Sendmail "----- Original message follows -----", Gmail "----- Original message -----",
 * Exchange 2003 "Original message headers:", IMail "Original message follows."), or the returned
 * header block simply starts.
 */
const RETURNED_MESSAGE = [
  /^\s*-{2,}.*\b(?:original message|copy of (?:the|your) (?:original )?message|returned message|unsent message|undelivered message|message (?:headers? )?follows?|below this line|original headers|headers of the original)/i,
  /^\s*(?:original message headers|original message follows|the original message was received|your message (?:reads|was)[^:]{0,40}:)\s*[:.]?\s*$/i,
  /^\s*content-type:\s*(?:message\/rfc822|text\/rfc822-headers|message\/global)/i,
  /^(?:return-path|received|dkim-signature|x-original-to|delivered-to):\s/i,
];
/** Labels a notice puts before the failed address; the returned message's header fields are not among them. */
const RECIPIENT_LABEL = /^\s*(?:(?:failed|final|original|bad|invalid|unknown)[ -]?(?:recipient|address)(?:es)?|recipient(?: address)?(?:es)?|address(?:es)?|rcpt|user|mailbox|destinataire|empf\u00e4nger|\u5b9b\u5148|delivery to|to address)\s*[:=]\s*(?:rfc822\s*;\s*)?/iu;
/** An address that is never the failed recipient: the notice's own mailboxes. */
const NOTICE_MAILBOX = /^(?:mailer-daemon|postmaster|mail-daemon|mailer|maildaemon|daemon|no-?reply|bounces?)@/i;
/**
 * A line that only announces or closes the list of failures, or a rule or MIME boundary line
 * ("--" and the boundary, RFC 2046 section 5.1.1: a notice whose MIME structure is broken is read
 * raw): no server's words in it.
 */
const BOILERPLATE = /^(?:this is a permanent error|the following address(?:es)?(?:\(es\))? failed|i'm afraid i wasn't able|this message was created automatically|hi\. this is the|sorry,? we were unable|a message that you sent|your message (?:to|did not|was(?!n't delivered to \S{1,320} because)|could)|did not reach the following|delivery to the following|delivery has failed|\*\*|-{2,}|={3,}|_{3,}|unknown recipient$)/i;

/** One failed address and the lines under it, up to the next address or a blank line after text. */
interface Block {
  recipient: string;
  /** The address line as the notice wrote it (trimmed): noticeWords compares lines as written. */
  line: string;
  body: string[];
}

/**
 * The failed addresses of a plain-text notice, each with the lines the notice writes under it:
 * Exim "  a@b\n    SMTP error from remote mail server after RCPT TO:...", qmail "<a@b>:\n
 * 192.0.2.1 does not like recipient.\nRemote host said: 550 ...", Postfix "<a@b>: host x[ip]
 * said: 550 ...", Sendmail "<a@b>... User unknown", Exchange 2003 "a@b on <date>\n    The
 * recipient name is not recognized", Courier, Domino and the providers that copy them.
 * Addresses in the returned message (after its marker) are not read.
 */
function recipientBlocks(lines: string[], end: number, exclude: Set<string>): Block[] {
  const blocks: Block[] = [];
  let open: Block | undefined;
  let textSeen = false;
  // Sendmail's transcript: "While talking to HOST:" opens the session with one host, ">>> CMD" is
  // what it sent, "<<< 550 ..." what that host answered (the first failure reply is kept).
  let session: { host: string; command?: string; reply?: string } | undefined;
  for (let i = 0; i < end; i++) {
    const line = lines[i]!;
    const talking = /^\s*(?:\.\.\.\s*)?while talking to\s+\[?([^\s:\]]{1,255}?)\]?\.?:\s*$/i.exec(line);
    if (talking) session = { host: talking[1]!.toLowerCase() };
    else if (session) {
      const sent = /^\s*>>>\s*(MAIL FROM|RCPT TO|DATA|AUTH|EHLO|HELO|STARTTLS|QUIT)\b/i.exec(line);
      if (sent && !session.reply) session.command = sent[1]!.toUpperCase();
      const answer = /^\s*<<<\s*([45]\d\d\b.{0,300})/.exec(line);
      if (answer && !session.reply) session.reply = answer[1]!;
    }
    // Active!Hunter and others mark the list entry with ">>> " like a transcript line.
    // A bulleted list ("   * a@b") is a list entry too.
    const trimmed = line.trim().replace(/^(?:>>>|[*\u2022])\s+(?=\S+@)/, "");
    // "Recipient: a@b", "Unknown user: a@b" (the label is the reason), "554 <a@b>... reason"
    // (Sendmail), ">>> RCPT To:<a@b>" (a session transcript): the address after a short label or code.
    const rcpt = /\bRCPT TO:\s*<([^<>\s]{3,320})>/i.exec(trimmed);
    const label = RECIPIENT_LABEL.exec(trimmed) ?? /^([^:<>@]{1,40}):\s+(?=[<"]?[^\s@<>]{1,64}@)/.exec(trimmed);
    const labelText = label && !RECIPIENT_LABEL.test(trimmed) ? label[1]!.trim() : "";
    if (labelText && /^\(/.test(labelText)) continue;
    if (labelText && /^(?:from|to|cc|bcc|sender|reply-to|return-path|date|subject|message-id|in-reply-to|references|x-[\w-]+|envelope-to|delivered-to|original sender|sender-mta|reporting-mta|remote-mta|received)$/i.test(labelText)) continue;
    const afterLabel = (label ? trimmed.slice(label[0].length) : trimmed).replace(/^[245]\d\d[ :-]\s*(?:[245]\.\d{1,3}\.\d{1,3}\s+)?(?=<)/, "");
    const m = rcpt ? [rcpt[0], rcpt[1]!] : /^[<"(\[]?\s*(?:mailto:)?([^\s<>()[\],;:"'@]{1,64}@[^\s<>()[\],;:"']{1,255})/.exec(afterLabel);
    const address = m ? ADDRESS.exec(m[1]!)?.[0] : undefined;
    // The address starts the line (after a label at most): a list entry, not a sentence that mentions one.
    if (address && ADDRESS.exec(m![1]!)!.index === 0 && !exclude.has(address.toLowerCase()) && !NOTICE_MAILBOX.test(address) && !/^(?:from|to|cc|sender|reply-to|return-path|subject)\s*:/i.test(trimmed)) {
      const rest = rcpt ? "" : afterLabel.slice(afterLabel.indexOf(address) + address.length).replace(/^[>"')\]]*\s*(?:\.\.\.|:)?\s*/, "");
      const known = blocks.find((b) => b.recipient.toLowerCase() === address.toLowerCase());
      open = known ?? { recipient: address, line: trimmed, body: [] };
      if (!known) blocks.push(open);
      if (labelText) open.body.push(labelText);
      // Sendmail's transcript names the address in the command it sent (">>> RCPT To:<a@b>"): the
      // command stays in the entry's lines, so the reply under it reads as its answer (the stage).
      if (rcpt) open.body.push(trimmed);
      // "a@b on Thu, 29 Apr 2010" (Exchange 2003): a date, not the server's words.
      if (rest && !/^on\s+\w{3},?\s/i.test(rest) && !/^\(?(?:generated from|expanded from|ultimately generated)/i.test(rest)) open.body.push(rest);
      textSeen = !!rest || !!labelText;
      // Sendmail's "554 <a@b>... reason": one line per recipient; the lines after it belong to the next one.
      if (rest && /^[245]\d\d[ -]/.test(trimmed) && !rcpt) {
        open.body[open.body.length - 1] = trimmed.replace(/^[245]\d\d[ -]\s*(?=<)/, "").replace(/^<[^>]*>\.\.\.\s*/, `${trimmed.slice(0, 3)} `);
        // Sendmail V5 lists the recipient with its own summary ("554 <a@b>... Remote protocol error:
        // Connection reset") under the session with that recipient's host: when the summary quotes no
        // reply, the host's own answer in that session ("<<< 550 ...") is what refused it.
        const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
        if (!known && session?.reply && !CODED.test(rest) && (session.host === domain || session.host.endsWith(`.${domain}`))) {
          open.body.splice(open.body.length - 1, 1, ...(session.command ? [`>>> ${session.command}`] : []), `<<< ${session.reply}`);
        }
        open = undefined;
      }
      continue;
    }
    if (!open) continue;
    if (!trimmed) {
      // A blank line ends the block once it has text; Sendmail and qmail leave one between the address and its reason.
      if (textSeen) open = undefined;
      continue;
    }
    // A rule line ("=====", "-----") separates sections of the notice: not the server's words.
    if (/^[=\-_*#~]{3,}$/.test(trimmed)) continue;
    if (open.body.length < 12) open.body.push(trimmed);
    // "because:" (Domino), "The error that the other server returned was:": an intro, the words follow.
    if (!trimmed.endsWith(":")) textSeen = true;
  }
  return blocks;
}

/** Exim's list when it names a local part only ("  kijitora" then the indented SMTP error): the indented lines. */
function recipientBlocksBare(lines: string[], end: number): string[] {
  const out: string[] = [];
  for (const indented of [true, false]) {
    for (let i = 0; i < end; i++) {
      const l = lines[i]!;
      if ((!indented || /^\s{2,}\S/.test(l)) && /(?:^|\s)[245]\d\d[\s:-]|smtp error|said:|host /i.test(l)) {
        for (let j = i; j < end && lines[j]!.trim() && out.length < 12; j++) out.push(lines[j]!.trim());
        return out;
      }
    }
  }
  return out;
}

/**
 * The lines of a block that carry the server's answer: from the first one with a code, or all of
 * them. The line before the code is kept when it introduces it, or when it is the local delivery
 * agent's own reason (Sendmail's transcript "mail.local: unknown user: a" above "554 <a>... Service unavailable").
 */
function blockDiagnostic(body: string[]): string | undefined {
  // "Size (in bytes): 222", "Number of lines: 2" (Verizon's "Message details"): a field of the
  // returned message with a number, never a reply code.
  const words = body.filter((l) => !BOILERPLATE.test(l) && !FIELD_NUMBER.test(l));
  // Commands only (">>> RCPT To:<a@b>" and no reply under it): nothing the server said.
  if (words.every((l) => l.startsWith(">>>"))) return undefined;
  // A transcript in the block (Sendmail's ">>> RCPT To:<a@b>" then "<<< 550 ..."): the failure
  // reply with the command it answered, where Sendmail's "(reason: 550 ...)" above only copies it.
  const sent = words.findIndex((l, i) => l.startsWith(">>>") && /^<<<\s*[45]\d\d/.test(words[i + 1] ?? ""));
  if (sent >= 0) return cutLong(words.slice(sent).join(" "));
  const coded = words.findIndex((l) => CODED.test(l));
  const from = coded > 0 && /^(?:sorry|remote host said|<<<|>>>|host |smtp error|said:|(?:mail\.local|local|procmail|maildrop|deliver):)/i.test(words[coded - 1]!) ? coded - 1 : Math.max(coded, 0);
  return cutLong(words.slice(from).join(" "));
}

/** A reply code or an enhanced status code standing alone: not digits inside an address, an IP or a message name. */
const CODED = /(?:^|[\s:;(#'"])[245]\d\d(?:[\s-]|$)|(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.]*\d)/;
/** The sending server retried for a while and gave up: "aborted after 5.0 hour(s)", "given up after 3 days". */
const GAVE_UP_AFTER = /\b(?:aborted|abandoned|cancell?ed|given up|gave up|expired)\b.{0,60}?\bafter\s+\d{1,4}(?:\.\d{1,2})?\s*(?:hours?|hour\(s\)|days?|day\(s\)|minutes?)/i;
/** A "name: number" field line of a notice's message details: a count, not the server's words. */
const FIELD_NUMBER = /^[A-Za-z][A-Za-z ()-]{0,40}:\s*\d+$/;

/** The longest a server's words kept for classifying (a quoted line keeps LINE_MAX). */
const DIAGNOSTIC_MAX = 600;
const cutLong = (s: string): string => {
  const one = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
  return one.length > DIAGNOSTIC_MAX ? `${one.slice(0, DIAGNOSTIC_MAX)}…` : one;
};

/**
 * What the notice says outside the recipient lists, for a notice whose failed address stands
 * alone (Gmail's "Delivery to the following recipient failed permanently:" then the address
 * then the explanation): its sentences before the returned message, boilerplate left out.
 */
function noticeWords(lines: string[], end: number, skip: Set<string>): string | undefined {
  const kept: string[] = [];
  for (let i = 0; i < end && kept.length < 30; i++) {
    const t = lines[i]!.trim();
    if (!t || skip.has(t) || BOILERPLATE.test(t)) continue;
    kept.push(t);
  }
  return kept.length ? cutLong(kept.join(" ")) : undefined;
}

/** A notice's own words about the failure, for a report that gives none: its first coded reply, or its sentences. */
export function noticeSummary(text: string): string | undefined {
  const lines = scanLines(text);
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (RETURNED_MESSAGE.some((re) => re.test(lines[i]!)) || /^(?:reporting-mta|final-recipient)\s*:/i.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  const coded = recipientBlocksBare(lines, end);
  return (coded.length ? blockDiagnostic(coded) : undefined) ?? noticeWords(lines, end, new Set());
}

/**
 * A human-readable notice: who wrote it, and the failed recipients with the server's words.
 * `exclude`: addresses that are never the failed recipient (the notice's From and To, the
 * returned message's sender).
 */
export function failuresFromText(text: string, source: NoticeSource, sender: string | undefined, reportingMta?: string, exclude: string[] = [], failedRecipients: string[] = []): Failure[] {
  const lines = scanLines(text);
  let recipient: string | undefined;
  let response: string | undefined;
  const evidence: string[] = [];
  let generating = reportingMta;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (RETURNED_MESSAGE.some((re) => re.test(lines[i]!))) {
      end = i;
      break;
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const nextLine = () => {
      for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (lines[j]!.trim()) return lines[j]!;
      return "";
    };
    if (!recipient && i < end) {
      for (const re of RECIPIENT_INTROS) {
        const m = re.exec(line);
        if (!m) continue;
        const found = m[1] ? ADDRESS.exec(m[1]) : ADDRESS.exec(nextLine());
        if (found) {
          recipient = found[0];
          evidence.push(cut(line));
          break;
        }
      }
    }
    const gen = /^\s*generating server:\s*(\S+)/i.exec(line);
    if (gen) {
      generating = gen[1];
      evidence.push(cut(line));
    }
    if (!response) {
      for (const re of RESPONSE_INTROS) {
        const m = re.exec(line);
        if (!m) continue;
        const said = (m[1] ?? "").trim() || nextLine().trim();
        if (said && /[245]\d\d|[245]\.\d{1,3}\.\d{1,3}/.test(said)) {
          response = said.replace(/^'|'$/g, "").replace(/\]\s*$/, "").trim();
          evidence.push(cut(line.includes(said) ? line : `${line.trim()} ${said}`));
          break;
        }
      }
    }
    if (/send mail as|misconfigured or out of date|smtp server settings|sending (?:your message|this message|mail) from/i.test(line) && evidence.length < 8) evidence.push(cut(line));
  }
  const head = text.slice(0, 64 * 1024);
  // Gmail names the alias whose relay failed ("the "Send mail as" address a@b.c", "sending your message from a@b.c"): the relay's sender.
  const alias = /send mail as"? address\s+(\S+@\S+)/i.exec(head) ?? /sending (?:your message|this message|mail) from\s+(?:the address\s+)?<?(\S+@\S+)/i.exec(head);
  const relaySender = sender ?? (alias?.[1] ? ADDRESS.exec(alias[1])?.[0] : undefined);
  const excluded = new Set([...exclude, ...(relaySender ? [relaySender] : [])].map((a) => a.toLowerCase()));
  // X-Failed-Recipients (Exim, Google and others write it): the failed addresses, whatever the text lists.
  const failed = [...new Set(failedRecipients.map((a) => a.toLowerCase()))];
  // A postmaster@ or mailer-daemon@ address in the list is the notice's own contact; one the caller
  // knows failed (X-Failed-Recipients, or the returned message was sent to it) comes back below.
  let blocks = recipientBlocks(lines, end, excluded);
  if (failed.length) {
    const listed = blocks.filter((b) => failed.includes(b.recipient.toLowerCase()));
    // A block whose address the text wrote without its domain ("  kijitora" in Exim's list) still carries the server's words.
    const orphan = blocks.length === 1 && !listed.length ? blocks[0]!.body : failed.length === 1 ? blocks.flatMap((b) => b.body) : [];
    blocks = [...listed, ...failed.filter((a) => !listed.some((b) => b.recipient.toLowerCase() === a)).map((a) => ({ recipient: a, line: `X-Failed-Recipients: ${a}`, body: orphan }))];
    if (!listed.length && !orphan.length) {
      const bare = recipientBlocksBare(lines, end);
      for (const b of blocks) if (!b.body.length) b.body = bare;
    }
  }
  if (!recipient && !response && !blocks.length) return [];
  // Words only, for a notice that quotes no code: a delay the sender keeps retrying.
  const delayed = /has been delayed|temporary problem|will (?:retry|keep trying|continue trying|be retried)|delivery incomplete|still trying|not yet been delivered|warning: message .* delayed|delivery (?:is )?delayed/i.test(head);
  const remote = remoteHostIn(text);
  const one = (rcpt: string, diagnostic: string | undefined, more: string[]): Failure => ({
    recipient: rcpt,
    source,
    ...(delayed ? { action: "delayed" } : {}),
    ...(diagnostic ? { diagnostic } : {}),
    ...(generating ? { reportingMta: generating.toLowerCase() } : {}),
    ...((diagnostic && hostInDiagnostic(diagnostic)) || remote ? { remoteMta: (diagnostic && hostInDiagnostic(diagnostic)) || remote! } : {}),
    ...(relaySender ? { sender: relaySender } : {}),
    evidence: [...new Set([...evidence, ...more])].slice(0, 10),
  });
  if (blocks.length && !(recipient && response && !blocks.some((b) => b.recipient.toLowerCase() === recipient!.toLowerCase()))) {
    const skip = new Set<string>();
    for (const b of blocks) {
      skip.add(b.line);
      for (const l of b.body) skip.add(l);
    }
    const general = response ? cut(response) : undefined;
    let context: string | undefined;
    // The notice's first coded reply, for a block whose own lines quote none (Active!Hunter and
    // Sendmail put the transcript under its own heading, Verizon and MailMarshal above the list).
    let coded: string | undefined | null;
    const codedReply = () => (coded === undefined ? (coded = blockDiagnostic(recipientBlocksBare(lines, end)) ?? null) : coded);
    // The sentence that heads the list may say the sending server gave up after retrying ("Delivery
    // to the following recipients was aborted after 5.0 hour(s):"): it is said of every entry.
    const gaveUp = lines.slice(0, end).find((l) => GAVE_UP_AFTER.test(l))?.trim();
    return blocks.map((b) => {
      const own = blockDiagnostic(b.body);
      const ownCoded = !!own && CODED.test(own);
      const withCode = own && !ownCoded && !general && codedReply() ? cutLong(`${own} ${codedReply()}`) : own;
      const d = own && (!general || ownCoded) ? withCode : (general ?? (context ??= noticeWords(lines, end, skip)));
      const withGaveUp = gaveUp && d && !CODED.test(d) && !d.includes(gaveUp) ? cutLong(`${d} | ${gaveUp}`) : d;
      return one(cut(b.recipient), withGaveUp, [cut(b.line), ...b.body.slice(0, 4).map(cut), ...(withGaveUp !== d ? [cut(gaveUp!)] : [])]);
    });
  }
  return [one(recipient ?? "(recipient not named)", response ? cut(response) : recipient ? noticeWords(lines, end, new Set()) : undefined, [])];
}

/**
 * A notice from fml (https://www.fml.org/, the mailing list manager; it writes "X-MLServer: fml
 * [fml 4.0.3 ...]" on what it sends, and "Original mail as follows:" above the returned message):
 * one sentence ending with the list's address, "You are not a member of this mailing list
 * <list@example.org>.", "Duplicated Message-ID in <list@example.org>.". The list is the recipient
 * that refused; the sentence is its reason, with the subject ("Loop Alert: ...") as evidence.
 */
export function failuresFromListNotice(text: string, subject: string, sender: string | undefined): Failure[] {
  const lines = scanLines(text);
  const end = lines.findIndex((l) => /^\s*original mail as follows:?\s*$/i.test(l));
  for (const line of lines.slice(0, end < 0 ? lines.length : end)) {
    const m = /<([^\s<>]{1,320})>\.?\s*$/.exec(line);
    const address = m ? ADDRESS.exec(m[1]!)?.[0] : undefined;
    if (!address || address !== m![1]) continue;
    return [{ recipient: address.toLowerCase(), source: "text", diagnostic: cutLong(line), ...(sender ? { sender } : {}), evidence: [cut(line), cut(`Subject: ${subject}`)] }];
  }
  return [];
}

/** A host named as the server that answered ("by email-smtp.us-east-1.amazonaws.com."). */
function remoteHostIn(text: string): string | undefined {
  const m = /\b(?:by|server|host)\s+\[?((?:[a-z0-9-]+\.)+[a-z]{2,})\.?\]?/i.exec(text.slice(0, 64 * 1024));
  const h = m?.[1]?.toLowerCase();
  return h && /amazonaws\.com$|amazonses\.com$|outlook\.com$/.test(h) ? h : undefined;
}

// ---------------------------------------------------------------------------------------------
// SES feedback JSON
// ---------------------------------------------------------------------------------------------

type Json = unknown;
type JsonObject = Record<string, Json>;
const obj = (v: Json): JsonObject | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : undefined);
const str = (v: Json): string | undefined => (typeof v === "string" ? v : undefined);
const arr = (v: Json): Json[] => (Array.isArray(v) ? v : []);
/** The objects of a JSON array (a recipient list); anything else in it is skipped. */
const objects = (v: Json): JsonObject[] => arr(v).map(obj).filter((x): x is JsonObject => x !== undefined);

export type SesRead = { ok: true; failures: Failure[]; type: string } | { ok: false; message: string };

/**
 * SES feedback: an identity notification (notificationType) or a configuration-set event
 * (eventType), bare or as the Message (a JSON string) of an SNS envelope. Shapes:
 * https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html and
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html.
 */
export function failuresFromSes(json: Json): SesRead {
  let o = obj(json);
  if (!o) return { ok: false, message: "the JSON is not an object" };
  if (o.Type === "Notification" && typeof o.Message === "string") {
    try {
      o = obj(JSON.parse(o.Message));
    } catch {
      return { ok: false, message: "an SNS notification whose Message is not JSON" };
    }
    if (!o) return { ok: false, message: "an SNS notification whose Message is not a JSON object" };
  } else if (o.Type === "SubscriptionConfirmation") return { ok: false, message: "an SNS subscription confirmation, not SES feedback" };
  // SNS sends an HTTP/S endpoint three message types, Notification, SubscriptionConfirmation and
  // UnsubscribeConfirmation (https://docs.aws.amazon.com/sns/latest/dg/http-header.html); the last
  // once the endpoint is unsubscribed from the topic, with the topic's ARN and a SubscribeURL that
  // re-confirms it (https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html).
  else if (o.Type === "UnsubscribeConfirmation") {
    const topic = str(o.TopicArn);
    return { ok: false, message: `an SNS unsubscribe confirmation, not SES feedback: the endpoint was unsubscribed from the topic${topic ? ` ${topic}` : ""}, so the SES notifications published to it no longer reach the endpoint (its SubscribeURL subscribes it again)` };
  }
  const type = str(o.notificationType) ?? str(o.eventType);
  if (!type) return { ok: false, message: "JSON without notificationType or eventType: not SES feedback" };
  const mail = obj(o.mail);
  const sender = str(mail?.source);
  const commonHeaders = obj(mail?.commonHeaders);
  const from = str(arr(commonHeaders?.from)[0]);
  const relaySender = (from ? ADDRESS.exec(from)?.[0] : undefined) ?? (sender ? ADDRESS.exec(sender)?.[0] : undefined);
  const base = { source: "ses-notification" as const, sesType: type, ...(relaySender ? { sender: relaySender } : {}) };
  const failures: Failure[] = [];
  const push = (f: Failure) => failures.push(f);
  const t = type.toLowerCase();
  if (t === "bounce") {
    const b = obj(o.bounce);
    const bounceType = str(b?.bounceType);
    const subType = str(b?.bounceSubType);
    const reportingMTA = str(b?.reportingMTA);
    const reporting = typedValue(reportingMTA);
    for (const ro of objects(b?.bouncedRecipients)) {
      const email = str(ro.emailAddress);
      if (!email) continue;
      const diag = str(ro.diagnosticCode);
      const status = str(ro.status);
      const action = str(ro.action);
      push({
        ...base,
        recipient: cut(email),
        ...(bounceType ? { sesBounceType: bounceType } : {}),
        ...(subType ? { sesBounceSubType: subType } : {}),
        ...(action ? { action } : {}),
        ...(status ? { status } : {}),
        ...(diag ? { diagnostic: diagnosticText(diag) } : {}),
        ...(reporting ? { reportingMta: reporting } : {}),
        evidence: [`${type}: bounceType ${bounceType ?? "?"}, bounceSubType ${subType ?? "?"}`, ...(status ? [`status: ${cut(status)}`] : []), ...(diag ? [`diagnosticCode: ${cut(diag)}`] : []), ...(reporting ? [`reportingMTA: ${cut(reportingMTA!)}`] : [])],
      });
    }
  } else if (t === "complaint") {
    const c = obj(o.complaint);
    const fb = str(c?.complaintFeedbackType);
    const userAgent = str(c?.userAgent);
    for (const ro of objects(c?.complainedRecipients)) {
      const email = str(ro.emailAddress);
      if (email) push({ ...base, recipient: cut(email), ...(fb ? { sesBounceType: fb } : {}), evidence: [`${type}: complaintFeedbackType ${fb ?? "(none)"}`, ...(userAgent ? [`userAgent: ${cut(userAgent)}`] : [])] });
    }
  } else if (t === "deliverydelay") {
    const d = obj(o.deliveryDelay);
    const delayType = str(d?.delayType);
    for (const ro of objects(d?.delayedRecipients)) {
      const email = str(ro.emailAddress);
      const diag = str(ro.diagnosticCode);
      const status = str(ro.status);
      if (email) push({ ...base, recipient: cut(email), action: "delayed", ...(status ? { status } : {}), ...(diag ? { diagnostic: diagnosticText(diag) } : {}), evidence: [`${type}: delayType ${cut(delayType ?? "?")}`, ...(status ? [`status: ${cut(status)}`] : []), ...(diag ? [`diagnosticCode: ${cut(diag)}`] : [])] });
    }
  } else if (t === "reject" || t === "rendering failure" || t === "renderingfailure") {
    const reason = str(obj(o.reject)?.reason) ?? str(obj(o.failure)?.errorMessage);
    for (const dest of arr(mail?.destination)) {
      const email = str(dest);
      if (email) push({ ...base, sesType: t === "reject" ? "Reject" : "RenderingFailure", recipient: cut(email), ...(reason ? { diagnostic: cut(reason) } : {}), evidence: [`${type}: ${cut(reason ?? "(no reason given)")}`] });
    }
  }
  // Any other type (Delivery, Send, Open, Click, Subscription) names no failed recipient.
  return { ok: true, failures, type };
}
