import { createHmac } from "node:crypto";
import { assertSmtpRegion } from "./regions";

/**
 * SES SMTP password, version 4, as documented by AWS
 * ("Obtaining Amazon SES SMTP credentials by converting existing AWS credentials"):
 * HMAC-SHA256 chained over a fixed date, the region, "ses", "aws4_request" and
 * "SendRawEmail", prefixed with the version byte 0x04 and base64-encoded.
 * The SMTP username is the access key id; the password differs per region.
 */
const DATE = "11111111";
const SERVICE = "ses";
const TERMINAL = "aws4_request";
const MESSAGE = "SendRawEmail";
const VERSION = 0x04;

function hmac(key: Buffer, message: string): Buffer {
  return createHmac("sha256", key).update(message, "utf8").digest();
}

export function deriveSmtpPasswordV4(secretAccessKey: string, region: string): string {
  assertSmtpRegion(region);
  if (secretAccessKey.length === 0) {
    throw new Error("The secret access key is empty: pass the key's secret (40 characters for IAM keys).");
  }
  let signature = hmac(Buffer.from("AWS4" + secretAccessKey, "utf8"), DATE);
  for (const part of [region, SERVICE, TERMINAL, MESSAGE]) {
    signature = hmac(signature, part);
  }
  return Buffer.concat([Buffer.from([VERSION]), signature]).toString("base64");
}
