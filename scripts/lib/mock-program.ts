/**
 * Run the real Pulumi program under Pulumi's mocks, with no CLI, credentials or network,
 * and record every resource it declares (type, URN, parent, inputs) and its stack outputs.
 *
 * Mocks' newResource receives only type, name, inputs, provider and id (MockResourceArgs), so the
 * resource options are read from the registration request itself: the mock monitor's
 * registerResource is wrapped and records, per resource, what the engine's resource monitor would
 * receive (protect, retainOnDelete, deleteBeforeReplace, dependencies, aliases, import,
 * ignoreChanges, additionalSecretOutputs, customTimeouts, propertyDependencies, provider).
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
import { lastOutputValue } from "../../lib/last-deployment";
import { redact } from "../../lib/redact";
import { type MockContext, mockSecretAccessKey, resourceKind } from "../../lib/resource-kinds";

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
   * For each input property, the URNs (engine form) of the resources its value came from (the
   * request's propertyDependencies; the engine keeps them in its state and hands them to stack
   * policies).
   */
  propertyDependencies: Record<string, string[]>;
  /**
   * The provider the engine runs a custom resource with: the explicit one, else the default
   * provider it registers per package and version (absent for components).
   */
  provider?: RecordedProvider;
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
  /** Whether the program set `deleteBeforeReplace` at all (the engine passes it on only then). */
  deleteBeforeReplaceDefined: boolean;
  /** Input properties whose changes the engine ignores in its diff (`ignoreChanges`). */
  ignoreChanges: string[];
  /** Outputs the engine stores as secrets (`additionalSecretOutputs`). */
  additionalSecretOutputs: string[];
  /** `customTimeouts` in seconds, as the engine stores them (0 = the provider's default). */
  customTimeouts: { createSeconds: number; updateSeconds: number; deleteSeconds: number };
}

/** The options of a registration that sets none (the engine's defaults). */
export function noOptions(): ResourceOptionsRecord {
  return {
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    deleteBeforeReplaceDefined: false,
    dependsOn: [],
    aliases: [],
    ignoreChanges: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  };
}

/** A provider resource as the engine hands it to policies (AnalyzerProviderResource). */
export interface RecordedProvider {
  urn: string;
  type: string;
  name: string;
  /** The provider's inputs: for a default provider, the package's stack config and `version`. */
  inputs: Record<string, unknown>;
}

/**
 * Stands in for the engine and the provider when set (tests/engine): called once per custom
 * resource, with its URN, inputs and options, and returns the id and state the program then
 * sees, as the engine returns them from its step (create, update, same, ...).
 */
export type RegisterHook = (r: RecordedResource) => { id: string | undefined; state: Record<string, unknown> };

export interface ProgramRun {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Names of stack outputs that are Pulumi secrets. */
  secretOutputs: string[];
}

export { mockSecretAccessKey };

/** What the mock provider knows about a resource when it makes up what AWS would assign. */
function mockContext(name: string, inputs: Record<string, unknown>, stack: string): MockContext {
  const region = typeof inputs.region === "string" ? inputs.region : "us-east-1";
  return { name, inputs, region, stack, account: MOCK_ACCOUNT_ID, placeholder: PLACEHOLDER };
}

/** The state AWS would assign to a resource (lib/resource-kinds.ts, per type): ARNs, DKIM tokens, ... */
export function mockState(type: string, name: string, inputs: Record<string, unknown>, stack: string): Record<string, unknown> {
  return resourceKind(type)?.mockState?.(mockContext(name, inputs, stack)) ?? {};
}

function mockId(type: string, name: string, inputs: Record<string, unknown>): string {
  return resourceKind(type)?.mockId?.(mockContext(name, inputs, "")) ?? `${name}-${PLACEHOLDER}-id`;
}

/** Pulumi's wire marker for a secret value (what the engine sees for pulumi.secret inputs). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Replace every secret-marked value with "[secret]", for printing (lib/redact.ts). */
export function redactSecrets(v: unknown): unknown {
  return redact(v, [], isSecretValue);
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
  hasProtect(): boolean;
  getRetainondelete(): boolean;
  hasRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getDependenciesList(): string[];
  getAliasesList(): AliasMessage[];
  getAliasurnsList(): string[];
  getImportid(): string;
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getPropertydependenciesMap(): { entries(): Iterable<[string, { getUrnsList(): string[] }]> } | undefined;
  getProvider(): string;
  getVersion(): string;
}
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: (err: unknown, res: { getUrn(): string } | undefined) => void): Promise<void>;
  registerResourceOutputs(req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined }, callback: (err: unknown, res: unknown) => void): void;
}

