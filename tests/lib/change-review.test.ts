/**
 * The offline change review (lib/change-review.ts), pure: hand-built base and head plans, the
 * expected changes written from Pulumi's rules. A resource is matched by URN, or by an alias
 * naming a base URN (each base resource once); a head resource with no match is a create, a base
 * resource no head resource matched is a delete. A changed input the provider marks ForceNew
 * (terraform-provider-aws: Route 53 record `name` and `zone_id`, a secret's `name`; IAM user:
 * none) makes it a replace. The engine refuses to delete a resource protected in the state
 * (pulumi/pulumi step.go DeleteStep.Apply) and to replace one protected in the state and in the
 * program (step_generator.go continueStepsFromDiff: new.Protect && old.Protect).
 * The same review over plans the program makes under Pulumi's mocks: tests/change-review.test.ts.
 */
import { describe, expect, it } from "vitest";
import { type Change, formatReview, type Plan, type PlanResource, planSchema, REPLACE_PROPERTIES, type Review, reviewChange } from "../../lib/change-review";

const RECORD = "aws:route53/record:Record";
const SECRET = "aws:secretsmanager/secret:Secret";
const KEY = "aws:iam/accessKey:AccessKey";
const USER = "aws:iam/user:User";
const LAMBDA = "aws:lambda/function:Function";
const COMPONENT = "mail-infra:ses:MailDomain";

type Options = PlanResource["options"];
const urnOf = (type: string, name: string) => `urn:pulumi:prod::mail-infra::${type}::${name}`;
function res(type: string, name: string, inputs: Record<string, unknown>, options: Partial<Options> = {}): PlanResource {
  return { urn: urnOf(type, name), type, name, inputs, options: { protect: false, retainOnDelete: false, aliases: [], ...options } };
}
type Smtp = NonNullable<NonNullable<Plan["outputs"]["verification"]>["smtp"]>;
function plan(resources: PlanResource[], smtp?: Smtp): Plan {
  return { stack: "prod", resources, outputs: smtp ? { verification: { smtp } } : {} };
}

const dmarc = (over: Record<string, unknown> = {}, options: Partial<Options> = {}) =>
  res(RECORD, "example.com-dns-dmarc", { zoneId: "Z1", name: "_dmarc.example.com", type: "TXT", ttl: 300, records: ["v=DMARC1; p=none"], ...over }, options);
const secret = (name: string, options: Partial<Options> = {}) => res(SECRET, "smtp-secret", { name }, options);
const key = (generation: number) => res(KEY, `smtp-key-gen${generation}`, { user: "mail-infra-smtp-prod" });

const DELETE_WHY =
  "it is protected in the stack's state. The engine refuses to delete a protected resource before it looks at retainOnDelete, in `pulumi preview` as in `pulumi up` (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply: deleteProtectedError), and a resource the program no longer declares cannot be unprotected from the program.";
const DELETE_INSTEAD =
  "deploy in two steps. First lift protection while the resource is still declared: on the base branch, `pulumi config set mail-infra:protect false && pulumi up` (this clears protect and retainOnDelete in the state, so the delete that follows really deletes the AWS object). Then deploy this change, and `pulumi config set mail-infra:protect true && pulumi up`.";
const REPLACE_WHY =
  "it is protected in the stack's state and in this program. The engine refuses to replace a protected resource (a replace deletes it), in `pulumi preview` as in `pulumi up`, unless the same update unprotects it (pulumi/pulumi pkg/resource/deploy/step_generator.go, continueStepsFromDiff: new.Protect && old.Protect).";
const REPLACE_INSTEAD =
  "unprotect in the same update: `pulumi config set mail-infra:protect false` with this change, `pulumi up` (the replace goes through), then `pulumi config set mail-infra:protect true && pulumi up`.";

describe("REPLACE_PROPERTIES", () => {
  it("a researched type lists its ForceNew inputs (an empty list when none is); a type not researched is absent", () => {
    expect(REPLACE_PROPERTIES[RECORD]).toEqual(["zoneId", "name"]);
    expect(REPLACE_PROPERTIES[USER]).toEqual([]);
    expect(Object.keys(REPLACE_PROPERTIES)).toContain(USER);
    expect(Object.keys(REPLACE_PROPERTIES)).not.toContain(LAMBDA);
  });
  it("every key is an AWS type token, every value a list of input names", () => {
    for (const [type, props] of Object.entries(REPLACE_PROPERTIES)) {
      expect(type).toMatch(/^aws:[a-z0-9]+\/[a-zA-Z0-9]+:[A-Z][a-zA-Z0-9]+$/);
      expect(Array.isArray(props), type).toBe(true);
      for (const p of props) expect(p, type).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    }
  });
});

