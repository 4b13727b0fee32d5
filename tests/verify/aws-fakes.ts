/**
 * SES v2 for verify tests, in two transports over ONE state:
 *
 * - `installSesMock(fake)`: aws-sdk-client-mock on SESv2Client (in-process tests; the SDK's
 *   middleware, including retries, is bypassed);
 * - `startAwsFront(...)`: a loopback HTTP server speaking SES v2's REST JSON protocol (for the
 *   spawned CLI, via AWS_ENDPOINT_URL_SESV2, and for tests that need the SDK's real retry
 *   path). It also answers IAM SimulatePrincipalPolicy (moto answers it with HTTP 500) by
 *   evaluating the user's policies as moto holds them (iam-evaluator.ts), and forwards every
 *   other request to moto.
 *
 * Responses are shaped like the SES v2 API reference (GetAccount, GetEmailIdentity,
 * GetConfigurationSet, GetConfigurationSetEventDestinations, GetSuppressedDestination),
 * errors too: NotFoundException (404), AccessDeniedException (403),
 * TooManyRequestsException (429).
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import {
  type DkimSigningKeyLength,
  GetAccountCommand,
  type GetAccountResponse,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  type GetConfigurationSetEventDestinationsResponse,
  type GetConfigurationSetResponse,
  GetEmailIdentityCommand,
  type GetEmailIdentityResponse,
  GetSuppressedDestinationCommand,
  type GetSuppressedDestinationResponse,
  ListEmailIdentitiesCommand,
  NotFoundException,
  SESv2Client,
  SESv2ServiceException,
} from "@aws-sdk/client-sesv2";
import type { Manifest } from "../../lib/manifest";
import { EVENT_DESTINATION_NAME, PUBLISHED_EVENT_TYPES, SUPPRESSED_REASONS } from "../../lib/names";
import { type LoopbackHttpServer, serveOnLoopback } from "../sandbox/common";
import { type ContextEntry, evaluatePolicies, type PolicySource } from "./iam-evaluator";

export type SesOperation =
  | "GetAccount"
  | "GetEmailIdentity"
  | "GetConfigurationSet"
  | "GetConfigurationSetEventDestinations"
  | "GetSuppressedDestination"
  | "ListEmailIdentities";

export interface SesRegionState {
  account: GetAccountResponse;
  identities: Map<string, GetEmailIdentityResponse>;
  configurationSets: Map<string, GetConfigurationSetResponse>;
  eventDestinations: Map<string, GetConfigurationSetEventDestinationsResponse>;
  /** Account-level suppression list, by lowercased address. */
  suppressed: Map<string, GetSuppressedDestinationResponse>;
}

/** An error as SES sends it: the name is the error code. */
export interface SesError {
  name: "NotFoundException" | "AccessDeniedException" | "TooManyRequestsException" | "BadRequestException";
  status: number;
  message: string;
}

export interface SesCall {
  operation: SesOperation;
  region: string;
  /** The identity, configuration set or address asked about. */
  key: string;
}

const FIXED_DATE = new Date("2026-01-15T10:00:00Z");