/** Go's time.ParseDuration units, in seconds. */
const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Seconds of a Go duration string ("5m", "1h30m", "1.5s"), as the engine parses a custom timeout
 * (time.ParseDuration; "" is unset, 0). Throws on what Go refuses, naming `where`.
 */
export function durationSeconds(text: string, where: string): number {
  if (text === "") return 0;
  const m = /^([-+]?)(.*)$/.exec(text) as RegExpExecArray;
  const body = m[2] ?? "";
  if (body === "0") return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < body.length) {
    part.lastIndex = at;
    const p = part.exec(body);
    if (!p) break;
    total += Number(p[1]) * (DURATION_UNITS[p[2] ?? ""] ?? 0);
    at = part.lastIndex;
  }
  if (body === "" || at !== body.length) throw new Error(`${where}: "${text}" is not a duration (use Go's form, e.g. "5m" or "1h30m"); the engine refuses it with "unable to parse customTimeout Value".`);
  return m[1] === "-" ? -total : total;
}

/**
 * The default provider the engine registers for a package and version (pulumi/pulumi
 * pkg/resource/deploy/default_providers.go newRegisterDefaultProviderEvent): named
 * `default_<major>_<minor>_<patch>[_<pre>…][_<build>…]` (providers/provider.go DefaultName), with
 * the package's stack config (keys without the package prefix; Target.GetPackageConfig) and
 * `version` (registry.go SetProviderVersion) as inputs.
 */
