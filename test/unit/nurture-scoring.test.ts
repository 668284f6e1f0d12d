import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onMailEvent } from '../../functions/nurture/nurture-engagement';
import { changeScore, resumeHandOff } from '../../functions/nurture/nurture-scoring';
import type { Enrolment, LeadItem } from '../../functions/nurture/nurture-store';
import { sampleWelcomeSequence } from '../../local/seed/welcome-sequence';
import { nurtureKeys, outboxKey, recordKey } from '../../schemas/keys';
import { NurtureSequenceSchema, type NurtureSequence } from '../../schemas/nurture/sequence';

vi.hoisted(() => Object.assign(process.env, { TABLE_NAME: 'crm', EVENT_BUS_NAME: 'crm' }));
const dynamo = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);
afterEach(() => { dynamo.reset(); bus.reset(); });

const NOW = '2026-12-07T09:00:00.000Z';
const enrolment: Enrolment = {
  enrolmentId: 'e-1', sequenceId: 'welcome', sequenceVersion: 1, leadId: 'lead-1', status: 'active', startedAt: NOW, currentStep: 'boost', trigger: 'Lead.Captured',
};
const sequence = (() => {
  const document = sampleWelcomeSequence('welcome');
  document.scoring = { ...document.scoring!, handOff: { ...document.scoring!.handOff, task: { subject: 'Call the hot lead' } } };
  return NurtureSequenceSchema.parse(document) as NurtureSequence;
})();
const lead = (fields: Partial<LeadItem> = {}) => ({
  pk: 'LEAD#lead-1', sk: 'LEAD', id: 'lead-1', firstName: 'Mia', lastName: 'Maier', ownerId: 'u-sales', departmentId: 'd-north', accountId: 'acc-1',
  status: 'nurturing', score: 0, version: 3, ...fields,
});
const claimPut = { Put: { TableName: 'crm', Item: { ...nurtureKeys.stepClaim('e-1', 'boost') }, ConditionExpression: 'attribute_not_exists(pk)' } };
const cancelled = (failedAt: number, of: number) => Object.assign(new Error('cancelled'), {
  name: 'TransactionCanceledException', CancellationReasons: Array.from({ length: of }, (_, i) => ({ Code: i === failedAt ? 'ConditionalCheckFailed' : 'None' })),
});
const keysOf = (items: NonNullable<TransactWriteCommand['input']['TransactItems']>) =>
  items.map((i) => i.Update?.Key ?? { pk: i.Put?.Item?.pk, sk: i.Put?.Item?.sk });
const activitiesPut = () => dynamo.commandCalls(PutCommand).map((c) => c.args[0].input.Item!).filter((i) => i.recordType === 'ACTIVITY' || String(i.pk).startsWith('ACTIVITY'));

describe('a score change that crosses the MQL threshold', () => {
  beforeEach(() => {
    dynamo.on(GetCommand, { Key: recordKey('LEAD', 'lead-1') }).resolves({ Item: lead() });
    dynamo.on(PutCommand).resolves({});
  });

  it('writes the score, the qualification, Lead.Qualified and the hand-off mark with its cause in one transaction, then hands off', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    expect(await changeScore(enrolment, sequence, 60, NOW, 'step', [claimPut])).toBe(true);
    const [transaction] = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    expect(keysOf(transaction!)).toEqual(expect.arrayContaining([
      nurtureKeys.stepClaim('e-1', 'boost'), recordKey('LEAD', 'lead-1'), nurtureKeys.handOff('e-1'), outboxKey('lead-qualified#lead-1#3'),
    ]));
    const leadUpdate = transaction!.find((i) => i.Update?.Key?.pk === 'LEAD#lead-1')!.Update!;
    expect(leadUpdate.ConditionExpression).toContain('#version = :seen');
    expect(leadUpdate.ExpressionAttributeValues).toMatchObject({ ':seen': 3, ':by': 60 });
    expect(Object.values(leadUpdate.ExpressionAttributeValues!)).toContain('qualified');
    // announced by the relay, not after the commit
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(activitiesPut().map((a) => a.subject)).toEqual(expect.arrayContaining(['Call the hot lead', expect.stringMatching(/is qualified/)]));
  });

  it('does nothing when its cause was done before (a retried step whose claim exists)', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(0, 6));
    expect(await changeScore(enrolment, sequence, 60, NOW, 'step', [claimPut])).toBe(false);
    expect(activitiesPut()).toHaveLength(0);
  });

  it('reads the lead again when it changed meanwhile, and decides from what it is then', async () => {
    dynamo.on(GetCommand, { Key: recordKey('LEAD', 'lead-1') }).resolvesOnce({ Item: lead() }).resolves({ Item: lead({ status: 'qualified', score: 70, version: 4 }) });
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled(1, 6)).resolves({});
    expect(await changeScore(enrolment, sequence, 60, NOW, 'step', [claimPut])).toBe(true);
    const [, second] = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    // qualified by someone else meanwhile: the score moves, nothing is qualified or handed off twice
    expect(keysOf(second!)).not.toContainEqual(nurtureKeys.handOff('e-1'));
    expect(second!.find((i) => i.Update?.Key?.pk === 'LEAD#lead-1')!.Update!.ExpressionAttributeValues).toMatchObject({ ':seen': 4 });
    expect(activitiesPut()).toHaveLength(0);
  });
});

