/**
 * AWS collectors: SES v2, IAM, Secrets Manager and STS calls, each returning an Observation
 * instead of throwing. Endpoints follow the SDK's own AWS_ENDPOINT_URL[_<SERVICE>], credentials
 * the standard chain. Every logical call is counted (the benchmark reports it) and memoised, so
 * nothing is fetched twice in one run.
 *
 * Every call is bounded: each HTTP attempt gives up after the timeout (connect and whole
 * response; the SDK only warns on a passed request timeout unless told to throw), the SDK
 * retries only while the call's budget (3 x timeout) can still afford the backoff and another
 * full attempt, and the call is abandoned at the budget or the run's deadline in any case.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import type { ListResourceRecordSetsCommandOutput, Route53Client } from "@aws-sdk/client-route-53";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SESv2Client, SESv2ClientConfig } from "@aws-sdk/client-sesv2";
import type { STSClient } from "@aws-sdk/client-sts";
import { causeOf, NO_AWS_CREDENTIALS, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import type { SesAccountState, SesConfigurationSetState, SesIdentityState, SuppressionState } from "./layers/ses/check";
import type { AccessKeyState, KeyLastUsed, SimulationContextEntry, SimulationResult } from "./layers/smtp/check";
import { loadInTurn } from "./load";
import { bounded, DEADLINE_NEEDS, deadlineMessage, limiter, memo, OPERATION_BUDGET_FACTOR, type RunDeadline, seconds, usableTimeout } from "./limit";

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Turn an SDK error into the reason a check could not be made, naming the missing permission. */
export function classifyAwsError(e: unknown, permission: string): Unobservable {
  const err = (e ?? {}) as SdkError;
  const name = err.name ?? err.code ?? "Error";
  const message = (err.message ?? String(e)).split("\n")[0];
  if (/CredentialsProviderError/i.test(name)) {
    return { ok: false, reason: "denied", message: `${name}: ${message}`, needs: "No AWS credentials were found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run where a role is available.", cause: NO_AWS_CREDENTIALS };
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized|InvalidClientTokenId|ExpiredToken|UnrecognizedClient|SignatureDoesNotMatch/i.test(name)) {
    return { ok: false, reason: "denied", message: `${name}: ${message}`, needs: `Grant ${permission} to the credentials verify runs with (or use credentials that have it).` };
  }
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) {
    return { ok: false, reason: "throttled", message: `${name} after retries`, needs: "AWS kept throttling: re-run later or with fewer domains at once." };
  }
  if (/NotFound|NoSuchEntity/i.test(name) || err.$metadata?.httpStatusCode === 404) {
    return { ok: false, reason: "notfound", message: `${name}: ${message}` };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH/i.test(`${name} ${err.code ?? ""} ${message}`)) {
    return { ok: false, reason: "unreachable", message: `${name}: ${message}`, needs: "The AWS endpoint is unreachable from here: check the network path or AWS_ENDPOINT_URL." };
  }
  if (/Timeout|ETIMEDOUT/i.test(`${name} ${err.code ?? ""}`)) {
    return { ok: false, reason: "timeout", message: `${name}: ${message}`, needs: "The AWS endpoint did not answer in time: check the network path or raise --timeout." };
  }
  // Anything else (a 5xx, an answer the SDK cannot parse...): say which call and how it ended.
  const status = err.$metadata?.httpStatusCode;
  return {
    ok: false,
    reason: "error",
    message: `${name}${status ? ` (HTTP ${status})` : ""}: ${message}`,
    needs: `The call behind ${permission} failed with an answer verify could not use, so nothing was concluded from it: re-run, and if it persists check that endpoint and ${permission} by hand.`,
  };
}

const TIMEOUT_NEEDS = "The AWS endpoint did not answer in time: check the network path or AWS_ENDPOINT_URL, or raise --timeout.";

export interface AwsOptions {
  /** One HTTP attempt (connect and whole response); a call with its retries gets 3 x this. */
  timeoutMs: number;
  /** The most attempts one call makes (default 5); the call's budget usually ends it sooner. */
  maxAttempts?: number;
  /** The run's deadline: when it passes, every pending call ends as "deadline reached". */
  deadline?: RunDeadline;
  /**
   * Calls in flight per service and region (default 64). Each service and region gets its own
   * bound, so the bulk of SES identity reads never queues the one Secrets Manager read that
   * the SMTP check waits for.
   */
  concurrency?: number;
}

