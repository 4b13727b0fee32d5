/**
 * A local stand-in for the SES SMTP interface (port 587 style), built on `smtp-server`:
 *
 * - plain TCP first; EHLO advertises STARTTLS; AUTH (PLAIN, LOGIN) is refused until the
 *   client has upgraded with STARTTLS (538), and MAIL is refused until it has authenticated;
 * - AUTH succeeds only when the username is a known access key id and the password is the
 *   SES SMTP password v4 of that key's secret for `region` (lib/smtp-password.ts). Anything
 *   else gets `535 Authentication Credentials Invalid`, the reply SES gives;
 * - messages sent with DATA are kept in memory;
 * - connections and AUTH attempts (username, method, success; never the password) are
 *   recorded for assertions.
 *
 * `replyDelayMs` makes every reply from the server arrive that much later. It is done with
 * a TCP relay in front of the server that holds each chunk the server writes for
 * `replyDelayMs` before passing it on (client-to-server bytes pass at once). Because a
 * relay sits below TLS it delays replies after STARTTLS too (smtp-server upgrades the
 * socket natively, so patching socket writes would miss those) and it does not reorder or
 * change anything the server says. A reply, including the greeting and the TLS handshake
 * flight that follows "220 Ready to start TLS", therefore costs one extra `replyDelayMs`,
 * like network latency on the server's side.
 *
 * Also: `startMx()` (a recipient MX for --probe-smtp), `startClosedPort()` (connections are refused), `startSilentTcp()` (accepts,
 * never sends a banner) and `startScriptedSmtp()` (says what a test scripts, line by line).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from "smtp-server";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { LOOPBACK } from "./common";

export interface SmtpAuthAttempt {
  username: string;
  method: string;
  success: boolean;
  /** Whether the connection was already TLS-protected when AUTH was tried. */
  secure: boolean;
}

export interface SmtpMessage {
  /** The authenticated user (access key id) that sent it. */
  user: string | undefined;
  from: string | undefined;
  to: string[];
  /** The message as received, headers and body. */
  raw: string;
}

export interface SmtpSandbox {
  host: string;
  port: number;
  /** The name in the greeting and EHLO: email-smtp.<region>.amazonaws.com. */
  serverName: string;
  /** SMTP sessions that reached the server (after the relay, if any). */
  connections(): number;
  authAttempts(): SmtpAuthAttempt[];
  messages(): SmtpMessage[];
  /** Clears the recorded connections, attempts and messages. */
  reset(): void;
  stop(): Promise<void>;
}

export interface StartSmtpOptions {
  /** Known credentials: access key id -> secret access key. */
  keys: Record<string, string>;
  /** The SES region whose SMTP passwords are accepted. */
  region: string;
  /** The server certificate for STARTTLS (see ca.ts). */
  tls: { key: string; cert: string };
  /** Delay every reply by this many milliseconds (see the file comment). */
  replyDelayMs?: number;
  /** Greeting/EHLO name; defaults to email-smtp.<region>.amazonaws.com. */
  serverName?: string;
  /**
   * Called on each successful AUTH, before the 235 reply, with the access key id: the place to
   * record the key's use the way SES is assumed to (tests/verify/world.ts signs an SES call to
   * moto with that key in this region, so GetAccessKeyLastUsed shows it).
   */
  onLogin?: (accessKeyId: string, region: string) => Promise<void> | void;
}

/** SES's reply to a bad SMTP username or password. */
export const SES_AUTH_FAILURE = "Authentication Credentials Invalid";

class SmtpReplyError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

async function listen(server: net.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("could not read the listening port");
  return address.port;
}

