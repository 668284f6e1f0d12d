import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  Choice, Condition, Errors, Fail, JitterType, JsonPath, Pass, Succeed, TaskInput, type IChainable, type INextable, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  DynamoAttributeValue, DynamoGetItem, DynamoPutItem, EventBridgePutEvents,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { ActivityRecorded, OrderPlaced, PaymentReceived } from '../schemas/events';
import { ACCOUNT_COLLECTION, collectionPk, listPk, recordKey, RECORD_SK, uniqueValueKey } from '../schemas/keys';
import { Activities } from '../schemas/records';
import { DYNAMO_TRANSIENT, failureState } from './task-failures';

/**
 * An ERP order or payment lands on the account's timeline: find the account by the code the ERP
 * knows, put the activity (once per ERP order or payment: a redelivery finds it already there), announce it.
 *
 *   Order or payment? -> Find account by code -> Known? -> Read account -> Put on timeline -> Announce
 *
 * The activity item is written directly by Step Functions, so its keys are built here from the same
 * functions schemas/keys/records.ts uses (called with `{}` placeholders); a test reads the item back and
 * checks it against that module's own itemFor().
 */
const ACTIVITY = Activities.type;
const KEY_FORMATS = {
  pk: recordKey(ACTIVITY, '{}').pk,
  accountCode: uniqueValueKey('ACCOUNT', 'code', '{}').pk,
  collectionPk: collectionPk.account('{}'),
  collectionSk: `${ACCOUNT_COLLECTION.activity}{}#{}`,
  ownerPk: listPk.byOwner(ACTIVITY, '{}'),
  departmentPk: listPk.byDepartment(ACTIVITY, '{}'),
  typePk: listPk.byType(ACTIVITY),
  /** activities sort by when they happened */
  listSk: '{}#{}',
};

const str = (path: string) => DynamoAttributeValue.fromString(JsonPath.stringAt(path));
const fmt = (template: string, ...paths: string[]) =>
  DynamoAttributeValue.fromString(JsonPath.format(template, ...paths.map((p) => JsonPath.stringAt(p))));

/** Retries with jitter on what passes (throttling, service faults); everything else goes to the Catch. */
function withRetry<T extends TaskStateBase>(task: T, errors: string[]): T {
  task.addRetry({ errors, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 4, jitterStrategy: JitterType.FULL });
  return task;
}

