/**
 * The watch (issue 19), part of the monitoring layer when the manifest declares one: its
 * alarms, its Runs heartbeat, Lambda's Invocations and Errors (collect.ts), read alongside the
 * rest of the monitoring layer.
 */
import type { VerifyLayer } from "../../layer";
import { checkWatch } from "./check";
import { collectWatch } from "./collect";

export const watchLayer: VerifyLayer = {
  id: "watch",
  layer: "monitoring",
  // Selected only with a manifest (runVerify refuses the monitoring layer without one).
  async run(r) {
    const m = r.m!;
    const mon = m.monitoring;
    const w = m.watch;
    if (!mon || !w) return [];
    const o = await collectWatch(m.stack, w, r.c.aws, r.opts.now ?? new Date(), r.track);
    return checkWatch(w, mon.regions.find((x) => x.region === w.region)?.alertsTopicArn, o);
  },
};
