import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configurationSetName, eventTopicName } from "../../../lib/names";
import { disallowNameCollision as policy } from "../../../policies/sesv2/ConfigurationSet/disallowNameCollision";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, otherDomain, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const named = (domain: string, prefix: string) => {
  const entries = otherDomain(domain, prefix);
  find(entries, `${prefix}-configuration-set-us-east-1`).props.configurationSetName = configurationSetName(domain);
  entries.push(entry(aws.sns.Topic, `${prefix}-topic-us-east-1`, { name: eventTopicName(domain), region: "us-east-1" }));
  return entries;
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes two domains, and one domain's sets in two regions", async () => {
    expect(await run([...named("example.com", "a"), ...named("example.org", "b")])).toEqual({ violations: [] });
    expect(await run(goodStack(["us-east-1", "eu-south-1"]))).toEqual({ violations: [] });
  });

  it("fails a.b-c.com next to a-b.c.com: both configuration sets and both topics get one name", async () => {
    const stack = [...named("a.b-c.com", "a"), ...named("a-b.c.com", "b")];
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "b-configuration-set-us-east-1")),
        message: "The configuration set name mail-infra-a-b-c-com in us-east-1 is taken by 2 resources (a-configuration-set-us-east-1, b-configuration-set-us-east-1): AWS keeps one per name and region, so they cannot both exist.",
      },
      { urn: urnOf(find(stack, "b-topic-us-east-1")), message: expect.stringContaining("The SNS topic name mail-infra-a-b-c-com-ses-events in us-east-1 is taken by 2 resources") },
    ]);
  });

  it("names what it could not check during preview, and does not apply without names", async () => {
    const stack = goodStack();
    find(stack, "configuration-set-us-east-1").props.configurationSetName = UNKNOWN;
    expect(await run(stack)).toEqual({ violations: [], notChecked: "not checked at preview: the names of configuration-set-us-east-1, unknown until they are created" });
    expect((await run(without(goodStack(), "configuration-set-us-east-1"))).notApplicable).toBe("The stack has no named configuration set or SNS topic.");
  });
});
