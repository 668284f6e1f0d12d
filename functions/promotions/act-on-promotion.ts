import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PromotionActionSchema } from '../../schemas/api/routes';
import { apiHandler } from '../platform/api-handler';
import { tracer } from '../platform/observability';
import { cancelPromotion, closeOutPromotion, submitPromotion } from './promotions';
import { parseInput } from '../platform/validation';

const sfn = tracer.captureAWSv3Client(new SFNClient({}));

/**
 * POST /promotions/{id}/{action}: what the rep does to a promotion.
 *   submit     validated (dates, lines, fund, currency), then Promotion.Submitted starts its lifecycle (202)
 *   cancel     before its start; a reservation goes back to the fund
 *   close-out  actual results and proof of execution; completes the lifecycle's close-out task
 */
export const handler = apiHandler(async (request) => {
  const { action } = parseInput(PromotionActionSchema, { action: request.path('action') }, 'path');
  const principal = request.principal();
  const id = request.path('id');
  switch (action) {
    case 'submit':
      return { status: 202, body: await submitPromotion(principal, id, request.now) };
    case 'cancel':
      return { status: 200, body: await cancelPromotion(principal, id, request.now) };
    case 'close-out':
      return {
        status: 200,
        body: await closeOutPromotion(principal, id, request.body(), request.now, async (taskToken, output) => {
          await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
        }),
      };
  }
});
