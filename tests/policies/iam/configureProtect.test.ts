import { describe, expect, it } from "vitest";
import { configureProtect as policy } from "../../../policies/iam/User/configureProtect";
import { expectPolicyShape, runStackPolicy, stackArgs, type StackEntry, urnOf } from "../harness";
import { find, goodStack } from "../stack-fixture";

const run = (entries: readonly StackEntry[]) => runStackPolicy(policy, stackArgs(entries));
const stackWith = (senders: string[], protect: boolean): StackEntry[] => {
  const stack = goodStack();
  find(stack, "smtp-user").opts = { protect };
  // The SmtpCredentials component as a deployed stack's state names it: its type token is part of
  // every URN under it, so it is written here as Pulumi has it, not read from lib/names.
  return [...stack, { type: "mail-infra:iam:SmtpCredentials", name: "smtp", props: { senders } }];
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes a protected SMTP user with senders", async () => {
    expect(await run(stackWith(["admin@example.com"], true))).toEqual({ violations: [] });
  });

  it("flags protect false while senders relay, naming the key and the value", async () => {
    const stack = stackWith(["admin@example.com"], false);
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "smtp-user")),
        message:
          "The SMTP user smtp is not protected, but 1 sender (admin@example.com) relay with its credentials: mail-infra:protect is false, so protect and retainOnDelete are off everywhere and the next removal or rename deletes the user, its keys or an identity. Set mail-infra:protect to true.",
      },
    ]);
  });

  it("finds the SMTP user by either mark the component gives it (path /mail/, tag mail-infra:role=ses-smtp), as deployed stacks carry them", async () => {
    for (const marks of [{ path: "/mail/", tags: {} }, { path: "/", tags: { "mail-infra:role": "ses-smtp" } }]) {
      const stack = stackWith(["admin@example.com"], false);
      Object.assign(find(stack, "smtp-user").props, marks);
      expect((await run(stack)).violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "smtp-user"))]);
    }
    // Neither mark: another IAM user of the account, not the stack's SMTP user.
    const stack = stackWith(["admin@example.com"], false);
    Object.assign(find(stack, "smtp-user").props, { path: "/", tags: { "mail-infra:role": "ci" } });
    expect((await run(stack)).notApplicable).toMatch(/no SES SMTP user/);
  });

  it("is not applicable without senders (the teardown path: move the relays first)", async () => {
    expect((await run(stackWith([], false))).notApplicable).toMatch(/mail-infra:senders is empty/);
  });
});