/** Default bound on calls in flight per service and region. */
export const AWS_CONCURRENCY = 64;

/** The SDK's service ids as its AWS_ENDPOINT_URL_<SERVICE> variables spell them. */
export type AwsService = "SESV2" | "SECRETS_MANAGER" | "IAM" | "STS" | "ROUTE_53" | "CLOUDWATCH" | "EVENTBRIDGE" | "SNS" | "CLOUDTRAIL";

/**
 * Each service's SDK package. None is loaded with this module: a service's package loads when the
 * first call to it is made (AwsCollector.call), in turn with the other heavy packages
 * (scripts/verify/load.ts), so a run loads only the clients its layers use, and loads each while
 * the requests made before it are in flight. docs/architecture.md, "Start-up".
 */
interface AwsSdks {
  SESV2: typeof import("@aws-sdk/client-sesv2");
  SECRETS_MANAGER: typeof import("@aws-sdk/client-secrets-manager");
  IAM: typeof import("@aws-sdk/client-iam");
  STS: typeof import("@aws-sdk/client-sts");
  ROUTE_53: typeof import("@aws-sdk/client-route-53");
  CLOUDWATCH: typeof import("@aws-sdk/client-cloudwatch");
  EVENTBRIDGE: typeof import("@aws-sdk/client-eventbridge");
  SNS: typeof import("@aws-sdk/client-sns");
  CLOUDTRAIL: typeof import("@aws-sdk/client-cloudtrail");
}

/** A service's SDK package (its client and command classes). */
export type AwsSdk<S extends AwsService> = AwsSdks[S];

const SDK_PACKAGES: { [S in AwsService]: () => Promise<AwsSdks[S]> } = {
  SESV2: () => import("@aws-sdk/client-sesv2"),
  SECRETS_MANAGER: () => import("@aws-sdk/client-secrets-manager"),
  IAM: () => import("@aws-sdk/client-iam"),
  STS: () => import("@aws-sdk/client-sts"),
  ROUTE_53: () => import("@aws-sdk/client-route-53"),
  CLOUDWATCH: () => import("@aws-sdk/client-cloudwatch"),
  EVENTBRIDGE: () => import("@aws-sdk/client-eventbridge"),
  SNS: () => import("@aws-sdk/client-sns"),
  CLOUDTRAIL: () => import("@aws-sdk/client-cloudtrail"),
};

const loadedSdks: { [S in AwsService]?: AwsSdk<S> } = {};

/** Load services' SDK packages (once per process; every AwsCollector call loads its own). Tests that fake a client before a run load them first. */
export function loadAwsSdks(services: readonly AwsService[] = Object.keys(SDK_PACKAGES) as AwsService[]): Promise<void> {
  return Promise.all(services.map((s) => loadAwsSdk(s))).then(() => undefined);
}

function loadAwsSdk<S extends AwsService>(service: S): Promise<AwsSdk<S>> {
  return loadInTurn(`aws-sdk ${service}`, async () => {
    const sdk: AwsSdk<S> = await SDK_PACKAGES[service]();
    (loadedSdks as Record<S, AwsSdk<S>>)[service] = sdk;
    return sdk;
  });
}

/** A service's SDK package, already loaded: inside an AwsCollector.call for that service, or after loadAwsSdks. */
export function awsSdk<S extends AwsService>(service: S): AwsSdk<S> {
  const sdk = loadedSdks[service] as AwsSdk<S> | undefined;
  if (!sdk) throw new Error(`the ${service} SDK is used before it was loaded: use it inside AwsCollector.call("${service}", ...), or await loadAwsSdks() first`);
  return sdk;
}

/**
 * The endpoint override the SDK applies to a service, as the SDK reads it:
 * AWS_ENDPOINT_URL_<SERVICE> first, then AWS_ENDPOINT_URL, none when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. Said in evidence, so a report made against
 * another endpoint says so.
 */
