/**
 * The verify run (scripts/verify/run.ts `runVerify`) and each layer's entry
 * (scripts/verify/layers/<id>/index.ts) over pure stand-in collectors (tests/helpers/collectors.ts):
 * which layers run, what each asks its collectors and with what, the progress it reports, the
 * order of the findings, the layers and checks not made and the values never to print. The
 * checks themselves have their own tests (tests/verify/<layer>-check.test.ts); the world tests
 * (tests/verify/verify.test.ts) run the same code against real servers.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { mailFromMxHost, smtpEndpoint } from "../../lib/regions";
import { type Finding, type NotChecked, observed } from "../../lib/verify/findings";
import type { AwsSdk, AwsService } from "../../scripts/verify/aws";
import type { VerifyOptions } from "../../scripts/verify/layer";
import { VERIFY_LAYERS } from "../../scripts/verify/layers";
import { monitoringLayer } from "../../scripts/verify/layers/monitoring";
import { recipientLayer } from "../../scripts/verify/layers/recipient";
import { relayLayer } from "../../scripts/verify/layers/relay";
import { watchLayer } from "../../scripts/verify/layers/watch";
import { MONITORING_NOT_DECLARED } from "../../scripts/verify/layers/monitoring/check";
import { NO_RECIPIENT, type RecipientObservations } from "../../scripts/verify/layers/recipient/check";
import { NO_GMAIL_CREDENTIALS, runVerify } from "../../scripts/verify/run";
import type { SesIdentityState } from "../../scripts/verify/layers/ses/check";
import { D, EAST, type FakeAnswers, fakeCollectors, KEY, layerRun, SECRET_ID, verifyManifest, WEST } from "../helpers/collectors";
import { ACCOUNT } from "../helpers/manifest";

const opts = (over: Partial<VerifyOptions> & Pick<VerifyOptions, "layers">): VerifyOptions => ({ recipients: [], sendTest: false, ...over });
const ids = (fs: readonly Finding[]) => fs.map((f) => `${f.layer} ${f.id} ${f.status}`);

/** SES answers for a healthy identity of `m`'s regions (as the stack declares them). */
function healthySes(m: Manifest): FakeAnswers["aws"] {
  const region = (r: string) => m.domains[0].regions.find((x) => x.region === r)!;
  return {
    account: async () => observed({ sendingEnabled: true, productionAccessEnabled: true, enforcementStatus: "HEALTHY", max24HourSend: 50_000, sentLast24Hours: 10, suppressedReasons: ["BOUNCE", "COMPLAINT"] }),
    identity: async (r): Promise<ReturnType<typeof observed<SesIdentityState>>> => {
      const x = region(r);
      return observed({
        verifiedForSending: true,
        verificationStatus: "SUCCESS",
        dkim: { signingEnabled: true, status: "SUCCESS", tokens: x.dkimTokens, signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: "RSA_2048_BIT", nextSigningKeyLength: "RSA_2048_BIT" },
        mailFrom: { domain: x.mailFromDomain, status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" },
        configurationSetName: x.configurationSet,
      });
    },
    configurationSet: async (r) =>
      observed({
        name: region(r).configurationSet,
        sendingEnabled: true,
        tlsPolicy: "REQUIRE",
        suppressedReasons: ["BOUNCE", "COMPLAINT"],
        eventDestinations: [{ name: "sns-feedback", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], target: region(r).eventTopicArn }],
      }),
    suppressed: async () => ({ ok: false, reason: "notfound", message: "NotFoundException" }),
  };
}

