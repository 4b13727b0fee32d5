/**
 * The SMTP user's permissions, written once: the program attaches this document and the
 * policy pack checks declared documents against the same rule.
 */

/** The only action SES SMTP needs (SMTP submission is authorised as SendRawEmail). */
export const SMTP_ACTIONS = ["ses:SendRawEmail"] as const;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * Allow only ses:SendRawEmail on the given identity and configuration set ARNs. SES checks
 * the configuration set ARN too when a message uses one (every identity here has a default),
 * so leaving it out makes sending fail with AccessDenied.
 */
export function smtpSendPolicy(resourceArns: readonly string[], fromAddresses: readonly string[] = []): PolicyDocument {
  const statement: PolicyStatement = {
    Sid: "SendRawEmailOnly",
    Effect: "Allow",
    Action: [...SMTP_ACTIONS],
    Resource: [...resourceArns],
  };
  if (fromAddresses.length > 0) {
    statement.Condition = { StringEquals: { "ses:FromAddress": [...fromAddresses] } };
  }
  return { Version: "2012-10-17", Statement: [statement] };
}
