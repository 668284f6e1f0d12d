import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, JsonPath, Succeed, TaskInput, Wait, WaitTime, type IChainable } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CampaignPlanned, CampaignSettled, PromotionClosedOut } from '../schemas/events';
import { lambdaStep, mailStep, putEventStep, type MailProps } from './promotion-steps';
import { failureState } from './task-failures';

/**
 * A campaign's (or a campaign-less promotion's) settlement (DOMAIN.md process 3), started when the
 * campaign is planned (or the lone promotion closed out), with its settleAt = end + settlement delay:
 *
 *   Wait until settleAt → Settle ─(something still under way or a claim pending)→ Wait a day ⟲
 *                               └(settled: released, report stored)→ Mail the report → Announce Campaign.Settled
 */
export interface CampaignSettlementProps {
  bus: IEventBus;
  mail: MailProps;
  settle: IFunction;
}

export const SETTLEMENT_RETRY_EVERY = Duration.days(1);

export function campaignSettlement(scope: Construct, props: CampaignSettlementProps): IChainable {
  const { onFailure } = failureState(scope, 'Settlement failed');

  const settle = onFailure(lambdaStep(scope, 'Settle', props.settle, { target: JsonPath.objectAt('$.detail.settlement.target') }, '$.settle'));
  const mail = onFailure(mailStep(scope, 'Mail the report', props.mail, {
    to: JsonPath.listAt('$.settle.mail.to'), subject: JsonPath.stringAt('$.settle.mail.subject'), text: JsonPath.stringAt('$.settle.mail.text'),
  }));
  const announce = onFailure(putEventStep(scope, 'Announce Campaign.Settled', props.bus, CampaignSettled, TaskInput.fromObject({
    target: JsonPath.objectAt('$.detail.settlement.target'),
    currency: JsonPath.stringAt('$.settle.report.currency'),
    revenueMinor: JsonPath.numberAt('$.settle.report.revenueMinor'),
    costMinor: JsonPath.numberAt('$.settle.report.costMinor'),
    roiBasisPoints: JsonPath.objectAt('$.settle.report.roiBasisPoints'),
    releasedMinor: JsonPath.numberAt('$.settle.releasedMinor'),
  })));
  const later = new Wait(scope, 'Wait a day', { time: WaitTime.duration(SETTLEMENT_RETRY_EVERY) });
  later.next(settle);

  return new Wait(scope, 'Wait until settlement is due', { time: WaitTime.timestampPath('$.detail.settlement.settleAt') })
    .next(settle)
    .next(new Choice(scope, 'Settled?')
      .when(Condition.booleanEquals('$.settle.settled', true), mail.next(announce).next(new Succeed(scope, 'Settled')))
      .otherwise(later));
}

/** What starts it: a planned campaign, or a closed-out promotion without one (its event carries `settlement`). */
export const CAMPAIGN_SETTLEMENT_TRIGGER = {
  source: [CampaignPlanned.source],
  detailType: [CampaignPlanned.detailType, PromotionClosedOut.detailType],
  detail: { settlement: { settleAt: [{ exists: true }] } },
};
