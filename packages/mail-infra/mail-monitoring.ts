import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Monitoring } from "../../components/Monitoring";
import { PROJECT } from "../../lib/config";
import { alertsTopicArnProblem, existingTopicProblems, monitoringRegions } from "../../lib/monitoring";
import { configurationSetName } from "../../lib/names";
import { type InputIssue, InvalidInputsError, type InputNames, mapEntryName, plainIssues, type RawConfig, requiredIssues, validateInputs } from "./inputs";

/** The inputs of {@link MailMonitoring}. */
export interface MailMonitoringArgs {
  /**
   * Addresses that receive the alerts by email; each must confirm the subscription mail once per
   * region. They are subscribed to the topics this component creates, so they are required unless
   * every region's alerts go to an existing topic (`alertTopicArns`), and refused then.
   * @default []
   */
  alertEmails?: string[];
  /**
   * Existing SNS topics that receive the alerts instead of topics this component creates, by
   * region (`{"us-east-1": topic.arn}`). The regions with alerts are the SES regions, us-east-1
   * (IAM's events) and the primary region (the secret's); each needs a standard topic of its own
   * region. A region not listed gets a created topic with the `alertEmails` subscriptions. On an
   * existing topic nothing is declared: add the statements of `alertTopicPolicies[region]` to its
   * policy (or CloudWatch and EventBridge cannot publish, and the alerts are dropped), let
   * CloudWatch and EventBridge use its KMS key if it has one, and subscribe whom you want.
   * @default {} (every region gets a created topic)
   */
  alertTopicArns?: Record<string, pulumi.Input<string>>;
  /**
   * A customer-managed KMS key that encrypts the alerts topics this component creates: an alias
   * (`alias/mail-sns`, created in each region), a multi-Region key id (`mrk-…`), or with a single
   * region a key id or ARN. Its key policy must let CloudWatch and EventBridge use it
   * (docs/monitoring.md, "Encrypted topics"), or their alerts are dropped.
   * @default none: the topics are not encrypted with a customer-managed key
   */
  snsKmsKeyId?: pulumi.Input<string>;
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
  snsKmsKeyId: "snsKmsKeyId",
};

/**
 * validateConfig declares monitoring only for alert addresses (the stack has no existing topics).
 * When every region's alerts go to an existing topic, the thresholds and the trail switch are
 * validated under this stand-in address, which is dropped before anything is declared.
 */
const STAND_IN_ALERT_EMAIL = "alerts@example.com";

/** The existing topics given, by region (an entry without a value, e.g. a Python None, gives none). */
function givenTopics(args: MailMonitoringArgs): Record<string, pulumi.Input<string>> {
  return Object.fromEntries(Object.entries(args.alertTopicArns ?? {}).filter(([, arn]) => arn !== undefined && arn !== null));
}

