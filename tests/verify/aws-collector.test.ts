/**
 * The AWS collector (scripts/verify/aws.ts) in-process: what each SDK answer becomes, page by
 * page, and what each failure becomes. The SDK's clients are faked with aws-sdk-client-mock,
 * answers shaped as the API references give them (SES v2, IAM, STS, Secrets Manager, Route 53,
 * SNS); the expected values are written out here from those shapes, not read from the code.
 * The real SDK middleware (retries over HTTP, timeouts) runs in tests/verify/faults.test.ts and
 * against moto in tests/adopt/route53-pages.test.ts; the retry strategy and the endpoint rule
 * on their own are here, where mutation testing can run them.
 */
import { GetAccessKeyLastUsedCommand, GetPolicyCommand, GetPolicyVersionCommand, GetUserCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand, ListUsersCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  GetSuppressedDestinationCommand,
  ListEmailIdentitiesCommand,
  type MailFromAttributes,
  SESv2Client,
} from "@aws-sdk/client-sesv2";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { NO_AWS_CREDENTIALS } from "../../lib/verify/findings";
import { AwsCollector, budgetRetryStrategy, classifyAwsError, endpointOverride, loadAwsSdks } from "../../scripts/verify/aws";
import { DEADLINE_NEEDS } from "../../scripts/verify/limit";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ses = mockClient(SESv2Client);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const secrets = mockClient(SecretsManagerClient);
const route53 = mockClient(Route53Client);
const sns = mockClient(SNSClient);

/** An SDK service error as the SDK throws it: its name, message and HTTP metadata. */
const sdkError = (name: string, message: string, status?: number, attempts?: number) => Object.assign(new Error(message), { name, $metadata: { ...(status ? { httpStatusCode: status } : {}), ...(attempts ? { attempts } : {}) } });

const ENDPOINT_VARS = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SESV2", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] as const;
const savedEnv = Object.fromEntries(ENDPOINT_VARS.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  for (const k of ENDPOINT_VARS) delete process.env[k];
  await loadAwsSdks();
});

const collectors: AwsCollector[] = [];
const collector = (o: Partial<ConstructorParameters<typeof AwsCollector>[0]> = {}): AwsCollector => {
  const c = new AwsCollector({ timeoutMs: 2_000, ...o });
  collectors.push(c);
  return c;
};

afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
  // Every request went out with the call's abort signal (so the budget and the deadline end it).
  for (const m of [ses, iam, sts, secrets, route53, sns]) for (const c of m.calls()) expect(((c.args as unknown[])[1] as { abortSignal?: unknown } | undefined)?.abortSignal).toBeInstanceOf(AbortSignal);
  for (const m of [ses, iam, sts, secrets, route53, sns]) m.reset();
  for (const k of ENDPOINT_VARS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

describe("SES v2 reads", () => {
  it("GetAccount: sending, production access, the quota and the account's suppression reasons", async () => {
    ses.on(GetAccountCommand).resolves({
      SendingEnabled: true,
      ProductionAccessEnabled: true,
      EnforcementStatus: "HEALTHY",
      SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 120 },
      SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    const aws = collector();
    expect(await aws.account("eu-west-1")).toEqual({
      ok: true,
      value: { sendingEnabled: true, productionAccessEnabled: true, enforcementStatus: "HEALTHY", max24HourSend: 50_000, sentLast24Hours: 120, suppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    // Asked in the region given, once per run.
    expect(await ses.call(0).thisValue.config.region()).toBe("eu-west-1");
    await aws.account("eu-west-1");
    expect(ses.commandCalls(GetAccountCommand)).toHaveLength(1);
    expect(aws.calls).toBe(1);
  });

  it("GetAccount with every optional field left out: not enabled, no production access, no reasons", async () => {
    ses.on(GetAccountCommand).resolves({});
    expect(await collector().account("us-east-1")).toEqual({
      ok: true,
      value: { sendingEnabled: false, productionAccessEnabled: false, enforcementStatus: undefined, max24HourSend: undefined, sentLast24Hours: undefined, suppressedReasons: [] },
    });
  });

  it("each region is its own call, with a client made in that region and kept", async () => {
    ses.on(GetAccountCommand).resolves({ SendingEnabled: true });
    const aws = collector();
    await aws.account("us-east-1");
    await aws.account("eu-west-1");
    expect(ses.commandCalls(GetAccountCommand)).toHaveLength(2);
    expect(aws.calls).toBe(2);
    expect(aws.ses("eu-west-1")).toBe(aws.ses("eu-west-1"));
    expect(aws.ses("us-east-1")).not.toBe(aws.ses("eu-west-1"));
    expect(await aws.ses("eu-west-1").config.region()).toBe("eu-west-1");
  });

  it("ListEmailIdentities: every page, 1000 at a time, continuing from NextToken", async () => {
    ses
      .on(ListEmailIdentitiesCommand)
      .resolvesOnce({ EmailIdentities: [{ IdentityName: "example.com", IdentityType: "DOMAIN" }, { IdentityName: "ops@example.com", IdentityType: "EMAIL_ADDRESS" }], NextToken: "page-2" })
      .resolvesOnce({ EmailIdentities: [{ IdentityName: "example.org", IdentityType: "DOMAIN" }, {}] })
      .resolves({ EmailIdentities: [{ IdentityName: "read-too-far.example", IdentityType: "DOMAIN" }] });
    expect(await collector().emailIdentities("us-east-1")).toEqual({
      ok: true,
      value: [
        { name: "example.com", type: "DOMAIN" },
        { name: "ops@example.com", type: "EMAIL_ADDRESS" },
        { name: "example.org", type: "DOMAIN" },
        { name: "", type: "" },
      ],
    });
    const inputs = ses.commandCalls(ListEmailIdentitiesCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([{ PageSize: 1000 }, { PageSize: 1000, NextToken: "page-2" }]);
  });

  it("ListEmailIdentities of a region without identities: an empty list", async () => {
    ses.on(ListEmailIdentitiesCommand).resolves({});
    expect(await collector().emailIdentities("us-east-1")).toEqual({ ok: true, value: [] });
  });

  it("GetEmailIdentity: verification, DKIM and the MAIL FROM domain, read field by field", async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: "example.com" }).resolves({
      IdentityType: "DOMAIN",
      VerifiedForSendingStatus: true,
      VerificationStatus: "SUCCESS",
      DkimAttributes: { SigningEnabled: true, Status: "SUCCESS", Tokens: ["tok1", "tok2", "tok3"], SigningAttributesOrigin: "AWS_SES", SigningHostedZone: "dkim.amazonses.com", CurrentSigningKeyLength: "RSA_2048_BIT", NextSigningKeyLength: "RSA_2048_BIT" },
      MailFromAttributes: { MailFromDomain: "bounce.example.com", MailFromDomainStatus: "SUCCESS", BehaviorOnMxFailure: "REJECT_MESSAGE" },
      ConfigurationSetName: "mail",
    });
    // An answer without the MAIL FROM domain or its status (the SDK types them as always there).
    ses.on(GetEmailIdentityCommand, { EmailIdentity: "example.org" }).resolves({ MailFromAttributes: { BehaviorOnMxFailure: "USE_DEFAULT_VALUE" } as MailFromAttributes });
    ses.on(GetEmailIdentityCommand, { EmailIdentity: "example.net" }).resolves({});
    const aws = collector();
    expect(await aws.identity("us-east-1", "example.com")).toEqual({
      ok: true,
      value: {
        verifiedForSending: true,
        verificationStatus: "SUCCESS",
        dkim: { signingEnabled: true, status: "SUCCESS", tokens: ["tok1", "tok2", "tok3"], signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: "RSA_2048_BIT", nextSigningKeyLength: "RSA_2048_BIT" },
        mailFrom: { domain: "bounce.example.com", status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" },
        configurationSetName: "mail",
      },
    });
    expect(await aws.identity("us-east-1", "example.org")).toMatchObject({ ok: true, value: { mailFrom: { domain: "", status: undefined, behaviorOnMxFailure: "USE_DEFAULT_VALUE" } } });
    expect(await aws.identity("us-east-1", "example.net")).toEqual({
      ok: true,
      value: {
        verifiedForSending: false,
        verificationStatus: undefined,
        dkim: { signingEnabled: false, status: undefined, tokens: [], signingHostedZone: undefined, currentSigningKeyLength: undefined, nextSigningKeyLength: undefined },
        mailFrom: undefined,
        configurationSetName: undefined,
      },
    });
    // Three identities, three calls; asking one again is no new call.
    await aws.identity("us-east-1", "example.com");
    expect(ses.commandCalls(GetEmailIdentityCommand)).toHaveLength(3);
  });

  it("GetConfigurationSet and its event destinations: one state, each destination's target by kind", async () => {
    ses.on(GetConfigurationSetCommand, { ConfigurationSetName: "mail" }).resolves({
      ConfigurationSetName: "mail",
      DeliveryOptions: { TlsPolicy: "REQUIRE" },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    ses.on(GetConfigurationSetEventDestinationsCommand, { ConfigurationSetName: "mail" }).resolves({
      EventDestinations: [
        { Name: "to-sns", Enabled: true, MatchingEventTypes: ["BOUNCE", "COMPLAINT"], SnsDestination: { TopicArn: "arn:aws:sns:us-east-1:123456789012:mail-events" } },
        { Name: "to-cloudwatch", Enabled: false, MatchingEventTypes: ["SEND"], CloudWatchDestination: { DimensionConfigurations: [] } },
        { Name: "to-firehose", Enabled: true, MatchingEventTypes: ["DELIVERY"], KinesisFirehoseDestination: { IamRoleArn: "arn:aws:iam::123456789012:role/r", DeliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/s" } },
        { Name: "to-eventbridge", Enabled: true, MatchingEventTypes: ["REJECT"], EventBridgeDestination: { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/default" } },
        { MatchingEventTypes: undefined } as never,
      ],
    });
    expect(await collector().configurationSet("us-east-1", "mail")).toEqual({
      ok: true,
      value: {
        tlsPolicy: "REQUIRE",
        reputationMetricsEnabled: true,
        sendingEnabled: true,
        suppressedReasons: ["BOUNCE", "COMPLAINT"],
        eventDestinations: [
          { name: "to-sns", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], target: "arn:aws:sns:us-east-1:123456789012:mail-events" },
          { name: "to-cloudwatch", enabled: false, matchingEventTypes: ["SEND"], target: "CloudWatch" },
          { name: "to-firehose", enabled: true, matchingEventTypes: ["DELIVERY"], target: "arn:aws:firehose:us-east-1:123456789012:deliverystream/s" },
          { name: "to-eventbridge", enabled: true, matchingEventTypes: ["REJECT"], target: "arn:aws:events:us-east-1:123456789012:event-bus/default" },
          { name: "?", enabled: false, matchingEventTypes: [], target: undefined },
        ],
      },
    });
  });

  it("a configuration set without options or destinations: nothing set, no destinations", async () => {
    ses.on(GetConfigurationSetCommand).resolves({ ConfigurationSetName: "bare" });
    ses.on(GetConfigurationSetEventDestinationsCommand).resolves({});
    expect(await collector().configurationSet("us-east-1", "bare")).toEqual({
      ok: true,
      value: { tlsPolicy: undefined, reputationMetricsEnabled: undefined, sendingEnabled: undefined, suppressedReasons: undefined, eventDestinations: [] },
    });
  });

  it("a configuration set that cannot be read, or whose destinations cannot: that failure, naming its own permission", async () => {
    ses.on(GetConfigurationSetCommand, { ConfigurationSetName: "gone" }).rejects(sdkError("NotFoundException", "Configuration set <gone> does not exist.", 404));
    ses.on(GetConfigurationSetEventDestinationsCommand, { ConfigurationSetName: "gone" }).resolves({});
    ses.on(GetConfigurationSetCommand, { ConfigurationSetName: "hidden" }).resolves({ ConfigurationSetName: "hidden" });
    ses.on(GetConfigurationSetEventDestinationsCommand, { ConfigurationSetName: "hidden" }).rejects(sdkError("AccessDeniedException", "not authorized", 403));
    const aws = collector();
    expect(await aws.configurationSet("us-east-1", "gone")).toEqual({ ok: false, reason: "notfound", message: "NotFoundException: Configuration set <gone> does not exist." });
    expect(await aws.configurationSet("us-east-1", "hidden")).toEqual({
      ok: false,
      reason: "denied",
      message: "AccessDeniedException: not authorized",
      needs: "Grant ses:GetConfigurationSetEventDestinations to the credentials verify runs with (or use credentials that have it).",
    });
  });

  it("GetSuppressedDestination: the reason and when; an address asked in another case is the same question", async () => {
    ses.on(GetSuppressedDestinationCommand).resolves({ SuppressedDestination: { EmailAddress: "bob@example.com", Reason: "BOUNCE", LastUpdateTime: new Date("2026-11-30T08:15:00Z") } });
    const aws = collector();
    expect(await aws.suppressed("us-east-1", "Bob@Example.com")).toEqual({ ok: true, value: { reason: "BOUNCE", lastUpdateTime: "2026-11-30T08:15:00.000Z" } });
    await aws.suppressed("us-east-1", "bob@example.com");
    expect(ses.commandCalls(GetSuppressedDestinationCommand).map((c) => c.args[0].input)).toEqual([{ EmailAddress: "Bob@Example.com" }]);
    ses.on(GetSuppressedDestinationCommand).resolves({});
    expect(await aws.suppressed("us-east-1", "carol@example.com")).toEqual({ ok: true, value: { reason: "?", lastUpdateTime: undefined } });
  });
});

describe("Secrets Manager, IAM and STS reads", () => {
  it("GetSecretValue: the string; a binary-only secret is an error naming the permission; the region's client is kept", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: "mail/smtp" }).resolves({ Name: "mail/smtp", SecretString: '{"username":"AKIA"}' });
    secrets.on(GetSecretValueCommand, { SecretId: "mail/binary" }).resolves({ Name: "mail/binary", SecretBinary: new Uint8Array([1, 2]) });
    const aws = collector();
    expect(await aws.secretValue("eu-west-1", "mail/smtp")).toEqual({ ok: true, value: '{"username":"AKIA"}' });
    expect(await aws.secretValue("eu-west-1", "mail/binary")).toEqual({
      ok: false,
      reason: "error",
      message: "NoSecretString: the secret has no string value",
      needs:
        "The call behind secretsmanager:GetSecretValue (and kms:Decrypt on its key) failed with an answer verify could not use, so nothing was concluded from it: re-run, and if it persists check that endpoint and secretsmanager:GetSecretValue (and kms:Decrypt on its key) by hand.",
    });
    expect(aws.secrets("eu-west-1")).toBe(aws.secrets("eu-west-1"));
    expect(aws.secrets("us-east-1")).not.toBe(aws.secrets("eu-west-1"));
    expect(await aws.secrets("eu-west-1").config.region()).toBe("eu-west-1");
  });

  it("DescribeSecret: the ARN and name, and the deletion date when one is scheduled", async () => {
    secrets.on(DescribeSecretCommand, { SecretId: "mail/smtp" }).resolves({ ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail/smtp-AbCdEf", Name: "mail/smtp" });
    secrets.on(DescribeSecretCommand, { SecretId: "mail/old" }).resolves({ ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail/old-XyZ123", Name: "mail/old", DeletedDate: new Date("2026-12-01T00:00:00Z") });
    secrets.on(DescribeSecretCommand, { SecretId: "mail/bare" }).resolves({});
    const aws = collector();
    expect(await aws.secretMetadata("us-east-1", "mail/smtp")).toEqual({ ok: true, value: { arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail/smtp-AbCdEf", name: "mail/smtp" } });
    expect(await aws.secretMetadata("us-east-1", "mail/old")).toEqual({ ok: true, value: { arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail/old-XyZ123", name: "mail/old", deletedDate: "2026-12-01T00:00:00.000Z" } });
    expect(await aws.secretMetadata("us-east-1", "mail/bare")).toEqual({ ok: true, value: { arn: "?", name: "mail/bare" } });
  });

  it("ListAccessKeys: each key's id, status and creation time", async () => {
    iam.on(ListAccessKeysCommand, { UserName: "mail-smtp" }).resolves({
      AccessKeyMetadata: [
        { UserName: "mail-smtp", AccessKeyId: "AKIAEXAMPLECURRENT01", Status: "Active", CreateDate: new Date("2026-10-01T12:00:00Z") },
        { UserName: "mail-smtp", AccessKeyId: "AKIAEXAMPLEPREVIOUS1", Status: "Inactive" },
        {},
      ],
      IsTruncated: false,
    });
    iam.on(ListAccessKeysCommand, { UserName: "nobody" }).resolves({});
    const aws = collector();
    expect(await aws.accessKeys("mail-smtp")).toEqual({
      ok: true,
      value: [
        { id: "AKIAEXAMPLECURRENT01", status: "Active", createDate: "2026-10-01T12:00:00.000Z" },
        { id: "AKIAEXAMPLEPREVIOUS1", status: "Inactive", createDate: undefined },
        { id: "?", status: "?", createDate: undefined },
      ],
    });
    expect(await aws.accessKeys("nobody")).toEqual({ ok: true, value: [] });
  });

  it("GetAccessKeyLastUsed: IAM's 'N/A' for a key never used means no service and no region", async () => {
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: "AKIAEXAMPLECURRENT01" }).resolves({ UserName: "mail-smtp", AccessKeyLastUsed: { LastUsedDate: new Date("2026-12-06T23:00:00Z"), ServiceName: "ses", Region: "eu-west-1" } });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: "AKIAEXAMPLENEVERUSED" }).resolves({ UserName: "mail-smtp", AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: "AKIAEXAMPLEEMPTYANS1" }).resolves({});
    const aws = collector();
    expect(await aws.keyLastUsed("AKIAEXAMPLECURRENT01")).toEqual({ ok: true, value: { userName: "mail-smtp", lastUsedDate: "2026-12-06T23:00:00.000Z", serviceName: "ses", region: "eu-west-1" } });
    expect(await aws.keyLastUsed("AKIAEXAMPLENEVERUSED")).toEqual({ ok: true, value: { userName: "mail-smtp", lastUsedDate: undefined, serviceName: undefined, region: undefined } });
    expect(await aws.keyLastUsed("AKIAEXAMPLEEMPTYANS1")).toEqual({ ok: true, value: { userName: undefined, lastUsedDate: undefined, serviceName: undefined, region: undefined } });
  });

  it("GetUser: the user's ARN", async () => {
    iam.on(GetUserCommand, { UserName: "mail-smtp" }).resolves({ User: { UserName: "mail-smtp", UserId: "AIDAEXAMPLE", Path: "/", Arn: "arn:aws:iam::123456789012:user/mail-smtp", CreateDate: new Date(0) } });
    iam.on(GetUserCommand, { UserName: "odd" }).resolves({});
    const aws = collector();
    expect(await aws.userArn("mail-smtp")).toEqual({ ok: true, value: "arn:aws:iam::123456789012:user/mail-smtp" });
    expect(await aws.userArn("odd")).toEqual({ ok: true, value: "?" });
  });

  it("ListUsers: every page, continuing from Marker while IsTruncated", async () => {
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [{ UserName: "a", Arn: "arn:aws:iam::123456789012:user/a", Path: "/", UserId: "1", CreateDate: new Date(0) }], IsTruncated: true, Marker: "m1" })
      .resolvesOnce({ Users: [{ UserName: "b", Arn: "arn:aws:iam::123456789012:user/ses/b", Path: "/ses/", UserId: "2", CreateDate: new Date(0) }, {} as never], IsTruncated: true, Marker: "m2" })
      .resolvesOnce({ IsTruncated: false, Marker: "ignored" })
      .resolves({ Users: [{ UserName: "read-too-far", Arn: "x", Path: "/", UserId: "3", CreateDate: new Date(0) }] });
    expect(await collector().users()).toEqual({
      ok: true,
      value: [
        { userName: "a", arn: "arn:aws:iam::123456789012:user/a", path: "/" },
        { userName: "b", arn: "arn:aws:iam::123456789012:user/ses/b", path: "/ses/" },
        { userName: "?", arn: "?", path: "/" },
      ],
    });
    expect(iam.commandCalls(ListUsersCommand).map((c) => c.args[0].input)).toEqual([{}, { Marker: "m1" }, { Marker: "m2" }]);
  });

  it("ListUsers: a truncated page without a Marker ends the listing (no endless first page)", async () => {
    iam.on(ListUsersCommand).resolves({ Users: [{ UserName: "a", Arn: "arn:aws:iam::123456789012:user/a", Path: "/", UserId: "1", CreateDate: new Date(0) }], IsTruncated: true });
    expect(await collector().users()).toEqual({ ok: true, value: [{ userName: "a", arn: "arn:aws:iam::123456789012:user/a", path: "/" }] });
    expect(iam.commandCalls(ListUsersCommand)).toHaveLength(1);
  });

  it("a user's policies: inline ones by name, attached ones at their default version, URL-decoded (IAM returns documents URL-encoded)", async () => {
    const doc = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
    iam.on(ListUserPoliciesCommand, { UserName: "mail-smtp" }).resolves({ PolicyNames: ["send", "read"] });
    iam.on(GetUserPolicyCommand, { UserName: "mail-smtp", PolicyName: "send" }).resolves({ UserName: "mail-smtp", PolicyName: "send", PolicyDocument: encodeURIComponent(doc("ses:SendRawEmail")) });
    iam.on(GetUserPolicyCommand, { UserName: "mail-smtp", PolicyName: "read" }).resolves({ UserName: "mail-smtp", PolicyName: "read" });
    iam.on(ListAttachedUserPoliciesCommand, { UserName: "mail-smtp" }).resolves({
      AttachedPolicies: [{ PolicyName: "no-arn" }, { PolicyName: "SesFull", PolicyArn: "arn:aws:iam::aws:policy/AmazonSESFullAccess" }, { PolicyName: "versionless", PolicyArn: "arn:aws:iam::123456789012:policy/versionless" }, { PolicyName: "empty", PolicyArn: "arn:aws:iam::123456789012:policy/empty" }],
    });
    iam.on(GetPolicyCommand, { PolicyArn: "arn:aws:iam::aws:policy/AmazonSESFullAccess" }).resolves({ Policy: { DefaultVersionId: "v7" } });
    iam.on(GetPolicyCommand, { PolicyArn: "arn:aws:iam::123456789012:policy/versionless" }).resolves({ Policy: {} });
    iam.on(GetPolicyCommand, { PolicyArn: "arn:aws:iam::123456789012:policy/empty" }).resolves({ Policy: { DefaultVersionId: "v1" } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: "arn:aws:iam::aws:policy/AmazonSESFullAccess", VersionId: "v7" }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc("ses:*")), VersionId: "v7", IsDefaultVersion: true } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: "arn:aws:iam::123456789012:policy/empty", VersionId: "v1" }).resolves({});
    expect(await collector().userPolicies("mail-smtp")).toEqual({
      ok: true,
      value: [
        { source: "inline send", document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*"}]}' },
        { source: "inline read", document: "{}" },
        { source: "attached arn:aws:iam::aws:policy/AmazonSESFullAccess", document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:*","Resource":"*"}]}' },
        { source: "attached arn:aws:iam::123456789012:policy/empty", document: "{}" },
      ],
    });
    expect(iam.commandCalls(GetPolicyCommand)).toHaveLength(3);
    expect(iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(2);
  });

  it("a user without policies: none", async () => {
    iam.on(ListUserPoliciesCommand).resolves({});
    iam.on(ListAttachedUserPoliciesCommand).resolves({});
    expect(await collector().userPolicies("bare")).toEqual({ ok: true, value: [] });
  });

  it("GetCallerIdentity: the account", async () => {
    sts.on(GetCallerIdentityCommand).resolvesOnce({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/me", UserId: "AIDA" }).resolves({});
    const aws = collector();
    expect(await aws.callerAccount()).toEqual({ ok: true, value: "123456789012" });
    expect(await collector().callerAccount()).toEqual({ ok: true, value: "?" });
    expect(aws.sts()).toBe(aws.sts());
  });

  it("IAM and STS are global: their clients are in us-east-1, one each; the simulator's makes 2 attempts, the others 5 or --max-attempts", async () => {
    const aws = collector();
    expect(aws.iam()).toBe(aws.iam());
    expect(aws.simulation()).toBe(aws.simulation());
    expect(aws.simulation()).not.toBe(aws.iam());
    expect(aws.route53()).toBe(aws.route53());
    for (const c of [aws.iam(), aws.simulation(), aws.sts(), aws.route53()]) expect(await c.config.region()).toBe("us-east-1");
    expect(await aws.iam().config.maxAttempts()).toBe(5);
    expect(await aws.ses("us-east-1").config.maxAttempts()).toBe(5);
    expect(await aws.simulation().config.maxAttempts()).toBe(2);
    expect(await collector({ maxAttempts: 1 }).iam().config.maxAttempts()).toBe(1);
  });
});

describe("IAM policy simulation", () => {
  const ARN = "arn:aws:iam::123456789012:user/mail-smtp";
  const IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com";
  const OTHER = "arn:aws:ses:us-east-1:123456789012:identity/example.org";

  it("asks about ses:SendRawEmail on the ARNs, with the request's context keys as strings", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: "ses:SendRawEmail", EvalResourceName: IDENTITY, EvalDecision: "allowed", MatchedStatements: [{ SourcePolicyId: "send" }] }] });
    const aws = collector();
    const r = await aws.simulateSend(ARN, [IDENTITY], [{ key: "ses:FromAddress", values: ["admin@example.com"] }]);
    expect(r).toEqual({ ok: true, value: { decision: "allowed", deniedResources: [], matchedPolicies: ["send"], missingContext: [] } });
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { PolicySourceArn: ARN, ActionNames: ["ses:SendRawEmail"], ResourceArns: [IDENTITY], ContextEntries: [{ ContextKeyName: "ses:FromAddress", ContextKeyValues: ["admin@example.com"], ContextKeyType: "string" }] },
    ]);
    // Without context, no ContextEntries; another context or other ARNs are other questions.
    await aws.simulateSend(ARN, [IDENTITY]);
    await aws.simulateSend(ARN, [IDENTITY], [{ key: "ses:FromAddress", values: ["other@example.com"] }]);
    await aws.simulateSend(ARN, [IDENTITY], [{ key: "ses:FromAddress", values: ["admin@example.com", "other@example.com"] }]);
    await aws.simulateSend(ARN, [IDENTITY, OTHER], [{ key: "ses:FromAddress", values: ["admin@example.com"] }]);
    await aws.simulateSend(ARN, [IDENTITY], [{ key: "ses:FromAddress", values: ["admin@example.com"] }]);
    const inputs = iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(5);
    expect(inputs[1]).toEqual({ PolicySourceArn: ARN, ActionNames: ["ses:SendRawEmail"], ResourceArns: [IDENTITY] });
    // The simulation has its own client (2 attempts), not the IAM reads' one.
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand).every((c) => c.thisValue === aws.simulation())).toBe(true);
  });

  it("the memo tells context values and keys apart", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: "ses:SendRawEmail", EvalResourceName: IDENTITY, EvalDecision: "allowed" }] });
    const aws = collector();
    await aws.simulateSend(ARN, [IDENTITY], [{ key: "ses:FromAddress", values: ["a@example.com", "b@example.com"] }]);
    await aws.simulateSend(ARN, [IDENTITY], [{ key: "ses:FromAddress", values: ["a@example.com"] }, { key: "b@example.com", values: [] }]);
    await aws.simulateSend(ARN, [`${IDENTITY},${OTHER}`]);
    await aws.simulateSend(ARN, [IDENTITY, OTHER]);
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(3);
  });

  it("an explicit deny anywhere decides; the policies are those of the deciding results; missing context from results and resource results, once each", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: IDENTITY, EvalDecision: "allowed", MatchedStatements: [{ SourcePolicyId: "send" }], MissingContextValues: ["ses:FromAddress"] },
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: OTHER, EvalDecision: "implicitDeny", MatchedStatements: [], MissingContextValues: [] },
        { EvalActionName: "ses:SendRawEmail", EvalDecision: "explicitDeny", MatchedStatements: [{ SourcePolicyId: "deny-all" }, { SourcePolicyId: "deny-all" }, {}], ResourceSpecificResults: [{ EvalResourceName: "*", EvalResourceDecision: "explicitDeny", MissingContextValues: ["aws:SourceIp", "ses:FromAddress"] }, { EvalResourceName: "*", EvalResourceDecision: "explicitDeny" }] },
      ],
    });
    expect(await collector().simulateSend(ARN, [IDENTITY, OTHER, "*"])).toEqual({
      ok: true,
      value: { decision: "explicitDeny", deniedResources: [OTHER, "*"], matchedPolicies: ["deny-all"], missingContext: ["ses:FromAddress", "aws:SourceIp"] },
    });
  });

  it("denied without an explicit deny is an implicit deny: the policies of the denied results only", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: IDENTITY, EvalDecision: "allowed", MatchedStatements: [{ SourcePolicyId: "send" }] },
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: OTHER, EvalDecision: "implicitDeny", MatchedStatements: [{ SourcePolicyId: "boundary" }] },
      ],
    });
    expect(await collector().simulateSend(ARN, [IDENTITY, OTHER])).toEqual({ ok: true, value: { decision: "implicitDeny", deniedResources: [OTHER], matchedPolicies: ["boundary"], missingContext: [] } });
  });

  it("allowed everywhere: the policies of every result, once each", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: IDENTITY, EvalDecision: "allowed", MatchedStatements: [{ SourcePolicyId: "send" }] },
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: OTHER, EvalDecision: "allowed", MatchedStatements: [{ SourcePolicyId: "send" }, { SourcePolicyId: "extra" }] },
      ],
    });
    expect(await collector().simulateSend(ARN, [IDENTITY, OTHER])).toEqual({ ok: true, value: { decision: "allowed", deniedResources: [], matchedPolicies: ["send", "extra"], missingContext: [] } });
  });

  it("no result at all is not an answer: an error naming the simulation", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolvesOnce({ EvaluationResults: [] }).resolves({});
    const aws = collector();
    const expected = {
      ok: false,
      reason: "error",
      message: "EmptySimulation: the simulation returned no result",
      needs: "The call behind iam:SimulatePrincipalPolicy failed with an answer verify could not use, so nothing was concluded from it: re-run, and if it persists check that endpoint and iam:SimulatePrincipalPolicy by hand.",
    };
    expect(await aws.simulateSend(ARN, [IDENTITY])).toEqual(expected);
    expect(await aws.simulateSend(ARN, [OTHER])).toEqual(expected);
  });
});

