/**
 * A program of your own that adds a domain's mail to it: one MailDomain whose DNS records go
 * into a Route 53 hosted zone that already exists (here given by id in the stack config; a zone
 * declared in the same program works too: `zoneId: zone.zoneId`).
 *
 *   (cd ../../packages/mail-infra && npm install && npm pack)   # the package's tarball, built
 *   npm install
 *   pulumi config set domain example.com
 *   pulumi config set --path 'regions[0]' us-east-1
 *   pulumi config set zoneId Z0123456789ABCDEFGHIJ
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { MailDomain } from "mail-infra";

const config = new pulumi.Config();

const mail = new MailDomain("mail", {
  domain: config.require("domain"),
  regions: config.requireObject<string[]>("regions"),
  zoneId: config.require("zoneId"),
  dmarcPolicy: config.get("dmarcPolicy") ?? "none",
});

export const identityArns = mail.identityArns;
export const mailFromDomains = mail.mailFromDomains;
export const records = mail.records;
