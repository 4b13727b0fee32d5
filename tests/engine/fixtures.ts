/** The deployed prod stack the runbooks start from: a world, its first `pulumi up`, a relay on the current key. */
import { PROD_LIKE } from "../helpers/config";
import type { RecordedResource } from "../../scripts/lib/mock-program";
import { Engine } from "./model";
import type { ConfigValues } from "./model";
import { foreignValues } from "./runbook";
import { HOUR, World } from "./world";

export const PROD: ConfigValues = { ...PROD_LIKE, alertEmails: [] };
export const SENDER = "admin@queenofsandiego.com";

export interface Deployed {
  world: World;
  engine: Engine;
  config: ConfigValues;
  foreign: Map<string, string[]>;
}

/**
 * A world with the domain's own records (Google Workspace MX, a site verification, a web
 * address: none of them the program's), the prod stack deployed by one `pulumi up`, two hours
 * for SES to verify DKIM and find the MAIL FROM MX, and the Gmail alias set up with the
 * current key, sending every 6 hours, for a week.
 */
export async function deployedProd(config: ConfigValues = PROD, optionsOverride?: Engine["optionsOverride"]): Promise<Deployed> {
  const world = new World();
  world.putForeignRecord("queenofsandiego.com", "MX", ["1 smtp.google.com"]);
  world.putForeignRecord("www.queenofsandiego.com", "A", ["192.0.2.10"]);
  world.putForeignRecord("google._domainkey.queenofsandiego.com", "TXT", ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]);
  const foreign = foreignValues(world);
  const engine = new Engine(world, "prod");
  engine.optionsOverride = optionsOverride;
  const first = await engine.up(config);
  if (!first.ok) throw new Error(`the first pulumi up failed: ${JSON.stringify(first.errors)} ${first.programError ?? ""}`);
  world.advance(2 * HOUR);
  world.relays.push({ address: SENDER, region: "us-east-1", username: "", password: "", every: 6 * HOUR, nextSend: world.now + 6 * HOUR });
  world.relayFix(SENDER, String(engine.outputs.smtpSecretArn));
  // A week of mail before the runbook starts: the key has a history of use.
  world.advance(7 * 24 * HOUR);
  return { world, engine, config, foreign };
}

/**
 * The protection table before issue 18: every DNS record protected. Applied to the goals, so a
 * test can run the same runbooks under it and watch the engine refuse them.
 */
export function protectEveryRecord(r: RecordedResource): void {
  if (r.type === "aws:route53/record:Record" && r.options.retainOnDelete) r.options.protect = true;
}
