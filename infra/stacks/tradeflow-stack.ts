import { ArnFormat, Duration, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { recordErpActivity, RECORD_ERP_ACTIVITY_TRIGGER } from '../../workflows/record-erp-activity';
import { approvalWorkflow, APPROVAL_TRIGGER } from '../../workflows/approval';
import { CrmApi, TABLE_ACTIONS } from '../constructs/crm-api';
import { CrmMail } from '../constructs/crm-mail';
import { CrmEvents } from '../constructs/crm-events';
import { CrmFunction } from '../constructs/crm-function';
import { CrmTable } from '../constructs/crm-table';
import { CrmWorkflow } from '../constructs/crm-workflow';
import { DomainStack, type SharedParts } from '../constructs/domain-stack';
import { InboundSystems } from '../constructs/inbound-systems';
import { Measures } from '../constructs/measures';
import { NurtureEngine } from '../constructs/nurture-engine';
import { OutboxRelay } from '../constructs/outbox-relay';
import { ServiceTickets } from '../constructs/service-tickets';
import { TradePromotions } from '../constructs/trade-promotions';
import { WebConsole } from '../constructs/web-console';
import { WorkHandover } from '../constructs/work-handover';
import { acknowledgeAcceptedFindings } from '../nag-suppressions';

export interface TradeflowStackProps extends StackProps {
  /** the web console's build (console/dist), deployed to its bucket */
  consoleDist: string;
}

/** Everything Tradeflow deploys: the table, the event backbone, the API with its functions and user pool, the workflows, the web console. */
export class TradeflowStack extends Stack {
  readonly table: CrmTable;
  readonly events: CrmEvents;
  readonly api: CrmApi;
  readonly webConsole: WebConsole;

  constructor(scope: Construct, id: string, props: TradeflowStackProps) {
    super(scope, id, props);
    this.table = new CrmTable(this, 'Crm');
    this.events = new CrmEvents(this, 'Events');
    const inbound = new InboundSystems(this, 'Inbound');
    const mail = new CrmMail(this, 'Mail', { configurationSet: this.events.configurationSet });
    this.api = new CrmApi(this, 'Http', { table: this.table.table, bus: this.events.bus, inbound, mail });
    mail.apiUrl = this.api.api.apiEndpoint;

    const erpActivity = new CrmWorkflow(this, 'RecordErpActivity', {
      name: 'record-erp-activity',
      comment: 'An ERP order or payment lands on the account timeline',
      definition: recordErpActivity(this, { table: this.table.table, bus: this.events.bus }),
    });
    this.events.addRule('ErpActivityToTimeline', {
      eventPattern: RECORD_ERP_ACTIVITY_TRIGGER,
      description: 'ERP orders and payments start record-erp-activity',
      target: (delivery) => new SfnStateMachine(erpActivity.stateMachine, delivery),
    });

    const recordChanges = new CrmFunction(this, 'PublishRecordChanges', {
      handler: 'records/publish-record-changes',
      environment: { EVENT_BUS_NAME: this.events.bus.eventBusName },
      timeout: Duration.seconds(30),
    });
    this.events.bus.grantPutEventsTo(recordChanges.fn);
    recordChanges.fn.addEventSource(new DynamoEventSource(this.table.table, {
      startingPosition: StartingPosition.LATEST,
      batchSize: 100,
      retryAttempts: 10,
      bisectBatchOnError: true,
      // only CRM records (they carry recordType), not receipts or unique-value keys
      filters: [FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: FilterRule.isEqual('RECORD') } } } })],
    }));

    const outbox = new OutboxRelay(this, 'Outbox', { table: this.table.table, events: this.events, mail });

    const { withdrawApproval, wakeApproval } = this.approvalEngine(mail, outbox.relay);
    const shared: SharedParts = { table: this.table.table, events: this.events, api: this.api, mail, outbox };
    // nurture sequences, in a stack of their own (a domain per nested stack keeps each within its budget)
    new DomainStack(this, 'Nurture', {
      description: 'Tradeflow nurture sequences: the engine\'s state machine, its router and step functions, rules, queues and mail templates',
      shared,
      build: (scope, parts) => new NurtureEngine(scope, 'Nurture', parts),
    });
    new DomainStack(this, 'Promotions', {
      description: 'Tradeflow trade promotions, funds, expense claims and campaign settlement: their workflows, task functions and rules',
      shared,
      build: (scope, parts) => new TradePromotions(scope, 'Promotions', { ...parts, withdrawApproval }),
    });
    new DomainStack(this, 'Tickets', {
      description: 'Tradeflow service tickets: the SLA workflow, its task function and the rule that starts it',
      shared,
      build: (scope, parts) => new ServiceTickets(scope, 'Tickets', { ...parts, wakers: [parts.outbox.relay] }),
    });
    new DomainStack(this, 'Handover', {
      description: 'Tradeflow work handover: its workflow and step function',
      shared,
      build: (scope, parts) => new WorkHandover(scope, 'Handover', { ...parts, outboxRelay: parts.outbox.relay, wakeApproval }),
    });
    new DomainStack(this, 'Measures', {
      description: 'Tradeflow measures: the consumer that keeps the aggregates, its rule and queue',
      shared,
      build: (scope, parts) => new Measures(scope, 'Measures', parts),
    });

    this.webConsole = new WebConsole(this, 'Console', {
      distDir: props.consoleDist, api: this.api.api, userPool: this.api.userPool, client: this.api.client,
    });
    // the links in mail open the console where it is served
    mail.consoleUrl = this.webConsole.url;

    acknowledgeAcceptedFindings(this, this.table.table);
  }

  /**
   * The approval engine: its state machine, its two workflow functions, its trigger, and who may wake it
   * (the API's decisions, recalls and reassignments, at once and through the outbox's relay).
   * Returns the task function with which a workflow that asked withdraws a request it stopped waiting for,
   * and the statement that lets a function wake the engine's waits (a handover reassigns tasks).
   */
  private approvalEngine(mail: CrmMail, outboxRelay: CrmFunction): { withdrawApproval: IFunction; wakeApproval: PolicyStatement } {
    const table = this.table.table;
    const advance = new CrmFunction(this, 'AdvanceApproval', {
      handler: 'approvals/advance-approval',
      environment: { TABLE_NAME: table.tableName, ...mail.environment() },
      timeout: Duration.seconds(30),
    });
    table.grant(advance.fn, ...TABLE_ACTIONS.write);
    // its mail goes out through the outbox's relay; it signs the decision links
    mail.linkSecret.grantRead(advance.fn);
    const awaitDecisions = new CrmFunction(this, 'AwaitApprovalDecisions', {
      handler: 'approvals/await-approval-decisions',
      environment: { TABLE_NAME: table.tableName },
      timeout: Duration.seconds(10),
    });
    table.grant(awaitDecisions.fn, 'dynamodb:UpdateItem');
    const withdraw = new CrmFunction(this, 'WithdrawApproval', {
      handler: 'approvals/withdraw-approval',
      environment: { TABLE_NAME: table.tableName },
      timeout: Duration.seconds(30),
    });
    table.grant(withdraw.fn, ...TABLE_ACTIONS.write);
    const approval = new CrmWorkflow(this, 'Approval', {
      name: 'approval',
      comment: 'Runs an approval request through the steps of its policy version, with a deadline on every human step',
      definition: approvalWorkflow(this, { advance: advance.fn, awaitDecisions: awaitDecisions.fn, bus: this.events.bus }),
    });
    // by name, not by reference: the state machine refers to the await function, so a reference back from
    // that function's policy would be a dependency cycle
    const wakeApproval = new PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: [this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: approval.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
    for (const fn of [awaitDecisions, withdraw, outboxRelay, ...this.api.functionsThatUse('approvalSignals')]) fn.fn.addToRolePolicy(wakeApproval);
    for (const fn of [advance, awaitDecisions]) {
      Validations.of(approval.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'LambdaInvoke grants the engine its own task function and that function\'s versions and aliases (<arn>:*), nothing else.',
      });
    }
    this.events.addRule('ApprovalRequests', {
      eventPattern: APPROVAL_TRIGGER,
      description: 'Approval.Requested starts the approval engine',
      target: (delivery) => new SfnStateMachine(approval.stateMachine, delivery),
    });
    return { withdrawApproval: withdraw.fn, wakeApproval };
  }
}
