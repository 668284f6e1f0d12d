import type { MiddlewareObj } from '@middy/core';
import { instrumentSdkClients } from './sdk-clients';

/*
 * The Powertools Tracer, for the workflow-task and event-target stack (task-handler.ts) only: it pulls
 * in aws-xray-sdk-core and its dependencies, about a quarter of an API function's cold start, and an
 * API function's invocation is traced by Lambda's active tracing without it. Loading it instruments
 * every AWS SDK client the function makes (sdk-clients.ts).
 *
 * It is loaded only where tracing is on. Loaded, the X-Ray SDK hooks every promise the function makes
 * (cls-hooked keeps the trace context; in Lambda it does so even in its manual mode): about a tenth of
 * the nurture router's and step's CPU, paid for nothing where POWERTOOLS_TRACE_ENABLED is false (the
 * local runtime, which has no X-Ray).
 */
export const tracing: MiddlewareObj | undefined = process.env.POWERTOOLS_TRACE_ENABLED === 'false' ? undefined : await tracerMiddleware();

async function tracerMiddleware(): Promise<MiddlewareObj> {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ]);
  const tracer = new Tracer();
  instrumentSdkClients((client) => tracer.captureAWSv3Client(client));
  return captureLambdaHandler(tracer);
}
