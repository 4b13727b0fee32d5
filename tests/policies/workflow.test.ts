import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
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
  jobs: Record<string, Job>;
}

const workflow = parse(readFileSync(join(ROOT, ".github", "workflows", "pull-request.yml"), "utf8")) as Workflow;
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

  it("change-review: on pull requests, without secrets, plans the base branch and reviews the change against it", () => {
    const job = workflow.jobs["change-review"];
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(JSON.stringify(job)).not.toContain("secrets.");
    const scripts = job.steps.map((s) => s.run ?? "").join("\n");
    expect(scripts).toContain("github.event.pull_request.base.sha");
    expect(scripts).toMatch(/npm run -s plan -- --stack .* --json > "\$RUNNER_TEMP\/base-plan.json"/);
    expect(scripts).toMatch(/npm run -s plan -- --stack .* --against "\$RUNNER_TEMP\/base-plan.json"/);
    expect(scripts).toContain("GITHUB_STEP_SUMMARY");
    expect(scripts).toContain("exit $status");
  });

  it("never reads secrets in an if: (GitHub does not allow it there)", () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job.if ?? "", name).not.toContain("secrets.");
      for (const step of job.steps) expect(step.if ?? "", `${name}: ${step.name ?? step.uses}`).not.toContain("secrets.");
    }
  });
});
