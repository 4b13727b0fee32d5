import { describe, expect, it } from "vitest";
import { mxMatchesPattern, mxNotInPolicy, parseMtaStsPolicy, parseMtaStsRecord } from "../../lib/mta-sts";
import { parseTlsRptRecord } from "../../lib/tls-rpt";

describe("parseMtaStsRecord (RFC 8461 3.1)", () => {
  it("one v=STSv1 record with an id; other TXT values are discarded", () => {
    expect(parseMtaStsRecord(["google-site-verification=x", "v=STSv1; id=20240101T000000"])).toEqual({ kind: "record", record: { id: "20240101T000000" }, text: "v=STSv1; id=20240101T000000" });
    expect(parseMtaStsRecord(["v=STSv1;id=abc;"])).toMatchObject({ kind: "record", record: { id: "abc" } });
  });
  it("no record is none; the version is case-sensitive", () => {
    expect(parseMtaStsRecord([])).toEqual({ kind: "none" });
    expect(parseMtaStsRecord(["v=stsv1; id=1"])).toEqual({ kind: "none" });
  });
  it("two records, a missing id or a bad id: invalid, and says why", () => {
    expect(parseMtaStsRecord(["v=STSv1; id=1", "v=STSv1; id=2"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/^2 "v=STSv1" records/) });
    expect(parseMtaStsRecord(["v=STSv1;"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/no "id" field/) });
    expect(parseMtaStsRecord(["v=STSv1; id=2024-01-01"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/not 1 to 32 letters and digits/) });
    expect(parseMtaStsRecord([`v=STSv1; id=${"a".repeat(33)}`])).toMatchObject({ kind: "invalid" });
  });
});

const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.backup.example.com\r\nmax_age: 604800\r\n";

describe("parseMtaStsPolicy (RFC 8461 3.2)", () => {
  it("reads version, mode, mx (repeated) and max_age, CRLF or LF; ignores unknown fields", () => {
    expect(parseMtaStsPolicy(POLICY)).toEqual({ policy: { mode: "enforce", maxAge: 604800, mx: ["mail.example.com", "*.backup.example.com"] }, problems: [] });
    expect(parseMtaStsPolicy("version: STSv1\nmode: none\nmax_age: 86400\nextension: yes\n").policy).toEqual({ mode: "none", maxAge: 86400, mx: [] });
  });
  it("refuses a missing or wrong version, mode, max_age, and testing/enforce without mx", () => {
    expect(parseMtaStsPolicy(POLICY.replace("STSv1", "STSv2")).problems).toEqual(['the version is "STSv2"; it must be exactly "STSv1" (RFC 8461 3.2).']);
    expect(parseMtaStsPolicy(POLICY.replace("enforce", "Enforce")).problems[0]).toMatch(/mode is "Enforce"; it must be enforce, testing or none/);
    expect(parseMtaStsPolicy(POLICY.replace("604800", "31557601")).problems[0]).toMatch(/max_age "31557601" is not a whole number of seconds up to 31557600/);
    expect(parseMtaStsPolicy("version: STSv1\nmode: testing\nmax_age: 10\n").problems).toEqual(['a testing policy needs at least one "mx:" line (RFC 8461 3.2).']);
    expect(parseMtaStsPolicy("<html>not found</html>").policy).toBeUndefined();
  });
});

describe("mxMatchesPattern (RFC 8461 4.1)", () => {
  it("exact names, case and trailing dot ignored", () => {
    expect(mxMatchesPattern("Mail.Example.com.", "mail.example.com")).toBe(true);
    expect(mxMatchesPattern("mx.example.com", "mail.example.com")).toBe(false);
  });
  it("a wildcard matches exactly one left-most label", () => {
    expect(mxMatchesPattern("mx1.example.com", "*.example.com")).toBe(true);
    expect(mxMatchesPattern("example.com", "*.example.com")).toBe(false);
    expect(mxMatchesPattern("a.b.example.com", "*.example.com")).toBe(false);
    expect(mxMatchesPattern("mx1.example.com.evil.test", "*.example.com")).toBe(false);
  });
  it("mxNotInPolicy lists the hosts no pattern allows", () => {
    const policy = parseMtaStsPolicy(POLICY).policy!;
    expect(mxNotInPolicy(["mail.example.com", "x.backup.example.com", "y.x.backup.example.com", "other.example.org"], policy)).toEqual(["y.x.backup.example.com", "other.example.org"]);
  });
});

describe("parseTlsRptRecord (RFC 8460 3)", () => {
  it("reads rua: mailto and https URIs", () => {
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt"])).toMatchObject({ kind: "record", record: { rua: ["mailto:tlsrpt@example.com", "https://reports.example.com/tlsrpt"] } });
  });
  it("none, two records, no rua, or a bad URI", () => {
    expect(parseTlsRptRecord(["v=spf1 -all"])).toEqual({ kind: "none" });
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/^2 "v=TLSRPTv1" records/) });
    expect(parseTlsRptRecord(["v=TLSRPTv1;"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/no "rua" field/) });
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=http://reports.example.com/"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/neither a mailto: address nor an https: URL/) });
  });
});
