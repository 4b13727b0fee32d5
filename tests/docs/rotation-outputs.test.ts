/**
 * docs/rotation.md's plan outputs: `npm run plan -- --stack prod` run as a user runs it, in a
 * directory whose Pulumi.prod.yaml is the prod stack file with the config of a rotation step
 * appended (the yaml block above each output in the doc), and the config error plan prints for a
 * key state that is not one. Written as outputs (docOutput); tests/docs/examples.test.ts compares
 * them with the doc.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/spawn";
import { consoleTranscript, docOutput } from "./doc-examples";

const dir = mkdtempSync(join(tmpdir(), "mail-infra-rotation-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** plan of the prod stack with `config` (stack file lines) appended, as a user runs it (default width). */
function planWith(name: string, config: string[]) {
  const cwd = join(dir, name);
  mkdirSync(cwd);
  const prod = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8");
  expect(prod).not.toMatch(/smtpKeyGeneration|smtpPreviousKey/);
  writeFileSync(join(cwd, "Pulumi.prod.yaml"), `${prod.replace(/\n*$/, "\n")}${config.map((l) => `  ${l}\n`).join("")}`);
  cpSync(join(ROOT, "Pulumi.yaml"), join(cwd, "Pulumi.yaml"));
  return runCli("plan.ts", ["--stack", "prod"], { cwd, env: { COLUMNS: "" } });
}

describe("docs/rotation.md: plan at each step of the rotation", () => {
  it.each([
    ["rotate", ["mail-infra:smtpKeyGeneration: 2"], /previous key: generation 1, active/],
    ["inactive", ["mail-infra:smtpKeyGeneration: 2", "mail-infra:smtpPreviousKey: inactive"], /previous key: generation 1, inactive/],
    ["retired", ["mail-infra:smtpKeyGeneration: 2", "mail-infra:smtpPreviousKey: retired"], /previous key: generation 1, retired/],
  ] as const)("%s", async (step, config, shows) => {
    const r = planWith(step, [...config]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(shows);
    await docOutput(`rotation-plan-${step}`, consoleTranscript("npm run -s plan -- --stack prod", r));
  });

  it("a key state that is not one: config validation refuses it, exit 2", async () => {
    const r = planWith("someday", ["mail-infra:smtpKeyGeneration: 2", "mail-infra:smtpPreviousKey: someday"]);
    expect(r.status).toBe(2);
    await docOutput("rotation-plan-someday", consoleTranscript("npm run -s plan -- --stack prod", r));
  });
});
