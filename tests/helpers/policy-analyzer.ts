/**
 * A policy pack served the way the Pulumi CLI serves it: pulumi-analyzer-policy runs
 * @pulumi/pulumi's run-policy-pack with the engine address and the pack directory, from that
 * directory; it loads the package's `main` (registering ts-node first) and prints the port of
 * the analyzer's gRPC server. The tests talk to it with @pulumi/pulumi's generated client.
 */
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, type AnalyzeResponse, type AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { type ChildProcess, spawn } from "node:child_process";

export interface PolicyAnalyzer {
  client: AnalyzerClient;
  /** What the pack wrote on stderr so far. */
  stderr(): string;
  stop(): void;
}

/**
 * Starts the pack in `packDir` with the run-policy-pack script at `runner` (resolve it from the
 * pack's own node_modules to use the pack's @pulumi/pulumi); `nodeArgs` go to node first.
 */
export async function startPolicyAnalyzer(packDir: string, runner: string, nodeArgs: string[] = []): Promise<PolicyAnalyzer> {
  let stderr = "";
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, runner, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) child.kill();
  };
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`the policy pack exited with ${code}: ${stderr}`)));
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
      client,
      stderr: () => stderr,
      stop: () => {
        client.close();
        stop();
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/** The pack's name, version and policies, as the engine asks for them. */
export function analyzerInfo(client: AnalyzerClient): Promise<AnalyzerInfo> {
  const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => never };
  return new Promise((resolve, reject) => client.getAnalyzerInfo(new Empty(), (err, res) => (err || !res ? reject(err) : resolve(res))));
}

/** Runs the resource policies over one resource, as the engine does for each resource it plans. */
export function analyzeResource(client: AnalyzerClient, resource: { type: string; name: string; urn: string; properties: Record<string, unknown> }): Promise<AnalyzeResponse> {
  const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: Record<string, unknown>): never } };
  const req = new AnalyzeRequest();
  req.setType(resource.type);
  req.setName(resource.name);
  req.setUrn(resource.urn);
  req.setProperties(Struct.fromJavaScript(resource.properties));
  req.setOptions(new AnalyzerResourceOptions());
  return new Promise((resolve, reject) => client.analyze(req, (err, r) => (err || !r ? reject(err) : resolve(r))));
}
