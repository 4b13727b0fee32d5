/**
 * The watch function's entry point (bundled by scripts/build.cjs into bin/watch-lambda/index.js,
 * Lambda handler `index.handler`). It reads the stack's verification manifest packaged next to
 * it, handles one event with scripts/watch/core.ts, and writes each metric as one line of
 * CloudWatch embedded metric format on stdout, which the Lambda runtime sends to the function's
 * log group unchanged (console.log would prefix a timestamp and request id, and a prefixed line
 * is not JSON). The log is the only state: no PutMetricData, no table.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifest, type Manifest } from "../../lib/manifest";
import { WATCH_MANIFEST_FILE } from "../../lib/watch";
import { AwsCollector } from "../verify/aws";
import { DnsCollector } from "../verify/layers/dns/collect";
import { runDeadline } from "../verify/limit";
import { SmtpCollector } from "../verify/layers/smtp/collect";
import { BoundedSet, handleWatchEvent, type WatchResult } from "./core";

/** One AWS or DNS call's timeout: the run's deadline (10 x) stays inside the function's 60 s. */
const CALL_TIMEOUT_MS = 5_000;

let manifest: Manifest | undefined;
/** SNS message ids seen by this warm container (idempotency across redeliveries to it). */
const seen = new BoundedSet();

function loadManifest(): Manifest {
  manifest ??= parseManifest(JSON.parse(readFileSync(join(__dirname, WATCH_MANIFEST_FILE), "utf8")), WATCH_MANIFEST_FILE);
  return manifest;
}

export async function handler(event: unknown): Promise<{ event: string; metrics: number; alerts: number; duplicates: number }> {
  const m = loadManifest();
  const deadline = runDeadline(CALL_TIMEOUT_MS);
  const made: { aws?: AwsCollector } = {};
  let result: WatchResult;
  try {
    result = await handleWatchEvent(event, {
      manifest: m,
      seen,
      collectors: () => {
        const aws = (made.aws = new AwsCollector({ timeoutMs: CALL_TIMEOUT_MS, deadline }));
        return { aws, dns: new DnsCollector({ servers: [], timeoutMs: CALL_TIMEOUT_MS, authoritative: true, deadline }), smtp: new SmtpCollector({ timeoutMs: CALL_TIMEOUT_MS, deadline }) };
      },
    });
  } finally {
    made.aws?.destroy();
  }
  for (const line of result.emf) process.stdout.write(`${line}\n`);
  // An event the function does not understand is logged, not retried: a retry would not understand it either.
  for (const p of result.problems) process.stdout.write(`${JSON.stringify({ watch: "not handled", event: result.event, problem: p })}\n`);
  return { event: result.event, metrics: result.metrics.length, alerts: result.alerts.length, duplicates: result.duplicates };
}
