/**
 * The fault matrix: the verify CLI, spawned as users run it with a short --timeout, against
 * the loopback world with one part broken at a time. Every case must end with the right
 * verdict for the right layer (inconclusive when a check could not be made, fail when the
 * answer itself is bad), a reason that names the cause, the report printed, exit code 1, no
 * stack trace, no false pass of the broken layer, the other layers still passing, and well
 * before 3x the run's own deadline (proof that it did not hang; the 150 s silent-AWS hang).
 *
 * DNS: a slow server (answers after the budget), SERVFAIL, NXDOMAIN (the domain does not
 * exist), a silent server. SMTP: refused, silent, 535, an untrusted certificate. AWS (every
 * service pointed at one fault): AccessDenied, throttling, 503, a silent endpoint, no
 * credentials. And in-process: the run deadline turns everything still pending into
 * "deadline reached" (the bounds on their own: tests/verify/limit.test.ts; the AWS retry
 * strategy and endpoint rule on their own: tests/verify/aws-collector.test.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Layer } from "../../lib/verify/findings";
import { AwsCollector } from "../../scripts/verify/aws";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { limiter, OPERATION_BUDGET_FACTOR, RUN_DEADLINE_FACTOR, runDeadline } from "../../scripts/verify/limit";
import { runVerify } from "../../scripts/verify/run";
import { SmtpCollector } from "../../scripts/verify/layers/smtp/collect";
import { runCliAsync } from "../helpers/spawn";
import {
  type AwsFaultKind,
  createUntrustedCert,
  type DnsSandbox,
  type FakeDnsServer,
  type SmtpSandbox,
  startAwsFault,
  startClosedPort,
  startDns,
  startServfailDns,
  startSilentDns,
  startSilentTcp,
  startSmtp,
  type TcpEndpoint,
  type UntrustedCert,
} from "../sandbox";
import { createWorld, REGIONS, type SharedServers, startShared, TLS_HOSTS, type World, worldZones } from "./world";

/**
 * The CLI's --timeout in every case: one answer 1 s, one operation 3 s, the run 10 s. (Shorter
 * works, but the healthy parts must still answer in time on a loaded 2-core CI machine.)
 */
const TIMEOUT_S = 1;
const DEADLINE_MS = RUN_DEADLINE_FACTOR * TIMEOUT_S * 1000;

let shared: SharedServers;
let world: World;
let dir: string;
let manifestFile: string;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  shared = await startShared();
  world = await createWorld(shared);
  dir = await mkdtemp(path.join(os.tmpdir(), "verify-faults-"));
  manifestFile = path.join(dir, "verification.json");
  await world.writeManifest(manifestFile);
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await world?.stop();
  await shared?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Start a fault server for one case and stop it with the file. */
async function fake<T extends { stop(): Promise<void> }>(started: Promise<T>): Promise<T> {
  const s = await started;
  stops.push(() => s.stop());
  return s;
}

interface Report {
  exitCode: number;
  summary: { pass: number; warn: number; fail: number; inconclusive: number };
  findings: Finding[];
}

interface Run {
  doc: Report;
  ms: number;
}

/** CLIs running at once: enough to overlap the waits, few enough that the healthy parts stay fast. */
const slot = limiter(3);

const dnsArgs = (server: string) => ["--dns-server", server];
const smtpArgs = (endpoints: Record<string, { host: string; port: number }>) => REGIONS.flatMap((r) => ["--smtp-endpoint", `${r}=${endpoints[r].host}:${endpoints[r].port}`]);

/**
 * The CLI with --json against the world, with `args` for DNS and SMTP (defaults: the world's
 * healthy servers) and `env` on top of the world's. Checks what every faulty run must do:
 * exit 1 (not the usage code, not a crash code), nothing on stderr (no stack trace), a JSON
 * report on stdout, no secret anywhere, and an end well before 3x the run's deadline.
 */
