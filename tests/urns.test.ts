/**
 * URNs are part of the contract with every live stack: Pulumi identifies a resource by its URN,
 * so a changed URN is a delete of the old resource and a create of a new one (for an SES
 * identity: new DKIM tokens and up to 72 h of verification).
 *
 * tests/fixtures/urns/<stack>.json lists every URN these stacks have ever shipped. It only
 * grows:
 * - a URN that disappeared must be named in the `aliases` of the resource that now declares
 *   it (the fix for a rename is an alias, never a silent rename, never an edit of this file);
 * - a new URN (a new resource, or the new name of an aliased one) must be added to the file:
 *   run `MAIL_INFRA_UPDATE_URNS=1 npx vitest run tests/urns.test.ts`, which only adds.
 * Removing a resource on purpose is the one reason to delete a line, reviewed as such.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { runWithConfig } from "./helpers/program";
import { ROOT } from "./helpers/spawn";

export const MULTI_DOMAIN = {
  domains: ["example.com", "example.org"],
  regions: ["eu-west-1", "us-east-1"],
  mailFromSubdomain: "bounce",
  route53Zones: ["example.org=Z0123456789ABCDEFGHIJ"],
  dmarcPolicy: "quarantine",
  // Monitoring with the trail, so that its URNs are part of the contract too.
  alertEmails: ["ops@example.com"],
  createTrail: "true",
  // The watch (issue 19): its URNs are part of the contract too.
  watch: "true",
  // No senders: since issue 21 credentials only when asked for (lib/smtp-credentials.ts); the
  // shipped stack had them, so its SMTP URNs stay part of the contract.
  smtpCredentials: "any-address",
};

/** Shipped URNs that no resource declares or names as an alias: what a live stack would delete. */
function lostUrns(shipped: readonly string[], resources: readonly RecordedResource[]): string[] {
  const declared = new Set(resources.map((r) => r.urn));
  const aliased = new Set(resources.flatMap((r) => r.options.aliases));
  return shipped.filter((urn) => !declared.has(urn) && !aliased.has(urn));
}

const STACKS = [
  ["prod", PROD_LIKE],
  ["multi", MULTI_DOMAIN],
] as const;

describe.each(STACKS)("the URNs of stack %s", async (stack, config) => {
  const file = join(ROOT, "tests/fixtures/urns", `${stack}.json`);
  const run = await runWithConfig(config, stack);
  const declared = run.resources.map((r) => r.urn).sort();
  if (process.env.MAIL_INFRA_UPDATE_URNS === "1") {
    const known: string[] = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as string[]) : [];
    writeFileSync(file, JSON.stringify([...new Set([...known, ...declared])].sort(), null, 2) + "\n");
  }
  const shipped = JSON.parse(readFileSync(file, "utf8")) as string[];

  it("keeps every shipped URN, as itself or as an alias of the resource that replaced it", () => {
    const lost = lostUrns(shipped, run.resources);
    expect(
      lost,
      "These URNs are gone: every live stack would delete these resources. Add `aliases: [{ name: <old name> }]` " +
        "(or the old URN) to the resource that now declares each one; do not edit tests/fixtures/urns to hide it.",
    ).toEqual([]);
  });

  it("lists every declared URN in the shipped file", () => {
    const unlisted = declared.filter((urn) => !shipped.includes(urn));
    expect(
      unlisted,
      "New URNs: if they replace old ones, alias the old ones first; then add them with MAIL_INFRA_UPDATE_URNS=1 npx vitest run tests/urns.test.ts.",
    ).toEqual([]);
  });

  it("reports a renamed resource that has no alias (the check can fail)", () => {
    const renamed = run.resources.map((r) => (r.type === "aws:sesv2/emailIdentity:EmailIdentity" ? { ...r, urn: `${r.urn}-renamed` } : r));
    expect(lostUrns(shipped, renamed).map((u) => u.replace(/.*::/, "")).sort()).toEqual(
      run.resources.filter((r) => r.type === "aws:sesv2/emailIdentity:EmailIdentity").map((r) => r.name).sort(),
    );
    const aliased = renamed.map((r) => (r.urn.endsWith("-renamed") ? { ...r, options: { ...r.options, aliases: [r.urn.replace(/-renamed$/, "")] } } : r));
    expect(lostUrns(shipped, aliased)).toEqual([]);
  });

  it("declares no URN twice", () => {
    expect(new Set(declared).size).toBe(declared.length);
  });
});
