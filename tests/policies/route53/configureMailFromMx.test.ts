import { describe, expect, it } from "vitest";
import { configureMailFromMx as policy } from "../../../policies/route53/Record/configureMailFromMx";
import { expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes each region's MAIL FROM MX pointing at its own feedback host (trailing dot and case ignored)", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    find(stack, "record-mail-from-mx-us-east-1").props.records = ["10 Feedback-SMTP.us-east-1.amazonses.com."];
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails an MX that points at another region", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    const mx = find(stack, "record-mail-from-mx-eu-south-1");
    mx.props.records = ["10 feedback-smtp.us-east-1.amazonses.com"];
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(mx),
        message:
          'The MX of the MAIL FROM bounce-eu-south-1.example.com is "10 feedback-smtp.us-east-1.amazonses.com", but its identity sends from eu-south-1, so it must be "10 feedback-smtp.eu-south-1.amazonses.com". It points at us-east-1\'s feedback host: SES in eu-south-1 fails the MAIL FROM check.',
      },
    ]);
  });

  it("fails an MX that points somewhere else", async () => {
    const stack = goodStack();
    find(stack, "record-mail-from-mx-us-east-1").props.records = ["10 mx.example.com"];
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringMatching(/is "10 mx\.example\.com", but its identity sends from us-east-1/)]);
  });

  it("fails one MAIL FROM shared by two regions", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    find(stack, "mail-from-eu-south-1").props.mailFromDomain = "bounce.example.com";
    // The declared MX names us-east-1 (lib/mail-from-owner): that region keeps the name, eu-south-1 gets its own.
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([
      "bounce.example.com is the MAIL FROM of us-east-1 and eu-south-1, but its one MX can name only one region's feedback host, so it can serve only one of them. It serves us-east-1; give eu-south-1 its own MAIL FROM subdomain (mail-infra:regionalMailFromSubdomains eu-south-1=bounce-eu-south-1).",
    ]);
  });

  it("a shared MAIL FROM whose MX names the second region: that region keeps it, the first is told to move", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    find(stack, "mail-from-us-east-1").props.mailFromDomain = "bounce-eu-south-1.example.com";
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("It serves eu-south-1; give us-east-1 its own MAIL FROM subdomain (mail-infra:regionalMailFromSubdomains us-east-1=bounce-eu-south-1-us-east-1)")]);
  });

  it("ignores MX records of names that are no MAIL FROM", async () => {
    const stack = goodStack();
    find(stack, "record-mail-from-mx-us-east-1").props.name = "example.com";
    find(stack, "record-mail-from-mx-us-east-1").props.fqdn = "example.com";
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("does not apply to a stack without custom MAIL FROM", async () => {
    expect((await run(without(goodStack(), "mail-from-us-east-1"))).notApplicable).toBe("The stack has no custom MAIL FROM domain.");
  });
});
