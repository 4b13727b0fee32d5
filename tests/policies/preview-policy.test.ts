import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/spawn";

/** PATH with node and tsx but no pulumi, plus `extra` first. */
function pathWithout(extra?: string): string {
  const nodeDir = join(process.execPath, "..");
  return [extra, nodeDir, "/usr/bin", "/bin"].filter(Boolean).join(":");
}

describe("npm run preview:policy", () => {
  it("without the Pulumi CLI: explains what is missing, points at the offline check, exits 2", () => {
    const r = runCli("preview-policy.ts", ["--stack", "prod"], { env: { PATH: pathWithout() } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the Pulumi CLI is not installed (`command -v pulumi` found nothing)");
    expect(r.stderr).toContain("npm run policy -- --stack prod");
  });

  it("with the Pulumi CLI: runs `pulumi preview --policy-pack policies` from the repository root", () => {
    const bin = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
    const fake = join(bin, "pulumi");
    writeFileSync(fake, '#!/bin/sh\necho "cwd=$(pwd)"\necho "args=$*"\nexit 3\n');
    chmodSync(fake, 0o755);
    const r = runCli("preview-policy.ts", ["--stack", "prod", "--policy-pack-config", "cfg.json", "--", "--diff"], { env: { PATH: pathWithout(bin) } });
    expect(r.stdout).toBe(`cwd=${ROOT}\nargs=preview --stack prod --policy-pack policies --policy-pack-config cfg.json --diff\n`);
    expect(r.status).toBe(3);
  });
});
