/**
 * The verify layers, in report order: runVerify (../run.ts) runs each selected one. A new layer
 * is a folder here (collect.ts, check.ts, index.ts) and one line below; see docs/architecture.md,
 * "verify as a registry of layers".
 */
import type { VerifyLayer } from "../layer";
import { dnsLayer } from "./dns";
import { monitoringLayer } from "./monitoring";
import { recipientLayer } from "./recipient";
import { relayLayer } from "./relay";
import { sesLayer } from "./ses";
import { smtpLayer } from "./smtp";
import { watchLayer } from "./watch";

export const VERIFY_LAYERS: readonly VerifyLayer[] = [sesLayer, dnsLayer, smtpLayer, relayLayer, recipientLayer, monitoringLayer, watchLayer];
