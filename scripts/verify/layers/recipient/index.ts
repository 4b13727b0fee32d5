/**
 * The recipient layer: each recipient domain's MX, MTA-STS, TLS-RPT, DMARC and an SMTP probe of
 * its best MX. Collector: collect.ts. Runs without a manifest (verify --recipient ADDR --only recipient).
 */
import type { VerifyLayer } from "../../layer";
import { checkRecipientDomain, NO_RECIPIENT, recipientDomains } from "./check";

export const recipientLayer: VerifyLayer = {
  id: "recipient",
  layer: "recipient",
  async run(r) {
    const collector = r.c.recipient;
    if (!collector) throw new Error("runVerify: the recipient layer needs collectors.recipient");
    const perDomain = recipientDomains(r.opts.recipients).map((d) => r.track(`recipient domain ${d}`, collector.observe(d).then(checkRecipientDomain)));
    return (await Promise.all(perDomain)).flat();
  },
  notChecked: (r) => (r.opts.recipients.length === 0 ? [{ layer: "recipient", reason: NO_RECIPIENT }] : []),
};
