import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dkimKeyLengthBits, MIN_DKIM_KEY_BITS, rsaPrivateKeyBits } from "../../lib/dkim";

describe("DKIM key strength", () => {
  it("reads SES key length values", () => {
    expect(dkimKeyLengthBits("RSA_1024_BIT")).toBe(1024);
    expect(dkimKeyLengthBits("RSA_2048_BIT")).toBe(2048);
    expect(dkimKeyLengthBits("ED25519")).toBeUndefined();
    expect(MIN_DKIM_KEY_BITS).toBe(2048);
  });

  it("reads the modulus length of a BYODKIM key in the forms SES takes", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pkcs1 = privateKey.export({ format: "der", type: "pkcs1" }).toString("base64");
    const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
    const pem = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
    expect([rsaPrivateKeyBits(pkcs1), rsaPrivateKeyBits(pkcs8), rsaPrivateKeyBits(pem)]).toEqual([1024, 1024, 1024]);
    expect(rsaPrivateKeyBits("bm90IGEga2V5")).toBeUndefined();
  });
});
