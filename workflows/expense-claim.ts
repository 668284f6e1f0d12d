import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, JsonPath, Succeed, TaskInput, type IChainable } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ClaimApproved, ClaimSubmitted } from '../schemas/events';
import { Claims } from '../schemas/promotions/records';
import { approvalThenDecision, claimSubmission, putEventStep } from './promotion-steps';
import { failureState } from './task-failures';

/**
 * An expense claim from submission to payable (DOMAIN.md process 2), started by Claim.Submitted (the
 * submit API has held its total against the promotion's claimable budget and its evidence):
 *
 *   Request approval (finance policy) → Apply the decision ─(approved: reserved → spent, claimed total
 *     up, claim approved)→ Announce Claim.Approved (the ERP pays it; its Claim.Paid marks it paid)
 *   rejected / recalled / no decision in 30 days (the approval request withdrawn) → returned by Apply the decision (reasons; hold released)
 *   a repeated Claim.Submitted (the outbox delivers at least once) finds the submission claimed and ends
 */
export interface ExpenseClaimProps {
  bus: IEventBus;
  /** approved: post (reserved → spent, payable); otherwise back to the rep with the reasons */
  applyDecision: IFunction;
  /** the approvals domain's task that withdraws a request nobody decided in time */
  withdrawApproval: IFunction;
  /** where the claim's submission is claimed by its one run */
  table: ITable;
}

export function expenseClaim(scope: Construct, props: ExpenseClaimProps): IChainable {
  const { onFailure } = failureState(scope, 'Claim failed');
  const d = (field: string) => JsonPath.stringAt(`$.detail.${field}`);
  const ids = { claimId: d('claimId'), submission: JsonPath.numberAt('$.detail.submission') };
  const timeout = Duration.days(30);

  const { ask, decide } = approvalThenDecision(scope, {
    bus: props.bus,
    subject: {
      type: 'expense-claim', prefix: 'claim', idField: 'claimId',
      fields: { amount: JsonPath.objectAt('$.detail.amount'), region: d('region'), promotionId: d('promotionId') },
      title: d('promotionName'), facts: [],
    },
    timeout, workflow: 'expense-claim', withdrawApproval: props.withdrawApproval, applyDecision: props.applyDecision, payload: ids, resultPath: '$.posted', onFailure,
  });

  const announce = onFailure(putEventStep(scope, 'Announce Claim.Approved', props.bus, ClaimApproved, TaskInput.fromObject({
    claimId: JsonPath.stringAt('$.posted.claimId'), promotionId: JsonPath.stringAt('$.posted.promotionId'), fundId: JsonPath.stringAt('$.posted.fundId'),
    payeeId: JsonPath.stringAt('$.posted.payeeId'), amount: JsonPath.objectAt('$.posted.amount'), approvedAt: JsonPath.stringAt('$.posted.approvedAt'),
  })));

  const claim = claimSubmission(scope, { table: props.table, recordType: Claims.type, idField: 'claimId', event: ClaimSubmitted, onFailure });
  return claim.next(ask).next(decide).next(new Choice(scope, 'Approved and posted?')
    .when(Condition.booleanEquals('$.posted.posted', true), announce.next(new Succeed(scope, 'Payable')))
    .otherwise(new Succeed(scope, 'Returned to the rep', { comment: 'rejected, recalled, or no longer awaiting this decision' })));
}

export const EXPENSE_CLAIM_TRIGGER = { source: [ClaimSubmitted.source], detailType: [ClaimSubmitted.detailType] };
