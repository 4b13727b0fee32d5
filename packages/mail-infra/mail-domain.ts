import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MailDomain as MailDomainTree } from "../../components/MailDomain";
import { CONFIG_KEYS, PROJECT } from "../../lib/config";
import { toZoneFile } from "../../lib/records";
import { InvalidInputsError, type InputNames, mapEntries, mapEntryName, plainIssues, type RawConfig, requiredIssues, validateInputs } from "./inputs";

/** The inputs of {@link MailDomain}. Every setting has the stack's default and is checked by the same rules. */
export interface MailDomainArgs {
  /** The domain to send mail from, e.g. `example.com` (IDN allowed). */
  domain: string;
  /**
   * The SES regions to send from. The first is the primary: its MAIL FROM is `mailFromSubdomain`.
   * Each must offer SES SMTP.
   */
  regions: string[];
  /**
   * Custom MAIL FROM for the primary region: a label under the domain (`bounce`) or the full name
   * (`bounce.example.com`).
   * @default "bounce"
   */
  mailFromSubdomain?: string;
  /**
   * MAIL FROM of the other regions, by region (`{"us-west-2": "bounce-usw2"}`). Regions cannot
   * share one, because its MX names the sending region.
   * @default "<mailFromSubdomain>-<region>" for each region but the primary
   */
  regionalMailFromSubdomains?: Record<string, string>;
  /**
   * What SES does while the MAIL FROM status is not SUCCESS: `USE_DEFAULT_VALUE` sends with
   * amazonses.com (SPF unaligned, DMARC passes on DKIM), `REJECT_MESSAGE` rejects the region's mail.
   * @default "USE_DEFAULT_VALUE"
   */
  mailFromBehaviorOnMxFailure?: string;
  /**
   * Easy DKIM next signing key length: `RSA_2048_BIT` or `RSA_1024_BIT`.
   * @default "RSA_2048_BIT"
   */
  dkimSigningKeyLength?: string;
  /**
   * The configuration set's TLS policy for delivery to recipients: `REQUIRE` or `OPTIONAL`.
   * @default "REQUIRE"
   */
  tlsPolicy?: string;
  /**
   * Extra SPF mechanisms merged into the one apex SPF record, e.g. `include:_spf.google.com`.
   * No `all` and no redirect.
   * @default []
   */
  spfMechanisms?: string[];
  /**
   * Other TXT values kept verbatim in the apex TXT record set next to the SPF record (site
   * verification tokens). The component owns the whole set: a live value not listed is deleted.
   * @default []
   */
  apexTxtValues?: string[];
  /**
   * The closing `all` of the apex and MAIL FROM SPF records: `~all` or `-all`.
   * @default "~all"
   */
  spfAll?: string;
  /**
   * DMARC `p=`: `none`, `quarantine` or `reject`. Roll out none, then quarantine, then reject.
   * @default "none"
   */
  dmarcPolicy?: string;
  /**
   * DMARC `sp=` for subdomains: `none`, `quarantine` or `reject`.
   * @default the same as dmarcPolicy
   */
  dmarcSubdomainPolicy?: string;
  /**
   * DMARC `pct=`: the percentage (0-100) of failing mail the policy applies to.
   * @default 100
   */
  dmarcPercent?: number;
  /**
   * DMARC aggregate report URIs (`mailto:` only).
   * @default ["mailto:dmarc-reports@<domain>"]
   */
  dmarcRua?: string[];
  /**
   * DMARC failure report URIs (`mailto:` only).
   * @default []
   */
  dmarcRuf?: string[];
  /**
   * DMARC `adkim=`: DKIM alignment, `r` (relaxed) or `s` (strict).
   * @default "r"
   */
  dmarcAdkim?: string;
  /**
   * DMARC `aspf=`: SPF alignment, `r` (relaxed) or `s` (strict).
   * @default "r"
   */
  dmarcAspf?: string;
  /**
   * An existing Route 53 hosted zone that receives the records, by id (`Z...`), e.g.
   * `zone.zoneId` of an `aws.route53.Zone` in the same program.
   * @default the public zone named `zoneName`
   */
  zoneId?: pulumi.Input<string>;
  /**
   * The Route 53 hosted zone that receives the records, by name: the domain or a parent of it.
   * Ignored when `zoneId` is set.
   * @default the domain
   */
  zoneName?: string;
  /**
   * Declare no DNS resources: the records are only returned (`records`, `zoneFile`) to add to
   * another DNS provider by hand.
   * @default false
   */
  externalDns?: boolean;
  /**
   * TTL in seconds of the records (60-86400).
   * @default 600
   */
  dnsTtl?: number;
  /**
   * A customer-managed KMS key that encrypts each region's SES events topic: an alias
   * (`alias/mail-sns`, created in each region), a multi-Region key id (`mrk-…`), or with a single
   * region a key id or ARN. Its key policy must let SES use it (docs/monitoring.md, "Encrypted
   * topics"), or SES drops the bounce and complaint events.
   * @default none: the topics are not encrypted with a customer-managed key
   */
  snsKmsKeyId?: pulumi.Input<string>;
  /**
   * Protect live mail: protect the identities and DNS records, and keep (retainOnDelete) what a
   * retained identity needs. Set false, deploy, then destroy to tear it down on purpose.
   * @default true
   */
  protect?: boolean;
  /**
   * Tags added to every taggable resource, next to `managed-by` and `mail-infra:stack`.
   * @default {}
   */
  tags?: Record<string, string>;
}

