/**
 * mail-infra: a complete Amazon SES sending setup for one or more domains.
 *
 * The program is a function (Pulumi calls it and uses its result as the stack outputs) so
 * the offline `plan` and `policy` commands and the tests can run it under mocks with any config.
 * The stack config is validated as a whole, and a key rotation is checked against the stack's
 * last deployment, before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { runMailProgram, stackOutputs } from "./components/MailStack";
import { ConfigError } from "./lib/config";
import { LastDeploymentError } from "./lib/rotation";

export = async (): Promise<Record<string, unknown>> => {
  try {
    return stackOutputs(await runMailProgram(pulumi.runtime.allConfig(), pulumi.getStack()));
  } catch (e) {
    // RunError prints the message without a stack trace: the message says what and how to fix.
    if (e instanceof ConfigError || e instanceof LastDeploymentError) throw new pulumi.RunError(e.message);
    throw e;
  }
};
