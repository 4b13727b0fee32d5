/**
 * lib/dkim.ts at its edges: the tests that mutation testing (npm run test:mutation -- lib/dkim.ts)
 * showed missing. The key-length value must be the whole value (not a prefix or suffix of
 * another), surrounding whitespace is not part of a key, and a base64 key wrapped in lines (as
 * it is pasted from a PEM body) is still the key. Equivalent mutants: docs/testing.md.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dkimKeyLengthBits, rsaPrivateKeyBits } from "../../lib/dkim";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
const wrap = (b64: string) => b64.replace(/(.{64})/g, "$1\n");

describe("dkimKeyLengthBits: the whole value, trimmed", () => {
  it("surrounding whitespace is ignored; case is not significant", () => {
    expect(dkimKeyLengthBits("  RSA_2048_BIT\n")).toBe(2048);
    expect(dkimKeyLengthBits("rsa_1024_bit")).toBe(1024);
  });

  it("a value that only contains a key length names none", () => {
    expect(dkimKeyLengthBits("X_RSA_2048_BIT")).toBeUndefined();
    expect(dkimKeyLengthBits("RSA_2048_BITS")).toBeUndefined();
    expect(dkimKeyLengthBits("RSA__BIT")).toBeUndefined();
  });
});

describe("rsaPrivateKeyBits: keys as users paste them", () => {
  it("a PEM key with blank lines and spaces around it", () => {
    const pem = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
    expect(rsaPrivateKeyBits(`\n  ${pem}  \n`)).toBe(1024);
  });

  it("base64 DER wrapped at 64 columns, PKCS#1 and PKCS#8", () => {
    const pkcs1 = wrap(privateKey.export({ format: "der", type: "pkcs1" }).toString("base64"));
    const pkcs8 = wrap(privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"));
    expect(pkcs1).toContain("\n");
    expect(rsaPrivateKeyBits(pkcs1)).toBe(1024);
    expect(rsaPrivateKeyBits(` ${pkcs8}\n`)).toBe(1024);
  });

  it("a key that is not RSA has no modulus: undefined", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    expect(rsaPrivateKeyBits(ec.export({ format: "pem", type: "pkcs8" }).toString())).toBeUndefined();
    expect(rsaPrivateKeyBits(ec.export({ format: "der", type: "pkcs8" }).toString("base64"))).toBeUndefined();
  });
});
