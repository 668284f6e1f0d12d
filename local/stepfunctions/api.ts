import { serveAwsJsonAction, targetPrefixMatcher, type EdgeService } from '../edge/edge-server';

/**
 * The SFN JSON 1.0 protocol on the edge: `X-Amz-Target: AWSStepFunctions.<Action>`, a JSON body in,
 * a JSON body out, errors as `{"__type": ..., "message": ...}`, so @aws-sdk/client-sfn and
 * `aws stepfunctions --endpoint-url` work unchanged.
 */
export function stepFunctionsApiService(call: (action: string, input: Record<string, unknown>) => Promise<unknown>): EdgeService {
  return {
    name: 'Step Functions',
    matches: targetPrefixMatcher('AWSStepFunctions.'),
    handle: (req, res, body) =>
      serveAwsJsonAction(req, res, body, {
        targetPrefix: 'AWSStepFunctions.',
        contentType: 'application/x-amz-json-1.0',
        run: call,
        toAwsError(error) {
          const type = (error as { type?: unknown }).type;
          return typeof type === 'string' ? { status: 400, type, message: (error as Error).message } : undefined;
        },
      }),
  };
}
