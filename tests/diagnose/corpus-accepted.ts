/**
 * The written reasons diagnose's layer is right where it differs from the sisimai sample set's
 * label (ACCEPTED), the scoring that counts them, and the per-family table: shared by
 * tests/diagnose/corpus.test.ts and scripts/docs-diagnose.ts (the table in docs/cli/diagnose.md).
 */
import type { DiagnoseLayer } from "../../lib/diagnose/types";
import { type FamilyRow, matched, type SampleScore } from "./corpus-score";
import { layerOfReason } from "./sisimai-reasons";

/**
 * Samples where diagnose's layer differs from the label's and diagnose is right, by rule: the
 * files it covers (a pattern), the label's reason, diagnose's layer, and why.
 */
export const ACCEPTED: { files: RegExp; label: string; status?: RegExp; ours: DiagnoseLayer; why: string }[] = [
  {
    files: /^(?:lhost-googlegroups-|lhost-fml-)/,
    label: "rejected",
    ours: "recipient-policy",
    why: "Google Groups refuses a post from a non-member, or to a group that does not exist, and fml's 'You are not a member of this mailing list <list@...>': the receiving list's own policy; nothing in the sender's address or authentication is at fault (sisimai's 'rejected' means the envelope sender was refused)",
  },
  {
    files: /^rhost-nttdocomo-/,
    label: "rejected",
    ours: "recipient-mailbox",
    why: "docomo's '550 Unknown user' in reply to end of DATA (the same reply is labelled 'filtered' in rhost-nttdocomo-01, whose relay wrote Status 5.2.0): the address passed RCPT TO, and docomo answers so at DATA when its user's reception filter refuses the sender (https://akisoftware.com/pmsrv/help/docomo.html; sisimai's own guide calls this 'filtered', https://libsisimai.org/ja/docs/distinguish-between-the-unknown-and-the-filtered.html): the recipient's own mailbox setting, which only the recipient can change; our envelope sender was not refused",
  },
  {
    files: /^rfc3464-35\.eml$/,
    label: "rejected",
    ours: "recipient-mailbox",
    why: "'550 'kijitora@nyaan.example.com' is not a registered gateway user' (RFC 3464's own example report): the recipient's gateway does not know that recipient address; nothing in it names our envelope sender",
  },
  {
    files: /^lhost-gsuite-(?:04|05|13|15)\.eml$/,
    label: "networkerror",
    ours: "recipient-mailbox",
    why: "Google's 'DNS Error: ... NXDOMAIN Domain name not found' or 'had no relevant answers' for the recipient's own domain: the domain does not exist or publishes no MX, so it cannot take mail (verify's recipient layer reads exactly that MX); nothing about it is a network failure to retry",
  },
  {
    files: /^lhost-postfix-77\.eml$/,
    label: "norelaying",
    ours: "ses",
    why: "SES itself answered '554 Message rejected: Email address is not verified. The following identities failed the check in region AP-NORTHEAST-1': the sending identity is not verified in that SES region, which verify's ses layer shows; it is not the recipient's relaying policy",
  },
  {
    files: /^lhost-sendmail-05\.eml$/,
    label: "exceedlimit",
    ours: "recipient-policy",
    why: "Sendmail's '552 5.2.3 Message size exceeds fixed maximum message size' is its server-wide MaxMessageSize: the message is too big for that server, whoever the recipient; the mailbox is fine and takes a smaller message, so the step is the message (or the recipient's administrator), not the address",
  },
  {
    files: /^lhost-gmail-03\.eml$/,
    label: "filtered",
    ours: "recipient-policy",
    why: "'554 5.7.0 Header error (state 18)': the recipient's server refused the message's headers after DATA, its format; sisimai's 'filtered' (counted as the mailbox, for 'user unknown' said after DATA) names no address fault here",
  },
  {
    files: /^lhost-gmail-05\.eml$/,
    label: "securityerror",
    ours: "recipient-policy",
    why: "'550 5.7.1 <...>... Access denied (state 13)': Gmail's state 13 is its EHLO (sisimai's own Gmail.pm state table says so and calls it 'blocked'): the recipient's server refused the sending host; nobody logged in to a relay, so it is not the relay's SMTP authentication",
  },
  {
    files: /^lhost-gmail-07\.eml$/,
    label: "systemerror",
    ours: "recipient-policy",
    why: "'500 Remote server does not support TLS (state 6)': the recipient's server offers no STARTTLS and the sending server requires TLS; a retry meets the same server, so it is not temporary: the recipient's administrator has to enable TLS",
  },
  {
    files: /^lhost-mfilter-04\.eml$/,
    label: "rejected",
    ours: "recipient-mailbox",
    why: "'550 5.4.1 All recipient addresses rejected : Access denied' from Exchange Online (*.protection.outlook.com): Microsoft's 'Fix NDR error code 550 5.4.1 in Exchange Online' says it 'is generated when directory-based edge blocking in Microsoft Exchange Online blocks an incoming email message because the recipient's email address is invalid' (quoted at https://intodns.ai/citations/fix-550-5-4-1-recipient-address-rejected); the envelope sender is not named",
  },
  {
    files: /^lhost-amazonses-(?:01|07|08)\.eml$/,
    label: "securityerror",
    ours: "recipient-policy",
    why: "SES's own report (Reporting-MTA *.amazonses.com) of '550 5.7.1 <bounce@email-bounces.amazonses.com>... Access denied', '550 5.7.6 Failed to delivery', '550 5.7.9 Rejected': SES writes a report only for a message it accepted, after the relay logged in, so no relay credential failed; the 5.7.x is the recipient's server answering SES at delivery (the 5.7.1 names SES's envelope sender: Sendmail's access list), which only its administrator can change",
  },
  {
    files: /^(?:lhost-domino-03|lhost-sendmail-20|lhost-x6-01)\.eml$/,
    label: "networkerror",
    ours: "recipient-mailbox",
    why: "'Maximum hop count exceeded. Message probably in a routing loop', '554 5.4.6 Too many hops', '554 5.4.6 Hop count exceeded - possible mail loop': RFC 3463 (section 3.5, https://www.rfc-editor.org/rfc/rfc3463) defines X.4.6 as a routing loop that forwarded the message too many times 'either because of incorrect routing tables or a user forwarding loop', the recipient side's MX, routing or forwarding; the server gave up (5xx, Action failed) and a resend meets the same loop, so it is not a network failure to retry: the recipient's address cannot be routed until that configuration changes",
  },
  {
    files: /./,
    label: "mailboxfull",
    status: /^4\./,
    ours: "transient",
    why: "a full mailbox answered with a 4xx code is retried by the sending server: nothing to fix on either side yet (diagnose names the layer to act on)",
  },
];

