import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowMoreThanTwo as policy } from "../../../policies/iam/AccessKey/disallowMoreThanTwo";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const key = (name: string, user = "smtp", status = "Active") => entry(aws.iam.AccessKey, name, { user, status });

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes one key, and two during a rotation", async () => {
    expect(await run(goodStack())).toEqual({ violations: [] });
    expect(await run([...goodStack(), key("smtp-key-gen2")])).toEqual({ violations: [] });
  });

  it("fails a third key, inactive ones included, on the user", async () => {
    const stack = [...goodStack(), key("smtp-key-gen2"), key("smtp-key-gen3", "smtp", "Inactive")];
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "smtp-user")),
        message: "The IAM user smtp has 3 access keys (smtp-key-gen1, smtp-key-gen2, smtp-key-gen3), but IAM allows 2 per user, so creating the extra ones fails.",
      },
    ]);
  });

  it("counts per user, and blames the third key when the user is not in the stack", async () => {
    const stack = [...goodStack(), key("a1", "external"), key("a2", "external"), key("a3", "external"), key("b1", "other")];
    expect((await run(stack)).violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "a3"))]);
  });

  it("does not apply without access keys", async () => {
    expect((await run(without(goodStack(), "smtp-key-gen1"))).notApplicable).toBe("The stack has no IAM access key.");
  });
});
