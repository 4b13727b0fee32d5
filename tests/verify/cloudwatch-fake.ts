/**
 * CloudWatch for tests: a loopback HTTP server speaking the protocol the AWS SDK v3 CloudWatch
 * client uses (AWS JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`,
 * timestamps as epoch seconds), one state per region (from the SigV4 credential scope).
 *
 * Why not moto: moto 5.1 answers CloudWatch in the query protocol's XML, which this SDK version
 * (JSON 1.0 since 2025) cannot read ("Unexpected token '<'"), for every operation.
 *
 * Operations, shaped like the CloudWatch API reference: PutMetricAlarm (a new alarm starts in
 * INSUFFICIENT_DATA, as in AWS), DescribeAlarms (by AlarmNames; absent names are left out),
 * SetAlarmState, DeleteAlarms, PutMetricData, GetMetricStatistics (Average, Maximum, Minimum,
 * Sum, SampleCount per Period bucket in [StartTime, EndTime)). Anything else: HTTP 400
 * UnknownOperationException. Usable for the spawned CLI (AWS_ENDPOINT_URL_CLOUDWATCH) and
 * in-process (the same variable in process.env).
 */
import * as http from "node:http";
import { type LoopbackHttpServer, serveOnLoopback } from "../sandbox/common";

const ACCOUNT = "123456789012";

export interface FakeAlarm {
  AlarmName: string;
  AlarmArn: string;
  Namespace?: string;
  MetricName?: string;
  Statistic?: string;
  Dimensions?: { Name: string; Value: string }[];
  Period?: number;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  TreatMissingData?: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  AlarmDescription?: string;
  StateValue: string;
  StateReason: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
}

interface Datapoint {
  namespace: string;
  metricName: string;
  value: number;
  /** epoch seconds */
  timestamp: number;
}

export interface CloudWatchRegion {
  alarms: Map<string, FakeAlarm>;
  data: Datapoint[];
}

export interface CloudWatchFake extends LoopbackHttpServer {
  region(name: string): CloudWatchRegion;
  /** Operations answered, in order, with their region. */
  calls: { operation: string; region: string }[];
  count(operation: string): number;
  /** Hold every answer back this long. */
  delayMs: number;
}

type Body = Record<string, unknown>;
const now = () => Date.now() / 1000;

