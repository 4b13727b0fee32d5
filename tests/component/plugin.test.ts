/**
 * The component package installed and booted the way `pulumi package add` does it, minus the CLI
 * (not installable here), on local disk (docs/architecture.md, "How Pulumi installs a component
 * package"):
 * - By git URL (`pulumi package add github.com/<owner>/<repo>/packages/mail-infra@0.1.0`): the CLI
 *   shallow-clones the whole repository at the tag `v0.1.0` (pulumi/pulumi
 *   sdk/go/common/workspace/plugins.go `gitSource.Download`), keeps the subdirectory as the
 *   plugin's directory and runs the Node.js language host's InstallDependencies there:
 *   `npm install --loglevel=error` (pkg/cmd/pulumi/packageworkspace `InstallPluginAt`,
 *   sdk/nodejs/npm/npm.go). Here: this checkout's files committed to a local repository, tagged,
 *   cloned with `git clone --depth 1 --branch v0.1.0 file://…`, and `npm install` run in
 *   `packages/mail-infra` with `--offline` (its node_modules seeded with hard links of the
 *   closure of its declared dependencies, at the versions package-lock.json pins, so npm asks no
 *   registry). Nothing is installed at the clone's root.
 * - By path (`pulumi package add /path/to/packages/mail-infra`): the same InstallDependencies in
 *   that directory, which in a checkout may also have a root node_modules (`npm ci`); the test
 *   links one into the clone and boots the package again.
 * The plugin is then started as the language host's RunPlugin does (`node <the package's own
 * @pulumi/pulumi/cmd/run-plugin> <dir>`), which requires the package's `main` (the built
 * dist/, no TypeScript at run time), and asked for its schema over gRPC, as the CLI does before
 * generating SDKs; the schema (inferred from the TypeScript source by the analyser) must be the
 * checked-in one.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dependencyClosure, npmEnv } from "../helpers/npm-offline";
import { ROOT } from "../helpers/spawn";

const FIXTURE = join(ROOT, "tests/fixtures/component/schema.json");
const manifest = JSON.parse(readFileSync(join(ROOT, "packages/mail-infra/package.json"), "utf8")) as {
  version: string;
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const work = mkdtempSync(join(tmpdir(), "mail-infra-plugin-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
  rmSync(work, { recursive: true, force: true });
});

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...npmEnv(), NO_COLOR: "1", npm_config_update_notifier: "false" }, timeout: 900_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const git = (args: string[], cwd: string) => run("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "advice.detachedHead=false", ...args], cwd);

/** Start the plugin as RunPlugin does and resolve with the port it prints, or reject with what it wrote to stderr. */
function startPlugin(dir: string): Promise<number> {
  const runPlugin = createRequire(join(dir, "package.json")).resolve("@pulumi/pulumi/cmd/run-plugin");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runPlugin, dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`the plugin exited (${code}) before printing its port:\n${out}\n${err}`)));
  });
}

function getSchema(port: number): Promise<unknown> {
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.getSchema(new provproto.GetSchemaRequest(), (e: grpc.ServiceError | null, res?: provproto.GetSchemaResponse) => {
      client.close();
      if (e || !res) reject(e ?? new Error("no response"));
      else resolve(JSON.parse(res.getSchema()));
    }),
  );
}

/** Where each package a built file requires resolves from, relative to `dir` (node's resolution from that file). */
function resolvedPackages(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const file = join(d, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith(".js")) {
        for (const m of readFileSync(file, "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
          if (m[1].startsWith("node:") || found.has(m[1])) continue;
          found.set(m[1], relative(dir, createRequire(file).resolve(m[1])));
        }
      }
    }
  };
  walk(join(dir, "dist"));
  return found;
}

describe("the component package installed as pulumi package add installs it", () => {
  const clone = join(work, "plugins", `resource-mail-infra-v${manifest.version}`);
  const dir = join(clone, "packages/mail-infra");
  let installed = "";

  beforeAll(() => {
    // The repository as its remote holds it: this checkout's tracked and new files (not the
    // ignored ones: node_modules, dist/), committed and tagged v<version>.
    const origin = join(work, "origin");
    const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT).split("\0").filter((f) => f && existsSync(join(ROOT, f)));
    for (const f of files) cpSync(join(ROOT, f), join(origin, f), { dereference: false });
    git(["init", "-q", "-b", "main"], origin);
    git(["add", "-A"], origin);
    git(["commit", "-q", "-m", "release"], origin);
    git(["tag", `v${manifest.version}`], origin);

    // Pulumi's download: the whole repository, shallow, at refs/tags/v<version>; the plugin is the subdirectory.
    git(["clone", "-q", "--depth", "1", "--branch", `v${manifest.version}`, `file://${origin}`, clone], work);

    // InstallDependencies: `npm install --loglevel=error` in the plugin's directory (offline here).
    for (const name of dependencyClosure([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)])) {
      const target = join(dir, "node_modules", name);
      mkdirSync(dirname(target), { recursive: true });
      // Hard links need one filesystem; a tmpfs /tmp gets a copy instead.
      if (spawnSync("cp", ["-al", join(ROOT, "node_modules", name), target]).status !== 0) cpSync(join(ROOT, "node_modules", name), target, { recursive: true });
    }
    installed = run("npm", ["install", "--loglevel=error", "--offline", "--no-audit", "--no-fund"], dir);
  }, 900_000);

  it("by git URL: the clone has nothing installed at its root, and npm install in the package directory builds it (prepare)", () => {
    expect(existsSync(join(clone, "node_modules"))).toBe(false);
    expect(installed).toContain("> tsc -p tsconfig.json");
    expect(existsSync(join(dir, manifest.main))).toBe(true);
    // npm followed the package's own lockfile (tests/component/lock.test.ts) and left it as committed.
    expect(readFileSync(join(dir, "package-lock.json"), "utf8")).toBe(readFileSync(join(ROOT, "packages/mail-infra/package-lock.json"), "utf8"));
  });

  it("by git URL: every package the built files require resolves from the package's own node_modules", () => {
    const resolved = resolvedPackages(dir);
    expect([...resolved.keys()]).toEqual(expect.arrayContaining(["@pulumi/pulumi", "@pulumi/aws", "zod", "tldts"]));
    for (const [name, path] of resolved) expect(path, name).toMatch(/^node_modules\//);
  });

  it("by git URL: boots with the package's own run-plugin and serves the checked-in schema", async () => {
    expect(await getSchema(await startPlugin(dir))).toEqual(JSON.parse(readFileSync(FIXTURE, "utf8")));
  }, 600_000);

  it("by path, in a checkout whose root has its own node_modules: still one copy of each package, the package's, and the same schema", async () => {
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    for (const [name, path] of resolvedPackages(dir)) expect(path, name).toMatch(/^node_modules\//);
    expect(await getSchema(await startPlugin(dir))).toEqual(JSON.parse(readFileSync(FIXTURE, "utf8")));
  }, 600_000);
});
