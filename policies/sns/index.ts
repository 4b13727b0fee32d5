/** Amazon SNS policies. */
export { configureTopicCustomerManagedKey } from "./Topic/configureCustomerManagedKey";
export { missingSubscription } from "./Topic/missingSubscription";
export { disallowMonitoredDomain } from "./TopicSubscription/disallowMonitoredDomain";
