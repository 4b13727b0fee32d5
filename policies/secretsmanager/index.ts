/** Secrets Manager policies for the secret that holds the SMTP passwords. */
export { configureCustomerManagedKey } from "./Secret/configureCustomerManagedKey";
export { configureKmsKeyRegion } from "./Secret/configureKmsKeyRegion";
export { configureRecoveryWindow } from "./Secret/configureRecoveryWindow";
export { missingDescription } from "./Secret/missingDescription";
