/**
 * classify() at rules the rest of the diagnose tests left open: each case here is a small bug
 * planted in lib/diagnose/classify.ts that no pure test caught (issue 22, "classify 2 of 4").
 * Hand-built failures; the expected layers follow the rules written in classify.ts's comments.
 */
import { describe, expect, it } from "vitest";
import { classify } from "../../lib/diagnose/classify";
import type { Failure } from "../../lib/diagnose/types";

const f = (o: Partial<Failure>): Failure => ({ recipient: "r@example.org", source: "dsn", evidence: [], ...o });
const SES = "email-smtp.us-east-1.amazonaws.com";

describe("X.7.9 (mechanism too weak) is an AUTH failure only at an SES endpoint, at AUTH, or with login words", () => {
  it("554 5.7.9 from the SES endpoint, nothing else said: the relay's login failed", () => {
    expect(classify(f({ status: "5.7.9", diagnostic: "554 5.7.9 Message not accepted", remoteMta: SES }))).toMatchObject({ layer: "relay-auth", confidence: "high" });
  });

  it("the same words from a receiving MTA (Yahoo's policy answer to a delivery): not a relay login", () => {
    expect(classify(f({ status: "5.7.9", diagnostic: "554 5.7.9 Message not accepted", remoteMta: "mta7.am0.yahoodns.net" })).layer).not.toBe("relay-auth");
  });
});

describe("SES's own events decide before any code", () => {
  it("RenderingFailure: SES could not render the template (ses layer), whatever the text says", () => {
    const v = classify(f({ source: "ses-notification", sesType: "RenderingFailure", diagnostic: "Attribute 'name' is not present in the rendering data." }));
    expect(v).toMatchObject({ layer: "ses", confidence: "high" });
    expect(v.cause).toMatch(/^SES could not render the template/);
  });
});

describe("permanent or temporary, without any code: the Action decides", () => {
  const spam = "Message rejected due to spam content";
  it("no code, no Action: final (no 'temporary' note)", () => {
    const v = classify(f({ diagnostic: spam }));
    expect(v.layer).toBe("recipient-policy");
    expect(v.cause).not.toMatch(/temporary/);
  });

  it("no code, Action delayed: temporary, the sending server retries", () => {
    const v = classify(f({ diagnostic: spam, action: "delayed" }));
    expect(v.layer).toBe("recipient-policy");
    expect(v.cause).toMatch(/it is temporary: the sending server retries it/);
  });

  it("no code, Action failed: final", () => {
    expect(classify(f({ diagnostic: spam, action: "failed" })).cause).not.toMatch(/temporary/);
  });
});