/** Starts the SES-like SMTP server on 127.0.0.1; resolves once it sends its greeting. */
export async function startSmtp(options: StartSmtpOptions): Promise<SmtpSandbox> {
  const serverName = options.serverName ?? `email-smtp.${options.region}.amazonaws.com`;
  // Derive once, so a bad region fails here with lib/smtp-password's message.
  const passwords = new Map<string, string>();
  for (const [accessKeyId, secret] of Object.entries(options.keys)) {
    passwords.set(accessKeyId, deriveSmtpPasswordV4(secret, options.region));
  }

  let connectionCount = 0;
  const attempts: SmtpAuthAttempt[] = [];
  const messages: SmtpMessage[] = [];

  const server = new SMTPServer({
    name: serverName,
    banner: "SimpleEmailService-sandbox",
    secure: false,
    key: options.tls.key,
    cert: options.tls.cert,
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: false,
    authOptional: false,
    disableReverseLookup: true,
    logger: false,
    size: 40 * 1024 * 1024,
    hideSMTPUTF8: true,
    onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
      connectionCount++;
      callback();
    },
    onAuth(
      auth: SMTPServerAuthentication,
      session: SMTPServerSession,
      callback: (err: Error | null | undefined, response?: { user?: unknown }) => void,
    ) {
      const username = auth.username ?? "";
      const expected = passwords.get(username);
      const success = expected !== undefined && auth.password === expected;
      attempts.push({ username, method: auth.method, success, secure: session.secure });
      if (!success) {
        callback(new SmtpReplyError(SES_AUTH_FAILURE, 535));
        return;
      }
      if (!options.onLogin) {
        callback(null, { user: username });
        return;
      }
      Promise.resolve(options.onLogin(username, options.region)).then(
        () => callback(null, { user: username }),
        (e: unknown) => callback(new SmtpReplyError(`Temporary server error recording the login: ${e instanceof Error ? e.message : String(e)}`, 454)),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        messages.push({
          user: typeof session.user === "string" ? session.user : undefined,
          from: from === false ? undefined : from.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback(null, "Ok " + `sandbox-${messages.length}`);
      });
    },
  });
  server.on("error", () => undefined); // client errors (e.g. a failed TLS handshake) are expected in tests

  const smtpPort = await listen(server.server);
  server.server.unref();
  const relay = options.replyDelayMs && options.replyDelayMs > 0 ? await startDelayRelay(smtpPort, options.replyDelayMs) : undefined;
  const port = relay?.port ?? smtpPort;

  let closed = false;
  const stop = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await relay?.stop();
    for (const connection of server.connections) connection.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  try {
    await waitForBanner(port, "220 ");
  } catch (error) {
    await stop();
    throw error;
  }
  // The readiness probe was a session too; start counting from zero.
  connectionCount = 0;

  return {
    host: LOOPBACK,
    port,
    serverName,
    connections: () => connectionCount,
    authAttempts: () => attempts.map((attempt) => ({ ...attempt })),
    messages: () => messages.map((message) => ({ ...message, to: [...message.to] })),
    reset: () => {
      connectionCount = 0;
      attempts.length = 0;
      messages.length = 0;
    },
    stop,
  };
}

