/**
 * The pure verify checks (lib/verify/*), fed hand-built observations: for every check id a
 * passing case and each way it fails, warns or stays inconclusive, with the message that says
 * so. No I/O: the SPF analyses come from lib/spf's analyzeSpf over a static resolver.
 */
import { describe, expect, it } from "vitest";
import type { Manifest, ManifestDomain } from "../../lib/manifest";
import type { DnsRecord } from "../../lib/records";
import { dkimCnameName, dkimCnameTarget, mailFromMxHost, smtpEndpoint } from "../../lib/regions";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { analyzeSpf, type SpfAnalysis, staticResolver } from "../../lib/spf";
import { checkDnsLayer, dnsQuestions, type DnsObservations, questionKey, reportAuthorizationNames, spfNames } from "../../scripts/verify/layers/dns/check";
import {
  type Cause,
  causeOf,
  dependsOn,
  exitCodeFor,
  type Finding,
  finding,
  groupByCause,
  inconclusive,
  NO_AWS_CREDENTIALS,
  type NotChecked,
  type Observation,
  observed,
  selectLayers,
  summarize,
  type Unobservable,
} from "../../lib/verify/findings";
import { checkRecipient, checkSesAccount, checkSesConfigurationSet, checkSesIdentity, type SesAccountState, type SesConfigurationSetState, type SesIdentityState } from "../../scripts/verify/layers/ses/check";
import { checkRelays, checkSmtpLayer, type KeyLastUsed, parseSmtpSecret, simulationQuestions, type SmtpObservations } from "../../scripts/verify/layers/smtp/check";
import { LAST_USED_CAVEAT } from "../../lib/verify/key-evidence";
import { ACCOUNT, manifestRegion, regionRecords } from "../helpers/manifest";
import { classifyAwsError } from "../../scripts/verify/aws";
import { formatJson, formatText, scrub } from "../../scripts/verify/report";

// ---------------------------------------------------------------------------------------
// A hand-built manifest: example.com in us-east-1 and us-west-2
// ---------------------------------------------------------------------------------------

const D = "example.com";
const mailFrom: Record<string, string> = { "us-east-1": "bounce.example.com", "us-west-2": "bounce-usw2.example.com" };
const APEX_SPF = "v=spf1 include:_spf.example.net ~all";
const DMARC = "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com,mailto:dmarc@reports.example.net";
const KEY_ID = "AKIAEXAMPLECURRENT01";
const OLD_KEY_ID = "AKIAEXAMPLEOLDKEY001";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCURRENTKEY";

