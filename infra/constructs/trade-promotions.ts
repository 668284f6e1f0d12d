import { Duration, Names, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ClaimPaid, LeadCaptured, OrderPlaced, PaymentReceived } from '../../schemas/events';
import { CLOSE_OUT_REMIND_EVERY_SECONDS } from '../../schemas/promotions/records';
import { campaignSettlement, CAMPAIGN_SETTLEMENT_TRIGGER } from '../../workflows/campaign-settlement';
import { expenseClaim, EXPENSE_CLAIM_TRIGGER } from '../../workflows/expense-claim';
import { promotionLifecycle, PROMOTION_LIFECYCLE_TRIGGER } from '../../workflows/promotion-lifecycle';
import type { MailProps } from '../../workflows/promotion-steps';
import type { CrmApi } from './crm-api';
import type { CrmEvents } from './crm-events';
import type { CrmMail } from './crm-mail';
import { CrmFunction } from './crm-function';
import { CrmWorkflow } from './crm-workflow';

/** What the workflow tasks do to the table: items and transactions on known keys, queries of partitions and the collection index. */
const TASK_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/**
 * Trade promotions, funds, expense claims and campaign settlement: the three workflows,
 * their task functions (each granted only the table, and mail where it mails), the rules that start
 * them and the ones that attribute ERP revenue and mark claims paid. The API routes are in the route
 * catalogue; the close-out route is granted here to complete the lifecycle's close-out task.
 */
export class TradePromotions extends Construct {
  readonly lifecycle: CrmWorkflow;
  readonly claims: CrmWorkflow;
  readonly settlement: CrmWorkflow;

  /** `withdrawApproval`: the approval engine's task that withdraws a request a workflow stopped waiting for */
  constructor(scope: Construct, id: string, props: { table: TableV2; events: CrmEvents; api: CrmApi; mail: CrmMail; withdrawApproval: IFunction }) {
    super(scope, id);
    const { table, events } = props;
    const bus = events.bus;
    const stack = Stack.of(this);
    const mail: MailProps = { from: props.mail.from, configurationSet: props.mail.configurationSetName, sendResources: props.mail.sendResources() };
    // the task functions share a log group, and a role per grant (table; table and mail), as the routes do
    const logGroup = new LogGroup(this, 'TaskLogs', { retention: RetentionDays.ONE_MONTH });
    const roles = new Map<boolean, Role>();
    const roleFor = (mails: boolean) => roles.get(mails) ?? roles.set(mails, (() => {
      const role = new Role(this, mails ? 'MailingTaskRole' : 'TaskRole', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Trade promotions' workflow tasks: the table${mails ? ' and mail' : ''}`,
      });
      role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'));
      table.grant(role, ...TASK_TABLE_ACTIONS);
      if (mails) props.mail.grantSend(role, { links: false });
      return role;
    })()).get(mails)!;
    const task = (name: string, handler: string, mails = false): IFunction => {
      const fn = new CrmFunction(this, name, {
        handler,
        timeout: Duration.seconds(60),
        role: roleFor(mails),
        logGroup,
        environment: {
          TABLE_NAME: table.tableName,
          FINANCE_MAIL: `finance@${props.mail.mailDomain}`,
          ...(mails ? props.mail.environment({ links: false }) : {}),
        },
      });
      invoked.push(fn.fn);
      return fn.fn;
    };
    const invoked: IFunction[] = [props.withdrawApproval];

    this.lifecycle = new CrmWorkflow(this, 'PromotionLifecycle', {
      name: 'promotion-lifecycle',
      comment: 'A trade promotion from submission through approval, reservation, its run and close-out',
      definition: promotionLifecycle(new Construct(this, 'LifecycleStates'), {
        bus,
        applyDecision: task('ApplyPromotionDecision', 'promotions/apply-promotion-decision'),
        withdrawApproval: props.withdrawApproval,
        table,
        requestCloseOut: task('RequestCloseOut', 'promotions/request-close-out', true),
        remindEvery: Duration.seconds(CLOSE_OUT_REMIND_EVERY_SECONDS),
      }),
    });
    this.claims = new CrmWorkflow(this, 'ExpenseClaim', {
      name: 'expense-claim',
      comment: 'An expense claim through finance approval to payable (spent from the fund)',
      definition: expenseClaim(new Construct(this, 'ClaimStates'), {
        bus, applyDecision: task('ApplyClaimDecision', 'promotions/apply-claim-decision'), withdrawApproval: props.withdrawApproval, table,
      }),
    });
    this.settlement = new CrmWorkflow(this, 'CampaignSettlement', {
      name: 'campaign-settlement',
      comment: 'A campaign (or campaign-less promotion) settled after its end and settlement delay: ROI, releases, effect report',
      definition: campaignSettlement(new Construct(this, 'SettlementStates'), { bus, mail, settle: task('SettleCampaign', 'promotions/settle-campaign') }),
    });

    const startsWorkflow = (ruleId: string, workflow: CrmWorkflow, eventPattern: object, description: string) =>
      events.addRule(ruleId, { scope: this, eventPattern, description, target: (delivery) => new SfnStateMachine(workflow.stateMachine, delivery) });
    startsWorkflow('PromotionSubmittedToLifecycle', this.lifecycle, PROMOTION_LIFECYCLE_TRIGGER, 'Submitted promotions start promotion-lifecycle');
    startsWorkflow('ClaimSubmittedToClaimWorkflow', this.claims, EXPENSE_CLAIM_TRIGGER, 'Submitted expense claims start expense-claim');
    startsWorkflow('SettlementDue', this.settlement, CAMPAIGN_SETTLEMENT_TRIGGER, 'Planned campaigns and closed-out campaign-less promotions start campaign-settlement');

    const fromOtherSystems = task('ReceiveErpEvent', 'promotions/receive-erp-event');
    events.addRule('OtherSystemsToPromotions', {
      scope: this,
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
    // a function of another stack (the approval engine's) is known here by the parameter CDK passes its ARN in
    const arnOf = (fn: IFunction) => (Stack.of(fn) === stack
      ? `${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn`
      : `referenceto${Names.uniqueId(fn.node.defaultChild as CfnElement)}Arn`);
    for (const workflow of [this.lifecycle, this.claims, this.settlement]) {
      for (const fn of tasksOf(workflow)) {
        Validations.of(workflow.stateMachine).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${arnOf(fn)}>:*]`,
          reason: 'The state machine may invoke its own task function in any version or alias (<function arn>:*), the grant CDK writes for LambdaInvoke; no other function.',
        });
      }
    }

    // the close-out route completes the lifecycle's close-out task (its role is its own: promotionSignals)
    for (const fn of props.api.functionsThatUse('promotionSignals')) this.lifecycle.stateMachine.grantTaskResponse(fn.fn);
  }
}
