/**
 * The reader's RFC 3464 parsing (lib/diagnose/read.ts): field blocks, typed values, the
 * flattened multi-line reply, the host in a diagnostic, and the failures of a
 * message/delivery-status part. Written from the mutation run of read.ts:28-128 (issue 22);
 * expected values from RFC 3464 (fields, Action values, "type; value"), RFC 5322 (field syntax,
 * folding), RFC 3463 (status code syntax) and RFC 5321 (multi-line replies).
 */
import { describe, expect, it } from "vitest";
import { failuresFromDeliveryStatus, failuresFromSes, hostInDiagnostic, joinReplyLines, parseFieldBlocks, typedValue } from "../../lib/diagnose/read";

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

describe("typedValue: the first word's angle brackets", () => {
  it("a comment after the bracketed address is not part of it (RFC 5322 CFWS)", () => {
    expect(typedValue("rfc822; <a@example.org> (Jane Doe)")).toBe("a@example.org");
    expect(typedValue("rfc822; <a@example.org>(Jane Doe)")).toBe("a@example.org");
  });
  it("only the enclosing brackets go: a quoted local part may hold < and > (RFC 5321 qtextSMTP)", () => {
    expect(typedValue('rfc822; <"a<b>c"@example.org>')).toBe('"a<b>c"@example.org');
  });
});

/**
 * SES feedback JSON. The inputs are AWS's documented examples, cut to the fields the reader
 * reads (headers and ids left out):
 * - NOTIFICATION: SES Developer Guide, "Amazon SNS notification examples for Amazon SES"
 *   (https://docs.aws.amazon.com/ses/latest/dg/notification-examples.html), its sections
 *   "Bounce notification with a DSN", "... without a DSN", "Complaint notification with a
 *   feedback report" and "... without a feedback report".
 * - EVENT: "Examples of event data that Amazon SES publishes to Amazon SNS"
 *   (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html):
 *   the Reject, Rendering Failure and DeliveryDelay records.
 * - The SNS envelope: "Parse message formats", HTTP/HTTPS notification and subscription
 *   confirmation JSON (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
 */