function manifest(): Manifest {
  const regions = ["us-east-1", "us-west-2"].map((region) => manifestRegion(D, region, mailFrom[region]));
  const records: DnsRecord[] = regions.flatMap((r) => regionRecords(D, r));
  records.push({ key: "spf", purpose: "spf", name: D, type: "TXT", ttl: 600, values: [APEX_SPF] });
  records.push({ key: "dmarc", purpose: "dmarc", name: `_dmarc.${D}`, type: "TXT", ttl: 600, values: [DMARC] });
  return {
    version: 1,
    project: "mail-infra",
    stack: "test",
    domains: [{ domain: D, dns: { mode: "external" }, regions, records }],
    smtp: {
      user: "mail-infra-smtp-test",
      userArn: `arn:aws:iam::${ACCOUNT}:user/mail/mail-infra-smtp-test`,
      accessKeyId: KEY_ID,
      keyGeneration: 2,
      secretId: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mail-infra/test/ses-smtp-AbCdEf`,
      secretName: "mail-infra/test/ses-smtp",
      secretRegion: "us-east-1",
      port: 587,
      regions: ["us-east-1", "us-west-2"].map((region) => ({ region, endpoint: smtpEndpoint(region) })),
    },
    senders: [{ address: "admin@example.com", kind: "gmail-send-as", account: "someone@gmail.com", region: "us-east-1", smtpEndpoint: smtpEndpoint("us-east-1") }],
  };
}

const M = manifest();
const DOMAIN: ManifestDomain = M.domains[0];
const [USE1, USW2] = DOMAIN.regions;

const denied = (what: string): Unobservable => ({ ok: false, reason: "denied", message: `AccessDeniedException: not authorized to perform ${what}`, needs: `Grant ${what} to the credentials verify runs with.` });
const timeout: Unobservable = { ok: false, reason: "timeout", message: "TXT example.com: no answer from 127.0.0.1:5300", needs: "DNS at 127.0.0.1:5300 did not answer: check the resolver or pass --dns-server." };
const nxdomain = (what: string): Unobservable => ({ ok: false, reason: "notfound", message: `${what}: NXDOMAIN` });
const ids = (fs: Finding[]) => fs.map((f) => f.id);
const only = (fs: Finding[], id: string): Finding => {
  const found = fs.filter((f) => f.id === id);
  expect(found, `${id} in ${ids(fs).join(", ")}`).toHaveLength(1);
  return found[0];
};

// ---------------------------------------------------------------------------------------
// SES
// ---------------------------------------------------------------------------------------

const healthyAccount = (): SesAccountState => ({
  sendingEnabled: true,
  productionAccessEnabled: true,
  enforcementStatus: "HEALTHY",
  max24HourSend: 50_000,
  sentLast24Hours: 1_000,
  suppressedReasons: ["BOUNCE", "COMPLAINT"],
});

describe("ses.account.*", () => {
  it("passes a healthy production account, one finding per check", () => {
    const fs = checkSesAccount("us-east-1", observed(healthyAccount()));
    expect(ids(fs)).toEqual(["ses.account.sending", "ses.account.production", "ses.account.enforcement", "ses.account.quota", "ses.account.suppression"]);
    expect(fs.every((f) => f.status === "pass" && f.subject === "account in us-east-1")).toBe(true);
    expect(only(fs, "ses.account.quota").summary).toBe("1000 of 50000 messages in the last 24 hours (2%)");
  });

  it("ses.account.sending fails when sending is paused account-wide", () => {
    const f = only(checkSesAccount("us-west-2", observed({ ...healthyAccount(), sendingEnabled: false })), "ses.account.sending");
    expect(f.status).toBe("fail");
    expect(f.summary).toBe("sending is paused for the whole account in us-west-2");
    expect(f.remediation).toMatch(/put-account-sending-attributes --sending-enabled/);
  });

  it("ses.account.production fails for the sandbox account", () => {
    const f = only(checkSesAccount("us-east-1", observed({ ...healthyAccount(), productionAccessEnabled: false })), "ses.account.production");
    expect(f.status).toBe("fail");
    expect(f.summary).toMatch(/in the SES sandbox in us-east-1: it can only send to verified addresses, at most 200 messages a day/);
    expect(f.remediation).toMatch(/Request production access for us-east-1/);
  });

  it("ses.account.enforcement warns on PROBATION and fails on SHUTDOWN", () => {
    const probation = only(checkSesAccount("us-east-1", observed({ ...healthyAccount(), enforcementStatus: "PROBATION" })), "ses.account.enforcement");
    expect([probation.status, probation.summary]).toEqual(["warn", "enforcement status PROBATION"]);
    const shutdown = only(checkSesAccount("us-east-1", observed({ ...healthyAccount(), enforcementStatus: "SHUTDOWN" })), "ses.account.enforcement");
    expect([shutdown.status, shutdown.summary]).toEqual(["fail", "enforcement status SHUTDOWN"]);
  });

  it("ses.account.quota warns above 80% of the 24-hour quota", () => {
    const f = only(checkSesAccount("us-east-1", observed({ ...healthyAccount(), sentLast24Hours: 45_000 })), "ses.account.quota");
    expect([f.status, f.summary]).toEqual(["warn", "45000 of 50000 messages in the last 24 hours (90%)"]);
    expect(f.remediation).toMatch(/higher sending quota/);
  });

  it("ses.account.suppression warns when the account list misses COMPLAINT", () => {
    const f = only(checkSesAccount("us-east-1", observed({ ...healthyAccount(), suppressedReasons: ["BOUNCE"] })), "ses.account.suppression");
    expect([f.status, f.summary]).toEqual(["warn", "the account suppression list does not cover COMPLAINT"]);
    expect(f.evidence).toEqual(["suppressed reasons: BOUNCE"]);
  });

  it("an unreadable account is one inconclusive finding naming the permission", () => {
    const fs = checkSesAccount("us-east-1", denied("ses:GetAccount"));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ id: "ses.account.sending", status: "inconclusive", remediation: "Grant ses:GetAccount to the credentials verify runs with." });
    expect(fs[0].summary).toBe("could not check the SES account: AccessDeniedException: not authorized to perform ses:GetAccount");
  });
});

const healthyIdentity = (region = USE1): SesIdentityState => ({
  verifiedForSending: true,
  verificationStatus: "SUCCESS",
  dkim: { signingEnabled: true, status: "SUCCESS", tokens: [...region.dkimTokens].reverse(), signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: "RSA_2048_BIT", nextSigningKeyLength: "RSA_2048_BIT" },
  mailFrom: { domain: region.mailFromDomain, status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" },
  configurationSetName: region.configurationSet,
});

describe("ses.identity.*", () => {
  it("passes an identity that matches the stack (token order does not matter)", () => {
    const fs = checkSesIdentity(DOMAIN, USE1, observed(healthyIdentity()));
    expect(ids(fs)).toEqual(["ses.identity.verified", "ses.identity.dkim", "ses.identity.mail-from", "ses.identity.configuration-set"]);
    expect(fs.map((f) => f.status)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(fs[0].subject).toBe("example.com in us-east-1");
  });

  it("ses.identity.verified fails while the identity is pending, pointing at DNS", () => {
    const fs = checkSesIdentity(DOMAIN, USE1, observed({ ...healthyIdentity(), verifiedForSending: false, verificationStatus: "PENDING", dkim: { ...healthyIdentity().dkim, status: "PENDING" } }));
    const f = only(fs, "ses.identity.verified");
    expect([f.status, f.summary]).toEqual(["fail", "not verified for sending (status PENDING)"]);
    expect(f.remediation).toMatch(/DKIM CNAMEs: check the DNS layer/);
    expect(fs.filter((x) => x.status !== "pass").map((x) => x.id)).toEqual(["ses.identity.verified"]);
  });

  it("ses.identity.verified fails when the identity does not exist, and is inconclusive when it cannot be read", () => {
    const missing = checkSesIdentity(DOMAIN, USW2, { ok: false, reason: "notfound", message: "NotFoundException: Email identity example.com does not exist." });
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ id: "ses.identity.verified", status: "fail", summary: "no SES identity for example.com in us-west-2" });
    const unreadable = checkSesIdentity(DOMAIN, USW2, denied("ses:GetEmailIdentity"));
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({ id: "ses.identity.verified", status: "inconclusive", remediation: "Grant ses:GetEmailIdentity to the credentials verify runs with." });
  });

  it("ses.identity.dkim fails on other tokens, another signing host, 1024-bit keys or signing off", () => {
    const base = healthyIdentity();
    const other = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, tokens: ["x1", "x2", "x3"] } })), "ses.identity.dkim");
    expect(other.status).toBe("fail");
    expect(other.summary).toBe(`tokens differ from the stack (expected ${[...USE1.dkimTokens].sort().join(", ")}; found x1, x2, x3)`);
    const host = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, signingHostedZone: "dkim.us-east-1.amazonses.com" } })), "ses.identity.dkim");
    expect(host.summary).toBe("signing host is dkim.us-east-1.amazonses.com, the stack published CNAMEs into dkim.amazonses.com");
    const weak = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, currentSigningKeyLength: "RSA_1024_BIT" } })), "ses.identity.dkim");
    expect(weak.summary).toBe("the current DKIM key is 1024-bit");
    const off = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, signingEnabled: false } })), "ses.identity.dkim");
    expect(off.summary).toBe("DKIM signing is disabled");
  });

  it("ses.identity.dkim: a 1024-bit key gets the fix of its mode, and says SES allows one key-length change a day", () => {
    const base = healthyIdentity();
    const weak = { ...base, dkim: { ...base.dkim, currentSigningKeyLength: "RSA_1024_BIT", nextSigningKeyLength: "RSA_1024_BIT" } };
    const stack = only(checkSesIdentity(DOMAIN, { ...USE1, dkimSigningKeyLength: "RSA_1024_BIT" }, observed(weak)), "ses.identity.dkim");
    expect(stack.remediation).toBe(
      "Move to 2048 bits: `pulumi config set mail-infra:dkimSigningKeyLength RSA_2048_BIT` (it sets NextSigningKeyLength) and `pulumi up`. SES allows one key-length change per identity a day, and the new key replaces the current one at SES's next key generation (the CNAMEs stay the same).",
    );
    expect(stack.remediation).not.toContain("pulumi refresh");
    expect(stack.fix).toEqual([{ kind: "ses-dkim-key-length", domain: "example.com", region: "us-east-1", nextSigningKeyLength: "RSA_2048_BIT" }]);
    // The stack already declares 2048 bits: the identity drifted, and only a refresh lets pulumi up see it.
    const drifted = only(checkSesIdentity(DOMAIN, USE1, observed(weak)), "ses.identity.dkim");
    expect(drifted.remediation).toMatch(/^The stack declares RSA_2048_BIT but the identity's next key is RSA_1024_BIT \(changed outside the stack\): `pulumi refresh` \(so the state sees it\) then `pulumi up` sets it back\. SES allows one key-length change per identity a day/);
    const discovery = only(checkSesIdentity(DOMAIN, USE1, observed(weak), { mode: "discovery" }), "ses.identity.dkim");
    expect(discovery.remediation).toMatch(
      /^Move to 2048 bits: `aws sesv2 put-email-identity-dkim-signing-attributes --email-identity example\.com --signing-attributes-origin AWS_SES --signing-attributes NextSigningKeyLength=RSA_2048_BIT --region us-east-1` \(each region on its own\)\. SES allows one key-length change per identity a day/,
    );
    expect(discovery.remediation).not.toContain("pulumi");
    // The next key is already 2048-bit: nothing to change (a second change the same day would be refused).
    const pending = only(checkSesIdentity(DOMAIN, USE1, observed({ ...weak, dkim: { ...weak.dkim, nextSigningKeyLength: "RSA_2048_BIT" } }), { mode: "discovery" }), "ses.identity.dkim");
    expect([pending.status, pending.fix]).toEqual(["fail", undefined]);
    expect(pending.remediation).toMatch(/^NextSigningKeyLength is already RSA_2048_BIT in us-east-1: .*nothing to change\. SES allows one key-length change a day: do not switch it back\.$/);
  });

  it("ses.identity.dkim judges the DKIM status of a verified identity: FAILED and NOT_STARTED fail, PENDING and TEMPORARY_FAILURE warn", () => {
    const base = healthyIdentity();
    const withStatus = (status: string) => only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, status } })), "ses.identity.dkim");
    const ok = withStatus("SUCCESS");
    expect([ok.status, ok.evidence[0]]).toEqual(["pass", "DKIM status SUCCESS"]);

    const failed = withStatus("FAILED");
    expect([failed.status, failed.summary]).toEqual(["fail", "DKIM status FAILED: SES did not find the DKIM records and no longer looks for them, so it does not sign this domain's mail"]);
    expect(failed.remediation).toMatch(/^Publish the DKIM CNAMEs exactly as the DNS layer lists them \(dns\.dkim\), then restart DKIM verification for example\.com in us-east-1/);
    const notStarted = withStatus("NOT_STARTED");
    expect([notStarted.status, notStarted.summary]).toEqual(["fail", "DKIM status NOT_STARTED: DKIM verification was never started, so SES does not sign this domain's mail"]);
    expect(notStarted.remediation).toMatch(/Turn on Easy DKIM for example\.com in us-east-1/);
    const pending = withStatus("PENDING");
    expect([pending.status, pending.summary]).toEqual(["warn", "DKIM status PENDING: SES has not found the DKIM records yet (it keeps looking for up to 72 hours)"]);
    expect(pending.remediation).toMatch(/dns\.dkim/);
    const temporary = withStatus("TEMPORARY_FAILURE");
    expect([temporary.status, temporary.summary]).toEqual(["warn", "DKIM status TEMPORARY_FAILURE: a temporary problem keeps SES from determining the DKIM status"]);
    // A verified identity with failed DKIM is not healthy: the run exits 1. Warnings alone exit 0.
    expect(exitCodeFor(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, status: "FAILED" } })))).toBe(1);
    expect(exitCodeFor(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, status: "TEMPORARY_FAILURE" } })))).toBe(0);
    // A setup problem outranks a warning status; both are in the evidence.
    const both = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, status: "PENDING", currentSigningKeyLength: "RSA_1024_BIT" } })), "ses.identity.dkim");
    expect([both.status, both.summary, both.evidence]).toEqual(["fail", "the current DKIM key is 1024-bit", [pending.summary, "the current DKIM key is 1024-bit"]]);
    // An identity that is not verified fails ses.identity.verified only (the status is its evidence).
    const unverified = checkSesIdentity(DOMAIN, USE1, observed({ ...base, verifiedForSending: false, verificationStatus: "FAILED", dkim: { ...base.dkim, status: "FAILED" } }));
    expect(unverified.filter((f) => f.status !== "pass").map((f) => f.id)).toEqual(["ses.identity.verified"]);
  });

  it("ses.identity.mail-from fails when SES did not find the MX, when it is missing, or set differently", () => {
    const base = healthyIdentity();
    const failed = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, mailFrom: { ...base.mailFrom!, status: "FAILED" } })), "ses.identity.mail-from");
    expect([failed.status, failed.summary]).toEqual(["fail", "MAIL FROM bounce.example.com status FAILED: SES cannot find the MX, or it no longer exists; SES rejects every message from example.com in us-east-1 (MailFromDomainNotVerified) until it finds the MX"]);
    const none = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, mailFrom: undefined })), "ses.identity.mail-from");
    expect(none.summary).toBe("no custom MAIL FROM: mail goes out with amazonses.com and SPF does not align");
    const behaviour = only(checkSesIdentity(DOMAIN, USE1, observed({ ...base, mailFrom: { ...base.mailFrom!, behaviorOnMxFailure: "USE_DEFAULT_VALUE" } })), "ses.identity.mail-from");
    expect(behaviour.summary).toBe("behaviour on MX failure is USE_DEFAULT_VALUE, the stack declares REJECT_MESSAGE");
  });

  it("ses.identity.configuration-set fails without the default set or with another one", () => {
    const none = only(checkSesIdentity(DOMAIN, USE1, observed({ ...healthyIdentity(), configurationSetName: undefined })), "ses.identity.configuration-set");
    expect([none.status, none.summary]).toEqual(["fail", "no default configuration set: TLS, suppression and event publishing do not apply"]);
    const other = only(checkSesIdentity(DOMAIN, USE1, observed({ ...healthyIdentity(), configurationSetName: "legacy" })), "ses.identity.configuration-set");
    expect(other.summary).toBe("default configuration set is legacy, not mail-infra-example-com");
  });
});

const healthySet = (): SesConfigurationSetState => ({
  tlsPolicy: "REQUIRE",
  reputationMetricsEnabled: true,
  sendingEnabled: true,
  suppressedReasons: ["BOUNCE", "COMPLAINT"],
  eventDestinations: [{ name: "sns-feedback", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"], target: USE1.eventTopicArn }],
});

describe("ses.configuration-set and .events", () => {
  it("pass for the declared set with an enabled SNS destination for BOUNCE and COMPLAINT", () => {
    const fs = checkSesConfigurationSet(USE1, observed(healthySet()));
    expect(fs.map((f) => [f.id, f.status])).toEqual([
      ["ses.configuration-set", "pass"],
      ["ses.configuration-set.events", "pass"],
    ]);
    expect(fs[1].evidence).toEqual([`sns-feedback: BOUNCE, COMPLAINT, REJECT -> ${USE1.eventTopicArn}`]);
  });

  it("ses.configuration-set warns on drift (TLS OPTIONAL), fails when missing or paused, is inconclusive when unreadable", () => {
    const drift = checkSesConfigurationSet(USE1, observed({ ...healthySet(), tlsPolicy: "OPTIONAL" }));
    expect(drift[0]).toMatchObject({ id: "ses.configuration-set", status: "warn", summary: "TLS policy OPTIONAL, the stack declares REQUIRE" });
    const missing = checkSesConfigurationSet(USE1, { ok: false, reason: "notfound", message: "NotFoundException" });
    expect(missing).toEqual([expect.objectContaining({ id: "ses.configuration-set", status: "fail", summary: "the configuration set does not exist" })]);
    const paused = checkSesConfigurationSet(USE1, observed({ ...healthySet(), sendingEnabled: false }));
    expect(paused).toEqual([expect.objectContaining({ id: "ses.configuration-set", status: "fail", summary: "sending is paused for this configuration set: SES refuses every message that uses it" })]);
    const unreadable = checkSesConfigurationSet(USE1, denied("ses:GetConfigurationSet"));
    expect(unreadable).toEqual([expect.objectContaining({ id: "ses.configuration-set", status: "inconclusive" })]);
  });

  it("ses.configuration-set.events fails when no enabled destination publishes BOUNCE and COMPLAINT", () => {
    const fs = checkSesConfigurationSet(USE1, observed({ ...healthySet(), eventDestinations: [{ name: "sns-feedback", enabled: false, matchingEventTypes: ["BOUNCE", "COMPLAINT"] }] }));
    const f = only(fs, "ses.configuration-set.events");
    expect([f.status, f.summary]).toEqual(["fail", "no enabled event destination publishes BOUNCE and COMPLAINT: bounces go unseen"]);
    expect(f.evidence).toEqual(["sns-feedback: disabled, BOUNCE, COMPLAINT"]);
  });
});

describe("ses.recipient.suppression", () => {
  it("passes when the address is not on the list (NotFound is the healthy answer)", () => {
    const f = checkRecipient("us-east-1", "someone@example.org", { ok: false, reason: "notfound", message: "NotFoundException" });
    expect([f.id, f.status, f.summary]).toEqual(["ses.recipient.suppression", "pass", "not on the account suppression list"]);
  });

  it("fails for a suppressed address, with reason and date, and a careful remediation for complaints", () => {
    const f = checkRecipient("us-east-1", "angry@example.org", observed({ reason: "COMPLAINT", lastUpdateTime: "2026-03-02T08:30:00.000Z" }));
    expect(f.status).toBe("fail");
    expect(f.summary).toBe("on the suppression list since 2026-03-02T08:30:00.000Z (reason COMPLAINT): SES drops mail to it without trying");
    expect(f.remediation).toMatch(/delete-suppressed-destination --email-address angry@example.org --region us-east-1/);
    expect(f.remediation).toMatch(/marked your mail as spam: ask before you remove it/);
  });

  it("is inconclusive when the list cannot be read (throttled)", () => {
    const f = checkRecipient("us-east-1", "x@example.org", { ok: false, reason: "throttled", message: "TooManyRequestsException after retries", needs: "AWS kept throttling: re-run later or with fewer domains at once." });
    expect([f.status, f.summary, f.remediation]).toEqual(["inconclusive", "could not check the suppression list: TooManyRequestsException after retries", "AWS kept throttling: re-run later or with fewer domains at once."]);
  });
});

// ---------------------------------------------------------------------------------------
// DNS
// ---------------------------------------------------------------------------------------

/** Live TXT data beyond the domain's own records (the includes). */
const THIRD_PARTY: Record<string, string[]> = {
  "_spf.example.net": ["v=spf1 ip4:192.0.2.0/24 include:_spf2.example.net ~all"],
  "_spf2.example.net": ["v=spf1 ip4:198.51.100.0/24 -all"],
  "amazonses.com": ["v=spf1 ip4:54.240.0.0/18 -all"],
  "example.com._report._dmarc.reports.example.net": ["v=DMARC1"],
};

interface LiveDns {
  /** Answers by "TYPE name"; an Unobservable stands for NXDOMAIN, a timeout... */
  answers: Map<string, Observation<string[]>>;
  txt: Record<string, string[]>;
}

function healthyDns(): LiveDns {
  const answers = new Map<string, Observation<string[]>>();
  for (const q of dnsQuestions(DOMAIN)) {
    const values = DOMAIN.records.filter((r) => questionKey(r) === questionKey(q)).flatMap((r) => r.values);
    answers.set(questionKey(q), observed(values));
  }
  return { answers, txt: { ...THIRD_PARTY } };
}

async function observe(live: LiveDns): Promise<DnsObservations> {
  const txtOf = (name: string): string[] => {
    const a = live.answers.get(`TXT ${name}`);
    return a?.ok ? a.value : (live.txt[name] ?? []);
  };
  const resolverData: Record<string, string[]> = { ...live.txt };
  for (const name of spfNames(DOMAIN)) resolverData[name] = txtOf(name);
  const spf = new Map<string, Observation<SpfAnalysis>>();
  for (const name of spfNames(DOMAIN)) spf.set(name, observed(await analyzeSpf(name, staticResolver(resolverData))));
  const dmarc = live.answers.get(`TXT _dmarc.${D}`);
  const authNames = dmarc?.ok ? reportAuthorizationNames(D, dmarc.value) : [];
  const reportAuthorizations = new Map<string, Observation<string[]>>(authNames.map((n) => [n, live.txt[n] ? observed(live.txt[n]) : nxdomain(`TXT ${n}`)]));
  return { answers: live.answers, spf, reportAuthorizations };
}

const nonPass = (fs: Finding[]) => fs.filter((f) => f.status !== "pass").map((f) => `${f.id} ${f.status}`);

describe("dns.*", () => {
  it("a healthy zone passes every DNS check, with the expected ids", async () => {
    const fs = checkDnsLayer(DOMAIN, await observe(healthyDns()));
    expect(nonPass(fs)).toEqual([]);
    expect([...new Set(ids(fs))]).toEqual([
      "dns.dkim",
      "dns.mail-from.mx",
      "dns.spf.record",
      "dns.spf.all",
      "dns.spf.lookups",
      "dns.spf.void",
      "dns.dmarc.record",
      "dns.dmarc.policy",
      "dns.dmarc.alignment",
      "dns.dmarc.report-authorization",
    ]);
    expect(fs.filter((f) => f.id === "dns.dkim").map((f) => f.summary)).toEqual(["all 3 DKIM CNAMEs point at dkim.amazonses.com", "all 3 DKIM CNAMEs point at dkim.amazonses.com"]);
    expect(fs.find((f) => f.id === "dns.spf.lookups" && f.subject === D)?.summary).toBe("2 of 10 DNS lookups");
  });

  it("dns.dkim fails for a missing CNAME (only in its region), is inconclusive when DNS does not answer", async () => {
    const live = healthyDns();
    const name = dkimCnameName(USE1.dkimTokens[1], D);
    live.answers.set(`CNAME ${name}`, nxdomain(`CNAME ${name}`));
    const fs = checkDnsLayer(DOMAIN, await observe(live));
    expect(nonPass(fs)).toEqual(["dns.dkim fail"]);
    const f = fs.find((x) => x.status === "fail")!;
    expect(f.subject).toBe("example.com DKIM (us-east-1)");
    expect(f.summary).toBe("1 of 3 DKIM CNAMEs are missing or wrong: SES cannot sign with this domain in us-east-1");
    expect(f.evidence).toContain(`${name}: no CNAME (NXDOMAIN); expected ${dkimCnameTarget(USE1.dkimTokens[1], "us-east-1")}`);

    const wrong = healthyDns();
    wrong.answers.set(`CNAME ${name}`, observed(["tok2.dkim.other-provider.net"]));
    const w = checkDnsLayer(DOMAIN, await observe(wrong)).find((x) => x.status !== "pass")!;
    expect(w.evidence).toContain(`${name}: expected ${dkimCnameTarget(USE1.dkimTokens[1], "us-east-1")}, found tok2.dkim.other-provider.net`);

    const silent = healthyDns();
    silent.answers.set(`CNAME ${name}`, timeout);
    const s = checkDnsLayer(DOMAIN, await observe(silent));
    expect(nonPass(s)).toEqual(["dns.dkim inconclusive"]);
    expect(s.find((x) => x.status === "inconclusive")?.remediation).toMatch(/did not answer: check the resolver or pass --dns-server/);
  });

  it("dns.mail-from.mx fails when the MX names another region's feedback host, or is missing", async () => {
    const live = healthyDns();
    live.answers.set(`MX ${USE1.mailFromDomain}`, observed([`10 ${mailFromMxHost("us-west-2")}`]));
    const fs = checkDnsLayer(DOMAIN, await observe(live));
    expect(nonPass(fs)).toEqual(["dns.mail-from.mx fail"]);
    const f = fs.find((x) => x.status === "fail")!;
    expect(f.summary).toBe("MX points at us-west-2's feedback host, but this MAIL FROM sends from us-east-1");
    expect(f.remediation).toMatch(/SES refuses to send while it is wrong/);

    const none = healthyDns();
    none.answers.set(`MX ${USW2.mailFromDomain}`, observed([]));
    const n = checkDnsLayer(DOMAIN, await observe(none)).find((x) => x.status !== "pass")!;
    expect([n.id, n.summary]).toEqual(["dns.mail-from.mx", "bounce-usw2.example.com has no MX: SES cannot use it as MAIL FROM"]);
  });

  it("dns.spf.record fails for two SPF records, for none, and for an invalid one; inconclusive on SERVFAIL", async () => {
    const two = healthyDns();
    two.answers.set(`TXT ${D}`, observed([APEX_SPF, "v=spf1 include:_spf.google.com ~all", "google-site-verification=abc"]));
    const fs = checkDnsLayer(DOMAIN, await observe(two));
    expect(nonPass(fs)).toEqual(["dns.spf.record fail"]);
    expect(fs.find((f) => f.status === "fail")?.summary).toBe("example.com has 2 SPF records: receivers treat that as a permanent error (RFC 7208 4.5)");

    const none = healthyDns();
    none.answers.set(`TXT ${USW2.mailFromDomain}`, observed(["unrelated"]));
    const n = checkDnsLayer(DOMAIN, await observe(none)).filter((f) => f.status !== "pass");
    expect(n.map((f) => [f.id, f.subject, f.summary])).toEqual([["dns.spf.record", "bounce-usw2.example.com (us-west-2)", "bounce-usw2.example.com has no SPF record"]]);

    const invalid = healthyDns();
    invalid.answers.set(`TXT ${D}`, observed(["v=spf1 ipv4:192.0.2.1 ~all"]));
    const i = checkDnsLayer(DOMAIN, await observe(invalid)).filter((f) => f.status !== "pass");
    expect(i.map((f) => f.id)).toEqual(["dns.spf.record"]);
    expect(i[0].summary).toMatch(/^the SPF record is not valid: Unknown mechanism "ipv4"/);

    const servfail = healthyDns();
    servfail.answers.set(`TXT ${D}`, { ok: false, reason: "error", message: `TXT ${D}: SERVFAIL from 127.0.0.1:53`, needs: "The resolver could not get an answer (SERVFAIL)" });
    const s = checkDnsLayer(DOMAIN, await observe(servfail)).filter((f) => f.status !== "pass");
    expect(s.map((f) => [f.id, f.status])).toEqual([["dns.spf.record", "inconclusive"]]);
    expect(s[0].summary).toBe(`could not check the SPF record: TXT ${D}: SERVFAIL from 127.0.0.1:53`);
  });

  it("dns.spf.all warns on ?all and fails on +all", async () => {
    const neutral = healthyDns();
    neutral.answers.set(`TXT ${D}`, observed(["v=spf1 include:_spf.example.net ?all"]));
    const n = checkDnsLayer(DOMAIN, await observe(neutral)).filter((f) => f.status !== "pass");
    expect(n.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.spf.all warn"]);
    expect(n[0].summary).toMatch(/"\?all" gives unlisted senders a "neutral" result/);

    const open = healthyDns();
    open.answers.set(`TXT ${D}`, observed(["v=spf1 include:_spf.example.net +all"]));
    const o = checkDnsLayer(DOMAIN, await observe(open)).filter((f) => f.status !== "pass");
    expect(o.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.spf.all fail"]);
    expect(o[0].summary).toMatch(/authorises every host on the internet/);
  });

  it("dns.spf.network warns on a passing network wider than /16 (lib/spf, as the policy pack); a wider-than-/8 one fails the record", async () => {
    const wide = healthyDns();
    wide.answers.set(`TXT ${D}`, observed(["v=spf1 include:_spf.example.net ip4:10.0.0.0/12 ~all"]));
    const w = checkDnsLayer(DOMAIN, await observe(wide)).filter((f) => f.status !== "pass");
    expect(w.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.spf.network warn"]);
    expect(w[0].summary).toMatch(/^1 term authorises a large network: "ip4:10\.0\.0\.0\/12" authorises a \/12 IPv4 network/);

    const huge = healthyDns();
    huge.answers.set(`TXT ${D}`, observed(["v=spf1 include:_spf.example.net ip4:10.0.0.0/7 ~all"]));
    const h = checkDnsLayer(DOMAIN, await observe(huge)).filter((f) => f.status !== "pass");
    expect(h.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.spf.record fail"]);
    expect(h[0].summary).toMatch(/more than a whole regional registry's block/);
  });

  it("dns.spf.lookups fails over 10 lookups (naming the costliest include) and for a permerror down the chain", async () => {
    const deep = healthyDns();
    deep.txt["_spf.example.net"] = ["v=spf1 include:a.example.net include:b.example.net ~all"];
    deep.txt["a.example.net"] = ["v=spf1 include:a1.example.net include:a2.example.net include:a3.example.net include:a4.example.net include:a5.example.net -all"];
    deep.txt["b.example.net"] = ["v=spf1 include:b1.example.net include:b2.example.net include:b3.example.net -all"];
    for (const n of ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3"]) deep.txt[`${n}.example.net`] = ["v=spf1 ip4:203.0.113.0/24 -all"];
    const fs = checkDnsLayer(DOMAIN, await observe(deep));
    expect(nonPass(fs)).toEqual(["dns.spf.lookups fail"]);
    const f = fs.find((x) => x.status === "fail")!;
    expect(f.summary).toBe("SPF needs 11 DNS lookups; the limit is 10, so receivers return permerror and SPF fails");
    expect(f.evidence[0]).toBe("include:_spf.example.net costs 11");

    const broken = healthyDns();
    broken.txt["_spf.example.net"] = ["v=spf1 include:gone.example.net ~all"];
    broken.txt["gone.example.net"] = []; // answers, but has no SPF record
    const b = checkDnsLayer(DOMAIN, await observe(broken)).filter((x) => x.status !== "pass");
    expect(b.map((x) => `${x.id} ${x.status}`)).toEqual(["dns.spf.lookups fail"]);
    expect(b[0].summary).toMatch(/^the include chain ends in permerror, so SPF fails for all mail: "include:gone.example.net" in the SPF record of _spf.example.net points at gone.example.net, which has no SPF record/);
  });

  it("dns.spf.lookups is inconclusive when an include does not answer", async () => {
    const live = healthyDns();
    delete live.txt["_spf2.example.net"]; // the static resolver answers "unknown" for it
    const fs = checkDnsLayer(DOMAIN, await observe(live)).filter((f) => f.status !== "pass");
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.spf.lookups inconclusive"]);
    expect(fs[0].summary).toMatch(/_spf2.example.net did not answer; at least 2 of 10 lookups used/);
  });

  it("dns.spf.void fails for more than 2 void lookups (a permerror, RFC 7208 4.6.4), naming them; 2 pass", async () => {
    const live = healthyDns();
    live.txt["_spf.example.net"] = ["v=spf1 include:gone1.example.net include:gone2.example.net include:gone3.example.net ~all"];
    for (const n of ["gone1", "gone2", "gone3"]) live.txt[`${n}.example.net`] = [];
    const fs = checkDnsLayer(DOMAIN, await observe(live));
    const v = fs.find((f) => f.id === "dns.spf.void" && f.subject === D)!;
    expect([v.status, v.summary]).toEqual(["fail", "3 void lookups; more than 2 is a permerror (RFC 7208 4.6.4), so SPF fails for all mail"]);
    expect(v.evidence).toEqual(["include:gone1.example.net", "include:gone2.example.net", "include:gone3.example.net"]);
    expect(exitCodeFor(fs)).toBe(1);

    live.txt["_spf.example.net"] = ["v=spf1 include:gone1.example.net include:gone2.example.net ~all"];
    const two = checkDnsLayer(DOMAIN, await observe(live)).find((f) => f.id === "dns.spf.void" && f.subject === D)!;
    expect([two.status, two.summary]).toEqual(["pass", "2 void lookups"]);
  });

  it("dns.dmarc.record fails without a record or with two; inconclusive on timeout", async () => {
    const none = healthyDns();
    none.answers.set(`TXT _dmarc.${D}`, nxdomain(`TXT _dmarc.${D}`));
    const n = checkDnsLayer(DOMAIN, await observe(none)).filter((f) => f.status !== "pass");
    expect(n.map((f) => [f.id, f.summary])).toEqual([["dns.dmarc.record", "example.com publishes no DMARC record"]]);

    const two = healthyDns();
    two.answers.set(`TXT _dmarc.${D}`, observed([DMARC, "v=DMARC1; p=none"]));
    const t = checkDnsLayer(DOMAIN, await observe(two)).filter((f) => f.status !== "pass");
    expect(t.map((f) => [f.id, f.summary])).toEqual([["dns.dmarc.record", "2 DMARC records: receivers ignore them all"]]);

    const silent = healthyDns();
    silent.answers.set(`TXT _dmarc.${D}`, timeout);
    const s = checkDnsLayer(DOMAIN, await observe(silent)).filter((f) => f.status !== "pass");
    expect(s.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.dmarc.record inconclusive"]);
  });

  it("dns.dmarc.policy warns on p=none and names the next step", async () => {
    const live = healthyDns();
    live.answers.set(`TXT _dmarc.${D}`, observed([DMARC.replace("p=quarantine", "p=none")]));
    const fs = checkDnsLayer(DOMAIN, await observe(live)).filter((f) => f.status !== "pass");
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.dmarc.policy warn"]);
    expect(fs[0].summary).toBe("p=none: receivers report but never act on failing mail");
    expect(fs[0].remediation).toMatch(/move to p=quarantine \(then p=reject\)/);
  });

  it("dns.dmarc.alignment warns when aspf=s leaves a MAIL FROM subdomain unaligned", async () => {
    const live = healthyDns();
    live.answers.set(`TXT _dmarc.${D}`, observed([`${DMARC}; aspf=s`]));
    const fs = checkDnsLayer(DOMAIN, await observe(live)).filter((f) => f.status !== "pass");
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.dmarc.alignment warn"]);
    expect(fs[0].summary).toBe("SPF does not align under aspf=s: only DKIM can pass DMARC");
    expect(fs[0].evidence).toEqual(["MAIL FROM bounce.example.com is not example.com", "MAIL FROM bounce-usw2.example.com is not example.com"]);
  });

  it("dns.dmarc.report-authorization fails when the external destination has not authorised reports", async () => {
    const live = healthyDns();
    delete live.txt["example.com._report._dmarc.reports.example.net"];
    const fs = checkDnsLayer(DOMAIN, await observe(live)).filter((f) => f.status !== "pass");
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.dmarc.report-authorization fail"]);
    expect(fs[0].summary).toBe("reports.example.net has not authorised reports for example.com: receivers will not send them");
    expect(fs[0].remediation).toMatch(/publish TXT "v=DMARC1" at example.com._report._dmarc.reports.example.net/);
  });

  it("dns.drift warns when a record still passes its rules but differs from the stack", async () => {
    const live = healthyDns();
    live.answers.set(`TXT ${D}`, observed(["v=spf1 include:_spf.example.net ip4:203.0.113.9 ~all", "google-site-verification=abc"]));
    const fs = checkDnsLayer(DOMAIN, await observe(live)).filter((f) => f.status !== "pass");
    expect(fs.map((f) => [f.id, f.status, f.subject])).toEqual([["dns.drift", "warn", "TXT example.com"]]);
    expect(fs[0].evidence.slice(0, 2)).toEqual([`expected: ${APEX_SPF}`, "found:    v=spf1 include:_spf.example.net ip4:203.0.113.9 ~all"]);
  });
});

describe("dns.apex-txt.undeclared (pulumi up owns the whole apex TXT set)", () => {
  const TOKEN = "google-site-verification=abc123";
  const inRoute53 = (apexValues: string[]): ManifestDomain => ({
    ...DOMAIN,
    dns: { mode: "route53", zoneId: "Z0000000000000000000A" },
    records: DOMAIN.records.map((r) => (r.purpose === "spf" ? { ...r, values: [APEX_SPF, ...apexValues] } : r)),
  });
  const liveApex = (values: string[]): LiveDns => {
    const live = healthyDns();
    live.answers.set(`TXT ${D}`, observed(values));
    return live;
  };

  it("passes (no warning) when every live apex TXT value is declared", async () => {
    const fs = checkDnsLayer(inRoute53([TOKEN]), await observe(liveApex([APEX_SPF, TOKEN])));
    expect(nonPass(fs)).toEqual([]);
  });

  it("warns about live values that are not declared: pulumi up would delete these", async () => {
    const fs = checkDnsLayer(inRoute53([]), await observe(liveApex([APEX_SPF, TOKEN, "MS=ms1234"])));
    const f = only(fs, "dns.apex-txt.undeclared");
    expect([f.status, f.subject, f.summary]).toEqual(["warn", `TXT ${D}`, "2 live apex TXT values are not declared: pulumi up would delete these"]);
    expect(f.evidence).toEqual([`live, not declared: ${TOKEN}`, "live, not declared: MS=ms1234"]);
    expect(f.remediation).toMatch(/mail-infra:apexTxtValues/);
  });

  it("says nothing with external DNS, where the program writes no record", async () => {
    const fs = checkDnsLayer(DOMAIN, await observe(liveApex([APEX_SPF, TOKEN])));
    expect(ids(fs)).not.toContain("dns.apex-txt.undeclared");
  });
});

// ---------------------------------------------------------------------------------------
// SMTP and relay
// ---------------------------------------------------------------------------------------

const storedSecret = (key = SECRET_KEY, username = KEY_ID) =>
  JSON.stringify({
    username,
    keyGeneration: 2,
    regions: Object.fromEntries(["us-east-1", "us-west-2"].map((r) => [r, { host: smtpEndpoint(r), port: 587, password: deriveSmtpPasswordV4(key, r) }])),
  });

const NOW = new Date("2026-05-01T12:00:00Z");

function smtpObs(over: Partial<SmtpObservations> = {}): SmtpObservations {
  return {
    secret: observed(storedSecret()),
    accessKeys: observed([{ id: KEY_ID, status: "Active", createDate: "2026-04-01T00:00:00.000Z" }]),
    lastUsed: new Map([[KEY_ID, observed({ lastUsedDate: "2026-04-30T10:00:00.000Z", serviceName: "ses", region: "us-east-1" })]]),
    auth: new Map(["us-east-1", "us-west-2"].map((r) => [r, observed({ code: 235, ms: 120, message: "Authentication successful" })])),
    simulations: simulationQuestions(M).map((question) => ({ question, result: observed({ decision: "allowed" as const, deniedResources: [], matchedPolicies: ["ses-send-raw-email-only"] }) })),
    ...over,
  };
}

describe("smtp.*", () => {
  it("passes healthy credentials: one secret, an active key, working AUTH per region, SendRawEmail allowed", () => {
    const fs = checkSmtpLayer(M, smtpObs({ suppliedSecretKey: SECRET_KEY, sendTest: new Map([["us-east-1", observed({ code: 250, ms: 300, message: "250 Ok 0100018e" })]]) }));
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual([
      "smtp.secret pass",
      "smtp.key pass",
      "smtp.password pass",
      "smtp.auth pass",
      "smtp.auth pass",
      "smtp.permission pass",
      "smtp.send-test pass",
    ]);
    expect(fs[0].evidence).toEqual([`secret id ${M.smtp.secretId}`, `username ${KEY_ID}`]);
    expect(fs[3].subject).toBe("email-smtp.us-east-1.amazonaws.com:587 (us-east-1)");
    expect(JSON.stringify(fs)).not.toContain(deriveSmtpPasswordV4(SECRET_KEY, "us-east-1"));
  });

  it("smtp.secret fails when missing, not JSON or lacking a region; inconclusive when denied (and AUTH then says why it was not tried)", () => {
    const missing = checkSmtpLayer(M, smtpObs({ secret: { ok: false, reason: "notfound", message: "ResourceNotFoundException" }, auth: new Map() }));
    expect(missing.filter((f) => f.status !== "pass").map((f) => `${f.id} ${f.status}`)).toEqual(["smtp.secret fail", "smtp.auth inconclusive", "smtp.auth inconclusive"]);
    expect(missing[0].summary).toBe("the secret does not exist (or is scheduled for deletion)");
    expect(missing.find((f) => f.id === "smtp.auth")?.summary).toBe("could not check SMTP AUTH: no password to try: the secret mail-infra/test/ses-smtp does not exist");

    const garbage = checkSmtpLayer(M, smtpObs({ secret: observed("not json"), auth: new Map() }));
    expect(garbage[0]).toMatchObject({ id: "smtp.secret", status: "fail", summary: "the secret value is not JSON" });
    expect(parseSmtpSecret(JSON.stringify({ username: "x" }))).toEqual({ ok: false, message: "the secret JSON lacks regions" });

    const oneRegion = JSON.parse(storedSecret()) as { regions: Record<string, unknown> };
    delete oneRegion.regions["us-west-2"];
    const partial = checkSmtpLayer(M, smtpObs({ secret: observed(JSON.stringify(oneRegion)), auth: new Map([["us-east-1", observed({ code: 235, ms: 90, message: "ok" })]]) }));
    expect(partial.filter((f) => f.status !== "pass").map((f) => [f.id, f.status, f.summary])).toEqual([
      ["smtp.secret", "fail", "no password for us-west-2"],
      ["smtp.auth", "inconclusive", "could not check SMTP AUTH: no password to try: the secret holds none for us-west-2"],
    ]);

    const deniedSecret = checkSmtpLayer(M, smtpObs({ secret: denied("secretsmanager:GetSecretValue (and kms:Decrypt on its key)"), auth: new Map(), suppliedSecretKey: SECRET_KEY }));
    expect(deniedSecret.filter((f) => f.status !== "pass").map((f) => `${f.id} ${f.status}`)).toEqual(["smtp.secret inconclusive", "smtp.password inconclusive", "smtp.auth inconclusive", "smtp.auth inconclusive"]);
    expect(deniedSecret[0].remediation).toBe("Grant secretsmanager:GetSecretValue (and kms:Decrypt on its key) to the credentials verify runs with.");
    expect(deniedSecret.find((f) => f.id === "smtp.auth")?.remediation).toBe("Grant secretsmanager:GetSecretValue (and kms:Decrypt on its key) to the credentials verify runs with.");
  });

  it("smtp.key fails for an inactive key, a stale username and a missing user; inconclusive when keys cannot be listed", () => {
    const inactive = checkSmtpLayer(M, smtpObs({ accessKeys: observed([{ id: KEY_ID, status: "Inactive", createDate: "2026-04-01T00:00:00.000Z" }]) }));
    const k = only(inactive, "smtp.key");
    expect([k.status, k.summary]).toEqual(["fail", "the key is Inactive: SES rejects every login with it"]);
    expect(k.remediation).toMatch(`aws iam update-access-key --user-name mail-infra-smtp-test --access-key-id ${KEY_ID} --status Active`);

    const stale = checkSmtpLayer(M, smtpObs({ secret: observed(storedSecret(SECRET_KEY, OLD_KEY_ID)), accessKeys: observed([{ id: KEY_ID, status: "Active" }]) }));
    expect(only(stale, "smtp.key").summary).toBe(`the secret's username ${OLD_KEY_ID} is not an access key of mail-infra-smtp-test: the secret is stale`);

    const noUser = checkSmtpLayer(M, smtpObs({ accessKeys: { ok: false, reason: "notfound", message: "NoSuchEntity" } }));
    expect(only(noUser, "smtp.key").summary).toBe("the IAM user mail-infra-smtp-test does not exist");

    const cannot = checkSmtpLayer(M, smtpObs({ accessKeys: denied("iam:ListAccessKeys") }));
    expect(only(cannot, "smtp.key")).toMatchObject({ status: "inconclusive", remediation: "Grant iam:ListAccessKeys to the credentials verify runs with." });
  });

  it("smtp.password fails when a stored password is not derived from the supplied key", () => {
    const stale = JSON.parse(storedSecret()) as { regions: Record<string, { password: string }> };
    stale.regions["us-west-2"].password = deriveSmtpPasswordV4("another+secret+key", "us-west-2");
    const fs = checkSmtpLayer(M, smtpObs({ secret: observed(JSON.stringify(stale)), suppliedSecretKey: SECRET_KEY }));
    const f = only(fs, "smtp.password");
    expect([f.status, f.summary]).toEqual(["fail", "the stored password for us-west-2 is not derived from this key"]);
    expect(JSON.stringify(fs)).not.toContain(SECRET_KEY);
  });

  it("smtp.auth fails on 535 and is inconclusive on a timeout, naming the network path", () => {
    const fs = checkSmtpLayer(
      M,
      smtpObs({
        auth: new Map<string, Observation<{ code: number; ms: number; message: string }>>([
          ["us-east-1", observed({ code: 535, ms: 80, message: "535 Authentication Credentials Invalid" })],
          ["us-west-2", { ok: false, reason: "timeout", message: "127.0.0.1:2587 did not answer in time (Greeting never received)", needs: "Outbound SMTP to 127.0.0.1:2587 is silent: a firewall may drop port 587" }],
        ]),
      }),
    );
    const [east, west] = fs.filter((f) => f.id === "smtp.auth");
    expect([east.status, east.summary]).toEqual(["fail", "AUTH rejected (535) in 80 ms: the stored password does not work in us-east-1"]);
    expect(east.evidence).toEqual([`username ${KEY_ID}`, "server said: 535 Authentication Credentials Invalid"]);
    expect([west.status, west.remediation]).toEqual(["inconclusive", "Outbound SMTP to 127.0.0.1:2587 is silent: a firewall may drop port 587"]);
  });

  it("smtp.permission fails on an implicit deny listing the resources; inconclusive when the simulator fails", () => {
    const [question] = simulationQuestions(M);
    const deny = checkSmtpLayer(M, smtpObs({ simulations: [{ question, result: observed({ decision: "implicitDeny", deniedResources: [USE1.configurationSetArn] }) }] }));
    const f = only(deny, "smtp.permission");
    expect([f.status, f.subject, f.summary]).toEqual(["fail", "mail-infra-smtp-test sending as admin@example.com in us-east-1", "no statement allows ses:SendRawEmail as admin@example.com in us-east-1 (implicitDeny): SES rejects mail sent with these credentials there"]);
    expect(f.evidence).toEqual([
      `asked IAM (SimulatePrincipalPolicy): ses:SendRawEmail on ${USE1.identityArn}, ${USE1.configurationSetArn} with ses:FromAddress=admin@example.com, aws:RequestedRegion=us-east-1`,
      `denied: ${USE1.configurationSetArn}`,
    ]);
    const broken = checkSmtpLayer(M, smtpObs({ simulations: [{ question, result: { ok: false, reason: "error", message: "Error: Internal Server Error", needs: "iam:SimulatePrincipalPolicy failed" } }] }));
    expect(only(broken, "smtp.permission")).toMatchObject({ status: "inconclusive", summary: "could not check the user's permissions (policy simulation): Error: Internal Server Error" });
  });

  it("smtp.send-test fails when the message is refused; inconclusive when the connection fails", () => {
    const fs = checkSmtpLayer(
      M,
      smtpObs({
        sendTest: new Map<string, Observation<{ code: number; ms: number; message: string }>>([
          ["us-east-1", observed({ code: 554, ms: 200, message: "554 Message rejected: Email address is not verified." })],
          ["us-west-2", { ok: false, reason: "unreachable", message: "connection to 127.0.0.1:1 refused" }],
        ]),
      }),
    );
    const tests = fs.filter((f) => f.id === "smtp.send-test");
    expect(tests.map((f) => [f.status, f.summary])).toEqual([
      ["fail", "refused (554)"],
      ["inconclusive", "could not check the test send: connection to 127.0.0.1:1 refused"],
    ]);
  });
});

