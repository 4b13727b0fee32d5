import { describe, expect, it } from "vitest";
import { disallowMonitoredDomain as policy } from "../../../policies/sns/TopicSubscription/disallowMonitoredDomain";
import { expectPolicyShape, runStackPolicy, stackArgs, type StackEntry, urnOf } from "../harness";
import { monitoringEntries } from "../monitoring-fixture";
import { find, goodStack } from "../stack-fixture";

const run = (entries: readonly StackEntry[]) => runStackPolicy(policy, stackArgs(entries));
const withEndpoint = (endpoint: string, regions = ["us-east-1", "us-west-2"]) => {
  const stack = [...goodStack(), ...monitoringEntries(regions)];
  for (const r of regions) find(stack, `alerts-${r}-ops`).props.endpoint = endpoint;
  return stack;
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes an alert address at another domain", async () => {
    expect(await run(withEndpoint("ops@example.org"))).toEqual({ violations: [] });
  });

  it("flags an address at the monitored domain (or under it) once, however many regions subscribe it", async () => {
    const stack = withEndpoint("Ops@Mail.Example.com");
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "alerts-us-east-1-ops")),
        message:
          "The alert address ops@mail.example.com (subscribed in us-east-1, us-west-2) is at example.com, which this stack sends mail from: a DNS or domain failure that breaks the mail can also stop the alert about it. Set mail-infra:alertEmails to (or add) an address at another domain.",
      },
    ]);
  });

  it("does not confuse a lookalike domain", async () => {
    expect((await run(withEndpoint("ops@notexample.com"))).violations).toEqual([]);
  });
});
