import * as pulumi from "@pulumi/pulumi";

/** The StackReference's resource name: a read of this stack's own outputs, never a create. */
export const LAST_DEPLOYMENT_REF = "mail-infra-last-deployment";

/**
 * The `verification` output of this stack's last successful update, or undefined on a first
 * deployment. Pulumi has no API that hands a program its stack's previous outputs; a
 * StackReference to the stack itself reads them from the backend (the outputs of the last
 * update that completed; a failed update leaves them unchanged). In preview its value is
 * known too, so an unsafe key change is refused by `pulumi preview` already.
 */
export async function readLastVerification(): Promise<unknown> {
  const name = `${organization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const ref = new pulumi.StackReference(LAST_DEPLOYMENT_REF, { name });
  const details = await ref.getOutputDetails("verification");
  return details.value ?? details.secretValue;
}

/** The stack's organization; DIY backends report "organization", as do CLIs too old to report one. */
function organization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "organization";
  }
}
