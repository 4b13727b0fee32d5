/**
 * lib/mail-from-owner: one MX per MAIL FROM name, so one region per name; the region the live
 * MX names keeps it, else the first in order; the others get <label>-<region>.<domain>.
 */
import { describe, expect, it } from "vitest";
import { labelUnder, mailFromOwnership, mxOwnerRegion, nameInUse, ownMailFromFix, regionalMailFromName, sharedMailFroms } from "../../lib/mail-from-owner";
import { mailFromMxHost } from "../../lib/regions";

const D = "example.com";
const both = [
  { region: "us-east-1", name: `bounce.${D}` },
  { region: "us-west-2", name: `Bounce.${D}.` },
];

describe("mailFromOwnership", () => {
  it("the region the live MX names keeps a shared name, even when it is not the first", () => {
    const [o] = mailFromOwnership(both, () => [`10 ${mailFromMxHost("us-west-2")}`]);
    expect(o).toEqual({ name: `bounce.${D}`, regions: ["us-east-1", "us-west-2"], owner: "us-west-2", by: "mx", movers: ["us-east-1"] });
  });

  it("when the MX names none of them (or is unknown), the first in order keeps it", () => {
    expect(mailFromOwnership(both, () => ["10 mx.example.net", `10 ${mailFromMxHost("eu-west-1")}`])[0]).toMatchObject({ owner: "us-east-1", by: "order", movers: ["us-west-2"] });
    expect(mailFromOwnership(both)[0]).toMatchObject({ owner: "us-east-1", by: "order" });
  });

  it("an MX with two feedback hosts: the first value naming a user decides", () => {
    expect(mxOwnerRegion([`10 ${mailFromMxHost("eu-west-1")}`, `10 ${mailFromMxHost("us-west-2")}.`, `10 ${mailFromMxHost("us-east-1")}`], ["us-east-1", "us-west-2"])).toBe("us-west-2");
  });

  it("an MX value is read as written by hand too: the host is its last word, spaces around it ignored", () => {
    // "10 feedback-smtp.us-west-2.amazonses.com" with a trailing space or newline (a value pasted into config or a zone file).
    expect(mxOwnerRegion(["10 feedback-smtp.us-west-2.amazonses.com \n"], ["us-east-1", "us-west-2"])).toBe("us-west-2");
    expect(mxOwnerRegion(["  10\tfeedback-smtp.us-west-2.amazonses.com."], ["us-east-1", "us-west-2"])).toBe("us-west-2");
  });

  it("a region that lists one name twice uses it once: the name is not shared", () => {
    const twice = [
      { region: "us-east-1", name: `bounce.${D}` },
      { region: "us-east-1", name: `BOUNCE.${D}.` },
    ];
    expect(mailFromOwnership(twice)).toEqual([{ name: `bounce.${D}`, regions: ["us-east-1"], owner: "us-east-1", by: "order", movers: [] }]);
    expect(sharedMailFroms(twice)).toEqual([]);
  });

  it("names used by one region are listed, but not as shared", () => {
    const uses = [...both, { region: "eu-west-1", name: `bounce-eu-west-1.${D}` }];
    expect(mailFromOwnership(uses).map((o) => [o.name, o.owner, o.movers])).toEqual([
      [`bounce.${D}`, "us-east-1", ["us-west-2"]],
      [`bounce-eu-west-1.${D}`, "eu-west-1", []],
    ]);
    expect(sharedMailFroms(uses).map((o) => o.name)).toEqual([`bounce.${D}`]);
  });
});

describe("regionalMailFromName", () => {
  it("is <label>-<region> under the domain, and skips names in use", () => {
    expect(regionalMailFromName(`bounce.${D}`, D, "us-west-2")).toBe(`bounce-us-west-2.${D}`);
    expect(regionalMailFromName("mail.bounce", D, "us-west-2")).toBe(`mail.bounce-us-west-2.${D}`);
    expect(regionalMailFromName(`bounce.${D}`, D, "us-west-2", (n) => n === `bounce-us-west-2.${D}`)).toBe(`bounce-us-west-2-2.${D}`);
    expect(labelUnder(`mail.bounce.${D}`, D)).toBe("mail.bounce");
  });
  it("counts up past every name in use", () => {
    const taken = nameInUse([`bounce-us-west-2.${D}`, `Bounce-US-West-2-2.${D}.`]);
    expect(regionalMailFromName(`bounce.${D}`, D, "us-west-2", taken)).toBe(`bounce-us-west-2-3.${D}`);
  });
});

describe("nameInUse", () => {
  it("ignores case and a trailing dot; a region without a MAIL FROM (\"\") puts no name in use", () => {
    const used = nameInUse([`bounce.${D}`, ""]);
    expect(used(`BOUNCE.${D}.`)).toBe(true);
    expect(used(`mail.${D}`)).toBe(false);
    expect(used("")).toBe(false);
  });
});