describe("Route 53 and SNS reads (adopt)", () => {
  it("ListHostedZonesByName: the zones named exactly so (public and private), ids without the /hostedzone/ prefix", async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [
        { Id: "/hostedzone/Z0PUBLIC", Name: "example.com.", CallerReference: "a", Config: { PrivateZone: false } },
        { Id: "/hostedzone/Z0PRIVATE", Name: "Example.COM.", CallerReference: "b", Config: { PrivateZone: true } },
        { Id: "/hostedzone/Z0NOCONFIG", Name: "example.com", CallerReference: "c" },
        { Id: "/hostedzone/Z0NEXT", Name: "example.net.", CallerReference: "d" },
        { Id: "/hostedzone/Z0SUB", Name: "sub.example.com.", CallerReference: "e" },
      ],
      IsTruncated: true,
      MaxItems: 100,
    });
    expect(await collector().hostedZonesNamed("Example.com.")).toEqual({
      ok: true,
      value: [
        { id: "Z0PUBLIC", name: "example.com", private: false },
        { id: "Z0PRIVATE", name: "example.com", private: true },
        { id: "Z0NOCONFIG", name: "example.com", private: false },
      ],
    });
    expect(route53.commandCalls(ListHostedZonesByNameCommand).map((c) => c.args[0].input)).toEqual([{ DNSName: "example.com", MaxItems: 100 }]);
  });

  it("ListHostedZonesByName: no zones; a zone without name or id is not the one asked for", async () => {
    route53.on(ListHostedZonesByNameCommand, { DNSName: "none.example" }).resolves({});
    route53.on(ListHostedZonesByNameCommand, { DNSName: "odd.example" }).resolves({ HostedZones: [{ CallerReference: "x" } as never] });
    const aws = collector();
    expect(await aws.hostedZonesNamed("none.example")).toEqual({ ok: true, value: [] });
    expect(await aws.hostedZonesNamed("odd.example")).toEqual({ ok: true, value: [] });
  });

  it("ListResourceRecordSets: every page from NextRecordName/Type/Identifier; names unescaped (\\052 is *), lowercased, without the dot", async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: "Example.com.", Type: "MX", TTL: 300, ResourceRecords: [{ Value: "10 inbound-smtp.us-east-1.amazonaws.com" }] },
          { Name: "\\052.example.com.", Type: "A", AliasTarget: { HostedZoneId: "Z2FDTNDATAQYW2", DNSName: "d111111abcdef8.cloudfront.net.", EvaluateTargetHealth: false } },
        ],
        IsTruncated: true,
        NextRecordName: "mail.example.com.",
        NextRecordType: "TXT",
        NextRecordIdentifier: "eu",
        MaxItems: 2,
      })
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: "mail.example.com.", Type: "TXT", TTL: 0, SetIdentifier: "eu", ResourceRecords: [{ Value: '"v=spf1 include:amazonses.com -all"' }, {} as { Value: string }] },
          { Name: "_dmarc.example.com.", Type: "TXT", TTL: 60, ResourceRecords: [{ Value: '"v=DMARC1; p=reject"' }] },
        ],
        IsTruncated: true,
        NextRecordName: "www.example.com.",
        MaxItems: 2,
      })
      .resolvesOnce({ ResourceRecordSets: [{} as never], IsTruncated: false })
      .resolves({ ResourceRecordSets: [{ Name: "read-too-far.example.com.", Type: "A", TTL: 1, ResourceRecords: [] }] });
    expect(await collector().recordSets("Z0PUBLIC")).toEqual({
      ok: true,
      value: [
        { name: "example.com", type: "MX", ttl: 300, values: ["10 inbound-smtp.us-east-1.amazonaws.com"], alias: false },
        { name: "*.example.com", type: "A", values: [], alias: true },
        { name: "mail.example.com", type: "TXT", ttl: 0, values: ['"v=spf1 include:amazonses.com -all"', ""], setIdentifier: "eu", alias: false },
        { name: "_dmarc.example.com", type: "TXT", ttl: 60, values: ['"v=DMARC1; p=reject"'], alias: false },
        { name: "", type: "?", values: [], alias: false },
      ],
    });
    expect(route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
      { HostedZoneId: "Z0PUBLIC" },
      { HostedZoneId: "Z0PUBLIC", StartRecordName: "mail.example.com.", StartRecordType: "TXT", StartRecordIdentifier: "eu" },
      { HostedZoneId: "Z0PUBLIC", StartRecordName: "www.example.com." },
    ]);
  });

  it("SNS GetTopicAttributes: the topic's ARN, through the region's one SNS client", async () => {
    sns.on(GetTopicAttributesCommand).resolvesOnce({ Attributes: { TopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts", DisplayName: "alerts" } }).resolves({});
    const aws = collector();
    expect(await aws.topic("eu-west-1", "arn:aws:sns:eu-west-1:123456789012:alerts")).toEqual({ ok: true, value: { arn: "arn:aws:sns:eu-west-1:123456789012:alerts" } });
    expect(await aws.topic("eu-west-1", "arn:aws:sns:eu-west-1:123456789012:other")).toEqual({ ok: true, value: { arn: "arn:aws:sns:eu-west-1:123456789012:other" } });
    const clients = sns.calls().map((c) => c.thisValue);
    expect(clients[0]).toBe(clients[1]);
    expect(aws.client("SNS", "eu-west-1", () => new SNSClient({}))).toBe(clients[0]);
    expect(await (clients[0] as SNSClient).config.region()).toBe("eu-west-1");
  });
});

describe("AwsCollector.call: failures as observations", () => {
  it("a failure names the endpoint override in effect (not for not-found); the cause stays that of the bare failure", async () => {
    process.env.AWS_ENDPOINT_URL_SESV2 = "http://127.0.0.1:4566";
    ses.on(GetAccountCommand).rejects(sdkError("AccessDeniedException", "User is not authorized to perform ses:GetAccount", 403));
    ses.on(GetEmailIdentityCommand).rejects(sdkError("NotFoundException", "Email identity <x.example> does not exist.", 404));
    const aws = collector();
    expect(await aws.account("us-east-1")).toEqual({
      ok: false,
      reason: "denied",
      message: "AccessDeniedException: User is not authorized to perform ses:GetAccount (contacted http://127.0.0.1:4566 from AWS_ENDPOINT_URL_SESV2)",
      needs: "Grant ses:GetAccount to the credentials verify runs with (or use credentials that have it).",
      cause: { key: "denied: AccessDeniedException: User is not authorized to perform ses:GetAccount" },
    });
    expect(await aws.identity("us-east-1", "x.example")).toEqual({ ok: false, reason: "notfound", message: "NotFoundException: Email identity <x.example> does not exist." });
  });

  it("without an override the failure is the bare classification", async () => {
    iam.on(GetUserCommand).rejects(sdkError("NoSuchEntityException", "The user with name ghost cannot be found.", 404));
    iam.on(ListAccessKeysCommand).rejects(sdkError("ServiceUnavailable", "Service Unavailable", 503));
    const aws = collector();
    expect(await aws.userArn("ghost")).toEqual({ ok: false, reason: "notfound", message: "NoSuchEntityException: The user with name ghost cannot be found." });
    expect(await aws.accessKeys("ghost")).toEqual({
      ok: false,
      reason: "error",
      message: "ServiceUnavailable (HTTP 503): Service Unavailable",
      needs: "The call behind iam:ListAccessKeys failed with an answer verify could not use, so nothing was concluded from it: re-run, and if it persists check that endpoint and iam:ListAccessKeys by hand.",
    });
  });

  it("no credentials: nothing was sent, so no endpoint is named even with an override", async () => {
    process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:4566";
    sts.on(GetCallerIdentityCommand).rejects(sdkError("CredentialsProviderError", "Could not load credentials from any providers"));
    expect(await collector().callerAccount()).toEqual({
      ok: false,
      reason: "denied",
      message: "CredentialsProviderError: Could not load credentials from any providers",
      needs: "No AWS credentials were found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run where a role is available.",
      cause: NO_AWS_CREDENTIALS,
    });
  });

  it("an HTTP timeout says how many attempts of how long (the permission's first word names the call), and the override", async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = "http://127.0.0.1:4566";
    secrets.on(GetSecretValueCommand, { SecretId: "a" }).rejects(sdkError("TimeoutError", "Connection timed out after 1500 ms", undefined, 3));
    secrets.on(GetSecretValueCommand, { SecretId: "b" }).rejects(sdkError("TimeoutError", "socket hang up", undefined, 1));
    secrets.on(GetSecretValueCommand, { SecretId: "c" }).rejects(sdkError("TimeoutError", "socket hang up"));
    const aws = collector({ timeoutMs: 1_500 });
    const needs = "The AWS endpoint did not answer in time: check the network path or raise --timeout.";
    const note = " (contacted http://127.0.0.1:4566 from AWS_ENDPOINT_URL_SECRETS_MANAGER)";
    expect(await aws.secretValue("us-east-1", "a")).toEqual({ ok: false, reason: "timeout", message: `secretsmanager:GetSecretValue: no answer in 3 attempts of 1.5 s each${note}`, needs, cause: { key: "timeout: secretsmanager:GetSecretValue: no answer in 3 attempts of 1.5 s each" } });
    expect(await aws.secretValue("us-east-1", "b")).toEqual({ ok: false, reason: "timeout", message: `secretsmanager:GetSecretValue: no answer within 1.5 s${note}`, needs, cause: { key: "timeout: secretsmanager:GetSecretValue: no answer within 1.5 s" } });
    expect(await aws.secretValue("us-east-1", "c")).toMatchObject({ message: `secretsmanager:GetSecretValue: no answer within 1.5 s${note}` });
  });

  it("a call that never ends is cut at its budget (3 x the timeout) with its abort signal fired", async () => {
    let signal: AbortSignal | undefined;
    ses.on(GetAccountCommand).callsFake(() => new Promise(() => undefined));
    const aws = collector({ timeoutMs: 40 });
    const sent = aws.call("SESV2", "ses:us-east-1", "hang", "ses:GetAccount", async (abortSignal, sdk) => {
      signal = abortSignal;
      return aws.ses("us-east-1").send(new sdk.GetAccountCommand({}), { abortSignal });
    });
    expect(aws.budgetMs).toBe(120);
    expect(await sent).toEqual({
      ok: false,
      reason: "timeout",
      message: "ses:GetAccount: no answer within 120 ms (the call's budget, 3 x --timeout)",
      needs: "The AWS endpoint did not answer in time: check the network path or AWS_ENDPOINT_URL, or raise --timeout.",
    });
    expect(signal?.aborted).toBe(true);
  });

  it("after the run's deadline no call is made: each says the deadline was reached", async () => {
    ses.on(GetAccountCommand).resolves({ SendingEnabled: true });
    const aws = collector({ timeoutMs: 2_000, deadline: { ms: 20_000, signal: AbortSignal.abort() } });
    expect(await aws.account("us-east-1")).toEqual({ ok: false, reason: "timeout", message: "deadline reached: verify stops after 20 s (10 x --timeout) and ses:GetAccount had not answered", needs: DEADLINE_NEEDS });
    expect(ses.commandCalls(GetAccountCommand)).toHaveLength(0);
    expect(aws.calls).toBe(1);
  });

  it("calls to one service and region wait for a free slot (concurrency), other services do not", async () => {
    const releases: (() => void)[] = [];
    ses.on(GetEmailIdentityCommand).callsFake(() => new Promise((resolve) => releases.push(() => resolve({ VerifiedForSendingStatus: true }))));
    iam.on(GetUserCommand).resolves({ User: { Arn: "arn:aws:iam::123456789012:user/u", UserName: "u", UserId: "1", Path: "/", CreateDate: new Date(0) } });
    const aws = collector({ concurrency: 1 });
    const first = aws.identity("us-east-1", "a.example");
    const second = aws.identity("us-east-1", "b.example");
    const elsewhere = aws.identity("eu-west-1", "c.example");
    await expect(aws.userArn("u")).resolves.toMatchObject({ ok: true });
    await waitFor(() => releases.length === 2);
    expect(ses.commandCalls(GetEmailIdentityCommand).map((c) => c.args[0].input.EmailIdentity)).toEqual(["a.example", "c.example"]);
    releases.shift()?.();
    await first;
    await waitFor(() => releases.length === 2);
    expect(ses.commandCalls(GetEmailIdentityCommand).map((c) => c.args[0].input.EmailIdentity)).toEqual(["a.example", "c.example", "b.example"]);
    for (const r of releases.splice(0)) r();
    await Promise.all([second, elsewhere]);
  });
});

