import { describe, expect, it } from "vitest";
import { dkimCnameTarget, isSesDkimTarget } from "../../lib/regions";

describe("isSesDkimTarget", () => {
  it("recognises the global and the regional Easy DKIM hosts", () => {
    expect(isSesDkimTarget(dkimCnameTarget("abc", "us-east-1"))).toBe(true);
    expect(isSesDkimTarget(dkimCnameTarget("abc", "eu-south-1"))).toBe(true);
    expect(isSesDkimTarget("ABC.DKIM.AMAZONSES.COM.")).toBe(true);
  });

  it("refuses other providers and look-alikes", () => {
    expect(isSesDkimTarget("s1.domainkey.u123.wl.sendgrid.net")).toBe(false);
    expect(isSesDkimTarget("dkim.amazonses.com")).toBe(false);
    expect(isSesDkimTarget("abc.dkim.amazonses.com.evil.example")).toBe(false);
  });
});
