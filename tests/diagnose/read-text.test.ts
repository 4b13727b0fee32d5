/**
 * The reader of human-readable notices (lib/diagnose/read.ts, lines 129-496): where the list of
 * failed addresses is, which line is an address, what the notice says under each, Sendmail's
 * session transcript, and the bounds every per-line pattern works within. Written from the
 * mutation run of read.ts:59-496 (issue 22). The notices are the shapes MTAs write, most of them
 * from the sisimai sample set (tests/fixtures/bounces-sisimai, BSD-2-Clause, licence there):
 * lhost-v5sendmail-05.eml (Sendmail V5's transcript), lhost-activehunter-01.eml,
 * lhost-exchange2003-01.eml, lhost-fml-02.eml and lhost-fml-03.eml; the expected values are what
 * each notice says, not what the code printed.
 */
import { describe, expect, it } from "vitest";
import { codesOf } from "../../lib/diagnose/classify";
import { failuresFromListNotice, failuresFromText, noticeSummary, SCAN_LINE_MAX, scanLines } from "../../lib/diagnose/read";

const read = (text: string, exclude: string[] = []) => failuresFromText(text, "text", undefined, undefined, exclude).map((f) => [f.recipient, f.diagnostic]);

describe("scanLines: the bounds of the per-line patterns", () => {
  it("CRLF or LF line ends; a line cut to SCAN_LINE_MAX characters, a shorter one kept whole", () => {
    expect(scanLines("a\r\nb\nc")).toEqual(["a", "b", "c"]);
    const [long, short] = scanLines(`${"x".repeat(SCAN_LINE_MAX + 5)}\n${"y".repeat(SCAN_LINE_MAX)}`);
    expect(long).toBe("x".repeat(SCAN_LINE_MAX));
    expect(short).toBe("y".repeat(SCAN_LINE_MAX));
  });
  it("at most 5,000 lines, from the first 256 KiB of the text", () => {
    expect(scanLines("a\n".repeat(6000))).toHaveLength(5000);
    // 200 lines of 1,500 characters and a line end: 256 KiB (262,144 characters) hold 174 whole lines and part of the 175th.
    const lines = scanLines(`${"x".repeat(1500)}\n`.repeat(200));
    expect(lines).toHaveLength(175);
    expect(lines[174]).toBe("x".repeat(262144 - 174 * 1501));
  });
});

describe("Sendmail's session transcript: the host's own reply refused the recipient", () => {
  // lhost-v5sendmail-05.eml, the notice's text (before "----- Unsent message follows -----").
  const transcript = [
    "   ----- Transcript of session follows -----",
    "While talking to example.edu:",
    ">>> DATA",
    "<<< 550 Your E-Mail is redundant.  You cannot send E-Mail to yourself (shironeko@example.jp).",
    "421 example.edu (smtp)... Deferred: Connection reset by peer during result wait with example.edu",
    "554 <kijitora@example.edu>... Remote protocol error: Connection reset by peer during result wait with example.edu",
    "550 example.or.jp (smtp)... 550 Host unknown",
    "554 <kuroneko@example.or.jp>... 550 Host unknown (Authoritative answer from name server)",
    "550 example.org (smtp)... 550 Host unknown",
    "554 <kijitora@example.org>... 550 Host unknown (Authoritative answer from name server)",
    "While talking to smtp.example.com:",
    ">>> QUIT",
    "<<< 421 dns.example.org Sorry, unable to contact destination SMTP daemon.",
    "421 smtp.example.org (smtp)... Deferred: Connection reset by peer during greeting wait with smtp.example.org",
    "While talking to mail.example.co.jp:",
    ">>> RCPT To:<mikeneko@example.co.jp>",
    "<<< 550 Requested User Mailbox not found. No such user here.",
    "550 <mikeneko@example.co.jp>... User unknown",
    "",
  ].join("\n");

  it("each '554 <a@b>... summary' line: the summary with its code; a summary that quotes no reply is replaced by that host's session (command and reply)", () => {
    expect(read(transcript)).toEqual([
      ["kijitora@example.edu", ">>> DATA <<< 550 Your E-Mail is redundant. You cannot send E-Mail to yourself (shironeko@example.jp)."],
      ["kuroneko@example.or.jp", "554 550 Host unknown (Authoritative answer from name server)"],
      ["kijitora@example.org", "554 550 Host unknown (Authoritative answer from name server)"],
      // The command the reply answered stays with it: the refusal came after RCPT TO.
      ["mikeneko@example.co.jp", ">>> RCPT To:<mikeneko@example.co.jp> <<< 550 Requested User Mailbox not found. No such user here. 550 User unknown"],
    ]);
  });

  const v5 = (talking: string, sent = ">>> DATA", reply = "<<< 550 Your E-Mail is redundant.") => read(`${talking}\n${sent}\n${reply}\n554 <kijitora@example.edu>... Remote protocol error\n`)[0]![1];
  const fromSession = ">>> DATA <<< 550 Your E-Mail is redundant.";
  const summary = "554 Remote protocol error";

  it.each([
    ["Sendmail 8's '... while talking to HOST.:', indented", "   ... while talking to example.edu.:"],
    ["no space after the dots", "...while talking to example.edu:"],
    ["two spaces before the host", "While talking to  example.edu:"],
    ["spaces after the colon", "While talking to example.edu:   "],
    ["a subdomain of the recipient's domain", "While talking to mx.example.edu:"],
  ])("the session opens: %s", (_, talking) => {
    expect(v5(talking)).toBe(fromSession);
  });

  it.each([
    ["a sentence that only mentions it", "Error while talking to example.edu:"],
    ["text after the colon", "While talking to example.edu: then"],
    ["another domain that ends the same way", "While talking to notexample.edu:"],
  ])("no session: %s", (_, talking) => {
    expect(v5(talking)).toBe(summary);
  });

  it("the command and the reply, however spaced; a command only at the start of its line", () => {
    expect(v5("While talking to example.edu:", "   >>>  data")).toBe(fromSession);
    expect(v5("While talking to example.edu:", ">>> DATA", "   <<<  550 Your E-Mail is redundant.   ")).toBe(fromSession);
    expect(v5("While talking to example.edu:", "Sent >>> DATA")).toBe("<<< 550 Your E-Mail is redundant.");
    expect(v5("While talking to example.edu:", ">>> DATA", "Got <<< 550 Your E-Mail is redundant.")).toBe(summary);
  });
});

describe("Sendmail's one line per recipient: '554 <a@b>... reason'", () => {
  it.each([
    ["554 <kijitora@example.org>... User unknown", "554 User unknown"],
    ["554-<kijitora@example.org>... User unknown", "554 User unknown"],
    ["554  <kijitora@example.org>... User unknown", "554 User unknown"],
    ["554 <kijitora@example.org>...User unknown", "554 User unknown"],
    ["554 <kijitora@example.org>...   User unknown", "554 User unknown"],
    ["554 <kijitora@example.org>... 550 <kijitora@example.org> unknown", "554 550 <kijitora@example.org> unknown"],
  ])("%s", (line, diagnostic) => {
    expect(read(`${line}\n`)).toEqual([["kijitora@example.org", diagnostic]]);
  });

  it.each([
    // An enhanced code after the reply code (RFC 3463: subject and detail of one to three digits): the line is quoted whole.
    "554 5.1.1 <kijitora@example.org>... User unknown",
    "554 5.1.1  <kijitora@example.org>... User unknown",
    "554 5.10.1 <kijitora@example.org>... User unknown",
    "554 5.7.129 <kijitora@example.org>... User unknown",
    "554 5.0.0 <kijitora@example.org>... host said: 550 <kijitora@example.org> unknown",
  ])("with an enhanced code, quoted whole: %s", (line) => {
    expect(read(`${line}\n`)).toEqual([["kijitora@example.org", line.replace(/\s+/g, " ")]]);
  });

  it("the reply code is followed by a space, a hyphen or a colon, nothing else (RFC 5321 4.2)", () => {
    expect(read("5505<kijitora@example.org>... User unknown\n")).toEqual([]);
    expect(read("550/<kijitora@example.org>... User unknown\n")).toEqual([]);
  });

  it("a reply code later in an entry's line does not make it Sendmail's one-line form: the lines under it still count", () => {
    expect(read("<kijitora@example.org>: host mx.example.org said 550 user unknown\n    (in reply to RCPT TO command)\n")).toEqual([["kijitora@example.org", "host mx.example.org said 550 user unknown (in reply to RCPT TO command)"]]);
  });

  it("a transcript's RCPT TO names the recipient, however spaced, and stays as the command its reply answered", () => {
    expect(read(">>> RCPT TO: <kijitora@example.org>\n<<< 550 5.1.1 user unknown\n")).toEqual([["kijitora@example.org", ">>> RCPT TO: <kijitora@example.org> <<< 550 5.1.1 user unknown"]]);
  });
});

