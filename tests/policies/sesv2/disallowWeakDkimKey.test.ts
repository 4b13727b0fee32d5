import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { disallowWeakDkimKey as policy } from "../../../policies/sesv2/EmailIdentity/disallowWeakDkimKey";
import { expectPolicyShape, resourceArgs, runResourcePolicy, UNKNOWN } from "../harness";

type Props = Unwrap<aws.sesv2.EmailIdentityArgs>;
const good = (): Props => ({ emailIdentity: "example.com", configurationSetName: "cs", dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" } });
const run = (props: Props) => runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, props));
const rsaKey = (bits: number) => generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ format: "der", type: "pkcs1" }).toString("base64");

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes a 2048-bit Easy DKIM identity, and one that leaves the length to SES's 2048 default", async () => {
    expect(await run(good())).toEqual({ violations: [] });
    expect(await run({ emailIdentity: "example.com" })).toEqual({ violations: [] });
  });

  it("fails RSA_1024_BIT", async () => {
    const props = good();
    props.dkimSigningAttributes = { nextSigningKeyLength: "RSA_1024_BIT" };
    const { violations } = await run(props);
    expect(violations.map((v) => v.message)).toEqual(["Easy DKIM for example.com signs with RSA_1024_BIT (1024 bits), weaker than 2048 bits. Use RSA_2048_BIT."]);
  });

  it("fails a 1024-bit bring-your-own key without printing it, and passes a 2048-bit one", async () => {
    const weak = rsaKey(1024);
    const { violations } = await run({ emailIdentity: "example.com", dkimSigningAttributes: { domainSigningSelector: "s1", domainSigningPrivateKey: weak } });
    expect(violations.map((v) => v.message)).toEqual(["The bring-your-own DKIM private key of example.com is a 1024-bit RSA key, weaker than 2048 bits."]);
    expect(JSON.stringify(violations)).not.toContain(weak.slice(20, 60));
    expect(await run({ emailIdentity: "example.com", dkimSigningAttributes: { domainSigningSelector: "s1", domainSigningPrivateKey: rsaKey(2048) } })).toEqual({ violations: [] });
  });

  it("is not applicable to e-mail address identities or other resource types", async () => {
    expect((await run({ emailIdentity: "someone@example.com" })).notApplicable).toMatch(/E-mail address identities/);
    const other = await runResourcePolicy(policy, resourceArgs(aws.sesv2.ConfigurationSet, { configurationSetName: "cs" }));
    expect(other.notApplicable).toMatch(/only applies to resources of type 'aws:sesv2\/emailIdentity:EmailIdentity'/);
  });

  it("says it could not check a key length that is unknown during preview", async () => {
    expect(await run({ emailIdentity: "example.com", dkimSigningAttributes: { nextSigningKeyLength: UNKNOWN } })).toMatchObject({
      violations: [],
      notChecked: expect.stringMatching(/^not checked at preview: test: \.dkimSigningAttributes\.nextSigningKeyLength is unknown/),
    });
  });
});
