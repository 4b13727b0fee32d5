import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SmtpCredentials } from "../../components/SmtpCredentials";
import { PROJECT } from "../../lib/config";
import { sesArn } from "../../lib/iam";
import { configurationSetName } from "../../lib/names";
import { smtpEndpoint, SES_SMTP_PORT } from "../../lib/regions";
import { InvalidInputsError, type InputNames, plainIssues, type RawConfig, requiredIssues, validateInputs } from "./inputs";

/** A mail client or relay that sends through SES with the SMTP credentials. */
export interface SmtpSender {
  /** The From address it sends as, at one of `domains`. */
  address: string;
  /** `gmail-send-as` (a Gmail "Send mail as" alias) or `smtp-client`. */
  kind: string;
  /** For `gmail-send-as`: the Gmail account that owns the alias. */
  account?: string;
  /** The SES region whose SMTP endpoint it relays through; one of `regions`. */
  region: string;
}

/** The inputs of {@link SmtpRelay}. */
export interface SmtpRelayArgs {
  /** The sending domains (each a MailDomain's `domain`) the SMTP user may send through. */
  domains: string[];
  /** The SES regions of those domains, primary first; the secret is kept in the primary. */
  regions: string[];
  /**
   * The senders that relay with these credentials. The user is granted SendRawEmail only as
   * their addresses and only in their regions (plus `allowedFromAddresses` and `smtpRegions`).
   * A relay needs at least one sender or one `allowedFromAddresses` entry: credentials that may
   * send as any address are not made (a leaked password would send as anyone of the domains).
   * @default []
   */
  senders?: SmtpSender[];
  /**
   * From addresses the user may send as besides the senders'. `*@<domain>` is refused, for the
   * reason above; the stack program allows it only with `mail-infra:smtpCredentials: any-address`.
   * @default []
   */
  allowedFromAddresses?: string[];
  /**
   * Email-address identities verified on their own under one of the domains (`admin@example.com`):
   * SES authorises a send against such an identity rather than its domain, so the grant names it too.
   * @default []
   */
  addressIdentities?: string[];
  /**
   * Regions to allow sending in and derive passwords for, besides the senders' regions. Each must be in `regions`.
   * @default [] (only the senders' regions; with no senders, every region)
   */
  smtpRegions?: string[];
  /**
   * The IAM user's name (path `/mail/`).
   * @default "mail-infra-smtp-<name>"
   */
  userName?: string;
  /**
   * Access key generation N: key N is the one the secret holds. Raise it by one to rotate; key
   * N-1 stays until `previousKey` retires it.
   * @default 1
   */
  keyGeneration?: number;
  /**
   * While keyGeneration > 1, the state of key N-1: `active`, `inactive` or `retired`. Go active,
   * then inactive, then retired; rotate again only once it is retired.
   * @default "active" when keyGeneration > 1
   */
  previousKey?: string;
  /**
   * The Secrets Manager secret's name.
   * @default "mail-infra/<name>/ses-smtp"
   */
  secretName?: string;
  /**
   * Days a deleted secret can be restored: 7-30, or 0 to delete at once.
   * @default 30
   */
  secretRecoveryWindowDays?: number;
  /**
   * An existing customer-managed KMS key (id, ARN or alias) that encrypts the secret, e.g.
   * `key.arn` of an `aws.kms.Key`; in the primary region.
   * @default the AWS-managed key aws/secretsmanager
   */
  secretKmsKeyId?: pulumi.Input<string>;
  /**
   * Protect the user, its keys' policy and the secret (see MailDomainArgs.protect).
   * @default true
   */
  protect?: boolean;
  /**
   * Tags added to every taggable resource.
   * @default {}
   */
  tags?: Record<string, string>;
}

const NAMES: InputNames = {
  domains: "domains",
  domain: "domains",
  regions: "regions",
  senders: "senders",
  smtpAllowedFromAddresses: "allowedFromAddresses",
  smtpAddressIdentities: "addressIdentities",
  smtpRegions: "smtpRegions",
  smtpUserName: "userName",
  smtpKeyGeneration: "keyGeneration",
  smtpPreviousKey: "previousKey",
  smtpSecretName: "secretName",
  smtpSecretRecoveryWindowDays: "secretRecoveryWindowDays",
  smtpSecretKmsKeyId: "secretKmsKeyId",
  protect: "protect",
};

/** A sender as the stack's `senders` config entry (lib/config.ts parseSender reads it back). */
export function senderEntry(s: SmtpSender): string {
  return [`address=${s.address}`, `kind=${s.kind}`, ...(s.account !== undefined ? [`account=${s.account}`] : []), `region=${s.region}`].join("; ");
}