describe("planSchema", () => {
  const one = (r: Record<string, unknown>, outputs: Record<string, unknown> = {}) => ({ stack: "prod", resources: [{ urn: "u", type: "t", name: "n", inputs: {}, ...r }], outputs });

  it("reads a base plan from before options were printed as unprotected, not retained and unaliased", () => {
    expect(planSchema.parse(one({})).resources[0]?.options).toStrictEqual({ protect: false, retainOnDelete: false, aliases: [] });
  });

  it("reads options printed before retainOnDelete as not retained, and keeps options it does not read", () => {
    const options = planSchema.parse(one({ options: { protect: true, aliases: ["a"], deleteBeforeReplace: true } })).resources[0]?.options;
    expect(options).toStrictEqual({ protect: true, retainOnDelete: false, aliases: ["a"], deleteBeforeReplace: true });
  });

  it("reads the SMTP key generations of the verification output and keeps the other outputs", () => {
    const smtp = { keyGeneration: 2, previousKey: { generation: 1, state: "active" }, accessKeyId: "AKIA" };
    const p = planSchema.parse(one({}, { verification: { smtp, domains: [] }, dnsMode: "route53" }));
    expect(p.outputs).toStrictEqual({ verification: { smtp, domains: [] }, dnsMode: "route53" });
    expect(planSchema.parse(one({}, { verification: { smtp: { keyGeneration: 1 } } })).outputs.verification?.smtp).toStrictEqual({ keyGeneration: 1 });
  });

  it.each([
    ["no stack", { resources: [], outputs: {} }],
    ["no outputs", { stack: "prod", resources: [] }],
    ["a resource without inputs", { stack: "prod", resources: [{ urn: "u", type: "t", name: "n" }], outputs: {} }],
    ["protect not a boolean", one({ options: { protect: "yes", aliases: [] } })],
    ["a key generation that is not an integer", one({}, { verification: { smtp: { keyGeneration: 1.5 } } })],
    ["a previous key without its state", one({}, { verification: { smtp: { keyGeneration: 2, previousKey: { generation: 1 } } } })],
    ["a previous key generation that is not an integer", one({}, { verification: { smtp: { keyGeneration: 2, previousKey: { generation: 0.5, state: "active" } } } })],
  ])("refuses %s", (_what, input) => {
    expect(planSchema.safeParse(input).success).toBe(false);
  });
});

describe("reviewChange: what changed", () => {
  it("a plan against itself (inputs equal by value, not by identity): no change", () => {
    const a = plan([dmarc(), secret("mail/smtp")]);
    const b = plan([dmarc({ records: ["v=DMARC1; p=none"] }), secret("mail/smtp")]);
    expect(reviewChange(a, b)).toStrictEqual({ changes: [], breaksMail: false, refused: false });
  });

  it("a resource only in the head is a create; one only in the base a delete (after the head's changes)", () => {
    const r = reviewChange(plan([res(LAMBDA, "old", { runtime: "nodejs20.x" })]), plan([res(LAMBDA, "new", { runtime: "nodejs22.x" })]));
    expect(r).toStrictEqual({
      changes: [
        { kind: "create", urn: urnOf(LAMBDA, "new"), type: LAMBDA, name: "new", changed: [], forcedBy: [] },
        { kind: "delete", urn: urnOf(LAMBDA, "old"), type: LAMBDA, name: "old", changed: [], forcedBy: [] },
      ],
      breaksMail: false,
      refused: false,
    });
  });

  it("an update lists every input that differs, sorted: changed, added and removed ones", () => {
    const base = res(LAMBDA, "fn", { timeout: 10, runtime: "nodejs20.x", memorySize: 128, environment: { variables: { A: "1" } } });
    const head = res(LAMBDA, "fn", { runtime: "nodejs22.x", memorySize: 128, environment: { variables: { A: "1" } }, architectures: ["arm64"] });
    expect(reviewChange(plan([base]), plan([head])).changes).toStrictEqual([
      { kind: "update", urn: urnOf(LAMBDA, "fn"), type: LAMBDA, name: "fn", changed: ["architectures", "runtime", "timeout"], forcedBy: [] },
    ]);
  });

  it("an input whose array order changed has changed", () => {
    const r = reviewChange(plan([dmarc({ records: ["a", "b"] })]), plan([dmarc({ records: ["b", "a"] })]));
    expect(r.changes.map((c) => [c.kind, c.changed])).toEqual([["update", ["records"]]]);
  });

  it("a replace names only the ForceNew inputs among the changed ones", () => {
    const r = reviewChange(plan([dmarc()]), plan([dmarc({ zoneId: "Z2", ttl: 3600 })]));
    expect(r.changes).toStrictEqual([
      { kind: "replace", urn: urnOf(RECORD, "example.com-dns-dmarc"), type: RECORD, name: "example.com-dns-dmarc", changed: ["ttl", "zoneId"], forcedBy: ["zoneId"], breaks: "replaces the DMARC record (_dmarc.example.com)" },
    ]);
    expect(r.breaksMail).toBe(true);
  });

  it("a type the review has no ForceNew list for, or does not know at all: every change is an update that breaks nothing", () => {
    const r = reviewChange(plan([res(LAMBDA, "fn", { memorySize: 128 }), res(COMPONENT, "d", { domain: "a" })]), plan([res(LAMBDA, "fn", { memorySize: 256 }), res(COMPONENT, "d", { domain: "b" })]));
    expect(r.changes.map((c) => [c.kind, c.forcedBy, c.breaks])).toEqual([
      ["update", [], undefined],
      ["update", [], undefined],
    ]);
    expect(r.breaksMail).toBe(false);
  });
});