/** The stack config that stands for `args`. */
export function mailMonitoringConfig(args: MailMonitoringArgs): RawConfig {
  const alertEmails = args.alertEmails ?? [];
  const raw: RawConfig = {
    alertEmails: alertEmails.length === 0 && Object.keys(givenTopics(args)).length > 0 ? [STAND_IN_ALERT_EMAIL] : alertEmails,
    domains: args.domains,
    regions: args.regions,
    bounceRateWarning: args.bounceRateWarning,
    bounceRateAlarm: args.bounceRateAlarm,
    complaintRateWarning: args.complaintRateWarning,
    complaintRateAlarm: args.complaintRateAlarm,
    createTrail: args.createTrail,
    protect: args.protect,
    snsKmsKeyId: typeof args.snsKmsKeyId === "string" ? args.snsKmsKeyId : undefined,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

/** What is wrong with `alertTopicArns` and `alertEmails` together (lib/monitoring.ts rules), under the inputs' names. */
function alertTopicIssues(args: MailMonitoringArgs, sesRegions: readonly string[] | undefined): InputIssue[] {
  const topics = givenTopics(args);
  const regions = Object.keys(topics);
  const entry = mapEntryName("alertTopicArns", regions);
  const name = (region: string) => entry(regions.indexOf(region));
  const issues: InputIssue[] = [];
  for (const region of regions) {
    const arn = topics[region];
    const problem = typeof arn === "string" ? alertsTopicArnProblem(arn, region) : undefined;
    if (problem) issues.push({ input: name(region), message: problem });
  }
  // Which regions have alerts is known once regions are valid.
  if (sesRegions) {
    const plan = monitoringRegions(sesRegions, sesRegions[0]);
    const hasKey = args.snsKmsKeyId !== undefined && args.snsKmsKeyId !== "";
    for (const p of existingTopicProblems(plan, regions, (args.alertEmails ?? []).length, hasKey)) {
      issues.push({ input: p.region !== undefined ? name(p.region) : p.input, message: p.message });
    }
  }
  return issues;
}

/**
 * Alerts for a sending setup: an alerts topic with an email subscription per address in each
 * region that needs one (or an existing topic of yours, `alertTopicArns`), the SES bounce and
 * complaint rate alarms in each SES region, EventBridge rules that turn SES, IAM and Secrets
 * Manager changes and each bounce and complaint into a readable message, and optionally a
 * CloudTrail trail. Physical names start with the component name. Declare it with `dependsOn`
 * on the MailDomains: it adds an event destination to their configuration sets.
 */
export class MailMonitoring extends pulumi.ComponentResource {
  /** The alerts topic ARN of each region that has alerts: the created topic's, or the one given in `alertTopicArns`. */
  public readonly alertTopicArns: pulumi.Output<Record<string, string>>;
  /**
   * The topic policy (JSON) each region's alerts topic needs: this account's alarms (CloudWatch)
   * and rules (EventBridge) of this component, and only they, may publish. Declared on the
   * topics this component creates; add its statements to the policy of each topic given in
   * `alertTopicArns` (e.g. `aws.iam.getPolicyDocumentOutput({ sourcePolicyDocuments: [...] })`).
   */
  public readonly alertTopicPolicies: pulumi.Output<Record<string, string>>;
  /** The trail's ARN with `createTrail`, else empty. */
  public readonly trailArn: pulumi.Output<string>;

  constructor(name: string, args: MailMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mail-infra:index:MailMonitoring", name, {}, opts);
    const component = `MailMonitoring "${name}"`;
    const early = [
      ...requiredIssues({ ...args }, ["domains", "regions", "smtpUserName", "smtpSecretName"]),
      ...plainIssues(component, { ...args }, ["alertEmails", "domains", "regions", "smtpSecretName", "bounceRateWarning", "bounceRateAlarm", "complaintRateWarning", "complaintRateAlarm", "createTrail", "protect", "tags"]),
      // The map's regions decide which topics are created; its values (the ARNs) may be Outputs.
      ...(pulumi.Output.isInstance(args.alertTopicArns)
        ? [{ input: "alertTopicArns", message: "is one Output: its regions decide which topics MailMonitoring creates, so give a map whose keys are plain regions (each ARN may be an Output)." }]
        : []),
    ];
    if (early.length > 0) throw new InvalidInputsError(component, early);
    let validated: ReturnType<typeof validateInputs> | undefined;
    const issues: InputIssue[] = [];
    try {
      validated = validateInputs(component, mailMonitoringConfig(args), NAMES);
    } catch (e) {
      if (!(e instanceof InvalidInputsError)) throw e;
      issues.push(...e.issues);
    }
    issues.push(...alertTopicIssues(args, validated?.domains[0].regions.map((r) => r.region)));
    if (issues.length > 0 || !validated) throw new InvalidInputsError(component, issues);
    const cfg = validated;
    const validatedMonitoring = cfg.monitoring;
    if (!validatedMonitoring) throw new InvalidInputsError(component, [{ input: "alertEmails", message: "is required." }]);
    // The stand-in address (mailMonitoringConfig) never reaches a subscription.
    const monitoringCfg = { ...validatedMonitoring, alertEmails: (args.alertEmails ?? []).length > 0 ? validatedMonitoring.alertEmails : [] };
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
        existingTopicArns: givenTopics(args),
        ...(args.snsKmsKeyId !== undefined && args.snsKmsKeyId !== "" ? { snsKmsKeyId: args.snsKmsKeyId } : {}),
      },
      { parent: this },
    );

    this.alertTopicArns = pulumi.all(monitoring.topicArns);
    this.alertTopicPolicies = pulumi.all(monitoring.topicPolicies);
    this.trailArn = monitoring.trail ? monitoring.trail.arn : pulumi.output("");
    this.registerOutputs({ alertTopicArns: this.alertTopicArns, alertTopicPolicies: this.alertTopicPolicies, trailArn: this.trailArn });
  }
}
