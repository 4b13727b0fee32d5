/**
 * Scores diagnose (and sisimai, where installed) on the sisimai sample set
 * (tests/fixtures/bounces-sisimai): per format family, how many labelled recipients each names
 * the right layer for. Shared by tests/diagnose/corpus.test.ts and scripts/bench.ts.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classify } from "../../lib/diagnose/classify";
import type { DiagnoseLayer, Verdict } from "../../lib/diagnose/types";
import { readBounce } from "../../scripts/diagnose/message";
import { layerOfReason } from "./sisimai-reasons";

export const CORPUS = join(__dirname, "..", "fixtures", "bounces-sisimai");
export const ORACLE = join(__dirname, "sisimai-oracle.pl");

export interface Label {
  status: string;
  reply: string;
  reason: string;
}
export const labels = (): Record<string, Label[]> => JSON.parse(readFileSync(join(CORPUS, "labels.json"), "utf8")) as Record<string, Label[]>;
export const samples = (): string[] => readdirSync(CORPUS).filter((f) => f.endsWith(".eml")).sort();
/** "lhost-exim-04.eml" -> "lhost-exim". */
export const familyOf = (file: string): string => file.replace(/-\d+\.eml$/, "");

export interface SisimaiRun {
  version: string;
  byFile: Map<string, { recipient: string; reason: string; status: string; reply: string }[]>;
}

/** sisimai over the files, or undefined when perl cannot load Sisimai. */
export function runSisimai(files: string[]): SisimaiRun | undefined {
  if (spawnSync("perl", ["-MSisimai", "-e", "1"]).status !== 0) return undefined;
  const r = spawnSync("perl", [ORACLE, ...files], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`sisimai-oracle.pl failed: ${r.stderr.slice(0, 2000)}`);
  const byFile: SisimaiRun["byFile"] = new Map();
  let version = "";
  for (const line of r.stdout.split("\n")) {
    if (!line) continue;
    const o = JSON.parse(line) as { version?: string; file?: string; none?: boolean; recipient?: string; reason?: string; status?: string; reply?: string };
    if (o.version) version = o.version;
    if (!o.file) continue;
    const list = byFile.get(o.file) ?? [];
    if (!o.none) list.push({ recipient: o.recipient ?? "", reason: o.reason ?? "", status: o.status ?? "", reply: o.reply ?? "" });
    byFile.set(o.file, list);
  }
  return { version, byFile };
}

export async function runDiagnose(file: string): Promise<{ verdicts: Verdict[]; refused?: string }> {
  const r = await readBounce(readFileSync(file));
  if (!r.ok) return { verdicts: [], refused: r.message };
  return { verdicts: r.failures.map((f) => classify(f)) };
}

/** How many of the expected layers the answers cover (a multiset intersection: order-free, one answer per label). */
export function matched(expected: DiagnoseLayer[], answers: (DiagnoseLayer | null | undefined)[]): number {
  const left = [...answers];
  let n = 0;
  for (const e of expected) {
    const i = left.indexOf(e);
    if (i >= 0) {
      n++;
      left.splice(i, 1);
    }
  }
  return n;
}

export interface SampleScore {
  file: string;
  family: string;
  expected: DiagnoseLayer[];
  diagnose: DiagnoseLayer[];
  diagnoseRight: number;
  refused?: string;
  sisimai?: (DiagnoseLayer | null | undefined)[];
  sisimaiReasons?: string[];
  sisimaiRight?: number;
  labelReasons: string[];
  labelStatuses: string[];
}

export async function scoreCorpus(withSisimai: boolean): Promise<{ scores: SampleScore[]; sisimai?: SisimaiRun }> {
  const all = labels();
  const files = samples();
  const sis = withSisimai ? runSisimai(files.map((f) => join(CORPUS, f))) : undefined;
  const scores: SampleScore[] = [];
  for (const file of files) {
    const expected = (all[file] ?? []).map((l) => layerOfReason(l.reason)).filter((l): l is DiagnoseLayer => !!l);
    if (!expected.length) continue;
    const d = await runDiagnose(join(CORPUS, file));
    const layers = d.verdicts.map((v) => v.layer);
    const s = sis?.byFile.get(join(CORPUS, file));
    const sLayers = s?.map((x) => layerOfReason(x.reason));
    scores.push({
      file,
      family: familyOf(file),
      expected,
      diagnose: layers,
      diagnoseRight: matched(expected, layers),
      ...(d.refused ? { refused: d.refused } : {}),
      ...(sis ? { sisimai: sLayers ?? [], sisimaiReasons: s?.map((x) => x.reason) ?? [], sisimaiRight: matched(expected, sLayers ?? []) } : {}),
      labelReasons: (all[file] ?? []).map((l) => l.reason),
      labelStatuses: (all[file] ?? []).map((l) => l.status),
    });
  }
  return { scores, ...(sis ? { sisimai: sis } : {}) };
}

export interface FamilyRow {
  family: string;
  recipients: number;
  diagnose: number;
  sisimai?: number;
}
export function familyTable(scores: SampleScore[]): FamilyRow[] {
  const rows = new Map<string, FamilyRow>();
  for (const s of scores) {
    const r = rows.get(s.family) ?? { family: s.family, recipients: 0, diagnose: 0, ...(s.sisimaiRight !== undefined ? { sisimai: 0 } : {}) };
    r.recipients += s.expected.length;
    r.diagnose += s.diagnoseRight;
    if (s.sisimaiRight !== undefined) r.sisimai = (r.sisimai ?? 0) + s.sisimaiRight;
    rows.set(s.family, r);
  }
  return [...rows.values()].sort((a, b) => a.family.localeCompare(b.family));
}
