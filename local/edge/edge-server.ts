import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

/** One AWS service behind the edge; it recognises its requests by their protocol (X-Amz-Target, path). */
export interface EdgeService {
  name: string;
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> | void;
}

export interface EdgeOptions {
  /** 0 picks a free port; the url tells which. */
  port: number;
  host?: '127.0.0.1';
  log?: (line: string) => void;
}

export interface Edge {
  url: string;
  register(service: EdgeService): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** The one local endpoint for every AWS API (`AWS_ENDPOINT_URL=http://127.0.0.1:4566`). */
export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const log = opts.log ?? (() => {});
  const services: EdgeService[] = [];

  const server = createServer((req, res) => {
    void dispatch(services, req, res).catch((error: unknown) => {
      log(`edge: ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendAwsError(res, 500, 'InternalFailure', String(error));
      else res.destroy();
    });
  });
  // Node's 5 s default closes an idle socket about when an SDK client (its agent keeps sockets 1 s less
  // than the server's Keep-Alive hint) reuses it, once the event loop lags by a second: the request dies
  // with "socket hang up", which a state machine's DynamoDB task reports as DynamoDB.SdkClientException
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await listen(server, opts.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${HOST}:${port}`;
  log(`edge listening on ${url}`);

  return {
    url,
    register: (service) => {
      services.push(service);
      log(`edge: ${service.name} registered`);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} is in use: another process listens on ${HOST}:${port} (is the local runtime already running?)`)
          : error,
      ),
    );
    server.listen(port, HOST, () => resolve());
  });
}

async function dispatch(services: EdgeService[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const service = services.find((s) => s.matches(req));
  // the body is read before dispatch, so a service can both inspect and forward it
  const body = await readBody(req);
  if (!service) {
    const target = req.headers['x-amz-target'];
    const received = `${req.method} ${req.url}${target ? ` with X-Amz-Target ${target}` : ''}`;
    sendAwsError(res, 400, 'UnknownOperationException', `No local service handles ${received}`);
    return;
  }
  await service.handle(req, res, body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** An error in the AWS JSON protocol's shape, which every AWS SDK can parse. */
export function sendAwsError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}

/** An AWS error a JSON-protocol service answers with; extra headers for SDKs that read them. */
export interface AwsErrorReply {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/**
 * Serves one action of an AWS JSON-protocol service (`X-Amz-Target: <prefix><Action>`): parses the
 * body, runs the action, and answers its output, or its error in AWS's shape (`toAwsError` names the
 * errors the service knows; anything else is a fault of ours and propagates).
 */
export async function serveAwsJsonAction(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  service: {
    targetPrefix: string;
    contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
    run(action: string, input: Record<string, unknown>): Promise<unknown> | unknown;
    toAwsError(error: unknown): AwsErrorReply | undefined;
  },
): Promise<void> {
  const action = String(req.headers['x-amz-target']).slice(service.targetPrefix.length);
  let input: Record<string, unknown>;
  try {
    input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    return sendAwsError(res, 400, 'SerializationException', 'The request body is not valid JSON');
  }
  try {
    const output = await service.run(action, input);
    res.writeHead(200, { 'content-type': service.contentType });
    res.end(JSON.stringify(output ?? {}));
  } catch (error) {
    const reply = service.toAwsError(error);
    if (!reply) throw error;
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    sendAwsError(res, reply.status, reply.type, reply.message);
  }
}

/** An error an emulated action throws for its caller: `type` is the AWS error code the SDK sees. */
export const awsError = (type: string, message: string) => Object.assign(new Error(message), { type });

/**
 * A JSON-protocol service whose actions are a table: an action not in it is UnknownOperationException,
 * and an error thrown with awsError answers 400 with its type.
 */
export function awsJsonActionService(service: {
  name: string;
  targetPrefix: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  actions: Record<string, (input: Record<string, unknown>) => unknown>;
}): EdgeService {
  return {
    name: service.name,
    matches: targetPrefixMatcher(service.targetPrefix),
    handle: (req, res, body) =>
      serveAwsJsonAction(req, res, body, {
        targetPrefix: service.targetPrefix,
        contentType: service.contentType,
        run(action, input) {
          const run = service.actions[action];
          if (!run) throw awsError('UnknownOperationException', `${service.name} action ${action} is not emulated locally`);
          return run(input);
        },
        toAwsError(error) {
          const { type, message } = error as { type?: string; message: string };
          return type ? { status: 400, type, message } : undefined;
        },
      }),
  };
}

/** Matches requests whose X-Amz-Target names an operation of the given JSON-protocol service. */
export function targetPrefixMatcher(prefix: string): (req: IncomingMessage) => boolean {
  return (req) => {
    const target = req.headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith(prefix);
  };
}

/**
 * Forwards DynamoDB's JSON API to DynamoDB Local unchanged: method, path, headers (authorization
 * included) and body. Only Host is rewritten to the target's; DynamoDB Local does not check SigV4,
 * so the signature, computed over the edge's host, still passes.
 */
export function dynamoDbProxyService(targetEndpoint: string): EdgeService {
  const target = new URL(targetEndpoint);
  return {
    name: 'DynamoDB',
    matches: targetPrefixMatcher('DynamoDB_20120810.'),
    handle: (req, res, body) => forward(target, req, res, body),
  };
}

function forward(target: URL, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const upstream = httpRequest(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        pipeline(response, res).then(resolve, reject);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return reject(error);
      sendAwsError(res, 502, 'ServiceUnavailable', `DynamoDB Local at ${target.origin} did not answer: ${error.message}`);
      resolve();
    });
    upstream.end(body);
  });
}
