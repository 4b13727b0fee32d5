/**
 * The edges of the SMTP TLS Reporting record (RFC 8460 3), found by mutation testing
 * (docs/mutation-testing.md): what starts a TLSRPT record, fields in any order, and rua
 * values as publishers write them. The basic cases are in tests/lib/mta-sts.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseTlsRptRecord, tlsRptRecordName } from "../../lib/tls-rpt";

const RUA = "rua=mailto:tlsrpt@example.com";

describe("the _smtp._tls record name", () => {
  it("is _smtp._tls under the domain, written as DNS compares it (lowercase, no final dot)", () => {
    expect(tlsRptRecordName("Example.COM.")).toBe("_smtp._tls.example.com");
  });
});

describe("parseTlsRptRecord: which TXT values are TLSRPT records (RFC 8460 3: tlsrpt-version first)", () => {
  it("v=TLSRPTv1 then spaces or tabs before the first ';'", () => {
    expect(parseTlsRptRecord([`v=TLSRPTv1 \t; ${RUA}`])).toMatchObject({ kind: "record", record: { rua: ["mailto:tlsrpt@example.com"] } });
  });
  it("a record that is only the version is a record without rua (invalid), not no record", () => {
    expect(parseTlsRptRecord(["v=TLSRPTv1"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/no "rua" field/) });
  });
  it("another version (v=TLSRPTv10) or the version elsewhere than at the start is not a TLSRPT record", () => {
    expect(parseTlsRptRecord([`v=TLSRPTv10; ${RUA}`])).toEqual({ kind: "none" });
    // Only the first counts: the second does not start with the version, so one record, valid.
    expect(parseTlsRptRecord([`v=TLSRPTv1; ${RUA}`, `x-v=TLSRPTv1; ${RUA}`])).toMatchObject({ kind: "record" });
  });
});

describe("parseTlsRptRecord: fields", () => {
  it("an extension field before or after rua is allowed and does not replace rua", () => {
    expect(parseTlsRptRecord([`v=TLSRPTv1; ext=1; ${RUA}`])).toMatchObject({ kind: "record", record: { rua: ["mailto:tlsrpt@example.com"] } });
    expect(parseTlsRptRecord([`v=TLSRPTv1; ${RUA}; ext=1`])).toMatchObject({ kind: "record", record: { rua: ["mailto:tlsrpt@example.com"] } });
  });
  it("a second rua field does not replace the first", () => {
    expect(parseTlsRptRecord([`v=TLSRPTv1; ${RUA}; rua=mailto:other@example.org`])).toMatchObject({ kind: "record", record: { rua: ["mailto:tlsrpt@example.com"] } });
  });
  it("a field that is not key=value, or whose key does not start with a letter or digit, is invalid and named", () => {
    expect(parseTlsRptRecord([`v=TLSRPTv1; ${RUA}; junk`])).toEqual({
      kind: "invalid",
      problem: '"junk" is not a key=value field (RFC 8460 3).',
      texts: [`v=TLSRPTv1; ${RUA}; junk`],
    });
    expect(parseTlsRptRecord([`v=TLSRPTv1; -x=1; ${RUA}`])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/^"-x=1" is not a key=value field/) });
  });
  it("a field value with a line break is not a field (values are visible characters)", () => {
    expect(parseTlsRptRecord([`v=TLSRPTv1; ext=a\nb; ${RUA}`])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/is not a key=value field/) });
  });
});

describe("parseTlsRptRecord: rua URIs", () => {
  it("comma-separated with spaces around the commas", () => {
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=mailto:tlsrpt@example.com, https://reports.example.com/tlsrpt"])).toMatchObject({
      kind: "record",
      record: { rua: ["mailto:tlsrpt@example.com", "https://reports.example.com/tlsrpt"] },
    });
  });
  it("addresses separated by spaces instead of commas, or in angle brackets: invalid", () => {
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=mailto:tlsrpt@example.com tlsrpt@example.org"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/neither a mailto: address nor an https: URL/) });
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=<mailto:tlsrpt@example.com>"])).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/neither a mailto: address nor an https: URL/) });
  });
  it("an http: URL stays refused even with an https:// inside it", () => {
    expect(parseTlsRptRecord(["v=TLSRPTv1; rua=http://reports.example.com/?next=https://collector.example.net/"])).toMatchObject({ kind: "invalid" });
  });
});
