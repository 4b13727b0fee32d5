/**
 * SES's answer when IAM denies a send (issue 17). Over SMTP SES answers
 *
 *   554 Access denied: User `arn:aws:iam::123456789012:user/ses-smtp-user' is not authorized to
 *   perform `ses:SendRawEmail' on resource `arn:aws:ses:us-west-2:123456789012:identity/admin@example.com'
 *
 * (the wording as SMTP clients report it, e.g. a Swift_TransportException quoted in a public
 * post on SES SMTP credentials, and the API's AccessDenied message "User: ... is not authorized
 * to perform: ses:SendRawEmail on resource: ..."). The resource names the identity SES
 * authorised against: an email-address identity takes precedence over its domain's, so when one
 * exists for the From address, the SMTP user's policy must name it (mail-infra:smtpAddressIdentities).
 */
import { isEmailAddress } from "./domain";

export interface SendDenial {
  principal?: string;
  action: string;
  resource: string;
  /** The identity the resource names (identity/<name>), when it is one. */
  identity?: string;
  region?: string;
}

/** The denied action and resource of an SES AccessDenied answer (SMTP 554 or API), or undefined when the text is not one. */
export function parseSendDenial(text: string): SendDenial | undefined {
  const m = /not authorized to perform:?\s*`?(ses:[A-Za-z]+)'?\s+on resource:?\s*`?(arn:[^\s'`]+)/i.exec(text);
  if (!m) return undefined;
  const principal = /User:?\s*`?(arn:[^\s'`]+)/i.exec(text)?.[1];
  const resource = m[2];
  const arn = /^arn:[^:]+:ses:([a-z0-9-]+):\d*:identity\/(.+)$/.exec(resource);
  return { action: m[1], resource, ...(principal ? { principal } : {}), ...(arn ? { region: arn[1], identity: arn[2].toLowerCase() } : {}) };
}

/** The email-address identity under one of `domains` that a denial names, when it names one. */
export function deniedAddressIdentity(text: string, domains: readonly string[]): { address: string; region?: string; resource: string } | undefined {
  const d = parseSendDenial(text);
  if (!d?.identity || !isEmailAddress(d.identity)) return undefined;
  const at = d.identity.slice(d.identity.lastIndexOf("@") + 1);
  return domains.map((x) => x.toLowerCase()).includes(at) ? { address: d.identity, ...(d.region ? { region: d.region } : {}), resource: d.resource } : undefined;
}
