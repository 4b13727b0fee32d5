/**
 * One redaction (lib/redact.ts) for every output path, and each former scrubber's call site
 * still redacts through it: the CLI error boundary (scripts/lib/cli.ts scrubSecrets), verify's
 * and relay-fix's report (scripts/verify/report.ts scrub), the policy runner's messages
 * (tests/policies/runner.test.ts, "never lets a secret value into a message") and the offline
 * plan's inputs (scripts/lib/mock-program.ts redactSecrets).
 */
import { describe, expect, it } from "vitest";
import { MIN_SECRET_LENGTH, REDACTED, redact } from "../lib/redact";
import { keepSecret, scrubSecrets } from "../scripts/lib/cli";
import { redactSecrets } from "../scripts/lib/mock-program";
import { scrub } from "../scripts/verify/report";

const KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/** The engine's wire form of a Pulumi secret (what the mock harness records for pulumi.secret inputs). */
const wireSecret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("redact", () => {
  it("replaces a secret wherever it occurs, in strings at any depth", () => {
    expect(redact(`a ${KEY} b ${KEY}`, [KEY])).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(redact({ list: [`x${KEY}`], n: 3, nested: { s: KEY }, none: null }, [KEY])).toEqual({ list: [`x${REDACTED}`], n: 3, nested: { s: REDACTED }, none: null });
  });

  it("marks a removed secret as Pulumi marks one (`pulumi stack output` prints [secret])", () => {
    expect(redact(`password ${KEY}.`, [KEY])).toBe("password [secret].");
  });

  it("removes a secret that contains another whole (longest first)", () => {
    const inner = KEY.slice(0, 20);
    expect(redact(`${KEY} and ${inner}`, [inner, KEY])).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it("ignores needles shorter than the minimum, and empty or missing ones", () => {
    expect(MIN_SECRET_LENGTH).toBe(8);
    expect(redact("Active key, status Active", ["Active", "", undefined])).toBe("Active key, status Active");
    expect(redact("12345678", ["12345678"])).toBe(REDACTED);
  });

  it("replaces a value known to be secret whole", () => {
    expect(redact({ a: wireSecret("short"), b: "plain" }, [], (v) => typeof v === "object" && v !== null && "value" in v)).toEqual({ a: REDACTED, b: "plain" });
  });
});

describe("every former scrubber's call site redacts, with the same marker", () => {
  it("the CLI error boundary's scrubSecrets: kept secrets and extra ones", () => {
    keepSecret(KEY);
    expect(scrubSecrets(`HMAC failed for ${KEY}`)).toBe(`HMAC failed for ${REDACTED}`);
    const extra = "ya29.a0AfH6SMB-token-value";
    expect(scrubSecrets(`token ${extra}`, [extra])).toBe(`token ${REDACTED}`);
  });

  it("verify's report scrub (verify, relay-fix)", () => {
    expect(scrub({ summary: `password ${KEY}`, evidence: [KEY] }, [KEY])).toEqual({ summary: `password ${REDACTED}`, evidence: [REDACTED] });
  });

  it("the offline plan's redactSecrets: every Pulumi secret value, whatever its length", () => {
    expect(redactSecrets({ secretString: wireSecret("x"), name: "smtp", list: [wireSecret({ a: 1 })] })).toEqual({ secretString: REDACTED, name: "smtp", list: [REDACTED] });
  });
});
