/**
 * adopt's planning (lib/adopt.ts) on hand-built live setups, and the consistency proof: the
 * program, run under mocks with the written config, registers a resource with the same type,
 * name and parent for every import entry, so `pulumi preview` after `pulumi import` creates
 * nothing that was imported.
 */
import { describe, expect, it } from "vitest";
import { type AdoptionPlan, AdoptionError, grantsSesSend, type LiveRecordSet, type LiveSetup, planAdoption, renderAdoptionMd, renderImportJson, TYPES, USE_DEFAULT_VALUE_POLICY } from "../../lib/adopt";
import { validateConfig } from "../../lib/config";
import { disallowUseDefaultValue } from "../../policies/sesv2/EmailIdentityMailFromAttributes/disallowUseDefaultValue";
import { runWithConfig } from "../helpers/program";

const D = "example.com";
const tok = (region: string, i: number) => `tok${i}${region.replace(/-/g, "")}`;
const tokens = (region: string) => [3, 1, 2].map((i) => tok(region, i));
const ZONE = "Z0ADOPTTEST00000000001";

function dkimSets(region: string, host = "dkim.amazonses.com"): LiveRecordSet[] {
  return tokens(region).map((t) => ({ name: `${t}._domainkey.${D}`, type: "CNAME", ttl: 1800, values: [`${t}.${host}`] }));
}

