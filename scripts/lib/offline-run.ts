/** Validate a stack file and run the real program under mocks: shared by plan and policy. */
import { validateConfig, type MailConfig } from "../../lib/config";
import { runProgramUnderMocks, type ProgramRun } from "./mock-program";
import type { StackConfigFile } from "./stack-config";

export interface OfflineRun {
  file: StackConfigFile;
  config: MailConfig;
  run: ProgramRun;
}

/** `preview`: run as a first `pulumi preview` sees the program, with every value AWS assigns unknown. */
export async function runStackOffline(file: StackConfigFile, opts: { preview?: boolean } = {}): Promise<OfflineRun> {
  const { stack } = file;
  // Validate first, outside the Pulumi runtime, so errors can carry the file and line.
  // The typed values, so a number or map where a string belongs is named as such.
  const config = validateConfig(file.typed, stack);
  const program = (await import("../../index")).default;
  const run = await runProgramUnderMocks({ stack, config: file.values, program, preview: opts.preview ?? false });
  return { file, config, run };
}