describe("reviewChange: aliases", () => {
  const renamed = (over: Record<string, unknown> = {}) => ({ ...dmarc(over), urn: urnOf(RECORD, "dmarc-new"), options: { protect: false, retainOnDelete: false, aliases: [urnOf(RECORD, "example.com-dns-dmarc")] } });

  it("a head resource whose alias is a base URN is that resource: nothing, or an update under the head's URN", () => {
    expect(reviewChange(plan([dmarc()]), plan([renamed()])).changes).toEqual([]);
    expect(reviewChange(plan([dmarc()]), plan([renamed({ ttl: 60 })])).changes).toStrictEqual([
      { kind: "update", urn: urnOf(RECORD, "dmarc-new"), type: RECORD, name: "example.com-dns-dmarc", changed: ["ttl"], forcedBy: [] },
    ]);
  });

  it("a base resource is matched once: a second head resource aliasing it is a create", () => {
    const second = { ...renamed(), urn: urnOf(RECORD, "dmarc-copy") };
    expect(reviewChange(plan([dmarc()]), plan([renamed(), second])).changes.map((c) => [c.kind, c.urn])).toEqual([["create", urnOf(RECORD, "dmarc-copy")]]);
  });

  it("a head resource's own URN comes before its aliases; the base resource only an alias named is deleted", () => {
    const other = res(LAMBDA, "other", {});
    const head = { ...dmarc(), options: { protect: false, retainOnDelete: false, aliases: [other.urn] } };
    expect(reviewChange(plan([other, dmarc()]), plan([head])).changes.map((c) => [c.kind, c.urn])).toEqual([["delete", other.urn]]);
  });

  it("an alias that names no base resource: a create, and the base resource a delete", () => {
    const head = { ...renamed(), options: { protect: false, retainOnDelete: false, aliases: [urnOf(RECORD, "elsewhere")] } };
    expect(reviewChange(plan([dmarc()]), plan([head])).changes.map((c) => [c.kind, c.urn])).toEqual([
      ["create", urnOf(RECORD, "dmarc-new")],
      ["delete", urnOf(RECORD, "example.com-dns-dmarc")],
    ]);
  });
});

