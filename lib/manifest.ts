/**
 * The verification manifest: the non-secret stack output `verification` that tells the
 * verify command what was declared. The program builds it, verify parses it with this schema.
 */
import { z } from "zod";
import { PREVIOUS_KEY_STATES } from "./rotation";
import type { Cause, Unobservable } from "./verify/findings";

export const MANIFEST_VERSION = 1;

/** The stack name of a manifest verify built from AWS alone (discovery mode, scripts/verify/discover.ts). */
export const DISCOVERED_STACK = "(discovered)";

/** How a manifest's fixes are carried out: through the stack (config + pulumi up), or by hand (discovery mode). */
export const fixModeOf = (m: { stack: string }): "stack" | "discovery" => (m.stack === DISCOVERED_STACK ? "discovery" : "stack");

const recordSchema = z.object({
  key: z.string(),
  purpose: z.enum(["dkim", "mail-from-mx", "mail-from-spf", "spf", "dmarc", "dmarc-report-auth"]),
  name: z.string(),
  type: z.enum(["CNAME", "MX", "TXT"]),
  ttl: z.number().int(),
  values: z.array(z.string()),
  region: z.string().optional(),
});

const causeSchema: z.ZodType<Cause> = z.object({
  key: z.string(),
  id: z.string().optional(),
  subject: z.string().optional(),
  summary: z.string().optional(),
  evidence: z.array(z.string()).optional(),
  remediation: z.string().optional(),
});

/** Why a value is not known (the shape collectors return, lib/verify/findings#Unobservable). */
const unknownSchema: z.ZodType<Unobservable> = z.object({
  ok: z.literal(false),
  reason: z.enum(["notfound", "denied", "throttled", "timeout", "unreachable", "tls", "error"]),
  message: z.string(),
  needs: z.string().optional(),
  cause: causeSchema.optional(),
});

/** The values of a region that discovery mode may fail to determine. */
export const UNKNOWABLE = ["account", "dkimTokens", "mailFromDomain", "configurationSet"] as const;
export type Unknowable = (typeof UNKNOWABLE)[number];

const regionSchema = z.object({
  region: z.string(),
  primary: z.boolean(),
  identityArn: z.string(),
  dkimTokens: z.array(z.string()),
  dkimSigningKeyLength: z.string(),
  signingHostedZone: z.string(),
  mailFromDomain: z.string(),
  mailFromBehaviorOnMxFailure: z.enum(["REJECT_MESSAGE", "USE_DEFAULT_VALUE"]),
  configurationSet: z.string(),
  configurationSetArn: z.string(),
  eventTopicArn: z.string(),
  tlsPolicy: z.enum(["REQUIRE", "OPTIONAL"]),
  smtpEndpoint: z.string(),
  /**
   * Discovery mode only, never in a stack output: values that could not be determined, each with
   * why. Such a value is empty in its field ("" or []), and no check compares anything with it:
   *   account -> identityArn and configurationSetArn; dkimTokens; mailFromDomain;
   *   configurationSet -> configurationSet and configurationSetArn.
   */
  unknown: z.object({ account: unknownSchema, dkimTokens: unknownSchema, mailFromDomain: unknownSchema, configurationSet: unknownSchema }).partial().optional(),
});

const domainSchema = z.object({
  domain: z.string(),
  dns: z.union([
    z.object({ mode: z.literal("route53"), zoneId: z.string(), zoneName: z.string().optional() }),
    z.object({ mode: z.literal("external") }),
  ]),
  regions: z.array(regionSchema),
  records: z.array(recordSchema),
});

/**
 * Monitoring (issue 12, lib/monitoring.ts): what the program declared, per region, for verify's
 * `monitoring` layer. Absent when mail-infra:alertEmails is empty and nothing was declared.
 */
const monitoringSchema = z.object({
  alertEmails: z.array(z.string()),
  regions: z.array(
    z.object({
      region: z.string(),
      alertsTopicArn: z.string(),
      alarms: z.array(
        z.object({
          name: z.string(),
          kind: z.enum(["bounce", "complaint"]),
          level: z.enum(["warning", "alarm"]),
          /** A fraction, 0.02 = 2 %. */
          threshold: z.number(),
        }),
      ),
      rules: z.array(z.object({ name: z.string(), purpose: z.enum(["iam", "ses", "secret", "feedback"]) })),
    }),
  ),
  /** The regions whose management events a trail must log, and the trail the stack created (if any). */
  trail: z.object({ regions: z.array(z.string()), created: z.string().optional() }),
});

