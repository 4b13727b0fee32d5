/**
 * The SMTP grant the program declares (under mocks): the same document for 1 and 10 domains, and
 * an existing stack's move to it in place. The grant's rules, pure: tests/lib/smtp-grant.test.ts.
 */
import { describe, expect, it } from "vitest";
import { planSchema, reviewChange } from "../lib/change-review";
import { redactSecrets } from "../scripts/lib/mock-program";
import { sendOnlyPolicyProblems, smtpSendPolicy } from "../lib/iam";
import { runWithConfig } from "./helpers/program";
import { decisions, grantFor, own, REGIONS, values } from "./helpers/smtp-grant";

describe("the SMTP grant's size does not depend on the number of domains (the program)", () => {
  it("the program declares that document: the same policy for 1 and 10 domains, known without the identities' ARNs", async () => {
    const policyOf = async (n: number) => {
      const run = await runWithConfig(values(n));
      const p = run.one("aws:iam/userPolicy:UserPolicy");
      return JSON.parse(String(p.inputs.policy)) as unknown;
    };
    const [one, ten] = [await policyOf(1), await policyOf(10)];
    expect(ten).toEqual(one);
    expect(one).toEqual(grantFor(1));
    expect(sendOnlyPolicyProblems(one)).toEqual([]);
  });
});

describe("an existing stack moves to the bounded grant in place", () => {
  it("the base plan's listed-ARN policy becomes the grant by one in-place update of the same URN: no create, delete or replace, nothing breaks mail, nothing refused", async () => {
    const values = { domains: ["a.example", "b.example"], regions: REGIONS, dnsMode: "external", senders: ["address=app@a.example; kind=smtp-client; region=us-east-1"] };
    const run = await runWithConfig(values, "prod");
    const head = planSchema.parse({
      stack: "prod",
      resources: run.resources.filter((r) => r.custom).map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: redactSecrets(r.inputs), options: r.options })),
      outputs: {},
    });
    // What the program declared before this change: the same resource, every ARN listed (lib/iam.ts smtpSendPolicy).
    const listed = JSON.stringify(smtpSendPolicy(["a.example", "b.example"].flatMap((d) => own(d, "us-east-1")), ["app@a.example"]));
    const base = { ...head, resources: head.resources.map((r) => (r.type === "aws:iam/userPolicy:UserPolicy" ? { ...r, inputs: { ...r.inputs, policy: listed } } : r)) };
    const review = reviewChange(base, head);
    expect(review.changes.map((c) => [c.kind, c.type, c.name, c.changed])).toEqual([["update", "aws:iam/userPolicy:UserPolicy", "smtp-send-only", ["policy"]]]);
    expect([review.breaksMail, review.refused]).toEqual([false, false]);
    // And the new document allows what the old one did, for the listed sender.
    const grant = JSON.parse(String(head.resources.find((r) => r.type === "aws:iam/userPolicy:UserPolicy")?.inputs.policy)) as unknown;
    for (const document of [JSON.parse(listed) as unknown, grant]) {
      expect(decisions({ id: "p", document }, own("a.example", "us-east-1"), "app@a.example")).toEqual(["allowed", "allowed"]);
    }
  });
});
