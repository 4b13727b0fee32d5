/**
 * The verification manifest (lib/manifest.ts): what `pulumi stack output verification` holds and
 * verify, relay-fix and the watch read. A manifest that uses every value the schema allows reads
 * back unchanged (no field dropped, no allowed value refused); a broken one is refused with the
 * path of each problem; a stack without SMTP credentials is refused where they are needed.
 */
import { describe, expect, it } from "vitest";
import { DISCOVERED_STACK, fixModeOf, hasSmtpCredentials, ManifestError, type ManifestRegion, parseManifest, parseStackManifest, type StackManifest } from "../../lib/manifest";
import type { Unobservable } from "../../lib/verify/findings";
import { ACCOUNT, manifestRegion, regionRecords } from "../helpers/manifest";

const D = "example.com";
const unknown = (reason: Unobservable["reason"]): Unobservable => ({ ok: false, reason, message: `${reason}: could not read it` });

/** Every allowed value of every enum of the schema appears once at least. */
function fullManifest(): StackManifest {
  const east = manifestRegion(D, "us-east-1", `bounce.${D}`);
  const west = manifestRegion(D, "us-west-2", `bounce-us-west-2.${D}`, { mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE", tlsPolicy: "OPTIONAL" });
  const discovered = (name: string, unknowns: ManifestRegion["unknown"]): ManifestRegion => manifestRegion("example.org", name, "", { unknown: unknowns });
  return {
    version: 1,
    project: "mail-infra",
    stack: "prod",
    domains: [
      {
        domain: D,
        dns: { mode: "route53", zoneId: "Z0123456789ABCDEFGHIJ", zoneName: D },
        regions: [east, west],
        records: [
          ...regionRecords(D, east),
          { key: "spf", purpose: "spf", name: D, type: "TXT", ttl: 600, values: ["v=spf1 include:amazonses.com -all"] },
          { key: "dmarc", purpose: "dmarc", name: `_dmarc.${D}`, type: "TXT", ttl: 600, values: ["v=DMARC1; p=reject"] },
          { key: "dmarc-report-auth-example.org._report._dmarc.example.com", purpose: "dmarc-report-auth", name: `example.org._report._dmarc.${D}`, type: "TXT", ttl: 600, values: ["v=DMARC1"] },
        ],
      },
      {
        domain: "example.org",
        dns: { mode: "external" },
        regions: [
          discovered("us-east-1", {
            account: unknown("notfound"),
            dkimTokens: unknown("denied"),
            mailFromDomain: unknown("throttled"),
            configurationSet: { ...unknown("timeout"), needs: "ses:GetConfigurationSet", cause: { key: "k", id: "aws.credentials", subject: "AWS credentials", summary: "none", evidence: ["e"], remediation: "r" } },
          }),
          discovered("eu-west-1", { account: unknown("unreachable"), dkimTokens: unknown("tls"), mailFromDomain: unknown("error") }),
        ],
        records: [],
      },
    ],
    smtp: {
      user: "mail-infra-smtp-prod",
      userArn: `arn:aws:iam::${ACCOUNT}:user/mail/mail-infra-smtp-prod`,
      accessKeyId: "AKIAEXAMPLECURRENT01",
      keyGeneration: 2,
      previousKey: { generation: 1, accessKeyId: "AKIAEXAMPLEPREVIOUS1", state: "active" },
      secretId: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mail-infra/prod/ses-smtp-AbCdEf`,
      secretName: "mail-infra/prod/ses-smtp",
      secretRegion: "us-east-1",
      port: 587,
      regions: [{ region: "us-east-1", endpoint: "email-smtp.us-east-1.amazonaws.com" }],
    },
    senders: [
      { address: `admin@${D}`, kind: "gmail-send-as", account: "someone@gmail.com", region: "us-east-1", smtpEndpoint: "email-smtp.us-east-1.amazonaws.com" },
      { address: `app@${D}`, kind: "smtp-client", region: "us-west-2", smtpEndpoint: "email-smtp.us-west-2.amazonaws.com" },
    ],
    monitoring: {
      alertEmails: [`ops@${D}`],
      regions: [
        {
          region: "us-east-1",
          alertsTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:mail-infra-alerts`,
          alarms: [
            { name: "bounce-warning", kind: "bounce", level: "warning", threshold: 0.02 },
            { name: "complaint-alarm", kind: "complaint", level: "alarm", threshold: 0.005 },
          ],
          rules: [
            { name: "iam-changes", purpose: "iam" },
            { name: "ses-changes", purpose: "ses" },
            { name: "secret-reads", purpose: "secret" },
            { name: "feedback", purpose: "feedback" },
          ],
        },
      ],
      trail: { regions: ["us-east-1"], created: "mail-infra-trail" },
    },
    watch: { functionName: "mail-infra-watch", region: "us-east-1", scheduleName: "mail-infra-watch", schedule: "rate(15 minutes)", scheduleMinutes: 15, queueName: "mail-infra-watch-dlq", alarms: ["mail-infra-watch-errors"] },
  };
}

