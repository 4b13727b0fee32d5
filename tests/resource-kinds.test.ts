/**
 * The resource-kind table (lib/resource-kinds.ts) knows every cloud resource type the components
 * declare. Its pure parts (each type's line, mock state, replace-forcing inputs, what breaks mail,
 * pulumiTypeName) are tested in tests/lib/resource-kinds.test.ts, which mutation testing runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { RESOURCE_KINDS, summarize } from "../lib/resource-kinds";
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
