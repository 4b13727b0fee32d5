/** Amazon SNS policies. */
export { missingSubscription } from "./Topic/missingSubscription";
export { disallowMonitoredDomain } from "./TopicSubscription/disallowMonitoredDomain";
