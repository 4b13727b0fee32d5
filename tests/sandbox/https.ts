/**
 * An HTTPS server on 127.0.0.1 that serves MTA-STS policies (RFC 8461 3.3) for many policy
 * hosts at once: the answer is chosen by the Host header, the certificate by SNI (so a test
 * can hand one host a certificate for another name). Certificates come from ca.ts.
 */
import * as https from "node:https";
import * as tls from "node:tls";
import { listenOnLoopback, LOOPBACK } from "./common";

export interface PolicyRoute {
  status?: number;
  contentType?: string;
  body: string;
  /** A Location header (to test that redirects are not followed). */
  location?: string;
}

export interface HttpsPolicyServer {
  host: string;
  port: number;
  /** "host path" of each request, in arrival order. */
  requests(): string[];
  stop(): Promise<void>;
}

export async function startHttpsPolicyServer(options: {
  /** The default certificate (should name every host the routes serve). */
  cert: { key: string; cert: string };
  /** Host name -> certificate to present for it instead of the default (e.g. one for another name). */
  certFor?: Record<string, { key: string; cert: string }>;
  /** Host name -> the answer at /.well-known/mta-sts.txt. Unknown hosts and paths get 404. */
  routes: Record<string, PolicyRoute>;
}): Promise<HttpsPolicyServer> {
  const seen: string[] = [];
  const contexts = new Map(Object.entries(options.certFor ?? {}).map(([name, c]) => [name, tls.createSecureContext(c)] as const));
  const server = https.createServer(
    {
      key: options.cert.key,
      cert: options.cert.cert,
      SNICallback: (name, cb) => cb(null, contexts.get(name) ?? tls.createSecureContext(options.cert)),
    },
    (req, res) => {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      seen.push(`${host} ${req.url}`);
      const route = req.url === "/.well-known/mta-sts.txt" ? options.routes[host] : undefined;
      if (!route) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      res.writeHead(route.status ?? 200, { "content-type": route.contentType ?? "text/plain", ...(route.location ? { location: route.location } : {}) }).end(route.body);
    },
  );
  server.on("tlsClientError", () => undefined);
  const port = await listenOnLoopback(server);
  server.unref();
  return {
    host: LOOPBACK,
    port,
    requests: () => [...seen],
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
