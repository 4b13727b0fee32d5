import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, defaultSmtpSecretName, defaultSmtpUserName, type MailConfig, PROJECT, type SmtpConfig, validateConfig } from "../lib/config";
import { type Manifest, MANIFEST_VERSION, type StackManifest } from "../lib/manifest";
import { credentialsRemovalIssue } from "../lib/smtp-credentials";
import { deployedMailFrom, mailFromMoveIssues, mailFromMoves } from "../lib/mail-from-move";
import { deployedDkimTokens, type DnsRecord, toZoneFile } from "../lib/records";
import { SES_SMTP_PORT, smtpEndpoint } from "../lib/regions";
import { type DeployedKeys, deployedKeys, type LiveAccessKey, liveKeyIssues, previousKeyState, rotationIssues } from "../lib/rotation";
import { readLastVerification } from "./LastDeployment";
import { MailDomain } from "./MailDomain";
import { Monitoring } from "./Monitoring";
import { configurationSetName } from "../lib/names";
import { sesArn } from "../lib/iam";
import { SmtpCredentials } from "./SmtpCredentials";
import { Watch } from "./Watch";
import { watchManifest } from "../lib/watch";

export interface MailStack {
  domains: MailDomain[];
  /** Absent when the stack declares no SMTP credentials (lib/smtp-credentials.ts). */
  smtp: SmtpCredentials | undefined;
  /** Declared when mail-infra:alertEmails is non-empty. */
  monitoring: Monitoring | undefined;
  /** Declared when mail-infra:watch is true (which needs alertEmails). */
  watch: Watch | undefined;
  outputs: MailStackOutputs;
}

export interface MailStackOutputs {
  /** Non-secret manifest that `npm run verify -- --stack` reads. */
  verification: pulumi.Output<StackManifest>;
  /** The SMTP username (access key id): not a secret. Absent without SMTP credentials. */
  smtpUsername: pulumi.Output<string> | undefined;
  /** Where the SMTP passwords are kept. Absent without SMTP credentials. */
  smtpSecretArn: pulumi.Output<string> | undefined;
  /** BIND zone fragment per domain, when DNS is external. */
  zoneFile: pulumi.Output<string> | undefined;
}

/**
 * Declare every resource of a validated configuration and return the stack outputs.
 * `deployed` is the last deployment's key state (see lib/rotation.ts); the caller has checked
 * the change against it. It only carries the retired key's id into the manifest.
 */
