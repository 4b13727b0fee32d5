/**
 * How verify names what it did not check (lib/verify/findings.ts describeNotChecked), in the
 * verdict and in "nothing to check"; found untested by mutation testing (docs/mutation-testing.md).
 */
import { describe, expect, it } from "vitest";
import { describeNotChecked } from "../../lib/verify/findings";

describe("describeNotChecked", () => {
  it("a whole layer by its title, one check as 'title: check', each with its reason, '; ' between", () => {
    expect(
      describeNotChecked([
        { layer: "smtp", reason: "no --secret-id given" },
        { layer: "relay", check: "relay.gmail", reason: "no Gmail credentials" },
      ]),
    ).toBe("SMTP credentials (no --secret-id given); Relays using the credentials: relay.gmail (no Gmail credentials)");
  });
  it("nothing left out: empty", () => {
    expect(describeNotChecked([])).toBe("");
  });
});
