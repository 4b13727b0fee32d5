import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowInvalidDmarc as policy } from "../../../policies/route53/Record/disallowInvalidDmarc";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps } from "../harness";

const run = (name: string, ...values: string[]) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps(name, ...values)));
const messages = async (name: string, ...values: string[]) => (await run(name, ...values)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes a valid record, also with p=none and next to other TXT data", async () => {
    expect(await run("_dmarc.example.com", "v=DMARC1; p=none; rua=mailto:dmarc@example.com")).toEqual({ violations: [] });
    expect(await run("_dmarc.example.com", "v=DMARC1; p=reject", "unrelated")).toEqual({ violations: [] });
  });

  it("fails a record without p", async () => {
    expect(await messages("_dmarc.example.com", "v=DMARC1; rua=mailto:d@example.com")).toEqual([expect.stringContaining("(dmarc-p-missing)")]);
  });

  it("fails a bad tag value", async () => {
    expect(await messages("_dmarc.example.com", "v=DMARC1; p=reject; pct=150")).toEqual([expect.stringContaining("(dmarc-bad-pct)")]);
    expect(await messages("_dmarc.example.com", "v=DMARC1; p=monitor")).toEqual([expect.stringContaining("(dmarc-bad-policy)")]);
  });

  it("fails a wrong version, which receivers discard", async () => {
    expect(await messages("_dmarc.example.com", "v=dmarc1; p=none")).toEqual([expect.stringContaining("(dmarc-bad-version)")]);
  });

  it("fails two DMARC records at one name", async () => {
    expect(await messages("_dmarc.example.com", "v=DMARC1; p=none", "v=DMARC1; p=reject")).toEqual([
      "_dmarc.example.com has 2 DMARC records; receivers then apply none of them (RFC 7489 6.6.3). Keep one.",
    ]);
  });

  it("fails TXT data at a _dmarc name that is not DMARC", async () => {
    expect(await messages("_dmarc.example.com", "p=reject")).toEqual([
      '_dmarc.example.com has TXT data but no record starting with "v=DMARC1", so receivers find no DMARC policy (RFC 7489 6.6.3).',
    ]);
  });

  it("fails a DMARC record published at the apex", async () => {
    expect(await messages("example.com", "v=DMARC1; p=reject")).toEqual([expect.stringContaining("Move it to _dmarc.example.com.")]);
  });

  it("leaves a bad rua to the rua policy", async () => {
    expect(await run("_dmarc.example.com", "v=DMARC1; p=none; rua=https://example.com/reports")).toEqual({ violations: [] });
  });

  it("is not applicable to other TXT records", async () => {
    expect((await run("example.com", "v=spf1 -all")).notApplicable).toBe("The record is neither at a _dmarc name nor a DMARC value.");
  });
});
