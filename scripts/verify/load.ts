/**
 * Heavy packages (the AWS SDK clients, nodemailer) load when a layer first needs them, one at a
 * time, in the order they are first asked for, each after the event loop has had its turns.
 *
 * Loading a package is synchronous work (Node reads, compiles and runs its files; esbuild turns a
 * bundled CLI's `import("pkg")` into a `require` in a microtask), so nothing else runs meanwhile:
 * not even the requests already started, whose sockets connect and whose bytes are written only
 * when the event loop polls. Two turns of the loop (setImmediate twice: the second check phase
 * comes after a poll phase) between one load and the next let the requests the previous package
 * made possible reach the wire, so their servers answer while the next package loads. Without
 * the queue every layer's first `import()` ran in one burst of microtasks before any request left.
 *
 * Each package is loaded once per process: a second verify run in one process (the watch's
 * Lambda, the bench's in-process runs, the tests) finds it loaded and waits for nothing.
 */

import type SMTPConnection from "nodemailer/lib/smtp-connection";

let queue: Promise<unknown> = Promise.resolve();
const loads = new Map<string, Promise<unknown>>();

/** Two turns of the event loop: I/O started before is polled (connects complete, requests are written) before the caller goes on. */
export const afterPoll = (): Promise<void> => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * `load()` (an `import()` of a heavy package), once per `name` per process, after every load
 * asked for before it and after the event loop polled. A failure (the package is not
 * installed) rejects every caller and does not hold up the next load.
 */
export function loadInTurn<T>(name: string, load: () => Promise<T>): Promise<T> {
  let p = loads.get(name) as Promise<T> | undefined;
  if (!p) {
    p = queue.then(afterPoll).then(load);
    loads.set(name, p);
    queue = p.catch(() => undefined);
  }
  return p;
}

/**
 * nodemailer's SMTP connection alone: what SMTP AUTH (the smtp layer) and the port-25 probe (the
 * recipient layer) need. The whole of nodemailer (its message composer, the other transports:
 * 39 files, about 15 ms of CPU more) loads only for --send-test.
 */
export const loadSmtpConnection = (): Promise<typeof SMTPConnection> =>
  loadInTurn("nodemailer/lib/smtp-connection", async () => (await import("nodemailer/lib/smtp-connection")).default);
