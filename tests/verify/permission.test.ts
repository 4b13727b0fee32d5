/**
 * smtp.permission asks IAM the question a real SMTP login asks: SendRawEmail on the sender's
 * identity and configuration set in its region, with its address as ses:FromAddress. The
 * answers come from tests/verify/iam-evaluator.ts evaluating the policy lib/iam.ts writes (pure
 * tests) or the user's policies as moto holds them (world tests), never from a chosen verdict.
 */
import { DeleteUserPolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sesArn, smtpSendPolicy } from "../../lib/iam";
import type { Manifest } from "../../lib/manifest";
import { observed } from "../../lib/verify/findings";
import { checkPermissions, checkSmtpLayer, simulationQuestions, type SimulationQuestion, type SimulationResult, unknownSmtpUser } from "../../scripts/verify/layers/smtp/check";
import { type SimulationRequest } from "./aws-fakes";
import { evaluatePolicies, type PolicySource } from "./iam-evaluator";
import { createWorld, programManifest, type SharedServers, startShared, type World, type WorldOptions } from "./world";

const ACCOUNT = "123456789012";
const ARN = (region: string, kind: "identity" | "configuration-set", name: string) => sesArn(region, ACCOUNT, kind, name);
const EAST = [ARN("us-east-1", "identity", "example.com"), ARN("us-east-1", "configuration-set", "mail-infra-example-com")];
const WEST = [ARN("us-west-2", "identity", "example.com"), ARN("us-west-2", "configuration-set", "mail-infra-example-com")];
const POLICY: PolicySource = { id: "ses-send-raw-email-only", document: smtpSendPolicy([...EAST, ...WEST], ["admin@example.com"]) };
const SEND = ["ses:SendRawEmail"];
const from = (a: string) => ({ key: "ses:FromAddress", values: [a] });

/** What the simulator's answer becomes in the collector (scripts/verify/aws.ts simulateSend). */
function asResult(policies: PolicySource[], q: SimulationQuestion): SimulationResult {
  const r = evaluatePolicies(policies, SEND, q.resources, q.context);
  const denied = r.filter((x) => x.decision !== "allowed");
  const decision = denied.some((x) => x.decision === "explicitDeny") ? "explicitDeny" : denied.length > 0 ? "implicitDeny" : "allowed";
  return { decision, deniedResources: denied.map((x) => x.resource), matchedPolicies: [...new Set(r.flatMap((x) => x.matched))], missingContext: [...new Set(r.flatMap((x) => x.missingContextValues))] };
}

