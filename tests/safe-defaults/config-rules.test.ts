/**
 * Issue 21, "least privilege and safe defaults": the config rules (refused before any resource
 * is declared). Each rule has a passing and a failing case.
 */
import { describe, expect, it } from "vitest";
import { freeMailFromName, mailFromCollisions } from "../../lib/domain";
import { REVIEW_RATES, reviewRateProblem } from "../../lib/monitoring";
import { configIssues as issues, PROD_LIKE } from "../helpers/config";

describe("alarm thresholds above SES's review rates are refused", () => {
  it("accepts thresholds at or below 5 % bounces and 0.1 % complaints (the defaults sit at them)", () => {
    expect(REVIEW_RATES).toEqual({ bounce: 0.05, complaint: 0.001 });
    expect(issues({ ...PROD_LIKE, bounceRateAlarm: "5%", complaintRateAlarm: "0.1%" })).toEqual([]);
    expect(reviewRateProblem("bounce", "alarm", 0.05)).toBeUndefined();
  });
  it("refuses an alarm above the review rate, naming the key and the value to set", () => {
    expect(issues({ ...PROD_LIKE, bounceRateAlarm: "8%" })).toEqual([
      'mail-infra:bounceRateAlarm: 8% is above 5%, the bounce rate at which SES puts the account under review, so this alarm would fire only after SES has acted. Set mail-infra:bounceRateAlarm to "5%" (at most "5%").',
    ]);
    expect(issues({ ...PROD_LIKE, complaintRateWarning: "0.2%", complaintRateAlarm: "0.5%" })).toEqual([
      'mail-infra:complaintRateWarning: 0.2% is above 0.1%, the complaint rate at which SES puts the account under review, so this warning would fire only after SES has acted. Set mail-infra:complaintRateWarning to "0.05%" (at most "0.1%").',
      'mail-infra:complaintRateAlarm: 0.5% is above 0.1%, the complaint rate at which SES puts the account under review, so this alarm would fire only after SES has acted. Set mail-infra:complaintRateAlarm to "0.1%" (at most "0.1%").',
    ]);
  });
});

describe("a colliding MAIL FROM gets a free name as the fix (lib/domain)", () => {
  it("suggests a name that is no sending domain and no MAIL FROM in use", () => {
    const c = mailFromCollisions([
      { domain: "example.com", mailFroms: [{ name: "bounce.example.com" }] },
      { domain: "bounce.example.com", mailFroms: [{ name: "bounce.bounce.example.com" }] },
    ]);
    expect(c.map((x) => x.suggestion)).toEqual(["mailfrom.example.com"]);
    expect(c[0].message).toMatch(/: mailfrom\.example\.com is free\.$/);
    // The old fix named the colliding name itself.
    expect(c[0].message).not.toMatch(/e\.g\. bounce\.example\.com/);
  });
  it("skips every taken name", () => {
    const taken = new Set(["bounce.a.com", "mailfrom.a.com", "mail-from.a.com", "bounces.a.com", "return.a.com", "bounce2.a.com"]);
    expect(freeMailFromName("a.com", taken)).toBe("bounce3.a.com");
    expect(freeMailFromName("a.com", new Set())).toBe("bounce.a.com");
  });
  it("config gives the free name for the stack that collides", () => {
    expect(issues({ domains: ["example.com", "bounce.example.com"], regions: ["us-east-1"] })).toEqual([
      expect.stringMatching(/^mail-infra:mailFromSubdomain: The MAIL FROM of example\.com is bounce\.example\.com.*mailfrom\.example\.com is free\.$/),
    ]);
  });
});
