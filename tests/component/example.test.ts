/**
 * The component package used as a library (issue 23): examples/typescript, a program of its own
 * with one `new MailDomain` and an existing zone, declares under mocks exactly what the stack
 * program declares for the same config. Only the wrapper differs: the component's own URN
 * (mail-infra:index:MailDomain) is the parent of the tree the stack declares at its root, so
 * every URN gains that parent type and nothing else changes (names, inputs, options, dependencies).
 */
import { describe, expect, it } from "vitest";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "../../policies/pack";
import { type RecordedResource, runProgramUnderMocks } from "../../scripts/lib/mock-program";
import { evaluatePolicies } from "../../scripts/lib/policy-runner";
import { pulumiConfig } from "../helpers/config";
import { runWithConfig } from "../helpers/program";

const ZONE = "Z0123456789ABCDEFGHIJ";
const SHARED = { domain: "example.com", regions: ["us-east-1", "eu-west-1"], dmarcPolicy: "quarantine" };
const WRAPPER = "mail-infra:index:MailDomain$";

/** The resources of the stack's MailDomain tree (its root component and all below it). */
function domainTree(resources: readonly RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.urn.split("::")[2].split("$").includes("mail-infra:ses:MailDomain"));
}

/** The example's tree as the stack would declare it: the wrapper's type taken out of every URN, the root's parent dropped. */
function unwrapped(resources: readonly RecordedResource[]): RecordedResource[] {
  const tree = JSON.parse(JSON.stringify(domainTree(resources)).split(WRAPPER).join("")) as RecordedResource[];
  return tree.map((r) => (r.type === "mail-infra:ses:MailDomain" ? { ...r, parent: undefined } : r));
}

const comparable = (rs: readonly RecordedResource[]) =>
  [...rs].map((r) => (r.type === "mail-infra:ses:MailDomain" ? { ...r, parent: undefined } : r)).sort((a, b) => a.urn.localeCompare(b.urn));

describe("examples/typescript under mocks", async () => {
  const stack = await runWithConfig({ ...SHARED, route53Zones: [`example.com=${ZONE}`] }, "test");
  const example = await runProgramUnderMocks({
    stack: "test",
    config: pulumiConfig({ ...SHARED, zoneId: ZONE }),
    program: async () => ({ ...(await import("../../examples/typescript/index")) }),
  });

  it("declares one component of its own, the rest is the stack's MailDomain tree", () => {
    const own = example.resources.filter((r) => r.urn.split("::")[2] === "mail-infra:index:MailDomain");
    expect(own.map((r) => r.name)).toEqual(["mail"]);
    expect(example.resources.length).toBe(domainTree(example.resources).length + 1);
  });

  it("plans exactly what the stack declares for the same config: URNs (below the wrapper), inputs, options, dependencies", () => {
    const ours = comparable(unwrapped(example.resources));
    const theirs = comparable(domainTree(stack.resources));
    expect(theirs.length).toBeGreaterThan(20);
    expect(ours.map((r) => r.urn)).toEqual(theirs.map((r) => r.urn));
    expect(ours).toEqual(theirs);
  });

  it("puts every record in the existing zone, and exports the records and identities", () => {
    const records = example.resources.filter((r) => r.type === "aws:route53/record:Record");
    expect(records.length).toBe(12);
    for (const r of records) expect(r.inputs.zoneId).toBe(ZONE);
    expect(Object.keys(example.outputs.identityArns as object).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expect(example.outputs.mailFromDomains).toEqual({ "us-east-1": "bounce.example.com", "eu-west-1": "bounce-eu-west-1.example.com" });
    expect((example.outputs.records as { name: string }[]).map((r) => r.name)).toContain("_dmarc.example.com");
  });

  it("is judged by the policy pack as the stack's domain is: the same findings on the same resources", async () => {
    const pack = { name: PACK_NAME, version: "0.1.0", enforcementLevel: PACK_ENFORCEMENT_LEVEL };
    const findings = async (rs: readonly RecordedResource[]) =>
      (await evaluatePolicies({ resources: rs, policies, pack })).violations.map((v) => `${v.enforcementLevel} ${v.policyName} ${v.resourceName ?? ""}`).sort();
    const ours = await findings(example.resources);
    expect(ours.length).toBeGreaterThan(0);
    // The stack's other components (SMTP credentials) have findings of their own: compare the domain's.
    const theirs = (await findings(stack.resources)).filter((f) => !/ smtp-/.test(f));
    expect(ours).toEqual(theirs);
  });
});

describe("SmtpRelay under mocks, against the stack's SMTP credentials", async () => {
  const SENDER = "address=admin@example.com; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1";
  const stack = await runWithConfig({ ...SHARED, route53Zones: [`example.com=${ZONE}`], senders: [SENDER], smtpKeyGeneration: 2 }, "test");
  const { SmtpRelay } = await import("../../packages/mail-infra/index");
  const relay = await runProgramUnderMocks({
    stack: "test",
    config: {},
    program: () => {
      const r = new SmtpRelay("smtp", {
        domains: ["example.com"],
        regions: SHARED.regions,
        senders: [{ address: "admin@example.com", kind: "gmail-send-as", account: "someone@gmail.com", region: "us-east-1" }],
        keyGeneration: 2,
        // The stack's names for its user and secret (lib/config.ts defaults for stack "test").
        userName: "mail-infra-smtp-test",
        secretName: "mail-infra/test/ses-smtp",
      });
      return { username: r.username, secretArn: r.secretArn };
    },
  });
  const tree = (rs: readonly RecordedResource[]) =>
    (JSON.parse(JSON.stringify(rs.filter((r) => r.urn.includes("mail-infra:iam:SmtpCredentials"))).split("mail-infra:index:SmtpRelay$").join("")) as RecordedResource[])
      // The stack's grant names the identity resources it declares (a dependency); the relay names the same ARNs from their names.
      .map((r) => ({ urn: r.urn, inputs: r.inputs, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete, aliases: r.options.aliases }))
      .sort((a, b) => a.urn.localeCompare(b.urn));

  it("declares the stack's user, grant, two keys and secret with the same inputs and protection", () => {
    const ours = tree(relay.resources);
    expect(ours.map((r) => r.urn.split("::").pop()).sort()).toEqual(["smtp", "smtp-key-gen1", "smtp-key-gen2", "smtp-secret", "smtp-secret-value", "smtp-send-only", "smtp-user"]);
    expect(ours).toEqual(tree(stack.resources));
  });
});
