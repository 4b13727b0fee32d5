/**
 * Smoke tests for the sandbox servers: each one really starts, really answers like the
 * real thing, counts what reached it, and really stops. No timings are asserted.
 */
import { spawn } from "node:child_process";
import { Resolver } from "node:dns/promises";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nodemailer from "nodemailer";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { createTestCa, createUntrustedCert, type TestCa, type UntrustedCert } from "./ca";
import { startDns, startServfailDns, startSilentDns, type DnsSandbox } from "./dns";
import { startMoto, type MotoSandbox } from "./moto";
import { startClosedPort, startSilentTcp, startSmtp, type SmtpSandbox } from "./smtp";

type ErrorWithCode = Error & { code?: string };
type SmtpError = ErrorWithCode & { responseCode?: number; response?: string; command?: string };
type AwsError = Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

async function rejection<T extends Error>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

function resolverFor(server: string, timeoutMs = 2_000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  return resolver;
}

const ZONE = `
@                     IN MX    10 inbound-smtp.us-east-1.amazonaws.com.
@                     IN TXT   "v=spf1 include:amazonses.com ~all"
_dmarc                IN TXT   "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"
tok1._domainkey       IN CNAME tok1.dkim.amazonses.com.
mail                  IN MX    10 feedback-smtp.us-east-1.amazonses.com.
mail                  IN TXT   "v=spf1 include:amazonses.com ~all"
`;

describe("dns sandbox (nsd)", () => {
  let dns: DnsSandbox;
  beforeAll(async () => {
    dns = await startDns({ zones: [{ origin: "example.com", text: ZONE }], delayMs: 10 });
  });
  afterAll(async () => {
    await dns?.stop();
  });

  it("answers MX, TXT and CNAME from the zone, counting each query at the proxy", async () => {
    const resolver = resolverFor(dns.server);
    // Node 24 adds `type: "MX"` to each answer, so compare the fields that matter.
    const mx = await resolver.resolveMx("example.com");
    expect(mx.map(({ exchange, priority }) => ({ exchange, priority }))).toEqual([
      { exchange: "inbound-smtp.us-east-1.amazonaws.com", priority: 10 },
    ]);
    await expect(resolver.resolveTxt("mail.example.com")).resolves.toEqual([["v=spf1 include:amazonses.com ~all"]]);
    await expect(resolver.resolveCname("tok1._domainkey.example.com")).resolves.toEqual(["tok1.dkim.amazonses.com"]);
    expect(dns.queryCount()).toBe(3);
    expect(dns.queries().map((q) => `${q.type} ${q.name}`)).toEqual([
      "MX example.com",
      "TXT mail.example.com",
      "CNAME tok1._domainkey.example.com",
    ]);

    dns.resetQueries();
    await expect(resolver.resolveTxt("nothing-here.example.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(dns.queryCount()).toBe(1);
  });

  it("refuses a broken zone with nsd-checkzone's message", async () => {
    const error = await rejection<Error>(
      startDns({ zones: [{ origin: "broken.test", text: "www IN CNAME\n" }] }),
    );
    expect(error.message).toMatch(/zone broken\.test does not load/);
  });

  it("SERVFAIL server answers every query with SERVFAIL", async () => {
    const servfail = await startServfailDns();
    try {
      const error = await rejection<ErrorWithCode>(resolverFor(servfail.server).resolveTxt("example.com"));
      expect(error.code).toBe("ESERVFAIL");
      expect(servfail.queryCount()).toBeGreaterThanOrEqual(1);
    } finally {
      await servfail.stop();
    }
  });

  it("silent server receives the query and never answers", async () => {
    const silent = await startSilentDns();
    try {
      const error = await rejection<ErrorWithCode>(resolverFor(silent.server, 300).resolveTxt("example.com"));
      expect(error.code).toBe("ETIMEOUT");
      expect(silent.queries()).toEqual([{ name: "example.com", type: "TXT", transport: "udp" }]);
    } finally {
      await silent.stop();
    }
  });

  it("stop() ends nsd, and nsd dies with the process that started it even on SIGKILL", async () => {
    const script = path.join(__dirname, "fixtures", "orphan-dns.ts");
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
    const nsdPort = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        const match = /NSD_PORT=(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`fixture exited early with code ${code}`)));
    });
    const direct = resolverFor(`127.0.0.1:${nsdPort}`, 300);
    await expect(direct.resolveMx("example.com")).resolves.toHaveLength(1);

    child.kill("SIGKILL");
    // Poll (not a timing assertion): nsd needs a moment to notice and shut down.
    let answered = true;
    for (const deadline = Date.now() + 10_000; answered && Date.now() < deadline; ) {
      answered = await direct.resolveMx("example.com").then(
        () => true,
        () => false,
      );
      if (answered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answered).toBe(false);
  });
});

