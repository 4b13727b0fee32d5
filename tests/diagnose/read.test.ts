/**
 * The reader's RFC 3464 parsing (lib/diagnose/read.ts): field blocks, typed values, the
 * flattened multi-line reply, the host in a diagnostic, and the failures of a
 * message/delivery-status part. Written from the mutation run of read.ts:28-128 (issue 22);
 * expected values from RFC 3464 (fields, Action values, "type; value"), RFC 5322 (field syntax,
 * folding), RFC 3463 (status code syntax) and RFC 5321 (multi-line replies).
 */
import { describe, expect, it } from "vitest";
import { failuresFromDeliveryStatus, hostInDiagnostic, joinReplyLines, parseFieldBlocks, typedValue } from "../../lib/diagnose/read";

describe("parseFieldBlocks: RFC 3464's per-message and per-recipient blocks", () => {
  it("a whitespace-only line separates blocks like an empty one; runs of blank lines make no empty blocks", () => {
    const b = parseFieldBlocks("Reporting-MTA: dns; a.example\n \t\nFinal-Recipient: rfc822; x@example.org\n");
    expect(b.map((m) => Object.fromEntries(m))).toEqual([{ "reporting-mta": "dns; a.example" }, { "final-recipient": "rfc822; x@example.org" }]);
    expect(parseFieldBlocks("\n\nReporting-MTA: dns; a.example\n\n\n\nFinal-Recipient: rfc822; x@example.org\n\n")).toHaveLength(2);
  });

  it("the last block counts without a blank line after it", () => {
    expect(parseFieldBlocks("Final-Recipient: rfc822; x@example.org\nAction: failed").map((m) => m.get("action"))).toEqual(["failed"]);
  });

  it("a field needs no space after its colon (RFC 5322); its value is trimmed at both ends", () => {
    const [b] = parseFieldBlocks("Action:failed\nStatus: 5.1.1   \n");
    expect(b!.get("action")).toBe("failed");
    expect(b!.get("status")).toBe("5.1.1");
  });

  it("a line that is not a field (a name with spaces, or text before the name) is skipped", () => {
    const [b] = parseFieldBlocks("Final-Recipient: rfc822; x@example.org\nThis line is prose: not a field\nAction: failed\n");
    expect([...b!.keys()]).toEqual(["final-recipient", "action"]);
  });

  it("a stray CR at the end of a line (\\r\\r\\n, as some mailers write) or a U+2028 inside a value does not drop the field", () => {
    const [b] = parseFieldBlocks("Final-Recipient: rfc822; a@example.org\r\r\nAction: failed\r\r\nDiagnostic-Code: smtp; 550 a\u2028b\r\n");
    expect(Object.fromEntries(b!)).toEqual({ "final-recipient": "rfc822; a@example.org", action: "failed", "diagnostic-code": "smtp; 550 a\u2028b" });
  });

  it("the first value of a field wins", () => {
    expect(parseFieldBlocks("Status: 5.1.1\nStatus: 4.0.0\n")[0]!.get("status")).toBe("5.1.1");
  });

  it("a second Final-Recipient without a blank line starts the next recipient's block (AOL)", () => {
    const b = parseFieldBlocks("Final-Recipient: rfc822; a@example.org\nAction: failed\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\n");
    expect(b.map((m) => [m.get("final-recipient"), m.get("action")])).toEqual([
      ["rfc822; a@example.org", "failed"],
      ["rfc822; b@example.org", "delayed"],
    ]);
  });
});

describe("typedValue: RFC 3464's 'type; value'", () => {
  it("drops the angle brackets around an address", () => {
    expect(typedValue("rfc822; <a@example.org>")).toBe("a@example.org");
  });
  it("a value without a type is read whole", () => {
    expect(typedValue("mx.example.org")).toBe("mx.example.org");
  });
  it("a type with nothing after it is no value", () => {
    expect(typedValue("rfc822;")).toBeUndefined();
  });
});

describe("joinReplyLines: a multi-line reply (RFC 5321 4.2.1) read as one", () => {
  it("only a reply that starts with its codes is joined; prose before the code is left as it is", () => {
    const s = "host said: 550-5.1.1 no such user 550 5.1.1 see https://x.example/p";
    expect(joinReplyLines(s)).toBe(s);
  });
  it("every space after the first line's codes goes", () => {
    expect(joinReplyLines("550-5.1.1  no such user 550 5.1.1 see the help")).toBe("550 5.1.1 no such user see the help");
  });
  it("a subject of up to three digits (RFC 3463: subject = 1*3digit)", () => {
    expect(joinReplyLines("550-5.10.1 no such user 550 5.10.1 see the help")).toBe("550 5.10.1 no such user see the help");
  });
});