export function endpointOverride(service: AwsService, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true") return undefined;
  for (const name of [`AWS_ENDPOINT_URL_${service}`, "AWS_ENDPOINT_URL"]) {
    const url = env[name]?.trim();
    if (url) return `${url} from ${name}`;
  }
  return undefined;
}

type RetryStrategyV2 = Extract<NonNullable<SESv2ClientConfig["retryStrategy"]>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2["acquireInitialRetryToken"]>>;

/**
 * The SDK's retry decisions (which errors are retryable, exponential backoff with full jitter,
 * 100 ms base and 500 ms for throttling), bounded by time: a retry happens only while the
 * call's budget still holds the backoff and one more full attempt. So a throttled or failing
 * call ends with its real last error, never cut off mid-wait, and never past the budget.
 */
export function budgetRetryStrategy(attemptMs: number, budgetMs: number, maxAttempts: number): RetryStrategyV2 {
  const token = (started: number, count: number, delay: number): RetryToken & { started: number } => ({ started, getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    acquireInitialRetryToken: async () => token(Date.now(), 0, 0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const { started } = previous as RetryToken & { started: number };
      const count = previous.getRetryCount() + 1;
      const base = info.errorType === "THROTTLING" ? 500 : 100;
      const delay = Math.floor(Math.random() * Math.min(20_000, base * 2 ** count));
      const affordable = Date.now() - started + delay + attemptMs <= budgetMs;
      if (info.errorType === "CLIENT_ERROR" || count >= maxAttempts || !affordable) throw info.error ?? new Error(`gave up after ${count} attempts`);
      return token(started, count, delay);
    },
    recordSuccess: () => undefined,
  };
}

/** All AWS reads verify makes. One instance per run. */
export class AwsCollector {
  /** Logical API calls made (retries not counted). */
  calls = 0;
  private readonly sesClients = new Map<string, SESv2Client>();
  private readonly secretClients = new Map<string, SecretsManagerClient>();
  private iamClient?: IAMClient;
  private simulationClient?: IAMClient;
  private stsClient?: STSClient;
  private route53Client?: Route53Client;
  /** Clients of the services loaded on demand (SNS here, the monitoring layer's), by service and region. */
  private readonly otherClients = new Map<string, { destroy(): void }>();
  private readonly limiters = new Map<string, <T>(task: () => Promise<T>) => Promise<T>>();
  private readonly cache = memo<Observation<unknown>>();

  private readonly options: AwsOptions;

  constructor(options: AwsOptions) {
    this.options = { ...options, timeoutMs: usableTimeout(options.timeoutMs) };
  }

  private get concurrency(): number {
    return this.options.concurrency ?? AWS_CONCURRENCY;
  }

  /** The bound for one service in one region (IAM and STS are global: one bound each). */
  private limit(scope: string): <T>(task: () => Promise<T>) => Promise<T> {
    let l = this.limiters.get(scope);
    if (!l) this.limiters.set(scope, (l = limiter(this.concurrency)));
    return l;
  }

  /** The most one logical call may take, retries included. */
  get budgetMs(): number {
    return OPERATION_BUDGET_FACTOR * this.options.timeoutMs;
  }

  /**
   * A client of another service in a region, made once with this collector's timeouts,
   * retries and socket bound, and destroyed with it (the monitoring layer's clients,
   * scripts/verify/layers/monitoring/collect.ts, made inside a call for their service).
   */
  client<T extends { destroy(): void }>(service: AwsService, region: string, make: (config: ReturnType<AwsCollector["config"]>) => T): T {
    const key = `${service}:${region}`;
    let c = this.otherClients.get(key) as T | undefined;
    if (!c) this.otherClients.set(key, (c = make(this.config(region))));
    return c;
  }

  private config(region: string, maxAttempts = this.options.maxAttempts ?? 5) {
    // The SDK's default agent allows 50 sockets per client; match it to the bound so calls
    // admitted by the limiter never queue again inside the SDK.
    const agent = { keepAlive: true, maxSockets: this.concurrency };
    const t = this.options.timeoutMs;
    return {
      region,
      maxAttempts,
      retryStrategy: budgetRetryStrategy(t, this.budgetMs, maxAttempts),
      // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout
      // passes and keeps waiting for a silent endpoint. socketTimeout ends a response whose
      // body stops arriving half-way.
      requestHandler: { requestTimeout: t, connectionTimeout: t, socketTimeout: t, throwOnRequestTimeout: true, httpAgent: agent, httpsAgent: agent },
    };
  }

  ses(region: string): SESv2Client {
    let c = this.sesClients.get(region);
    if (!c) this.sesClients.set(region, (c = new (awsSdk("SESV2").SESv2Client)(this.config(region))));
    return c;
  }
  secrets(region: string): SecretsManagerClient {
    let c = this.secretClients.get(region);
    if (!c) this.secretClients.set(region, (c = new (awsSdk("SECRETS_MANAGER").SecretsManagerClient)(this.config(region))));
    return c;
  }
  iam(): IAMClient {
    return (this.iamClient ??= new (awsSdk("IAM").IAMClient)(this.config("us-east-1")));
  }
  /** Policy simulation gets its own client with few attempts: a failing simulator is not worth five tries. */
  simulation(): IAMClient {
    return (this.simulationClient ??= new (awsSdk("IAM").IAMClient)(this.config("us-east-1", 2)));
  }
  sts(): STSClient {
    return (this.stsClient ??= new (awsSdk("STS").STSClient)(this.config("us-east-1")));
  }
  route53(): Route53Client {
    return (this.route53Client ??= new (awsSdk("ROUTE_53").Route53Client)(this.config("us-east-1")));
  }

  /**
   * One memoised, counted, bounded call that never throws. `scope` picks the concurrency
   * bound: the service and, for regional services, the region. `fn` gets the abort signal to
   * pass to the SDK and the service's SDK package (loaded before the call is admitted, so its
   * loading counts against neither the bound nor the budget); the call ends at its budget (or
   * the run's deadline) even if the SDK does not. Any failure other than "not found" names the
   * endpoint override in effect.
   */
  call<S extends AwsService, T>(service: S, scope: string, key: string, permission: string, fn: (abortSignal: AbortSignal, sdk: AwsSdk<S>) => Promise<T>): Promise<Observation<T>> {
    const endpoint = endpointOverride(service);
    // The note does not change the cause: the same failure behind two services is one cause.
    const at = (u: Unobservable): Unobservable => (endpoint && u.reason !== "notfound" ? { ...u, message: `${u.message} (contacted ${endpoint})`, cause: causeOf(u) } : u);
    const what = `${permission.split(" ")[0]}`;
    return this.cache(key, () =>
      loadAwsSdk(service).then((sdk) =>
        this.limit(scope)(() => {
          this.calls += 1;
          return bounded<Observation<T>>(
            async (signal) => {
              try {
                return observed(await fn(signal, sdk));
              } catch (e) {
                const u = classifyAwsError(e, permission);
                // Without credentials nothing was sent: there is no endpoint to name.
                if (/CredentialsProviderError/.test((e as SdkError).name ?? "")) return u;
                if (u.reason !== "timeout") return at(u);
                const attempts = (e as SdkError).$metadata?.attempts;
                const tries = attempts && attempts > 1 ? `in ${attempts} attempts of ${seconds(this.options.timeoutMs)} each` : `within ${seconds(this.options.timeoutMs)}`;
                return at({ ...u, message: `${what}: no answer ${tries}` });
              }
            },
            this.budgetMs,
            this.options.deadline,
            (why) =>
              why === "deadline" && this.options.deadline
                ? at({ ok: false, reason: "timeout", message: deadlineMessage(this.options.deadline, what), needs: DEADLINE_NEEDS })
                : at({ ok: false, reason: "timeout", message: `${what}: no answer within ${seconds(this.budgetMs)} (the call's budget, ${OPERATION_BUDGET_FACTOR} x --timeout)`, needs: TIMEOUT_NEEDS }),
          );
        }),
      ),
    ) as Promise<Observation<T>>;
  }

  account(region: string): Promise<Observation<SesAccountState>> {
    return this.call("SESV2", `ses:${region}`, `ses:GetAccount:${region}`, "ses:GetAccount", async (abortSignal, sdk) => {
      const a = await this.ses(region).send(new sdk.GetAccountCommand({}), { abortSignal });
      return {
        sendingEnabled: a.SendingEnabled ?? false,
        productionAccessEnabled: a.ProductionAccessEnabled ?? false,
        enforcementStatus: a.EnforcementStatus,
        max24HourSend: a.SendQuota?.Max24HourSend,
        sentLast24Hours: a.SendQuota?.SentLast24Hours,
        suppressedReasons: a.SuppressionAttributes?.SuppressedReasons ?? [],
      };
    });
  }

  /** Every email identity of the account in a region (all pages): name and type (DOMAIN, EMAIL_ADDRESS, MANAGED_DOMAIN). */
  emailIdentities(region: string): Promise<Observation<{ name: string; type: string }[]>> {
    return this.call("SESV2", `ses:${region}`, `ses:ListEmailIdentities:${region}`, "ses:ListEmailIdentities", async (abortSignal, sdk) => {
      const out: { name: string; type: string }[] = [];
      let token: string | undefined;
      do {
        const r = await this.ses(region).send(new sdk.ListEmailIdentitiesCommand({ PageSize: 1000, ...(token ? { NextToken: token } : {}) }), { abortSignal });
        for (const i of r.EmailIdentities ?? []) out.push({ name: i.IdentityName ?? "", type: i.IdentityType ?? "" });
        token = r.NextToken;
      } while (token);
      return out;
    });
  }

  identity(region: string, identity: string): Promise<Observation<SesIdentityState>> {
    return this.call("SESV2", `ses:${region}`, `ses:GetEmailIdentity:${region}:${identity}`, "ses:GetEmailIdentity", async (abortSignal, sdk) => {
      const i = await this.ses(region).send(new sdk.GetEmailIdentityCommand({ EmailIdentity: identity }), { abortSignal });
      return {
        verifiedForSending: i.VerifiedForSendingStatus ?? false,
        verificationStatus: i.VerificationStatus,
        dkim: {
          signingEnabled: i.DkimAttributes?.SigningEnabled ?? false,
          status: i.DkimAttributes?.Status,
          tokens: i.DkimAttributes?.Tokens ?? [],
          signingHostedZone: i.DkimAttributes?.SigningHostedZone,
          currentSigningKeyLength: i.DkimAttributes?.CurrentSigningKeyLength,
          nextSigningKeyLength: i.DkimAttributes?.NextSigningKeyLength,
        },
        mailFrom: i.MailFromAttributes
          ? { domain: i.MailFromAttributes.MailFromDomain ?? "", status: i.MailFromAttributes.MailFromDomainStatus, behaviorOnMxFailure: i.MailFromAttributes.BehaviorOnMxFailure }
          : undefined,
        configurationSetName: i.ConfigurationSetName,
      };
    });
  }

  async configurationSet(region: string, name: string): Promise<Observation<SesConfigurationSetState>> {
    const [cs, events] = await Promise.all([
      this.call("SESV2", `ses:${region}`, `ses:GetConfigurationSet:${region}:${name}`, "ses:GetConfigurationSet", (abortSignal, sdk) => this.ses(region).send(new sdk.GetConfigurationSetCommand({ ConfigurationSetName: name }), { abortSignal })),
      this.call("SESV2", `ses:${region}`, `ses:GetConfigurationSetEventDestinations:${region}:${name}`, "ses:GetConfigurationSetEventDestinations", (abortSignal, sdk) =>
        this.ses(region).send(new sdk.GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: name }), { abortSignal }),
      ),
    ]);
    if (!cs.ok) return cs;
    if (!events.ok) return events;
    return observed({
      tlsPolicy: cs.value.DeliveryOptions?.TlsPolicy,
      reputationMetricsEnabled: cs.value.ReputationOptions?.ReputationMetricsEnabled,
      sendingEnabled: cs.value.SendingOptions?.SendingEnabled,
      suppressedReasons: cs.value.SuppressionOptions?.SuppressedReasons,
      eventDestinations: (events.value.EventDestinations ?? []).map((e) => ({
        name: e.Name ?? "?",
        enabled: e.Enabled ?? false,
        matchingEventTypes: e.MatchingEventTypes ?? [],
        target: e.SnsDestination?.TopicArn ?? (e.CloudWatchDestination ? "CloudWatch" : undefined) ?? e.KinesisFirehoseDestination?.DeliveryStreamArn ?? e.EventBridgeDestination?.EventBusArn,
      })),
    });
  }

  suppressed(region: string, address: string): Promise<Observation<SuppressionState>> {
    return this.call("SESV2", `ses:${region}`, `ses:GetSuppressedDestination:${region}:${address.toLowerCase()}`, "ses:GetSuppressedDestination", async (abortSignal, sdk) => {
      const r = await this.ses(region).send(new sdk.GetSuppressedDestinationCommand({ EmailAddress: address }), { abortSignal });
      return { reason: r.SuppressedDestination?.Reason ?? "?", lastUpdateTime: r.SuppressedDestination?.LastUpdateTime?.toISOString() };
    });
  }

  secretValue(region: string, secretId: string): Promise<Observation<string>> {
    return this.call("SECRETS_MANAGER", `secretsmanager:${region}`, `secretsmanager:GetSecretValue:${region}:${secretId}`, "secretsmanager:GetSecretValue (and kms:Decrypt on its key)", async (abortSignal, sdk) => {
      const r = await this.secrets(region).send(new sdk.GetSecretValueCommand({ SecretId: secretId }), { abortSignal });
      if (r.SecretString === undefined) throw Object.assign(new Error("the secret has no string value"), { name: "NoSecretString" });
      return r.SecretString;
    });
  }

  accessKeys(user: string): Promise<Observation<AccessKeyState[]>> {
    return this.call("IAM", "iam", `iam:ListAccessKeys:${user}`, "iam:ListAccessKeys", async (abortSignal, sdk) => {
      const r = await this.iam().send(new sdk.ListAccessKeysCommand({ UserName: user }), { abortSignal });
      return (r.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? "?", status: k.Status ?? "?", createDate: k.CreateDate?.toISOString() }));
    });
  }

  keyLastUsed(accessKeyId: string): Promise<Observation<KeyLastUsed & { userName?: string }>> {
    return this.call("IAM", "iam", `iam:GetAccessKeyLastUsed:${accessKeyId}`, "iam:GetAccessKeyLastUsed", async (abortSignal, sdk) => {
      const r = await this.iam().send(new sdk.GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }), { abortSignal });
      const u = r.AccessKeyLastUsed;
      const known = (v: string | undefined) => (v && v !== "N/A" ? v : undefined);
      return { userName: r.UserName, lastUsedDate: u?.LastUsedDate?.toISOString(), serviceName: known(u?.ServiceName), region: known(u?.Region) };
    });
  }

  userArn(userName: string): Promise<Observation<string>> {
    return this.call("IAM", "iam", `iam:GetUser:${userName}`, "iam:GetUser", async (abortSignal, sdk) => {
      const r = await this.iam().send(new sdk.GetUserCommand({ UserName: userName }), { abortSignal });
      return r.User?.Arn ?? "?";
    });
  }

  /**
   * IAM's answer to "may this user call ses:SendRawEmail on these ARNs in this request context".
   * The context (ContextEntries) carries the values the policies' conditions test, such as
   * ses:FromAddress: a key the request does not supply makes its condition false, so a question
   * without it is not the question a real login asks (API reference, SimulatePrincipalPolicy
   * ContextEntries; scripts/verify/layers/smtp/check.ts simulationQuestions).
   */
  simulateSend(userArn: string, resourceArns: string[], context: SimulationContextEntry[] = []): Promise<Observation<SimulationResult>> {
    const key = `iam:SimulatePrincipalPolicy:${userArn}:${resourceArns.join(",")}:${context.map((e) => `${e.key}=${e.values.join("|")}`).join(",")}`;
    return this.call("IAM", "iam", key, "iam:SimulatePrincipalPolicy", async (abortSignal, sdk) => {
      const r = await this.simulation().send(
        new sdk.SimulatePrincipalPolicyCommand({
          PolicySourceArn: userArn,
          ActionNames: ["ses:SendRawEmail"],
          ResourceArns: resourceArns,
          ...(context.length > 0 ? { ContextEntries: context.map((e) => ({ ContextKeyName: e.key, ContextKeyValues: e.values, ContextKeyType: "string" as const })) } : {}),
        }),
        { abortSignal },
      );
      const results = r.EvaluationResults ?? [];
      if (results.length === 0) throw Object.assign(new Error("the simulation returned no result"), { name: "EmptySimulation" });
      const denied = results.filter((x) => x.EvalDecision !== "allowed");
      const decision = denied.some((x) => x.EvalDecision === "explicitDeny") ? "explicitDeny" : denied.length > 0 ? "implicitDeny" : "allowed";
      const deciding = decision === "allowed" ? results : denied.filter((x) => x.EvalDecision === decision);
      const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
      return {
        decision,
        deniedResources: denied.map((x) => x.EvalResourceName ?? "*"),
        matchedPolicies: unique(deciding.flatMap((x) => (x.MatchedStatements ?? []).map((st) => st.SourcePolicyId))),
        missingContext: unique(results.flatMap((x) => [...(x.MissingContextValues ?? []), ...(x.ResourceSpecificResults ?? []).flatMap((rr) => rr.MissingContextValues ?? [])])),
      };
    });
  }

  // -------------------------------------------------------------------------------------
  // Adoption reads (npm run adopt): Route 53 and the IAM users that can send. The Route 53
  // SDK loads with the first of these calls, so verify never loads it.
  // -------------------------------------------------------------------------------------

  /** Public hosted zones whose name is `name` (Route 53 may hold several: all are returned). */
  hostedZonesNamed(name: string): Promise<Observation<{ id: string; name: string; private: boolean }[]>> {
    const wanted = name.toLowerCase().replace(/\.$/, "");
    return this.call("ROUTE_53", "route53", `route53:ListHostedZonesByName:${wanted}`, "route53:ListHostedZonesByName", async (abortSignal, sdk) => {
      const client = this.route53();
      const r = await client.send(new sdk.ListHostedZonesByNameCommand({ DNSName: wanted, MaxItems: 100 }), { abortSignal });
      return (r.HostedZones ?? [])
        .filter((z) => (z.Name ?? "").toLowerCase().replace(/\.$/, "") === wanted)
        .map((z) => ({ id: (z.Id ?? "").replace(/^\/hostedzone\//, ""), name: wanted, private: z.Config?.PrivateZone ?? false }));
    });
  }

  /** Every record set of a zone (all pages), names lowercased without the trailing dot. */
  recordSets(zoneId: string): Promise<Observation<{ name: string; type: string; ttl?: number; values: string[]; setIdentifier?: string; alias: boolean }[]>> {
    return this.call("ROUTE_53", "route53", `route53:ListResourceRecordSets:${zoneId}`, "route53:ListResourceRecordSets", async (abortSignal, sdk) => {
      const client = this.route53();
      const out: { name: string; type: string; ttl?: number; values: string[]; setIdentifier?: string; alias: boolean }[] = [];
      let next: { name?: string; type?: string; id?: string } | undefined = {};
      for (let page = 0; next && page < 1000; page++) {
        const r: ListResourceRecordSetsCommandOutput = await client.send(
          new sdk.ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ...(next.name ? { StartRecordName: next.name } : {}),
            ...(next.type ? { StartRecordType: next.type as "TXT" } : {}),
            ...(next.id ? { StartRecordIdentifier: next.id } : {}),
          }),
          { abortSignal },
        );
        for (const rs of r.ResourceRecordSets ?? []) {
          out.push({
            // Route 53 escapes some characters in names as \NNN octal (e.g. \052 for *).
            name: (rs.Name ?? "").replace(/\\(\d{3})/g, (_: string, o: string) => String.fromCharCode(parseInt(o, 8))).toLowerCase().replace(/\.$/, ""),
            type: rs.Type ?? "?",
            ...(rs.TTL !== undefined ? { ttl: rs.TTL } : {}),
            values: (rs.ResourceRecords ?? []).map((x: { Value?: string }) => x.Value ?? ""),
            ...(rs.SetIdentifier ? { setIdentifier: rs.SetIdentifier } : {}),
            alias: rs.AliasTarget !== undefined,
          });
        }
        next = r.IsTruncated ? { name: r.NextRecordName, type: r.NextRecordType, id: r.NextRecordIdentifier } : undefined;
      }
      return out;
    });
  }

  /** A secret's metadata (never its value): its ARN, and when it is scheduled for deletion. */
  secretMetadata(region: string, secretId: string): Promise<Observation<{ arn: string; name: string; deletedDate?: string }>> {
    return this.call("SECRETS_MANAGER", `secretsmanager:${region}`, `secretsmanager:DescribeSecret:${region}:${secretId}`, "secretsmanager:DescribeSecret", async (abortSignal, sdk) => {
      const r = await this.secrets(region).send(new sdk.DescribeSecretCommand({ SecretId: secretId }), { abortSignal });
      return { arn: r.ARN ?? "?", name: r.Name ?? secretId, ...(r.DeletedDate ? { deletedDate: r.DeletedDate.toISOString() } : {}) };
    });
  }

  /** An SNS topic by ARN: its ARN when it exists (NotFound otherwise). */
  topic(region: string, arn: string): Promise<Observation<{ arn: string }>> {
    return this.call("SNS", `sns:${region}`, `sns:GetTopicAttributes:${arn}`, "sns:GetTopicAttributes", async (abortSignal, sdk) => {
      // The same client the monitoring layer uses in this region (one per service and region).
      const c = this.client("SNS", region, (config) => new sdk.SNSClient(config));
      const r = await c.send(new sdk.GetTopicAttributesCommand({ TopicArn: arn }), { abortSignal });
      return { arn: r.Attributes?.TopicArn ?? arn };
    });
  }

  /** Every IAM user (all pages). */
  users(): Promise<Observation<{ userName: string; arn: string; path: string }[]>> {
    return this.call("IAM", "iam", "iam:ListUsers", "iam:ListUsers", async (abortSignal, sdk) => {
      const out: { userName: string; arn: string; path: string }[] = [];
      let marker: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const r = await this.iam().send(new sdk.ListUsersCommand({ ...(marker ? { Marker: marker } : {}) }), { abortSignal });
        for (const u of r.Users ?? []) out.push({ userName: u.UserName ?? "?", arn: u.Arn ?? "?", path: u.Path ?? "/" });
        if (!r.IsTruncated || !r.Marker) break;
        marker = r.Marker;
      }
      return out;
    });
  }

  /** A user's policy documents (inline and attached), as JSON text, each named. */
  userPolicies(userName: string): Promise<Observation<{ source: string; document: string }[]>> {
    return this.call("IAM", "iam", `iam:UserPolicies:${userName}`, "iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, iam:GetPolicy and iam:GetPolicyVersion", async (abortSignal, sdk) => {
      const iam = this.iam();
      const out: { source: string; document: string }[] = [];
      const inline = await iam.send(new sdk.ListUserPoliciesCommand({ UserName: userName }), { abortSignal });
      for (const name of inline.PolicyNames ?? []) {
        const p = await iam.send(new sdk.GetUserPolicyCommand({ UserName: userName, PolicyName: name }), { abortSignal });
        out.push({ source: `inline ${name}`, document: decodeURIComponent(p.PolicyDocument ?? "{}") });
      }
      const attached = await iam.send(new sdk.ListAttachedUserPoliciesCommand({ UserName: userName }), { abortSignal });
      for (const a of attached.AttachedPolicies ?? []) {
        if (!a.PolicyArn) continue;
        const p = await iam.send(new sdk.GetPolicyCommand({ PolicyArn: a.PolicyArn }), { abortSignal });
        const version = p.Policy?.DefaultVersionId;
        if (!version) continue;
        const v = await iam.send(new sdk.GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: version }), { abortSignal });
        out.push({ source: `attached ${a.PolicyArn}`, document: decodeURIComponent(v.PolicyVersion?.Document ?? "{}") });
      }
      return out;
    });
  }

  callerAccount(): Promise<Observation<string>> {
    return this.call("STS", "sts", "sts:GetCallerIdentity", "sts:GetCallerIdentity", async (abortSignal, sdk) => {
      const r = await this.sts().send(new sdk.GetCallerIdentityCommand({}), { abortSignal });
      return r.Account ?? "?";
    });
  }

  destroy(): void {
    for (const c of [...this.sesClients.values(), ...this.secretClients.values(), ...this.otherClients.values(), this.iamClient, this.simulationClient, this.stsClient, this.route53Client]) c?.destroy();
  }
}
