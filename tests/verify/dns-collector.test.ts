/**
 * The DNS collector against real nsd servers: --authoritative asks the zone's own name servers
 * instead of the configured resolver (so a stale cache cannot hide a fixed record), and every
 * (name, type) is asked once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { type DnsSandbox, startDns, startSilentDns } from "../sandbox";

let resolverLike: DnsSandbox;
let authoritative: DnsSandbox;

const zone = (txt: string) => ["@ IN NS ns1.example.com.", "ns1 IN A 127.0.0.1", `@ IN TXT "${txt}"`, `_dmarc IN TXT "v=DMARC1; p=reject"`].join("\n");

beforeAll(async () => {
  // One server plays a resolver with an old answer cached; the other is the zone's own server.
  resolverLike = await startDns({
    zones: [
      { origin: "example.com", text: zone("v=spf1 -all old") },
      // A zone only the resolver serves, and one whose name server has no address.
      { origin: "example.net", text: ["@ IN NS ns1.example.com.", `@ IN TXT "v=spf1 -all net"`].join("\n") },
      { origin: "broken.example", text: ["@ IN NS ns.nowhere.invalid.", `@ IN TXT "v=spf1 -all broken"`].join("\n") },
    ],
  });
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

  it("without --authoritative, registering a zone changes nothing: the configured resolver answers", async () => {
    const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 2000, authoritativePort: authoritative.port });
    dns.useAuthoritativeFor("example.com");
    expect(await dns.query("TXT", "example.com")).toEqual({ ok: true, value: ["v=spf1 -all old"] });
  });

  it("--authoritative: a zone registered twice is discovered once; names outside every registered zone go to the configured resolver", async () => {
    const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 2000, authoritative: true, authoritativePort: authoritative.port });
    resolverLike.resetQueries();
    dns.useAuthoritativeFor("example.com");
    dns.useAuthoritativeFor("Example.COM.");
    expect(await dns.query("TXT", "example.com")).toEqual({ ok: true, value: ["v=spf1 -all"] });
    expect(resolverLike.queries().filter((q) => q.type === "NS").map((q) => q.name)).toEqual(["example.com"]);
    // example.net is not registered (the zone's own server does not serve it): the resolver answers.
    expect(await dns.query("TXT", "example.net")).toEqual({ ok: true, value: ["v=spf1 -all net"] });
  });

  it("--authoritative when discovery fails (NS refused, or a name server without an address): the configured resolver answers", async () => {
    const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 2000, authoritative: true, authoritativePort: authoritative.port });
    dns.useAuthoritativeFor("example.org");
    // A zone whose discovery fails, then one under it: the second's name servers are still
    // asked of the configured resolver (asking through the zones registered so far would wait
    // on its own discovery).
    dns.useAuthoritativeFor("example");
    dns.useAuthoritativeFor("broken.example");
    expect(await dns.query("TXT", "example.org")).toEqual({ ok: false, reason: "denied", message: `TXT example.org: REFUSED by ${resolverLike.server}`, needs: `${resolverLike.server} refuses to answer: use a resolver that serves you.` });
    expect(await dns.query("TXT", "broken.example")).toEqual({ ok: true, value: ["v=spf1 -all broken"] });
    dns.destroy();
  });

  it("destroy() cancels questions in flight to a zone's own name servers too", async () => {
    const silent = await startSilentDns();
    try {
      const dns = new DnsCollector({ servers: [resolverLike.server], timeoutMs: 5_000, tries: 1, authoritative: true, authoritativePort: silent.port });
      dns.useAuthoritativeFor("example.com");
      const pending = dns.query("TXT", "example.com");
      for (let i = 0; i < 100 && silent.queryCount() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(silent.queries().map((q) => `${q.type} ${q.name}`)).toEqual(["TXT example.com"]);
      dns.destroy();
      expect(await pending).toEqual({ ok: false, reason: "error", message: "TXT example.com: ECANCELLED" });
    } finally {
      await silent.stop();
    }
  });
});
