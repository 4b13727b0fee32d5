/** Formatting only: the human report (with a summary line) and the JSON document. */
import { domainSummaryLines, tallyByDomain } from "../../lib/verify/by-domain";
import {
  type BlockedCheck,
  exitCodeFor,
  type Finding,
  type Layer,
  LAYER_TITLES,
  LAYERS,
  layerStatuses,
  type NotChecked,
  type Status,
  summarize,
} from "../../lib/verify/findings";
import { redact } from "../../lib/redact";
import { paint } from "../lib/cli";
import { textWidth, wrapText } from "../lib/wrap";
import { JSON_FORMAT_VERSION } from "../lib/json-version";

/** Replace every secret value in every string, as a last line of defence (lib/redact.ts). */
export function scrub<T>(value: T, secrets: readonly string[]): T {
  return redact(value, secrets);
}

const LABEL: Record<Status, string> = { pass: "PASS", warn: "WARN", fail: "FAIL", inconclusive: "????" };

export interface ReportContext {
  /** What was verified, e.g. "stack prod" or "manifest verification.json". */
  target: string;
  layers: readonly Layer[];
  /** Layers that were not checked at all, and why (they are listed, and the verdict says so). */
  notChecked?: readonly NotChecked[];
  verbose: boolean;
  color: boolean;
  /** The manifest's domains: with two or more, the report adds a per-domain tally (lib/verify/by-domain.ts). */
  domains?: readonly string[];
}

/** Blocked checks listed one by one in the text report; more are counted per check id. */
export const BLOCKED_LISTED = 20;

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** "smtp.auth (email-smtp.us-east-1.amazonaws.com:587 (us-east-1))", for blocked checks. */
const blockedLine = (b: BlockedCheck): string => `${b.id} (${b.subject})`;

