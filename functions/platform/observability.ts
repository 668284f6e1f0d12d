import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

// Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE,
// set per function by the CDK function construct. The Tracer is not here: API functions load this
// module, and the tracer (tracing.ts) is for workflow tasks and event targets only.
export const logger = new Logger();
export const metrics = new Metrics();
