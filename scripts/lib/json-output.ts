/**
 * The documents the CLIs print with --json (and diagnose with --jsonl), as zod schemas. Every
 * document carries `version`: JSON_FORMAT_VERSION, raised when a field is removed or changes
 * meaning (adding a field does not raise it: readers ignore fields they do not know).
 * docs/cli/json.md prints each schema as JSON Schema (z.toJSONSchema), and tests/docs/json.test.ts
 * validates real output of every command against it. Objects are open (`looseObject`): the
 * schema names the fields a reader may rely on.
 */
import { z } from "zod";
import { JSON_FORMAT_VERSION } from "./json-version";

export { JSON_FORMAT_VERSION };

const version = z.literal(JSON_FORMAT_VERSION).describe("The format version of this document: raised when a field is removed or changes meaning.");
const strings = z.array(z.string());

const planResource = z.looseObject({
  urn: z.string(),
  type: z.string().describe("Pulumi's type token, e.g. aws:sesv2/emailIdentity:EmailIdentity"),
  name: z.string(),
  parent: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()).describe("The declared inputs; a secret input is the string [secret]"),
  options: z.looseObject({
    protect: z.boolean(),
    retainOnDelete: z.boolean(),
    deleteBeforeReplace: z.boolean(),
    dependsOn: strings,
    aliases: strings,
    ignoreChanges: strings,
    importId: z.string().nullable(),
  }),
});

const dnsRecord = z.looseObject({ type: z.string(), name: z.string() });

/** `npm run plan -- --json`. */
export const planJson = z.looseObject({
  version,
  stack: z.string(),
  offline: z.literal(true),
  placeholderMarker: z.string().describe('Values containing it are assigned by AWS at pulumi up ("placeholder")'),
  resources: z.array(planResource),
  domains: z.array(z.looseObject({ domain: z.string(), dns: z.looseObject({ mode: z.enum(["route53", "external"]) }), records: z.array(dnsRecord) })),
  outputs: z.record(z.string(), z.unknown()).describe("The stack outputs that are not secret (verification, smtpUsername, smtpSecretArn, zoneFile)"),
});

/** `npm run plan -- --against BASE.json --json`. */
export const reviewJson = z.looseObject({
  version,
  changes: z.array(
    z.looseObject({
      kind: z.enum(["create", "delete", "update", "replace"]),
      urn: z.string(),
      type: z.string(),
      name: z.string(),
      changed: strings.describe("Inputs whose value differs (update, replace)"),
      forcedBy: strings.describe("For a replace: the changed inputs that force it"),
      breaks: z.string().optional().describe("Why this change breaks live mail"),
      refused: z.unknown().optional().describe("Why pulumi preview will refuse this step"),
    }),
  ),
  breaksMail: z.boolean(),
  refused: z.boolean().describe("Some step will be refused by the engine: the change cannot be deployed as it is"),
});

const enforcementLevel = z.enum(["advisory", "mandatory", "remediate", "disabled"]);

/** `npm run policy -- --json` (also with --preview). */
export const policyJson = z.looseObject({
  version,
  stack: z.string(),
  offline: z.literal(true),
  preview: z.boolean(),
  policyPack: z.looseObject({ name: z.string(), version: z.string(), path: z.string() }),
  summary: z.looseObject({ policies: z.number().int(), resources: z.number().int(), mandatory: z.number().int(), advisory: z.number().int(), notChecked: z.number().int() }),
  violations: z.array(z.looseObject({ policyName: z.string(), kind: z.enum(["resource", "stack"]), enforcementLevel, message: z.string(), urn: z.string().optional() })),
  notChecked: z.array(z.looseObject({ policyName: z.string() })),
  policiesNotChecked: strings,
});

/** `npm run policy -- --list --json`. */
export const policyListJson = z.looseObject({
  version,
  policies: z.array(z.looseObject({ name: z.string(), enforcementLevel, kind: z.enum(["resource", "stack"]) })),
});

const layer = z.enum(["ses", "dns", "smtp", "relay", "recipient", "monitoring"]);
const status = z.enum(["pass", "warn", "fail", "inconclusive"]);

/** `npm run verify -- --json`. */
export const verifyJson = z.looseObject({
  version,
  target: z.string().describe('What was verified, e.g. "stack prod" or "manifest verification.json"'),
  layers: z.array(layer).describe("The layers that ran"),
  notChecked: z.array(z.looseObject({ layer, reason: z.string(), check: z.string().optional() })),
  summary: z.looseObject({ pass: z.number().int(), warn: z.number().int(), fail: z.number().int(), inconclusive: z.number().int() }),
  exitCode: z.number().int(),
  findings: z.array(
    z.looseObject({
      layer,
      id: z.string(),
      subject: z.string(),
      status,
      summary: z.string(),
      evidence: strings,
      remediation: z.string().optional(),
      blocked: z.array(z.looseObject({ layer, id: z.string(), subject: z.string(), status })).optional(),
    }),
  ),
});

const verdict = z.looseObject({
  recipient: z.string().optional(),
  layer: z.enum(["relay-auth", "ses", "sender-auth", "recipient-policy", "recipient-mailbox", "transient"]),
  cause: z.string(),
  evidence: strings,
  confidence: z.string(),
  next: z.string(),
});
const tally = z.looseObject({ inputs: z.number().int(), bounces: z.number().int(), notBounces: z.number().int(), verdicts: z.number().int(), byLayer: z.record(z.string(), z.number().int()) });

/** `npm run diagnose -- --json`. */
export const diagnoseJson = z.looseObject({ version, verdicts: z.array(verdict), tally });

/** One line of `npm run diagnose -- --jsonl`: a verdict (with the file it came from), or, last, the tally. */
export const diagnoseJsonLine = z.union([verdict.extend({ version, file: z.string() }), z.looseObject({ version, tally })]);

/** `npm run watch -- --dry-run --json`. */
export const watchJson = z.looseObject({
  version,
  event: z.unknown(),
  kind: z.string(),
  metrics: z.array(z.unknown()),
  alerts: z.array(z.unknown()),
  verdicts: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  emf: z.array(z.unknown()),
});

/** `npm run bench -- --json`: the raw measurements of the sections that ran. */
export const benchJson = z.looseObject({
  version,
  startup: z.array(z.looseObject({ label: z.string(), medianMs: z.number(), runsMs: z.array(z.number()) })).optional(),
  single: z.unknown().optional(),
  scale: z.array(z.unknown()).optional(),
  diagnose: z.unknown().optional(),
  watch: z.unknown().optional(),
});

/** Every document, by the name docs/cli/json.md gives it. */
export const JSON_OUTPUTS = {
  plan: planJson,
  "plan-review": reviewJson,
  policy: policyJson,
  "policy-list": policyListJson,
  verify: verifyJson,
  diagnose: diagnoseJson,
  "diagnose-jsonl": diagnoseJsonLine,
  watch: watchJson,
  bench: benchJson,
} as const;
