import type { InvokeCommand, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { sendAwsError, type EdgeService } from '../edge/edge-server';

/**
 * Lambda's Invoke API on the edge (`POST /2015-03-31/functions/{FunctionName}/invocations`), so
 * @aws-sdk/client-lambda, `aws lambda invoke --endpoint-url` and Step Functions' Lambda tasks reach
 * the local functions. RequestResponse answers with the function's result, or with Lambda's error
 * payload and `X-Amz-Function-Error: Unhandled`; Event answers 202 at once; DryRun 204.
 */
export interface LocalFunctions {
  invoke(nameOrArn: string, event: unknown): Promise<unknown>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** How a failed invoke says what failed: LambdaInvokeError's shape, or any Error. */
interface InvokeFailure {
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
  name?: string;
  message?: string;
  stack?: string;
}

function errorPayload(error: unknown) {
  const e = (error ?? {}) as InvokeFailure;
  return {
    errorType: e.errorType ?? e.name ?? 'Error',
    errorMessage: e.errorMessage ?? e.message ?? String(error),
    trace: e.trace ?? (e.stack ? e.stack.split('\n') : []),
  };
}

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';
const INVOCATION_TYPES = new Set<string>(['RequestResponse', 'Event', 'DryRun']);

/** What Lambda answers an Invoke with: the result (or the error payload, with FunctionError), or 404. */
export interface InvokeOutcome {
  statusCode: 200 | 202 | 204;
  payload: string;
  functionError?: 'Unhandled';
  /** set when no such function exists: Lambda's ResourceNotFoundException */
  notFound?: string;
}

/** Lambda's Invoke semantics over the local functions, for the edge and for in-process callers alike. */
export async function invokeLocalFunction(
  functions: LocalFunctions, name: string, event: unknown, type: InvocationType, log: (line: string) => void = () => {},
): Promise<InvokeOutcome> {
  if (type === 'DryRun') return { statusCode: 204, payload: '' };
  if (type === 'Event') {
    functions.invoke(name, event).catch((error: unknown) => log(`lambda: async invoke of ${name} failed: ${errorPayload(error).errorMessage}`));
    return { statusCode: 202, payload: '' };
  }
  try {
    const result = await functions.invoke(name, event);
    return { statusCode: 200, payload: result === undefined ? 'null' : JSON.stringify(result) };
  } catch (error) {
    const payload = errorPayload(error);
    if (payload.errorType === 'ResourceNotFoundException') return { statusCode: 200, payload: '', notFound: payload.errorMessage };
    return { statusCode: 200, payload: JSON.stringify(payload), functionError: 'Unhandled' };
  }
}

/**
 * A stand-in for @aws-sdk/client-lambda's client that answers InvokeCommand in process, exactly as the
 * edge would (same outcome, same errors): the emulators that invoke functions (EventBridge targets,
 * Step Functions tasks) skip an HTTP round trip and the SDK's signing and parsing on every call.
 */
export function inProcessLambdaClient(functions: LocalFunctions, log: (line: string) => void = () => {}): InvokingClient {
  return {
    async send(command: InvokeCommand): Promise<InvokeCommandOutput> {
      const { FunctionName = '', InvocationType = 'RequestResponse', Payload, Qualifier } = command.input;
      const text = Payload === undefined ? '' : typeof Payload === 'string' ? Payload : Buffer.from(Payload as Uint8Array).toString('utf8');
      const event: unknown = text ? JSON.parse(text) : {};
      const name = Qualifier && Qualifier !== '$LATEST' ? `${FunctionName}:${Qualifier}` : FunctionName.replace(/:\$LATEST$/, '');
      const outcome = await invokeLocalFunction(functions, name, event, InvocationType as InvocationType, log);
      if (outcome.notFound) {
        throw Object.assign(new Error(outcome.notFound), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      }
      return {
        StatusCode: outcome.statusCode,
        ExecutedVersion: '$LATEST',
        // the SDK's Payload is a Uint8Array with helpers; callers here read it as bytes
        ...(outcome.payload ? { Payload: new Uint8Array(Buffer.from(outcome.payload)) as InvokeCommandOutput['Payload'] } : {}),
        ...(outcome.functionError ? { FunctionError: outcome.functionError } : {}),
        $metadata: { httpStatusCode: outcome.statusCode },
      };
    },
    destroy() {},
  };
}

/** What an emulator needs of a Lambda client: Invoke (the SDK's client, or the in-process one). */
export interface InvokingClient {
  send(command: InvokeCommand, options?: { abortSignal?: AbortSignal }): Promise<InvokeCommandOutput>;
  destroy(): void;
}

export function lambdaInvokeService(functions: LocalFunctions, log: (line: string) => void = () => {}): EdgeService {
  return {
    name: 'Lambda',
    matches: (req) => req.method === 'POST' && INVOKE_PATH.test((req.url ?? '').split('?')[0]!),
    async handle(req, res, body) {
      const url = new URL(req.url ?? '/', 'http://edge');
      const raw = decodeURIComponent(INVOKE_PATH.exec(url.pathname)![1]!);
      const qualifier = url.searchParams.get('Qualifier');
      if (qualifier && qualifier !== '$LATEST') {
        return sendAwsError(res, 404, 'ResourceNotFoundException', `Function not found: ${raw}:${qualifier} (only $LATEST runs locally)`);
      }
      // "name:$LATEST" or an ARN ending in ":$LATEST" names the same function
      const name = raw.replace(/:\$LATEST$/, '');
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      let event: unknown = {};
      if (body.length > 0) {
        try {
          event = JSON.parse(body.toString('utf8'));
        } catch {
          return sendAwsError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
        }
      }
      if (!INVOCATION_TYPES.has(type)) {
        return sendAwsError(res, 400, 'InvalidParameterValueException', `Unknown InvocationType '${type}'`);
      }
      const outcome = await invokeLocalFunction(functions, name, event, type as InvocationType, log);
      if (outcome.notFound) return sendAwsError(res, 404, 'ResourceNotFoundException', outcome.notFound);
      if (outcome.statusCode !== 200) {
        res.writeHead(outcome.statusCode, { 'content-length': '0' }).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        ...(outcome.functionError ? { 'x-amz-function-error': outcome.functionError } : {}),
      });
      res.end(outcome.payload);
    },
  };
}