describe("relay.credentials", () => {
  const twoKeys = (current: KeyLastUsed, old: KeyLastUsed, rotated = "2026-04-29T00:00:00.000Z") =>
    smtpObs({
      accessKeys: observed([
        { id: KEY_ID, status: "Active", createDate: rotated },
        { id: OLD_KEY_ID, status: "Active", createDate: "2025-01-01T00:00:00.000Z" },
      ]),
      lastUsed: new Map([
        [KEY_ID, observed(current)],
        [OLD_KEY_ID, observed(old)],
      ]),
    });

  it("passes on positive evidence only: the current key (the only one) used by SES in the sender's region", () => {
    const [f] = checkRelays(M, smtpObs(), NOW);
    expect([f.id, f.status, f.summary]).toEqual([
      "relay.credentials",
      "pass",
      "uses the current key: the current key was used by SES in us-east-1 at 2026-04-30T10:00:00.000Z; no other key exists (read at 2026-05-01T12:00:00.000Z)",
    ]);
    // With no other key there is no later use to wait for: a use a minute before the read is enough.
    expect(checkRelays(M, smtpObs(), new Date("2026-04-30T10:01:00.000Z"))[0].status).toBe("pass");
    expect(f.subject).toBe("admin@example.com (gmail-send-as in someone@gmail.com) via us-east-1");
    expect(f.evidence).toContain(`read at 2026-05-01T12:00:00.000Z: current key ${KEY_ID} (created 2026-04-01T00:00:00.000Z) last used 2026-04-30T10:00:00.000Z by ses in us-east-1`);
    expect(f.evidence).toContain(LAST_USED_CAVEAT);
  });

  it("fails when SES saw the old key in the sender's region after the rotation and the current key not since", () => {
    const [f] = checkRelays(M, twoKeys({}, { lastUsedDate: "2026-04-30T23:00:00.000Z", serviceName: "ses", region: "us-east-1" }), NOW);
    expect([f.status, f.summary]).toEqual([
      "fail",
      "still on the previous key: the previous key was used by SES in us-east-1 at 2026-04-30T23:00:00.000Z, after the rotation (2026-04-29T00:00:00.000Z), and the current key has no SES use in us-east-1 since: a relay in us-east-1 still sends with the previous key",
    ]);
    expect(f.evidence).toContain(`read at 2026-05-01T12:00:00.000Z: other key ${OLD_KEY_ID} (Active, created 2025-01-01T00:00:00.000Z) last used 2026-04-30T23:00:00.000Z by ses in us-east-1`);
    expect(f.remediation).toMatch(/docs\/operations.md#fix-a-gmail-send-mail-as-alias/);
    expect(f.remediation).toContain("npm run relay-fix -- --stack test --sender admin@example.com");
    expect(f.remediation).toContain("compose a message From admin@example.com To success@simulator.amazonses.com");
  });

  it("passes when the old key's last SES login is before the current key's SES use in the region (older than the lag)", () => {
    const [f] = checkRelays(M, twoKeys({ lastUsedDate: "2026-04-30T23:00:00.000Z", serviceName: "ses", region: "us-east-1" }, { lastUsedDate: "2026-04-28T23:00:00.000Z", serviceName: "ses", region: "us-east-1" }), NOW);
    expect(f.status).toBe("pass");
  });

  it("the incident: key 2 an hour old and never used, key 1 last used by SES 25 h ago: not enough evidence (inconclusive), with the probe", () => {
    const now = new Date("2026-04-29T01:00:00.000Z");
    const [f] = checkRelays(M, twoKeys({}, { lastUsedDate: "2026-04-28T00:00:00.000Z", serviceName: "ses", region: "us-east-1" }), now);
    expect([f.status, f.summary]).toEqual([
      "inconclusive",
      `not enough evidence yet that this relay uses the current key (key ${OLD_KEY_ID} still exists): no SES use of the current key in us-east-1 is on record: the current key has no recorded use at all`,
    ]);
    expect(f.remediation).toContain("Otherwise send the probe only: admin@example.com (us-east-1): in Gmail (someone@gmail.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it;");
    expect(exitCodeFor([f])).toBe(1);
  });

  it("warns (nothing waits on it) when the only key has no SES use in the sender's region", () => {
    const [f] = checkRelays(M, smtpObs({ lastUsed: new Map([[KEY_ID, observed({})]]) }), NOW);
    expect([f.status, f.summary]).toEqual(["warn", "not seen using the current key (the only key of mail-infra-smtp-test): no SES use of the current key in us-east-1 is on record: the current key has no recorded use at all"]);
    const west = checkRelays(M, smtpObs({ lastUsed: new Map([[KEY_ID, observed({ lastUsedDate: "2026-04-30T10:00:00.000Z", serviceName: "ses", region: "us-west-2" })]]) }), NOW)[0];
    expect(west.summary).toBe(
      "not seen using the current key (the only key of mail-infra-smtp-test): no SES use of the current key in us-east-1 is on record: the current key's last use is SES in us-west-2 at 2026-04-30T10:00:00.000Z; the record keeps one region, so this read cannot show us-east-1",
    );
  });

  it("warns when the stored credentials for its region are rejected: fix smtp first", () => {
    const [f] = checkRelays(M, smtpObs({ auth: new Map([["us-east-1", observed({ code: 535, ms: 80, message: "535 Authentication Credentials Invalid" })]]) }), NOW);
    expect([f.status, f.summary]).toEqual(["warn", "the stored credentials for us-east-1 are rejected (see smtp.auth): this relay cannot work with them either"]);
    expect(f.evidence).toContain("current credentials do not work at email-smtp.us-east-1.amazonaws.com (535)");
    expect(f.remediation).toMatch(/^Fix the SMTP credentials first \(the smtp layer says how\), then put the current username/);
  });

  it("is inconclusive when the keys cannot be listed", () => {
    const [f] = checkRelays(M, smtpObs({ accessKeys: denied("iam:ListAccessKeys") }), NOW);
    expect([f.status, f.remediation]).toEqual(["inconclusive", "Grant iam:ListAccessKeys to the credentials verify runs with."]);
  });
});

// ---------------------------------------------------------------------------------------
// Summary, exit code, report
// ---------------------------------------------------------------------------------------

describe("findings and report", () => {
  const fs = [
    finding("ses", "ses.account.sending", "account in us-east-1", "pass", "sending is enabled"),
    finding("dns", "dns.dmarc.policy", "_dmarc.example.com", "warn", "p=none", { remediation: "raise it" }),
  ];

  it("warnings alone exit 0; a failure or an inconclusive check exits 1", () => {
    expect(summarize(fs)).toEqual({ pass: 1, warn: 1, fail: 0, inconclusive: 0 });
    expect(exitCodeFor(fs)).toBe(0);
    expect(exitCodeFor([...fs, finding("smtp", "smtp.auth", "x", "inconclusive", "could not")])).toBe(1);
    expect(exitCodeFor([...fs, finding("smtp", "smtp.auth", "x", "fail", "rejected")])).toBe(1);
  });

  it("the summary calls the mail path healthy only when every finding passed and every layer was checked", () => {
    const verdict = (findings: Finding[], notChecked: NotChecked[] = []) =>
      // (the summary line, with its continuation when it is wrapped to 100 columns)
      /— (.*)\.\n$/.exec(formatText(findings, { target: "t", layers: ["ses", "dns", "smtp"], notChecked, verbose: false, color: false }).replace(/\n +/g, " "))?.[1];
    const pass = finding("ses", "ses.account", "us-east-1", "pass", "production");
    const warn = finding("dns", "dns.dmarc.policy", "_dmarc.example.com", "warn", "p=none");
    const warn2 = finding("dns", "dns.spf", "example.com", "warn", "~all");
    const unsure = finding("smtp", "smtp.auth", "x", "inconclusive", "not attempted during a rotation");
    const skipped: NotChecked[] = [{ layer: "relay", reason: "skipped with --skip" }];
    expect(verdict([pass])).toBe("mail path healthy");
    expect(verdict([pass, warn])).toBe("no failures, 1 warning: read it");
    expect(verdict([pass, warn, warn2])).toBe("no failures, 2 warnings: read them");
    expect(verdict([pass, warn], skipped)).toBe("no failures, 1 warning: read it; not checked: relay");
    expect(verdict([pass], skipped)).toBe("checked layers healthy; not checked: relay");
    expect(verdict([pass, warn, unsure])).toBe("not fully checked: smtp");
    expect(verdict([pass, finding("dns", "dns.spf", "example.com", "fail", "no record"), unsure])).toBe("broken: dns");
  });

  it("the text report has a summary line, colour only when asked, and scrub removes secret values", () => {
    const plain = formatText(fs, { target: "manifest m.json", layers: ["ses", "dns"], verbose: false, color: false });
    expect(plain).toMatch(/Summary: 1 pass, 1 warn, 0 fail, 0 inconclusive — no failures, 1 warning: read it\.\n$/);
    expect(plain).not.toMatch(/\u001b\[/);
    expect(formatText(fs, { target: "t", layers: ["ses", "dns"], verbose: false, color: true })).toMatch(/\u001b\[/);
    const leaked = [finding("smtp", "smtp.auth", "x", "fail", "password BAbCdEfGhIjKlMnOp was rejected")];
    expect(scrub(formatJson(leaked, { target: "t", layers: ["smtp"] }), ["BAbCdEfGhIjKlMnOp"])).not.toContain("BAbCdEfGhIjKlMnOp");
    expect(JSON.parse(formatJson(fs, { target: "t", layers: ["ses", "dns"] }))).toMatchObject({ target: "t", summary: { pass: 1, warn: 1 }, exitCode: 0 });
  });
});

describe("one root cause once: groupByCause", () => {
  const noCreds: Unobservable = { ok: false, reason: "denied", message: "CredentialsProviderError: Could not load credentials from any providers", needs: "No AWS credentials were found.", cause: NO_AWS_CREDENTIALS };

  it("findings with a named cause become that cause, listing every check it blocked; the worst status stays", () => {
    const fs = groupByCause([
      inconclusive("ses", "ses.account.sending", "account in us-east-1", "the SES account", noCreds),
      finding("dns", "dns.dkim", "example.com DKIM (us-east-1)", "pass", "ok"),
      inconclusive("smtp", "smtp.secret", "secret s", "the secret", noCreds),
      inconclusive("smtp", "smtp.auth", "e:587 (us-east-1)", "SMTP AUTH", dependsOn(noCreds, "no password to try")),
    ]);
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["aws.credentials inconclusive", "dns.dkim pass"]);
    expect(fs[0]).toMatchObject({ layer: "ses", subject: "AWS credentials", summary: "no AWS credentials were found, so no AWS check could be made", remediation: "No AWS credentials were found." });
    expect(fs[0].blocked).toEqual([
      { layer: "ses", id: "ses.account.sending", subject: "account in us-east-1", status: "inconclusive" },
      { layer: "smtp", id: "smtp.secret", subject: "secret s", status: "inconclusive" },
      { layer: "smtp", id: "smtp.auth", subject: "e:587 (us-east-1)", status: "inconclusive" },
    ]);
    expect(fs.every((f) => !("cause" in f))).toBe(true);
    expect(exitCodeFor(fs)).toBe(1);
  });

  it("without a named cause the first finding stands for the group (the same reason and message); a lone finding is unchanged", () => {
    const closed: Unobservable = { ok: false, reason: "unreachable", message: "connection to 127.0.0.1:1 refused" };
    const missing = nxdomain("TXT example.com");
    const fs = groupByCause([
      finding("ses", "ses.identity.verified", "example.com in us-east-1", "fail", "no SES identity", { cause: causeOf(missing) }),
      inconclusive("smtp", "smtp.auth", "a (us-east-1)", "SMTP AUTH", closed),
      inconclusive("dns", "dns.dkim", "example.com DKIM (us-east-1)", "the DKIM CNAMEs", dependsOn(missing, "DKIM tokens unknown")),
      inconclusive("smtp", "smtp.auth", "b (us-west-2)", "SMTP AUTH", { ...closed }),
      inconclusive("smtp", "smtp.permission", "u", "the policy simulation", { ok: false, reason: "error", message: "HTTP 500" }),
    ]);
    expect(fs.map((f) => `${f.id} ${f.status} ${f.subject} ${f.blocked?.map((b) => b.subject).join("|") ?? "-"}`)).toEqual([
      "ses.identity.verified fail example.com in us-east-1 example.com DKIM (us-east-1)",
      "smtp.auth inconclusive a (us-east-1) b (us-west-2)",
      "smtp.permission inconclusive u -",
    ]);
    expect(fs[2]).toEqual({ layer: "smtp", id: "smtp.permission", subject: "u", status: "inconclusive", summary: "could not check the policy simulation: HTTP 500", evidence: ["error: HTTP 500"], remediation: "Re-run when the service answers; nothing was concluded from this check." });
  });

  it("a cause named by a later finding of the group names it; no remediation anywhere leaves none (no empty key)", () => {
    const plain: Cause = { key: "notfound: TXT example.com: NXDOMAIN" };
    const named: Cause = { ...plain, id: "dns.domain", subject: "example.com", summary: "example.com does not exist in DNS" };
    const fs = groupByCause([
      finding("dns", "dns.spf.record", "example.com SPF", "fail", "no SPF record", { cause: plain }),
      finding("dns", "dns.dmarc.record", "_dmarc.example.com", "warn", "no DMARC record", { cause: named }),
    ]);
    expect(fs).toStrictEqual([
      {
        layer: "dns",
        id: "dns.domain",
        subject: "example.com",
        status: "fail",
        summary: "example.com does not exist in DNS",
        evidence: [],
        blocked: [
          { layer: "dns", id: "dns.spf.record", subject: "example.com SPF", status: "fail" },
          { layer: "dns", id: "dns.dmarc.record", subject: "_dmarc.example.com", status: "warn" },
        ],
      },
    ]);
  });

  it("dependsOn: a new message, the same reason and root cause, its own needs or else the cause's", () => {
    const unreadable: Unobservable = { ok: false, reason: "denied", message: "AccessDeniedException: secretsmanager:GetSecretValue", needs: "Grant secretsmanager:GetSecretValue." };
    expect(dependsOn(unreadable, "no password to try")).toStrictEqual({
      ok: false,
      reason: "denied",
      message: "no password to try",
      needs: "Grant secretsmanager:GetSecretValue.",
      cause: { key: "denied: AccessDeniedException: secretsmanager:GetSecretValue" },
    });
    expect(dependsOn(unreadable, "no password to try", "Grant kms:Decrypt.").needs).toBe("Grant kms:Decrypt.");
    expect(dependsOn({ ok: false, reason: "timeout", message: "no answer" }, "unknown", "Re-run.").needs).toBe("Re-run.");
  });

  it("a domain that does not exist: every failing DNS check of it is one dns.domain failure", async () => {
    const live = healthyDns();
    for (const key of live.answers.keys()) live.answers.set(key, nxdomain(key));
    const fs = groupByCause(checkDnsLayer(DOMAIN, await observe(live)));
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["dns.domain fail"]);
    expect(fs[0].summary).toBe("example.com does not exist in DNS (NXDOMAIN), so none of its records can be found");
    expect(fs[0].evidence).toEqual(["TXT example.com: NXDOMAIN"]);
    expect(fs[0].blocked?.map((b) => b.id)).toEqual(["dns.dkim", "dns.dkim", "dns.mail-from.mx", "dns.mail-from.mx", "dns.spf.record", "dns.spf.record", "dns.spf.record", "dns.dmarc.record"]);
    // A missing MAIL FROM subdomain under an existing domain is its own failure, not this cause.
    const one = healthyDns();
    one.answers.set(`MX ${USE1.mailFromDomain}`, nxdomain(`MX ${USE1.mailFromDomain}`));
    expect(groupByCause(checkDnsLayer(DOMAIN, await observe(one))).filter((f) => f.status !== "pass").map((f) => f.id)).toEqual(["dns.mail-from.mx"]);
  });
});

describe("discovery's unknown values: checked against nothing, reported with their cause", () => {
  it("an identity without a custom MAIL FROM: ses.identity.mail-from fails once, and the MAIL FROM MX is listed under it, not checked against bounce.<domain>", async () => {
    const unknown = { mailFromDomain: { ok: false as const, reason: "notfound" as const, message: "the identity has no custom MAIL FROM domain in us-east-1" } };
    const region = { ...USE1, mailFromDomain: "", unknown };
    const d: ManifestDomain = { ...DOMAIN, regions: [region], records: DOMAIN.records.filter((r) => r.region === "us-east-1" && r.purpose === "dkim") };
    expect(dnsQuestions(d).some((q) => q.name.startsWith("bounce"))).toBe(false);
    expect(spfNames(d)).toEqual([D]);
    const live = healthyDns();
    const ses = checkSesIdentity(d, region, observed({ ...healthyIdentity(region), mailFrom: undefined }));
    const dns = checkDnsLayer(d, await observe(live));
    const fs = groupByCause([...ses, ...dns]).filter((f) => f.status !== "pass");
    expect(fs.map((f) => `${f.id} ${f.status}`)).toEqual(["ses.identity.mail-from fail"]);
    expect(fs[0].summary).toBe("no custom MAIL FROM: mail goes out with amazonses.com and SPF does not align");
    expect(fs[0].blocked).toEqual([{ layer: "dns", id: "dns.mail-from.mx", subject: "MAIL FROM (us-east-1)", status: "inconclusive" }]);
  });

  it("an unknown configuration set is not looked up by a guessed name: inconclusive, with the identity's cause", () => {
    const denied_ = denied("ses:GetEmailIdentity");
    const region = { ...USE1, configurationSet: "", configurationSetArn: "", unknown: { configurationSet: dependsOn(denied_, "configuration set unknown: the SES identity could not be read") } };
    const [cs] = checkSesConfigurationSet(region, region.unknown.configurationSet);
    expect([cs.id, cs.status, cs.subject, cs.summary]).toEqual(["ses.configuration-set", "inconclusive", "configuration set (unknown) in us-east-1", "could not check the configuration set: configuration set unknown: the SES identity could not be read"]);
    const grouped = groupByCause([...checkSesIdentity(DOMAIN, region, denied_), cs]);
    expect(grouped.map((f) => `${f.id} ${f.status} ${f.blocked?.map((b) => b.id).join() ?? "-"}`)).toEqual(["ses.identity.verified inconclusive ses.configuration-set"]);
  });
});

describe("layers not checked", () => {
  it("selectLayers: --only, --skip and a missing input each leave a layer out, with why", () => {
    expect(selectLayers([], [])).toEqual({ layers: ["ses", "dns", "smtp", "relay", "recipient", "monitoring"], notChecked: [] });
    expect(selectLayers(["dns", "smtp"], ["smtp"], { relay: "no relays" })).toEqual({
      layers: ["dns"],
      notChecked: [
        { layer: "ses", reason: "not in --only dns,smtp" },
        { layer: "smtp", reason: "skipped with --skip" },
        { layer: "relay", reason: "not in --only dns,smtp" },
        { layer: "recipient", reason: "not in --only dns,smtp" },
        { layer: "monitoring", reason: "not in --only dns,smtp" },
      ],
    });
    expect(selectLayers([], [], { smtp: "no --secret-id given" }).notChecked).toEqual([{ layer: "smtp", reason: "no --secret-id given" }]);
    expect(selectLayers(["smtp"], [], { smtp: "no --secret-id given" }).layers).toEqual([]);
  });

  it("the report lists them, and the verdict never says healthy then (the exit code stays 0)", () => {
    const fs = [finding("ses", "ses.account.sending", "account in us-east-1", "pass", "sending is enabled"), finding("dns", "dns.dkim", "example.com DKIM (us-east-1)", "pass", "ok")];
    const notChecked = [
      { layer: "smtp" as const, reason: "no --secret-id given" },
      { layer: "relay" as const, reason: "skipped with --skip" },
    ];
    const text = formatText(fs, { target: "t", layers: ["ses", "dns"], notChecked, verbose: false, color: false });
    expect(text).toContain("\nSMTP credentials: not checked (no --secret-id given)\n");
    expect(text).toContain("\nRelays using the credentials: not checked (skipped with --skip)\n");
    expect(text).toMatch(/— checked layers healthy; not checked: smtp, relay\.\n$/);
    expect(text).not.toContain("mail path healthy");
    const doc = JSON.parse(formatJson(fs, { target: "t", layers: ["ses", "dns"], notChecked }));
    expect(doc).toMatchObject({ layers: ["ses", "dns"], notChecked, exitCode: 0 });
    expect(exitCodeFor(fs)).toBe(0);
  });

  it("a cause shows once in the text, with what it blocked; other layers point at it", () => {
    const noCreds: Unobservable = { ok: false, reason: "denied", message: "CredentialsProviderError: none", needs: "Set AWS_PROFILE.", cause: NO_AWS_CREDENTIALS };
    const fs = groupByCause([
      inconclusive("ses", "ses.account.sending", "account in us-east-1", "the SES account", noCreds),
      finding("dns", "dns.dkim", "example.com DKIM (us-east-1)", "pass", "ok"),
      inconclusive("smtp", "smtp.secret", "secret s", "the secret", noCreds),
    ]);
    const text = formatText(fs, { target: "t", layers: ["ses", "dns", "smtp"], verbose: false, color: false });
    expect(text).toContain("\nSES account and identities: not fully checked\n  ????  aws.credentials  AWS credentials: no AWS credentials were found, so no AWS check could be\n        made\n");
    // (wrapped at 100 columns, the rest of the finding under its subject)
    expect(text).toContain("        blocks 2 checks:\n          ses.account.sending (account in us-east-1)\n          smtp.secret (secret s)\n        fix: Set AWS_PROFILE.\n");
    expect(text).toContain("\nSMTP credentials: not fully checked\n  ????  smtp.secret: 1 check decided by aws.credentials (SES account and identities, above)\n");
    expect(text).toMatch(/Summary: 1 pass, 0 warn, 0 fail, 1 inconclusive — not fully checked: ses, smtp\.\n$/);
    const doc = JSON.parse(formatJson(fs, { target: "t", layers: ["ses", "dns", "smtp"] })) as { findings: Finding[] };
    expect(doc.findings[0].blocked?.map((b) => `${b.layer} ${b.id}`)).toEqual(["ses ses.account.sending", "smtp smtp.secret"]);

    // Past a screenful the text counts blocked checks per id; the JSON still lists each one.
    const many = groupByCause(Array.from({ length: 30 }, (_, i) => inconclusive("ses", i % 3 === 0 ? "ses.account.sending" : "ses.identity.verified", `d${i}.example.com`, "x", noCreds)));
    const long = formatText(many, { target: "t", layers: ["ses"], verbose: false, color: false });
    expect(long).toContain("        blocks 30 checks:\n          ses.account.sending (10 subjects)\n          ses.identity.verified (20 subjects)\n");
    expect((JSON.parse(formatJson(many, { target: "t", layers: ["ses"] })) as { findings: Finding[] }).findings[0].blocked).toHaveLength(30);
  });
});

describe("classifyAwsError: what an SDK error means for a check", () => {
  const err = (name: string, message: string, httpStatusCode?: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

  it("AccessDenied is inconclusive and names the permission to grant", () => {
    expect(classifyAwsError(err("AccessDeniedException", "User: x is not authorized to perform: ses:GetAccount", 403), "ses:GetAccount")).toEqual({
      ok: false,
      reason: "denied",
      message: "AccessDeniedException: User: x is not authorized to perform: ses:GetAccount",
      needs: "Grant ses:GetAccount to the credentials verify runs with (or use credentials that have it).",
    });
  });

  it("missing credentials say so instead of asking for a permission", () => {
    const u = classifyAwsError(err("CredentialsProviderError", "Could not load credentials from any providers"), "ses:GetAccount");
    expect([u.reason, u.needs]).toEqual(["denied", "No AWS credentials were found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run where a role is available."]);
    // One cause for every call, so the report shows it once.
    expect(u.cause).toBe(NO_AWS_CREDENTIALS);
  });

  it("throttling after the SDK's retries, not-found answers, and network failures", () => {
    expect(classifyAwsError(err("TooManyRequestsException", "Too many requests", 429), "ses:GetEmailIdentity")).toMatchObject({ reason: "throttled", message: "TooManyRequestsException after retries" });
    expect(classifyAwsError(err("Throttling", "Rate exceeded", 400), "iam:ListAccessKeys")).toMatchObject({ reason: "throttled" });
    expect(classifyAwsError(err("NoSuchEntityException", "The user with name x cannot be found.", 404), "iam:ListAccessKeys")).toMatchObject({ reason: "notfound" });
    expect(classifyAwsError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), "ses:GetAccount")).toMatchObject({
      reason: "unreachable",
      needs: "The AWS endpoint is unreachable from here: check the network path or AWS_ENDPOINT_URL.",
    });
  });

  it("anything else keeps the HTTP status and the call it came from", () => {
    expect(classifyAwsError(err("Error", "@aws-sdk XML parse error: mismatched tags", 500), "iam:SimulatePrincipalPolicy")).toEqual({
      ok: false,
      reason: "error",
      message: "Error (HTTP 500): @aws-sdk XML parse error: mismatched tags",
      needs: "The call behind iam:SimulatePrincipalPolicy failed with an answer verify could not use, so nothing was concluded from it: re-run, and if it persists check that endpoint and iam:SimulatePrincipalPolicy by hand.",
    });
  });
});
