/**
 * The text report and the JSON document (scripts/verify/report.ts), from hand-built findings:
 * what a layer's heading says, the finding lines and what goes under them, checks not made,
 * checks another layer's cause decided, the per-domain tally, colour, the 100-column layout and
 * the JSON's fields. The summary line's verdicts are in tests/verify/checks.test.ts.
 */
import { describe, expect, it } from "vitest";
import { type BlockedCheck, type Finding, finding, type NotChecked } from "../../lib/verify/findings";
import { BLOCKED_LISTED, formatJson, formatText, type ReportContext, wrapReport } from "../../scripts/verify/report";

const ctx = (over: Partial<ReportContext> = {}): ReportContext => ({ target: "stack prod", layers: ["ses", "dns", "smtp", "relay"], verbose: false, color: false, ...over });
const text = (fs: readonly Finding[], over: Partial<ReportContext> = {}) => formatText(fs, ctx(over));
/** The lines of the report between a layer's heading and the next blank line. */
const section = (report: string, title: string) => {
  const lines = report.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`${title}:`));
  if (at < 0) return undefined;
  const end = lines.indexOf("", at);
  return lines.slice(at, end < 0 ? undefined : end);
};

const pass = (id: string, subject = "example.com", extra: Parameters<typeof finding>[5] = {}) => finding("dns", id, subject, "pass", "ok", extra);

describe("formatText: the layers", () => {
  it("a layer's heading says broken, not fully checked, ok with warnings or ok, from the worst of its findings", () => {
    const fs = [
      finding("ses", "ses.account.sending", "account in us-east-1", "pass", "sending is enabled"),
      finding("ses", "ses.identity.verified", "example.com in us-east-1", "warn", "pending"),
      finding("ses", "ses.identity.dkim", "example.com in us-east-1", "fail", "no signing"),
      finding("dns", "dns.dkim", "example.com DKIM (us-east-1)", "warn", "drift"),
      finding("dns", "dns.spf.record", "example.com", "inconclusive", "no answer"),
      finding("smtp", "smtp.secret", "secret s", "warn", "old"),
      finding("relay", "relay.credentials", "admin@example.com", "pass", "current key"),
    ];
    const report = text(fs);
    expect(section(report, "SES account and identities")?.[0]).toBe("SES account and identities: broken");
    expect(section(report, "DNS authentication")?.[0]).toBe("DNS authentication: not fully checked");
    expect(section(report, "SMTP credentials")?.[0]).toBe("SMTP credentials: ok, with warnings");
    expect(section(report, "Relays using the credentials")?.[0]).toBe("Relays using the credentials: ok");
  });

  it("a layer not run, or run with nothing to report, has no heading; a layer not checked at all says why, run or not", () => {
    const fs = [finding("ses", "ses.account.sending", "account in us-east-1", "pass", "sending is enabled"), finding("smtp", "smtp.secret", "secret s", "pass", "readable")];
    const report = text(fs, { layers: ["ses", "dns"], notChecked: [{ layer: "monitoring", reason: "skipped with --skip" }] });
    expect(report).not.toContain("SMTP credentials");
    expect(report).not.toContain("DNS authentication");
    expect(report).toContain("\n\nMonitoring and alerts: not checked (skipped with --skip)\n");
    expect(report.indexOf("Monitoring and alerts")).toBeGreaterThan(report.indexOf("SES account and identities"));
  });

  it("finding lines: the status, the id padded to the layer's widest, the subject and the summary", () => {
    const fs = [pass("dns.dkim", "example.com DKIM (us-east-1)"), finding("dns", "dns.dmarc.policy", "_dmarc.example.com", "warn", "p=none"), finding("dns", "dns.spf.record", "example.com", "fail", "no record"), finding("dns", "dns.drift", "x", "inconclusive", "no answer")];
    expect(section(text(fs), "DNS authentication")?.slice(1, 5)).toEqual([
      "  PASS  dns.dkim          example.com DKIM (us-east-1): ok",
      "  WARN  dns.dmarc.policy  _dmarc.example.com: p=none",
      "  FAIL  dns.spf.record    example.com: no record",
      "  ????  dns.drift         x: no answer",
    ]);
  });

  it("under a finding that did not pass: its evidence and its fix; under a passing one nothing, unless verbose (and never a fix)", () => {
    const fs = [pass("dns.dkim", "example.com", { evidence: ["CNAME tok1._domainkey.example.com"], remediation: "nothing to do" }), finding("dns", "dns.spf.record", "example.com", "fail", "no record", { evidence: ["TXT example.com: NXDOMAIN"], remediation: "Add the record." })];
    expect(section(text(fs), "DNS authentication")).toEqual([
      "DNS authentication: broken",
      "  PASS  dns.dkim        example.com: ok",
      "  FAIL  dns.spf.record  example.com: no record",
      "        TXT example.com: NXDOMAIN",
      "        fix: Add the record.",
    ]);
    expect(section(text(fs, { verbose: true }), "DNS authentication")).toEqual([
      "DNS authentication: broken",
      "  PASS  dns.dkim        example.com: ok",
      "        CNAME tok1._domainkey.example.com",
      "  FAIL  dns.spf.record  example.com: no record",
      "        TXT example.com: NXDOMAIN",
      "        fix: Add the record.",
    ]);
    // A failure without a remediation has no fix line.
    expect(section(text([finding("dns", "dns.spf.record", "example.com", "fail", "no record")]), "DNS authentication")).toEqual(["DNS authentication: broken", "  FAIL  dns.spf.record  example.com: no record"]);
  });

  it("checks not made in a layer: listed under its findings with why, the ids aligned with them; the layer is then not fully checked", () => {
    const notChecked: NotChecked[] = [{ layer: "relay", check: "relay.gmail", reason: "no Gmail credentials" }];
    const fs = [finding("relay", "relay.credentials", "admin@example.com", "pass", "current key"), finding("relay", "relay.retire", "key 1", "pass", "retired")];
    expect(section(text(fs, { notChecked }), "Relays using the credentials")).toEqual([
      "Relays using the credentials: not fully checked",
      "  PASS  relay.credentials  admin@example.com: current key",
      "  PASS  relay.retire       key 1: retired",
      "  ----  relay.gmail        not checked (no Gmail credentials)",
    ]);
    // With no finding at all the layer still shows, with the check it could not make.
    const long: NotChecked[] = [{ layer: "relay", check: "relay.gmail.alias-verification", reason: "no Gmail credentials" }];
    expect(section(text([finding("relay", "relay.retire", "key 1", "pass", "retired")], { notChecked: long }), "Relays using the credentials")?.slice(1)).toEqual([
      "  PASS  relay.retire                    key 1: retired",
      "  ----  relay.gmail.alias-verification  not checked (no Gmail credentials)",
    ]);
    expect(section(text([], { notChecked }), "Relays using the credentials")).toEqual(["Relays using the credentials: not fully checked", "  ----  relay.gmail  not checked (no Gmail credentials)"]);
    // The summary names the layer.
    expect(text(fs, { notChecked })).toMatch(/— checked layers healthy; not checked: relay\.\n$/);
    // Another layer's findings do not list it.
    const ses = [finding("ses", "ses.account.sending", "account in us-east-1", "pass", "sending is enabled")];
    expect(section(text(ses, { notChecked }), "SES account and identities")).toEqual(["SES account and identities: ok", "  PASS  ses.account.sending  account in us-east-1: sending is enabled"]);
  });
});