export function declareMailStack(cfg: MailConfig, deployed?: DeployedKeys, deployedDkim?: ReadonlyMap<string, readonly string[]>): MailStack {
  const tags = { "managed-by": PROJECT, "mail-infra:stack": cfg.stack };
  const accountId = aws.getCallerIdentityOutput({}).accountId;

  const domains = cfg.domains.map((d) => new MailDomain(d.domain, { config: d, accountId, tags, protect: cfg.protect, deployedDkimTokens: deployedDkim, ...(cfg.snsKmsKeyId ? { snsKmsKeyId: cfg.snsKmsKeyId } : {}) }));

  const smtpCfg = cfg.smtp;
  const smtp = smtpCfg
    ? new SmtpCredentials("smtp", {
        config: smtpCfg,
        accountId,
        // Address identities take precedence over their domain's when SES authorises a send: named too.
        resourceArns: () => [
          ...domains.flatMap((d) => d.sendingResourceArns(smtpCfg.regions)),
          ...smtpCfg.addressIdentities.flatMap((a) => smtpCfg.regions.map((r) => accountId.apply((id) => sesArn(r, id, "identity", a)))),
        ],
        tags,
        protect: cfg.protect,
        senders: cfg.senders.map((x) => x.address),
      })
    : undefined;
  // Without credentials the change alerts still watch the names the stack's SMTP user and secret
  // would have: a user of that name appearing, or getting a key, is itself worth an alert.
  const smtpNames = smtpCfg ?? { userName: defaultSmtpUserName(cfg.stack), secretName: defaultSmtpSecretName(cfg.stack), secretRegion: cfg.domains[0]?.regions[0]?.region ?? "" };

  const sesRegions = cfg.domains[0]?.regions.map((r) => r.region) ?? [];
  // The watch lives in the primary region; its alarms publish to that region's alerts topic.
  const watchSection = cfg.watch && cfg.monitoring ? watchManifest(cfg.stack, smtpNames.secretRegion, cfg.watch, sesRegions) : undefined;

  const monitoring = cfg.monitoring
    ? new Monitoring("monitoring", {
        ...(watchSection ? { extraAlarms: { region: watchSection.region, names: watchSection.alarms } } : {}),
        stack: cfg.stack,
        config: cfg.monitoring,
        ...(cfg.snsKmsKeyId ? { snsKmsKeyId: cfg.snsKmsKeyId } : {}),
        sesRegions: cfg.domains[0]?.regions.map((r) => r.region) ?? [],
        smtpUserName: smtp?.user.name ?? smtpNames.userName,
        secretName: smtpNames.secretName,
        secretRegion: smtpNames.secretRegion,
        feedbackSources: domains.flatMap((d, i) =>
          cfg.domains[i].regions.map((r) => ({
            key: `${cfg.domains[i].domain}-${r.region}`,
            region: r.region,
            name: configurationSetName(cfg.domains[i].domain),
            configurationSetName: d.identities[r.region].configurationSet.configurationSetName,
          })),
        ),
        accountId,
        tags,
        protect: cfg.protect,
      })
    : undefined;

  const verification = pulumi
    .all([
      pulumi.all(domains.map((d) => d.manifest)),
      smtp?.user.name,
      smtp?.user.arn,
      smtp?.username,
      smtp?.secret.arn,
      smtp?.previousAccessKey?.id,
      monitoring?.manifest,
    ])
    .apply(
      ([domainManifests, user, userArn, accessKeyId, secretId, previousKeyId, monitoringManifest]): StackManifest => ({
        version: MANIFEST_VERSION,
        project: PROJECT,
        stack: cfg.stack,
        domains: domainManifests,
        ...(smtpCfg && user !== undefined && userArn !== undefined && accessKeyId !== undefined && secretId !== undefined
          ? {
              smtp: {
                user,
                userArn,
                accessKeyId,
                keyGeneration: smtpCfg.keyGeneration,
                ...(previousKeyState(smtpCfg) ? { previousKey: previousKeyManifest(smtpCfg, deployed, previousKeyId) } : {}),
                secretId,
                secretName: smtpCfg.secretName,
                secretRegion: smtpCfg.secretRegion,
                port: SES_SMTP_PORT,
                regions: smtpCfg.regions.map((region) => ({ region, endpoint: smtpEndpoint(region) })),
              },
            }
          : {}),
        senders: cfg.senders.map((s) => ({ ...s, smtpEndpoint: smtpEndpoint(s.region) })),
        ...(monitoringManifest ? { monitoring: monitoringManifest } : {}),
        ...(watchSection ? { watch: watchSection } : {}),
      }),
    );

  const watch =
    cfg.watch && monitoring && watchSection
      ? new Watch("watch", {
          stack: cfg.stack,
          config: cfg.watch,
          region: watchSection.region,
          sesRegions,
          manifest: verification,
          eventTopics: domains.flatMap((d, i) =>
            cfg.domains[i].regions.map((r) => ({ key: `${cfg.domains[i].domain}-${r.region}`, region: r.region, topicArn: d.identities[r.region].topic.arn })),
          ),
          alertsTopicArn: monitoring.topics[watchSection.region].arn,
          smtpUserName: smtp?.user.name ?? smtpNames.userName,
          secretName: smtpNames.secretName,
          secretRegion: smtpNames.secretRegion,
          accountId,
          tags,
        })
      : undefined;

  const external = cfg.domains.some((d) => d.dns.mode === "external");
  const zoneFile = external
    ? pulumi
        .all(domains.map((d) => d.records))
        .apply((sets: DnsRecord[][]) =>
          sets.map((records, i) => toZoneFile(records, `mail-infra records for ${cfg.domains[i].domain} (stack ${cfg.stack})`)).join("\n"),
        )
    : undefined;

  return { domains, smtp, monitoring, watch, outputs: { verification, smtpUsername: smtp?.username, smtpSecretArn: smtp?.secret.arn, zoneFile } };
}

