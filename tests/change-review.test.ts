import { describe, expect, it } from "vitest";
import { type Plan, planSchema, REPLACE_PROPERTIES, reviewChange } from "../lib/change-review";
import { redactSecrets } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { runWithConfig } from "./helpers/program";

/** The plan `plan --json` prints for a config (the fields the review reads). */
async function planOf(values: Record<string, string | number | string[]>): Promise<Plan> {
  const run = await runWithConfig(values, "prod");
  return planSchema.parse({
    stack: "prod",
    resources: run.resources.filter((r) => r.custom).map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: redactSecrets(r.inputs), options: r.options })),
    outputs: Object.fromEntries(Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k))),
  });
}

const THREE = { ...PROD_LIKE, regions: ["us-east-1", "us-west-2", "eu-west-1"] };

describe("reviewChange", async () => {
  const base = await planOf(PROD_LIKE);
  const review = async (change: Record<string, string | number | string[]>, from: Plan = base) => reviewChange(from, await planOf(change));
  const broken = (r: Awaited<ReturnType<typeof review>>) => r.changes.filter((c) => c.breaks).map((c) => c.breaks!);

  it("finds no change between a plan and itself", async () => {
    expect((await review(PROD_LIKE)).changes).toEqual([]);
  });

  it("a reorder of the non-primary regions changes nothing", async () => {
    const r = reviewChange(await planOf(THREE), await planOf({ ...THREE, regions: ["us-east-1", "eu-west-1", "us-west-2"] }));
    expect(r.changes.filter((c) => c.type === "aws:route53/record:Record" || c.kind !== "update")).toEqual([]);
    expect(r.breaksMail).toBe(false);
  });

  it.each([
    ["a TTL", { dnsTtl: 3600 }],
    ["the DMARC pct", { dmarcPercent: 50 }],
  ])("does not flag a harmless change: %s", async (_what, change) => {
    const r = await review({ ...PROD_LIKE, ...change });
    expect(r.changes.length).toBeGreaterThan(0);
    expect(r.changes.every((c) => c.kind === "update")).toBe(true);
    expect(r.breaksMail).toBe(false);
  });

  it("flags a domain rename: identities and records deleted", async () => {
    const r = await review({
      ...PROD_LIKE,
      domain: "queenofsandiego.org",
      mailFromSubdomain: "bounce",
      dmarcRua: ["mailto:dmarc-reports@queenofsandiego.org"],
      senders: ["address=admin@queenofsandiego.org; kind=gmail-send-as; account=owner@gmail.com; region=us-east-1"],
    });
    expect(r.breaksMail).toBe(true);
    expect(broken(r)).toContain("deletes the SES identity queenofsandiego.com: new DKIM tokens, up to 72 h to verify");
    expect(broken(r)).toContain("deletes the DMARC record (_dmarc.queenofsandiego.com)");
  });

  it("flags a region removed", async () => {
    const r = await review({ ...PROD_LIKE, regions: ["us-east-1"] });
    expect(r.breaksMail).toBe(true);
    expect(r.changes.filter((c) => c.kind === "delete" && c.breaks).map((c) => c.name)).toEqual(
      expect.arrayContaining(["queenofsandiego.com-us-west-2-identity", "queenofsandiego.com-dns-dkim-us-west-2-1"]),
    );
  });

  it("flags a MAIL FROM change on a live identity", async () => {
    const r = await review({ ...PROD_LIKE, mailFromSubdomain: "mail.queenofsandiego.com" });
    expect(broken(r)).toContain("changes the MAIL FROM of the live identity queenofsandiego.com from bounce.queenofsandiego.com to mail.queenofsandiego.com");
  });

  it("flags a user rename", async () => {
    const r = await review({ ...PROD_LIKE, smtpUserName: "other-smtp" });
    expect(broken(r)).toContain("renames the SMTP user mail-infra-smtp-prod to other-smtp: its keys and policy are replaced");
    expect(r.changes.find((c) => c.name === "smtp-key-gen1")).toMatchObject({ kind: "replace", forcedBy: ["user"], breaks: "replaces SMTP key generation 1, which senders still use" });
  });

  it("flags a skipped key generation: the key in use is deleted", async () => {
    const r = await review({ ...PROD_LIKE, smtpKeyGeneration: 3 });
    expect(broken(r)).toContain("deletes SMTP key generation 1, which senders still use");
  });

  it("does not flag retiring a previous key that is inactive", async () => {
    const from = await planOf({ ...PROD_LIKE, smtpKeyGeneration: 2, smtpPreviousKey: "inactive" });
    const r = await review({ ...PROD_LIKE, smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, from);
    expect(r.changes.map((c) => [c.kind, c.name])).toContainEqual(["delete", "smtp-key-gen1"]);
    expect(r.breaksMail).toBe(false);
  });

  it("flags deleting a previous key that is still active: a relay may still log in with it", async () => {
    const from = await planOf({ ...PROD_LIKE, smtpKeyGeneration: 2 });
    expect(from.outputs.verification?.smtp?.previousKey).toMatchObject({ generation: 1, state: "active" });
    const r = await review({ ...PROD_LIKE, smtpKeyGeneration: 2, smtpPreviousKey: "retired" }, from);
    expect(r.changes.find((c) => c.name === "smtp-key-gen1")).toMatchObject({ kind: "delete", breaks: "deletes SMTP key generation 1, which senders still use" });
    expect(r.breaksMail).toBe(true);
  });

  it("names the property that forces a replace, and flags a protected resource replaced", async () => {
    const r = await review({ ...PROD_LIKE, smtpSecretName: "mail/other" });
    expect(r.changes.find((c) => c.name === "smtp-secret")).toMatchObject({ kind: "replace", forcedBy: ["name"], breaks: "replaces a protected resource" });
  });

  it("treats a resource whose alias is a base URN as the same resource", () => {
    const renamed: Plan = {
      ...base,
      resources: base.resources.map((r) => (r.name.endsWith("-identity") ? { ...r, urn: `${r.urn}-new`, options: { ...r.options, aliases: [r.urn] } } : r)),
    };
    expect(reviewChange(base, renamed).changes).toEqual([]);
  });
});

/** A one-resource plan with the given inputs (the review reads nothing else of it). */
function planWith(type: string, inputs: Record<string, unknown>): Plan {
  return planSchema.parse({ stack: "prod", resources: [{ urn: `urn:pulumi:prod::mail-infra::${type}::r`, type, name: "r", inputs }], outputs: {} });
}
const changeOf = (type: string, before: Record<string, unknown>, after: Record<string, unknown>) => {
  const [c, ...rest] = reviewChange(planWith(type, before), planWith(type, after)).changes;
  expect(rest).toEqual([]);
  return { kind: c?.kind, forcedBy: c?.forcedBy };
};

describe("REPLACE_PROPERTIES", () => {
  // That each names only inputs of the installed @pulumi/aws, and region exactly where the SDK
  // has it: tests/lib/resource-kinds.test.ts (pure, so mutation testing runs it).
  it("covers every resource type the program declares", async () => {
    // With the trail too (mail-infra:createTrail), so that every type the program can declare is here.
    const plan = await planOf({ ...THREE, createTrail: "true" });
    expect(Object.keys(REPLACE_PROPERTIES).sort()).toEqual([...new Set(plan.resources.map((r) => r.type))].sort());
  });

  const RECORD = "aws:route53/record:Record";
  const record = { zoneId: "Z1", name: "_dmarc.example.com", type: "TXT", ttl: 300, records: ["v=DMARC1; p=none"] };
  it.each([
    ["name", { name: "_dmarc.example.org" }, "replace", ["name"]],
    ["zoneId", { zoneId: "Z2" }, "replace", ["zoneId"]],
    ["type (updated in place: the provider deletes and creates the record set in one batch)", { type: "SPF" }, "update", []],
    ["ttl", { ttl: 3600 }, "update", []],
    ["records", { records: ["v=DMARC1; p=reject"] }, "update", []],
  ])("Route 53 Record: a change of %s is a %s", (_what, change, kind, forcedBy) => {
    expect(changeOf(RECORD, record, { ...record, ...change })).toEqual({ kind, forcedBy });
  });

  const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
  const version = { region: "us-east-1", secretId: "arn:secret", secretString: "a", versionStages: ["AWSCURRENT"] };
  it.each([
    ["secretString (a new value is a new version)", { secretString: "b" }, "replace", ["secretString"]],
    ["secretStringWoVersion", { secretStringWoVersion: 2 }, "replace", ["secretStringWoVersion"]],
    ["secretId", { secretId: "arn:other" }, "replace", ["secretId"]],
    ["versionStages", { versionStages: ["AWSCURRENT", "extra"] }, "update", []],
  ])("SecretVersion: a change of %s is a %s", (_what, change, kind, forcedBy) => {
    expect(changeOf(VERSION, version, { ...version, ...change })).toEqual({ kind, forcedBy });
  });

  it.each([
    ["Secret type (cannot be changed after creation)", "aws:secretsmanager/secret:Secret", { name: "mail/smtp" }, { type: "SalesforceClientSecret" }, "replace", ["type"]],
    ["Secret description", "aws:secretsmanager/secret:Secret", { name: "mail/smtp" }, { description: "d" }, "update", []],
    ["User name (an in-place UpdateUser)", "aws:iam/user:User", { name: "a" }, { name: "b" }, "update", []],
    ["AccessKey status", "aws:iam/accessKey:AccessKey", { user: "a", status: "Active" }, { status: "Inactive" }, "update", []],
    ["MAIL FROM domain", "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", { region: "us-east-1", emailIdentity: "example.com", mailFromDomain: "bounce.example.com" }, { mailFromDomain: "mail.example.com" }, "update", []],
    ["identity region", "aws:sesv2/emailIdentity:EmailIdentity", { region: "us-east-1", emailIdentity: "example.com" }, { region: "us-west-2" }, "replace", ["region"]],
    ["event destination name", "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", { region: "us-east-1", configurationSetName: "c", eventDestinationName: "e" }, { eventDestinationName: "f" }, "replace", ["eventDestinationName"]],
  ])("%s", (_what, type, before, change, kind, forcedBy) => {
    expect(changeOf(type, before, { ...before, ...change })).toEqual({ kind, forcedBy });
  });
});

// planSchema and the engine's refusals on hand-built plans: tests/lib/change-review.test.ts (pure).
describe("engine refusals: protect read from the base and head plans' recorded options", () => {
  it("follows the protection table of the real program: a region removed is refused exactly where the base protects", async () => {
    const base = await planOf(PROD_LIKE);
    const r = reviewChange(base, await planOf({ ...PROD_LIKE, regions: ["us-east-1"] }));
    const deletes = r.changes.filter((c) => c.kind === "delete");
    const protectedInBase = new Set(base.resources.filter((x) => x.options.protect).map((x) => x.urn));
    expect(deletes.length).toBeGreaterThan(0);
    for (const c of deletes) expect(c.refused !== undefined, c.name).toBe(protectedInBase.has(c.urn));
    expect(deletes.some((c) => c.refused)).toBe(true);
  });
});
