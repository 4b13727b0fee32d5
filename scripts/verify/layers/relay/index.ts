/**
 * The relay layer: which key each relay (a Gmail "Send mail as" alias, an app) still uses, from
 * the keys' last use (shared with the smtp layer, ../smtp/observe.ts) and the Gmail aliases
 * (../gmail/collect.ts); and whether the previous key may be retired.
 */
import type { Observation } from "../../../../lib/verify/findings";
import type { VerifyLayer } from "../../layer";
import { credentialObservations } from "../smtp/observe";
import { checkRelays } from "../smtp/check";
import { checkGmailAliases, checkRetire, type GmailSendAs } from "./check";

/** Why relay.gmail was not made when no Gmail credentials were given. */
export const NO_GMAIL_CREDENTIALS = "no Gmail credentials: give --gmail-token-file FILE (OAuth token JSON with an access_token) or set GMAIL_ACCESS_TOKEN";

export const relayLayer: VerifyLayer = {
  id: "relay",
  layer: "relay",
  async run(r) {
    const m = r.m!;
    const { c, opts } = r;
    const credentials = credentialObservations(r);
    // Gmail aliases need nothing from AWS: read at once.
    const gmailSenders = c.gmail ? m.senders.filter((x) => x.kind === "gmail-send-as") : [];
    const gmail = Promise.all(gmailSenders.map((x) => r.track(`Gmail alias ${x.address}`, c.gmail!.sendAs(x.account, x.address).then((o) => [x.address, o] as const))));
    const [{ obs, loginsThisRun }, gmailResults] = await Promise.all([credentials, gmail]);
    const now = opts.now ?? new Date();
    const relayObs = { accessKeys: obs.accessKeys, lastUsed: obs.lastUsed, ...(c.gmail ? { gmail: new Map<string, Observation<GmailSendAs>>(gmailResults) } : {}) };
    const gmailFindings = checkGmailAliases(m, relayObs);
    return [
      ...checkRelays(m, obs, now, opts.relaySeen),
      ...gmailFindings,
      // An absent or empty map says the same to checkRetire: nothing carried, no login of verify's own.
      ...checkRetire(m, relayObs, gmailFindings, now, { carried: opts.relaySeen, ownLogins: opts.ownLogins, loginsThisRun }),
    ];
  },
  notChecked(r) {
    const m = r.m!;
    if (m.senders.length === 0) return [{ layer: "relay", reason: "the manifest declares no relays (mail-infra:senders)" }];
    if (!r.c.gmail && m.senders.some((x) => x.kind === "gmail-send-as")) return [{ layer: "relay", check: "relay.gmail", reason: r.opts.gmailUnavailable ?? NO_GMAIL_CREDENTIALS }];
    return [];
  },
};
