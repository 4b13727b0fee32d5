import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ProgramRun, type RecordedResource, runProgramUnderMocks } from "../../scripts/lib/mock-program";

export const AWS_VERSION = (require("@pulumi/aws/package.json") as { version: string }).version;

/**
 * A small program that sets every option the engine acts on, run under the same mocks as the
 * mail program: what is recorded must be what the program passed.
 */
export async function runOptionsProgram(): Promise<ProgramRun> {
  return runProgramUnderMocks({
    stack: "opts",
    config: { "aws:region": "eu-west-1", "aws:skipMetadataApiCheck": "true", "mail-infra:domain": "example.com" },
    program: () => {
      const east = new aws.Provider("east", { region: "us-east-1" });
      const plain = new aws.sns.Topic("plain", { name: "plain" });
      const topic = new aws.sns.Topic(
        "topic",
        { name: "topic", tags: { a: "b" } },
        {
          protect: true,
          retainOnDelete: true,
          deleteBeforeReplace: true,
          ignoreChanges: ["tags"],
          additionalSecretOutputs: ["arn"],
          customTimeouts: { create: "5m", delete: "1h30m" },
          aliases: [{ name: "old-topic" }],
          import: "arn:aws:sns:eu-west-1:123456789012:topic",
        },
      );
      new aws.sns.TopicPolicy("policy", { arn: topic.arn, policy: "{}" }, { dependsOn: [plain], provider: east });
      const group = new pulumi.ComponentResource("test:index:Group", "group", {}, { protect: true, retainOnDelete: true });
      new aws.sns.Topic("inherits", { name: "inherits" }, { parent: group });
      new aws.sns.Topic("overrides", { name: "overrides" }, { parent: group, protect: false, retainOnDelete: false });
      return { topicName: topic.name };
    },
  });
}

export function one(r: ProgramRun, name: string): RecordedResource {
  const found = r.resources.find((x) => x.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}
