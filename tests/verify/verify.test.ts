/**
 * runVerify in-process against real loopback servers (nsd, moto, SES-like SMTP) and SES v2
 * shaped like its API reference: a healthy world passes every layer; each single breakage
 * fails exactly its own check(s); the fault matrix gives inconclusive findings that name what
 * is missing; throttling is retried to a complete report; discovery finds the same world.
 */
import { DeleteAccessKeyCommand, CreateAccessKeyCommand, GetAccessKeyLastUsedCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimCnameName, mailFromMxHost } from "../../lib/regions";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { configurationSetName } from "../../lib/names";
import { exitCodeFor, type Finding } from "../../lib/verify/findings";
import { discoverManifest } from "../../scripts/verify/discover";
import { formatJson, formatText } from "../../scripts/verify/report";
import { runVerify } from "../../scripts/verify/run";
import { startClosedPort, startServfailDns, startSilentDns, startSilentTcp } from "../sandbox";
import { suppressedDestination } from "./aws-fakes";
import { createWorld, REGIONS, replaceOnce, type SharedServers, startShared, type World, type WorldOptions } from "./world";

let shared: SharedServers;
beforeAll(async () => {
  shared = await startShared();
});
afterAll(async () => {
  await shared?.stop();
});

/**
 * A world whose every verify run is checked for leaked secrets: the findings rendered as the
 * CLI would (human with all evidence, and JSON), WITHOUT the report's last-resort scrub.
 */
async function withWorld<T>(options: WorldOptions, fn: (w: World) => Promise<T>): Promise<T> {
  const w = await createWorld(shared, options);
  const verify = w.verify;
  w.verify = async (o) => {
    const r = await verify(o);
    expectNoSecrets(w, r.findings);
    return r;
  };
  try {
    return await fn(w);
  } finally {
    await w.stop();
  }
}

const nonPass = (fs: readonly Finding[]) => fs.filter((f) => f.status !== "pass");
const nonPassIds = (fs: readonly Finding[]) => nonPass(fs).map((f) => f.id);

/** The findings themselves, rendered human (verbose) and as JSON, before the report's scrub, carry no secret value. */
function expectNoSecrets(w: World, fs: readonly Finding[]): void {
  const layers = ["ses", "dns", "smtp", "relay"] as const;
  const outputs = [formatText(fs, { target: "test", layers, verbose: true, color: false }), formatJson(fs, { target: "test", layers })];
  for (const out of outputs) for (const secret of w.secrets()) expect(out.includes(secret), "a secret value is in the report").toBe(false);
}

const HEALTHY_IDS = [
  "ses.account.sending",
  "ses.account.production",
  "ses.account.enforcement",
  "ses.account.quota",
  "ses.account.suppression",
  "ses.identity.verified",
  "ses.identity.dkim",
  "ses.identity.mail-from",
  "ses.identity.configuration-set",
  "ses.configuration-set",
  "ses.configuration-set.events",
  "ses.recipient.suppression",
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
  "smtp.secret",
  "smtp.key",
  "smtp.password",
  "smtp.auth",
  "smtp.permission",
  "smtp.send-test",
  "relay.credentials",
];

describe("a healthy world", () => {
  it("passes every check of every layer", async () => {
    await withWorld({}, async (w) => {
      const r = await w.verify({ recipients: ["someone@example.org"], sendTest: true, secretKey: w.secretAccessKey });
      expect(nonPass(r.findings)).toEqual([]);
      expect([...new Set(r.findings.map((f) => f.id))].sort()).toEqual([...HEALTHY_IDS].sort());
      // One finding per subject: 2 regions of account/identity/config set checks, 3 SPF names...
      const count = (id: string) => r.findings.filter((f) => f.id === id).length;
      expect([count("ses.identity.verified"), count("dns.dkim"), count("dns.spf.record"), count("smtp.auth"), count("relay.credentials")]).toEqual([2, 2, 3, 2, 1]);
      // The real program's records, served by nsd, read back through the collectors.
      expect(r.findings.find((f) => f.id === "ses.configuration-set.events")?.evidence[0]).toBe(
        `sns-feedback: BOUNCE, COMPLAINT, REJECT, DELIVERY_DELAY, RENDERING_FAILURE -> ${w.manifest.domains[0].regions[0].eventTopicArn}`,
      );
      // --send-test really reached the SMTP servers, once per region, with the stored username.
      expect(REGIONS.map((reg) => w.smtp[reg].messages().map((m) => [m.user, m.to.join()]))).toEqual([
        [[w.manifest.smtp.accessKeyId, "success@simulator.amazonses.com"]],
        [[w.manifest.smtp.accessKeyId, "success@simulator.amazonses.com"]],
      ]);
      expect(r.secrets).toEqual(expect.arrayContaining([w.secretAccessKey, ...Object.values(w.stored.regions).map((x) => x.password)]));
    });
  });
});

