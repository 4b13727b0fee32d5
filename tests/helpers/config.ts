import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, PROJECT, validateConfig } from "../../lib/config";

/**
 * The Gmail account behind prod's alias, as Pulumi.prod.yaml names it: the one file of the
 * project that holds the owner's address. Tests of `--stack prod` read it from there; the
 * others use owner@gmail.com (PROD_LIKE).
 */
export const PROD_GMAIL = /account=([^;\s"]+@gmail\.com)/.exec(readFileSync(join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8"))?.[1] ?? "(no Gmail account in Pulumi.prod.yaml)";

/** Build a Pulumi config map (full keys, string values) from short keys and plain values. */
export function pulumiConfig(values: Record<string, string | number | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `${PROJECT}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

export const PROD_LIKE = {
  domain: "queenofsandiego.com",
  regions: ["us-east-1", "us-west-2"],
  mailFromSubdomain: "bounce.queenofsandiego.com",
  dmarcPolicy: "none",
  dmarcRua: ["mailto:dmarc-reports@queenofsandiego.com"],
  senders: ["address=admin@queenofsandiego.com; kind=gmail-send-as; account=owner@gmail.com; region=us-east-1"],
  alertEmails: ["owner@gmail.com"],
};

/** The issues the config validator raises for `values`, as "key: message" lines ([] when valid). */
export function configIssues(values: Record<string, string | number | string[]>, stack = "test"): string[] {
  try {
    validateConfig(pulumiConfig(values), stack);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.message}`);
    throw e;
  }
  return [];
}