describe("reviewChange: what breaks mail", () => {
  it("a DNS record of mail deleted, with the name it had", () => {
    const dkim = res(RECORD, "example.com-dns-dkim-us-west-2-1", { zoneId: "Z1", name: "tok1._domainkey.example.com", type: "CNAME" });
    expect(reviewChange(plan([dkim]), plan([])).changes[0]?.breaks).toBe("deletes a DKIM record (tok1._domainkey.example.com)");
  });

  it("a renamed SMTP user: the old and the new name (the base's inputs reach the table)", () => {
    const r = reviewChange(plan([res(USER, "smtp-user", { name: "mail-infra-smtp-prod" })]), plan([res(USER, "smtp-user", { name: "other-smtp" })]));
    expect(r.changes[0]).toMatchObject({ kind: "update", breaks: "renames the SMTP user mail-infra-smtp-prod to other-smtp: its keys and policy are replaced" });
    expect(r.breaksMail).toBe(true);
  });

  describe("an SMTP key deleted: breaks mail while the base's outputs say senders use it", () => {
    const deleting = (smtp?: Smtp) => reviewChange(plan([key(1), key(2)], smtp), plan([key(2)])).changes;
    const BREAKS = "deletes SMTP key generation 1, which senders still use";
    it("the current key", () => {
      expect(deleting({ keyGeneration: 1 })).toStrictEqual([{ kind: "delete", urn: urnOf(KEY, "smtp-key-gen1"), type: KEY, name: "smtp-key-gen1", changed: [], forcedBy: [], breaks: BREAKS }]);
    });
    it("the previous key while it is active", () => {
      expect(deleting({ keyGeneration: 2, previousKey: { generation: 1, state: "active" } })[0]?.breaks).toBe(BREAKS);
    });
    it.each([
      ["the previous key once inactive", { keyGeneration: 2, previousKey: { generation: 1, state: "inactive" } }],
      ["a key that is neither current nor previous", { keyGeneration: 2 }],
      ["no verification output in the base", undefined],
    ])("not %s", (_what, smtp) => {
      const changes = deleting(smtp);
      expect(changes.map((c) => c.kind)).toEqual(["delete"]);
      expect(changes[0]).not.toHaveProperty("breaks");
    });
  });

  it("a resource protected in the base deleted or replaced, when the table says nothing: 'deletes/replaces a protected resource'", () => {
    expect(reviewChange(plan([res(LAMBDA, "fn", {}, { protect: true })]), plan([])).changes[0]?.breaks).toBe("deletes a protected resource");
    expect(reviewChange(plan([res(COMPONENT, "d", {}, { protect: true })]), plan([])).changes[0]?.breaks).toBe("deletes a protected resource");
    // Protected in the base, unprotected in the head: the engine lets it through, but it is still replaced.
    expect(reviewChange(plan([secret("a", { protect: true })]), plan([secret("b")])).changes[0]).toMatchObject({ kind: "replace", breaks: "replaces a protected resource" });
  });

  it("the table's reason comes before 'protected'", () => {
    expect(reviewChange(plan([dmarc({}, { protect: true })]), plan([])).changes[0]?.breaks).toBe("deletes the DMARC record (_dmarc.example.com)");
  });

  it("nothing breaks: an update of a protected resource, a replace of one protected only in the head, an unprotected delete", () => {
    const r = reviewChange(
      plan([secret("a", { protect: true }), res(SECRET, "other-secret", { name: "x" }), res(LAMBDA, "fn", {})]),
      plan([{ ...secret("a", { protect: true }), inputs: { name: "a", description: "d" } }, res(SECRET, "other-secret", { name: "y" }, { protect: true })]),
    );
    expect(r.changes.map((c) => [c.kind, c.name])).toEqual([
      ["update", "smtp-secret"],
      ["replace", "other-secret"],
      ["delete", "fn"],
    ]);
    for (const c of r.changes) {
      expect(c).not.toHaveProperty("breaks");
      expect(c).not.toHaveProperty("refused");
    }
    expect([r.breaksMail, r.refused]).toEqual([false, false]);
  });
});

