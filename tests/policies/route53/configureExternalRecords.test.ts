import { describe, expect, it } from "vitest";
import { configureExternalRecords, configureExternalRecordsAdvisory } from "../../../policies/route53/Record/configureExternalRecords";
import { configureDmarcSpfAlignment } from "../../../policies/route53/Record/configureDmarcSpfAlignment";
import { missingIdentityRecords } from "../../../policies/route53/Record/missingIdentityRecords";
import { expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { DOMAIN, find, goodStack } from "../stack-fixture";

type Entries = Parameters<typeof stackArgs>[0];
const external = (extra: Record<string, string | number | string[]> = {}) => goodStack(["us-east-1"], { dnsMode: "external", dmarcPolicy: "quarantine", ...extra });
const records = (stack: Entries) => find(stack, DOMAIN).props.records as { key: string; name: string; values: string[] }[];
const record = (stack: Entries, key: string) => {
  const r = records(stack).find((x) => x.key === key);
  if (!r) throw new Error(`no record ${key}`);
  return r;
};

describe(configureExternalRecords.name, () => {
  const run = (entries: Entries) => runStackPolicy(configureExternalRecords, stackArgs(entries));
  it("has the pack's metadata", () => expectPolicyShape(configureExternalRecords, "mandatory"));

  it("passes the records an external-DNS domain is asked to publish", async () => {
    expect(await run(external())).toEqual({ violations: [] });
  });

  it("fails an external SPF record a mandatory record policy refuses, naming that policy", async () => {
    const stack = external();
    record(stack, "spf").values = ["v=spf1 ip4:0.0.0.0/0 +all"];
    expect((await run(stack)).violations).toEqual([
      { urn: urnOf(find(stack, DOMAIN)), message: expect.stringMatching(/^\[aws-route53-record-configure-spf-all\] The SPF record at example\.com \(spf-all-pass\)/) },
      { urn: urnOf(find(stack, DOMAIN)), message: expect.stringMatching(/^\[aws-route53-record-disallow-spf-wide-network\] The SPF record at example\.com \(spf-ip-whole-internet\)/) },
    ]);
  });

  it("leaves advisory findings to the advisory twin", async () => {
    const stack = external({ dmarcPolicy: "none" });
    expect(await run(stack)).toEqual({ violations: [] });
    expect((await runStackPolicy(configureExternalRecordsAdvisory, stackArgs(stack))).violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^\[aws-route53-record-configure-dmarc-policy\] _dmarc\.example\.com: The DMARC policy is p=none/),
    ]);
  });

  it("says what it could not check when a record's values are unknown (preview)", async () => {
    const stack = external();
    (find(stack, DOMAIN).props.records as unknown[])[records(stack).findIndex((r) => r.key === "spf")] = UNKNOWN;
    expect(await run(stack)).toEqual({ violations: [], notChecked: "not checked at preview: external TXT records whose values are unknown (example.com)" });
  });

  it("does not apply to a Route 53 stack", async () => {
    expect((await run(goodStack())).notApplicable).toBe("The stack has no external-DNS domain.");
  });
});

describe(`${configureExternalRecordsAdvisory.name}`, () => {
  it("has the pack's metadata", () => expectPolicyShape(configureExternalRecordsAdvisory, "advisory"));
});

describe("the stack policies see an external-DNS domain's records", () => {
  it("missing records: an external identity is checked against the records its MailDomain lists", async () => {
    expect(await runStackPolicy(missingIdentityRecords, stackArgs(external()))).toEqual({ violations: [] });
    const stack = external();
    find(stack, DOMAIN).props.records = records(stack).filter((r) => r.key !== "dmarc");
    expect((await runStackPolicy(missingIdentityRecords, stackArgs(stack))).violations.map((v) => v.message)).toEqual([expect.stringContaining("is missing a DMARC record at _dmarc.example.com")]);
  });

  it("DMARC alignment: aspf=s in an external DMARC record", async () => {
    const { violations } = await runStackPolicy(configureDmarcSpfAlignment, stackArgs(external({ dmarcAspf: "s" })));
    expect(violations).toEqual([{ urn: urnOf({ type: "mail-infra:ses:MailDomain", name: DOMAIN }), message: expect.stringContaining("The DMARC record at _dmarc.example.com sets aspf=s") }]);
  });
});