describe("runVerify", () => {
  it("without a manifest only the recipient layer may run; another layer is refused by name", async () => {
    const { c } = fakeCollectors({ recipient: { observe: async () => { throw new Error("not reached"); } } });
    await expect(runVerify(undefined, opts({ layers: ["recipient", "dns"] }), c)).rejects.toThrow("runVerify: the dns layer needs a manifest");
    const none = await runVerify(undefined, opts({ layers: ["recipient"] }), c);
    expect(none).toEqual({ findings: [], notChecked: [{ layer: "recipient", reason: NO_RECIPIENT }], secrets: [] });
  });

  it("runs the selected layers only, each region's SES account once however many domains use it", async () => {
    const m = verifyManifest();
    m.domains.push({ ...m.domains[0], domain: "example.org", regions: [m.domains[0].regions[0]] });
    const { c, calls } = fakeCollectors({ aws: healthySes(m) });
    const r = await runVerify(m, opts({ layers: ["ses"] }), c);
    expect(calls.filter((x) => x.startsWith("aws.account"))).toEqual([`aws.account ${EAST}`, `aws.account ${WEST}`]);
    expect(calls.filter((x) => x.startsWith("aws.identity"))).toEqual([`aws.identity ${EAST} ${D}`, `aws.identity ${WEST} ${D}`, `aws.identity ${EAST} example.org`]);
    expect(calls.some((x) => x.startsWith("dns.") || x.startsWith("smtp.") || x.startsWith("aws.secretValue"))).toBe(false);
    expect(new Set(r.findings.map((f) => f.layer))).toEqual(new Set(["ses"]));
  });

  it("reports in layer order (each layer's own order kept), whatever order the layers finish in", async () => {
    const m = verifyManifest();
    // SES answers last: its findings still come first.
    const slow = healthySes(m)!;
    const late: FakeAnswers["aws"] = { ...slow, account: async (r) => (await new Promise((res) => setTimeout(res, 20)), slow.account!(r)) };
    const { c } = fakeCollectors({ aws: late });
    const r = await runVerify(m, opts({ layers: ["dns", "ses"] }), c);
    const layers = r.findings.map((f) => f.layer);
    expect(layers.indexOf("dns")).toBeGreaterThan(layers.lastIndexOf("ses"));
    expect(r.findings.filter((f) => f.layer === "ses").map((f) => f.id).slice(0, 5)).toEqual(["ses.account.sending", "ses.account.production", "ses.account.enforcement", "ses.account.quota", "ses.account.suppression"]);
  });

  it("groups the findings one root cause blocked under it, once", async () => {
    const m = verifyManifest();
    const denied = { ok: false as const, reason: "denied" as const, message: "CredentialsProviderError: none", needs: "Set AWS_PROFILE.", cause: { key: "aws.credentials", id: "aws.credentials", subject: "AWS credentials", summary: "no AWS credentials were found" } };
    const { c } = fakeCollectors({ aws: { account: async () => denied, identity: async () => denied, configurationSet: async () => denied } });
    const r = await runVerify(m, opts({ layers: ["ses"] }), c);
    expect(ids(r.findings)).toEqual(["ses aws.credentials inconclusive"]);
    expect(r.findings[0].blocked?.length).toBeGreaterThan(2);
  });

  it("reports progress: each unit counted when it starts, done when it settles", async () => {
    const m = verifyManifest();
    m.domains[0].regions = [m.domains[0].regions[0]];
    const { c } = fakeCollectors({ aws: healthySes(m) });
    const seen: string[] = [];
    await runVerify(m, opts({ layers: ["ses"], recipients: ["a@example.net"] }), c, (done, total, label) => seen.push(`${done}/${total} ${label}`));
    expect(seen).toEqual([`1/3 SES account ${EAST}`, `2/3 suppression a@example.net ${EAST}`, `3/3 SES identity ${D} ${EAST}`]);
  });

  it("the smtp and relay layers share one read of the credentials", async () => {
    const m = verifyManifest();
    const { c, calls } = fakeCollectors({ aws: { secretValue: async () => observed(JSON.stringify({ username: KEY, regions: { [EAST]: { host: smtpEndpoint(EAST), port: 587, password: "PASSWORD-EAST-0001" } } })) } });
    const r = await runVerify(m, opts({ layers: ["smtp", "relay"] }), c);
    expect(calls.filter((x) => x.startsWith("aws.secretValue"))).toEqual([`aws.secretValue ${EAST} ${SECRET_ID}`]);
    // Both layers judged them (relay.credentials is blocked by the keys' cause, under smtp.key).
    expect(r.findings.flatMap((f) => [f.id, ...(f.blocked ?? []).map((b) => b.id)])).toEqual(expect.arrayContaining(["smtp.secret", "smtp.key", "relay.credentials"]));
  });

  it("secrets: the supplied key, the stored passwords, and the Gmail token when the smtp or relay layer ran", async () => {
    const m = verifyManifest();
    const secret = observed(JSON.stringify({ username: KEY, regions: { [EAST]: { host: smtpEndpoint(EAST), port: 587, password: "PASSWORD-EAST-0001" } } }));
    const gmail = { sendAs: async () => observed({ sendAsEmail: "admin@example.com" }), secrets: () => ["ya29.GMAIL-TOKEN"] };
    const a = fakeCollectors({ aws: { secretValue: async () => secret }, gmail });
    expect((await runVerify(m, opts({ layers: ["smtp"], secretKey: "SUPPLIED-KEY-0001" }), a.c)).secrets).toEqual(["SUPPLIED-KEY-0001", "PASSWORD-EAST-0001", "ya29.GMAIL-TOKEN"]);
    expect((await runVerify(m, opts({ layers: ["relay"] }), fakeCollectors({ aws: { secretValue: async () => secret }, gmail }).c)).secrets).toEqual(["PASSWORD-EAST-0001", "ya29.GMAIL-TOKEN"]);
    expect((await runVerify(m, opts({ layers: ["ses"] }), fakeCollectors({ gmail }).c)).secrets).toEqual([]);
  });

  it("not checked: the options' layers and each selected layer's own, in layer order", async () => {
    const m = verifyManifest({}, []);
    const given: NotChecked[] = [{ layer: "monitoring", reason: "skipped with --skip" }, { layer: "ses", reason: "skipped with --skip" }];
    const { c } = fakeCollectors();
    const r = await runVerify(m, opts({ layers: ["relay", "monitoring"], notChecked: given }), c);
    expect(r.notChecked).toEqual([
      { layer: "ses", reason: "skipped with --skip" },
      { layer: "relay", reason: "the manifest declares no relays (mail-infra:senders)" },
      { layer: "monitoring", reason: "skipped with --skip" },
      { layer: "monitoring", reason: MONITORING_NOT_DECLARED },
    ]);
  });

  it("the registry lists every layer once, in report order", () => {
    expect(VERIFY_LAYERS.map((l) => `${l.id}:${l.layer}`)).toEqual(["ses:ses", "dns:dns", "smtp:smtp", "relay:relay", "recipient:recipient", "monitoring:monitoring", "watch:monitoring"]);
  });
});

