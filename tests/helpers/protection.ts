import type { ProtectedRole } from "../../lib/protection";

/**
 * The expected options per role, written out here and not read from lib/protection.ts: a wrong
 * table must fail the tests that use it (tests/lib/protection.test.ts on the table,
 * tests/protection.test.ts on the program's resources). The rule behind it: `protect` only where
 * no documented procedure deletes or replaces the resource (tests/engine runs them all),
 * `retainOnDelete` where a delete would take away something live mail may still use.
 */
export const EXPECTED_PROTECTION: Record<ProtectedRole, { protect: boolean; retainOnDelete: boolean }> = {
  identity: { protect: true, retainOnDelete: true },
  "mail-from-attributes": { protect: false, retainOnDelete: true },
  "configuration-set": { protect: false, retainOnDelete: false },
  "event-destination": { protect: false, retainOnDelete: false },
  "event-topic": { protect: false, retainOnDelete: false },
  "event-topic-policy": { protect: false, retainOnDelete: true },
  // A MAIL FROM move removes the MAIL FROM records; new DKIM tokens replace the DKIM records.
  "dns-dkim": { protect: false, retainOnDelete: true },
  "dns-mail-from-mx": { protect: false, retainOnDelete: true },
  "dns-mail-from-spf": { protect: false, retainOnDelete: true },
  "dns-spf": { protect: true, retainOnDelete: false },
  "dns-dmarc": { protect: true, retainOnDelete: false },
  "dns-dmarc-report-auth": { protect: false, retainOnDelete: false },
  "smtp-user": { protect: true, retainOnDelete: false },
  "smtp-user-policy": { protect: false, retainOnDelete: true },
  "smtp-access-key": { protect: false, retainOnDelete: false },
  "smtp-secret": { protect: true, retainOnDelete: false },
  "smtp-secret-version": { protect: false, retainOnDelete: false },
  "alerts-topic": { protect: false, retainOnDelete: false },
  "alerts-topic-policy": { protect: false, retainOnDelete: false },
  "alerts-subscription": { protect: false, retainOnDelete: false },
  "reputation-alarm": { protect: false, retainOnDelete: false },
  "alert-rule": { protect: false, retainOnDelete: false },
  "alert-rule-target": { protect: false, retainOnDelete: false },
  "feedback-event-destination": { protect: false, retainOnDelete: false },
  trail: { protect: false, retainOnDelete: false },
  "trail-bucket": { protect: false, retainOnDelete: true },
  "trail-bucket-settings": { protect: false, retainOnDelete: true },
};
