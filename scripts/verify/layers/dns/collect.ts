/**
 * DNS collector: the resolver users run (node's c-ares, the system's servers or --dns-server),
 * memoised so each (name, type) is queried once per run, with bounded parallelism. Answers
 * are normalised; failures become Observations (NXDOMAIN is an answer, a timeout is not).
 */
import { Resolver } from "node:dns/promises";
import { isSubdomainOf } from "../../../../lib/domain";
import type { RecordType } from "../../../../lib/records";
import type { SpfResolver, SpfTxtAnswer } from "../../../../lib/spf";
import { type Observation, observed, type Unobservable } from "../../../../lib/verify/findings";
import { bounded, DEADLINE_NEEDS, deadlineMessage, limiter, memo, OPERATION_BUDGET_FACTOR, type RunDeadline, usableTimeout } from "../../limit";

type QueryType = RecordType | "A" | "AAAA" | "NS";

export interface DnsOptions {
  /** host or host:port; empty = the system's resolvers. */
  servers: string[];
  /** One try of one question; a question with its tries gets 3 x this at most. */
  timeoutMs: number;
  tries?: number;
  /** The run's deadline: when it passes, every pending question ends as "deadline reached". */
  deadline?: RunDeadline;
  /** Queries in flight at once (default DNS_CONCURRENCY). */
  concurrency?: number;
  /** Ask each domain's own name servers for names under it (avoids stale caches). */
  authoritative?: boolean;
  /** Port the authoritative servers listen on (53; tests override it). */
  authoritativePort?: number;
}

/** How a report names the servers asked: their addresses, or the system resolver when none were given. */
export const resolverName = (servers: string[]): string => (servers.length > 0 ? servers.join(", ") : "the system resolver");

function timedOut(what: string, servers: string[]): Unobservable {
  const where = resolverName(servers);
  return { ok: false, reason: "timeout", message: `${what}: no answer from ${where}`, needs: `DNS at ${where} did not answer: check the resolver or pass --dns-server, or raise --timeout.` };
}

function classify(e: unknown, what: string, servers: string[]): Unobservable {
  const code = (e as { code?: string }).code ?? "";
  const where = resolverName(servers);
  switch (code) {
    case "ENOTFOUND":
      return { ok: false, reason: "notfound", message: `${what}: NXDOMAIN` };
    case "ETIMEOUT":
      return timedOut(what, servers);
    case "ESERVFAIL":
      return { ok: false, reason: "error", message: `${what}: SERVFAIL from ${where}`, needs: "The resolver could not get an answer (SERVFAIL): the zone's name servers may be broken or DNSSEC fails; try --authoritative." };
    case "ECONNREFUSED":
      return { ok: false, reason: "unreachable", message: `${what}: connection refused by ${where}`, needs: `Nothing answers DNS at ${where}: pass a working --dns-server.` };
    case "EREFUSED":
      return { ok: false, reason: "denied", message: `${what}: REFUSED by ${where}`, needs: `${where} refuses to answer: use a resolver that serves you.` };
    default:
      return { ok: false, reason: "error", message: `${what}: ${code || (e as Error).message}` };
  }
}

/**
 * Default bound on queries in flight. Resolvers answer hundreds of parallel queries from one
 * client without trouble; the bound keeps a 200-domain run from opening thousands at once.
 */
export const DNS_CONCURRENCY = 128;

const norm = (name: string): string => name.toLowerCase().replace(/\.$/, "");

export class DnsCollector {
  /** Queries sent (after memoisation: each name and type once). */
  queries = 0;
  private readonly resolver: Resolver;
  private readonly run: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly cache = memo<Observation<string[]>>();
  private readonly authoritativeFor = new Map<string, Promise<Resolver | undefined>>();

  private readonly options: DnsOptions;

  constructor(options: DnsOptions) {
    this.options = { ...options, timeoutMs: usableTimeout(options.timeoutMs) };
    this.resolver = this.makeResolver(options.servers);
    this.run = limiter(options.concurrency ?? DNS_CONCURRENCY);
  }

  private makeResolver(servers: string[]): Resolver {
    const r = new Resolver({ timeout: this.options.timeoutMs, tries: this.options.tries ?? 2 });
    if (servers.length > 0) r.setServers(servers);
    return r;
  }

  /** Register a zone whose names should be asked of its own name servers (with --authoritative). */
  useAuthoritativeFor(zone: string): void {
    if (!this.options.authoritative || this.authoritativeFor.has(norm(zone))) return;
    this.authoritativeFor.set(norm(zone), this.discoverAuthoritative(norm(zone)));
  }

