import { describe, expect, it } from "vitest";
import {
  assertSmtpRegion,
  dkimCnameName,
  dkimCnameTarget,
  dkimSigningHostedZone,
  isSesDkimTarget,
  isSmtpRegion,
  MAIL_FROM_MX_PRIORITY,
  mailFromMxHost,
  mixedPartitionsProblem,
  parseSmtpRegion,
  partitionOf,
  regionalArn,
  regionOfMailFromMxHost,
  regionOfSmtpEndpoint,
  SES_SMTP_PORT,
  SES_SMTP_REGIONS,
  SES_SPF_INCLUDE_DOMAIN,
  smtpEndpoint,
} from "../../lib/regions";
import { sesArn } from "../../lib/iam";
import { secretEventPattern } from "../../lib/monitoring";

describe("regionOfSmtpEndpoint", () => {
  it("reads the region of an SES SMTP endpoint, FIPS and trailing dot included", () => {
    expect(regionOfSmtpEndpoint(smtpEndpoint("us-west-2"))).toBe("us-west-2");
    expect(regionOfSmtpEndpoint("email-smtp-fips.us-gov-west-1.amazonaws.com.")).toBe("us-gov-west-1");
    expect(regionOfSmtpEndpoint(" EMAIL-SMTP.EU-CENTRAL-1.AMAZONAWS.COM ")).toBe("eu-central-1");
  });

  it("is undefined for any other host", () => {
    for (const h of ["smtp.gmail.com", "feedback-smtp.us-east-1.amazonses.com", "email-smtp.us-east-1.amazonaws.com.evil.example", "email.us-east-1.amazonaws.com", ""]) {
      expect(regionOfSmtpEndpoint(h)).toBeUndefined();
    }
  });

  it("does not take a MAIL FROM feedback host, nor the other way round", () => {
    expect(regionOfMailFromMxHost(smtpEndpoint("us-east-1"))).toBeUndefined();
    expect(regionOfMailFromMxHost("feedback-smtp.us-east-1.amazonses.com")).toBe("us-east-1");
  });
});

describe("regionalArn", () => {
  it("names the region's partition: aws, aws-cn, aws-us-gov", () => {
    expect(regionalArn("events", "us-east-1", "123456789012", "rule/r")).toBe("arn:aws:events:us-east-1:123456789012:rule/r");
    expect(regionalArn("events", "cn-north-1", "123456789012", "rule/r")).toBe("arn:aws-cn:events:cn-north-1:123456789012:rule/r");
    expect(sesArn("us-gov-west-1", "123456789012", "identity", "example.com")).toBe("arn:aws-us-gov:ses:us-gov-west-1:123456789012:identity/example.com");
    // The secret rule matches a secret named by ARN in its own partition, not in aws.
    const pattern = secretEventPattern("mail-infra/prod/ses-smtp", "cn-northwest-1", "123456789012") as { detail: { requestParameters: { secretId: unknown[] } } };
    expect(pattern.detail.requestParameters.secretId[1]).toEqual({ prefix: "arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:mail-infra/prod/ses-smtp-" });
  });
});

/**
 * The tables against AWS General Reference, "Amazon Simple Email Service endpoints and quotas":
 * its "SMTP endpoints" and "Easy DKIM domains" sections.
 */
