/**
 * adopt's planning (lib/adopt.ts) on hand-built live setups, and the consistency proof: the
 * program, run under mocks with the written config, registers a resource with the same type,
 * name and parent for every import entry, so `pulumi preview` after `pulumi import` creates
 * nothing that was imported.
 */
import { describe, expect, it } from "vitest";
import { AdoptionError, grantsSesSend, type LiveNamesakes, type LiveRecordSet, type LiveSetup, mergeStackFile, planAdoption, previewCreates, renderAdoptionMd, renderImportJson, SMTP_COMPONENT, TYPES } from "../../lib/adopt";
import { afterMailFromSuccess } from "../../lib/mail-from-move";
import { validateConfig } from "../../lib/config";
import { runWithConfig } from "../helpers/program";
import { expectProgramMatches } from "./consistency";

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
    sendUsers: [{ userName: "ses-smtp-user.20240101", arn: "arn:aws:iam::123456789012:user/ses-smtp-user.20240101", accessKeyIds: ["AKIAOLDSMTPKEY000001"], grantedBy: ["inline AmazonSesSendingAccess"], lastSesLogin: { accessKeyId: "AKIAOLDSMTPKEY000001", date: "2026-11-20T08:00:00.000Z", region: "us-east-1" } }],
  };
}

export function oneRegion(): LiveSetup {
  const live = twoRegionShared();
  return { ...live, regions: ["us-east-1", "us-west-2"], identities: live.identities.filter((i) => i.region === "us-east-1").map((i) => ({ ...i, mailFrom: undefined })) };
}

export function externalDns(): LiveSetup {
  return { ...oneRegion(), dns: { mode: "external", why: `no public Route 53 hosted zone for ${D} or a parent of it` }, sendUsers: [] };
}