describe("the ses layer", () => {
  it("asks each region's identity and configuration set, and each recipient's suppression in every region", async () => {
    const m = verifyManifest();
    const { c, calls } = fakeCollectors({ aws: healthySes(m) });
    const r = await runVerify(m, opts({ layers: ["ses"], recipients: ["a@example.net", "b@example.net"] }), c);
    expect(calls.filter((x) => x.startsWith("aws.configurationSet"))).toEqual([`aws.configurationSet ${EAST} mail-infra-example-com`, `aws.configurationSet ${WEST} mail-infra-example-com`]);
    expect(calls.filter((x) => x.startsWith("aws.suppressed"))).toEqual([`aws.suppressed ${EAST} a@example.net`, `aws.suppressed ${WEST} a@example.net`, `aws.suppressed ${EAST} b@example.net`, `aws.suppressed ${WEST} b@example.net`]);
    // No MAIL FROM name is shared: no MX is asked.
    expect(calls.some((x) => x.startsWith("dns.query"))).toBe(false);
    expect(r.findings.every((f) => f.status === "pass")).toBe(true);
    expect(r.findings.filter((f) => f.id === "ses.recipient.suppression").map((f) => f.subject)).toEqual([`a@example.net in ${EAST}`, `a@example.net in ${WEST}`, `b@example.net in ${EAST}`, `b@example.net in ${WEST}`]);
    expect(r.findings.filter((f) => f.id === "ses.configuration-set").map((f) => f.status)).toEqual(["pass", "pass"]);
  });

  it("a configuration set discovery could not name is not looked up: its check gives the cause", async () => {
    const m = verifyManifest();
    const why = { ok: false as const, reason: "notfound" as const, message: "the identity has no default configuration set in us-west-2" };
    m.domains[0].regions[1] = { ...m.domains[0].regions[1], configurationSet: "", configurationSetArn: "", unknown: { configurationSet: why } };
    const { c, calls } = fakeCollectors({ aws: healthySes(m) });
    const r = await runVerify(m, opts({ layers: ["ses"] }), c);
    expect(calls.filter((x) => x.startsWith("aws.configurationSet"))).toEqual([`aws.configurationSet ${EAST} mail-infra-example-com`]);
    expect(r.findings.find((f) => f.id === "ses.configuration-set" && f.subject.includes(WEST))?.summary).toBe("could not check the configuration set: the identity has no default configuration set in us-west-2");
  });

  it("a MAIL FROM name two regions share: its live MX says which region it serves, and the other gets a name of its own", async () => {
    const m = verifyManifest();
    m.domains[0].regions = m.domains[0].regions.map((x) => ({ ...x, mailFromDomain: "bounce.example.com" }));
    const run = async (mx: FakeAnswers["dns"]) => {
      const { c, calls } = fakeCollectors({ aws: healthySes(m), dns: mx });
      const r = await runVerify(m, opts({ layers: ["ses"] }), c);
      const mailFrom = r.findings.filter((f) => f.id === "ses.identity.mail-from").map((f) => `${f.subject} ${f.status}: ${f.summary}`);
      return { calls: calls.filter((x) => x.startsWith("dns.")), mailFrom };
    };
    const west = await run({ query: async () => observed([`10 ${mailFromMxHost(WEST)}`]) });
    expect(west.calls).toEqual(["dns.query MX bounce.example.com", "dns.query MX bounce.example.com"]);
    expect(west.mailFrom[0]).toMatch(new RegExp(`^${D} in ${EAST} fail: MAIL FROM bounce.example.com is shared with ${WEST}; it serves ${WEST} \\(its MX names that region's feedback host\\), so SES in ${EAST} cannot use it`));
    expect(west.mailFrom[1]).toMatch(/ pass: /);
    // No MX (NXDOMAIN) or an unreadable one: the first region in order keeps it.
    for (const answer of [{ ok: false as const, reason: "notfound" as const, message: "NXDOMAIN" }, { ok: false as const, reason: "timeout" as const, message: "no answer" }]) {
      const first = await run({ query: async () => answer });
      expect(first.mailFrom[0]).toMatch(/ pass: /);
      expect(first.mailFrom[1]).toMatch(new RegExp(`fail: MAIL FROM bounce.example.com is shared with ${EAST}; it serves ${EAST}, so SES in ${WEST} cannot use it`));
    }
  });
});

