import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nurtureKeys, recordKey } from '../../schemas/keys';
import { Users } from '../../schemas/records';
import { enrolAll, type TriggerEvent } from '../../functions/nurture/nurture-enrolment';
import { headItem } from '../../functions/nurture/nurture-store';

vi.hoisted(() => Object.assign(process.env, {
  TABLE_NAME: 'crm', EVENT_BUS_NAME: 'crm', NURTURE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:tradeflow-nurture',
}));
const dynamo = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);

/** The table, as far as enrolment reads and writes it: puts replace, updates only ADD. */
const table = new Map<string, Record<string, any>>();
const keyOf = (key: Record<string, any>) => `${key.pk}|${key.sk}`;
function apply(items: NonNullable<TransactWriteCommandInput['TransactItems']>) {
  for (const write of items) {
    if (write.Put) table.set(keyOf(write.Put.Item!), { ...write.Put.Item });
    if (write.Update) {
      const { Key, UpdateExpression, ExpressionAttributeNames = {}, ExpressionAttributeValues = {} } = write.Update;
      const item = table.get(keyOf(Key!)) ?? { ...Key };
      for (const [, name, value] of UpdateExpression!.matchAll(/(#?\w+) (:\w+)/g)) {
        const attribute = ExpressionAttributeNames[name!] ?? name!;
        item[attribute] = Number(item[attribute] ?? 0) + Number(ExpressionAttributeValues[value!]);
      }
      table.set(keyOf(Key!), item);
    }
  }
}

const NOW = '2026-12-07T10:00:00.000Z';
const capture: TriggerEvent = {
  trigger: 'Lead.Captured', detailType: 'Lead.Captured',
  detail: { formId: 'spring', capturedAt: NOW, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', consent: { marketing: true } } as never,
};

beforeEach(() => {
  table.clear();
  dynamo.reset();
  bus.reset();
  sfn.reset();
  const spring = {
    id: 's-spring', name: 'Spring', reentry: 'never', defaultTimeZone: 'UTC',
    trigger: { event: 'Lead.Captured', eventCondition: { field: 'formId', op: 'eq', value: 'spring' }, assignCapturedLeadsTo: 'u-sales' },
    steps: [{ id: 'hello', type: 'send-mail', template: 'nurture-welcome' }, { id: 'done', type: 'end' }],
  };
  for (const item of [
    { ...nurtureKeys.sequencesGeneration(), generation: 1, sequenceIds: new Set(['s-spring']) },
    headItem({ sequenceId: 's-spring', name: spring.name, status: 'active', latestVersion: 1, activeVersion: 1, triggerEvent: 'Lead.Captured', createdAt: NOW, updatedAt: NOW, createdBy: 'u-marketing' }),
    { ...nurtureKeys.sequenceVersion('s-spring', 1), document: spring },
    { ...recordKey(Users.type, 'u-sales'), id: 'u-sales', departmentId: 'd-north' },
  ]) table.set(keyOf(item), item);
  dynamo.on(GetCommand).callsFake(({ Key }) => ({ Item: table.get(keyOf(Key)) }));
  dynamo.on(BatchGetCommand).callsFake(({ RequestItems }) => ({
    Responses: { crm: RequestItems.crm.Keys.map(keyOf).flatMap((k: string) => (table.has(k) ? [table.get(k)] : [])) },
  }));
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(TransactWriteCommand).callsFake(({ TransactItems }) => apply(TransactItems));
  bus.on(PutEventsCommand).callsFake(({ Entries }) => ({ FailedEntryCount: 0, Entries: Entries.map((_: unknown, i: number) => ({ EventId: `ev-${i}` })) }));
});

describe('a capture delivered again', () => {
  it('starts the execution its first delivery enrolled but did not start, and counts nothing twice', async () => {
    // the first delivery's router dies between the enrolment's transaction and the execution's start
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('the runtime went away'), { name: 'ServiceUnavailable' }));
    await expect(enrolAll([{ key: 'm-1', event: capture }], NOW)).rejects.toThrow('the runtime went away');
    const enrolment = [...table.values()].find((i) => String(i.pk).startsWith('NURTURE_ENROLMENT#') && i.sk === 'ENROLMENT');
    expect(enrolment).toMatchObject({ status: 'active', sequenceId: 's-spring' });
    const written = dynamo.commandCalls(TransactWriteCommand).length;

    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const outcome = await enrolAll([{ key: 'm-1', event: capture }], '2026-12-07T10:03:00.000Z');
    expect(outcome.get('m-1')).not.toBeInstanceOf(Error);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([enrolment!.enrolmentId]);
    // no refusal recorded and no counter moved by the redelivery
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(written);
  });
});
