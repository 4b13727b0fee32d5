/**
 * docs/component.md's install lines are the ones the tests replay: the `pulumi package add` git
 * URL names the package's directory and version (the CLI clones the tag v<version>, as
 * tests/component/plugin.test.ts does), the path line names the package's directory, and the
 * `npm pack` line names the tarball npm writes (<name>-<version>.tgz, tests/component/package.test.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn";

const doc = readFileSync(join(ROOT, "docs/component.md"), "utf8");
const manifest = JSON.parse(readFileSync(join(ROOT, "packages/mail-infra/package.json"), "utf8")) as { name: string; version: string };
/** The shell lines of the doc's ```sh blocks. */
const shellLines = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split("\n").filter(Boolean));

describe("docs/component.md's install lines", () => {
  it("adds the package by git URL at the package's directory and version", () => {
    expect(shellLines).toContainEqual(expect.stringMatching(new RegExp(`^pulumi package add github\\.com/<owner>/<repo>/packages/mail-infra@${manifest.version.replace(/\./g, "\\.")}\\s`)));
    expect(doc).toContain(`a tag \`v${manifest.version}\` for the\nversion \`${manifest.version}\``);
  });

  it("adds the package by path at the package's directory", () => {
    expect(shellLines).toContain("pulumi package add /path/to/mail-infra/packages/mail-infra");
  });

  it("packs the tarball npm writes for the package's name and version", () => {
    expect(shellLines).toContainEqual(expect.stringMatching(new RegExp(`^cd packages/mail-infra && npm pack .*writes ${manifest.name}-${manifest.version}\\.tgz$`)));
    expect(shellLines).toContain(`cd ~/my-program && npm install /path/to/${manifest.name}-${manifest.version}.tgz`);
  });
});