/** A healthy SES account in every region the manifest uses, with the manifest's identities. */
export function healthySesState(m: Manifest): Map<string, SesRegionState> {
  const regions = new Map<string, SesRegionState>();
  const state = (region: string): SesRegionState => {
    let s = regions.get(region);
    if (!s) {
      s = {
        account: {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: "HEALTHY",
          ProductionAccessEnabled: true,
          SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 1_250 },
          SendingEnabled: true,
          SuppressionAttributes: { SuppressedReasons: [...SUPPRESSED_REASONS] },
          Details: {
            MailType: "TRANSACTIONAL",
            WebsiteURL: "https://example.com",
            ContactLanguage: "EN",
            UseCaseDescription: "Transactional mail and a Gmail send-as alias.",
            AdditionalContactEmailAddresses: [],
            ReviewDetails: { Status: "GRANTED", CaseId: "17000000001" },
          },
        },
        identities: new Map(),
        configurationSets: new Map(),
        eventDestinations: new Map(),
        suppressed: new Map(),
      };
      regions.set(region, s);
    }
    return s;
  };
  for (const d of m.domains) {
    for (const r of d.regions) {
      const s = state(r.region);
      s.identities.set(d.domain, {
        IdentityType: "DOMAIN",
        FeedbackForwardingStatus: true,
        VerifiedForSendingStatus: true,
        VerificationStatus: "SUCCESS",
        DkimAttributes: {
          SigningEnabled: true,
          Status: "SUCCESS",
          Tokens: [...r.dkimTokens],
          SigningHostedZone: r.signingHostedZone,
          SigningAttributesOrigin: "AWS_SES",
          NextSigningKeyLength: r.dkimSigningKeyLength as DkimSigningKeyLength,
          CurrentSigningKeyLength: r.dkimSigningKeyLength as DkimSigningKeyLength,
          LastKeyGenerationTimestamp: FIXED_DATE,
        },
        MailFromAttributes: {
          MailFromDomain: r.mailFromDomain,
          MailFromDomainStatus: "SUCCESS",
          BehaviorOnMxFailure: r.mailFromBehaviorOnMxFailure,
        },
        Policies: {},
        Tags: [{ Key: "managed-by", Value: "mail-infra" }],
        ConfigurationSetName: r.configurationSet,
        VerificationInfo: { LastCheckedTimestamp: FIXED_DATE, LastSuccessTimestamp: FIXED_DATE },
      });
      s.configurationSets.set(r.configurationSet, {
        ConfigurationSetName: r.configurationSet,
        DeliveryOptions: { TlsPolicy: r.tlsPolicy, MaxDeliverySeconds: 50_400 },
        ReputationOptions: { ReputationMetricsEnabled: true, LastFreshStart: FIXED_DATE },
        SendingOptions: { SendingEnabled: true },
        SuppressionOptions: { SuppressedReasons: [...SUPPRESSED_REASONS] },
        Tags: [{ Key: "managed-by", Value: "mail-infra" }],
      });
      s.eventDestinations.set(r.configurationSet, {
        EventDestinations: [
          {
            Name: EVENT_DESTINATION_NAME,
            Enabled: true,
            MatchingEventTypes: [...PUBLISHED_EVENT_TYPES],
            SnsDestination: { TopicArn: r.eventTopicArn },
          },
        ],
      });
    }
  }
  return regions;
}

/** The SES side of a world: state per region, an optional fault, a delay, and a call log. */
export class SesFake {
  readonly regions: Map<string, SesRegionState>;
  /** Every answer is held back this long (the benchmark's AWS latency). */
  delayMs = 0;
  /** Answer matching calls with this error instead (AccessDenied, throttling...). */
  fault?: { error: Omit<SesError, "message"> & { message?: string }; operations?: SesOperation[]; regions?: string[] };
  /** Answer every Nth request (N, 2N, ...) with TooManyRequestsException, as SES does when it throttles. */
  throttleEveryNth?: number;
  readonly calls: SesCall[] = [];
  /** Requests answered with a throttling error. */
  throttled = 0;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;

  constructor(manifest: Manifest) {
    this.regions = healthySesState(manifest);
  }

  region(region: string): SesRegionState {
    const s = this.regions.get(region);
    if (!s) throw new Error(`SesFake: no state for ${region}`);
    return s;
  }

  count(operation: SesOperation): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  /** The answer to one call, or the error SES would send. */
  async answer(operation: SesOperation, region: string, key: string): Promise<{ ok: true; body: object } | { ok: false; error: SesError }> {
    this.calls.push({ operation, region, key });
    const throttle = this.throttleEveryNth !== undefined && this.calls.length % this.throttleEveryNth === 0;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    } finally {
      this.inFlight -= 1;
    }
    if (throttle) {
      this.throttled += 1;
      return { ok: false, error: { name: "TooManyRequestsException", status: 429, message: "Too many requests have been made to the operation." } };
    }
    const f = this.fault;
    if (f && (!f.operations || f.operations.includes(operation)) && (!f.regions || f.regions.includes(region))) {
      const message =
        f.error.message ??
        (f.error.name === "AccessDeniedException"
          ? `User: arn:aws:iam::123456789012:user/verify-readonly is not authorized to perform: ses:${operation} on resource: arn:aws:ses:${region}:123456789012:*`
          : f.error.name === "TooManyRequestsException"
            ? "Too many requests have been made to the operation."
            : "error");
      return { ok: false, error: { ...f.error, message } };
    }
    const s = this.regions.get(region);
    const notFound = (what: string): { ok: false; error: SesError } => ({ ok: false, error: { name: "NotFoundException", status: 404, message: what } });
    switch (operation) {
      case "GetAccount":
        return s ? { ok: true, body: s.account } : { ok: true, body: { ...healthyAccountInSandbox() } };
      case "GetEmailIdentity": {
        const id = s?.identities.get(key);
        return id ? { ok: true, body: id } : notFound(`Email identity ${key} does not exist.`);
      }
      case "GetConfigurationSet": {
        const cs = s?.configurationSets.get(key);
        return cs ? { ok: true, body: cs } : notFound(`Configuration set <${key}> does not exist.`);
      }
      case "GetConfigurationSetEventDestinations": {
        const ev = s?.eventDestinations.get(key);
        return ev ? { ok: true, body: ev } : notFound(`Configuration set <${key}> does not exist.`);
      }
      case "ListEmailIdentities":
        // One page (the fake holds few identities), shaped like the SES v2 ListEmailIdentities response.
        return {
          ok: true,
          body: { EmailIdentities: [...(s?.identities ?? new Map<string, GetEmailIdentityResponse>())].map(([name, id]) => ({ IdentityName: name, IdentityType: id.IdentityType, SendingEnabled: true, VerificationStatus: id.VerificationStatus })) },
        };
      case "GetSuppressedDestination": {
        const sup = s?.suppressed.get(key.toLowerCase());
        return sup ? { ok: true, body: sup } : notFound(`Email address ${key} does not exist on your suppression list.`);
      }
    }
  }
}

