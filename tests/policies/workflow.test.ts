import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { prComment } from "../helpers/pr-comment";
import { ROOT } from "../helpers/spawn";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  "runs-on": string;
  container?: string;
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const readWorkflow = (file: string) => parse(readFileSync(join(ROOT, ".github", "workflows", file), "utf8")) as Workflow;
const workflow = readWorkflow("pull-request.yml");
const commentWorkflow = readWorkflow("pr-comment.yml");
const { readReport } = prComment;
const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));

describe(".github/workflows/pull-request.yml", () => {
  it("runs on pull requests (forks included) and on main", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
    expect(Object.keys(workflow.jobs)).toEqual(["test", "preview", "change-review"]);
  });

  it("test: always runs the tests and the offline policy check, on Node 22, without secrets", () => {
    const test = workflow.jobs.test;
    expect(test.if).toBeUndefined();
    expect(uses(test, "actions/checkout")).toHaveLength(1);
    expect(uses(test, "actions/setup-node")[0]?.with).toMatchObject({ "node-version": 22 });
    const runs = test.steps.map((s) => s.run).filter((r): r is string => r !== undefined);
    expect(runs).toEqual(expect.arrayContaining(["bash scripts/install-test-deps.sh", "npm ci --no-audit --no-fund", "npm test", "npm run policy -- --stack prod"]));
    expect(runs.indexOf("npm test")).toBeLessThan(runs.indexOf("npm run policy -- --stack prod"));
    const offline = test.steps.find((s) => s.run === "npm run policy -- --stack prod");
    expect(offline?.env).toBeUndefined();
  });

  it("preview: gated on Pulumi and AWS credentials, with the pack and a PR comment", () => {
    const test = workflow.jobs.test;
    const gate = test.steps.find((s) => s.id === "credentials");
    expect(gate?.env).toEqual({
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      AWS_ROLE_ARN: "${{ secrets.AWS_ROLE_ARN }}",
      AWS_ACCESS_KEY_ID: "${{ secrets.AWS_ACCESS_KEY_ID }}",
    });
    expect(gate?.run).toContain('[ -n "$PULUMI_ACCESS_TOKEN" ]');
    expect(test.outputs).toEqual({ "cloud-credentials": "${{ steps.credentials.outputs.available }}" });

    const preview = workflow.jobs.preview;
    expect(preview.needs).toBe("test");
    expect(preview.if).toBe("github.event_name == 'pull_request' && needs.test.outputs.cloud-credentials == 'true'");
    expect(preview.permissions).toMatchObject({ "pull-requests": "write", "id-token": "write" });
    expect(uses(preview, "aws-actions/configure-aws-credentials")).toHaveLength(2);
    const pulumi = uses(preview, "pulumi/actions");
    expect(pulumi).toHaveLength(1);
    expect(pulumi[0]?.uses).toBe("pulumi/actions@v6");
    expect(pulumi[0]?.with).toMatchObject({ command: "preview", policyPacks: "policies", "comment-on-pr": true });
    expect(pulumi[0]?.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
  });

  it("change-review: on pull requests, read-only and without secrets, plans the base branch and reviews the change against it", () => {
    const job = workflow.jobs["change-review"];
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(JSON.stringify(job)).not.toContain("secrets.");
    // No job-level grant: the workflow's read-only `contents: read` applies, as for a fork.
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(job.permissions).toBeUndefined();
    const scripts = job.steps.map((s) => s.run ?? "").join("\n");
    expect(scripts).toContain("github.event.pull_request.base.sha");
    expect(scripts).toMatch(/npm run -s plan -- --stack .* --json > "\$RUNNER_TEMP\/base-plan.json"/);
    expect(scripts).toMatch(/npm run -s plan -- --stack .* --against "\$RUNNER_TEMP\/base-plan.json" > "\$RUNNER_TEMP\/pr-review\/change-review.txt" 2>&1/);
    expect(scripts).toMatch(/npm run -s policy -- --stack .* > "\$RUNNER_TEMP\/pr-review\/policy.txt" 2>&1/);
    expect(scripts).toContain("GITHUB_STEP_SUMMARY");
    // The job fails on a mail-breaking change, after the reports are saved.
    const last = job.steps[job.steps.length - 1];
    expect(last.run).toContain('cat "$RUNNER_TEMP/pr-review/change-review.status"');
    expect(last.run).toContain("exit $status");
    expect(last.if).toBeUndefined();
  });

  it("change-review: saves both reports and the pull request number as the pr-review artifact, also when a step failed", () => {
    const job = workflow.jobs["change-review"];
    const upload = uses(job, "actions/upload-artifact");
    expect(upload).toHaveLength(1);
    expect(upload[0].if).toBe("${{ !cancelled() }}");
    expect(upload[0].with).toMatchObject({ name: "pr-review", path: "${{ runner.temp }}/pr-review/" });
    expect(job.steps.indexOf(upload[0])).toBe(job.steps.length - 2);
    const policy = job.steps.find((s) => s.name === "Policy report (offline)");
    expect(policy?.if).toBe("${{ !cancelled() }}");
    const number = job.steps.find((s) => s.env?.PR_NUMBER);
    expect(number?.env).toEqual({ PR_NUMBER: "${{ github.event.pull_request.number }}" });
    expect(number?.run).toContain('> "$RUNNER_TEMP/pr-review/pr-number"');
  });

  it("the files the job writes are the ones scripts/pr-comment.cjs reads into the comment: both reports", () => {
    const scripts = workflow.jobs["change-review"].steps.map((s) => s.run ?? "").join("\n");
    const written = [...scripts.matchAll(/"\$RUNNER_TEMP\/pr-review\/([\w.-]+)"/g)].map((m) => m[1]);
    expect(new Set(written)).toEqual(new Set(["pr-number", "change-review.txt", "change-review.status", "policy.txt", "policy.status"]));
    const dir = mkdtempSync(join(tmpdir(), "pr-review-"));
    for (const f of written) writeFileSync(join(dir, f), f.endsWith(".status") ? "1\n" : `text of ${f}`);
    expect(readReport(dir, "change-review")).toEqual({ text: "text of change-review.txt", status: 1 });
    expect(readReport(dir, "policy")).toEqual({ text: "text of policy.txt", status: 1 });
  });

  it("never reads secrets in an if: (GitHub does not allow it there)", () => {
    for (const [name, job] of [...Object.entries(workflow.jobs), ...Object.entries(commentWorkflow.jobs)]) {
      expect(job.if ?? "", name).not.toContain("secrets.");
      for (const step of job.steps) expect(step.if ?? "", `${name}: ${step.name ?? step.uses}`).not.toContain("secrets.");
    }
  });
});

