import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SmtpConfig } from "../lib/config";
import { SES_SMTP_PORT, smtpEndpoint } from "../lib/regions";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { smtpSendPolicy } from "../lib/iam";
import { ROLE_TAG, SMTP_ROLE, SMTP_USER_PATH } from "../lib/names";

export interface SmtpCredentialsArgs {
  config: SmtpConfig;
  /** ARNs SendRawEmail may act on: every identity and configuration set of the stack. */
  resourceArns: pulumi.Input<string>[];
  tags?: Record<string, string>;
}

/**
 * The IAM user behind SES SMTP: least-privilege inline policy, one access key per
 * generation, per-region v4 passwords derived in lib/, all kept in one Secrets Manager secret.
 */
export class SmtpCredentials extends pulumi.ComponentResource {
  readonly user: aws.iam.User;
  readonly accessKey: aws.iam.AccessKey;
  readonly secret: aws.secretsmanager.Secret;
  readonly secretVersion: aws.secretsmanager.SecretVersion;
  /** The secret's JSON value (username and passwords): always a Pulumi secret. */
  readonly secretValue: pulumi.Output<string>;
  /** The SMTP username: the access key id. Not a secret. */
  readonly username: pulumi.Output<string>;

  constructor(name: string, args: SmtpCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mail-infra:iam:SmtpCredentials", name, {}, opts);
    const child = { parent: this };
    const cfg = args.config;

    this.user = new aws.iam.User(
      `${name}-user`,
      { name: cfg.userName, path: SMTP_USER_PATH, forceDestroy: true, tags: { ...args.tags, [ROLE_TAG]: SMTP_ROLE } },
      child,
    );

    new aws.iam.UserPolicy(
      `${name}-send-only`,
      {
        user: this.user.name,
        name: "ses-send-raw-email-only",
        policy: pulumi.all(args.resourceArns).apply((arns) => JSON.stringify(smtpSendPolicy(arns, cfg.allowedFromAddresses))),
      },
      child,
    );

    // The generation is part of the resource name: raising it makes Pulumi create the new
    // key (and the new secret version) first and delete the old key last.
    this.accessKey = new aws.iam.AccessKey(`${name}-key-gen${cfg.keyGeneration}`, { user: this.user.name }, child);
    this.username = this.accessKey.id;

    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        region: cfg.secretRegion,
        name: cfg.secretName,
        description:
          "SES SMTP credentials managed by mail-infra: username (the access key id) and the v4 SMTP password per region. Rotate with mail-infra:smtpKeyGeneration.",
        recoveryWindowInDays: cfg.recoveryWindowDays,
        kmsKeyId: cfg.kmsKeyId,
        tags: args.tags,
      },
      child,
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
      child,
    );

    this.registerOutputs({ username: this.username, secretArn: this.secret.arn, userArn: this.user.arn });
  }
}
