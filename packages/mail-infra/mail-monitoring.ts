import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Monitoring } from "../../components/Monitoring";
import { PROJECT } from "../../lib/config";
import { configurationSetName } from "../../lib/names";
import { InvalidInputsError, type InputNames, plainIssues, type RawConfig, requiredIssues, validateInputs } from "./inputs";

/** The inputs of {@link MailMonitoring}. */
export interface MailMonitoringArgs {
  /** Addresses that receive the alerts by email; each must confirm the subscription mail once per region. */
  alertEmails: string[];
  /** The sending domains (each a MailDomain's `domain`) whose bounces and complaints are mailed as readable alerts. */
  domains: string[];
  /** The SES regions of those domains, primary first: the reputation alarms watch each. */
  regions: string[];
  /** The SMTP user whose IAM changes raise an alert, e.g. an SmtpRelay's `userName`. */
  smtpUserName: pulumi.Input<string>;
  /** The SMTP secret whose changes raise an alert: the SmtpRelay's `secretName` input (or its default). */
  smtpSecretName: string;
  /**
   * Bounce rate (with a % sign) at which the warning alarm fires. Below bounceRateAlarm.
   * @default "2%"
   */
  bounceRateWarning?: string;
  /**
   * Bounce rate at which the alarm fires; SES puts an account under review at 5%.
   * @default "5%"
   */
  bounceRateAlarm?: string;
  /**
   * Complaint rate at which the warning alarm fires. Below complaintRateAlarm.
   * @default "0.05%"
   */
  complaintRateWarning?: string;
  /**
   * Complaint rate at which the alarm fires; SES puts an account under review at 0.1%.
   * @default "0.1%"
   */
  complaintRateAlarm?: string;
  /**
   * Create a multi-region CloudTrail trail (management write events, its own encrypted bucket)
   * for the change alerts. Leave false when the account has a trail that logs management events.
   * @default false
   */
  createTrail?: boolean;
  /**
   * Protect the alerts topics and subscriptions.
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
  alertEmails: "alertEmails",
  domains: "domains",
  domain: "domains",
  regions: "regions",
  bounceRateWarning: "bounceRateWarning",
  bounceRateAlarm: "bounceRateAlarm",
  complaintRateWarning: "complaintRateWarning",
  complaintRateAlarm: "complaintRateAlarm",
  createTrail: "createTrail",
  protect: "protect",
};

/** The stack config that stands for `args`. */
export function mailMonitoringConfig(args: MailMonitoringArgs): RawConfig {
  const raw: RawConfig = {
    alertEmails: args.alertEmails,
    domains: args.domains,
    regions: args.regions,
    bounceRateWarning: args.bounceRateWarning,
    bounceRateAlarm: args.bounceRateAlarm,
    complaintRateWarning: args.complaintRateWarning,
    complaintRateAlarm: args.complaintRateAlarm,
    createTrail: args.createTrail,
    protect: args.protect,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

/**
 * Alerts for a sending setup: an alerts topic with an email subscription per address in each
 * region that needs one, the SES bounce and complaint rate alarms in each SES region, EventBridge
 * rules that turn SES, IAM and Secrets Manager changes and each bounce and complaint into a
 * readable message, and optionally a CloudTrail trail. Physical names start with the component
 * name. Declare it with `dependsOn` on the MailDomains: it adds an event destination to their
 * configuration sets.
 */
export class MailMonitoring extends pulumi.ComponentResource {
  /** The alerts topic ARN of each region that has one. */
  public readonly alertTopicArns: pulumi.Output<Record<string, string>>;
  /** The trail's ARN with `createTrail`, else empty. */
  public readonly trailArn: pulumi.Output<string>;

  constructor(name: string, args: MailMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mail-infra:index:MailMonitoring", name, {}, opts);
    const component = `MailMonitoring "${name}"`;
    const early = [
      ...requiredIssues({ ...args }, ["alertEmails", "domains", "regions", "smtpUserName", "smtpSecretName"]),
      ...plainIssues(component, { ...args }, ["alertEmails", "domains", "regions", "smtpSecretName", "bounceRateWarning", "bounceRateAlarm", "complaintRateWarning", "complaintRateAlarm", "createTrail", "protect", "tags"]),
    ];
    if (early.length > 0) throw new InvalidInputsError(component, early);
    const cfg = validateInputs(component, mailMonitoringConfig(args), NAMES);
    const monitoringCfg = cfg.monitoring;
    if (!monitoringCfg) throw new InvalidInputsError(component, [{ input: "alertEmails", message: "is required." }]);
    const regions = cfg.domains[0].regions.map((r) => r.region);

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const tags = { "managed-by": PROJECT, "mail-infra:stack": pulumi.getStack(), ...args.tags };
    const monitoring = new Monitoring(
      name,
      {
        stack: name,
        config: monitoringCfg,
        sesRegions: regions,
        smtpUserName: args.smtpUserName,
        secretName: args.smtpSecretName,
        secretRegion: regions[0],
        feedbackSources: cfg.domains.flatMap((d) =>
          d.regions.map((r) => ({ key: `${d.domain}-${r.region}`, region: r.region, name: configurationSetName(d.domain), configurationSetName: configurationSetName(d.domain) })),
        ),
        accountId,
        tags,
        protect: cfg.protect,
      },
      { parent: this },
    );

    this.alertTopicArns = pulumi.all(Object.fromEntries(Object.entries(monitoring.topics).map(([r, t]) => [r, t.arn])));
    this.trailArn = monitoring.trail ? monitoring.trail.arn : pulumi.output("");
    this.registerOutputs({ alertTopicArns: this.alertTopicArns, trailArn: this.trailArn });
  }
}
