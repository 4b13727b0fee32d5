/**
 * Every --json document carries `version` and has the shape docs/cli/json.md writes down: the
 * doc prints each zod schema of scripts/lib/json-output.ts as JSON Schema (z.toJSONSchema), an
 * output like any other (`<!-- output: schema-NAME -->`, written here with docOutput, compared
 * with the doc by tests/docs/examples.test.ts; `npm run docs:outputs` rewrites both), and real
 * output of each command is validated against the JSON Schema the doc prints (ajv), not against
 * the zod schema it came from.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { JSON_FORMAT_VERSION, JSON_OUTPUTS } from "../../scripts/lib/json-output";
import { ROOT, runCli } from "../helpers/spawn";
import { docOutput, markedBlocks } from "./doc-examples";

const DOC = join(ROOT, "docs", "cli", "json.md");
type Name = keyof typeof JSON_OUTPUTS;

const dir = mkdtempSync(join(tmpdir(), "mail-infra-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const printed = (name: Name) => `${JSON.stringify(z.toJSONSchema(JSON_OUTPUTS[name]), null, 2)}\n`;

/** The JSON Schemas as docs/cli/json.md prints them. */
function docSchemas(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const b of markedBlocks(readFileSync(DOC, "utf8"))) if (b.name.startsWith("schema-")) out.set(b.name.slice("schema-".length), JSON.parse(b.block) as unknown);
  return out;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
/** Why `doc` does not match the printed schema `name`, or [] when it does. */
function problems(name: Name, doc: unknown): string[] {
  const schema = docSchemas().get(name);
  if (!schema) return [`docs/cli/json.md prints no schema ${name}`];
  const validate = ajv.compile(schema as object);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

describe("docs/cli/json.md", () => {
  it("prints every --json document's schema, as JSON Schema generated from the zod schema", async () => {
    for (const name of Object.keys(JSON_OUTPUTS) as Name[]) await docOutput(`schema-${name}`, printed(name));
    expect([...docSchemas().keys()].sort()).toEqual(Object.keys(JSON_OUTPUTS).sort());
  });

  it("a document without its version, or with a field of the wrong type, does not validate", () => {
    const good = { version: JSON_FORMAT_VERSION, verdicts: [], tally: { inputs: 0, bounces: 0, notBounces: 0, verdicts: 0, byLayer: {} } };
    expect(problems("diagnose", good)).toEqual([]);
    const { version: _v, ...unversioned } = good;
    expect(problems("diagnose", unversioned).join()).toMatch(/version/);
    expect(problems("diagnose", { ...good, version: 2 }).join()).toMatch(/version/);
    expect(problems("diagnose", { ...good, tally: { ...good.tally, inputs: "1" } }).join()).toMatch(/inputs/);
  });
});

describe("real --json output validates against the printed schema", () => {
  it("plan, plan --against, policy, policy --list", () => {
    const plan = runCli("plan.ts", ["--stack", "prod", "--json"]);
    expect(plan.status).toBe(0);
    expect(problems("plan", JSON.parse(plan.stdout))).toEqual([]);
    const base = join(dir, "base.json");
    writeFileSync(base, plan.stdout);
    const review = runCli("plan.ts", ["--stack", "prod", "--against", base, "--json"]);
    expect(review.status).toBe(0);
    expect(problems("plan-review", JSON.parse(review.stdout))).toEqual([]);
    const policy = runCli("policy.ts", ["--stack", "prod", "--json"]);
    expect(policy.status).toBe(0);
    expect(problems("policy", JSON.parse(policy.stdout))).toEqual([]);
    const list = runCli("policy.ts", ["--list", "--json"]);
    expect(problems("policy-list", JSON.parse(list.stdout))).toEqual([]);
  }, 120_000);

  it("verify (discovery mode, no credentials, a DNS server that does not answer)", () => {
    const env = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "", AWS_CONFIG_FILE: join(dir, "none"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"), AWS_EC2_METADATA_DISABLED: "true" };
    const r = runCli("verify.ts", ["--domain", "example.com", "--region", "us-east-1", "--dns-server", "127.0.0.1:9", "--timeout", "1", "--json"], { env });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { findings: unknown[] };
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(problems("verify", doc)).toEqual([]);
  }, 120_000);

  it("diagnose --json and every --jsonl line; watch --json", () => {
    const files = ["tests/fixtures/bounces/gmail-relay-auth.eml", "tests/fixtures/bounces/exchange-policy.eml"];
    const json = runCli("diagnose.ts", ["--json", ...files]);
    expect(problems("diagnose", JSON.parse(json.stdout))).toEqual([]);
    const jsonl = runCli("diagnose.ts", ["--jsonl", ...files]);
    const lines = jsonl.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(problems("diagnose-jsonl", JSON.parse(l))).toEqual([]);
    // An SES event needs no manifest and no AWS credentials.
    const watch = runCli("watch.ts", ["--event", "tests/fixtures/watch/sns-lambda-ses-bounce-dmarc.json", "--dry-run", "--json"]);
    expect(problems("watch", JSON.parse(watch.stdout))).toEqual([]);
  }, 120_000);
});
