/**
 * moto in server mode, as the local IAM / STS / Secrets Manager for tests.
 *
 * Runs Debian's `/usr/bin/python3 -m moto.server` with the python3-moto package that
 * scripts/install-test-deps.sh unpacked into .cache/moto. Point the AWS SDK v3 at
 * `endpoint` (client option `endpoint`, or `AWS_ENDPOINT_URL` for a spawned CLI) with any
 * credentials; moto does not check signatures.
 *
 * A small HTTP proxy always sits in front of moto and is what `endpoint` names:
 * - it counts every request (`calls()`, `callLog()`), throttled ones included;
 * - `delayMs` holds every request back that long before it is forwarded;
 * - `throttle.everyNth` answers every Nth request (N, 2N, ...) itself with the error AWS
 *   sends when it throttles: HTTP 400 with code `Throttling` in an XML ErrorResponse for
 *   query-protocol services (IAM, STS), and `ThrottlingException` in `__type` for JSON 1.x
 *   services (Secrets Manager). The SDK v3's standard retry treats both as throttling
 *   errors and retries them.
 *
 * What moto 5.1 does for the calls this project cares about (checked):
 * - CreateAccessKey: a 3rd key for one user fails with `LimitExceeded` (HTTP 400,
 *   "Cannot exceed quota for AccessKeysPerUser: 2"), inactive keys counting too. Note that
 *   the SDK v3 lists `LimitExceededException` among its throttling error names, so by
 *   default it retries that call (3 attempts) before it fails.
 * - SimulatePrincipalPolicy: not implemented; HTTP 500 with an HTML body. The SDK retries it
 *   as a transient error and then fails with a deserialization error (name "Error").
 * - GetAccessKeyLastUsed: a never-used key reports ServiceName "N/A", Region "N/A" and no
 *   LastUsedDate (as AWS does); after a signed request made WITH that key, moto records
 *   the service, region and date of that request.
 */
import { existsSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { LOOPBACK, freeTcpPort, listenOnLoopback, projectRoot, spawnGuarded, waitUntil } from "./common";

export interface MotoCall {
  /** Service from the SigV4 credential scope, e.g. "iam", "sts", "secretsmanager". */
  service: string;
  /** Query `Action` or the operation from X-Amz-Target, e.g. "CreateAccessKey". */
  action: string;
  /** True when the proxy answered with a throttling error instead of forwarding. */
  throttled: boolean;
}

export interface MotoSandbox {
  /** http://127.0.0.1:PORT: the counting proxy in front of moto. */
  endpoint: string;
  host: string;
  port: number;
  /** moto's own endpoint: not counted, delayed or throttled. */
  directEndpoint: string;
  /** Requests that reached the proxy since start or the last reset (throttled ones too). */
  calls(): number;
  /** How many of those were answered with a throttling error. */
  throttledCalls(): number;
  callLog(): MotoCall[];
  /** Resets all of moto's state (POST /moto-api/reset) and the call counters. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Hold every request back this long before forwarding it. */
  delayMs?: number;
  /** Answer every Nth request with a throttling error (everyNth >= 2). */
  throttle?: { everyNth: number };
}

const PYTHON = "/usr/bin/python3";
const INSTALL_HINT = "Run: sudo bash scripts/install-test-deps.sh (it unpacks python3-moto into .cache/moto).";

export function motoSitePackages(): string {
  return path.join(projectRoot(), ".cache", "moto", "usr", "lib", "python3", "dist-packages");
}

function httpRequest(
  url: string,
  method: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Starts moto and its proxy; resolves once moto answers /moto-api/. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoSandbox> {
  const everyNth = options.throttle?.everyNth;
  if (everyNth !== undefined && (!Number.isInteger(everyNth) || everyNth < 2)) {
    throw new Error(`startMoto: throttle.everyNth must be an integer >= 2, got ${everyNth}`);
  }
  const site = motoSitePackages();
  if (!existsSync(path.join(site, "moto", "__init__.py"))) {
    throw new Error(`startMoto: moto is not unpacked at ${site}. ${INSTALL_HINT}`);
  }
  if (!existsSync(PYTHON)) throw new Error(`startMoto: ${PYTHON} is missing. ${INSTALL_HINT}`);

  const moto = await startMotoServer(site);
  const directEndpoint = `http://${LOOPBACK}:${moto.port}`;
  const proxy = await startMotoProxy(moto.port, options.delayMs ?? 0, everyNth);
  const endpoint = `http://${LOOPBACK}:${proxy.port}`;

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    host: LOOPBACK,
    port: proxy.port,
    directEndpoint,
    calls: () => proxy.log.length,
    throttledCalls: () => proxy.log.filter((call) => call.throttled).length,
    callLog: () => proxy.log.map((call) => ({ ...call })),
    reset: async () => {
      const response = await httpRequest(`${directEndpoint}/moto-api/reset`, "POST", 10_000);
      if (response.status !== 200) throw new Error(`moto reset failed: HTTP ${response.status} ${response.body}`);
      proxy.log.length = 0;
    },
    stop: () => {
      stopped ??= (async () => {
        await proxy.stop();
        await moto.stop();
      })();
      return stopped;
    },
  };
}

async function startMotoServer(site: string): Promise<{ port: number; stop: () => Promise<void> }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeTcpPort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PYTHONPATH: site,
      PYTHONUNBUFFERED: "1",
      PYTHONNOUSERSITE: "1",
      // Never let moto reach out for real credentials or endpoints.
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_DEFAULT_REGION: "us-east-1",
    };
    delete env.PYTHONHOME;
    delete env.AWS_PROFILE;
    const server = spawnGuarded(PYTHON, ["-m", "moto.server", "-H", LOOPBACK, "-p", String(port)], { env });
    try {
      await waitUntil({
        what: `moto server on ${LOOPBACK}:${port}`,
        timeoutMs: 30_000,
        intervalMs: 100,
        probe: async () => (await httpRequest(`http://${LOOPBACK}:${port}/moto-api/`, "GET", 2_000)).status === 200,
        failed: () => {
          const exit = server.exited();
          if (exit === undefined) return undefined;
          return /ModuleNotFoundError|ImportError/.test(server.output()) ? `${exit}. ${INSTALL_HINT}` : exit;
        },
        describe: server.output,
      });
      return { port, stop: () => server.stop() };
    } catch (error) {
      lastError = error;
      await server.stop();
      if (!/Address already in use/i.test(server.output())) break;
    }
  }
  throw lastError;
}