describe("parseStackManifest", () => {
  it("reads back a manifest that uses every allowed value, unchanged", () => {
    const m = fullManifest();
    expect(parseStackManifest(JSON.parse(JSON.stringify(m)), "verification.json")).toStrictEqual(m);
  });

  it("refuses what is not a manifest, naming each problem by its path, the root as (root)", () => {
    const err = (input: unknown) => {
      try {
        parseStackManifest(input, "verification.json");
      } catch (e) {
        expect(e).toBeInstanceOf(ManifestError);
        expect((e as Error).name).toBe("ManifestError");
        return (e as Error).message;
      }
      throw new Error("not refused");
    };
    const fresh = "Get a fresh one with `pulumi stack output verification --json > verification.json`.";
    expect(err(5)).toMatch(new RegExp(`^verification\\.json is not a mail-infra verification manifest \\(version 1\\):\\n  - \\(root\\): [^\\n]+\\n${fresh.replace(/[.*+?^${}()|[\]\\`]/g, "\\$&")}$`));
    const broken = fullManifest() as unknown as { version: number; domains: { regions: { tlsPolicy: string }[] }[] };
    broken.version = 2;
    broken.domains[0].regions[1].tlsPolicy = "NONE";
    const lines = err(broken).split("\n");
    expect(lines.slice(1, -1).map((l) => l.replace(/: .*/, ""))).toEqual(["  - version", "  - domains.0.regions.1.tlsPolicy"]);
    expect(lines.at(-1)).toBe(fresh);
  });

  it("a stack without SMTP credentials is a manifest, but not one parseManifest takes", () => {
    const { smtp: _smtp, ...noSmtp } = fullManifest();
    const m = parseStackManifest(noSmtp, "verification.json");
    expect(hasSmtpCredentials(m)).toBe(false);
    expect(hasSmtpCredentials(fullManifest())).toBe(true);
    expect(parseManifest(fullManifest(), "verification.json").smtp.user).toBe("mail-infra-smtp-prod");
    expect(() => parseManifest(noSmtp, "verification.json")).toThrow(
      new ManifestError(
        "verification.json has no smtp section: stack prod declares no SMTP credentials (no mail-infra:senders, and mail-infra:smtpCredentials is not any-address). List the senders that relay through SES in mail-infra:senders and run pulumi up.",
      ),
    );
  });
});

describe("fixModeOf", () => {
  it("a manifest verify discovered from AWS is fixed by hand; a stack's through the stack", () => {
    expect(DISCOVERED_STACK).toBe("(discovered)");
    expect(fixModeOf({ stack: "(discovered)" })).toBe("discovery");
    expect(fixModeOf({ stack: "prod" })).toBe("stack");
  });
});