/** A region nobody set up: a new account is in the sandbox. */
function healthyAccountInSandbox(): GetAccountResponse {
  return {
    EnforcementStatus: "HEALTHY",
    ProductionAccessEnabled: false,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
    DedicatedIpAutoWarmupEnabled: false,
  };
}

/** A suppression list entry as GetSuppressedDestination returns it. */
export function suppressedDestination(address: string, reason: "BOUNCE" | "COMPLAINT"): GetSuppressedDestinationResponse {
  return {
    SuppressedDestination: {
      EmailAddress: address,
      Reason: reason,
      LastUpdateTime: new Date("2026-03-02T08:30:00Z"),
      Attributes: { MessageId: "0100018e0a1b2c3d-11111111-2222-3333-4444-555555555555-000000", FeedbackId: "0100018e0a1b2c3e-66666666-7777-8888-9999-000000000000-000000" },
    },
  };
}

function sdkError(e: SesError): Error {
  const $metadata = { httpStatusCode: e.status, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
  if (e.name === "NotFoundException") return new NotFoundException({ message: e.message, $metadata });
  return new SESv2ServiceException({ name: e.name, $fault: e.status >= 500 ? "server" : "client", $metadata, message: e.message });
}

/**
 * aws-sdk-client-mock on every SESv2Client, answering from `fake`. Returns restore().
 * The region comes from the client the command is sent with.
 */
export function installSesMock(fake: SesFake): () => void {
  const stub = mockClient(SESv2Client);
  const handler =
    (operation: SesOperation, keyOf: (input: Record<string, unknown>) => string) =>
    async (input: Record<string, unknown>, getClient: () => { config: { region: unknown } }) => {
      const regionConfig = getClient().config.region;
      const region = String(typeof regionConfig === "function" ? await (regionConfig as () => Promise<string>)() : regionConfig);
      const a = await fake.answer(operation, region, keyOf(input));
      if (!a.ok) throw sdkError(a.error);
      return structuredClone(a.body);
    };
  stub.on(GetAccountCommand).callsFake(handler("GetAccount", () => ""));
  stub.on(GetEmailIdentityCommand).callsFake(handler("GetEmailIdentity", (i) => String(i.EmailIdentity)));
  stub.on(GetConfigurationSetCommand).callsFake(handler("GetConfigurationSet", (i) => String(i.ConfigurationSetName)));
  stub.on(GetConfigurationSetEventDestinationsCommand).callsFake(handler("GetConfigurationSetEventDestinations", (i) => String(i.ConfigurationSetName)));
  stub.on(GetSuppressedDestinationCommand).callsFake(handler("GetSuppressedDestination", (i) => String(i.EmailAddress)));
  stub.on(ListEmailIdentitiesCommand).callsFake(handler("ListEmailIdentities", () => ""));
  return () => stub.restore();
}

// ---------------------------------------------------------------------------------------
// The HTTP front: SES v2 REST JSON + IAM SimulatePrincipalPolicy + forward to moto
// ---------------------------------------------------------------------------------------

/** JSON as the REST JSON protocol writes it: timestamps as epoch seconds. */
function wireJson(body: object): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

const SES_ROUTES: { pattern: RegExp; operation: SesOperation }[] = [
  { pattern: /^\/v2\/email\/account$/, operation: "GetAccount" },
  { pattern: /^\/v2\/email\/identities\/([^/]+)$/, operation: "GetEmailIdentity" },
  // The API reference documents GET /v2/email/identities; the SDK here sends POST /v2/email/list-identities.
  { pattern: /^\/v2\/email\/(?:identities\/?|list-identities)$/, operation: "ListEmailIdentities" },
  { pattern: /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations$/, operation: "GetConfigurationSetEventDestinations" },
  { pattern: /^\/v2\/email\/configuration-sets\/([^/]+)$/, operation: "GetConfigurationSet" },
  { pattern: /^\/v2\/email\/suppression\/addresses\/([^/]+)$/, operation: "GetSuppressedDestination" },
];

/** The region from a SigV4 Authorization header's credential scope. */
function signedRegion(req: http.IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "us-east-1";
}

export interface SimulationBehaviour {
  /**
   * "evaluate" (default): answer from the user's policies as moto holds them, evaluated by
   * tests/verify/iam-evaluator.ts against the request's actions, resources and context.
   * "moto": forward to moto, which answers HTTP 500 as it does.
   */
  decision: "evaluate" | "moto";
  delayMs?: number;
  /** Every simulation request the fakes answered (to assert the exact question asked). */
  requests?: SimulationRequest[];
  /**
   * The principal's policies, read from moto once when the world is built (after its edits),
   * so answering adds no moto traffic while verify runs. Absent: read from moto per request.
   */
  policies?: PolicySource[];
}

/** A SimulatePrincipalPolicy request, as the fakes received it. */
export interface SimulationRequest {
  policySourceArn: string;
  actions: string[];
  resources: string[];
  context: ContextEntry[];
}

/** The SDK's SimulatePrincipalPolicy input, as much as the fakes read of it. */
export interface SimulateInput {
  PolicySourceArn?: string;
  ActionNames?: string[];
  ResourceArns?: string[];
  ContextEntries?: { ContextKeyName?: string; ContextKeyValues?: string[]; ContextKeyType?: string }[];
}

/** The user's inline and attached policy documents, read from moto (IAM's own API). */
export async function userPoliciesFromMoto(iam: IAMClient, userName: string): Promise<PolicySource[]> {
  const out: PolicySource[] = [];
  const decode = (d: string | undefined) => {
    const text = d ?? "{}";
    return text.trim().startsWith("{") ? text : decodeURIComponent(text);
  };
  const inline = await iam.send(new ListUserPoliciesCommand({ UserName: userName }));
  for (const name of inline.PolicyNames ?? []) {
    const p = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }));
    out.push({ id: name, document: decode(p.PolicyDocument) });
  }
  const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }));
  for (const a of attached.AttachedPolicies ?? []) {
    const p = await iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }));
    const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: p.Policy?.DefaultVersionId }));
    out.push({ id: a.PolicyName ?? a.PolicyArn ?? "?", document: decode(v.PolicyVersion?.Document) });
  }
  return out;
}