/**
 * Diagnose's right answers, counting an accepted disagreement as right: each label an ACCEPTED
 * entry covers may be answered by that entry's layer instead (the best of the two readings, scored
 * as a multiset like the rest, so one recipient's accepted layer is not lost when another recipient
 * of the same message holds that layer too).
 */
export function withAccepted(scores: SampleScore[]): SampleScore[] {
  return scores.map((s) => {
    // labelReasons holds every label; expected only those with a layer (the same order).
    const alternative = s.labelReasons.flatMap((r, i) => {
      const layer = layerOfReason(r);
      if (!layer) return [];
      return [ACCEPTED.find((a) => a.files.test(s.file) && a.label === r && (!a.status || a.status.test(s.labelStatuses[i] ?? "")) && s.diagnose.includes(a.ours))?.ours ?? layer];
    });
    return { ...s, diagnoseRight: Math.max(s.diagnoseRight, matched(alternative, s.diagnose)) };
  });
}

export function accuracyTable(rows: FamilyRow[], sisimaiVersion: string | undefined): string {
  const pct = (n: number, d: number) => `${n}/${d} (${Math.round((100 * n) / d)} %)`;
  const head = `| family | recipients | diagnose | ${sisimaiVersion ? `sisimai ${sisimaiVersion}` : "sisimai (not installed)"} |\n|---|---|---|---|`;
  const total = rows.reduce((a, r) => ({ n: a.n + r.recipients, d: a.d + r.diagnose, s: a.s + (r.sisimai ?? 0) }), { n: 0, d: 0, s: 0 });
  return [head, ...rows.map((r) => `| ${r.family} | ${r.recipients} | ${pct(r.diagnose, r.recipients)} | ${r.sisimai === undefined ? "-" : pct(r.sisimai, r.recipients)} |`), `| all | ${total.n} | ${pct(total.d, total.n)} | ${sisimaiVersion ? pct(total.s, total.n) : "-"} |`].join("\n");
}


/** Where the generated table sits in docs/cli/diagnose.md. */
export const ACCURACY_BEGIN = "<!-- BEGIN accuracy: generated by `npm run docs:diagnose` from tests/fixtures/bounces-sisimai and tests/diagnose/corpus-accepted.ts; do not edit by hand -->";
export const ACCURACY_END = "<!-- END accuracy -->";

/** The generated section: the per-family table and one line of totals, with the families behind sisimai. */
export function accuracySection(rows: FamilyRow[], sisimaiVersion: string | undefined): string {
  const right = rows.reduce((a, r) => a + r.diagnose, 0);
  const total = rows.reduce((a, r) => a + r.recipients, 0);
  const sis = rows.reduce((a, r) => a + (r.sisimai ?? 0), 0);
  const behind = rows.filter((r) => r.sisimai !== undefined && r.diagnose < r.sisimai).map((r) => r.family);
  const summary = sisimaiVersion
    ? `diagnose names the right layer for ${right} of ${total} labelled recipients, sisimai ${sisimaiVersion} for ${sis}; families where diagnose is behind sisimai: ${behind.length ? behind.join(", ") : "none"}.`
    : `diagnose names the right layer for ${right} of ${total} labelled recipients (sisimai not installed when this was generated).`;
  return `${ACCURACY_BEGIN}\n${accuracyTable(rows, sisimaiVersion)}\n\n${summary}\n${ACCURACY_END}`;
}

/** The doc with its generated section replaced; throws when the markers are missing. */
export function withAccuracySection(doc: string, section: string): string {
  const a = doc.indexOf(ACCURACY_BEGIN);
  const b = doc.indexOf(ACCURACY_END);
  if (a < 0 || b < a) throw new Error(`docs/cli/diagnose.md has no generated accuracy section: put the two lines\n${ACCURACY_BEGIN}\n${ACCURACY_END}\nwhere the table goes`);
  return `${doc.slice(0, a)}${section}${doc.slice(b + ACCURACY_END.length)}`;
}

/** The rows the doc's table holds: family -> [recipients, diagnose right], to check without sisimai. */
export function diagnoseColumnOf(doc: string): Map<string, [number, number]> {
  const a = doc.indexOf(ACCURACY_BEGIN);
  const b = doc.indexOf(ACCURACY_END);
  const out = new Map<string, [number, number]>();
  if (a < 0 || b < a) return out;
  for (const m of doc.slice(a, b).matchAll(/^\| ([\w.-]+) \| (\d+) \| (\d+)\/\d+ /gm)) if (m[1] !== "all") out.set(m[1]!, [Number(m[2]), Number(m[3])]);
  return out;
}
