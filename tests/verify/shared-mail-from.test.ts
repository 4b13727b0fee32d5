/**
 * Issue 17's world, as discovery-mode verify sees it: the prod domain before adoption. Both
 * regions use bounce.queenofsandiego.com as MAIL FROM; its one MX names us-east-1's feedback
 * host; us-west-2's MAIL FROM status is FAILED. Verify once told the user to point that MX at
 * us-west-2, which breaks us-east-1 (working today). It must say which region the name serves
 * and give us-west-2 the fix adopt gives: a MAIL FROM of its own, staged with USE_DEFAULT_VALUE.
 *
 * Real parts: nsd serves the zone, the DNS collector users run asks it, SES v2 answers through
 * aws-sdk-client-mock shaped like GetEmailIdentity, discoverManifest builds the manifest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planAdoption, type LiveSetup } from "../../lib/adopt";
import { type Manifest, MANIFEST_VERSION } from "../../lib/manifest";
import type { FixStep } from "../../lib/mail-from-owner";
import { dkimRecords, mailFromMxRecord, toZoneFile } from "../../lib/records";
import { mailFromMxHost, SES_SMTP_PORT, smtpEndpoint } from "../../lib/regions";
import { type Finding, observed } from "../../lib/verify/findings";
import { AwsCollector } from "../../scripts/verify/aws";
import { discoverManifest } from "../../scripts/verify/discover";
import { DnsCollector } from "../../scripts/verify/layers/dns/collect";
import { formatJson, formatText } from "../../scripts/verify/report";
import { runVerify } from "../../scripts/verify/run";
import { SmtpCollector } from "../../scripts/verify/layers/smtp/collect";
import { docOutput } from "../docs/doc-examples";
import { type DnsSandbox, startDns } from "../sandbox";
import { installSesMock, SesFake } from "./aws-fakes";
import { AMAZONSES_ZONE, CALLER_ENV } from "./world";

const D = "queenofsandiego.com";
const SHARED = `bounce.${D}`;
const REGIONS = ["us-east-1", "us-west-2"];
const ACCOUNT = "123456789012";
const tokens = (region: string) => [1, 2, 3].map((i) => `q${i}${region.replace(/-/g, "")}tok`);

/** The SES side of the world, as a manifest the fake reads its identities from (every region: bounce.<domain>). */
function sesWorld(): Manifest {
  return {
    version: MANIFEST_VERSION,
    project: "mail-infra",
    stack: "prod",
    domains: [
      {
        domain: D,
        dns: { mode: "external" },
        records: [],
        regions: REGIONS.map((region, i) => ({
          region,
          primary: i === 0,
          identityArn: `arn:aws:ses:${region}:${ACCOUNT}:identity/${D}`,
          dkimTokens: tokens(region),
          dkimSigningKeyLength: "RSA_2048_BIT",
          signingHostedZone: "dkim.amazonses.com",
          mailFromDomain: SHARED,
          mailFromBehaviorOnMxFailure: "REJECT_MESSAGE" as const,
          configurationSet: "my-config-set",
          configurationSetArn: `arn:aws:ses:${region}:${ACCOUNT}:configuration-set/my-config-set`,
          eventTopicArn: `arn:aws:sns:${region}:${ACCOUNT}:ses-events`,
          tlsPolicy: "REQUIRE" as const,
          smtpEndpoint: smtpEndpoint(region),
        })),
      },
    ],
    smtp: { user: "", userArn: "", accessKeyId: "", keyGeneration: 0, secretId: "", secretName: "", secretRegion: "us-east-1", port: SES_SMTP_PORT, regions: [] },
    senders: [],
  };
}

/** The zone as it stood: both regions' DKIM CNAMEs, the one MX at us-east-1's feedback host, SPF on the MAIL FROM, apex SPF and DMARC. */
const ZONE = [
  `@ IN TXT "v=spf1 include:amazonses.com ~all"`,
  `_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@${D}"`,
  toZoneFile([...REGIONS.flatMap((r) => dkimRecords(D, r, tokens(r), 1800)), mailFromMxRecord(SHARED, "us-east-1", 1800)]),
  `bounce IN TXT "v=spf1 include:amazonses.com ~all"`,
].join("\n");

