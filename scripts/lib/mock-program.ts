/**
 * Run the real Pulumi program under Pulumi's mocks, with no CLI, credentials or network,
 * and record every resource it declares (type, URN, parent, inputs) and its stack outputs.
 * `plan`, `policy` and the tests all use this one harness.
 *
 * Mocked values (ids, ARNs, DKIM tokens, the access key) are marked as placeholders.
 *
 * With `preview`, the run is what a first `pulumi preview` sees: the mocks return no value AWS
 * assigns (no id, ARN, DKIM token, fqdn), so the runtime leaves those outputs unknown, and so is
 * every input built from them. The recorded inputs and state hold the engine's unknown marker
 * (UNKNOWN) where a value is unknown, as the policy analyzer receives them.
 */
import type { Output } from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { PROJECT } from "../../lib/config";

/** The engine's wire marker for an unknown value (what a policy's props hold during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const MOCK_ACCOUNT_ID = "123456789012";
export const PLACEHOLDER = "placeholder";
/** The organization name a DIY (file, S3) backend reports. */
export const MOCK_ORGANIZATION = "organization";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** Inputs as the program declared them (what a policy sees as props). */
  inputs: Record<string, unknown>;
  /** Inputs plus the mocked provider outputs. */
  state: Record<string, unknown>;
  id?: string;
  /** The resource options the program passed (what the engine would act on). */
  options: ResourceOptionsRecord;
  /**
   * A component's registered outputs (registerOutputs), as the engine keeps them in its state
   * and hands them to stack policies; UNKNOWN where a value is unknown (preview).
   */
  outputs?: Record<string, unknown>;
}

/** The resource options a registration carries that decide what a delete or replace does. */
export interface ResourceOptionsRecord {
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  /** URNs (engine form) of the explicit and implied dependencies. */
  dependsOn: string[];
  /**
   * The URNs this resource was known by before: its own `aliases` (the engine adds, beyond
   * these, the ones a child inherits from an aliased parent).
   */
  aliases: string[];
  /** The id of an existing cloud object to adopt (`import`), when set. */
  importId?: string;
}

export interface ProgramRun {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Names of stack outputs that are Pulumi secrets. */
  secretOutputs: string[];
}

/** A deterministic placeholder access key secret, so tests can search output for it. */
export function mockSecretAccessKey(stack: string, name: string): string {
  return `MOCKSECRET${createHash("sha256").update(`${stack}/${name}`).digest("base64").slice(0, 30)}`;
}

function placeholderTokens(region: string, domain: string): string[] {
  const h = createHash("sha256").update(domain).digest("hex").slice(0, 6);
  return [1, 2, 3].map((i) => `${PLACEHOLDER}${i}-${h}-${region}`);
}