describe("each single breakage fails exactly its own check", () => {
  it("a missing DKIM CNAME: dns.dkim in that region", async () => {
    await withWorld(
      {
        zones: (z, m) => {
          const name = dkimCnameName(m.domains[0].regions[0].dkimTokens[1], "example.com");
          z["example.com"] = replaceOnce(z["example.com"], new RegExp(`^${name.replace(/\./g, "\\.")}\\..*\\n`, "m"), "");
        },
      },
      async (w) => {
        const r = await w.verify();
        expect(nonPassIds(r.findings)).toEqual(["dns.dkim"]);
        const [f] = nonPass(r.findings);
        expect([f.status, f.subject, f.summary]).toEqual(["fail", "example.com DKIM (us-east-1)", "1 of 3 DKIM CNAMEs are missing or wrong: SES cannot sign with this domain in us-east-1"]);
        expect(f.evidence).toContain(`${dkimCnameName(w.manifest.domains[0].regions[0].dkimTokens[1], "example.com")}: no CNAME (NXDOMAIN); expected ${w.manifest.domains[0].regions[0].dkimTokens[1]}.dkim.amazonses.com`);
      },
    );
  });

  it("a second SPF record at the apex: dns.spf.record", async () => {
    await withWorld({ zones: (z) => (z["example.com"] += `example.com. 600 IN TXT "v=spf1 include:_spf.google.com ~all"\n`) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["dns.spf.record"]);
      const [f] = nonPass(r.findings);
      expect([f.status, f.subject, f.summary]).toEqual(["fail", "example.com", "example.com has 2 SPF records: receivers treat that as a permanent error (RFC 7208 4.5)"]);
      expect(f.evidence).toEqual(expect.arrayContaining(["found: v=spf1 include:_spf.example.net ~all", "found: v=spf1 include:_spf.google.com ~all"]));
    });
  });

  it("an include chain over 10 lookups: dns.spf.lookups, naming the include that spends them", async () => {
    await withWorld({ zones: (z) => (z["example.net"] = replaceOnce(z["example.net"], /^_spf +IN TXT .*$/m, `_spf IN TXT "v=spf1 include:deep.example.net ~all"`)) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["dns.spf.lookups"]);
      const [f] = nonPass(r.findings);
      expect([f.status, f.subject, f.summary]).toEqual(["fail", "example.com", "SPF needs 14 DNS lookups; the limit is 10, so receivers return permerror and SPF fails"]);
      expect(f.evidence).toEqual(["include:_spf.example.net costs 14"]);
      expect(f.remediation).toMatch(/costliest include \(include:_spf.example.net\)/);
    });
  });

  it("void lookups in an include: dns.spf.void (a permerror, so a failure)", async () => {
    await withWorld({ zones: (z) => (z["example.net"] = replaceOnce(z["example.net"], /^_spf +IN TXT .*$/m, `_spf IN TXT "v=spf1 include:voids.example.net ~all"`)) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["dns.spf.void"]);
      const [f] = nonPass(r.findings);
      expect([f.status, f.summary, f.evidence]).toEqual(["fail", "3 void lookups; more than 2 is a permerror (RFC 7208 4.6.4), so SPF fails for all mail", ["a:gone1.example.net", "a:gone2.example.net", "exists:gone3.example.net"]]);
    });
  });

  it("an MX pointing at the wrong region: dns.mail-from.mx", async () => {
    await withWorld({ zones: (z) => (z["example.com"] = replaceOnce(z["example.com"], `MX    10 ${mailFromMxHost("us-east-1")}.`, `MX    10 ${mailFromMxHost("us-west-2")}.`)) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["dns.mail-from.mx"]);
      const [f] = nonPass(r.findings);
      expect([f.status, f.subject, f.summary]).toEqual(["fail", "bounce.example.com (us-east-1)", "MX points at us-west-2's feedback host, but this MAIL FROM sends from us-east-1"]);
      expect(f.evidence).toEqual([`expected 10 ${mailFromMxHost("us-east-1")}, found 10 ${mailFromMxHost("us-west-2")}`]);
    });
  });

  it("p=none: dns.dmarc.policy (a warning), not drift as well", async () => {
    await withWorld({ zones: (z) => (z["example.com"] = replaceOnce(z["example.com"], "p=quarantine", "p=none")) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["dns.dmarc.policy"]);
      expect(nonPass(r.findings)[0]).toMatchObject({ status: "warn", summary: "p=none: receivers report but never act on failing mail" });
    });
  });

  it("a record changed by hand that still passes its rules: dns.drift (a warning)", async () => {
    await withWorld({ zones: (z) => (z["example.com"] = replaceOnce(z["example.com"], `"v=spf1 include:_spf.example.net ~all"`, `"v=spf1 include:_spf.example.net ip4:203.0.113.9 ~all"`)) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["dns.drift"]);
      expect(nonPass(r.findings)[0]).toMatchObject({ status: "warn", subject: "TXT example.com", summary: "differs from what the stack declares" });
    });
  });

  it("a stale password (derived from another key) for one region: smtp.auth there, and smtp.password when the key is supplied", async () => {
    await withWorld({ secret: (v) => (v.regions["us-west-2"].password = deriveSmtpPasswordV4("another/secret/key/not/the/current/one00", "us-west-2")) }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["smtp.auth"]);
      const [f] = nonPass(r.findings);
      expect([f.status, f.subject]).toEqual(["fail", "email-smtp.us-west-2.amazonaws.com:587 (us-west-2)"]);
      expect(f.summary).toMatch(/^AUTH rejected \(535\) in \d+ ms: the stored password does not work in us-west-2$/);
      const west = w.smtpEndpoints["us-west-2"];
      expect(f.evidence).toEqual([
        `username ${w.manifest.smtp.accessKeyId}`,
        "server said: 535 Authentication Credentials Invalid",
        `connected to ${west.host}:${west.port} (override for email-smtp.us-west-2.amazonaws.com)`,
      ]);

      const withKey = await w.verify({ secretKey: w.secretAccessKey });
      expect(nonPassIds(withKey.findings)).toEqual(["smtp.password", "smtp.auth"]);
      expect(nonPass(withKey.findings)[0].summary).toBe("the stored password for us-west-2 is not derived from this key");
    });
  });

  it("a deactivated key: smtp.key, and SMTP AUTH in both regions (SES refuses an inactive key)", async () => {
    await withWorld({ moto: (ctx) => ctx.iam.send(new UpdateAccessKeyCommand({ UserName: ctx.user, AccessKeyId: ctx.accessKeyId, Status: "Inactive" })).then(() => undefined) }, async (w) => {
      const r = await w.verify();
      // The relay (in us-east-1) cannot work with rejected credentials: a warning that points back at smtp.
      expect(nonPassIds(r.findings)).toEqual(["smtp.key", "smtp.auth", "smtp.auth", "relay.credentials"]);
      const [key, ...rest] = nonPass(r.findings);
      expect([key.status, key.summary]).toEqual(["fail", "the key is Inactive: SES rejects every login with it"]);
      expect(key.remediation).toContain(`aws iam update-access-key --user-name ${w.manifest.smtp.user} --access-key-id ${w.manifest.smtp.accessKeyId} --status Active`);
      expect(rest.map((f) => f.status)).toEqual(["fail", "fail", "warn"]);
      expect(rest[2].summary).toBe("the stored credentials for us-east-1 are rejected (see smtp.auth): this relay cannot work with them either");
    });
  });

  it("a rotated key whose secret was not rewritten: smtp.key names the stale secret, AUTH fails", async () => {
    await withWorld(
      {
        moto: async (ctx) => {
          const next = await ctx.iam.send(new CreateAccessKeyCommand({ UserName: ctx.user }));
          ctx.keys.set(next.AccessKey?.AccessKeyId ?? "", next.AccessKey?.SecretAccessKey ?? "");
          await ctx.iam.send(new DeleteAccessKeyCommand({ UserName: ctx.user, AccessKeyId: ctx.accessKeyId }));
        },
      },
      async (w) => {
        const r = await w.verify();
        expect(nonPassIds(r.findings)).toEqual(["smtp.key", "smtp.auth", "smtp.auth", "relay.credentials"]);
        // relay.credentials cannot judge without the current key (the rotation time is unknown): inconclusive, pointing at smtp.key.
        expect(nonPass(r.findings).map((f) => f.status)).toEqual(["fail", "fail", "fail", "inconclusive"]);
        expect(nonPass(r.findings)[3].remediation).toBe("Fix the smtp.key check first.");
        expect(nonPass(r.findings)[0].summary).toBe(`the secret's username ${w.stored.username} is not an access key of ${w.manifest.smtp.user}: the secret is stale`);
      },
    );
  });

  it("an identity still pending: ses.identity.verified", async () => {
    await withWorld(
      {
        ses: (fake) => {
          const id = fake.region("us-east-1").identities.get("example.com")!;
          id.VerifiedForSendingStatus = false;
          id.VerificationStatus = "PENDING";
          id.DkimAttributes = { ...id.DkimAttributes, Status: "PENDING" };
        },
      },
      async (w) => {
        const r = await w.verify();
        expect(nonPassIds(r.findings)).toEqual(["ses.identity.verified"]);
        expect(nonPass(r.findings)[0]).toMatchObject({ status: "fail", subject: "example.com in us-east-1", summary: "not verified for sending (status PENDING)" });
      },
    );
  });

  it("a verified identity whose DKIM failed: ses.identity.dkim fails (the identity is not healthy)", async () => {
    await withWorld({ ses: (fake) => (fake.region("us-west-2").identities.get("example.com")!.DkimAttributes!.Status = "FAILED") }, async (w) => {
      const r = await w.verify();
      expect(nonPassIds(r.findings)).toEqual(["ses.identity.dkim"]);
      expect(nonPass(r.findings)[0]).toMatchObject({ status: "fail", subject: "example.com in us-west-2" });
      expect(nonPass(r.findings)[0].summary).toMatch(/^DKIM status FAILED: /);
    });
  });

  it("a suppressed recipient: ses.recipient.suppression in that region", async () => {
    await withWorld({ ses: (fake) => fake.region("us-east-1").suppressed.set("bounced@example.org", suppressedDestination("bounced@example.org", "BOUNCE")) }, async (w) => {
      const r = await w.verify({ recipients: ["someone@example.org", "Bounced@example.org"] });
      expect(nonPassIds(r.findings)).toEqual(["ses.recipient.suppression"]);
      const [f] = nonPass(r.findings);
      expect([f.status, f.subject, f.summary]).toEqual(["fail", "Bounced@example.org in us-east-1", "on the suppression list since 2026-03-02T08:30:00.000Z (reason BOUNCE): SES drops mail to it without trying"]);
      expect(r.findings.filter((x) => x.id === "ses.recipient.suppression")).toHaveLength(4);
    });
  });

  it("the sandbox account: ses.account.production", async () => {
    await withWorld(
      {
        ses: (fake) => {
          const a = fake.region("us-west-2").account;
          a.ProductionAccessEnabled = false;
          a.SendQuota = { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 12 };
          delete a.Details;
        },
      },
      async (w) => {
        const r = await w.verify();
        expect(nonPassIds(r.findings)).toEqual(["ses.account.production"]);
        expect(nonPass(r.findings)[0]).toMatchObject({ status: "fail", subject: "account in us-west-2" });
        expect(nonPass(r.findings)[0].summary).toMatch(/in the SES sandbox in us-west-2/);
      },
    );
  });
});