/** Wait (a few event-loop turns at most) until `ok()` holds. */
async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(ok()).toBe(true);
}

/** The error the SDK hands its retry strategy. */
type RetryError = NonNullable<Parameters<ReturnType<typeof budgetRetryStrategy>["refreshRetryTokenForRetry"]>[1]["error"]>;

describe("the AWS retry budget and endpoint (limit.ts's bounds on their own: tests/verify/limit.test.ts)", () => {
  it("the retry strategy retries throttling and 5xx while the budget affords another attempt, never a client error", async () => {
    const error: RetryError = Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: {}, cause: undefined });
    const roomy = budgetRetryStrategy(10, 60_000, 5);
    let token = await roomy.acquireInitialRetryToken("");
    expect(token.getRetryCount()).toBe(0);
    expect(token.getRetryDelay()).toBe(0);
    for (let i = 1; i < 5; i++) {
      token = await roomy.refreshRetryTokenForRetry(token, { errorType: "THROTTLING", error });
      expect(token.getRetryCount()).toBe(i);
      expect(token.getRetryDelay()).toBeLessThan(500 * 2 ** i);
    }
    await expect(roomy.refreshRetryTokenForRetry(token, { errorType: "THROTTLING", error })).rejects.toBe(error); // the 5th attempt was the last
    await expect(roomy.refreshRetryTokenForRetry(await roomy.acquireInitialRetryToken(""), { errorType: "CLIENT_ERROR", error })).rejects.toBe(error);
    expect((await roomy.refreshRetryTokenForRetry(await roomy.acquireInitialRetryToken(""), { errorType: "SERVER_ERROR", error })).getRetryCount()).toBe(1);
    // Without the SDK's error: one saying how many attempts were made.
    await expect(roomy.refreshRetryTokenForRetry(await roomy.acquireInitialRetryToken(""), { errorType: "CLIENT_ERROR" })).rejects.toThrow("gave up after 1 attempts");
    expect(roomy.recordSuccess(token)).toBeUndefined();
    // A budget that cannot hold another full attempt: the real error, at once.
    const tight = budgetRetryStrategy(1_000, 1_500, 5);
    await expect(tight.refreshRetryTokenForRetry(await tight.acquireInitialRetryToken(""), { errorType: "TRANSIENT", error })).resolves.toBeDefined();
    const spent = budgetRetryStrategy(1_000, 999, 5);
    await expect(spent.refreshRetryTokenForRetry(await spent.acquireInitialRetryToken(""), { errorType: "TRANSIENT", error })).rejects.toBe(error);
  });

  it("the backoff: full jitter below 100 ms x 2^n (500 ms for throttling), at most 20 s", async () => {
    const error: RetryError = Object.assign(new Error("x"), { name: "X", $metadata: {}, cause: undefined });
    const s = budgetRetryStrategy(1, 10_000_000, 100);
    const delays = async (errorType: "THROTTLING" | "SERVER_ERROR", n: number): Promise<number> => {
      let worst = 0;
      for (let k = 0; k < 200; k++) {
        let t = await s.acquireInitialRetryToken("");
        for (let i = 0; i < n; i++) t = await s.refreshRetryTokenForRetry(t, { errorType, error });
        worst = Math.max(worst, t.getRetryDelay());
      }
      return worst;
    };
    const firstServer = await delays("SERVER_ERROR", 1);
    expect(firstServer).toBeLessThan(200);
    expect(firstServer).toBeGreaterThanOrEqual(100); // 200 draws below 200 ms: one at least above 100 (p > 1 - 2^-200)
    const firstThrottle = await delays("THROTTLING", 1);
    expect(firstThrottle).toBeLessThan(1000);
    expect(firstThrottle).toBeGreaterThanOrEqual(500);
    expect(await delays("THROTTLING", 8)).toBeLessThan(20_000);
    expect(await delays("THROTTLING", 8)).toBeGreaterThanOrEqual(10_000);
  });

  it("a retry is refused once the time spent, the backoff and another attempt pass the budget", async () => {
    const error: RetryError = Object.assign(new Error("x"), { name: "X", $metadata: {}, cause: undefined });
    // attempt 1 s, budget 1 s: the first retry fits only with no backoff at all (0 <= delay < 200).
    const s = budgetRetryStrategy(1_000, 1_000, 5);
    let allowed = 0;
    for (let k = 0; k < 50; k++) {
      try {
        await s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken(""), { errorType: "SERVER_ERROR", error });
        allowed += 1;
      } catch {
        // refused
      }
    }
    expect(allowed).toBeLessThan(50);
  });

  it("endpointOverride reads the endpoint as the SDK does: the service's variable, then the global one, none when told to ignore them", () => {
    expect(endpointOverride("SESV2", {})).toBeUndefined();
    expect(endpointOverride("SESV2", { AWS_ENDPOINT_URL: "http://127.0.0.1:1" })).toBe("http://127.0.0.1:1 from AWS_ENDPOINT_URL");
    expect(endpointOverride("SESV2", { AWS_ENDPOINT_URL: "  http://127.0.0.1:1  " })).toBe("http://127.0.0.1:1 from AWS_ENDPOINT_URL");
    expect(endpointOverride("SESV2", { AWS_ENDPOINT_URL_SESV2: " ", AWS_ENDPOINT_URL: "http://127.0.0.1:1" })).toBe("http://127.0.0.1:1 from AWS_ENDPOINT_URL");
    expect(endpointOverride("SECRETS_MANAGER", { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://127.0.0.1:2" })).toBe("http://127.0.0.1:2 from AWS_ENDPOINT_URL_SECRETS_MANAGER");
    expect(endpointOverride("IAM", { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })).toBeUndefined();
    expect(endpointOverride("IAM", { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "TRUE" })).toBeUndefined();
    expect(endpointOverride("IAM", { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false" })).toBe("http://127.0.0.1:1 from AWS_ENDPOINT_URL");
  });
});

describe("classifyAwsError: the kinds read from the name, the code and the HTTP status", () => {
  it("throttling, unreachable and timeout, each with what to do", () => {
    expect(classifyAwsError(sdkError("ThrottlingException", "Rate exceeded", 400), "ses:GetAccount")).toEqual({ ok: false, reason: "throttled", message: "ThrottlingException after retries", needs: "AWS kept throttling: re-run later or with fewer domains at once." });
    // The code alone says it (the message does not).
    expect(classifyAwsError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "ses:GetAccount")).toEqual({ ok: false, reason: "unreachable", message: "Error: socket hang up", needs: "The AWS endpoint is unreachable from here: check the network path or AWS_ENDPOINT_URL." });
    expect(classifyAwsError(Object.assign(new Error("request ended early"), { code: "ETIMEDOUT" }), "ses:GetAccount")).toEqual({ ok: false, reason: "timeout", message: "Error: request ended early", needs: "The AWS endpoint did not answer in time: check the network path or raise --timeout." });
  });

  it("not found by name (any status) or by HTTP 404 (any name)", () => {
    expect(classifyAwsError(sdkError("ResourceNotFoundException", "Rule mail-x does not exist.", 400), "events:DescribeRule")).toEqual({ ok: false, reason: "notfound", message: "ResourceNotFoundException: Rule mail-x does not exist." });
    expect(classifyAwsError(sdkError("UnknownError", "Not Found", 404), "sns:GetTopicAttributes")).toEqual({ ok: false, reason: "notfound", message: "UnknownError: Not Found" });
  });

  it("something thrown that is not an error: 'Error' and its text", () => {
    expect(classifyAwsError("boom", "sts:GetCallerIdentity")).toMatchObject({ ok: false, reason: "error", message: "Error: boom" });
    expect(classifyAwsError(undefined, "sts:GetCallerIdentity")).toMatchObject({ ok: false, reason: "error", message: "Error: undefined" });
  });
});

describe("AwsCollector: bounds, keys and permissions per call", () => {
  it("every SES call in a region waits for that region's bound; secrets reads share their own", async () => {
    const hold: (() => void)[] = [];
    ses.on(GetEmailIdentityCommand).callsFake(() => new Promise((resolve) => hold.push(() => resolve({}))));
    secrets.on(DescribeSecretCommand).callsFake(() => new Promise((resolve) => hold.push(() => resolve({ ARN: "arn", Name: "n" }))));
    ses.on(GetAccountCommand).resolves({});
    ses.on(ListEmailIdentitiesCommand).resolves({});
    ses.on(GetConfigurationSetCommand).resolves({});
    ses.on(GetConfigurationSetEventDestinationsCommand).resolves({});
    ses.on(GetSuppressedDestinationCommand).resolves({});
    secrets.on(GetSecretValueCommand).resolves({ SecretString: "s" });
    const cases: [string, (aws: AwsCollector) => Promise<unknown>, (aws: AwsCollector) => Promise<unknown>][] = [
      ["account", (a) => a.identity("us-east-1", "held.example"), (a) => a.account("us-east-1")],
      ["emailIdentities", (a) => a.identity("us-east-1", "held.example"), (a) => a.emailIdentities("us-east-1")],
      ["configurationSet", (a) => a.identity("us-east-1", "held.example"), (a) => a.configurationSet("us-east-1", "mail")],
      ["suppressed", (a) => a.identity("us-east-1", "held.example"), (a) => a.suppressed("us-east-1", "bob@example.com")],
      ["secretValue", (a) => a.secretMetadata("us-east-1", "held"), (a) => a.secretValue("us-east-1", "mail/smtp")],
    ];
    for (const [name, first, second] of cases) {
      const aws = collector({ concurrency: 1 });
      const before = ses.calls().length + secrets.calls().length;
      const held = first(aws);
      const waiting = second(aws);
      await new Promise((r) => setTimeout(r, 20));
      expect(ses.calls().length + secrets.calls().length - before, name).toBe(1);
      hold.shift()?.();
      await held;
      await waiting;
      expect(ses.calls().length + secrets.calls().length - before, name).toBeGreaterThan(1);
    }
  });

  it("each failure names the permission behind its call", async () => {
    const denied = sdkError("AccessDeniedException", "not authorized", 403);
    ses.on(GetAccountCommand).rejects(denied);
    ses.on(ListEmailIdentitiesCommand).rejects(denied);
    ses.on(GetEmailIdentityCommand).rejects(denied);
    ses.on(GetConfigurationSetCommand).rejects(denied);
    ses.on(GetSuppressedDestinationCommand).rejects(denied);
    ses.on(GetConfigurationSetEventDestinationsCommand).resolves({});
    const aws = collector();
    const needs = (p: string) => `Grant ${p} to the credentials verify runs with (or use credentials that have it).`;
    expect(await aws.account("us-east-1")).toMatchObject({ needs: needs("ses:GetAccount") });
    expect(await aws.emailIdentities("us-east-1")).toMatchObject({ needs: needs("ses:ListEmailIdentities") });
    expect(await aws.identity("us-east-1", "example.com")).toMatchObject({ needs: needs("ses:GetEmailIdentity") });
    expect(await aws.configurationSet("us-east-1", "mail")).toMatchObject({ needs: needs("ses:GetConfigurationSet") });
    expect(await aws.suppressed("us-east-1", "bob@example.com")).toMatchObject({ needs: needs("ses:GetSuppressedDestination") });
  });

  it("identities are listed per region", async () => {
    ses.on(ListEmailIdentitiesCommand).resolves({ EmailIdentities: [{ IdentityName: "example.com", IdentityType: "DOMAIN" }] });
    const aws = collector();
    await aws.emailIdentities("us-east-1");
    await aws.emailIdentities("eu-west-1");
    expect(ses.commandCalls(ListEmailIdentitiesCommand)).toHaveLength(2);
  });

  it("a suppressed address without a last update time", async () => {
    ses.on(GetSuppressedDestinationCommand).resolves({ SuppressedDestination: { EmailAddress: "bob@example.com", Reason: "COMPLAINT" } as never });
    expect(await collector().suppressed("us-east-1", "bob@example.com")).toEqual({ ok: true, value: { reason: "COMPLAINT", lastUpdateTime: undefined } });
  });

  it("a zone listed without an id; a record page without record sets", async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({ HostedZones: [{ Name: "odd.example.", CallerReference: "x" } as never] });
    route53.on(ListResourceRecordSetsCommand).resolves({ IsTruncated: false } as never);
    const aws = collector();
    expect(await aws.hostedZonesNamed("odd.example")).toEqual({ ok: true, value: [{ id: "", name: "odd.example", private: false }] });
    expect(await aws.recordSets("Z0EMPTY")).toEqual({ ok: true, value: [] });
  });

  it("the clients' HTTP handler: each attempt bounded by the timeout (and throws when it passes), kept-alive sockets matching the bound", async () => {
    const aws = collector({ timeoutMs: 1_500, concurrency: 8 });
    const handler = aws.ses("us-east-1").config.requestHandler as unknown as { configProvider: Promise<{ requestTimeout: number; connectionTimeout: number; socketTimeout: number; throwOnRequestTimeout: boolean; httpsAgent: { keepAlive: boolean; maxSockets: number } }> };
    const cfg = await handler.configProvider;
    expect({ requestTimeout: cfg.requestTimeout, connectionTimeout: cfg.connectionTimeout, socketTimeout: cfg.socketTimeout, throwOnRequestTimeout: cfg.throwOnRequestTimeout }).toEqual({ requestTimeout: 1_500, connectionTimeout: 1_500, socketTimeout: 1_500, throwOnRequestTimeout: true });
    expect(cfg.httpsAgent.keepAlive).toBe(true);
    expect(cfg.httpsAgent.maxSockets).toBe(8);
    const def = await (collector().iam().config.requestHandler as unknown as typeof handler).configProvider;
    expect(def.httpsAgent.maxSockets).toBe(64);
  });

  it("awsSdk before the SDK is loaded: an error saying how to load it", async () => {
    vi.resetModules();
    const fresh = await import("../../scripts/verify/aws");
    expect(() => fresh.awsSdk("CLOUDTRAIL")).toThrow('the CLOUDTRAIL SDK is used before it was loaded: use it inside AwsCollector.call("CLOUDTRAIL", ...), or await loadAwsSdks() first');
    await fresh.loadAwsSdks(["CLOUDTRAIL"]);
    expect(typeof fresh.awsSdk("CLOUDTRAIL").CloudTrailClient).toBe("function");
  });
});

describe("budgetRetryStrategy, with the dice and the clock fixed", () => {
  const error: RetryError = Object.assign(new Error("x"), { name: "X", $metadata: {}, cause: undefined });
  afterEach(() => vi.restoreAllMocks());

  it("the delay: a random share of 100 ms x 2^n (500 ms for throttling), at most 20 s", async () => {
    vi.spyOn(Date, "now").mockReturnValue(1_000_000);
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const s = budgetRetryStrategy(1, 100_000_000, 20);
    let t = await s.acquireInitialRetryToken("");
    t = await s.refreshRetryTokenForRetry(t, { errorType: "SERVER_ERROR", error });
    expect(t.getRetryDelay()).toBe(100); // 0.5 x 100 x 2^1
    t = await s.refreshRetryTokenForRetry(t, { errorType: "THROTTLING", error });
    expect(t.getRetryDelay()).toBe(1_000); // 0.5 x 500 x 2^2
    for (let i = 0; i < 8; i++) t = await s.refreshRetryTokenForRetry(t, { errorType: "THROTTLING", error });
    expect(t.getRetryDelay()).toBe(10_000); // 0.5 x 20 s
  });

  it("a retry that exactly fills the budget is made; one that passes it is not", async () => {
    const now = vi.spyOn(Date, "now").mockReturnValue(1_000_000);
    vi.spyOn(Math, "random").mockReturnValue(0);
    const s = budgetRetryStrategy(1_000, 1_500, 5);
    const t = await s.acquireInitialRetryToken("");
    now.mockReturnValue(1_000_500);
    expect((await s.refreshRetryTokenForRetry(t, { errorType: "SERVER_ERROR", error })).getRetryCount()).toBe(1);
    now.mockReturnValue(1_000_501);
    await expect(s.refreshRetryTokenForRetry(t, { errorType: "SERVER_ERROR", error })).rejects.toBe(error);
  });
});

describe("AwsCollector: the IAM, STS, Route 53, SNS and Secrets Manager calls' bounds, keys and permissions", () => {
  const denied = sdkError("AccessDeniedException", "not authorized", 403);
  const needs = (p: string) => `Grant ${p} to the credentials verify runs with (or use credentials that have it).`;

  it("each failure names the permission behind its call", async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(denied);
    iam.on(GetUserCommand).rejects(denied);
    iam.on(ListUsersCommand).rejects(denied);
    iam.on(ListUserPoliciesCommand).rejects(denied);
    sts.on(GetCallerIdentityCommand).rejects(denied);
    route53.on(ListHostedZonesByNameCommand).rejects(denied);
    route53.on(ListResourceRecordSetsCommand).rejects(denied);
    secrets.on(DescribeSecretCommand).rejects(denied);
    sns.on(GetTopicAttributesCommand).rejects(denied);
    const aws = collector();
    expect(await aws.keyLastUsed("AKIAEXAMPLECURRENT01")).toMatchObject({ needs: needs("iam:GetAccessKeyLastUsed") });
    expect(await aws.userArn("u")).toMatchObject({ needs: needs("iam:GetUser") });
    expect(await aws.users()).toMatchObject({ needs: needs("iam:ListUsers") });
    expect(await aws.userPolicies("u")).toMatchObject({ needs: needs("iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, iam:GetPolicy and iam:GetPolicyVersion") });
    expect(await aws.callerAccount()).toMatchObject({ needs: needs("sts:GetCallerIdentity") });
    expect(await aws.hostedZonesNamed("example.com")).toMatchObject({ needs: needs("route53:ListHostedZonesByName") });
    expect(await aws.recordSets("Z0")).toMatchObject({ needs: needs("route53:ListResourceRecordSets") });
    expect(await aws.secretMetadata("us-east-1", "s")).toMatchObject({ needs: needs("secretsmanager:DescribeSecret") });
    expect(await aws.topic("us-east-1", "arn:aws:sns:us-east-1:123456789012:t")).toMatchObject({ needs: needs("sns:GetTopicAttributes") });
  });

  it("every IAM call waits for IAM's one bound, Route 53's for Route 53's", async () => {
    const hold: (() => void)[] = [];
    iam.on(GetUserCommand).callsFake(() => new Promise((resolve) => hold.push(() => resolve({ User: { Arn: "arn", UserName: "u", UserId: "1", Path: "/", CreateDate: new Date(0) } }))));
    route53.on(ListHostedZonesByNameCommand).callsFake(() => new Promise((resolve) => hold.push(() => resolve({ HostedZones: [] }))));
    iam.on(ListAccessKeysCommand).resolves({});
    iam.on(GetAccessKeyLastUsedCommand).resolves({});
    iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: "ses:SendRawEmail", EvalDecision: "allowed" }] });
    iam.on(ListUsersCommand).resolves({});
    iam.on(ListUserPoliciesCommand).resolves({});
    iam.on(ListAttachedUserPoliciesCommand).resolves({});
    route53.on(ListResourceRecordSetsCommand).resolves({});
    const all = () => iam.calls().length + route53.calls().length;
    const cases: [string, (aws: AwsCollector) => Promise<unknown>, (aws: AwsCollector) => Promise<unknown>][] = [
      ["accessKeys", (a) => a.userArn("held"), (a) => a.accessKeys("u")],
      ["keyLastUsed", (a) => a.userArn("held"), (a) => a.keyLastUsed("AKIAEXAMPLECURRENT01")],
      ["simulateSend", (a) => a.userArn("held"), (a) => a.simulateSend("arn:aws:iam::123456789012:user/u", ["*"])],
      ["users", (a) => a.userArn("held"), (a) => a.users()],
      ["userPolicies", (a) => a.userArn("held"), (a) => a.userPolicies("u")],
      ["userArn", (a) => a.users().then(() => a.userArn("held")), (a) => a.userArn("other")],
      ["recordSets", (a) => a.hostedZonesNamed("held.example"), (a) => a.recordSets("Z0")],
      ["hostedZonesNamed", (a) => a.hostedZonesNamed("held.example"), (a) => a.hostedZonesNamed("other.example")],
    ];
    for (const [name, first, second] of cases) {
      const aws = collector({ concurrency: 1 });
      const held = first(aws);
      await waitFor(() => hold.length === 1);
      const before = all();
      const waiting = second(aws);
      await new Promise((r) => setTimeout(r, 20));
      expect(all() - before, name).toBe(0);
      hold.shift()?.();
      await held;
      await waiting;
      expect(all() - before, name).toBeGreaterThan(0);
    }
  });

  it("the simulation's memo keeps context entries and values apart (no two questions share a key)", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: "ses:SendRawEmail", EvalDecision: "allowed" }] });
    const aws = collector();
    const ARN = "arn:aws:iam::123456789012:user/u";
    await aws.simulateSend(ARN, ["*"], [{ key: "k", values: ["a", "b"] }]);
    await aws.simulateSend(ARN, ["*"], [{ key: "k", values: ["ab"] }]);
    await aws.simulateSend(ARN, ["*"], [{ key: "a", values: ["1"] }, { key: "b", values: ["2"] }]);
    await aws.simulateSend(ARN, ["*"], [{ key: "a", values: ["1b=2"] }]);
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(4);
  });

  it("an explicit deny decides: the policies of the explicit denies only, not of the implicit ones", async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: "a", EvalDecision: "implicitDeny", MatchedStatements: [{ SourcePolicyId: "boundary" }] },
        { EvalActionName: "ses:SendRawEmail", EvalResourceName: "b", EvalDecision: "explicitDeny", MatchedStatements: [{ SourcePolicyId: "deny-all" }] },
      ],
    });
    expect(await collector().simulateSend("arn:aws:iam::123456789012:user/u", ["a", "b"])).toMatchObject({ ok: true, value: { decision: "explicitDeny", deniedResources: ["a", "b"], matchedPolicies: ["deny-all"] } });
  });

  it("listings that never end stop at 1000 pages", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: true, NextRecordName: "a.example.", NextRecordType: "A" });
    iam.on(ListUsersCommand).resolves({ Users: [], IsTruncated: true, Marker: "again" });
    const aws = collector();
    expect(await aws.recordSets("Z0LOOP")).toEqual({ ok: true, value: [] });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1000);
    expect(await aws.users()).toEqual({ ok: true, value: [] });
    expect(iam.commandCalls(ListUsersCommand)).toHaveLength(1000);
  });

  it("an alias record has no TTL at all (not an undefined one)", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: "example.com.", Type: "A", AliasTarget: { HostedZoneId: "Z2", DNSName: "x.cloudfront.net.", EvaluateTargetHealth: false } }], IsTruncated: false });
    const r = await collector().recordSets("Z0ALIAS");
    expect(r.ok && Object.keys(r.value[0] ?? {})).toEqual(["name", "type", "values", "alias"]);
  });

  it("GetTopicAttributes asks for the topic given; GetPolicy without a policy is skipped", async () => {
    sns.on(GetTopicAttributesCommand).resolves({});
    iam.on(ListUserPoliciesCommand).resolves({});
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::123456789012:policy/gone" }] });
    iam.on(GetPolicyCommand).resolves({});
    const aws = collector();
    await aws.topic("us-east-1", "arn:aws:sns:us-east-1:123456789012:alerts");
    expect(sns.commandCalls(GetTopicAttributesCommand)[0]?.args[0].input).toEqual({ TopicArn: "arn:aws:sns:us-east-1:123456789012:alerts" });
    expect(await aws.userPolicies("u")).toEqual({ ok: true, value: [] });
  });

  it("destroy() destroys every client made", () => {
    const aws = new AwsCollector({ timeoutMs: 1_000 });
    const made = [aws.ses("us-east-1"), aws.secrets("us-east-1"), aws.iam(), aws.simulation(), aws.sts(), aws.route53(), aws.client("SNS", "us-east-1", (c) => new SNSClient(c))];
    const spies = made.map((c) => vi.spyOn(c, "destroy"));
    aws.destroy();
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe("AwsCollector: per-zone and per-user memo keys", () => {
  it("two zones are two listings; two users' policies are two readings", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false });
    iam.on(ListUserPoliciesCommand).resolves({});
    iam.on(ListAttachedUserPoliciesCommand).resolves({});
    const aws = collector();
    await aws.recordSets("Z0A");
    await aws.recordSets("Z0B");
    expect(route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input.HostedZoneId)).toEqual(["Z0A", "Z0B"]);
    await aws.userPolicies("a");
    await aws.userPolicies("b");
    expect(iam.commandCalls(ListUserPoliciesCommand).map((c) => c.args[0].input.UserName)).toEqual(["a", "b"]);
  });
});
