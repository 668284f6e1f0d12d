import { Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { MEASURED_EVENTS } from '../../schemas/measures/tiles';
import type { CrmApi } from './crm-api';
import { queuedFor, type CrmEvents } from './crm-events';
import { CrmFunction } from './crm-function';

const CONSUMER_TIMEOUT_S = 30;

/**
 * The measures' consumer (functions/measures/record-measures.ts): record changes, what happens to tickets
 * and the ERP's orders and payments reach it through one rule and one queue, ten at a time; it adds each to the aggregates the
 * measures API reads (its API function is the API's, see API_FUNCTION_GRANTS). It reads records and the
 * department tree and writes aggregates and marks, nothing else.
 */
export class Measures extends Construct {
  constructor(scope: Construct, id: string, props: { table: TableV2; events: CrmEvents; api: CrmApi }) {
    super(scope, id);
    const consumer = new CrmFunction(this, 'Consumer', {
      handler: 'measures/record-measures',
      timeout: Duration.seconds(CONSUMER_TIMEOUT_S),
      environment: { TABLE_NAME: props.table.tableName },
      // one log group for the measures' two functions: the stack's resources are budgeted
      logGroup: props.api.apiFunction('measures').fn.logGroup,
    });
    props.table.grant(consumer.fn, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DescribeTable');

    props.events.addRule('MeasuredEvents', {
      scope: this,
      eventPattern: {
        source: [...new Set(MEASURED_EVENTS.map((e) => e.source))],
        detailType: MEASURED_EVENTS.map((e) => e.detailType),
      },
      description: 'Record changes, ERP orders and payments, and what happens to tickets add to the measures',
      queueDeadLetters: true,
      // the rule's dead-letter queue (and its alarm) is also the queue's: an event that fails five
      // deliveries to the consumer waits there with the ones the rule could not deliver
      target: (delivery) => queuedFor(this, 'Queue', {
        consumer: consumer.fn, consumerTimeout: Duration.seconds(CONSUMER_TIMEOUT_S), delivery,
        backlogDescription: 'Events have waited more than 15 minutes for the measures consumer: the dashboard is falling behind',
      }),
    });
  }
}
