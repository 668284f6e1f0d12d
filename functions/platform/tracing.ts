import { tracer } from './observability';
import { instrumentSdkClients } from './sdk-clients';

/*
 * The Powertools Tracer, for the workflow-task and event-target stack (task-handler.ts). Importing
 * this module instruments every AWS SDK client the function makes (sdk-clients.ts).
 */
export { tracer };

instrumentSdkClients((client) => tracer.captureAWSv3Client(client));
