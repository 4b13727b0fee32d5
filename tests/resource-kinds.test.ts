/**
 * The resource-kind table (lib/resource-kinds.ts) knows every cloud resource type the components
 * declare, and types are printed as `pulumi preview` prints them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { pulumiTypeName, RESOURCE_KINDS, summarize } from "../lib/resource-kinds";
import { mockState } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { runWithConfig } from "./helpers/program";
import { ROOT } from "./helpers/spawn";

/** Every `new aws.<module>.<Class>(` in components/, as the type token @pulumi/aws gives that class. */
function declaredTypes(): Map<string, string> {
  const out = new Map<string, string>();
  const dir = join(ROOT, "components");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(/new aws\.(\w+)\.(\w+)\(/g)) {
      const mod = (aws as unknown as Record<string, Record<string, { __pulumiType?: string }> | undefined>)[m[1]];
      const token = mod?.[m[2]]?.__pulumiType;
      if (!token) throw new Error(`components/${file}: aws.${m[1]}.${m[2]} is not a resource class of @pulumi/aws`);
      out.set(token, `components/${file} (aws.${m[1]}.${m[2]})`);
    }
  }
  return out;
}

describe("the resource-kind table", () => {
  it("has an entry for every resource type a component declares", () => {
    const declared = declaredTypes();
    // The scan itself works: it finds the kinds every stack has.
    expect([...declared.keys()]).toEqual(expect.arrayContaining(["aws:sesv2/emailIdentity:EmailIdentity", "aws:route53/record:Record", "aws:iam/accessKey:AccessKey"]));
    const missing = [...declared].filter(([type]) => !(type in RESOURCE_KINDS)).map(([type, where]) => `${type} from ${where}`);
    expect(missing, "add an entry to lib/resource-kinds.ts RESOURCE_KINDS").toEqual([]);
  });

  it("has no entry for a type no component declares (a stale row)", () => {
    const declared = declaredTypes();
    expect(Object.keys(RESOURCE_KINDS).filter((t) => !declared.has(t))).toEqual([]);
  });

  it("knows every custom resource of a stack with every feature on (monitoring and the watch)", async () => {
    const run = await runWithConfig({ ...PROD_LIKE, watch: true } as unknown as Record<string, string | number | string[]>, "prod");
    const types = new Set(run.resources.filter((r) => r.custom).map((r) => r.type));
    expect(types.size).toBeGreaterThan(20);
    expect([...types].filter((t) => !(t in RESOURCE_KINDS))).toEqual([]);
  });

  it("gives every type a plan summary, and the mock state AWS would assign", () => {
    expect(summarize("aws:route53/record:Record", "r", { type: "TXT", name: "_dmarc.example.com", records: ["v=DMARC1; p=none"] })).toBe("TXT _dmarc.example.com -> v=DMARC1; p=none");
    expect(summarize("aws:iam/accessKey:AccessKey", "smtp-key-gen3", { user: "u" })).toMatch(/^key generation 3 of u, Active /);
    expect(summarize("mail-infra:ses:MailDomain", "x", {})).toBe("");
    expect(mockState("aws:sesv2/configurationSet:ConfigurationSet", "cs", { region: "eu-west-1", configurationSetName: "cs1" }, "s")).toEqual({
      arn: "arn:aws:ses:eu-west-1:123456789012:configuration-set/cs1",
    });
    expect(mockState("aws:sns/topic:Topic", "t", { name: "alerts" }, "s")).toEqual({ arn: "arn:aws:sns:us-east-1:123456789012:alerts" });
  });
});

describe("pulumiTypeName: types as `pulumi preview` prints them", () => {
  it.each([
    ["aws:sesv2/emailIdentity:EmailIdentity", "aws:sesv2:EmailIdentity"],
    ["aws:route53/record:Record", "aws:route53:Record"],
    ["aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch:EventRule"],
    ["aws:iam/accessKey:AccessKey", "aws:iam:AccessKey"],
    // Printed as they are: no module file, or one that is not the type's name.
    ["mail-infra:ses:MailDomain", "mail-infra:ses:MailDomain"],
    ["pulumi:pulumi:Stack", "pulumi:pulumi:Stack"],
    ["pulumi:providers:aws", "pulumi:providers:aws"],
    ["aws:ec2/getVpc:Vpc", "aws:ec2/getVpc:Vpc"],
    ["aws:sesv2/EmailIdentity:EmailIdentity", "aws:sesv2/EmailIdentity:EmailIdentity"],
    ["aws:sesv2/emailIdentity:", "aws:sesv2/emailIdentity:"],
  ])("%s -> %s", (token, shown) => {
    expect(pulumiTypeName(token)).toBe(shown);
  });
});

describe("the SMTP user's policy as plan summarises it", () => {
  const summary = (statement: Record<string, unknown>) =>
    summarize("aws:iam/userPolicy:UserPolicy", "p", { name: "ses-send-raw-email-only", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ses:SendRawEmail"], ...statement }] }) });

  it("says ARNs when they are listed, and patterns with the From addresses when the grant is bounded (lib/iam.ts smtpGrant)", () => {
    expect(summary({ Resource: ["arn:aws:ses:us-east-1:123456789012:identity/example.com", "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-example-com"] })).toBe(
      "ses-send-raw-email-only: ses:SendRawEmail on 2 ARNs",
    );
    expect(
      summary({
        Resource: ["arn:aws:ses:us-east-1:123456789012:identity/*", "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-*"],
        Condition: { "ForAllValues:StringLike": {}, StringEquals: { "ses:FromAddress": ["admin@example.com", "app@example.com"] } },
      }),
    ).toBe("ses-send-raw-email-only: ses:SendRawEmail on 2 ARN patterns, as 2 From addresses");
  });
});
