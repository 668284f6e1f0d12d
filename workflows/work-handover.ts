import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Errors, Fail, JitterType, JsonPath, Map as MapState, Succeed, type IChainable } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { lambdaStep } from './promotion-steps';

/** Pages moved at once: each is one task invocation moving its items one transaction at a time. */
export const HANDOVER_PAGES_AT_ONCE = 4;

/**
 * A work handover (DOMAIN.md process 6), started by the outbox when POST /handovers commits:
 *
 *   Plan the book (its items in pages, once) → Move the pages (a Map, HANDOVER_PAGES_AT_ONCE at a time;
 *     each item one conditional transaction with its outcome mark) → Finish (deactivate the leaver if
 *     asked; completed)
 *   any step failing for good → Record the failure (the handover says failed; what moved stays moved)
 *
 * Every step may run again (a retry, a restarted runtime): the plan is kept once made and a marked item is
 * not moved again. The Map is inline over page numbers: the local engine has no distributed Map, and
 * 10,000 items are 100 page numbers (docs/decisions.md).
 */
export function workHandover(scope: Construct, props: { step: IFunction }): IChainable {
  const failed = new Fail(scope, 'Handover failed', { errorPath: JsonPath.stringAt('$.failure.Error'), causePath: JsonPath.stringAt('$.failure.Cause') });
  const recordFailure = lambdaStep(scope, 'Record the failure', props.step,
    { step: 'fail', handoverId: JsonPath.stringAt('$.handoverId'), failure: JsonPath.objectAt('$.failure') }, JsonPath.DISCARD);
  recordFailure.addCatch(failed, { errors: [Errors.ALL], resultPath: '$.recordFailure' });
  recordFailure.next(failed);
  const onFailure = { errors: [Errors.ALL], resultPath: '$.failure' };
  // a move's own errors (a transaction that met another) clear on a retry too: moves are idempotent per item
  const retryAll = { errors: [Errors.ALL], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: JitterType.FULL };

  const plan = lambdaStep(scope, 'Plan the book', props.step, { step: 'plan', handoverId: JsonPath.stringAt('$.handoverId') }, '$.plan')
    .addRetry(retryAll).addCatch(recordFailure, onFailure);
  const movePage = lambdaStep(scope, 'Move a page', props.step,
    { step: 'move-page', handoverId: JsonPath.stringAt('$.handoverId'), page: JsonPath.numberAt('$.page') }, JsonPath.DISCARD)
    .addRetry(retryAll).addCatch(new Fail(scope, 'Page failed'), onFailure);
  const pages = new MapState(scope, 'Move the pages', {
    itemsPath: '$.plan.pages',
    itemSelector: { handoverId: JsonPath.stringAt('$.handoverId'), page: JsonPath.numberAt('$$.Map.Item.Value') },
    maxConcurrency: HANDOVER_PAGES_AT_ONCE,
    resultPath: JsonPath.DISCARD,
  }).itemProcessor(movePage).addCatch(recordFailure, onFailure);
  const finish = lambdaStep(scope, 'Finish', props.step, { step: 'finish', handoverId: JsonPath.stringAt('$.handoverId') }, JsonPath.DISCARD)
    .addRetry(retryAll).addCatch(recordFailure, onFailure);
  return plan.next(pages).next(finish).next(new Succeed(scope, 'Handed over'));
}