describe("formatText: checks a cause decided", () => {
  const blocked = (id: string, subject: string, status: BlockedCheck["status"], layer: BlockedCheck["layer"] = "smtp"): BlockedCheck => ({ layer, id, subject, status });
  const cause = (b: BlockedCheck[], status: Finding["status"] = "inconclusive") => ({ ...finding("ses", "aws.credentials", "AWS credentials", status, "no AWS credentials were found", { remediation: "Set AWS_PROFILE." }), blocked: b });

  it("the cause lists what it blocked (one 'check', several 'checks'); the other layer points back at it, with its worst status", () => {
    const one = text([cause([blocked("smtp.secret", "secret s", "inconclusive")])]);
    expect(one).toContain("        blocks 1 check:\n          smtp.secret (secret s)\n        fix: Set AWS_PROFILE.\n");
    expect(section(one, "SMTP credentials")).toEqual(["SMTP credentials: not fully checked", "  ????  smtp.secret: 1 check decided by aws.credentials (SES account and identities, above)"]);

    const worst = (statuses: BlockedCheck["status"][]) => section(text([cause(statuses.map((s, i) => blocked(i % 2 ? "smtp.auth" : "smtp.key", `s${i}`, s)), "warn")]), "SMTP credentials")?.[1];
    expect(worst(["pass", "warn", "inconclusive", "fail"])).toBe("  FAIL  smtp.key, smtp.auth: 4 checks decided by aws.credentials (SES account and identities, above)");
    expect(worst(["pass", "inconclusive", "warn"])).toBe("  ????  smtp.key, smtp.auth: 3 checks decided by aws.credentials (SES account and identities, above)");
    expect(worst(["pass", "warn"])).toBe("  WARN  smtp.key, smtp.auth: 2 checks decided by aws.credentials (SES account and identities, above)");
    expect(worst(["pass", "pass", "pass"])).toBe("  PASS  smtp.key, smtp.auth: 3 checks decided by aws.credentials (SES account and identities, above)");
    // The cause's own layer lists its blocked checks under it, not as decided elsewhere; a layer it blocked nothing in is not pointed at it.
    const own = text([cause([blocked("ses.account.sending", "account in us-east-1", "inconclusive", "ses"), blocked("smtp.secret", "secret s", "inconclusive")]), finding("dns", "dns.dkim", "example.com", "pass", "ok")]);
    expect(section(own, "SES account and identities")).toEqual([
      "SES account and identities: not fully checked",
      "  ????  aws.credentials  AWS credentials: no AWS credentials were found",
      "        blocks 2 checks:",
      "          ses.account.sending (account in us-east-1)",
      "          smtp.secret (secret s)",
      "        fix: Set AWS_PROFILE.",
    ]);
    expect(section(own, "DNS authentication")).toEqual(["DNS authentication: ok", "  PASS  dns.dkim  example.com: ok"]);
    // Only the checks of that layer are counted there.
    const mixed = text([cause([blocked("smtp.key", "k", "fail"), blocked("relay.credentials", "r", "inconclusive", "relay"), blocked("smtp.auth", "a", "pass")])]);
    expect(section(mixed, "SMTP credentials")?.[1]).toBe("  FAIL  smtp.key, smtp.auth: 2 checks decided by aws.credentials (SES account and identities, above)");
    expect(section(mixed, "Relays using the credentials")).toEqual(["Relays using the credentials: not fully checked", "  ????  relay.credentials: 1 check decided by aws.credentials (SES account and identities, above)"]);
  });

  it(`up to ${BLOCKED_LISTED} blocked checks are listed one by one; more are counted per check id`, () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => blocked(i < 5 ? "smtp.key" : "smtp.auth", `subject ${i}`, "inconclusive"));
    const twenty = text([cause(list(20))]);
    expect(twenty).toContain("        blocks 20 checks:\n          smtp.key (subject 0)\n");
    expect(twenty).toContain("          smtp.auth (subject 19)\n");
    const many = text([cause(list(21))]);
    expect(many).toContain("        blocks 21 checks:\n          smtp.key (5 subjects)\n          smtp.auth (16 subjects)\n        fix: Set AWS_PROFILE.\n");
    expect(many).not.toContain("(subject 0)");
  });
});

