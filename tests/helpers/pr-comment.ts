import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "./spawn";

/** scripts/pr-comment.cjs (dependency-free JavaScript, for the pr-comment workflow), typed. */
export interface Report {
  text: string | undefined;
  status: number | undefined;
}
export interface PrComment {
  MARKER: string;
  MAX_REPORT_CHARS: number;
  commentBody(inputs: { changeReview: Report; policy: Report; preview?: Report; runUrl: string }): string;
  fenced(text: string): string;
  readPrNumber(dir: string): string | undefined;
  readReport(dir: string, name: string): Report;
}
export const PR_COMMENT_SCRIPT = join(ROOT, "scripts", "pr-comment.cjs");
export const prComment = createRequire(PR_COMMENT_SCRIPT)(PR_COMMENT_SCRIPT) as PrComment;
