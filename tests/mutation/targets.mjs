// @ts-check
/**
 * What `npm run test:mutation -- <path>` mutates and which tests it may run against it.
 *
 * Stryker runs every mutant against the tests that cover it, so the test set must be fast and
 * free of process-global state: the PURE_TESTS below take hand-built inputs (no Pulumi mock
 * runtime, no CLI child process, no loopback server) and run in vitest's thread pool. A source
 * file whose only tests need a loopback server names them in SERVER_TESTS; those run too when
 * that file (or its folder) is the target, and are slower per mutant (each run starts its
 * server again).
 *
 * vitest's related mode narrows the run to the test files that import the mutated file
 * (directly or through other modules), so one list serves every target.
 */

/** Test files that are pure (globs, relative to the project root). */
export const PURE_TESTS = [
  "tests/lib/**/*.test.ts",
  "tests/diagnose/branches.test.ts",
  "tests/diagnose/classify.test.ts",
  "tests/diagnose/classify-edges.test.ts",
  "tests/diagnose/classify-words.test.ts",
  "tests/diagnose/verdict.test.ts",
  "tests/diagnose/read.test.ts",
  "tests/diagnose/read-text.test.ts",
  "tests/diagnose/fixtures.test.ts",
  "tests/verify/checks.test.ts",
  "tests/verify/*-check.test.ts",
  "tests/verify/fix-property.test.ts",
  "tests/verify/key-evidence.test.ts",
  "tests/verify/mail-from-status.test.ts",
  "tests/verify/retire.test.ts",
  "tests/verify/limit.test.ts",
  "tests/verify/aws-collector.test.ts",
  "tests/verify/monitoring-collector.test.ts",
  "tests/verify/gmail-collector.test.ts",
  "tests/watch/lib.test.ts",
  "tests/adopt/plan.test.ts",
  "tests/mail-from-move.test.ts",
  "tests/config.test.ts",
  "tests/redact.test.ts",
  "tests/wrap.test.ts",
  "tests/verify/by-domain.test.ts",
  "tests/safe-defaults/config-rules.test.ts",
  "tests/policies/{sesv2,route53,iam,secretsmanager,sns}/**/*.test.ts",
];

/**
 * Source file → the loopback-server tests that exercise it (collectors do I/O; their tests
 * start nsd, smtp-server, moto or a fake AWS endpoint). A pure check with its own pure test file
 * (tests/verify/*-check.test.ts: watch, monitoring, smtp, relay, recipient) is not named: its world tests
 * would add minutes per mutant (tests/watch/verify-watch.test.ts: 26 mutants in 6 min) and no branch.
 * @type {Record<string, string[]>}
 */
export const SERVER_TESTS = {
  "scripts/verify/layers/dns/collect.ts": ["tests/verify/dns-collector.test.ts", "tests/verify/collectors.test.ts"],
  "scripts/verify/layers/smtp/collect.ts": ["tests/verify/smtp-tls.test.ts", "tests/verify/collectors.test.ts", "tests/verify/smtp-collector.test.ts"],
  // scripts/verify/aws.ts needs none: the pure tests/verify/aws-collector.test.ts covers it,
  // Route 53 paging included; tests/adopt/route53-pages.test.ts (moto) restarted moto for each
  // mutant of AwsCollector.call (a run went at 16 mutants a minute).
  // In-process against loopback servers or aws-sdk-client-mock; without them these files had no
  // test Stryker could run (every mutant "no coverage"). Their CLI cases run unmutated code.
  // (layers/monitoring/collect.ts and layers/watch/collect.ts need none: the pure
  // tests/verify/monitoring-collector.test.ts covers them; monitoring.test.ts starts moto.)
  "scripts/verify/layers/recipient/collect.ts": ["tests/verify/recipient.test.ts", "tests/verify/recipient-collector.test.ts", "tests/verify/recipient-replies.test.ts"],
  // gmail-api.test.ts: the collector in-process against the loopback Gmail API (gmail-fake.ts).
  "scripts/verify/layers/gmail/collect.ts": ["tests/verify/gmail-api.test.ts", "tests/verify/relay.test.ts"],
  // A loopback OAuth token endpoint in-process (relay-fix.test.ts spawns the CLI).
  "scripts/verify/layers/gmail/delegation.ts": ["tests/verify/delegation.test.ts"],
};

/** Folders a target may lie in (the rules and the verify collectors). */
export const ROOTS = ["lib", "scripts/verify", "scripts/adopt", "scripts/diagnose"];
