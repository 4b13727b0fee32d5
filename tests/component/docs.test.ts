/**
 * docs/component-api.md is generated from the TSDoc of packages/mail-infra (npm run
 * docs:component) and must be current; the `@default` each input documents must be the default
 * the stack's config table gives the key it stands for (lib/config.ts CONFIG_KEYS), because the
 * component is validated and defaulted by that table.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, type ConfigKey } from "../../lib/config";
import { componentReference, literalDefaults } from "../../scripts/lib/component-docs";
import { ROOT } from "../helpers/spawn";

const DIR = join(ROOT, "packages/mail-infra");

describe("the component API reference", () => {
  it("is current (run `npm run docs:component` after changing packages/mail-infra)", () => {
    expect(readFileSync(join(ROOT, "docs/component-api.md"), "utf8")).toBe(componentReference(DIR));
  });

  it("documents every input and output of the three components", () => {
    const doc = componentReference(DIR);
    for (const s of ["## MailDomain", "## SmtpRelay", "## MailMonitoring", "## MailDnsRecord", "## SmtpSender", "| `zoneId` | `pulumi.Input<string>` | no |", "| `records` |"]) expect(doc).toContain(s);
  });

  // Inputs whose name differs from the config key they stand for (packages/mail-infra/*.ts NAMES).
  const RENAMED: Record<string, ConfigKey> = {
    userName: "smtpUserName",
    keyGeneration: "smtpKeyGeneration",
    previousKey: "smtpPreviousKey",
    allowedFromAddresses: "smtpAllowedFromAddresses",
    addressIdentities: "smtpAddressIdentities",
    secretName: "smtpSecretName",
    secretRecoveryWindowDays: "smtpSecretRecoveryWindowDays",
  };
  it.each([
    ["mail-domain.ts", "MailDomainArgs"],
    ["smtp-relay.ts", "SmtpRelayArgs"],
    ["mail-monitoring.ts", "MailMonitoringArgs"],
  ])("%s: every literal @default is the stack's default for that key", (file, args) => {
    const defaults = literalDefaults(DIR, file, args);
    const checked = Object.entries(defaults).filter(([input]) => (RENAMED[input] ?? input) in CONFIG_KEYS);
    expect(checked.length).toBeGreaterThan(0);
    for (const [input, value] of checked) expect(value, input).toEqual((CONFIG_KEYS as Record<string, { default?: unknown }>)[RENAMED[input] ?? input].default);
  });
});
