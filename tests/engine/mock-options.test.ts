import { describe, expect, it } from "vitest";
import { durationSeconds } from "../../scripts/lib/mock-program";
import { AWS_VERSION, one, runOptionsProgram as run } from "./options-program";

describe("runProgramUnderMocks records the options the program registered (as the engine receives them)", () => {
  it("protect, retainOnDelete, deleteBeforeReplace (and that it was set), ignoreChanges, additionalSecretOutputs, customTimeouts, aliases, import", async () => {
    const r = await run();
    const topic = one(r, "topic");
    expect(topic.options).toEqual({
      protect: true,
      retainOnDelete: true,
      deleteBeforeReplace: true,
      deleteBeforeReplaceDefined: true,
      dependsOn: [],
      aliases: ["urn:pulumi:opts::mail-infra::aws:sns/topic:Topic::old-topic"],
      importId: "arn:aws:sns:eu-west-1:123456789012:topic",
      ignoreChanges: ["tags"],
      additionalSecretOutputs: ["arn"],
      customTimeouts: { createSeconds: 300, updateSeconds: 0, deleteSeconds: 5400 },
    });
    // A registration that sets nothing gets the engine's defaults, not the other's values.
    expect(one(r, "plain").options).toMatchObject({ protect: false, retainOnDelete: false, deleteBeforeReplaceDefined: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [] });
  });

  it("protect and retainOnDelete a child leaves unset come from its parent, as the engine inherits them", async () => {
    const r = await run();
    expect(one(r, "inherits").options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(r, "overrides").options).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("dependencies (explicit and through inputs) and propertyDependencies, as engine URNs", async () => {
    const r = await run();
    const policy = one(r, "policy");
    const topicUrn = one(r, "topic").urn;
    const plainUrn = one(r, "plain").urn;
    expect(policy.options.dependsOn).toEqual([plainUrn, topicUrn].sort());
    expect(policy.propertyDependencies).toEqual({ arn: [topicUrn], policy: [] });
  });

  it("the provider: the default one the engine registers (package config and version as inputs), or the explicit one", async () => {
    const r = await run();
    const v = AWS_VERSION.split(/[.+-]/).join("_");
    expect(one(r, "topic").provider).toEqual({
      urn: `urn:pulumi:opts::mail-infra::pulumi:providers:aws::default_${v}`,
      type: "pulumi:providers:aws",
      name: `default_${v}`,
      inputs: { region: "eu-west-1", skipMetadataApiCheck: "true", version: AWS_VERSION },
    });
    expect(one(r, "policy").provider).toMatchObject({ urn: "urn:pulumi:opts::mail-infra::pulumi:providers:aws::east", type: "pulumi:providers:aws", name: "east", inputs: { region: "us-east-1" } });
    expect(one(r, "east").provider).toBeUndefined();
  });
});

describe("durationSeconds (Go's time.ParseDuration, as the engine parses customTimeouts)", () => {
  it.each([
    ["", 0],
    ["0", 0],
    ["90s", 90],
    ["1h30m", 5400],
    ["1.5m", 90],
    ["250ms", 0.25],
  ])("%j is %d s", (text, seconds) => expect(durationSeconds(text, "x")).toBeCloseTo(seconds));

  it.each(["5", "5 m", "m", "5d"])("refuses %j, saying where and the form", (text) => {
    expect(() => durationSeconds(text, "topic: customTimeouts.create")).toThrow(/^topic: customTimeouts\.create: ".*" is not a duration \(use Go's form/);
  });
});
