/** Types of scripts/lib/mutation-results.mjs (a plain ES module: scripts/mutation.mjs runs without a build). */
export declare const RESULTS_DIR: string;
export declare const DETECTED: string[];
export declare const UNDETECTED: string[];
export interface Position {
  line: number;
  column: number;
}
export interface Location {
  start: Position;
  end: Position;
}
export type TestRef = [name: string, line: number, column: number];
export interface TestFileRef {
  file: string;
  source: string;
  tests: TestRef[];
}
export type Result = [at: string, mutator: string, replacement: string, status: string, killedBy: number[], coveredBy: number[]];
export interface MutationRecord {
  file: string;
  source: string;
  mutants: number;
  measured: string;
  stryker: string;
  tests: TestFileRef[];
  results: Result[];
}
export interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  other: number;
}
export interface ScoreRow extends Counts {
  file: string;
  source: string;
  mutants: number;
  measured: string | null;
}
export declare function blobId(text: string): string;
export declare function at(l: Location): string;
export declare function location(s: string): Location;
export declare function mutantKey(place: string, mutator: string, replacement: string): string;
export declare function recordPath(root: string, file: string): string;
export declare function readRecord(root: string, file: string): MutationRecord | undefined;
export declare function formatRecord(r: MutationRecord): string;
export declare function writeRecord(root: string, r: MutationRecord): void;
export declare function counts(results: { status: string }[] | Result[]): Counts;
export declare function tested(r: Counts & { mutants: number }): number;
export declare function score(r: Counts): string;
export declare function total(rows: ScoreRow[], name: string): ScoreRow;
export declare function renderScores(rows: ScoreRow[], opts: { target: string; stale?: Set<string>; files?: "all" | "measured" | "none" }): string;
export declare function runSlug(name: string): string;
export declare function summaryPath(root: string, target: string): string;
export declare function writeSummary(root: string, target: string, rows: ScoreRow[]): void;
export interface SourceMutants {
  blob: string;
  keys: Set<string>;
}
export interface Context {
  root: string;
  read: (file: string) => string | undefined;
  gitBlob: (id: string) => string | undefined;
  keysOf: (files: string[]) => Promise<Map<string, SourceMutants>>;
  today: string;
  stryker: string;
}
export interface IncrementalReport {
  schemaVersion: string;
  thresholds: { high: number; low: number };
  projectRoot: string;
  files: Record<string, { language: string; source: string; mutants: { id: string; mutatorName: string; replacement: string; location: Location; status: string; killedBy: string[]; coveredBy: string[] }[] }>;
  testFiles: Record<string, { source?: string; tests: { id: string; name: string; location: { start: Position } }[] }>;
}
export declare function incrementalFromRecords(ctx: Context, list: string[]): IncrementalReport;
export declare function foldIntoRecords(ctx: Context, list: string[], report: unknown): Promise<number>;
