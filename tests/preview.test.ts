/**
 * The program as a first `pulumi preview` sees it (runProgramUnderMocks with `preview`): values
 * AWS assigns are unknown, and so is every input built from them. The DNS records that depend
 * only on config are declared outside the DKIM-token apply, so their names and values are known.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { previewState, type RecordedResource, UNKNOWN } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { type TestRun, runWithConfig } from "./helpers/program";

const RECORD = "aws:route53/record:Record";

describe("a first preview of a prod-like stack", () => {
  let run: TestRun;
  let full: TestRun;
  beforeAll(async () => {
    run = await runWithConfig(PROD_LIKE, "prod", undefined, true);
    full = await runWithConfig(PROD_LIKE, "prod");
  });
  const record = (r: TestRun, suffix: string): RecordedResource => r.one(RECORD, suffix);

  it("declares the same resources with the same URNs as a full run", () => {
    expect(run.resources.map((r) => r.urn).sort()).toEqual(full.resources.map((r) => r.urn).sort());
  });

  it("knows the SPF, DMARC and MAIL FROM records: name and value, as a full run has them", () => {
    for (const suffix of ["-dns-spf", "-dns-dmarc", "-dns-mail-from-mx-bounce.queenofsandiego.com", "-dns-mail-from-spf-bounce-us-west-2.queenofsandiego.com"]) {
      const r = record(run, suffix);
      expect(r.inputs.name).not.toBe(UNKNOWN);
      expect(r.inputs.records).not.toContain(UNKNOWN);
      expect(r.inputs).toEqual(record(full, suffix).inputs);
    }
    expect(record(run, "-dns-spf").inputs.records).toEqual(["v=spf1 ~all"]);
    expect(record(run, "-dns-dmarc").inputs.records).toEqual([expect.stringMatching(/^v=DMARC1; p=none; /)]);
  });

  it("leaves the DKIM CNAMEs, which are named after tokens SES issues, unknown", () => {
    const dkim = run.byType(RECORD).filter((r) => r.name.includes("-dns-dkim-"));
    expect(dkim).toHaveLength(6);
    for (const r of dkim) {
      expect(r.inputs.name).toBe(UNKNOWN);
      expect(r.inputs.records).toBe(UNKNOWN);
      expect(r.inputs.type).toBe("CNAME");
    }
  });

  it("leaves what AWS assigns unknown: fqdn, ARNs, DKIM tokens, ids; keeps the inputs next to them", () => {
    expect(record(run, "-dns-spf").state.fqdn).toBe(UNKNOWN);
    const identity = run.one("aws:sesv2/emailIdentity:EmailIdentity", "us-east-1");
    expect(identity.state.arn).toBe(UNKNOWN);
    expect(identity.state.dkimSigningAttributes).toEqual({ nextSigningKeyLength: "RSA_2048_BIT", tokens: UNKNOWN, status: UNKNOWN, signingAttributesOrigin: UNKNOWN, currentSigningKeyLength: UNKNOWN });
    expect(identity.id).toBeUndefined();
    expect(full.one("aws:sesv2/emailIdentity:EmailIdentity", "us-east-1").id).toBeDefined();
  });

  it("reports stack outputs built from unknown values as unknown instead of waiting for them", () => {
    expect(Object.values(run.outputs)).toContain(UNKNOWN);
  });
});

describe("previewState", () => {
  it("keeps inputs, marks each assigned leaf unknown, and keeps an assigned value equal to its input", () => {
    expect(previewState({ name: "a", nested: { k: 1 } }, { arn: "arn:x", nested: { k: 1, token: "t" }, name: "a" })).toEqual({
      name: "a",
      arn: UNKNOWN,
      nested: { k: 1, token: UNKNOWN },
    });
  });
});
