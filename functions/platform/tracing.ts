import { Tracer } from '@aws-lambda-powertools/tracer';
import { instrumentSdkClients } from './sdk-clients';

/*
 * The Powertools Tracer, for the workflow-task and event-target stack (task-handler.ts) only: it pulls
 * in aws-xray-sdk-core and its dependencies, about a quarter of an API function's cold start, and an
 * API function's invocation is traced by Lambda's active tracing without it. Importing this module
 * instruments every AWS SDK client the function makes (sdk-clients.ts).
 */
export const tracer = new Tracer();

instrumentSdkClients((client) => tracer.captureAWSv3Client(client));
