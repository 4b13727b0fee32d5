/**
 * The rules of Pulumi's project file (Pulumi.yaml), written from Pulumi's documented
 * project-file format (https://www.pulumi.com/docs/iac/concepts/projects/project-file/ and the
 * JSON schema the Pulumi CLI ships, pkg/codegen/schema/project.json). The project keeps its
 * own copy of the rules so a fresh clone checks Pulumi.yaml with nothing beside it.
 *
 * Beyond the JSON schema, Pulumi refuses a config `default` whose type differs from the
 * declared `type`; that rule is here too.
 */
import { z } from "zod";

const nullableString = z.string().nullable().optional();

const simpleConfigType = z.enum(["string", "integer", "boolean", "array"]);
type SimpleConfigType = z.infer<typeof simpleConfigType>;

/** `items` of an array declaration: a type, itself with `items` when it is an array. */
interface ConfigItemsType {
  type: SimpleConfigType | ConfigItemsType;
  items?: ConfigItemsType;
}
const configItemsType: z.ZodType<ConfigItemsType> = z.lazy(() =>
  z
    .object({ type: z.union([simpleConfigType, configItemsType]), items: configItemsType.optional() })
    .refine((t) => t.type !== "array" || t.items !== undefined, { message: "an array type needs `items`", path: ["items"] }),
);

function matchesType(value: unknown, type: SimpleConfigType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
  }
}

const configTypeDeclaration = z
  .strictObject({
    type: simpleConfigType,
    items: configItemsType.optional(),
    description: z.string().optional(),
    secret: z.boolean().optional(),
    default: z.unknown().optional(),
  })
  .refine((d) => d.type !== "array" || d.items !== undefined, { message: "an array type needs `items`", path: ["items"] })
  .refine((d) => d.default === undefined || matchesType(d.default, d.type), { message: "the default does not have the declared type", path: ["default"] });

const pluginOptions = z.object({ name: z.string().optional(), path: z.string().optional(), version: z.string().optional() });

export const pulumiProjectSchema = z.looseObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "a project name has only letters, digits, '-', '_' and '.'"),
  runtime: z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() })]),
  description: nullableString,
  author: nullableString,
  website: nullableString,
  license: nullableString,
  main: nullableString,
  stackConfigDir: nullableString,
  config: z.record(z.string(), z.union([z.string(), z.number().int(), z.boolean(), configTypeDeclaration])).nullable().optional(),
  backend: z.strictObject({ url: z.string().optional() }).nullable().optional(),
  options: z.strictObject({ refresh: z.literal("always").optional() }).nullable().optional(),
  template: z
    .strictObject({
      description: nullableString,
      quickstart: nullableString,
      important: z.boolean().nullable().optional(),
      config: z
        .record(z.string(), z.object({ description: nullableString, default: z.unknown().optional(), secret: z.boolean().nullable().optional() }))
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  plugins: z
    .object({ providers: z.array(pluginOptions).optional(), analyzers: z.array(pluginOptions).optional(), languages: z.array(pluginOptions).optional() })
    .optional(),
});

/** Every way a parsed Pulumi.yaml breaks the rules, as "path: message" lines (empty when it is valid). */
export function pulumiProjectProblems(project: unknown): string[] {
  const r = pulumiProjectSchema.safeParse(project);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
}
