import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";

describe("deriveSmtpPasswordV4", () => {
  it.each([
    ["eu-central-1", "some+secret+key", "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"],
    ["us-west-1", "some+secret+key", "BH+jbMzper5WwlwUar9E1ySBqHa9whi0GPo+sJ0mVYJj"],
  ])("matches the published vector for %s", (region, secret, expected) => {
    expect(deriveSmtpPasswordV4(secret, region)).toBe(expected);
  });

  it("differs per region for the same key", () => {
    const k = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    expect(deriveSmtpPasswordV4(k, "us-east-1")).not.toBe(deriveSmtpPasswordV4(k, "us-west-2"));
  });

  it("follows the documented chain for any key (independent re-computation)", () => {
    const secret = "Zx9/abcDEF+0123456789abcdefghijklmnopqrs";
    const region = "ap-southeast-2";
    const chain = ["11111111", region, "ses", "aws4_request", "SendRawEmail"].reduce<Buffer>(
      (key, msg) => createHmac("sha256", key).update(msg).digest(),
      Buffer.from("AWS4" + secret),
    );
    const expected = Buffer.concat([Buffer.from([4]), chain]).toString("base64");
    expect(deriveSmtpPasswordV4(secret, region)).toBe(expected);
    expect(Buffer.from(expected, "base64")[0]).toBe(4);
    expect(Buffer.from(expected, "base64")).toHaveLength(33);
  });

  it("refuses a region without SES SMTP", () => {
    expect(() => deriveSmtpPasswordV4("x", "mars-north-1")).toThrow(/no Amazon SES SMTP endpoint/);
  });

  it("refuses an empty secret", () => {
    expect(() => deriveSmtpPasswordV4("", "us-east-1")).toThrow(/empty/);
  });
});
