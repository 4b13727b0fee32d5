/**
 * The TLS rules every session that meets a TLS error uses (scripts/verify/tls.ts): a failed
 * handshake told from other errors of nodemailer's connection (the smtp layer's AUTH, the
 * recipient layer's --probe-smtp), and a refused certificate (those two and the MTA-STS policy
 * fetch); and `upgrading` read from nodemailer's transaction log (the smtp layer's --send-test,
 * whose transport hides its connection), fed here as nodemailer logs it: `debug({ tnx }, line)`.
 * Pure: the connection is its `upgrading` flag alone; the server tests
 * (smtp-collector.test.ts, recipient-replies.test.ts, recipient-collector.test.ts) show
 * nodemailer setting it and Node raising the errors.
 */
import { describe, expect, it } from "vitest";
import { certificateRefused, handshakeFailed, upgradeWatch } from "../../scripts/verify/tls";

describe("handshakeFailed", () => {
  it("an error while upgrading after the server's 220 is the handshake failing, whatever its code", () => {
    expect(handshakeFailed({ upgrading: true }, { code: "ESOCKET" })).toBe(true);
    expect(handshakeFailed({ upgrading: true }, { code: "ETLS" })).toBe(true);
    expect(handshakeFailed({ upgrading: true }, {})).toBe(true);
  });

  it("a timeout while upgrading is not: silence concludes nothing", () => {
    expect(handshakeFailed({ upgrading: true }, { code: "ETIMEDOUT" })).toBe(false);
  });

  it("an error before STARTTLS was accepted, or after the handshake completed, is not", () => {
    expect(handshakeFailed({ upgrading: false }, { code: "ESOCKET" })).toBe(false);
    expect(handshakeFailed({}, { code: "ESOCKET" })).toBe(false);
  });
});

describe("certificateRefused", () => {
  // Node's errors as `${code} ${message}` (Node 22, OpenSSL 3: lib/_tls_wrap.js and OpenSSL's
  // X509_verify_cert_error_string).
  it("Node's certificate verification failures", () => {
    expect(certificateRefused("CERT_HAS_EXPIRED certificate has expired")).toBe(true);
    expect(certificateRefused("DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate")).toBe(true);
    expect(certificateRefused("SELF_SIGNED_CERT_IN_CHAIN self-signed certificate in certificate chain")).toBe(true);
    expect(certificateRefused("UNABLE_TO_VERIFY_LEAF_SIGNATURE unable to verify the first certificate")).toBe(true);
    expect(certificateRefused("UNABLE_TO_GET_ISSUER_CERT_LOCALLY unable to get local issuer certificate")).toBe(true);
    expect(
      certificateRefused("ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate's altnames: Host: mx.example.com. is not in the cert's altnames: DNS:other.example.net"),
    ).toBe(true);
  });

  it("a hang-up, plaintext where TLS was due, a refusal or silence is no certificate problem", () => {
    expect(certificateRefused("ECONNRESET Client network socket disconnected before secure TLS connection was established")).toBe(false);
    expect(certificateRefused("ERR_SSL_WRONG_VERSION_NUMBER error:0A00010B:SSL routines:ssl3_get_record:wrong version number")).toBe(false);
    expect(certificateRefused("ESOCKET Connection closed unexpectedly")).toBe(false);
    expect(certificateRefused("ECONNREFUSED connect ECONNREFUSED 127.0.0.1:25")).toBe(false);
    expect(certificateRefused("ETIMEDOUT Timeout")).toBe(false);
  });
});

describe("upgradeWatch: `upgrading` from the transaction log (RFC 3207: 220 to STARTTLS, then the handshake)", () => {
  /** The lines nodemailer logs, in order: [tnx, line]. */
  const after = (log: [string, string][]) => {
    const w = upgradeWatch();
    for (const [tnx, line] of log) w.logger.debug({ tnx }, line);
    return w.upgrading;
  };
  const greeted: [string, string][] = [
    ["server", "220 email-smtp.us-east-1.amazonaws.com ESMTP"],
    ["client", "EHLO mail-infra-verify.invalid"],
    ["server", "250-email-smtp.amazonaws.com\n250 STARTTLS"],
  ];

  it("not upgrading before anything, nor before STARTTLS is answered", () => {
    expect(upgradeWatch().upgrading).toBe(false);
    expect(after(greeted)).toBe(false);
    expect(after([...greeted, ["client", "STARTTLS"]])).toBe(false);
  });

  it("STARTTLS answered 220: upgrading, until the client's next command (EHLO over TLS) shows the handshake done", () => {
    const accepted: [string, string][] = [...greeted, ["client", "STARTTLS"], ["server", "220 Ready to start TLS"]];
    expect(after(accepted)).toBe(true);
    expect(after([...accepted, ["client", "EHLO mail-infra-verify.invalid"]])).toBe(false);
    // Any 2xx starts it (nodemailer upgrades on the first digit): 250 too; the command's case does not matter.
    expect(after([...greeted, ["client", "starttls"], ["server", "250 go ahead"]])).toBe(true);
  });

  it("STARTTLS refused (454) or answered oddly (354): no handshake", () => {
    expect(after([...greeted, ["client", "STARTTLS"], ["server", "454 4.7.0 TLS not available"]])).toBe(false);
    expect(after([...greeted, ["client", "STARTTLS"], ["server", "354 send your certificate"]])).toBe(false);
    // A refusal whose text holds a 2 elsewhere (421: the server is closing, RFC 5321 4.2) is still no 2xx.
    expect(after([...greeted, ["client", "STARTTLS"], ["server", "421 4.3.2 shutting down"]])).toBe(false);
  });

  it("a 2xx that answers another command is no upgrade, nor a 220 after STARTTLS was already answered", () => {
    expect(after([...greeted, ["client", "MAIL FROM:<a@example.com>"], ["server", "250 Ok"]])).toBe(false);
    expect(after([...greeted, ["client", "STARTTLS"], ["server", "454 not now"], ["server", "220 late"]])).toBe(false);
    expect(after([["client", "STARTTLS TLS"], ["server", "220 go"]])).toBe(false);
    // The command itself, not a line that ends with the word; and the greeting's 220 is no answer to STARTTLS.
    expect(after([["client", "EHLO STARTTLS"], ["server", "250 hello"]])).toBe(false);
    expect(after([["server", "220 email-smtp.us-east-1.amazonaws.com ESMTP"]])).toBe(false);
  });

  it("only the transaction log counts: other entries (nodemailer's own messages) change nothing", () => {
    const w = upgradeWatch();
    for (const [tnx, line] of [...greeted, ["client", "STARTTLS"], ["server", "220 go"]] as [string, string][]) w.logger.debug({ tnx }, line);
    w.logger.debug({ tnx: "smtp" }, "Connection upgraded with STARTTLS");
    w.logger.debug({}, "STARTTLS");
    for (const level of ["trace", "info", "warn", "error", "fatal"] as const) w.logger[level]({ tnx: "client" }, "EHLO x");
    expect(w.upgrading).toBe(true);
  });

  it("a debug line of another kind between STARTTLS and its reply is not the reply", () => {
    expect(after([...greeted, ["client", "STARTTLS"], ["network", "Connection established"], ["server", "220 go"]])).toBe(true);
  });
});