describe("smtp sandbox (smtp-server, STARTTLS, SES v4 passwords)", () => {
  const region = "us-east-1";
  const keys = {
    AKIASANDBOXKEY000001: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1",
    AKIASANDBOXKEY000002: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY2",
  };
  const goodPassword = deriveSmtpPasswordV4(keys.AKIASANDBOXKEY000001, region);
  let ca: TestCa;
  let untrusted: UntrustedCert;
  let smtp: SmtpSandbox;

  const transport = (
    port: number,
    auth: { user: string; pass: string },
    extra: { ignoreTLS?: boolean; greetingTimeout?: number } = {},
  ) =>
    nodemailer.createTransport({
      host: "127.0.0.1",
      port,
      secure: false,
      requireTLS: !extra.ignoreTLS,
      ignoreTLS: extra.ignoreTLS ?? false,
      auth,
      greetingTimeout: extra.greetingTimeout,
      tls: { ca: ca.caCertPem, servername: `email-smtp.${region}.amazonaws.com` },
    });

  beforeAll(async () => {
    [ca, untrusted] = await Promise.all([createTestCa(), createUntrustedCert()]);
    smtp = await startSmtp({ keys, region, tls: ca.server });
  });
  afterAll(async () => {
    await smtp?.stop();
    await ca?.cleanup();
    await untrusted?.cleanup();
  });

  it("greets like SES and advertises STARTTLS on plain TCP", async () => {
    const lines = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(smtp.port, smtp.host);
      let text = "";
      let state: "greeting" | "ehlo" | "quit" = "greeting";
      socket.on("data", (chunk) => {
        text += chunk.toString("utf8");
        if (state === "greeting" && /^220 .*\r\n/.test(text)) {
          state = "ehlo";
          socket.write("EHLO client.test\r\n");
        } else if (state === "ehlo" && /^250 /m.test(text)) {
          state = "quit";
          socket.end("QUIT\r\n");
        }
      });
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(lines).toMatch(/^220 email-smtp\.us-east-1\.amazonaws\.com ESMTP/);
    expect(lines).toMatch(/^250[- ]STARTTLS/m);
  });

  it("accepts the SES v4 password after STARTTLS with the CA trusted", async () => {
    smtp.reset();
    await expect(transport(smtp.port, { user: "AKIASANDBOXKEY000001", pass: goodPassword }).verify()).resolves.toBe(true);
    expect(smtp.connections()).toBe(1);
    expect(smtp.authAttempts()).toEqual([{ username: "AKIASANDBOXKEY000001", method: "PLAIN", success: true, secure: true }]);
  });

  it("answers 535 Authentication Credentials Invalid for a wrong password or unknown key", async () => {
    smtp.reset();
    const wrong = await rejection<SmtpError>(
      transport(smtp.port, { user: "AKIASANDBOXKEY000001", pass: deriveSmtpPasswordV4(keys.AKIASANDBOXKEY000001, "eu-west-1") }).verify(),
    );
    expect(wrong.code).toBe("EAUTH");
    expect(wrong.responseCode).toBe(535);
    expect(wrong.response).toBe("535 Authentication Credentials Invalid");

    const unknown = await rejection<SmtpError>(transport(smtp.port, { user: "AKIAUNKNOWN000000000", pass: goodPassword }).verify());
    expect(unknown.responseCode).toBe(535);
    expect(smtp.authAttempts().map((a) => [a.username, a.success])).toEqual([
      ["AKIASANDBOXKEY000001", false],
      ["AKIAUNKNOWN000000000", false],
    ]);
    expect(JSON.stringify(smtp.authAttempts())).not.toContain(goodPassword);
  });

  it("refuses AUTH before STARTTLS", async () => {
    smtp.reset();
    const error = await rejection<SmtpError>(
      transport(smtp.port, { user: "AKIASANDBOXKEY000001", pass: goodPassword }, { ignoreTLS: true }).verify(),
    );
    expect(error.responseCode).toBe(538);
    expect(smtp.authAttempts()).toEqual([]);
  });

  it("keeps sent messages in memory", async () => {
    smtp.reset();
    const info = await transport(smtp.port, { user: "AKIASANDBOXKEY000002", pass: deriveSmtpPasswordV4(keys.AKIASANDBOXKEY000002, region) }).sendMail({
      from: "sender@example.com",
      to: "someone@example.org",
      subject: "sandbox test",
      text: "hello",
    });
    expect(info.accepted).toEqual(["someone@example.org"]);
    const [message] = smtp.messages();
    expect(message).toMatchObject({ user: "AKIASANDBOXKEY000002", from: "sender@example.com", to: ["someone@example.org"] });
    expect(message?.raw).toContain("Subject: sandbox test");
  });

  it("fails certificate validation when the server presents an untrusted certificate", async () => {
    const bad = await startSmtp({ keys, region, tls: untrusted });
    try {
      const error = await rejection<SmtpError>(transport(bad.port, { user: "AKIASANDBOXKEY000001", pass: goodPassword }).verify());
      expect(error.message).toMatch(/self[- ]signed certificate/);
      expect(bad.authAttempts()).toEqual([]);
    } finally {
      await bad.stop();
    }
  });

  it("works the same behind the reply-delay relay", async () => {
    const slow = await startSmtp({ keys, region, tls: ca.server, replyDelayMs: 20 });
    try {
      await expect(transport(slow.port, { user: "AKIASANDBOXKEY000001", pass: goodPassword }).verify()).resolves.toBe(true);
      expect(slow.connections()).toBe(1);
      expect(slow.authAttempts()).toHaveLength(1);
    } finally {
      await slow.stop();
    }
  });

  it("closed port refuses, silent TCP never greets", async () => {
    const closed = await startClosedPort();
    const refused = await rejection<SmtpError>(transport(closed.port, { user: "x", pass: "y" }).verify());
    expect(refused.code).toBe("ESOCKET");
    expect(refused.message).toMatch(/ECONNREFUSED/);

    const silent = await startSilentTcp();
    try {
      const timedOut = await rejection<SmtpError>(
        transport(silent.port, { user: "x", pass: "y" }, { greetingTimeout: 300 }).verify(),
      );
      expect(timedOut.code).toBe("ETIMEDOUT");
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.stop();
    }
  });
});

