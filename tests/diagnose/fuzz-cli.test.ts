/**
 * The built CLI over mutated fixtures: truncation, byte flips, mixed and wrong charsets, binary,
 * deep nesting, huge headers and lines, many recipients, broken JSON. Seeded and reproducible
 * (DIAGNOSE_FUZZ_SEED=n reruns another seed). The mutations go into a few directories and each
 * directory is one CLI call, so the test starts a handful of processes, not hundreds. Each call
 * must end within its timeout, exit 0 or 2, print no stack trace, and with --json print
 * parseable JSON whose verdicts name a known layer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIAGNOSE_LAYERS } from "../../lib/diagnose/types";
import { runCliAsync } from "../helpers/spawn";

const DIR = join(__dirname, "..", "fixtures", "bounces");
const SEED = Number(process.env.DIAGNOSE_FUZZ_SEED ?? 20260513);
const BATCHES = 4;
const PER_FIXTURE = 8;
/** One CLI call over a batch (about 60 inputs, a few of them megabytes) must end well within this. */
const RUN_TIMEOUT_MS = 25_000;

/** mulberry32: small, seeded, the same sequence on every machine. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
  };
}

type Mutation = (b: Buffer, rand: (n: number) => number) => Buffer;
const latin1 = (s: string) => Buffer.from(s, "latin1");
const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, rand) => b.subarray(0, rand(b.length)),
  flipBytes: (b, rand) => {
    const c = Buffer.from(b);
    for (let i = 0, n = 1 + rand(40); i < n; i++) c[rand(c.length)] = 1 + rand(255);
    return c;
  },
  // A charset label that lies, and bytes of three encodings in one part.
  mixedCharsets: (b, rand) => {
    const labels = ["iso-8859-1", "utf-16", "x-unknown", "shift_jis", "utf-8", "koi8-r"];
    const text = b.toString("latin1").replace(/charset="?[\w-]+"?/gi, () => `charset="${labels[rand(labels.length)]}"`);
    const at = rand(text.length);
    return Buffer.concat([latin1(text.slice(0, at)), Buffer.from([0xc3, 0x28, 0xe9, 0xff, 0xfe, 0x82, 0xa0]), Buffer.from("ü€😀", "utf8"), Buffer.from("ü", "utf16le"), latin1(text.slice(at))]);
  },
  binary: (b, rand) => {
    const junk = Buffer.alloc(64 + rand(4096));
    for (let i = 0; i < junk.length; i++) junk[i] = rand(256);
    const at = rand(b.length);
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  },
  // Nested multiparts: under the bound (read) or over it (refused before parsing).
  deepNesting: (b, rand) => {
    const depth = rand(2) ? 150 + rand(40) : 250 + rand(500);
    let head = "From: a@b.example\nSubject: nest\nMIME-Version: 1.0\n";
    for (let i = 0; i < depth; i++) head += `Content-Type: multipart/mixed; boundary="n${i}"\n\n--n${i}\n`;
    return Buffer.concat([latin1(head), b]);
  },
  hugeHeader: (b, rand) => {
    const big = rand(2) ? `X-Big: ${"a".repeat(1024 * 1024 + rand(1000))}\n` : Array.from({ length: 20_000 }, (_, i) => `X-H${i}: v`).join("\n") + "\n";
    return Buffer.concat([latin1(big), b]);
  },
  // One line of megabytes, no newline: the readers cut lines and never scan them twice.
  hugeLine: (b, rand) => Buffer.concat([b, latin1(`\n${"550 5.1.1 ".repeat(150_000 + rand(1000))}`)]),
  manyRecipients: (b, rand) => {
    const blocks = Array.from({ length: 3000 + rand(3000) }, (_, i) => `Final-Recipient: rfc822; r${i}@example.org\nAction: failed\nStatus: 5.1.1\n`).join("\n");
    const text = b.toString("latin1");
    const at = text.indexOf("Final-Recipient:");
    return at < 0 ? Buffer.concat([b, latin1(`\n${blocks}`)]) : latin1(`${text.slice(0, at)}${blocks}\n${text.slice(at)}`);
  },
  brokenStructure: (b, rand) => {
    const text = b.toString("latin1");
    const cuts = [/--[^\n]*--\s*$/m, /boundary="?[^";\n]+"?/i, /\n\n/, /Content-Type: message\/(global-)?delivery-status/i];
    return latin1(text.replace(cuts[rand(cuts.length)]!, rand(2) ? "" : "boundary=\"\"\n--\n--\n"));
  },
  jsonNesting: (_b, rand) => {
    const depth = 1000 + rand(50_000);
    return latin1(`{"notificationType":"Bounce","bounce":${"[".repeat(depth)}${"]".repeat(rand(2) ? depth : 10)}}`);
  },
  duplicateLines: (b, rand) => {
    const lines = b.toString("latin1").split("\n");
    const at = rand(lines.length);
    lines.splice(at, 0, ...Array<string>(2000).fill(lines[at] ?? ""));
    return latin1(lines.join("\n"));
  },
};
const KINDS = Object.keys(MUTATIONS);

let root: string;
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("npm run diagnose over mutated fixtures (seeded fuzz, the built CLI)", () => {
  it(`exits 0 or 2, never crashes or hangs, and --json stays parseable (seed ${SEED})`, async () => {
    const rand = prng(SEED);
    root = mkdtempSync(join(tmpdir(), "diagnose-fuzz-"));
    const dirs = Array.from({ length: BATCHES }, (_, i) => join(root, `batch-${i}`));
    for (const d of dirs) mkdirSync(d);
    const fixtures = readdirSync(DIR).sort();
    let n = 0;
    for (const name of fixtures) {
      const original = readFileSync(join(DIR, name));
      for (let k = 0; k < PER_FIXTURE; k++) {
        const kind = KINDS[(k + rand(KINDS.length)) % KINDS.length]!;
        writeFileSync(join(dirs[n % BATCHES]!, `${String(n).padStart(4, "0")}-${kind}-${name}`), MUTATIONS[kind]!(original, rand));
        n++;
      }
    }
    let verdicts = 0;
    let refusals = 0;
    for (const dir of dirs) {
      const files = readdirSync(dir);
      const started = Date.now();
      const r = await runCliAsync("diagnose.ts", [dir, "--json"], { timeoutMs: RUN_TIMEOUT_MS });
      const what = `seed ${SEED}, ${dir} (${files.length} inputs, ${Date.now() - started} ms)`;
      expect(r.status, `${what}: killed after ${RUN_TIMEOUT_MS} ms or crashed\n${r.stderr.slice(0, 2000)}`).not.toBeNull();
      expect([0, 2], `${what}: exit ${r.status}\n${r.stderr.slice(0, 2000)}`).toContain(r.status);
      expect(r.stderr, what).not.toMatch(/failed unexpectedly|\n\s+at |Error: .*\n\s+at /);
      const out = JSON.parse(r.stdout) as { verdicts: { layer: string; recipient: string; next: string; evidence: unknown[] }[] };
      for (const v of out.verdicts) {
        expect(DIAGNOSE_LAYERS as readonly string[], what).toContain(v.layer);
        // A command whose every argument is a shell word, or plain words: never "--recipient (recipient not named)".
        expect(v.next, what).toMatch(/^npm run (?:verify|relay-fix) -- (?:--?[a-z-]+(?: [^\s()'"`$;|&<>]+)?)(?: --?[a-z-]+(?: [^\s()'"`$;|&<>]+)?)*$|^nothing in this stack refused the message: |^this bounce does not name the relay's sender: /);
        expect(Array.isArray(v.evidence), what).toBe(true);
      }
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
      // Every refused input says so on a line of its own; exit 0 only when nothing was refused.
      expect(errors.length, what).toBeLessThanOrEqual(files.length);
      expect(r.status === 0, what).toBe(errors.length === 0);
      verdicts += out.verdicts.length;
      refusals += errors.length;
    }
    // The mutations are neither all harmless nor all fatal: both paths ran.
    expect(verdicts).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
  }, 120_000);
});

/**
 * Super-linear backtracking: each input class is a prefix a pattern in lib/diagnose reacts to,
 * then 250 KB of characters that pattern can consume, then one it cannot end on. A linear
 * pattern reads each in milliseconds; a quadratic one (RESPONSE_INTROS's old
 * "remote server returned\s*'?(.*?)'?\s*$" took 22 s on the first class) far over the bound.
 */
