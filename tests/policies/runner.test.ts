import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, type StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "../../policies/pack";
import { mockSecretAccessKey, noOptions, type RecordedResource } from "../../scripts/lib/mock-program";
import { type OfflineRun, runStackOffline } from "../../scripts/lib/offline-run";
import { buildPolicyResources, evaluatePolicies, hasMandatory, resolvePolicySettings } from "../../scripts/lib/policy-runner";
import { readStackConfig, UsageError } from "../../scripts/lib/stack-config";
import { ROOT } from "../helpers/spawn";
import { UNKNOWN } from "./harness";

const pack = { name: PACK_NAME, version: "0.1.0", enforcementLevel: PACK_ENFORCEMENT_LEVEL };
const DMARC = "aws-route53-record-configure-dmarc-policy";
const KMS = "aws-secretsmanager-secret-configure-customer-managed-key";
const SNS_KMS = "aws-sns-topic-configure-customer-managed-key";

describe("resolvePolicySettings (the --policy-pack-config format)", () => {
  it("uses each policy's own level and fills config defaults from its configSchema", () => {
    const s = resolvePolicySettings(policies, pack);
    expect(s.get(DMARC)).toEqual({ enforcementLevel: "advisory", config: { minimumPolicy: "quarantine" } });
    expect(s.get("aws-iam-userpolicy-disallow-non-send-actions")).toEqual({ enforcementLevel: "mandatory", config: { allowedActions: ["ses:SendRawEmail"] } });
    expect(s.get("aws-sesv2-configurationset-configure-tls-policy")).toEqual({ enforcementLevel: "mandatory", config: {} });
  });

  it('applies "all", and a policy\'s own entry over "all", in string and object form', () => {
    const s = resolvePolicySettings(policies, pack, { all: { enforcementLevel: "mandatory" }, [DMARC]: "advisory", [KMS]: { enforcementLevel: "disabled" } });
    expect(s.get(DMARC)?.enforcementLevel).toBe("advisory");
    expect(s.get(KMS)?.enforcementLevel).toBe("disabled");
    expect(s.get("aws-secretsmanager-secret-missing-description")?.enforcementLevel).toBe("mandatory");
  });

  it("takes policy settings next to the level", () => {
    const s = resolvePolicySettings(policies, pack, { [DMARC]: { enforcementLevel: "mandatory", minimumPolicy: "reject" } });
    expect(s.get(DMARC)).toEqual({ enforcementLevel: "mandatory", config: { minimumPolicy: "reject" } });
  });

  it.each([
    [{ "aws-route53-record-configure-dmarc": "mandatory" }, /"aws-route53-record-configure-dmarc" is not a policy of mail-infra\. Did you mean "aws-route53-record-configure-dmarc-policy" or "aws-route53-record-configure-dmarc-rua" or "aws-route53-record-configure-dmarc-spf-alignment"\?/],
    [{ [DMARC]: "strict" }, /enforcement level "strict" is not one of advisory, mandatory, remediate, disabled/],
    [{ [DMARC]: { minimumPolicy: "strict" } }, /"aws-route53-record-configure-dmarc-policy": minimumPolicy must be equal to one of the allowed values \("none", "quarantine", "reject"\)/],
    [{ [DMARC]: { minimum: "reject" } }, /must NOT have additional properties "minimum"\. Its config properties: minimumPolicy \(and enforcementLevel\)/],
    [{ "aws-secretsmanager-secret-configure-recovery-window": { minimumDays: 3 } }, /minimumDays must be >= 7/],
    [{ all: { enforcementLevel: "mandatory", minimumPolicy: "reject" } }, /"all" sets only the enforcement level/],
    [["mandatory"], /must be a JSON object/],
  ])("refuses %j with a message that says what and where", (file, message) => {
    expect(() => resolvePolicySettings(policies, pack, file, "cfg.json")).toThrow(UsageError);
    expect(() => resolvePolicySettings(policies, pack, file, "cfg.json")).toThrow(message);
  });

  it("refuses an unknown policy name, and says that `pulumi preview` would ignore it silently (the CLI's behaviour)", () => {
    expect(() => resolvePolicySettings(policies, pack, { "aws-route53-record-configure-dmarc-polcy": "mandatory" }, "cfg.json")).toThrow(
      'Invalid policy pack config in cfg.json:\n  - "aws-route53-record-configure-dmarc-polcy" is not a policy of mail-infra. Run `npm run policy -- --list` to see the names. (`pulumi preview --policy-pack-config` would silently ignore this name, so its setting would never apply.)',
    );
    // A known name is not given the note.
    expect(() => resolvePolicySettings(policies, pack, { [DMARC]: { minimumPolicy: "strict" } }, "cfg.json")).toThrow(expect.objectContaining({ message: expect.not.stringContaining("silently ignore") }));
  });
});