describe("moto sandbox (IAM, STS, Secrets Manager)", () => {
  let moto: MotoSandbox;
  let throttled: MotoSandbox;
  const credentials = { accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox-secret" };

  beforeAll(async () => {
    [moto, throttled] = await Promise.all([startMoto(), startMoto({ throttle: { everyNth: 2 }, delayMs: 5 })]);
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), throttled?.stop()]);
  });

  it("creates a user and access keys, enforces the 2-key limit, 500s SimulatePrincipalPolicy", async () => {
    // maxAttempts 1: the SDK counts LimitExceededException and HTTP 500 as retryable.
    const iam = new IAMClient({ endpoint: moto.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: "ses-smtp" }));
    const first = await iam.send(new CreateAccessKeyCommand({ UserName: "ses-smtp" }));
    expect(first.AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(first.AccessKey?.SecretAccessKey).toHaveLength(40);
    await iam.send(new CreateAccessKeyCommand({ UserName: "ses-smtp" }));

    const third = await rejection<AwsError>(iam.send(new CreateAccessKeyCommand({ UserName: "ses-smtp" })));
    expect(third.name).toBe("LimitExceededException");
    expect(third.$metadata?.httpStatusCode).toBe(400);

    const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: first.AccessKey?.AccessKeyId }));
    expect(lastUsed.AccessKeyLastUsed).toMatchObject({ ServiceName: "N/A", Region: "N/A" });

    const simulate = await rejection<AwsError>(
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: "arn:aws:iam::123456789012:user/ses-smtp",
          ActionNames: ["ses:SendRawEmail"],
        }),
      ),
    );
    expect(simulate.$metadata?.httpStatusCode).toBe(500);
    expect(moto.calls()).toBe(6);

    await moto.reset();
    expect(moto.calls()).toBe(0);
    const again = await iam.send(new CreateUserCommand({ UserName: "ses-smtp" }));
    expect(again.User?.UserName).toBe("ses-smtp");
  });

  it("throttles every 2nd request with real AWS errors that the SDK retries to success", async () => {
    const config = { endpoint: throttled.endpoint, region: "us-east-1", credentials };
    const iam = new IAMClient(config);
    const created = await iam.send(new CreateUserCommand({ UserName: "relay" })); // request 1: passes
    expect(created.$metadata.attempts).toBe(1);
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: "relay" })); // 2 throttled, 3 passes
    expect(key.$metadata.attempts).toBe(2);
    expect(key.AccessKey?.UserName).toBe("relay");

    const sts = new STSClient(config);
    const identity = await sts.send(new GetCallerIdentityCommand({})); // 4 throttled, 5 passes
    expect(identity.$metadata.attempts).toBe(2);
    expect(identity.Account).toMatch(/^\d{12}$/);

    const secrets = new SecretsManagerClient(config);
    const secret = await secrets.send(new CreateSecretCommand({ Name: "mail/smtp", SecretString: "v1" })); // 6 throttled, 7
    expect(secret.$metadata.attempts).toBe(2);
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: "mail/smtp" })); // 8 throttled, 9
    expect(value.SecretString).toBe("v1");

    expect(throttled.calls()).toBe(9);
    expect(throttled.throttledCalls()).toBe(4);
    expect(throttled.callLog().map((c) => `${c.service}:${c.action}:${c.throttled ? "throttled" : "ok"}`)).toEqual([
      "iam:CreateUser:ok",
      "iam:CreateAccessKey:throttled",
      "iam:CreateAccessKey:ok",
      "sts:GetCallerIdentity:throttled",
      "sts:GetCallerIdentity:ok",
      "secretsmanager:CreateSecret:throttled",
      "secretsmanager:CreateSecret:ok",
      "secretsmanager:GetSecretValue:throttled",
      "secretsmanager:GetSecretValue:ok",
    ]);
  });

  it("stop() ends the moto process", async () => {
    const extra = await startMoto();
    const url = `${extra.directEndpoint}/moto-api/`;
    expect((await fetch(url)).status).toBe(200);
    await extra.stop();
    await expect(fetch(url)).rejects.toThrow();
  });
});
