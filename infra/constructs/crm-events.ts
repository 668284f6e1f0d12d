import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule, type EventPattern, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CRM_BUS_NAME, EVENT_CATALOGUE, eventJsonSchema, registrySchemaName } from '../../schemas/events';

/** What every rule target gets: retries, then its own dead-letter queue, watched by an alarm. */
export interface DeliveryOptions {
  retryAttempts: number;
  maxEventAge: Duration;
  deadLetterQueue: IQueue;
}

/**
 * The event backbone: the `crm` bus with an archive for replay, rules whose every target retries and
 * then dead-letters (with an alarm on the DLQ's depth), SES's configuration set whose events reach the
 * `crm` bus, and the event catalogue in the schema registry.
 */
export class CrmEvents extends Construct {
  readonly bus: EventBus;
  readonly configurationSet: ConfigurationSet;
  readonly deadLetterQueues: Queue[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: CRM_BUS_NAME });
    this.bus.archive('Archive', {
      description: 'Every event on the crm bus, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(365),
    });

    // SES delivers configuration-set events only to the default bus; a rule forwards them to crm
    this.configurationSet = new ConfigurationSet(this, 'Mail', { configurationSetName: 'tradeflow' });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [
        EmailSendingEvent.SEND, EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.OPEN, EmailSendingEvent.CLICK, EmailSendingEvent.REJECT, EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    this.addRule('ForwardMailEvents', {
      eventBus: EventBus.fromEventBusName(this, 'DefaultBusForRule', 'default'),
      eventPattern: { source: ['aws.ses'] },
      target: (delivery) => new EventBusTarget(this.bus, { deadLetterQueue: delivery.deadLetterQueue }),
      description: 'SES configuration-set events (send, delivery, bounce, complaint, open, click) to the crm bus',
    });

    const registry = new CfnRegistry(this, 'Schemas', { registryName: 'tradeflow', description: 'Tradeflow CRM event catalogue' });
    for (const event of EVENT_CATALOGUE) {
      new CfnSchema(this, `Schema-${registrySchemaName(event).replace(/[^A-Za-z0-9]/g, '')}`, {
        registryName: registry.attrRegistryName,
        schemaName: registrySchemaName(event),
        type: 'JSONSchemaDraft4',
        content: JSON.stringify(eventJsonSchema(event)),
        description: event.description,
      });
    }
  }

  /**
   * A rule on the crm bus (or another) whose target retries for a day and then lands in the rule's own
   * dead-letter queue; an alarm fires as soon as one message waits there. `scope`: where the rule, its
   * queue and alarm are made (a domain's own construct, in its own stack); omitted, the backbone.
   */
  addRule(id: string, props: {
    eventPattern: EventPattern;
    target: (delivery: DeliveryOptions) => IRuleTarget;
    description: string;
    eventBus?: EventBus | ReturnType<typeof EventBus.fromEventBusName>;
    scope?: Construct;
    /** the target is a queue whose own dead-letter queue is the rule's (cdk-nag then knows it as one) */
    queueDeadLetters?: boolean;
  }): Rule {
    const scope = props.scope ?? this;
    const deadLetterQueue = deadLetterQueueFor(scope, `${id}DeadLetters`, `Events for rule ${id} could not be delivered: read them from its dead-letter queue`);
    this.deadLetterQueues.push(deadLetterQueue);
    if (!props.queueDeadLetters) Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: of an EventBridge rule target, which cdk-nag does not recognise as one.',
    });
    return new Rule(scope, id, {
      eventBus: props.eventBus ?? this.bus,
      eventPattern: props.eventPattern,
      description: props.description,
      targets: [props.target({ retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue })],
    });
  }
}

/** An alarm once a queue's oldest message has waited more than 15 minutes (three minutes running) for the function that reads it. */
export function backlogAlarm(scope: Construct, id: string, queue: IQueue, alarmDescription: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription,
    metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) }),
    threshold: 15 * 60,
    evaluationPeriods: 3,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** A dead-letter queue that keeps its messages 14 days, and an alarm as soon as one lands in it. */
export function deadLetterQueueFor(scope: Construct, id: string, alarmDescription: string): Queue {
  const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  new Alarm(scope, `${id}Alarm`, {
    alarmDescription,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return queue;
}

/**
 * A queue a function takes ten messages at a time from (partial batch responses): its visibility timeout
 * is six times the function's timeout, as Lambda advises; a message that fails five receives goes to
 * `deadLetterQueue`, and an alarm watches its backlog. `deliveryDelay`: each message waits that long in
 * the queue before the function may see it.
 */
export function queueFor(scope: Construct, id: string, props: {
  consumer: IFunction;
  consumerTimeout: Duration;
  deadLetterQueue: IQueue;
  backlogDescription: string;
  deliveryDelay?: Duration;
}): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(6 * props.consumerTimeout.toSeconds()),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: 5 },
    ...(props.deliveryDelay ? { deliveryDelay: props.deliveryDelay } : {}),
  });
  backlogAlarm(scope, `${id}BacklogAlarm`, queue, props.backlogDescription);
  props.consumer.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  return queue;
}

/**
 * A rule target that queues the events for a function (queueFor), whose dead-letter queue is the rule's
 * (so the rule needs `queueDeadLetters`).
 */
export function queuedFor(scope: Construct, id: string, props: Omit<Parameters<typeof queueFor>[2], 'deadLetterQueue'> & { delivery: DeliveryOptions }): IRuleTarget {
  const { delivery, ...rest } = props;
  return new SqsQueue(queueFor(scope, id, { ...rest, deadLetterQueue: delivery.deadLetterQueue }), delivery);
}