/** Connects, reads until `prefix` arrives, sends QUIT. Rejects after `timeoutMs`. */
async function waitForBanner(port: number, prefix: string, timeoutMs = 10_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, LOOPBACK);
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`SMTP sandbox on ${LOOPBACK}:${port} sent no greeting within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (received.startsWith(prefix) && received.includes("\r\n")) {
        clearTimeout(timer);
        socket.end("QUIT\r\n");
        resolve();
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

interface DelayRelay {
  port: number;
  stop(): Promise<void>;
}

/** TCP relay: client bytes pass at once; server bytes are held `delayMs` each, in order. */
async function startDelayRelay(upstreamPort: number, delayMs: number): Promise<DelayRelay> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs);
    timers.add(timer);
  };
  const relay = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, LOOPBACK);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => later(() => client.writable && client.write(chunk)));
    client.on("end", () => upstream.end());
    upstream.on("end", () => later(() => client.end()));
    const destroyBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", destroyBoth);
    upstream.on("error", () => later(destroyBoth));
    client.on("close", () => {
      sockets.delete(client);
      upstream.end();
    });
    upstream.on("close", () => sockets.delete(upstream));
  });
  const port = await listen(relay);
  relay.unref();
  return {
    port,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------
// Misbehaving SMTP endpoints
// ---------------------------------------------------------------------------------------

export interface TcpEndpoint {
  host: string;
  port: number;
  /** TCP connections accepted (always 0 for a closed port). */
  connections(): number;
  stop(): Promise<void>;
}

/**
 * A port on 127.0.0.1 with nothing listening: it was bound by the OS and closed again, so a
 * connection is refused (ECONNREFUSED). Another process could take it meanwhile; on a test
 * machine that is very unlikely within a test's lifetime.
 */
export async function startClosedPort(): Promise<TcpEndpoint> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: LOOPBACK, port, connections: () => 0, stop: async () => undefined };
}

/** Accepts TCP connections and never sends a byte (a client waiting for the banner times out). */
export async function startSilentTcp(): Promise<TcpEndpoint> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  server.unref();
  let closed = false;
  return {
    host: LOOPBACK,
    port,
    connections: () => accepted,
    stop: async () => {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One client connection to a scripted SMTP server: what the script can do with it. */
export interface ScriptedSmtpSession {
  /** Writes to the client (over TLS after `startTls`). */
  write(text: string): void;
  /** The server side of a TLS handshake on this connection, with `cert` (write the 220 first). */
  startTls(cert: { key: string; cert: string }): void;
  /** Closes the connection at once, no goodbye (an orderly close: the client reads the end, or a reset if it still writes). */
  destroy(): void;
  /** Resets the connection (TCP RST): the client's socket fails with ECONNRESET. */
  reset(): void;
}

export interface ScriptedSmtp extends TcpEndpoint {
  /** "127.0.0.1:<port>", as the collectors name an endpoint. */
  where: string;
  /** Every line the clients sent (CRLF removed), in arrival order; after STARTTLS the decrypted ones. */
  lines(): string[];
  /** Connections closed so far (by either side). */
  closed(): number;
}

/**
 * A raw SMTP stand-in on 127.0.0.1 that says exactly what a test scripts, to reproduce servers
 * that misbehave: `onConnect` runs for each connection (write the greeting there, or not),
 * `onLine` for each line the client sends. STARTTLS is the script's own: answer 220 and call
 * `startTls`. Nothing is answered unless the script answers it.
 */
export async function startScriptedSmtp(
  onConnect: (session: ScriptedSmtpSession) => void,
  onLine: (line: string, session: ScriptedSmtpSession) => void = () => undefined,
): Promise<ScriptedSmtp> {
  const sockets = new Set<net.Socket>();
  const lines: string[] = [];
  let accepted = 0;
  let closedCount = 0;
  const server = net.createServer((plain) => {
    accepted++;
    sockets.add(plain);
    plain.on("error", () => undefined);
    plain.on("close", () => {
      closedCount++;
      sockets.delete(plain);
    });
    let socket: net.Socket = plain;
    let buffered = "";
    const onData = (d: Buffer) => {
      buffered += d.toString("latin1");
      for (let i = buffered.indexOf("\r\n"); i >= 0; i = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        lines.push(line);
        onLine(line, session);
      }
    };
    const session: ScriptedSmtpSession = {
      write: (text) => void (socket.destroyed || socket.write(text)),
      startTls: (cert) => {
        plain.off("data", onData);
        buffered = "";
        const secure = new tls.TLSSocket(plain, { isServer: true, key: cert.key, cert: cert.cert });
        secure.on("error", () => undefined);
        secure.on("data", onData);
        socket = secure;
      },
      destroy: () => plain.destroy(),
      reset: () => plain.resetAndDestroy(),
    };
    plain.on("data", onData);
    onConnect(session);
  });
  const port = await listen(server);
  server.unref();
  let stopped = false;
  return {
    host: LOOPBACK,
    port,
    where: `${LOOPBACK}:${port}`,
    connections: () => accepted,
    lines: () => [...lines],
    closed: () => closedCount,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------
// A recipient's MX (port 25 style), for verify's --probe-smtp
// ---------------------------------------------------------------------------------------

export interface StartMxOptions {
  /** The name in the greeting and EHLO (the MX host name). */
  serverName: string;
  /** The certificate offered after STARTTLS; without it (or with starttls false) STARTTLS is not offered. */
  tls?: { key: string; cert: string };
  starttls?: boolean;
  /** Refuse every session with this reply instead of greeting (e.g. 554 "no service"). */
  refuse?: { code: number; message: string };
}

/**
 * An MX-like SMTP server on 127.0.0.1: greets, answers EHLO, offers STARTTLS (with `tls`), no
 * AUTH, accepts nothing (no mail is meant to be sent to it). `connections()` counts sessions.
 */
export async function startMx(options: StartMxOptions): Promise<TcpEndpoint> {
  let connectionCount = 0;
  const starttls = options.starttls !== false && options.tls !== undefined;
  const server = new SMTPServer({
    name: options.serverName,
    banner: "sandbox MX",
    secure: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    disabledCommands: ["AUTH", ...(starttls ? [] : ["STARTTLS"])],
    hideSTARTTLS: !starttls,
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
      connectionCount++;
      if (options.refuse) {
        callback(new SmtpReplyError(options.refuse.message, options.refuse.code));
        return;
      }
      callback();
    },
    onRcptTo(_address, _session, callback) {
      callback(new SmtpReplyError("sandbox MX accepts no mail", 550));
    },
  });
  server.on("error", () => undefined);
  const port = await listen(server.server);
  server.server.unref();
  let closed = false;
  return {
    host: LOOPBACK,
    port,
    connections: () => connectionCount,
    stop: async () => {
      if (closed) return;
      closed = true;
      for (const connection of server.connections) connection.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