describe("evaluatePolicies over the prod stack, in process", () => {
  let prod: OfflineRun;
  beforeAll(async () => {
    prod = await runStackOffline(readStackConfig("prod", ROOT));
  });

  it("reports exactly the expected advisory findings, none mandatory", async () => {
    const { violations, policiesRun } = await evaluatePolicies({ resources: prod.run.resources, policies, pack });
    expect(policiesRun).toBe(policies.length);
    expect(violations.map((v) => [v.policyName, v.enforcementLevel, v.kind, v.resourceName])).toEqual([
      [DMARC, "advisory", "resource", "queenofsandiego.com-dns-dmarc"],
      [KMS, "advisory", "resource", "smtp-secret"],
      ["aws-sesv2-emailidentity-missing-watch", "advisory", "stack", "smtp-key-gen1"],
      ...["monitoring-us-east-1-alerts", "monitoring-us-west-2-alerts", "queenofsandiego.com-us-east-1-events", "queenofsandiego.com-us-west-2-events"].map((t) => [SNS_KMS, "advisory", "resource", t]),
    ]);
    expect(hasMandatory(violations)).toBe(false);
  });

  it("honours levels and settings from the config", async () => {
    const run = (file: Record<string, unknown>) =>
      evaluatePolicies({ resources: prod.run.resources, policies, pack, settings: resolvePolicySettings(policies, pack, file) });
    const all = await run({ all: "mandatory" });
    expect(all.violations.map((v) => v.enforcementLevel)).toEqual(Array(7).fill("mandatory"));
    expect(hasMandatory(all.violations)).toBe(true);
    expect((await run({ [DMARC]: { minimumPolicy: "none" }, [KMS]: "disabled", [SNS_KMS]: "disabled", "aws-sesv2-emailidentity-missing-watch": "disabled" })).violations).toEqual([]);
    const remediate = await run({ [KMS]: "remediate" });
    expect(remediate.violations.find((v) => v.policyName === KMS)?.enforcementLevel).toBe("mandatory");
    const reject = await run({ [DMARC]: { minimumPolicy: "reject" } });
    expect(reject.violations[0]?.message).toContain("next p=quarantine, then p=reject");
  });

  it("gives stack policies the outputs, with parents linked, and resource policies the inputs", async () => {
    const resources = buildPolicyResources(prod.run.resources);
    const identity = resources.find((r) => r.isType(aws.sesv2.EmailIdentity));
    expect(identity?.props.dkimSigningAttributes.tokens).toHaveLength(3);
    expect(identity?.parent?.type).toBe("mail-infra:ses:SesIdentity");
    expect(identity?.parent?.parent?.type).toBe("mail-infra:ses:MailDomain");
    expect(identity?.asType(aws.sesv2.EmailIdentity)?.emailIdentity).toBe("queenofsandiego.com");
    expect(identity?.asType(aws.iam.User)).toBeUndefined();

    const seen: Record<string, unknown>[] = [];
    const probe: ResourceValidationPolicy = {
      name: "probe",
      description: "Probe.",
      enforcementLevel: "advisory",
      validateResource: validateResourceOfType(aws.sesv2.EmailIdentity, (props, args) => {
        seen.push({ tokens: props.dkimSigningAttributes?.tokens, tags: args.stackTags.get("pulumi:project"), parent: args.opts.parent });
      }),
    };
    const result = await evaluatePolicies({ resources: prod.run.resources, policies: [probe], pack });
    expect(seen).toEqual([
      { tokens: undefined, tags: "mail-infra", parent: expect.stringContaining("SesIdentity::queenofsandiego.com-us-east-1") },
      { tokens: undefined, tags: "mail-infra", parent: expect.stringContaining("SesIdentity::queenofsandiego.com-us-west-2") },
    ]);
    expect(result.notApplicable.filter((n) => n.policyName === "probe")).toHaveLength(prod.run.resources.filter((r) => r.custom).length - 2);
  });

  it("never lets a secret value into a message, even from a careless policy", async () => {
    const leaky: StackValidationPolicy = {
      name: "leaky",
      description: "Leaks.",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        for (const r of args.resources) {
          if (r.type === "aws:secretsmanager/secretVersion:SecretVersion") report(`value ${String(r.props.secretString)}`, r.urn);
          if (r.type === "aws:iam/accessKey:AccessKey") report(`key ${String(r.props.secret)}`, r.urn);
        }
      },
    };
    const { violations } = await evaluatePolicies({ resources: prod.run.resources, policies: [leaky], pack });
    const text = JSON.stringify(violations);
    const key = mockSecretAccessKey("prod", "smtp-key-gen1");
    for (const secret of [key, deriveSmtpPasswordV4(key, "us-east-1"), deriveSmtpPasswordV4(key, "us-west-2")]) expect(text).not.toContain(secret);
    expect(violations.map((v) => v.message).sort()).toEqual(["key [secret]", "value [secret]"]);
  });
});

