/**
 * The offline runner hands policies what the engine hands them. The fields and where they come
 * from: pulumi/pulumi pkg/resource/deploy/step_generator.go (analyzeAll: AnalyzerResourceOptions
 * for resource policies; AnalyzeResources: the same plus dependencies and propertyDependencies for
 * stack policies, and the provider for both) and @pulumi/policy server.js (getResourceOptions,
 * getProviderResource, makeAnalyzeStackRpcFun linking URNs to resource objects).
 */
import type { PolicyResource, ResourceValidationArgs, StackValidationPolicy, ResourceValidationPolicy } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../scripts/lib/mock-program";
import { evaluatePolicies } from "../../scripts/lib/policy-runner";
import { AWS_VERSION, one, runOptionsProgram } from "./options-program";

const pack = { name: "probe-pack", version: "0.0.1" };

let run: ProgramRun;
const resourceArgs = new Map<string, ResourceValidationArgs>();
let stackResources: PolicyResource[] = [];

beforeAll(async () => {
  run = await runOptionsProgram();
  const resourceProbe: ResourceValidationPolicy = {
    name: "resource-probe",
    description: "Keeps what a resource policy receives.",
    enforcementLevel: "advisory",
    validateResource: (args) => {
      resourceArgs.set(args.name, args);
    },
  };
  const stackProbe: StackValidationPolicy = {
    name: "stack-probe",
    description: "Keeps what a stack policy receives.",
    enforcementLevel: "advisory",
    validateStack: (args) => {
      stackResources = args.resources;
    },
  };
  await evaluatePolicies({ resources: run.resources, policies: [resourceProbe, stackProbe], pack, stack: { name: run.stack, outputs: run.outputs } });
});

const inStack = (name: string): PolicyResource => {
  const found = stackResources.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name} among the stack policy's resources`);
  return found;
};

describe("resource and stack policies get the options the program set", () => {
  it("protect", () => {
    expect(resourceArgs.get("topic")?.opts.protect).toBe(true);
    expect(resourceArgs.get("plain")?.opts.protect).toBe(false);
    expect(inStack("topic").opts.protect).toBe(true);
    expect(inStack("inherits").opts.protect).toBe(true);
  });

  it("ignoreChanges", () => {
    expect(resourceArgs.get("topic")?.opts.ignoreChanges).toEqual(["tags"]);
    expect(inStack("topic").opts.ignoreChanges).toEqual(["tags"]);
    expect(inStack("plain").opts.ignoreChanges).toEqual([]);
  });

  it("deleteBeforeReplace, only where the program set it (server.js: deleteBeforeReplaceDefined)", () => {
    expect(resourceArgs.get("topic")?.opts.deleteBeforeReplace).toBe(true);
    expect(inStack("topic").opts.deleteBeforeReplace).toBe(true);
    expect("deleteBeforeReplace" in (resourceArgs.get("plain")?.opts ?? {})).toBe(false);
    expect(inStack("overrides").opts).not.toHaveProperty("deleteBeforeReplace");
  });

  it("aliases, as URNs", () => {
    expect(resourceArgs.get("topic")?.opts.aliases).toEqual(["urn:pulumi:opts::mail-infra::aws:sns/topic:Topic::old-topic"]);
    expect(inStack("plain").opts.aliases).toEqual([]);
  });

  it("additionalSecretOutputs", () => {
    expect(resourceArgs.get("topic")?.opts.additionalSecretOutputs).toEqual(["arn"]);
    expect(inStack("topic").opts.additionalSecretOutputs).toEqual(["arn"]);
  });

  it("customTimeouts, in seconds", () => {
    expect(resourceArgs.get("topic")?.opts.customTimeouts).toEqual({ createSeconds: 300, updateSeconds: 0, deleteSeconds: 5400 });
    expect(inStack("plain").opts.customTimeouts).toEqual({ createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 });
  });

  it("parent, as a URN in opts and as the resource object for stack policies", () => {
    const group = one(run, "group").urn;
    expect(resourceArgs.get("inherits")?.opts.parent).toBe(group);
    expect(inStack("inherits").parent?.urn).toBe(group);
    expect(inStack("inherits").parent?.type).toBe("test:index:Group");
  });
});

describe("stack policies get dependencies and propertyDependencies as resource objects", () => {
  it("dependencies: explicit (dependsOn) and through inputs", () => {
    expect(inStack("policy").dependencies.map((d) => d.name).sort()).toEqual(["plain", "topic"]);
    expect(inStack("plain").dependencies).toEqual([]);
  });

  it("propertyDependencies: per input, the resources its value came from", () => {
    expect(inStack("policy").propertyDependencies.arn?.map((d) => d.name)).toEqual(["topic"]);
    expect(inStack("policy").propertyDependencies.policy).toEqual([]);
    // The same objects as in the resource list, as server.js links them.
    expect(inStack("policy").propertyDependencies.arn?.[0]).toBe(inStack("topic"));
  });
});

describe("the provider", () => {
  const v = AWS_VERSION.split(/[.+-]/).join("_");

  it("is the default provider the engine registers, with the package config and version as props", () => {
    const p = resourceArgs.get("topic")?.provider;
    expect(p).toMatchObject({ type: "pulumi:providers:aws", name: `default_${v}`, urn: `urn:pulumi:opts::mail-infra::pulumi:providers:aws::default_${v}` });
    expect(p?.props.region).toBe("eu-west-1");
    expect(p?.props.version).toBe(AWS_VERSION);
    expect(inStack("topic").provider?.urn).toBe(p?.urn);
  });

  it("is the explicit provider where the program gives one", () => {
    expect(resourceArgs.get("policy")?.provider).toMatchObject({ type: "pulumi:providers:aws", name: "east" });
    expect(resourceArgs.get("policy")?.provider?.props.region).toBe("us-east-1");
  });

  it("the default provider is itself a resource of the stack, as the engine registers it", () => {
    expect(stackResources.filter((r) => r.name === `default_${v}`).map((r) => r.type)).toEqual(["pulumi:providers:aws"]);
    expect(stackResources.filter((r) => r.name === "east")).toHaveLength(1);
  });
});

describe("the root stack resource, as the engine registers it", () => {
  const ROOT_URN = "urn:pulumi:opts::mail-infra::pulumi:pulumi:Stack::mail-infra-opts";

  it("is a resource of the stack, with the stack outputs as props", () => {
    const root = stackResources.find((r) => r.type === "pulumi:pulumi:Stack");
    expect(root?.urn).toBe(ROOT_URN);
    expect(root?.name).toBe("mail-infra-opts");
    expect(root?.props.topicName).toBe("topic");
  });

  it("is the parent of every resource declared without one, for stack and resource policies", () => {
    expect(inStack("plain").parent?.urn).toBe(ROOT_URN);
    expect(inStack("group").parent?.urn).toBe(ROOT_URN);
    expect(resourceArgs.get("plain")?.opts.parent).toBe(ROOT_URN);
    // A child keeps its own parent.
    expect(inStack("inherits").parent?.type).toBe("test:index:Group");
  });
});
