/**
 * lib/ses-denial.ts as a pure rule (until now only tests/address-identities.test.ts, a program
 * test, reached it): SES's AccessDenied answer in its two wordings, the SMTP reply (backquoted
 * ARNs, no colons, as SMTP clients quote it) and the API message ("User: ... is not authorized
 * to perform: ses:SendRawEmail on resource: ..."), both as quoted in lib/ses-denial.ts. Expected
 * values are written out here. Answers the survivors of `npm run test:mutation -- lib/ses-denial.ts`.
 */
import { describe, expect, it } from "vitest";
import { deniedAddressIdentity, parseSendDenial } from "../../lib/ses-denial";

const SMTP =
  "554 Access denied: User `arn:aws:iam::123456789012:user/ses-smtp-user' is not authorized to perform `ses:SendRawEmail' on resource `arn:aws:ses:us-west-2:123456789012:identity/Admin@Example.com'";
const API = "User: arn:aws:iam::123456789012:user/ses-smtp-user is not authorized to perform: ses:SendEmail on resource: arn:aws:ses:eu-west-1:123456789012:identity/example.com";

describe("parseSendDenial", () => {
  it("the SMTP reply: principal, action, resource, the identity (lowercased) and its region", () => {
    expect(parseSendDenial(SMTP)).toEqual({
      principal: "arn:aws:iam::123456789012:user/ses-smtp-user",
      action: "ses:SendRawEmail",
      resource: "arn:aws:ses:us-west-2:123456789012:identity/Admin@Example.com",
      identity: "admin@example.com",
      region: "us-west-2",
    });
  });

  it("the API message, with colons and no quotes", () => {
    expect(parseSendDenial(API)).toEqual({
      principal: "arn:aws:iam::123456789012:user/ses-smtp-user",
      action: "ses:SendEmail",
      resource: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
      identity: "example.com",
      region: "eu-west-1",
    });
  });

  it("a reply wrapped by the client (a line break and indentation before 'on resource')", () => {
    const wrapped = "554 Access denied: User `arn:aws:iam::123456789012:user/u' is not authorized to perform `ses:SendRawEmail'\n    on resource `arn:aws:ses:us-east-1:123456789012:identity/example.com'";
    expect(parseSendDenial(wrapped)).toMatchObject({ action: "ses:SendRawEmail", identity: "example.com", region: "us-east-1" });
  });

  it("a reply wrapped at every space a client may break a long line at (a line break and indentation)", () => {
    const wrapped =
      "554 Access denied: User\n    `arn:aws:iam::123456789012:user/u' is not authorized to perform\n    `ses:SendRawEmail' on resource\n    `arn:aws:ses:us-east-1:123456789012:identity/example.com'";
    expect(parseSendDenial(wrapped)).toEqual({
      principal: "arn:aws:iam::123456789012:user/u",
      action: "ses:SendRawEmail",
      resource: "arn:aws:ses:us-east-1:123456789012:identity/example.com",
      identity: "example.com",
      region: "us-east-1",
    });
  });

  it("without the User part: no principal; a resource that is not an identity: no identity or region", () => {
    expect(parseSendDenial("not authorized to perform: ses:SendRawEmail on resource: arn:aws:ses:us-east-1:123456789012:configuration-set/main")).toEqual({
      action: "ses:SendRawEmail",
      resource: "arn:aws:ses:us-east-1:123456789012:configuration-set/main",
    });
  });

  it("anything else is not a denial", () => {
    expect(parseSendDenial("535 Authentication Credentials Invalid")).toBeUndefined();
    expect(parseSendDenial("User: arn:aws:iam::1:user/u is not authorized to perform: iam:GetUser on resource: arn:aws:iam::1:user/u")).toBeUndefined();
  });
});

describe("deniedAddressIdentity: an email-address identity under one of our domains", () => {
  it("names the address, its region and the resource; the domain list is compared case-insensitively", () => {
    expect(deniedAddressIdentity(SMTP, ["EXAMPLE.com"])).toEqual({ address: "admin@example.com", region: "us-west-2", resource: "arn:aws:ses:us-west-2:123456789012:identity/Admin@Example.com" });
  });

  it("an address under another domain, a domain identity, or no denial: undefined", () => {
    expect(deniedAddressIdentity(SMTP, ["example.org"])).toBeUndefined();
    expect(deniedAddressIdentity(SMTP.replace("Admin@Example.com", "admin@sub.example.com"), ["example.com"])).toBeUndefined();
    expect(deniedAddressIdentity(API, ["example.com"])).toBeUndefined();
    expect(deniedAddressIdentity("550 no such user", ["example.com"])).toBeUndefined();
  });

  it("an identity ARN without a region is not read as an identity; with one, the region is named", () => {
    const noRegion = "not authorized to perform: ses:SendRawEmail on resource: arn:aws:ses::123456789012:identity/a@example.com";
    expect(deniedAddressIdentity(noRegion, ["example.com"])).toBeUndefined();
    const withRegion = "not authorized to perform: ses:SendRawEmail on resource: arn:aws:ses:us-east-1:123456789012:identity/a@example.com";
    expect(deniedAddressIdentity(withRegion, ["example.com"])).toEqual({ address: "a@example.com", region: "us-east-1", resource: "arn:aws:ses:us-east-1:123456789012:identity/a@example.com" });
  });
});