export function recordErpActivity(scope: Construct, props: { table: TableV2; bus: IEventBus }): IChainable {
  const { onFailure } = failureState(scope, 'Could not record the activity');

  // the activity is named after the ERP's own id, so however often the ERP's event arrives (any transport,
  // any event id), the timeline gets it once
  const asActivity = (name: string, type: string, idField: string, atField: string, subject: string) =>
    new Pass(scope, name, {
      parameters: {
        'activityId.$': `States.Format('erp-${type}-{}', $.detail.${idField})`,
        'eventId.$': '$.id',
        'source.$': '$.source',
        'detailType.$': '$.detail-type',
        'accountCode.$': '$.detail.accountCode',
        'amount.$': '$.detail.amount',
        type,
        'subject.$': `States.Format('${subject} {} (ERP)', $.detail.${idField})`,
        'occurredAt.$': `$.detail.${atField}`,
      },
    });

  const findAccount = onFailure(withRetry(new DynamoGetItem(scope, 'Find account by code', {
    table: props.table,
    key: { pk: fmt(KEY_FORMATS.accountCode, '$.accountCode'), sk: DynamoAttributeValue.fromString('UNIQUE') },
    consistentRead: true,
    resultPath: '$.code',
  }), DYNAMO_TRANSIENT));

  const readAccount = onFailure(withRetry(new DynamoGetItem(scope, 'Read account', {
    table: props.table,
    key: { pk: str('$.code.Item.owner.S'), sk: DynamoAttributeValue.fromString(RECORD_SK) },
    resultSelector: { 'id.$': '$.Item.id.S', 'ownerId.$': '$.Item.ownerId.S', 'departmentId.$': '$.Item.departmentId.S' },
    resultPath: '$.account',
  }), DYNAMO_TRANSIENT));

  const sortKey = () => fmt(KEY_FORMATS.listSk, '$.occurredAt', '$.activityId');
  const putActivity = withRetry(new DynamoPutItem(scope, 'Put on the timeline', {
    table: props.table,
    item: {
      pk: fmt(KEY_FORMATS.pk, '$.activityId'),
      sk: DynamoAttributeValue.fromString(RECORD_SK),
      recordType: DynamoAttributeValue.fromString(ACTIVITY),
      id: str('$.activityId'),
      type: str('$.type'),
      subject: str('$.subject'),
      occurredAt: str('$.occurredAt'),
      accountId: str('$.account.id'),
      ownerId: str('$.account.ownerId'),
      departmentId: str('$.account.departmentId'),
      amount: DynamoAttributeValue.fromMap({
        amountMinor: DynamoAttributeValue.numberFromString(JsonPath.format('{}', JsonPath.stringAt('$.amount.amountMinor'))),
        currency: str('$.amount.currency'),
      }),
      version: DynamoAttributeValue.fromNumber(1),
      createdAt: str('$$.State.EnteredTime'),
      updatedAt: str('$$.State.EnteredTime'),
      byCollectionPk: fmt(KEY_FORMATS.collectionPk, '$.account.id'),
      byCollectionSk: fmt(KEY_FORMATS.collectionSk, '$.occurredAt', '$.activityId'),
      byOwnerPk: fmt(KEY_FORMATS.ownerPk, '$.account.ownerId'),
      byOwnerSk: sortKey(),
      byDepartmentPk: fmt(KEY_FORMATS.departmentPk, '$.account.departmentId'),
      byDepartmentSk: sortKey(),
      byTypePk: DynamoAttributeValue.fromString(KEY_FORMATS.typePk),
      byTypeSk: sortKey(),
    },
    conditionExpression: 'attribute_not_exists(pk)',
    resultPath: JsonPath.DISCARD,
  }), DYNAMO_TRANSIENT);
  putActivity.addCatch(new Succeed(scope, 'Already on the timeline', { comment: 'a redelivered event: recorded the first time' }), {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
  });
  onFailure(putActivity);

  const announce = onFailure(withRetry(new EventBridgePutEvents(scope, 'Announce', {
    entries: [{
      eventBus: props.bus,
      source: ActivityRecorded.source,
      detailType: ActivityRecorded.detailType,
      detail: TaskInput.fromObject({
        activityId: JsonPath.stringAt('$.activityId'),
        type: JsonPath.stringAt('$.type'),
        accountId: JsonPath.stringAt('$.account.id'),
        occurredAt: JsonPath.stringAt('$.occurredAt'),
        amount: JsonPath.objectAt('$.amount'),
        origin: { source: JsonPath.stringAt('$.source'), detailType: JsonPath.stringAt('$.detailType'), eventId: JsonPath.stringAt('$.eventId') },
      }),
    }],
    resultPath: JsonPath.DISCARD,
  }), [Errors.TASKS_FAILED]));

  const unknownAccount = new Fail(scope, 'Unknown account code', {
    error: 'UnknownAccount',
    causePath: JsonPath.format('No account has the code {}', JsonPath.stringAt('$.accountCode')),
  });
  const recordIt: INextable & IChainable = findAccount;
  findAccount.next(
    new Choice(scope, 'Known account?')
      .when(Condition.isPresent('$.code.Item'), readAccount.next(putActivity.next(announce)))
      .otherwise(unknownAccount),
  );
  return new Choice(scope, 'Order or payment?')
    .when(Condition.stringEquals('$.detail-type', OrderPlaced.detailType),
      asActivity('As an order', 'order', 'orderId', 'placedAt', 'Order').next(recordIt))
    .when(Condition.stringEquals('$.detail-type', PaymentReceived.detailType),
      asActivity('As a payment', 'payment', 'paymentId', 'receivedAt', 'Payment').next(recordIt))
    .otherwise(new Fail(scope, 'Not an ERP order or payment', { error: 'UnexpectedEvent' }));
}

/** What starts it: the ERP's orders and payments on the crm bus. */
export const RECORD_ERP_ACTIVITY_TRIGGER = {
  source: [OrderPlaced.source],
  detailType: [OrderPlaced.detailType, PaymentReceived.detailType],
};
