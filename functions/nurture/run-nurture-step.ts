import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { runStep, type StepInput } from './nurture-engine';
import { logger, tracer } from '../platform/observability';

/** The nurture state machine's one task: runs the enrolment's current step and says what comes next. */
export const handler = middy(async (input: StepInput) => runStep(input))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
