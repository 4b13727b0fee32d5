/**
 * judgeRegion's reasons when the current key's last use proves nothing for a region
 * (lib/verify/key-evidence.ts), found untested by mutation testing (docs/mutation-testing.md).
 * The verdicts themselves: tests/verify/key-evidence.test.ts.
 */
import { describe, expect, it } from "vitest";
import { judgeRegion } from "../../lib/verify/key-evidence";

const HOUR = 3_600_000;
const C = new Date("2026-11-29T11:00:00.000Z");
const at = (hoursAfterRotation: number) => new Date(C.getTime() + hoursAfterRotation * HOUR);
const whyOf = (current: { lastUsedDate?: string; serviceName?: string; region?: string }) => judgeRegion("us-east-1", { rotatedAt: C, current, readAt: at(6) });

describe("judgeRegion: why the current key's last use is not evidence", () => {
  it("a use recorded before the key's own creation (a clock or a record to distrust)", () => {
    expect(whyOf({ lastUsedDate: at(-1).toISOString(), serviceName: "ses", region: "us-east-1" })).toEqual({
      kind: "unconfirmed",
      region: "us-east-1",
      why: `no SES use of the current key in us-east-1 is on record: the current key's last SES use in us-east-1 at ${at(-1).toISOString()} is before its own creation (${C.toISOString()})`,
    });
  });
  it("a record without the service or the region names them as unknown", () => {
    expect(whyOf({ lastUsedDate: at(1).toISOString() }).why).toBe(
      `no SES use of the current key in us-east-1 is on record: the current key's last use is by an unknown service at ${at(1).toISOString()}, not an SES login`,
    );
    expect(whyOf({ lastUsedDate: at(1).toISOString(), serviceName: "ses" }).why).toBe(
      `no SES use of the current key in us-east-1 is on record: the current key's last use is SES in an unknown region at ${at(1).toISOString()}; the record keeps one region, so this read cannot show us-east-1`,
    );
  });
});
