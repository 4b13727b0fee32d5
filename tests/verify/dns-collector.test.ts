/**
 * The DNS collector against real nsd servers: --authoritative asks the zone's own name servers
 * instead of the configured resolver (so a stale cache cannot hide a fixed record), and every
 * (name, type) is asked once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { type DnsSandbox, startDns } from "../sandbox";

let resolverLike: DnsSandbox;
let authoritative: DnsSandbox;

const zone = (txt: string) => ["@ IN NS ns1.example.com.", "ns1 IN A 127.0.0.1", `@ IN TXT "${txt}"`, `_dmarc IN TXT "v=DMARC1; p=reject"`].join("\n");

beforeAll(async () => {
  // One server plays a resolver with an old answer cached; the other is the zone's own server.
  resolverLike = await startDns({ zones: [{ origin: "example.com", text: zone("v=spf1 -all old") }] });
  authoritative = await startDns({ zones: [{ origin: "example.com", text: zone("v=spf1 -all") }] });
});
afterAll(async () => {
  await resolverLike?.stop();
  await authoritative?.stop();
});

describe("DnsCollector", () => {
  it("answers from the configured resolver by default", async () => {
    const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 2000 });
    expect(await dns.query("TXT", "example.com")).toEqual({ ok: true, value: ["v=spf1 -all old"] });
  });

  it("--authoritative finds the zone's name servers and asks them for names under the zone", async () => {
    const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 2000, authoritative: true, authoritativePort: authoritative.port });
    dns.useAuthoritativeFor("example.com");
    authoritative.resetQueries();
    expect(await dns.query("TXT", "example.com")).toEqual({ ok: true, value: ["v=spf1 -all"] });
    expect(await dns.query("TXT", "_dmarc.example.com")).toEqual({ ok: true, value: ["v=DMARC1; p=reject"] });
    expect(authoritative.queries().map((q) => `${q.type} ${q.name}`)).toEqual(["TXT example.com", "TXT _dmarc.example.com"]);
  });

  it("asks each name and type once per run, and reports NXDOMAIN as notfound", async () => {
    const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 2000 });
    resolverLike.resetQueries();
    await Promise.all([dns.query("TXT", "example.com"), dns.query("TXT", "EXAMPLE.com."), dns.query("TXT", "example.com")]);
    expect(resolverLike.queryCount()).toBe(1);
    expect(dns.queries).toBe(1);
    const missing = await dns.query("CNAME", "nope.example.com");
    expect(missing).toMatchObject({ ok: false, reason: "notfound" });
  });
});
