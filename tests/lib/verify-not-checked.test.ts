/**
 * How verify names what it did not check (lib/verify/findings.ts describeNotChecked), in the
 * verdict and in "nothing to check"; found untested by mutation testing (docs/mutation-testing.md).
 */
import { describe, expect, it } from "vitest";
import { describeNotChecked, LAYERS } from "../../lib/verify/findings";

describe("describeNotChecked", () => {
  it("a whole layer by its title, one check as 'title: check', each with its reason, '; ' between", () => {
    expect(
      describeNotChecked([
        { layer: "smtp", reason: "no --secret-id given" },
        { layer: "relay", check: "relay.gmail", reason: "no Gmail credentials" },
      ]),
    ).toBe("SMTP credentials (no --secret-id given); Relays using the credentials: relay.gmail (no Gmail credentials)");
  });
  it("every layer by its title, in the order a message crosses them", () => {
    expect(describeNotChecked(LAYERS.map((layer) => ({ layer, reason: "skipped with --skip" })))).toBe(
      "SES account and identities (skipped with --skip); DNS authentication (skipped with --skip); SMTP credentials (skipped with --skip); " +
        "Relays using the credentials (skipped with --skip); Recipient domains (skipped with --skip); Monitoring and alerts (skipped with --skip)",
    );
  });
  it("nothing left out: empty", () => {
    expect(describeNotChecked([])).toBe("");
  });
});
