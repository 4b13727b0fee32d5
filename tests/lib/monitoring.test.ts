/**
 * The monitoring rules (lib/monitoring.ts) on hand-built inputs: names, thresholds, the alarm
 * specs, the EventBridge patterns and messages, the region plan and the existing-topic checks.
 * Expected values come from AWS's documentation (SES reputation metrics and review rates,
 * CloudTrail's EventBridge detail-type, SES event publishing, SNS ARNs, S3 bucket names); that
 * the program declares them is tests/monitoring.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ALARM_EVALUATION,
  alertsTopicArnProblem,
  alertsTopicName,
  CLOUDTRAIL_DETAIL_TYPE,
  DEFAULT_THRESHOLDS,
  existingTopicProblems,
  FEEDBACK_DETAIL_TYPES,
  FEEDBACK_EVENT_DESTINATION_NAME,
  FEEDBACK_EVENT_TYPES,
  feedbackEventPattern,
  formatRate,
  IAM_EVENT_NAMES,
  IAM_EVENTS_REGION,
  iamEventPattern,
  isAlertsTopicName,
  monitoringRegions,
  parseRate,
  parseTopicArn,
  REPUTATION_METRICS,
  REPUTATION_NAMESPACE,
  reputationAlarmName,
  reputationAlarms,
  REVIEW_RATES,
  reviewRateProblem,
  RULE_DESCRIPTIONS,
  ruleName,
  ruleTransformer,
  type RulePurpose,
  SECRET_EVENT_NAMES,
  secretEventPattern,
  SES_EVENT_NAMES,
  sesEventPattern,
  thresholdOrderProblem,
  TRAIL_LOG_RETENTION_DAYS,
  trailBucketName,
  trailName,
  trailRegions,
} from "../../lib/monitoring";
import { ROOT } from "../helpers/spawn";

const PURPOSES: RulePurpose[] = ["iam", "ses", "secret", "feedback"];

describe("SES reputation: metrics, review rates and defaults", () => {
  it("reads SES's two reputation metrics in AWS/SES", () => {
    expect(REPUTATION_METRICS).toEqual({ bounce: "Reputation.BounceRate", complaint: "Reputation.ComplaintRate" });
    expect(REPUTATION_NAMESPACE).toBe("AWS/SES");
  });

  it("knows SES's review rates (5 % bounces, 0.1 % complaints) and warns below them", () => {
    expect(REVIEW_RATES).toEqual({ bounce: 0.05, complaint: 0.001 });
    expect(DEFAULT_THRESHOLDS).toEqual({ bounce: { warning: 0.02, alarm: 0.05 }, complaint: { warning: 0.0005, alarm: 0.001 } });
  });

  it("evaluates the hourly maximum once and keeps its state while no data arrives", () => {
    expect(ALARM_EVALUATION).toEqual({ statistic: "Maximum", periodSeconds: 3600, evaluationPeriods: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "ignore" });
  });
});

describe("names", () => {
  it("spells each name of a stack's monitoring", () => {
    expect(alertsTopicName("prod")).toBe("mail-infra-prod-alerts");
    expect(reputationAlarmName("prod", "complaint", "warning")).toBe("mail-infra-prod-complaint-rate-warning");
    expect(PURPOSES.map((p) => ruleName("prod", p))).toEqual(["mail-infra-prod-iam-changes", "mail-infra-prod-ses-changes", "mail-infra-prod-secret-changes", "mail-infra-prod-feedback"]);
    expect(trailName("prod")).toBe("mail-infra-prod");
    expect(IAM_EVENTS_REGION).toBe("us-east-1");
    expect(TRAIL_LOG_RETENTION_DAYS).toBe(365);
  });

  it("recognises an alerts topic name of any stack, and nothing else", () => {
    expect(isAlertsTopicName("mail-infra-prod-alerts")).toBe(true);
    for (const n of ["mail-infra--alerts", "xmail-infra-prod-alerts", "mail-infra-prod-alerts-2", "mail-infra-prod"]) expect(isAlertsTopicName(n), n).toBe(false);
  });
});

describe("trailBucketName (S3: 3 to 63 lowercase letters, digits and hyphens)", () => {
  it("lowercases the stack and turns every run of other characters into one hyphen", () => {
    expect(trailBucketName("prod", "123456789012")).toBe("mail-infra-prod-trail-123456789012");
    expect(trailBucketName("My_Stack..2", "123456789012")).toBe("mail-infra-my-stack-2-trail-123456789012");
    expect(trailBucketName("a--b", "123456789012")).toBe("mail-infra-a-b-trail-123456789012");
  });

  it("cuts a long name to 63 characters and keeps the account id", () => {
    const exactly63 = trailBucketName("s".repeat(33), "123456789012");
    expect(exactly63).toBe(`mail-infra-${"s".repeat(33)}-trail-123456789012`);
    expect(exactly63).toHaveLength(63);
    const long = trailBucketName("s".repeat(34), "123456789012");
    expect(long).toBe(`mail-infra-${"s".repeat(34)}-trai-123456789012`);
    expect(long).toHaveLength(63);
    expect(trailBucketName("s".repeat(200), "123456789012")).toBe(`mail-infra-${"s".repeat(39)}-123456789012`);
  });
});

describe("parseRate and formatRate", () => {
  it("reads a percentage with its sign, spaces allowed, as a fraction without binary noise", () => {
    expect(parseRate("2%")).toEqual({ fraction: 0.02 });
    expect(parseRate(" 0.05 % ")).toEqual({ fraction: 0.0005 });
    expect(parseRate(".5%")).toEqual({ fraction: 0.005 });
    expect(parseRate(".25%")).toEqual({ fraction: 0.0025 });
    expect(parseRate("99.9%")).toEqual({ fraction: 0.999 });
  });

  it("refuses a number without %, or anything around it", () => {
    for (const v of ["5", "0.05", "2%%", "a2%", "2%a", "1.%", "-1%", "%", ""]) {
      expect(parseRate(v), v).toEqual({ error: 'is not a percentage. Write it with a % sign, e.g. "2%" or "0.05%".' });
    }
  });

  it("takes only rates strictly between 0 % and 100 %", () => {
    for (const v of ["0%", "0.0%", "100%", "250%"]) expect(parseRate(v), v).toEqual({ error: "is out of range. Use a rate above 0% and below 100%." });
  });

  it("writes a fraction as people read it", () => {
    expect([0.02, 0.0005, 0.001, 0.05, 0.123456].map(formatRate)).toEqual(["2%", "0.05%", "0.1%", "5%", "12.3456%"]);
  });
});

describe("threshold problems", () => {
  it("needs the warning below the alarm", () => {
    expect(thresholdOrderProblem("bounce", { warning: 0.02, alarm: 0.05 })).toBeUndefined();
    expect(thresholdOrderProblem("bounce", { warning: 0.05, alarm: 0.05 })).toBe(
      "the bounce warning level 5% is not below the alarm level 5% (bounceRateAlarm). The warning must fire first: lower it, or raise the alarm level.",
    );
    expect(thresholdOrderProblem("complaint", { warning: 0.002, alarm: 0.001 })).toMatch(/^the complaint warning level 0\.2% is not below the alarm level 0\.1% \(complaintRateAlarm\)\./);
  });

  it("refuses a level above SES's review rate, suggesting the default", () => {
    expect(reviewRateProblem("bounce", "alarm", 0.05)).toBeUndefined();
    expect(reviewRateProblem("bounce", "alarm", 0.06)).toBe(
      '6% is above 5%, the bounce rate at which SES puts the account under review, so this alarm would fire only after SES has acted. Set mail-infra:bounceRateAlarm to "5%" (at most "5%").',
    );
    expect(reviewRateProblem("complaint", "warning", 0.002)).toBe(
      '0.2% is above 0.1%, the complaint rate at which SES puts the account under review, so this warning would fire only after SES has acted. Set mail-infra:complaintRateWarning to "0.05%" (at most "0.1%").',
    );
    expect(reviewRateProblem("bounce", "warning", 0.08)).toMatch(/Set mail-infra:bounceRateWarning to "2%" \(at most "5%"\)\.$/);
    expect(reviewRateProblem("complaint", "alarm", 0.01)).toMatch(/Set mail-infra:complaintRateAlarm to "0\.1%" \(at most "0\.1%"\)\.$/);
  });
});

describe("reputationAlarms", () => {
  it("declares warning and alarm for bounces, then complaints, with their thresholds and a description", () => {
    const alarms = reputationAlarms("prod", "eu-west-1", { bounce: { warning: 0.03, alarm: 0.04 }, complaint: { warning: 0.0004, alarm: 0.0008 } });
    expect(alarms.map((a) => [a.name, a.kind, a.level, a.metricName, a.threshold])).toEqual([
      ["mail-infra-prod-bounce-rate-warning", "bounce", "warning", "Reputation.BounceRate", 0.03],
      ["mail-infra-prod-bounce-rate-alarm", "bounce", "alarm", "Reputation.BounceRate", 0.04],
      ["mail-infra-prod-complaint-rate-warning", "complaint", "warning", "Reputation.ComplaintRate", 0.0004],
      ["mail-infra-prod-complaint-rate-alarm", "complaint", "alarm", "Reputation.ComplaintRate", 0.0008],
    ]);
    expect(alarms[0].description).toBe(
      'mail-infra prod: the SES account\'s bounce rate in eu-west-1 reached 3% (warning level; SES puts an account under review at 5%). See docs/monitoring.md, "bounce rate warning".',
    );
    expect(alarms[3].description).toBe(
      'mail-infra prod: the SES account\'s complaint rate in eu-west-1 reached 0.08% (alarm level; SES puts an account under review at 0.1%). See docs/monitoring.md, "complaint rate alarm".',
    );
  });

  it("names a section of docs/monitoring.md in each description", () => {
    const headings = readFileSync(join(ROOT, "docs/monitoring.md"), "utf8").split("\n").filter((l) => l.startsWith("#")).map((l) => l.replace(/^#+\s*/, "").toLowerCase());
    for (const a of reputationAlarms("prod", "us-east-1", DEFAULT_THRESHOLDS)) expect(headings, a.name).toContain(/"([^"]+)"\.$/.exec(a.description)?.[1]);
  });
});

