#!/usr/bin/env node
// @ts-check
/**
 * npm run build: bundle each CLI (scripts/<name>.ts) into bin/<name>.js with esbuild, so a
 * command starts with plain JavaScript instead of transpiling TypeScript on every run.
 *
 *   node scripts/build.cjs [--if-stale] [--optional]
 *
 * Runs on `npm ci` / `npm install` (the root package's `prepare`), before `npm test`
 * (`pretest`), and from the launcher (scripts/run.cjs) whenever a source file changed since the
 * last build. Plain JavaScript because it runs before anything is compiled.
 *
 * - Our own code (scripts/, lib/, components/, policies/, index.ts) is bundled into one file
 *   per CLI; every node_modules package stays external and is `require`d from node_modules as
 *   usual (bundling @pulumi/pulumi breaks it, and the packages are installed anyway), except the
 *   small ones every CLI loads (BUNDLED) and the AWS SDK, bundled on its own into bin/aws-sdk.js
 *   and loaded with a command's first AWS call.
 * - Heavy packages load lazily: the CLIs `await import()` them where they are used; esbuild keeps
 *   a dynamic import of our own modules lazy inside the bundle, and turns one of a package into a
 *   `require` in a microtask (`supported: { "dynamic-import": false }`, see below).
 * - bin/build.json records every input file with its mtime and size (from esbuild's
 *   metafile); the launcher compares them to decide whether the build is stale.
 * - Outputs are written to a temporary name and renamed, so a CLI started during a rebuild
 *   (tests run in parallel) sees either the old or the new file, never half of one.
 *
 *   node scripts/build.cjs --policy-pack
 *
 * bundles the policy pack instead (policies/index.ts, with the lib/ rules and the small pure
 * packages it imports) into policies/dist/index.js, the file the published pack runs. It is
 * policies/package.json's `prepack`, so `npm pack` and `pulumi policy publish` (which runs
 * `npm pack`) always bundle the current sources. See docs/architecture.md, "A self-contained
 * policy pack".
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const OUT_DIR = path.join(ROOT, "bin");
const MANIFEST = path.join(OUT_DIR, "build.json");

/** npm script name -> CLI source in scripts/. Every entry is built to bin/<file>.js. */
const CLIS = {
  verify: "verify.ts",
  plan: "plan.ts",
  policy: "policy.ts",
  "smtp-password": "smtp-password.ts",
  "preview:policy": "preview-policy.ts",
  "docs:policies": "docs-policies.ts",
  "relay-fix": "relay-fix.ts",
  adopt: "adopt.ts",
  diagnose: "diagnose.ts",
  watch: "watch.ts",
};

/**
 * The watch function's bundle (issue 19): scripts/watch/handler.ts with every package it uses
 * bundled in (Lambda gets one archive, no node_modules), minified, for Lambda's Node.js 24 on
 * arm64. components/Watch.ts packages it with the stack's manifest.
 */
const LAMBDA_ENTRY = path.join("scripts", "watch", "handler.ts");
const LAMBDA_BUNDLE = path.join(OUT_DIR, "watch-lambda", "index.js");

/**
 * The AWS SDK's bundle (docs/architecture.md, "Start-up"): every `@aws-sdk/client-*` package the
 * CLIs import, with everything they use (@smithy/*, @aws-sdk/core, ...), in one file of its own
 * that the CLIs load on their first AWS call (scripts/verify/aws.ts imports each client
 * lazily). The launcher runs it from V8 code kept after earlier runs, as it runs the CLIs.
 */
const AWS_SDK_BUNDLE = path.join(OUT_DIR, "aws-sdk.js");

/** Files that shape the output without being bundled into it. */
// package-lock.json: a bundled package (BUNDLED) changes version only with it; its own files
// are not listed one by one (hundreds of stats on every start).
const BUILD_INPUTS = ["scripts/build.cjs", "tsconfig.json", "package.json", "package-lock.json"];

/** @param {string} cli the npm script name or the source file name */
function outputOf(cli) {
  const source = CLIS[/** @type {keyof typeof CLIS} */ (cli)] ?? cli;
  return path.join(OUT_DIR, source.replace(/\.ts$/, ".js"));
}

/**
 * @typedef {{ version: 1, builder: string, inputs: Record<string, [number, number]> }} BuildManifest
 * inputs: path relative to ROOT -> [mtimeMs, size]
 */