describe("reviewChange: steps the engine refuses", () => {
  it("a delete of a resource protected in the state, with retainOnDelete: refused, and the state command that keeps the AWS object", () => {
    const mx = res(RECORD, "d-dns-mail-from-mx-bounce.d", { zoneId: "Z1", name: "bounce.d", type: "MX" }, { protect: true, retainOnDelete: true });
    const r = reviewChange(plan([mx]), plan([]));
    expect(r.changes[0]?.refused).toStrictEqual({ step: "delete", why: DELETE_WHY, instead: DELETE_INSTEAD, keepWith: `pulumi state unprotect '${mx.urn}'` });
    expect([r.breaksMail, r.refused]).toEqual([true, true]);
  });

  it("without retainOnDelete there is nothing to keep: no state command", () => {
    const r = reviewChange(plan([res(LAMBDA, "fn", {}, { protect: true })]), plan([]));
    expect(r.changes[0]?.refused).toStrictEqual({ step: "delete", why: DELETE_WHY, instead: DELETE_INSTEAD });
    expect(r.refused).toBe(true);
  });

  it("a replace while the state and the program both protect it: refused; unprotected in the same update: not", () => {
    const r = reviewChange(plan([secret("a", { protect: true })]), plan([secret("b", { protect: true })]));
    expect(r.changes).toStrictEqual([
      {
        kind: "replace",
        urn: urnOf(SECRET, "smtp-secret"),
        type: SECRET,
        name: "smtp-secret",
        changed: ["name"],
        forcedBy: ["name"],
        breaks: "replaces a protected resource",
        refused: { step: "replace", why: REPLACE_WHY, instead: REPLACE_INSTEAD },
      },
    ]);
    expect(r.refused).toBe(true);
    const through = reviewChange(plan([secret("a", { protect: true })]), plan([secret("b")]));
    expect(through.changes[0]).not.toHaveProperty("refused");
    expect(through.refused).toBe(false);
  });

  it("a protected resource kept under an alias is not deleted, so not refused", () => {
    const head = { ...dmarc({}, { protect: true }), urn: urnOf(RECORD, "dmarc-new"), options: { protect: true, retainOnDelete: true, aliases: [urnOf(RECORD, "example.com-dns-dmarc")] } };
    expect(reviewChange(plan([dmarc({}, { protect: true, retainOnDelete: true })]), plan([head]))).toStrictEqual({ changes: [], breaksMail: false, refused: false });
  });
});