describe("SES_SMTP_REGIONS", () => {
  it("holds region codes only, each once", () => {
    for (const r of SES_SMTP_REGIONS) expect(r).toMatch(/^[a-z]{2}(-gov)?-[a-z]+-\d+$/);
    expect(new Set(SES_SMTP_REGIONS).size).toBe(SES_SMTP_REGIONS.length);
  });

  it("has the regions AWS lists with an SMTP endpoint, and none of the China regions (no SES there)", () => {
    for (const r of ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1", "us-gov-west-1"]) expect(isSmtpRegion(r), r).toBe(true);
    for (const r of ["cn-north-1", "cn-northwest-1", "eu-east-9", "", "US-EAST-1"]) expect(isSmtpRegion(r), r).toBe(false);
  });

  it("uses port 587 for STARTTLS submission", () => {
    expect(SES_SMTP_PORT).toBe(587);
  });
});

describe("parseSmtpRegion", () => {
  it("says an empty region is empty, even when it is only spaces, and lists the regions", () => {
    for (const input of ["", "   "]) {
      const r = parseSmtpRegion(input);
      expect("error" in r && r.error).toMatch(/^the region is empty\. Use one of: us-east-1, us-east-2, us-west-1, .*, us-gov-west-1\.$/);
    }
  });

  it("echoes the input as given and links AWS's list", () => {
    const r = parseSmtpRegion(" Eu-East-9 ");
    expect("error" in r && r.error).toMatch(/^" Eu-East-9 " has no Amazon SES SMTP endpoint\. Use one of: us-east-1, .*, us-gov-west-1 \(https:\/\/docs\.aws\.amazon\.com\/general\/latest\/gr\/ses\.html#ses_smtp_endpoints\)\.$/);
  });

  it("points from an availability zone to its region only when that region has SMTP, and only for a whole zone name", () => {
    const hint = (input: string) => {
      const r = parseSmtpRegion(input);
      return "error" in r ? /That is an availability zone; the region is ([a-z0-9-]+)\./.exec(r.error)?.[1] : r.region;
    };
    expect(hint("us-gov-west-1a")).toBe("us-gov-west-1");
    expect(hint("EU-WEST-2C")).toBe("eu-west-2");
    for (const input of ["eu-east-9a", "cn-north-1a", "xus-east-1a", "us-east-1ab", "us-east-1-a"]) expect(hint(input), input).toBeUndefined();
  });
});

describe("assertSmtpRegion", () => {
  it("passes an SMTP region and throws for another, naming it and the source", () => {
    expect(() => assertSmtpRegion("eu-west-1")).not.toThrow();
    expect(() => assertSmtpRegion("cn-north-1")).toThrow(
      /^Region "cn-north-1" has no Amazon SES SMTP endpoint\. Use one of: us-east-1, .*, us-gov-west-1 \(source: https:\/\/docs\.aws\.amazon\.com\/general\/latest\/gr\/ses\.html#ses_smtp_endpoints\)\.$/,
    );
  });
});

describe("Easy DKIM hosts", () => {
  /** AWS's "Easy DKIM domains" table: the regions whose CNAMEs point at dkim.<region>.amazonses.com. */
  const REGIONAL = ["af-south-1", "ap-south-2", "ap-southeast-3", "ap-southeast-5", "ap-northeast-3", "ca-west-1", "eu-central-2", "eu-south-1", "il-central-1", "me-central-1", "us-gov-east-1"];

  it("points a regional region's CNAMEs at its own host and every other region's at dkim.amazonses.com", () => {
    for (const r of REGIONAL) expect(dkimSigningHostedZone(r), r).toBe(`dkim.${r}.amazonses.com`);
    for (const r of SES_SMTP_REGIONS.filter((x) => !REGIONAL.includes(x))) expect(dkimSigningHostedZone(r), r).toBe("dkim.amazonses.com");
  });

  it("names a token's CNAME and its target", () => {
    expect(dkimCnameName("abc123", "example.com")).toBe("abc123._domainkey.example.com");
    expect(dkimCnameTarget("abc123", "us-east-1")).toBe("abc123.dkim.amazonses.com");
    expect(dkimCnameTarget("abc123", "il-central-1")).toBe("abc123.dkim.il-central-1.amazonses.com");
    // The signing zone SES reports wins over the table.
    expect(dkimCnameTarget("abc123", "us-east-1", "dkim.example-zone.amazonses.com")).toBe("abc123.dkim.example-zone.amazonses.com");
  });

  it("recognises a CNAME into any of these hosts, in any case, with spaces or a trailing dot", () => {
    for (const r of REGIONAL) expect(isSesDkimTarget(`tok.dkim.${r}.amazonses.com`), r).toBe(true);
    expect(isSesDkimTarget(" Tok.DKIM.AF-SOUTH-1.amazonses.com. ")).toBe(true);
    // A region without a regional host has no such name.
    expect(isSesDkimTarget("tok.dkim.us-east-1.amazonses.com")).toBe(false);
    expect(isSesDkimTarget("tok.dkim.amazonses.com.")).toBe(true);
    expect(isSesDkimTarget("tokdkim.amazonses.com")).toBe(false);
  });
});

describe("MAIL FROM and SPF names", () => {
  it("uses SES's feedback host with preference 10 and amazonses.com's SPF record", () => {
    expect(mailFromMxHost("eu-west-1")).toBe("feedback-smtp.eu-west-1.amazonses.com");
    expect(MAIL_FROM_MX_PRIORITY).toBe(10);
    expect(SES_SPF_INCLUDE_DOMAIN).toBe("amazonses.com");
  });

  it("reads the region of a feedback host in any case, with spaces or a trailing dot", () => {
    expect(regionOfMailFromMxHost(" FEEDBACK-SMTP.AP-SOUTHEAST-2.AMAZONSES.COM. ")).toBe("ap-southeast-2");
    for (const h of ["feedback-smtp.us-east-1.amazonses.com.evil.example", "xfeedback-smtp.us-east-1.amazonses.com", "feedback-smtp..amazonses.com", "feedback-smtp.us_east.amazonses.com"]) {
      expect(regionOfMailFromMxHost(h), h).toBeUndefined();
    }
  });

  it("reads an SMTP endpoint's region only for the whole host name", () => {
    expect(smtpEndpoint("eu-west-3")).toBe("email-smtp.eu-west-3.amazonaws.com");
    for (const h of ["xemail-smtp.us-east-1.amazonaws.com", "email-smtp..amazonaws.com", "email-smtp.us_east.amazonaws.com", "email-smtpXfips.us-east-1.amazonaws.com"]) {
      expect(regionOfSmtpEndpoint(h), h).toBeUndefined();
    }
  });
});

describe("partitionOf (AWS General Reference, \"AWS partitions\")", () => {
  it("names each partition by its regions' prefix, ignoring case and spaces", () => {
    expect(partitionOf("eu-west-1")).toBe("aws");
    expect(partitionOf(" CN-NORTH-1 ")).toBe("aws-cn");
    expect(partitionOf("us-gov-east-1")).toBe("aws-us-gov");
    expect(partitionOf("us-iso-east-1")).toBe("aws-iso");
    expect(partitionOf("us-isob-east-1")).toBe("aws-iso-b");
    expect(partitionOf("eu-isoe-west-1")).toBe("aws-iso-e");
    expect(partitionOf("us-isof-south-1")).toBe("aws-iso-f");
    // A prefix only counts at the start.
    expect(partitionOf("xcn-north-1")).toBe("aws");
  });
});

describe("mixedPartitionsProblem", () => {
  it("says nothing for regions of one partition, or none", () => {
    expect(mixedPartitionsProblem([])).toBeUndefined();
    expect(mixedPartitionsProblem(["us-east-1", "eu-west-1", "ap-south-1"])).toBeUndefined();
    expect(mixedPartitionsProblem(["us-gov-west-1", "us-gov-east-1"])).toBeUndefined();
  });

  it("names each partition's regions once, in the order given", () => {
    expect(mixedPartitionsProblem(["us-east-1", " US-EAST-1 ", "eu-west-1", "us-gov-west-1"])).toBe(
      "us-east-1, eu-west-1 (aws) and us-gov-west-1 (aws-us-gov) are in different AWS partitions: one SMTP user, its access key and one set of credentials cannot act in both, so the SMTP password fails in the other partition and the deployment cannot reach both. Put each partition's regions in their own stack (own account, own credentials).",
    );
    expect(mixedPartitionsProblem(["cn-north-1", "us-east-1", "us-gov-east-1"])).toMatch(/^cn-north-1 \(aws-cn\) and us-east-1 \(aws\) and us-gov-east-1 \(aws-us-gov\) are in different AWS partitions: /);
  });
});
