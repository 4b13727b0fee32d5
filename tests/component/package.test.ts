/**
 * The component package as npm consumers get it (issue 23): built from a copy of the repository
 * that holds only packages/mail-infra, lib/ and components/ (no stack program, scripts or
 * policies: the package must not need them), packed with `npm pack` (whose `prepare` builds it),
 * installed from the tarball into a fresh project with `npm install --offline` (its dependencies
 * already in that project's node_modules, hard-linked from ours, so no registry is asked), then
 * required by name (package `exports`) and type-checked against its declarations (`types`).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn";

const work = mkdtempSync(join(tmpdir(), "mail-infra-package-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" }, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const CONSUMER_JS = `
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks({
  newResource: (a) => ({ id: a.name + "-id", state: { ...a.inputs, arn: "arn:aws:ses:" + (a.inputs.region || "us-east-1") + ":123456789012:x/" + a.name,
    ...(a.type === "aws:sesv2/emailIdentity:EmailIdentity" ? { dkimSigningAttributes: { tokens: ["t1", "t2", "t3"] } } : {}) } }),
  call: () => ({ accountId: "123456789012" }),
}, "consumer", "dev");
const { MailDomain, InvalidInputsError } = require("mail-infra");
const same = require.resolve("@pulumi/pulumi", { paths: [require.resolve("mail-infra")] }) === require.resolve("@pulumi/pulumi");
const mail = new MailDomain("mail", { domain: "example.com", regions: ["us-east-1"], zoneId: "Z0123456789ABCDEFGHIJ" });
let refused;
try { new MailDomain("bad", { domain: "example.com", regions: ["us-east-1"], dmarcPolicy: "rejct" }); } catch (e) { refused = e instanceof InvalidInputsError ? e.issues.map((i) => i.input) : String(e); }
mail.records.apply((rs) => console.log(JSON.stringify({ same, refused, records: rs.map((r) => r.type + " " + r.name).sort() })));
`;

const CONSUMER_TS = `
import * as pulumi from "@pulumi/pulumi";
import { MailDomain, type MailDomainArgs, SmtpRelay } from "mail-infra";
const args: MailDomainArgs = { domain: "example.com", regions: ["us-east-1"], zoneId: pulumi.output("Z0123456789ABCDEFGHIJ") };
const mail = new MailDomain("mail", args);
const relay = new SmtpRelay("smtp", { domains: ["example.com"], regions: ["us-east-1"], senders: [{ address: "a@example.com", kind: "smtp-client", region: "us-east-1" }] });
export const arns: pulumi.Output<Record<string, string>> = mail.identityArns;
export const user: pulumi.Output<string> = relay.username;
// @ts-expect-error: regions is a list of regions
new MailDomain("bad", { domain: "example.com", regions: "us-east-1" });
`;

describe("the npm package", async () => {
  // A repository without the stack: only what the package is built from.
  const repo = join(work, "repo");
  for (const dir of ["packages/mail-infra", "lib", "components"]) {
    cpSync(join(ROOT, dir), join(repo, dir), { recursive: true, filter: (src) => !/node_modules|[/\\]dist([/\\]|$)/.test(src) });
  }
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"));
  const pkg = join(repo, "packages/mail-infra");
  // docs/component.md's `npm pack`: its `prepare` script builds dist/ first.
  const tarball = run("npm", ["pack", "--silent", "--pack-destination", work], pkg).trim().split("\n").pop() ?? "";
  const listing = run("tar", ["-tzf", join(work, tarball)], work).split("\n").filter(Boolean);

  const consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  // Its dependencies, hard-linked (no copy, no registry): npm then resolves them from the tree it finds.
  // Hard links need one filesystem; a tmpfs /tmp gets a copy instead.
  try {
    run("cp", ["-al", join(ROOT, "node_modules"), join(consumer, "node_modules")], work);
  } catch {
    rmSync(join(consumer, "node_modules"), { recursive: true, force: true });
    run("cp", ["-a", join(ROOT, "node_modules"), join(consumer, "node_modules")], work);
  }
  rmSync(join(consumer, "node_modules/.package-lock.json"), { force: true });
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(work, tarball)], consumer);

  it("ships the built library and its declarations, and nothing of the stack", () => {
    expect(listing).toContain("package/dist/packages/mail-infra/index.js");
    expect(listing).toContain("package/dist/packages/mail-infra/index.d.ts");
    expect(listing.some((f) => /package\/dist\/(scripts|policies|tests)\/|package\/dist\/index\.js/.test(f))).toBe(false);
    expect(listing).not.toContain("package/PulumiPlugin.yaml");
  });

  it("installs offline and declares a domain when required by name, with one @pulumi/pulumi", () => {
    writeFileSync(join(consumer, "index.js"), CONSUMER_JS);
    const out = JSON.parse(run(process.execPath, ["index.js"], consumer).trim().split("\n").pop() ?? "{}") as { same: boolean; refused: string[]; records: string[] };
    expect(out.same).toBe(true);
    expect(out.refused).toEqual(["dmarcPolicy"]);
    expect(out.records).toContain("TXT _dmarc.example.com");
    expect(out.records.filter((r) => r.startsWith("CNAME"))).toHaveLength(3);
  });

  it("type-checks a consumer against the declarations (exports and types), and refuses a wrong input type", () => {
    writeFileSync(join(consumer, "index.ts"), CONSUMER_TS);
    for (const resolution of [["--module", "node16", "--moduleResolution", "node16"], ["--module", "commonjs", "--moduleResolution", "node"]]) {
      run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--skipLibCheck", "--target", "ES2022", ...resolution, "index.ts"], consumer);
    }
    expect(readdirSync(join(consumer, "node_modules/mail-infra/dist/packages/mail-infra"))).toContain("mail-domain.d.ts");
  });

  it("declares its runtime dependencies (everything the built files require)", () => {
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const required = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith(".js")) for (const m of readFileSync(join(dir, e.name), "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) required.add(m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]);
      }
    };
    walk(join(pkg, "dist"));
    const external = [...required].filter((m) => !m.startsWith("node:")).sort();
    expect(external).toEqual(Object.keys(manifest.dependencies).sort());
  });
});