describe("formatReview", () => {
  const change = (kind: Change["kind"], type: string, name: string, over: Partial<Change> = {}): Change => ({ kind, urn: urnOf(type, name), type, name, changed: [], forcedBy: [], ...over });
  const deleteRefused = (keepWith?: string) => ({ step: "delete" as const, why: "WHY-D", instead: "do D", ...(keepWith ? { keepWith } : {}) });

  it("no changes", () => {
    expect(formatReview({ changes: [], breaksMail: false, refused: false }, "base.json", false)).toBe("Change review against base.json:\n  no changes\nVerdict: no change breaks mail.\n");
  });

  it("one line per change (types as pulumi preview prints them), the refused deletes, then replaces, the verdict and the refusal count", () => {
    const review: Review = {
      changes: [
        change("create", "aws:sesv2/emailIdentity:EmailIdentity", "example.org-us-east-1-identity"),
        change("update", RECORD, "example.com-dns-spf", { changed: ["records", "ttl"] }),
        change("replace", SECRET, "smtp-secret", { changed: ["description", "name"], forcedBy: ["name"], breaks: "replaces a protected resource", refused: { step: "replace", why: "WHY-R", instead: "do R" } }),
        change("delete", RECORD, "example.com-dns-dkim-us-west-2-1", { breaks: "deletes a DKIM record (t1)", refused: deleteRefused("pulumi state unprotect 'u1'") }),
        change("delete", LAMBDA, "fn", { refused: deleteRefused() }),
        change("delete", RECORD, "example.com-dns-dkim-us-west-2-2", { breaks: "deletes a DKIM record (t2)", refused: deleteRefused("pulumi state unprotect 'u2'") }),
      ],
      breaksMail: true,
      refused: true,
    };
    expect(formatReview(review, "base.json", false)).toBe(
      [
        "Change review against base.json:",
        "  create  aws:sesv2:EmailIdentity example.org-us-east-1-identity",
        "  update  aws:route53:Record example.com-dns-spf (records, ttl)",
        "  replace aws:secretsmanager:Secret smtp-secret (name forces a replacement)",
        "          BREAKS MAIL: replaces a protected resource",
        "          REFUSED BY PULUMI: replace of a protected resource (see below)",
        "  delete  aws:route53:Record example.com-dns-dkim-us-west-2-1",
        "          BREAKS MAIL: deletes a DKIM record (t1)",
        "          REFUSED BY PULUMI: delete of a protected resource (see below)",
        "  delete  aws:lambda:Function fn",
        "          REFUSED BY PULUMI: delete of a protected resource (see below)",
        "  delete  aws:route53:Record example.com-dns-dkim-us-west-2-2",
        "          BREAKS MAIL: deletes a DKIM record (t2)",
        "          REFUSED BY PULUMI: delete of a protected resource (see below)",
        "`pulumi preview` will refuse 3 deletes of protected resources: WHY-D",
        "  Instead: do D",
        "  To drop the 2 retained ones from Pulumi but keep their AWS objects (retainOnDelete), the only way is, before this `pulumi up` (mail-infra:protect false lifts retainOnDelete too):",
        "    pulumi state unprotect 'u1'",
        "    pulumi state unprotect 'u2'",
        "`pulumi preview` will refuse 1 replace of protected resources: WHY-R",
        "  Instead: do R",
        "Verdict: would break mail (3 changes). Exit 1; pass --allow-break to accept it on purpose.",
        "Pulumi will refuse 4 steps: the change cannot be deployed as it is. Exit 1 (--allow-break does not change that).",
        "",
      ].join("\n"),
    );
  });

  it("one of each, accepted with --allow-break", () => {
    const review: Review = {
      changes: [change("delete", RECORD, "d-dns-mail-from-mx-bounce.d", { breaks: "deletes a MAIL FROM MX record (bounce.d)", refused: deleteRefused("pulumi state unprotect 'u1'") })],
      breaksMail: true,
      refused: true,
    };
    expect(formatReview(review, "origin/main", true)).toBe(
      [
        "Change review against origin/main:",
        "  delete  aws:route53:Record d-dns-mail-from-mx-bounce.d",
        "          BREAKS MAIL: deletes a MAIL FROM MX record (bounce.d)",
        "          REFUSED BY PULUMI: delete of a protected resource (see below)",
        "`pulumi preview` will refuse 1 delete of protected resources: WHY-D",
        "  Instead: do D",
        "  To drop the retained one from Pulumi but keep its AWS object (retainOnDelete), the only way is, before this `pulumi up` (mail-infra:protect false lifts retainOnDelete too):",
        "    pulumi state unprotect 'u1'",
        "Verdict: would break mail (1 change). Accepted with --allow-break.",
        "Pulumi will refuse 1 step: the change cannot be deployed as it is. Exit 1 (--allow-break does not change that).",
        "",
      ].join("\n"),
    );
  });

  it("refused steps that break no mail: the first one's reason, every different way once; the verdict says no break", () => {
    const refused = (instead: string) => ({ step: "replace" as const, why: `WHY ${instead}`, instead });
    const review: Review = {
      changes: [
        change("replace", SECRET, "a", { changed: ["name", "type"], forcedBy: ["name", "type"], refused: refused("do A") }),
        change("replace", SECRET, "b", { changed: ["name"], forcedBy: ["name"], refused: refused("do B") }),
        change("replace", SECRET, "c", { changed: ["name"], forcedBy: ["name"], refused: refused("do A") }),
      ],
      breaksMail: false,
      refused: true,
    };
    expect(formatReview(review, "base.json", false)).toBe(
      [
        "Change review against base.json:",
        "  replace aws:secretsmanager:Secret a (name, type forces a replacement)",
        "          REFUSED BY PULUMI: replace of a protected resource (see below)",
        "  replace aws:secretsmanager:Secret b (name forces a replacement)",
        "          REFUSED BY PULUMI: replace of a protected resource (see below)",
        "  replace aws:secretsmanager:Secret c (name forces a replacement)",
        "          REFUSED BY PULUMI: replace of a protected resource (see below)",
        "`pulumi preview` will refuse 3 replaces of protected resources: WHY do A",
        "  Instead: do A",
        "  Instead: do B",
        "Verdict: no change breaks mail.",
        "Pulumi will refuse 3 steps: the change cannot be deployed as it is. Exit 1 (--allow-break does not change that).",
        "",
      ].join("\n"),
    );
  });

  it("the review's own result, printed: a protected DMARC record deleted", () => {
    const r = reviewChange(plan([dmarc({}, { protect: true })]), plan([]));
    expect(formatReview(r, "base.json", false)).toBe(
      [
        "Change review against base.json:",
        "  delete  aws:route53:Record example.com-dns-dmarc",
        "          BREAKS MAIL: deletes the DMARC record (_dmarc.example.com)",
        "          REFUSED BY PULUMI: delete of a protected resource (see below)",
        `\`pulumi preview\` will refuse 1 delete of protected resources: ${DELETE_WHY}`,
        `  Instead: ${DELETE_INSTEAD}`,
        "Verdict: would break mail (1 change). Exit 1; pass --allow-break to accept it on purpose.",
        "Pulumi will refuse 1 step: the change cannot be deployed as it is. Exit 1 (--allow-break does not change that).",
        "",
      ].join("\n"),
    );
  });
});