async function verify(opts: { dns?: string[]; smtp?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const args = ["--manifest", manifestFile, "--json", "--timeout", String(TIMEOUT_S), ...(opts.dns ?? dnsArgs(world.dns.server)), ...(opts.smtp ?? smtpArgs(world.smtpEndpoints))];
  const { r, ms } = await slot(async () => {
    const started = performance.now();
    const r = await runCliAsync("verify.ts", args, { env: { ...world.env, ...opts.env }, timeoutMs: 3 * DEADLINE_MS + 10_000 });
    return { r, ms: performance.now() - started };
  });
  const out = r.stdout + r.stderr;
  for (const s of world.secrets()) expect(out.includes(s), "a secret value appears in the CLI output").toBe(false);
  expect(r.stderr, "stderr must stay empty: no stack trace, no SDK warning").toBe("");
  expect(r.status, `exit code (stdout: ${r.stdout.slice(0, 2000)})`).toBe(1);
  expect(ms, "the CLI ended well before 3x its own deadline").toBeLessThan(3 * DEADLINE_MS);
  const doc = JSON.parse(r.stdout) as Report;
  expect(doc.exitCode).toBe(1);
  return { doc, ms };
}

const inLayer = (doc: Report, ...layers: Layer[]) => doc.findings.filter((f) => layers.includes(f.layer));
const text = (f: Finding) => [f.summary, ...f.evidence, f.remediation ?? ""].join("\n");
const show = (fs: readonly Finding[]) => fs.map((f) => `${f.status} ${f.id} ${f.subject}: ${f.summary}`).join("\n");

/** Every finding of these layers passes: the fault was not blamed on them. */
function expectHealthy(doc: Report, ...layers: Layer[]): void {
  const fs = inLayer(doc, ...layers);
  expect(fs.length).toBeGreaterThan(0);
  expect(fs.filter((f) => f.status !== "pass"), show(fs)).toEqual([]);
}

/**
 * The broken checks: there is at least one, none of them passes (no false pass), each has
 * `status`, and each names the cause.
 */
function expectBroken(fs: readonly Finding[], status: "inconclusive" | "fail", cause: RegExp): void {
  expect(fs.length, "the broken layer reported nothing").toBeGreaterThan(0);
  expect(fs.map((f) => f.status), show(fs)).toEqual(fs.map(() => status));
  for (const f of fs) expect(text(f), `${f.id} does not name the cause`).toMatch(cause);
}

// ---------------------------------------------------------------------------------------
// DNS
// ---------------------------------------------------------------------------------------

describe.concurrent("DNS faults: the DNS layer alone is inconclusive (or fails on NXDOMAIN), the rest passes", () => {
  it("a slow server that answers after the question's budget: inconclusive, no answer", async () => {
    const slow: DnsSandbox = await fake(startDns({ zones: Object.entries(worldZones(world.manifest)).map(([origin, text]) => ({ origin, text })), delayMs: OPERATION_BUDGET_FACTOR * TIMEOUT_S * 1000 + 1500 }));
    const { doc } = await verify({ dns: dnsArgs(slow.server) });
    expectBroken(inLayer(doc, "dns"), "inconclusive", new RegExp(`no answer from ${slow.server.replace(/\./g, "\\.")}`));
    expectHealthy(doc, "ses", "smtp", "relay");
  });

  it("a silent server (never answers): inconclusive, no answer, 'did not answer'", async () => {
    const silent: FakeDnsServer = await fake(startSilentDns());
    const { doc } = await verify({ dns: dnsArgs(silent.server) });
    expectBroken(inLayer(doc, "dns"), "inconclusive", new RegExp(`no answer from ${silent.server.replace(/\./g, "\\.")}[^]*DNS at ${silent.server.replace(/\./g, "\\.")} did not answer`));
    expect(silent.queryCount()).toBeGreaterThan(0);
    expectHealthy(doc, "ses", "smtp", "relay");
  });

  it("SERVFAIL: inconclusive, naming SERVFAIL", async () => {
    const servfail: FakeDnsServer = await fake(startServfailDns());
    const { doc } = await verify({ dns: dnsArgs(servfail.server) });
    expectBroken(inLayer(doc, "dns"), "inconclusive", /SERVFAIL/);
    expectHealthy(doc, "ses", "smtp", "relay");
  });

  it("NXDOMAIN (the domain does not exist): an answer, so the DNS checks fail, naming NXDOMAIN or the missing record", async () => {
    const zones = worldZones(world.manifest);
    delete zones[world.manifest.domains[0].domain];
    zones.com = "ns1 IN A 192.0.2.53\n";
    const nx: DnsSandbox = await fake(startDns({ zones: Object.entries(zones).map(([origin, text]) => ({ origin, text })) }));
    const { doc } = await verify({ dns: dnsArgs(nx.server) });
    const dns = inLayer(doc, "dns");
    expectBroken(dns, "fail", /NXDOMAIN|no (DMARC|SPF|MX|CNAME)|not found|does not exist|none/i);
    expect(dns.some((f) => /NXDOMAIN/.test(text(f))), show(dns)).toBe(true);
    expectHealthy(doc, "ses", "smtp", "relay");
  });
});

// ---------------------------------------------------------------------------------------
// SMTP
// ---------------------------------------------------------------------------------------

describe.concurrent("SMTP faults: smtp.auth alone is broken, naming the cause and the endpoint override", () => {
  const auth = (doc: Report) => doc.findings.filter((f) => f.id === "smtp.auth");
  const others = (doc: Report) => doc.findings.filter((f) => f.id !== "smtp.auth" && f.layer !== "relay");

  it("refused: inconclusive, 'refused', override named", async () => {
    const closed: TcpEndpoint = await startClosedPort();
    const { doc } = await verify({ smtp: ["--smtp-endpoint", `${closed.host}:${closed.port}`] });
    expectBroken(auth(doc), "inconclusive", new RegExp(`connection to ${closed.host}:${closed.port} refused \\(override for email-smtp\\.[a-z0-9-]+\\.amazonaws\\.com\\)`));
    expect(others(doc).filter((f) => f.status !== "pass"), show(others(doc))).toEqual([]);
  });

  it("silent (accepts, never greets): inconclusive, 'did not answer in time'", async () => {
    const silent: TcpEndpoint = await fake(startSilentTcp());
    const { doc } = await verify({ smtp: ["--smtp-endpoint", `${silent.host}:${silent.port}`] });
    expectBroken(auth(doc), "inconclusive", new RegExp(`${silent.host}:${silent.port} did not answer in time[^]*is silent: a firewall may drop port`));
    expect(silent.connections()).toBeGreaterThan(0);
    expect(others(doc).filter((f) => f.status !== "pass"), show(others(doc))).toEqual([]);
  });

  it("535 (the password is not valid at that endpoint): fail, 'AUTH rejected (535)', and where it connected", async () => {
    // us-east-1's password sent to the us-west-2 server: SES v4 passwords are per region.
    const west = world.smtpEndpoints["us-west-2"];
    const { doc } = await verify({ smtp: ["--smtp-endpoint", `us-east-1=${west.host}:${west.port}`, "--smtp-endpoint", `us-west-2=${west.host}:${west.port}`] });
    const east = auth(doc).filter((f) => f.subject.includes("us-east-1"));
    expectBroken(east, "fail", /AUTH rejected \(535\)[^]*535 Authentication Credentials Invalid/);
    expect(east[0].evidence).toContain(`connected to ${west.host}:${west.port} (override for email-smtp.us-east-1.amazonaws.com)`);
    expect(auth(doc).find((f) => f.subject.includes("us-west-2"))?.status).toBe("pass");
    expect(doc.findings.filter((f) => f.layer === "ses" || f.layer === "dns").every((f) => f.status === "pass")).toBe(true);
  });

  it("an untrusted certificate: inconclusive, 'TLS ... failed', pointing at the certificate", async () => {
    const untrusted: UntrustedCert = await createUntrustedCert(TLS_HOSTS);
    stops.push(() => untrusted.cleanup());
    const servers: SmtpSandbox[] = await Promise.all(REGIONS.map((region) => fake(startSmtp({ keys: { [world.manifest.smtp.accessKeyId]: world.secretAccessKey }, region, tls: untrusted }))));
    const { doc } = await verify({ smtp: smtpArgs(Object.fromEntries(REGIONS.map((r, i) => [r, { host: servers[i].host, port: servers[i].port }]))) });
    expectBroken(auth(doc), "inconclusive", /TLS to 127\.0\.0\.1:\d+ failed[^]*certificate is not valid for email-smtp/);
    expect(others(doc).filter((f) => f.status !== "pass"), show(others(doc))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// AWS
// ---------------------------------------------------------------------------------------

const AWS_SERVICES = ["SESV2", "IAM", "STS", "SECRETS_MANAGER"] as const;
const allAwsAt = (endpoint: string): NodeJS.ProcessEnv => Object.fromEntries(AWS_SERVICES.map((s) => [`AWS_ENDPOINT_URL_${s}`, endpoint]));

/**
 * An AWS fault: no SES, SMTP or relay check passes or fails (a fault is not evidence that the
 * setup is broken); the checks that name a cause are inconclusive and name this one (checks
 * that depend on them, such as SMTP AUTH without a readable password, may be grouped under
 * them or say what they lacked); the endpoint contacted is named; DNS still passes.
 */
function expectAwsFault(doc: Report, cause: RegExp, endpoint?: string): void {
  const aws = inLayer(doc, "ses", "smtp", "relay");
  expect(aws.length, "the AWS-derived layers reported nothing").toBeGreaterThan(0);
  expect(aws.filter((f) => f.status === "pass" || f.status === "fail" || f.status === "warn"), show(aws)).toEqual([]);
  const named = aws.filter((f) => cause.test(text(f)));
  expect(named.length, `no finding names the cause ${cause}:\n${show(aws)}`).toBeGreaterThan(0);
  expectBroken(named, "inconclusive", cause);
  expect(named.some((f) => f.layer === "ses"), "the SES layer must name the cause").toBe(true);
  if (endpoint) expect(named.some((f) => text(f).includes(`(contacted ${endpoint} from AWS_ENDPOINT_URL_`)), "the endpoint contacted is named").toBe(true);
  expectHealthy(doc, "dns");
}

describe.concurrent("AWS faults (every service): SES, SMTP and relay checks inconclusive with the cause, DNS still passes", () => {
  const cases: { kind: AwsFaultKind; cause: RegExp }[] = [
    { kind: "denied", cause: /AccessDenied[^]*Grant (ses|iam|secretsmanager):/ },
    { kind: "throttled", cause: /(Throttling|ThrottlingException|TooManyRequestsException) after retries[^]*AWS kept throttling/ },
    { kind: "unavailable", cause: /ServiceUnavailable[^]*\(HTTP 503\)|\(HTTP 503\)[^]*ServiceUnavailable/ },
  ];
  for (const { kind, cause } of cases) {
    it(`${kind}: inconclusive, naming the cause and the endpoint contacted`, async () => {
      const server = await fake(startAwsFault(kind));
      const { doc } = await verify({ env: allAwsAt(server.endpoint) });
      expectAwsFault(doc, cause, server.endpoint);
      expect(server.requests()).toBeGreaterThan(0);
    });
  }

  it("a silent endpoint (accepts, never answers) with --timeout 1: inconclusive 'no answer', and the CLI exits (the 150 s hang is gone)", async () => {
    const silent: TcpEndpoint = await fake(startSilentTcp());
    const endpoint = `http://${silent.host}:${silent.port}`;
    const { doc, ms } = await verify({ env: allAwsAt(endpoint) });
    expectAwsFault(doc, /no answer (in \d+ attempts of 1 s each|within)[^]*did not answer in time/, endpoint);
    expect(silent.connections()).toBeGreaterThan(0);
    expect(ms).toBeLessThan(DEADLINE_MS + 5_000);
  });

  it("no credentials at all: inconclusive, saying how to provide them, without contacting AWS", async () => {
    // Every service points at a server of its own, which must see no request at all.
    const server = await fake(startAwsFault("denied"));
    const none: NodeJS.ProcessEnv = { ...allAwsAt(server.endpoint), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined };
    const { doc } = await verify({ env: none });
    expectAwsFault(doc, /No AWS credentials were found: set AWS_PROFILE/);
    expect(server.requests()).toBe(0);
    expect(doc.findings.filter((f) => text(f).includes("contacted")), "nothing was contacted, so no endpoint is named").toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// The run deadline
// ---------------------------------------------------------------------------------------

describe("the run deadline", () => {
  it("ends everything still pending as inconclusive 'deadline reached' and returns the report", async () => {
    const silent: TcpEndpoint = await fake(startSilentTcp());
    const silentDns: FakeDnsServer = await fake(startSilentDns());
    const endpoint = `http://${silent.host}:${silent.port}`;
    const saved = Object.fromEntries(AWS_SERVICES.map((s) => [s, process.env[`AWS_ENDPOINT_URL_${s}`]]));
    Object.assign(process.env, allAwsAt(endpoint));
    // Per-operation timeouts far beyond the deadline: only the deadline can end this run.
    const deadline = runDeadline(60);
    const timeoutMs = 20_000;
    const c = {
      aws: new AwsCollector({ timeoutMs, deadline }),
      dns: new DnsCollector({ servers: [silentDns.server], timeoutMs, deadline }),
      smtp: new SmtpCollector({ timeoutMs, deadline }),
    };
    try {
      const started = performance.now();
      const r = await runVerify(world.manifest, { layers: ["ses", "dns", "smtp", "relay"], recipients: [], smtpEndpoints: world.smtpEndpoints, sendTest: false }, c);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(deadline.ms).toBe(600);
      const deadlined = r.findings.filter((f) => /deadline reached: verify stops after 600 ms \(10 x --timeout\)/.test(text(f)));
      expect(deadlined.length).toBeGreaterThan(0);
      // In-process, SES v2 answers at once from aws-sdk-client-mock (world.ts): it passes.
      // Everything that waited on the silent endpoints was cut off by the deadline.
      // (A check blocked by the same pending call may be listed under the first one.)
      expect(new Set(deadlined.flatMap((f) => [f.layer, ...(f.blocked ?? []).map((b) => b.layer)]))).toEqual(new Set(["dns", "smtp", "relay"]));
      expect(r.findings.filter((f) => f.status === "pass" && f.layer !== "ses"), show(r.findings)).toEqual([]);
      expect(new Set(r.findings.filter((f) => f.status !== "pass").map((f) => f.status))).toEqual(new Set(["inconclusive"]));
      expect(deadlined[0].remediation).toMatch(/whole run is limited to 10 x --timeout/);
    } finally {
      c.aws.destroy();
      c.dns.destroy();
      for (const [s, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[`AWS_ENDPOINT_URL_${s}`];
        else process.env[`AWS_ENDPOINT_URL_${s}`] = v;
      }
    }
  });
});
