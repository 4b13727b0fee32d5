/**
 * The loading queue of heavy packages (scripts/verify/load.ts): each once per name, one at a
 * time in the order asked, each after two turns of the event loop, a failure not holding up the
 * next. Pure: the "packages" are functions the test gives (names unique to this file: the queue
 * is per process).
 */
import { describe, expect, it } from "vitest";
import { afterPoll, loadInTurn, loadSmtpConnection } from "../../scripts/verify/load";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("afterPoll", () => {
  it("resolves after two turns of the event loop, not one", async () => {
    const order: string[] = [];
    setImmediate(() => {
      order.push("first turn");
      setImmediate(() => order.push("second turn"));
    });
    await afterPoll();
    order.push("after");
    expect(order).toEqual(["first turn", "second turn", "after"]);
  });
});

describe("loadInTurn", () => {
  it("loads after the event loop polled, once per name: a second caller gets the same promise", async () => {
    let calls = 0;
    const order: string[] = [];
    const first = loadInTurn("load-check/once", async () => {
      calls += 1;
      order.push("loaded");
      return "module";
    });
    setImmediate(() => order.push("a turn"));
    const again = loadInTurn("load-check/once", async () => "another");
    expect(again).toBe(first);
    await expect(first).resolves.toBe("module");
    expect(calls).toBe(1);
    expect(order).toEqual(["a turn", "loaded"]);
  });

  it("one at a time, in the order asked: the next starts after the previous is loaded and the loop has turned", async () => {
    const order: string[] = [];
    const a = loadInTurn("load-check/a", async () => {
      order.push("a start");
      await tick();
      await tick();
      order.push("a end");
      setImmediate(() => order.push("turn after a"));
      return "a";
    });
    const b = loadInTurn("load-check/b", async () => {
      order.push("b start");
      return "b";
    });
    expect(await Promise.all([a, b])).toEqual(["a", "b"]);
    expect(order).toEqual(["a start", "a end", "turn after a", "b start"]);
  });

  it("a load that fails rejects its callers and does not hold up the next", async () => {
    const bad = loadInTurn("load-check/missing", () => Promise.reject(new Error("Cannot find package 'missing'")));
    const next = loadInTurn("load-check/after-missing", async () => "loaded");
    await expect(bad).rejects.toThrow("Cannot find package 'missing'");
    await expect(next).resolves.toBe("loaded");
    // Asked again, the failure stands (it is not retried).
    await expect(loadInTurn("load-check/missing", async () => "now there")).rejects.toThrow("Cannot find package 'missing'");
  });
});

describe("loadSmtpConnection", () => {
  it("gives nodemailer's SMTP connection class, the same one each time", async () => {
    const SMTPConnection = await loadSmtpConnection();
    expect(typeof SMTPConnection).toBe("function");
    expect(SMTPConnection.name).toBe("SMTPConnection");
    expect(await loadSmtpConnection()).toBe(SMTPConnection);
  });
});
