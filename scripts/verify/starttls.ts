/**
 * What an error of nodemailer's SMTP connection says about STARTTLS, for both sessions that use
 * it (the smtp layer's AUTH handshake, the recipient layer's --probe-smtp).
 *
 * nodemailer 10 reports a TLS handshake that fails after the server answered STARTTLS with 220
 * (a hang-up, plaintext, a certificate refused) as the socket's error (ESOCKET), not ETLS; only
 * the connection's `upgrading` flag, set from that 220 until the handshake completes, tells it
 * apart. It is in nodemailer's types but marked private there: tests/verify/recipient-replies.test.ts
 * and smtp-collector.test.ts fail if it goes. Read it when the error is emitted: nodemailer
 * closes the connection right after.
 */
import type SMTPConnection from "nodemailer/lib/smtp-connection";

/**
 * The error is the TLS handshake failing: it came while the connection was upgrading, and is not
 * a timeout (a handshake that never answers stays a timeout: nothing is concluded from silence).
 */
export function handshakeFailed(conn: Pick<SMTPConnection, "upgrading">, error: { code?: string }): boolean {
  return conn.upgrading === true && error.code !== "ETIMEDOUT";
}
