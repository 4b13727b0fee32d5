/**
 * The mail-infra CrossGuard policy pack. Pulumi loads this file from the repository root with
 *
 *   pulumi preview --policy-pack policies
 *
 * Constructing the PolicyPack starts the gRPC server the Pulumi engine talks to, so nothing
 * else imports this file: the offline `npm run policy`, the docs and the tests use ./pack.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_DESCRIPTION, PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, {
  description: PACK_DESCRIPTION,
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies,
});