export async function startCloudWatchFake(): Promise<CloudWatchFake> {
  const regions = new Map<string, CloudWatchRegion>();
  const region = (name: string): CloudWatchRegion => {
    let r = regions.get(name);
    if (!r) regions.set(name, (r = { alarms: new Map(), data: [] }));
    return r;
  };
  const calls: { operation: string; region: string }[] = [];

  const operations: Record<string, (r: CloudWatchRegion, body: Body, regionName: string) => Body> = {
    PutMetricAlarm: (r, b, regionName) => {
      const name = String(b.AlarmName);
      const previous = r.alarms.get(name);
      const t = now();
      r.alarms.set(name, {
        AlarmName: name,
        AlarmArn: `arn:aws:cloudwatch:${regionName}:${ACCOUNT}:alarm:${name}`,
        Namespace: b.Namespace as string | undefined,
        MetricName: b.MetricName as string | undefined,
        Statistic: b.Statistic as string | undefined,
        Dimensions: (b.Dimensions as FakeAlarm["Dimensions"]) ?? [],
        Period: b.Period as number | undefined,
        EvaluationPeriods: b.EvaluationPeriods as number | undefined,
        DatapointsToAlarm: b.DatapointsToAlarm as number | undefined,
        Threshold: b.Threshold as number | undefined,
        ComparisonOperator: b.ComparisonOperator as string | undefined,
        TreatMissingData: b.TreatMissingData as string | undefined,
        ActionsEnabled: (b.ActionsEnabled as boolean | undefined) ?? true,
        AlarmActions: (b.AlarmActions as string[]) ?? [],
        OKActions: (b.OKActions as string[]) ?? [],
        InsufficientDataActions: (b.InsufficientDataActions as string[]) ?? [],
        AlarmDescription: b.AlarmDescription as string | undefined,
        StateValue: previous?.StateValue ?? "INSUFFICIENT_DATA",
        StateReason: previous?.StateReason ?? "Unchecked: Initial alarm creation",
        StateUpdatedTimestamp: previous?.StateUpdatedTimestamp ?? t,
        AlarmConfigurationUpdatedTimestamp: t,
      });
      return {};
    },
    DescribeAlarms: (r, b) => {
      const names = b.AlarmNames as string[] | undefined;
      const alarms = [...r.alarms.values()].filter((a) => !names || names.includes(a.AlarmName));
      return { MetricAlarms: alarms, CompositeAlarms: [] };
    },
    SetAlarmState: (r, b) => {
      const a = r.alarms.get(String(b.AlarmName));
      if (!a) throw Object.assign(new Error(`Alarm ${String(b.AlarmName)} not found`), { code: "ResourceNotFound", status: 404 });
      Object.assign(a, { StateValue: String(b.StateValue), StateReason: String(b.StateReason), StateUpdatedTimestamp: now() });
      return {};
    },
    DeleteAlarms: (r, b) => {
      for (const n of (b.AlarmNames as string[]) ?? []) r.alarms.delete(n);
      return {};
    },
    PutMetricData: (r, b) => {
      for (const d of (b.MetricData as { MetricName: string; Value: number; Timestamp?: number }[]) ?? []) {
        r.data.push({ namespace: String(b.Namespace), metricName: d.MetricName, value: d.Value, timestamp: d.Timestamp ?? now() });
      }
      return {};
    },
    GetMetricStatistics: (r, b) => {
      const start = Number(b.StartTime);
      const end = Number(b.EndTime);
      const period = Number(b.Period);
      const stats = (b.Statistics as string[]) ?? [];
      const buckets = new Map<number, number[]>();
      for (const d of r.data) {
        if (d.namespace !== b.Namespace || d.metricName !== b.MetricName || d.timestamp < start || d.timestamp >= end) continue;
        const at = start + Math.floor((d.timestamp - start) / period) * period;
        buckets.set(at, [...(buckets.get(at) ?? []), d.value]);
      }
      const Datapoints = [...buckets].map(([at, values]) => {
        const sum = values.reduce((x, y) => x + y, 0);
        const all: Record<string, number> = { Average: sum / values.length, Maximum: Math.max(...values), Minimum: Math.min(...values), Sum: sum, SampleCount: values.length };
        return { Timestamp: at, Unit: "None", ...Object.fromEntries(stats.map((s) => [s, all[s]])) };
      });
      return { Label: String(b.MetricName), Datapoints };
    },
  };

  const fake = {
    calls,
    delayMs: 0,
    region,
    count: (operation: string) => calls.filter((c) => c.operation === operation).length,
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.split(".").pop() ?? "";
      const regionName = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "us-east-1";
      const reply = (status: number, body: Body, type?: string) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "content-length": Buffer.byteLength(text), ...(type ? { "x-amzn-query-error": `${type};Sender` } : {}) });
        res.end(text);
      };
      setTimeout(() => {
        const op = operations[operation];
        if (!op) return reply(400, { __type: "UnknownOperationException", message: `the CloudWatch fake does not implement ${operation || "(no X-Amz-Target)"}` });
        calls.push({ operation, region: regionName });
        try {
          reply(200, op(region(regionName), JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Body, regionName));
        } catch (e) {
          const err = e as { code?: string; status?: number; message: string };
          reply(err.status ?? 400, { __type: `com.amazonaws.cloudwatch#${err.code ?? "InvalidParameterValue"}`, message: err.message }, err.code);
        }
      }, fake.delayMs);
    });
  });
  const served = await serveOnLoopback(server, () => calls.length);
  return Object.assign(fake, served);
}
