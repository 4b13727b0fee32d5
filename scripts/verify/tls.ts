/**
 * What a TLS error says, read once for every session that meets one: the smtp layer's AUTH
 * handshake, the recipient layer's --probe-smtp and its MTA-STS policy fetch over HTTPS.
 *
 * nodemailer 10 reports a TLS handshake that fails after the server answered STARTTLS with 220
 * (a hang-up, plaintext, a certificate refused) as the socket's error (ESOCKET), not ETLS; only
 * the connection's `upgrading` flag, set from that 220 until the handshake completes, tells it
 * apart. It is in nodemailer's types but marked private there: tests/verify/recipient-replies.test.ts
 * and smtp-collector.test.ts fail if it goes. Read it when the error is emitted: nodemailer
 * closes the connection right after. The smtp layer's --send-test goes through nodemailer's
 * transport, which keeps its connection to itself: there `upgradeWatch` reads the same state
 * from the transaction log the transport hands a logger.
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

/** The session's `upgrading`, and the logger that keeps it: give both `logger` and `transactionLog: true` to nodemailer. */
export interface UpgradeWatch {
  readonly upgrading: boolean;
  readonly logger: Record<"trace" | "debug" | "info" | "warn" | "error" | "fatal", (entry: { tnx?: string }, message?: unknown) => void>;
}

/**
 * `upgrading` for a session inside nodemailer's transport (the smtp layer's --send-test), which
 * does not expose its connection: read from the transaction log it hands a logger (its public
 * `logger` and `transactionLog` options). The client's STARTTLS answered with 2xx starts the
 * handshake (nodemailer upgrades on any 2xx); the client's next command (EHLO over TLS) means it
 * completed. Only that is kept: no command or reply is stored (the log holds the AUTH lines).
 */
export function upgradeWatch(): UpgradeWatch {
  let startTlsSent = false;
  let upgrading = false;
  const none = () => undefined;
  return {
    get upgrading() {
      return upgrading;
    },
    logger: {
      debug: (entry, message) => {
        const line = String(message);
        if (entry.tnx === "client") {
          startTlsSent = /^STARTTLS$/i.test(line);
          upgrading = false;
        } else if (entry.tnx === "server" && startTlsSent) {
          upgrading = /^2/.test(line);
          startTlsSent = false;
        }
      },
      trace: none,
      info: none,
      warn: none,
      error: none,
      fatal: none,
    },
  };
}