describe("which line is a failed address", () => {
  const activeHunter = (entry: string) => `  ----- The following addresses had permanent fatal errors -----\n\n${entry}\n\n  ----- Transcript of session follows -----\n550 sorry, no mailbox here by that name (#5.1.1 - chkusr)\n`;

  it("a list entry marked like a transcript line (Active!Hunter '>>> a@b') or a bullet", () => {
    // lhost-activehunter-01.eml's entry repeats the address in angle brackets.
    expect(read(activeHunter(">>> kijitora@example.org <kijitora@example.org>")).map(([r]) => r)).toEqual(["kijitora@example.org"]);
    for (const entry of [">>> kijitora@example.org", ">>>  <kijitora@example.org>", "   * kijitora@example.org", "\u2022 kijitora@example.org"]) expect(read(activeHunter(entry)), entry).toEqual([["kijitora@example.org", "550 sorry, no mailbox here by that name (#5.1.1 - chkusr)"]]);
    expect(read(activeHunter("-> kijitora@example.org"))).toEqual([]);
  });

  it("after a label: the label is the reason when it is not a recipient label", () => {
    expect(read("Recipient address: kijitora@example.org\nReason: 550 5.1.1 user unknown\n")).toEqual([["kijitora@example.org", "Reason: 550 5.1.1 user unknown"]]);
    expect(read("Unknown user: kijitora@example.org\n")).toEqual([["kijitora@example.org", "Unknown user"]]);
    expect(read("Unknown user: <kijitora@example.org>\n")).toEqual([["kijitora@example.org", "Unknown user"]]);
    expect(read("Unknown user:  kijitora@example.org\n")).toEqual([["kijitora@example.org", "Unknown user"]]);
    expect(read("Unknown user (550): kijitora@example.org\n")).toEqual([["kijitora@example.org", "Unknown user (550)"]]);
    expect(read("Delivered-To-Me: kijitora@example.org\n550 user unknown\n")).toEqual([["kijitora@example.org", "550 user unknown"]]);
  });

  it("not an address line: a parenthesised label, a header field of the returned message, a quoted header naming RCPT TO", () => {
    for (const line of ["(reason: 550): kijitora@example.org", "To : kijitora@example.org", "X-Original-To: kijitora@example.org", "Delivered-To: kijitora@example.org", "Envelope-To: kijitora@example.org", "  Subject: Delivery failed after RCPT TO:<kijitora@example.org>", "  To : x RCPT TO:<kijitora@example.org>"]) {
      expect(read(`${line}\n550 user unknown\n`), line).toEqual([]);
    }
  });

  it("an address with a second @ is not a list entry", () => {
    expect(read("kijitora@neko@example.org: unknown\n")).toEqual([]);
  });

  it("an excluded address (the sender) does not open an entry of its own: its line stays under the entry above, whatever its case", () => {
    const failures = failuresFromText("a@example.org\nSender@Example.com\n    550 5.1.1 user unknown\n", "text", undefined, undefined, ["sender@example.com"]);
    expect(failures.map((f) => f.recipient)).toEqual(["a@example.org"]);
    expect(failures[0]!.evidence).toContain("Sender@Example.com");
  });

  it("Exchange 2003's 'a@b on <date>' (lhost-exchange2003-01.eml): the date is not the server's words; nor is '(generated from ...)'", () => {
    const exchange = (entry: string) => read(`did not reach the following recipient(s):\n\n${entry}\n    The recipient name is not recognized\n`);
    expect(exchange("kijitora@example.jp on Thu, 29 Apr 2010 00:00:00 -0000")).toEqual([["kijitora@example.jp", "The recipient name is not recognized"]]);
    expect(exchange("kijitora@example.jp on Thu 29 Apr 2010 00:00:00 -0000")).toEqual([["kijitora@example.jp", "The recipient name is not recognized"]]);
    expect(exchange("kijitora@example.jp on  Thu, 29 Apr 2010 00:00:00 -0000")).toEqual([["kijitora@example.jp", "The recipient name is not recognized"]]);
    expect(read("kijitora@example.jp: delivery failed on Thu, 29 Apr 2010\n")).toEqual([["kijitora@example.jp", "delivery failed on Thu, 29 Apr 2010"]]);
    expect(read("kijitora@example.jp: mailbox unavailable (expanded from: <list@example.jp>)\n")).toEqual([["kijitora@example.jp", "mailbox unavailable (expanded from: <list@example.jp>)"]]);
    expect(read("kijitora@example.jp generated from neko@example.jp\n")).toEqual([["kijitora@example.jp", undefined]]);
    // The address line itself is not the notice's words either, however it is spaced.
    expect(read("kijitora@example.jp   (generated from neko@example.jp)\n")).toEqual([["kijitora@example.jp", undefined]]);
  });

  it("the reason starts after the address and its closing marks: '...', ':' or neither", () => {
    expect(read("<kijitora@example.org>:550 5.1.1 user unknown\n")).toEqual([["kijitora@example.org", "550 5.1.1 user unknown"]]);
  });
});

describe("the lines under an address", () => {
  it("a blank line ends the entry once it has text; an intro ending in ':' is not text yet (Domino's 'because:')", () => {
    expect(read("kijitora@example.org\n    because:\n\n    Mailbox is full\n")).toEqual([["kijitora@example.org", "because: Mailbox is full"]]);
    expect(read("kijitora@example.org\n\n    Mailbox is full\n")).toEqual([["kijitora@example.org", "Mailbox is full"]]);
    expect(read("kijitora@example.org\n    Mailbox is full\n\n    Unrelated text after\n")).toEqual([["kijitora@example.org", "Mailbox is full"]]);
    expect(read("kijitora@example.org: Mailbox is full\n\nThis is unrelated text\n")).toEqual([["kijitora@example.org", "Mailbox is full"]]);
  });

  it("a rule line is not text; a line that only starts or ends with rule marks is", () => {
    expect(read("kijitora@example.org\n~~~~~\n\n    Mailbox is full\n")).toEqual([["kijitora@example.org", "Mailbox is full"]]);
    expect(read("kijitora@example.org\n    ### Mailbox is full\n")).toEqual([["kijitora@example.org", "### Mailbox is full"]]);
    expect(read("kijitora@example.org\n    Mailbox is full ###\n")).toEqual([["kijitora@example.org", "Mailbox is full ###"]]);
  });

  it("at most 12 lines under an address", () => {
    const lines = Array.from({ length: 15 }, (_, i) => `line ${i + 1}`);
    expect(read(`kijitora@example.org\n${lines.join("\n")}\n`)).toEqual([["kijitora@example.org", lines.slice(0, 12).join(" ")]]);
  });
});

describe("the notice's coded reply, for addresses whose own lines quote none", () => {
  it("X-Failed-Recipients names two addresses the text does not list: each gets the notice's coded lines", () => {
    const failed = failuresFromText("This is a permanent error.\n\n550 5.1.1 The mailbox is unavailable\n", "text", undefined, undefined, [], ["a@example.org", "b@example.org"]);
    expect(failed.map((f) => [f.recipient, f.diagnostic])).toEqual([
      ["a@example.org", "550 5.1.1 The mailbox is unavailable"],
      ["b@example.org", "550 5.1.1 The mailbox is unavailable"],
    ]);
  });

  it("noticeSummary: Exim's indented error under a bare local part wins over a coded line outside the list", () => {
    expect(noticeSummary("Reporting host said 550 generic trouble\n\n  kijitora\n    SMTP error from remote mail server after RCPT TO:<kijitora@example.org>: 550 5.1.1 unknown\n")).toBe("SMTP error from remote mail server after RCPT TO:<kijitora@example.org>: 550 5.1.1 unknown");
  });
});

describe("failuresFromListNotice: fml's one-sentence notices", () => {
  it("the list that refused, its sentence, and the subject (lhost-fml-03.eml)", () => {
    const text = "Duplicated Message-ID in <neko@example.co.jp>.\n\n\nOriginal mail as follows:\n\n   Return-Path: <owner-neko@example.co.jp>\n";
    expect(failuresFromListNotice(text, "Loop Alert: Duplicated Message-ID (neko ML)", "shironeko@example.org")).toEqual([
      { recipient: "neko@example.co.jp", source: "text", diagnostic: "Duplicated Message-ID in <neko@example.co.jp>.", sender: "shironeko@example.org", evidence: ["Duplicated Message-ID in <neko@example.co.jp>.", "Subject: Loop Alert: Duplicated Message-ID (neko ML)"] },
    ]);
  });

  it("a sentence in the returned message, or bracketed text that is not an address, is not one", () => {
    expect(failuresFromListNotice("Hello\n\nOriginal mail as follows:\n\nYou are not a member of this mailing list <neko@example.co.jp>.\n", "x", undefined)).toEqual([]);
    expect(failuresFromListNotice("Write to <list ctl> today.\n", "x", undefined)).toEqual([]);
  });
});

