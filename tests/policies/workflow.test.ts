import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
  environment?: string | { name: string };
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

  it("test: always runs the tests and the offline policy check, on Node 22, without any secret", () => {
    const test = workflow.jobs.test;
    expect(test.if).toBeUndefined();
    expect(test.environment).toBeUndefined();
    expect(JSON.stringify(test)).not.toContain("secrets.");
    expect(uses(test, "actions/checkout")).toHaveLength(1);
    expect(uses(test, "actions/setup-node")[0]?.with).toMatchObject({ "node-version": 22 });
    const runs = test.steps.map((s) => s.run).filter((r): r is string => r !== undefined);
    expect(runs).toEqual(expect.arrayContaining(["bash scripts/install-test-deps.sh", "npm ci --no-audit --no-fund", "npm test", 'npm run policy -- --stack "$STACK"']));
    expect(runs.indexOf("npm test")).toBeLessThan(runs.indexOf('npm run policy -- --stack "$STACK"'));
    const offline = test.steps.find((s) => s.run === 'npm run policy -- --stack "$STACK"');
    expect(offline?.env).toBeUndefined();
  });

  it("preview: same-repository pull requests only, behind the pulumi-preview environment, the read-only role by OIDC, npm ci before any credential", () => {
    const preview = workflow.jobs.preview;
    expect(preview.needs).toBe("test");
    expect(preview.if).toBe("github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository && vars.PREVIEW_AWS_ROLE_ARN != ''");
    expect(preview.environment).toBe("pulumi-preview");
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write" });
    const aws = uses(preview, "aws-actions/configure-aws-credentials");
    expect(aws).toHaveLength(1);
    // A role by OIDC, never a long-lived key.
    expect(aws[0].with).toEqual({ "role-to-assume": "${{ vars.PREVIEW_AWS_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION || 'us-east-1' }}" });
    const steps = preview.steps;
    const npmCi = steps.findIndex((s) => s.run === "npm ci --no-audit --no-fund");
    const credentialed = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") || JSON.stringify(s).includes("secrets."));
    expect(npmCi).toBeGreaterThan(-1);
    expect(npmCi).toBeLessThan(credentialed);
    // pulumi/actions only installs the CLI; the preview is a run step writing files.
    const pulumi = uses(preview, "pulumi/actions");
    expect(pulumi).toHaveLength(1);
    expect(pulumi[0].with).toBeUndefined();
    const run = steps.find((s) => s.name === "pulumi preview with the policy pack");
    expect(run?.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
    expect(run?.run).toContain('pulumi preview --stack "$STACK" --policy-pack policies --non-interactive --color never > "$RUNNER_TEMP/pr-preview/preview.txt" 2>&1');
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

/**
 * Every `uses:` of both workflows: the release it is pinned to and that release's commit, read
 * from each action's repository (`git rev-parse <tag>^{commit}`; docs/ci.md). A tag can be
 * moved to other code, a commit cannot.
 */
const PINS: Record<string, { version: string; sha: string }> = {
  // v7 blocks checking out a fork's pull request code under pull_request_target and workflow_run.
  "actions/checkout": { version: "v7.0.1", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1" },
  "actions/setup-node": { version: "v7.0.0", sha: "820762786026740c76f36085b0efc47a31fe5020" },
  // upload-artifact's newest major is v7 (there is no v8); download-artifact v8 is its counterpart.
  "actions/upload-artifact": { version: "v7.0.0", sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f" },
  "actions/download-artifact": { version: "v8.0.1", sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c" },
  // Only installs the CLI (no `command`).
  "pulumi/actions": { version: "v7.0.0", sha: "8e5e406f4007fca908480587cb9893c07090f58d" },
  "aws-actions/configure-aws-credentials": { version: "v6.2.3", sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c" },
};

/** The `uses:` lines of a workflow file, with the comment YAML parsing drops. */
function usesLines(text: string): { action: string; ref: string; comment: string | undefined }[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^@\s]+)@(\S+)[ \t]*(?:#[ \t]*(.*))?$/gm)].map((m) => ({ action: m[1], ref: m[2], comment: m[3]?.trim() }));
}

/** Why a `uses:` line is not pinned as required, or undefined when it is. */
function pinProblem(line: { action: string; ref: string; comment: string | undefined }): string | undefined {
  const pin = PINS[line.action];
  if (!pin) return `${line.action} is not in the table of checked actions`;
  if (!/^[0-9a-f]{40}$/.test(line.ref)) return `${line.action}@${line.ref} is not pinned by a full commit SHA`;
  if (line.ref !== pin.sha) return `${line.action}@${line.ref} is not the commit of ${pin.version} (${pin.sha})`;
  if (line.comment !== pin.version) return `${line.action}@${line.ref} needs the comment "# ${pin.version}"`;
  return undefined;
}

describe("both workflows: action pins, concurrency, the stack, permissions, one comment", () => {
  const all = { "pull-request.yml": workflow, "pr-comment.yml": commentWorkflow };
  const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
  const text = (file: string) => readFileSync(join(ROOT, ".github", "workflows", file), "utf8");

  it("pin every action by the commit SHA of its release, with the release in a comment, and use no action outside the table", () => {
    const seen = new Set<string>();
    for (const file of Object.keys(all)) {
      const lines = usesLines(text(file));
      // Every `uses:` the YAML holds is one of the lines read here.
      expect(lines.length, file).toBe(steps(all[file as keyof typeof all]).filter((s) => s.uses !== undefined).length);
      for (const line of lines) {
        seen.add(line.action);
        expect(pinProblem(line), `${file}: uses: ${line.action}@${line.ref}`).toBeUndefined();
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(PINS).sort());
  });

  it("the pin check refuses a tag, a short SHA, another commit, and a missing or wrong version comment", () => {
    const sha = PINS["actions/checkout"].sha;
    const one = (line: string) => pinProblem(usesLines(line)[0]);
    expect(one(`      - uses: actions/checkout@${sha} # v7.0.1`)).toBeUndefined();
    expect(one("      - uses: actions/checkout@v7")).toContain("not pinned by a full commit SHA");
    expect(one(`      - uses: actions/checkout@${sha.slice(0, 7)} # v7.0.1`)).toContain("not pinned by a full commit SHA");
    expect(one(`      - uses: actions/checkout@${"0".repeat(40)} # v7.0.1`)).toContain("is not the commit of v7.0.1");
    expect(one(`      - uses: actions/checkout@${sha}`)).toContain('needs the comment "# v7.0.1"');
    expect(one(`        uses: actions/checkout@${sha} # v6`)).toContain('needs the comment "# v7.0.1"');
    expect(one(`      - uses: someone/else@${sha} # v1`)).toContain("not in the table");
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
    expect(text.match(/--stack /g)?.length).toBe(5);
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
    const run = preview.findIndex((s) => s.name === "pulumi preview with the policy pack");
    const upPreview = preview.findIndex((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(run).toBeLessThan(upPreview);
    expect(preview[upPreview].if).toBe("${{ !cancelled() }}");
    expect(preview[upPreview].with).toMatchObject({ name: "pr-preview", path: "${{ runner.temp }}/pr-preview/" });
    const last = preview[preview.length - 1];
    expect(last.name).toBe("Fail when the preview failed");
    expect(last.run).toContain('cat "$RUNNER_TEMP/pr-preview/preview.status"');
  });

  /** Runs the preview step and the job's last step with a stand-in `pulumi` on PATH. */
  const runPreview = (pulumiScript: string, token = "pul-test") => {
    const step = workflow.jobs.preview.steps.find((s) => s.name === "pulumi preview with the policy pack");
    const fail = workflow.jobs.preview.steps.find((s) => s.name === "Fail when the preview failed");
    if (!step?.run || !fail?.run) throw new Error("no preview step");
    const temp = mkdtempSync(join(tmpdir(), "pr-preview-"));
    mkdirSync(join(temp, "bin"));
    writeFileSync(join(temp, "bin", "pulumi"), `#!/bin/bash\n${pulumiScript}\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${join(temp, "bin")}:${process.env.PATH ?? ""}`, RUNNER_TEMP: temp, STACK: "prod", PULUMI_ACCESS_TOKEN: token };
    const r = spawnSync("bash", ["-e", "-c", step.run], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const end = spawnSync("bash", ["-e", "-c", fail.run], { env, encoding: "utf8" });
    return { status: r.status, jobFails: end.status !== 0, files: readdirSync(join(temp, "pr-preview")).sort(), report: readReport(join(temp, "pr-preview"), "preview") };
  };

  it("the preview step writes what scripts/pr-comment.cjs reads, output and exit status, straight to files; the job fails after saving them", () => {
    const ok = runPreview('echo "Previewing update ($3)"; echo \'$(touch /tmp/x) `id`\'');
    expect(ok).toEqual({ status: 0, jobFails: false, files: ["preview.status", "preview.txt"], report: { text: "Previewing update (prod)\n$(touch /tmp/x) `id`\n", status: 0 } });
    // pulumi exits 255 on an error: the comment reads any failure as 1.
    const failed = runPreview('echo "error: 1 mandatory policy violation" >&2; exit 255');
    expect(failed).toEqual({ status: 0, jobFails: true, files: ["preview.status", "preview.txt"], report: { text: "error: 1 mandatory policy violation\n", status: 1 } });
    const noToken = runPreview("echo must not run; exit 0", "");
    expect(noToken.jobFails).toBe(true);
    expect(noToken.report.text).toContain("The pulumi-preview environment has no secret PULUMI_ACCESS_TOKEN");
  });

  it("a preview larger than Linux's 128 KiB limit on one environment string reaches the comment whole, through a file", () => {
    const big = "x".repeat(199) + "\n";
    // The limit the file avoids (MAX_ARG_STRLEN, 32 pages): a 200 KiB environment variable cannot reach a process.
    const viaEnv = spawnSync("/bin/true", [], { env: { PATH: "/bin:/usr/bin", OUTPUT: big.repeat(1024) } });
    expect((viaEnv.error as NodeJS.ErrnoException | undefined)?.code).toBe("E2BIG");
    const r = runPreview("for i in $(seq 1024); do printf '%0199d\\n' 0; done");
    expect(r.status).toBe(0);
    expect(r.report.text?.length).toBe(200 * 1024);
  });

  it("never pass a step's outputs through an environment variable or splice them into a script", () => {
    for (const [file, w] of Object.entries({ "pull-request.yml": workflow, "pr-comment.yml": commentWorkflow })) {
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const step of job.steps) {
          const where = `${file}: ${name}: ${step.name ?? step.uses ?? step.run}`;
          for (const value of Object.values(step.env ?? {})) expect(String(value), where).not.toMatch(/steps\.[\w-]+\.outputs\./);
          expect(step.run ?? "", where).not.toMatch(/\$\{\{[^}]*steps\.[\w-]+\.outputs\./);
        }
        for (const value of Object.values(job.env ?? {})) expect(String(value), `${file}: ${name}`).not.toMatch(/steps\.[\w-]+\.outputs\./);
      }
    }
  });

  it("run credentials only in a job behind the pulumi-preview environment that fork pull requests never start", () => {
    const credentialed = Object.entries(workflow.jobs).filter(([, job]) => {
      const text = JSON.stringify(job);
      return text.includes("secrets.") || job.permissions?.["id-token"] === "write" || text.includes("configure-aws-credentials");
    });
    expect(credentialed.map(([name]) => name)).toEqual(["preview"]);
    for (const [name, job] of credentialed) {
      expect(job.environment, name).toBe("pulumi-preview");
      // A top-level `&&` of the event and the same-repository head: false for every fork.
      const clauses = (job.if ?? "").split(" && ");
      expect(clauses, name).toContain("github.event.pull_request.head.repo.full_name == github.repository");
      expect(job.if, name).not.toContain("||");
    }
    // No job runs on pull_request_target (the base repository's secrets with a fork's code).
    for (const w of [workflow, commentWorkflow]) expect(Object.keys(w.on)).not.toContain("pull_request_target");
  });

  it("the preview role's policy reads every resource type the components declare, and grants nothing that writes", () => {
    const policy = JSON.parse(readFileSync(join(ROOT, "docs", "ci", "preview-role-policy.json"), "utf8")) as { Statement: { Effect: string; Action: string[]; Resource: string | string[] }[] };
    const actions = policy.Statement.flatMap((st) => {
      expect(st.Effect).toBe("Allow");
      return st.Action;
    });
    for (const a of actions) expect(a, a).toMatch(/^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]+$|^kms:Decrypt$/);
    expect(actions).not.toContain("s3:GetObject");
    // What a refresh reads, per service of a type the program declares (docs/ci.md has the table).
    const READS: Record<string, string> = {
      sesv2: "ses:GetEmailIdentity",
      route53: "route53:ListResourceRecordSets",
      iam: "iam:GetUser",
      secretsmanager: "secretsmanager:GetSecretValue",
      sns: "sns:GetTopicAttributes",
      cloudwatch: "cloudwatch:DescribeAlarms",
      cloudtrail: "cloudtrail:GetTrail",
      s3: "s3:GetBucketPolicy",
      lambda: "lambda:GetFunction",
      scheduler: "scheduler:GetSchedule",
      sqs: "sqs:GetQueueAttributes",
    };
    const dir = join(ROOT, "components");
    const declared = new Set(readdirSync(dir).flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/new aws\.(\w+)\.\w+\(/g)].map((m) => m[1])));
    expect(declared.size).toBeGreaterThan(5);
    for (const service of declared) {
      expect(READS[service], `components declare aws.${service}.*: add its reads to docs/ci/preview-role-policy.json and here`).toBeDefined();
      expect(actions, service).toContain(READS[service]);
    }
    // The one secret read is scoped to the SMTP password's secret.
    const secret = policy.Statement.find((st) => st.Action.includes("secretsmanager:GetSecretValue"));
    expect(secret?.Resource).toBe("arn:aws:secretsmanager:*:ACCOUNT_ID:secret:SECRET_NAME-*");
    const trust = JSON.parse(readFileSync(join(ROOT, "docs", "ci", "preview-role-trust.json"), "utf8")) as unknown;
    expect(JSON.stringify(trust)).toContain('"token.actions.githubusercontent.com:sub":"repo:OWNER/REPO:environment:pulumi-preview"');
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
    // Secrets only in the preview job.
    for (const [name, job] of Object.entries(workflow.jobs)) if (name !== "preview") expect(JSON.stringify(job), name).not.toContain("secrets.");
    // No checkout leaves the token in .git/config for the code that runs after it.
    for (const w of [workflow, commentWorkflow]) for (const c of Object.values(w.jobs).flatMap((j) => uses(j, "actions/checkout"))) expect(c.with?.["persist-credentials"]).toBe(false);
  });
});
