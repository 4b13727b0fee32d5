/**
 * The consistency proof for adopt's written files: the program, run under mocks with the
 * written config, registers a resource with the same type, name and parent for every import
 * entry (so `pulumi preview` after `pulumi import` creates nothing that was imported), the
 * written config passes validation, and what exists live is imported rather than created.
 */
import { expect } from "vitest";
import { type AdoptionPlan, type LiveSetup, recordImportId, TYPES } from "../../lib/adopt";
import { validateConfig } from "../../lib/config";
import { stableDkimOrder } from "../../lib/records";
import { runWithConfig } from "../helpers/program";

export async function expectProgramMatches(plan: AdoptionPlan, live: LiveSetup): Promise<void> {
  expect(() => validateConfig(plan.config, plan.stack)).not.toThrow();
  const run = await runWithConfig(plan.config as Record<string, string | number | string[]>, plan.stack);
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const registered = run.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ? byUrn.get(r.parent)?.name : undefined }));

  // 1. Every import entry: a registered resource of the same type, name and parent.
  for (const e of plan.imports.resources) {
    expect(registered, `${e.type} ${e.name}`).toContainEqual({ type: e.type, name: e.name, parent: e.parent });
  }
  // Entry names are unique (pulumi import refuses ambiguous parents) and every parent is in the file.
  const names = plan.imports.resources.map((e) => e.name);
  expect(new Set(names).size).toBe(names.length);
  for (const e of plan.imports.resources) if (e.parent) expect(names, `parent of ${e.name}`).toContain(e.parent);
  for (const e of plan.imports.resources) expect(Boolean(e.component) !== Boolean(e.id), `${e.name}: a component has no id, a resource has one`).toBe(true);

  // 2. What exists live is imported, not created: every identity, and every record set whose
  // name and type are live.
  const imported = new Set(plan.imports.resources.map((e) => `${e.type} ${e.name}`));
  for (const r of run.resources.filter((x) => x.type === TYPES.emailIdentity)) expect(imported).toContain(`${r.type} ${r.name}`);
  if (live.dns.mode === "route53") {
    const liveSets = new Set(live.dns.recordSets.map((x) => `${x.name} ${x.type}`));
    for (const r of run.resources.filter((x) => x.type === TYPES.record && !String(x.inputs.name).includes("._domainkey."))) {
      if (liveSets.has(`${String(r.inputs.name)} ${String(r.inputs.type)}`)) expect(imported, `${r.name} exists live`).toContain(`${r.type} ${r.name}`);
    }
  }

  // 3. Each record import id names the record set the resource declares. DKIM names hold mocked
  // tokens under mocks: their position is checked against the live tokens in record order.
  const zoneId = live.dns.mode === "route53" ? live.dns.zoneId : "";
  for (const e of plan.imports.resources.filter((x) => x.type === TYPES.record)) {
    const dkim = /-dkim-([a-z0-9-]+)-(\d)$/.exec(e.name);
    if (dkim) {
      const tokens = stableDkimOrder(live.identities.find((i) => i.region === dkim[1])?.dkimTokens ?? []);
      expect(e.id).toBe(recordImportId(zoneId, `${tokens[Number(dkim[2]) - 1]}._domainkey.${plan.domain}`, "CNAME"));
      continue;
    }
    const r = run.resources.find((x) => x.type === e.type && x.name === e.name);
    expect(e.id).toBe(recordImportId(zoneId, String(r?.inputs.name), String(r?.inputs.type)));
  }
}
