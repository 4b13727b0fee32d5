import * as pulumi from "@pulumi/pulumi";
import { type MailStack, runMailProgram, stackOutputs } from "../../components/MailStack";
import { ConfigError } from "../../lib/config";
import { type ProgramRun, type RecordedResource, resolveOutput, runProgramUnderMocks } from "../../scripts/lib/mock-program";
import { pulumiConfig } from "./config";

export interface TestRun extends ProgramRun {
  stackObjects: MailStack;
  byType(type: string): RecordedResource[];
  one(type: string, nameIncludes?: string): RecordedResource;
}

/**
 * Run the program under mocks with a config, keeping the component objects. `lastOutputs` are
 * the stack outputs of the last deployment (absent: a first deployment). `preview`: as a first
 * `pulumi preview` sees it (values AWS assigns unknown, see runProgramUnderMocks).
 */
export async function runWithConfig(
  values: Record<string, string | number | string[]>,
  stack = "test",
  lastOutputs?: Record<string, unknown>,
  preview = false,
  liveAccessKeys?: readonly { accessKeyId: string; status: string; createDate?: string }[],
): Promise<TestRun> {
  const config = pulumiConfig(values);
  let stackObjects: MailStack | undefined;
  const run = await runProgramUnderMocks({
    stack,
    config,
    lastOutputs,
    preview,
    ...(liveAccessKeys ? { liveAccessKeys } : {}),
    program: async () => {
      stackObjects = await runMailProgram(pulumi.runtime.allConfig(), pulumi.getStack());
      return stackOutputs(stackObjects);
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

/**
 * Run the program under mocks and catch what it throws instead of failing the run: what it was
 * refused with (undefined when it was accepted) and what it had declared by then.
 */
export async function runCatching(
  values: Record<string, string | number | string[]>,
  stack: string,
  lastOutputs?: Record<string, unknown>,
): Promise<{ refused: unknown; resources: RecordedResource[] }> {
  let refused: unknown;
  const run = await runProgramUnderMocks({
    stack,
    config: pulumiConfig(values),
    lastOutputs,
    program: async () => {
      try {
        await runMailProgram(pulumi.runtime.allConfig(), pulumi.getStack());
      } catch (e) {
        refused = e;
      }
      return {};
    },
  });
  return { refused, resources: run.resources };
}

/**
 * What a refused run stops with: the ConfigError lines ("key: message") and its whole message, as
 * Pulumi prints the program's error (the docs print it: docs/rotation.md). Fails if it is accepted.
 */
export async function refusedWith(run: Promise<unknown>, what: string): Promise<{ lines: string[]; message: string }> {
  try {
    await run;
  } catch (e) {
    if (e instanceof ConfigError) return { lines: e.issues.map((i) => `${i.key}: ${i.message}`), message: `${e.message}\n` };
    throw e;
  }
  throw new Error(`expected ${what} to be refused`);
}

/** The ConfigError lines ("key: message") a run is refused with; fails if it is accepted. */
export async function refusalOf(run: Promise<unknown>, what: string): Promise<string[]> {
  return (await refusedWith(run, what)).lines;
}

export { resolveOutput as resolve };
