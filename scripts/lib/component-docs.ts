/**
 * The component package's API reference (docs/component-api.md), generated from the TSDoc of
 * packages/mail-infra: each exported component class, its args interface (inputs, with
 * `@default`) and its public Output properties, and the object types they use. Parsed with the
 * TypeScript compiler's parser only (no type check), so it runs in well under a second.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export const PACKAGE_FILES = ["mail-domain.ts", "smtp-relay.ts", "mail-monitoring.ts"];
/** The package's schema token prefix (packages/mail-infra/package.json name + :index:). */
const TOKEN = "mail-infra:index:";

interface Doc {
  text: string;
  defaultValue?: string;
  example?: string;
}

function docOf(node: ts.Node): Doc {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const last = docs[docs.length - 1];
  if (!last) return { text: "" };
  const text = (ts.getTextOfJSDocComment(last.comment) ?? "").replace(/\{@link (\w+)\}/g, "`$1`").replace(/\s*\n\s*/g, " ").trim();
  const tag = (name: string) => last.tags?.find((t) => t.tagName.text === name);
  const defaultTag = tag("default");
  const exampleTag = tag("example");
  return {
    text,
    ...(defaultTag ? { defaultValue: (ts.getTextOfJSDocComment(defaultTag.comment) ?? "").trim() } : {}),
    ...(exampleTag ? { example: (ts.getTextOfJSDocComment(exampleTag.comment) ?? "").trim() } : {}),
  };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A default that is a literal (JSON) as code; a sentence as it is. */
function defaultCell(value: string): string {
  try {
    JSON.parse(value);
    return `\`${cell(value)}\``;
  } catch {
    return cell(value);
  }
}

/** The `@default` of each input of an args interface that states a literal, parsed. */
export function literalDefaults(dir: string, file: string, argsInterface: string): Record<string, unknown> {
  const sf = ts.createSourceFile(file, readFileSync(join(dir, file), "utf8"), ts.ScriptTarget.ES2022, true);
  const i = sf.statements.find((n): n is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(n) && n.name.text === argsInterface);
  const out: Record<string, unknown> = {};
  for (const m of i?.members ?? []) {
    const d = docOf(m);
    // A template such as "mail-infra-smtp-<name>" names a computed default, not a literal.
    if (d.defaultValue === undefined || /<\w+>/.test(d.defaultValue)) continue;
    try {
      out[m.name!.getText()] = JSON.parse(d.defaultValue);
    } catch {
      // a sentence, not a literal
    }
  }
  return out;
}

/** The markdown reference for the package sources in `dir`. */
export function componentReference(dir: string): string {
  const files = PACKAGE_FILES.map((f) => ts.createSourceFile(f, readFileSync(join(dir, f), "utf8"), ts.ScriptTarget.ES2022, true));
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const classes: ts.ClassDeclaration[] = [];
  for (const sf of files) {
    for (const node of sf.statements) {
      const exported = ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
      if (ts.isClassDeclaration(node) && node.name && node.heritageClauses?.some((h) => h.getText().includes("ComponentResource"))) classes.push(node);
    }
  }

  const propertyTable = (props: readonly ts.TypeElement[], withDefault: boolean): string[] => {
    const head = withDefault ? ["| Input | Type | Required | Default | Description |", "|---|---|---|---|---|"] : ["| Field | Type | Required | Description |", "|---|---|---|---|"];
    const rows = props.filter(ts.isPropertySignature).map((p) => {
      const d = docOf(p);
      const type = `\`${cell(p.type?.getText() ?? "unknown")}\``;
      const required = p.questionToken ? "no" : "yes";
      return withDefault
        ? `| \`${p.name.getText()}\` | ${type} | ${required} | ${d.defaultValue !== undefined ? defaultCell(d.defaultValue) : ""} | ${cell(d.text)} |`
        : `| \`${p.name.getText()}\` | ${type} | ${required} | ${cell(d.text)} |`;
    });
    return [...head, ...rows];
  };

  const out: string[] = [
    "# mail-infra component API reference",
    "",
    "<!-- Generated from packages/mail-infra by `npm run docs:component`; tests/component/docs.test.ts checks it is current. Do not edit by hand. -->",
    "",
    "Inputs marked `pulumi.Input` accept a value another resource computes (an Output); every other input decides which resources exist and must be a plain value. See [component.md](component.md) for when to use the component or the stack.",
    "",
  ];
  const usedTypes = new Set<string>();
  for (const c of classes) {
    const name = c.name!.text;
    const d = docOf(c);
    const ctor = c.members.find(ts.isConstructorDeclaration);
    const argsType = ctor?.parameters[1]?.type?.getText() ?? "";
    const args = interfaces.get(argsType);
    out.push(`## ${name}`, "", `Type token \`${TOKEN}${name}\`; \`new ${name}(name, args: ${argsType}, opts?)\`.`, "", d.text, "");
    if (d.example) out.push("```ts", d.example, "```", "");
    if (args) {
      out.push(`### ${argsType}`, "", ...propertyTable(args.members, true), "");
      for (const m of args.members) for (const t of interfaces.keys()) if (t !== argsType && m.getText().includes(t)) usedTypes.add(t);
    }
    const outputs = c.members.filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && (m.modifiers ?? []).some((x) => x.kind === ts.SyntaxKind.PublicKeyword));
    out.push("### Outputs", "", "| Output | Type | Description |", "|---|---|---|");
    for (const o of outputs) {
      out.push(`| \`${o.name.getText()}\` | \`${cell(o.type?.getText() ?? "unknown")}\` | ${cell(docOf(o).text)} |`);
      for (const t of interfaces.keys()) if (o.type?.getText().includes(t)) usedTypes.add(t);
    }
    out.push("");
  }
  for (const t of [...usedTypes].sort()) {
    const i = interfaces.get(t)!;
    out.push(`## ${t}`, "", docOf(i).text, "", ...propertyTable(i.members, false), "");
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
