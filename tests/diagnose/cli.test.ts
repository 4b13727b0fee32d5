/** npm run diagnose, spawned: the incident, exit codes, stdin, and hostile files. */
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../helpers/spawn";

const DIR = join(__dirname, "..", "fixtures", "bounces");
const fx = (name: string) => join(DIR, name);
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "diagnose-"));
});
const noCrash = (stderr: string) => expect(stderr).not.toMatch(/failed unexpectedly|\n\s+at /);

describe("npm run diagnose", () => {
  it("the incident: the Gmail relay bounce and the Exchange rejection are two different verdicts", () => {
    const r = runCli("diagnose.ts", [fx("gmail-relay-auth.eml"), fx("exchange-policy.eml"), "--json", "--stack", "prod"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const { verdicts } = JSON.parse(r.stdout) as { verdicts: { recipient: string; layer: string; next: string; evidence: string[]; confidence: string; cause: string }[] };
    expect(verdicts.map((v) => [v.layer, v.confidence, v.next])).toEqual([
      ["relay-auth", "high", "npm run relay-fix -- --stack prod --sender admin@queenofsandiego.com"],
      // Nothing in this stack refused it: the recipient's administrator is the next step, with the server's reply quoted.
      ["recipient-policy", "high", 'nothing in this stack refused the message: forward this bounce to the mail administrator of steigerwald-dougherty.com (postmaster@steigerwald-dougherty.com) and ask why their server refused it, quoting: "550 5.7.1 Service unavailable, Client host [54.240.8.36] blocked by tenant policy. AS(7023)"'],
    ]);
    expect(Object.keys(verdicts[0]!).sort()).toEqual(["cause", "confidence", "evidence", "layer", "next", "recipient"]);
  });

  it("prints each verdict for a person without --json", () => {
    const r = runCli("diagnose.ts", [fx("gmail-relay-auth.eml")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("ops@steigerwald-dougherty.com: relay-auth (high confidence)");
    expect(r.stdout).toContain("  next: npm run relay-fix -- --stack STACK --sender admin@queenofsandiego.com");
  });

  it("- reads standard input (an SNS envelope)", () => {
    const r = runCli("diagnose.ts", ["-", "--json"], { input: readFileSync(fx("sns-ses-bounce-mailbox.json"), "utf8") });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).verdicts[0]).toMatchObject({ recipient: "nobody@example.org", layer: "recipient-mailbox" });
  });

  it("not a bounce: exit 2, saying what was read; the other files' verdicts are still printed", () => {
    const r = runCli("diagnose.ts", [fx("not-a-bounce.eml"), fx("rfc3464-transient.eml"), "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-a-bounce\.eml": a mail message from "friend@example\.com" \(subject "Lunch on Friday\?"\).*not a bounce/);
    expect(JSON.parse(r.stdout).verdicts.map((v: { layer: string }) => v.layer)).toEqual(["transient"]);
  });

  it("hostile files: binary, truncated, invalid JSON, empty, huge; exit 2 with a reason, never a crash", () => {
    const binary = join(tmp, "binary.bin");
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0xfe]));
    const truncated = join(tmp, "truncated.eml");
    const whole = readFileSync(fx("not-a-bounce.eml"));
    writeFileSync(truncated, whole.subarray(0, 40));
    const badJson = join(tmp, "bad.json");
    writeFileSync(badJson, '{"notificationType": "Bounce", "bounce": {');
    const empty = join(tmp, "empty.eml");
    writeFileSync(empty, "");
    const huge = join(tmp, "huge.eml");
    const fd = openSync(huge, "w");
    ftruncateSync(fd, 11 * 1024 * 1024);
    closeSync(fd);
    const cases: [string, RegExp][] = [
      [binary, /binary data \(it holds NUL bytes\)/],
      [truncated, /not a bounce/],
      [badJson, /starts like JSON but is not valid JSON/],
      [empty, /empty, not a bounce/],
      [huge, /is 11 MiB, over the 10 MiB this command reads/],
    ];
    for (const [file, message] of cases) {
      const r = runCli("diagnose.ts", [file]);
      expect(r.status, file).toBe(2);
      expect(r.stderr, file).toMatch(message);
      noCrash(r.stderr);
    }
  });

  it("a directory is every file in it, in name order: one call for many bounces; an unreadable one does not stop the rest", () => {
    const dir = mkdtempSync(join(tmpdir(), "diagnose-dir-"));
    writeFileSync(join(dir, "b.eml"), readFileSync(fx("gmail-relay-auth.eml")));
    writeFileSync(join(dir, "a.json"), readFileSync(fx("sns-ses-bounce-mailbox.json")));
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "skipped.eml"), readFileSync(fx("exchange-policy.eml")));
    let r = runCli("diagnose.ts", [dir, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).verdicts.map((v: { layer: string }) => v.layer)).toEqual(["recipient-mailbox", "relay-auth"]);
    // A file over the limit is that file's error; the other files' verdicts are still printed.
    const fd = openSync(join(dir, "c-huge.eml"), "w");
    ftruncateSync(fd, 11 * 1024 * 1024);
    closeSync(fd);
    r = runCli("diagnose.ts", [dir, "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/c-huge\.eml" is 11 MiB, over the 10 MiB/);
    expect(JSON.parse(r.stdout).verdicts).toHaveLength(2);
    noCrash(r.stderr);
    const empty = mkdtempSync(join(tmpdir(), "diagnose-empty-"));
    r = runCli("diagnose.ts", [empty]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds no files, so no bounce/);
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it("a truncated bounce still yields the recipients it got to", () => {
    const whole = readFileSync(fx("rfc3464-mailbox.eml"), "utf8");
    const file = join(tmp, "cut.eml");
    writeFileSync(file, whole.slice(0, whole.indexOf("Final-Recipient: rfc822; full@example.net")));
    const r = runCli("diagnose.ts", [file, "--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).verdicts.map((v: { recipient: string }) => v.recipient)).toEqual(["nobody@example.net"]);
  });

  it("deeply nested parts: exit 2, refused before parsing", () => {
    let msg = "From: a@b.example\nSubject: nest\nMIME-Version: 1.0\n";
    for (let i = 0; i < 10_000; i++) msg += `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`;
    const file = join(tmp, "nested.eml");
    writeFileSync(file, msg);
    const r = runCli("diagnose.ts", [file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/MIME parts \(over 200\)/);
  });

  it("usage: no file is exit 2 with the help hint", () => {
    const r = runCli("diagnose.ts", []);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'files'/);
  });

  it("--jsonl: one verdict per line with its file, then the tally; 20,000 failed recipients give 20,000 verdicts (no cap)", async () => {
    const blocks = Array.from({ length: 20_000 }, (_, i) => `Final-Recipient: rfc822; r${i}@example.org\nAction: failed\nStatus: 5.1.1\n`).join("\n");
    const big = join(tmp, "twenty-thousand.eml");
    writeFileSync(big, `From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\nUndeliverable.\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n${blocks}\n--b--\n`);
    // Asynchronous: the output is megabytes, over spawnSync's buffer.
    const r = await runCliAsync("diagnose.ts", [big, fx("exchange-policy.eml"), fx("not-a-bounce.eml"), "--jsonl"], { timeoutMs: 120_000 });
    noCrash(r.stderr);
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { file?: string; layer?: string; recipient?: string; tally?: { inputs: number; bounces: number; notBounces: number; verdicts: number; byLayer: Record<string, number> } });
    const verdicts = lines.filter((l) => l.layer);
    expect(verdicts).toHaveLength(20_001);
    expect(verdicts[19_999]).toMatchObject({ file: big, recipient: "r19999@example.org", layer: "recipient-mailbox" });
    expect(lines.at(-1)!.tally).toEqual({ inputs: 3, bounces: 2, notBounces: 1, verdicts: 20_001, byLayer: { "relay-auth": 0, ses: 0, "sender-auth": 0, "recipient-policy": 1, "recipient-mailbox": 20_000, transient: 0 } });
    expect(r.stderr).toMatch(/^error: .*not-a-bounce\.eml": .*not a bounce\.$/m);
  }, 150_000);

  it("text output ends with a tally when there is more than one input; --json carries it too; --json with --jsonl is a usage error", () => {
    const t = runCli("diagnose.ts", [fx("gmail-relay-auth.eml"), fx("rfc3464-mailbox.eml")]);
    expect(t.status).toBe(0);
    expect(t.stdout.trim().split("\n").at(-1)).toBe("tally: 2 inputs, 2 bounces, 3 verdicts (relay-auth 1, recipient-mailbox 2), 0 not bounces or unreadable");
    const j = runCli("diagnose.ts", [fx("rfc3464-mailbox.eml"), "--json"]);
    expect((JSON.parse(j.stdout) as { tally: { verdicts: number } }).tally.verdicts).toBe(2);
    const both = runCli("diagnose.ts", [fx("rfc3464-mailbox.eml"), "--json", "--jsonl"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--json and --jsonl/);
  });
});