describe("the IAM evaluator behind the simulation fakes", () => {
  it("allows the SMTP policy's send only with the From address in the context", () => {
    expect(evaluatePolicies([POLICY], SEND, EAST, [from("admin@example.com")]).map((r) => r.decision)).toEqual(["allowed", "allowed"]);
    // Gmail keeps the address as typed: StringEqualsIgnoreCase.
    expect(evaluatePolicies([POLICY], SEND, EAST, [from("Admin@Example.com")]).map((r) => r.decision)).toEqual(["allowed", "allowed"]);
  });

  it("a question without ses:FromAddress gets implicitDeny and names the missing key (the old, wrong question)", () => {
    const r = evaluatePolicies([POLICY], SEND, EAST, []);
    expect(r.map((x) => [x.decision, x.missingContextValues])).toEqual([
      ["implicitDeny", ["ses:FromAddress"]],
      ["implicitDeny", ["ses:FromAddress"]],
    ]);
    expect(evaluatePolicies([POLICY], SEND, EAST, [from("someone@example.com")]).map((x) => x.decision)).toEqual(["implicitDeny", "implicitDeny"]);
  });

  it("a resource of a region the policy does not name: implicitDeny", () => {
    const eastOnly: PolicySource = { id: "p", document: smtpSendPolicy(EAST, ["admin@example.com"]) };
    expect(evaluatePolicies([eastOnly], SEND, WEST, [from("admin@example.com")]).map((x) => x.decision)).toEqual(["implicitDeny", "implicitDeny"]);
  });

  it("an explicit Deny wins over the Allow; NotAction, wildcards and the missing-key rules of negated, IfExists and ForAllValues operators", () => {
    const deny: PolicySource = { id: "deny-west", document: { Statement: [{ Effect: "Deny", Action: "ses:*", Resource: "arn:aws:ses:us-west-2:*" }] } };
    expect(evaluatePolicies([POLICY, deny], SEND, WEST, [from("admin@example.com")]).map((x) => [x.decision, x.matched])).toEqual([
      ["explicitDeny", ["deny-west"]],
      ["explicitDeny", ["deny-west"]],
    ]);
    expect(evaluatePolicies([POLICY, deny], SEND, EAST, [from("admin@example.com")]).map((x) => x.decision)).toEqual(["allowed", "allowed"]);
    const notAction: PolicySource = { id: "na", document: { Statement: [{ Effect: "Deny", NotAction: "ses:Send*", Resource: "*" }] } };
    expect(evaluatePolicies([POLICY, notAction], SEND, EAST, [from("admin@example.com")])[0].decision).toBe("allowed");
    const cond = (c: Record<string, Record<string, string[]>>): PolicySource => ({ id: "c", document: { Statement: [{ Effect: "Allow", Action: "ses:SendRawEmail", Resource: "*", Condition: c }] } });
    const decide = (p: PolicySource, ctx = [] as { key: string; values: string[] }[]) => evaluatePolicies([p], SEND, EAST.slice(0, 1), ctx)[0].decision;
    expect(decide(cond({ StringNotEquals: { "ses:FromAddress": ["x@example.com"] } }))).toBe("allowed");
    expect(decide(cond({ StringEqualsIfExists: { "ses:FromAddress": ["x@example.com"] } }))).toBe("allowed");
    expect(decide(cond({ "ForAllValues:StringLike": { "ses:Recipients": ["*@example.com"] } }))).toBe("allowed");
    expect(decide(cond({ "ForAnyValue:StringLike": { "ses:Recipients": ["*@example.com"] } }))).toBe("implicitDeny");
    expect(decide(cond({ StringLike: { "ses:FromAddress": ["*@example.com"] } }), [from("a@example.com")])).toBe("allowed");
    expect(decide(cond({ StringLike: { "ses:FromAddress": ["*@example.com"] } }), [from("a@example.org")])).toBe("implicitDeny");
    expect(decide(cond({ ArnLike: { "aws:SourceArn": ["arn:aws:ses:*:123456789012:*"] } }), [{ key: "aws:SourceArn", values: [EAST[0]] }])).toBe("allowed");
    expect(() => decide(cond({ NumericLessThan: { "aws:MultiFactorAuthAge": ["3600"] } }))).toThrow(/NumericLessThan is not modelled/);
  });
});

describe("smtp.permission asks one question per sender, with its address and region", () => {
  let m: Manifest;
  beforeAll(async () => {
    m = await programManifest();
  });

  it("the questions: the sender's domain identity and configuration set in its region, ses:FromAddress and aws:RequestedRegion", () => {
    const [east] = m.domains[0].regions;
    expect(simulationQuestions(m)).toEqual([
      {
        sender: "admin@example.com",
        region: "us-east-1",
        resources: [east.identityArn, east.configurationSetArn],
        context: [from("admin@example.com"), { key: "aws:RequestedRegion", values: ["us-east-1"] }],
      },
    ]);
    // Without senders: one question per SMTP region, no From address to give.
    expect(simulationQuestions({ ...m, senders: [] }).map((q) => [q.region, q.context])).toEqual([
      ["us-east-1", [{ key: "aws:RequestedRegion", values: ["us-east-1"] }]],
      ["us-west-2", [{ key: "aws:RequestedRegion", values: ["us-west-2"] }]],
    ]);
  });

  it("passes against the program's own policy; the question without context would fail it", () => {
    const policy: PolicySource = { id: "ses-send-raw-email-only", document: smtpSendPolicy(m.domains[0].regions.flatMap((r) => [r.identityArn, r.configurationSetArn]), ["admin@example.com"]) };
    const [q] = simulationQuestions(m);
    const [f] = checkPermissions(m, [{ question: q, result: observed(asResult([policy], q)) }]);
    expect([f.status, f.summary]).toEqual(["pass", "IAM allows ses:SendRawEmail as admin@example.com in us-east-1"]);
    expect(f.evidence[1]).toBe("allowed by ses-send-raw-email-only");
    const bare = { ...q, context: [] };
    expect(checkPermissions(m, [{ question: bare, result: observed(asResult([policy], bare)) }])[0].status).not.toBe("pass");
    // A stack without senders whose policy narrows From: inconclusive, saying why.
    const [noSender] = simulationQuestions({ ...m, senders: [] });
    const [g] = checkPermissions(m, [{ question: noSender, result: observed(asResult([policy], noSender)) }]);
    expect([g.status, g.summary]).toEqual(["inconclusive", "the policy allows only listed From addresses (ses:FromAddress) and no sender is known (none declared, or discovery mode), so there is no real From address to ask IAM about"]);
  });

  it("fails on an explicit deny naming the policy, and on a sender whose region the policy does not cover", () => {
    const regions = m.domains[0].regions;
    const [q] = simulationQuestions(m);
    const deny: PolicySource = { id: "deny-all-ses", document: { Statement: [{ Effect: "Deny", Action: "ses:*", Resource: "*" }] } };
    const policy: PolicySource = { id: "ses-send-raw-email-only", document: smtpSendPolicy(regions.flatMap((r) => [r.identityArn, r.configurationSetArn]), ["admin@example.com"]) };
    const [d] = checkPermissions(m, [{ question: q, result: observed(asResult([policy, deny], q)) }]);
    expect([d.status, d.summary]).toEqual(["fail", "an explicit Deny refuses ses:SendRawEmail as admin@example.com in us-east-1: SES refuses this sender's mail"]);
    expect(d.evidence).toContain("denied by deny-all-ses");
    const westOnly: PolicySource = { id: "p", document: smtpSendPolicy(regions.filter((r) => r.region === "us-west-2").flatMap((r) => [r.identityArn, r.configurationSetArn]), ["admin@example.com"]) };
    const [w] = checkPermissions(m, [{ question: q, result: observed(asResult([westOnly], q)) }]);
    expect([w.status, w.summary]).toEqual(["fail", "no statement allows ses:SendRawEmail as admin@example.com in us-east-1 (implicitDeny): SES rejects mail sent with these credentials there"]);
  });
});

