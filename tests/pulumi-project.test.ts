import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, validateConfig } from "../lib/config";
import { readStackConfig } from "../scripts/lib/stack-config";
import { pulumiProjectProblems } from "./helpers/pulumi-project";
import { ROOT } from "./helpers/spawn";

const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;

describe("Pulumi.yaml", () => {
  it("follows Pulumi's project-file format", () => {
    expect(pulumiProjectProblems(project)).toEqual([]);
  });

  it.each([
    ["a config type Pulumi does not know", { config: { domain: { type: "object", description: "x" } } }, /^config\.domain/],
    ["an array without items", { config: { regions: { type: "array" } } }, /^config\.regions/],
    ["a default of another type", { config: { dmarcPercent: { type: "integer", default: "100" } } }, /^config\.dmarcPercent.*default does not have the declared type/],
    ["an unknown key in a declaration", { config: { domain: { type: "string", descripton: "typo" } } }, /^config\.domain/],
    ["a project name with a space", { name: "mail infra" }, /^name: a project name has only/],
    ["no runtime", { runtime: undefined }, /^runtime/],
    ["an options.refresh other than always", { options: { refresh: "sometimes" } }, /^options\.refresh/],
  ])("the project-file check fails for %s", (_what, change, message) => {
    const problems = pulumiProjectProblems({ ...project, ...change });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(message);
  });

  it("refreshes before every preview, up and destroy, so drift made outside Pulumi is seen (docs/architecture.md, Drift)", () => {
    expect(project.options).toEqual({ refresh: "always" });
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
