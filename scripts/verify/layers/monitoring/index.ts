/**
 * The monitoring layer: the reputation alarms and rates, the alert subscriptions, the SES event
 * rules and the CloudTrail trail (collect.ts). The CloudWatch, SNS, EventBridge and CloudTrail
 * SDKs load with the layer's first call to each (scripts/verify/aws.ts), after the packages the
 * layers before it asked for, while their requests are in flight (scripts/verify/load.ts).
 */
import type { VerifyLayer } from "../../layer";
import { checkMonitoringLayer, MONITORING_NOT_DECLARED } from "./check";
import { collectMonitoring } from "./collect";

export const monitoringLayer: VerifyLayer = {
  id: "monitoring",
  layer: "monitoring",
  // Selected only with a manifest (runVerify refuses this layer without one).
  async run(r) {
    const mon = r.m!.monitoring;
    if (!mon) return [];
    return checkMonitoringLayer(mon, await collectMonitoring(mon, r.c.aws, r.opts.now ?? new Date(), r.track));
  },
  notChecked: (r) => (r.m!.monitoring ? [] : [{ layer: "monitoring", reason: MONITORING_NOT_DECLARED }]),
};