describe("smtp.permission against moto's policies (world)", () => {
  let shared: SharedServers;
  beforeAll(async () => {
    shared = await startShared();
  }, 120_000);
  afterAll(async () => {
    await shared?.stop();
  });

  const withWorld = async (options: WorldOptions, fn: (w: World) => Promise<void>) => {
    const w = await createWorld(shared, options);
    try {
      await fn(w);
    } finally {
      await w.stop();
    }
  };
  const permission = async (w: World) => (await w.verify({ layers: ["smtp"] })).findings.filter((f) => f.id === "smtp.permission");

  it("healthy: the exact question reaches IAM and the policy moto holds allows it", async () => {
    const requests: SimulationRequest[] = [];
    await withWorld({ simulation: { decision: "evaluate", requests } }, async (w) => {
      const fs = await permission(w);
      expect(fs.map((f) => `${f.status} ${f.subject}`)).toEqual([`pass ${w.manifest.smtp.user} sending as admin@example.com in us-east-1`]);
      const east = w.manifest.domains[0].regions[0];
      expect(requests).toEqual([
        {
          policySourceArn: w.manifest.smtp.userArn,
          actions: ["ses:SendRawEmail"],
          resources: [east.identityArn, east.configurationSetArn],
          context: [from("admin@example.com"), { key: "aws:RequestedRegion", values: ["us-east-1"] }],
        },
      ]);
    });
  }, 60_000);

  it("the same over the HTTP front (the spawned CLI's path): context entries survive the wire", async () => {
    const requests: SimulationRequest[] = [];
    await withWorld({ sesTransport: "http", simulation: { decision: "evaluate", requests } }, async (w) => {
      expect((await permission(w)).map((f) => f.status)).toEqual(["pass"]);
      expect(requests[0].context).toEqual([from("admin@example.com"), { key: "aws:RequestedRegion", values: ["us-east-1"] }]);
    });
  }, 60_000);

  it("an explicit Deny added to the user in moto fails the check; a policy without the sender's region too", async () => {
    await withWorld(
      {
        moto: async (ctx) => {
          await ctx.iam.send(new PutUserPolicyCommand({ UserName: ctx.user, PolicyName: "console-deny", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "ses:SendRawEmail", Resource: "*" }] }) }));
        },
      },
      async (w) => {
        const [f] = await permission(w);
        expect([f.status, f.evidence.at(-1)]).toEqual(["fail", "denied by console-deny"]);
      },
    );
    await withWorld(
      {
        moto: async (ctx) => {
          await ctx.iam.send(new DeleteUserPolicyCommand({ UserName: ctx.user, PolicyName: "ses-send-raw-email-only" }));
          await ctx.iam.send(new PutUserPolicyCommand({ UserName: ctx.user, PolicyName: "ses-send-raw-email-only", PolicyDocument: JSON.stringify(smtpSendPolicy(WEST, ["admin@example.com"])) }));
        },
      },
      async (w) => {
        const [f] = await permission(w);
        expect([f.status, f.summary]).toEqual(["fail", "no statement allows ses:SendRawEmail as admin@example.com in us-east-1 (implicitDeny): SES rejects mail sent with these credentials there"]);
      },
    );
  }, 120_000);
});

