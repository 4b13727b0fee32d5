/**
 * The verification manifest: the non-secret stack output `verification` that tells the
 * verify command what was declared. The program builds it, verify parses it with this schema.
 */
import { z } from "zod";

export const MANIFEST_VERSION = 1;

const recordSchema = z.object({
  key: z.string(),
  purpose: z.enum(["dkim", "mail-from-mx", "mail-from-spf", "spf", "dmarc"]),
  name: z.string(),
  type: z.enum(["CNAME", "MX", "TXT"]),
  ttl: z.number().int(),
  values: z.array(z.string()),
  region: z.string().optional(),
});

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

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  project: z.string(),
  stack: z.string(),
  domains: z.array(domainSchema),
  smtp: z.object({
    user: z.string(),
    userArn: z.string(),
    accessKeyId: z.string(),
    keyGeneration: z.number().int(),
    secretId: z.string(),
    secretName: z.string(),
    secretRegion: z.string(),
    port: z.number().int(),
    regions: z.array(z.object({ region: z.string(), endpoint: z.string() })),
  }),
  senders: z.array(
    z.object({
      address: z.string(),
      kind: z.enum(["gmail-send-as", "smtp-client"]),
      account: z.string().optional(),
      region: z.string(),
      smtpEndpoint: z.string(),
    }),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestDomain = z.infer<typeof domainSchema>;
export type ManifestRegion = z.infer<typeof regionSchema>;

export class ManifestError extends Error {
  override name = "ManifestError";
}

/** Parse a manifest, with errors that name the path inside it. */
export function parseManifest(input: unknown, source: string): Manifest {
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
