/**
 * A MAIL FROM move on a live identity (lib/mail-from-move.ts): under the default
 * USE_DEFAULT_VALUE it is one up; a stack that chose REJECT_MESSAGE makes it in two, because the
 * program refuses a move under REJECT_MESSAGE, from the stack's own last deployment, and accepts
 * it with USE_DEFAULT_VALUE, publishing the new records before the switch.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../lib/config";
import { deployedMailFrom, mailFromMoveIssues, mailFromMoves } from "../lib/mail-from-move";
import { refusalOf, runWithConfig, type TestRun } from "./helpers/program";

const MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes";
const RECORD = "aws:route53/record:Record";
/** A stack that chose REJECT_MESSAGE (the default is USE_DEFAULT_VALUE). */
const BASE = { domain: "example.com", regions: ["us-east-1", "us-west-2"], mailFromBehaviorOnMxFailure: "REJECT_MESSAGE" };
type Values = Record<string, string | number | string[]>;

const up = (extra: Values, last?: TestRun): Promise<TestRun> => runWithConfig({ ...BASE, ...extra }, "prod", last?.outputs);

const refusal = (extra: Values, last?: TestRun): Promise<string[]> => refusalOf(up(extra, last), JSON.stringify(extra));

describe("lib/mail-from-move", () => {
  const cfg = () => validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1","us-west-2"]', "mail-infra:mailFromSubdomain": "mail", "mail-infra:mailFromBehaviorOnMxFailure": "REJECT_MESSAGE" }, "prod");
  const last = { domains: [{ domain: "example.com", regions: [{ region: "us-east-1", mailFromDomain: "bounce.example.com" }, { region: "us-west-2", mailFromDomain: "mail-us-west-2.example.com" }] }] };

  it("finds the live identities whose MAIL FROM changes, not the unchanged or new ones", () => {
    expect(mailFromMoves(deployedMailFrom(last), cfg().domains)).toEqual([
      { domain: "example.com", region: "us-east-1", from: "bounce.example.com", to: "mail.example.com", behavior: "REJECT_MESSAGE" },
    ]);
    // The manifest as JSON text (how a StackReference may hand it over) reads the same.
    expect(deployedMailFrom(JSON.stringify(last))).toEqual(deployedMailFrom(last));
    // A first deployment, or an unreadable output: nothing is live, so nothing moves.
    expect(mailFromMoves(deployedMailFrom(undefined), cfg().domains)).toEqual([]);
    expect(mailFromMoves(deployedMailFrom("not json"), cfg().domains)).toEqual([]);
    expect(mailFromMoves(deployedMailFrom({ domains: [{ domain: "example.com", regions: [] }] }), cfg().domains)).toEqual([]);
  });

  it("refuses a move under REJECT_MESSAGE with the two-step fix, and accepts it under USE_DEFAULT_VALUE", () => {
    const move = { domain: "example.com", region: "us-east-1", from: "bounce.example.com", to: "mail.example.com" };
    const [issue] = mailFromMoveIssues([{ ...move, behavior: "REJECT_MESSAGE" }]);
    expect(issue.key).toBe("mailFromBehaviorOnMxFailure");
    expect(issue.message).toContain("example.com in us-east-1: bounce.example.com -> mail.example.com");
    expect(issue.message).toContain("up to 72 h");
    // USE_DEFAULT_VALUE is no longer flagged by the pack (DKIM carries DMARC): no policy config to pass.
    expect(issue.message).not.toContain("policy-pack-config");
    expect(mailFromMoveIssues([{ ...move, behavior: "USE_DEFAULT_VALUE" }])).toEqual([]);
    expect(mailFromMoveIssues([{ ...move, from: "", behavior: "REJECT_MESSAGE" }])[0].message).toContain("(no custom MAIL FROM) -> mail.example.com");
  });
});

