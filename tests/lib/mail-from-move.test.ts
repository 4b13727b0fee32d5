/**
 * The words of a MAIL FROM move (lib/mail-from-move.ts), pure: what to do after SES reports the
 * new MAIL FROM SUCCESS, and the config issue for a move under REJECT_MESSAGE. The program's
 * refusal of such a move: tests/mail-from-move.test.ts.
 */
import { describe, expect, it } from "vitest";
import { afterMailFromSuccess, mailFromMoveIssues } from "../../lib/mail-from-move";

describe("afterMailFromSuccess", () => {
  it("by default (no stack named, the default behaviour): nothing to set back", () => {
    expect(afterMailFromSuccess()).toBe(
      'Nothing to set back afterwards: the stack keeps USE_DEFAULT_VALUE (docs/architecture.md, "MAIL FROM when its MX fails"); `npm run verify -- --stack <stack> --only ses` fails ses.identity.mail-from until SES reports the new MAIL FROM SUCCESS.',
    );
  });
  it("a stack that chose REJECT_MESSAGE sets it back", () => {
    expect(afterMailFromSuccess("prod", "REJECT_MESSAGE")).toBe(
      "Once `npm run verify -- --stack prod --only ses` reports the new MAIL FROM SUCCESS in every region, set it back: `pulumi config set --stack prod mail-infra:mailFromBehaviorOnMxFailure REJECT_MESSAGE` and `pulumi up --stack prod`.",
    );
  });
});

describe("mailFromMoveIssues", () => {
  it("a move under REJECT_MESSAGE: one issue listing every such move, with the two ups", () => {
    const issues = mailFromMoveIssues([
      { domain: "example.com", region: "us-east-1", from: "bounce.example.com", to: "mail.example.com", behavior: "REJECT_MESSAGE" },
      { domain: "example.com", region: "us-west-2", from: "", to: "mail-us-west-2.example.com", behavior: "REJECT_MESSAGE" },
      { domain: "example.org", region: "us-east-1", from: "bounce.example.org", to: "mail.example.org", behavior: "USE_DEFAULT_VALUE" },
    ]);
    expect(issues).toEqual([
      {
        key: "mailFromBehaviorOnMxFailure",
        message:
          "this config moves the MAIL FROM of a live identity (example.com in us-east-1: bounce.example.com -> mail.example.com; example.com in us-west-2: (no custom MAIL FROM) -> mail-us-west-2.example.com) " +
          "while the behaviour on MX failure is REJECT_MESSAGE: SES would reject that region's mail until it sees the new MX, for up to 72 h. Move it in two ups: " +
          "(1) set mail-infra:mailFromBehaviorOnMxFailure to USE_DEFAULT_VALUE with the new MAIL FROM and pulumi up (the new MX and SPF are published before the switch, and SES sends unaligned instead of rejecting while it looks for the MX); " +
          "(2) when `npm run verify -- --only ses` shows the new MAIL FROM as SUCCESS, set it back to REJECT_MESSAGE and pulumi up.",
      },
    ]);
  });
});
