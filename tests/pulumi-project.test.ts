import Ajv2020 from "ajv/dist/2020";
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, validateConfig } from "../lib/config";
import { readStackConfig } from "../scripts/lib/stack-config";
import { ROOT } from "./helpers/spawn";

const schemaPath = join(ROOT, "..", "shared", "reference", "pulumi-project.schema.json");
const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;

function validator() {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as { $schema?: string };
  const ajv = schema.$schema?.includes("2020-12") ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  return ajv.compile(schema);
}

describe("Pulumi.yaml", () => {
  it("validates against the Pulumi project schema", () => {
    const validate = validator();
    const ok = validate(project);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema check can fail (a config type Pulumi does not know)", () => {
    const validate = validator();
    const broken = { ...project, config: { domain: { type: "object", description: "x" } } };
    expect(validate(broken)).toBe(false);
  });

  it("is the nodejs runtime with TypeScript, named mail-infra", () => {
    expect(project.name).toBe("mail-infra");
    expect(project.runtime).toMatchObject({ name: "nodejs", options: { typescript: true } });
  });

  it("declares exactly the keys the program reads, with the same types, descriptions and defaults", () => {
    const declared = project.config as Record<string, Record<string, unknown>>;
    const expected = Object.fromEntries(
      Object.entries(CONFIG_KEYS).map(([k, spec]) => {
        const s = spec as { type: string; description: string; default?: unknown };
        return [k, { type: s.type, ...(s.type === "array" ? { items: { type: "string" } } : {}), description: s.description, ...(s.default !== undefined ? { default: s.default } : {}) }];
      }),
    );
    expect(declared).toEqual(expected);
  });

  it("Pulumi.prod.yaml validates", () => {
    const file = readStackConfig("prod", ROOT);
    expect(validateConfig(file.values, "prod").domains[0].domain).toBe("queenofsandiego.com");
  });
});