describe('a retry after a crash that cut a hand-off short', () => {
  beforeEach(() => {
    dynamo.on(GetCommand, { Key: recordKey('LEAD', 'lead-1') }).resolves({ Item: lead({ status: 'qualified', score: 60, version: 4 }) });
    dynamo.on(PutCommand).resolves({});
  });

  it('creates the owner\'s note, task and opportunity when the qualification committed', async () => {
    dynamo.on(GetCommand, { Key: nurtureKeys.handOff('e-1') }).resolves({ Item: { ...nurtureKeys.handOff('e-1'), at: NOW } });
    await resumeHandOff(enrolment, sequence, NOW);
    expect(activitiesPut().map((a) => a.subject)).toEqual(expect.arrayContaining(['Call the hot lead', expect.stringMatching(/is qualified/)]));
    expect(dynamo.commandCalls(PutCommand).some((c) => String(c.args[0].input.Item!.pk).startsWith('OPPORTUNITY'))).toBe(true);
  });

  it('creates nothing when this enrolment qualified nobody', async () => {
    dynamo.on(GetCommand, { Key: nurtureKeys.handOff('e-1') }).resolves({});
    await resumeHandOff(enrolment, sequence, NOW);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('an open of a nurture mail', () => {
  const opened = { mail: { tags: { 'nurture-enrolment': ['e-1'], 'nurture-step': ['welcome'] } } };
  beforeEach(() => {
    dynamo.on(GetCommand, { Key: nurtureKeys.enrolment('e-1') }).resolves({ Item: enrolment });
    dynamo.on(GetCommand, { Key: nurtureKeys.sequenceVersion('welcome', 1) }).resolves({ Item: { document: sampleWelcomeSequence('welcome') } });
    dynamo.on(GetCommand, { Key: recordKey('LEAD', 'lead-1') }).resolves({ Item: lead() });
    dynamo.on(GetCommand, { Key: nurtureKeys.handOff('e-1') }).resolves({});
    dynamo.on(UpdateCommand).resolves({});
  });

  it('marks the mail, counts the open, writes its line and scores it in one transaction', async () => {
    dynamo.on(GetCommand, { Key: nurtureKeys.stepClaim('e-1', 'welcome') }).resolves({ Item: { ...nurtureKeys.stepClaim('e-1', 'welcome'), status: 'sent' } });
    dynamo.on(TransactWriteCommand).resolves({});
    await onMailEvent('Email Opened', opened as never, NOW);
    const transactions = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    expect(transactions).toHaveLength(1);
    const keys = keysOf(transactions[0]!);
    expect(keys).toEqual(expect.arrayContaining([nurtureKeys.stepClaim('e-1', 'welcome'), recordKey('LEAD', 'lead-1')]));
    expect(keys.some((k) => String(k.sk).startsWith(nurtureKeys.sequenceStatsPrefix))).toBe(true);
    expect(keys.some((k) => String(k.sk).includes('mail-opened'))).toBe(true);
    // nothing written outside it
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('counts and scores nothing again when the open is delivered a second time', async () => {
    dynamo.on(GetCommand, { Key: nurtureKeys.stepClaim('e-1', 'welcome') }).resolves({ Item: { ...nurtureKeys.stepClaim('e-1', 'welcome'), status: 'sent', openedAt: NOW } });
    await onMailEvent('Email Opened', opened as never, NOW);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
