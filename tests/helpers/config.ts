import { ConfigError, PROJECT, validateConfig } from "../../lib/config";

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
  senders: ["address=admin@queenofsandiego.com; kind=gmail-send-as; account=jadasailing@gmail.com; region=us-east-1"],
  alertEmails: ["jadasailing@gmail.com"],
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
