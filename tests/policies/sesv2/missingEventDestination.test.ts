import { describe, expect, it } from "vitest";
import { missingEventDestination as policy } from "../../../policies/sesv2/ConfigurationSet/missingEventDestination";
import { expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const destination = (stack: ReturnType<typeof goodStack>) => find(stack, "event-destination-us-east-1").props.eventDestination as Record<string, unknown>;

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes an enabled destination for BOUNCE and COMPLAINT in each region", async () => {
    expect(await run(goodStack(["us-east-1", "eu-south-1"]))).toEqual({ violations: [] });
  });

  it("passes BOUNCE and COMPLAINT split over two enabled destinations", async () => {
    const stack = goodStack();
    destination(stack).matchingEventTypes = ["BOUNCE"];
    stack.push({ ...find(stack, "event-destination-us-east-1"), name: "second", props: { configurationSetName: "cs", region: "us-east-1", eventDestination: { enabled: true, matchingEventTypes: ["COMPLAINT"] } } });
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails a configuration set with no event destination", async () => {
    const stack = without(goodStack(), "event-destination-us-east-1");
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "configuration-set-us-east-1")),
        message: "The configuration set cs in us-east-1 has no enabled event destination for BOUNCE and COMPLAINT (it has no event destination at all), so those events are lost.",
      },
    ]);
  });

  it("fails a disabled destination", async () => {
    const stack = goodStack();
    destination(stack).enabled = false;
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([
      "The configuration set cs in us-east-1 has no enabled event destination for BOUNCE and COMPLAINT (1 of its event destinations is disabled), so those events are lost.",
    ]);
  });

  it("fails a destination without COMPLAINT", async () => {
    const stack = goodStack();
    destination(stack).matchingEventTypes = ["BOUNCE", "DELIVERY"];
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("no enabled event destination for COMPLAINT,")]);
  });

  it("fails a destination of another region's configuration set", async () => {
    const stack = goodStack();
    find(stack, "event-destination-us-east-1").props.region = "eu-west-1";
    expect((await run(stack)).violations).toHaveLength(1);
  });

  it("says it could not check while an event destination's configuration set is unknown (preview)", async () => {
    const stack = goodStack();
    find(stack, "event-destination-us-east-1").props.configurationSetName = UNKNOWN;
    destination(stack).enabled = false;
    expect(await run(stack)).toEqual({
      violations: [],
      notChecked: "not checked at preview: 1 event destination whose configuration set name is unknown could be the missing one",
    });
  });

  it("does not apply to a stack without configuration sets", async () => {
    expect((await run([])).notApplicable).toBe("The stack has no SES configuration set.");
  });
});