describe("the fault matrix gives inconclusive findings that say what is missing", () => {
  const DNS_IDS = ["dns.dkim", "dns.dkim", "dns.mail-from.mx", "dns.mail-from.mx", "dns.spf.record", "dns.spf.record", "dns.spf.record", "dns.dmarc.record"];

  it("DNS that does not answer", async () => {
    const silent = await startSilentDns();
    try {
      await withWorld({}, async (w) => {
        const r = await w.verify({ dnsServers: [silent.server], dnsTimeoutMs: 300, dnsTries: 1 });
        const bad = nonPass(r.findings);
        expect(bad.map((f) => f.id)).toEqual(DNS_IDS);
        expect(new Set(bad.map((f) => f.status))).toEqual(new Set(["inconclusive"]));
        expect(bad[0].summary).toMatch(new RegExp(`^could not check .*: (CNAME|MX|TXT) \\S+: no answer from ${silent.server.replace(/\./g, "\\.")}$`));
        expect(bad[0].remediation).toBe(`DNS at ${silent.server} did not answer: check the resolver or pass --dns-server, or raise --timeout.`);
      });
    } finally {
      await silent.stop();
    }
  });

  it("SERVFAIL", async () => {
    const servfail = await startServfailDns();
    try {
      await withWorld({}, async (w) => {
        const r = await w.verify({ dnsServers: [servfail.server], dnsTries: 1 });
        const bad = nonPass(r.findings);
        expect(bad.map((f) => `${f.id} ${f.status}`)).toEqual(DNS_IDS.map((id) => `${id} inconclusive`));
        expect(bad.every((f) => f.summary.endsWith(`: SERVFAIL from ${servfail.server}`))).toBe(true);
        expect(bad[0].remediation).toMatch(/could not get an answer \(SERVFAIL\)/);
      });
    } finally {
      await servfail.stop();
    }
  });

  it("an SMTP port that is closed", async () => {
    const closed = await startClosedPort();
    await withWorld({}, async (w) => {
      const r = await w.verify({ smtpEndpoints: { "*": { host: closed.host, port: closed.port } }, sendTest: true });
      const bad = nonPass(r.findings);
      // Both regions were pointed at the same closed port: one cause, reported once.
      expect(bad.map((f) => `${f.id} ${f.status}`)).toEqual(["smtp.auth inconclusive"]);
      expect(bad[0].blocked).toEqual([{ layer: "smtp", id: "smtp.auth", subject: "email-smtp.us-west-2.amazonaws.com:587 (us-west-2)", status: "inconclusive" }]);
      expect(bad[0].summary).toBe(`could not check SMTP AUTH: connection to ${closed.host}:${closed.port} refused (override for email-smtp.us-east-1.amazonaws.com)`);
      expect(bad[0].remediation).toMatch(new RegExp(`^Nothing listens on ${closed.host}:${closed.port}: outbound port ${closed.port} may be blocked`));
    });
  });

  it("an SMTP server that never answers", async () => {
    const silent = await startSilentTcp();
    try {
      await withWorld({}, async (w) => {
        const r = await w.verify({ smtpEndpoints: { "us-west-2": { host: silent.host, port: silent.port }, "us-east-1": w.smtpEndpoints["us-east-1"] }, smtpTimeoutMs: 400 });
        const bad = nonPass(r.findings);
        expect(bad.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual(["smtp.auth inconclusive email-smtp.us-west-2.amazonaws.com:587 (us-west-2)"]);
        expect(bad[0].summary).toMatch(new RegExp(`^could not check SMTP AUTH: ${silent.host}:${silent.port} did not answer in time`));
        expect(bad[0].remediation).toMatch(/is silent: a firewall may drop port \d+; raise --timeout or check the network path/);
      });
    } finally {
      await silent.stop();
    }
  });

  it("a bad TLS certificate", async () => {
    await withWorld({ untrustedTls: ["us-east-1"] }, async (w) => {
      const r = await w.verify();
      const bad = nonPass(r.findings);
      expect(bad.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual(["smtp.auth inconclusive email-smtp.us-east-1.amazonaws.com:587 (us-east-1)"]);
      expect(bad[0].summary).toMatch(/could not check SMTP AUTH: TLS to 127\.0\.0\.1:\d+ failed: self[- ]signed certificate/);
      expect(bad[0].remediation).toBe("The server's certificate is not valid for email-smtp.us-east-1.amazonaws.com: check for TLS interception on the path, or trust the right CA with NODE_EXTRA_CA_CERTS.");
      expect(w.smtp["us-east-1"].authAttempts()).toEqual([]); // the password never left
    });
  });

  it("AWS AccessDenied on SES: every SES check inconclusive, naming the permission", async () => {
    await withWorld({ ses: (fake) => (fake.fault = { error: { name: "AccessDeniedException", status: 403 } }) }, async (w) => {
      const r = await w.verify({ recipients: ["someone@example.org"] });
      const bad = nonPass(r.findings);
      expect(bad.map((f) => `${f.id} ${f.status}`)).toEqual(
        ["ses.account.sending", "ses.account.sending", "ses.identity.verified", "ses.configuration-set", "ses.identity.verified", "ses.configuration-set", "ses.recipient.suppression", "ses.recipient.suppression"].map((id) => `${id} inconclusive`),
      );
      expect(r.findings.filter((f) => f.layer !== "ses").every((f) => f.status === "pass")).toBe(true);
      expect(bad.map((f) => f.remediation)).toEqual(
        expect.arrayContaining([
          "Grant ses:GetAccount to the credentials verify runs with (or use credentials that have it).",
          "Grant ses:GetEmailIdentity to the credentials verify runs with (or use credentials that have it).",
          "Grant ses:GetConfigurationSet to the credentials verify runs with (or use credentials that have it).",
          "Grant ses:GetSuppressedDestination to the credentials verify runs with (or use credentials that have it).",
        ]),
      );
      expect(bad[0].summary).toMatch(/^could not check the SES account: AccessDeniedException: User: .* is not authorized to perform: ses:GetAccount/);
    });
  });

  it("AWS AccessDenied on IAM and on Secrets Manager", async () => {
    const accessDenied = (action: string) =>
      Object.assign(new Error(`User: arn:aws:iam::123456789012:user/verify-readonly is not authorized to perform: ${action}`), { name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 } });
    await withWorld({}, async (w) => {
      const iam = await w.verify({
        prepare: (c) => {
          const stub = mockClient(c.aws.iam());
          stub.on(ListAccessKeysCommand).rejects(accessDenied("iam:ListAccessKeys"));
          stub.on(GetAccessKeyLastUsedCommand).rejects(accessDenied("iam:GetAccessKeyLastUsed"));
        },
      });
      // The relay check needs the same key list: one cause, the relay check listed under it.
      expect(nonPass(iam.findings).map((f) => `${f.id} ${f.status}`)).toEqual(["smtp.key inconclusive"]);
      expect(nonPass(iam.findings)[0].blocked?.map((b) => `${b.id} ${b.status}`)).toEqual(["relay.credentials inconclusive"]);
      expect(nonPass(iam.findings).map((f) => f.remediation)).toEqual(["Grant iam:ListAccessKeys to the credentials verify runs with (or use credentials that have it)."]);

      const sm = await w.verify({
        secretKey: w.secretAccessKey,
        prepare: (c) => {
          mockClient(c.aws.secrets("us-east-1")).on(GetSecretValueCommand).rejects(Object.assign(accessDenied("secretsmanager:GetSecretValue"), { name: "AccessDeniedException" }));
        },
      });
      const bad = nonPass(sm.findings);
      // The unreadable secret is the one cause; the password and AUTH checks it blocked are listed under it.
      expect(bad.map((f) => `${f.id} ${f.status}`)).toEqual(["smtp.secret inconclusive"]);
      expect(bad[0].blocked?.map((b) => `${b.id} ${b.status}`)).toEqual(["smtp.password inconclusive", "smtp.auth inconclusive", "smtp.auth inconclusive"]);
      expect(bad[0].remediation).toBe("Grant secretsmanager:GetSecretValue (and kms:Decrypt on its key) to the credentials verify runs with (or use credentials that have it).");
      expect(REGIONS.map((reg) => w.smtp[reg].connections())).toEqual([1, 1]); // only the first run had passwords to try
    });
  });

  it("moto's real HTTP 500 for SimulatePrincipalPolicy: smtp.permission inconclusive, not a crash", async () => {
    await withWorld({ simulation: { decision: "moto" } }, async (w) => {
      const r = await w.verify();
      const bad = nonPass(r.findings);
      expect(bad.map((f) => `${f.id} ${f.status}`)).toEqual(["smtp.permission inconclusive"]);
      expect(bad[0].summary).toMatch(/^could not check the user's permissions \(policy simulation\): Error \(HTTP 500\): /);
      expect(bad[0].remediation).toBe(
        "The call behind iam:SimulatePrincipalPolicy failed with an answer verify could not use, so nothing was concluded from it: re-run, and if it persists check that endpoint and iam:SimulatePrincipalPolicy by hand.",
      );
    });
  });

  it("a permanent throttle: the SDK retries each SES call, then inconclusive \"throttled\"", async () => {
    await withWorld({ sesTransport: "http", ses: (fake) => (fake.fault = { error: { name: "TooManyRequestsException", status: 429 }, operations: ["GetEmailIdentity"] }) }, async (w) => {
      const r = await w.verify({ maxAttempts: 2 });
      const bad = nonPass(r.findings);
      // The same throttling answer in both regions: one cause, the other region listed under it.
      expect(bad.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual(["ses.identity.verified inconclusive example.com in us-east-1"]);
      expect(bad[0].blocked?.map((b) => `${b.id} ${b.status} ${b.subject}`)).toEqual(["ses.identity.verified inconclusive example.com in us-west-2"]);
      expect(bad[0].summary).toBe(`could not check the identity: TooManyRequestsException after retries (contacted ${w.front.endpoint} from AWS_ENDPOINT_URL_SESV2)`);
      expect(bad[0].remediation).toBe("AWS kept throttling: re-run later or with fewer domains at once.");
      expect(w.ses.count("GetEmailIdentity")).toBe(4); // 2 identities x 2 attempts: the SDK really retried
    });
  });
});

describe("one root cause is reported once", () => {
  it("no AWS credentials: one finding, aws.credentials, listing the 12 checks it blocked", async () => {
    // Over HTTP, so every AWS call really goes through the SDK's credential chain.
    await withWorld({ sesTransport: "http" }, async (w) => {
      const saved = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      try {
        const r = await w.verify();
        const bad = nonPass(r.findings);
        expect(bad.map((f) => `${f.layer} ${f.id} ${f.status}`)).toEqual(["ses aws.credentials inconclusive"]);
        expect(bad[0]).toMatchObject({ subject: "AWS credentials", summary: "no AWS credentials were found, so no AWS check could be made" });
        expect(bad[0].remediation).toMatch(/^No AWS credentials were found: set AWS_PROFILE/);
        expect(bad[0].blocked?.map((b) => b.id)).toEqual([
          "ses.account.sending",
          "ses.account.sending",
          "ses.identity.verified",
          "ses.configuration-set",
          "ses.identity.verified",
          "ses.configuration-set",
          "smtp.secret",
          "smtp.key",
          "smtp.auth",
          "smtp.auth",
          "smtp.permission",
          "relay.credentials",
        ]);
        expect(new Set(bad[0].blocked?.map((b) => b.status))).toEqual(new Set(["inconclusive"]));
        expect(r.findings.filter((f) => f.layer === "dns").every((f) => f.status === "pass")).toBe(true);
        expect(exitCodeFor(r.findings)).toBe(1);
      } finally {
        Object.assign(process.env, saved);
      }
    });
  });

  it("a domain that does not exist in DNS: one failure, dns.domain, listing the record checks it blocked", async () => {
    await withWorld(
      {
        zones: (z) => {
          delete z["example.com"];
          z.com = ""; // nsd answers NXDOMAIN for every name under example.com
        },
      },
      async (w) => {
        const r = await w.verify({ layers: ["dns"] });
        const bad = nonPass(r.findings);
        expect(bad.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual(["dns.domain fail example.com"]);
        expect(bad[0].summary).toBe("example.com does not exist in DNS (NXDOMAIN), so none of its records can be found");
        expect(bad[0].remediation).toMatch(/that it is registered, and that its delegation points at name servers/);
        expect(bad[0].blocked?.map((b) => `${b.id} ${b.status}`)).toEqual(
          ["dns.dkim", "dns.dkim", "dns.mail-from.mx", "dns.mail-from.mx", "dns.spf.record", "dns.spf.record", "dns.spf.record", "dns.dmarc.record"].map((id) => `${id} fail`),
        );
      },
    );
  });
});

describe("throttling that eases", () => {
  let throttling: SharedServers;
  beforeAll(async () => {
    throttling = await startShared({ throttleEveryNth: 2 });
  });
  afterAll(async () => {
    await throttling?.stop();
  });

  it("moto throttles every 2nd request, SES every 3rd: the SDK's retries still give a complete report", async () => {
    const w = await createWorld(throttling, { sesTransport: "http", ses: (fake) => (fake.throttleEveryNth = 3) });
    try {
      const r = await w.verify({ recipients: ["someone@example.org"] });
      expect(nonPass(r.findings)).toEqual([]);
      expectNoSecrets(w, r.findings);
      expect(r.findings.length).toBeGreaterThan(40);
      expect(throttling.moto.throttledCalls()).toBeGreaterThan(0);
      expect(w.ses.throttled).toBeGreaterThan(0);
      // Retries are not repeated work: one logical call each, more requests on the wire.
      expect(r.collectors.aws.calls).toBe(14); // 10 SES + secret, key list, key last used, simulation
      expect(w.ses.calls.length).toBe(10 + w.ses.throttled);
    } finally {
      await w.stop();
    }
  });
});

describe("discovery mode", () => {
  it("builds the same world from AWS alone and verifies it", async () => {
    await withWorld({}, async (w) => {
      const c = w.collectors();
      try {
        const m = await discoverManifest({ domain: "example.com", regions: [...REGIONS], secretId: w.manifest.smtp.secretId }, c.aws);
        const want = w.manifest.domains[0];
        expect(m.domains[0].regions.map((r) => [r.region, r.dkimTokens, r.mailFromDomain, r.configurationSet, r.identityArn])).toEqual(
          want.regions.map((r) => [r.region, r.dkimTokens, r.mailFromDomain, r.configurationSet, r.identityArn]),
        );
        expect(m.smtp).toMatchObject({ user: w.manifest.smtp.user, userArn: w.manifest.smtp.userArn, accessKeyId: w.manifest.smtp.accessKeyId, secretRegion: "us-east-1" });
        expect(m.domains[0].records.filter((r) => r.purpose === "dkim").map((r) => r.values[0]).sort()).toEqual(want.records.filter((r) => r.purpose === "dkim").map((r) => r.values[0]).sort());

        const r = await runVerify(m, { layers: ["ses", "dns", "smtp"], recipients: [], smtpEndpoints: w.smtpEndpoints, sendTest: false }, c);
        // Discovery knows no sender, and the policy allows only the senders' From addresses: IAM
        // cannot be asked the question a real login asks, so the permission check says so (never a pass).
        expect(nonPass(r.findings).map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual([
          `smtp.permission inconclusive ${m.smtp.user} sending in us-east-1`,
          `smtp.permission inconclusive ${m.smtp.user} sending in us-west-2`,
        ]);
        expect(m.domains[0].regions.every((reg) => reg.unknown === undefined)).toBe(true);
        expect(new Set(r.findings.map((f) => f.layer))).toEqual(new Set(["ses", "dns", "smtp"]));
        expectNoSecrets(w, r.findings);
      } finally {
        c.aws.destroy();
      }
    });
  });

  it("SES cannot be read: it says what could not be determined and checks no DNS record against an invented value", async () => {
    await withWorld({ ses: (fake) => (fake.fault = { error: { name: "AccessDeniedException", status: 403 }, operations: ["GetEmailIdentity"] }) }, async (w) => {
      const c = w.collectors();
      try {
        const m = await discoverManifest({ domain: "example.com", regions: [...REGIONS] }, c.aws);
        const regions = m.domains[0].regions;
        expect(regions.map((r) => [r.mailFromDomain, r.configurationSet, r.configurationSetArn, r.dkimTokens])).toEqual(REGIONS.map(() => ["", "", "", []]));
        expect(regions.map((r) => Object.keys(r.unknown ?? {}).sort())).toEqual(REGIONS.map(() => ["configurationSet", "dkimTokens", "mailFromDomain"]));
        expect(regions[0].unknown?.mailFromDomain?.message).toMatch(/^MAIL FROM domain unknown: the SES identity could not be read \(AccessDeniedException: /);
        // None of this project's own names is assumed: no bounce.<domain>, no configuration set name.
        expect(m.domains[0].records).toEqual([]);
        const text = JSON.stringify(m);
        expect(text).not.toContain("bounce.example.com");
        expect(text).not.toContain(configurationSetName("example.com"));

        const r = await runVerify(m, { layers: ["ses", "dns"], recipients: [], sendTest: false }, c);
        const bad = nonPass(r.findings);
        // One finding per region (the denied read), listing what it left undetermined.
        expect(bad.map((f) => `${f.id} ${f.status} ${f.subject}`)).toEqual(REGIONS.map((reg) => `ses.identity.verified inconclusive example.com in ${reg}`));
        expect(bad[0].blocked?.map((b) => `${b.id} ${b.status} ${b.subject}`)).toEqual([
          "ses.configuration-set inconclusive configuration set (unknown) in us-east-1",
          "dns.dkim inconclusive example.com DKIM (us-east-1)",
          "dns.mail-from.mx inconclusive MAIL FROM (us-east-1)",
        ]);
        // No MAIL FROM name was checked at all; the apex SPF and DMARC still were.
        expect(r.findings.some((f) => f.subject.startsWith("bounce"))).toBe(false);
        expect(r.findings.filter((f) => f.id === "dns.spf.record").map((f) => `${f.subject} ${f.status}`)).toEqual(["example.com pass"]);
        expect(r.findings.find((f) => f.id === "dns.dmarc.record")?.status).toBe("pass");
      } finally {
        c.aws.destroy();
      }
    });
  });
});
