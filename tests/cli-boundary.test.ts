/** The shared CLI machinery in-process: the error boundary (runMain) and the flag parsers. */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config";
import { ManifestError } from "../lib/manifest";
import { debugRequested, describeError, EXIT_INTERNAL, keepSecret, runMain, standardOptions, UsageError } from "../scripts/lib/cli";
import { textWidth } from "../scripts/lib/wrap";
import { unwrapped } from "./helpers/unwrap";
import { parseDnsServer, parseHostPort, parseRegionFlag, parseRelaySeen, parseTimeoutSeconds } from "../scripts/lib/flags";

async function boundary(main: () => Promise<number> | number, argv: string[] = []): Promise<{ code?: number; text: string }> {
  const out: { code?: number; text: string } = { text: "" };
  await runMain(main, { command: "plan", argv, write: (t) => (out.text += t), exit: (c) => (out.code = c) });
  return out;
}

describe("runMain: the one error boundary", () => {
  it("exits with the code main returns, printing nothing", async () => {
    expect(await boundary(() => 1)).toEqual({ code: 1, text: "" });
    expect(await boundary(async () => 0)).toEqual({ code: 0, text: "" });
  });

  it("an unexpected error: one message naming the command and the error (wrapped to 100 columns), exit 3, no stack trace", async () => {
    const r = await boundary(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'domains')");
    });
    expect(r.code).toBe(EXIT_INTERNAL);
    expect(r.code).toBe(3);
    expect(unwrapped(r.text)).toBe(
      "error: plan failed unexpectedly (TypeError: Cannot read properties of undefined (reading 'domains')). This is a bug or an unanticipated fault, exit 3; run again with --debug for the stack trace.\n",
    );
    expect(r.text.trimEnd().split("\n").every((l) => l.length <= textWidth())).toBe(true);
  });

  it("an unexpected error with --debug: the same line, then the stack trace", async () => {
    const r = await boundary(() => {
      throw new Error("boom\nsecond line");
    }, ["--stack", "prod", "--debug"]);
    expect(r.code).toBe(3);
    const lines = r.text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^error: plan failed unexpectedly \(Error: boom\)\./);
    expect(r.text).toMatch(/^\s+at .*cli-boundary\.test\.ts/m);
  });

  it("--debug after -- belongs to another program", () => {
    expect(debugRequested(["--debug"])).toBe(true);
    expect(debugRequested(["--stack", "prod", "--", "--debug"])).toBe(false);
  });

  it("an errno error names its code, a non-Error its type, and a long message is cut", async () => {
    const enoent = Object.assign(new Error("EACCES: permission denied, open 'docs/policies.md'"), { code: "EACCES" });
    expect((await boundary(() => Promise.reject(enoent))).text).toMatch(/^error: plan failed unexpectedly \(EACCES: EACCES: permission denied/);
    expect((await boundary(() => Promise.reject("just a string"))).text).toMatch(/\(string: just a string\)/);
    const long = await boundary(() => Promise.reject(new Error("x".repeat(100_000))));
    expect(long.text.length).toBeLessThan(500);
    expect(unwrapped(long.text)).toMatch(/… \(100000 characters\)/);
  });

  it("never prints a secret the command holds, not even with --debug", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    keepSecret(secret);
    const r = await boundary(() => {
      throw new Error(`HMAC failed for ${secret}`);
    }, ["--debug"]);
    expect(r.text).not.toContain(secret);
    expect(r.text).toContain("[secret]");
    const u = await boundary(() => {
      throw new UsageError(`bad key ${secret}`);
    });
    expect(u.text).not.toContain(secret);
  });

  it("known errors: usage, config and manifest errors exit 2 with their message and no stack, even with --debug", async () => {
    expect(await boundary(() => Promise.reject(new UsageError("--timeout: bad")), ["--debug"])).toEqual({ code: 2, text: "error: --timeout: bad\n" });
    expect(await boundary(() => Promise.reject(new ManifestError("m.json is not a manifest")))).toEqual({ code: 2, text: "error: m.json is not a manifest\n" });
    const c = await boundary(() => Promise.reject(new ConfigError([{ key: "mail-infra:domain", message: "is required." }])));
    expect(c).toEqual({ code: 2, text: "Invalid stack configuration (1 problem):\n  mail-infra:domain: is required.\n" });
  });

  it("commander: help and --version exit 0, a bad flag exits 2 (never 1, which policy keeps for violations)", async () => {
    const make = () => standardOptions(new Command()).name("t").option("--n <x>").configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    for (const [argv, code] of [[["--version"], 0], [["--help"], 0], [["--nope"], 2], [["--n"], 2]] as const) {
      const r = await boundary(() => {
        make().parse(["node", "t", ...argv]);
        return 0;
      });
      expect(r.code, argv.join(" ")).toBe(code);
    }
    expect(describeError(new UsageError("x"), { command: "policy" }).code).not.toBe(1);
  });
});