describe("the dns layer", () => {
  it("asks the domain's authoritative servers its questions, evaluates SPF, and asks the report authorisations the live DMARC record needs", async () => {
    const m = verifyManifest();
    const zone: Record<string, string[]> = {
      [`TXT ${D}`]: ["v=spf1 include:amazonses.com ~all"],
      [`TXT _dmarc.${D}`]: ["v=DMARC1; p=reject; rua=mailto:reports@dmarc.example.net"],
      [`TXT ${D}._report._dmarc.dmarc.example.net`]: ["v=DMARC1"],
    };
    const spfAsked: string[] = [];
    const { c, calls } = fakeCollectors({
      dns: {
        query: async (type, name) => (zone[`${type} ${name}`] ? observed(zone[`${type} ${name}`]) : { ok: false, reason: "notfound", message: `${type} ${name}: NXDOMAIN` }),
        spfResolver: () => ({
          txt: async (name) => {
            spfAsked.push(name);
            return name === D ? { kind: "records", records: zone[`TXT ${D}`] } : name === "amazonses.com" ? { kind: "records", records: ["v=spf1 ip4:192.0.2.0/24 -all"] } : { kind: "nxdomain" };
          },
        }),
      },
    });
    const seen: string[] = [];
    const r = await runVerify(m, opts({ layers: ["dns"] }), c, (_d, _t, label) => seen.push(label));
    expect(calls[0]).toBe(`dns.useAuthoritativeFor ${D}`);
    expect(calls).toContain(`dns.query TXT ${D}._report._dmarc.dmarc.example.net`);
    expect(seen).toEqual([`DNS ${D}`]);
    const auth = r.findings.find((f) => f.id === "dns.dmarc.report-authorization");
    expect(auth?.status).toBe("pass");
    expect(r.findings.find((f) => f.id === "dns.spf.record" && f.subject === D)?.status).toBe("pass");
    // SPF is evaluated at the apex and at each MAIL FROM name, through the collector's resolver: the include is followed.
    expect(spfAsked).toEqual(expect.arrayContaining([D, "amazonses.com", "bounce.example.com", "bounce-usw2.example.com"]));
    expect(r.findings.filter((f) => f.id === "dns.spf.lookups").map((f) => `${f.subject} ${f.status} ${f.summary}`)).toEqual([`${D} pass 1 of 10 DNS lookups`]);
  });

  it("no DMARC answer: no report authorisation is asked", async () => {
    const m = verifyManifest();
    const { c, calls } = fakeCollectors({ dns: { query: async () => ({ ok: false, reason: "timeout", message: "no answer" }) } });
    const r = await runVerify(m, opts({ layers: ["dns"] }), c);
    expect(calls.filter((x) => x.startsWith("dns.query TXT"))).toEqual([`dns.query TXT ${D}`, `dns.query TXT _dmarc.${D}`, "dns.query TXT bounce.example.com", "dns.query TXT bounce-usw2.example.com", `dns.query TXT _dmarc.${D}`]);
    expect(r.findings.some((f) => f.id === "dns.dmarc.report-authorization")).toBe(false);
  });
});

