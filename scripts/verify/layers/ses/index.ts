/**
 * The ses layer: each region's SES account, each domain's identity and configuration set, and
 * each recipient's suppression. Collector: the shared AWS collector (scripts/verify/aws.ts).
 */
import { sharedMailFroms } from "../../../../lib/mail-from-owner";
import type { Manifest } from "../../../../lib/manifest";
import type { Finding } from "../../../../lib/verify/findings";
import type { LayerRun, VerifyLayer } from "../../layer";
import { checkRecipient, checkSesAccount, checkSesConfigurationSet, checkSesIdentity } from "./check";

/**
 * The live MX of each MAIL FROM name that several regions of a domain share: it decides which
 * region the name serves (lib/mail-from-owner), so the SES check gives the others their own
 * name. Only shared names are asked (the DNS collector memoises: the DNS layer asks them too);
 * regions without a MAIL FROM domain ("") share nothing (mailFromOwnership skips them). A name
 * without an MX (NXDOMAIN) or whose MX could not be read is left out: its MX names no region,
 * so the first region in order keeps it (mailFromOwnership, as for an MX naming none).
 */
async function sharedMx(r: LayerRun, d: Manifest["domains"][number]): Promise<Map<string, string[]>> {
  const names = sharedMailFroms(d.regions.map((x) => ({ region: x.region, name: x.mailFromDomain }))).map((o) => o.name);
  const answers = await Promise.all(names.map(async (n) => [n, await r.c.dns.query("MX", n)] as const));
  return new Map(answers.flatMap(([n, a]) => (a.ok ? [[n, a.value] as const] : [])));
}

export const sesLayer: VerifyLayer = {
  id: "ses",
  layer: "ses",
  async run(r) {
    const { c, track } = r;
    const accounts = r.regions.map((region) => track(`SES account ${region}`, c.aws.account(region).then((a) => checkSesAccount(region, a))));
    const identities = r.domains.flatMap((d) =>
      d.regions.map((x) =>
        track(
          `SES identity ${d.domain} ${x.region}`,
          // A configuration set discovery could not name is not looked up (its check says why).
          r.perDomain(() => Promise.all([c.aws.identity(x.region, d.domain), x.unknown?.configurationSet ?? c.aws.configurationSet(x.region, x.configurationSet), sharedMx(r, d)])).then(([identity, cs, mx]) => [
            ...checkSesIdentity(d, x, identity, { mode: r.mode, mailFromMx: (name) => mx.get(name) }),
            ...checkSesConfigurationSet(x, cs),
          ]),
        ),
      ),
    );
    const recipients = r.opts.recipients.flatMap((address) =>
      r.regions.map((region) => track(`suppression ${address} ${region}`, c.aws.suppressed(region, address).then((s) => [checkRecipient(region, address, s)]))),
    );
    return (await Promise.all<Finding[]>([...accounts, ...identities, ...recipients])).flat();
  },
};
