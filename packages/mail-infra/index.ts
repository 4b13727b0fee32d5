/**
 * mail-infra as a library and a Pulumi component package: {@link MailDomain}, {@link SmtpRelay}
 * and {@link MailMonitoring}, with flat, documented inputs validated by the same rules as the
 * mail-infra stack (docs/component.md).
 */
export { MailDomain, type MailDomainArgs, type MailDnsRecord } from "./mail-domain";
export { SmtpRelay, type SmtpRelayArgs, type SmtpSender } from "./smtp-relay";
export { MailMonitoring, type MailMonitoringArgs } from "./mail-monitoring";
export { InvalidInputsError, type InputIssue } from "./inputs";
