/** Formatting only: the human report (with a summary line) and the JSON document. */
import { type Finding, type Layer, LAYER_TITLES, LAYERS, type Status, summarize, exitCodeFor } from "../../lib/verify/findings";
import { paint } from "../lib/cli";

/** Replace every secret value in every string, as a last line of defence. */
export function scrub<T>(value: T, secrets: readonly string[]): T {
  const needles = secrets.filter((s) => s.length >= 8);
  const clean = (v: unknown): unknown => {
    if (typeof v === "string") return needles.reduce((acc, n) => acc.split(n).join("[redacted]"), v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)]));
    return v;
  };
  return clean(value) as T;
}

const LABEL: Record<Status, string> = { pass: "PASS", warn: "WARN", fail: "FAIL", inconclusive: "????" };

export interface ReportContext {
  /** What was verified, e.g. "stack prod" or "manifest verification.json". */
  target: string;
  layers: readonly Layer[];
  verbose: boolean;
  color: boolean;
}

export function formatText(findings: readonly Finding[], ctx: ReportContext): string {
  const c = paint(ctx.color);
  const tint: Record<Status, (s: string) => string> = { pass: c.green, warn: c.yellow, fail: c.red, inconclusive: c.cyan };
  const lines: string[] = [c.bold(`mail-infra verify: ${ctx.target}`)];
  for (const layer of LAYERS) {
    if (!ctx.layers.includes(layer)) continue;
    const own = findings.filter((f) => f.layer === layer);
    if (own.length === 0) continue;
    const s = summarize(own);
    const state = s.fail > 0 ? c.red("broken") : s.inconclusive > 0 ? c.cyan("not fully checked") : s.warn > 0 ? c.yellow("ok, with warnings") : c.green("ok");
    lines.push("", `${c.bold(LAYER_TITLES[layer])}: ${state}`);
    const idWidth = Math.max(...own.map((f) => f.id.length));
    for (const f of own) {
      lines.push(`  ${tint[f.status](LABEL[f.status])}  ${f.id.padEnd(idWidth)}  ${f.subject}: ${f.summary}`);
      if (f.status !== "pass" || ctx.verbose) {
        for (const e of f.evidence) lines.push(c.dim(`        ${e}`));
        if (f.remediation && f.status !== "pass") lines.push(`        ${c.bold("fix:")} ${f.remediation}`);
      }
    }
  }
  const s = summarize(findings);
  const broken = LAYERS.filter((l) => findings.some((f) => f.layer === l && f.status === "fail"));
  const unchecked = LAYERS.filter((l) => findings.some((f) => f.layer === l && f.status === "inconclusive"));
  const verdict =
    broken.length > 0
      ? `broken: ${broken.map((l) => LAYER_TITLES[l]).join("; ")}`
      : unchecked.length > 0
        ? `not fully checked: ${unchecked.map((l) => LAYER_TITLES[l]).join("; ")}`
        : "mail path healthy";
  lines.push("", `${c.bold("Summary:")} ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.inconclusive} inconclusive — ${verdict}.`);
  return lines.join("\n") + "\n";
}

export function formatJson(findings: readonly Finding[], ctx: Pick<ReportContext, "target" | "layers">): string {
  return JSON.stringify({ target: ctx.target, layers: ctx.layers, summary: summarize(findings), exitCode: exitCodeFor(findings), findings }, null, 2) + "\n";
}