describe("read.ts's second run: what was still open", () => {
  it("a bullet after a label is not a list entry; a header field of the returned message is not one, however spaced; nor a parenthesised label", () => {
    for (const line of ["Warning: * kijitora@example.org is unreachable", "Delivered-To : kijitora@example.org", "X-Envelope-To: kijitora@example.org", "(expanded from alias): kijitora@example.org"]) {
      expect(read(`${line}\n550 user unknown\n`), line).toEqual([]);
    }
  });

  it("a transcript's RCPT TO line alone: the recipient, no words of its own", () => {
    expect(read(">>> RCPT TO:<kijitora@example.org>\n")).toEqual([["kijitora@example.org", undefined]]);
  });

  it("the evidence of a session without a command: the summary line and the host's reply", () => {
    const [f] = failuresFromText("While talking to example.edu:\nSent >>> DATA\n<<< 550 Your E-Mail is redundant.\n554 <kijitora@example.edu>... Remote protocol error\n", "text", undefined);
    expect(f!.evidence).toEqual(["554 <kijitora@example.edu>... Remote protocol error", "<<< 550 Your E-Mail is redundant."]);
  });

  it("a line that starts or ends with rule marks is the entry's own words, not the notice's", () => {
    expect(read("Delivery failed.\n\nkijitora@example.org\n    ### Mailbox is full\n")).toEqual([["kijitora@example.org", "### Mailbox is full"]]);
    expect(read("Delivery failed.\n\nkijitora@example.org\n    Mailbox is full ###\n")).toEqual([["kijitora@example.org", "Mailbox is full ###"]]);
  });
});

describe("noticeSummary: the coded lines of a notice that lists no address", () => {
  it("not past the returned message", () => {
    expect(noticeSummary("Delivery failed\nReceived: from mx.example.org by host 192.0.2.1; 550 5.1.1 x\n")).toBe("Delivery failed");
  });
  it("at most 12 lines, up to a blank or whitespace-only line, each trimmed (a 'name: number' field left out)", () => {
    const lines = Array.from({ length: 14 }, (_, i) => `550 line ${i + 1}`);
    expect(noticeSummary(`  kijitora\n${lines.map((l) => `    ${l}`).join("\n")}\n`)).toBe(lines.slice(0, 12).join(" "));
    expect(noticeSummary("  kijitora\n    550 5.1.1 unknown\n   \n    more text\n")).toBe("550 5.1.1 unknown");
    expect(noticeSummary("  kijitora\n    SMTP error from remote mail server after RCPT TO:<kijitora@example.org>:\n    550 5.1.1 unknown\n    Size (in bytes): 222\n")).toBe("SMTP error from remote mail server after RCPT TO:<kijitora@example.org>: 550 5.1.1 unknown");
  });
  it("an indented line (two spaces or more at its start) wins over a coded line at the margin", () => {
    expect(noticeSummary("Reporting host said  550 generic trouble\n\n  kijitora\n    SMTP error from remote mail server: 550 5.1.1 unknown\n")).toBe("SMTP error from remote mail server: 550 5.1.1 unknown");
    expect(noticeSummary("Reporting host said 550 generic trouble\n  SMTP error from remote mail server: 550 5.1.1 unknown\n")).toBe("SMTP error from remote mail server: 550 5.1.1 unknown");
  });
  it("a reply code after a space counts", () => {
    expect(noticeSummary("Delivery failed.\n\n    The server replied 550 5.1.1 unknown\n")).toBe("The server replied 550 5.1.1 unknown");
  });
});

describe("failuresFromListNotice: where fml's returned message starts, and the list's address", () => {
  const list = (marker: string) => failuresFromListNotice(`${marker}\n\nYou are not a member of this mailing list <neko@example.co.jp>.\n`, "x", undefined).map((f) => f.recipient);
  it("the marker line, however spaced, with or without its colon; a sentence that contains the words is not it", () => {
    for (const marker of ["   Original mail as follows:", "Original mail as follows:   ", "Original mail as follows"]) expect(list(marker), marker).toEqual([]);
    for (const marker of ["Original mail as follows: see below", "Here is the original mail as follows:"]) expect(list(marker), marker).toEqual(["neko@example.co.jp"]);
  });
  it("without a marker the last line counts; with it on the first line nothing does", () => {
    const one = (t: string) => failuresFromListNotice(t, "x", undefined).map((f) => f.recipient);
    expect(one("Duplicated Message-ID in <neko@example.co.jp>.")).toEqual(["neko@example.co.jp"]);
    expect(one("Original mail as follows:\nDuplicated Message-ID in <neko@example.co.jp>.")).toEqual([]);
  });
  it("the address ends the sentence (a full stop and spaces at most), and is an address, whole", () => {
    const one = (t: string) => failuresFromListNotice(t, "x", undefined).map((f) => f.recipient);
    expect(one("Duplicated Message-ID in <neko@example.co.jp>.  ")).toEqual(["neko@example.co.jp"]);
    expect(one("Duplicated Message-ID in <neko@example.co.jp>")).toEqual(["neko@example.co.jp"]);
    for (const t of ["Mail to <neko@example.co.jp> failed.", "Write to <listctl>.", "Write to <mailto:neko@example.co.jp>."]) expect(one(t), t).toEqual([]);
  });
});

describe("the answering host a notice names (by, server, host): SES or Exchange Online only", () => {
  const remote = (line: string) => failuresFromText(`kijitora@example.org\n    550 5.1.1 user unknown\n\n${line}\n`, "text", undefined)[0]?.remoteMta;
  it.each([
    ["Received: by email-smtp.us-east-1.amazonaws.com with SMTP", "email-smtp.us-east-1.amazonaws.com"],
    ["Received: by  email-smtp.us-east-1.amazonaws.com.", "email-smtp.us-east-1.amazonaws.com"],
    ["from server [a8-70.smtp-out.amazonses.com]", "a8-70.smtp-out.amazonses.com"],
    ["by EMAIL-SMTP.US-EAST-1.AMAZONAWS.COM", "email-smtp.us-east-1.amazonaws.com"],
    ["by mail.protection.outlook.com", "mail.protection.outlook.com"],
  ])("%s: %s", (line, host) => {
    expect(remote(line)).toBe(host);
  });
  it.each(["by mx.example.org", "by email-smtp.us-east-1.amazonaws.com.example.org", "by a8-70.smtp-out.amazonses.com.example.org", "by mail.outlook.com.example.org"])("not %s", (line) => {
    expect(remote(line)).toBeUndefined();
  });
  it("read in the first 64 KiB", () => {
    expect(remote(`${"x ".repeat(33000)} by email-smtp.us-east-1.amazonaws.com`)).toBeUndefined();
  });
});

describe("failuresFromText: X-Failed-Recipients, the notice's own recipient and reply, and what each failure carries", () => {
  const full = (text: string, failed: string[] = []) => failuresFromText(text, "text", undefined, undefined, [], failed);
  const two = "kijitora@example.org\n    550 5.1.1 user unknown\n\nneko@example.org\n    550 5.2.2 mailbox full\n";

  it("X-Failed-Recipients picks the listed entry, in any case, once", () => {
    expect(full(two, ["Neko@Example.org"]).map((f) => [f.recipient, f.diagnostic])).toEqual([["neko@example.org", "550 5.2.2 mailbox full"]]);
  });

  it("a failed address the text does not list: the one entry's words, or every entry's for one address, or the notice's coded lines for several", () => {
    expect(full("kijitora@example.org\n    550 5.1.1 user unknown\n", ["other@example.org"]).map((f) => [f.recipient, f.diagnostic])).toEqual([["other@example.org", "550 5.1.1 user unknown"]]);
    expect(full(two, ["other@example.org"]).map((f) => [f.recipient, f.diagnostic])).toEqual([["other@example.org", "550 5.1.1 user unknown 550 5.2.2 mailbox full"]]);
    expect(full(two, ["other@example.org", "more@example.org"]).map((f) => [f.recipient, f.diagnostic])).toEqual([
      ["other@example.org", "550 5.1.1 user unknown"],
      ["more@example.org", "550 5.1.1 user unknown"],
    ]);
  });

  it("the notice's recipient with the server's reply, when the entries below name someone else: that recipient and that reply", () => {
    const text = "Your message wasn't delivered to kijitora@example.org because the address couldn't be found.\nThe response from the remote server was:\n550 5.1.1 user unknown\n\nneko@example.org\n    550 5.2.2 full\n";
    expect(full(text).map((f) => [f.recipient, f.diagnostic])).toEqual([["kijitora@example.org", "550 5.1.1 user unknown"]]);
  });

  it("a reply without any recipient: '(recipient not named)', with the reply's line as evidence", () => {
    expect(full("The following message could not be delivered\n\nThe response was: 550 rejected\n")).toEqual([{ recipient: "(recipient not named)", source: "text", diagnostic: "550 rejected", evidence: ["The response was: 550 rejected"] }]);
  });

  it("a delay the notice announces: Action delayed", () => {
    expect(full("Your message has been delayed.\nkijitora@example.org\n    451 4.4.1 try later\n")[0]).toMatchObject({ recipient: "kijitora@example.org", action: "delayed" });
  });

  it("Exchange's 'Generating server' is the reporting MTA, lower-cased", () => {
    const [f] = full("Delivery has failed to these recipients or groups:\n\nkijitora@example.org\nThe email address couldn't be found.\n\nGenerating server: SN6PR04MB4960.NAMPRD04.PROD.OUTLOOK.COM\n");
    expect(f!.reportingMta).toBe("sn6pr04mb4960.namprd04.prod.outlook.com");
  });

  it("the remote MTA: the host the diagnostic names first, else SES or Exchange named in the notice, else none", () => {
    const remote = (diag: string, more = "") => full(`kijitora@example.org\n    ${diag}\n\n${more}\n`)[0]!;
    expect(remote("host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown", "Received: by email-smtp.us-east-1.amazonaws.com").remoteMta).toBe("mx.example.org");
    expect(remote("550 5.1.1 unknown", "Received: by email-smtp.us-east-1.amazonaws.com").remoteMta).toBe("email-smtp.us-east-1.amazonaws.com");
    expect(remote("550 5.1.1 unknown")).not.toHaveProperty("remoteMta");
  });

  it("at most 10 evidence lines, the notice's alias lines at most 8 of them", () => {
    const alias = Array.from({ length: 9 }, (_, i) => `Gmail tried sending mail from alias${i}@example.com`);
    const body = Array.from({ length: 5 }, (_, i) => `    line ${i + 1}`);
    const [f] = full(`${alias.join("\n")}\n\nkijitora@example.org\n${body.join("\n")}\n`);
    expect(f!.evidence).toEqual([...alias.slice(0, 8), "kijitora@example.org", "line 1"]);
  });
});