/** One DNS record the domain needs, as it is published. */
export interface MailDnsRecord {
  /** Fully qualified name, without the trailing dot. */
  name: string;
  /** `CNAME`, `MX` or `TXT`. */
  type: string;
  ttl: number;
  /** One value per resource record: a CNAME target, `10 host` for MX, unquoted text for TXT. */
  values: string[];
  /** `dkim`, `mail-from-mx`, `mail-from-spf`, `spf` or `dmarc`. */
  purpose: string;
}

/** Config keys of the stack, by the input of MailDomain that stands for each. */
function domainInputNames(args: MailDomainArgs, regionalKeys: readonly string[]): InputNames {
  return {
    domain: "domain",
    domains: "domain",
    regions: "regions",
    mailFromSubdomain: "mailFromSubdomain",
    regionalMailFromSubdomains: mapEntryName("regionalMailFromSubdomains", regionalKeys),
    mailFromBehaviorOnMxFailure: "mailFromBehaviorOnMxFailure",
    dkimSigningKeyLength: "dkimSigningKeyLength",
    tlsPolicy: "tlsPolicy",
    spfMechanisms: "spfMechanisms",
    apexTxtValues: "apexTxtValues",
    spfAll: "spfAll",
    dmarcPolicy: "dmarcPolicy",
    dmarcSubdomainPolicy: "dmarcSubdomainPolicy",
    dmarcPercent: "dmarcPercent",
    dmarcRua: "dmarcRua",
    dmarcRuf: "dmarcRuf",
    dmarcAdkim: "dmarcAdkim",
    dmarcAspf: "dmarcAspf",
    dnsMode: "externalDns",
    route53Zones: () => (typeof args.zoneId === "string" ? "zoneId" : "zoneName"),
    dnsTtl: "dnsTtl",
    protect: "protect",
    snsKmsKeyId: "snsKmsKeyId",
  };
}