describe("values unknown during preview", () => {
  const recorded = (inputs: Record<string, unknown>): RecordedResource => ({
    urn: "urn:pulumi:test::mail-infra::aws:sesv2/configurationSet:ConfigurationSet::cs",
    type: "aws:sesv2/configurationSet:ConfigurationSet",
    name: "cs",
    custom: true,
    inputs,
    options: noOptions(),
    propertyDependencies: {},
    state: inputs,
  });

  it("are not checked by the pack's policies, which say so instead of passing", async () => {
    const { violations, notChecked } = await evaluatePolicies({
      resources: [recorded({ configurationSetName: "cs", deliveryOptions: { tlsPolicy: UNKNOWN } })],
      policies,
      pack,
    });
    expect(violations.filter((v) => v.policyName === "aws-sesv2-configurationset-configure-tls-policy")).toEqual([]);
    expect(notChecked.filter((n) => n.policyName === "aws-sesv2-configurationset-configure-tls-policy")).toEqual([
      {
        policyName: "aws-sesv2-configurationset-configure-tls-policy",
        kind: "resource",
        urn: "urn:pulumi:test::mail-infra::aws:sesv2/configurationSet:ConfigurationSet::cs",
        resourceType: "aws:sesv2/configurationSet:ConfigurationSet",
        resourceName: "cs",
        message: "not checked at preview: cs: .deliveryOptions.tlsPolicy is unknown until the resource exists (string value at .deliveryOptions.tlsPolicy can't be known during preview)",
      },
    ]);
  });

  it("turn into a note for a policy that does not guard them, as the engine's advisory note", async () => {
    const naive: ResourceValidationPolicy = {
      name: "naive",
      description: "Naive.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(aws.sesv2.ConfigurationSet, (cs) => {
        void cs.deliveryOptions?.tlsPolicy;
      }),
    };
    const { violations, notChecked } = await evaluatePolicies({ resources: [recorded({ deliveryOptions: { tlsPolicy: UNKNOWN } })], policies: [naive], pack });
    expect(violations).toEqual([]);
    expect(notChecked).toMatchObject([{ policyName: "naive", message: "not checked at preview: string value at .deliveryOptions.tlsPolicy can't be known during preview" }]);
  });
});
