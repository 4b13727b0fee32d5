import { describe, expect, it } from "vitest";
import { deployedDkimTokens, type DnsRecord, recordResourceKey, stableDkimOrder } from "../lib/records";
import { PROD_LIKE } from "./helpers/config";
import { runWithConfig } from "./helpers/program";

const RECORD = "aws:route53/record:Record";

describe("stableDkimOrder", () => {
  it("keeps each token in the position it had at the last deployment, whatever order SES returns", () => {
    expect(stableDkimOrder(["b", "c", "a"], ["c", "a", "b"])).toEqual(["c", "a", "b"]);
    expect(stableDkimOrder(["a", "b", "c"], ["c", "a", "b"])).toEqual(["c", "a", "b"]);
  });

  it("sorts tokens with no last deployment, so SES's order never decides a position", () => {
    expect(stableDkimOrder(["c", "a", "b"])).toEqual(["a", "b", "c"]);
    expect(stableDkimOrder(["b", "c", "a"], [])).toEqual(["a", "b", "c"]);
  });

  it("puts a new token in the freed position only, leaving the others in place", () => {
    expect(stableDkimOrder(["z", "a", "c"], ["c", "b", "a"])).toEqual(["c", "z", "a"]);
    expect(stableDkimOrder(["y", "x", "z"], ["c", "b", "a"])).toEqual(["x", "y", "z"]);
  });
});

describe("deployedDkimTokens", () => {
  it("reads the tokens per identity from the last verification output, as a value or JSON text", () => {
    const manifest = { domains: [{ domain: "example.com", regions: [{ region: "us-east-1", dkimTokens: ["t2", "t1", "t3"] }] }] };
    expect(deployedDkimTokens(manifest).get("example.com/us-east-1")).toEqual(["t2", "t1", "t3"]);
    expect(deployedDkimTokens(JSON.stringify(manifest)).get("example.com/us-east-1")).toEqual(["t2", "t1", "t3"]);
  });

  it("is empty for a first deployment or an unreadable output", () => {
    expect(deployedDkimTokens(undefined).size).toBe(0);
    expect(deployedDkimTokens("not json").size).toBe(0);
    expect(deployedDkimTokens({ domains: "x" }).size).toBe(0);
  });
});

describe("recordResourceKey", () => {
  it("names MAIL FROM records after their domain and keeps the region name as an alias", () => {
    const mx = { key: "mail-from-mx-us-east-1", purpose: "mail-from-mx", name: "bounce.example.com", type: "MX", ttl: 600, values: [], region: "us-east-1" } satisfies DnsRecord;
    expect(recordResourceKey(mx)).toEqual({ key: "mail-from-mx-bounce.example.com", previousKeys: ["mail-from-mx-us-east-1"] });
    const dkim = { key: "dkim-us-east-1-1", purpose: "dkim", name: "t._domainkey.example.com", type: "CNAME", ttl: 600, values: [] } satisfies DnsRecord;
    expect(recordResourceKey(dkim)).toEqual({ key: "dkim-us-east-1-1", previousKeys: [] });
  });
});

describe("under mocks", async () => {
  const base = await runWithConfig(PROD_LIKE, "prod");
  // The first region is the primary (its MAIL FROM is mailFromSubdomain, it holds the secret).
  const swapped = await runWithConfig({ ...PROD_LIKE, regions: [...PROD_LIKE.regions].reverse() }, "prod");
  const three = await runWithConfig({ ...PROD_LIKE, regions: ["us-east-1", "us-west-2", "eu-west-1"] }, "prod");
  const threeReordered = await runWithConfig({ ...PROD_LIKE, regions: ["us-east-1", "eu-west-1", "us-west-2"] }, "prod");
  const urns = (run: typeof base) => run.resources.map((r) => r.urn).sort();
  const records = (run: typeof base) => Object.fromEntries(run.byType(RECORD).map((r) => [r.urn, r.inputs]));

  it("a region reorder yields the same URN set, and the same DNS records", () => {
    expect(urns(threeReordered)).toEqual(urns(three));
    expect(records(threeReordered)).toEqual(records(three));
  });

  it("no resource name holds a region's position: every region-specific name names its region", () => {
    for (const r of three.resources.filter((x) => x.custom && x.type !== RECORD)) {
      if (r.type.startsWith("aws:iam/") || r.type.startsWith("aws:secretsmanager/")) continue;
      expect(r.name, r.urn).toMatch(/-(us-east-1|us-west-2|eu-west-1)-/);
    }
  });

  it("a new primary updates the primary MAIL FROM's MX in place instead of colliding with it", () => {
    // The primary's MAIL FROM keeps its resource; only the MX target (the sending region) changes.
    const target = (run: typeof base) => run.one(RECORD, "mail-from-mx-bounce.queenofsandiego.com");
    expect(target(swapped).urn).toBe(target(base).urn);
    expect(target(base).inputs.records).toEqual(["10 feedback-smtp.us-east-1.amazonses.com"]);
    expect(target(swapped).inputs.records).toEqual(["10 feedback-smtp.us-west-2.amazonses.com"]);
    // The other region's default MAIL FROM is a different name: a record of its own, no collision.
    const names = (run: typeof base) => run.byType(RECORD).filter((r) => r.name.includes("mail-from-mx")).map((r) => r.inputs.name).sort();
    expect(names(swapped)).toEqual(["bounce-us-east-1.queenofsandiego.com", "bounce.queenofsandiego.com"]);
  });

  it("no two record resources want the same Route 53 record set", () => {
    for (const run of [base, swapped, three, threeReordered]) {
      const sets = run.byType(RECORD).map((r) => `${String(r.inputs.name)} ${String(r.inputs.type)}`);
      expect(new Set(sets).size).toBe(sets.length);
    }
  });

  it("aliases the MAIL FROM records' region-keyed names, so live stacks adopt them", () => {
    const mx = base.one(RECORD, "mail-from-mx-bounce.queenofsandiego.com");
    expect(mx.options.aliases).toEqual([mx.urn.replace(/::[^:]+$/, "::queenofsandiego.com-dns-mail-from-mx-us-east-1")]);
  });

  it("DKIM records keep the positions of the last deployment when SES returns the tokens in another order", async () => {
    const manifest = base.outputs.verification as { domains: { regions: { region: string; dkimTokens: string[] }[] }[] };
    const east = manifest.domains[0].regions.find((r) => r.region === "us-east-1")!;
    const deployedOrder = [east.dkimTokens[2], east.dkimTokens[0], east.dkimTokens[1]];
    const last = structuredClone(manifest);
    last.domains[0].regions.find((r) => r.region === "us-east-1")!.dkimTokens = deployedOrder;
    const next = await runWithConfig(PROD_LIKE, "prod", { verification: last });
    const names = (run: typeof base) => [1, 2, 3].map((i) => String(run.one(RECORD, `dkim-us-east-1-${i}`).inputs.name).split(".")[0]);
    expect(names(next)).toEqual(deployedOrder);
    // With no last deployment, sorted.
    expect(names(base)).toEqual([...east.dkimTokens].sort());
  });
});