export function formatText(findings: readonly Finding[], ctx: ReportContext): string {
  const c = paint(ctx.color);
  const tint: Record<Status, (s: string) => string> = { pass: c.green, warn: c.yellow, fail: c.red, inconclusive: c.cyan };
  const lines: string[] = [c.bold(`mail-infra verify: ${ctx.target}`)];
  const statuses = layerStatuses(findings);
  const notChecked = ctx.notChecked ?? [];
  for (const layer of LAYERS) {
    const skipped = notChecked.find((n) => n.layer === layer && n.check === undefined);
    if (skipped) {
      lines.push("", `${c.bold(LAYER_TITLES[layer])}: ${c.dim(`not checked (${skipped.reason})`)}`);
      continue;
    }
    if (!ctx.layers.includes(layer)) continue;
    const own = findings.filter((f) => f.layer === layer);
    const checksNotMade = notChecked.filter((n) => n.layer === layer && n.check !== undefined);
    // Checks of this layer that a cause reported in another layer decided.
    const elsewhere = findings.filter((f) => f.layer !== layer && f.blocked?.some((b) => b.layer === layer));
    if (own.length === 0 && elsewhere.length === 0 && checksNotMade.length === 0) continue;
    const seen = statuses[layer];
    const state = seen.includes("fail") ? c.red("broken") : seen.includes("inconclusive") || checksNotMade.length > 0 ? c.cyan("not fully checked") : seen.includes("warn") ? c.yellow("ok, with warnings") : c.green("ok");
    lines.push("", `${c.bold(LAYER_TITLES[layer])}: ${state}`);
    const idWidth = Math.max(...own.map((f) => f.id.length), ...checksNotMade.map((n) => n.check?.length ?? 0), 0);
    for (const f of own) {
      lines.push(`  ${tint[f.status](LABEL[f.status])}  ${f.id.padEnd(idWidth)}  ${f.subject}: ${f.summary}`);
      if (f.status !== "pass" || ctx.verbose) {
        for (const e of f.evidence) lines.push(c.dim(`        ${e}`));
        if (f.blocked?.length) {
          lines.push(`        ${c.bold(`blocks ${f.blocked.length} check${f.blocked.length === 1 ? "" : "s"}:`)}`);
          // Each check by name up to a screenful; beyond, counted per check id (--json lists them all).
          if (f.blocked.length <= BLOCKED_LISTED) for (const b of f.blocked) lines.push(c.dim(`          ${blockedLine(b)}`));
          else for (const [id, n] of countBy(f.blocked.map((b) => b.id))) lines.push(c.dim(`          ${id} (${n} subjects)`));
        }
        if (f.remediation && f.status !== "pass") lines.push(`        ${c.bold("fix:")} ${f.remediation}`);
      }
    }
    for (const n of checksNotMade) lines.push(`  ${c.dim("----")}  ${(n.check ?? "").padEnd(idWidth)}  ${c.dim(`not checked (${n.reason})`)}`);
    for (const cause of elsewhere) {
      const mine = (cause.blocked ?? []).filter((b) => b.layer === layer);
      const worst = mine.some((b) => b.status === "fail") ? "fail" : mine.some((b) => b.status === "inconclusive") ? "inconclusive" : mine.some((b) => b.status === "warn") ? "warn" : "pass";
      const ids = [...new Set(mine.map((b) => b.id))].join(", ");
      lines.push(`  ${tint[worst](LABEL[worst])}  ${ids}: ${mine.length} check${mine.length === 1 ? "" : "s"} decided by ${cause.id} (${LAYER_TITLES[cause.layer]}, above)`);
    }
  }
  const s = summarize(findings);
  const broken = LAYERS.filter((l) => statuses[l].includes("fail"));
  const unchecked = LAYERS.filter((l) => statuses[l].includes("inconclusive"));
  // The summary line stays short: layers by their --only names; what and why is above it, at each
  // layer's heading and under each line that did not pass.
  const notCheckedLayers = LAYERS.filter((l) => notChecked.some((n) => n.layer === l));
  const skipped = notCheckedLayers.length > 0 ? `not checked: ${notCheckedLayers.join(", ")}` : "";
  // "healthy" only on positive evidence: every finding passed. A warning is read, not waved
  // through; a layer not checked is named, and then only the checked layers are called healthy.
  const verdict =
    broken.length > 0
      ? [`broken: ${broken.join(", ")}`, skipped]
      : unchecked.length > 0
        ? [`not fully checked: ${unchecked.join(", ")}`, skipped]
        : s.warn > 0
          ? [`no failures, ${s.warn} warning${s.warn === 1 ? "" : "s"}: read ${s.warn === 1 ? "it" : "them"}`, skipped]
          : skipped
            ? ["checked layers healthy", skipped]
            : ["mail path healthy"];
  const perDomain = domainSummaryLines(tallyByDomain(findings, ctx.domains ?? []));
  if (perDomain.length > 0) lines.push("", ...perDomain);
  lines.push("", `${c.bold("Summary:")} ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.inconclusive} inconclusive — ${verdict.filter(Boolean).join("; ")}.`);
  return wrapReport(lines.join("\n")) + "\n";
}

/** The text report's layout: every line fits 100 columns; a finding goes on under its subject, other lines under themselves. */
export function wrapReport(text: string, width = textWidth()): string {
  return wrapText(text, width, (indent) => (indent === 2 ? 8 : indent + 2));
}

export function formatJson(findings: readonly Finding[], ctx: Pick<ReportContext, "target" | "layers" | "notChecked" | "domains">): string {
  const byDomain = (ctx.domains?.length ?? 0) > 1 ? { byDomain: tallyByDomain(findings, ctx.domains ?? []) } : {};
  return JSON.stringify({ version: JSON_FORMAT_VERSION, target: ctx.target, layers: ctx.layers, notChecked: ctx.notChecked ?? [], summary: summarize(findings), ...byDomain, exitCode: exitCodeFor(findings), findings }, null, 2) + "\n";
}