describe("the relay layer", () => {
  const secret = observed(JSON.stringify({ username: KEY, regions: { [EAST]: { host: smtpEndpoint(EAST), port: 587, password: "PASSWORD-EAST-0001" } } }));

  it("reads each Gmail alias (no other relay) with the Gmail collector, and judges it", async () => {
    const m = verifyManifest({}, [
      { address: "admin@example.com", kind: "gmail-send-as", account: "someone@gmail.com", region: EAST, smtpEndpoint: smtpEndpoint(EAST) },
      { address: "app@example.com", kind: "smtp-client", region: EAST, smtpEndpoint: smtpEndpoint(EAST) },
    ]);
    const gmail = { sendAs: async () => observed({ sendAsEmail: "admin@example.com", verificationStatus: "accepted", smtpMsa: { host: smtpEndpoint(WEST), port: 587, securityMode: "starttls" } }), secrets: () => [] };
    const { c, calls } = fakeCollectors({ aws: { secretValue: async () => secret }, gmail });
    const seen: string[] = [];
    const r = await runVerify(m, opts({ layers: ["relay"] }), c, (_d, _t, label) => seen.push(label));
    expect(calls.filter((x) => x.startsWith("gmail."))).toEqual(["gmail.sendAs someone@gmail.com admin@example.com"]);
    expect(seen).toContain("Gmail alias admin@example.com");
    const alias = r.findings.find((f) => f.id === "relay.gmail");
    expect(alias?.status).toBe("fail");
    expect(r.notChecked).toEqual([]);
  });

  it("without a Gmail collector the alias check is not made, with why; a given reason replaces the default", async () => {
    const m = verifyManifest();
    const { c, calls } = fakeCollectors({ aws: { secretValue: async () => secret } });
    const r = await runVerify(m, opts({ layers: ["relay"] }), c);
    expect(calls.some((x) => x.startsWith("gmail."))).toBe(false);
    expect(r.findings.some((f) => f.id === "relay.gmail")).toBe(false);
    expect(r.notChecked).toEqual([{ layer: "relay", check: "relay.gmail", reason: "no Gmail credentials: give --gmail-token-file FILE (OAuth token JSON with an access_token) or set GMAIL_ACCESS_TOKEN" }]);
    expect(NO_GMAIL_CREDENTIALS).toBe(r.notChecked[0].reason);
    const other = await runVerify(m, opts({ layers: ["relay"], gmailUnavailable: "the token file is unreadable" }), fakeCollectors({ aws: { secretValue: async () => secret } }).c);
    expect(other.notChecked).toEqual([{ layer: "relay", check: "relay.gmail", reason: "the token file is unreadable" }]);
    // A Gmail alias among other relays: still not checked.
    const mixed = verifyManifest({}, [
      { address: "app@example.com", kind: "smtp-client", region: EAST, smtpEndpoint: smtpEndpoint(EAST) },
      { address: "admin@example.com", kind: "gmail-send-as", account: "someone@gmail.com", region: EAST, smtpEndpoint: smtpEndpoint(EAST) },
    ]);
    expect((await runVerify(mixed, opts({ layers: ["relay"] }), fakeCollectors({ aws: { secretValue: async () => secret } }).c)).notChecked.map((n) => n.check)).toEqual(["relay.gmail"]);
    // Only smtp-client senders: nothing for Gmail to read, nothing left out.
    const apps = verifyManifest({}, [{ address: "app@example.com", kind: "smtp-client", region: EAST, smtpEndpoint: smtpEndpoint(EAST) }]);
    expect((await runVerify(apps, opts({ layers: ["relay"] }), fakeCollectors({ aws: { secretValue: async () => secret } }).c)).notChecked).toEqual([]);
  });

  it("judges the relays and the retirement of the previous key with the run's clock and the carried evidence", async () => {
    const m = verifyManifest({ previousKey: { generation: 1, accessKeyId: "AKIAEXAMPLEOLDKEY001", state: "active" } }, [{ address: "app@example.com", kind: "smtp-client", region: EAST, smtpEndpoint: smtpEndpoint(EAST) }]);
    const aws: FakeAnswers["aws"] = {
      secretValue: async () => secret,
      accessKeys: async () => observed([{ id: KEY, status: "Active", createDate: "2026-12-01T00:00:00Z" }, { id: "AKIAEXAMPLEOLDKEY001", status: "Active", createDate: "2026-01-01T00:00:00Z" }]),
      keyLastUsed: async (id) => observed(id === KEY ? { lastUsedDate: "2026-12-02T00:00:00Z", serviceName: "ses", region: EAST } : { lastUsedDate: "2026-11-30T00:00:00Z", serviceName: "ses", region: EAST }),
    };
    const now = new Date("2026-12-03T00:00:00Z");
    const r = await runVerify(m, opts({ layers: ["relay"], now }), fakeCollectors({ aws }).c);
    expect(r.findings.map((f) => `${f.id} ${f.status}`)).toEqual(["relay.credentials pass", "relay.retire pass"]);
    // The clock decides: at the current key's own creation time, its use is in the future and proves nothing.
    const early = await runVerify(m, opts({ layers: ["relay"], now: new Date("2026-12-02T00:30:00Z") }), fakeCollectors({ aws }).c);
    expect(early.findings.map((f) => `${f.id} ${f.status}`)).not.toEqual(["relay.credentials pass", "relay.retire pass"]);
  });
});

