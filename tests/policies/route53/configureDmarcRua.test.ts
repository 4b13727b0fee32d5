import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureDmarcRua as policy } from "../../../policies/route53/Record/configureDmarcRua";
import { expectPolicyShape, resourceArgs, runResourcePolicy, txtRecordProps } from "../harness";

const run = (value: string) => runResourcePolicy(policy, resourceArgs(aws.route53.Record, txtRecordProps("_dmarc.example.com", value)));
const messages = async (value: string) => (await run(value)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes mailto: URIs, with a size limit and several destinations", async () => {
    expect(await run("v=DMARC1; p=none; rua=mailto:dmarc@example.com!10m, mailto:reports@vendor.example")).toEqual({ violations: [] });
  });

  it("fails a rua that is not a mailto: URI", async () => {
    expect(await messages("v=DMARC1; p=none; rua=https://example.com/dmarc")).toEqual([
      'The DMARC record at _dmarc.example.com: rua "https://example.com/dmarc" is not a mailto: URI; DMARC reports are sent by e-mail, so write it as "mailto:dmarc-reports@example.com" (RFC 7489 6.2, 6.3).',
    ]);
  });

  it("fails a mailto: without an address, next to a good one", async () => {
    expect(await messages("v=DMARC1; p=none; rua=mailto:dmarc@example.com,mailto:nobody")).toEqual([expect.stringContaining('"mailto:nobody" does not contain an e-mail address')]);
  });

  it("fails a record without rua", async () => {
    expect(await messages("v=DMARC1; p=reject")).toEqual([expect.stringContaining("has no rua tag")]);
  });

  it("is not applicable to records without a valid DMARC policy", async () => {
    expect((await run("v=spf1 -all")).notApplicable).toBe("The record holds no valid DMARC policy.");
  });
});
