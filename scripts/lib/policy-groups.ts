/**
 * Grouping of repeated violations for the policy report: a stack of many domains gets the same
 * advisory once per identity, record or region (p=none on 50 DMARC records, no watch in 2
 * regions…). Printed one by one they make a report of megabytes that no reviewer reads and no
 * pull-request comment holds (GitHub refuses a comment body over 65,536 characters: "Body is too
 * long (maximum is 65536 characters)", as reported in danger/danger#424 and
 * telia-oss/github-pr-resource#259; GitHub documents no figure).
 *
 * Violations of one policy at one level group when their messages are the same text except for
 * a few words (the domain, the region, the record name): the report prints the message once,
 * with the varying words shown as «…», the description and the remediation (which name the
 * `mail-infra:` key and the value to set) once, and the resources by name. Pure: no I/O.
 */
import type { Violation } from "./policy-runner";

/** From how many alike violations a group is printed instead of each one. */
export const GROUP_MIN = 3;
/** How many resource names a group prints in the text report; --json lists all. */
export const GROUP_NAMES_SHOWN = 10;
/** At most this many words of a message may differ within a group (and at most a quarter of them). */
const MAX_VARYING_WORDS = 4;
/** What stands for a word that differs between the grouped messages. */
export const VARYING = "«…»";

export interface ViolationGroup {
  policyName: string;
  kind: Violation["kind"];
  enforcementLevel: Violation["enforcementLevel"];
  description: string;
  remediation?: string;
  /** The message with each word that differs between the violations replaced by «…». */
  message: string;
  /** Every violation of the group, in report order. */
  violations: Violation[];
}

/** A printed line of the report: one violation, or a group of alike ones. */
export type ReportItem = { violation: Violation } | { group: ViolationGroup };

const words = (message: string): string[] => message.split(" ");

/** A cluster's template with one more message of the same word count: each differing word becomes «…». */
const merge = (t: readonly string[], w: readonly string[]): string[] => t.map((x, i) => (x === VARYING || x === w[i] ? x : VARYING));

const varyingCount = (t: readonly string[]): number => t.filter((w) => w === VARYING).length;

const allowed = (t: readonly string[]): boolean => {
  const n = varyingCount(t);
  return n <= MAX_VARYING_WORDS && n * 4 <= t.length;
};

/**
 * The report's items, in the order of the violations given: each run of alike violations of one
 * policy (GROUP_MIN or more) becomes a group at the place of its first member; the rest stay
 * single. Violations of different policies, levels, descriptions or remediations never group.
 */
export function groupViolations(violations: readonly Violation[]): ReportItem[] {
  interface Cluster {
    key: string;
    template: string[];
    members: Violation[];
  }
  const clusters: Cluster[] = [];
  const clusterOf: Cluster[] = [];
  for (const v of violations) {
    const key = JSON.stringify([v.policyName, v.kind, v.enforcementLevel, v.description, v.remediation ?? ""]);
    const w = words(v.message);
    let home: Cluster | undefined;
    let merged: string[] = [];
    for (const c of clusters) {
      if (c.key !== key || c.template.length !== w.length) continue;
      const t = merge(c.template, w);
      if (allowed(t)) {
        home = c;
        merged = t;
        break;
      }
    }
    if (home) {
      home.template = merged;
      home.members.push(v);
      clusterOf.push(home);
    } else {
      const c: Cluster = { key, template: w, members: [v] };
      clusters.push(c);
      clusterOf.push(c);
    }
  }
  const items: ReportItem[] = [];
  const placed = new Set<Cluster>();
  violations.forEach((v, i) => {
    const c = clusterOf[i];
    if (!c) return;
    if (c.members.length < GROUP_MIN) {
      items.push({ violation: v });
      return;
    }
    if (placed.has(c)) return;
    placed.add(c);
    items.push({
      group: {
        policyName: v.policyName,
        kind: v.kind,
        enforcementLevel: v.enforcementLevel,
        description: v.description,
        ...(v.remediation ? { remediation: v.remediation } : {}),
        message: c.template.join(" "),
        violations: c.members,
      },
    });
  });
  return items;
}

/** The name a group lists for a violation: the resource's name, or "the stack". */
export const violationTarget = (v: Violation): string => v.resourceName ?? "the stack";

/** "on 50 resources (aws:route53/record:Record): a, b, c, … and 40 more (full list in --json)". */
export function groupTargets(g: ViolationGroup, shown = GROUP_NAMES_SHOWN): string {
  const names = g.violations.map(violationTarget);
  const types = [...new Set(g.violations.map((v) => v.resourceType ?? "the stack"))];
  const head = names.slice(0, shown).join(", ");
  const rest = names.length - shown;
  return `on ${names.length} resources (${types.join(", ")}): ${head}${rest > 0 ? `, … and ${rest} more (full list in --json)` : ""}`;
}