describe("the monitoring layer and the watch: the run's clock", () => {
  interface MetricRequest {
    MetricName?: string;
    StartTime?: Date;
    EndTime?: Date;
  }
  /** GetMetricStatistics run for real against a stand-in CloudWatch client that keeps each request (every other read: not in this world). */
  function cloudWatch(): { aws: FakeAnswers["aws"]; sent: MetricRequest[] } {
    const sent: MetricRequest[] = [];
    const client = {
      send: async (command: { input: MetricRequest }) => {
        sent.push(command.input);
        return { Datapoints: [] };
      },
      destroy: () => undefined,
    };
    // Only the command the reads build; the SDK's own types do not fit a stand-in.
    const sdk = { GetMetricStatisticsCommand: class {
      constructor(readonly input: MetricRequest) {}
    } };
    return {
      sent,
      aws: {
        client: <T,>() => client as unknown as T,
        call: async <S extends AwsService, T>(_service: S, _scope: string, _key: string, permission: string, fn: (signal: AbortSignal, sdk: AwsSdk<S>) => Promise<T>) =>
          permission === "cloudwatch:GetMetricStatistics" ? observed(await fn(new AbortController().signal, sdk as unknown as AwsSdk<S>)) : { ok: false as const, reason: "error" as const, message: `${permission}: not in this world` },
      },
    };
  }
  const now = new Date("2026-12-03T00:00:00Z");

  it("the reputation rates are read up to the run's clock (--now), not the wall clock", async () => {
    const m = verifyManifest();
    m.monitoring = { alertEmails: [], regions: [{ region: EAST, alertsTopicArn: "", alarms: [{ name: "bounce-warning", kind: "bounce", level: "warning", threshold: 0.02 }], rules: [] }], trail: { regions: [] } };
    const { aws, sent } = cloudWatch();
    await runVerify(m, opts({ layers: ["monitoring"], now }), fakeCollectors({ aws }).c);
    expect(sent.map((x) => x.EndTime?.toISOString())).toEqual([now.toISOString(), now.toISOString()]);
  });

  it("the watch's runs and errors are read up to the run's clock", async () => {
    const m = verifyManifest();
    m.monitoring = { alertEmails: [], regions: [], trail: { regions: [] } };
    m.watch = { functionName: "w", region: EAST, scheduleName: "w", schedule: "rate(15 minutes)", scheduleMinutes: 15, queueName: "q", alarms: [] };
    const { aws, sent } = cloudWatch();
    await runVerify(m, opts({ layers: ["monitoring"], now }), fakeCollectors({ aws }).c);
    expect(sent.map((x) => `${x.MetricName} ${x.EndTime?.toISOString()}`)).toEqual([`Runs ${now.toISOString()}`, `Invocations ${now.toISOString()}`, `Errors ${now.toISOString()}`]);
  });
});