/** The two-region setup of the issue: one MAIL FROM name shared by both regions, its MX at us-east-1. */
export function twoRegionShared(): LiveSetup {
  return {
    domain: D,
    regions: ["us-east-1", "us-west-2"],
    identities: ["us-east-1", "us-west-2"].map((region) => ({
      region,
      dkimTokens: tokens(region),
      dkimStatus: "SUCCESS",
      nextSigningKeyLength: region === "us-east-1" ? "RSA_2048_BIT" : "RSA_1024_BIT",
      mailFrom: { domain: `bounce.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE", status: "SUCCESS" },
      configurationSetName: "my-config-set",
    })),
    dns: {
      mode: "route53",
      zoneId: ZONE,
      zoneName: D,
      recordSets: [
        ...dkimSets("us-east-1"),
        ...dkimSets("us-west-2"),
        { name: `bounce.${D}`, type: "MX", ttl: 1800, values: ["10 feedback-smtp.us-east-1.amazonses.com"] },
        { name: `bounce.${D}`, type: "TXT", ttl: 1800, values: ["v=spf1 include:amazonses.com ~all"] },
        { name: D, type: "TXT", ttl: 1800, values: ["v=spf1 include:_spf.google.com include:amazonses.com ~all", "google-site-verification=abc123", "MS=ms4711"] },
        { name: `_dmarc.${D}`, type: "TXT", ttl: 1800, values: ["v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.com; fo=1"] },
        { name: `www.${D}`, type: "CNAME", ttl: 300, values: ["example.github.io"] },
      ],
    },
    sendUsers: [{ userName: "ses-smtp-user.20240101", arn: "arn:aws:iam::123456789012:user/ses-smtp-user.20240101", accessKeyIds: ["AKIAOLDSMTPKEY000001"], grantedBy: ["inline AmazonSesSendingAccess"] }],
  };
}

export function oneRegion(): LiveSetup {
  const live = twoRegionShared();
  return { ...live, regions: ["us-east-1", "us-west-2"], identities: live.identities.filter((i) => i.region === "us-east-1").map((i) => ({ ...i, mailFrom: undefined })) };
}

export function externalDns(): LiveSetup {
  return { ...oneRegion(), dns: { mode: "external", why: `no public Route 53 hosted zone for ${D} or a parent of it` }, sendUsers: [] };
}

/**
 * Every import entry has a registered resource with the same type, name and parent name; and
 * the other way round, nothing the program registers that exists live is left to be created:
 * every identity, and every record set whose name and type are live, is imported.
 */
async function expectProgramMatches(plan: AdoptionPlan, live?: LiveSetup): Promise<void> {
  const run = await runWithConfig(plan.config as Record<string, string | number | string[]>, plan.stack);
  const imported = new Set(plan.imports.resources.map((e) => `${e.type} ${e.name}`));
  for (const r of run.resources.filter((x) => x.type === TYPES.emailIdentity)) expect(imported).toContain(`${r.type} ${r.name}`);
  if (live && live.dns.mode === "route53") {
    const liveSets = new Set(live.dns.recordSets.map((x) => `${x.name} ${x.type}`));
    for (const r of run.resources.filter((x) => x.type === TYPES.record && !String(x.inputs.name).includes("._domainkey."))) {
      if (liveSets.has(`${String(r.inputs.name)} ${String(r.inputs.type)}`)) expect(imported, `${r.name} exists live`).toContain(`${r.type} ${r.name}`);
    }
  }
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const registered = run.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ? byUrn.get(r.parent)?.name : undefined }));
  for (const e of plan.imports.resources) {
    expect(registered, `${e.type} ${e.name}`).toContainEqual({ type: e.type, name: e.name, parent: e.parent });
  }
  // Each import id names the record set the resource declares (DKIM names hold mocked tokens
  // under mocks: their position is checked against the live tokens, sorted, instead).
  for (const e of plan.imports.resources.filter((x) => x.type === TYPES.record)) {
    const dkim = /-dkim-([a-z0-9-]+)-(\d)$/.exec(e.name);
    if (dkim) {
      const t = [...tokens(dkim[1])].sort()[Number(dkim[2]) - 1];
      expect(e.id).toBe(`${ZONE}_${t}._domainkey.${D}_CNAME`);
      continue;
    }
    const r = run.resources.find((x) => x.type === e.type && x.name === e.name);
    expect(e.id).toBe(`${ZONE}_${String(r?.inputs.name)}_${String(r?.inputs.type)}`);
  }
}

describe("adopt: the two-region setup with one MAIL FROM shared by both regions", () => {
  const plan = planAdoption(twoRegionShared(), "prod");

  it("writes a config that reproduces the live setup where it is sound, and validates", () => {
    expect(plan.config).toMatchObject({
      "aws:region": "us-east-1",
      "mail-infra:domain": D,
      "mail-infra:regions": ["us-east-1", "us-west-2"],
      // The MX names us-east-1: it keeps bounce.example.com; us-west-2 needs its own.
      "mail-infra:mailFromSubdomain": `bounce.${D}`,
      "mail-infra:regionalMailFromSubdomains": [`us-west-2=bounce-us-west-2.${D}`],
      "mail-infra:dkimSigningKeyLength": "RSA_2048_BIT",
      "mail-infra:spfMechanisms": ["include:_spf.google.com"],
      "mail-infra:apexTxtValues": ["google-site-verification=abc123", "MS=ms4711"],
      "mail-infra:dmarcPolicy": "quarantine",
      "mail-infra:dmarcPercent": 50,
      "mail-infra:dmarcRua": ["mailto:dmarc@example.com"],
      "mail-infra:route53Zones": [`${D}=${ZONE}`],
      "mail-infra:dnsTtl": 1800,
      // A MAIL FROM moves (us-west-2): the first up must not reject mail while SES waits for the MX.
      "mail-infra:mailFromBehaviorOnMxFailure": "USE_DEFAULT_VALUE",
    });
    expect(() => validateConfig(plan.config, "prod")).not.toThrow();
  });

  it("imports identities, MAIL FROM attributes and existing record sets with region-qualified ids under their component parents", () => {
    const r = plan.imports.resources;
    expect(r.filter((e) => e.component).map((e) => [e.type, e.name, e.parent])).toEqual([
      [TYPES.mailDomain, D, undefined],
      [TYPES.sesIdentity, `${D}-us-east-1`, D],
      [TYPES.sesIdentity, `${D}-us-west-2`, D],
      [TYPES.dnsRecords, `${D}-dns`, D],
    ]);
    expect(r).toContainEqual({ type: TYPES.emailIdentity, name: `${D}-us-west-2-identity`, id: `${D}@us-west-2`, parent: `${D}-us-west-2` });
    expect(r).toContainEqual({ type: TYPES.mailFrom, name: `${D}-us-east-1-mail-from`, id: `${D}@us-east-1`, parent: `${D}-us-east-1` });
    expect(r).toContainEqual({ type: TYPES.record, name: `${D}-dns-spf`, id: `${ZONE}_${D}_TXT`, parent: `${D}-dns` });
    expect(r).toContainEqual({ type: TYPES.record, name: `${D}-dns-mail-from-mx-bounce.${D}`, id: `${ZONE}_bounce.${D}_MX`, parent: `${D}-dns` });
    // The configuration set is someone else's: not imported, a new one is created.
    expect(r.some((e) => e.type === TYPES.configurationSet)).toBe(false);
    // Records that do not exist yet (us-west-2's new MAIL FROM) are not imported.
    expect(r.some((e) => e.name.includes("bounce-us-west-2"))).toBe(false);
    expect(r.every((e) => e.component || e.id)).toBe(true);
  });

  it("the program under mocks registers every import entry with the same type, name and parent", async () => {
    await expectProgramMatches(plan, twoRegionShared());
  });

  it("reports the risks: MAIL FROM move sequenced, DKIM key length once a day, the old SMTP user kept for retirement", () => {
    expect(plan.risks.find((x) => x.startsWith("MAIL FROM in us-west-2"))).toMatch(/bounce\.example\.com -> bounce-us-west-2\.example\.com \(bounce\.example\.com is shared with us-east-1.*USE_DEFAULT_VALUE.*set mail-infra:mailFromBehaviorOnMxFailure to REJECT_MESSAGE/);
    expect(plan.risks.find((x) => x.startsWith("DKIM key length in us-west-2"))).toMatch(/RSA_1024_BIT -> RSA_2048_BIT\. SES allows this once a day/);
    expect(plan.risks.find((x) => x.includes("ses-smtp-user.20240101"))).toMatch(/not imported and not changed.*relay-fix.*then deactivate and delete/);
    expect(plan.risks.find((x) => x.startsWith("The live DMARC"))).toMatch(/fo=1/);
    expect(plan.risks.find((x) => x.startsWith("The live apex SPF"))).toMatch(/include:amazonses\.com/);
  });

  it("adoption.md lists what is imported, live against declared, the kept apex values and the steps in order", () => {
    const md = renderAdoptionMd(plan);
    expect(md).toContain(`| EmailIdentity | ${D}-us-east-1-identity | ${D}@us-east-1 |`);
    expect(md).toMatch(/\| TXT example\.com \| update \| v=spf1 include:_spf\.google\.com include:amazonses\.com ~all \\\| google-site-verification=abc123 \\\| MS=ms4711 \| v=spf1 include:_spf\.google\.com ~all \\\| google-site-verification=abc123 \\\| MS=ms4711 \|/);
    expect(md).toContain("- `google-site-verification=abc123`");
    expect(md).toMatch(/3\. `pulumi import --stack prod --file import\.json[^\n]*\n4\. `pulumi preview --stack prod --diff`[^\n]*\n5\. `pulumi up --stack prod`[^\n]*\n6\. Wait until verify reports MAIL FROM SUCCESS/);
    expect(md).toMatch(/retire the old SMTP user by hand: ses-smtp-user\.20240101/);
    expect(md).toContain(`{"${USE_DEFAULT_VALUE_POLICY}": "advisory"}`);
    expect(USE_DEFAULT_VALUE_POLICY).toBe(disallowUseDefaultValue.name);
    expect(JSON.parse(renderImportJson(plan))).toEqual(plan.imports);
  });
});

describe("adopt: partial setups", () => {
  it("an identity in one region only, without MAIL FROM: that region alone, MAIL FROM created under USE_DEFAULT_VALUE first", async () => {
    const plan = planAdoption(oneRegion(), "solo");
    expect(plan.config["mail-infra:regions"]).toEqual(["us-east-1"]);
    expect(plan.config["mail-infra:mailFromSubdomain"]).toBe(`bounce.${D}`);
    expect(plan.config["mail-infra:mailFromBehaviorOnMxFailure"]).toBe("USE_DEFAULT_VALUE");
    expect(plan.notes).toContainEqual(expect.stringMatching(/No SES identity for example\.com in us-west-2/));
    expect(plan.imports.resources.some((e) => e.type === TYPES.mailFrom)).toBe(false);
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: "MAIL FROM (us-east-1)", action: "create", live: "(none: amazonses.com)", declared: `bounce.${D}` }));
    await expectProgramMatches(plan, oneRegion());
  });

  it("DNS outside Route 53: dnsMode external, no record imported, and said so", async () => {
    const plan = planAdoption(externalDns(), "ext");
    expect(plan.config["mail-infra:dnsMode"]).toBe("external");
    expect(plan.config["mail-infra:route53Zones"]).toBeUndefined();
    expect(plan.imports.resources.some((e) => e.type === TYPES.record || e.type === TYPES.dnsRecords)).toBe(false);
    expect(plan.notes).toContainEqual(expect.stringMatching(/DNS is not in Route 53 \(no public Route 53 hosted zone for example\.com.*dnsMode external/));
    expect(renderAdoptionMd(plan)).toMatch(/DNS: external \(not in Route 53/);
    await expectProgramMatches(plan);
  });

  it("nothing to adopt: an error that names the domain and regions (an input problem)", () => {
    const live = { ...twoRegionShared(), identities: [] };
    expect(() => planAdoption(live, "prod")).toThrow(AdoptionError);
    try {
      planAdoption(live, "prod");
    } catch (e) {
      expect((e as AdoptionError).input).toBe(true);
      expect((e as Error).message).toMatch(/no SES identity for example\.com in us-east-1, us-west-2: nothing to adopt/);
    }
  });

  it("a live setup that keeps its MAIL FROM everywhere keeps REJECT_MESSAGE and lists no MAIL FROM risk", () => {
    const live = twoRegionShared();
    live.identities[1].mailFrom = { domain: `mail-usw2.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE" };
    live.identities[1].nextSigningKeyLength = "RSA_2048_BIT";
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:regionalMailFromSubdomains"]).toEqual([`us-west-2=mail-usw2.${D}`]);
    expect(plan.config["mail-infra:mailFromBehaviorOnMxFailure"]).toBe("REJECT_MESSAGE");
    expect(plan.risks.filter((r) => r.startsWith("MAIL FROM") || r.startsWith("DKIM"))).toEqual([]);
    expect(renderAdoptionMd(plan)).not.toContain(USE_DEFAULT_VALUE_POLICY);
  });
});

describe("adopt: live records that differ from what SES expects", () => {
  it("a DKIM CNAME pointing elsewhere is imported, listed as an update and as a risk", () => {
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    const t = [...tokens("us-east-1")].sort()[0];
    const set = live.dns.recordSets.find((r) => r.name === `${t}._domainkey.${D}`);
    if (!set) throw new Error("no DKIM set");
    set.values = ["old-provider.example.net"];
    const plan = planAdoption(live, "prod");
    expect(plan.imports.resources).toContainEqual({ type: TYPES.record, name: `${D}-dns-dkim-us-east-1-1`, id: `${ZONE}_${t}._domainkey.${D}_CNAME`, parent: `${D}-dns` });
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `CNAME ${t}._domainkey.${D}`, action: "update", live: "old-provider.example.net", declared: `${t}.dkim.amazonses.com` }));
    expect(plan.risks).toContainEqual(expect.stringMatching(new RegExp(`^CNAME ${t}\\._domainkey\\.example\\.com differs from what SES expects.*fails DKIM until pulumi up corrects it`)));
  });

  it("records that match add no such risk", () => {
    expect(planAdoption(twoRegionShared(), "prod").risks.some((r) => r.includes("differs from what SES expects"))).toBe(false);
  });
});

describe("grantsSesSend", () => {
  const doc = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: statement });
  it("is true for an Allow of ses:SendRawEmail, ses:Send*, ses:* or *", () => {
    for (const action of ["ses:SendRawEmail", ["ses:Send*"], "ses:*", "*"]) expect(grantsSesSend(doc([{ Effect: "Allow", Action: action, Resource: "*" }]))).toBe(true);
  });
  it("is false for other actions, a Deny, or text that is not a policy", () => {
    expect(grantsSesSend(doc({ Effect: "Allow", Action: ["ses:GetAccount", "s3:*"], Resource: "*" }))).toBe(false);
    expect(grantsSesSend(doc([{ Effect: "Deny", Action: "ses:*", Resource: "*" }]))).toBe(false);
    expect(grantsSesSend("not json")).toBe(false);
  });
});
