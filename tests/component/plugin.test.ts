/**
 * The component package booted the way `pulumi package add packages/mail-infra` boots it, minus
 * the CLI (not installable here): the Node.js language host runs
 * `@pulumi/pulumi/cmd/run-plugin <dir>`, which registers ts-node (with type checking), requires
 * the directory (package.json `main`: index.ts), finds the exported ComponentResource classes,
 * names the provider after package.json `name`, and serves the provider protocol on a port it
 * prints (pulumi/pulumi sdk/nodejs cmd/run-plugin/run.ts, provider/server.ts main). The test asks
 * that server for its schema over gRPC, as the CLI does before generating SDKs, and expects the
 * checked-in schema. Slow (ts-node type-checks the package's sources): minutes on a loaded machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn";

const DIR = join(ROOT, "packages/mail-infra");
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill();
});

/** Start the plugin and resolve with the port it prints, or reject with what it wrote to stderr. */
function startPlugin(): Promise<number> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-plugin"), DIR], { cwd: DIR, stdio: ["ignore", "pipe", "pipe"] });
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

function getSchema(port: number): Promise<string> {
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.getSchema(new provproto.GetSchemaRequest(), (e: grpc.ServiceError | null, res?: provproto.GetSchemaResponse) => {
      client.close();
      if (e || !res) reject(e ?? new Error("no response"));
      else resolve(res.getSchema());
    }),
  );
}

describe("the component package as a Pulumi plugin", () => {
  it("boots from its directory and serves the checked-in schema", async () => {
    const schema = JSON.parse(await getSchema(await startPlugin())) as unknown;
    expect(schema).toEqual(JSON.parse(readFileSync(join(ROOT, "tests/fixtures/component/schema.json"), "utf8")));
  }, 900_000);
});