  private async discoverAuthoritative(zone: string): Promise<Resolver | undefined> {
    // Through the configured resolver: the name servers' own names are often under the zone
    // they serve, and asking them would wait on this very discovery.
    const ns = await this.query("NS", zone, true);
    if (!ns.ok) return undefined;
    const addresses = (await Promise.all(ns.value.map((host) => this.query("A", host, true)))).flatMap((a) => (a.ok ? a.value : []));
    if (addresses.length === 0) return undefined;
    // IPv4 addresses (A records): "a:53" is "a" to c-ares.
    return this.makeResolver(addresses.map((a) => `${a}:${this.options.authoritativePort ?? 53}`));
  }

  private async resolverFor(name: string): Promise<{ resolver: Resolver; servers: string[] }> {
    for (const [zone, r] of this.authoritativeFor) {
      if (name === zone || isSubdomainOf(name, zone)) {
        const resolver = await r;
        if (resolver) return { resolver, servers: resolver.getServers() };
      }
    }
    return { resolver: this.resolver, servers: this.options.servers };
  }

  /** One normalised answer: CNAME targets, "pref host" for MX, joined TXT strings, addresses, NS hosts. NODATA is an empty list. */
  query(type: QueryType, rawName: string, viaConfiguredResolver = false): Promise<Observation<string[]>> {
    const name = norm(rawName);
    return this.cache(`${type} ${name}`, async () => {
      // Pick the servers before taking a slot: finding a zone's name servers needs slots too.
      const { resolver, servers } = viaConfiguredResolver ? { resolver: this.resolver, servers: this.options.servers } : await this.resolverFor(name);
      // c-ares waits longer at each try and tries every server: the question is bounded here
      // too, at 3 x the timeout, and at the run's deadline.
      const what = `${type} ${name}`;
      return this.run(() => {
        this.queries += 1;
        return bounded(() => this.ask(resolver, type, name, servers), OPERATION_BUDGET_FACTOR * this.options.timeoutMs, this.options.deadline, (why): Unobservable =>
          why === "deadline" && this.options.deadline ? { ok: false, reason: "timeout", message: deadlineMessage(this.options.deadline, what), needs: DEADLINE_NEEDS } : timedOut(what, servers),
        );
      });
    });
  }

  private async ask(resolver: Resolver, type: QueryType, name: string, servers: string[]): Promise<Observation<string[]>> {
    try {
      switch (type) {
        case "CNAME":
          return observed((await resolver.resolveCname(name)).map(norm));
        case "MX":
          return observed((await resolver.resolveMx(name)).map((m) => `${m.priority} ${norm(m.exchange)}`));
        case "TXT":
          return observed((await resolver.resolveTxt(name)).map((chunks) => chunks.join("")));
        case "A":
          return observed(await resolver.resolve4(name));
        case "AAAA":
          return observed(await resolver.resolve6(name));
        case "NS":
          return observed((await resolver.resolveNs(name)).map(norm));
      }
    } catch (e) {
      if ((e as { code?: string }).code === "ENODATA") return observed([]);
      return classify(e, `${type} ${name}`, servers);
    }
  }

  /** Cancel every question still in flight (they end as ECANCELLED); for tests and early exits. */
  destroy(): void {
    this.resolver.cancel();
    for (const r of this.authoritativeFor.values()) void r.then((x) => x?.cancel());
  }

  /** The SPF view of this collector, for lib/spf's analyzeSpf. */
  spfResolver(): SpfResolver {
    return {
      txt: async (name): Promise<SpfTxtAnswer> => {
        const a = await this.query("TXT", name);
        if (a.ok) return a.value.length > 0 ? { kind: "records", records: a.value } : { kind: "nodata" };
        if (a.reason === "notfound") return { kind: "nxdomain" };
        return { kind: "unknown", reason: a.message };
      },
      hasAddressOrMx: async (name, type) => {
        if (type === "mx") {
          const mx = await this.query("MX", name);
          return mx.ok ? mx.value.length > 0 : mx.reason === "notfound" ? false : undefined;
        }
        const [a, aaaa] = await Promise.all([this.query("A", name), this.query("AAAA", name)]);
        if ((a.ok && a.value.length > 0) || (aaaa.ok && aaaa.value.length > 0)) return true;
        const answered = (o: Observation<string[]>) => o.ok || o.reason === "notfound";
        return answered(a) && answered(aaaa) ? false : undefined;
      },
    };
  }
}