describe("hostInDiagnostic", () => {
  it("reads the host after more than one space", () => {
    expect(hostInDiagnostic("connect to server  mx.example.org[192.0.2.1]: Connection refused")).toBe("mx.example.org");
  });
  it("reads the first 4 KB only", () => {
    expect(hostInDiagnostic(`${"x".repeat(5000)} host mx.example.org[192.0.2.1] said: 550 no`)).toBeUndefined();
  });
});

describe("failuresFromDeliveryStatus: the failed and delayed recipients of a message/delivery-status part", () => {
  const dsn = (perRecipient: string) => `Reporting-MTA: dns; mta.example.net\nArrival-Date: Mon, 7 Dec 2026 01:00:00 +0000\n\n${perRecipient}\n`;

  it("a failed recipient: its fields, the reporting MTA, and the evidence lines in the part's order", () => {
    const [f] = failuresFromDeliveryStatus(dsn("Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address rejected"), "dsn", "s@example.com");
    expect(f).toEqual({
      recipient: "a@example.org",
      source: "dsn",
      action: "failed",
      status: "5.1.1",
      diagnostic: "550 5.1.1 <a@example.org>: Recipient address rejected",
      remoteMta: "mx.example.org",
      reportingMta: "mta.example.net",
      sender: "s@example.com",
      evidence: ["Reporting-MTA: dns; mta.example.net", "Final-Recipient: rfc822; a@example.org", "Action: failed", "Status: 5.1.1", "Remote-MTA: dns; mx.example.org", "Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address rejected"],
    });
  });

  it("without a Reporting-MTA, Status, Remote-MTA or Diagnostic-Code: only the lines that are there", () => {
    const [f] = failuresFromDeliveryStatus("Final-Recipient: rfc822; a@example.org\nAction: failed\n", "dsn", undefined);
    expect(f).toEqual({ recipient: "a@example.org", source: "dsn", action: "failed", evidence: ["Final-Recipient: rfc822; a@example.org", "Action: failed"] });
  });

  it("a recipient named only by Original-Recipient", () => {
    const [f] = failuresFromDeliveryStatus(dsn("Original-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1"), "dsn", undefined);
    expect(f!.recipient).toBe("a@example.org");
    expect(f!.evidence).toContain("Final-Recipient: rfc822; a@example.org");
  });

  it("a block that names no recipient is not a failure, whatever its Action", () => {
    expect(failuresFromDeliveryStatus(dsn("Action: failed\nStatus: 5.0.0"), "dsn", undefined)).toEqual([]);
  });

  it("a recipient field with no value: the recipient is unnamed", () => {
    expect(failuresFromDeliveryStatus(dsn("Final-Recipient: rfc822;\nAction: failed"), "dsn", undefined)[0]!.recipient).toBe("(unnamed recipient)");
  });

  it("Action folded onto the next line (RFC 5322 folding) is still read", () => {
    expect(failuresFromDeliveryStatus(dsn("Final-Recipient: rfc822; a@example.org\nAction:\n failed"), "dsn", undefined)[0]!.action).toBe("failed");
  });

  it("SendGrid's 'expired' (not an RFC 3464 action) is a failure; the evidence keeps the word written", () => {
    const [f] = failuresFromDeliveryStatus(dsn("Final-Recipient: rfc822; a@example.org\nAction: expired\nStatus: 4.4.7"), "dsn", undefined);
    expect(f!.action).toBe("failed");
    expect(f!.evidence).toContain("Action: expired");
  });

  it("the diagnostic type is dropped however it is spaced; a diagnostic without one is kept whole", () => {
    const diag = (d: string) => failuresFromDeliveryStatus(dsn(`Final-Recipient: rfc822; a@example.org\nAction: failed\nDiagnostic-Code: ${d}`), "dsn", undefined)[0]!.diagnostic;
    expect(diag("smtp;550 5.1.1 user unknown")).toBe("550 5.1.1 user unknown");
    expect(diag("smtp ; 550 5.1.1 user unknown")).toBe("550 5.1.1 user unknown");
    expect(diag("550 5.1.1 user unknown; see the help")).toBe("550 5.1.1 user unknown; see the help");
    // A diagnostic-type is an atom (RFC 3464 section 2.3.6): a status code before a semicolon is not one.
    expect(diag("5.1.1; user unknown")).toBe("5.1.1; user unknown");
  });
});
