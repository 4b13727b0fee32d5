/**
 * docs/policies.md's reference table, generated from the pack (policies/pack.ts) so it cannot
 * drift: `npm run docs:policies` rewrites the part between the markers, and a test fails when
 * the file differs from what this module renders.
 */
import type { Policies } from "@pulumi/policy";

export const BEGIN_MARKER = "<!-- BEGIN GENERATED: npm run docs:policies -->";
export const END_MARKER = "<!-- END GENERATED -->";

/**
 * Split a text into its first sentence and the rest. A policy's description is one sentence
 * ("Checks that …."), so `why` is empty for every policy of the pack (a test holds it to that);
 * the why and the fix are in its remediation. A sentence ends at a full stop followed by a space and
 * a capital letter or a quote, so dots inside names (amazonses.com) do not split it.
 */
export function splitDescription(description: string): { what: string; why: string } {
  const m = /^(.*?\.)\s+(?=[A-Z"“+])(.*)$/s.exec(description.trim());
  return m ? { what: m[1] ?? "", why: m[2] ?? "" } : { what: description.trim(), why: "" };
}

/** Text for a Markdown table cell: pipes, HTML-like <placeholders> and emphasis characters escaped. */
const cell = (s: string): string =>
  s
    .replace(/\s*\n\s*/g, " ")
    .replace(/[|~*_\\]/g, (c) => `\\${c}`)
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");

function serviceOf(name: string): string {
  return name.split("-")[1] ?? "";
}

const SERVICE_TITLES: Record<string, string> = {
  sesv2: "SES",
  route53: "DNS (Route 53 records)",
  iam: "IAM",
  secretsmanager: "Secrets Manager",
  sns: "SNS (alerts)",
};

/** The generated section: one table per service, in pack order. */
export function renderPolicyReference(policies: Policies): string {
  const out: string[] = [];
  const services = [...new Set(policies.map((p) => serviceOf(p.name)))];
  for (const service of services) {
    out.push(`### ${SERVICE_TITLES[service] ?? service}`, "");
    out.push("| Policy | Level | Kind | What | Why and fix | Config |");
    out.push("|---|---|---|---|---|---|");
    for (const p of policies.filter((x) => serviceOf(x.name) === service)) {
      // The description is one sentence (what it checks); the remediation says why and how to fix.
      const kind = "validateStack" in p ? "stack" : "resource";
      const config = Object.entries(p.configSchema?.properties ?? {})
        .map(([k, s]) => `\`${k}\` (default \`${JSON.stringify(s.default)}\`)${s.description ? `: ${cell(s.description)}` : ""}`)
        .join("<br>");
      out.push(`| \`${p.name}\` | ${p.enforcementLevel ?? "advisory"} | ${kind} | ${cell(p.description)} | ${cell(p.remediationSteps ?? "")} | ${config || "–"} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** `doc` with the generated section replaced; throws when the markers are missing. */
export function withGeneratedSection(doc: string, policies: Policies): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(`docs/policies.md must contain the markers ${BEGIN_MARKER} and ${END_MARKER}; the table is generated between them.`);
  }
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n\n${renderPolicyReference(policies)}\n${doc.slice(end)}`;
}
