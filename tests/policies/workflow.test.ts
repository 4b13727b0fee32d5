import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { prComment } from "../helpers/pr-comment";
import { ROOT } from "../helpers/spawn";

interface Step {
  "continue-on-error"?: boolean;
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  concurrency?: unknown;
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
  concurrency?: { group: string; "cancel-in-progress": boolean | string };
  env?: Record<string, string>;
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
    expect(runs).toEqual(expect.arrayContaining(["bash scripts/install-test-deps.sh", "npm ci --no-audit --no-fund", "npm test", 'npm run policy -- --stack "$STACK"']));
    expect(runs.indexOf("npm test")).toBeLessThan(runs.indexOf('npm run policy -- --stack "$STACK"'));
    const offline = test.steps.find((s) => s.run === 'npm run policy -- --stack "$STACK"');
    expect(offline?.env).toBeUndefined();
  });

  it("preview: gated on Pulumi and AWS credentials, runs the pack, and leaves the commenting to the one comment", () => {
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
    // OIDC needs id-token; it no longer comments itself: its result goes into the one comment.
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(uses(preview, "aws-actions/configure-aws-credentials")).toHaveLength(2);
    const pulumi = uses(preview, "pulumi/actions");
    expect(pulumi).toHaveLength(1);
    expect(pulumi[0]?.with).toEqual({ command: "preview", "stack-name": "${{ env.STACK }}", policyPacks: "policies", "comment-on-pr": false });
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
    // The base commit reaches the shell through the environment, never spliced into the script.
    expect(job.steps.find((s) => s.name === "Plan of the base branch")?.env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
    expect(scripts).not.toContain("${{");
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

  it("downloads the pr-review artifact of the run that triggered it, and the pr-preview one into the same folder when there is one", () => {
    const download = uses(job, "actions/download-artifact");
    expect(download.map((d) => d.with?.name)).toEqual(["pr-review", "pr-preview"]);
    for (const d of download) expect(d.with).toMatchObject({ path: "pr-review", "run-id": "${{ github.event.workflow_run.id }}", "github-token": "${{ github.token }}" });
    // Both may be missing (a run cancelled early; no preview without credentials): never a failed step.
    for (const d of download) expect(d["continue-on-error"]).toBe(true);
    expect(post?.if).toBe(`steps.${download[0].id}.outcome == 'success'`);
    expect(job.steps.indexOf(download[1])).toBeLessThan(job.steps.indexOf(post as Step));
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

/** Every `uses:` of both workflows, with the major it must be at (checked against each action's releases, see below). */
const MAJORS: Record<string, string> = {
  // actions/checkout v7.0.0 (June 2026) blocks checking out a fork's pull request code under
  // pull_request_target and workflow_run; pr-comment.yml checks out the default branch only.
  "actions/checkout": "v7",
  // v7.0.0 (July 2026): ESM, no placeholder NODE_AUTH_TOKEN; node-version and cache unchanged.
  "actions/setup-node": "v7",
  // upload-artifact's newest major is v7 (there is no v8); download-artifact v8 is its counterpart.
  "actions/upload-artifact": "v7",
  "actions/download-artifact": "v8",
  // v7.0.0 (May 2026): Node 24 runtime; the inputs used here are unchanged.
  "pulumi/actions": "v7",
  "aws-actions/configure-aws-credentials": "v6",
};

describe("both workflows: action versions, concurrency, the stack, permissions, one comment", () => {
  const all = { "pull-request.yml": workflow, "pr-comment.yml": commentWorkflow };
  const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

  it("use the current major of every action, and no action outside that list", () => {
    const seen = new Set<string>();
    for (const [file, w] of Object.entries(all)) {
      for (const step of steps(w)) {
        if (step.uses === undefined) continue;
        const [action, ref] = step.uses.split("@");
        seen.add(action);
        expect(MAJORS[action], `${file}: ${step.uses} is not in the list of checked actions`).toBeDefined();
        expect(ref, `${file}: ${action}`).toBe(MAJORS[action]);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(MAJORS).sort());
  });

  it("pull-request.yml: one run per pull request, a new push cancels the previous one; runs on main are not cancelled", () => {
    expect(workflow.concurrency).toEqual({
      group: "${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}",
      "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    });
  });

  it("pr-comment.yml: one comment run at a time per pull request branch (never two posting at once), none cancelled", () => {
    expect(commentWorkflow.concurrency).toEqual({
      group: "${{ github.workflow }}-${{ github.event.workflow_run.head_repository.id }}-${{ github.event.workflow_run.head_branch }}",
      "cancel-in-progress": false,
    });
    // The branch name (chosen by whoever opened the pull request) is only a concurrency key.
    expect(JSON.stringify(commentWorkflow.jobs)).not.toContain("head_branch");
  });

  it("take the stack from the repository variable PULUMI_STACK, prod when it is unset, and never name a stack elsewhere", () => {
    expect(workflow.env).toEqual({ STACK: "${{ vars.PULUMI_STACK || 'prod' }}" });
    const text = readFileSync(join(ROOT, ".github", "workflows", "pull-request.yml"), "utf8");
    for (const m of text.matchAll(/--stack (\S+)/g)) expect(m[1]).toBe('"$STACK"');
    expect(text.match(/--stack /g)?.length).toBe(4);
    expect(uses(workflow.jobs.preview, "pulumi/actions")[0]?.with?.["stack-name"]).toBe("${{ env.STACK }}");
  });

  it("fail the first step, naming the variable and the fix, when PULUMI_STACK names a stack without its Pulumi.<stack>.yaml", () => {
    for (const name of ["test", "change-review"]) {
      const check = workflow.jobs[name].steps.find((s) => s.name === "The stack to review (repository variable PULUMI_STACK, default prod)");
      if (!check?.run) throw new Error(`${name}: no stack check`);
      const missing = spawnSync("bash", ["-e", "-c", check.run], { cwd: ROOT, env: { ...process.env, STACK: "staging" }, encoding: "utf8" });
      expect(missing.status, name).toBe(1);
      expect(missing.stdout).toContain('::error::The repository variable PULUMI_STACK names the stack "staging", but Pulumi.staging.yaml is not in the repository. Set PULUMI_STACK to a stack');
      const prod = spawnSync("bash", ["-e", "-c", check.run], { cwd: ROOT, env: { ...process.env, STACK: "prod" }, encoding: "utf8" });
      expect(prod.status, name).toBe(0);
      expect(prod.stdout).not.toContain("::error::");
    }
    // In the test job it comes before anything is installed.
    const test = workflow.jobs.test.steps;
    expect(test.findIndex((s) => s.name?.startsWith("The stack to review"))).toBeLessThan(test.findIndex((s) => s.run === "npm ci --no-audit --no-fund"));
  });

  it("comment also when the preview or the change review failed, or without credentials: every report is saved whatever happened before it", () => {
    // pr-comment.yml runs on every completed run (no conclusion filter) of a pull request.
    expect(commentWorkflow.jobs.comment.if).toBe("github.event.workflow_run.event == 'pull_request'");
    // change-review: the policy report and the upload run after a failed step; the upload comes after both reports.
    const review = workflow.jobs["change-review"].steps;
    const at = (name: string) => review.findIndex((s) => s.name === name);
    const upload = review.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(at("Review the change")).toBeLessThan(upload);
    expect(at("Policy report (offline)")).toBeLessThan(upload);
    expect(review[at("Policy report (offline)")].if).toBe("${{ !cancelled() }}");
    expect(review[upload].if).toBe("${{ !cancelled() }}");
    // preview: a failed `pulumi preview` is saved and uploaded, and the job still fails at its end.
    const preview = workflow.jobs.preview.steps;
    const pulumi = preview.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(preview[pulumi]["continue-on-error"]).toBe(true);
    const save = preview.findIndex((s) => s.name === "Save the preview for the pull-request comment");
    const upPreview = preview.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect([pulumi < save, save < upPreview]).toEqual([true, true]);
    expect(preview[save].if).toBe("${{ !cancelled() }}");
    expect(preview[upPreview].if).toBe("${{ !cancelled() }}");
    expect(preview[upPreview].with).toMatchObject({ name: "pr-preview", path: "${{ runner.temp }}/pr-preview/" });
    expect(preview[preview.length - 1]).toMatchObject({ if: `steps.${preview[pulumi].id}.outcome == 'failure'` });
  });

  it("the preview job saves what scripts/pr-comment.cjs reads: the outcome as an exit status, and the output", () => {
    const save = workflow.jobs.preview.steps.find((s) => s.name === "Save the preview for the pull-request comment");
    if (!save?.run) throw new Error("no save step");
    expect(save.env).toEqual({ OUTCOME: "${{ steps.preview.outcome }}", OUTPUT: "${{ steps.preview.outputs.output }}" });
    const runSave = (outcome: string, output: string) => {
      const temp = mkdtempSync(join(tmpdir(), "pr-preview-"));
      const r = spawnSync("bash", ["-e", "-c", save.run ?? ""], { env: { ...process.env, RUNNER_TEMP: temp, OUTCOME: outcome, OUTPUT: output }, encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(readdirSync(join(temp, "pr-preview")).sort()).toEqual(["preview.status", "preview.txt"]);
      return readReport(join(temp, "pr-preview"), "preview");
    };
    expect(runSave("success", "Previewing update (prod)\n$(touch /tmp/x) `id`")).toEqual({ text: "Previewing update (prod)\n$(touch /tmp/x) `id`\n", status: 0 });
    expect(runSave("failure", "error: 1 mandatory policy violation")).toEqual({ text: "error: 1 mandatory policy violation\n", status: 1 });
    expect(runSave("failure", "")).toEqual({ text: "(no output from pulumi/actions: see the step's log in the run)\n", status: 1 });
  });

  it("grant no more than each job needs, and never run on pull_request_target", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.test.permissions).toBeUndefined();
    expect(workflow.jobs["change-review"].permissions).toBeUndefined();
    expect(workflow.jobs.preview.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(commentWorkflow.permissions).toEqual({});
    expect(commentWorkflow.jobs.comment.permissions).toEqual({ actions: "read", contents: "read", "pull-requests": "write" });
    const files = readdirSync(join(ROOT, ".github", "workflows"));
    expect(files.sort()).toEqual(["pr-comment.yml", "pull-request.yml"]);
    for (const f of files) expect(Object.keys(readWorkflow(f).on), f).not.toContain("pull_request_target");
    // Secrets only in the two jobs that need credentials: the gate and the preview.
    for (const [name, job] of Object.entries(workflow.jobs)) if (!["test", "preview"].includes(name)) expect(JSON.stringify(job), name).not.toContain("secrets.");
  });
});