describe("flag parsers", () => {
  it("--relay-seen region=time: as relay.retire prints it; a bad region, a time without zone, a future time are usage errors", () => {
    expect(parseRelaySeen(["us-west-2=2026-11-29T12:13:33.000Z", " US-EAST-1=2026-11-29T12:00:00Z "])).toEqual(
      new Map([
        ["us-west-2", new Date("2026-11-29T12:13:33.000Z")],
        ["us-east-1", new Date("2026-11-29T12:00:00Z")],
      ]),
    );
    expect(() => parseRelaySeen(["us-west-2"])).toThrow('--relay-seen: "us-west-2" is not region=time (e.g. us-east-1=2026-11-29T12:13:33.000Z, as verify\'s relay.retire prints it).');
    expect(() => parseRelaySeen(["us-west-2=2026-11-29T12:13:33"])).toThrow(/is not region=time/);
    expect(() => parseRelaySeen(["mars-1=2026-11-29T12:13:33Z"])).toThrow(/^--relay-seen: /);
    expect(() => parseRelaySeen(["us-west-2=2999-01-01T00:00:00Z"])).toThrow("--relay-seen: 2999-01-01T00:00:00Z is in the future; give the time verify printed.");
    expect(() => parseRelaySeen(["us-west-2"], "--smtp-login-at", "a verify run with --smtp-auth-during-rotation")).toThrow(
      '--smtp-login-at: "us-west-2" is not region=time (e.g. us-east-1=2026-11-29T12:13:33.000Z, as a verify run with --smtp-auth-during-rotation prints it).',
    );
  });

  it.each([
    ["10", 10_000],
    ["2.5", 2_500],
    [".5", 500],
    ["600", 600_000],
    ["0.0001", 1],
  ])("--timeout %s is %d ms", (text, ms) => {
    expect(parseTimeoutSeconds(text, "--timeout")).toBe(ms);
  });
  it.each(["0", "-1", "600.001", "601", "1e300", "99999999999", "1e3", "0x10", "Infinity", "NaN", "", " ", "10s"])("--timeout %j is refused", (text) => {
    expect(() => parseTimeoutSeconds(text, "--timeout")).toThrow(/--timeout: .* is not a number of seconds from more than 0 up to 600/);
  });

  it.each([
    ["192.0.2.53", "192.0.2.53"],
    ["192.0.2.53:5353", "192.0.2.53:5353"],
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["[::1]:5353", "[::1]:5353"],
    ["2001:db8::53", "2001:db8::53"],
  ])("--dns-server %s is taken as %s", (text, server) => {
    expect(parseDnsServer(text, "--dns-server")).toBe(server);
  });
  it.each(["1.2.3.4:99999", "::::", "256.1.1.1", "[::1]:0", "1.2.3.4:0", "1.2.3.4:", "dns.example", "[1.2.3.4]:53", "1.2.3", "1.2.3.4:53:53", "[::1]:x"])(
    "--dns-server %s is refused",
    (text) => {
      expect(() => parseDnsServer(text, "--dns-server")).toThrow(/--dns-server: .*(is not an IP address|has no valid port)/);
    },
  );

  it.each([
    ["127.0.0.1:2587", "127.0.0.1", 2587],
    ["localhost:1", "localhost", 1],
    ["email-smtp.us-east-1.amazonaws.com:65535", "email-smtp.us-east-1.amazonaws.com", 65535],
    ["[::1]:2587", "::1", 2587],
  ])("host:port %s", (text, host, port) => {
    expect(parseHostPort(text, "--smtp-endpoint")).toEqual({ host, port });
  });
  it.each(["127.0.0.1:0", "127.0.0.1:65536", "h:99999", "localhost", "h:", ":25", "[::1]:0", "[not-v6]:25", "-bad-:25", "a b:25", "::1:25"])("host:port %s is refused", (text) => {
    expect(() => parseHostPort(text, "--smtp-endpoint")).toThrow(/^--smtp-endpoint: /);
  });

  it("region flags take any case, like the config", () => {
    expect(parseRegionFlag(" EU-West-1", "--region")).toBe("eu-west-1");
    expect(() => parseRegionFlag("eu-east-9", "--region")).toThrow(/^--region: "eu-east-9" has no Amazon SES SMTP endpoint/);
  });
});
