/**
 * adopt's planning (lib/adopt.ts) on hand-built live setups (tests/adopt/fixtures.ts). Pure: the
 * consistency proof, the program run under Pulumi's mocks with the written config, is in
 * tests/adopt/program.test.ts. Each test plans inside its body (not at collection time), so a
 * mutation run knows which test covers which mutant.
 */
import { describe, expect, it } from "vitest";
import { AdoptionError, grantsSesSend, type LiveConfigurationSet, type LiveRecordSet, type LiveRoutedSet, type LiveSetup, managedNames, mergeStackFile, planAdoption, previewCreates, renderAdoptionMd, renderImportJson, renderStackYaml, SMTP_COMPONENT, TYPES, WRITTEN_BY } from "../../lib/adopt";
import { afterMailFromSuccess } from "../../lib/mail-from-move";
import { validateConfig } from "../../lib/config";
import { CS, D, deletedSecret, externalDns, oneRegion, SECRET, sendingNamesake, TOPIC, tokens, twoRegionShared, withNamesakes, ZONE } from "./fixtures";


describe("adopt: the two-region setup with one MAIL FROM shared by both regions", () => {
  const twoRegionPlan = () => planAdoption(twoRegionShared(), "prod");

  it("writes a config that reproduces the live setup where it is sound, and validates", () => {
    const plan = twoRegionPlan();
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
    const plan = twoRegionPlan();
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

  it("reports the risks: MAIL FROM move sequenced, DKIM key length once a day, the old SMTP user kept for retirement", () => {
    const plan = twoRegionPlan();
    expect(plan.risks.find((x) => x.startsWith("MAIL FROM in us-west-2"))).toMatch(/bounce\.example\.com -> bounce-us-west-2\.example\.com \(bounce\.example\.com is shared with us-east-1.*USE_DEFAULT_VALUE.*mail-infra:mailFromBehaviorOnMxFailure REJECT_MESSAGE/);
    expect(plan.risks.find((x) => x.startsWith("DKIM key length in us-west-2"))).toMatch(/RSA_1024_BIT -> RSA_2048_BIT\. SES allows this once a day/);
    expect(plan.risks.find((x) => x.includes("ses-smtp-user.20240101"))).toMatch(
      /^IAM user ses-smtp-user\.20240101 is an existing SMTP user that the Gmail alias \(or another relay\) still uses, left untouched \(not imported, not changed\), to retire after relay-fix: SES saw an SMTP login with its key AKIAOLDSMTPKEY000001 on 2026-11-20T08:00:00\.000Z in us-east-1.*Retire it after relay-fix:.*`npm run relay-fix -- --stack prod --sender <the alias's From address>`.*`npm run verify -- --stack prod --only relay`.*deactivate ses-smtp-user\.20240101's keys/,
    );
    expect(plan.risks.find((x) => x.startsWith("The live DMARC"))).toMatch(/fo=1/);
    expect(plan.risks.find((x) => x.startsWith("The live apex SPF"))).toMatch(/include:amazonses\.com/);
  });

  it("adoption.md lists what is imported, live against declared, the kept apex values and the steps in order", () => {
    const plan = twoRegionPlan();
    const md = renderAdoptionMd(plan);
    expect(md).toContain(`| EmailIdentity | ${D}-us-east-1-identity | ${D}@us-east-1 |`);
    expect(md).toMatch(/\| TXT example\.com \| update \| v=spf1 include:_spf\.google\.com include:amazonses\.com ~all \\\| google-site-verification=abc123 \\\| MS=ms4711 \| v=spf1 include:_spf\.google\.com ~all \\\| google-site-verification=abc123 \\\| MS=ms4711 \|/);
    expect(md).toContain("- `google-site-verification=abc123`");
    expect(md).toMatch(/3\. `pulumi import --stack prod --file \.\/import\.json[^\n]*\n4\. `pulumi preview --stack prod --diff`[^\n]*\n5\. `pulumi up --stack prod`, then `npm run verify -- --stack prod`\. USE_DEFAULT_VALUE keeps mail flowing[^\n]*\n6\. SES looks for the new MX for up to 72 h\. Once `npm run verify -- --stack prod --only ses` reports the new MAIL FROM SUCCESS/);
    expect(md).toMatch(/retire the old SMTP user by hand: ses-smtp-user\.20240101/);
    // The pack no longer flags USE_DEFAULT_VALUE next to Easy DKIM: no policy config for the first up.
    expect(md).not.toContain("policy-pack-config");
    expect(JSON.parse(renderImportJson(plan))).toEqual(plan.imports);
  });
});

describe("adopt: the shared MAIL FROM whose MX names the second region", () => {
  it("that region keeps the name (it works today); the primary gets its own (lib/mail-from-owner)", () => {
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    const mx = live.dns.recordSets.find((r) => r.type === "MX");
    if (!mx) throw new Error("no MX");
    mx.values = ["10 feedback-smtp.us-west-2.amazonses.com"];
    const p = planAdoption(live, "prod");
    expect(p.config["mail-infra:mailFromSubdomain"]).toBe(`bounce-us-east-1.${D}`);
    expect(p.config["mail-infra:regionalMailFromSubdomains"]).toEqual([`us-west-2=bounce.${D}`]);
    expect(p.risks.find((x) => x.startsWith("MAIL FROM in us-east-1"))).toMatch(/bounce\.example\.com -> bounce-us-east-1\.example\.com \(bounce\.example\.com is shared with us-west-2, whose feedback host its MX names/);
  });
});

describe("adopt: an existing Pulumi.<stack>.yaml is never overwritten", () => {
  const twoRegionPlan = () => planAdoption(twoRegionShared(), "prod");
  // The prod stack file as it is kept in the project: the Gmail sender and the alert emails are in no AWS API.
  const prod = {
    config: {
      "aws:region": "us-east-1",
      "mail-infra:domain": D,
      "mail-infra:regions": ["us-east-1", "us-west-2"],
      "mail-infra:mailFromSubdomain": `bounce.${D}`,
      "mail-infra:dmarcPolicy": "none",
      "mail-infra:dnsTtl": 300,
      "mail-infra:spfAll": "-all",
      "mail-infra:senders": [`address=admin@${D}; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1`],
      "mail-infra:alertEmails": ["someone@gmail.com"],
    },
  };

  it("merges key by key: the user's keys kept, live-derived keys adopt's, the rest added; the merge validates", () => {
    const plan = twoRegionPlan();
    const m = mergeStackFile(plan, prod, "Pulumi.prod.yaml", "Pulumi.prod.merged.yaml");
    const action = Object.fromEntries(m.rows.map((r) => [r.key, r.action]));
    expect(action).toMatchObject({
      "mail-infra:senders": "keep",
      "mail-infra:alertEmails": "keep",
      "mail-infra:domain": "same",
      "mail-infra:dmarcPolicy": "replace",
      "mail-infra:dnsTtl": "replace",
      "mail-infra:spfAll": "drop",
      "mail-infra:regionalMailFromSubdomains": "add",
      "mail-infra:mailFromBehaviorOnMxFailure": "add",
    });
    const merged = m.merged.config as Record<string, unknown>;
    expect(merged["mail-infra:senders"]).toEqual(prod.config["mail-infra:senders"]);
    expect(merged["mail-infra:alertEmails"]).toEqual(["someone@gmail.com"]);
    expect(merged["mail-infra:dmarcPolicy"]).toBe("quarantine");
    expect(merged["mail-infra:dnsTtl"]).toBe(1800);
    expect("mail-infra:spfAll" in merged).toBe(false);
    expect(m.invalid).toBeUndefined();
    expect(validateConfig(merged, "prod").senders.map((x) => x.address)).toEqual([`admin@${D}`]);
  });

  it("adoption.md: step 1 never copies over the existing file; it shows the differences and the merge to review", () => {
    const plan = twoRegionPlan();
    const m = mergeStackFile(plan, prod, "Pulumi.prod.yaml", "Pulumi.prod.merged.yaml");
    const md = renderAdoptionMd(plan, "adopt-prod", m);
    expect(md).not.toMatch(/cp adopt-prod\/Pulumi\.prod\.yaml/);
    expect(md).toMatch(/\n1\. Pulumi\.prod\.yaml already exists: do not copy over it[^\n]*`diff Pulumi\.prod\.yaml adopt-prod\/Pulumi\.prod\.merged\.yaml`/);
    expect(md).toContain("## Pulumi.prod.yaml already exists");
    expect(md).toMatch(/\| mail-infra:senders \| \["address=admin@example\.com; kind=gmail-send-as; account=someone@gmail\.com; region=us-east-1"\] \|  \| kept \(yours; adopt does not read it from AWS\) \|/);
    expect(md).toMatch(/\| mail-infra:dmarcPolicy \| none \| quarantine \| adopt's value: it is what is live/);
    expect(md).toMatch(/\| mail-infra:spfAll \| -all \|  \| left out: the default reproduces what is live \|/);
    // Without an existing file, the copy cannot overwrite one either.
    expect(renderAdoptionMd(plan, "adopt-prod")).toMatch(/\n1\. From the project root: `cp -n adopt-prod\/Pulumi\.prod\.yaml \.`/);
  });
});

describe("adopt: what pulumi preview will count", () => {
  it("the apex TXT TTL change is listed even when its values change too", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    // Live apex TXT at TTL 1800 with an SPF the config rewrites; the declared TTL is the stack's (the most common live TTL).
    const ttl = plan.config["mail-infra:dnsTtl"] ?? 600;
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    const apex = live.dns.recordSets.find((r) => r.name === D && r.type === "TXT");
    if (!apex) throw new Error("no apex TXT");
    apex.ttl = 300;
    const p = planAdoption(live, "prod");
    expect(p.changes.find((c) => c.subject === `TXT ${D}`)).toMatchObject({ action: "update" });
    expect(p.changes.find((c) => c.subject === `TXT ${D}: TTL`)).toEqual({ subject: `TXT ${D}: TTL`, action: "update", live: "TTL 300", declared: `TTL ${ttl}` });
  });
});

describe("adopt: the behaviour after a MAIL FROM move comes from one place", () => {
  // The risk section once told the user to set one behaviour back after the move while step 6
  // said another. Both now quote afterMailFromSuccess with the stack's chosen behaviour.
  it("live REJECT_MESSAGE: the risk and step 6 both say to set REJECT_MESSAGE back once MAIL FROM is SUCCESS", () => {
    const live = twoRegionShared();
    for (const i of live.identities) if (i.mailFrom) i.mailFrom.behaviorOnMxFailure = "REJECT_MESSAGE";
    const p = planAdoption(live, "prod");
    const md = renderAdoptionMd(p);
    const final = afterMailFromSuccess("prod", "REJECT_MESSAGE");
    expect(final).toContain("mail-infra:mailFromBehaviorOnMxFailure REJECT_MESSAGE");
    expect(p.risks.find((x) => x.startsWith("MAIL FROM in us-west-2"))).toContain(final);
    expect(md).toMatch(new RegExp(`\\n6\\. [^\\n]*${final.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });

  it("live USE_DEFAULT_VALUE (the default): nothing to set back, and no step says otherwise", () => {
    const live = twoRegionShared();
    for (const i of live.identities) if (i.mailFrom) i.mailFrom.behaviorOnMxFailure = "USE_DEFAULT_VALUE";
    const p = planAdoption(live, "prod");
    const md = renderAdoptionMd(p);
    expect(p.finalMailFromBehavior).toBe("USE_DEFAULT_VALUE");
    expect(md).not.toMatch(/SUCCESS[^\n]*mailFromBehaviorOnMxFailure (to )?(USE_DEFAULT_VALUE|REJECT_MESSAGE)/);
    expect(afterMailFromSuccess("prod", "USE_DEFAULT_VALUE")).toMatch(/^Nothing to set back/);
  });
});

describe("adopt: partial setups", () => {
  it("an identity in one region only, without MAIL FROM: that region alone, MAIL FROM created under the default USE_DEFAULT_VALUE, no step back to REJECT_MESSAGE", () => {
    const plan = planAdoption(oneRegion(), "solo");
    expect(plan.finalMailFromBehavior).toBe("USE_DEFAULT_VALUE");
    expect(renderAdoptionMd(plan)).not.toContain("mailFromBehaviorOnMxFailure REJECT_MESSAGE");
    expect(plan.config["mail-infra:regions"]).toEqual(["us-east-1"]);
    expect(plan.config["mail-infra:mailFromSubdomain"]).toBe(`bounce.${D}`);
    expect(plan.config["mail-infra:mailFromBehaviorOnMxFailure"]).toBe("USE_DEFAULT_VALUE");
    expect(plan.notes).toContainEqual(expect.stringMatching(/No SES identity for example\.com in us-west-2/));
    expect(plan.imports.resources.some((e) => e.type === TYPES.mailFrom)).toBe(false);
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: "MAIL FROM (us-east-1)", action: "create", live: "(none: amazonses.com)", declared: `bounce.${D}` }));
  });

  it("DNS outside Route 53: dnsMode external, no record imported, and said so", () => {
    const plan = planAdoption(externalDns(), "ext");
    expect(plan.config["mail-infra:dnsMode"]).toBe("external");
    expect(plan.config["mail-infra:route53Zones"]).toBeUndefined();
    expect(plan.imports.resources.some((e) => e.type === TYPES.record || e.type === TYPES.dnsRecords)).toBe(false);
    expect(plan.notes).toContainEqual(expect.stringMatching(/DNS is not in Route 53 \(no public Route 53 hosted zone for example\.com.*dnsMode external/));
    expect(renderAdoptionMd(plan)).toMatch(/DNS: external \(not in Route 53/);
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
    expect(renderAdoptionMd(plan)).not.toContain("Wait until verify reports MAIL FROM SUCCESS");
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

/**
 * Route 53 keys a record set by name, type and set identifier; a simple set (no set identifier)
 * cannot share its name and type with routed ones (API reference, ResourceRecordSet: "You can't
 * create non-geolocation resource record sets that have the same values for the Name and Type
 * elements as geolocation resource record sets"), and an alias with simple routing is the set of
 * its name and type. The program declares simple, non-alias sets only, so each routed set or
 * alias at a name and type it declares stops the first pulumi up: adopt names them first.
 */
describe("adopt: routed record sets and aliases at the names and types the program declares", () => {
  const withRouted = (routedSets: LiveRoutedSet[], base = twoRegionShared()): LiveSetup => {
    if (base.dns.mode !== "route53") throw new Error("route53 expected");
    return { ...base, dns: { ...base.dns, routedSets } };
  };

  it("weighted MX sets at the MAIL FROM name a region moves to: the first risk names both, says the create fails and what to do; the change row says no simple set is live", () => {
    const plan = planAdoption(withRouted([
      { name: `bounce-us-west-2.${D}`, type: "MX", setIdentifier: "blue", alias: false },
      { name: `bounce-us-west-2.${D}`, type: "MX", setIdentifier: "green", alias: false },
    ]), "prod");
    expect(plan.risks[0]).toBe(
      `MX bounce-us-west-2.${D} is held in Route 53 by record sets adopt cannot adopt (set "blue", set "green"), so the first pulumi up fails creating the declared MX bounce-us-west-2.${D}. ` +
        "Route 53 keeps no simple record set beside routed ones (weighted, latency, geolocation, failover, multivalue) or an alias of the same name and type, and the program declares only simple ones. " +
        "Before pulumi import: turn them into one simple record set (no routing policy, not an alias) with the values mail needs and run adopt again (it then imports that set), " +
        "or give the MAIL FROM of us-west-2 another name (mail-infra:mailFromSubdomain or regionalMailFromSubdomains), " +
        `or keep ${D}'s DNS outside the stack (mail-infra:dnsMode external: you publish the records yourself).`,
    );
    expect(plan.risks.filter((r) => r.includes("record sets adopt cannot adopt"))).toHaveLength(1);
    expect(plan.changes).toContainEqual({ subject: `MX bounce-us-west-2.${D}`, action: "create", live: '(no simple set: set "blue", set "green")', declared: "10 feedback-smtp.us-west-2.amazonses.com" });
    expect(plan.imports.resources.some((e) => e.name.includes("bounce-us-west-2"))).toBe(false);
    // adoption.md carries it under the risks; the CLI prints each risk's first sentence.
    expect(renderAdoptionMd(plan)).toContain(`\n- MX bounce-us-west-2.${D} is held in Route 53 by record sets adopt cannot adopt (set "blue", set "green")`);
  });

  it("an alias at the apex TXT name and a routed alias at _dmarc (names compared without case or trailing dot): each named, the MAIL FROM advice left out", () => {
    const live = withRouted([
      { name: D, type: "TXT", alias: true },
      { name: `_DMARC.Example.com.`, type: "TXT", setIdentifier: "eu", alias: true },
    ]);
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    live.dns.recordSets = live.dns.recordSets.filter((r) => !(r.type === "TXT" && (r.name === D || r.name === `_dmarc.${D}`)));
    const plan = planAdoption(live, "prod");
    expect(plan.risks.slice(0, 2)).toEqual([
      expect.stringMatching(new RegExp(`^TXT ${D.replace(".", "\\.")} is held in Route 53 by record sets adopt cannot adopt \\(an alias\\), so the first pulumi up fails creating the declared TXT example\\.com\\. `)),
      expect.stringMatching(/^TXT _dmarc\.example\.com is held in Route 53 by record sets adopt cannot adopt \(alias set "eu"\), so the first pulumi up fails/),
    ]);
    expect(plan.risks.slice(0, 2).every((r) => r.endsWith("(it then imports that set), or keep example.com's DNS outside the stack (mail-infra:dnsMode external: you publish the records yourself)."))).toBe(true);
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `TXT ${D}`, action: "create", live: "(no simple set: an alias)" }));
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `TXT _dmarc.${D}`, action: "create", live: '(no simple set: alias set "eu")' }));
  });

  it("a latency-routed TXT set at a MAIL FROM name: the SPF record of that MAIL FROM is named, with the advice to rename the MAIL FROM", () => {
    const plan = planAdoption(withRouted([{ name: `bounce-us-west-2.${D}`, type: "TXT", setIdentifier: "us-west-2-latency", alias: false }]), "prod");
    expect(plan.risks[0]).toMatch(/^TXT bounce-us-west-2\.example\.com is held in Route 53 by record sets adopt cannot adopt \(set "us-west-2-latency"\), so the first pulumi up fails creating the declared TXT bounce-us-west-2\.example\.com\. /);
    expect(plan.risks[0]).toContain("(it then imports that set), or give the MAIL FROM of us-west-2 another name (mail-infra:mailFromSubdomain or regionalMailFromSubdomains), or keep example.com's DNS outside the stack");
    expect(plan.changes).toContainEqual({ subject: `TXT bounce-us-west-2.${D}`, action: "create", live: '(no simple set: set "us-west-2-latency")', declared: "v=spf1 include:amazonses.com ~all" });
  });

  it("routed sets at names or types the program does not declare are ignored, silently: the plan is the one without them", () => {
    const without = planAdoption(twoRegionShared(), "prod");
    const plan = planAdoption(withRouted([
      { name: `www.${D}`, type: "CNAME", setIdentifier: "eu-west-1", alias: false },
      { name: `www.${D}`, type: "TXT", setIdentifier: "primary", alias: false },
      // The apex's MX (inbound mail) is not the program's: only its TXT set is.
      { name: D, type: "MX", setIdentifier: "failover-primary", alias: false },
      { name: `_github-challenge-org.${D}`, type: "TXT", alias: true },
    ]), "prod");
    expect(plan.risks).toEqual(without.risks);
    expect(plan.changes).toEqual(without.changes);
    expect(plan.imports).toEqual(without.imports);
  });
});

describe("adopt: live resources with the program's names (collisions)", () => {

  it("imports the configuration set, its event destination, the SNS topic, the secret and the SMTP user that carry the program's names", () => {
    const live = withNamesakes();
    const plan = planAdoption(live, "prod");
    const r = plan.imports.resources;
    expect(r).toContainEqual({ type: TYPES.configurationSet, name: `${D}-us-east-1-configuration-set`, id: `${CS}@us-east-1`, parent: `${D}-us-east-1` });
    expect(r).toContainEqual({ type: TYPES.eventDestination, name: `${D}-us-east-1-event-destination`, id: `${CS}|sns-feedback@us-east-1`, parent: `${D}-us-east-1` });
    // ARN-identified resources: the ARN names the region, no @region suffix.
    expect(r).toContainEqual({ type: TYPES.topic, name: `${D}-us-east-1-events`, id: TOPIC, parent: `${D}-us-east-1` });
    expect(r).toContainEqual({ type: TYPES.smtpCredentials, name: SMTP_COMPONENT, component: true });
    expect(r).toContainEqual({ type: TYPES.user, name: "smtp-user", id: "mail-infra-smtp-prod", parent: SMTP_COMPONENT });
    expect(r).toContainEqual({ type: TYPES.secret, name: "smtp-secret", id: SECRET, parent: SMTP_COMPONENT });
    // us-west-2 has none of them: nothing of the kind imported there.
    expect(r.some((e) => e.name.startsWith(`${D}-us-west-2-`) && [TYPES.configurationSet, TYPES.topic, TYPES.eventDestination].includes(e.type as never))).toBe(false);
    // The program's own name is kept (imported, not renamed).
    expect(plan.config["mail-infra:smtpUserName"]).toBeUndefined();
    expect(plan.config["mail-infra:smtpSecretName"]).toBeUndefined();
  });

  it("lists the live configuration-set settings against the declared ones, and each collision as a risk with its action", () => {
    const plan = planAdoption(withNamesakes(), "prod");
    const md = renderAdoptionMd(plan);
    expect(md).toContain(`| configuration set ${CS} (us-east-1): TLS policy | update | OPTIONAL | REQUIRE |`);
    expect(md).toContain(`| configuration set ${CS} (us-east-1): reputation metrics | update | disabled | enabled |`);
    expect(md).toContain(`| configuration set ${CS} (us-east-1): suppressed reasons | update | BOUNCE | BOUNCE, COMPLAINT |`);
    expect(md).toContain(`| event destination sns-feedback of ${CS} (us-east-1): event types | update | BOUNCE, COMPLAINT | BOUNCE, COMPLAINT, DELIVERY_DELAY, REJECT, RENDERING_FAILURE |`);
    expect(md).toContain(`| event destination sns-feedback of ${CS} (us-east-1): target | update | arn:aws:sns:us-east-1:123456789012:old-topic | ${TOPIC} |`);
    expect(md).toContain(`| default configuration set of ${D} (us-east-1) | update | my-config-set | ${CS} |`);
    expect(plan.notes).toContainEqual(expect.stringMatching(/event destination to-cloudwatch \(CloudWatch\): the program does not declare it, and leaves it as it is/));
    for (const what of [`Configuration set ${CS} \\(us-east-1\\)`, `SNS topic ${TOPIC}`, "Secret mail-infra/prod/ses-smtp \\(us-east-1\\)", "IAM user mail-infra-smtp-prod"]) {
      expect(plan.risks, what).toContainEqual(expect.stringMatching(new RegExp(`^${what}.*(is imported \\(import\\.json\\)|: it is imported \\(import\\.json\\))`)));
    }
    expect(plan.risks.find((x) => x.startsWith("Secret"))).toMatch(/AWSPREVIOUS/);
  });

  it("a configuration set whose settings are the declared ones is kept as it is", () => {
    const live = withNamesakes();
    const cs = live.namesakes?.configurationSets[0];
    if (!cs) throw new Error("no set");
    Object.assign(cs, { tlsPolicy: "REQUIRE", reputationMetricsEnabled: true, suppressedReasons: ["COMPLAINT", "BOUNCE"], eventDestinations: [] });
    const plan = planAdoption(live, "prod");
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `configuration set ${CS} (us-east-1)`, action: "keep" }));
    expect(plan.changes.some((c) => c.subject.startsWith(`configuration set ${CS} (us-east-1):`))).toBe(false);
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `event destination sns-feedback of ${CS} (us-east-1)`, action: "create" }));
  });

  it("an SMTP-named user that can send, or has two keys, is not imported: the config names another user", () => {
    const plan = planAdoption(sendingNamesake(), "prod");
    expect(plan.config["mail-infra:smtpUserName"]).toBe("mail-infra-smtp-prod-3");
    expect(plan.imports.resources.some((e) => e.type === TYPES.user)).toBe(false);
    expect(plan.risks).toContainEqual(expect.stringMatching(/^IAM user mail-infra-smtp-prod \(the name the program gives the SMTP user of stack prod\) exists and can send through SES.*not imported and not changed.*mail-infra-smtp-prod-3/));

    const full = withNamesakes({ user: { userName: "mail-infra-smtp-prod", arn: "x", path: "/", accessKeyIds: ["AKIA1", "AKIA2"] } });
    const planFull = planAdoption(full, "prod");
    expect(planFull.config["mail-infra:smtpUserName"]).toBe("mail-infra-smtp-prod-2");
    expect(planFull.risks).toContainEqual(expect.stringMatching(/with 2 access keys \(IAM allows 2/));
  });

  it("a secret of the program's name scheduled for deletion: the config names another secret, and says how to restore it", () => {
    const plan = planAdoption(deletedSecret(), "prod");
    expect(plan.config["mail-infra:smtpSecretName"]).toBe("mail-infra/prod/ses-smtp-2");
    expect(plan.imports.resources.some((e) => e.type === TYPES.secret)).toBe(false);
    expect(plan.risks).toContainEqual(expect.stringMatching(/scheduled for deletion.*restore-secret --secret-id mail-infra\/prod\/ses-smtp --region us-east-1/));
  });
});