describe(".github/workflows/pr-comment.yml", () => {
  const job = commentWorkflow.jobs.comment;
  const post = job.steps.find((s) => s.name === "Post or update the comment");

  it("runs after the pull-request workflow, for pull-request runs only (forks included)", () => {
    expect(commentWorkflow.on).toEqual({ workflow_run: { workflows: ["pull-request"], types: ["completed"] } });
    expect(Object.keys(commentWorkflow.jobs)).toEqual(["comment"]);
    expect(job.if).toBe("github.event.workflow_run.event == 'pull_request'");
  });

  it("has the write token only where it comments, and no other secret", () => {
    expect(commentWorkflow.permissions).toEqual({});
    expect(job.permissions).toEqual({ actions: "read", contents: "read", "pull-requests": "write" });
    expect(JSON.stringify(commentWorkflow)).not.toContain("secrets.");
  });

  it("never checks out or runs the pull request's code: the default branch, no credentials kept", () => {
    const checkout = uses(job, "actions/checkout");
    expect(checkout).toHaveLength(1);
    expect(checkout[0].with).toEqual({ "persist-credentials": false });
    expect(JSON.stringify(job)).not.toMatch(/npm (ci|install|run)/);
    expect(JSON.stringify(job)).not.toContain("head_branch");
  });

  it("downloads the pr-review artifact of the run that triggered it", () => {
    const download = uses(job, "actions/download-artifact");
    expect(download).toHaveLength(1);
    expect(download[0].with).toMatchObject({ name: "pr-review", "run-id": "${{ github.event.workflow_run.id }}", "github-token": "${{ github.token }}" });
    expect(post?.if).toBe(`steps.${download[0].id}.outcome == 'success'`);
  });

  it("comments both reports on the pull request whose head was reviewed, updating its earlier comment", () => {
    expect(post?.env).toMatchObject({ GH_TOKEN: "${{ github.token }}", HEAD_SHA: "${{ github.event.workflow_run.head_sha }}" });
    const run = post?.run ?? "";
    expect(run).toContain("node scripts/pr-comment.cjs pr-review \"$RUN_URL\" --pr-number");
    expect(run).toMatch(/--jq \.head\.sha\)" != "\$HEAD_SHA"/);
    expect(run).toContain('node scripts/pr-comment.cjs pr-review "$RUN_URL" > comment.md');
    expect(run).toContain('gh api -X PATCH "repos/$REPO/issues/comments/$existing" -F body=@comment.md');
    expect(run).toContain('gh api -X POST "repos/$REPO/issues/$pr/comments" -F body=@comment.md');
    expect(run).toContain('select(.user.login == \\"github-actions[bot]\\"');
  });
});