describe("lib/diagnose patterns stay linear on backtracking input classes", () => {
  const RUN = 250 * 1024;
  const prefixes = [
    "Remote server returned '",
    "The response from the remote server was: ",
    "The error that the other server returned was: ",
    "wasn't delivered to ",
    "Delivery to the following recipient failed permanently:",
    "host mx.example.com",
    "<user@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 ",
    "Final-Recipient: rfc822; ",
    "Diagnostic-Code: smtp; 550 5.1.1 ",
    "550 5.1.1 ",
    "5.1.1",
    "user@",
    "a@b.",
    "SMTP error from remote mail server after RCPT TO:<",
    "Remote host said: ",
    "   ----- Transcript of session follows -----",
    "mail from domain ",
    "send mail as address ",
    "It responded as follows: [",
    "Unable to deliver message to <",
    "SMTP Server <a.example> rejected recipient <",
    ">>> ",
    "Recipient: ",
    "Unknown user: ",
    "554 <",
    "{\"notificationType\":",
    // The patterns added for the sisimai gap (issue 20): IMail's intros, bulleted lists, rule lines, X-Unix.
    "Body of message generated response: ",
    "undeliverable to <",
    "The following recipients returned permanent errors: ",
    "   * ",
    "==========",
    "Diagnostic-Code: X-Unix; ",
    "Name service error for domain a.example: Host not found, try again ",
    "Unauthenticated email from ",
    "rejected due to ",
    // Provider code tables and Verizon's message-details fields.
    "AUP#",
    "AUP#In-",
    "OFR_",
    "  Size (in bytes): ",
    "5.1.0 - Unknown address error 550-'",
    "Your message wasn't delivered to ",
    "Diagnostic-Code: smtp; 542 ",
    // Sendmail V5's sessions, a list heading's give-up time, fml and InterScan notices, the stage in a human part.
    "While talking to ",
    "... while talking to mx.example.edu.:\n>>> DATA\n<<< 550 ",
    "554 <a@example.edu>... Remote protocol error ",
    ">>> DATA <<< ",
    "was aborted after ",
    "aborted after 5",
    "You are not a member of this mailing list <",
    "Duplicated Message-ID in <",
    "Please check if address is correct ",
    "550 Unknown user a@b.example (in reply to ",
  ];
  const runs = [" ", "\t ", ".", "a", "a.", "-", "'", "5.", "#", ":", "ab@", "<a@b.c>"];
  const cases = prefixes.flatMap((p) => runs.map((r) => [p, r] as const));
  it(`${cases.length} classes (${prefixes.length} prefixes x ${runs.length} runs of ${RUN} characters), each read and classified within 1.5 s`, async () => {
    const { failuresFromText, failuresFromDeliveryStatus, failuresFromListNotice, hostInDiagnostic, joinReplyLines } = await import("../../lib/diagnose/read");
    const { classify } = await import("../../lib/diagnose/classify");
    const slow: string[] = [];
    for (const [prefix, run] of cases) {
      const input = `${prefix}${run.repeat(Math.ceil(RUN / run.length))}\u0001x`;
      const started = performance.now();
      const failures = [...failuresFromText(input, "text", undefined), ...failuresFromDeliveryStatus(input, "dsn", undefined), ...failuresFromListNotice(input, "Loop Alert", undefined)];
      hostInDiagnostic(input);
      joinReplyLines(input);
      for (const f of failures) classify(f);
      classify({ recipient: "a@b.example", source: "text", diagnostic: input.slice(0, 4096), evidence: [input.slice(0, 4096)] });
      const ms = performance.now() - started;
      if (ms > 1500) slow.push(`${JSON.stringify(prefix)} + ${JSON.stringify(run)} x ${RUN}: ${Math.round(ms)} ms`);
    }
    expect(slow).toEqual([]);
  }, 300_000);
});