/**
 * SimulatePrincipalPolicy answered by evaluating the principal's policies (read from moto
 * through `iam`) against the request. The response is shaped as the SDK returns it.
 */
export async function simulateAgainstMoto(iam: IAMClient, input: SimulateInput, requests?: SimulationRequest[], known?: PolicySource[]) {
  const arn = input.PolicySourceArn ?? "";
  const userName = /:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
  if (!userName) throw Object.assign(new Error(`Invalid ARN: ${arn}`), { name: "InvalidInput" });
  const context = (input.ContextEntries ?? []).map((e) => ({ key: e.ContextKeyName ?? "", values: e.ContextKeyValues ?? [] }));
  requests?.push({ policySourceArn: arn, actions: input.ActionNames ?? [], resources: input.ResourceArns ?? [], context });
  const policies = known ?? (await userPoliciesFromMoto(iam, userName));
  const results = evaluatePolicies(policies, input.ActionNames ?? [], input.ResourceArns ?? [], context);
  return {
    IsTruncated: false,
    EvaluationResults: results.map((r) => ({
      EvalActionName: r.action,
      EvalResourceName: r.resource,
      EvalDecision: r.decision,
      MatchedStatements: r.matched.map((id) => ({ SourcePolicyId: id, SourcePolicyType: "IAM Policy" as const })),
      MissingContextValues: r.missingContextValues,
    })),
  };
}

/** The answer as IAM's query protocol writes it (XML). */
function simulateResponse(result: Awaited<ReturnType<typeof simulateAgainstMoto>>): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const members = result.EvaluationResults.map(
    (r) =>
      `<member><EvalActionName>${esc(r.EvalActionName)}</EvalActionName><EvalResourceName>${esc(r.EvalResourceName)}</EvalResourceName><EvalDecision>${r.EvalDecision}</EvalDecision>` +
      `<MatchedStatements>${r.MatchedStatements.map((m) => `<member><SourcePolicyId>${esc(m.SourcePolicyId)}</SourcePolicyId><SourcePolicyType>${m.SourcePolicyType}</SourcePolicyType></member>`).join("")}</MatchedStatements>` +
      `<MissingContextValues>${r.MissingContextValues.map((k) => `<member>${esc(k)}</member>`).join("")}</MissingContextValues></member>`,
  );
  return (
    `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult>` +
    `<IsTruncated>false</IsTruncated><EvaluationResults>${members.join("")}</EvaluationResults></SimulatePrincipalPolicyResult>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`
  );
}

