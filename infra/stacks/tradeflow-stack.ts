import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { recordErpActivity, RECORD_ERP_ACTIVITY_TRIGGER } from '../../workflows/record-erp-activity';
import { CrmApi } from '../constructs/crm-api';
import { CrmEvents } from '../constructs/crm-events';
import { CrmFunction } from '../constructs/crm-function';
import { CrmTable } from '../constructs/crm-table';
import { CrmWorkflow } from '../constructs/crm-workflow';
import { InboundSystems } from '../constructs/inbound-systems';
import { TradePromotions } from '../constructs/trade-promotions';
import { acknowledgeAcceptedFindings } from '../nag-suppressions';

/** Everything Tradeflow deploys: the table, the event backbone, the API with its functions and user pool, the workflows. */
export class TradeflowStack extends Stack {
  readonly table: CrmTable;
  readonly events: CrmEvents;
  readonly api: CrmApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new CrmTable(this, 'Crm');
    this.events = new CrmEvents(this, 'Events');
    const inbound = new InboundSystems(this, 'Inbound');
    this.api = new CrmApi(this, 'Http', { table: this.table.table, bus: this.events.bus, inbound });

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

    // trade promotions, funds, expense claims, campaign settlement (issue 5)
    new TradePromotions(this, 'Promotions', {
      table: this.table.table, events: this.events, api: this.api,
      mail: { from: 'promotions@tradeflow.example', configurationSet: this.events.configurationSet.configurationSetName },
      financeMail: 'finance@tradeflow.example',
    });

    acknowledgeAcceptedFindings(this, this.table.table);
  }
}
