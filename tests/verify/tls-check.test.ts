/**
 * The TLS rules every session that meets a TLS error uses (scripts/verify/tls.ts): a failed
 * handshake told from other errors of nodemailer's connection (the smtp layer's AUTH, the
 * recipient layer's --probe-smtp), and a refused certificate (those two and the MTA-STS policy
 * fetch). Pure: the connection is its `upgrading` flag alone; the server tests
 * (smtp-collector.test.ts, recipient-replies.test.ts, recipient-collector.test.ts) show
 * nodemailer setting it and Node raising the errors.
 */
import { describe, expect, it } from "vitest";
import { certificateRefused, handshakeFailed } from "../../scripts/verify/tls";

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
