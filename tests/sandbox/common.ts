/**
 * Shared plumbing for the sandbox servers: free loopback ports, child processes that cannot
 * outlive the test process, readiness polling and process-exit cleanup.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import * as dgram from "node:dgram";
import * as net from "node:net";
import * as path from "node:path";

export const LOOPBACK = "127.0.0.1";

/** The project root (the directory holding package.json), found from this file. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "tests"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

// ---------------------------------------------------------------------------------------
// Process-exit cleanup
// ---------------------------------------------------------------------------------------

const exitCleanups = new Set<() => void>();
let exitHooksInstalled = false;

function runExitCleanups(): void {
  for (const cleanup of [...exitCleanups]) {
    exitCleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the process is going away
    }
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once("exit", runExitCleanups);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = (): void => {
      runExitCleanups();
      process.removeListener(signal, handler);
      // Keep the default behaviour (die by the signal) unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

/**
 * Registers a synchronous cleanup that runs when the process exits (normally, by
 * process.exit, or by SIGINT/SIGTERM/SIGHUP). Returns a function that unregisters it.
 */
export function onProcessExit(cleanup: () => void): () => void {
  installExitHooks();
  exitCleanups.add(cleanup);
  return () => {
    exitCleanups.delete(cleanup);
  };
}

/** Removes a temporary directory now-or-at-exit; returns the async remover. */
export function tempDirCleanup(dir: string): () => Promise<void> {
  const unregister = onProcessExit(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return async () => {
    unregister();
    await rm(dir, { recursive: true, force: true });
  };
}

// ---------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------

/** Start a TCP (or HTTP) server on an OS-chosen port of 127.0.0.1 and return that port. */
export async function listenOnLoopback(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("could not read the port the server listens on");
  return address.port;
}

/** A fake HTTP endpoint on loopback, as the tests use it. */
export interface LoopbackHttpServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Requests answered so far. */
  requests(): number;
  stop(): Promise<void>;
}

/** Start `server` on loopback and hand it out as a fake endpoint; `onStop` releases what it holds besides its sockets. */
export async function serveOnLoopback(server: net.Server, requests: () => number, onStop?: () => void): Promise<LoopbackHttpServer> {
  const port = await listenOnLoopback(server);
  server.unref();
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    requests,
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      (server as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      onStop?.();
      await closed;
    },
  };
}

/** A TCP port on 127.0.0.1 that the OS just reported free (bind to 0, read, close). */
export async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when both UDP and TCP can bind the port on 127.0.0.1 right now. */
async function udpAndTcpFree(port: number): Promise<boolean> {
  const udp = dgram.createSocket("udp4");
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once("error", () => resolve(false));
    udp.bind(port, LOOPBACK, () => resolve(true));
  });
  if (!udpOk) {
    udp.close();
    return false;
  }
  const tcp = net.createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    tcp.once("error", () => resolve(false));
    tcp.listen(port, LOOPBACK, () => resolve(true));
  });
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  if (tcpOk) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  return tcpOk;
}

/** A port free for both UDP and TCP on 127.0.0.1 (DNS listens on both). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freeTcpPort();
    if (await udpAndTcpFree(port)) return port;
  }
  throw new Error("could not find a port free for both UDP and TCP on 127.0.0.1");
}

// ---------------------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until it returns true, `failed()` returns a reason, or the deadline passes.
 * Throws with `describe()` (e.g. the server's log) on failure.
 */
export async function waitUntil(options: {
  what: string;
  probe: () => Promise<boolean>;
  failed?: () => string | undefined;
  timeoutMs?: number;
  intervalMs?: number;
  describe?: () => string;
}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const reason = options.failed?.();
    if (reason !== undefined) {
      throw new Error(`${options.what}: ${reason}${detail(options.describe)}`);
    }
    let ok = false;
    try {
      ok = await options.probe();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) {
      throw new Error(`${options.what}: not ready after ${options.timeoutMs ?? 20_000} ms${detail(options.describe)}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

function detail(describe: (() => string) | undefined): string {
  const text = describe?.().trim();
  return text ? `\n--- server output ---\n${text}` : "";
}

// ---------------------------------------------------------------------------------------
// Guarded child processes
// ---------------------------------------------------------------------------------------

/**
 * The server runs under a tiny sh wrapper that keeps a pipe from this process open. If this
 * process dies in any way (even SIGKILL, where no exit hook runs), the pipe closes and the
 * wrapper stops the server. stop() uses the same path: close the pipe, then wait.
 * The child gets its own process group so a last-resort SIGKILL reaches everything.
 * With `removeDirOnExit`, the guard also deletes the server's temp dir after it exits.
 */
const GUARD_SCRIPT = [
  "exec 3<&0 0</dev/null",
  '"$@" &',
  "server=$!",
  '{ cat <&3 >/dev/null; kill -TERM "$server" 2>/dev/null; } &',
  "exec 3<&-",
  'wait "$server"',
  "status=$?",
  'if [ -n "${SANDBOX_GUARD_RMDIR:-}" ]; then rm -rf "$SANDBOX_GUARD_RMDIR"; fi',
  'exit "$status"',
].join("\n");

export interface GuardedProcess {
  readonly child: ChildProcess;
  /** The last ~64 KiB of the server's stdout and stderr, for error messages. */
  output(): string;
  /** Set once the process has exited: how it ended. */
  exited(): string | undefined;
  /** Stops the server (TERM, then KILL after `graceMs`) and waits for it. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnGuarded(
  command: string,
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** A temp dir the guard deletes once the server has exited (even if we were killed). */
    removeDirOnExit?: string;
  } = {},
): GuardedProcess {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  if (options.removeDirOnExit) env.SANDBOX_GUARD_RMDIR = options.removeDirOnExit;
  else delete env.SANDBOX_GUARD_RMDIR;
  const child = spawn("/bin/sh", ["-c", GUARD_SCRIPT, "sandbox-guard", command, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  let log = "";
  const append = (chunk: Buffer): void => {
    log += chunk.toString("utf8");
    if (log.length > 65_536) log = log.slice(-65_536);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  child.stdin?.on("error", () => undefined);

  let exitInfo: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = signal ? `exited by signal ${signal}` : `exited with code ${code ?? "?"}`;
      resolve();
    });
    child.once("error", (err) => {
      exitInfo = `could not start: ${err.message}`;
      resolve();
    });
  });

  const killGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const unregister = onProcessExit(() => killGroup("SIGKILL"));

  // Do not keep the test process alive just because a server is running.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 3_000): Promise<void> => {
    stopping ??= (async () => {
      child.stdin?.end();
      if (exitInfo === undefined) {
        const timer = setTimeout(() => killGroup("SIGKILL"), graceMs);
        await exitedPromise;
        clearTimeout(timer);
      }
      killGroup("SIGKILL"); // any straggler in the group (e.g. the guard's cat)
      unregister();
    })();
    return stopping;
  };

  return { child, output: () => log, exited: () => exitInfo, stop };
}
