/**
 * The benchmark's promises as counts, not timings: for N domains x 2 regions sharing one SPF
 * include and one SMTP credential, each identity is fetched once per region, each DNS name is
 * queried once per run (the shared include once in total), SMTP AUTH runs once per region and
 * credential, everything that can run at once does, and the parallelism stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SesOperation } from "./aws-fakes";
import { benchRun, benchWorld, NO_DELAYS } from "./bench-world";
import { type SharedServers, startShared, type World } from "./world";

const N = 3;
let shared: SharedServers;
let world: World;

beforeAll(async () => {
  shared = await startShared();
  world = await benchWorld(shared, N, NO_DELAYS);
});
afterAll(async () => {
  await world?.stop();
  await shared?.stop();
});

describe(`verify of ${N} domains x 2 regions`, () => {
  it("does no work twice", async () => {
    const r = await benchRun(world);
    expect(r.nonPass).toEqual([]);
    // SES: one account read per region; identity, configuration set and its event destinations once per domain and region.
    expect(r.identityCalls).toBe(N * 2);
    const ops: SesOperation[] = ["GetAccount", "GetConfigurationSet", "GetConfigurationSetEventDestinations"];
    expect(ops.map((op) => world.ses.count(op))).toEqual([2, N * 2, N * 2]);
    // IAM and Secrets Manager: the secret, the key list, the key's last use (the simulation is mocked in-process).
    // Monitoring, per region: one subscription list, DescribeRule and ListTargetsByRule per rule
    // (4 rules in us-east-1, 2 in us-west-2), DescribeTrails; the one trail's status and
    // selectors once; in CloudWatch one DescribeAlarms and one read per metric.
    const monitoring = { moto: 2 + 2 * 6 + 2 + 2, cloudwatch: 2 + 2 * 2 };
    expect(r.awsRequests.moto).toBe(3 + monitoring.moto);
    expect(r.awsRequests.cloudwatch).toBe(monitoring.cloudwatch);
    expect(r.awsCalls).toBe(2 + N * 2 * 3 + 4 + monitoring.moto + monitoring.cloudwatch);
    // DNS: 13 names per domain (6 DKIM CNAMEs, 2 MAIL FROM MX + TXT, apex TXT, DMARC TXT, report
    // authorisation TXT) and 3 shared by all (the include, the include inside it, amazonses.com).
    const questions = world.dns.queries().map((q) => `${q.type} ${q.name.toLowerCase()}`);
    expect(new Set(questions).size).toBe(questions.length);
    expect(r.dnsQueries).toBe(N * 13 + 3);
    expect(r.dnsCollectorQueries).toBe(r.dnsQueries);
    expect(r.sharedIncludeQueries).toBe(1);
    expect(questions.filter((q) => q === "TXT amazonses.com")).toHaveLength(1);
    // SMTP: one AUTH per region and credential, not per domain.
    expect(r.smtpConnections).toBe(2);
    expect(Object.values(world.smtp).map((s) => s.authAttempts().length)).toEqual([1, 1]);
  });

  it("runs every SES read at once, and never more than the bound per region", async () => {
    world.ses.delayMs = 100; // long enough that every call is issued before the first answer
    try {
      world.ses.maxInFlight = 0;
      await world.verify({});
      expect(world.ses.maxInFlight).toBe(2 + N * 2 * 3);

      world.ses.maxInFlight = 0;
      const bounded = await world.verify({ awsConcurrency: 3 });
      expect(bounded.findings.every((f) => f.status === "pass")).toBe(true);
      expect(world.ses.maxInFlight).toBe(3 * 2);
    } finally {
      world.ses.delayMs = 0;
    }
  });
});
