/** IAM policies for the SES SMTP user. */
export { disallowMoreThanTwo } from "./AccessKey/disallowMoreThanTwo";
export { disallowLoginProfile } from "./User/disallowLoginProfile";
export { disallowNonSendActions } from "./UserPolicy/disallowNonSendActions";
