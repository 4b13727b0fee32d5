/**
 * The DNS collector's reading of answers, against a real nsd on loopback: what verify's pure
 * checks receive is only as right as this translation. Each case here was a planted bug that
 * the rest of the suite let through (issue 22, "Tests that catch bugs"):
 * - a TXT record longer than 255 bytes travels as several character-strings, which receivers
 *   join without a separator (RFC 7208 3.3, RFC 7489 6.4); joined with a space or reduced to
 *   its first string, the SPF or DMARC record reads differently;
 * - an SPF `a:` target with only AAAA records resolves (RFC 7208 5.3 looks up A or AAAA by the
 *   connecting IP's family), so it is not a void lookup (RFC 7208 4.6.4);
 * - a name that exists without records of the asked type (NODATA) is an empty answer, not an
 *   error; MX answers read as "<preference> <host>", lowercased, without the trailing dot.
 * The expected values are written out here, not derived from the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeSpf } from "../../lib/spf";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { type DnsSandbox, startDns } from "../sandbox";

// A 476-character SPF record, as a DNS provider stores it: split into strings of at most 255
// characters, the cut falling inside a mechanism (ip|4:192.0.2.18 below).
const IPS = Array.from({ length: 22 }, (_, i) => `ip4:192.0.2.${i + 1}`).join(" ");
const LONG_SPF = `v=spf1 ${IPS} ${Array.from({ length: 8 }, (_, i) => `ip4:198.51.100.${i + 10}`).join(" ")} -all`;
const FIRST = LONG_SPF.slice(0, 255);
const REST = LONG_SPF.slice(255);

const ZONE = [
  "@ IN NS ns1.example.com.",
  "ns1 IN A 127.0.0.1",
  `@ IN TXT "${FIRST}" "${REST}"`,
  // A DMARC record written as two strings by hand, the second starting with a space.
  `_dmarc IN TXT "v=DMARC1; p=reject;" " rua=mailto:dmarc@example.com"`,
  "v6only IN AAAA 2001:db8::25",
  "v4only IN A 192.0.2.25",
  `noaddr IN TXT "this name has no address"`,
  "@ IN MX 10 Mail.Example.COM.",
  "mail IN A 192.0.2.26",
  `spf-a IN TXT "v=spf1 a:v6only.example.com a:v4only.example.com a:noaddr.example.com mx:noaddr.example.com -all"`,
].join("\n");

let dnsServer: DnsSandbox;
let dns: DnsCollector;

beforeAll(async () => {
  dnsServer = await startDns({ zones: [{ origin: "example.com", text: ZONE }] });
  dns = new DnsCollector({ servers: [dnsServer.server], timeoutMs: 2000 });
});
afterAll(async () => {
  dns?.destroy();
  await dnsServer?.stop();
});

describe("DnsCollector reads answers as receivers do", () => {
  it("the zone really holds the long record as two strings (the fixture is what it claims)", () => {
    expect(LONG_SPF.length).toBe(476);
    expect(FIRST.length).toBe(255);
    expect(FIRST.endsWith("ip4:192.0.2.17 ip")).toBe(true);
    expect(REST.startsWith("4:192.0.2.18 ")).toBe(true);
  });

  it("a TXT record split into character-strings is joined without a separator", async () => {
    expect(await dns.query("TXT", "example.com")).toEqual({ ok: true, value: [LONG_SPF] });
    expect(await dns.query("TXT", "_dmarc.example.com")).toEqual({ ok: true, value: ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"] });
  });

  it("the SPF view hands the whole joined record to the analysis (all 30 ip4 terms, the -all at the end)", async () => {
    const a = await analyzeSpf("example.com", dns.spfResolver());
    expect(a.record).toBe(LONG_SPF);
    expect(a.problems).toEqual([]);
    expect(a.parsed?.terms.filter((t) => t.name === "ip4")).toHaveLength(30);
    expect(a.parsed?.terms.at(-1)?.raw).toBe("-all");
  });

  it("NODATA (the name exists, no record of that type) is an empty answer; NXDOMAIN is notfound", async () => {
    expect(await dns.query("A", "v6only.example.com")).toEqual({ ok: true, value: [] });
    expect(await dns.query("AAAA", "v6only.example.com")).toEqual({ ok: true, value: ["2001:db8::25"] });
    expect(await dns.query("TXT", "nothing-here.example.com")).toMatchObject({ ok: false, reason: "notfound" });
  });

  it("MX answers read as '<preference> <host>', lowercased, without the trailing dot", async () => {
    expect(await dns.query("MX", "example.com")).toEqual({ ok: true, value: ["10 mail.example.com"] });
  });

  it("hasAddressOrMx: AAAA alone resolves, A alone resolves, neither is void; MX of a name without MX is void; NXDOMAIN is void", async () => {
    const r = dns.spfResolver();
    const has = r.hasAddressOrMx;
    if (!has) throw new Error("the collector's SPF view must say whether a/mx targets resolve");
    expect(await has("v6only.example.com", "a")).toBe(true);
    expect(await has("v4only.example.com", "a")).toBe(true);
    expect(await has("noaddr.example.com", "a")).toBe(false);
    expect(await has("example.com", "mx")).toBe(true);
    expect(await has("noaddr.example.com", "mx")).toBe(false);
    expect(await has("gone.example.com", "a")).toBe(false);
  });

  it("an IPv6-only a: target is not a void lookup; a target without addresses and one without MX are (2 void lookups)", async () => {
    const a = await analyzeSpf("spf-a.example.com", dns.spfResolver());
    expect(a.total).toBe(4);
    expect(a.voidLookups).toBe(2);
    expect(a.tree.filter((n) => n.void).map((n) => n.term)).toEqual(["a:noaddr.example.com", "mx:noaddr.example.com"]);
    expect(a.problems.filter((p) => p.code === "spf-void-lookup").map((p) => p.term)).toEqual(["a:noaddr.example.com", "mx:noaddr.example.com"]);
    expect(a.voidExceeded).toBe(false);
  });
});
