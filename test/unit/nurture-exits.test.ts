import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitConverted } from '../../functions/nurture/nurture-exits';
import type { Enrolment, LeadItem } from '../../functions/nurture/nurture-store';
import { nurtureKeys, outboxKey } from '../../schemas/keys';
import type { NurtureSequence } from '../../schemas/nurture/sequence';

vi.hoisted(() => Object.assign(process.env, {
  TABLE_NAME: 'crm', EVENT_BUS_NAME: 'crm', NURTURE_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:000000000000:stateMachine:tradeflow-nurture',
}));
const dynamo = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
beforeEach(() => {
  // the lead's places in sequences: none active any more
  dynamo.on(QueryCommand).resolves({ Items: [] });
  // a converted lead is not moved to nurtured
  dynamo.on(UpdateCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
  sfn.on(StopExecutionCommand).resolves({});
});
afterEach(() => { dynamo.reset(); bus.reset(); sfn.reset(); });

const NOW = '2026-12-07T09:00:00.000Z';
const enrolment: Enrolment = {
  enrolmentId: 'e-1', sequenceId: 'welcome', sequenceVersion: 2, leadId: 'lead-1', status: 'active', startedAt: NOW, currentStep: 'follow-up', trigger: 'Lead.Captured',
};
const sequence = { id: 'welcome', campaignId: 'c-spring' } as NurtureSequence;
const lead = { id: 'lead-1', status: 'converted' } as LeadItem;

describe('a lead that converts while enrolled', () => {
  it('ends the enrolment with its conversion attributed, counted and announced in one transaction, so a crash after it loses none of them', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    await exitConverted(enrolment, sequence, lead, NOW);
    const [ending] = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    const keys = ending!.map((i) => (i.Update?.Key ?? { pk: i.Put?.Item?.pk, sk: i.Put?.Item?.sk }));
    expect(keys).toEqual(expect.arrayContaining([
      nurtureKeys.enrolment('e-1'),
      nurtureKeys.conversion('c-spring', 'welcome', 'lead-1'),
      outboxKey('lead-exited#e-1'),
      outboxKey('lead-converted#e-1'),
    ]));
    const shard = ending!.find((i) => String(i.Update?.Key?.sk).startsWith(nurtureKeys.sequenceStatsPrefix))!.Update!;
    expect(Object.values(shard.ExpressionAttributeNames!).sort()).toEqual(['active', 'conversions', 'exited.converted']);
    // announced by the outbox's relay, not put on the bus after the commit
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
  });

  it('writes nothing again when a retry finds the enrolment ended (by an attempt that died after its commit)', async () => {
    dynamo.on(TransactWriteCommand).rejects(Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    }));
    await exitConverted(enrolment, sequence, lead, NOW);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });
});
