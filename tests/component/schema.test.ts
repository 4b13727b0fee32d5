/**
 * The component package's schema, inferred from packages/mail-infra/*.ts by the same analyser
 * `pulumi package add` runs (@pulumi/pulumi provider/experimental: ComponentProvider.getSchema,
 * no CLI needed). The schema is what the Python, Go, .NET and YAML SDKs are generated from, so:
 * - it must equal tests/fixtures/component/schema.json (an intended change updates the file:
 *   `MAIL_INFRA_UPDATE_SCHEMA=1 npx vitest run tests/component/schema.test.ts`), and
 * - the change from the fixture must break nothing (scripts/lib/schema-compat.ts) unless the
 *   package's major version is raised.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { describe, expect, it } from "vitest";
import { MailDomain, MailMonitoring, SmtpRelay } from "../../packages/mail-infra/index";
import { type PackageSchema, schemaBreaks } from "../../scripts/lib/schema-compat";
import { ROOT } from "../helpers/spawn";

const PACKAGE_DIR = join(ROOT, "packages/mail-infra");
const FIXTURE = join(ROOT, "tests/fixtures/component/schema.json");
const packageJson = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { name: string; version: string };

/** The schema as the Node.js language host's plugin runner builds it (cmd/run-plugin: name from package.json, components exported by the entry). */
async function inferredSchema(): Promise<PackageSchema & Record<string, unknown>> {
  const provider = new ComponentProvider({ name: packageJson.name, dirname: PACKAGE_DIR, components: [MailDomain, SmtpRelay, MailMonitoring] });
  return JSON.parse(await provider.getSchema()) as PackageSchema & Record<string, unknown>;
}

describe("the component package schema", async () => {
  const schema = await inferredSchema();
  if (process.env.MAIL_INFRA_UPDATE_SCHEMA === "1") writeFileSync(FIXTURE, JSON.stringify(schema, null, 2) + "\n");
  const expected = JSON.parse(readFileSync(FIXTURE, "utf8")) as PackageSchema & { version: string };

  it("has the three components under <package>:index:<Name>", () => {
    expect(Object.keys(schema.resources ?? {}).sort()).toEqual(["mail-infra:index:MailDomain", "mail-infra:index:MailMonitoring", "mail-infra:index:SmtpRelay"]);
  });

  it("takes the inputs that decide resources as plain values, and existing resources as Inputs", () => {
    const domain = schema.resources?.["mail-infra:index:MailDomain"];
    expect(domain?.requiredInputs?.sort()).toEqual(["domain", "regions"]);
    expect(domain?.inputProperties?.domain.plain).toBe(true);
    expect(domain?.inputProperties?.zoneId.plain).toBeUndefined();
    expect(schema.resources?.["mail-infra:index:SmtpRelay"]?.inputProperties?.secretKmsKeyId.plain).toBeUndefined();
    const monitoring = schema.resources?.["mail-infra:index:MailMonitoring"]?.inputProperties;
    // An existing topic per region: the regions (keys) decide the topics, each ARN may be an Output.
    expect(monitoring?.alertTopicArns).toMatchObject({ type: "object", plain: true, additionalProperties: { type: "string" } });
    expect(monitoring?.alertTopicArns.additionalProperties?.plain).toBeUndefined();
    expect(monitoring?.snsKmsKeyId.plain).toBeUndefined();
    expect(domain?.inputProperties?.snsKmsKeyId.plain).toBeUndefined();
  });

  it("equals the checked-in schema", () => {
    expect(schema).toEqual(expected);
  });

  it("breaks nothing a program written against the checked-in schema uses, unless the major version rose", () => {
    const major = (v: string) => Number(v.split(".")[0]);
    if (major(packageJson.version) > major(expected.version)) return;
    expect(schemaBreaks(expected, schema)).toEqual([]);
  });
});

describe("schemaBreaks", () => {
  const base: PackageSchema = {
    resources: {
      "p:index:R": {
        inputProperties: { a: { type: "string", plain: true }, b: { type: "array", items: { type: "string" } } },
        requiredInputs: ["a"],
        properties: { o: { type: "string" } },
        required: ["o"],
      },
    },
    types: { "p:index:T": { properties: { x: { type: "string" } }, required: [] } },
  };
  const changed = (f: (s: PackageSchema) => void): PackageSchema => {
    const s = JSON.parse(JSON.stringify(base)) as PackageSchema;
    f(s);
    return s;
  };

  it("accepts an added optional input and output", () => {
    expect(schemaBreaks(base, changed((s) => {
      s.resources!["p:index:R"].inputProperties!.c = { type: "number" };
      s.resources!["p:index:R"].properties!.p = { type: "string" };
    }))).toEqual([]);
  });

  it.each([
    ["a removed input", (s: PackageSchema) => delete s.resources!["p:index:R"].inputProperties!.b, "p:index:R input.b was removed."],
    ["a newly required input", (s: PackageSchema) => s.resources!["p:index:R"].requiredInputs!.push("b"), "p:index:R input.b is now required."],
    ["a changed item type", (s: PackageSchema) => (s.resources!["p:index:R"].inputProperties!.b.items = { type: "number" }), "p:index:R input.b changed type from array<string> to array<number>."],
    ["a plain input that takes Outputs", (s: PackageSchema) => delete s.resources!["p:index:R"].inputProperties!.a.plain, "p:index:R input.a is no longer a plain value."],
    ["a removed output", (s: PackageSchema) => delete s.resources!["p:index:R"].properties!.o, "p:index:R output.o was removed."],
    ["an output no longer always set", (s: PackageSchema) => (s.resources!["p:index:R"].required = []), "p:index:R output.o is no longer always set."],
    ["a removed resource", (s: PackageSchema) => delete s.resources!["p:index:R"], "resource p:index:R was removed."],
    ["a removed type", (s: PackageSchema) => delete s.types!["p:index:T"], "type p:index:T was removed."],
  ])("refuses %s", (_, f, message) => {
    expect(schemaBreaks(base, changed(f))).toEqual([message]);
  });
});

describe("examples/python against the schema", () => {
  const source = readFileSync(join(ROOT, "examples/python/__main__.py"), "utf8");

  it("is valid Python (py_compile; the pulumi pip package cannot be installed here, so it is not run)", () => {
    execFileSync("python3", ["-m", "py_compile", join(ROOT, "examples/python/__main__.py")], { stdio: "pipe" });
  });

  it("passes only inputs and reads only outputs the schema has (in the SDK's snake_case)", async () => {
    const expected = JSON.parse(readFileSync(FIXTURE, "utf8")) as PackageSchema;
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const r = expected.resources!["mail-infra:index:MailDomain"];
    const call = /mail_infra\.MailDomain\(([\s\S]*?)\n\)/.exec(source)?.[1] ?? "";
    const kwargs = [...call.matchAll(/^\s+(\w+)=/gm)].map((m) => m[1]);
    expect(kwargs.length).toBeGreaterThan(2);
    for (const k of kwargs) expect(Object.keys(r.inputProperties ?? {}).map(snake), k).toContain(k);
    for (const req of r.requiredInputs ?? []) expect(kwargs).toContain(snake(req));
    const reads = [...source.matchAll(/mail\.(\w+)/g)].map((m) => m[1]);
    for (const o of reads) expect(Object.keys(r.properties ?? {}).map(snake), o).toContain(o);
  });
});
