/**
 * What a TLS error says, read once for every session that meets one: the smtp layer's AUTH
 * handshake, the recipient layer's --probe-smtp and its MTA-STS policy fetch over HTTPS.
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

/**
 * The error is the peer's certificate refused: Node's X.509 verification codes and messages
 * (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT "self-signed certificate",
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ERR_TLS_CERT_ALTNAME_INVALID
 * "Hostname/IP does not match certificate's altnames"). `text` is the error's code and message.
 */
export function certificateRefused(text: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER|ERR_TLS|certificate/i.test(text);
}
