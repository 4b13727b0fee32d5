import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SmtpConfig } from "../lib/config";
import { SES_SMTP_PORT, smtpEndpoint } from "../lib/regions";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { smtpGrant } from "../lib/iam";
import { ROLE_TAG, SMTP_CREDENTIALS_TYPE, SMTP_ROLE, SMTP_USER_PATH } from "../lib/names";
import { planKeys } from "../lib/rotation";
import { type ProtectedRole, protectionOptions } from "../lib/protection";

export interface SmtpCredentialsArgs {
  config: SmtpConfig;
  /** The account of the SES identities: the grant's region patterns name it (lib/iam.ts smtpGrant). */
  accountId: pulumi.Input<string>;
  /**
   * The identities and configuration sets of the SMTP regions, listed one by one only when the
   * config has no From address (lib/iam.ts smtpGrant); a thunk, so a stack with senders never
   * builds them.
   */
  resourceArns: () => pulumi.Input<string>[];
  tags?: Record<string, string>;
  /** mail-infra:protect: resource options from lib/protection. */
  protect: boolean;
  /** A KMS key known only as an output (an existing key a library user passes in): replaces `config.kmsKeyId`. */
  kmsKeyId?: pulumi.Input<string>;
  /** The senders' addresses (mail-infra:senders): an output, so the policy pack sees live relays. */
  senders?: readonly string[];
}

/**
 * The IAM user behind SES SMTP: least-privilege inline policy, the current access key and,
 * during a two-phase rotation, the previous one (lib/rotation.ts), per-region v4 passwords of
 * the current key derived in lib/, kept in one Secrets Manager secret.
 */
export class SmtpCredentials extends pulumi.ComponentResource {
  readonly user: aws.iam.User;
  /** The current key (generation N): the one in the secret. */
  readonly accessKey: aws.iam.AccessKey;
  /** Key N-1 while it is active or inactive; undefined at generation 1 and once retired. */
  readonly previousAccessKey: aws.iam.AccessKey | undefined;
  readonly secret: aws.secretsmanager.Secret;
  readonly secretVersion: aws.secretsmanager.SecretVersion;
  /** The secret's JSON value (username and passwords): always a Pulumi secret. */
  readonly secretValue: pulumi.Output<string>;
  /** The SMTP username: the access key id. Not a secret. */
  readonly username: pulumi.Output<string>;

  constructor(name: string, args: SmtpCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SMTP_CREDENTIALS_TYPE, name, {}, opts);
    const child = (role: ProtectedRole): pulumi.CustomResourceOptions => ({ parent: this, ...protectionOptions(role, args.protect) });
    const cfg = args.config;

    this.user = new aws.iam.User(
      `${name}-user`,
      { name: cfg.userName, path: SMTP_USER_PATH, forceDestroy: false, tags: { ...args.tags, [ROLE_TAG]: SMTP_ROLE } },
      child("smtp-user"),
    );

    new aws.iam.UserPolicy(
      `${name}-send-only`,
      {
        user: this.user.name,
        name: "ses-send-raw-email-only",
        // With From addresses: region patterns and the address list, one size for any number of
        // domains, and no wait on the identities' ARNs. Without: every ARN (lib/iam.ts smtpGrant).
        policy: pulumi
          .all([args.accountId, cfg.allowedFromAddresses.length > 0 ? [] : args.resourceArns()])
          .apply(([accountId, resourceArns]) => JSON.stringify(smtpGrant({ regions: cfg.regions, accountId, fromAddresses: cfg.allowedFromAddresses, resourceArns }))),
      },
      child("smtp-user-policy"),
    );

    // The generation is part of the resource name, so raising it creates key N+1 and keeps key
    // N under its own name (now as the previous key): nothing is replaced. The previous key
    // changes status in place, and is deleted only when it is no longer declared (retired).
    const keys = planKeys(cfg);
    const accessKey = (generation: number, status: "Active" | "Inactive"): aws.iam.AccessKey =>
      new aws.iam.AccessKey(`${name}-key-gen${generation}`, { user: this.user.name, status }, child("smtp-access-key"));
    this.accessKey = accessKey(keys.current.generation, keys.current.status);
    this.previousAccessKey = keys.previous ? accessKey(keys.previous.generation, keys.previous.status) : undefined;
    this.username = this.accessKey.id;

    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        region: cfg.secretRegion,
        name: cfg.secretName,
        description:
          "SES SMTP credentials managed by mail-infra: username (the access key id) and the v4 SMTP password per region. Rotate with mail-infra:smtpKeyGeneration.",
        recoveryWindowInDays: cfg.recoveryWindowDays,
        kmsKeyId: args.kmsKeyId ?? cfg.kmsKeyId,
        tags: args.tags,
      },
      child("smtp-secret"),
    );

    const secretKey = pulumi.secret(this.accessKey.secret);
    this.secretValue = pulumi.secret(
      pulumi.all([this.accessKey.id, secretKey]).apply(([id, key]) =>
        JSON.stringify({
          username: id,
          keyGeneration: cfg.keyGeneration,
          regions: Object.fromEntries(
            cfg.regions.map((region) => [
              region,
              { host: smtpEndpoint(region), port: SES_SMTP_PORT, password: deriveSmtpPasswordV4(key, region) },
            ]),
          ),
        }),
      ),
    );

    this.secretVersion = new aws.secretsmanager.SecretVersion(
      `${name}-secret-value`,
      { region: cfg.secretRegion, secretId: this.secret.id, secretString: this.secretValue },
      child("smtp-secret-version"),
    );

    this.registerOutputs({ username: this.username, secretArn: this.secret.arn, userArn: this.user.arn, senders: [...(args.senders ?? [])], allowedFromAddresses: [...cfg.allowedFromAddresses] });
  }
}
