import { describe, expect, it } from "vitest";
import { validateConfig, type MailConfig } from "../lib/config";
import { configIssues, pulumiConfig, PROD_LIKE } from "./helpers/config";

function valid(values: Record<string, string | number | string[]>, stack = "test"): MailConfig {
  return validateConfig(pulumiConfig(values), stack);
}

const issues = configIssues;

const base = { domain: "example.com", regions: ["us-east-1"] };

describe("config: the production stack", () => {
  it("validates into one typed object", () => {
    const cfg = valid(PROD_LIKE, "prod");
    expect(cfg.domains).toHaveLength(1);
    const d = cfg.domains[0];
    expect(d.domain).toBe("queenofsandiego.com");
    expect(d.regions.map((r) => [r.region, r.primary, r.mailFromDomain])).toEqual([
      ["us-east-1", true, "bounce.queenofsandiego.com"],
      ["us-west-2", false, "bounce-us-west-2.queenofsandiego.com"],
    ]);
    expect(d.dmarc).toEqual({ v: "DMARC1", p: "none", rua: ["mailto:dmarc-reports@queenofsandiego.com"] });
    // The default (docs/architecture.md, "MAIL FROM when its MX fails"): DKIM carries DMARC.
    expect(d.mailFromBehaviorOnMxFailure).toBe("USE_DEFAULT_VALUE");
    expect(d.tlsPolicy).toBe("REQUIRE");
    expect(d.dkimSigningKeyLength).toBe("RSA_2048_BIT");
    expect(d.dns).toEqual({ mode: "route53", zone: { name: "queenofsandiego.com" } });
    expect(cfg.smtp).toMatchObject({ userName: "mail-infra-smtp-prod", secretName: "mail-infra/prod/ses-smtp", secretRegion: "us-east-1", recoveryWindowDays: 30, keyGeneration: 1 });
    expect(cfg.senders).toEqual([{ address: "admin@queenofsandiego.com", kind: "gmail-send-as", account: "owner@gmail.com", region: "us-east-1" }]);
  });

  it("accepts insecure but legal settings for the policy pack to judge", () => {
    const cfg = valid({ ...base, smtpCredentials: "any-address", dmarcPolicy: "none", mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE", tlsPolicy: "OPTIONAL", dkimSigningKeyLength: "RSA_1024_BIT", smtpSecretRecoveryWindowDays: 0 });
    expect(cfg.domains[0]).toMatchObject({ mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE", tlsPolicy: "OPTIONAL", dkimSigningKeyLength: "RSA_1024_BIT" });
    expect(cfg.smtp?.recoveryWindowDays).toBe(0);
  });

  it("reports every problem at once, each naming its key", () => {
    const found = issues({ domain: "bad_domain", regions: ["mars-1"], dmarcPolicy: "nope" });
    expect(found.map((f) => f.split(":").slice(0, 2).join(":"))).toEqual([
      "mail-infra:domain",
      "mail-infra:regions[0]",
      "mail-infra:dmarcPolicy",
    ]);
  });
});

describe("config: keys and types", () => {
  it("requires regions", () => {
    expect(issues({ domain: "example.com" })).toEqual([expect.stringMatching(/^mail-infra:regions: is required\. Set it with `pulumi config set/)]);
  });
  it("rejects an unknown key and suggests the right spelling", () => {
    expect(issues({ ...base, dmarcpolicy: "none" })).toEqual([expect.stringMatching(/^mail-infra:dmarcpolicy: unknown key\. Did you mean mail-infra:dmarcPolicy\?/)]);
  });
  it("rejects a wrong type", () => {
    expect(issues({ ...base, dmarcPercent: "half" })).toEqual([expect.stringMatching(/^mail-infra:dmarcPercent: must be a whole number/)]);
    expect(issues({ ...base, regions: "us-east-1" })).toEqual([expect.stringMatching(/^mail-infra:regions: must be a list of strings/)]);
  });
  it("ignores other namespaces such as aws:region", () => {
    expect(valid({ ...base, "aws:region": "eu-west-1" }).domains).toHaveLength(1);
  });
});

describe("config: domains", () => {
  it("needs a domain", () => {
    expect(issues({ regions: ["us-east-1"] })).toEqual([expect.stringMatching(/^mail-infra:domain: no domain configured/)]);
  });
  it("refuses domain and domains together", () => {
    expect(issues({ ...base, domains: ["example.org"] })).toEqual([expect.stringMatching(/^mail-infra:domains: set either/)]);
  });
  it("rejects bad syntax", () => {
    expect(issues({ ...base, domain: "-bad-.com" })).toEqual([expect.stringMatching(/^mail-infra:domain: "-bad-\.com" is not a valid domain/)]);
    expect(issues({ ...base, domain: "localhost" })).toEqual([expect.stringMatching(/^mail-infra:domain: "localhost" is not a valid domain/)]);
    expect(issues({ ...base, domain: `${"a".repeat(64)}.com` })).toEqual([expect.stringMatching(/is not a valid domain.*63/)]);
  });
  it("accepts IDN and stores it as punycode", () => {
    expect(valid({ ...base, domain: "bücher.example" }).domains[0].domain).toBe("xn--bcher-kva.example");
    expect(valid({ ...base, domain: "xn--bcher-kva.example" }).domains[0].domain).toBe("xn--bcher-kva.example");
  });
  it("takes a list of domains and refuses duplicates", () => {
    expect(valid({ domains: ["a.example", "b.example"], regions: ["us-east-1"] }).domains.map((d) => d.domain)).toEqual(["a.example", "b.example"]);
    expect(issues({ domains: ["a.example", "A.example."], regions: ["us-east-1"] })).toEqual([expect.stringMatching(/^mail-infra:domains\[1\]: "A\.example\." is listed twice/)]);
  });
});

describe("config: regions", () => {
  it("refuses a region without SES SMTP and lists the ones that have it", () => {
    expect(issues({ ...base, regions: ["us-east-1", "eu-east-9"] })).toEqual([
      expect.stringMatching(/^mail-infra:regions\[1\]: "eu-east-9" has no Amazon SES SMTP endpoint.*Use one of: us-east-1, /),
    ]);
  });
  it("refuses duplicate regions", () => {
    expect(issues({ ...base, regions: ["us-east-1", "us-east-1"] })).toEqual([expect.stringMatching(/regions\[1\]: "us-east-1" is listed twice/)]);
  });
  it("refuses regions of two AWS partitions (lib/regions mixedPartitionsProblem, as the policy pack)", () => {
    expect(issues({ ...base, regions: ["us-east-1", "us-gov-west-1", "us-west-2"] })).toEqual([
      "mail-infra:regions: us-east-1, us-west-2 (aws) and us-gov-west-1 (aws-us-gov) are in different AWS partitions: one SMTP user, its access key and one set of credentials cannot act in both, so the SMTP password fails in the other partition and the deployment cannot reach both. Put each partition's regions in their own stack (own account, own credentials).",
    ]);
    expect(valid({ ...base, smtpCredentials: "any-address", regions: ["us-gov-west-1", "us-gov-east-1"] }).smtp?.secretRegion).toBe("us-gov-west-1");
  });
});

describe("config: MAIL FROM", () => {
  it("accepts a label or the full name under the domain", () => {
    expect(valid({ ...base, mailFromSubdomain: "mail" }).domains[0].regions[0].mailFromDomain).toBe("mail.example.com");
    expect(valid({ ...base, mailFromSubdomain: "mail.example.com" }).domains[0].regions[0].mailFromDomain).toBe("mail.example.com");
  });
  it("refuses the apex", () => {
    expect(issues({ ...base, mailFromSubdomain: "example.com" })).toEqual([expect.stringMatching(/^mail-infra:mailFromSubdomain: MAIL FROM example\.com is the apex/)]);
    expect(issues({ ...base, mailFromSubdomain: "@" })).toEqual([expect.stringMatching(/is the apex/)]);
  });
  it("refuses a name outside the domain", () => {
    expect(issues({ ...base, mailFromSubdomain: "bounce.example.org" })).toEqual([expect.stringMatching(/^mail-infra:mailFromSubdomain: MAIL FROM bounce\.example\.org is not under example\.com/)]);
  });
  it("gives every other region its own MAIL FROM by default, and takes overrides", () => {
    const cfg = valid({ ...base, regions: ["us-east-1", "eu-west-1", "us-west-2"], regionalMailFromSubdomains: ["us-west-2=bounce-usw2"] });
    expect(cfg.domains[0].regions.map((r) => r.mailFromDomain)).toEqual(["bounce.example.com", "bounce-eu-west-1.example.com", "bounce-usw2.example.com"]);
  });
  it("refuses two regions sharing one MAIL FROM", () => {
    expect(issues({ ...base, regions: ["us-east-1", "us-west-2"], regionalMailFromSubdomains: ["us-west-2=bounce"] })).toEqual([
      expect.stringMatching(/^mail-infra:regionalMailFromSubdomains: bounce\.example\.com is the MAIL FROM of us-east-1 and us-west-2, but its one MX can name only one region's feedback host, so it can serve only one of them\. Give us-west-2 its own, e.g\. us-west-2=bounce-us-west-2\./),
    ]);
  });
  it("refuses malformed or misplaced regional entries", () => {
    expect(issues({ ...base, regionalMailFromSubdomains: ["us-west-2:bounce"] })).toEqual([expect.stringMatching(/is not region=subdomain/)]);
    expect(issues({ ...base, regionalMailFromSubdomains: ["us-west-2=b2"] })).toEqual([expect.stringMatching(/region "us-west-2" is not in mail-infra:regions/)]);
    expect(issues({ ...base, regionalMailFromSubdomains: ["us-east-1=b2"] })).toEqual([expect.stringMatching(/is the primary region/)]);
    expect(issues({ ...base, regions: ["us-east-1", "us-west-2"], regionalMailFromSubdomains: ["us-west-2=b2", "us-west-2=b3"] })).toEqual([
      expect.stringMatching(/^mail-infra:regionalMailFromSubdomains\[1\]: region "us-west-2" is listed twice\. Keep one entry\./),
    ]);
  });
  it("restricts the failure behaviour to the two SES values", () => {
    expect(issues({ ...base, mailFromBehaviorOnMxFailure: "IGNORE" })).toEqual([expect.stringMatching(/^mail-infra:mailFromBehaviorOnMxFailure: "IGNORE" is not allowed\. Use one of: REJECT_MESSAGE, USE_DEFAULT_VALUE/)]);
  });
});

describe("config: names across domains", () => {
  it("refuses a MAIL FROM that is another configured domain (lib/domain mailFromCollisions, as the policy pack)", () => {
    expect(issues({ domains: ["example.com", "sub.example.com"], regions: ["us-east-1"], mailFromSubdomain: "sub" })).toEqual([
      expect.stringMatching(/^mail-infra:mailFromSubdomain: The MAIL FROM of example\.com is sub\.example\.com, which is itself a sending domain of this stack/),
    ]);
    expect(valid({ domains: ["example.com", "sub.example.com"], regions: ["us-east-1"] }).domains.map((d) => d.regions[0]?.mailFromDomain)).toEqual(["bounce.example.com", "bounce.sub.example.com"]);
  });
  it("refuses two domains whose configuration set and topic names are equal (lib/names nameCollisions)", () => {
    expect(issues({ domains: ["a.b-c.com", "a-b.c.com"], regions: ["us-east-1", "us-west-2"] })).toEqual([
      "mail-infra:domains: a.b-c.com and a-b.c.com get the same configuration set name mail-infra-a-b-c-com (names keep only letters and digits), so the second one cannot be created. Put one of them in another stack.",
      "mail-infra:domains: a.b-c.com and a-b.c.com get the same SNS topic name mail-infra-a-b-c-com-ses-events (names keep only letters and digits), so the second one cannot be created. Put one of them in another stack.",
    ]);
  });
});

describe("config: DMARC tags", () => {
  it.each([
    ["dmarcPolicy", "monitor", /^mail-infra:dmarcPolicy: "monitor" is not a DMARC policy.*none.*quarantine.*reject/],
    ["dmarcSubdomainPolicy", "block", /^mail-infra:dmarcSubdomainPolicy: "block" is not a DMARC policy.*none.*quarantine.*reject/],
    ["dmarcAdkim", "x", /^mail-infra:dmarcAdkim: .*\br\b.*\bs\b/],
    ["dmarcAspf", "relaxed", /^mail-infra:dmarcAspf: .*\br\b.*\bs\b/],
  ])("%s refuses %s", (key, value, pattern) => {
    expect(issues({ ...base, [key]: value })).toEqual([expect.stringMatching(pattern)]);
  });
  it("pct must be 0 to 100", () => {
    expect(issues({ ...base, dmarcPercent: 101 })).toEqual([expect.stringMatching(/^mail-infra:dmarcPercent: /)]);
    expect(issues({ ...base, dmarcPercent: -1 })).toEqual([expect.stringMatching(/^mail-infra:dmarcPercent: /)]);
    expect(valid({ ...base, dmarcPercent: 0 }).domains[0].dmarc.pct).toBe(0);
  });
  it("rua and ruf must be mailto: URIs", () => {
    expect(issues({ ...base, dmarcRua: ["https://reports.example.com"] })).toEqual([expect.stringMatching(/^mail-infra:dmarcRua\[0\]: .*mailto:/)]);
    expect(issues({ ...base, dmarcRuf: ["mailto:not-an-address"] })).toEqual([expect.stringMatching(/^mail-infra:dmarcRuf\[0\]: /)]);
    expect(valid({ ...base, dmarcRua: ["mailto:a@example.com!10m"] }).domains[0].dmarc.rua).toEqual(["mailto:a@example.com!10m"]);
  });
  it("defaults rua to a mailbox at each domain", () => {
    const cfg = valid({ domains: ["a.example", "b.example"], regions: ["us-east-1"] });
    expect(cfg.domains.map((d) => d.dmarc.rua)).toEqual([["mailto:dmarc-reports@a.example"], ["mailto:dmarc-reports@b.example"]]);
  });
});

describe("config: SPF mechanisms", () => {
  it("merges valid extra terms into one apex record", () => {
    const cfg = valid({ ...base, spfMechanisms: ["include:_spf.google.com", "ip4:192.0.2.0/24"], spfAll: "-all" });
    expect(cfg.domains[0].spf.record).toBe("v=spf1 include:_spf.google.com ip4:192.0.2.0/24 -all");
  });
  it.each([
    ["+all", /all/],
    ["all", /all/],
    ["?all", /all/],
    ["redirect=_spf.example.net", /redirect/],
    ["ip4:300.1.1.1", /ip4/],
    ["include:", /include/],
    ["v=spf1", /v=spf1/],
    ["frobnicate:x", /frobnicate|unknown/i],
  ])("refuses %s", (term, pattern) => {
    const found = issues({ ...base, spfMechanisms: ["include:amazonses.com", term] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^mail-infra:spfMechanisms\[1\]: /);
    expect(found[0]).toMatch(pattern);
  });
  it("spfAll is ~all or -all", () => {
    expect(issues({ ...base, spfAll: "+all" })).toEqual([expect.stringMatching(/^mail-infra:spfAll: "\+all" is not allowed/)]);
  });
});

describe("config: DNS mode", () => {
  it("route53 by zone name (default) or id", () => {
    expect(valid(base).domains[0].dns).toEqual({ mode: "route53", zone: { name: "example.com" } });
    expect(valid({ ...base, route53Zones: ["example.com=Z0123456789ABCDEFGHIJ"] }).domains[0].dns).toEqual({ mode: "route53", zone: { id: "Z0123456789ABCDEFGHIJ" } });
  });
  it("external creates no zone", () => {
    expect(valid({ ...base, dnsMode: "external" }).domains[0].dns).toEqual({ mode: "external" });
  });
  it("refuses an unknown mode", () => {
    expect(issues({ ...base, dnsMode: "cloudflare" })).toEqual([expect.stringMatching(/^mail-infra:dnsMode: "cloudflare" is not allowed\. Use one of: route53, external/)]);
  });
  it("refuses a zone that cannot hold the domain, or zones in external mode", () => {
    expect(issues({ ...base, route53Zones: ["example.com=other.org"] })).toEqual([expect.stringMatching(/zone "other\.org" is neither/)]);
    expect(issues({ ...base, route53Zones: ["example.org=example.org"] })).toEqual([expect.stringMatching(/not one of the configured domains/)]);
    expect(issues({ ...base, dnsMode: "external", route53Zones: ["example.com=example.com"] })).toEqual([expect.stringMatching(/dnsMode is external/)]);
  });
  it("TTL stays in a sane range", () => {
    expect(issues({ ...base, dnsTtl: 5 })).toEqual([expect.stringMatching(/^mail-infra:dnsTtl: 5 is out of range/)]);
  });
});

describe("config: SMTP credentials and senders", () => {
  it("refuses a recovery window Secrets Manager would reject", () => {
    expect(issues({ ...base, smtpSecretRecoveryWindowDays: 3 })).toEqual([expect.stringMatching(/^mail-infra:smtpSecretRecoveryWindowDays: 3 .*7 to 30/)]);
  });
  it("refuses a KMS key ARN of another region than the secret's (lib/aws-ids kmsKeyRegionProblem, as the policy pack)", () => {
    const key = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(issues({ ...base, regions: ["us-east-1", "us-west-2"], smtpSecretKmsKeyId: key })).toEqual([
      expect.stringMatching(/^mail-infra:smtpSecretKmsKeyId: the KMS key "arn:aws:kms:us-west-2:.*is in us-west-2, but the secret is in us-east-1: .*\(The secret is kept in the primary region, the first of mail-infra:regions\.\)$/),
    ]);
    expect(valid({ ...base, smtpCredentials: "any-address", regions: ["us-west-2", "us-east-1"], smtpSecretKmsKeyId: key }).smtp?.kmsKeyId).toBe(key);
    expect(valid({ ...base, smtpCredentials: "any-address", smtpSecretKmsKeyId: "alias/mail" }).smtp?.kmsKeyId).toBe("alias/mail");
  });
  it("mail-infra:snsKmsKeyId: takes an alias or a multi-Region key id for topics in several regions, refuses aws/sns and a key ARN of one region (lib/aws-ids snsTopicKeyProblem, as the policy pack)", () => {
    expect(valid({ ...base, regions: ["us-east-1", "us-west-2"], snsKmsKeyId: "alias/mail-sns" }).snsKmsKeyId).toBe("alias/mail-sns");
    expect(valid({ ...base, regions: ["us-east-1", "us-west-2"], snsKmsKeyId: "mrk-1234abcd12ab34cd56ef1234567890ab" }).snsKmsKeyId).toBe("mrk-1234abcd12ab34cd56ef1234567890ab");
    expect(valid({ ...base }).snsKmsKeyId).toBeUndefined();
    expect(issues({ ...base, snsKmsKeyId: "alias/aws/sns" })).toEqual([expect.stringMatching(/^mail-infra:snsKmsKeyId: "alias\/aws\/sns" is the AWS-managed key of SNS\. .*Leave it empty for topics without a customer-managed key\.$/)]);
    const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    // One SES region, no alerts: every topic is in us-east-1, so its key ARN is fine.
    expect(valid({ ...base, regions: ["us-east-1"], snsKmsKeyId: arn }).snsKmsKeyId).toBe(arn);
    expect(issues({ ...base, regions: ["us-east-1", "us-west-2"], snsKmsKeyId: arn })).toEqual([expect.stringMatching(/^mail-infra:snsKmsKeyId: the KMS key .* is in us-east-1, but the stack has SNS topics in us-west-2 too/)]);
    // SES in eu-west-1 only, with alerts: the IAM alerts topic is in us-east-1.
    const euArn = arn.replace("us-east-1", "eu-west-1");
    expect(valid({ ...base, regions: ["eu-west-1"], snsKmsKeyId: euArn }).snsKmsKeyId).toBe(euArn);
    expect(issues({ ...base, regions: ["eu-west-1"], alertEmails: ["ops@example.org"], snsKmsKeyId: euArn })).toEqual([expect.stringMatching(/SNS topics in us-east-1 too/)]);
    expect(issues({ ...base, snsKmsKeyId: "my key" })).toEqual([expect.stringMatching(/^mail-infra:snsKmsKeyId: "my key" is not a KMS key reference/)]);
  });
  it("refuses a key generation below 1", () => {
    expect(issues({ ...base, smtpKeyGeneration: 0 })).toEqual([expect.stringMatching(/^mail-infra:smtpKeyGeneration: /)]);
  });
  it("refuses a bad IAM user name", () => {
    expect(issues({ ...base, smtpUserName: "smtp user" })).toEqual([expect.stringMatching(/^mail-infra:smtpUserName: .*not a valid IAM user name/)]);
  });
  it("refuses From addresses outside the domains", () => {
    expect(issues({ ...base, smtpAllowedFromAddresses: ["x@other.org"] })).toEqual([expect.stringMatching(/smtpAllowedFromAddresses\[0\]: "x@other\.org" is not at a configured domain/)]);
  });
  it("parses the sender inventory and refuses broken entries", () => {
    expect(issues({ ...base, senders: ["address=a@example.com; kind=gmail-send-as; region=us-east-1"] })).toEqual([expect.stringMatching(/senders\[0\]: kind=gmail-send-as needs account=/)]);
    expect(issues({ ...base, senders: ["address=a@other.org; kind=smtp-client; region=us-east-1"] })).toEqual([expect.stringMatching(/senders\[0\]: address a@other\.org is not at a configured domain/)]);
    expect(issues({ ...base, senders: ["address=a@example.com; kind=smtp-client; region=us-west-2"] })).toEqual([expect.stringMatching(/senders\[0\]: region us-west-2 is not in mail-infra:regions/)]);
    expect(issues({ ...base, senders: ["address=a@example.com; kind=fax; region=us-east-1"] })).toEqual([expect.stringMatching(/senders\[0\]: needs kind=gmail-send-as or smtp-client/)]);
    expect(issues({ ...base, senders: ["just text"] })).toEqual([expect.stringMatching(/senders\[0\]: "just text" is not key=value/)]);
    expect(valid({ ...base, senders: ["address=App@Example.com; kind=smtp-client; region=us-east-1"] }).senders).toEqual([{ address: "app@example.com", kind: "smtp-client", region: "us-east-1" }]);
  });
  it("refuses more domains and regions than the SMTP user's inline policy can name", () => {
    const domains = (n: number) => Array.from({ length: n }, (_, i) => `d${i}.example.com`);
    expect(valid({ domains: domains(5), regions: ["us-east-1", "us-west-2"] }).domains).toHaveLength(5);
    expect(issues({ domains: domains(10), regions: ["us-east-1", "us-west-2"] })).toEqual([
      expect.stringMatching(/^mail-infra:domains: 10 domains in 2 regions make the SMTP user's send-only policy \d+ characters, over IAM's 2048-character limit.*List the senders in mail-infra:senders.*split the domains across stacks/),
    ]);
  });
  it("the From condition holds the senders plus smtpAllowedFromAddresses", () => {
    const cfg = valid({ ...base, smtpCredentials: "any-address", smtpAllowedFromAddresses: ["B@example.com", "*@example.com"], senders: ["address=a@example.com; kind=smtp-client; region=us-east-1"] });
    expect(cfg.smtp?.allowedFromAddresses).toEqual(["a@example.com", "b@example.com", "*@example.com"]);
  });
});

describe("config: mail-infra:apexTxtValues", () => {
  it("keeps the values verbatim, in the apex TXT set next to the SPF record", () => {
    const values = ["google-site-verification=AbC_123", "MS=ms48213", "  spaced value kept  "];
    const d = valid({ ...base, spfMechanisms: ["include:_spf.google.com"], apexTxtValues: values }).domains[0];
    expect(d.apexTxtValues).toEqual(values);
  });

  it("defaults to none", () => {
    expect(valid(base).domains[0].apexTxtValues).toEqual([]);
  });

  it("refuses a second SPF record, a DMARC record, an empty value, control characters and duplicates, naming the entry", () => {
    const got = issues({ ...base, apexTxtValues: ["v=spf1 include:x.example ~all", "v=DMARC1; p=none", " ", "a\nb", "tok", "tok"] });
    expect(got).toEqual([
      expect.stringMatching(/^mail-infra:apexTxtValues\[0\]: .*is an SPF record\. A domain may publish only one .*mail-infra:spfMechanisms/),
      expect.stringMatching(/^mail-infra:apexTxtValues\[1\]: .*is a DMARC record/),
      "mail-infra:apexTxtValues[2]: is empty. Remove it.",
      expect.stringMatching(/^mail-infra:apexTxtValues\[3\]: .*holds control characters/),
      expect.stringMatching(/^mail-infra:apexTxtValues\[5\]: .*listed twice/),
    ]);
  });

  it("refuses apex values in a multi-domain stack (they belong to one domain)", () => {
    expect(issues({ domains: ["a.example", "b.example"], regions: ["us-east-1"], apexTxtValues: ["tok"] })).toEqual([
      expect.stringMatching(/^mail-infra:apexTxtValues: is set in a stack with several domains/),
    ]);
  });
});