describe("discovery with the secret missing: no blank names, no calls on empty names", () => {
  let shared: SharedServers;
  beforeAll(async () => {
    shared = await startShared();
  }, 120_000);
  afterAll(async () => {
    await shared?.stop();
  });

  it("smtp.key names the missing secret; the key, permission and relay checks are inconclusive for that cause", async () => {
    const w = await createWorld(shared, {});
    try {
      // What discovery writes when --secret-id names a secret that does not exist (scripts/verify/discover.ts).
      w.manifest.smtp = { ...w.manifest.smtp, user: "", userArn: "", accessKeyId: "", secretId: "mail-infra/missing/ses-smtp", secretName: "mail-infra/missing/ses-smtp", keyGeneration: 0 };
      const asked: string[] = [];
      const r = await w.verify({
        layers: ["smtp", "relay"],
        prepare: (c) => {
          const aws = c.aws;
          const accessKeys = aws.accessKeys.bind(aws);
          const keyLastUsed = aws.keyLastUsed.bind(aws);
          const simulateSend = aws.simulateSend.bind(aws);
          aws.accessKeys = (user) => (asked.push(`ListAccessKeys ${user}`), accessKeys(user));
          aws.keyLastUsed = (id) => (asked.push(`GetAccessKeyLastUsed ${id}`), keyLastUsed(id));
          aws.simulateSend = (arn, res, ctx) => (asked.push(`Simulate ${arn}`), simulateSend(arn, res, ctx));
        },
      });
      expect(asked).toEqual([]);
      const text = JSON.stringify(r.findings);
      expect(text).not.toMatch(/access key {2}of|user {2}does|of :/);
      const secret = r.findings.find((f) => f.id === "smtp.secret");
      expect(secret).toMatchObject({ status: "fail", summary: "the secret does not exist (or is scheduled for deletion)", evidence: ["mail-infra/missing/ses-smtp"] });
      // The key and permission checks are reported once, under the secret that decided them.
      expect(secret?.blocked?.map((b) => `${b.id} ${b.status} ${b.subject}`)).toEqual([
        "smtp.key inconclusive the SMTP access key",
        "smtp.auth inconclusive email-smtp.us-east-1.amazonaws.com:587 (us-east-1)",
        "smtp.auth inconclusive email-smtp.us-west-2.amazonaws.com:587 (us-west-2)",
        "smtp.permission inconclusive the SMTP user sending as admin@example.com in us-east-1",
        "relay.credentials inconclusive admin@example.com (gmail-send-as in someone@gmail.com) via us-east-1",
      ]);
    } finally {
      await w.stop();
    }
  }, 60_000);
});

describe("smtp.key without a user (pure)", () => {
  it("says which secret is missing instead of printing blank names", async () => {
    const m = await programManifest();
    const smtp = { ...m.smtp, user: "", userArn: "", accessKeyId: "", secretId: "mail-infra/missing/ses-smtp" };
    const u = unknownSmtpUser(smtp, { ok: false, reason: "notfound", message: "ResourceNotFoundException: Secrets Manager can't find the specified secret." });
    expect(u).toMatchObject({ reason: "error", message: "the SMTP user is unknown: it is found through the access key in the secret mail-infra/missing/ses-smtp, which does not exist" });
    const fs = checkSmtpLayer({ ...m, smtp }, { secret: { ok: false, reason: "notfound", message: "ResourceNotFoundException" }, accessKeys: u, lastUsed: new Map(), auth: new Map(), simulations: [] });
    const key = fs.find((f) => f.id === "smtp.key");
    expect([key?.status, key?.subject, key?.summary]).toEqual(["inconclusive", "the SMTP access key", "could not check the user's access keys: the SMTP user is unknown: it is found through the access key in the secret mail-infra/missing/ses-smtp, which does not exist"]);
  });
});
