import { sendAwsError, targetPrefixMatcher, type EdgeService } from '../edge/edge-server';

/**
 * The SFN JSON 1.0 protocol on the edge: `X-Amz-Target: AWSStepFunctions.<Action>`, a JSON body in,
 * a JSON body out, errors as `{"__type": ..., "message": ...}`, so @aws-sdk/client-sfn and
 * `aws stepfunctions --endpoint-url` work unchanged.
 */
export function stepFunctionsApiService(call: (action: string, input: Record<string, unknown>) => Promise<unknown>): EdgeService {
  return {
    name: 'Step Functions',
    matches: targetPrefixMatcher('AWSStepFunctions.'),
    async handle(req, res, body) {
      const action = String(req.headers['x-amz-target']).slice('AWSStepFunctions.'.length);
      let input: Record<string, unknown>;
      try {
        input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      } catch {
        return sendAwsError(res, 400, 'SerializationException', 'The request body is not JSON');
      }
      try {
        const output = await call(action, input);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(output));
      } catch (error) {
        const type = (error as { type?: unknown }).type;
        if (typeof type !== 'string') throw error;
        sendAwsError(res, 400, type, (error as Error).message);
      }
    },
  };
}