describe("adopt: the two-region setup with one MAIL FROM shared by both regions", () => {
  const plan = () => planAdoption(twoRegionShared(), "prod");

  it("writes a config that reproduces the live setup where it is sound, and validates", () => {
    expect(plan().config).toMatchObject({
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
    expect(() => validateConfig(plan().config, "prod")).not.toThrow();
  });

  it("imports identities, MAIL FROM attributes and existing record sets with region-qualified ids under their component parents", () => {
    const r = plan().imports.resources;
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
    await expectProgramMatches(plan(), twoRegionShared());
  });

  it("reports the risks: MAIL FROM move sequenced, DKIM key length once a day, the old SMTP user kept for retirement", () => {
    expect(plan().risks.find((x) => x.startsWith("MAIL FROM in us-west-2"))).toMatch(/bounce\.example\.com -> bounce-us-west-2\.example\.com \(bounce\.example\.com is shared with us-east-1.*USE_DEFAULT_VALUE.*mail-infra:mailFromBehaviorOnMxFailure REJECT_MESSAGE/);
    expect(plan().risks.find((x) => x.startsWith("DKIM key length in us-west-2"))).toMatch(/RSA_1024_BIT -> RSA_2048_BIT\. SES allows this once a day/);
    expect(plan().risks.find((x) => x.includes("ses-smtp-user.20240101"))).toMatch(
      /^IAM user ses-smtp-user\.20240101 is an existing SMTP user that the Gmail alias \(or another relay\) still uses, left untouched \(not imported, not changed\), to retire after relay-fix: SES saw an SMTP login with its key AKIAOLDSMTPKEY000001 on 2026-11-20T08:00:00\.000Z in us-east-1.*Retire it after relay-fix:.*`npm run relay-fix -- --stack prod --sender <the alias's From address>`.*`npm run verify -- --stack prod --only relay`.*deactivate ses-smtp-user\.20240101's keys/,
    );
    expect(plan().risks.find((x) => x.startsWith("The live DMARC"))).toMatch(/fo=1/);
    expect(plan().risks.find((x) => x.startsWith("The live apex SPF"))).toMatch(/include:amazonses\.com/);
  });

  it("adoption.md lists what is imported, live against declared, the kept apex values and the steps in order", () => {
    const md = renderAdoptionMd(plan());
    expect(md).toContain(`| EmailIdentity | ${D}-us-east-1-identity | ${D}@us-east-1 |`);
    expect(md).toMatch(/\| TXT example\.com \| update \| v=spf1 include:_spf\.google\.com include:amazonses\.com ~all \\\| google-site-verification=abc123 \\\| MS=ms4711 \| v=spf1 include:_spf\.google\.com ~all \\\| google-site-verification=abc123 \\\| MS=ms4711 \|/);
    expect(md).toContain("- `google-site-verification=abc123`");
    expect(md).toMatch(/3\. `pulumi import --stack prod --file \.\/import\.json[^\n]*\n4\. `pulumi preview --stack prod --diff`[^\n]*\n5\. `pulumi up --stack prod`, then `npm run verify -- --stack prod`\. USE_DEFAULT_VALUE keeps mail flowing[^\n]*\n6\. SES looks for the new MX for up to 72 h\. Once `npm run verify -- --stack prod --only ses` reports the new MAIL FROM SUCCESS/);
    expect(md).toMatch(/retire the old SMTP user by hand: ses-smtp-user\.20240101/);
    // The pack no longer flags USE_DEFAULT_VALUE next to Easy DKIM: no policy config for the first up.
    expect(md).not.toContain("policy-pack-config");
    expect(JSON.parse(renderImportJson(plan()))).toEqual(plan().imports);
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
  const plan = () => planAdoption(twoRegionShared(), "prod");
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
    const m = mergeStackFile(plan(), prod, "Pulumi.prod.yaml", "Pulumi.prod.merged.yaml");
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
    const m = mergeStackFile(plan(), prod, "Pulumi.prod.yaml", "Pulumi.prod.merged.yaml");
    const md = renderAdoptionMd(plan(), "adopt-prod", m);
    expect(md).not.toMatch(/cp adopt-prod\/Pulumi\.prod\.yaml/);
    expect(md).toMatch(/\n1\. Pulumi\.prod\.yaml already exists: do not copy over it[^\n]*`diff Pulumi\.prod\.yaml adopt-prod\/Pulumi\.prod\.merged\.yaml`/);
    expect(md).toContain("## Pulumi.prod.yaml already exists");
    expect(md).toMatch(/\| mail-infra:senders \| \["address=admin@example\.com; kind=gmail-send-as; account=someone@gmail\.com; region=us-east-1"\] \|  \| kept \(yours; adopt does not read it from AWS\) \|/);
    expect(md).toMatch(/\| mail-infra:dmarcPolicy \| none \| quarantine \| adopt's value: it is what is live/);
    expect(md).toMatch(/\| mail-infra:spfAll \| -all \|  \| left out: the default reproduces what is live \|/);
    // Without an existing file, the copy cannot overwrite one either.
    expect(renderAdoptionMd(plan(), "adopt-prod")).toMatch(/\n1\. From the project root: `cp -n adopt-prod\/Pulumi\.prod\.yaml \.`/);
  });
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
  it("an identity in one region only, without MAIL FROM: that region alone, MAIL FROM created under the default USE_DEFAULT_VALUE, no step back to REJECT_MESSAGE", async () => {
    const plan = planAdoption(oneRegion(), "solo");
    expect(plan.finalMailFromBehavior).toBe("USE_DEFAULT_VALUE");
    expect(renderAdoptionMd(plan)).not.toContain("mailFromBehaviorOnMxFailure REJECT_MESSAGE");
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
    await expectProgramMatches(plan, externalDns());
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

describe("adopt: live resources with the program's names (collisions)", () => {
  const CS = "mail-infra-example-com";
  const TOPIC = "arn:aws:sns:us-east-1:123456789012:mail-infra-example-com-ses-events";
  const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mail-infra/prod/ses-smtp-AbCdEf";
  function withNamesakes(over: Partial<LiveNamesakes> = {}): LiveSetup {
    return {
      ...twoRegionShared(),
      namesakes: {
        configurationSets: [
          {
            region: "us-east-1",
            name: CS,
            tlsPolicy: "OPTIONAL",
            sendingEnabled: true,
            reputationMetricsEnabled: false,
            suppressedReasons: ["BOUNCE"],
            eventDestinations: [
              { name: "sns-feedback", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], target: "arn:aws:sns:us-east-1:123456789012:old-topic" },
              { name: "to-cloudwatch", enabled: true, matchingEventTypes: ["SEND"], target: "CloudWatch" },
            ],
          },
        ],
        topics: [{ region: "us-east-1", arn: TOPIC }],
        secrets: [{ region: "us-east-1", name: "mail-infra/prod/ses-smtp", arn: SECRET }],
        user: { userName: "mail-infra-smtp-prod", arn: "arn:aws:iam::123456789012:user/mail/mail-infra-smtp-prod", path: "/mail/", accessKeyIds: [] },
        userNames: ["mail-infra-smtp-prod", "ses-smtp-user.20240101"],
        ...over,
      },
    };
  }

  it("imports the configuration set, its event destination, the SNS topic, the secret and the SMTP user that carry the program's names", async () => {
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
    await expectProgramMatches(plan, live);
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

  it("an SMTP-named user that can send, or has two keys, is not imported: the config names another user", async () => {
    const sender = twoRegionShared();
    sender.sendUsers.push({ userName: "mail-infra-smtp-prod", arn: "arn:aws:iam::123456789012:user/mail-infra-smtp-prod", accessKeyIds: ["AKIAPRODSMTP00000001"], grantedBy: ["inline send"] });
    sender.namesakes = { configurationSets: [], topics: [], secrets: [], user: { userName: "mail-infra-smtp-prod", arn: "x", path: "/", accessKeyIds: ["AKIAPRODSMTP00000001"] }, userNames: ["mail-infra-smtp-prod", "mail-infra-smtp-prod-2"] };
    const plan = planAdoption(sender, "prod");
    expect(plan.config["mail-infra:smtpUserName"]).toBe("mail-infra-smtp-prod-3");
    expect(plan.imports.resources.some((e) => e.type === TYPES.user)).toBe(false);
    expect(plan.risks).toContainEqual(expect.stringMatching(/^IAM user mail-infra-smtp-prod \(the name the program gives the SMTP user of stack prod\) exists and can send through SES.*not imported and not changed.*mail-infra-smtp-prod-3/));
    await expectProgramMatches(plan, sender);

    const full = withNamesakes({ user: { userName: "mail-infra-smtp-prod", arn: "x", path: "/", accessKeyIds: ["AKIA1", "AKIA2"] } });
    const planFull = planAdoption(full, "prod");
    expect(planFull.config["mail-infra:smtpUserName"]).toBe("mail-infra-smtp-prod-2");
    expect(planFull.risks).toContainEqual(expect.stringMatching(/with 2 access keys \(IAM allows 2/));
  });

  it("a secret of the program's name scheduled for deletion: the config names another secret, and says how to restore it", async () => {
    const live = withNamesakes({ secrets: [{ region: "us-east-1", name: "mail-infra/prod/ses-smtp", arn: SECRET, deletedDate: "2026-12-05T00:00:00.000Z" }] });
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:smtpSecretName"]).toBe("mail-infra/prod/ses-smtp-2");
    expect(plan.imports.resources.some((e) => e.type === TYPES.secret)).toBe(false);
    expect(plan.risks).toContainEqual(expect.stringMatching(/scheduled for deletion.*restore-secret --secret-id mail-infra\/prod\/ses-smtp --region us-east-1/));
    await expectProgramMatches(plan, live);
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