describe("EventBridge patterns", () => {
  it("spells API operations only, each once", () => {
    for (const names of [IAM_EVENT_NAMES, SES_EVENT_NAMES, SECRET_EVENT_NAMES]) {
      for (const n of names) expect(n).toMatch(/^(Create|Update|Delete|Put|Attach|Detach|Set|Restore|Rotate|CancelRotate)[A-Z][A-Za-z]+$/);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it("watches the SMTP user's keys and policies in IAM", () => {
    const p = iamEventPattern("mail-infra-smtp-prod");
    expect(p).toEqual({
      source: ["aws.iam"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["iam.amazonaws.com"], eventName: [...IAM_EVENT_NAMES], requestParameters: { userName: ["mail-infra-smtp-prod"] } },
    });
    expect(IAM_EVENT_NAMES).toEqual(expect.arrayContaining(["CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "PutUserPolicy", "AttachUserPolicy"]));
    expect(CLOUDTRAIL_DETAIL_TYPE).toBe("AWS API Call via CloudTrail");
  });

  it("watches every SES change in the region, v1 and v2, with no parameter filter", () => {
    const p = sesEventPattern() as { source: string[]; detail: Record<string, unknown> };
    expect(p.source).toEqual(["aws.ses"]);
    expect(p.detail.eventSource).toEqual(["ses.amazonaws.com"]);
    expect(p.detail).not.toHaveProperty("requestParameters");
    expect(p.detail.eventName).toEqual(expect.arrayContaining(["DeleteEmailIdentity", "PutEmailIdentityDkimAttributes", "DeleteIdentity", "PutSuppressedDestination", "UpdateAccountSendingEnabled"]));
  });

  it("watches the SMTP secret by name or by its ARN's prefix", () => {
    expect(secretEventPattern("mail-infra/prod/ses-smtp", "eu-west-1", "123456789012")).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["secretsmanager.amazonaws.com"],
        eventName: [...SECRET_EVENT_NAMES],
        requestParameters: { secretId: ["mail-infra/prod/ses-smtp", { prefix: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mail-infra/prod/ses-smtp-" }] },
      },
    });
    expect(SECRET_EVENT_NAMES).toEqual(expect.arrayContaining(["PutSecretValue", "UpdateSecret", "DeleteSecret", "RotateSecret"]));
  });

  it("takes the bounces and complaints SES publishes for the stack's configuration sets", () => {
    expect(feedbackEventPattern(["prod-a", "prod-b"])).toEqual({
      source: ["aws.ses"],
      "detail-type": ["Email Bounced", "Email Complaint Received"],
      detail: { mail: { tags: { "ses:configuration-set": ["prod-a", "prod-b"] } } },
    });
    expect(FEEDBACK_DETAIL_TYPES).toEqual(["Email Bounced", "Email Complaint Received"]);
    expect(FEEDBACK_EVENT_TYPES).toEqual(["BOUNCE", "COMPLAINT"]);
    expect(FEEDBACK_EVENT_DESTINATION_NAME).toBe("eventbridge-alerts");
  });
});

describe("ruleTransformer", () => {
  const lines = (purpose: RulePurpose) => (JSON.parse(ruleTransformer("prod", purpose).inputTemplate) as string).split("\n");

  it("fills every <placeholder> from an input path, and reads no path it does not show", () => {
    for (const purpose of PURPOSES) {
      const t = ruleTransformer("prod", purpose);
      const used = new Set([...(JSON.parse(t.inputTemplate) as string).matchAll(/<([A-Za-z0-9]+)>/g)].map((m) => m[1]));
      expect([...used].sort(), purpose).toEqual(Object.keys(t.inputPaths).sort());
      for (const [k, path] of Object.entries(t.inputPaths)) expect(path, `${purpose}.${k}`).toMatch(/^\$\.(detail\.)?[a-zA-Z]+(\.[a-zA-Z]+(\[0\])?)*$/);
    }
  });

  it("reads CloudTrail's who, what, when, where and error for the call rules", () => {
    for (const purpose of ["iam", "ses", "secret"] as const) {
      expect(ruleTransformer("prod", purpose).inputPaths, purpose).toMatchObject({
        who: "$.detail.userIdentity.arn",
        what: "$.detail.eventName",
        when: "$.detail.eventTime",
        region: "$.detail.awsRegion",
        ip: "$.detail.sourceIPAddress",
        agent: "$.detail.userAgent",
        error: "$.detail.errorCode",
      });
    }
    expect(lines("secret")).toEqual([
      "mail-infra prod: the SMTP secret was written, rotated or deleted",
      "",
      "Who: <who>",
      "What: <what>",
      "Secret: <secret>",
      "When: <when> in <region>, from <ip> (<agent>)",
      "Error code (empty when the call succeeded): <error>",
      "",
      "Expected? If nobody on the team made this change, treat it as an incident: docs/monitoring.md#secret-changes",
    ]);
    expect(ruleTransformer("prod", "secret").inputPaths.secret).toBe("$.detail.requestParameters.secretId");
  });

  it("says what changed, per rule", () => {
    expect(lines("iam")[0]).toBe("mail-infra prod: the SMTP user's access keys or permissions changed");
    expect(lines("iam").slice(4, 7)).toEqual(["User: <user>", "Access key: <key><newKey> (status: <status>)", "Policy: <policy><policyArn>"]);
    expect(lines("ses")[0]).toBe("mail-infra prod: an SES identity, configuration set or suppression setting changed");
    expect(lines("ses").slice(4, 7)).toEqual(["Identity: <identity><identityV1>", "Configuration set: <configurationSet> (event destination: <destination>)", "Suppressed address: <address>"]);
    expect(lines("feedback")).toEqual([
      "mail-infra prod: <type> in <region>",
      "",
      "From: <from>",
      "Subject: <subject>",
      "Sent: <sent>",
      "Bounce: <bounceType> / <bounceSubType> for <bounced>",
      "Bounce diagnostic: <diagnostic>",
      "Complaint: <feedbackType> from <complained>",
      "",
      expect.stringMatching(/^SES has put the address on the suppression list \(BOUNCE and COMPLAINT are suppressed\)\. What to do: docs\/monitoring\.md#/),
    ]);
  });

  it("links each message to a section of docs/monitoring.md that exists (GitHub's heading anchors)", () => {
    const anchors = readFileSync(join(ROOT, "docs/monitoring.md"), "utf8")
      .split("\n")
      .filter((l) => /^#{2,4} /.test(l))
      .map((l) => l.replace(/^#+ /, "").toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-"));
    for (const purpose of PURPOSES) {
      const anchor = /docs\/monitoring\.md#([a-z0-9-]+)$/.exec(lines(purpose).at(-1) ?? "")?.[1];
      expect(anchors, purpose).toContain(anchor);
    }
  });

  it("describes each rule in a sentence", () => {
    for (const p of PURPOSES) expect(RULE_DESCRIPTIONS[p], p).toMatch(/^[A-Z].{30,}\)\.$/);
  });
});

describe("monitoringRegions and trailRegions", () => {
  it("gives SES regions the alarms, ses and feedback rules; IAM's region and the secret's their rule", () => {
    const plan = monitoringRegions(["eu-west-1", "us-west-2"], "eu-central-1");
    expect(plan).toEqual([
      { region: "eu-west-1", alarms: true, rules: ["ses", "feedback"] },
      { region: "us-west-2", alarms: true, rules: ["ses", "feedback"] },
      { region: "us-east-1", alarms: false, rules: ["iam"] },
      { region: "eu-central-1", alarms: false, rules: ["secret"] },
    ]);
    expect(trailRegions(plan)).toEqual(["eu-west-1", "us-west-2", "us-east-1", "eu-central-1"]);
  });

  it("puts every rule of a region into one entry, in the order iam, ses, secret, feedback", () => {
    expect(monitoringRegions(["us-east-1"], "us-east-1")).toEqual([{ region: "us-east-1", alarms: true, rules: ["iam", "ses", "secret", "feedback"] }]);
  });

  it("leaves out of the trail a region with only the feedback rule (SES events, not CloudTrail)", () => {
    expect(trailRegions([{ region: "eu-west-1", alarms: true, rules: ["feedback"] }, { region: "us-east-1", alarms: false, rules: ["iam"] }])).toEqual(["us-east-1"]);
  });
});

describe("existing alerts topics", () => {
  it("reads an SNS topic ARN of any partition", () => {
    expect(parseTopicArn("arn:aws:sns:eu-west-1:123456789012:mail-infra-prod-alerts")).toEqual({ region: "eu-west-1", name: "mail-infra-prod-alerts" });
    expect(parseTopicArn("arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts_1")).toEqual({ region: "us-gov-west-1", name: "alerts_1" });
    for (const a of ["arn:aws:sns:eu-west-1:12345678901:t", "arn:aws:sqs:eu-west-1:123456789012:t", "xarn:aws:sns:eu-west-1:123456789012:t", "arn:aws:sns:eu-west-1:123456789012:t.fifo", "arn:aws:sns:eu-west-1:123456789012:"]) {
      expect(parseTopicArn(a), a).toBeUndefined();
    }
  });

  it("refuses a FIFO topic, a value that is no topic ARN and a topic of another region", () => {
    expect(alertsTopicArnProblem(" arn:aws:sns:eu-west-1:123456789012:alerts ", "eu-west-1")).toBeUndefined();
    expect(alertsTopicArnProblem("arn:aws:sns:eu-west-1:123456789012:alerts.fifo", "eu-west-1")).toBe(
      '"arn:aws:sns:eu-west-1:123456789012:alerts.fifo" is a FIFO topic: it delivers only to SQS queues and needs a message group id on every publish, which the alarms and rules do not send. Use a standard topic.',
    );
    expect(alertsTopicArnProblem("alerts", "eu-west-1")).toBe('"alerts" is not an SNS topic ARN (arn:aws:sns:eu-west-1:<account>:<name>).');
    // FIFO in any partition; a name merely containing ".fifo", or a value around an ARN, is no topic ARN.
    expect(alertsTopicArnProblem("arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo", "us-gov-west-1")).toMatch(/ is a FIFO topic: /);
    for (const v of ["arn:aws:sns:eu-west-1:123456789012:alerts.fifo2", "xarn:aws:sns:eu-west-1:123456789012:alerts.fifo"]) {
      expect(alertsTopicArnProblem(v, "eu-west-1"), v).toBe(`${JSON.stringify(v)} is not an SNS topic ARN (arn:aws:sns:eu-west-1:<account>:<name>).`);
    }
    expect(alertsTopicArnProblem("arn:aws:sns:us-east-1:123456789012:alerts", "eu-west-1")).toBe(
      'the topic "arn:aws:sns:us-east-1:123456789012:alerts" is in us-east-1, not eu-west-1: CloudWatch alarms and EventBridge rules publish only to a topic of their own region. Give a topic in eu-west-1.',
    );
  });

  const plan = monitoringRegions(["eu-west-1"], "eu-west-1");

  it("refuses an entry for a region without alerts, naming the ones with alerts", () => {
    expect(existingTopicProblems(plan, ["eu-west-1", "us-east-1", "ap-south-1"], 0, false)).toEqual([
      {
        input: "alertTopicArns",
        region: "ap-south-1",
        message: 'region "ap-south-1" has no alerts: they go to eu-west-1, us-east-1 (the SES regions, us-east-1 for IAM\'s events and the secret\'s region). Remove this entry.',
      },
    ]);
  });

  it("needs alert addresses while some region's topic is created, per region count", () => {
    expect(existingTopicProblems(plan, [], 1, true)).toEqual([]);
    expect(existingTopicProblems(plan, ["eu-west-1"], 0, false)).toEqual([
      {
        input: "alertEmails",
        message:
          "is required: the alerts of us-east-1 go to a topic this component creates (no alertTopicArns entry), and these addresses are its subscribers. List them, or give an existing topic for that region in alertTopicArns.",
      },
    ]);
    expect(existingTopicProblems(plan, [], 0, false)[0].message).toMatch(/^is required: the alerts of eu-west-1, us-east-1 go to .* give an existing topic for each of these regions in alertTopicArns\.$/);
  });

  it("refuses addresses and a key that would serve no created topic", () => {
    expect(existingTopicProblems(plan, ["eu-west-1", "us-east-1"], 0, false)).toEqual([]);
    expect(existingTopicProblems(plan, ["eu-west-1", "us-east-1"], 2, true)).toEqual([
      {
        input: "alertEmails",
        message:
          "are subscribed only to the topics this component creates, and every region's alerts go to an existing topic (alertTopicArns). Subscribe the addresses to those topics where they are declared, and remove alertEmails.",
      },
      {
        input: "snsKmsKeyId",
        message:
          "encrypts only the topics this component creates, and every region's alerts go to an existing topic (alertTopicArns). Set the key where those topics are declared, and remove snsKmsKeyId.",
      },
    ]);
  });
});
