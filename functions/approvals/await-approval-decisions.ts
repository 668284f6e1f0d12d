import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { storeWaitToken } from '../shared/approval-engine';
import { logger, tracer } from '../shared/observability';

const sfn = tracer.captureAWSv3Client(new SFNClient({}));

/**
 * Workflow task (`.waitForTaskToken`): stores the wait's token on the request, where decisions, recalls
 * and reassignments find it. If one came in between the engine's last read and now, ends the wait at
 * once, so nothing waits for a timer it does not need.
 */
export const handler = middy(async (input: { token: string; requestId: string; round: number; signals: number }) => {
  const wakeNow = await storeWaitToken(input.requestId, input.round, input.signals, input.token);
  if (wakeNow) await sfn.send(new SendTaskSuccessCommand({ taskToken: input.token, output: JSON.stringify({ woken: true }) }));
  return { stored: true, wokeAtOnce: wakeNow };
}).use(injectLambdaContext(logger));