describe("formatText: more than one domain", () => {
  it("adds a tally per domain above the summary, naming each domain that is not all pass", () => {
    const fs = [
      finding("dns", "dns.spf.record", "a.example", "pass", "ok"),
      finding("dns", "dns.spf.record", "b.example", "fail", "no record"),
      finding("dns", "dns.dmarc.policy", "_dmarc.b.example", "warn", "p=none"),
    ];
    const report = text(fs, { domains: ["a.example", "b.example"] });
    expect(report).toContain("\n\nPer domain: 1 of 2 domains all pass.\n  b.example: 1 fail, 1 warn\n\nSummary: 1 pass, 1 warn, 1 fail, 0 inconclusive — broken: dns.\n");
    expect(text(fs, { domains: ["a.example"] })).not.toContain("Per domain");
    expect(text(fs)).not.toContain("Per domain");
  });
});

describe("formatText: the summary line", () => {
  it("names every broken layer by its --only name", () => {
    const fs = [finding("ses", "ses.identity.verified", "example.com in us-east-1", "fail", "pending"), finding("dns", "dns.spf.record", "example.com", "fail", "no record"), finding("smtp", "smtp.auth", "x", "inconclusive", "timeout")];
    expect(text(fs)).toMatch(/\nSummary: 0 pass, 0 warn, 2 fail, 1 inconclusive — broken: ses, dns\.\n$/);
  });
});

