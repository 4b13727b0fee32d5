/**
 * Every relative link in README.md and docs/ resolves: the file exists, and an anchor
 * (`file.md#heading`, `#heading`) names a heading of that file, slugged as GitHub does.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { docFiles, ROOT } from "./doc-examples";

/** GitHub's heading anchor: lower case, punctuation dropped (but - and _), spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Markdown links outside fenced blocks and code spans: [text](target). */
function links(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split("\n").forEach((line, i) => {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced) return;
    const text = line.replace(/`[^`]*`/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

export function brokenLinks(doc: string): string[] {
  const path = join(ROOT, doc);
  const text = readFileSync(path, "utf8");
  const broken: string[] = [];
  for (const { target, line } of links(text)) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [file, anchor] = target.split("#", 2);
    const resolved = file === "" ? path : join(dirname(path), decodeURIComponent(file));
    const where = `${doc}:${line}: ${target}`;
    if (!existsSync(resolved)) {
      broken.push(`${where}: ${relative(ROOT, resolved)} does not exist`);
      continue;
    }
    if (anchor && resolved.endsWith(".md") && statSync(resolved).isFile() && !anchors(readFileSync(resolved, "utf8")).has(anchor)) {
      broken.push(`${where}: ${relative(ROOT, resolved)} has no heading #${anchor}`);
    }
  }
  return broken;
}

describe("links in README.md and docs/", () => {
  it("every relative link names a file that exists, and an anchor names a heading there", () => {
    expect(docFiles().flatMap(brokenLinks)).toEqual([]);
  });

  it("slugs follow GitHub: punctuation dropped, spaces to hyphens", () => {
    expect(slug('Fix a Gmail "Send mail as" alias')).toBe("fix-a-gmail-send-mail-as-alias");
    expect(slug("`npm run plan -- --stack prod`")).toBe("npm-run-plan------stack-prod");
    expect(slug("4. Verify sees the probe: \"safe to deactivate\"")).toBe("4-verify-sees-the-probe-safe-to-deactivate");
  });
});
