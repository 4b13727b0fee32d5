/**
 * The dns layer: each domain's declared records, its SPF evaluation and its DMARC report
 * authorisations, from the domain's authoritative servers. Collector: collect.ts.
 */
import { dmarcRecordName } from "../../../../lib/dmarc";
import { analyzeSpf, type SpfAnalysis } from "../../../../lib/spf";
import { type Observation, observed } from "../../../../lib/verify/findings";
import type { VerifyLayer } from "../../layer";
import { checkDnsLayer, dnsQuestions, questionKey, reportAuthorizationNames, spfNames } from "./check";

export const dnsLayer: VerifyLayer = {
  id: "dns",
  layer: "dns",
  async run(r) {
    const { c } = r;
    for (const d of r.domains) c.dns.useAuthoritativeFor(d.domain);
    const perDomain = r.domains.map((d) =>
      r.track(
        `DNS ${d.domain}`,
        r.perDomain(async () => {
          const answers = Promise.all(dnsQuestions(d).map(async (q) => [questionKey(q), await c.dns.query(q.type, q.name)] as const));
          const spf = Promise.all(
            spfNames(d).map(async (name): Promise<readonly [string, Observation<SpfAnalysis>]> => [name, observed(await analyzeSpf(name, c.dns.spfResolver()))]),
          );
          // The report authorisations depend only on the DMARC answer (the same memoised query).
          const auths = c.dns.query("TXT", dmarcRecordName(d.domain)).then((dmarc) =>
            Promise.all((dmarc.ok ? reportAuthorizationNames(d.domain, dmarc.value) : []).map(async (n) => [n, await c.dns.query("TXT", n)] as const)),
          );
          const [a, s, au] = await Promise.all([answers, spf, auths]);
          return checkDnsLayer(d, { answers: new Map(a), spf: new Map(s), reportAuthorizations: new Map(au) }, r.mode);
        }),
      ),
    );
    return (await Promise.all(perDomain)).flat();
  },
};
