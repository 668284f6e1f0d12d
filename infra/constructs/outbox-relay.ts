import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { HOLDER_MARKS_WITHIN_MS, OUTBOX_MAIL_TAG, OUTBOX_SK } from '../../schemas/keys';
import { queuedFor, type CrmEvents } from './crm-events';
import type { CrmMail } from './crm-mail';
import { CrmFunction } from './crm-function';

const CONFIRMER_TIMEOUT = Duration.seconds(10);

/**
 * The outbox's relay (functions/platform/relay-outbox.ts): the table's stream hands it each new outbox
 * item, which it puts on the bus, sends through SES or wakes a workflow with, then marks. It may read and
 * mark items, put events on the CRM's bus and send mail with the CRM's configuration set, as any identity
 * and template (nurture mail goes out as the lead's owner, with the template marketing chose); the
 * workflows that wait on an item grant it their task responses (the approval engine does).
 *
 * Beside it, the confirmer: SES's Send event of a relayed mail (tagged with its outbox item) marks the mail
 * sent, closing the window where a relay died after SES accepted and before its own mark. The events reach
 * it through a queue that holds each until the relay has had its time to mark the mail.
 */
export class OutboxRelay extends Construct {
  readonly relay: CrmFunction;
  readonly confirmer: CrmFunction;

  constructor(scope: Construct, id: string, props: { table: ITable; events: CrmEvents; mail: CrmMail }) {
    super(scope, id);
    const stack = Stack.of(this);
    this.relay = new CrmFunction(this, 'Relay', {
      handler: 'platform/relay-outbox',
      environment: { TABLE_NAME: props.table.tableName, EVENT_BUS_NAME: props.events.bus.eventBusName, ...props.mail.environment({ links: false }) },
      timeout: Duration.seconds(30),
    });
    const fn = this.relay.fn;
    props.table.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.events.bus.grantPutEventsTo(fn);
    fn.addToRolePolicy(new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.mail.configurationSetName }),
        stack.formatArn({ service: 'ses', resource: 'template', resourceName: '*' }),
      ],
    }));
    fn.addEventSource(new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      // retried until the stream drops the record (24 hours): an effect is delayed, not given up
      bisectBatchOnError: false,
      reportBatchItemFailures: true,
      filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { Keys: { sk: { S: FilterRule.isEqual(OUTBOX_SK) } } } })],
    }));

    this.confirmer = new CrmFunction(this, 'ConfirmSent', {
      handler: 'platform/confirm-sent-mail',
      environment: { TABLE_NAME: props.table.tableName },
      timeout: CONFIRMER_TIMEOUT,
    });
    props.table.grant(this.confirmer.fn, 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem');
    props.events.addRule('OutboxMailSent', {
      eventPattern: { source: ['aws.ses'], detailType: ['Email Sent'], detail: { mail: { tags: { [OUTBOX_MAIL_TAG]: [{ exists: true }] } } } as never },
      description: 'SES accepted a mail the outbox relay sent: it is marked sent even if the relay died before marking it',
      queueDeadLetters: true,
      // each event waits in the queue until the relay has had its time to mark the mail itself, and the
      // confirmer reads ten mails with one request
      target: (delivery) => queuedFor(this, 'ConfirmSentQueue', {
        consumer: this.confirmer.fn, consumerTimeout: CONFIRMER_TIMEOUT, delivery,
        deliveryDelay: Duration.seconds(Math.ceil(HOLDER_MARKS_WITHIN_MS / 1000)),
        backlogDescription: 'SES\'s Send events have waited more than 15 minutes for the outbox confirmer: mails whose relay died stay unmarked',
      }),
    });
    const ack = (resource: string, reason: string) => Validations.of(fn).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    ack(`arn:<AWS::Partition>:ses:${stack.region}:<AWS::AccountId>:identity/*`,
      'Nurture mail goes out as the lead\'s owner, from whichever verified identity that owner\'s address belongs to; only SendEmail is allowed.');
    ack(`arn:<AWS::Partition>:ses:${stack.region}:<AWS::AccountId>:template/*`,
      'Marketing chooses any SES template for a send-mail step without a deploy; only SendEmail is allowed, with the tradeflow configuration set.');
  }
}