describe("failuresFromSes: SES notifications and events", () => {
  const mail = { source: "john@example.com", destination: ["jane@example.com", "mary@example.com", "richard@example.com"], commonHeaders: { from: ["John Doe <john@example.com>"] } };
  const NOTIFICATION = {
    bounceWithDsn: {
      notificationType: "Bounce",
      bounce: {
        bounceType: "Permanent",
        reportingMTA: "dns; email.example.com",
        bouncedRecipients: [{ emailAddress: "jane@example.com", status: "5.1.1", action: "failed", diagnosticCode: "smtp; 550 5.1.1 <jane@example.com>... User" }],
        bounceSubType: "General",
        remoteMtaIp: "127.0.2.0",
      },
      mail,
    },
    bounceWithoutDsn: { notificationType: "Bounce", bounce: { bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: "jane@example.com" }, { emailAddress: "richard@example.com" }], remoteMtaIp: "127.0.2.0" }, mail },
    complaintWithReport: { notificationType: "Complaint", complaint: { userAgent: "AnyCompany Feedback Loop (V0.01)", complainedRecipients: [{ emailAddress: "richard@example.com" }], complaintFeedbackType: "abuse", arrivalDate: "2016-01-27T14:59:38.237Z" }, mail },
    complaintWithoutReport: { notificationType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: "richard@example.com" }] }, mail },
  };
  const eventMail = { source: "sender@example.com", destination: ["recipient@example.com"] };
  const EVENT = {
    // The documented Reject record sends to sender@example.com (its destination); kept as written.
    reject: { eventType: "Reject", mail: { source: "sender@example.com", destination: ["sender@example.com"], commonHeaders: { from: ["sender@example.com"], to: ["recipient@example.com"] } }, reject: { reason: "Bad content" } },
    renderingFailure: { eventType: "Rendering Failure", mail: eventMail, failure: { errorMessage: "Attribute 'attributeName' is not present in the rendering data.", templateName: "MyTemplate" } },
    deliveryDelay: {
      eventType: "DeliveryDelay",
      mail: eventMail,
      deliveryDelay: { delayType: "TransientCommunicationFailure", expirationTime: "2020-06-16T00:25:40.914Z", delayedRecipients: [{ emailAddress: "recipient@example.com", status: "4.4.1", diagnosticCode: "smtp; 421 4.4.1 Unable to connect to remote host" }] },
    },
  };
  const failures = (json: unknown) => {
    const r = failuresFromSes(json);
    if (!r.ok) throw new Error(r.message);
    return r.failures;
  };
  const message = (json: unknown) => {
    const r = failuresFromSes(json);
    return r.ok ? `read as ${r.type}` : r.message;
  };

  it("a bounce with a DSN: the recipient's action, status, diagnostic without its type, the reporting MTA, every field quoted", () => {
    expect(failures(NOTIFICATION.bounceWithDsn)).toEqual([
      {
        source: "ses-notification",
        sesType: "Bounce",
        sender: "john@example.com",
        recipient: "jane@example.com",
        sesBounceType: "Permanent",
        sesBounceSubType: "General",
        action: "failed",
        status: "5.1.1",
        diagnostic: "550 5.1.1 <jane@example.com>... User",
        reportingMta: "email.example.com",
        evidence: ["Bounce: bounceType Permanent, bounceSubType General", "status: 5.1.1", "diagnosticCode: smtp; 550 5.1.1 <jane@example.com>... User", "reportingMTA: dns; email.example.com"],
      },
    ]);
  });

  it("a bounce without a DSN: one failure per bounced recipient, with only the bounce's types", () => {
    expect(failures(NOTIFICATION.bounceWithoutDsn)).toEqual(
      ["jane@example.com", "richard@example.com"].map((recipient) => ({ source: "ses-notification", sesType: "Bounce", sender: "john@example.com", recipient, sesBounceType: "Permanent", sesBounceSubType: "General", evidence: ["Bounce: bounceType Permanent, bounceSubType General"] })),
    );
  });

  it("a bounce that names neither type says so with '?'", () => {
    const [f] = failures({ notificationType: "Bounce", bounce: { bouncedRecipients: [{ emailAddress: "jane@example.com" }] } });
    expect(f).toEqual({ source: "ses-notification", sesType: "Bounce", recipient: "jane@example.com", evidence: ["Bounce: bounceType ?, bounceSubType ?"] });
  });

  it("a complaint with a feedback report: its feedback type and the reporter's user agent", () => {
    expect(failures(NOTIFICATION.complaintWithReport)).toEqual([
      { source: "ses-notification", sesType: "Complaint", sender: "john@example.com", recipient: "richard@example.com", sesBounceType: "abuse", evidence: ["Complaint: complaintFeedbackType abuse", "userAgent: AnyCompany Feedback Loop (V0.01)"] },
    ]);
  });

  it("a complaint without a feedback report: no feedback type, no user agent", () => {
    expect(failures(NOTIFICATION.complaintWithoutReport)).toEqual([{ source: "ses-notification", sesType: "Complaint", sender: "john@example.com", recipient: "richard@example.com", evidence: ["Complaint: complaintFeedbackType (none)"] }]);
  });

  it("a DeliveryDelay event: each delayed recipient, action delayed, with the delay type", () => {
    expect(failures(EVENT.deliveryDelay)).toEqual([
      {
        source: "ses-notification",
        sesType: "DeliveryDelay",
        sender: "sender@example.com",
        recipient: "recipient@example.com",
        action: "delayed",
        status: "4.4.1",
        diagnostic: "421 4.4.1 Unable to connect to remote host",
        evidence: ["DeliveryDelay: delayType TransientCommunicationFailure", "status: 4.4.1", "diagnosticCode: smtp; 421 4.4.1 Unable to connect to remote host"],
      },
    ]);
  });

  it("a delayed recipient without status or diagnostic, under a delay without a type", () => {
    expect(failures({ eventType: "DeliveryDelay", deliveryDelay: { delayedRecipients: [{ emailAddress: "recipient@example.com" }] } })).toEqual([
      { source: "ses-notification", sesType: "DeliveryDelay", recipient: "recipient@example.com", action: "delayed", evidence: ["DeliveryDelay: delayType ?"] },
    ]);
  });

  it("a diagnosticCode is read like a DSN's Diagnostic-Code: any diagnostic-type dropped, a multi-line reply joined", () => {
    const bounce = (diagnosticCode: string) => failures({ notificationType: "Bounce", bounce: { bouncedRecipients: [{ emailAddress: "a@example.org", diagnosticCode }] } })[0]!.diagnostic;
    const delay = (diagnosticCode: string) => failures({ eventType: "DeliveryDelay", deliveryDelay: { delayedRecipients: [{ emailAddress: "a@example.org", diagnosticCode }] } })[0]!.diagnostic;
    for (const read of [bounce, delay]) {
      expect(read("X-Postfix; host mx.example.org[192.0.2.1] said: 550 5.1.1 no such user")).toBe("host mx.example.org[192.0.2.1] said: 550 5.1.1 no such user");
      expect(read("smtp; 421-4.4.1 try again later 421 4.4.1 see the help")).toBe("421 4.4.1 try again later see the help");
    }
  });

  it("a Reject event: every destination, with SES's reason", () => {
    expect(failures(EVENT.reject)).toEqual([{ source: "ses-notification", sesType: "Reject", sender: "sender@example.com", recipient: "sender@example.com", diagnostic: "Bad content", evidence: ["Reject: Bad content"] }]);
  });

  it("a Reject without a reason", () => {
    expect(failures({ eventType: "Reject", mail: eventMail })).toEqual([{ source: "ses-notification", sesType: "Reject", sender: "sender@example.com", recipient: "recipient@example.com", evidence: ["Reject: (no reason given)"] }]);
  });

  it("a Rendering Failure event (its type has a space) and the API's one-word spelling: the template error is the diagnostic", () => {
    const expected = { source: "ses-notification", sesType: "RenderingFailure", sender: "sender@example.com", recipient: "recipient@example.com", diagnostic: "Attribute 'attributeName' is not present in the rendering data.", evidence: ["Rendering Failure: Attribute 'attributeName' is not present in the rendering data."] };
    expect(failures(EVENT.renderingFailure)).toEqual([expected]);
    // The SES v1 API's EventType spells it renderingFailure (CreateConfigurationSetEventDestination).
    expect(failures({ ...EVENT.renderingFailure, eventType: "renderingFailure" })).toEqual([{ ...expected, evidence: ["renderingFailure: Attribute 'attributeName' is not present in the rendering data."] }]);
  });

  it("the sender: From's address, else the source's; a From without an address does not count", () => {
    const sender = (m: unknown) => failures({ eventType: "Reject", mail: m })[0]?.sender;
    expect(sender({ source: "Bounces <b@example.com>", destination: ["r@example.org"], commonHeaders: { from: ["John Doe <john@example.com>"] } })).toBe("john@example.com");
    expect(sender({ source: "Sender Name <sender@example.com>", destination: ["r@example.org"], commonHeaders: { from: ["undisclosed"] } })).toBe("sender@example.com");
    expect(sender({ source: "MAILER-DAEMON", destination: ["r@example.org"] })).toBeUndefined();
  });

  it("the SNS envelope: its Message holds the notification", () => {
    expect(failures({ Type: "Notification", Message: JSON.stringify(NOTIFICATION.complaintWithReport) }).map((f) => f.recipient)).toEqual(["richard@example.com"]);
  });

  it("what is not SES feedback, each with its own reason", () => {
    for (const json of ["a string", 42, null, [NOTIFICATION.bounceWithDsn]]) expect(message(json)).toBe("the JSON is not an object");
    expect(message({ Type: "Notification", Message: "{nope" })).toBe("an SNS notification whose Message is not JSON");
    for (const m of ['"a string"', "42", "null", "[]"]) expect(message({ Type: "Notification", Message: m })).toBe("an SNS notification whose Message is not a JSON object");
    // SNS's own subscription and unsubscription messages carry a Message that is text, not JSON.
    expect(message({ Type: "SubscriptionConfirmation", Message: "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message." })).toBe("an SNS subscription confirmation, not SES feedback");
    // The unsubscribe confirmation, in the shape of AWS's own example
    // (https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html): the
    // endpoint no longer gets the topic's notifications.
    const unsubscribe = {
      Type: "UnsubscribeConfirmation",
      MessageId: "0b2f4c1e-7d7a-4c55-9f43-3a8e1f6b2d90",
      Token: "2336412f37fb687f5d51e6e241d638b05824e9e2f6713b42abaeb8607743f5ba91d34edd2b8e4ee2f04d1c6e5d3f1a0",
      TopicArn: "arn:aws:sns:eu-west-1:111122223333:mail-feedback",
      Message: "You have chosen to deactivate subscription arn:aws:sns:eu-west-1:111122223333:mail-feedback:6d3f0c2a-1b9e-4f7d-8a25-0c4e9b7f1a33.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
      SubscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:111122223333:mail-feedback&Token=2336412f37fb",
      Timestamp: "2026-12-07T09:40:12.345Z",
      SignatureVersion: "1",
      Signature: "Ry9bOd0XbKK3Q+Yf4Jx2c0sD8XvP1nEwq5mZ3aN0tYk=",
      SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
    };
    expect(message(unsubscribe)).toBe("an SNS unsubscribe confirmation, not SES feedback: the endpoint was unsubscribed from the topic arn:aws:sns:eu-west-1:111122223333:mail-feedback, so the SES notifications published to it no longer reach the endpoint (its SubscribeURL subscribes it again)");
    expect(message({ Type: "UnsubscribeConfirmation", TopicArn: 7 })).toBe("an SNS unsubscribe confirmation, not SES feedback: the endpoint was unsubscribed from the topic, so the SES notifications published to it no longer reach the endpoint (its SubscribeURL subscribes it again)");
    // An envelope whose Message is not a string (not what SNS sends) is read as it stands.
    expect(message({ Type: "Notification", Message: NOTIFICATION.bounceWithDsn })).toBe("JSON without notificationType or eventType: not SES feedback");
    expect(message({ notificationType: 1, eventType: 2 })).toBe("JSON without notificationType or eventType: not SES feedback");
  });

  it("a notification without its object, or with recipients that are not objects or name no address, has no failure", () => {
    for (const type of ["Bounce", "Complaint", "DeliveryDelay", "Reject", "Rendering Failure"]) expect(failuresFromSes({ notificationType: type }), type).toEqual({ ok: true, failures: [], type });
    const odd = [null, "jane@example.com", ["jane@example.com"], {}, { emailAddress: 5 }];
    expect(failures({ notificationType: "Bounce", bounce: { bouncedRecipients: odd } })).toEqual([]);
    expect(failures({ notificationType: "Complaint", complaint: { complainedRecipients: odd } })).toEqual([]);
    expect(failures({ eventType: "DeliveryDelay", deliveryDelay: { delayedRecipients: odd } })).toEqual([]);
    expect(failures({ eventType: "Reject", mail: { destination: [null, 5, { emailAddress: "a@example.org" }] } })).toEqual([]);
  });

  it("a Delivery notification names no failed recipient", () => {
    expect(failuresFromSes({ notificationType: "Delivery", mail, delivery: { recipients: ["jane@example.com"], smtpResponse: "250 ok:  Message 64111812 accepted" } })).toEqual({ ok: true, failures: [], type: "Delivery" });
  });
});
