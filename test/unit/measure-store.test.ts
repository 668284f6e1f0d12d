import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { leadMeasurement } from '../../functions/measures/measure-rules';
import { recordMeasurementsTogether } from '../../functions/measures/measure-store';
import { measuredEventKey } from '../../schemas/keys';

vi.hoisted(() => Object.assign(process.env, { TABLE_NAME: 'crm' }));
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const NOW = '2026-12-05T10:00:00Z';
/** a lead the nurture engine created, as its Record.Changed measures it */
const newLead = (id: string) => leadMeasurement({
  recordType: 'LEAD', id, change: 'created', version: 1, changedFields: [], ownerId: 'u-sales', departmentId: 'd-sales',
  facts: { createdAt: NOW, status: 'nurturing' },
})!;
const linesOf = () => ['d-sales', 'd-root'];

describe('a batch of measurements written together (a launch\'s new leads)', () => {
  it('is one transaction: each event\'s mark, and each aggregate once with the batch\'s sum', async () => {
    const leads = ['l-1', 'l-2', 'l-3'].map(newLead);
    await expect(recordMeasurementsTogether(leads, linesOf, NOW)).resolves.toBe(true);
    const [call, ...others] = dynamo.commandCalls(TransactWriteCommand);
    expect(others).toHaveLength(0);
    const items = call!.args[0].input.TransactItems!;
    expect(items.slice(0, 3).map((i) => [i.Put!.Item!.pk, i.Put!.ConditionExpression])).toEqual(
      leads.map((l) => [measuredEventKey(l.eventKey).pk, 'attribute_not_exists(pk)']),
    );
    // two tiles (leads, response) in four buckets (owner, department, two trees)
    const aggregates = items.slice(3);
    expect(aggregates).toHaveLength(8);
    expect(aggregates.every((i) => i.Update!.ExpressionAttributeValues![':v0'] === 3)).toBe(true);
  });

  it('writes nothing and says so when one of the events was counted before (a redelivery), or the batch names one event twice', async () => {
    dynamo.on(TransactWriteCommand).rejects(Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    }));
    await expect(recordMeasurementsTogether(['l-1', 'l-2'].map(newLead), linesOf, NOW)).resolves.toBe(false);
    dynamo.reset();
    await expect(recordMeasurementsTogether(['l-1', 'l-1'].map(newLead), linesOf, NOW)).resolves.toBe(false);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
