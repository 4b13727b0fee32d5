// The entry point Pulumi loads (package.json "main"): in this repository, and in the published pack.
//
// - In the repository the TypeScript sources are here: they are loaded as they are (the Pulumi
//   CLI's policy runner registers ts-node), so `pulumi preview --policy-pack policies` never runs
//   a stale build.
// - The published pack (what `npm pack` puts in the tarball: package.json "files") holds no
//   sources, only dist/index.js: the same sources with the lib/ rules they import, bundled by
//   scripts/build.cjs in the pack's `prepack`, which `npm pack` and `pulumi policy publish` run.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

require(fs.existsSync(path.join(__dirname, "index.ts")) ? "./index.ts" : "./dist/index.js");
