/**
 * Real local servers for tests (see docs in each module):
 * - dns.ts  : Debian's nsd serving zone text, behind a counting/delaying proxy; silent and
 *             SERVFAIL fakes.
 * - ca.ts   : throwaway CA and server certificates (openssl CLI); an untrusted self-signed one.
 * - smtp.ts : an SES-like SMTP endpoint (STARTTLS, AUTH with SES v4 passwords); closed and
 *             silent TCP ports.
 * - https.ts : an HTTPS server for MTA-STS policies, chosen by Host, certificates by SNI.
 * - aws-faults.ts : an AWS endpoint answering every call with AccessDenied, throttling or 503.
 * - moto.ts : moto server mode for IAM, STS and Secrets Manager, behind a counting,
 *             delaying, throttling proxy.
 * Install the system parts first: sudo bash scripts/install-test-deps.sh
 */
export * from "./ca";
export * from "./dns";
export * from "./moto";
export * from "./smtp";
export { onProcessExit } from "./common";
export * from "./aws-faults";
export * from "./https";