describe("formatText: colour and layout", () => {
  it("colours each status, the headings and the evidence only when asked", () => {
    const fs = [pass("dns.dkim"), finding("dns", "dns.dmarc.policy", "_dmarc.example.com", "warn", "p=none", { evidence: ["v=DMARC1; p=none"] }), finding("dns", "dns.spf.record", "example.com", "fail", "no record"), finding("dns", "dns.drift", "x", "inconclusive", "no answer")];
    const coloured = text(fs, { color: true });
    expect(coloured).toContain("\u001b[32mPASS\u001b[0m");
    expect(coloured).toContain("\u001b[33mWARN\u001b[0m");
    expect(coloured).toContain("\u001b[31mFAIL\u001b[0m");
    expect(coloured).toContain("\u001b[36m????\u001b[0m");
    expect(coloured).toContain("\u001b[1mDNS authentication\u001b[0m: \u001b[31mbroken\u001b[0m");
    expect(coloured).toContain("\u001b[2m        v=DMARC1; p=none\u001b[0m");
    expect(coloured.startsWith("\u001b[1mmail-infra verify: stack prod\u001b[0m\n")).toBe(true);
    const states = (f: Finding) => section(text([f], { color: true }).replace(/\u001b\[1m|\u001b\[0m(?=:)/g, ""), "DNS authentication")?.[0];
    expect(states(finding("dns", "dns.drift", "x", "inconclusive", "no answer"))).toBe("DNS authentication: \u001b[36mnot fully checked\u001b[0m");
    expect(states(finding("dns", "dns.drift", "x", "warn", "drift"))).toBe("DNS authentication: \u001b[33mok, with warnings\u001b[0m");
    expect(states(pass("dns.drift"))).toBe("DNS authentication: \u001b[32mok\u001b[0m");
    expect(text(fs)).not.toContain("\u001b[");
  });

  it("starts with what was verified and ends with one summary line and a newline", () => {
    const report = text([pass("dns.dkim")]);
    expect(report.startsWith("mail-infra verify: stack prod\n\nDNS authentication: ok\n")).toBe(true);
    expect(report.endsWith("\n\nSummary: 1 pass, 0 warn, 0 fail, 0 inconclusive — mail path healthy.\n")).toBe(true);
    // One blank line between the parts, never two.
    expect(report).not.toContain("\n\n\n");
    expect(text([pass("dns.dkim")], { domains: ["a.example", "b.example"] })).not.toContain("\n\n\n");
  });

  it("every line fits the width: a finding goes on under its subject (8 columns), another line 2 columns under itself", () => {
    const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    expect(wrapReport(`  PASS  dns.dkim  example.com: ${long}`, 60).split("\n")).toEqual([
      "  PASS  dns.dkim  example.com: word0 word1 word2 word3 word4",
      "        word5 word6 word7 word8 word9 word10 word11 word12",
      "        word13 word14 word15 word16 word17 word18 word19",
      "        word20 word21 word22 word23 word24 word25 word26",
      "        word27 word28 word29",
    ]);
    expect(wrapReport(`        ${long}`, 60).split("\n")[1]).toMatch(/^ {10}word/);
    expect(wrapReport(long, 60).split("\n")[1]).toMatch(/^ {2}word/);
    // The default width is 100 columns.
    const report = text([finding("dns", "dns.spf.record", "example.com", "fail", long, { evidence: [long], remediation: long })]);
    expect(Math.max(...report.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(report.split("\n").some((l) => l.length > 90)).toBe(true);
  });
});

describe("formatJson", () => {
  const fs = [finding("dns", "dns.spf.record", "a.example", "pass", "ok"), finding("dns", "dns.spf.record", "b.example", "fail", "no record")];

  it("carries its format version, what was verified, the layers, what was not checked, the summary, the exit code and every finding", () => {
    const notChecked: NotChecked[] = [{ layer: "smtp", reason: "no --secret-id given" }];
    const json = formatJson(fs, { target: "stack prod", layers: ["dns"], notChecked });
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.split("\n")[1]).toBe('  "version": 1,');
    expect(JSON.parse(json)).toStrictEqual({ version: 1, target: "stack prod", layers: ["dns"], notChecked, summary: { pass: 1, warn: 0, fail: 1, inconclusive: 0 }, exitCode: 1, findings: JSON.parse(JSON.stringify(fs)) });
    expect(JSON.parse(formatJson([fs[0]], { target: "t", layers: ["dns"] }))).toMatchObject({ notChecked: [], exitCode: 0 });
  });

  it("with two domains or more, a tally per domain", () => {
    expect(JSON.parse(formatJson(fs, { target: "t", layers: ["dns"], domains: ["a.example", "b.example"] })).byDomain).toEqual([
      { domain: "a.example", pass: 1, warn: 0, fail: 0, inconclusive: 0 },
      { domain: "b.example", pass: 0, warn: 0, fail: 1, inconclusive: 0 },
    ]);
    expect("byDomain" in JSON.parse(formatJson(fs, { target: "t", layers: ["dns"], domains: ["a.example"] }))).toBe(false);
    expect("byDomain" in JSON.parse(formatJson(fs, { target: "t", layers: ["dns"] }))).toBe(false);
  });
});