/** The stack config that stands for `args` (short keys; absent inputs keep the stack's defaults). */
export function mailDomainConfig(args: MailDomainArgs): RawConfig {
  const regional = mapEntries(args.regionalMailFromSubdomains);
  const zone = typeof args.zoneId === "string" ? args.zoneId : args.zoneId === undefined ? args.zoneName : undefined;
  const raw: RawConfig = {
    domain: args.domain,
    regions: args.regions,
    mailFromSubdomain: args.mailFromSubdomain,
    regionalMailFromSubdomains: regional.entries,
    mailFromBehaviorOnMxFailure: args.mailFromBehaviorOnMxFailure,
    dkimSigningKeyLength: args.dkimSigningKeyLength,
    tlsPolicy: args.tlsPolicy,
    spfMechanisms: args.spfMechanisms,
    apexTxtValues: args.apexTxtValues,
    spfAll: args.spfAll,
    dmarcPolicy: args.dmarcPolicy,
    dmarcSubdomainPolicy: args.dmarcSubdomainPolicy,
    dmarcPercent: args.dmarcPercent,
    dmarcRua: args.dmarcRua,
    dmarcRuf: args.dmarcRuf,
    dmarcAdkim: args.dmarcAdkim,
    dmarcAspf: args.dmarcAspf,
    dnsMode: args.externalDns === undefined ? undefined : args.externalDns ? "external" : CONFIG_KEYS.dnsMode.default,
    route53Zones: zone === undefined || args.externalDns ? undefined : [`${args.domain}=${zone}`],
    dnsTtl: args.dnsTtl,
    protect: args.protect,
    snsKmsKeyId: typeof args.snsKmsKeyId === "string" ? args.snsKmsKeyId : undefined,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

const TYPE = "mail-infra:index:MailDomain";

/**
 * A complete Amazon SES sending setup for one domain: in each region an SES domain identity with
 * Easy DKIM, a custom MAIL FROM domain and a configuration set (TLS policy, reputation metrics,
 * bounce and complaint events to an SNS topic), and the DNS records they need (DKIM CNAMEs,
 * MAIL FROM MX and SPF, the apex SPF record and DMARC) in a Route 53 zone, or returned as a zone
 * file for another DNS provider.
 *
 * Validated by the same rules as the mail-infra stack; invalid inputs throw
 * {@link InvalidInputsError} naming each input, before any resource is declared.
 *
 * @example
 * const mail = new MailDomain("mail", { domain: "example.com", regions: ["us-east-1"], zoneId: zone.zoneId });
 */
export class MailDomain extends pulumi.ComponentResource {
  /** The domain, normalised (lower case, IDN as A-labels). */
  public readonly domain: pulumi.Output<string>;
  /** The SES identity ARN in each region. */
  public readonly identityArns: pulumi.Output<Record<string, string>>;
  /** The configuration set each region's identity uses by default (the same name in every region). */
  public readonly configurationSetName: pulumi.Output<string>;
  /** The configuration set ARN in each region. */
  public readonly configurationSetArns: pulumi.Output<Record<string, string>>;
  /** The SNS topic that receives each region's bounce, complaint and delivery-delay events. */
  public readonly eventTopicArns: pulumi.Output<Record<string, string>>;
  /** The MAIL FROM domain of each region. */
  public readonly mailFromDomains: pulumi.Output<Record<string, string>>;
  /** The Easy DKIM tokens of each region (three per region). */
  public readonly dkimTokens: pulumi.Output<Record<string, string[]>>;
  /** Every record the domain needs, with the DKIM tokens SES issued. */
  public readonly records: pulumi.Output<MailDnsRecord[]>;
  /** The same records as a BIND zone file fragment. */
  public readonly zoneFile: pulumi.Output<string>;
  /** The hosted zone id that holds the records; empty with `externalDns`. */
  public readonly zoneId: pulumi.Output<string>;

  constructor(name: string, args: MailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE, name, {}, opts);
    const component = `MailDomain "${name}"`;
    const early = [...requiredIssues({ ...args }, ["domain", "regions"]), ...plainIssues(component, { ...args }, STRUCTURAL_INPUTS)];
    if (early.length > 0) throw new InvalidInputsError(component, early);
    const regional = mapEntries(args.regionalMailFromSubdomains);
    const cfg = validateInputs(component, mailDomainConfig(args), domainInputNames(args, regional.keys));
    const domainCfg = cfg.domains[0];
    // An id known only as an output (a zone declared in the same program) is passed through as is.
    const outputZoneId = args.zoneId !== undefined && typeof args.zoneId !== "string" && !args.externalDns ? args.zoneId : undefined;
    const config = outputZoneId ? { ...domainCfg, dns: { mode: "route53" as const, zone: { id: "" } } } : domainCfg;

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const tags = { "managed-by": PROJECT, "mail-infra:stack": pulumi.getStack(), ...args.tags };
    // The child keeps the stack's own component and resource names (the domain), so a domain is
    // declared the same way by the stack and by this component; only the parent differs.
    const tree = new MailDomainTree(
      domainCfg.domain,
      {
        config,
        accountId,
        tags,
        protect: cfg.protect,
        ...(outputZoneId ? { zoneId: outputZoneId } : {}),
        ...(args.snsKmsKeyId !== undefined && args.snsKmsKeyId !== "" ? { snsKmsKeyId: args.snsKmsKeyId } : {}),
      },
      { parent: this },
    );

    const perRegion = <T>(pick: (region: string) => pulumi.Input<T>): pulumi.Output<Record<string, T>> =>
      pulumi.all(Object.fromEntries(domainCfg.regions.map((r) => [r.region, pick(r.region)]))) as pulumi.Output<Record<string, T>>;

    this.domain = pulumi.output(domainCfg.domain);
    this.identityArns = perRegion<string>((r) => tree.identities[r].arn);
    this.configurationSetName = tree.identities[domainCfg.regions[0].region].configurationSet.configurationSetName;
    this.configurationSetArns = perRegion<string>((r) => tree.identities[r].configurationSet.arn);
    this.eventTopicArns = perRegion<string>((r) => tree.identities[r].topic.arn);
    this.mailFromDomains = perRegion<string>((r) => tree.identities[r].mailFrom.mailFromDomain.apply((d) => d ?? domainCfg.regions.find((x) => x.region === r)?.mailFromDomain ?? ""));
    this.dkimTokens = perRegion<string[]>((r) => tree.identities[r].dkimTokens);
    this.records = tree.records.apply((rs) => rs.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: [...r.values], purpose: r.purpose })));
    this.zoneFile = tree.records.apply((rs) => toZoneFile(rs, `mail-infra records for ${domainCfg.domain}`));
    this.zoneId = tree.manifest.apply((m) => (m.dns.mode === "route53" ? m.dns.zoneId : ""));
    this.registerOutputs({
      domain: this.domain,
      identityArns: this.identityArns,
      configurationSetName: this.configurationSetName,
      configurationSetArns: this.configurationSetArns,
      eventTopicArns: this.eventTopicArns,
      mailFromDomains: this.mailFromDomains,
      dkimTokens: this.dkimTokens,
      records: this.records,
      zoneFile: this.zoneFile,
      zoneId: this.zoneId,
    });
  }
}

/** Inputs that decide which resources exist and their names: plain values only. */
const STRUCTURAL_INPUTS = [
  "domain",
  "regions",
  "mailFromSubdomain",
  "regionalMailFromSubdomains",
  "mailFromBehaviorOnMxFailure",
  "dkimSigningKeyLength",
  "tlsPolicy",
  "spfMechanisms",
  "apexTxtValues",
  "spfAll",
  "dmarcPolicy",
  "dmarcSubdomainPolicy",
  "dmarcPercent",
  "dmarcRua",
  "dmarcRuf",
  "dmarcAdkim",
  "dmarcAspf",
  "zoneName",
  "externalDns",
  "dnsTtl",
  "protect",
  "tags",
] as const;
