/**
 * DKIM key strength rules (RFC 8301 3.2, and the AWS SES guide on Easy DKIM and BYODKIM).
 *
 * RFC 8301 says signers MUST use RSA keys of at least 1024 bits and SHOULD use at least 2048;
 * SES offers RSA_1024_BIT and RSA_2048_BIT for Easy DKIM. The policy pack and verify both hold
 * keys to the SHOULD.
 */
import { createPrivateKey } from "node:crypto";

/** The weakest key this project accepts (RFC 8301 3.2 SHOULD). */
export const MIN_DKIM_KEY_BITS = 2048;

/** The bit length named by an SES key length value (RSA_1024_BIT → 1024), or undefined when it names none. */
export function dkimKeyLengthBits(value: string): number | undefined {
  const m = /^RSA_(\d+)_BIT$/i.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * The modulus length of a BYODKIM private key as SES takes it (base64 of the DER key, PKCS#1
 * or PKCS#8, or a PEM text), or undefined when it is not a readable RSA key. The key itself is
 * never returned or put in a message.
 */
export function rsaPrivateKeyBits(key: string): number | undefined {
  const text = key.trim();
  const attempts: Parameters<typeof createPrivateKey>[0][] = text.includes("-----BEGIN")
    ? [{ key: text, format: "pem" }]
    : [
        { key: Buffer.from(text.replace(/\s+/g, ""), "base64"), format: "der", type: "pkcs1" },
        { key: Buffer.from(text.replace(/\s+/g, ""), "base64"), format: "der", type: "pkcs8" },
      ];
  for (const attempt of attempts) {
    try {
      const k = createPrivateKey(attempt);
      if (k.asymmetricKeyType === "rsa") return k.asymmetricKeyDetails?.modulusLength;
      return undefined;
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}
