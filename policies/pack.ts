/**
 * The policy pack's contents, without starting it: `index.ts` serves these to the Pulumi CLI,
 * and the offline `npm run policy`, the docs generator and the tests read them from here.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import * as iam from "./iam";
import * as route53 from "./route53";
import * as secretsmanager from "./secretsmanager";
import * as sesv2 from "./sesv2";
import * as sns from "./sns";

export const PACK_NAME = "mail-infra";

/** Used for a policy without its own level; every policy here sets one. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export const PACK_DESCRIPTION =
  "Catches mail misconfigurations of an Amazon SES sending setup in review: weak DKIM, unaligned MAIL FROM, broken SPF and DMARC, DNS records that do not match their identity, an SMTP user that can do more than send, and a secret that can be deleted at once.";

/** Grouped by service, in the order the docs list them. */
export const policies: Policies = [
  sesv2.disallowWeakDkimKey,
  sesv2.disallowMixedPartitions,
  sesv2.missingConfigurationSet,
  sesv2.missingMailFrom,
  sesv2.disallowFallbackWithoutDkim,
  sesv2.configureSubdomain,
  sesv2.disallowSharedName,
  sesv2.configureTlsPolicy,
  sesv2.enableReputationMetrics,
  sesv2.configureSuppression,
  sesv2.missingEventDestination,
  sesv2.disallowNameCollision,
  route53.disallowInvalidSpf,
  route53.configureSpfAll,
  route53.disallowTooManySpfTerms,
  route53.disallowTooManySpfLookups,
  route53.disallowSpfPtr,
  route53.disallowSpfWideNetwork,
  route53.disallowSpfLargeNetwork,
  route53.disallowMultipleSpfValues,
  route53.disallowMultipleSpf,
  route53.disallowInvalidDmarc,
  route53.configureDmarcPolicy,
  route53.configureDmarcRua,
  route53.missingReportAuthorization,
  route53.configureDmarcSpfAlignment,
  route53.configureMailFromMx,
  route53.configureDkimCname,
  route53.missingIdentityRecords,
  route53.configureExternalRecords,
  route53.configureExternalRecordsAdvisory,
  iam.disallowNonSendActions,
  iam.disallowLoginProfile,
  iam.disallowMoreThanTwo,
  iam.disallowAnyFromAddress,
  iam.configureProtect,
  iam.configureMaxAge,
  secretsmanager.configureRecoveryWindow,
  secretsmanager.missingDescription,
  secretsmanager.configureCustomerManagedKey,
  sesv2.missingReputationAlarms,
  sesv2.missingWatch,
  sns.missingSubscription,
  sns.configureTopicCustomerManagedKey,
  sns.disallowMonitoredDomain,
  secretsmanager.configureKmsKeyRegion,
];
