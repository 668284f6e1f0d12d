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
      switch (type) {
        case 'DryRun':
          res.writeHead(204).end();
          return;
        case 'Event':
          functions.invoke(name, event).catch((error: unknown) => log(`lambda: async invoke of ${name} failed: ${errorPayload(error).errorMessage}`));
          res.writeHead(202, { 'content-length': '0' }).end();
          return;
        case 'RequestResponse':
          break;
        default:
          return sendAwsError(res, 400, 'InvalidParameterValueException', `Unknown InvocationType '${type}'`);
      }
      try {
        const result = await functions.invoke(name, event);
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        res.end(result === undefined ? 'null' : JSON.stringify(result));
      } catch (error) {
        const payload = errorPayload(error);
        if (payload.errorType === 'ResourceNotFoundException') return sendAwsError(res, 404, payload.errorType, payload.errorMessage);
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-amz-executed-version': '$LATEST',
          'x-amz-function-error': 'Unhandled',
        });
        res.end(JSON.stringify(payload));
      }
    },
  };
}

