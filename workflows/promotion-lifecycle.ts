import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice, Condition, Errors, JsonPath, Pass, Result, Succeed, TaskInput, Wait, WaitTime, type IChainable,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { DynamoAttributeValue, DynamoUpdateItem } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { listPk, RECORD_SK, recordKey } from '../schemas/keys';
import { Promotions } from '../schemas/promotions/records';
import { PromotionApproved, PromotionClosedOut, PromotionSubmitted } from '../schemas/events';
import { approvalThenDecision, claimSubmission, lambdaWaitStep, putEventStep, withRetry } from './promotion-steps';
import { DYNAMO_TRANSIENT, failureState } from './task-failures';

/**
 * A trade promotion from submission to close-out (DOMAIN.md process 1), started by Promotion.Submitted
 * (the submit API has validated dates, lines, fund and currency):
 *
 *   Request approval → Apply the decision ─(approved: reserved, marked approved)→ Announce approval
 *     → Wait for the start → Start (a conditional update: still approved?) → Wait for the end
 *     → End and ask for the close-out ⟲ (remind every 3 days; overdue after 3 reminders: finance copied)
 *     → Announce close-out
 *   rejected / recalled → Apply the decision returns it to the rep (status rejected, with reasons)
 *   no decision in 30 days → the approval request is withdrawn, then returned the same way
 *   refused by the fund → returned with the fund's reason (inside Apply the decision)
 *   cancelled before the start → the Start's condition fails and it stops (the cancel released the money)
 *
 * The rep hears of the outcome once, from the approval engine (its outcome mail names the promotion,
 * its accounts, fund, amount and dates). Few coarse states on purpose: one promotion's happy path enters 12.
 * A repeated Promotion.Submitted (the outbox delivers at least once) finds the submission claimed and ends.
 */
export interface PromotionLifecycleProps {
  bus: IEventBus;
  /** approved: reserve and mark approved; otherwise back to the rep with the reasons */
  applyDecision: IFunction;
  /** the approvals domain's task that withdraws a request nobody decided in time */
  withdrawApproval: IFunction;
  table: ITable;
  requestCloseOut: IFunction;
  /** how often the close-out task reminds the rep */
  remindEvery: Duration;
}

export const APPROVAL_TIMEOUT = Duration.days(30);

export function promotionLifecycle(scope: Construct, props: PromotionLifecycleProps): IChainable {
  const { onFailure } = failureState(scope, 'Lifecycle failed');
  const d = (field: string) => JsonPath.stringAt(`$.detail.${field}`);
  const ids = { promotionId: d('promotionId'), submission: JsonPath.numberAt('$.detail.submission') };

  const { ask, decide } = approvalThenDecision(scope, {
    bus: props.bus,
    subject: {
      type: 'promotion', prefix: 'promotion', idField: 'promotionId',
      fields: { amount: JsonPath.objectAt('$.detail.amount'), region: d('region'), type: d('type'), fundId: d('fundId') },
      title: d('name'),
      facts: [
        { label: 'Accounts', text: JsonPath.listAt('$.detail.accountNames') }, { label: 'Fund', text: d('fundName') },
        { label: 'Type', text: d('type') }, { label: 'Starts', at: d('startsAt') }, { label: 'Ends', at: d('endsAt') },
      ],
    },
    timeout: APPROVAL_TIMEOUT, workflow: 'promotion-lifecycle', withdrawApproval: props.withdrawApproval,
    applyDecision: props.applyDecision, payload: ids, resultPath: '$.reservation', onFailure,
  });

  const announceApproval = onFailure(putEventStep(scope, 'Announce approval', props.bus, PromotionApproved, TaskInput.fromObject({
    promotionId: d('promotionId'), fundId: d('fundId'), amount: JsonPath.objectAt('$.detail.amount'), startsAt: d('startsAt'), endsAt: d('endsAt'),
  })));
  // no logic: a conditional status change straight on the table (keys as schemas/keys/ builds them);
  // a promotion cancelled meanwhile fails the condition and stops here
  const start = withRetry(new DynamoUpdateItem(scope, 'Start', {
    table: props.table,
    key: {
      pk: DynamoAttributeValue.fromString(JsonPath.format(recordKey(Promotions.type, '{}').pk, d('promotionId'))),
      sk: DynamoAttributeValue.fromString(RECORD_SK),
    },
    updateExpression: 'SET #status = :active, byStatusPk = :statusPk, activeAt = :now, updatedAt = :now, version = version + :one',
    conditionExpression: '#status = :approved',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':active': DynamoAttributeValue.fromString('active'),
      ':approved': DynamoAttributeValue.fromString('approved'),
      ':statusPk': DynamoAttributeValue.fromString(listPk.byStatus(Promotions.type, 'active')),
      ':now': DynamoAttributeValue.fromString(JsonPath.stringAt('$$.State.EnteredTime')),
      ':one': DynamoAttributeValue.fromNumber(1),
    },
    resultPath: JsonPath.DISCARD,
  }), DYNAMO_TRANSIENT);
  start.addCatch(new Succeed(scope, 'Cancelled before the start', { comment: 'the cancel released its money' }), {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
  });
  onFailure(start);
  const askCloseOut = lambdaWaitStep(scope, 'End and ask for the close-out', props.requestCloseOut, {
    promotionId: d('promotionId'), taskToken: JsonPath.taskToken, reminder: JsonPath.numberAt('$.reminders.count'),
  }, '$.closeOut', props.remindEvery);
  const firstAsk = new Pass(scope, 'Ended', { result: Result.fromObject({ count: 0 }), resultPath: '$.reminders' });
  const remind = new Pass(scope, 'Remind', {
    parameters: { 'count.$': 'States.MathAdd($.reminders.count, 1)' },
    resultPath: '$.reminders',
  });
  askCloseOut.addCatch(remind, { errors: [Errors.TIMEOUT], resultPath: JsonPath.DISCARD });
  onFailure(askCloseOut);
  remind.next(askCloseOut);
  const announceCloseOut = onFailure(putEventStep(scope, 'Announce close-out', props.bus, PromotionClosedOut, TaskInput.fromJsonPathAt('$.closeOut')));

  const runIt = announceApproval
    .next(new Wait(scope, 'Wait for the start', { time: WaitTime.timestampPath('$.detail.startsAt') }))
    .next(start)
    .next(new Wait(scope, 'Wait for the end', { time: WaitTime.timestampPath('$.detail.endsAt') }))
    .next(firstAsk).next(askCloseOut).next(announceCloseOut).next(new Succeed(scope, 'Closed out'));

  const claim = claimSubmission(scope, { table: props.table, recordType: Promotions.type, idField: 'promotionId', event: PromotionSubmitted, onFailure });
  return claim.next(ask).next(decide).next(new Choice(scope, 'Approved and reserved?')
    .when(Condition.booleanEquals('$.reservation.reserved', true), runIt)
    .otherwise(new Succeed(scope, 'Returned to the rep', { comment: 'rejected, recalled, refused by the fund, or cancelled meanwhile' })));
}

/** What starts it: a submitted promotion. */
export const PROMOTION_LIFECYCLE_TRIGGER = { source: [PromotionSubmitted.source], detailType: [PromotionSubmitted.detailType] };
