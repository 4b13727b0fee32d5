/** Amazon SNS policies. */
export { missingSubscription } from "./Topic/missingSubscription";