describe("ownMailFromFix", () => {
  // Built inside each test, not at collection time: code run while the file is collected makes
  // its mutants static for Stryker (each is then run against every related test).
  const owned = () => mailFromOwnership(both, () => [`10 ${mailFromMxHost("us-east-1")}`])[0];
  it("discovery: records of the new name, then MAIL FROM under USE_DEFAULT_VALUE, then REJECT_MESSAGE; the owner's MX is left alone", () => {
    const o = owned();
    const f = ownMailFromFix(o, D, "us-west-2", "discovery");
    expect(f.newName).toBe(`bounce-us-west-2.${D}`);
    expect(f.steps.map((s) => (s.kind === "dns-record-set" ? `${s.type} ${s.name} ${s.values.join()}` : s.kind === "ses-mail-from" ? `${s.region} ${s.mailFromDomain} ${s.behaviorOnMxFailure}` : s.kind))).toEqual([
      `MX bounce-us-west-2.${D} 10 ${mailFromMxHost("us-west-2")}`,
      `TXT bounce-us-west-2.${D} v=spf1 include:amazonses.com ~all`,
      `us-west-2 bounce-us-west-2.${D} USE_DEFAULT_VALUE`,
    ]);
    expect(f.text).toMatch(/^bounce\.example\.com serves us-east-1 \(its MX names that region's feedback host\): leave its MX as it is\. /);
    expect(f.text).toContain("--behavior-on-mx-failure USE_DEFAULT_VALUE --region us-west-2");
    // The region keeps USE_DEFAULT_VALUE (the default): nothing to set back afterwards.
    expect(f.text).not.toContain("REJECT_MESSAGE");
    // A region that chose REJECT_MESSAGE gets it back once SES reports the new name SUCCESS.
    const back = ownMailFromFix(o, D, "us-west-2", "discovery", () => false, "<stack>", "REJECT_MESSAGE");
    expect(back.steps).toEqual(f.steps);
    expect(back.text).toContain("(3) when verify shows bounce-us-west-2.example.com SUCCESS in us-west-2, run the same command with --behavior-on-mx-failure REJECT_MESSAGE");
  });
  it("discovery, the whole text: the owner kept by its MX, the two steps, nothing to set back under USE_DEFAULT_VALUE", () => {
    const o = owned();
    expect(ownMailFromFix(o, D, "us-west-2", "discovery").text).toBe(
      "bounce.example.com serves us-east-1 (its MX names that region's feedback host): leave its MX as it is. Give us-west-2 its own MAIL FROM, as `npm run adopt` does: " +
        '(1) publish MX "10 feedback-smtp.us-west-2.amazonses.com" and TXT "v=spf1 include:amazonses.com ~all" at bounce-us-west-2.example.com; ' +
        "(2) `aws sesv2 put-email-identity-mail-from-attributes --email-identity example.com --mail-from-domain bounce-us-west-2.example.com --behavior-on-mx-failure USE_DEFAULT_VALUE --region us-west-2` " +
        "(USE_DEFAULT_VALUE: while SES looks for the new MX, for up to 72 h, it sends with its own MAIL FROM instead of rejecting).",
    );
  });
  it("an owner kept by order (the MX names none of the regions) is not said to be named by the MX", () => {
    const [byOrder] = mailFromOwnership(both);
    expect(ownMailFromFix(byOrder, D, "us-west-2", "discovery").text).toMatch(/^bounce\.example\.com serves us-east-1: leave its MX as it is\. Give us-west-2 /);
  });
  it("stack, no stack named: the commands name <stack>", () => {
    const o = owned();
    expect(ownMailFromFix(o, D, "us-west-2", "stack").text).toContain("`npm run verify -- --stack <stack> --only ses` fails ses.identity.mail-from");
  });
  it("stack: the config keys, staged only where the stack chose REJECT_MESSAGE", () => {
    const o = owned();
    const f = ownMailFromFix(o, D, "us-west-2", "stack", () => false, "prod");
    expect(f.text).toContain("set mail-infra:regionalMailFromSubdomains us-west-2=bounce-us-west-2, and `pulumi up`");
    expect(f.text).toContain("Nothing to set back afterwards");
    const staged = ownMailFromFix(o, D, "us-west-2", "stack", () => false, "prod", "REJECT_MESSAGE");
    expect(staged.text).toContain("mail-infra:regionalMailFromSubdomains us-west-2=bounce-us-west-2 and, for this up, mail-infra:mailFromBehaviorOnMxFailure USE_DEFAULT_VALUE");
    expect(staged.text).toContain("pulumi config set --stack prod mail-infra:mailFromBehaviorOnMxFailure REJECT_MESSAGE");
  });
});
