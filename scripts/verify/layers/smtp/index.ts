/**
 * The smtp layer: the stored secret, the SMTP AUTH handshake per region (collect.ts), the
 * user's permission to send as each sender, and the key rotation. Its observations are shared
 * with the relay layer (observe.ts).
 */
import type { VerifyLayer } from "../../layer";
import { checkSmtpLayer } from "./check";
import { credentialObservations } from "./observe";

export const smtpLayer: VerifyLayer = {
  id: "smtp",
  layer: "smtp",
  async run(r) {
    const { obs } = await credentialObservations(r);
    return checkSmtpLayer(r.m!, obs);
  },
};
