import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { awaitEngagement } from './nurture-engine';
import { logger, tracer } from '../platform/observability';

/** The engagement wait (waitForTaskToken): parks the task token where the open/click event finds it. */
export const handler = middy(async (input: Parameters<typeof awaitEngagement>[0]) => awaitEngagement(input))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
