/**
 * The protection table (lib/protection.ts) on its own: each role's options, all off when
 * protection is off, and the copy of the table in docs/architecture.md. That the program gives
 * each resource its role's options is tests/protection.test.ts (under the Pulumi mock runtime).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dnsRecordRole, PROTECTION, type ProtectedRole, protectionOptions } from "../../lib/protection";
import { EXPECTED_PROTECTION } from "../helpers/protection";
import { ROOT } from "../helpers/spawn";

const ROLES = Object.keys(EXPECTED_PROTECTION) as ProtectedRole[];

describe("protectionOptions", () => {
  it("gives each role its protect and retainOnDelete when protection is on", () => {
    expect(Object.fromEntries(ROLES.map((r) => [r, protectionOptions(r, true)]))).toEqual(EXPECTED_PROTECTION);
    expect((Object.keys(PROTECTION) as ProtectedRole[]).sort()).toEqual([...ROLES].sort());
  });

  it("turns both off for every role when protection is off (a teardown on purpose)", () => {
    for (const r of ROLES) expect(protectionOptions(r, false), r).toEqual({ protect: false, retainOnDelete: false });
  });
});

describe("dnsRecordRole", () => {
  it("is the record purpose under dns-", () => {
    expect(dnsRecordRole("dkim")).toBe("dns-dkim");
    expect(dnsRecordRole("mail-from-mx")).toBe("dns-mail-from-mx");
    expect(dnsRecordRole("dmarc-report-auth")).toBe("dns-dmarc-report-auth");
  });
});

describe("the reasons", () => {
  it("are the table in docs/architecture.md, row for row", () => {
    const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
    const rows = Object.entries(PROTECTION).map(([role, r]) => `| ${role} | ${r.protect ? "yes" : "no"} | ${r.retainOnDelete ? "yes" : "no"} | ${r.reason} |`);
    const table = doc.split("\n").filter((l) => /^\| [a-z-]+ \| (yes|no) \|/.test(l));
    expect(table).toEqual(rows);
  });
});