interface MotoProxy {
  port: number;
  log: MotoCall[];
  stop(): Promise<void>;
}

function describeCall(req: http.IncomingMessage, body: Buffer): Omit<MotoCall, "throttled"> {
  const authorization = String(req.headers.authorization ?? "");
  const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? "unknown";
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return { service, action: target.split(".").pop() ?? target };
  const contentType = String(req.headers["content-type"] ?? "");
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return { service, action: new URLSearchParams(body.toString("utf8")).get("Action") ?? "unknown" };
  }
  const query = new URL(req.url ?? "/", "http://localhost").searchParams.get("Action");
  return { service, action: query ?? `${req.method ?? "GET"} ${req.url ?? "/"}` };
}

const QUERY_NAMESPACES: Record<string, string> = {
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
};

/** The error AWS returns when it throttles a call, in the request's protocol. */
function sendThrottling(req: http.IncomingMessage, res: http.ServerResponse, call: Omit<MotoCall, "throttled">): void {
  const requestId = randomUUID();
  const message = "Rate exceeded";
  const contentType = String(req.headers["content-type"] ?? "");
  if (typeof req.headers["x-amz-target"] === "string") {
    // JSON 1.0 / 1.1 protocol (Secrets Manager): the error name is __type.
    const json = contentType.startsWith("application/x-amz-json-1.0") ? "1.0" : "1.1";
    const body = JSON.stringify({ __type: "ThrottlingException", message });
    res.writeHead(400, {
      "content-type": `application/x-amz-json-${json}`,
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": "ThrottlingException",
    });
    res.end(body);
    return;
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    // Query protocol (IAM, STS): an XML ErrorResponse with Code Throttling.
    const namespace = QUERY_NAMESPACES[call.service];
    const body =
      `<ErrorResponse${namespace ? ` xmlns="${namespace}"` : ""}>` +
      `<Error><Type>Sender</Type><Code>Throttling</Code><Message>${message}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    res.writeHead(400, {
      "content-type": "text/xml",
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": requestId,
    });
    res.end(body);
    return;
  }
  // REST protocols: 429 is recognised as throttling by status alone.
  const body = JSON.stringify({ message });
  res.writeHead(429, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
    "x-amzn-errortype": "TooManyRequestsException",
  });
  res.end(body);
}

async function startMotoProxy(upstreamPort: number, delayMs: number, everyNth: number | undefined): Promise<MotoProxy> {
  const log: MotoCall[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (ms <= 0) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const call = describeCall(req, body);
      const throttled = everyNth !== undefined && (log.length + 1) % everyNth === 0;
      log.push({ ...call, throttled });
      void wait(delayMs).then(() => {
        if (res.destroyed) return;
        if (throttled) {
          sendThrottling(req, res, call);
          return;
        }
        const upstream = http.request(
          { host: LOOPBACK, port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
          (upstreamRes) => {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.headers);
            upstreamRes.pipe(res);
          },
        );
        upstream.on("error", (error) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`moto sandbox proxy: ${error.message}`);
        });
        upstream.end(body);
      });
    });
  });
  server.keepAliveTimeout = 5_000;

  const port = await listenOnLoopback(server);
  server.unref();

  let stopped: Promise<void> | undefined;
  return {
    port,
    log,
    stop: () => {
      stopped ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        agent.destroy();
        await closed;
      })();
      return stopped;
    },
  };
}
