/**
 * Route 53 record listing reads every page (scripts/verify/aws.ts recordSets, used by adopt's
 * discovery): ListResourceRecordSets returns at most 300 record sets per call (MaxItems,
 * default and maximum 300) and continues from NextRecordName/NextRecordType while IsTruncated
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html).
 * A collector that reads only the first page makes adopt miss records: an SPF or DMARC value it
 * never saw is one the stack would later overwrite. Against moto's real pagination, with a zone
 * of 2 + 340 record sets; the expected names are built here, not read from the code under test.
 */
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsCollector } from "../../scripts/verify/aws";
import { type MotoSandbox, startMoto } from "../sandbox";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const D = "pages.example.com";
const CREDS = { accessKeyId: "AKIAPAGESTESTCALLER1", secretAccessKey: "pages-test-caller-secret-not-a-real-one" };
const HOSTS = Array.from({ length: 339 }, (_, i) => `host${String(i).padStart(3, "0")}.${D}`);

let moto: MotoSandbox;
let zoneId = "";
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  moto = await startMoto();
  const r53 = new Route53Client({ endpoint: moto.directEndpoint, region: "us-east-1", credentials: CREDS, maxAttempts: 1 });
  const zone = await r53.send(new CreateHostedZoneCommand({ Name: D, CallerReference: "pages-test" }));
  zoneId = (zone.HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const upsert = (name: string, type: "A" | "TXT", value: string) => ({ Action: "UPSERT" as const, ResourceRecordSet: { Name: name, Type: type, TTL: 300, ResourceRecords: [{ Value: value }] } });
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [...HOSTS.map((h, i) => upsert(h, "A", `192.0.2.${(i % 250) + 1}`)), upsert(`_dmarc.${D}`, "TXT", '"v=DMARC1; p=reject"')] },
    }),
  );
  // The zone really spans two pages: the first call is truncated.
  const first = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  expect(first.IsTruncated).toBe(true);
  expect(first.ResourceRecordSets?.length).toBe(300);
  r53.destroy();
  const env = { AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_ROUTE_53: moto.endpoint };
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
}, 60_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await moto?.stop();
});

describe("AwsCollector.recordSets reads every page of a zone", () => {
  it("342 record sets (SOA, NS, 339 A, the DMARC TXT) in two calls, each once, none twice", async () => {
    const aws = new AwsCollector({ timeoutMs: 10_000, maxAttempts: 1 });
    // Route 53 is a REST API: the proxy logs "GET /2013-04-01/hostedzone/<id>/rrset...".
    const listCalls = () => moto.callLog().filter((c) => c.service === "route53" && /^GET \/[\d-]+\/hostedzone\/[^/]+\/rrset/.test(c.action)).length;
    const before = listCalls();
    const sets = await aws.recordSets(zoneId);
    aws.destroy();
    if (!sets.ok) throw new Error(`recordSets: ${sets.message}`);
    expect(sets.value).toHaveLength(342);
    const names = sets.value.map((s) => `${s.type} ${s.name}`);
    expect(new Set(names).size).toBe(342);
    expect(names.filter((n) => n.startsWith("A ")).sort()).toEqual(HOSTS.map((h) => `A ${h}`));
    expect(sets.value.find((s) => s.name === `_dmarc.${D}`)).toEqual({ name: `_dmarc.${D}`, type: "TXT", ttl: 300, values: ['"v=DMARC1; p=reject"'], alias: false });
    expect(names).toEqual(expect.arrayContaining([`SOA ${D}`, `NS ${D}`]));
    expect(listCalls() - before).toBe(2);
  });
});