describe("the relay layer: what the retirement check is given", () => {
  const OLD = "AKIAEXAMPLEOLDKEY001";
  const m = verifyManifest({ previousKey: { generation: 1, accessKeyId: OLD, state: "active" } }, [{ address: "app@example.com", kind: "smtp-client", region: EAST, smtpEndpoint: smtpEndpoint(EAST) }]);
  const secret = observed(JSON.stringify({ username: KEY, regions: { [EAST]: { host: smtpEndpoint(EAST), port: 587, password: "PASSWORD-EAST-0001" } } }));
  const world = (current: { lastUsedDate: string; region: string }): FakeAnswers => ({
    aws: {
      secretValue: async () => secret,
      accessKeys: async () => observed([{ id: KEY, status: "Active", createDate: "2026-12-01T00:00:00Z" }, { id: OLD, status: "Active", createDate: "2026-01-01T00:00:00Z" }]),
      keyLastUsed: async (id) => observed(id === KEY ? { ...current, serviceName: "ses" } : { lastUsedDate: "2026-11-30T00:00:00Z", serviceName: "ses", region: EAST }),
    },
    smtp: { auth: async () => observed({ code: 235, ms: 5, message: "235 Authentication successful." }) },
  });
  const retire = (fs: readonly Finding[]) => fs.find((f) => f.id === "relay.retire");
  const now = new Date("2026-12-03T00:00:00Z");

  it("--relay-seen: a use an earlier verify saw counts for the retirement", async () => {
    const w = world({ lastUsedDate: "2026-12-02T12:00:00Z", region: WEST });
    expect(retire((await runVerify(m, opts({ layers: ["relay"], now }), fakeCollectors(w).c)).findings)?.status).toBe("inconclusive");
    const seen = retire((await runVerify(m, opts({ layers: ["relay"], now, relaySeen: new Map([[EAST, new Date("2026-12-02T00:00:00Z")]]) }), fakeCollectors(w).c)).findings);
    expect(seen?.status).toBe("pass");
    expect(seen?.evidence.filter((e) => e.startsWith(`${EAST} (app@example.com): moved: the current key was used by SES in ${EAST} at 2026-12-02T00:00:00.000Z (carried from an earlier verify with --relay-seen)`))).toHaveLength(1);
  });

  it("--smtp-login-at: verify's own login is not a relay's", async () => {
    const w = world({ lastUsedDate: "2026-12-02T00:00:00Z", region: EAST });
    expect(retire((await runVerify(m, opts({ layers: ["relay"], now }), fakeCollectors(w).c)).findings)?.status).toBe("pass");
    const own = retire((await runVerify(m, opts({ layers: ["relay"], now, ownLogins: new Map([[EAST, new Date("2026-12-02T00:00:00Z")]]) }), fakeCollectors(w).c)).findings);
    expect(own?.status).toBe("inconclusive");
    expect(own?.evidence).toContain(`verify's own login in ${EAST} at 2026-12-02T00:00:00.000Z (--smtp-login-at): a current-key use within 15 min of it is not counted as a relay's; a probe sent after 2026-12-02T00:15:00.000Z is`);
  });

  it("--smtp-auth-during-rotation: this run's own login is written under the retirement, for later runs", async () => {
    const w = world({ lastUsedDate: "2026-12-02T00:00:00Z", region: EAST });
    const forced = retire((await runVerify(m, opts({ layers: ["smtp", "relay"], now, smtpAuthDuringRotation: true }), fakeCollectors(w).c)).findings);
    expect(forced?.evidence.filter((e) => e.startsWith(`verify itself logged in with the current key in ${EAST} at `))).toHaveLength(1);
    const withheld = retire((await runVerify(m, opts({ layers: ["smtp", "relay"], now }), fakeCollectors(w).c)).findings);
    expect(withheld?.evidence.some((e) => e.startsWith("verify itself logged in"))).toBe(false);
  });
});

describe("a layer's entry called alone", () => {
  it("returns no finding when the manifest gives it nothing, and lists nothing not checked when it has all it needs", async () => {
    const plain = verifyManifest();
    expect(await monitoringLayer.run(layerRun(plain, { layers: ["monitoring"] }).r)).toEqual([]);
    expect(await watchLayer.run(layerRun(plain, { layers: ["monitoring"] }).r)).toEqual([]);
    const monitored: Manifest = { ...plain, monitoring: { alertEmails: [], regions: [], trail: { regions: [] } } };
    expect(monitoringLayer.notChecked?.(layerRun(monitored, { layers: ["monitoring"] }).r)).toEqual([]);
    expect(recipientLayer.notChecked?.(layerRun(undefined, { layers: ["recipient"], recipients: ["a@example.net"] }).r)).toEqual([]);
    const gmail = { sendAs: async () => observed({ sendAsEmail: "admin@example.com" }), secrets: () => [] };
    expect(relayLayer.notChecked?.(layerRun(plain, { layers: ["relay"] }, { gmail }).r)).toEqual([]);
  });
});

