/**
 * What a verify layer is: one folder under scripts/verify/layers/ with its collector (I/O,
 * collect.ts), its pure check (check.ts) and the entry (index.ts) that says what to observe, in
 * which order, and hands the observations to the check. runVerify (run.ts) runs the registered
 * layers (layers/index.ts) and knows none of them by name.
 */
import type { FixMode } from "../../lib/mail-from-owner";
import type { Manifest } from "../../lib/manifest";
import type { Finding, Layer, NotChecked } from "../../lib/verify/findings";
import type { AwsCollector } from "./aws";
import type { DnsCollector } from "./layers/dns/collect";
import type { GmailCollector } from "./layers/gmail/collect";
import type { RecipientCollector } from "./layers/recipient/collect";
import type { SmtpCollector } from "./layers/smtp/collect";

export interface VerifyOptions {
  layers: readonly Layer[];
  /** Layers left out before the run (--only/--skip, or a missing input), with why; the result lists them. */
  notChecked?: readonly NotChecked[];
  recipients: readonly string[];
  /**
   * Connect here instead of a region's endpoint (certificates are still checked against the
   * real name). The key "*" applies to every region without its own entry.
   */
  smtpEndpoints?: Readonly<Record<string, { host: string; port: number }>>;
  sendTest: boolean;
  /** A secret access key read from stdin, to re-derive the stored passwords. */
  secretKey?: string;
  now?: Date;
  /** relay.retire, relay.credentials: SES uses of the current key an earlier verify confirmed, per region (--relay-seen). */
  relaySeen?: ReadonlyMap<string, Date>;
  /**
   * Log in with the current key (smtp.auth, --send-test) even while a rotation is in progress
   * (--smtp-auth-during-rotation). Default: not, see scripts/verify/layers/smtp/check.ts duringRotation.
   */
  smtpAuthDuringRotation?: boolean;
  /** verify's own earlier logins with the current key, per region (--smtp-login-at): relay checks do not count them. */
  ownLogins?: ReadonlyMap<string, Date>;
  /** Why the Gmail alias check cannot run when there is no Gmail collector (default: no credentials). */
  gmailUnavailable?: string;
}

export interface Collectors {
  aws: AwsCollector;
  dns: DnsCollector;
  smtp: SmtpCollector;
  /** Reads Gmail aliases; absent without Gmail credentials (relay.gmail is then not checked). */
  gmail?: GmailCollector;
  /** The recipient layer's DNS, MTA-STS and SMTP probe; needed only when that layer runs. */
  recipient?: RecipientCollector;
}

/** Count a unit of work for progress: known as soon as it starts, done when it settles. */
export type Track = <T>(label: string, work: Promise<T>) => Promise<T>;

/** One verify run, as every layer sees it. */
export interface LayerRun {
  /** The manifest; undefined only when the recipient layer runs alone (verify --recipient ADDR --only recipient). */
  readonly m: Manifest | undefined;
  readonly opts: VerifyOptions;
  readonly c: Collectors;
  /** Whether a layer was selected for this run. */
  on(layer: Layer): boolean;
  readonly track: Track;
  /** How fixes are phrased: for a stack, or for a discovered setup. */
  readonly mode: FixMode;
  readonly domains: Manifest["domains"];
  /** Every region of every domain, once. */
  readonly regions: readonly string[];
  /** Values that must never be printed: a layer adds what it reads (passwords, tokens). */
  readonly secrets: string[];
  /** Work several layers share (the SMTP credentials' observations): started by the first to ask, once per run. */
  once<T>(key: string, start: () => T): T;
  /**
   * Run one domain's work in a slot shared by every layer: at most DOMAIN_CONCURRENCY domains'
   * SES and DNS work in flight at once. The collectors bound their requests; this bounds the
   * closures and answers held for a 1,000-domain stack.
   */
  perDomain<T>(work: () => Promise<T>): Promise<T>;
}

export interface VerifyLayer {
  /** Its folder: scripts/verify/layers/<id>/. */
  readonly id: string;
  /** The report layer its findings belong to; --only and --skip select it. */
  readonly layer: Layer;
  /**
   * Observe (collectors, started as soon as what they depend on is known) and judge (the pure
   * check). Called only when its layer is selected; everything up to its first await runs at
   * once, so the layers' first requests leave together.
   */
  run(r: LayerRun): Promise<Finding[]>;
  /** Parts of the layer that could not be checked at all, and why (called after every layer ran, when selected). */
  notChecked?(r: LayerRun): NotChecked[];
}
