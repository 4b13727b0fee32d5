/**
 * `npm run plan` shows the watch (issue 19): the prod stack with `mail-infra:watch: true` lists
 * the function, schedule, change rules, SES event subscriptions, alarms and roles, and what the
 * watch checks and whom it tells; without it, nothing but "Watch: none".
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ALL_WATCH_CHECKS } from "../../lib/watch";
import { ROOT, runCli } from "../helpers/spawn";
import { PROD_GMAIL } from "../helpers/config";

const dir = mkdtempSync(path.join(os.tmpdir(), "watch-plan-"));
copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
const prod = readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
writeFileSync(path.join(dir, "Pulumi.prod.yaml"), prod.replace("  mail-infra:alertEmails:", "  mail-infra:watch: true\n  mail-infra:alertEmails:"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text with its line breaks and runs of spaces as one space: what the plan says, whatever its wrapping to 100 columns. */
const flat = (text: string) => text.replace(/\s+/g, " ");

describe("plan with the watch", () => {
  it("prod with watch: true shows the function, schedule, event wiring, alarms and role, and what it checks and whom it tells", () => {
    const r = runCli("plan.ts", ["--stack", "prod"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status, r.stderr).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("\nWatch watch\n"), r.stdout.indexOf("\nDNS records for"));
    expect(flat(section)).toMatch(/aws:lambda:Function\s+mail-infra-prod-watch: nodejs24\.x arm64, 256 MB, 60 s, 5 reserved concurrency, failed events -> queue/);
    expect(flat(section)).toMatch(/aws:scheduler:Schedule\s+mail-infra-prod-watch: rate\(1 hour\) -> the watch function/);
    expect(flat(section)).toMatch(/aws:cloudwatch:EventTarget\s+mail-infra-prod-watch-ses-changes -> the watch function/);
    expect(flat(section)).toMatch(/aws:sns:TopicSubscription\s+SES events of arn:aws:sns:us-west-2:\d+:mail-infra-queenofsandiego-com-ses-events to the watch function/);
    expect(flat(section)).toMatch(/aws:iam:Role\s+mail-infra-prod-watch: mail-infra prod: the watch function's execution role/);
    expect(flat(section)).toMatch(/aws:cloudwatch:MetricAlarm\s+mail-infra-prod-watch-not-running: MailInfra\/Watch Runs < 1 \(Sum over 2 h; missing data: breaching\) -> alerts topic/);
    expect(section.match(/MetricAlarm/g)).toHaveLength(ALL_WATCH_CHECKS.length + 6);
    // us-west-2's SES changes are forwarded to the watch bus in us-east-1, whose rule invokes the function.
    expect(flat(section)).toMatch(/aws:cloudwatch:EventBus\s+mail-infra-prod-watch: mail-infra prod: change events forwarded to the watch from other regions\./);
    expect(flat(section)).toMatch(/aws:cloudwatch:EventRule\s+mail-infra-prod-watch-ses-forward: mail-infra prod: forward ses changes in us-west-2 to the watch in us-east-1\./);
    expect(flat(section)).toMatch(
      /aws:cloudwatch:EventTarget\s+mail-infra-prod-watch-ses-forward -> arn:aws:events:us-east-1:\d+:event-bus\/mail-infra-prod-watch \(forwarded with role mail-infra-prod-watch-forward\)/,
    );
    expect(flat(section)).toMatch(/aws:cloudwatch:EventTarget\s+mail-infra-prod-watch-ses-forwarded \(on mail-infra-prod-watch\) -> the watch function/);
    expect(flat(section)).toMatch(/aws:iam:RolePolicy\s+put-events-watch-bus on role mail-infra-prod-watch-forward/);
    expect(flat(section)).toMatch(/aws:cloudwatch:EventBusPolicy\s+mail-infra-prod-watch: lets role mail-infra-prod-watch-forward put events/);
    expect(flat(r.stdout)).toContain(
      flat("Watch (docs/monitoring.md): function mail-infra-prod-watch in us-east-1 runs verify's ses, dns and relay checks rate(1 hour) and after IAM, SES and secret changes, and diagnoses every SES event of the stack's configuration sets\n" +
        "  changes elsewhere: us-west-2 (ses) forwarded to event bus mail-infra-prod-watch in us-east-1\n" +
        `  alarms on checks (${ALL_WATCH_CHECKS.length}): ${ALL_WATCH_CHECKS.join(", ")}\n` +
        "  alarms on bounces: sender-auth, ses layer, 3 or more within an hour, per SES region; and on the function's errors and no run in 2 periods\n" +
        `  tells: ${PROD_GMAIL} through the alerts topic in us-east-1\n`),
    );
  });

  it("prod as committed (no watch): nothing of the watch", () => {
    const r = runCli("plan.ts", ["--stack", "prod"], { env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/aws:lambda|aws:scheduler|Watch watch|EventBus|-forward/);
    expect(r.stdout).toContain("\nWatch: none (mail-infra:watch is false; see docs/monitoring.md)\n");
  });
});
