/**
 * No module of the project imports itself through others: the import graph of lib/, scripts/,
 * components/, policies/ and index.ts (every relative import, `import type` included, since a
 * reader follows those too) has no cycle. Read with TypeScript's own pre-processor, so the
 * graph is what the compiler sees.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/spawn";

type Graph = ReadonlyMap<string, readonly string[]>;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return ["node_modules", "dist"].includes(e.name) ? [] : sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The project file a relative specifier names, as TypeScript resolves it (`x` -> x.ts or x/index.ts). */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = normalize(join(dirname(from), specifier));
  return [`${base}.ts`, join(base, "index.ts")].find((f) => existsSync(join(ROOT, f)));
}

function importGraph(files: readonly string[], read: (f: string) => string = (f) => readFileSync(join(ROOT, f), "utf8")): Graph {
  return new Map(
    files.map((f) => [
      f,
      ts
        .preProcessFile(read(f), true, true)
        .importedFiles.map((i) => i.fileName)
        .filter((s) => s.startsWith("."))
        .flatMap((s) => resolveImport(f, s) ?? []),
    ]),
  );
}

/** Every cycle, as the strongly connected components with more than one file (or a file importing itself); Tarjan's algorithm. */
function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("the import graph", () => {
  const files = [...["lib", "scripts", "components", "policies"].flatMap(sources), "index.ts"].map((f) => relative(ROOT, join(ROOT, f)));

  it("has no cycle", () => {
    const graph = importGraph(files);
    // The graph is read: the CLIs reach the rulebook.
    expect(graph.get(join("scripts", "verify", "run.ts"))).toContain(join("scripts", "verify", "layers", "index.ts"));
    expect(cycles(graph)).toEqual([]);
  });

  it("the check finds a cycle, type-only imports included", () => {
    const text: Record<string, string> = {
      "a.ts": 'import { b } from "./b";',
      "b.ts": 'import type { C } from "./c";',
      "c.ts": 'export type C = 1;\nimport { a } from "./a";',
      "d.ts": 'import { a } from "./a";',
    };
    const graph = new Map(Object.entries(text).map(([f, t]) => [f, ts.preProcessFile(t, true, true).importedFiles.map((i) => `${i.fileName.slice(2)}.ts`)]));
    expect(cycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(cycles(new Map([["a.ts", ["a.ts"]]]))).toEqual([["a.ts"]]);
    expect(cycles(new Map([["a.ts", ["b.ts"]], ["b.ts", []]]))).toEqual([]);
  });
});