/** The manifest's record of key N-1: a retired key keeps the id the last deployment knew. */
function previousKeyManifest(smtp: SmtpConfig, deployed: DeployedKeys | undefined, declaredId: string | undefined): NonNullable<Manifest["smtp"]["previousKey"]> {
  const generation = smtp.keyGeneration - 1;
  const state = previousKeyState(smtp) ?? "retired";
  const knownId = declaredId ?? (deployed?.previousKey?.generation === generation ? deployed.previousKey.accessKeyId : undefined);
  return { generation, state, ...(knownId ? { accessKeyId: knownId } : {}) };
}

/** The stack outputs of a declared stack (what Pulumi records and `verify --stack` reads). */
export function stackOutputs(stack: MailStack): Record<string, unknown> {
  const o = stack.outputs;
  return {
    verification: o.verification,
    ...(o.smtpUsername ? { smtpUsername: o.smtpUsername } : {}),
    ...(o.smtpSecretArn ? { smtpSecretArn: o.smtpSecretArn } : {}),
    ...(o.zoneFile ? { zoneFile: o.zoneFile } : {}),
  };
}

/**
 * The whole program: validate the config, check the key change and any MAIL FROM move against
 * the last deployment, and only then declare the resources. Throws ConfigError (every problem at once) before any
 * resource but the read of the stack's own last outputs is declared.
 */
export async function runMailProgram(raw: Readonly<Record<string, unknown>>, stackName: string): Promise<MailStack> {
  const cfg = validateConfig(raw, stackName);
  const last = await readLastVerification();
  const deployed = deployedKeys(last);
  const live = deployed ? await liveAccessKeys(deployed.user) : [];
  const removal = credentialsRemovalIssue(deployed && deployed.accessKeyId ? { user: deployed.user, accessKeyId: deployed.accessKeyId } : deployed ? { user: deployed.user, accessKeyId: "(not recorded)" } : undefined, cfg.smtpCredentials, cfg.smtp !== undefined);
  const issues = [
    ...(removal ? [removal] : []),
    // Rotation rules compare key generations; with no credentials declared there is nothing to rotate.
    ...(cfg.smtp ? [...rotationIssues(deployed, cfg.smtp), ...liveKeyIssues(deployed, cfg.smtp, live)] : []),
    ...mailFromMoveIssues(mailFromMoves(deployedMailFrom(last), cfg.domains))].map((i) => ({
    key: `${PROJECT}:${i.key}`,
    message: i.message,
  }));
  if (issues.length > 0) throw new ConfigError(issues);
  return declareMailStack(cfg, deployed, deployedDkimTokens(last));
}

/**
 * The SMTP user's access keys as IAM lists them now: the provider's getAccessKeys invoke
 * (ListAccessKeys), which runs at preview too, so an unrecorded key is refused by `pulumi
 * preview` (lib/rotation.ts liveKeyIssues). A user that no longer exists has no keys; the up
 * will recreate it. Offline (plan, policy, tests) the mocks answer it (scripts/lib/mock-program.ts).
 */
async function liveAccessKeys(user: string): Promise<LiveAccessKey[]> {
  try {
    const r = await aws.iam.getAccessKeys({ user });
    return r.accessKeys.map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createDate: k.createDate }));
  } catch (e) {
    if (/NoSuchEntity/.test(String((e as Error).message ?? e))) return [];
    throw e;
  }
}
