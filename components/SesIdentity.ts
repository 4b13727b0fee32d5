import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DkimKeyLength, MailFromBehavior, TlsPolicy } from "../lib/config";
import {
  configurationSetName,
  EVENT_DESTINATION_NAME,
  eventTopicName,
  PUBLISHED_EVENT_TYPES,
  SES_IDENTITY_TYPE,
  SUPPRESSED_REASONS,
} from "../lib/names";
import { type ProtectedRole, protectionOptions } from "../lib/protection";

export interface SesIdentityArgs {
  domain: string;
  region: string;
  mailFromDomain: string;
  mailFromBehaviorOnMxFailure: MailFromBehavior;
  dkimSigningKeyLength: DkimKeyLength;
  tlsPolicy: TlsPolicy;
  /** The AWS account id, for the SNS topic policy that lets SES publish. */
  accountId: pulumi.Input<string>;
  tags?: Record<string, string>;
  /** mail-infra:protect: resource options from lib/protection. */
  protect: boolean;
  /**
   * What the MAIL FROM attributes wait for: the MAIL FROM domain's MX and SPF records, once
   * MailDomain has declared them (a promise, because the records are declared after the
   * identities whose DKIM tokens they need). So a new or moved MAIL FROM is switched only once
   * its records are published.
   */
  mailFromDependsOn?: Promise<pulumi.Resource[]>;
  /** mail-infra:snsKmsKeyId: the customer-managed key that encrypts the events topic (its key policy must let SES use it). */
  snsKmsKeyId?: pulumi.Input<string>;
}

/**
 * One SES v2 domain identity in one region: Easy DKIM, custom MAIL FROM, a configuration
 * set that is the identity's default, and an SNS event destination for feedback.
 */
export class SesIdentity extends pulumi.ComponentResource {
  readonly identity: aws.sesv2.EmailIdentity;
  readonly configurationSet: aws.sesv2.ConfigurationSet;
  readonly mailFrom: aws.sesv2.EmailIdentityMailFromAttributes;
  readonly topic: aws.sns.Topic;
  /** Lets SES publish this configuration set's events (and nothing else) to the topic. */
  readonly topicPolicy: aws.sns.TopicPolicy;
  readonly eventDestination: aws.sesv2.ConfigurationSetEventDestination;
  readonly dkimTokens: pulumi.Output<string[]>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SesIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SES_IDENTITY_TYPE, name, {}, opts);
    const child = (role: ProtectedRole): pulumi.CustomResourceOptions => ({ parent: this, ...protectionOptions(role, args.protect) });
    const { region } = args;

    this.configurationSet = new aws.sesv2.ConfigurationSet(
      `${name}-configuration-set`,
      {
        region,
        configurationSetName: configurationSetName(args.domain),
        deliveryOptions: { tlsPolicy: args.tlsPolicy },
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
        suppressionOptions: { suppressedReasons: [...SUPPRESSED_REASONS] },
        tags: args.tags,
      },
      child("configuration-set"),
    );

    this.identity = new aws.sesv2.EmailIdentity(
      `${name}-identity`,
      {
        region,
        emailIdentity: args.domain,
        configurationSetName: this.configurationSet.configurationSetName,
        dkimSigningAttributes: { nextSigningKeyLength: args.dkimSigningKeyLength },
        tags: args.tags,
      },
      child("identity"),
    );

    this.mailFrom = new aws.sesv2.EmailIdentityMailFromAttributes(
      `${name}-mail-from`,
      {
        region,
        emailIdentity: this.identity.emailIdentity,
        mailFromDomain: args.mailFromDomain,
        behaviorOnMxFailure: args.mailFromBehaviorOnMxFailure,
      },
      { ...child("mail-from-attributes"), ...(args.mailFromDependsOn ? { dependsOn: args.mailFromDependsOn } : {}) },
    );

    this.topic = new aws.sns.Topic(
      `${name}-events`,
      { region, name: eventTopicName(args.domain), tags: args.tags, ...(args.snsKmsKeyId ? { kmsMasterKeyId: args.snsKmsKeyId } : {}) },
      child("event-topic"),
    );

    // Only SES, only for this account and only for this configuration set (the confused-deputy
    // conditions: aws:SourceArn is the configuration set that publishes the events).
    this.topicPolicy = new aws.sns.TopicPolicy(
      `${name}-events-policy`,
      {
        region,
        arn: this.topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AllowSesPublish",
              Effect: "Allow",
              Principal: { Service: "ses.amazonaws.com" },
              Action: "sns:Publish",
              Resource: this.topic.arn,
              Condition: {
                StringEquals: { "aws:SourceAccount": args.accountId, "aws:SourceArn": this.configurationSet.arn },
              },
            },
          ],
        }),
      },
      child("event-topic-policy"),
    );

    this.eventDestination = new aws.sesv2.ConfigurationSetEventDestination(
      `${name}-event-destination`,
      {
        region,
        configurationSetName: this.configurationSet.configurationSetName,
        eventDestinationName: EVENT_DESTINATION_NAME,
        eventDestination: {
          enabled: true,
          matchingEventTypes: [...PUBLISHED_EVENT_TYPES],
          snsDestination: { topicArn: this.topic.arn },
        },
      },
      // SES checks that it may publish when the destination is created: the policy comes first.
      { ...child("event-destination"), dependsOn: [this.topicPolicy] },
    );

    this.dkimTokens = this.identity.dkimSigningAttributes.apply((a) => a?.tokens ?? []);
    this.arn = this.identity.arn;
    this.registerOutputs({ arn: this.arn, dkimTokens: this.dkimTokens });
  }
}