export function defaultProvider(resourceType: string, version: string, stack: string, config: Record<string, string>): RecordedProvider {
  const pkg = resourceType.split(":")[0] ?? "";
  const semver = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
  const suffix = semver
    ? [semver[1], semver[2], semver[3], ...(semver[4]?.split(".") ?? []), ...(semver[5]?.split(".") ?? [])].map((x) => `_${x}`).join("")
    : "";
  const name = `default${suffix}`;
  const type = `pulumi:providers:${pkg}`;
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${pkg}:`)) inputs[key.slice(pkg.length + 1)] = value;
  }
  if (semver) inputs.version = version.replace(/^v/, "");
  return { urn: `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`, type, name, inputs };
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
  /**
   * The SMTP user's access keys as IAM lists them (the getAccessKeys invoke). Absent: the keys
   * the last deployment's outputs record (current, and the previous one unless retired).
   */
  liveAccessKeys?: readonly { accessKeyId: string; status: string; createDate?: string }[];
  /** An engine model deciding each custom resource's state (see RegisterHook); not with `preview`. */
  register?: RegisterHook;
}): Promise<ProgramRun> {
  const { stack } = opts;
  const preview = opts.preview ?? false;
  const byName = new Map<string, RecordedResource>();
  /** The same records by URN (engine form): component outputs and explicit providers are found by URN. */
  const byUrn = new Map<string, RecordedResource>();
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
          if (custom && opts.register) {
            const decided = opts.register(existing);
            existing.state = decided.state;
            existing.id = decided.id;
            return decided;
          }
        }
        return { id, state };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/${PLACEHOLDER}`, userId: PLACEHOLDER };
          case "aws:iam/getAccessKeys:getAccessKeys": {
            // IAM as the last deployment left it (its recorded keys), unless the test says otherwise.
            const user = String((args.inputs as Record<string, unknown>).user ?? "");
            const keys = opts.liveAccessKeys ?? recordedAccessKeys(opts.lastOutputs);
            return { id: user, user, accessKeys: keys.map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createDate: k.createDate ?? "2026-01-15T10:00:00Z" })) };
          }
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
  const explicitProviders = new Map<RecordedResource, string>();
  const goalByMockUrn = new Map<string, { protect?: boolean; retainOnDelete?: boolean }>();
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
    const timeouts = req.getCustomtimeouts();
    // Unset protect and retainOnDelete are inherited from the parent's goal (pulumi/pulumi
    // pkg/resource/deploy/source_eval.go inheritFromParent, called for every registration).
    const parentGoal = parentMock ? goalByMockUrn.get(parentMock) : undefined;
    const protect = req.hasProtect() ? req.getProtect() : parentGoal?.protect;
    const retainOnDelete = req.hasRetainondelete() ? req.getRetainondelete() : parentGoal?.retainOnDelete;
    const options: ResourceOptionsRecord = {
      protect: protect ?? false,
      retainOnDelete: retainOnDelete ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
      dependsOn: [...new Set(req.getDependenciesList().map(engineUrn))].sort(),
      aliases: [...req.getAliasesList().map(aliasUrn), ...req.getAliasurnsList().map(engineUrn)],
      ...(req.getImportid() ? { importId: req.getImportid() } : {}),
      ignoreChanges: req.getIgnorechangesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      // The engine stores each as seconds, parsed with Go's time.ParseDuration (pulumi/pulumi
      // pkg/resource/deploy/source_eval.go generateTimeoutInSeconds).
      customTimeouts: {
        createSeconds: durationSeconds(timeouts?.getCreate() ?? "", `${name}: customTimeouts.create`),
        updateSeconds: durationSeconds(timeouts?.getUpdate() ?? "", `${name}: customTimeouts.update`),
        deleteSeconds: durationSeconds(timeouts?.getDelete() ?? "", `${name}: customTimeouts.delete`),
      },
    };
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, deps] of req.getPropertydependenciesMap()?.entries() ?? []) {
      propertyDependencies[key] = [...new Set(deps.getUrnsList().map(engineUrn))].sort();
    }
    const record: RecordedResource = { urn, type, name, custom: req.getCustom(), inputs: {}, state: {}, options, propertyDependencies };
    if (parentMock) record.parent = urnByMockUrn.get(parentMock);
    if (req.getCustom() && !type.startsWith("pulumi:providers:")) {
      const ref = req.getProvider();
      if (ref) explicitProviders.set(record, ref);
      else record.provider = defaultProvider(type, req.getVersion(), stack, opts.config);
    }
    byName.set(`${type}::${name}`, record);
    byUrn.set(urn, record);
    return original(req, (err, res) => {
      if (res) {
        qualifiedTypeByMockUrn.set(res.getUrn(), qualified);
        goalByMockUrn.set(res.getUrn(), { protect, retainOnDelete });
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
    const record = urn === undefined ? undefined : byUrn.get(urn);
    if (record && !record.custom) record.outputs = req.getOutputs()?.toJavaScript() ?? {};
    return registerOutputs(req, callback);
  };

  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  // The SDK formats a stack trace for every promise it wraps (runtime/debuggable.js
  // debuggablePromise: `new Error().stack`, kept on the promise for its leak report), four per
  // output property of every resource (rpc.js transferProperties), and the resource keeps them as
  // long as it lives: with 1,000 domains that was most of the run's time and a large share of its
  // memory (docs/architecture.md, "A thousand domains in one stack"). Under mocks nothing reads
  // them, so the run takes no frames; Resource.callsites (source positions) raises the limit
  // itself. Restored afterwards; an error thrown by the program carries its message, not frames
  // (MAIL_INFRA_STACK_TRACES=1 keeps them, for debugging the program).
  const stackTraceLimit = Error.stackTraceLimit;
  if (process.env.MAIL_INFRA_STACK_TRACES !== "1") Error.stackTraceLimit = 0;
  try {
    const exported = await opts.program();
    for (const [key, value] of Object.entries(exported)) {
      if (value === undefined) continue;
      if (pulumi.Output.isInstance(value)) {
        outputs[key] = preview ? await resolveOrUnknown(value) : await resolveOutput(value);
        if (await pulumi.isSecret(value)) secretOutputs.push(key);
      } else outputs[key] = value;
    }
    // Wait for every outstanding registration (some wait on other outputs) before reading them.
    await pulumi.runtime.disconnect();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  // An explicit provider is a reference "<urn>::<id>" to a provider resource of this run.
  for (const [record, ref] of explicitProviders) {
    const providerUrn = urnByMockUrn.get(ref.slice(0, ref.lastIndexOf("::"))) ?? ref.slice(0, ref.lastIndexOf("::"));
    const p = byUrn.get(providerUrn);
    record.provider = { urn: providerUrn, type: p?.type ?? providerUrn.split("::")[2] ?? "", name: p?.name ?? providerUrn.split("::")[3] ?? "", inputs: p?.inputs ?? {} };
  }
  return { stack, resources: [...byName.values()], outputs, secretOutputs };
}

/** The keys a last deployment's `verification` output records as existing: what IAM holds when nothing went wrong. */
export function recordedAccessKeys(lastOutputs: Record<string, unknown> | undefined): { accessKeyId: string; status: string; createDate?: string }[] {
  const v = lastOutputs?.verification;
  const m = lastOutputValue(v) as { smtp?: { accessKeyId?: string; previousKey?: { accessKeyId?: string; state?: string } } } | null | undefined;
  if (typeof m !== "object" || m === null) return [];
  const out: { accessKeyId: string; status: string }[] = [];
  if (m?.smtp?.accessKeyId) out.push({ accessKeyId: m.smtp.accessKeyId, status: "Active" });
  const p = m?.smtp?.previousKey;
  if (p?.accessKeyId && p.state !== "retired") out.push({ accessKeyId: p.accessKeyId, status: p.state === "inactive" ? "Inactive" : "Active" });
  return out;
}
