import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type * as z from '../../schemas/zod';
import { logger, tracer } from './observability';

/**
 * The middleware stack of a workflow task or event-rule target: input parsed with its schema (a bad
 * input throws, so the Task's Catch or the rule's DLQ sees it), Powertools logger and tracer. Errors
 * propagate: Step Functions retries and catches them.
 */
export function taskHandler<I, O>(schema: z.ZodMiniType<I>, task: (input: I, now: string) => Promise<O>) {
  return middy(async (event: unknown) => {
    const input = schema.parse(event);
    const result = await task(input, new Date().toISOString());
    logger.info('task done', { result: result as never });
    return result;
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger));
}
