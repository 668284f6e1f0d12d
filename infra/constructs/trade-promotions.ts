import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClaimPaid, LeadCaptured, OrderPlaced, PaymentReceived } from '../../schemas/events';
import { CLOSE_OUT_REMIND_EVERY_SECONDS } from '../../schemas/promotions/records';
import { campaignSettlement, CAMPAIGN_SETTLEMENT_TRIGGER } from '../../workflows/campaign-settlement';
import { expenseClaim, EXPENSE_CLAIM_TRIGGER } from '../../workflows/expense-claim';
import { promotionLifecycle, PROMOTION_LIFECYCLE_TRIGGER } from '../../workflows/promotion-lifecycle';
import type { MailProps } from '../../workflows/promotion-steps';
import type { CrmApi } from './crm-api';
import type { CrmEvents } from './crm-events';
import { CrmFunction } from './crm-function';
import { CrmWorkflow } from './crm-workflow';

/** What the workflow tasks do to the table: items and transactions on known keys, queries of partitions and the collection index. */
const TASK_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** The route whose function completes the lifecycle's close-out task (see schemas/api/routes.ts). */
export const CLOSE_OUT_HANDLER = 'promotions/act-on-promotion';

/**
 * Trade promotions, funds, expense claims and campaign settlement (issue 5): the three workflows,
 * their task functions (each granted only the table, and mail where it mails), the rules that start
 * them and the ones that attribute ERP revenue and mark claims paid. The API routes are in the route
 * catalogue; the close-out route is granted here to complete the lifecycle's close-out task.
 */
export class TradePromotions extends Construct {
  readonly lifecycle: CrmWorkflow;
  readonly claims: CrmWorkflow;
  readonly settlement: CrmWorkflow;

  constructor(scope: Construct, id: string, props: { table: TableV2; events: CrmEvents; api: CrmApi; mail: MailProps; financeMail: string }) {
    super(scope, id);
    const { table, events, mail } = props;
    const bus = events.bus;
    const stack = Stack.of(this);
    const task = (name: string, handler: string, mails = false): IFunction => {
      const fn = new CrmFunction(this, name, {
        handler,
        timeout: Duration.seconds(60),
        environment: {
          TABLE_NAME: table.tableName,
          FINANCE_MAIL: props.financeMail,
          ...(mails ? { MAIL_FROM: mail.from, MAIL_CONFIGURATION_SET: mail.configurationSet } : {}),
        },
      });
      table.grant(fn.fn, ...TASK_TABLE_ACTIONS);
      if (mails) {
        fn.fn.addToRolePolicy(new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: mail.from.split('@')[1]! }),
            stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: mail.configurationSet }),
          ],
        }));
      }
      invoked.push(fn.fn);
      return fn.fn;
    };
    const invoked: IFunction[] = [];

    this.lifecycle = new CrmWorkflow(this, 'PromotionLifecycle', {
      name: 'promotion-lifecycle',
      comment: 'A trade promotion from submission through approval, reservation, its run and close-out',
      definition: promotionLifecycle(new Construct(this, 'LifecycleStates'), {
        bus, mail,
        applyDecision: task('ApplyPromotionDecision', 'promotions/apply-promotion-decision'),
        table,
        requestCloseOut: task('RequestCloseOut', 'promotions/request-close-out', true),
        remindEvery: Duration.seconds(CLOSE_OUT_REMIND_EVERY_SECONDS),
      }),
    });
    this.claims = new CrmWorkflow(this, 'ExpenseClaim', {
      name: 'expense-claim',
      comment: 'An expense claim through finance approval to payable (spent from the fund)',
      definition: expenseClaim(new Construct(this, 'ClaimStates'), { bus, applyDecision: task('ApplyClaimDecision', 'claims/apply-claim-decision') }),
    });
    this.settlement = new CrmWorkflow(this, 'CampaignSettlement', {
      name: 'campaign-settlement',
      comment: 'A campaign (or campaign-less promotion) settled after its end and settlement delay: ROI, releases, effect report',
      definition: campaignSettlement(new Construct(this, 'SettlementStates'), { bus, mail, settle: task('SettleCampaign', 'campaigns/settle-campaign') }),
    });

    const startsWorkflow = (ruleId: string, workflow: CrmWorkflow, eventPattern: object, description: string) =>
      events.addRule(ruleId, { eventPattern, description, target: (delivery) => new SfnStateMachine(workflow.stateMachine, delivery) });
    startsWorkflow('PromotionSubmittedToLifecycle', this.lifecycle, PROMOTION_LIFECYCLE_TRIGGER, 'Submitted promotions start promotion-lifecycle');
    startsWorkflow('ClaimSubmittedToClaimWorkflow', this.claims, EXPENSE_CLAIM_TRIGGER, 'Submitted expense claims start expense-claim');
    startsWorkflow('SettlementDue', this.settlement, CAMPAIGN_SETTLEMENT_TRIGGER, 'Planned campaigns and closed-out campaign-less promotions start campaign-settlement');

    const fromOtherSystems = task('ReceiveErpEvent', 'promotions/receive-erp-event');
    events.addRule('OtherSystemsToPromotions', {
      description: 'Orders, payments and leads that name a campaign or promotion are attributed to it; the ERP\'s Claim.Paid marks a claim paid',
      eventPattern: {
        $or: [
          { source: [OrderPlaced.source], 'detail-type': [OrderPlaced.detailType, PaymentReceived.detailType], detail: { campaignId: [{ exists: true }] } },
          { source: [OrderPlaced.source], 'detail-type': [OrderPlaced.detailType, PaymentReceived.detailType], detail: { promotionId: [{ exists: true }] } },
          { source: [LeadCaptured.source], 'detail-type': [LeadCaptured.detailType], detail: { campaignId: [{ exists: true }] } },
          { source: [ClaimPaid.source], 'detail-type': [ClaimPaid.detailType] },
        ],
      } as never,
      target: (delivery) => new LambdaFunction(fromOtherSystems, delivery),
    });

    // Step Functions' Lambda grant covers the function's versions and aliases (<arn>:*), which cdk-nag flags
    const tasksOf = (workflow: CrmWorkflow) => invoked.filter((fn) => JSON.stringify(stack.resolve(workflow.stateMachine.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild
      && (workflow.stateMachine.role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement & { policyDocument: unknown }).policyDocument))
      .includes(stack.getLogicalId(fn.node.defaultChild as CfnElement)));
    for (const workflow of [this.lifecycle, this.claims, this.settlement]) {
      for (const fn of tasksOf(workflow)) {
        Validations.of(workflow.stateMachine).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
          reason: 'The state machine may invoke its own task function in any version or alias (<function arn>:*), the grant CDK writes for LambdaInvoke; no other function.',
        });
      }
    }

    const closeOut = props.api.node.tryFindChild(CLOSE_OUT_HANDLER.replace(/\//g, '-')) as CrmFunction | undefined;
    if (!closeOut) throw new Error(`the API has no function for ${CLOSE_OUT_HANDLER}`);
    this.lifecycle.stateMachine.grantTaskResponse(closeOut.fn);
  }
}