/** The form-encoded SimulatePrincipalPolicy request as the SDK input shape. */
function simulateInputOf(form: URLSearchParams): SimulateInput {
  const members = (prefix: string) =>
    [...form.entries()]
      .filter(([k]) => new RegExp(`^${prefix}\\.member\\.\\d+$`).test(k))
      .sort(([a], [b]) => Number(a.split(".").pop()) - Number(b.split(".").pop()))
      .map(([, v]) => v);
  const entries: NonNullable<SimulateInput["ContextEntries"]> = [];
  for (let i = 1; form.has(`ContextEntries.member.${i}.ContextKeyName`); i++) {
    entries.push({
      ContextKeyName: form.get(`ContextEntries.member.${i}.ContextKeyName`) ?? "",
      ContextKeyType: form.get(`ContextEntries.member.${i}.ContextKeyType`) ?? undefined,
      ContextKeyValues: members(`ContextEntries\\.member\\.${i}\\.ContextKeyValues`),
    });
  }
  return { PolicySourceArn: form.get("PolicySourceArn") ?? "", ActionNames: members("ActionNames"), ResourceArns: members("ResourceArns"), ContextEntries: entries };
}

/** requests() counts what reached the front (SES and IAM). */
export type AwsFront = LoopbackHttpServer;

/**
 * One loopback endpoint for SES v2 (REST JSON from `fake`) and IAM (SimulatePrincipalPolicy
 * per `simulation`, everything else forwarded to `upstream`, normally the moto proxy).
 */
export async function startAwsFront(fake: SesFake, upstream: string, simulation: SimulationBehaviour = { decision: "evaluate" }, policyEndpoint = upstream): Promise<AwsFront> {
  const target = new URL(upstream);
  // The front reads the user's policies from moto as any IAM client would (`policyEndpoint`:
  // moto's own endpoint, so a test's throttling or delays apply to verify's calls, not to this read).
  const iam = new IAMClient({
    endpoint: policyEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAAWSFRONTREADER00", secretAccessKey: "aws-front-reads-moto-not-a-real-secret" },
    maxAttempts: 1,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let count = 0;
  const server = http.createServer((req, res) => {
    count += 1;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const path = (req.url ?? "/").split("?")[0];
        const route = SES_ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
        if (route && (req.method === "GET" || route.r.operation === "ListEmailIdentities")) {
          const a = await fake.answer(route.r.operation, signedRegion(req), decodeURIComponent(route.m?.[1] ?? ""));
          const json = a.ok ? wireJson(a.body) : JSON.stringify({ message: a.error.message });
          res.writeHead(a.ok ? 200 : a.error.status, {
            "content-type": "application/json",
            "x-amzn-requestid": randomUUID(),
            ...(a.ok ? {} : { "x-amzn-errortype": `${a.error.name}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` }),
          });
          res.end(json);
          return;
        }
        const form = String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(body.toString("utf8")) : undefined;
        if (form?.get("Action") === "SimulatePrincipalPolicy" && simulation.decision !== "moto") {
          if (simulation.delayMs) await new Promise((r) => setTimeout(r, simulation.delayMs));
          try {
            const result = await simulateAgainstMoto(iam, simulateInputOf(form), simulation.requests, simulation.policies);
            res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() });
            res.end(simulateResponse(result));
          } catch (e) {
            const err = e as Error & { $metadata?: { httpStatusCode?: number } };
            const [status, type, code] = err.name === "InvalidInput" ? [400, "Sender", "InvalidInput"] : err.name === "NoSuchEntityException" ? [404, "Sender", "NoSuchEntity"] : [500, "Receiver", "ServiceFailure"];
            res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() });
            res.end(`<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${err.message.replace(/[<&>]/g, "")}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
          }
          return;
        }
        const forward = http.request(
          { host: target.hostname, port: Number(target.port), method: req.method, path: req.url, headers: req.headers, agent },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
            up.pipe(res);
          },
        );
        forward.on("error", (e) => {
          if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
          res.end(`aws front: ${e.message}`);
        });
        forward.end(body);
      })();
    });
  });
  return serveOnLoopback(server, () => count, () => {
    agent.destroy();
    iam.destroy();
  });
}
