import { describe, expect, it } from "vitest";
import { regionalArn, regionOfMailFromMxHost, regionOfSmtpEndpoint, smtpEndpoint } from "../../lib/regions";
import { sesArn } from "../../lib/iam";
import { secretEventPattern } from "../../lib/monitoring";

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

describe("regionalArn", () => {
  it("names the region's partition: aws, aws-cn, aws-us-gov", () => {
    expect(regionalArn("events", "us-east-1", "123456789012", "rule/r")).toBe("arn:aws:events:us-east-1:123456789012:rule/r");
    expect(regionalArn("events", "cn-north-1", "123456789012", "rule/r")).toBe("arn:aws-cn:events:cn-north-1:123456789012:rule/r");
    expect(sesArn("us-gov-west-1", "123456789012", "identity", "example.com")).toBe("arn:aws-us-gov:ses:us-gov-west-1:123456789012:identity/example.com");
    // The secret rule matches a secret named by ARN in its own partition, not in aws.
    const pattern = secretEventPattern("mail-infra/prod/ses-smtp", "cn-northwest-1", "123456789012") as { detail: { requestParameters: { secretId: unknown[] } } };
    expect(pattern.detail.requestParameters.secretId[1]).toEqual({ prefix: "arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:mail-infra/prod/ses-smtp-" });
  });
});
