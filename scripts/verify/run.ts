/**
 * The verify run: every selected layer of the registry (layers/index.ts) collects what its
 * check needs, in parallel and bounded, and judges it with its pure check. Nothing is fetched
 * twice: collectors memoise every call, and work two layers share is started once (LayerRun.once).
 */
import { fixModeOf, type Manifest } from "../../lib/manifest";
import { type Finding, groupByCause, type Layer, LAYERS, type NotChecked } from "../../lib/verify/findings";
import type { Collectors, LayerRun, VerifyOptions } from "./layer";
import { VERIFY_LAYERS } from "./layers";
import { limiter } from "./limit";

/** Domains whose SES and DNS checks run at once (each already fans out to several requests). */
export const DOMAIN_CONCURRENCY = 16;

export type { Collectors, VerifyOptions } from "./layer";
export { NO_GMAIL_CREDENTIALS } from "./layers/relay";

export interface VerifyResult {
  /** One finding per check and subject; checks that share a root cause are grouped under it (groupByCause). */
  findings: Finding[];
  /** Layers not checked at all, with why: those of the options, plus any the manifest gives nothing to check in. */
  notChecked: NotChecked[];
  /** Values that must never be printed (the report scrubs them as a last line of defence). */
  secrets: string[];
}

export type Progress = (done: number, total: number, label: string) => void;

/**
 * Every observation starts as soon as what it depends on is known, never later: the SMTP
 * handshake waits only for the secret, a key's last use only for the key list, the DMARC
 * report authorisations only for the DMARC answer. Collectors bound the parallelism and
 * memoise, so shared names (an SPF include every domain uses) are fetched once.
 */
export async function runVerify(m: Manifest | undefined, opts: VerifyOptions, c: Collectors, progress?: Progress): Promise<VerifyResult> {
  const on = (l: Layer) => opts.layers.includes(l);
  // Without a manifest only the recipient layer can run (verify --recipient ADDR --only recipient).
  for (const l of opts.layers) if (!m && l !== "recipient") throw new Error(`runVerify: the ${l} layer needs a manifest`);
  let done = 0;
  let total = 0;
  const shared = new Map<string, unknown>();
  const domains = m?.domains ?? [];
  const run: LayerRun = {
    m,
    opts,
    c,
    on,
    track: (label, work) => {
      total += 1;
      return work.then((v) => {
        done += 1;
        progress?.(done, total, label);
        return v;
      });
    },
    mode: m ? fixModeOf(m) : "stack",
    domains,
    regions: [...new Set(domains.flatMap((d) => d.regions.map((r) => r.region)))],
    secrets: opts.secretKey ? [opts.secretKey] : [],
    perDomain: limiter(DOMAIN_CONCURRENCY),
    once: <T>(key: string, start: () => T): T => {
      if (!shared.has(key)) shared.set(key, start());
      return shared.get(key) as T;
    },
  };
  const selected = VERIFY_LAYERS.filter((l) => on(l.layer));
  const all = (await Promise.all(selected.map((l) => l.run(run)))).flat();
  // A Gmail collector's tokens (minted during the run) are never printed, whichever layer used it.
  if (c.gmail && m && (on("smtp") || on("relay"))) run.secrets.push(...c.gmail.secrets());
  // Report in layer order, keeping each layer's own order; then each root cause once.
  const findings = groupByCause(LAYERS.flatMap((l) => all.filter((f) => f.layer === l)));
  const notChecked = [...(opts.notChecked ?? []), ...selected.flatMap((l) => l.notChecked?.(run) ?? [])];
  return { findings, notChecked: LAYERS.flatMap((l) => notChecked.filter((n) => n.layer === l)), secrets: run.secrets };
}