/**
 * Watch (issue 19, lib/watch.ts): the function, its schedule and alarms, for verify's
 * `monitoring` layer. Absent unless mail-infra:watch is true.
 */
const watchSchema = z.object({
  functionName: z.string(),
  region: z.string(),
  scheduleName: z.string(),
  schedule: z.string(),
  /** Minutes between scheduled runs (the heartbeat's period is twice this). */
  scheduleMinutes: z.number(),
  queueName: z.string(),
  alarms: z.array(z.string()),
});

const smtpSchema = z.object({
  user: z.string(),
  userArn: z.string(),
  accessKeyId: z.string(),
  keyGeneration: z.number().int(),
  /**
   * Key keyGeneration-1 while it exists or was just retired: its generation, its access key id
   * (absent once retired unless carried over) and its state. Optional: manifests written before
   * two-phase rotation have none (that program deleted the old key when rotating).
   */
  previousKey: z
    .object({
      generation: z.number().int(),
      accessKeyId: z.string().optional(),
      state: z.enum(PREVIOUS_KEY_STATES),
    })
    .optional(),
  secretId: z.string(),
  secretName: z.string(),
  secretRegion: z.string(),
  port: z.number().int(),
  regions: z.array(z.object({ region: z.string(), endpoint: z.string() })),
});

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  project: z.string(),
  stack: z.string(),
  domains: z.array(domainSchema),
  // Absent when the stack declares no SMTP credentials (no senders, and mail-infra:smtpCredentials
  // is not any-address; lib/smtp-credentials.ts): the smtp and relay layers have nothing to check.
  smtp: smtpSchema.optional(),
  senders: z.array(
    z.object({
      address: z.string(),
      kind: z.enum(["gmail-send-as", "smtp-client"]),
      account: z.string().optional(),
      region: z.string(),
      smtpEndpoint: z.string(),
    }),
  ),
  monitoring: monitoringSchema.optional(),
  watch: watchSchema.optional(),
});

/** A manifest as the program writes it: `smtp` only when the stack declares SMTP credentials. */
export type StackManifest = z.infer<typeof manifestSchema>;
export type ManifestSmtp = z.infer<typeof smtpSchema>;
/** The manifest of a stack with SMTP credentials: what the smtp and relay layers read. */
export type Manifest = StackManifest & { smtp: ManifestSmtp };

/** Whether the stack declares SMTP credentials (the manifest has an smtp section). */
export function hasSmtpCredentials(m: StackManifest): m is Manifest {
  return m.smtp !== undefined;
}
export type ManifestDomain = z.infer<typeof domainSchema>;
export type ManifestRegion = z.infer<typeof regionSchema>;
export type ManifestMonitoring = z.infer<typeof monitoringSchema>;
export type ManifestWatch = z.infer<typeof watchSchema>;

export class ManifestError extends Error {
  override name = "ManifestError";
}

/**
 * Parse the manifest of a stack with SMTP credentials (relay-fix, smtp-password, the tests):
 * one without credentials is refused with a message that says so.
 */
export function parseManifest(input: unknown, source: string): Manifest {
  const m = parseStackManifest(input, source);
  if (!hasSmtpCredentials(m)) {
    throw new ManifestError(
      `${source} has no smtp section: stack ${m.stack} declares no SMTP credentials (no mail-infra:senders, and mail-infra:smtpCredentials is not any-address). List the senders that relay through SES in mail-infra:senders and run pulumi up.`,
    );
  }
  return m;
}

/** Parse a manifest, with errors that name the path inside it. */
export function parseStackManifest(input: unknown, source: string): StackManifest {
  const result = manifestSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
    throw new ManifestError(
      `${source} is not a mail-infra verification manifest (version ${MANIFEST_VERSION}):\n${problems}\n` +
        "Get a fresh one with `pulumi stack output verification --json > verification.json`.",
    );
  }
  return result.data;
}
