import { setMaxListeners } from "node:events";

/** A counting semaphore: at most `n` tasks run at once, the rest wait in order. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active -= 1;
    queue.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Memoise async work by key: the first call runs, every later call gets the same promise. */
export function memo<T>(): (key: string, run: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key, run) => {
    let p = cache.get(key);
    if (!p) {
      p = run();
      cache.set(key, p);
    }
    return p;
  };
}

/** setTimeout's largest delay; anything longer fires at once, so every bound is clamped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The timeout the collectors use: at most what keeps the run's deadline (10x) a valid timer,
 * about 2.5 days. (A longer one would overflow Node's timers and fire at once; the CLI refuses
 * such values first, this only keeps library use safe.)
 */
export function usableTimeout(ms: number): number {
  return Math.max(1, Math.min(ms, Math.floor(MAX_TIMER_MS / RUN_DEADLINE_FACTOR)));
}

/** How long one operation (an AWS call with its retries, a DNS question with its tries, an SMTP session) may take: 3 x --timeout. */
export const OPERATION_BUDGET_FACTOR = 3;

/** How long the whole run may take: 10 x --timeout (discovery and every layer included). */
export const RUN_DEADLINE_FACTOR = 10;

/**
 * The whole run's deadline: an AbortSignal that fires `ms` after it is made. Collectors stop
 * waiting when it fires, and everything still pending becomes "deadline reached".
 */
export interface RunDeadline {
  ms: number;
  signal: AbortSignal;
}

export function runDeadline(timeoutMs: number): RunDeadline {
  const ms = RUN_DEADLINE_FACTOR * usableTimeout(timeoutMs);
  // AbortSignal.timeout does not keep the process alive, so a finished run exits at once.
  const signal = AbortSignal.timeout(ms);
  // Every pending operation listens to it: that many listeners is the design, not a leak.
  setMaxListeners(0, signal);
  return { ms, signal };
}

/** The message of an observation cut short by the run's deadline. */
export function deadlineMessage(deadline: RunDeadline, what: string): string {
  return `deadline reached: verify stops after ${seconds(deadline.ms)} (${RUN_DEADLINE_FACTOR} x --timeout) and ${what} had not answered`;
}

export const DEADLINE_NEEDS = `verify's whole run is limited to ${RUN_DEADLINE_FACTOR} x --timeout: re-run with a larger --timeout, fewer layers (--only) or fewer domains, and check why the service is slow.`;

/** "1.5 s", "300 ms": how a duration is written in reports. */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Run `work` with a bound: it gets an AbortSignal that fires after `ms` or when the run's
 * deadline passes, whichever is first, and the result is then `onStop(why)` at that very
 * moment, even if `work` ignores its signal. Work that has not started when the deadline has
 * already passed is not started at all.
 */
export async function bounded<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  deadline: RunDeadline | undefined,
  onStop: (why: "timeout" | "deadline") => T,
): Promise<T> {
  if (deadline?.signal.aborted) return onStop("deadline");
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onDeadline: (() => void) | undefined;
  const stopped = new Promise<T>((resolve) => {
    const stop = (why: "timeout" | "deadline") => {
      controller.abort(new Error(why));
      resolve(onStop(why));
    };
    timer = setTimeout(() => stop("timeout"), Math.min(MAX_TIMER_MS, Math.max(1, ms)));
    onDeadline = () => stop("deadline");
    deadline?.signal.addEventListener("abort", onDeadline, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onDeadline) deadline?.signal.removeEventListener("abort", onDeadline);
  }
}
