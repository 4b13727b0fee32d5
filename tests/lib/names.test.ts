/**
 * Physical names (lib/names.ts): SES configuration set names allow letters, digits, '-' and '_',
 * at most 64 characters (SES API reference, ConfigurationSetName); SNS topic names the same, at
 * most 256. A name that would be longer keeps its start and ends in 8 hex digits of the
 * SHA-256 of what it was made from, so two long names with the same start stay apart.
 */
import { describe, expect, it } from "vitest";
import { configurationSetName, eventTopicName, nameCollisions, slug } from "../../lib/names";

const LONG = "a-very-long-subdomain-name-for-testing.departments.example-corporation.com";

describe("slug", () => {
  it("keeps letters and digits, lowercased, one '-' for every other run, none at either end", () => {
    expect(slug("-Mail.Example--com_")).toBe("mail-example-com");
    expect(slug("a".repeat(64))).toBe("a".repeat(64));
  });
  it("a name longer than the limit: its first characters, '-' and 8 hex digits of SHA-256, exactly the limit long", () => {
    // sha256("mail-infra-" + LONG) = 81f78de94a27d505e181137d456ddd2f9d0485a814fb630837d9b62318fb5e8e (printf %s … | sha256sum)
    expect(configurationSetName(LONG)).toBe("mail-infra-a-very-long-subdomain-name-for-testing-depar-81f78de9");
    expect(configurationSetName(LONG)).toHaveLength(64);
    expect(slug("a".repeat(65))).toMatch(/^a{55}-[0-9a-f]{8}$/);
    expect(slug("a".repeat(65))).not.toBe(slug(`${"a".repeat(64)}b`));
  });
  it("SNS topics may be 256 characters long, so the same domain keeps its whole name there", () => {
    expect(eventTopicName(LONG)).toBe("mail-infra-a-very-long-subdomain-name-for-testing-departments-example-corporation-com-ses-events");
  });
});

describe("nameCollisions", () => {
  it("names without a region (or with an empty one) share one namespace per kind", () => {
    expect(
      nameCollisions([
        { kind: "SNS topic", name: "t", owner: "a" },
        { kind: "SNS topic", region: "", name: "t", owner: "b" },
        { kind: "SNS topic", region: "us-east-1", name: "t", owner: "c" },
        { kind: "configuration set", name: "t", owner: "d" },
      ]),
    ).toStrictEqual([{ kind: "SNS topic", name: "t", owners: ["a", "b"] }]);
  });
  it("one owner listing its name twice is no collision; a second owner is, listed once each", () => {
    const twice = { kind: "configuration set", region: "us-east-1", name: "mail-a-com", owner: "a.com" };
    expect(nameCollisions([twice, twice])).toEqual([]);
    expect(nameCollisions([twice, twice, { ...twice, owner: "a-com" }])).toEqual([{ kind: "configuration set", region: "us-east-1", name: "mail-a-com", owners: ["a.com", "a-com"] }]);
  });
});
