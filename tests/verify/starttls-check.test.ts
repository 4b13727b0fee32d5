/**
 * The one rule both SMTP sessions (the smtp layer's AUTH, the recipient layer's --probe-smtp)
 * use to tell a failed TLS handshake from other errors of nodemailer's connection
 * (scripts/verify/starttls.ts). Pure: the connection is its `upgrading` flag alone; the server
 * tests (smtp-collector.test.ts, recipient-replies.test.ts) show nodemailer setting it.
 */
import { describe, expect, it } from "vitest";
import { handshakeFailed } from "../../scripts/verify/starttls";

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
