/**
 * The policy pack on its own, as `pulumi policy publish` ships it: `npm pack` of policies/ (with
 * its `prepack` bundle), extracted to a temporary directory outside the repository, given only the
 * dependencies its package.json declares, and served through the pack's own run-policy-pack.
 *
 * The dependencies are "installed" offline: the packages of the declared dependencies' closure,
 * at the versions package-lock.json pins, are linked from the repository's node_modules into the
 * pack's node_modules, and node runs with --preserve-symlinks, so a module resolves from where the
 * pack sees it, as in a real install: nothing else of the repository's node_modules (typescript,
 * tldts, zod) is reachable. A real `npm install` fetches the same packages from the registry.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACK_NAME, policies } from "../../policies/pack";
import { analyzeResource, analyzerInfo, type PolicyAnalyzer, startPolicyAnalyzer } from "../helpers/policy-analyzer";
import { dependencyClosure, npmEnv } from "../helpers/npm-offline";
import { ROOT } from "../helpers/spawn";

const run = promisify(execFile);
const PACK_DIR = join(ROOT, "policies");
const { buildPolicyPack, PACK_EXTERNAL } = require(join(ROOT, "scripts", "build.cjs")) as {
  buildPolicyPack(o?: { write?: boolean }): Promise<{ text: string; metafile: { inputs: Record<string, { imports: { path: string; external?: boolean }[] }> } }>;
  PACK_EXTERNAL: string[];
};

interface PackageJson {
  name: string;
  version: string;
  main: string;
  files: string[];
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, "utf8")) as T;
const packageJson = readJson<PackageJson>(join(PACK_DIR, "package.json"));
const rootPackageJson = readJson<PackageJson>(join(ROOT, "package.json"));

describe("the policy pack as published: npm pack of policies/, installed and loaded on its own", () => {
  let work: string;
  let pack: string;
  let packStdout = "";
  let tarball: string[] = [];
  let analyzer: PolicyAnalyzer | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "mail-infra-pack-"));
    // What `pulumi policy publish` runs in the pack folder (pulumi/pulumi sdk/nodejs/npm/npm.go:
    // `npm pack --loglevel=error`, then it reads the tarball's name from all of stdout), with the
    // tarball written to the temporary directory instead of the pack folder.
    const packed = await run("npm", ["pack", "--loglevel=error", "--pack-destination", work], { cwd: PACK_DIR, env: npmEnv() });
    packStdout = packed.stdout;
    if (!/^[\w.-]+\.tgz\n$/.test(packStdout)) throw new Error(`npm pack printed more than the tarball's name, so pulumi policy publish would not find it:\n${packStdout}`);
    const file = join(work, packStdout.trim());
    tarball = (await run("tar", ["-tzf", file])).stdout.trim().split("\n").sort();
    await run("tar", ["-xzf", file, "-C", work]);
    pack = join(work, "package");
    for (const name of dependencyClosure(Object.keys(packageJson.dependencies))) {
      const link = join(pack, "node_modules", name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(ROOT, "node_modules", name), link, "dir");
    }
    const runner = join(pack, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js");
    analyzer = await startPolicyAnalyzer(pack, runner, ["--preserve-symlinks", "--preserve-symlinks-main"]);
  }, 120_000);

  afterAll(() => {
    analyzer?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("npm pack prints only the tarball's name, as pulumi policy publish needs (the prepack build stays off stdout)", () => {
    expect(packStdout).toBe(`${packageJson.name}-${packageJson.version}.tgz\n`);
  });

  it("the tarball holds the entry point, the bundle, its licenses, PulumiPolicy.yaml and package.json: no sources", () => {
    expect(tarball).toEqual(["package/PulumiPolicy.yaml", "package/dist/THIRD-PARTY-LICENSES.txt", "package/dist/index.js", "package/main.js", "package/package.json"]);
    expect(readFileSync(join(pack, "dist", "THIRD-PARTY-LICENSES.txt"), "utf8")).toMatch(/^tldts@[\d.]+ \(MIT\)\n[\s\S]*\nzod@[\d.]+ \(MIT\)\n/);
  });

  it("the installed pack reaches none of the repository's other packages: typescript, tldts and zod are not installed", () => {
    for (const name of ["typescript", "ts-node", "tldts", "zod"]) expect(existsSync(join(pack, "node_modules", name)), name).toBe(false);
    expect(existsSync(join(pack, "node_modules", "@pulumi", "aws"))).toBe(true);
  });

  it("serves every policy of the sources, with its level, under the pack's name and version", async () => {
    if (!analyzer) throw new Error("the pack did not start");
    const info = await analyzerInfo(analyzer.client);
    expect(info.getName()).toBe(PACK_NAME);
    expect(info.getVersion()).toBe(packageJson.version);
    const served = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel() === 1 ? "mandatory" : "advisory"]);
    expect(served).toEqual(policies.map((p) => [p.name, p.enforcementLevel]));
    expect(analyzer.stderr()).toBe("");
  });

  it("runs the lib/ rules bundled into it: a weak DKIM key is a mandatory violation", async () => {
    if (!analyzer) throw new Error("the pack did not start");
    const res = await analyzeResource(analyzer.client, {
      type: "aws:sesv2/emailIdentity:EmailIdentity",
      name: "weak",
      urn: "urn:pulumi:prod::mail-infra::aws:sesv2/emailIdentity:EmailIdentity::weak",
      properties: { emailIdentity: "example.com", configurationSetName: "cs", dkimSigningAttributes: { nextSigningKeyLength: "RSA_1024_BIT" } },
    });
    expect(res.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel()])).toEqual([["aws-sesv2-emailidentity-disallow-weak-dkim-key", 1]]);
    expect(res.getDiagnosticsList()[0]?.getMessage()).toContain("RSA_1024_BIT");
  });

  it("the bundle it runs is exactly what the sources build today", async () => {
    const { text } = await buildPolicyPack({ write: false });
    expect(readFileSync(join(pack, "dist", "index.js"), "utf8")).toBe(text);
  });
});

describe("policies/package.json: a pack that installs on its own", () => {
  it("loads main.js, which runs the sources in this repository and the bundle once packed", () => {
    expect(packageJson.main).toBe("main.js");
    const main = readFileSync(join(PACK_DIR, "main.js"), "utf8");
    expect(main).toContain('require(fs.existsSync(path.join(__dirname, "index.ts")) ? "./index.ts" : "./dist/index.js");');
    expect(packageJson.files).toEqual(["main.js", "dist/", "PulumiPolicy.yaml"]);
  });

  it("declares exactly the packages the bundle requires, plus @pulumi/pulumi (the policy runner), at the repository's versions", async () => {
    const { metafile } = await buildPolicyPack({ write: false });
    const required = new Set<string>();
    for (const input of Object.values(metafile.inputs)) {
      for (const imp of input.imports) if (imp.external && !imp.path.startsWith("node:")) required.add(/^(@[^/]+\/[^/]+|[^/]+)/.exec(imp.path)?.[1] ?? imp.path);
    }
    expect([...required].every((name) => PACK_EXTERNAL.includes(name)), [...required].join(", ")).toBe(true);
    expect(Object.keys(packageJson.dependencies).sort()).toEqual([...new Set([...required, "@pulumi/pulumi"])].sort());
    expect(Object.keys(packageJson.dependencies).sort()).toEqual([...PACK_EXTERNAL].sort());
    for (const [name, range] of Object.entries(packageJson.dependencies)) expect(range, name).toBe(rootPackageJson.dependencies[name]);
    // Everything else the rules import is inside the bundle.
    const bundled = Object.keys(metafile.inputs);
    expect(bundled.some((f) => f.startsWith("lib/"))).toBe(true);
    expect(bundled.some((f) => /node_modules\/tldts\//.test(f))).toBe(true);
  });

  it("runs no install-time script (an installed pack has no repository to build from), and has no devDependencies", () => {
    expect(packageJson.scripts).toEqual({ prepack: "node ../scripts/build.cjs --policy-pack" });
    expect(packageJson.devDependencies).toBeUndefined();
  });

  it("keeps npm's prepack output off stdout (policies/.npmrc), and the build out of git", () => {
    expect(readFileSync(join(PACK_DIR, ".npmrc"), "utf8")).toMatch(/^foreground-scripts=false$/m);
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("policies/dist/");
  });
});
