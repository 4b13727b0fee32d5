/**
 * verify's bounds (scripts/verify/limit.ts): the semaphore the collectors share, the memo, the
 * timer clamps, the run's deadline and `bounded`. Pure (timers only, no server), so Stryker runs
 * it against every mutant of limit.ts; the fault matrix (tests/verify/faults.test.ts) shows the
 * same bounds ending a whole run against silent servers.
 *
 * Node's timers: a delay above 2147483647 ms (2^31 - 1) or below 1 is set to 1 ms (Node docs,
 * setTimeout), which is why every bound is clamped.
 */
import { getMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { bounded, DEADLINE_NEEDS, deadlineMessage, limiter, MAX_TIMER_MS, memo, runDeadline, seconds, usableTimeout } from "../../scripts/verify/limit";

/** A promise and the function that settles it. */
function gate<T = void>() {
  let open!: (v: T) => void;
  const p = new Promise<T>((resolve) => (open = resolve));
  return { p, open };
}

describe("limiter", () => {
  it("runs at most n tasks at once and starts the waiting ones in the order they came", async () => {
    const slot = limiter(2);
    const gates = [0, 1, 2, 3, 4].map(() => gate());
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const all = gates.map((g, i) =>
      slot(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await g.p;
        running -= 1;
        return i * 10;
      }),
    );
    await sleep(5);
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await sleep(5);
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(all)).toEqual([0, 10, 20, 30, 40]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it("a task that fails gives its place back and its error to its caller", async () => {
    const slot = limiter(1);
    await expect(slot(async () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    expect(await slot(async () => "next")).toBe("next");
    // A slot freed with nobody waiting is not counted twice: still one at a time afterwards.
    const first = gate();
    let second = false;
    const a = slot(() => first.p);
    const b = slot(async () => (second = true));
    await sleep(5);
    expect(second).toBe(false);
    first.open();
    await Promise.all([a, b]);
    expect(second).toBe(true);
  });
});

describe("memo", () => {
  it("runs the work once per key; later calls share the first promise", async () => {
    const m = memo<string>();
    let runs = 0;
    const run = async () => `answer ${++runs}`;
    const first = m("a", run);
    expect(m("a", run)).toBe(first);
    expect(await m("a", run)).toBe("answer 1");
    expect(await m("b", run)).toBe("answer 2");
    expect(runs).toBe(2);
  });
});

describe("the clamps and the run's deadline", () => {
  it("setTimeout's largest delay is 2^31 - 1 ms; a timeout keeps 10 of them under it, and at least 1 ms", () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(usableTimeout(500)).toBe(500);
    expect(usableTimeout(1e15)).toBe(214_748_364);
    expect(usableTimeout(214_748_364)).toBe(214_748_364);
    expect(usableTimeout(0)).toBe(1);
    expect(usableTimeout(-5)).toBe(1);
  });

  it("the deadline is 10 x the timeout, not yet passed, and takes any number of listeners", () => {
    const d = runDeadline(1_500);
    expect(d.ms).toBe(15_000);
    expect(d.signal.aborted).toBe(false);
    expect(getMaxListeners(d.signal)).toBe(0);
    expect(runDeadline(1e15).ms).toBe(2_147_483_640);
  });

  it("what a report says when the deadline cut an observation short, and what to do", () => {
    expect(deadlineMessage({ ms: 15_000, signal: new AbortController().signal }, "the DNS server")).toBe(
      "deadline reached: verify stops after 15 s (10 x --timeout) and the DNS server had not answered",
    );
    expect(DEADLINE_NEEDS).toBe("verify's whole run is limited to 10 x --timeout: re-run with a larger --timeout, fewer layers (--only) or fewer domains, and check why the service is slow.");
  });

  it("durations: milliseconds below a second, else seconds to one decimal without a trailing zero", () => {
    expect(seconds(300)).toBe("300 ms");
    expect(seconds(999.4)).toBe("999 ms");
    expect(seconds(1_000)).toBe("1 s");
    expect(seconds(1_500)).toBe("1.5 s");
    expect(seconds(12_345)).toBe("12.3 s");
  });
});

describe("bounded", () => {
  const never = () => new Promise<string>(() => undefined);

  it("the work's result when in time, and then nothing more: its signal stays quiet, the stop is never called", async () => {
    let signal: AbortSignal | undefined;
    const stops: string[] = [];
    const deadline = runDeadline(3); // 30 ms
    expect(await bounded(async (s) => ((signal = s), "answer"), 20, deadline, (why) => (stops.push(why), why))).toBe("answer");
    await sleep(60); // past both the timeout and the deadline
    expect(deadline.signal.aborted).toBe(true);
    expect(signal?.aborted).toBe(false);
    expect(stops).toEqual([]);
  });

  it("work slower than no bound at all but within its own: its answer (the bound is not 1 ms)", async () => {
    expect(await bounded(async () => (await sleep(30), "answer"), 1_000, undefined, (why) => why)).toBe("answer");
    // Beyond setTimeout's largest delay: clamped to it, not fired at once.
    expect(await bounded(async () => (await sleep(30), "answer"), 1e12, undefined, (why) => why)).toBe("answer");
  });

  it("the timeout: the stop value at that moment, and the work's signal aborted with the reason", async () => {
    let signal: AbortSignal | undefined;
    const started = performance.now();
    expect(await bounded((s) => ((signal = s), never()), 30, undefined, (why) => why)).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as Error).message).toBe("timeout");
  });

  it("the deadline ends pending work; once it has passed, work is not even started", async () => {
    const deadline = runDeadline(3); // 30 ms
    let signal: AbortSignal | undefined;
    expect(await bounded((s) => ((signal = s), never()), 10_000, deadline, (why) => why)).toBe("deadline");
    expect((signal?.reason as Error).message).toBe("deadline");
    let started = false;
    expect(await bounded(async () => ((started = true), "ran"), 10_000, deadline, (why) => why)).toBe("deadline");
    expect(started).toBe(false);
  });
});
