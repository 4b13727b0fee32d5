/**
 * One input to Failures: SES feedback JSON, or a MIME message read with mailparser (loaded on
 * first use, so --help stays fast). Never throws for anything the input holds: a message that
 * is not a bounce, or cannot be read, is { ok: false } with what could be read.
 */
import { failuresFromDeliveryStatus, failuresFromListNotice, failuresFromSes, failuresFromText, noticeSummary } from "../../lib/diagnose/read";
import type { Failure, NoticeSource } from "../../lib/diagnose/types";
import { shown } from "../../lib/text";

/** The largest message diagnose reads: a bounce with its returned message is rarely over 1 MiB. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** The most MIME parts one message may declare: a bounce has 2 to 4, nesting included. */
export const MAX_PARTS = 200;

export type Read = { ok: true; failures: Failure[]; what: string } | { ok: false; message: string };

/**
 * A delivery-status part's text. Its fields are not MIME-encoded, so a Japanese MTA (Domino,
 * Sendmail in Japan) writes Diagnostic-Code in the raw ISO-2022-JP of its text part: the escape
 * sequences (ESC $ B, ESC $ @) say so, and the part is decoded as that (7-bit, ASCII unchanged).
 */
function reportText(b: Buffer): string {
  if (b.includes("\x1b$B") || b.includes("\x1b$@")) {
    try {
      return new TextDecoder("iso-2022-jp").decode(b);
    } catch {
      // A runtime without that decoder: the raw text, as before.
    }
  }
  return b.toString("utf8");
}

