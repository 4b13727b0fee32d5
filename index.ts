/**
 * mail-infra: a complete Amazon SES sending setup for one or more domains.
 *
 * The program is a function (Pulumi calls it and uses its result as the stack outputs) so
 * the offline `plan` and `policy` commands and the tests can run it under mocks with any config.
 * The stack config is validated as a whole before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { declareMailStack } from "./components/MailStack";
import { ConfigError, validateConfig } from "./lib/config";

export = async (): Promise<Record<string, unknown>> => {
  let config;
  try {
    config = validateConfig(pulumi.runtime.allConfig(), pulumi.getStack());
  } catch (e) {
    // RunError prints the message without a stack trace: the message says what and how to fix.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  const { outputs } = declareMailStack(config);
  return {
    verification: outputs.verification,
    smtpUsername: outputs.smtpUsername,
    smtpSecretArn: outputs.smtpSecretArn,
    ...(outputs.zoneFile ? { zoneFile: outputs.zoneFile } : {}),
  };
};
