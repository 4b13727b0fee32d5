"""The same program in Python, with the SDK that `pulumi package add ../../packages/mail-infra`
generates (module pulumi_mail_infra): one MailDomain in an existing Route 53 zone."""
import pulumi
import pulumi_mail_infra as mail_infra

config = pulumi.Config()

mail = mail_infra.MailDomain(
    "mail",
    domain=config.require("domain"),
    regions=config.require_object("regions"),
    zone_id=config.require("zoneId"),
    dmarc_policy=config.get("dmarcPolicy") or "none",
)

pulumi.export("identityArns", mail.identity_arns)
pulumi.export("mailFromDomains", mail.mail_from_domains)
pulumi.export("records", mail.records)
