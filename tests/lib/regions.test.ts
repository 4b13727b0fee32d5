import { describe, expect, it } from "vitest";
import { regionOfMailFromMxHost, regionOfSmtpEndpoint, smtpEndpoint } from "../../lib/regions";

describe("regionOfSmtpEndpoint", () => {
  it("reads the region of an SES SMTP endpoint, FIPS and trailing dot included", () => {
    expect(regionOfSmtpEndpoint(smtpEndpoint("us-west-2"))).toBe("us-west-2");
    expect(regionOfSmtpEndpoint("email-smtp-fips.us-gov-west-1.amazonaws.com.")).toBe("us-gov-west-1");
    expect(regionOfSmtpEndpoint(" EMAIL-SMTP.EU-CENTRAL-1.AMAZONAWS.COM ")).toBe("eu-central-1");
  });

  it("is undefined for any other host", () => {
    for (const h of ["smtp.gmail.com", "feedback-smtp.us-east-1.amazonses.com", "email-smtp.us-east-1.amazonaws.com.evil.example", "email.us-east-1.amazonaws.com", ""]) {
      expect(regionOfSmtpEndpoint(h)).toBeUndefined();
    }
  });

  it("does not take a MAIL FROM feedback host, nor the other way round", () => {
    expect(regionOfMailFromMxHost(smtpEndpoint("us-east-1"))).toBeUndefined();
    expect(regionOfMailFromMxHost("feedback-smtp.us-east-1.amazonses.com")).toBe("us-east-1");
  });
});
