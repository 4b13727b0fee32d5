/**
 * The monitoring layer: the reputation alarms and rates, the alert subscriptions, the SES event
 * rules and the CloudTrail trail (collect.ts, loaded only when the layer runs).
 */
import type { VerifyLayer } from "../../layer";
import { checkMonitoringLayer, MONITORING_NOT_DECLARED } from "./check";

/**
 * The CloudWatch, SNS, EventBridge and CloudTrail SDKs load only when a layer that reads them
 * runs, and only after the other layers' first requests are on their way: loading them takes the
 * CPU for a moment, better spent while those answers travel than before they are sent.
 */
export const afterFirstRequests = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export const monitoringLayer: VerifyLayer = {
  id: "monitoring",
  layer: "monitoring",
  async run(r) {
    const mon = r.m?.monitoring;
    if (!mon) return [];
    await afterFirstRequests();
    const { collectMonitoring } = await import("./collect");
    return checkMonitoringLayer(mon, await collectMonitoring(mon, r.c.aws, r.opts.now ?? new Date(), r.track));
  },
  notChecked: (r) => (r.m?.monitoring ? [] : [{ layer: "monitoring", reason: MONITORING_NOT_DECLARED }]),
};
