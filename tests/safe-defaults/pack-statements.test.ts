/**
 * The pack's statements about AWS, checked against the SES documentation (issue 21):
 * - SMTP can name a configuration set with the X-SES-CONFIGURATION-SET header
 *   (https://docs.aws.amazon.com/ses/latest/dg/using-configuration-sets-in-email.html);
 * - SES checks a MAIL FROM's MX on its own schedule (states Pending, Success, Failed,
 *   TemporaryFailure: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MailFromAttributes.html),
 *   not before each send.
 */
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/pack";

const text = (name: string): string => {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return `${p.description} ${p.remediationSteps ?? ""}`;
};

describe("the pack says nothing false about SES", () => {
  it("no policy claims SMTP mail cannot carry a configuration set header", () => {
    for (const p of policies) expect(`${p.description} ${p.remediationSteps ?? ""}`).not.toMatch(/carries no configuration set header/i);
    expect(text("aws-sesv2-emailidentity-missing-configuration-set")).toMatch(/X-SES-CONFIGURATION-SET/);
  });
  it("no policy claims SES checks the MAIL FROM MX before it sends", () => {
    for (const p of policies) expect(`${p.description} ${p.remediationSteps ?? ""}`).not.toMatch(/checks this MX before it sends/i);
    expect(text("aws-route53-record-configure-mail-from-mx")).toMatch(/own schedule, not when a message is sent/);
    expect(text("aws-route53-record-configure-mail-from-mx")).toMatch(/TemporaryFailure/);
  });
});
