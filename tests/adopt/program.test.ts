/**
 * The consistency proof of adopt's written files (tests/adopt/consistency.ts): the program, run
 * under Pulumi's mocks with the written config, registers a resource with the same type, name
 * and parent for every import entry, so `pulumi preview` after `pulumi import` creates nothing
 * that was imported. The setups are those of tests/adopt/plan.test.ts (tests/adopt/fixtures.ts),
 * whose pure assertions say what each plan holds.
 */
import { describe, expect, it } from "vitest";
import { type LiveSetup, planAdoption, previewCreates, renderAdoptionMd, TYPES } from "../../lib/adopt";
import { runWithConfig } from "../helpers/program";
import { expectProgramMatches } from "./consistency";
import { deletedSecret, externalDns, oneRegion, sendingNamesake, twoRegionShared, withNamesakes } from "./fixtures";

describe("adopt: the program under mocks registers every import entry with the same type, name and parent", () => {
  const setups: [string, string, () => LiveSetup][] = [
    ["two regions sharing one MAIL FROM", "prod", twoRegionShared],
    ["an identity in one region only, without MAIL FROM", "solo", oneRegion],
    ["DNS outside Route 53", "ext", externalDns],
    ["live resources with the program's names (configuration set, topic, secret, SMTP user)", "prod", () => withNamesakes()],
    ["an SMTP-named user that can send: another user name", "prod", sendingNamesake],
    ["the program's secret name scheduled for deletion: another secret name", "prod", deletedSecret],
  ];
  for (const [what, stack, live] of setups) {
    it(what, async () => {
      await expectProgramMatches(planAdoption(live(), stack), live());
    });
  }
});

describe("adopt: what pulumi preview will count", () => {
  it("creates = every resource the program declares that import.json does not adopt, components included; adoption.md says that number", async () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    const run = await runWithConfig(plan.config as Record<string, string | number | string[]>, "prod", undefined, true);
    const creates = previewCreates(plan, run.resources);
    const imported = new Set(plan.imports.resources.map((e) => `${e.type}::${e.name}`));
    // Exactly the declared resources that are not imported: none of the imported ones, all of the others.
    expect(creates.length).toBe(run.resources.length - run.resources.filter((r) => imported.has(`${r.type}::${r.name}`)).length);
    expect(creates.some((r) => imported.has(`${r.type}::${r.name}`))).toBe(false);
    // Components count: the SMTP credentials component is not in import.json here, so it is a create.
    expect(creates.filter((r) => !r.custom).map((r) => r.type)).toContain(TYPES.smtpCredentials);
    // The change table's create rows are fewer: they describe settings, not what the engine counts.
    expect(creates.length).toBeGreaterThan(plan.changes.filter((c) => c.action === "create").length);
    const md = renderAdoptionMd({ ...plan, creates });
    expect(md).toContain(`\`pulumi preview\` after the import counts **${creates.length} to create**`);
    expect(md).toContain(`4. \`pulumi preview --stack prod --diff\`: expect exactly ${creates.length} to create`);
  });
});