describe("where a notice quotes the server's answer", () => {
  const response = (text: string) => failuresFromText(text, "text", undefined)[0]?.diagnostic;
  it.each([
    ["The response from the remote server was:\n550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["The response was: 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["The response from the remote server was 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["The error that the other server returned was:\n\n550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["The error that the other server returned was: 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found"],
    ["The recipient server responded as follows: 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["The recipient server responded as follows: [550 5.1.1 user unknown]", "550 5.1.1 user unknown"],
    ["The recipient server responded as follows:  [550 5.1.1 user unknown]  ", "550 5.1.1 user unknown"],
    ["Body of message generated response:\n550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    // The colon is optional after every intro, and the answer may follow on the intro's own line.
    ["The error that the other server returned was 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["Body of message generated response: 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
    ["Body of message generated response 550 5.1.1 user unknown", "550 5.1.1 user unknown"],
  ])("%s", (text, said) => {
    expect(response(`${text}\n`)).toBe(said);
  });
  it("a line that ends in a stray CR ('\\r\\r\\n', as some mailers write) still gives its answer", () => {
    expect(response("The response from the remote server was: 550 5.1.1 user unknown\r\r\n")).toBe("550 5.1.1 user unknown");
  });
  it("an answer without a reply or status code is not one", () => {
    expect(failuresFromText("The response from the remote server was: we are closed\n", "text", undefined)).toEqual([]);
  });
});

describe("the words kept for classifying", () => {
  it("an entry's words: from the coded line, or from the line before it when that line introduces it at its start", () => {
    expect(read("kijitora@example.org\n    The server said:\n    550 5.1.1 unknown\n")).toEqual([["kijitora@example.org", "550 5.1.1 unknown"]]);
    expect(read("kijitora@example.org\n    Remote host said:\n    550 5.1.1 unknown\n")).toEqual([["kijitora@example.org", "Remote host said: 550 5.1.1 unknown"]]);
  });
  it("on one line, runs of spaces as one, cut at 600 characters", () => {
    expect(read("kijitora@example.org\n    Mailbox  is   full\n")).toEqual([["kijitora@example.org", "Mailbox is full"]]);
    const long = (n: number) => `550 ${"x".repeat(n - 4)}`;
    expect(read(`kijitora@example.org\n    ${long(600)}\n`)).toEqual([["kijitora@example.org", long(600)]]);
    expect(read(`kijitora@example.org\n    ${long(700)}\n`)).toEqual([["kijitora@example.org", `${long(600)}…`]]);
  });
  it("the notice's sentences, for an entry with no words of its own: at most 30 lines, the entry's own line left out however indented", () => {
    const sentences = Array.from({ length: 35 }, (_, i) => `Sentence ${i + 1}.`);
    expect(read(`${sentences.join("\n")}\n\nRecipient: kijitora@example.org\n`)).toEqual([["kijitora@example.org", sentences.slice(0, 30).join(" ")]]);
    expect(read("Delivery failed.\nPlease check.\n    Recipient: kijitora@example.org\n")).toEqual([["kijitora@example.org", "Delivery failed. Please check."]]);
  });
  it("noticeSummary: coded lines that are all boilerplate give way to the notice's sentences", () => {
    expect(noticeSummary("Hello there.\n** Message not delivered: 550 **\n")).toBe("Hello there.");
  });
});

describe("read.ts's third run: failuresFromText's bounds, the alias and X-Failed-Recipients", () => {
  const full = (text: string, failed: string[] = []) => failuresFromText(text, "text", undefined, undefined, [], failed);
  const pairs = (text: string, failed: string[] = []) => full(text, failed).map((f) => [f.recipient, f.diagnostic]);

  it("the answer on the next non-empty line, within five lines of its intro; a whitespace-only line is empty", () => {
    const intro = "The error that the other server returned was:";
    // "550 user unknown" has no enhanced status code: only the intro makes it the answer.
    expect(pairs(`${intro}\n\n550 user unknown\n`)).toEqual([["(recipient not named)", "550 user unknown"]]);
    expect(pairs(`${intro}\n   \n550 user unknown\n`)).toEqual([["(recipient not named)", "550 user unknown"]]);
    expect(pairs(`${intro}${"\n".repeat(5)}550 user unknown\n`)).toEqual([["(recipient not named)", "550 user unknown"]]);
    expect(full(`${intro}${"\n".repeat(6)}550 user unknown\nmore words\n`)).toEqual([]);
  });

  it("'responded as follows' with or without its colon", () => {
    expect(pairs("The recipient server responded as follows 550 user unknown\n")).toEqual([["(recipient not named)", "550 user unknown"]]);
  });

  it("an answer with an enhanced status code only: class, subject and detail of 1 to 3 digits each (RFC 3463 section 2)", () => {
    expect(pairs("The response was: 5.1.1 user unknown\n")).toEqual([["(recipient not named)", "5.1.1 user unknown"]]);
    expect(pairs("The response was: 5.100.1 user unknown\n")).toEqual([["(recipient not named)", "5.100.1 user unknown"]]);
    expect(full("The response was: 5.1000.1 user unknown\n")).toEqual([]);
  });

  it("the answer's quotes are stripped at its ends only, and a closing bracket at its very end only", () => {
    expect(pairs("Remote Server returned '550 5.2.2 kijitora's mailbox is full'\n")).toEqual([["(recipient not named)", "550 5.2.2 kijitora's mailbox is full"]]);
    expect(pairs("The response was: 550 5.7.1 [192.0.2.1] rejected\n")).toEqual([["(recipient not named)", "550 5.7.1 [192.0.2.1] rejected"]]);
    expect(pairs("The response was: 550 5.7.1 rejected by [192.0.2.1]:25\n")).toEqual([["(recipient not named)", "550 5.7.1 rejected by [192.0.2.1]:25"]]);
  });

  it("the notice's own recipient: the first intro that names one, in the notice only, with its line as evidence", () => {
    const text = "Your message wasn't delivered to kijitora@example.org because the address couldn't be found.\nThe response was: 550 5.1.1 user unknown\nWe were unable to deliver the message to neko@example.org either.\n";
    expect(full(text)).toEqual([
      {
        recipient: "kijitora@example.org",
        source: "text",
        diagnostic: "550 5.1.1 user unknown",
        evidence: ["Your message wasn't delivered to kijitora@example.org because the address couldn't be found.", "The response was: 550 5.1.1 user unknown"],
      },
    ]);
    const returned = "The response was: 550 5.1.1 user unknown\n------ This is a copy of the message, including all the headers. ------\nSubject: Your message wasn't delivered to neko@example.org\n";
    expect(pairs(returned)).toEqual([["(recipient not named)", "550 5.1.1 user unknown"]]);
  });

  it("'Generating server:' at the start of its line, however indented, its value after any spaces", () => {
    const gen = (line: string) => full(`The response was: 550 5.1.1 user unknown\n${line}\n`)[0]!.reportingMta;
    expect(gen("   Generating server: MX.example.org")).toBe("mx.example.org");
    expect(gen("Generating server:MX.example.org")).toBe("mx.example.org");
    expect(gen("Generating server:   MX.example.org")).toBe("mx.example.org");
    expect(gen("Not the generating server: MX.example.org")).toBeUndefined();
  });

  it("Gmail's alias ('Send mail as' address, 'sending ... from'): the relay's sender, never a failed recipient", () => {
    const sender = (line: string) => full(`${line}\nThe response was: 550 5.7.1 relay denied\n`)[0]!.sender;
    expect(sender('the "Send mail as" address alias@example.com could not be verified')).toBe("alias@example.com");
    expect(sender("the Send mail as address alias@example.com could not be verified")).toBe("alias@example.com");
    expect(sender("the Send mail as address   alias@example.com could not be verified")).toBe("alias@example.com");
    expect(sender("Gmail had trouble sending your message from  alias@example.com")).toBe("alias@example.com");
    expect(sender("Gmail had trouble sending mail from the address alias@example.com")).toBe("alias@example.com");
    expect(sender("Gmail had trouble sending mail from the address  alias@example.com")).toBe("alias@example.com");
    expect(sender("Gmail had trouble sending mail from <alias@example.com>")).toBe("alias@example.com");
    expect(pairs('The "Send mail as" address alias@example.com failed.\n\nkijitora@example.org\n    550 5.1.1 user unknown\nalias@example.com\n').map(([r]) => r)).toEqual(["kijitora@example.org"]);
  });

  it("the alias and the delay words are read in the notice's first 64 KiB", () => {
    const far = `kijitora@example.org\n    550 5.1.1 user unknown\n\n${"x ".repeat(33000)}\nYour message has been delayed. sending mail from alias@example.com\n`;
    const [f] = full(far);
    expect(f).not.toHaveProperty("action");
    expect(f).not.toHaveProperty("sender");
  });

  it("X-Failed-Recipients: one entry the list does not name gives its words to every failed address; a listed entry keeps its own, and the address it does not list gets the notice's words", () => {
    const one = "kijitora@example.org\n    550 5.1.1 user unknown\n";
    expect(pairs(one, ["a@example.org", "b@example.org"])).toEqual([
      ["a@example.org", "550 5.1.1 user unknown"],
      ["b@example.org", "550 5.1.1 user unknown"],
    ]);
    expect(pairs(one, ["kijitora@example.org", "b@example.org"])).toEqual([
      ["kijitora@example.org", "550 5.1.1 user unknown"],
      ["b@example.org", "550 5.1.1 user unknown"],
    ]);
  });

  it("X-Failed-Recipients: a listed entry keeps its words, an address it does not list gets the notice's sentences; one unlisted entry with uncoded words gives them to every failed address", () => {
    // "550 user unknown" quotes no enhanced status code, so it is not the notice's own reply.
    expect(pairs("Delivery failed.\n\nkijitora@example.org\n    550 user unknown\n", ["kijitora@example.org", "b@example.org"])).toEqual([
      ["kijitora@example.org", "550 user unknown"],
      ["b@example.org", "Delivery failed."],
    ]);
    expect(pairs("Delivery failed.\n\nkijitora@example.org\n    Mailbox unavailable\n", ["a@example.org", "b@example.org"])).toEqual([
      ["a@example.org", "Mailbox unavailable"],
      ["b@example.org", "Mailbox unavailable"],
    ]);
  });

  it("the notice's recipient is one of the entries: every entry keeps its own words", () => {
    const text = "Your message wasn't delivered to kijitora@example.org because the address couldn't be found.\nThe response was: 550 5.1.1 user unknown\n\nkijitora@example.org\n    550 5.1.1 user unknown\nneko@example.org\n    550 5.2.2 mailbox full\n";
    expect(pairs(text)).toEqual([
      ["kijitora@example.org", "550 5.1.1 user unknown"],
      ["neko@example.org", "550 5.2.2 mailbox full"],
    ]);
  });

  it("an entry without words gets the notice's sentences, not another entry's lines", () => {
    expect(pairs("Delivery failed.\n\nkijitora@example.org\n    550 user unknown\nneko@example.org\n")).toEqual([
      ["kijitora@example.org", "550 user unknown"],
      ["neko@example.org", "Delivery failed."],
    ]);
  });

  it("an entry's uncoded words give way to the notice's coded reply", () => {
    expect(pairs("The response was: 550 5.1.1 from the notice\n\nkijitora@example.org\n    Mailbox unavailable\n")).toEqual([["kijitora@example.org", "550 5.1.1 from the notice"]]);
  });

  it("the sentence that says the server gave up: added to uncoded words once, with its line as evidence; not from the returned message", () => {
    const [aborted] = full("Delivery to the following recipients was aborted after 5.0 hour(s):\n\nkijitora@example.org\n    Mailbox unavailable\n");
    expect(aborted!.diagnostic).toBe("Mailbox unavailable | Delivery to the following recipients was aborted after 5.0 hour(s):");
    expect(aborted!.evidence).toEqual(["kijitora@example.org", "Mailbox unavailable", "Delivery to the following recipients was aborted after 5.0 hour(s):"]);
    expect(pairs("  Message abandoned after 3 days.\n\nkijitora@example.org\n")).toEqual([["kijitora@example.org", "Message abandoned after 3 days."]]);
    expect(pairs("Delivery failed.\n\nkijitora@example.org\n    Mailbox unavailable\n------ This is a copy of the message, including all the headers. ------\nSubject: aborted after 5 hours\n")).toEqual([["kijitora@example.org", "Mailbox unavailable"]]);
  });

  it("an entry's evidence: its address line and its first 4 lines", () => {
    expect(full("kijitora@example.org\n    l1\n    l2\n    l3\n    l4\n    l5\n")[0]!.evidence).toEqual(["kijitora@example.org", "l1", "l2", "l3", "l4"]);
  });

  it("a delay in the notice's words: Exim's warning ('Warning: message <id> delayed <time>', its default warn_message_file) and Exchange Online's 'Delivery delayed'", () => {
    const action = (head: string) => full(`${head}\n\nkijitora@example.org\n    Mailbox busy\n`)[0]!.action;
    expect(action("Warning: message 1Z8lPu-0003bQ-Ju delayed 24 hours")).toBe("delayed");
    expect(action("Delivery delayed: quarterly report")).toBe("delayed");
    expect(action("Delivery failed: quarterly report")).toBeUndefined();
  });

  it("X-Failed-Recipients naming addresses the text does not list, no entry: the notice's indented coded lines, not its sentences", () => {
    expect(pairs("Delivery failed.\n  kijitora\n    550 user unknown\n", ["a@example.org", "b@example.org"])).toEqual([
      ["a@example.org", "550 user unknown"],
      ["b@example.org", "550 user unknown"],
    ]);
  });

  it("the notice's recipient is not read from the returned message's marker line", () => {
    expect(pairs("The response was: 550 5.1.1 user unknown\n------ Unsent message follows: it was not delivered to neko@example.org ------\n")).toEqual([["(recipient not named)", "550 5.1.1 user unknown"]]);
  });

  const aborted = (words: string, sentence = "Delivery to the following recipients was aborted after 5.0 hour(s):") => full(`${sentence}\n\nkijitora@example.org\n    ${words}\n`)[0]!.diagnostic;
  it.each([
    "Message abandoned after  3 days",
    "Delivery given up after 12 hours",
    "Delivery aborted after 4.25 hours",
    "Delivery aborted after 5 hours",
    "Delivery aborted after 30minutes",
    "Delivery aborted after 1 minute",
    "Delivery aborted after 1 day",
    "Delivery aborted after 1 hour",
    "The message was abandoned by the server after 2 days",
    "Delivery canceled after 2 days",
  ])("the sending server gave up: '%s'", (sentence) => {
    expect(aborted("Mailbox unavailable", sentence)).toBe(`Mailbox unavailable | ${sentence.replace(/ +/g, " ")}`);
  });

  it.each(["mailbox full 550", "mailbox full (5.2.2)", "mailbox full (5.7.26)", "mailbox full (5.10.1)", "mailbox full (5.2.2), 10 MB over quota"])("a reply or status code standing alone: '%s' needs no gave-up sentence", (words) => {
    expect(aborted(words)).toBe(words);
  });
  it("an IP address is not a status code", () => {
    expect(aborted("connection refused by 5.1.10.7")).toBe("connection refused by 5.1.10.7 | Delivery to the following recipients was aborted after 5.0 hour(s):");
  });

  it("a 'name: number' field of the message details is left out only when it is the whole line, however spaced", () => {
    expect(pairs("kijitora@example.org\n    Mailbox unavailable, size: 222\n")).toEqual([["kijitora@example.org", "Mailbox unavailable, size: 222"]]);
    expect(pairs("kijitora@example.org\n    Mailbox unavailable\n    Size (in bytes):222\n")).toEqual([["kijitora@example.org", "Mailbox unavailable"]]);
  });

  it("the control characters of the server's words become spaces", () => {
    expect(pairs("kijitora@example.org\n    550 user\u000bunknown\n")).toEqual([["kijitora@example.org", "550 user unknown"]]);
  });

  it("noticeSummary: the notice ends at an indented returned-message marker, and at a DSN's first field however spaced", () => {
    expect(noticeSummary("Delivery failed:\n550 5.1.1 user unknown\n  ----- Original message follows from host mx.example.org -----\n")).toBe("550 5.1.1 user unknown");
    const dsn = (field: string) => noticeSummary(`Delivery failed.\n\n${field} dns; mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 unknown\n`);
    expect(dsn("Reporting-MTA:")).toBe("Delivery failed.");
    expect(dsn("Reporting-MTA :")).toBe("Delivery failed.");
    expect(noticeSummary("Delivery failed, see the final-recipient: field.\n550 5.1.1 unknown\n")).toBe("550 5.1.1 unknown");
  });
});

/**
 * The notice's own recipient and reply intros (RESPONSE_INTROS, RECIPIENT_INTROS), on the notices
 * that write them: the text parts of sisimai's samples (tests/fixtures/bounces-sisimai,
 * BSD-2-Clause), decoded, up to the returned message. Each expected value is what the notice says.
 */
describe("the recipient and reply intros, on the notices that write them", () => {
  // The pipeline (scripts/diagnose/message.ts) excludes the notice's From and To.
  const full = (text: string, exclude: string[] = []) => failuresFromText(text, "text", undefined, undefined, exclude);

  it("InterScan MSS: 'Unable to deliver message to <a@b> (and other recipients ...)' names the recipient (lhost-interscanmss-02.eml, -03.eml)", () => {
    const line = "Unable to deliver message to <kijitora@neko.example.jp> (and other recipients in the same domain). Please check if address is correct.";
    expect(full(`*************************************************************\n\nMessage from InterScan Messaging Security Suite\n\n${line}\n\n*************************************************************\n`)).toEqual([
      { recipient: "kijitora@neko.example.jp", source: "text", diagnostic: `Message from InterScan Messaging Security Suite ${line}`, evidence: [line] },
    ]);
    const reason = "Reason:  Unable to deliver message to <kijitora@example.jp> (and other recipients in the same domain).";
    expect(full(`****** Message from InterScan Messaging Security Suite ******\n\nThe following mail could not be delivered.\n${reason}\n\n************************     End of message     **********************\n`)).toEqual([
      { recipient: "kijitora@example.jp", source: "text", diagnostic: "The following mail could not be delivered. Reason: Unable to deliver message to <kijitora@example.jp> (and other recipients in the same domain).", evidence: ["Reason: Unable to deliver message to <kijitora@example.jp> (and other recipients in the same domain)."] },
    ]);
  });

  it("X6: 'SMTP Server <host> rejected recipient <a@b> ... It responded as follows: [reply]' (lhost-x6-02.eml)", () => {
    const line = "SMTP Server <smtpd.libsisimai.org> rejected recipient <kijitora@libsisimai.org> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]";
    const text = `We had trouble delivering your message. Full details follow:\n\nSubject: 'Nyaan'\nDate: 'Thu, 29 Apr 2012 23:34:45 +0000'\n\n1 error(s):\n\n${line}\n\nThe attachment contains the original mail headers. Please verify recipient(s) mail addresses and try resending this message or contact your IT department with contents of this mail.\n`;
    expect(full(text, ["neko@libsisimai.org"])).toEqual([{ recipient: "kijitora@libsisimai.org", source: "text", diagnostic: "550 5.1.1 User unknown", evidence: [line] }]);
  });

  it("Google Workspace: 'There was a problem delivering your message to a@b.' names the recipient (lhost-gsuite-07.eml)", () => {
    const line = "There was a problem delivering your message to siro@neko1.nyaan.jp. See the technical details below.";
    const text = `\n** Message not delivered **\n\n${line}\n\nLearn more here: https://support.google.com/mail/answer/7720\n\nThe response was:\n\nThe recipient server did not accept our requests to connect. Learn more at https://support.google.com/mail/answer/7720 \n[neko1.nyaan.jp 192.0.2.222: timed out]\n`;
    const [f, ...more] = full(text, ["kijitora@gmail.example.com"]);
    expect(more).toEqual([]);
    expect(f!.recipient).toBe("siro@neko1.nyaan.jp");
    expect(f!.evidence).toEqual([line]);
    // No reply code anywhere: the notice's sentences are the words.
    expect(f!.diagnostic).toContain("[neko1.nyaan.jp 192.0.2.222: timed out]");
  });

  it("Office 365: 'Your message to a@b couldn't be delivered.' names the recipient (rhost-microsoft-03.eml, lhost-office365-13.eml, the notice's first lines)", () => {
    for (const [rcpt, local, domain] of [
      ["kijitora@example.com", "kijitora", "example.com"],
      ["kijitora-nyaan@neko.kyoto.example.jp", "kijitora-nyaan", "neko.kyoto.example.jp"],
    ]) {
      const line = `Your message to ${rcpt} couldn't be delivered.`;
      const [f, ...more] = full(`[http://products.office.com/en-us/CMSImages/Office365Logo_Orange.png?version=b8d100a9-0a8b-8e6a-88e1-ef488fee0470]\n${line}\n\n${local} wasn't found at ${domain}.\n\nAction Required                 Recipient\n\n\nUnknown To address\n`);
      expect(more).toEqual([]);
      expect([f!.recipient, f!.evidence]).toEqual([rcpt, [line]]);
    }
  });

  it("Gmail: the list heading 'Delivery to the following recipient(s) failed permanently:', the address on the next line (lhost-gmail-01.eml, lhost-x3-01.eml)", () => {
    const gmail = "Delivery to the following recipient failed permanently:\n\n     userunknown@example.jp\n\nTechnical details of permanent failure: \nGoogle tried to deliver your message, but it was rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.153].\n\nThe error that the other server returned was:\n550 5.1.1 <userunknown@example.jp>... User Unknown\n";
    const [f] = full(gmail);
    expect([f!.recipient, f!.diagnostic]).toEqual(["userunknown@example.jp", "550 5.1.1 <userunknown@example.jp>... User Unknown"]);
    expect(f!.evidence.slice(0, 2)).toEqual(["Delivery to the following recipient failed permanently:", "The error that the other server returned was: 550 5.1.1 <userunknown@example.jp>... User Unknown"]);
    const x3 = "Delivery to the following recipients failed permanently:\n\n   * kijitora@example.com\n\n  Technical details:\n\nSMTP:RCPT host 192.0.2.8: 553 5.3.0 <kijitora@example.com>... No such user here\n";
    expect(full(x3)[0]!.evidence[0]).toBe("Delivery to the following recipients failed permanently:");
  });

  it("Exchange: the list heading 'Delivery has failed to these recipients or groups:', the address on the next line (lhost-exchange2007-04.eml)", () => {
    const text = "Delivery has failed to these recipients or groups:\n\nneko-nyaan@example.jp<mailto:neko-nyaan@example.jp>\nYour message can't be delivered because delivery to this address is restricted.\n\n\n\n\n\n\n\nDiagnostic information for administrators:\n\nGenerating server: example.jp\n\nneko-nyaan@example.jp\n#550 5.7.1 RESOLVER.RST.AuthRequired; authentication required ##rfc822;neko-nyaan@cat.example.jp\n";
    const [f, ...more] = full(text);
    expect(more).toEqual([]);
    expect([f!.recipient, f!.reportingMta]).toEqual(["neko-nyaan@example.jp", "example.jp"]);
    expect(f!.evidence[0]).toBe("Delivery has failed to these recipients or groups:");
  });

  it("IMail: 'undeliverable to a@b' and 'Body of message generated response:' above the multi-line reply, each line ending in a space (lhost-imailserver-06.eml)", () => {
    const text = "Save to the following Address Book: \n\nTo: shironeko@neko.example.com \nCC: \nDate: Thursday, Apr 29, 2008 2:45:56 PM \nSubject: Undeliverable Mail \n\nundeliverable to kijitora@example.jp \n\nBody of message generated response: \n550-REJECTED - Blacklisted URL in message. (example.com) in [black]. \n550-See http://lookup.uribl.com. - Blacklisted Link - X=pascal \n";
    expect(full(text, ["shironeko@neko.example.com"])).toEqual([
      {
        recipient: "kijitora@example.jp",
        source: "text",
        diagnostic: "550-REJECTED - Blacklisted URL in message. (example.com) in [black].",
        evidence: ["undeliverable to kijitora@example.jp", "Body of message generated response: 550-REJECTED - Blacklisted URL in message. (example.com) in [black]."],
      },
    ]);
  });

  it("Postfix (lhost-postfix-02.eml): a reply code inside an entry's line is that entry's, not the notice's own reply given to every entry", () => {
    const text = "This is the mail system at host smtp.example.com.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n                   The mail system\n\n<filtered@example.co.jp>: host mx.example.co.jp[192.0.2.153] said: 550 5.2.1\n    <filtered@example.co.jp>... User Unknown (in reply to RCPT TO command)\n\n<userunknown@example.co.jp>: host mx.example.co.jp[192.0.2.153] said: 550\n    5.1.1 <userunknown@example.co.jp>... User Unknown (in reply to RCPT TO\n    command)\n";
    const failures = full(text);
    expect(failures.map((f) => f.recipient)).toEqual(["filtered@example.co.jp", "userunknown@example.co.jp"]);
    for (const f of failures) expect(f.evidence.filter((l) => /@/.test(l) && !l.includes(f.recipient)), f.recipient).toEqual([]);
  });

  it("Exchange's coded line ('#550 5.1.1 ... ##', lhost-exchange2007-01.eml) as the notice's reply, without the marks around it", () => {
    // The notice's diagnostic section with the address line above the coded line left out: the coded line is then the notice's own reply.
    const exchange = (coded: string) => full(`Diagnostic information for administrators:\n\nGenerating server: mta4.example.org\n\n${coded}\n`).map((f) => [f.recipient, f.diagnostic]);
    expect(exchange("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##")).toEqual([["(recipient not named)", "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"]]);
    expect(exchange("#550 5.7.1 RESOLVER.RST.AuthRequired; authentication required ##rfc822;neko-nyaan@cat.example.jp")).toEqual([["(recipient not named)", "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required"]]);
    // RFC 3463 section 2: subject and detail of one to three digits each.
    expect(exchange("#550 5.10.1 RESOLVER.ADR.RecipNotFound; not found ##")).toEqual([["(recipient not named)", "550 5.10.1 RESOLVER.ADR.RecipNotFound; not found"]]);
  });

  it.each([
    ["Unable to deliver message to  <kijitora@example.org> (and other recipients in the same domain).", "lhost-interscanmss-02.eml"],
    ["SMTP Server <smtpd.example.org> rejected recipient  <kijitora@example.org> (Error following RCPT command).", "lhost-x6-02.eml"],
    ["Your message wasn't delivered to  kijitora@example.org because the address couldn't be found.", "Exchange Online"],
    ["There was a problem delivering your message to  kijitora@example.org. See the technical details below.", "lhost-gsuite-07.eml"],
    ["Your message to  kijitora@example.org  couldn't be delivered.", "lhost-office365-13.eml"],
    ["undeliverable to  kijitora@example.org", "lhost-imailserver-06.eml"],
  ])("an intro's address after two spaces (a re-wrapped notice): %s (as in %s)", (line) => {
    expect(full(`${line}\n`).map((f) => [f.recipient, f.evidence[0]])).toEqual([["kijitora@example.org", line.replace(/\s+/g, " ")]]);
  });

  it("a list heading ends its line, trailing spaces allowed; with words after its colon it is a sentence, not the heading", () => {
    const heading = (line: string) => full(`${line}\n\n     userunknown@example.jp\n`)[0]!.evidence;
    expect(heading("Delivery to the following recipient failed permanently:   ")).toEqual(["Delivery to the following recipient failed permanently:", "userunknown@example.jp"]);
    expect(heading("Delivery has failed to these recipients or groups:   ")).toEqual(["Delivery has failed to these recipients or groups:", "userunknown@example.jp"]);
    expect(heading("Delivery to the following recipient failed permanently: see below")).toEqual(["userunknown@example.jp"]);
    expect(heading("Delivery has failed to these recipients or groups: see below")).toEqual(["userunknown@example.jp"]);
  });
});

describe("read.ts's fourth run: the quoted line's cut, the address's labels, the field labels, the notice's own mailboxes", () => {
  const full = (text: string, failed: string[] = []) => failuresFromText(text, "text", undefined, undefined, [], failed);

  it("a quoted evidence line: control characters become spaces, runs of spaces one, at most 300 characters kept", () => {
    expect(full("kijitora@example.org\n    550 user\u000bunknown\n")[0]!.evidence).toEqual(["kijitora@example.org", "550 user unknown"]);
    const words = (n: number) => `550 ${"x".repeat(n - 4)}`;
    expect(full(`kijitora@example.org\n    ${words(300)}\n`)[0]!.evidence).toEqual(["kijitora@example.org", words(300)]);
    expect(full(`kijitora@example.org\n    ${words(301)}\n`)[0]!.evidence).toEqual(["kijitora@example.org", `${words(300)}…`]);
  });

  it("a domain label may start or end with a digit (RFC 1123 section 2.1): sisimai's samples write kijitora@2jo.example.jp and siro@neko1.nyaan.jp", () => {
    expect(full("Recipient: kijitora@2jo.example.jp\nReason: 550 5.1.1 user unknown\n").map((f) => f.recipient)).toEqual(["kijitora@2jo.example.jp"]);
    expect(full("Recipient: siro@neko1.nyaan.jp\nReason: 550 5.1.1 user unknown\n").map((f) => f.recipient)).toEqual(["siro@neko1.nyaan.jp"]);
  });

  it("X6's 'The following recipients returned permanent errors: a@b. Reason: ...' names the recipient (lhost-x6-01.eml), however spaced", () => {
    const line = "The following recipients returned permanent errors: kijitora@nyaan.example.org. Reason: SMTP Server <192.0.2.223> refused to accept your message (DATA), with the following error message: [554 5.4.6 Hop count exceeded - possible mail loop]";
    expect(full(`1 error(s):\n\n${line}\n`).map((f) => [f.recipient, f.evidence])).toEqual([["kijitora@nyaan.example.org", [line]]]);
    for (const spaced of [line.replace("errors: ", "errors:"), line.replace("errors: ", "errors:  ")]) expect(full(`${spaced}\n`).map((f) => f.recipient), spaced).toEqual(["kijitora@nyaan.example.org"]);
  });

  it("RFC 3464's recipient fields written into the text (Amazon WorkMail, lhost-amazonworkmail-01.eml; Postfix, rfc3464-34.eml): the address after 'rfc822;', however spaced", () => {
    const workmail = "An error occurred while trying to deliver the mail to the following recipients:\nTechnical report:\nReporting-MTA: dsn; a27-85.smtp-out.us-west-2.amazonses.com\nAction: failed\nFinal-Recipient: rfc822; kijitora@example.jp\nDiagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>... User Unknown\nStatus: 5.1.1\n";
    const [f] = full(workmail);
    expect(f!.recipient).toBe("kijitora@example.jp");
    expect(f!.evidence[0]).toBe("Final-Recipient: rfc822; kijitora@example.jp");
    expect(f!.diagnostic).toBe("Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>... User Unknown Status: 5.1.1");
    for (const field of ["Original-Recipient: rfc822;kijitora@example.com", "Original-Recipient: rfc822 ;  kijitora@example.com", "Final-Recipient:rfc822;kijitora@example.com"]) {
      expect(full(`${field}\nAction: delayed\n`).map((x) => [x.recipient, x.diagnostic]), field).toEqual([["kijitora@example.com", "Action: delayed"]]);
    }
  });

  it("the SES mailbox simulator's bounce@simulator.amazonses.com reads as a notice's own mailbox; it comes back when the caller knows it failed (lhost-amazonses-05.eml)", () => {
    const text = "An error occurred while trying to deliver the mail to the following recipients:\nbounce@simulator.amazonses.com\n";
    expect(full(text)).toEqual([]);
    expect(full(text, ["bounce@simulator.amazonses.com"]).map((f) => f.recipient)).toEqual(["bounce@simulator.amazonses.com"]);
    expect(full("An error occurred while trying to deliver the mail to the following recipients:\nbounces@example.org\nnoreply@example.org\nno-reply@example.org\n")).toEqual([]);
  });
});

describe("a MIME boundary line is not the notice's words", () => {
  it("Sendmail's notice read raw, its MIME structure broken (lhost-sendmail-54.eml): the boundary lines ('--' and the boundary, RFC 2046 section 5.1.1) are left out", () => {
    const raw = "This is a MIME-encapsulated message\n\n--w58I6rE4086062.1528481217/neko.example.jp\n\nThe original message was received at Sun, 3 Jun 2018 14:22:02 +0900 (JST)\nfrom kijitora@localhost\n\n   ----- The following addresses had permanent fatal errors -----\nkijitora\n    (expanded from: kijitora)\n\n   ----- Transcript of session follows -----\nkijitora... Deferred: Connection refused by [127.0.0.1]\nMessage could not be delivered for 5 days\nMessage will be deleted from queue\n\n--w58I6rE4086062.1528481217/neko.example.jp\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; neko.example.jp\n";
    const words = noticeSummary(raw);
    expect(words).toContain("kijitora... Deferred: Connection refused by [127.0.0.1] Message could not be delivered for 5 days");
    expect(words).not.toContain("--w58I6rE4086062");
  });

  it("a line under a single dash is words", () => {
    expect(noticeSummary("Delivery failed:\n- Mailbox full\n")).toBe("Delivery failed: - Mailbox full");
  });
});

describe("where the returned message starts, and the lines that are no server's words, on the notices that write them", () => {
  it("Exchange 2007 (lhost-exchange2007-03.eml): the notice's words end at 'Original message headers:'", () => {
    const text = "Delivery has failed to these recipients or distribution lists:\n\nKijitora<mailto:kijitora@neko.example.com>\nThis message exceeds the maximum message size allowed.\n\nDiagnostic information for administrators:\n\nGenerating server: neko.example.com\n\nOriginal message headers:\n\nReceived: from neko.nyaan.example.jp (nekochan [127.0.0.1])       by\n r20-ffe0020.example.com (8.14.2/8.14.2) with SMTP id o3T000R95941 for\n";
    expect(noticeSummary(text)).toBe("Kijitora<mailto:kijitora@neko.example.com> This message exceeds the maximum message size allowed. Diagnostic information for administrators: Generating server: neko.example.com");
  });

  it("IMail (lhost-imailserver-01.eml): 'Original message follows.' ends the notice, its full stop included", () => {
    const text = "Unknown user: kijitora@example.com\n\n\nOriginal message follows.\n\nReceived: from example.org [192.0.2.88] by example.org with ESMTP\n    (SMTPD32-5.05) id 000000000000 Thu, 29 Apr 2009 23:45:10 -0600\n";
    expect(noticeSummary(text)).toBe("Unknown user: kijitora@example.com");
    expect(noticeSummary("Unknown user: kijitora@example.com\n\nOriginal message follows:\n")).toBe("Unknown user: kijitora@example.com");
    expect(noticeSummary("Unknown user: kijitora@example.com\nOriginal message follows. It was too large\n")).toBe("Unknown user: kijitora@example.com Original message follows. It was too large");
  });

  it("1&1 (lhost-einsundeins-02.eml): 'The following address failed:' announces the list, it is not the reason", () => {
    const text = "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of\nits recipients. This is a permanent error.\n\nThe following address failed:\n\nkijitora@example.org\n\nFor the following reason:\n\nMail size limit exceeded. For explanation visit\nhttp://postmaster.1and1.com/en/error-messages?ip=%1s\n\n--- The header of the original message is following. ---\n\nReceived: from mx.example.co.jp (localhost [127.0.0.1])\n";
    expect(noticeSummary(text)).toBe("its recipients. This is a permanent error. kijitora@example.org For the following reason: Mail size limit exceeded. For explanation visit http://postmaster.1and1.com/en/error-messages?ip=%1s");
    expect(noticeSummary("The following addresses failed:\n\nkijitora@example.org\n")).toBe("kijitora@example.org");
    expect(noticeSummary("The following address(es) failed:\n\nkijitora@example.org\n")).toBe("kijitora@example.org");
  });

  it("OpenSMTPD (lhost-opensmtpd-17.eml): 'a@b: reply' names the address, whatever word its local part holds (mailboxfull is not a 'Mailbox:' label)", () => {
    const text = "    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this email.\n\n    An error has occurred while attempting to deliver a message for\n    the following list of recipients:\n\nuserunknown@libsisimai.net: 550 5.1.1 <userunknown@libsisimai.net>: Recipient address rejected: User unknown\nmailboxfull@libsisimai.net: 552 5.2.2 <mailboxfull@libsisimai.net>: Recipient address rejected: Mailbox full\n\n    Below is a copy of the original message:\n";
    expect(failuresFromText(text, "text", undefined).map((f) => [f.recipient, f.diagnostic])).toEqual([
      ["userunknown@libsisimai.net", "550 5.1.1 <userunknown@libsisimai.net>: Recipient address rejected: User unknown"],
      ["mailboxfull@libsisimai.net", "552 5.2.2 <mailboxfull@libsisimai.net>: Recipient address rejected: Mailbox full"],
    ]);
  });
});

describe("the returned message's markers, the labels and the boilerplate: each rule's shape", () => {
  // The notice's words end at a marker line; a line that only looks like one is words.
  const words = (line: string) => noticeSummary(`Delivery failed.\n${line}\nMore words.\n`);
  it.each([
    ["----- Message header follows -----", true],
    ["----- Message headers follow -----", true],
    ["----- Message follows -----", true],
    ["- the original message was too large", false],
    ["Delivery failed -- the original message was too large", false],
    ["Original message headers", true],
    ["Original message headers:   ", true],
    ["Original message headers :", true],
    ["   Original message headers:", true],
    ["Your message reads (in part):", true],
    ["See the original message headers:", false],
    ["Content-Type: message/rfc822", true],
    ["  Content-Type: message/rfc822", true],
    ["Content-Type:message/rfc822", true],
    ["Content-Type:  text/rfc822-headers", true],
    ["See the attached Content-Type: message/rfc822 part", false],
    ["Received: from mx.example.org", true],
    ["Your mail was not received: see below", false],
  ])("%s: the returned message starts there (%s)", (line, starts) => {
    expect(words(line)).toBe(starts ? "Delivery failed." : `Delivery failed. ${line.trim().replace(/\s+/g, " ")} More words.`);
  });

  it("a recipient label with or without its separator or plural, at the start of the line: the address's words are its own lines, not the label", () => {
    for (const label of ["BadAddress", "Address", "Addresses", "Invalid recipient"]) {
      expect(read(`${label}: kijitora@example.org\n    Mailbox unavailable\n`), label).toEqual([["kijitora@example.org", "Mailbox unavailable"]]);
    }
  });

  it("Sendmail's report fields as text (lhost-sendmail-03.eml): X-Actual-Recipient is a field under the entry, not a second recipient", () => {
    const text = "Final-Recipient: RFC822; bounce0@example.org\nX-Actual-Recipient: RFC822; userunknown@example.co.jp\nAction: failed\nStatus: 5.1.1\nRemote-MTA: DNS; mx.example.co.jp\nDiagnostic-Code: SMTP; 550 5.1.1 <userunknown@example.co.jp>... User Unknown\n";
    expect(read(text).map(([r]) => r)).toEqual(["bounce0@example.org"]);
  });

  it("the notice's own mailboxes are whole local parts: an address that only ends in one is a recipient", () => {
    expect(read("cron-daemon@example.org\n    550 5.1.1 user unknown\n")).toEqual([["cron-daemon@example.org", "550 5.1.1 user unknown"]]);
  });

  it("boilerplate: the announcing sentence with or without its comma; 'Unknown Recipient' only as the whole line; rule lines of three marks or more", () => {
    expect(noticeSummary("Sorry we were unable to deliver your message to the following address.\n\nMailbox full.\n")).toBe("Mailbox full.");
    expect(noticeSummary("Unknown recipient kijitora@example.org refused.\n")).toBe("Unknown recipient kijitora@example.org refused.");
    expect(noticeSummary("= Mailbox full\n_Mailbox full_\n")).toBe("= Mailbox full _Mailbox full_");
  });
});

describe("Sendmail's transcript under its list of addresses: the reply stays with the command it answered (the SMTP stage)", () => {
  // lhost-sendmail-32.eml (sisimai's sample set), the notice's text part: the address is listed
  // with Sendmail's copy of the reply, then the transcript says which command the host refused.
  const notice = [
    "The original message was received at Thu, 1 Oct 2015 23:12:15 +0900",
    "from c135.kyoto.example.ne.jp [192.0.2.78]",
    "",
    "   ----- The following addresses had permanent fatal errors -----",
    "<nyaaan@neko.example.jp>",
    "    (reason: 550 5.1.1 Requested action not taken: mailbox unavailable)",
    "",
    "   ----- Transcript of session follows -----",
    "... while talking to inbound-smtp.us-west-2.amazonaws.com.:",
    ">>> RCPT To:<nyaaan@neko.example.jp>",
    "<<< 550 5.1.1 Requested action not taken: mailbox unavailable",
    "550 5.1.1 <nyaaan@neko.example.jp>... User unknown",
    ">>> DATA",
    "<<< 503 Error: need RCPT command",
    "",
  ].join("\n");

  it("lhost-sendmail-32.eml: the host's reply under '>>> RCPT To:<a@b>', not Sendmail's '(reason: ...)' copy; read as refused after RCPT TO", () => {
    const [f, ...more] = failuresFromText(notice, "text", undefined);
    expect(more).toEqual([]);
    expect(f!.recipient).toBe("nyaaan@neko.example.jp");
    expect(f!.diagnostic).toBe(">>> RCPT To:<nyaaan@neko.example.jp> <<< 550 5.1.1 Requested action not taken: mailbox unavailable 550 5.1.1 <nyaaan@neko.example.jp>... User unknown");
    expect(codesOf(f!).stage).toBe("RCPT TO");
  });

  it("only a failure reply (4xx, 5xx) under the command starts there: a '<<< 250' under an earlier command does not", () => {
    const text = "<kijitora@example.org>\n>>> MAIL From:<neko@example.jp>\n<<< 250 2.1.0 ok\n>>> RCPT To:<kijitora@example.org>\n<<< 550 5.1.1 user unknown\n";
    expect(read(text)).toEqual([["kijitora@example.org", ">>> RCPT To:<kijitora@example.org> <<< 550 5.1.1 user unknown"]]);
    expect(read("<kijitora@example.org>\n>>> RCPT To:<kijitora@example.org>\n<<< 450 4.2.0 try later\n")).toEqual([["kijitora@example.org", ">>> RCPT To:<kijitora@example.org> <<< 450 4.2.0 try later"]]);
  });

  it("the reply under the command, however spaced ('<<<550'), even as the block's first lines", () => {
    expect(read(">>> RCPT To:<kijitora@example.org>\n<<<550 refused\n<<< 550 5.1.1 user unknown\n")).toEqual([["kijitora@example.org", ">>> RCPT To:<kijitora@example.org> <<<550 refused <<< 550 5.1.1 user unknown"]]);
  });

  it("only a command line directly above a line that starts with the reply: no command, or '<<<' later in the line, reads from the first coded line as before", () => {
    // A session refused before any command (its greeting): Sendmail writes no '>>>' line.
    expect(read("<kijitora@example.org>\n    (reason: 554 5.7.1 go away)\n... while talking to mx.example.org.:\n<<< 554 5.7.1 go away\n")[0]![1]).toMatch(/^\(reason: 554 5\.7\.1 go away\)/);
    expect(read("<kijitora@example.org>\n(reason: 550 5.7.1 rejected)\n>>> DATA\nthe host said <<< 550 5.7.1 rejected\n")[0]![1]).toMatch(/^\(reason: 550 5\.7\.1 rejected\)/);
  });

  it("a command with no '<<<' reply under it: the coded line after it, with the command; commands alone are no words", () => {
    expect(read("<kijitora@example.org>:\n>>> DATA\n550 5.7.1 rejected\n")).toEqual([["kijitora@example.org", ">>> DATA 550 5.7.1 rejected"]]);
    expect(read("<kijitora@example.org>:\n>>> DATA\n>>> QUIT\n")).toEqual([["kijitora@example.org", undefined]]);
  });
});