/** @param {string} file @param {string | Uint8Array} text */
function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** @returns {typeof import("esbuild")} */
function loadEsbuild() {
  try {
    return require("esbuild");
  } catch {
    throw new Error("esbuild is not installed: run `npm ci` (it is a devDependency) and try again.");
  }
}

/**
 * Packages bundled into the CLIs instead of loaded from node_modules (docs/architecture.md,
 * "Start-up"). Measured on Node 22 with the compile cache: `require("zod"); require("yaml")`
 * costs about 2.5x `node -e 0`, the same code bundled about 0.8x. Only pure packages used by
 * our own code alone belong here (one copy per process either way): never @pulumi/* (one
 * runtime per process) or the AWS SDK (in every CLI's bundle, `--help` would read it too: it has
 * a bundle of its own, bin/aws-sdk.js, awsSdkFromBundle below). commander: every CLI parses
 * its flags with it first.
 */
const BUNDLED = ["zod", "yaml", "tldts", "commander"];

/** esbuild's `packages: "external"`, except for the packages named (and their subpaths). */
function externalExcept(/** @type {string[]} */ bundled) {
  return {
    name: "external-except",
    setup(/** @type {import("esbuild").PluginBuild} */ b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("node:")) return { path: args.path, external: true };
        const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
        if (bundled.includes(name)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Node's own modules that the CLIs' bundles load lazily (docs/architecture.md, "Start-up"):
 * the ones a bare `node -e 0` has not loaded and whose loading costs measurable time. Our
 * modules (the SMTP and recipient collectors, the DNS collector, the name hashes) and
 * commander import them at module level, so every `--help` loaded TLS, HTTPS, crypto, DNS and
 * child_process (measured on Node 22: about 20 ms of CPU, half of `node -e 0`'s whole start)
 * and used none of them.
 */
const LAZY_BUILTINS = ["child_process", "crypto", "dgram", "dns", "dns/promises", "http", "https", "http2", "tls", "zlib"];

/**
 * Each `require("node:tls")` (or `import ... from "node:tls"`) in a CLI bundle gets, instead of
 * the module, an object with the same export names (read from the module at build time), each a
 * getter that loads the real module on first use. Nothing changes for the code that uses them:
 * `tls.connect(...)`, `new Resolver()` and `createHash(...)` reach the real functions; only when
 * the module loads moves, from start-up to the first use.
 */
function lazyBuiltins() {
  const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.map((m) => m.replace("/", "\\/")).join("|")})$`);
  return {
    name: "lazy-builtins",
    setup(/** @type {import("esbuild").PluginBuild} */ b) {
      b.onResolve({ filter }, (args) => {
        const name = args.path.replace(/^node:/, "");
        // The stand-in's own require of the real module stays a plain require.
        if (args.namespace === "lazy-builtin") return { path: `node:${name}`, external: true };
        return { path: name, namespace: "lazy-builtin" };
      });
      b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
        const names = Object.keys(require(`node:${args.path}`)).filter((k) => k !== "default");
        return {
          loader: "js",
          contents:
            `"use strict";\nlet m;\nconst load = () => (m ??= require(${JSON.stringify(`node:${args.path}`)}));\n` +
            `for (const k of ${JSON.stringify(names)}) Object.defineProperty(module.exports, k, { enumerable: true, get: () => load()[k] });\n`,
        };
      });
    },
  };
}

/**
 * In the CLIs' bundles, `import("@aws-sdk/client-x")` becomes `require("./aws-sdk.js")["@aws-sdk/client-x"]`
 * (the bundle next to them, loaded with the first call), instead of the package's own files.
 * From node_modules the SDK is about 70 files, each resolved (package.json exports, stats), read
 * and compiled on its own, and Node's compile cache keeps only their top-level code. Measured
 * (verify of prod against the loopback world, CPU medians of 11, Node 22): 395 -> 354 ms, with
 * `verify --help` unchanged (82 and 79 ms). Bundled into each CLI's own bundle instead, the run
 * gained as much but every `--help` read the SDK too: 66 -> 96 ms.
 */
function awsSdkFromBundle() {
  return {
    name: "aws-sdk-bundle",
    setup(/** @type {import("esbuild").PluginBuild} */ b) {
      b.onResolve({ filter: /^@aws-sdk\/client-[a-z0-9-]+$/ }, (args) => ({ path: args.path, namespace: "aws-sdk" }));
      b.onResolve({ filter: /^\.\/aws-sdk\.js$/, namespace: "aws-sdk" }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: "aws-sdk" }, (args) => ({ loader: "js", contents: `module.exports = require("./aws-sdk.js")[${JSON.stringify(args.path)}];\n` }));
    },
  };
}

/**
 * The AWS SDK's bundle: each client package an export (a getter: a client's code runs when it is
 * first asked for), every package they use bundled in; Node's own modules load on first use
 * (lazyBuiltins: the SDK's HTTP handler imports http2, which no command uses).
 * @param {import("esbuild")} esbuild @param {string[]} clients
 */
function buildAwsSdk(esbuild, clients) {
  return esbuild.build({
    absWorkingDir: ROOT,
    stdin: {
      contents: clients.map((c) => `Object.defineProperty(exports, ${JSON.stringify(c)}, { enumerable: true, get: () => require(${JSON.stringify(c)}) });`).join("\n"),
      resolveDir: ROOT,
      sourcefile: "aws-sdk-entry.js",
      loader: "js",
    },
    outfile: AWS_SDK_BUNDLE,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    plugins: [lazyBuiltins()],
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
}

/** Bundle every CLI. Returns the manifest it wrote. */
async function build() {
  const esbuild = loadEsbuild();
  const started = Date.now();
  const lambda = esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [LAMBDA_ENTRY],
    outfile: LAMBDA_BUNDLE,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    minify: true,
    metafile: true,
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.values(CLIS).map((f) => path.join("scripts", f)),
    outdir: OUT_DIR,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    // Every package stays external except BUNDLED: pure JavaScript that every CLI loads at
    // start-up (zod, yaml and tldts are used by module-level code in lib/), and which Node
    // loads far faster from one file than from its many: zod alone is about 100 files.
    plugins: [lazyBuiltins(), awsSdkFromBundle(), externalExcept(BUNDLED)],
    // `import("pkg")` of an external package becomes `Promise.resolve().then(() => require("pkg"))`:
    // still loaded only when reached, but by the CommonJS loader. A real import() goes through
    // the ESM loader, which also scans the package's source for its export names: measured on
    // Node 22, import() of the SES, IAM and Secrets Manager clients and nodemailer took about
    // 100 ms longer than require(). Every external package here has a CommonJS entry.
    supported: { "dynamic-import": false },
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "warning",
    legalComments: "none",
  });
  // Every client the CLIs import (the aws-sdk: inputs of their bundles).
  const clients = [...new Set(Object.keys(result.metafile.inputs).filter((rel) => rel.startsWith("aws-sdk:")).map((rel) => rel.slice("aws-sdk:".length)))].sort();
  const [lambdaResult, sdkResult] = await Promise.all([lambda, buildAwsSdk(esbuild, clients)]);
  fs.mkdirSync(path.dirname(LAMBDA_BUNDLE), { recursive: true });
  for (const f of [...result.outputFiles, ...lambdaResult.outputFiles, ...sdkResult.outputFiles]) writeAtomically(f.path, f.contents);

  /** @type {BuildManifest} */
  const manifest = { version: 1, builder: "esbuild " + esbuild.version, inputs: {} };
  // The Lambda bundle's own sources (its packages change only with package.json, already an input).
  const lambdaInputs = Object.keys(lambdaResult.metafile.inputs).filter((rel) => !rel.includes("node_modules/"));
  // (lazy-builtin:<name> inputs are the stand-ins lazyBuiltins() writes, not files.)
  // (and aws-sdk:<client> the stand-ins awsSdkFromBundle() writes; the SDK's own files change only with package-lock.json).
  const cliInputs = Object.keys(result.metafile.inputs).filter((rel) => !rel.includes("node_modules/") && !rel.startsWith("lazy-builtin:") && !rel.startsWith("aws-sdk:"));
  for (const rel of [...new Set([...cliInputs, ...lambdaInputs]), ...BUILD_INPUTS]) {
    const st = fs.statSync(path.join(ROOT, rel));
    // A file changed while the build read it: record it as unknown so the next run rebuilds.
    manifest.inputs[rel] = st.mtimeMs >= started ? [0, -1] : [st.mtimeMs, st.size];
  }
  writeAtomically(MANIFEST, JSON.stringify(manifest) + "\n");
  return manifest;
}

/** The policy pack's folder, and the bundle its package.json `main` loads outside this repository. */
const PACK_DIR = path.join(ROOT, "policies");
const PACK_BUNDLE = path.join(PACK_DIR, "dist", "index.js");
/**
 * The packages the pack bundle leaves to `require` at run time: policies/package.json's
 * dependencies. @pulumi/* must stay external (the Pulumi runtime is one instance per process, and
 * bundling it breaks it); everything else the rules import (tldts, zod) is bundled.
 */
const PACK_EXTERNAL = ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws"];
const PACK_BANNER =
  "// The mail-infra policy pack, bundled by scripts/build.cjs (the pack's `prepack`) from policies/ and the\n" +
  "// lib/ rules it imports, and the packages they use (their licenses: dist/THIRD-PARTY-LICENSES.txt).\n" +
  "// Generated: edit the sources, not this file.";
const PACK_LICENSES = path.join(PACK_DIR, "dist", "THIRD-PARTY-LICENSES.txt");

/**
 * The packages bundled into the pack (from esbuild's metafile inputs), each with its license text.
 * @param {import("esbuild").Metafile} metafile
 */
function bundledLicenses(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]);
  }
  return [...names].sort().map((name) => {
    const dir = path.join(ROOT, "node_modules", name);
    const { version, license } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const file = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : `(no license file; package.json says ${license})`;
    return `${name}@${version} (${license})\n\n${text}\n`;
  });
}

/**
 * Bundle the policy pack into policies/dist/index.js (with `write: false`, only compute it).
 * Returns the bundle's text and esbuild's metafile (its inputs, and the packages left external).
 * @param {{ write?: boolean }} [options]
 */
async function buildPolicyPack({ write = true } = {}) {
  const esbuild = loadEsbuild();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join("policies", "index.ts")],
    outfile: PACK_BUNDLE,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: PACK_EXTERNAL.flatMap((p) => [p, `${p}/*`]),
    banner: { js: PACK_BANNER },
    legalComments: "eof",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const [out] = result.outputFiles;
  if (write) {
    fs.mkdirSync(path.dirname(PACK_BUNDLE), { recursive: true });
    writeAtomically(PACK_BUNDLE, out.contents);
    writeAtomically(PACK_LICENSES, bundledLicenses(result.metafile).join(`\n${"-".repeat(78)}\n\n`));
  }
  return { text: out.text, metafile: result.metafile };
}

/**
 * Why the build must be redone, or undefined when it is current: an input that changed (mtime
 * or size) or vanished, or a missing build. Costs one stat per input (a few dozen files).
 */
function staleReason() {
  /** @type {BuildManifest} */
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(MANIFEST, "utf8"));
  } catch {
    return "no build yet";
  }
  for (const [rel, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
    let st;
    try {
      st = fs.statSync(path.join(ROOT, rel));
    } catch {
      return `${rel} is gone`;
    }
    if (st.mtimeMs !== mtimeMs || st.size !== size) return `${rel} changed`;
  }
  for (const source of Object.values(CLIS)) if (!fs.existsSync(outputOf(source))) return `bin/${source.replace(/\.ts$/, ".js")} is missing`;
  if (!fs.existsSync(LAMBDA_BUNDLE)) return "bin/watch-lambda/index.js is missing";
  if (!fs.existsSync(AWS_SDK_BUNDLE)) return "bin/aws-sdk.js is missing";
  return undefined;
}

/** @param {string} pkg */
function isInstalled(pkg) {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

module.exports = { CLIS, LAMBDA_BUNDLE, AWS_SDK_BUNDLE, ROOT, OUT_DIR, PACK_DIR, PACK_BUNDLE, PACK_EXTERNAL, build, buildPolicyPack, staleReason, outputOf };

if (require.main === module && process.argv.includes("--policy-pack")) {
  // Nothing on stdout: `pulumi policy publish` reads the tarball's name from `npm pack`'s stdout.
  buildPolicyPack().then(
    () => undefined,
    (e) => {
      process.stderr.write(`policy pack build failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
} else if (require.main === module) {
  // --if-stale: only when an input changed. --optional (npm's prepare): without esbuild (an
  // install without devDependencies, e.g. only to run `pulumi up`) say so and succeed.
  if (process.argv.includes("--if-stale") && staleReason() === undefined) process.exit(0);
  if (process.argv.includes("--optional") && !isInstalled("esbuild")) {
    process.stderr.write("mail-infra: esbuild is not installed (no devDependencies), so the CLIs are not built now; they build on first use once it is.\n");
    process.exit(0);
  }
  build().then(
    () => undefined,
    (e) => {
      process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
