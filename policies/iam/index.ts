/** IAM policies for the SES SMTP user. */
export { configureMaxAge } from "./AccessKey/configureMaxAge";
export { disallowMoreThanTwo } from "./AccessKey/disallowMoreThanTwo";
export { configureProtect } from "./User/configureProtect";
export { disallowLoginProfile } from "./User/disallowLoginProfile";
export { disallowAnyFromAddress } from "./UserPolicy/disallowAnyFromAddress";
export { disallowNonSendActions } from "./UserPolicy/disallowNonSendActions";
