/** The SMTP grant tests' configuration and IAM questions (tests/lib/smtp-grant.test.ts, tests/smtp-grant.test.ts). */
import { validateConfig } from "../../lib/config";
import { sesArn, smtpGrant } from "../../lib/iam";
import { configurationSetName } from "../../lib/names";
import { pulumiConfig } from "./config";
import { evaluatePolicies, type PolicySource } from "../verify/iam-evaluator";

export const ACCOUNT = "123456789012";
export const REGIONS = ["us-east-1", "us-west-2"];
export const SENDERS = ["address=admin@d0.example.com; kind=smtp-client; region=us-east-1", "address=app@d0.example.com; kind=smtp-client; region=us-west-2"];
export const domains = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.example.com`);
export const values = (n: number, extra: Record<string, string | string[]> = {}) => ({ domains: domains(n), regions: REGIONS, dnsMode: "external", senders: SENDERS, ...extra });

/** The document the program writes for a config, with the account of the mocks. */
export function grantFor(n: number, extra: Record<string, string | string[]> = {}) {
  const cfg = validateConfig(pulumiConfig(values(n, extra)), "test");
  const smtp = cfg.smtp;
  if (!smtp) throw new Error("this config declares no SMTP credentials");
  // Every ARN the exact form would list: the grant must not need them when it has From addresses.
  const resourceArns = cfg.domains.flatMap((d) => smtp.regions.flatMap((r) => own(d.domain, r)));
  return smtpGrant({ regions: smtp.regions, accountId: ACCOUNT, fromAddresses: smtp.allowedFromAddresses, resourceArns });
}

export const SEND = ["ses:SendRawEmail"];
export const from = (a: string) => [{ key: "ses:FromAddress", values: [a] }];
export const own = (domain: string, region: string) => [sesArn(region, ACCOUNT, "identity", domain), sesArn(region, ACCOUNT, "configuration-set", configurationSetName(domain))];
export const decisions = (policy: PolicySource, resources: string[], address: string) => evaluatePolicies([policy], SEND, resources, from(address)).map((e) => e.decision);
