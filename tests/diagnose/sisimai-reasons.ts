/**
 * sisimai's reasons (https://libsisimai.org/en/reason/) to diagnose's layers: one table, used
 * to turn the corpus's labels and sisimai's own answers into layers, so both tools are scored
 * on the same question ("which layer failed"). `null`: not a failed delivery, or no cause named
 * (feedback loops, auto-replies, delivered, onhold, undefined): left out of the score.
 */
import type { DiagnoseLayer } from "../../lib/diagnose/types";

export const SISIMAI_REASON_LAYER: Record<string, DiagnoseLayer | null> = {
  // The address or the mailbox at the recipient's side.
  userunknown: "recipient-mailbox",
  hostunknown: "recipient-mailbox", // the recipient's domain has no usable MX / does not exist (X.4.x, X.1.2)
  mailboxfull: "recipient-mailbox",
  exceedlimit: "recipient-mailbox", // RFC 3463 X.2.3: over the mailbox's per-message limit
  suspend: "recipient-mailbox", // account disabled or suspended
  hasmoved: "recipient-mailbox", // 551 user has moved
  notaccept: "recipient-mailbox", // the domain accepts no mail (null MX)
  mailererror: "recipient-mailbox", // the recipient host's delivery program failed for that mailbox
  // The recipient's server refused the message by its policy, our reputation or the content.
  // sisimai: refused after DATA by the recipient's own filter or settings, most often "User unknown"
  // answered after DATA (the address passed RCPT TO): the recipient's mailbox, not its server's policy.
  filtered: "recipient-mailbox",
  blocked: "recipient-policy",
  policyviolation: "recipient-policy",
  spamdetected: "recipient-policy",
  virusdetected: "recipient-policy",
  contenterror: "recipient-policy",
  mesgtoobig: "recipient-policy",
  norelaying: "recipient-policy",
  badreputation: "recipient-policy",
  notcompliantrfc: "recipient-policy",
  syntaxerror: "recipient-policy",
  // Our sending identity: SPF/DKIM/DMARC, reverse DNS of the sending host, the envelope sender refused.
  authfailure: "sender-auth",
  requireptr: "sender-auth",
  rejected: "sender-auth",
  // SMTP authentication (the relay's login) or TLS between a client and its submission server.
  securityerror: "relay-auth",
  // Temporary: the sender retries, or retried until it gave up.
  expired: "transient",
  networkerror: "transient",
  systemerror: "transient",
  systemfull: "transient",
  toomanyconn: "transient",
  speeding: "transient",
  ratelimited: "transient",
  // SES's own suppression list (sisimai 5).
  suppressed: "ses",
  // Not a failure, or no cause.
  feedback: null,
  vacation: null,
  delivered: null,
  onhold: null,
  undefined: null,
};

export const layerOfReason = (reason: string): DiagnoseLayer | null | undefined => (reason in SISIMAI_REASON_LAYER ? SISIMAI_REASON_LAYER[reason] : undefined);
