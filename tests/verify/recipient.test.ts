/**
 * The recipient layer against real parts on loopback: nsd serves the recipients' zones (a
 * normal MX, a null MX, a CNAME MX, an implicit MX, MTA-STS enforce matching and mismatching,
 * testing mode, TLS-RPT present, absent and broken), a local HTTPS server serves the MTA-STS
 * policies (certificates from a test CA, checked for real against mta-sts.<domain>), and local
 * SMTP servers stand in for the MX on port 25 (STARTTLS, a wrong certificate, no STARTTLS, a
 * refusal, a silent port). Each check passes once and fails once; the CLI runs once with --json
 * and once as text. Every branch of the checks on hand-built answers: recipient-check.test.ts (pure).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../lib/verify/findings";
import { checkRecipientDomain } from "../../scripts/verify/layers/recipient/check";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { type EndpointOverride, RecipientCollector } from "../../scripts/verify/layers/recipient/collect";
import { consoleTranscript, docOutput, stable } from "../docs/doc-examples";
import { type CliResult, runCliAsync } from "../helpers/spawn";
import { createTestCa, type DnsSandbox, type HttpsPolicyServer, startDns, startHttpsPolicyServer, startMx, startSilentTcp, type TcpEndpoint, type TestCa } from "../sandbox";

const ZONES: Record<string, string> = {
  "good.example": `@          IN MX  10 mx1.good.example.
@          IN MX  20 mx2.good.example.
mx1        IN A   127.0.0.1
mx2        IN A   127.0.0.2
_dmarc     IN TXT "v=DMARC1; p=reject; sp=quarantine; aspf=s"
_mta-sts   IN TXT "v=STSv1; id=2026112901"
mta-sts    IN A   127.0.0.1
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.example"
sub        IN MX  10 mx1.good.example.
`,
  "nullmx.example": `@ IN MX 0 .
_dmarc IN TXT "v=DMARC1; p=reject"
`,
  "cname.example": `@    IN MX    10 mail.cname.example.
mail IN CNAME real.cname.example.
real IN A     127.0.0.1
`,
  "implicit.example": `@ IN A 127.0.0.1
`,
  "nomail.example": `www IN A 127.0.0.1
`,
  "noaddr.example": `@ IN MX 10 gone.noaddr.example.
`,
  "mismatch.example": `@        IN MX  10 mx.mismatch.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "testing.example": `@        IN MX  10 mx.testing.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "nopolicy.example": `@        IN MX  10 mx.nopolicy.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "wrongcert.example": `@        IN MX  10 mx.wrongcert.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "redirect.example": `@        IN MX  10 mx.redirect.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "html.example": `@        IN MX  10 mx.html.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "big.example": `@        IN MX  10 mx.big.example.
mx       IN A   127.0.0.1
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN A   127.0.0.1
`,
  "broken.example": `@          IN MX  10 mx.broken.example.
mx         IN A   127.0.0.1
_dmarc     IN TXT "v=DMARC1; p=bogus"
_mta-sts   IN TXT "v=STSv1;"
_smtp._tls IN TXT "v=TLSRPTv1;"
`,
};

const POLICY = (mode: string, ...mx: string[]) => `version: STSv1\r\nmode: ${mode}\r\n${mx.map((m) => `mx: ${m}\r\n`).join("")}max_age: 86400\r\n`;
const POLICY_HOSTS = ["good", "mismatch", "testing", "nopolicy", "wrongcert", "redirect", "html", "big"].map((d) => `mta-sts.${d}.example`);

let dns: DnsSandbox;
let ca: TestCa;
let https: HttpsPolicyServer;
const servers: TcpEndpoint[] = [];
let goodMx: TcpEndpoint;

beforeAll(async () => {
  [dns, ca] = await Promise.all([startDns({ zones: Object.entries(ZONES).map(([origin, text]) => ({ origin, text })) }), createTestCa(POLICY_HOSTS)]);
  const otherName = await ca.issue(["mta-sts.other.example"]);
  https = await startHttpsPolicyServer({
    cert: ca.server,
    certFor: { "mta-sts.wrongcert.example": otherName },
    routes: {
      "mta-sts.good.example": { body: POLICY("enforce", "*.good.example") },
      "mta-sts.mismatch.example": { body: POLICY("enforce", "mail.other.example") },
      "mta-sts.testing.example": { body: POLICY("testing", "mail.other.example") },
      "mta-sts.wrongcert.example": { body: POLICY("enforce", "mx.wrongcert.example") },
      "mta-sts.redirect.example": { status: 301, location: "https://elsewhere.example/mta-sts.txt", body: "" },
      "mta-sts.html.example": { contentType: "text/html", body: POLICY("enforce", "mx.html.example") },
      "mta-sts.big.example": { body: POLICY("enforce", "mx.big.example") + "#".repeat(70 * 1024) },
      // nopolicy: not routed, so 404
    },
  });
  goodMx = await startMx({ serverName: "mx1.good.example", tls: await ca.issue(["mx1.good.example"]) });
  servers.push(goodMx);
});
afterAll(async () => {
  await Promise.all([dns?.stop(), https?.stop(), ...servers.map((s) => s.stop())]);
  await ca?.cleanup();
});

function collector(o: { probe?: EndpointOverride; timeoutMs?: number } = {}): RecipientCollector {
  const timeoutMs = o.timeoutMs ?? 3_000;
  return new RecipientCollector({
    dns: new DnsCollector({ servers: [dns.server], timeoutMs }),
    timeoutMs,
    ca: ca.caCertPem,
    mtaStsEndpoint: { port: https.port },
    ...(o.probe ? { probeSmtp: true, probeEndpoint: o.probe } : {}),
  });
}

async function check(domain: string, o: { probe?: EndpointOverride; timeoutMs?: number } = {}): Promise<Finding[]> {
  return checkRecipientDomain(await collector(o).observe(domain));
}
const byId = (fs: Finding[], id: string): Finding => {
  const f = fs.find((x) => x.id === id);
  if (!f) throw new Error(`no ${id} in ${fs.map((x) => x.id).join(", ")}`);
  return f;
};
const statuses = (fs: Finding[]) => fs.map((f) => `${f.id} ${f.status}`);

describe("recipient layer: a healthy domain", () => {
  it("good.example passes every check: MX sorted, DMARC p=reject read, MTA-STS enforce matching every MX, TLS-RPT", async () => {
    const fs = await check("good.example");
    expect(statuses(fs)).toEqual([
      "recipient.mx pass",
      "recipient.mx.cname pass",
      "recipient.mx.address pass",
      "recipient.dmarc pass",
      "recipient.mta-sts pass",
      "recipient.mta-sts.mx pass",
      "recipient.tls-rpt pass",
    ]);
    expect(byId(fs, "recipient.mx").evidence).toEqual(["MX 10 mx1.good.example", "MX 20 mx2.good.example"]);
    expect(byId(fs, "recipient.dmarc").summary).toBe("good.example publishes DMARC p=reject sp=quarantine pct=100 adkim=r aspf=s: policy reject for its own mail");
    expect(byId(fs, "recipient.dmarc").evidence[1]).toMatch(/^Receivers judge our mail by our own domain's DMARC record, not by this one \(RFC 7489 6\.6\.3\); its aspf=s bind only mail that claims to be from good\.example\. A domain that rejects/);
    expect(byId(fs, "recipient.mta-sts").summary).toBe("good.example publishes an MTA-STS policy: mode enforce, max_age 86400, mx *.good.example");
    expect(byId(fs, "recipient.tls-rpt").summary).toBe("good.example receives TLS reports at mailto:tlsrpt@good.example");
    // The policy was fetched over HTTPS with the real Host (the certificate was checked against it).
    expect(https.requests()).toContain("mta-sts.good.example /.well-known/mta-sts.txt");
  });

  it("a subdomain without its own DMARC record inherits the Organisational Domain's, under sp", async () => {
    const fs = await check("sub.good.example");
    const dmarc = byId(fs, "recipient.dmarc");
    expect([dmarc.status, dmarc.subject, dmarc.summary]).toEqual(["pass", "_dmarc.sub.good.example", "sub.good.example publishes DMARC p=reject sp=quarantine pct=100 adkim=r aspf=s (from _dmarc.good.example): policy quarantine for its own mail"]);
    expect(byId(fs, "recipient.mta-sts").summary).toBe("sub.good.example publishes no MTA-STS policy: senders deliver with opportunistic TLS");
    expect(byId(fs, "recipient.tls-rpt").summary).toBe("sub.good.example publishes no TLS-RPT record: senders do not report TLS failures to it");
  });
});

describe("recipient layer: MX", () => {
  it("a domain that does not exist: one failure, nothing else is asked about it", async () => {
    const fs = await check("missing.good.example");
    expect(statuses(fs)).toEqual(["recipient.mx fail"]);
    expect(fs[0].summary).toBe("missing.good.example does not exist (NXDOMAIN): mail to it bounces");
  });

  it("a null MX (RFC 7505): the domain accepts no mail", async () => {
    const fs = await check("nullmx.example");
    expect(statuses(fs)).toEqual(["recipient.mx fail"]);
    expect([fs[0].summary, fs[0].evidence]).toEqual(["nullmx.example accepts no mail: it publishes a null MX (RFC 7505)", ["MX 0 ."]]);
  });

  it("an MX host that is a CNAME warns (RFC 2181 10.3); its address still resolves", async () => {
    const fs = await check("cname.example");
    expect(byId(fs, "recipient.mx.cname")).toMatchObject({ status: "warn", evidence: ["mail.cname.example is a CNAME for real.cname.example"] });
    expect(byId(fs, "recipient.mx.address").status).toBe("pass");
    expect(byId(fs, "recipient.dmarc").summary).toBe("cname.example publishes no DMARC record: nothing to learn about how it filters");
  });

  it("no MX but an address: implicit MX, a warning; no MX and no address: a failure", async () => {
    const implicit = await check("implicit.example");
    expect(byId(implicit, "recipient.mx")).toMatchObject({ status: "warn", summary: "implicit.example has no MX record: senders fall back to its address (implicit MX, RFC 5321 5.1)", evidence: ["no MX; A/AAAA 127.0.0.1"] });
    const none = await check("nomail.example");
    expect(byId(none, "recipient.mx")).toMatchObject({ status: "fail", summary: "nomail.example has no MX and no address: mail to it cannot be delivered" });
  });

  it("MX hosts without an address fail", async () => {
    const fs = await check("noaddr.example");
    expect(byId(fs, "recipient.mx.address")).toMatchObject({ status: "fail", summary: "no MX host of noaddr.example has an address: mail to it cannot be delivered", evidence: ["gone.noaddr.example: no A or AAAA record (NXDOMAIN)"] });
  });
});

describe("recipient layer: MTA-STS, DMARC and TLS-RPT", () => {
  it("enforce with no MX matching the policy fails: senders applying MTA-STS refuse delivery", async () => {
    const fs = await check("mismatch.example");
    expect(byId(fs, "recipient.mta-sts").status).toBe("pass");
    expect(byId(fs, "recipient.mta-sts.mx")).toMatchObject({
      status: "fail",
      summary: "no MX host matches the enforce policy: senders that apply MTA-STS refuse to deliver to mismatch.example",
      evidence: ["mx.mismatch.example: matches no mx pattern"],
    });
  });

  it("testing mode with a mismatch only warns", async () => {
    const fs = await check("testing.example");
    expect(byId(fs, "recipient.mta-sts.mx")).toMatchObject({ status: "warn", summary: "mx.testing.example matches no mx pattern; the policy is in testing mode, so senders deliver anyway and report it (TLS-RPT)" });
  });

  it("a record without a policy (HTTP 404), or a policy host with a certificate for another name: warnings (RFC 8461 5)", async () => {
    const notFound = byId(await check("nopolicy.example"), "recipient.mta-sts");
    expect(notFound.status).toBe("warn");
    expect(notFound.summary).toMatch(/^nopolicy\.example announces an MTA-STS policy \(id 1\) but https:\/\/mta-sts\.nopolicy\.example\/\.well-known\/mta-sts\.txt answers HTTP 404: senders without a cached policy deliver as if there were none/);
    const wrongCert = byId(await check("wrongcert.example"), "recipient.mta-sts");
    expect(wrongCert.status).toBe("warn");
    expect(wrongCert.summary).toMatch(/but the policy cannot be fetched \(https:\/\/mta-sts\.wrongcert\.example\/\.well-known\/mta-sts\.txt: TLS to 127\.0\.0\.1:\d+ failed: Hostname\/IP does not match certificate's altnames: .*mta-sts\.other\.example.* \(checked against mta-sts\.wrongcert\.example\)\)/);
    expect(https.requests()).not.toContain("mta-sts.wrongcert.example /.well-known/mta-sts.txt");
  });

  it("a redirect (not followed), a policy served as text/html, a body over 64 KiB: warnings", async () => {
    expect(byId(await check("redirect.example"), "recipient.mta-sts").summary).toMatch(/mta-sts\.txt answers HTTP 301 \(senders do not follow redirects, RFC 8461 3\.3\)/);
    expect(byId(await check("html.example"), "recipient.mta-sts").summary).toMatch(/mta-sts\.txt is served as text\/html, not text\/plain \(RFC 8461 3\.3\)/);
    const big = byId(await check("big.example"), "recipient.mta-sts");
    expect([big.status, big.summary]).toEqual(["warn", expect.stringMatching(/the policy cannot be fetched \(https:\/\/mta-sts\.big\.example\/\.well-known\/mta-sts\.txt: the policy is larger than 64 KiB/)]);
  });

  it("a DMARC record with an invalid p and no rua, an MTA-STS record without id and a TLS-RPT record without rua warn", async () => {
    const fs = await check("broken.example");
    expect(byId(fs, "recipient.dmarc")).toMatchObject({ status: "warn", summary: "the DMARC record at _dmarc.broken.example has no valid p (or an invalid sp) and no valid rua: receivers ignore it (RFC 7489 6.6.3)" });
    expect(byId(fs, "recipient.mta-sts").summary).toMatch(/^the MTA-STS record of broken\.example is invalid, so senders ignore MTA-STS: the record has no "id" field/);
    expect(byId(fs, "recipient.tls-rpt")).toMatchObject({ status: "warn" });
    expect(byId(fs, "recipient.tls-rpt").summary).toMatch(/^the TLS-RPT record of broken\.example is invalid, so senders send no TLS reports: the record has no "rua" field/);
    // The invalid record announces no policy: nothing was fetched.
    expect(https.requests().some((r) => r.startsWith("mta-sts.broken.example"))).toBe(false);
  });

  it("a resolver that refuses the zone: inconclusive, never a pass", async () => {
    const fs = await check("not-served.test");
    // One finding per question, as in the DNS layer: each names the question it could not ask.
    expect(statuses(fs)).toEqual(["recipient.mx inconclusive", "recipient.dmarc inconclusive", "recipient.mta-sts inconclusive", "recipient.tls-rpt inconclusive"]);
    expect(fs[0].summary).toMatch(/^could not check the MX records: MX not-served\.test: REFUSED by 127\.0\.0\.1:\d+/);
  });
});

describe("recipient layer: --probe-smtp", () => {
  it("STARTTLS with a certificate valid for the MX passes", async () => {
    const probe = byId(await check("good.example", { probe: { port: goodMx.port } }), "recipient.smtp");
    expect([probe.status, probe.subject, probe.summary]).toEqual(["pass", "mx1.good.example (MX of good.example)", "mx1.good.example answers on port 25, offers STARTTLS, and its certificate is valid for mx1.good.example"]);
    expect(probe.evidence[0]).toMatch(new RegExp(`^connected to 127\\.0\\.0\\.1:${goodMx.port} \\(override for mx1\\.good\\.example:25\\) in \\d+ ms$`));
    expect(probe.evidence[1]).toBe("banner: 220 mx1.good.example ESMTP sandbox MX");
    expect(probe.evidence[2]).toMatch(/^EHLO: .*STARTTLS/);
  });

  it("a certificate for another name warns, and fails when the domain's MTA-STS policy enforces", async () => {
    const wrong = await startMx({ serverName: "mx.other.example", tls: await ca.issue(["mx.other.example"]) });
    servers.push(wrong);
    const warned = byId(await check("cname.example", { probe: { port: wrong.port } }), "recipient.smtp");
    expect(warned.status).toBe("warn");
    expect(warned.summary).toBe("mail.cname.example offers STARTTLS but its certificate is not valid for mail.cname.example: an MTA-STS policy in enforce mode would make this fatal (RFC 8461 4.2); today senders fall back to delivering anyway");
    expect(warned.evidence.at(-1)).toMatch(/^TLS: Hostname\/IP does not match certificate's altnames/);
    const enforced = byId(await check("good.example", { probe: { port: wrong.port } }), "recipient.smtp");
    expect(enforced.status).toBe("fail");
    expect(enforced.summary).toBe("mx1.good.example offers STARTTLS but its certificate is not valid for mx1.good.example: good.example's MTA-STS policy is in enforce mode, so senders that apply it refuse to deliver");
  });

  it("no STARTTLS warns; a 554 greeting fails", async () => {
    const plain = await startMx({ serverName: "real.cname.example", starttls: false });
    const refusing = await startMx({ serverName: "real.cname.example", refuse: { code: 554, message: "no SMTP service here" } });
    servers.push(plain, refusing);
    const noTls = byId(await check("cname.example", { probe: { port: plain.port } }), "recipient.smtp");
    expect([noTls.status, noTls.summary]).toEqual(["warn", "mail.cname.example does not offer STARTTLS: mail to cname.example travels unencrypted; an MTA-STS policy in enforce mode would make this fatal (RFC 8461 4.2); today senders fall back to delivering anyway"]);
    const refused = byId(await check("cname.example", { probe: { port: refusing.port } }), "recipient.smtp");
    expect([refused.status, refused.summary]).toEqual(["fail", "mail.cname.example refuses the session at the greeting: 554 no SMTP service here"]);
  });

  it("a silent port 25 is inconclusive (port 25 is often blocked), within 3 x the timeout", async () => {
    const silent = await startSilentTcp();
    servers.push(silent);
    const started = Date.now();
    const probe = byId(await check("good.example", { probe: { port: silent.port }, timeoutMs: 500 }), "recipient.smtp");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(probe.status).toBe("inconclusive");
    expect(probe.remediation).toMatch(/^Outbound port 25 is blocked on many networks/);
    expect(silent.connections()).toBe(1);
  });
});

describe("verify CLI: the recipient layer alone", () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCliAsync("verify.ts", args, { env: { NODE_EXTRA_CA_CERTS: ca.caFile, ...env } });

  it("--recipient --only recipient needs no stack, manifest or domain; --json lists each domain's findings (exit 1: a null MX)", async () => {
    const r = await cli(["--recipient", "someone@good.example", "--recipient", "other@GOOD.example", "--recipient", "x@nullmx.example", "--only", "recipient", "--dns-server", dns.server, "--mta-sts-endpoint", String(https.port), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { target: string; layers: string[]; notChecked: { layer: string }[]; findings: Finding[] };
    expect(doc.target).toBe("recipient domains of someone@good.example, other@GOOD.example, x@nullmx.example");
    expect(doc.layers).toEqual(["recipient"]);
    expect(doc.notChecked.map((n) => n.layer)).toEqual(["ses", "dns", "smtp", "relay", "monitoring"]);
    expect(doc.findings.map((f) => `${f.subject} ${f.id} ${f.status}`)).toEqual([
      "good.example recipient.mx pass",
      "good.example recipient.mx.cname pass",
      "good.example recipient.mx.address pass",
      "_dmarc.good.example recipient.dmarc pass",
      "_mta-sts.good.example recipient.mta-sts pass",
      "good.example recipient.mta-sts.mx pass",
      "_smtp._tls.good.example recipient.tls-rpt pass",
      "nullmx.example recipient.mx fail",
    ]);
  });

  it("text, with --probe-smtp: every check passes, exit 0 (docs/cli/verify.md prints it, at the default width)", async () => {
    const r = await cli(["--recipient", "someone@good.example", "--only", "recipient", "--probe-smtp", "--dns-server", dns.server, "--mta-sts-endpoint", String(https.port), "--probe-smtp-port", String(goodMx.port)], { COLUMNS: "" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const shown = "npm run -s verify -- --recipient someone@good.example --only recipient --probe-smtp --dns-server 127.0.0.1:PORT --mta-sts-endpoint PORT --probe-smtp-port PORT";
    await docOutput("verify-recipient", stable(consoleTranscript(shown, r)));
    expect(r.stdout).toContain("\nRecipient domains: ok\n");
    // Wrapped to 100 columns: a break may fall at any space.
    expect(r.stdout).toMatch(/PASS {2}recipient\.smtp +mx1\.good\.example \(MX of good\.example\): mx1\.good\.example answers on\s+port 25,\s+offers STARTTLS/);
    expect(r.stdout).toMatch(/— checked layers healthy; not checked: ses,\s+dns,\s+smtp,\s+relay,\s+monitoring\.\n$/);
  });

  it("usage: no source without --only recipient, --only recipient without --recipient, --probe-smtp-port without --probe-smtp (exit 2)", async () => {
    const noSource = await cli(["--recipient", "a@good.example"]);
    expect([noSource.status, noSource.stderr]).toEqual([2, "error: give exactly one of --stack, --manifest or --domain (see --help); to check only recipients' domains, give --recipient ADDRESS --only recipient.\n"]);
    const noRecipient = await cli(["--only", "recipient"]);
    expect(noRecipient.status).toBe(2);
    expect(noRecipient.stderr).toMatch(/^error: nothing to check: .*Recipient domains \(no --recipient given: this layer checks the domain of each --recipient address\); Monitoring and alerts \(not in --only recipient\)\.\n$/);
    const port = await cli(["--recipient", "a@good.example", "--only", "recipient", "--probe-smtp-port", "2525"]);
    expect([port.status, port.stderr]).toEqual([2, "error: --probe-smtp-port belongs to --probe-smtp: add --probe-smtp, or drop --probe-smtp-port.\n"]);
    const badPort = await cli(["--recipient", "a@good.example", "--only", "recipient", "--probe-smtp", "--probe-smtp-port", "70000"]);
    expect([badPort.status, badPort.stderr]).toEqual([2, 'error: --probe-smtp-port: "70000" is not a port: a port is a whole number from 1 to 65535. Write port or host:port (e.g. 127.0.0.1:2525).\n']);
  });
});
