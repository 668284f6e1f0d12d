import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { storeWaitToken } from './approval-engine';
import { logger, tracer } from '../platform/observability';

const sfn = tracer.captureAWSv3Client(new SFNClient({}));

/**
 * Workflow task (`.waitForTaskToken`): stores the wait's token on the request, where decisions, recalls
 * and reassignments find it. If one came in between the engine's last read and now, or the wait started
 * too long after the engine counted its timer, ends the wait at once, so nothing waits for a timer it
 * does not need and no deadline fires late.
 */
export const handler = middy(async (input: { token: string; requestId: string; round: number; signals: number; countedAt: string }) => {
  const wakeNow = await storeWaitToken(input.requestId, input.round, input.signals, input.token, input.countedAt);
  if (wakeNow) await sfn.send(new SendTaskSuccessCommand({ taskToken: input.token, output: JSON.stringify({ woken: true }) }));
  return { stored: true, wokeAtOnce: wakeNow };
}).use(injectLambdaContext(logger));
