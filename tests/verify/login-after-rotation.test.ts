import { describe, expect, it } from "vitest";
import { sesLoginAfterRotation } from "../../lib/verify/smtp";

describe("sesLoginAfterRotation (the one rule relay.credentials and relay.retire share)", () => {
  const rotatedAt = "2026-04-29T00:00:00.000Z";
  it("an SES login after the rotation counts", () => {
    expect(sesLoginAfterRotation({ serviceName: "ses", lastUsedDate: "2026-04-30T00:00:00.000Z", region: "us-east-1" }, rotatedAt)).toBe(true);
  });
  it("an SES login before the rotation, another service, or no use does not", () => {
    expect(sesLoginAfterRotation({ serviceName: "ses", lastUsedDate: "2026-04-28T23:59:59.000Z" }, rotatedAt)).toBe(false);
    expect(sesLoginAfterRotation({ serviceName: "iam", lastUsedDate: "2026-04-30T00:00:00.000Z" }, rotatedAt)).toBe(false);
    expect(sesLoginAfterRotation({}, rotatedAt)).toBe(false);
  });
  it("an unknown time counts (the cautious side)", () => {
    expect(sesLoginAfterRotation({ serviceName: "ses" }, rotatedAt)).toBe(true);
    expect(sesLoginAfterRotation({ serviceName: "ses", lastUsedDate: "2020-01-01T00:00:00.000Z" }, undefined)).toBe(true);
  });
});