/** One input: SES JSON or a MIME message. */
export async function readBounce(bytes: Buffer, depth = 0): Promise<Read> {
  const head = bytes.subarray(0, 64).toString("utf8").trimStart();
  if (head.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      return { ok: false, message: `it starts like JSON but is not valid JSON (${shown((e as Error).message, 120)})` };
    }
    const r = failuresFromSes(json);
    if (!r.ok) return r;
    if (!r.failures.length) return { ok: false, message: `SES feedback of type ${shown(r.type, 40)}, which reports no failed recipient` };
    return { ok: true, failures: r.failures, what: `SES ${r.type} feedback` };
  }
  // NUL bytes: binary data, unless a stray one or two sit in the body of a text message (a mail
  // store that padded the file): then they are dropped. In the header, or more than one in 1,000
  // bytes, it is not mail.
  if (bytes.includes(0)) {
    let nul = 0;
    for (let i = bytes.indexOf(0); i >= 0; i = bytes.indexOf(0, i + 1)) nul++;
    const headerEnd = bytes.indexOf("\n\n");
    if (headerEnd < 0 || bytes.subarray(0, headerEnd).includes(0) || nul * 1000 > bytes.length) return { ok: false, message: "binary data (it holds NUL bytes), not a mail message" };
    bytes = Buffer.from(bytes.filter((b) => b !== 0));
  }
  const parts = countParts(bytes);
  if (parts > MAX_PARTS) return { ok: false, message: `a message declaring ${parts} MIME parts (over ${MAX_PARTS}); a bounce has a handful` };
  const { simpleParser } = await import("mailparser");
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(bytes, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: 1024 * 1024, keepDeliveryStatus: true });
  } catch (e) {
    return { ok: false, message: `not a readable mail message (${shown((e as Error).message, 120)})` };
  }
  const from = mail.from?.value[0]?.address?.toLowerCase() ?? "";
  const subject = mail.subject ?? "";
  // headerLines, not headers: mailparser leaves a field with an empty value (Exchange's
  // "X-MS-Exchange-Message-Is-Ndr:") out of headers.
  const headerNames = mail.headerLines.map((h) => h.key.toLowerCase());
  if (!from && !subject && headerNames.length === 0) return { ok: false, message: "no mail header fields: not a mail message" };
  const attachments = mail.attachments ?? [];
  const status = attachments.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  const returned = attachments.find((a) => /^(message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)$/i.test(a.contentType));
  const sender = originalSender(returned?.content.toString("utf8"));
  const source = noticeSource(from, headerNames.some((h) => h.startsWith("x-ms-exchange")), (status ? reportText(status.content) : undefined));
  // A notice whose MIME structure is broken (a boundary that does not match, stripped part
  // headers) leaves mailparser with no text: the raw body is the text then. A bounce forwarded
  // inline ("Begin forwarded message:", "> " quoting) is read without its quoting.
  const text = unquoteForwarded(mail.text?.trim() ? mail.text : attachments.length ? "" : rawBody(bytes));
  // An empty delivery-status part (Gmail's "Send mail as" notice, CustomFromDenied, sends one with
  // no fields at all) says nothing: the human-readable part and X-Failed-Recipients are read then.
  if (status && /^(?:final|original)-recipient\s*:/im.test(reportText(status.content))) {
    const failures = failuresFromDeliveryStatus(reportText(status.content), source, sender);
    if (failures.length) {
      // The human part may quote the server's answer the report left out (Gmail's relay notice does).
      return {
        ok: true,
        failures: withHumanWords(failures, failuresFromText(text, source, sender), noticeSummary(text)),
        what: `a delivery status report from ${from || "an unnamed sender"}`,
      };
    }
    const actions = [...reportText(status.content).matchAll(/^action:\s*(\S+)/gim)].map((m) => m[1]!.toLowerCase());
    return { ok: false, message: `a delivery status report from ${shown(from || "an unnamed sender", 80)} with no failed or delayed recipient (${actions.length ? `actions: ${[...new Set(actions)].join(", ")}` : "no recipient fields"})` };
  }
  const isNotice = /mailer-daemon|postmaster|mail delivery|mailer|daemon|bounce|returned mail/i.test(`${from} ${mail.from?.text ?? ""}`) || /undeliver|delivery status notification|not delivered|delivery (?:failure|failed|problem|notification|incomplete|delayed)|returned mail|failure notice|could not be delivered|mail delivery failed|non-delivery|nondeliverable|delivery report|rejected|returned to sender|warning: could not send|delayed mail/i.test(subject);
  const toAddresses = [mail.to].flat().flatMap((a) => a?.value ?? []).map((v) => v.address ?? "").filter(Boolean);
  const exclude = [from, ...toAddresses];
  // X-Failed-Recipients: written by Exim, Google and others next to the human-readable notice.
  const failedRecipients = mail.headerLines
    .filter((h) => h.key.toLowerCase() === "x-failed-recipients")
    .flatMap((h) => h.line.slice(h.line.indexOf(":") + 1).split(/[\s,;]+/))
    .map((a) => a.replace(/^<|>$/g, ""))
    .filter((a) => /^[^\s@<>]{1,64}@[^\s@<>]{1,255}$/.test(a))
    .slice(0, 10_000);
  // Report fields written inline as text: a bounce whose MIME headers were stripped (its
  // delivery-status part is now plain text), or a notice that writes the RFC 3464 fields into its body.
  if (/^(?:final|original)-recipient\s*:/im.test(text.slice(0, 256 * 1024))) {
    const inline = failuresFromDeliveryStatus(text.slice(0, 256 * 1024), source, sender ?? originalSender(afterReturned(text)));
    if (inline.length) {
      // The human-readable part only: the report fields below it are not a notice's recipient list.
      const fields = text.search(/^(?:reporting-mta|final-recipient|original-recipient|arrival-date|received-from-mta)\s*:/im);
      const before = fields > 0 ? text.slice(0, fields) : "";
      const fromText = failuresFromText(before, source, sender, undefined, exclude);
      return { ok: true, failures: withHumanWords(inline, fromText, noticeSummary(before)), what: `a delivery status report written as text from ${from || "an unnamed sender"}` };
    }
  }
  // SES notifications delivered by email (an SNS email subscription): the JSON is the body.
  const json = /\{\s*"(?:notificationType|eventType|Type)"\s*:/.exec(text.slice(0, 256 * 1024));
  if (json) {
    // SNS's email wraps long lines: the line breaks are not part of the JSON.
    const body = text.slice(json.index, json.index + 1024 * 1024).split(/\r?\n--\s*\r?\n/, 1)[0]!;
    const last = body.lastIndexOf("}");
    try {
      const r = failuresFromSes(JSON.parse(body.slice(0, last + 1).replace(/\r?\n/g, "")));
      if (r.ok && r.failures.length) return { ok: true, failures: r.failures, what: `SES ${r.type} feedback delivered by email from ${from || "an unnamed sender"}` };
    } catch {
      // Not JSON after all: read as a notice.
    }
  }
  // A mailing list manager's notice (fml): the list refused the post or dropped it.
  if (mail.headerLines.some((h) => h.key.toLowerCase() === "x-mlserver" && /^x-mlserver:\s*fml\b/i.test(h.line))) {
    const list = failuresFromListNotice(text, subject, originalSender(text.slice(Math.max(0, text.search(/^\s*original mail as follows/im)))));
    if (list.length) return { ok: true, failures: list, what: `a mailing list notice from ${from || "an unnamed sender"}` };
  }
  // EZweb marks a refusal by its user's reception filter with "X-SPASIGN: NG" (the reader of the
  // format: sisimai's Lhost/EZweb.pm, which reads it as "filtered").
  const filterSign = mail.headerLines.find((h) => h.key.toLowerCase() === "x-spasign" && /^x-spasign:\s*ng\s*$/i.test(h.line));
  const returnedPart = afterReturned(text);
  let failures = failuresFromText(text, source, sender ?? originalSender(returnedPart), undefined, exclude, failedRecipients);
  // A message sent to oneself bounces to the failed address: the notice's To may be the recipient.
  if (!failures.length && isNotice) failures = failuresFromText(text, source, sender ?? originalSender(returnedPart), undefined, from ? [from] : [], failedRecipients);
  // A notice that names no recipient (Sendmail V5's bare transcript): the returned message's To.
  // In the text, or in the returned message/rfc822 part when mailparser keeps it as an attachment:
  // that one only when the notice's own text lists the address too (Biglobe lists postmaster@...).
  const attachedTo = returned ? originalRecipient(returned.content.toString("utf8")) : undefined;
  const originalTo = originalRecipient(returnedPart) ?? (attachedTo && text.toLowerCase().includes(attachedTo) ? attachedTo : undefined);
  if ((!failures.length || failures.every((f) => !f.recipient.includes("@"))) && isNotice && originalTo && !exclude.includes(originalTo)) {
    failures = failuresFromText(text, source, sender ?? originalSender(returnedPart), undefined, exclude, [originalTo]);
  }
  if (failures.length && filterSign) failures = failures.map((f) => ({ ...f, recipientFilter: "X-SPASIGN: NG", evidence: [...f.evidence, "X-SPASIGN: NG"] }));
  if (failures.length && (isNotice || failures[0]!.diagnostic)) return { ok: true, failures, what: `a non-delivery notice from ${from || "an unnamed sender"}` };
  // A notice whose text part has a malformed Content-Type ("text/plain" folded onto a "charset="
  // line without its ";") is an attachment to mailparser: its text is the notice.
  if (isNotice) {
    for (const a of attachments.filter((x) => /^text\/plain\b/i.test(x.contentType)).slice(0, 3)) {
      const partText = a.content.subarray(0, 256 * 1024).toString("utf8");
      const found = failuresFromText(partText, source, sender ?? originalSender(returnedPart), undefined, exclude, failedRecipients);
      if (found.length && found.some((f) => f.diagnostic)) return { ok: true, failures: found, what: `a non-delivery notice from ${from || "an unnamed sender"}` };
    }
  }
  // A bounce forwarded as an attachment: the notice is the attached message.
  if (depth < 2) {
    for (const a of attachments.filter((x) => /^message\/(rfc822|global)$/i.test(x.contentType)).slice(0, 3)) {
      const inner = await readBounce(a.content, depth + 1);
      if (inner.ok) return { ...inner, what: `${inner.what}, forwarded by ${from || "an unnamed sender"}` };
    }
  }
  return { ok: false, message: `a mail message${from ? ` from ${shown(from, 80)}` : ""}${subject ? ` (subject ${shown(subject, 80)})` : ""} with no delivery status report and no recognisable failure notice: not a bounce` };
}