describe("adopt: live SMTP users", () => {
  it("a send user without any SMTP login is listed as probably unused, still left untouched", () => {
    const live = twoRegionShared();
    delete live.sendUsers[0].lastSesLogin;
    const plan = planAdoption(live, "prod");
    expect(plan.risks).toContainEqual(expect.stringMatching(/^IAM user ses-smtp-user\.20240101 can send through SES but no SMTP login is recorded for its keys .*left untouched/));
    expect(renderAdoptionMd(plan)).toMatch(/retire the old SMTP user by hand: ses-smtp-user\.20240101 \(no SMTP login recorded\)/);
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

describe("grantsSesSend: IAM's matching of actions (case-insensitive, * any run of characters, ? one character, the whole action)", () => {
  const allow = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*", ...statement }] });
  it("a single statement object counts as a list of one", () => {
    expect(grantsSesSend(JSON.stringify({ Statement: { Effect: "Allow", Action: "ses:SendEmail", Resource: "*" } }))).toBe(true);
  });
  it("actions match case-insensitively", () => {
    expect(grantsSesSend(allow({ Action: "SES:SENDRAWEMAIL" }))).toBe(true);
  });
  it("? stands for exactly one character, * for any run", () => {
    expect(grantsSesSend(allow({ Action: "ses:Send???Email" }))).toBe(true);
    expect(grantsSesSend(allow({ Action: "ses:Send?Email" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "ses:*Email" }))).toBe(true);
  });
  it("a pattern matches the whole action, not a part of it", () => {
    expect(grantsSesSend(allow({ Action: "ses:Send" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "SendEmail" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "ses:SendEmailX" }))).toBe(false);
  });
  it("other characters are literal (a dot is not any character)", () => {
    expect(grantsSesSend(allow({ Action: "ses:SendE.ail" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "ses:Send.Email" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "ses:Send(Raw)Email" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "ses:Sen+dEmail" }))).toBe(false);
    expect(grantsSesSend(allow({ Action: "x|ses:SendEmail" }))).toBe(false);
  });
  it("non-string entries of an Action list are ignored; an Action that is neither a string nor a list grants nothing", () => {
    expect(grantsSesSend(allow({ Action: [42, "ses:SendRawEmail"] }))).toBe(true);
    expect(grantsSesSend(allow({ Action: [42] }))).toBe(false);
    expect(grantsSesSend(allow({ Action: 42 }))).toBe(false);
  });
  it("NotAction allows sending unless it excludes both send actions", () => {
    expect(grantsSesSend(allow({ NotAction: "iam:*" }))).toBe(true);
    expect(grantsSesSend(allow({ NotAction: "ses:SendEmail" }))).toBe(true);
    expect(grantsSesSend(allow({ NotAction: ["ses:SendEmail", "ses:SendRawEmail"] }))).toBe(false);
    expect(grantsSesSend(allow({ NotAction: "ses:Send*" }))).toBe(false);
  });
  it("a statement with neither Action nor NotAction, a document without statements, or JSON that is not an object grants nothing", () => {
    expect(grantsSesSend(allow({}))).toBe(false);
    expect(grantsSesSend(JSON.stringify({ Version: "2012-10-17" }))).toBe(false);
    expect(grantsSesSend("null")).toBe(false);
    expect(grantsSesSend('"ses:SendEmail"')).toBe(false);
  });
  it("a later Allow statement counts after a Deny or an unrelated one", () => {
    expect(grantsSesSend(JSON.stringify({ Statement: [{ Effect: "Deny", Action: "ses:*" }, { Effect: "Allow", Action: "s3:*" }, { Effect: "Allow", Action: "ses:SendRawEmail" }] }))).toBe(true);
  });
});

describe("managedNames: the names adopt reads from the zone", () => {
  it("the apex, _dmarc, each DKIM CNAME name of every identity and each MAIL FROM (lowercase, no trailing dot), each once", () => {
    const names = managedNames(D, [
      { region: "us-east-1", dkimTokens: ["aaa", "bbb"], mailFrom: { domain: "Bounce.Example.com." } },
      { region: "us-west-2", dkimTokens: ["aaa", "ccc"], mailFrom: { domain: "" } },
      { region: "eu-west-1", dkimTokens: [] },
    ]);
    expect(names).toEqual([D, `_dmarc.${D}`, `aaa._domainkey.${D}`, `bbb._domainkey.${D}`, `bounce.${D}`, `ccc._domainkey.${D}`]);
  });
});

describe("previewCreates: what pulumi preview counts after the import", () => {
  it("every declared resource not imported, components included; not the stack, not providers", () => {
    const plan = { imports: { resources: [{ type: TYPES.emailIdentity, name: "a-identity", id: "x" }, { type: TYPES.mailDomain, name: "a", component: true }] } };
    const declared = [
      { type: "pulumi:pulumi:Stack", name: "mail-infra-prod", custom: false },
      { type: "pulumi:providers:aws", name: "default_7_0_0", custom: true },
      { type: TYPES.mailDomain, name: "a", custom: false },
      { type: TYPES.emailIdentity, name: "a-identity", custom: true },
      // Same name, another type: not the imported one.
      { type: TYPES.mailFrom, name: "a-identity", custom: true },
      { type: TYPES.smtpCredentials, name: "smtp", custom: false },
    ];
    expect(previewCreates(plan, declared)).toEqual([
      { type: TYPES.mailFrom, name: "a-identity", custom: true },
      { type: TYPES.smtpCredentials, name: "smtp", custom: false },
    ]);
  });
});

describe("renderStackYaml: the header says when the first up's behaviour is temporary", () => {
  const yaml = (live: LiveSetup) => renderStackYaml(planAdoption(live, "prod"), (v) => JSON.stringify(v));
  it("live REJECT_MESSAGE and a MAIL FROM that moves: the first up runs with USE_DEFAULT_VALUE, and the header says so", () => {
    const text = yaml(twoRegionShared());
    const lines = text.split("\n");
    expect(lines[0]).toBe("# Written by `npm run adopt` from the live setup of example.com. Read adoption.md before using it.");
    expect(lines[1]).toBe("# mailFromBehaviorOnMxFailure: USE_DEFAULT_VALUE for the first pulumi up only (adoption.md, step 6).");
    expect(JSON.parse(lines.slice(2).join("\n"))).toEqual({ config: planAdoption(twoRegionShared(), "prod").config });
  });
  it("no MAIL FROM moves (REJECT_MESSAGE kept), or USE_DEFAULT_VALUE live: one header line", () => {
    const kept = twoRegionShared();
    kept.identities[1].mailFrom = { domain: `mail-usw2.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE" };
    const usesDefault = twoRegionShared();
    for (const i of usesDefault.identities) if (i.mailFrom) i.mailFrom.behaviorOnMxFailure = "USE_DEFAULT_VALUE";
    for (const live of [kept, usesDefault]) {
      const lines = yaml(live).split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^# Written by `npm run adopt`/);
      expect(JSON.parse(lines[1] ?? "")).toHaveProperty("config");
    }
  });
});

describe("mergeStackFile: what is not a stack document", () => {
  it("an empty or malformed file (null, a list, config not a mapping) merges as no config: every adopted key is added", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    for (const existing of [null, [1], "text", { config: null }, { config: ["x"] }, { config: "x" }]) {
      const m = mergeStackFile(plan, existing, "Pulumi.prod.yaml", "Pulumi.prod.merged.yaml");
      expect(m.rows.every((r) => r.action === "add")).toBe(true);
      expect(m.rows.map((r) => r.key)).toEqual(Object.keys(plan.config));
      expect(m.merged).toEqual({ config: plan.config });
      expect(m.invalid).toBeUndefined();
    }
  });
  it("keeps the document's other top-level keys, and says why a merge does not validate", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    const m = mergeStackFile(plan, { encryptionsalt: "v1:abc", config: { "mail-infra:senders": ["not a sender"] } }, "Pulumi.prod.yaml", "Pulumi.prod.merged.yaml");
    expect(m.file).toBe("Pulumi.prod.yaml");
    expect(m.mergedFile).toBe("Pulumi.prod.merged.yaml");
    expect(m.merged.encryptionsalt).toBe("v1:abc");
    expect(m.rows[0]).toEqual({ key: "mail-infra:senders", existing: ["not a sender"], action: "keep" });
    expect(m.invalid).toMatch(/mail-infra:senders/);
  });
});

/** The live record sets of a setup (the fixtures' DNS is in Route 53). */
function zone(live: LiveSetup): LiveRecordSet[] {
  if (live.dns.mode !== "route53") throw new Error("route53 expected");
  return live.dns.recordSets;
}
/** A setup whose apex TXT set holds `values`. */
function withApex(values: string[]): LiveSetup {
  const live = twoRegionShared();
  const apex = zone(live).find((r) => r.name === D && r.type === "TXT");
  if (!apex) throw new Error("no apex TXT");
  apex.values = values;
  return live;
}
/** A setup whose DMARC set holds `values` (none: no record set). */
function withDmarc(values: string[]): LiveSetup {
  const live = twoRegionShared();
  if (live.dns.mode !== "route53") throw new Error("route53 expected");
  live.dns.recordSets = live.dns.recordSets.filter((r) => r.name !== `_dmarc.${D}`);
  if (values.length > 0) live.dns.recordSets.push({ name: `_dmarc.${D}`, type: "TXT", ttl: 1800, values });
  return live;
}
const spfRisk = (plan: { risks: string[] }) => plan.risks.find((r) => r.startsWith("The live apex SPF record"));
const dmarcRisk = (plan: { risks: string[] }) => plan.risks.find((r) => r.startsWith("The live DMARC record"));

describe("adopt: the live apex SPF record (RFC 7208), as far as the config can hold it", () => {
  it("-all is kept (mail-infra:spfAll); nothing dropped", () => {
    const plan = planAdoption(withApex(["v=spf1 include:_spf.google.com -all"]), "prod");
    expect(plan.config["mail-infra:spfAll"]).toBe("-all");
    expect(plan.config["mail-infra:spfMechanisms"]).toEqual(["include:_spf.google.com"]);
    expect(spfRisk(plan)).toBeUndefined();
  });
  it("~all is the default: no spfAll key, nothing dropped", () => {
    const plan = planAdoption(withApex(["v=spf1 ip4:192.0.2.0/24 ~all"]), "prod");
    expect("mail-infra:spfAll" in plan.config).toBe(false);
    expect(plan.config["mail-infra:spfMechanisms"]).toEqual(["ip4:192.0.2.0/24"]);
    expect(spfRisk(plan)).toBeUndefined();
  });
  it("+all, all and ?all cannot be declared: dropped, ~all written, and said so", () => {
    for (const all of ["+all", "all", "?all"]) {
      const plan = planAdoption(withApex([`v=spf1 ip4:192.0.2.0/24 ${all}`]), "prod");
      expect("mail-infra:spfAll" in plan.config, all).toBe(false);
      expect(plan.config["mail-infra:spfMechanisms"], all).toEqual(["ip4:192.0.2.0/24"]);
      expect(spfRisk(plan), all).toBe(`The live apex SPF record has terms the config cannot hold: ${all} (only ~all or -all are declared; ~all is written). The declared SPF record leaves them out.`);
    }
  });
  it("include:amazonses.com, with or without the + qualifier (the same term), is dropped: the MAIL FROM's own record carries it", () => {
    for (const inc of ["include:amazonses.com", "+include:amazonses.com", "INCLUDE:AmazonSES.com"]) {
      const plan = planAdoption(withApex([`v=spf1 ${inc} ip4:192.0.2.0/24 ~all`]), "prod");
      expect(plan.config["mail-infra:spfMechanisms"], inc).toEqual(["ip4:192.0.2.0/24"]);
      expect(spfRisk(plan), inc).toContain(`${inc} (SES sends with the MAIL FROM domain, whose own SPF record carries this include)`);
    }
  });
  it("another qualifier or another domain is not that include: kept as written", () => {
    const plan = planAdoption(withApex(["v=spf1 ?include:amazonses.com include:amazonses.com.example.net ~all"]), "prod");
    expect(plan.config["mail-infra:spfMechanisms"]).toEqual(["?include:amazonses.com", "include:amazonses.com.example.net"]);
    expect(spfRisk(plan)).toBeUndefined();
  });
  it("a modifier is dropped with the reason lib/spf gives", () => {
    const plan = planAdoption(withApex(["v=spf1 ip4:192.0.2.0/24 redirect=_spf.example.net all=x ~all"]), "prod");
    expect(plan.config["mail-infra:spfMechanisms"]).toEqual(["ip4:192.0.2.0/24"]);
    expect(spfRisk(plan)).toMatch(/: redirect=_spf\.example\.net \([^)]*"redirect" modifier[^;]*; all=x \([^;]*is a modifier \("all="\)/);
  });
  it("no SPF record at the apex: no mechanisms, nothing dropped; the apex TXT set gains the declared SPF (an update)", () => {
    const plan = planAdoption(withApex(["google-site-verification=abc123"]), "prod");
    expect("mail-infra:spfMechanisms" in plan.config).toBe(false);
    expect(plan.config["mail-infra:apexTxtValues"]).toEqual(["google-site-verification=abc123"]);
    expect(spfRisk(plan)).toBeUndefined();
    expect(plan.changes).toContainEqual({ subject: `TXT ${D}`, action: "update", live: "google-site-verification=abc123", declared: "v=spf1 ~all | google-site-verification=abc123" });
  });
  it("the same apex values in another order are no change (a record set is unordered)", () => {
    const plan = planAdoption(withApex(["MS=ms4711", "v=spf1 include:_spf.google.com ~all", "google-site-verification=abc123"]), "prod");
    expect(plan.changes.filter((c) => c.subject === `TXT ${D}`)).toEqual([]);
  });
});

describe("adopt: the live DMARC record (RFC 7489), as far as the config can hold it", () => {
  it("every tag the config holds is written; defaults (pct=100, adkim=r, aspf=r) are left out; fo, rf and ri are dropped and said so", () => {
    const full = planAdoption(withDmarc(["v=DMARC1; p=reject; sp=none; pct=100; rua=mailto:agg@example.com; ruf=mailto:forensic@example.com; adkim=s; aspf=s; fo=1; rf=afrf; ri=3600"]), "prod");
    // toStrictEqual: a key written with an undefined value is not the key left out.
    const dmarcKeys = (plan: { config: Record<string, unknown> }) => Object.fromEntries(Object.entries(plan.config).filter(([k]) => k.startsWith("mail-infra:dmarc")));
    expect(dmarcKeys(full)).toStrictEqual({
      "mail-infra:dmarcPolicy": "reject",
      "mail-infra:dmarcSubdomainPolicy": "none",
      "mail-infra:dmarcRua": ["mailto:agg@example.com"],
      "mail-infra:dmarcRuf": ["mailto:forensic@example.com"],
      "mail-infra:dmarcAdkim": "s",
      "mail-infra:dmarcAspf": "s",
    });
    expect(dmarcRisk(full)).toBe("The live DMARC record has tags the config cannot hold: fo=1, rf=afrf, ri=3600. The declared record leaves them out (receivers then use the defaults).");
    const minimal = planAdoption(withDmarc(["v=DMARC1; p=none; adkim=r; aspf=r"]), "prod");
    expect(dmarcKeys(minimal)).toStrictEqual({ "mail-infra:dmarcPolicy": "none" });
    expect(dmarcRisk(minimal)).toBeUndefined();
  });
  it("no DMARC record: no DMARC key, nothing dropped, and a note on the declared p=none record's reports", () => {
    const plan = planAdoption(withDmarc([]), "prod");
    expect(Object.keys(plan.config).filter((k) => k.startsWith("mail-infra:dmarc"))).toEqual([]);
    expect(dmarcRisk(plan)).toBeUndefined();
    expect(plan.notes).toContainEqual(expect.stringMatching(/^No DMARC record is live: the declared one is p=none with reports to mailto:/));
  });
});

describe("adopt: live record sets are matched by name (any case, a trailing dot) and type", () => {
  it("names in capitals with a trailing dot: found, imported under the lowercase name, no change", () => {
    const live = twoRegionShared();
    for (const r of zone(live)) if (r.name === `bounce.${D}`) r.name = "Bounce.Example.COM.";
    const plan = planAdoption(live, "prod");
    expect(plan.imports.resources).toContainEqual({ type: TYPES.record, name: `${D}-dns-mail-from-mx-bounce.${D}`, id: `${ZONE}_bounce.${D}_MX`, parent: `${D}-dns` });
    expect(plan.changes.filter((c) => c.subject.includes(`bounce.${D}`) && c.action !== "keep")).toEqual([]);
  });
  it("CNAME and MX values compare without case or a trailing dot (RFC 4343); TXT values as written", () => {
    const live = twoRegionShared();
    for (const r of zone(live)) {
      if (r.type === "CNAME" && r.name.includes("._domainkey.")) r.values = r.values.map((v) => `${v.toUpperCase()}.`);
      if (r.type === "MX") r.values = ["10 FEEDBACK-SMTP.US-EAST-1.AMAZONSES.COM."];
      if (r.name === `bounce.${D}` && r.type === "TXT") r.values = ["v=spf1 include:AmazonSES.com ~all"];
    }
    const plan = planAdoption(live, "prod");
    expect(plan.changes.filter((c) => c.action === "update" && (c.subject.startsWith("CNAME ") || c.subject.startsWith("MX ")))).toEqual([]);
    expect(plan.changes).toContainEqual({ subject: `TXT bounce.${D}`, action: "update", live: "v=spf1 include:AmazonSES.com ~all", declared: "v=spf1 include:amazonses.com ~all" });
  });
  it("another type at the same name is not the MX: the MX that names us-west-2 still decides the owner", () => {
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    const mx = zone(live).find((r) => r.type === "MX");
    if (!mx) throw new Error("no MX");
    mx.values = ["10 feedback-smtp.us-west-2.amazonses.com"];
    // The TXT set of the MAIL FROM name listed before its MX.
    live.dns.recordSets = [...zone(live).filter((r) => r.type !== "MX"), mx];
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:regionalMailFromSubdomains"]).toEqual([`us-west-2=bounce.${D}`]);
  });
  it("a live record set without values (a Route 53 alias) shows as (none)", () => {
    const live = twoRegionShared();
    const t = [...tokens("us-east-1")].sort()[0];
    const set = zone(live).find((r) => r.name === `${t}._domainkey.${D}`);
    if (!set) throw new Error("no DKIM set");
    set.values = [];
    const plan = planAdoption(live, "prod");
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `CNAME ${t}._domainkey.${D}`, action: "update", live: "(none)", declared: `${t}.dkim.amazonses.com` }));
  });
  it("DNS outside Route 53 with a live MAIL FROM: kept (no MX to read), nothing read from a zone", () => {
    const live: LiveSetup = { ...twoRegionShared(), dns: { mode: "external", why: "no zone" } };
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:mailFromSubdomain"]).toBe(`bounce.${D}`);
    expect(plan.config["mail-infra:dnsMode"]).toBe("external");
  });
});

describe("adopt: MAIL FROM and key length when the primary has none live", () => {
  it("bounce.<domain> owned by the second region: the primary gets bounce-<region>.<domain>", () => {
    const live = twoRegionShared();
    live.identities[0].mailFrom = undefined;
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:mailFromSubdomain"]).toBe(`bounce-us-east-1.${D}`);
    expect(plan.config["mail-infra:regionalMailFromSubdomains"]).toEqual([`us-west-2=bounce.${D}`]);
  });
  it("no region reports a next signing key length: RSA_2048_BIT", () => {
    const live = twoRegionShared();
    for (const i of live.identities) i.nextSigningKeyLength = undefined;
    expect(planAdoption(live, "prod").config["mail-infra:dkimSigningKeyLength"]).toBe("RSA_2048_BIT");
  });
});

describe("adopt: email-address identities under the domain (SES authorises a send from one against its own identity)", () => {
  it("each address verified in an adopted region is listed once (lowercase) in smtpAddressIdentities, with a risk naming where it is verified", () => {
    const live = twoRegionShared();
    live.addressIdentities = [
      { region: "us-east-1", address: "Admin@example.com" },
      { region: "us-west-2", address: "admin@example.com" },
      // Only in a region not adopted: not listed.
      { region: "eu-west-1", address: "other@example.com" },
    ];
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:smtpAddressIdentities"]).toEqual(["admin@example.com"]);
    const risks = plan.risks.filter((r) => r.includes("email-address identity of its own"));
    expect(risks).toHaveLength(1);
    expect(risks[0]).toMatch(/^admin@example\.com is verified as an email-address identity of its own \(us-east-1, us-west-2\): .*not against example\.com's.*identity\/admin@example\.com\).*--email-identity admin@example\.com /);
  });
  it("none: no key, no such risk", () => {
    for (const addressIdentities of [undefined, [{ region: "eu-west-1", address: "other@example.com" }]]) {
      const plan = planAdoption({ ...twoRegionShared(), addressIdentities }, "prod");
      expect("mail-infra:smtpAddressIdentities" in plan.config).toBe(false);
      expect(plan.risks.some((r) => r.includes("email-address identity"))).toBe(false);
    }
  });
});

describe("adopt: the new SMTP user and secret", () => {
  it("without namesakes: the stack's own names, credentials for any address (said as a risk), a user and a secret created", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    expect(plan.config["mail-infra:smtpCredentials"]).toBe("any-address");
    expect("mail-infra:smtpUserName" in plan.config).toBe(false);
    expect("mail-infra:smtpSecretName" in plan.config).toBe(false);
    expect(plan.risks).toContainEqual(expect.stringMatching(/^The written config sets mail-infra:smtpCredentials to any-address: .*mail-infra:senders/));
    expect(plan.changes).toContainEqual({ subject: "SMTP user mail-infra-smtp-prod, its send-only policy and access key", action: "create", live: "(none)", declared: "new credentials (relay-fix moves the relay to them)" });
    expect(plan.changes).toContainEqual({ subject: "secret mail-infra/prod/ses-smtp (us-east-1)", action: "create", live: "(none)", declared: "the SMTP username and per-region passwords" });
    expect(plan.imports.resources.some((e) => e.type === TYPES.smtpCredentials || e.type === TYPES.user || e.type === TYPES.secret)).toBe(false);
  });
  it("a user of the stack's SMTP name with one key (room for the program's) is imported; its key is named as not managed", () => {
    const live = withNamesakes({ user: { userName: "mail-infra-smtp-prod", arn: "x", path: "/old/", accessKeyIds: ["AKIAONEKEY0000000001"] } });
    const plan = planAdoption(live, "prod");
    expect(plan.imports.resources).toContainEqual({ type: TYPES.user, name: "smtp-user", id: "mail-infra-smtp-prod", parent: SMTP_COMPONENT });
    expect(plan.changes).toContainEqual({ subject: "SMTP user mail-infra-smtp-prod", action: "update", live: "exists: path /old/, access keys AKIAONEKEY0000000001", declared: "path /mail/, the stack's tags; its send-only policy and a new access key are added" });
    expect(plan.risks).toContainEqual(expect.stringMatching(/^IAM user mail-infra-smtp-prod already exists .*its live key AKIAONEKEY0000000001 is not managed: delete it by hand/));
    const none = planAdoption(withNamesakes(), "prod");
    expect(none.changes).toContainEqual(expect.objectContaining({ subject: "SMTP user mail-infra-smtp-prod", live: "exists: path /mail/, access keys none" }));
    expect(none.risks.find((r) => r.startsWith("IAM user mail-infra-smtp-prod already exists"))).not.toMatch(/its live key/);
  });
  it("a taken name that could not be read as a user, or a user of another name: no import; the next free name", () => {
    const listed = twoRegionShared();
    listed.namesakes = { configurationSets: [], topics: [], secrets: [], userNames: ["mail-infra-smtp-prod"] };
    const plan = planAdoption(listed, "prod");
    expect(plan.config["mail-infra:smtpUserName"]).toBe("mail-infra-smtp-prod-2");
    expect(plan.imports.resources.some((e) => e.type === TYPES.user)).toBe(false);
    expect(plan.risks.some((r) => r.startsWith("IAM user mail-infra-smtp-prod "))).toBe(false);
    const other = withNamesakes({ user: { userName: "someone-else", arn: "x", path: "/", accessKeyIds: [] }, userNames: ["someone-else"] });
    const planOther = planAdoption(other, "prod");
    expect("mail-infra:smtpUserName" in planOther.config).toBe(false);
    expect(planOther.imports.resources.some((e) => e.type === TYPES.user)).toBe(false);
  });
  it("a secret of the stack's name in another region, or of another name, is not the program's: a secret is created", () => {
    for (const secrets of [[{ region: "us-west-2", name: "mail-infra/prod/ses-smtp", arn: SECRET }], [{ region: "us-east-1", name: "mail-infra/other/ses-smtp", arn: SECRET }]]) {
      const plan = planAdoption(withNamesakes({ secrets }), "prod");
      expect(plan.imports.resources.some((e) => e.type === TYPES.secret)).toBe(false);
      expect(plan.changes).toContainEqual(expect.objectContaining({ subject: "secret mail-infra/prod/ses-smtp (us-east-1)", action: "create" }));
    }
    const imported = planAdoption(withNamesakes(), "prod");
    expect(imported.changes).toContainEqual({ subject: "secret mail-infra/prod/ses-smtp (us-east-1)", action: "update", live: "exists (its value is not read)", declared: "description and tags; a new version holding the new credentials" });
  });
});

describe("adopt: live send users to retire", () => {
  it("a login without date or region, and a user without access keys, are said as they are", () => {
    const live = twoRegionShared();
    live.sendUsers = [
      { userName: "relay-a", arn: "a", accessKeyIds: ["AKIARELAYA0000000001"], grantedBy: ["inline Send"], lastSesLogin: { accessKeyId: "AKIARELAYA0000000001" } },
      { userName: "relay-b", arn: "b", accessKeyIds: [], grantedBy: ["attached arn:aws:iam::aws:policy/AmazonSESFullAccess", "inline Other"] },
    ];
    const plan = planAdoption(live, "prod");
    expect(plan.risks).toContainEqual(expect.stringMatching(/^IAM user relay-a is an existing SMTP user .*SES saw an SMTP login with its key AKIARELAYA0000000001 \(inline Send; access keys AKIARELAYA0000000001\)\. Retire it after relay-fix: /));
    expect(plan.risks).toContainEqual("IAM user relay-b can send through SES but no SMTP login is recorded for its keys (attached arn:aws:iam::aws:policy/AmazonSESFullAccess, inline Other; access keys none), left untouched (not imported, not changed). No relay seems to use it: retire it by hand once you are sure nothing sends with it.");
    expect(plan.retire.map((u) => u.userName)).toEqual(["relay-a", "relay-b"]);
    const md = renderAdoptionMd(plan);
    expect(md).toContain("retire the old SMTP users by hand: relay-a (SMTP login: the relay still uses it), relay-b (no SMTP login recorded).");
  });
});

describe("adopt: the program's configuration set, event destination and topic, live or not", () => {
  const liveSet = (over: Partial<LiveConfigurationSet>): LiveSetup => {
    const live = withNamesakes();
    const cs = live.namesakes?.configurationSets[0];
    if (!cs) throw new Error("no set");
    Object.assign(cs, over);
    return live;
  };
  const changesOf = (live: LiveSetup, prefix: string) => planAdoption(live, "prod").changes.filter((c) => c.subject.startsWith(prefix));
  it("settings not set live are shown as such: TLS OPTIONAL (SES's default), reputation metrics not set, no suppressed reason", () => {
    const live = liveSet({ tlsPolicy: undefined, reputationMetricsEnabled: undefined, suppressedReasons: undefined, sendingEnabled: undefined });
    expect(changesOf(live, `configuration set ${CS} (us-east-1)`)).toEqual([
      { subject: `configuration set ${CS} (us-east-1): TLS policy`, action: "update", live: "OPTIONAL (default)", declared: "REQUIRE" },
      { subject: `configuration set ${CS} (us-east-1): reputation metrics`, action: "update", live: "(not set)", declared: "enabled" },
      { subject: `configuration set ${CS} (us-east-1): suppressed reasons`, action: "update", live: "(none)", declared: "BOUNCE, COMPLAINT" },
    ]);
  });
  it("sending paused live: resumed by the first up, said as a risk of that change", () => {
    const live = liveSet({ tlsPolicy: "REQUIRE", reputationMetricsEnabled: true, suppressedReasons: ["BOUNCE", "COMPLAINT"], sendingEnabled: false });
    expect(changesOf(live, `configuration set ${CS} (us-east-1)`)).toEqual([
      { subject: `configuration set ${CS} (us-east-1): sending`, action: "update", live: "disabled", declared: "enabled", risk: "Sending through this configuration set is paused live: the first up resumes it." },
    ]);
  });
  it("all as declared: one keep line that says what is kept", () => {
    const live = liveSet({ tlsPolicy: "REQUIRE", reputationMetricsEnabled: true, suppressedReasons: ["COMPLAINT", "BOUNCE"] });
    expect(changesOf(live, `configuration set ${CS} (us-east-1)`)).toEqual([
      { subject: `configuration set ${CS} (us-east-1)`, action: "keep", live: "TLS REQUIRE, sending enabled, reputation metrics enabled, BOUNCE and COMPLAINT suppressed", declared: "the same (tags added)" },
    ]);
  });
  it("the event destination: disabled, with no event type and no target, against the new topic when none is live", () => {
    const live = liveSet({ eventDestinations: [{ name: "sns-feedback", enabled: false, matchingEventTypes: [] }] });
    if (live.namesakes) live.namesakes.topics = [];
    expect(changesOf(live, `event destination sns-feedback of ${CS} (us-east-1)`)).toEqual([
      { subject: `event destination sns-feedback of ${CS} (us-east-1): enabled`, action: "update", live: "disabled", declared: "enabled" },
      { subject: `event destination sns-feedback of ${CS} (us-east-1): event types`, action: "update", live: "(none)", declared: "BOUNCE, COMPLAINT, DELIVERY_DELAY, REJECT, RENDERING_FAILURE" },
      { subject: `event destination sns-feedback of ${CS} (us-east-1): target`, action: "update", live: "(none)", declared: "the new SNS topic mail-infra-example-com-ses-events" },
    ]);
  });
  it("the event destination as declared (types in any order, the live topic as target): kept", () => {
    const live = liveSet({ eventDestinations: [{ name: "sns-feedback", enabled: true, matchingEventTypes: ["RENDERING_FAILURE", "REJECT", "DELIVERY_DELAY", "COMPLAINT", "BOUNCE"], target: TOPIC }] });
    expect(changesOf(live, `event destination sns-feedback of ${CS} (us-east-1)`)).toEqual([
      { subject: `event destination sns-feedback of ${CS} (us-east-1)`, action: "keep", live: `enabled, BOUNCE, COMPLAINT, DELIVERY_DELAY, REJECT, RENDERING_FAILURE -> ${TOPIC}`, declared: "the same" },
    ]);
  });
  it("no live set: the set, its destination and the topic are created; the identity's own set is left as it is", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    expect(plan.changes).toContainEqual({ subject: `default configuration set of ${D} (us-west-2)`, action: "create", live: "my-config-set", declared: CS, risk: `my-config-set is left as it is (not imported, not deleted); mail sent through the identity uses ${CS} from then on.` });
    expect(plan.changes).toContainEqual({ subject: `event destination sns-feedback of ${CS} (us-west-2)`, action: "create", live: "(none)", declared: "enabled, BOUNCE, COMPLAINT, REJECT, DELIVERY_DELAY, RENDERING_FAILURE -> SNS topic mail-infra-example-com-ses-events" });
    expect(plan.changes).toContainEqual({ subject: "SNS topic mail-infra-example-com-ses-events and its access policy (us-west-2)", action: "create", live: "(none)", declared: "bounces and complaints published to SNS" });
    expect(plan.changes).toContainEqual({ subject: `identity ${D} (us-west-2)`, action: "update", live: "(tags as they are)", declared: "the stack's tags added; nothing else changes" });
    const bare = twoRegionShared();
    for (const i of bare.identities) i.configurationSetName = undefined;
    expect(planAdoption(bare, "prod").changes).toContainEqual({ subject: `default configuration set of ${D} (us-east-1)`, action: "create", live: "(none)", declared: CS });
  });
  it("a live set the identity already uses: no default-set change; the topic imported is listed as an update", () => {
    const live = withNamesakes();
    live.identities[0].configurationSetName = CS;
    const plan = planAdoption(live, "prod");
    expect(plan.changes.some((c) => c.subject === `default configuration set of ${D} (us-east-1)`)).toBe(false);
    expect(plan.changes).toContainEqual({ subject: "SNS topic mail-infra-example-com-ses-events (us-east-1)", action: "update", live: "exists (subscriptions kept)", declared: "the stack's tags; its access policy becomes the program's (SES of this account may publish)" });
  });
  it("a set or topic of the program's name in another region, or of another name, is not imported", () => {
    const live = withNamesakes();
    if (!live.namesakes) throw new Error("no namesakes");
    live.namesakes.configurationSets = [
      { ...live.namesakes.configurationSets[0], region: "eu-west-1" },
      { ...live.namesakes.configurationSets[0], name: "mail-infra-example-org" },
    ];
    live.namesakes.topics = [{ region: "eu-west-1", arn: TOPIC }, { region: "us-east-1", arn: "arn:aws:sns:us-east-1:123456789012:mail-infra-example-com-ses-events-old" }];
    const plan = planAdoption(live, "prod");
    expect(plan.imports.resources.some((e) => e.type === TYPES.configurationSet || e.type === TYPES.topic || e.type === TYPES.eventDestination)).toBe(false);
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `default configuration set of ${D} (us-east-1)`, action: "create" }));
  });
  it("a live set without the program's destination: the destination is created, the set imported, another destination noted with its target", () => {
    const live = liveSet({ eventDestinations: [{ name: "other", enabled: true, matchingEventTypes: ["SEND"] }] });
    const plan = planAdoption(live, "prod");
    expect(plan.imports.resources.some((e) => e.type === TYPES.eventDestination)).toBe(false);
    expect(plan.imports.resources).toContainEqual(expect.objectContaining({ type: TYPES.configurationSet, id: `${CS}@us-east-1` }));
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `event destination sns-feedback of ${CS} (us-east-1)`, action: "create" }));
    expect(plan.notes).toContain(`Configuration set ${CS} (us-east-1) has event destination other (?): the program does not declare it, and leaves it as it is.`);
  });
});

describe("adopt: per-identity settings", () => {
  it("a MAIL FROM kept in both regions under different behaviours: REJECT_MESSAGE kept, the other region's behaviour an update", () => {
    const live = twoRegionShared();
    live.identities[0].mailFrom = { domain: `bounce.${D}`, behaviorOnMxFailure: "USE_DEFAULT_VALUE" };
    live.identities[1].mailFrom = { domain: `mail-usw2.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE" };
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:mailFromBehaviorOnMxFailure"]).toBe("REJECT_MESSAGE");
    expect(plan.changes).toContainEqual({ subject: "MAIL FROM behaviour on MX failure (us-east-1)", action: "update", live: "USE_DEFAULT_VALUE", declared: "REJECT_MESSAGE" });
    expect(plan.changes.some((c) => c.subject === "MAIL FROM behaviour on MX failure (us-west-2)")).toBe(false);
    expect(plan.changes.some((c) => c.subject.startsWith("MAIL FROM ("))).toBe(false);
  });
  it("the key length change in a second region is an update with its once-a-day risk", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    expect(plan.changes).toContainEqual({ subject: "DKIM next signing key length (us-west-2)", action: "update", live: "RSA_1024_BIT", declared: "RSA_2048_BIT", risk: "SES allows one key-length change per identity a day: keep this the only one today." });
    expect(plan.changes.some((c) => c.subject === "DKIM next signing key length (us-east-1)")).toBe(false);
  });
  it("a MAIL FROM that moves is an update (a create when there was none), with the window it opens", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    expect(plan.changes).toContainEqual({
      subject: "MAIL FROM (us-west-2)",
      action: "update",
      live: `bounce.${D}`,
      declared: `bounce-us-west-2.${D}`,
      risk: "Until SES sees the new MX (up to 72 h) it sends unaligned (USE_DEFAULT_VALUE, the first up's behaviour); under REJECT_MESSAGE it would reject this region's mail.",
    });
  });
  it("a move under USE_DEFAULT_VALUE says that verify fails until SES reports SUCCESS; a new MAIL FROM says none was set", () => {
    const live = twoRegionShared();
    live.identities[0].mailFrom = undefined;
    live.identities[1].mailFrom = undefined;
    const plan = planAdoption(live, "prod");
    expect(plan.risks.find((r) => r.startsWith("MAIL FROM in us-east-1"))).toBe(
      `MAIL FROM in us-east-1: none -> bounce.${D}. The first pulumi up publishes the MX and SPF before it switches MAIL FROM; until SES sees the new MX (up to 72 h) it sends with its own MAIL FROM under USE_DEFAULT_VALUE (unaligned SPF; DKIM keeps DMARC passing), and verify fails ses.identity.mail-from until the status is SUCCESS.`,
    );
  });
  it("DKIM not verified yet in a region: a note; verified or unknown: none", () => {
    const live = twoRegionShared();
    live.identities[0].dkimStatus = "PENDING";
    live.identities[1].dkimStatus = undefined;
    const notes = planAdoption(live, "prod").notes.filter((n) => n.startsWith("DKIM"));
    expect(notes).toEqual([`DKIM of ${D} in us-east-1 is PENDING: the declared CNAMEs below are what SES expects.`]);
  });
  it("an identity without Easy DKIM tokens cannot be adopted: an error naming the region and the count", () => {
    const live = twoRegionShared();
    live.identities[1].dkimTokens = ["only1"];
    expect(() => planAdoption(live, "prod")).toThrow(
      new AdoptionError(
        `the SES identity of ${D} in us-west-2 has no Easy DKIM tokens (1 found, 3 expected): adopt handles Easy DKIM identities only. Enable Easy DKIM on it (aws sesv2 put-email-identity-dkim-signing-attributes --signing-attributes-origin AWS_SES) and run adopt again.`,
      ),
    );
  });
});

describe("adopt: the record sets the program declares, against the live zone", () => {
  it("the stack TTL is the most common live TTL between 60 s and a day (the first seen on a tie); 600 s when none is", () => {
    const ttlOf = (ttls: (number | undefined)[]) => {
      const live = twoRegionShared();
      zone(live).forEach((r, i) => (r.ttl = ttls[i % ttls.length]));
      return planAdoption(live, "prod").config["mail-infra:dnsTtl"];
    };
    expect(ttlOf([300])).toBe(300);
    expect(ttlOf([300, 3600, 3600])).toBe(3600);
    expect(ttlOf([3600, 300])).toBe(3600);
    expect(ttlOf([300, 3600])).toBe(300);
    expect(ttlOf([59, 86401, 30, 120])).toBe(120);
    expect(ttlOf([60])).toBe(60);
    expect(ttlOf([86400])).toBe(86400);
    // 600 is the program's default: no key.
    expect(ttlOf([600])).toBeUndefined();
    expect(ttlOf([undefined])).toBeUndefined();
    expect(ttlOf([59, 86401])).toBeUndefined();
  });
  it("a tie between two TTLs goes to the one seen first", () => {
    for (const [first, second] of [[3600, 300], [300, 3600]]) {
      const live = twoRegionShared();
      zone(live).forEach((r, i) => (r.ttl = i === 0 ? first : i === 1 ? second : undefined));
      expect(planAdoption(live, "prod").config["mail-infra:dnsTtl"]).toBe(first);
    }
  });
  it("a live TTL other than the stack's is its own update; a set without TTL (an alias) none", () => {
    const live = twoRegionShared();
    const mx = zone(live).find((r) => r.type === "MX");
    const txt = zone(live).find((r) => r.type === "TXT" && r.name === `bounce.${D}`);
    if (!mx || !txt) throw new Error("fixture");
    mx.ttl = 60;
    txt.ttl = undefined;
    const plan = planAdoption(live, "prod");
    expect(plan.changes).toContainEqual({ subject: `MX bounce.${D}: TTL`, action: "update", live: "TTL 60", declared: "TTL 1800" });
    expect(plan.changes.some((c) => c.subject === `TXT bounce.${D}: TTL`)).toBe(false);
    expect(plan.changes.some((c) => c.subject.endsWith(": TTL") && c.subject !== `MX bounce.${D}: TTL`)).toBe(false);
  });
  it("a declared set that is not live is a create with its values; an MX that names another host is an update with a risk", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    expect(plan.changes).toContainEqual({ subject: `MX bounce-us-west-2.${D}`, action: "create", live: "(none)", declared: "10 feedback-smtp.us-west-2.amazonses.com" });
    const live = twoRegionShared();
    const mx = zone(live).find((r) => r.type === "MX");
    if (!mx) throw new Error("fixture");
    mx.values = ["10 feedback-smtp.us-east-1.amazonses.com", "20 backup.example.net"];
    const p = planAdoption(live, "prod");
    expect(p.changes).toContainEqual({
      subject: `MX bounce.${D}`,
      action: "update",
      live: "10 feedback-smtp.us-east-1.amazonses.com | 20 backup.example.net",
      declared: "10 feedback-smtp.us-east-1.amazonses.com",
      risk: "The live record differs from what SES expects (the us-east-1 feedback host): pulumi up corrects it.",
    });
    expect(p.risks).toContainEqual(`MX bounce.${D} differs from what SES expects: live 10 feedback-smtp.us-east-1.amazonses.com | 20 backup.example.net, expected 10 feedback-smtp.us-east-1.amazonses.com. Mail from us-east-1 fails the MAIL FROM check until pulumi up corrects it (an update in place).`);
  });
  it("a record that is neither DKIM nor the MAIL FROM MX (the apex TXT) differs without a risk of its own", () => {
    const plan = planAdoption(withApex(["v=spf1 ip4:192.0.2.1 include:amazonses.com ~all", "other"]), "prod");
    const apex = plan.changes.find((c) => c.subject === `TXT ${D}`);
    expect(apex).toEqual({ subject: `TXT ${D}`, action: "update", live: "v=spf1 ip4:192.0.2.1 include:amazonses.com ~all | other", declared: "v=spf1 ip4:192.0.2.1 ~all | other" });
    expect(plan.risks.some((r) => r.startsWith(`TXT ${D} differs`))).toBe(false);
  });
  it("two SPF records at the apex: a risk (a permerror at every receiver); the declared one is built from the first", () => {
    const plan = planAdoption(withApex(["v=spf1 ip4:192.0.2.1 ~all", "v=spf1 ip4:198.51.100.1 -all"]), "prod");
    expect(plan.config["mail-infra:spfMechanisms"]).toEqual(["ip4:192.0.2.1"]);
    expect(plan.risks).toContain("The apex publishes 2 SPF records (a permerror at every receiver): the declared set has one, built from the first.");
    expect(planAdoption(withApex(["v=spf1 ip4:192.0.2.1 ~all"]), "prod").risks.some((r) => r.startsWith("The apex publishes"))).toBe(false);
  });
  it("DNS outside Route 53: each declared record is a keep row to publish by hand, and the note says why", () => {
    const plan = planAdoption(externalDns(), "ext");
    const t = [...tokens("us-east-1")].sort()[0];
    expect(plan.changes).toContainEqual({ subject: `CNAME ${t}._domainkey.${D}`, action: "keep", live: "(at your DNS host)", declared: `${t}.dkim.amazonses.com (publish by hand)` });
    expect(plan.notes).toContain(
      `DNS is not in Route 53 (no public Route 53 hosted zone for ${D} or a parent of it): the config says mail-infra:dnsMode external. The program creates no record; publish the records of \`pulumi stack output zoneFile\` at your DNS host and keep every other apex TXT value there.`,
    );
    expect(plan.notes.some((n) => n.startsWith("No DMARC record is live"))).toBe(false);
  });
  it("a zone id of Route 53's form is written as the zone; another (a test double) by the zone's name", () => {
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    expect(planAdoption(live, "prod").config["mail-infra:route53Zones"]).toEqual([`${D}=${ZONE}`]);
    for (const zoneId of ["local-zone-1", "Z12345", `x${ZONE}`, `${ZONE}-x`, ZONE.toLowerCase()]) {
      live.dns.zoneId = zoneId;
      expect(planAdoption(live, "prod").config["mail-infra:route53Zones"], zoneId).toEqual([`${D}=${D}`]);
    }
    live.dns.zoneId = "Z123456";
    expect(planAdoption(live, "prod").config["mail-infra:route53Zones"]).toEqual([`${D}=Z123456`]);
  });
});

describe("renderAdoptionMd: adoption.md, section by section", () => {
  /** The lines of a section: from its heading to the next heading. */
  const section = (md: string, heading: string): string[] => {
    const lines = md.split("\n");
    const start = lines.indexOf(heading);
    if (start < 0) throw new Error(`no ${heading}`);
    const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
    return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== "");
  };
  const quiet = () => ({ ...planAdoption(withNamesakes(), "prod"), risks: [], notes: [], retire: [], keptApexTxt: [] });

  it("the title, the regions with the primary marked, and the DNS: its Route 53 zone, or external", () => {
    const md = renderAdoptionMd(planAdoption(twoRegionShared(), "prod")).split("\n");
    expect(md.slice(0, 4)).toEqual([
      "<!-- Written by `npm run adopt`: re-running adopt rewrites this file. -->",
      `# Adopting ${D} into stack prod`,
      "",
      `Regions: us-east-1 (primary), us-west-2. DNS: Route 53 (${D}=${ZONE}).`,
    ]);
    expect(renderAdoptionMd(planAdoption(externalDns(), "ext")).split("\n")[3]).toBe("Regions: us-east-1 (primary). DNS: external (not in Route 53: you publish the records).");
  });
  it("what is imported: the count of resources and of component parents, a row per resource (the type's last part), cells escaped", () => {
    const plan = quiet();
    const parents = plan.imports.resources.filter((r) => r.component).length;
    const resources = plan.imports.resources.length - parents;
    const lines = section(renderAdoptionMd(plan), "## What is imported");
    expect(lines[0]).toBe(`\`pulumi import --file import.json\` adopts ${resources} existing resources (and creates their ${parents} component parents):`);
    expect(lines.slice(1, 3)).toEqual(["| type | name | id |", "|---|---|---|"]);
    expect(lines).toContain(`| ConfigurationSetEventDestination | ${D}-us-east-1-event-destination | ${CS}\\|sns-feedback@us-east-1 |`);
    expect(lines).toContain(`| Topic | ${D}-us-east-1-events | ${TOPIC} |`);
    expect(lines).toHaveLength(3 + resources);
  });
  it("what the first up changes: a row per change, cells escaped (a | or a line break cannot break the table)", () => {
    const plan = { ...quiet(), changes: [{ subject: "a|b", action: "update" as const, live: "line one\nline two", declared: "x | y" }] };
    expect(section(renderAdoptionMd(plan), "## What the first `pulumi up` changes")).toEqual([
      "| what | action | live | declared |",
      "|---|---|---|---|",
      "| a\\|b | update | line one line two | x \\| y |",
      "Nothing live is deleted: every existing record set the program declares is imported and keeps its other values; record sets it does not declare are not touched.",
    ]);
  });
  it("what pulumi preview will create, by type, with the component count (one, or several)", () => {
    const creates = [
      { type: TYPES.record, name: "r1", custom: true },
      { type: TYPES.smtpCredentials, name: "smtp", custom: false },
      { type: TYPES.record, name: "r|2", custom: true },
    ];
    const lines = section(renderAdoptionMd({ ...quiet(), creates }), "## What the first `pulumi up` changes");
    const at = lines.findIndex((l) => l.startsWith("`pulumi preview`"));
    expect(lines.slice(at)).toEqual([
      "`pulumi preview` after the import counts **3 to create**: every resource the program declares that import.json does not adopt, the 1 component resource among them (the engine counts components too):",
      "| type | count | names |",
      "|---|---|---|",
      "| Record | 2 | r1, r\\|2 |",
      "| SmtpCredentials | 1 | smtp |",
    ]);
    const two = renderAdoptionMd({ ...quiet(), creates: [...creates, { type: TYPES.mailDomain, name: D, custom: false }] });
    expect(two).toContain("**4 to create**: every resource the program declares that import.json does not adopt, the 2 component resources among them");
    expect(renderAdoptionMd(quiet())).not.toContain("to create**");
  });
  it("the kept apex TXT values, each as code; none kept: no such paragraph", () => {
    const md = renderAdoptionMd({ ...quiet(), keptApexTxt: ["google-site-verification=abc123", "MS=ms4711"] });
    expect(md).toContain(
      `\n\nThe program owns the whole apex TXT record set of ${D}. These live values are kept, verbatim, through \`mail-infra:apexTxtValues\` (without them \`pulumi up\` would delete them):\n\n- \`google-site-verification=abc123\`\n- \`MS=ms4711\`\n`,
    );
    expect(renderAdoptionMd(quiet())).not.toContain("apexTxtValues");
  });
  it("risks and notes as lists; without risks one line says so, without notes no section", () => {
    expect(section(renderAdoptionMd(quiet()), "## Risks, and how they are sequenced")).toEqual(["- None found: the live setup is reproduced as it is."]);
    expect(renderAdoptionMd(quiet())).not.toContain("## Notes");
    const md = renderAdoptionMd({ ...quiet(), risks: ["first risk", "second risk"], notes: ["a note"] });
    expect(section(md, "## Risks, and how they are sequenced")).toEqual(["- first risk", "- second risk"]);
    expect(section(md, "## Notes")).toEqual(["- a note"]);
  });
  it("the steps without an existing file, without creates, without a MAIL FROM move and without users to retire", () => {
    expect(section(renderAdoptionMd(quiet(), "out"), "## Steps, in order")).toEqual([
      "1. From the project root: `cp -n out/Pulumi.prod.yaml .` (-n: never over an existing file; if one appeared since, run adopt again, it then writes a merge), then `pulumi stack init prod` (or `pulumi stack select prod`).",
      "2. `npm run plan -- --stack prod` (the config validates; every resource the program declares) and `npm run policy -- --stack prod` (the policy pack, offline).",
      "3. `pulumi import --stack prod --file out/import.json --generate-code=false --yes`: adopts what exists (nothing in AWS changes; the component parents are created in the stack).",
      "4. `pulumi preview --stack prod --diff`: expect creates only for what the table above creates, updates only as listed, no delete and no replace. Stop if it shows anything else.",
      "5. `pulumi up --stack prod`, then `npm run verify -- --stack prod`.",
      "6. Add the relays to `mail-infra:senders`, `pulumi up`, and move each one to the new credentials: `npm run relay-fix -- --stack prod --sender <address>`.",
    ]);
  });
  it("the steps with a MAIL FROM move under a kept REJECT_MESSAGE, creates counted and one user to retire", () => {
    const plan = planAdoption(twoRegionShared(), "prod");
    const steps = section(renderAdoptionMd({ ...plan, creates: [{ type: TYPES.record, name: "r1", custom: true }] }), "## Steps, in order");
    expect(steps[3]).toBe("4. `pulumi preview --stack prod --diff`: expect exactly 1 to create (the resources listed above), updates only as listed, no delete and no replace. Stop if it shows anything else.");
    expect(steps[4]).toBe("5. `pulumi up --stack prod`, then `npm run verify -- --stack prod`. USE_DEFAULT_VALUE keeps mail flowing (unaligned SPF, DKIM aligned) while SES waits for the new MX.");
    expect(steps[5]).toBe(`6. SES looks for the new MX for up to 72 h. ${afterMailFromSuccess("prod", "REJECT_MESSAGE")}`);
    expect(steps[6]).toMatch(/^7\. Add the relays to `mail-infra:senders`/);
    expect(steps[7]).toBe(
      "8. When `npm run verify -- --stack prod --only relay` passes, retire the old SMTP user by hand: ses-smtp-user.20240101 (SMTP login 2026-11-20T08:00:00.000Z: the relay still uses it). Deactivate the keys first (aws iam update-access-key --status Inactive), delete them and the user once SES has seen no login with them for a week (aws iam get-access-key-last-used).",
    );
    expect(steps).toHaveLength(8);
  });
  it("a MAIL FROM move under USE_DEFAULT_VALUE: step 5 says mail keeps flowing, no step sets a behaviour back", () => {
    const live = twoRegionShared();
    for (const i of live.identities) if (i.mailFrom) i.mailFrom.behaviorOnMxFailure = "USE_DEFAULT_VALUE";
    const steps = section(renderAdoptionMd({ ...planAdoption(live, "prod"), retire: [] }), "## Steps, in order");
    expect(steps[4]).toMatch(/USE_DEFAULT_VALUE keeps mail flowing/);
    expect(steps[5]).toMatch(/^6\. Add the relays/);
    expect(steps).toHaveLength(6);
  });
  it("an existing stack file: its merge, the differences key by key, the keys that are the same, and a merge that does not validate", () => {
    const plan = quiet();
    const merge = {
      file: "Pulumi.prod.yaml",
      mergedFile: "Pulumi.prod.merged.yaml",
      rows: [
        { key: "mail-infra:domain", existing: D, adopted: D, action: "same" as const },
        { key: "aws:region", existing: "us-east-1", adopted: "us-east-1", action: "same" as const },
        { key: "mail-infra:dnsTtl", existing: 300, adopted: 1800, action: "replace" as const },
        { key: "mail-infra:regions", adopted: ["us-east-1", "us-west-2"], action: "add" as const },
        { key: "mail-infra:spfAll", existing: "-all", action: "drop" as const },
        { key: "mail-infra:note", existing: "a|b", action: "keep" as const },
      ],
      merged: {},
      invalid: "mail-infra:senders[0]: not a sender.",
    };
    const md = renderAdoptionMd(plan, "out", merge);
    expect(section(md, "## Pulumi.prod.yaml already exists")).toEqual([
      "adopt did not overwrite it. It wrote `out/Pulumi.prod.merged.yaml`: your file with the config merged key by key. The merge does not validate: mail-infra:senders[0]: not a sender. Fix the merge before step 1.",
      "| key | in your file | written by adopt | in the merge |",
      "|---|---|---|---|",
      "| mail-infra:dnsTtl | 300 | 1800 | adopt's value: it is what is live (pulumi import needs the declared inputs to equal the live ones) |",
      '| mail-infra:regions |  | ["us-east-1","us-west-2"] | added |',
      "| mail-infra:spfAll | -all |  | left out: the default reproduces what is live |",
      "| mail-infra:note | a\\|b |  | kept (yours; adopt does not read it from AWS) |",
      "The same in both: mail-infra:domain, aws:region.",
    ]);
    expect(section(md, "## Steps, in order")[0]).toBe(
      '1. Pulumi.prod.yaml already exists: do not copy over it (it holds settings adopt cannot read from AWS). Compare it with the merge adopt wrote beside its files (`diff Pulumi.prod.yaml out/Pulumi.prod.merged.yaml`, key by key under "Pulumi.prod.yaml already exists" below); when the merge is what you want, `cp out/Pulumi.prod.merged.yaml Pulumi.prod.yaml`, then `pulumi stack select prod`.',
    );
    const valid = renderAdoptionMd(plan, "out", { ...merge, invalid: undefined, rows: merge.rows.filter((r) => r.action !== "same") });
    expect(section(valid, "## Pulumi.prod.yaml already exists")[0]).toBe("adopt did not overwrite it. It wrote `out/Pulumi.prod.merged.yaml`: your file with the config merged key by key.");
    expect(valid).not.toContain("The same in both");
  });
  it("every heading, and the paragraph after a table, stands between blank lines", () => {
    const plan = { ...quiet(), creates: [{ type: TYPES.record, name: "r1", custom: true }], risks: ["a risk"], notes: ["a note"] };
    const merge = { file: "Pulumi.prod.yaml", mergedFile: "Pulumi.prod.merged.yaml", rows: [{ key: "mail-infra:dnsTtl", existing: 300, adopted: 1800, action: "replace" as const }], merged: {} };
    const lines = renderAdoptionMd(plan, ".", merge).split("\n");
    const headings = lines.flatMap((l, i) => (l.startsWith("## ") ? [i] : []));
    expect(headings).toHaveLength(6);
    for (const i of headings) expect([lines[i - 1], lines[i + 1]], lines[i]).toEqual(["", ""]);
    const preview = lines.findIndex((l) => l.startsWith("`pulumi preview` after the import"));
    expect([lines[preview - 1], lines[preview + 1]]).toEqual(["", ""]);
  });
  it("risks that are not about MAIL FROM do not stage it: step 5 says nothing of USE_DEFAULT_VALUE", () => {
    const steps = renderAdoptionMd({ ...quiet(), risks: ["IAM user x exists"] }).split("\n");
    expect(steps.find((l) => l.startsWith("5. "))).toBe("5. `pulumi up --stack prod`, then `npm run verify -- --stack prod`.");
  });
  it("the default directory is the project root", () => {
    expect(renderAdoptionMd(quiet())).toContain("`pulumi import --stack prod --file ./import.json ");
  });
});

describe("adopt: survivors of the first mutation run, each a case no test had", () => {
  it("a namesake user that cannot be imported takes its name even when the user list lacks it", () => {
    const live = withNamesakes({ user: { userName: "mail-infra-smtp-prod", arn: "x", path: "/", accessKeyIds: ["AKIA1", "AKIA2"] }, userNames: [] });
    expect(planAdoption(live, "prod").config["mail-infra:smtpUserName"]).toBe("mail-infra-smtp-prod-2");
  });
  it("only the event destinations other than the program's are noted as left alone", () => {
    const notes = planAdoption(withNamesakes(), "prod").notes.filter((n) => n.includes("has event destination"));
    expect(notes).toEqual([`Configuration set ${CS} (us-east-1) has event destination to-cloudwatch (CloudWatch): the program does not declare it, and leaves it as it is.`]);
  });
  it("an identity without a default configuration set, beside the program's live set: the default set is an update from (none)", () => {
    const live = withNamesakes();
    live.identities[0].configurationSetName = undefined;
    expect(planAdoption(live, "prod").changes).toContainEqual({ subject: `default configuration set of ${D} (us-east-1)`, action: "update", live: "(none)", declared: CS });
  });
  it("under a kept REJECT_MESSAGE, a region without MAIL FROM gets one: the risk says none -> the new name", () => {
    const live = twoRegionShared();
    live.identities[1].mailFrom = undefined;
    const plan = planAdoption(live, "prod");
    expect(plan.risks.find((r) => r.startsWith("MAIL FROM in us-west-2"))).toMatch(/^MAIL FROM in us-west-2: none -> bounce-us-west-2\.example\.com\. Under REJECT_MESSAGE SES rejects mail from us-west-2 until it sees the new MX/);
  });
  it("DKIM verified (SUCCESS) in both regions: no DKIM note", () => {
    const live = twoRegionShared();
    expect(planAdoption(live, "prod").notes.some((n) => n.startsWith("DKIM"))).toBe(false);
    live.identities[1].dkimStatus = "FAILED";
    expect(planAdoption(live, "prod").notes.filter((n) => n.startsWith("DKIM"))).toEqual([`DKIM of ${D} in us-west-2 is FAILED: the declared CNAMEs below are what SES expects.`]);
  });
  it("no Easy DKIM tokens in two regions: both named, with their counts", () => {
    const live = twoRegionShared();
    live.identities[0].dkimTokens = [];
    live.identities[1].dkimTokens = ["only1"];
    expect(() => planAdoption(live, "prod")).toThrow(/^the SES identity of example\.com in us-east-1, us-west-2 has no Easy DKIM tokens \(0, 1 found, 3 expected\)/);
  });
  it("a live DMARC record: no note about a missing one", () => {
    expect(planAdoption(twoRegionShared(), "prod").notes.some((n) => n.startsWith("No DMARC record"))).toBe(false);
  });
  it("a send user's access keys are listed, comma-separated", () => {
    const live = twoRegionShared();
    live.sendUsers = [{ userName: "relay", arn: "a", accessKeyIds: ["AKIA1", "AKIA2"], grantedBy: ["inline Send"] }];
    expect(planAdoption(live, "prod").risks).toContainEqual(expect.stringContaining("(inline Send; access keys AKIA1, AKIA2)"));
  });
  it("an imported SMTP user without a key of its own: the risk names none", () => {
    const risk = planAdoption(withNamesakes(), "prod").risks.find((r) => r.startsWith("IAM user mail-infra-smtp-prod already exists"));
    expect(risk).toContain("The program adds its send-only policy and a new access key. If that user is not this stack's");
  });
});

describe("mergeStackFile: every key adopt derives from what is live", () => {
  // The keys planAdoption reads from AWS and Route 53 (aws:region and the mail-infra: keys of
  // the domain, its regions, MAIL FROM, DKIM, SPF, DMARC, DNS and the SMTP names).
  const LIVE_DERIVED = [
    "aws:region",
    "mail-infra:domain",
    "mail-infra:domains",
    "mail-infra:regions",
    "mail-infra:mailFromSubdomain",
    "mail-infra:regionalMailFromSubdomains",
    "mail-infra:mailFromBehaviorOnMxFailure",
    "mail-infra:dkimSigningKeyLength",
    "mail-infra:spfMechanisms",
    "mail-infra:spfAll",
    "mail-infra:apexTxtValues",
    "mail-infra:dmarcPolicy",
    "mail-infra:dmarcSubdomainPolicy",
    "mail-infra:dmarcPercent",
    "mail-infra:dmarcRua",
    "mail-infra:dmarcRuf",
    "mail-infra:dmarcAdkim",
    "mail-infra:dmarcAspf",
    "mail-infra:dnsMode",
    "mail-infra:route53Zones",
    "mail-infra:dnsTtl",
    "mail-infra:smtpUserName",
    "mail-infra:smtpSecretName",
    "mail-infra:smtpCredentials",
  ];
  it("one of them that adopt leaves out is dropped (its default is what is live); any other key of the file is kept", () => {
    const plan = planAdoption(externalDns(), "ext");
    const existing = Object.fromEntries([...LIVE_DERIVED, "mail-infra:alertEmails"].map((k) => [k, "from the file"]));
    const m = mergeStackFile(plan, { config: existing }, "Pulumi.ext.yaml", "Pulumi.ext.merged.yaml");
    for (const row of m.rows) {
      const expected = row.key === "mail-infra:alertEmails" ? "keep" : row.key in plan.config ? "replace" : "drop";
      expect(row.action, row.key).toBe(expected);
    }
    expect(m.rows.filter((r) => r.action === "drop").map((r) => r.key)).toContain("mail-infra:dmarcRuf");
  });
  it("each of them is dropped when adopt's config leaves it out (mergeStackFile reads only the plan's config)", () => {
    const plan = { ...planAdoption(externalDns(), "ext"), config: {} };
    const existing = Object.fromEntries([...LIVE_DERIVED, "mail-infra:alertEmails"].map((k) => [k, "from the file"]));
    const m = mergeStackFile(plan, { config: existing }, "Pulumi.ext.yaml", "Pulumi.ext.merged.yaml");
    expect(m.rows.filter((r) => r.action === "drop").map((r) => r.key)).toEqual(LIVE_DERIVED);
    expect(m.rows.filter((r) => r.action !== "drop")).toEqual([{ key: "mail-infra:alertEmails", existing: "from the file", action: "keep" }]);
  });
});

describe("adopt: a live setup the config cannot express", () => {
  it("a MAIL FROM outside the domain: an AdoptionError (AWS's state, exit 1) that quotes the config's reason", () => {
    const live = twoRegionShared();
    for (const i of live.identities) i.mailFrom = { domain: "bounce.example.org", behaviorOnMxFailure: "USE_DEFAULT_VALUE" };
    let error: unknown;
    try {
      planAdoption(live, "prod");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdoptionError);
    expect((error as AdoptionError).input).toBe(false);
    expect((error as AdoptionError).name).toBe("AdoptionError");
    expect((error as Error).message).toMatch(/^the live setup does not make a valid stack config: [\s\S]*mail-infra:mailFromSubdomain: MAIL FROM bounce\.example\.org is not under example\.com/);
  });
});

describe("adopt: the names import.json uses", () => {
  it("Pulumi's type tokens of the resources imported (the AWS provider's module/resource form) and of the program's components", () => {
    expect(TYPES).toEqual({
      mailDomain: "mail-infra:ses:MailDomain",
      sesIdentity: "mail-infra:ses:SesIdentity",
      dnsRecords: "mail-infra:dns:DnsRecords",
      emailIdentity: "aws:sesv2/emailIdentity:EmailIdentity",
      mailFrom: "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
      configurationSet: "aws:sesv2/configurationSet:ConfigurationSet",
      eventDestination: "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
      topic: "aws:sns/topic:Topic",
      record: "aws:route53/record:Record",
      smtpCredentials: "mail-infra:iam:SmtpCredentials",
      user: "aws:iam/user:User",
      secret: "aws:secretsmanager/secret:Secret",
    });
    expect(SMTP_COMPONENT).toBe("smtp");
  });
  it("the written files start with the marker adopt overwrites only its own files by", () => {
    expect(WRITTEN_BY).toBe("Written by `npm run adopt`");
  });
});

describe("adopt: a clean live setup, and what only some setups have", () => {
  /** Both regions keep their MAIL FROM, DKIM verified, records as SES expects, no SMTP user live. */
  function clean(): LiveSetup {
    const live = twoRegionShared();
    live.identities[1].mailFrom = { domain: `mail-usw2.${D}`, behaviorOnMxFailure: "REJECT_MESSAGE" };
    live.identities[1].nextSigningKeyLength = "RSA_2048_BIT";
    live.sendUsers = [];
    for (const r of zone(live)) {
      if (r.name === D && r.type === "TXT") r.values = ["v=spf1 include:_spf.google.com ~all", "google-site-verification=abc123"];
      if (r.name === `_dmarc.${D}`) r.values = ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"];
    }
    zone(live).push({ name: `mail-usw2.${D}`, type: "MX", ttl: 1800, values: ["10 feedback-smtp.us-west-2.amazonses.com"] });
    return live;
  }
  it("no note, and one risk: the new credentials may send as any address until the relays are listed", () => {
    const plan = planAdoption(clean(), "prod");
    expect(plan.notes).toEqual([]);
    expect(plan.risks).toHaveLength(1);
    expect(plan.risks[0]).toMatch(/^The written config sets mail-infra:smtpCredentials to any-address/);
  });
  it("one region: no regionalMailFromSubdomains key; an apex with only SPF: no apexTxtValues key", () => {
    const plan = planAdoption(oneRegion(), "solo");
    expect("mail-infra:regionalMailFromSubdomains" in plan.config).toBe(false);
    expect("mail-infra:apexTxtValues" in planAdoption(withApex(["v=spf1 include:_spf.google.com ~all"]), "prod").config).toBe(false);
  });
  it("no apex TXT set at all: no SPF mechanisms, no kept values, no SPF risk", () => {
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    live.dns.recordSets = live.dns.recordSets.filter((r) => !(r.name === D && r.type === "TXT"));
    const plan = planAdoption(live, "prod");
    expect("mail-infra:spfMechanisms" in plan.config).toBe(false);
    expect("mail-infra:apexTxtValues" in plan.config).toBe(false);
    expect(plan.keptApexTxt).toEqual([]);
    expect(spfRisk(plan)).toBeUndefined();
    expect(plan.changes).toContainEqual({ subject: `TXT ${D}`, action: "create", live: "(none)", declared: "v=spf1 ~all" });
  });
  it("the DMARC record among other TXT values at _dmarc: read", () => {
    const plan = planAdoption(withDmarc(["some-verification=1", "v=DMARC1; p=reject"]), "prod");
    expect(plan.config["mail-infra:dmarcPolicy"]).toBe("reject");
  });
  it("the key length is the first region's that reports one (the primary's when it does)", () => {
    const lengths = (first: string | undefined, second: string | undefined) => {
      const live = twoRegionShared();
      live.identities[0].nextSigningKeyLength = first;
      live.identities[1].nextSigningKeyLength = second;
      return planAdoption(live, "prod").config["mail-infra:dkimSigningKeyLength"];
    };
    expect(lengths("RSA_1024_BIT", "RSA_2048_BIT")).toBe("RSA_1024_BIT");
    expect(lengths(undefined, "RSA_1024_BIT")).toBe("RSA_1024_BIT");
    expect(lengths("RSA_1024_BIT", undefined)).toBe("RSA_1024_BIT");
  });
});

/**
 * A CNAME is the only record set at its name (RFC 1034 3.6.2: "If a CNAME RR is present at a
 * node, no other data should be present"; Route 53 refuses to create another set beside it). A
 * hosted DMARC service is commonly delegated by a CNAME at _dmarc; the program declares a TXT
 * there, so the first pulumi up cannot create it, and adopt, reading only the zone, never saw
 * the policy served through it.
 */
describe("adopt: a CNAME at a name where the program declares TXT or MX", () => {
  const withCname = (name: string, target: string, drop: (r: { name: string; type: string }) => boolean): LiveSetup => {
    const live = twoRegionShared();
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    live.dns.recordSets = [...live.dns.recordSets.filter((r) => !drop(r)), { name, type: "CNAME", ttl: 300, values: [target] }];
    return live;
  };

  it("a hosted-DMARC CNAME at _dmarc: the first risk says the TXT cannot be created and that the policy served there is not in the config; no 'no DMARC record' note", () => {
    const plan = planAdoption(withCname(`_dmarc.${D}`, "example-com._dmarc.hosted-dmarc.example.net", (r) => r.name === `_dmarc.${D}`), "prod");
    expect(plan.risks[0]).toBe(
      `TXT _dmarc.${D} cannot be created: _dmarc.${D} is a CNAME to example-com._dmarc.hosted-dmarc.example.net in Route 53, and a CNAME stands alone at its name (RFC 1034 3.6.2; Route 53 refuses any other record set there), so the first pulumi up fails creating the declared TXT _dmarc.${D}. ` +
        "adopt reads the zone, not where the CNAME points, so the DMARC policy served there is not in the written config: set mail-infra:dmarcPolicy, dmarcSubdomainPolicy and dmarcRua to what you publish, or the declared p=none record replaces it. " +
        `Before pulumi up: delete the CNAME (the declared record then answers for _dmarc.${D}), or keep ${D}'s DNS outside the stack (mail-infra:dnsMode external: you publish the records yourself).`,
    );
    expect(plan.changes).toContainEqual({ subject: `TXT _dmarc.${D}`, action: "create", live: "(a CNAME to example-com._dmarc.hosted-dmarc.example.net)", declared: expect.stringMatching(/^v=DMARC1; p=none/) });
    expect(plan.notes.some((n) => n.startsWith("No DMARC record is live"))).toBe(false);
  });

  it("a CNAME at a MAIL FROM name: its MX and its SPF are each named, with the advice to rename the MAIL FROM", () => {
    const plan = planAdoption(withCname(`bounce.${D}`, "bounce.mail-provider.example.net", (r) => r.name === `bounce.${D}`), "prod");
    const cnameRisks = plan.risks.filter((r) => r.includes("is a CNAME to"));
    expect(cnameRisks.map((r) => r.slice(0, r.indexOf(" cannot be created")))).toEqual([`MX bounce.${D}`, `TXT bounce.${D}`]);
    expect(cnameRisks[0]).toBe(
      `MX bounce.${D} cannot be created: bounce.${D} is a CNAME to bounce.mail-provider.example.net in Route 53, and a CNAME stands alone at its name (RFC 1034 3.6.2; Route 53 refuses any other record set there), so the first pulumi up fails creating the declared MX bounce.${D}. ` +
        `Before pulumi up: delete the CNAME (the declared record then answers for bounce.${D}), or give the MAIL FROM of us-east-1 another name (mail-infra:mailFromSubdomain or regionalMailFromSubdomains), or keep ${D}'s DNS outside the stack (mail-infra:dnsMode external: you publish the records yourself).`,
    );
    expect(cnameRisks[1]).toMatch(/^TXT bounce\.example\.com cannot be created: .* so the first pulumi up fails creating the declared TXT bounce\.example\.com\. Before pulumi up: delete the CNAME .*, or give the MAIL FROM of us-east-1 another name /);
  });

  it("a CNAME at the domain's own name (possible when the domain sits below its zone's apex, mail.example.com in example.com): the SPF terms served there are not in the config", () => {
    const plan = planAdoption(withCname(D, "spf.mail-provider.example.net", (r) => r.name === D && r.type === "TXT"), "prod");
    expect(plan.risks[0]).toBe(
      `TXT ${D} cannot be created: ${D} is a CNAME to spf.mail-provider.example.net in Route 53, and a CNAME stands alone at its name (RFC 1034 3.6.2; Route 53 refuses any other record set there), so the first pulumi up fails creating the declared TXT ${D}. ` +
        "adopt reads the zone, not where the CNAME points, so the SPF terms served there are not in the written config: add them to mail-infra:spfMechanisms before pulumi up. " +
        `Before pulumi up: delete the CNAME (the declared record then answers for ${D}), or keep ${D}'s DNS outside the stack (mail-infra:dnsMode external: you publish the records yourself).`,
    );
  });

  it("CNAMEs elsewhere (www2) and at the DKIM names, which the program declares as CNAMEs, are no conflict; the DMARC note stays when nothing is at _dmarc", () => {
    const live = withCname(`www2.${D}`, "example.github.io", (r) => r.name === `_dmarc.${D}`);
    const plan = planAdoption(live, "prod");
    expect(plan.risks.some((r) => r.includes("is a CNAME to"))).toBe(false);
    expect(plan.notes.some((n) => n.startsWith("No DMARC record is live"))).toBe(true);
    expect(plan.changes).toContainEqual({ subject: `TXT _dmarc.${D}`, action: "create", live: "(none)", declared: expect.stringMatching(/^v=DMARC1; p=none/) });
  });
});
