/**
 * An AWS endpoint that answers every request with one fault, in the wire shape of the
 * protocol the request used, so the real SDK parses it as it would parse AWS's answer:
 *
 * - awsQuery (IAM, STS: a form-encoded POST): `<ErrorResponse><Error><Code>` XML;
 * - awsJson1_1 (Secrets Manager: `x-amz-target`): `{"__type": ..., "message": ...}`;
 * - restJson1 (SES v2: `GET /v2/email/...`): the `x-amzn-errortype` header and a JSON body.
 *
 * Faults: "denied" (AccessDenied, 403/400), "throttled" (Throttling / ThrottlingException /
 * TooManyRequestsException), "unavailable" (HTTP 503 ServiceUnavailable). Point one service at
 * it with AWS_ENDPOINT_URL_<SERVICE>, or every service with AWS_ENDPOINT_URL.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { type LoopbackHttpServer, serveOnLoopback } from "./common";

export type AwsFaultKind = "denied" | "throttled" | "unavailable";

/** requests() counts every request answered, retries included. */
export type AwsFaultServer = LoopbackHttpServer;

type Protocol = "query" | "json" | "rest";

const ERRORS: Record<AwsFaultKind, Record<Protocol, { status: number; code: string; message: string }>> = {
  denied: {
    query: { status: 403, code: "AccessDenied", message: "User: arn:aws:iam::123456789012:user/verify-readonly is not authorized to perform this action" },
    json: { status: 400, code: "AccessDeniedException", message: "User: arn:aws:iam::123456789012:user/verify-readonly is not authorized to perform: secretsmanager:GetSecretValue" },
    rest: { status: 403, code: "AccessDeniedException", message: "User: arn:aws:iam::123456789012:user/verify-readonly is not authorized to perform this action" },
  },
  throttled: {
    query: { status: 400, code: "Throttling", message: "Rate exceeded" },
    json: { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
    rest: { status: 429, code: "TooManyRequestsException", message: "Too many requests have been made to the operation." },
  },
  unavailable: {
    query: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable. Please try again later." },
    json: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable. Please try again later." },
    rest: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable. Please try again later." },
  },
};

function protocolOf(req: http.IncomingMessage): Protocol {
  if (req.headers["x-amz-target"]) return "json";
  if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return "query";
  return "rest";
}

export async function startAwsFault(kind: AwsFaultKind): Promise<AwsFaultServer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count += 1;
      const protocol = protocolOf(req);
      const e = ERRORS[kind][protocol];
      const requestId = randomUUID();
      if (protocol === "query") {
        res.writeHead(e.status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${e.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
      } else if (protocol === "json") {
        res.writeHead(e.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
        res.end(JSON.stringify({ __type: e.code, message: e.message }));
      } else {
        res.writeHead(e.status, { "content-type": "application/json", "x-amzn-requestid": requestId, "x-amzn-errortype": `${e.code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` });
        res.end(JSON.stringify({ message: e.message }));
      }
    });
  });
  return serveOnLoopback(server, () => count);
}