describe("from no custom MAIL FROM to one is a move too", () => {
  // A live identity that sent with SES's own MAIL FROM (amazonses.com): the last output records "".
  // A stack that chose REJECT_MESSAGE (the default is USE_DEFAULT_VALUE, under which no move is refused).
  const cfg = () => validateConfig({ "mail-infra:domain": "example.com", "mail-infra:regions": '["us-east-1","us-west-2"]', "mail-infra:mailFromBehaviorOnMxFailure": "REJECT_MESSAGE" }, "prod");
  const none = { domains: [{ domain: "example.com", regions: [{ region: "us-east-1", mailFromDomain: "bounce.example.com" }, { region: "us-west-2", mailFromDomain: "" }] }] };

  it("is found as a move from \"\" and refused under REJECT_MESSAGE", () => {
    const moves = mailFromMoves(deployedMailFrom(none), cfg().domains);
    expect(moves).toEqual([{ domain: "example.com", region: "us-west-2", from: "", to: "bounce-us-west-2.example.com", behavior: "REJECT_MESSAGE" }]);
    expect(mailFromMoveIssues(moves).map((i) => i.key)).toEqual(["mailFromBehaviorOnMxFailure"]);
  });

  it("is refused by the program before any resource is declared, and accepted with USE_DEFAULT_VALUE", async () => {
    const first = await up({ mailFromBehaviorOnMxFailure: "REJECT_MESSAGE" });
    const verification = structuredClone(first.outputs.verification) as { domains: { regions: { region: string; mailFromDomain: string }[] }[] };
    verification.domains[0].regions.find((r) => r.region === "us-west-2")!.mailFromDomain = "";
    const last = { ...first, outputs: { ...first.outputs, verification } } as TestRun;
    const lines = await refusal({ mailFromBehaviorOnMxFailure: "REJECT_MESSAGE" }, last);
    expect(lines).toEqual([expect.stringContaining("example.com in us-west-2: (no custom MAIL FROM) -> bounce-us-west-2.example.com")]);
    expect((await up({ mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE" }, last)).byType(MAIL_FROM)).toHaveLength(2);
  });
});

describe("a MAIL FROM move on a deployed stack, under mocks", () => {
  it("is refused under REJECT_MESSAGE before any resource is declared", async () => {
    const first = await up({});
    const lines = await refusal({ mailFromSubdomain: "mail" }, first);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mail-infra:mailFromBehaviorOnMxFailure: this config moves the MAIL FROM of a live identity \(example\.com in us-east-1: bounce\.example\.com -> mail\.example\.com; example\.com in us-west-2: bounce-us-west-2\.example\.com -> mail-us-west-2\.example\.com\)/);
  });

  it("goes through in two ups: USE_DEFAULT_VALUE with the new records first, then back to REJECT_MESSAGE", async () => {
    const first = await up({});
    // Up 1: the move, with USE_DEFAULT_VALUE.
    const moved = await up({ mailFromSubdomain: "mail", mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE" }, first);
    for (const [region, name] of [["us-east-1", "mail.example.com"], ["us-west-2", "mail-us-west-2.example.com"]]) {
      const attr = moved.one(MAIL_FROM, `example.com-${region}-mail-from`);
      expect([attr.inputs.mailFromDomain, attr.inputs.behaviorOnMxFailure]).toEqual([name, "USE_DEFAULT_VALUE"]);
      // The new MX and SPF are published before SES is told to use them.
      const records = moved.byType(RECORD).filter((r) => r.inputs.name === name);
      expect(records.map((r) => r.inputs.type).sort()).toEqual(["MX", "TXT"]);
      for (const r of records) expect(attr.options.dependsOn).toContain(r.urn);
    }
    // Up 2: back to REJECT_MESSAGE (once verify shows SUCCESS): no move any more, so accepted.
    const settled = await up({ mailFromSubdomain: "mail" }, moved);
    expect(settled.byType(MAIL_FROM).map((r) => r.inputs.behaviorOnMxFailure)).toEqual(["REJECT_MESSAGE", "REJECT_MESSAGE"]);
  });

  it("under the default (USE_DEFAULT_VALUE) the move is one up, records first", async () => {
    const plain = { domain: "example.com", regions: ["us-east-1", "us-west-2"] };
    const first = await runWithConfig(plain, "prod");
    const moved = await runWithConfig({ ...plain, mailFromSubdomain: "mail" }, "prod", first.outputs);
    const attr = moved.one(MAIL_FROM, "example.com-us-east-1-mail-from");
    expect([attr.inputs.mailFromDomain, attr.inputs.behaviorOnMxFailure]).toEqual(["mail.example.com", "USE_DEFAULT_VALUE"]);
    for (const r of moved.byType(RECORD).filter((x) => x.inputs.name === "mail.example.com")) expect(attr.options.dependsOn).toContain(r.urn);
  });

  it("a region new to the stack is no move: adding one under REJECT_MESSAGE is accepted", async () => {
    const first = await up({ regions: ["us-east-1"] });
    const added = await up({}, first);
    expect(added.byType(MAIL_FROM)).toHaveLength(2);
  });
});
