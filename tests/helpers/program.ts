import * as pulumi from "@pulumi/pulumi";
import { declareMailStack, type MailStack } from "../../components/MailStack";
import { validateConfig } from "../../lib/config";
import { type ProgramRun, type RecordedResource, resolveOutput, runProgramUnderMocks } from "../../scripts/lib/mock-program";
import { pulumiConfig } from "./config";

export interface TestRun extends ProgramRun {
  stackObjects: MailStack;
  byType(type: string): RecordedResource[];
  one(type: string, nameIncludes?: string): RecordedResource;
}

/** Run the program's components under mocks with a config, keeping the component objects. */
export async function runWithConfig(values: Record<string, string | number | string[]>, stack = "test"): Promise<TestRun> {
  const config = pulumiConfig(values);
  let stackObjects: MailStack | undefined;
  const run = await runProgramUnderMocks({
    stack,
    config,
    program: () => {
      stackObjects = declareMailStack(validateConfig(pulumi.runtime.allConfig(), pulumi.getStack()));
      const o = stackObjects.outputs;
      return { verification: o.verification, smtpUsername: o.smtpUsername, smtpSecretArn: o.smtpSecretArn, ...(o.zoneFile ? { zoneFile: o.zoneFile } : {}) };
    },
  });
  const byType = (type: string) => run.resources.filter((r) => r.type === type);
  return {
    ...run,
    stackObjects: stackObjects!,
    byType,
    one(type, nameIncludes) {
      const found = byType(type).filter((r) => nameIncludes === undefined || r.name.includes(nameIncludes));
      if (found.length !== 1) throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}`);
      return found[0];
    },
  };
}

export { resolveOutput as resolve };
