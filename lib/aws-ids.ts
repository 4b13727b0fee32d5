/**
 * Shapes of AWS identifiers that users type into config or pipe into a command. Pure checks:
 * they say whether a value can be one, not whether it exists.
 */
import { shown } from "./text";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** A multi-region key id: mrk- and 32 hex digits. */
const MRK = "mrk-[0-9a-f]{32}";
/** Alias names: alias/ then letters, digits, / _ - (KMS CreateAlias, AliasName). */
const ALIAS = "alias/[A-Za-z0-9/_-]{1,250}";
const ARN_PREFIX = "arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-\\d+:\\d{12}:";
const KMS_KEY_ID = new RegExp(`^(?:${UUID}|${MRK}|${ALIAS}|${ARN_PREFIX}(?:key/(?:${UUID}|${MRK})|${ALIAS}))$`, "i");

/**
 * A KMS key reference as Secrets Manager's KmsKeyId takes it: a key id (UUID), a multi-region
 * key id (mrk-...), a key ARN, an alias name (alias/...) or an alias ARN. Returns undefined when
 * `value` is one of these, otherwise what is wrong and the accepted forms.
 */
export function validateKmsKeyId(value: string): string | undefined {
  if (KMS_KEY_ID.test(value)) return undefined;
  return (
    `${shown(value)} is not a KMS key reference. Use a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a multi-region key id ` +
    "(mrk-1234abcd12ab34cd56ef1234567890ab), a key ARN (arn:aws:kms:us-east-1:111122223333:key/<key id>), an alias (alias/mail) " +
    "or an alias ARN (arn:aws:kms:us-east-1:111122223333:alias/mail)."
  );
}

/** Length of an IAM secret access key. */
export const SECRET_ACCESS_KEY_LENGTH = 40;

/**
 * Whether `value` can be an IAM secret access key: 40 characters of the base64 alphabet
 * (A-Z, a-z, 0-9, / and +). The message never contains the value (it is a secret); it gives
 * only its length, so a user can tell a truncated paste or a key id from the real thing.
 */
export function validateSecretAccessKey(value: string): string | undefined {
  if (value.length === SECRET_ACCESS_KEY_LENGTH && /^[A-Za-z0-9/+]+$/.test(value)) return undefined;
  const what =
    value.length !== SECRET_ACCESS_KEY_LENGTH
      ? `it has ${value.length} character${value.length === 1 ? "" : "s"}`
      : "it has characters outside A-Z, a-z, 0-9, / and +";
  return `this is not an AWS secret access key: ${what}, and a secret access key is ${SECRET_ACCESS_KEY_LENGTH} characters of A-Z, a-z, 0-9, / and +. Pipe only the key's secret (not the access key id AKIA..., not a password).`;
}

/** The partition and region of a KMS key or alias ARN, or undefined for a key id or alias name (those resolve in the caller's region). */
export function kmsKeyArnLocation(value: string): { partition: string; region: string } | undefined {
  const m = /^arn:(aws(?:-[a-z]+)*):kms:([a-z]{2}(?:-[a-z]+)+-\d+):/i.exec(value.trim());
  return m ? { partition: m[1].toLowerCase(), region: m[2].toLowerCase() } : undefined;
}

/**
 * Why a secret in `secretRegion` cannot use the KMS key `keyRef`, or undefined. Secrets
 * Manager encrypts with a key of the secret's own region (a multi-region key's replica there
 * included, named by its ARN in that region): a key ARN of another region fails CreateSecret and
 * PutSecretValue, so the SMTP password is never stored. The config validator and the policy
 * pack (aws-secretsmanager-secret-configure-kms-key-region) use this one rule.
 */
export function kmsKeyRegionProblem(keyRef: string, secretRegion: string): string | undefined {
  const where = kmsKeyArnLocation(keyRef);
  if (!where) return undefined;
  const region = secretRegion.trim().toLowerCase();
  if (where.region === region) return undefined;
  return `the KMS key ${shown(keyRef)} is in ${where.region}, but the secret is in ${region}: Secrets Manager encrypts only with a key of the secret's own region, so storing the secret fails. Use a key (or a multi-region key's replica) in ${region}.`;
}

/** The AWS-managed key of SNS, by alias name or alias ARN. */
const AWS_MANAGED_SNS_KEY = /^(arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/sns$/i;

/**
 * Why the SNS topics (the SES events topic of each SES region, the alerts topic of each
 * monitoring region) cannot be encrypted with `keyRef`, or undefined. The config validator and
 * the policy pack (aws-sns-topic-configure-customer-managed-key) use this one rule.
 * - The AWS-managed key aws/sns: its key policy cannot be edited, so SES, CloudWatch alarms and
 *   EventBridge, which publish as AWS services, cannot use it and their messages are dropped
 *   (docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * - A key or alias ARN names one region, and SNS encrypts with a key of the topic's region: with
 *   topics in other regions, name the key by an alias created in each region or by a
 *   multi-Region key id (mrk-…, the same id in every region it is replicated to).
 */
export function snsTopicKeyProblem(keyRef: string, topicRegions: readonly string[]): string | undefined {
  const invalid = validateKmsKeyId(keyRef);
  if (invalid) return invalid;
  // keyRef passed validateKmsKeyId, whose pattern has no room for surrounding spaces.
  if (AWS_MANAGED_SNS_KEY.test(keyRef)) {
    return (
      `${shown(keyRef)} is the AWS-managed key of SNS. Its key policy cannot be changed, so SES, CloudWatch alarms and EventBridge cannot use it: ` +
      "the bounce events and the alerts would be dropped. Use a customer-managed key whose policy lets those services use it (docs/monitoring.md, \"Encrypted topics\")."
    );
  }
  // An alias name, a key id or a multi-Region key id resolves in each topic's own region.
  const where = kmsKeyArnLocation(keyRef);
  if (!where) return undefined;
  const others = [...new Set(topicRegions.map((r) => r.trim().toLowerCase()))].filter((r) => r !== where.region);
  if (others.length > 0) {
    return (
      `the KMS key ${shown(keyRef)} is in ${where.region}, but the stack has SNS topics in ${others.join(", ")} too, and SNS encrypts only with a key of the topic's region. ` +
      "Name the key by an alias created in each of these regions (alias/mail-sns) or by a multi-Region key id (mrk-…) replicated to them."
    );
  }
  return undefined;
}

/**
 * A Route 53 hosted zone id as Route 53 writes them (Z and letters and digits, e.g.
 * Z1D633PJN98FT9): mail-infra:route53Zones takes one, or the zone's name, after a domain's "=".
 */
export function isRoute53ZoneId(value: string): boolean {
  return /^Z[A-Z0-9]{6,32}$/.test(value);
}