/** The stack config that stands for `args` under the component name `name`. */
export function smtpRelayConfig(name: string, args: SmtpRelayArgs): RawConfig {
  const raw: RawConfig = {
    domains: args.domains,
    regions: args.regions,
    senders: args.senders?.map(senderEntry),
    smtpAllowedFromAddresses: args.allowedFromAddresses,
    smtpAddressIdentities: args.addressIdentities,
    smtpRegions: args.smtpRegions,
    smtpUserName: args.userName ?? `${PROJECT}-smtp-${name}`,
    smtpKeyGeneration: args.keyGeneration,
    smtpPreviousKey: args.previousKey,
    smtpSecretName: args.secretName ?? `${PROJECT}/${name}/ses-smtp`,
    smtpSecretRecoveryWindowDays: args.secretRecoveryWindowDays,
    smtpSecretKmsKeyId: typeof args.secretKmsKeyId === "string" ? args.secretKmsKeyId : undefined,
    protect: args.protect,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

/**
 * SES SMTP credentials: an IAM user whose only permission is `ses:SendRawEmail` on the domains'
 * identities and configuration sets (narrowed to the senders' From addresses and regions), the
 * current access key and, during a two-phase rotation, the previous one, and one Secrets Manager
 * secret holding the username and the SMTP password of each region (SES v4 derivation).
 *
 * Not guarded here: the stack also refuses a key change that skips a rotation phase, by
 * comparing with its own last deployment (docs/component.md, "Use the stack or the component").
 */
export class SmtpRelay extends pulumi.ComponentResource {
  /** The SMTP username: the current access key id. Not a secret. */
  public readonly username: pulumi.Output<string>;
  /** The IAM user's name. */
  public readonly userName: pulumi.Output<string>;
  public readonly userArn: pulumi.Output<string>;
  /** The secret that holds the SMTP passwords. */
  public readonly secretArn: pulumi.Output<string>;
  public readonly secretName: pulumi.Output<string>;
  /** The SMTP endpoint (port 587, STARTTLS) of each region a password is derived for. */
  public readonly smtpEndpoints: pulumi.Output<Record<string, string>>;
  /** The SMTP port: 587 (STARTTLS). */
  public readonly port: pulumi.Output<number>;

  constructor(name: string, args: SmtpRelayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mail-infra:index:SmtpRelay", name, {}, opts);
    const component = `SmtpRelay "${name}"`;
    const early = [
      ...requiredIssues({ ...args }, ["domains", "regions"]),
      ...plainIssues(component, { ...args }, ["domains", "regions", "senders", "allowedFromAddresses", "addressIdentities", "smtpRegions", "userName", "keyGeneration", "previousKey", "secretName", "secretRecoveryWindowDays", "protect", "tags"]),
    ];
    if (early.length > 0) throw new InvalidInputsError(component, early);
    const cfg = validateInputs(component, smtpRelayConfig(name, args), NAMES);
    const smtp = cfg.smtp;
    // The stack's rule (lib/smtp-credentials.ts): credentials only for named senders or From
    // addresses, so a leaked password cannot send as anyone of the domains.
    if (!smtp) {
      throw new InvalidInputsError(component, [
        { input: "senders", message: "names no sender, and allowedFromAddresses no address: an SMTP relay needs at least one address it may send as." },
      ]);
    }

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const tags = { "managed-by": PROJECT, "mail-infra:stack": pulumi.getStack(), ...args.tags };
    // The grant: the same ARNs the stack names (MailStack.ts), built from the names lib/ gives them.
    const resourceArns = () => [
      ...cfg.domains.flatMap((d) =>
        smtp.regions
          .filter((r) => d.regions.some((x) => x.region === r))
          .flatMap((r) => [accountId.apply((id) => sesArn(r, id, "identity", d.domain)), accountId.apply((id) => sesArn(r, id, "configuration-set", configurationSetName(d.domain)))]),
      ),
      ...smtp.addressIdentities.flatMap((a) => smtp.regions.map((r) => accountId.apply((id) => sesArn(r, id, "identity", a)))),
    ];
    const kms = args.secretKmsKeyId !== undefined && typeof args.secretKmsKeyId !== "string" ? args.secretKmsKeyId : undefined;
    const credentials = new SmtpCredentials(name, { config: smtp, accountId, resourceArns, tags, protect: cfg.protect, ...(kms ? { kmsKeyId: kms } : {}) }, { parent: this });

    this.username = credentials.username;
    this.userName = credentials.user.name;
    this.userArn = credentials.user.arn;
    this.secretArn = credentials.secret.arn;
    this.secretName = credentials.secret.name;
    this.smtpEndpoints = pulumi.output(Object.fromEntries(smtp.regions.map((r) => [r, smtpEndpoint(r)])));
    this.port = pulumi.output(SES_SMTP_PORT);
    this.registerOutputs({
      username: this.username,
      userName: this.userName,
      userArn: this.userArn,
      secretArn: this.secretArn,
      secretName: this.secretName,
      smtpEndpoints: this.smtpEndpoints,
      port: this.port,
    });
  }
}