/**
 * The human part says what the report leaves out: Gmail's relay notice quotes the answer the
 * report omits; a report with a generic Status and no Diagnostic-Code (5.0.0) says the cause
 * only in words; Sendmail cuts a long reply in Diagnostic-Code and quotes it whole above.
 */
function withHumanWords(failures: Failure[], human: Failure[], summary: string | undefined): Failure[] {
  return failures.map((f) => {
    const own = human.find((h) => h.recipient.toLowerCase() === f.recipient.toLowerCase()) ?? (human.length === 1 ? human[0] : undefined);
    if (!f.diagnostic) {
      const said = own?.diagnostic ?? summary;
      return said ? { ...f, diagnostic: said, evidence: [...f.evidence, ...(own?.evidence ?? []), ...(own?.diagnostic ? [] : [`(the notice's words) ${said.slice(0, 200)}`])] } : f;
    }
    const more = own?.diagnostic;
    // The human part quotes the same reply with the command it answered ("... (in reply to end of
    // DATA command)", Sendmail's transcript ">>> RCPT To:<a@b>" then "<<< 550 ..."): the stage counts.
    if (more && more.length > f.diagnostic.length && more.includes(f.diagnostic) && /\(in reply to [^)]{1,40}\)|>>>\s*(?:MAIL FROM|RCPT TO|DATA|AUTH|EHLO|HELO|STARTTLS)\b/i.test(more)) return { ...f, diagnostic: more.slice(0, 700) };
    return more && more.length > f.diagnostic.length && !f.diagnostic.includes(more) && !more.includes(f.diagnostic) && /[245]\d\d|[245]\.\d/.test(more) ? { ...f, diagnostic: `${f.diagnostic} | ${more}`.slice(0, 700) } : f;
  });
}