describe("the recipient layer", () => {
  it("observes each recipient domain once, in the order given, and needs its collector", async () => {
    const observedDomain = (domain: string): RecipientObservations => ({ domain, mx: { ok: false, reason: "notfound", message: `MX ${domain}: NXDOMAIN` }, hosts: new Map(), dmarc: [], mtaSts: observed([]), tlsRpt: observed([]) });
    const { c, calls } = fakeCollectors({ recipient: { observe: async (d) => observedDomain(d) } });
    const seen: string[] = [];
    const r = await runVerify(undefined, opts({ layers: ["recipient"], recipients: ["a@Example.NET", "b@example.net", "c@example.org"] }), c, (_d, _t, label) => seen.push(label));
    expect(calls).toEqual(["recipient.observe example.net", "recipient.observe example.org"]);
    expect(seen).toEqual(["recipient domain example.net", "recipient domain example.org"]);
    expect(r.findings.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual(["recipient.mx fail example.net", "recipient.mx fail example.org"]);
    expect(r.notChecked).toEqual([]);
    await expect(runVerify(undefined, opts({ layers: ["recipient"], recipients: ["a@example.net"] }), fakeCollectors().c)).rejects.toThrow("runVerify: the recipient layer needs collectors.recipient");
  });
});

describe("the monitoring layer and the watch", () => {
  const topic = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:mail-infra-test-alerts`;
  const monitored = (): Manifest => ({
    ...verifyManifest(),
    monitoring: { alertEmails: ["ops@example.com"], regions: [EAST, WEST].map((region) => ({ region, alertsTopicArn: topic(region), alarms: [], rules: [] })), trail: { regions: [] } },
  });
  /** The monitoring collector's reads, answered by permission (`call` is how every one of them reaches AWS). */
  const byPermission =
    (answers: Record<string, unknown>): NonNullable<FakeAnswers["aws"]>["call"] =>
    async <S extends AwsService, T>(_service: S, _scope: string, _key: string, permission: string) =>
      (permission in answers ? observed(answers[permission] as T) : { ok: false as const, reason: "error" as const, message: `${permission}: not in this world` });

  it("without a monitoring section nothing is read, and the layer says why it was not checked", async () => {
    const { c, calls } = fakeCollectors();
    const r = await runVerify(verifyManifest(), opts({ layers: ["monitoring"] }), c);
    expect(calls).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.notChecked).toEqual([{ layer: "monitoring", reason: MONITORING_NOT_DECLARED }]);
  });

  it("with one, each region's alert subscriptions are read and judged", async () => {
    const { c, calls } = fakeCollectors({ aws: { call: byPermission({}) } });
    const seen: string[] = [];
    const r = await runVerify(monitored(), opts({ layers: ["monitoring"] }), c, (_d, _t, label) => seen.push(label));
    expect(calls).toEqual(["aws.call sns:ListSubscriptionsByTopic", "aws.call sns:ListSubscriptionsByTopic"]);
    expect(seen).toEqual([`alert subscriptions ${EAST}`, `alert subscriptions ${WEST}`]);
    expect(r.notChecked).toEqual([]);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.layer === "monitoring")).toBe(true);
  });

  it("the watch is read only when the manifest has both a watch and monitoring, and its alarms are judged against its own region's alerts topic", async () => {
    const watch = { functionName: "mail-infra-test-watch", region: WEST, scheduleName: "mail-infra-test-watch", schedule: "rate(15 minutes)", scheduleMinutes: 15, queueName: "mail-infra-test-watch-events", alarms: ["mail-infra-test-watch-errors"] };
    // The alarm notifies us-east-1's topic: wrong for a watch in us-west-2.
    const alarm = { name: "mail-infra-test-watch-errors", dimensions: [], actionsEnabled: true, alarmActions: [topic(EAST)], state: "OK" };
    const answers = { "cloudwatch:DescribeAlarms": [alarm], "cloudwatch:GetMetricStatistics": { sum: 1, datapoints: 1, latest: "2026-12-03T00:00:00.000Z" } };
    const { c, calls } = fakeCollectors({ aws: { call: byPermission(answers) } });
    const r = await runVerify({ ...monitored(), watch }, opts({ layers: ["monitoring"] }), c);
    expect(calls.filter((x) => x.startsWith("aws.call cloudwatch"))).toEqual(["aws.call cloudwatch:DescribeAlarms", "aws.call cloudwatch:GetMetricStatistics", "aws.call cloudwatch:GetMetricStatistics", "aws.call cloudwatch:GetMetricStatistics"]);
    const alarms = r.findings.find((f) => f.id === "monitoring.watch.alarms");
    expect([alarms?.status, alarms?.evidence]).toEqual(["fail", ["mail-infra-test-watch-errors: does not notify the alerts topic"]]);
    // A watch in a region without an alerts topic of the stack: its alarms' routing is not judged against another region's topic.
    const away = fakeCollectors({ aws: { call: byPermission(answers) } });
    const elsewhere = await runVerify({ ...monitored(), watch: { ...watch, region: "eu-west-1" } }, opts({ layers: ["monitoring"] }), away.c);
    expect(elsewhere.findings.find((f) => f.id === "monitoring.watch.alarms")?.status).toBe("pass");
    // A watch without monitoring, or monitoring without a watch: no watch read.
    const alone = fakeCollectors({ aws: { call: byPermission(answers) } });
    await runVerify({ ...verifyManifest(), watch }, opts({ layers: ["monitoring"] }), alone.c);
    expect(alone.calls).toEqual([]);
  });
});