let dns: DnsSandbox;
let fake: SesFake;
let restore: () => void;
const savedEnv = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, CALLER_ENV);
  dns = await startDns({ zones: [{ origin: D, text: ZONE }, { origin: "amazonses.com", text: AMAZONSES_ZONE }] });
  fake = new SesFake(sesWorld());
  const west = fake.region("us-west-2").identities.get(D);
  if (!west?.MailFromAttributes) throw new Error("the fake has no us-west-2 identity");
  west.MailFromAttributes.MailFromDomainStatus = "FAILED";
  restore = installSesMock(fake);
});
afterAll(async () => {
  restore?.();
  await dns?.stop();
  process.env = savedEnv;
});

async function verifyDiscovered(): Promise<{ manifest: Manifest; findings: Finding[]; notChecked: Awaited<ReturnType<typeof runVerify>>["notChecked"] }> {
  const aws = new AwsCollector({ timeoutMs: 5000 });
  const dnsCollector = new DnsCollector({ servers: [dns.server], timeoutMs: 2000 });
  const smtp = new SmtpCollector({ timeoutMs: 2000 });
  try {
    // STS is not part of this world: the account id is given, everything else is read from SES.
    const manifest = await discoverManifest({ domain: D, regions: REGIONS }, { ...pick(aws), callerAccount: async () => observed(ACCOUNT) });
    const r = await runVerify(manifest, { layers: ["ses", "dns"], recipients: [], sendTest: false }, { aws, dns: dnsCollector, smtp });
    return { manifest, findings: r.findings, notChecked: r.notChecked };
  } finally {
    aws.destroy();
  }
}

const pick = (aws: AwsCollector) => ({
  identity: aws.identity.bind(aws),
  secretValue: aws.secretValue.bind(aws),
  keyLastUsed: aws.keyLastUsed.bind(aws),
  userArn: aws.userArn.bind(aws),
});

const find = (fs: readonly Finding[], id: string, region: string) => {
  const f = fs.find((x) => x.id === id && x.subject.includes(region));
  if (!f) throw new Error(`no ${id} finding for ${region}: ${fs.map((x) => `${x.id} ${x.subject}`).join("; ")}`);
  return f;
};

/** The fix adopt gives us-west-2 for the same live setup. */
function adoptsName(): string {
  const live: LiveSetup = {
    domain: D,
    regions: REGIONS,
    identities: REGIONS.map((region) => ({ region, dkimTokens: tokens(region), mailFrom: { domain: SHARED, behaviorOnMxFailure: "REJECT_MESSAGE", status: region === "us-west-2" ? "FAILED" : "SUCCESS" } })),
    dns: { mode: "route53", zoneId: "Z0QUEENOFSANDIEGO0001", zoneName: D, recordSets: [{ name: SHARED, type: "MX", values: [`10 ${mailFromMxHost("us-east-1")}`] }] },
    sendUsers: [],
  };
  const entry = (planAdoption(live, "prod").config["mail-infra:regionalMailFromSubdomains"] as string[]).find((e) => e.startsWith("us-west-2="));
  return entry?.split("=")[1] ?? "";
}