/** The body of a message as text: everything after the header block, at most 256 KiB. */
function rawBody(bytes: Buffer): string {
  const head = bytes.subarray(0, 256 * 1024 + 65536).toString("utf8");
  const m = /\r?\n\r?\n/.exec(head);
  return m ? head.slice(m.index + m[0].length, m.index + m[0].length + 256 * 1024) : "";
}

/** A bounce forwarded inline by a person: its lines quoted with "> ", after a forwarding marker. */
function unquoteForwarded(text: string): string {
  const at = text.slice(0, 64 * 1024).search(/begin forwarded message|-{3,} ?forwarded message|-{3,} ?original message ?-{3,}|^fwd?:/im);
  if (at < 0) return text;
  return `${text.slice(0, at)}${text.slice(at).replace(/^>[ \t]?/gm, "").replace(/^>[ \t]?/gm, "")}`;
}

/** The To of the returned message: the failed recipient when the notice names none itself (Sendmail V5's transcript). */
function originalRecipient(returned: string): string | undefined {
  const m = /^to:\s*(.*)$/im.exec(returned.slice(0, 64 * 1024));
  const a = m ? /[^\s<>"@,]+@[^\s<>",]+\.[A-Za-z]{2,}/.exec(m[1]!) : null;
  return a?.[0].toLowerCase();
}

/** The text from a notice's returned-message marker on: where the original message's From is. */
function afterReturned(text: string): string {
  const m = /^.*(?:original message|copy of (?:the|your) message|below this line|returned message|message follows|rfc822).*$/im.exec(text.slice(0, 256 * 1024));
  return m ? text.slice(m.index, m.index + 64 * 1024) : "";
}

/** Boundaries declared in the raw message: a cheap bound on its parts before any parser sees them. */
function countParts(bytes: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = bytes.indexOf("boundary=", i + 1, "latin1")) >= 0) if (++n > MAX_PARTS) break;
  return n;
}

function noticeSource(from: string, exchangeHeaders: boolean, status: string | undefined): NoticeSource {
  if (/@(googlemail\.com|gmail\.com|google\.com)$/.test(from)) return "gmail";
  if (exchangeHeaders || /outlook\.com\b/i.test(status ?? "") || /@.*(outlook\.com|microsoft\.com)$/.test(from)) return "exchange";
  return status ? "dsn" : "text";
}

/** The From address of the returned message (headers), the relay's sender. */
function originalSender(headers: string | undefined): string | undefined {
  if (!headers) return undefined;
  const m = /^from:\s*(.*)$/im.exec(headers.slice(0, 64 * 1024));
  const a = m ? /[^\s<>"@]+@[^\s<>"]+\.[A-Za-z]{2,}/.exec(m[1]!) : null;
  return a?.[0].toLowerCase();
}