function mockState(type: string, name: string, inputs: Record<string, unknown>, stack: string): Record<string, unknown> {
  const region = typeof inputs.region === "string" ? inputs.region : "us-east-1";
  switch (type) {
    case "aws:sesv2/emailIdentity:EmailIdentity": {
      const domain = String(inputs.emailIdentity);
      const dkim = (inputs.dkimSigningAttributes ?? {}) as Record<string, unknown>;
      return {
        arn: `arn:aws:ses:${region}:${MOCK_ACCOUNT_ID}:identity/${domain}`,
        identityType: "DOMAIN",
        verifiedForSendingStatus: false,
        dkimSigningAttributes: {
          ...dkim,
          tokens: placeholderTokens(region, domain),
          status: "PENDING",
          signingAttributesOrigin: "AWS_SES",
          currentSigningKeyLength: dkim.nextSigningKeyLength ?? "RSA_2048_BIT",
        },
      };
    }
    case "aws:sesv2/configurationSet:ConfigurationSet":
      return { arn: `arn:aws:ses:${region}:${MOCK_ACCOUNT_ID}:configuration-set/${String(inputs.configurationSetName)}` };
    case "aws:sns/topic:Topic":
      return { arn: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${String(inputs.name ?? name)}` };
    case "aws:iam/user:User":
      return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user${String(inputs.path ?? "/")}${String(inputs.name ?? name)}`, uniqueId: "AIDAPLACEHOLDER" };
    case "aws:iam/accessKey:AccessKey":
      return { secret: mockSecretAccessKey(stack, name), status: "Active" };
    case "aws:secretsmanager/secret:Secret":
      return { arn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${String(inputs.name ?? name)}-PlAcEh` };
    case "aws:route53/record:Record":
      return { fqdn: inputs.name };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { arn: `arn:aws:cloudwatch:${region}:${MOCK_ACCOUNT_ID}:alarm:${String(inputs.name ?? name)}` };
    case "aws:cloudwatch/eventRule:EventRule":
      return { arn: `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:rule/${String(inputs.name ?? name)}` };
    case "aws:sns/topicSubscription:TopicSubscription":
      return { arn: `${String(inputs.topic)}:${PLACEHOLDER}`, pendingConfirmation: true };
    case "aws:s3/bucket:Bucket":
      return { arn: `arn:aws:s3:::${String(inputs.bucket ?? name)}`, bucket: inputs.bucket ?? name };
    case "aws:cloudtrail/trail:Trail":
      return { arn: `arn:aws:cloudtrail:${region}:${MOCK_ACCOUNT_ID}:trail/${String(inputs.name ?? name)}` };
    // The watch (issue 19): ARNs as AWS builds them from the names.
    case "aws:lambda/function:Function":
      return { arn: `arn:aws:lambda:${region}:${MOCK_ACCOUNT_ID}:function:${String(inputs.name ?? name)}` };
    case "aws:sqs/queue:Queue":
      return { arn: `arn:aws:sqs:${region}:${MOCK_ACCOUNT_ID}:${String(inputs.name ?? name)}`, url: `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${String(inputs.name ?? name)}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:${String(inputs.name ?? name)}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${String(inputs.name ?? name)}` };
    case "aws:scheduler/schedule:Schedule":
      return { arn: `arn:aws:scheduler:${region}:${MOCK_ACCOUNT_ID}:schedule/default/${String(inputs.name ?? name)}` };
    default:
      return {};
  }
}

function mockId(type: string, name: string, inputs: Record<string, unknown>): string {
  switch (type) {
    case "aws:iam/accessKey:AccessKey":
      return `AKIA${createHash("sha256").update(name).digest("hex").slice(0, 16).toUpperCase()}`;
    case "aws:secretsmanager/secret:Secret":
      return String(mockState(type, name, inputs, "").arn);
    case "aws:iam/user:User":
      return String(inputs.name ?? name);
    case "aws:s3/bucket:Bucket":
    case "aws:cloudwatch/eventRule:EventRule":
      return String(inputs.bucket ?? inputs.name ?? name);
    default:
      return `${name}-${PLACEHOLDER}-id`;
  }
}

/** Pulumi's wire marker for a secret value (what the engine sees for pulumi.secret inputs). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Replace every secret-marked value with "[secret]", for printing. */
export function redactSecrets(v: unknown): unknown {
  if (isSecretValue(v)) return "[secret]";
  if (Array.isArray(v)) return v.map(redactSecrets);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactSecrets(x)]));
  return v;
}

/** Replace every secret-marked value with its plain value, as a policy pack receives props. */
export function unwrapSecrets(v: unknown): unknown {
  if (isSecretValue(v)) return unwrapSecrets(v.value);
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  return v;
}

/** Replace the runtime's Unknown values (what mocks receive in preview) with the wire marker. */
function markUnknowns(v: unknown, isUnknown: (x: unknown) => boolean): unknown {
  if (isUnknown(v)) return UNKNOWN;
  if (Array.isArray(v)) return v.map((x) => markUnknowns(x, isUnknown));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markUnknowns(x, isUnknown)]));
  return v;
}

/**
 * The state a preview has: the inputs, and `unknown` (UNKNOWN by default) for every value the
 * provider would assign (each leaf of the mocked outputs that is not an input's own value, e.g.
 * dkimSigningAttributes.tokens next to the known nextSigningKeyLength).
 */
export function previewState(inputs: Record<string, unknown>, assigned: Record<string, unknown>, unknown: unknown = UNKNOWN): Record<string, unknown> {
  const overlay = (input: unknown, output: unknown): unknown => {
    if (output !== null && typeof output === "object" && !Array.isArray(output)) {
      const base = input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
      return {
        ...base,
        ...Object.fromEntries(Object.entries(output).map(([k, x]) => [k, overlay(base[k], x)])),
      };
    }
    return input !== undefined && JSON.stringify(input) === JSON.stringify(output) ? input : unknown;
  };
  return overlay(inputs, assigned) as Record<string, unknown>;
}

/** The request shape the mock monitor's registerResource receives (a gRPC message). */
interface AliasSpecMessage {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface AliasMessage {
  getUrn(): string;
  getSpec(): AliasSpecMessage | undefined;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
  getAliasesList(): AliasMessage[];
  getAliasurnsList(): string[];
  getImportid(): string;
}
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: (err: unknown, res: { getUrn(): string } | undefined) => void): Promise<void>;
  registerResourceOutputs(req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined }, callback: (err: unknown, res: unknown) => void): void;
}

/** The value of an Output once known (without `preview`, every value under mocks becomes known). */
export function resolveOutput<T>(o: Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** The value of an Output, or UNKNOWN when it is unknown (a preview). */
async function resolveOrUnknown<T>(o: Output<T>): Promise<T | typeof UNKNOWN> {
  // Output's isKnown is internal to @pulumi/pulumi's types but present on every instance.
  const known = await (o as unknown as { isKnown: Promise<boolean> }).isKnown;
  return known ? resolveOutput(o) : UNKNOWN;
}

/**
 * Run `program` (the default export of index.ts) with `config` (full keys, Pulumi's string
 * values). Resolves once every declared resource and every stack output is known.
 */
export async function runProgramUnderMocks(opts: {
  stack: string;
  config: Record<string, string>;
  program: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  preview?: boolean;
  /**
   * The stack's outputs as its last deployment left them, which the program reads through a
   * StackReference to its own stack. Absent: a first deployment (no outputs).
   */
  lastOutputs?: Record<string, unknown>;
}): Promise<ProgramRun> {
  const { stack } = opts;
  const preview = opts.preview ?? false;
  const byName = new Map<string, RecordedResource>();
  // Loaded here, not at the top: plan's --help and usage errors never pay for @pulumi/pulumi.
  const pulumi = await import("@pulumi/pulumi");

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        if (args.type === "pulumi:pulumi:StackReference") {
          // A read of a stack's outputs (the engine's builtin provider): not a declared resource.
          if (inputs.name !== `${MOCK_ORGANIZATION}/${PROJECT}/${stack}`) throw new Error(`mail-infra mock: no stack ${String(inputs.name)} to reference`);
          return { id: String(inputs.name), state: { name: inputs.name, outputs: opts.lastOutputs ?? {}, secretOutputNames: [] } };
        }
        const custom = args.custom !== false;
        const assigned = custom ? mockState(args.type, args.name, inputs, stack) : {};
        const state = custom ? { ...inputs, ...assigned } : {};
        const id = custom ? mockId(args.type, args.name, inputs) : undefined;
        const existing = byName.get(`${args.type}::${args.name}`);
        if (preview) {
          // As a first preview: nothing AWS assigns is known (the runtime leaves what the mock does not return unknown).
          const marked = markUnknowns(inputs, (x) => pulumi.isUnknown(x)) as Record<string, unknown>;
          if (existing) {
            existing.inputs = marked;
            existing.state = custom ? previewState(marked, assigned) : {};
            existing.custom = custom;
          }
          // The runtime's own unknown value: serialised as the engine's marker, so it stays unknown in the program.
          return { id: undefined, state: custom ? previewState(inputs, assigned, pulumi.unknown) : {} };
        }
        if (existing) {
          existing.inputs = inputs;
          existing.state = state;
          existing.id = id;
          existing.custom = custom;
        }
        return { id, state };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/${PLACEHOLDER}`, userId: PLACEHOLDER };
          case "aws:route53/getZone:getZone": {
            const zoneName = String((args.inputs as Record<string, unknown>).name ?? "");
            const h = createHash("sha256").update(zoneName).digest("hex").slice(0, 10).toUpperCase();
            return { zoneId: `Z${h}PLACEHOLDER`, name: zoneName, id: `Z${h}PLACEHOLDER` };
          }
          default:
            throw new Error(`mail-infra mock: no mock for ${args.token}`);
        }
      },
    },
    PROJECT,
    stack,
    preview,
    MOCK_ORGANIZATION,
  );
  pulumi.runtime.setAllConfig(opts.config);

  // Record URNs with the full parent type chain, as the Pulumi engine builds them (the mock
  // monitor keeps only the direct parent type).
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const original = monitor.registerResource.bind(monitor);
  const qualifiedTypeByMockUrn = new Map<string, string>();
  const urnByMockUrn = new Map<string, string>();
  monitor.registerResource = (req, callback) => {
    const type = req.getType();
    const name = req.getName();
    const parentMock = req.getParent();
    const qualified = parentMock ? `${qualifiedTypeByMockUrn.get(parentMock) ?? ""}$${type}` : type;
    const urn = `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
    const engineUrn = (mock: string): string => urnByMockUrn.get(mock) ?? mock;
    const aliasUrn = (a: AliasMessage): string => {
      const spec = a.getSpec();
      if (!spec) return engineUrn(a.getUrn());
      const aliasType = spec.getType() || type;
      const parent = spec.getNoparent() ? "" : spec.getParenturn() || parentMock;
      // A parent given as an engine URN (not one of this run's) carries its qualified type.
      const parentType = parent ? (qualifiedTypeByMockUrn.get(parent) ?? parent.split("::")[2] ?? "") : "";
      const aliasQualified = parent ? `${parentType}$${aliasType}` : aliasType;
      return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || PROJECT}::${aliasQualified}::${spec.getName() || name}`;
    };
    const options: ResourceOptionsRecord = {
      protect: req.getProtect(),
      retainOnDelete: req.getRetainondelete(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      dependsOn: [...new Set(req.getDependenciesList().map(engineUrn))].sort(),
      aliases: [...req.getAliasesList().map(aliasUrn), ...req.getAliasurnsList().map(engineUrn)],
      ...(req.getImportid() ? { importId: req.getImportid() } : {}),
    };
    const record: RecordedResource = { urn, type, name, custom: req.getCustom(), inputs: {}, state: {}, options };
    if (parentMock) record.parent = urnByMockUrn.get(parentMock);
    byName.set(`${type}::${name}`, record);
    return original(req, (err, res) => {
      if (res) {
        qualifiedTypeByMockUrn.set(res.getUrn(), qualified);
        urnByMockUrn.set(res.getUrn(), urn);
      }
      callback(err, res);
    });
  };

  // Component outputs, as the engine records them for stack policies (the mock monitor keeps them
  // only on its own copy of the resource).
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const urn = urnByMockUrn.get(req.getUrn());
    const record = [...byName.values()].find((r) => r.urn === urn);
    if (record && !record.custom) record.outputs = req.getOutputs()?.toJavaScript() ?? {};
    return registerOutputs(req, callback);
  };

  const exported = await opts.program();
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(exported)) {
    if (value === undefined) continue;
    if (pulumi.Output.isInstance(value)) {
      outputs[key] = preview ? await resolveOrUnknown(value) : await resolveOutput(value);
      if (await pulumi.isSecret(value)) secretOutputs.push(key);
    } else outputs[key] = value;
  }
  // Wait for every outstanding registration (some wait on other outputs) before reading them.
  await pulumi.runtime.disconnect();
  return { stack, resources: [...byName.values()], outputs, secretOutputs };
}
