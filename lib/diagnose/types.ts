/**
 * What diagnose reads out of a bounce (one Failure per failed recipient) and what it answers
 * (one Verdict per Failure). Pure data: the parsers fill Failures, classify() judges them.
 */

/** The layers a bounce can point at, in the order a message crosses them. */
export const DIAGNOSE_LAYERS = ["relay-auth", "ses", "sender-auth", "recipient-policy", "recipient-mailbox", "transient"] as const;
export type DiagnoseLayer = (typeof DIAGNOSE_LAYERS)[number];

export type Confidence = "high" | "medium" | "low";

/** Who wrote the notice: decides how much a host or a wording is worth. */
export type NoticeSource = "dsn" | "gmail" | "exchange" | "ses-notification" | "text";

/** One failed (or delayed) recipient, as read from a bounce. Every field is what the message said. */
export interface Failure {
  recipient: string;
  source: NoticeSource;
  /** RFC 3464 Action (failed, delayed); SES: the bounce type. */
  action?: string;
  /** RFC 3464 Status (an RFC 3463 enhanced status code), as given. */
  status?: string;
  /** Diagnostic-Code without its type ("smtp; "), or the server's response quoted in the text. */
  diagnostic?: string;
  /** The host that refused (Remote-MTA), without "dns;" and without an address comment. */
  remoteMta?: string;
  /** The host that wrote the notice (Reporting-MTA, Exchange's "Generating server"). */
  reportingMta?: string;
  /** SES feedback: notification or event type (Bounce, Complaint, Reject, DeliveryDelay...). */
  sesType?: string;
  /** SES feedback: bounceType / bounceSubType, or the complaint's feedback type. */
  sesBounceType?: string;
  sesBounceSubType?: string;
  /** The original message's From (the relay's sender), from the returned headers. */
  sender?: string;
  /**
   * The notice itself says the recipient's own reception filter refused the message (the address
   * exists): what said so, e.g. EZweb's "X-SPASIGN: NG" header.
   */
  recipientFilter?: string;
  /** Lines quoted from the message: shown as evidence. */
  evidence: string[];
}

export interface Verdict {
  recipient: string;
  layer: DiagnoseLayer;
  /** One sentence. */
  cause: string;
  /** Quoted lines from the message. */
  evidence: string[];
  confidence: Confidence;
  /** The next step: an exact command. */
  next: string;
}