describe("discovery-mode verify on a MAIL FROM both regions share (issue 17)", () => {
  it("says the name serves us-east-1, and gives us-west-2 its own name staged with USE_DEFAULT_VALUE, as adopt does", async () => {
    const { manifest, findings, notChecked } = await verifyDiscovered();
    expect(manifest.domains[0].regions.map((r) => r.mailFromDomain)).toEqual([SHARED, SHARED]);

    // us-east-1 works today and keeps working.
    expect(find(findings, "dns.mail-from.mx", "us-east-1")).toMatchObject({ status: "pass", summary: expect.stringContaining(`${SHARED} serves us-east-1`) });
    expect(find(findings, "ses.identity.mail-from", "us-east-1").status).toBe("pass");

    const newName = adoptsName();
    expect(newName).toBe(`bounce-us-west-2.${D}`);
    const mx = find(findings, "dns.mail-from.mx", "us-west-2");
    expect(mx.status).toBe("fail");
    expect(mx.summary).toBe(`${SHARED} is also the MAIL FROM of us-east-1; its one MX names us-east-1's feedback host, so it serves us-east-1: SES in us-west-2 cannot use it`);
    expect(mx.remediation).toContain(`${SHARED} serves us-east-1`);
    expect(mx.remediation).toContain("leave its MX as it is");
    expect(mx.remediation).toContain(`aws sesv2 put-email-identity-mail-from-attributes --email-identity ${D} --mail-from-domain ${newName} --behavior-on-mx-failure USE_DEFAULT_VALUE --region us-west-2`);
    expect(mx.remediation).not.toMatch(new RegExp(`Set the MX of ${SHARED.replace(/\./g, "\\.")}`));
    const expectedFix: FixStep[] = [
      { kind: "dns-record-set", name: newName, type: "MX", values: [`10 ${mailFromMxHost("us-west-2")}`] },
      { kind: "dns-record-set", name: newName, type: "TXT", values: ["v=spf1 include:amazonses.com ~all"] },
      { kind: "ses-mail-from", domain: D, region: "us-west-2", mailFromDomain: newName, behaviorOnMxFailure: "USE_DEFAULT_VALUE" },
    ];
    expect(mx.fix).toEqual(expectedFix);
    // --json carries the fix for tools.
    const json = JSON.parse(formatJson(findings, { target: D, layers: ["ses", "dns"] })) as { findings: Finding[] };
    expect(json.findings.find((f) => f.id === "dns.mail-from.mx" && f.subject.includes("us-west-2"))?.fix).toEqual(expectedFix);

    // The SES check of us-west-2 gives the same fix, not "check the MX".
    const ses = find(findings, "ses.identity.mail-from", "us-west-2");
    expect(ses.status).toBe("fail");
    expect(ses.summary).toBe(`MAIL FROM ${SHARED} is shared with us-east-1; it serves us-east-1 (its MX names that region's feedback host), so SES in us-west-2 cannot use it`);
    expect(ses.evidence).toContainEqual(expect.stringMatching(new RegExp(`^MAIL FROM ${SHARED.replace(/\./g, "\\.")} status FAILED: SES cannot find the MX`)));
    expect(ses.fix).toEqual(expectedFix);
    // Its FAILED status is evidence, not a second fix: nothing says to point the MX at us-west-2 or set the shared name again.
    expect(ses.remediation).toBe(mx.remediation);
    // The live identities chose REJECT_MESSAGE: both fixes say to set it back once SES reports SUCCESS.
    for (const f of [mx, ses]) expect(f.remediation).toContain(`when verify shows ${newName} SUCCESS in us-west-2, run the same command with --behavior-on-mx-failure REJECT_MESSAGE`);

    // No finding's fix touches the record us-east-1's passing checks depend on.
    const touched = findings.flatMap((f) => f.fix ?? []).filter((s) => s.kind === "dns-record-set" && s.name === SHARED && s.type === "MX");
    expect(touched).toEqual([]);

    // The text report, as `npm run verify -- --domain ... --only ses,dns` prints it at the default
    // width (docs/operations.md shows its MAIL FROM lines).
    const columns = process.env.COLUMNS;
    delete process.env.COLUMNS;
    try {
      const text = formatText(findings, { target: `${D} (discovered from AWS)`, layers: ["ses", "dns"], notChecked, verbose: false, color: false });
      await docOutput("verify-shared-mail-from", text);
    } finally {
      if (columns !== undefined) process.env.COLUMNS = columns;
    }
  });
});
