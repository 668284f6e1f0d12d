import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PromotionSubmitted } from '../../schemas/events';
import { outboxKey } from '../../schemas/keys';
import { confirmSentBySes, deliverOutboxItem, eventToAnnounce, HOLDER_MARKS_WITHIN_MS, MAIL_LEASE_MS, mailToSend, waitToWake } from '../../functions/platform/outbox';
import { handler as confirmSent } from '../../functions/platform/confirm-sent-mail';
import { handler } from '../../functions/platform/relay-outbox';

// the relay's environment, before its modules load
vi.hoisted(() => Object.assign(process.env, { TABLE_NAME: 'crm', EVENT_BUS_NAME: 'crm', MAIL_CONFIGURATION_SET: 'tradeflow' }));
const dynamo = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);
const ses = mockClient(SESv2Client);
const sfn = mockClient(SFNClient);
afterEach(() => { dynamo.reset(); bus.reset(); ses.reset(); sfn.reset(); });

const NOW = Date.parse('2026-12-05T10:00:00Z');
const submitted = {
  promotionId: 'p-1', name: 'Summer display', accountNames: ['Corner shop'], fundName: 'North fund', submission: 1, submitterId: 'u-rep',
  ownerId: 'u-rep', departmentId: 'd-north', fundId: 'f-1', type: 'display', region: 'north',
  amount: { amountMinor: 10_000, currency: 'EUR' }, startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-01-31T00:00:00Z',
};
/** the item an outbox write puts, as the table would return it */
const stored = (write: ReturnType<typeof mailToSend>, extra: Record<string, unknown> = {}) => ({ ...write.item.Put!.Item, ...extra });
/** the event an outbox write carries, as the bus will get it */
const eventOf = (write: ReturnType<typeof eventToAnnounce>) => write.item.Put!.Item!.event as { detail: string };
const mail = { FromEmailAddress: 'Tradeflow <no-reply@tradeflow.example>', Destination: { ToAddresses: ['manager@tradeflow.example'] }, Content: { Simple: { Subject: { Data: 'Approval needed' }, Body: { Text: { Data: 'Please decide' } } } } };
const tracker = { pk: 'NURTURE_ENROLMENT#e-1', sk: 'STEP#welcome' };
const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

describe('an outbox write', () => {
  it('is a conditional put of the catalogue-checked event, so a change announced twice fails instead of announcing twice', () => {
    const write = eventToAnnounce('promotion-submitted#p-1#1', PromotionSubmitted, submitted, '2026-12-05T10:00:00Z');
    expect(write.item.Put).toMatchObject({
      Item: { ...outboxKey('promotion-submitted#p-1#1'), status: 'pending', event: { source: PromotionSubmitted.source, detailType: PromotionSubmitted.detailType } },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(JSON.parse(eventOf(write).detail)).toMatchObject({ promotionId: 'p-1', submission: 1 });
    expect(() => eventToAnnounce('x', PromotionSubmitted, { ...submitted, submission: 'one' } as never, '2026-12-05T10:00:00Z')).toThrow();
  });
});

describe('the relay waking a workflow that waits on an item (an approval request after a decision)', () => {
  const request = { pk: 'APPROVAL#r-1', sk: 'REQUEST' };
  const write = waitToWake('approval-wake#r-1#decided#t-1', request, '2026-12-05T10:00:00Z');
  const readsOf = (waiting: Record<string, unknown>) => dynamo.on(GetCommand, { Key: outboxKey('approval-wake#r-1#decided#t-1') }).resolves({ Item: stored(write) })
    .on(GetCommand, { Key: request }).resolves({ Item: { ...request, ...waiting } });

  it('completes the wait\'s token when the wait has not seen the change, then marks the item delivered', async () => {
    readsOf({ taskToken: 'token-3', signals: 4, tokenSignals: 3 });
    await expect(deliverOutboxItem('approval-wake#r-1#decided#t-1', NOW)).resolves.toBe('delivered');
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input)).toEqual([{ taskToken: 'token-3', output: JSON.stringify({ woken: true }) }]);
    expect(dynamo.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':delivered': 'delivered' });
  });

  it('leaves a wait that started after the change alone (it was woken at once, and the engine counted the change)', async () => {
    readsOf({ taskToken: 'token-4', signals: 4, tokenSignals: 4 });
    await expect(deliverOutboxItem('approval-wake#r-1#decided#t-1', NOW)).resolves.toBe('delivered');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('is done when the wait is over already (timed out, or woken by the API at once)', async () => {
    readsOf({ taskToken: 'token-3', signals: 4, tokenSignals: 3 });
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));
    await expect(deliverOutboxItem('approval-wake#r-1#decided#t-1', NOW)).resolves.toBe('delivered');
  });
});

describe('the relay delivering an event', () => {
  it('puts it on the CRM bus and then marks it delivered with the bus\'s event id, to expire', async () => {
    const write = eventToAnnounce('promotion-submitted#p-1#1', PromotionSubmitted, submitted, '2026-12-05T10:00:00Z');
    dynamo.on(GetCommand).resolves({ Item: stored(write) });
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
    await expect(deliverOutboxItem('promotion-submitted#p-1#1', NOW)).resolves.toBe('delivered');
    expect(bus.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries).toEqual([{
      EventBusName: 'crm', Source: PromotionSubmitted.source, DetailType: PromotionSubmitted.detailType, Detail: eventOf(write).detail,
    }]);
    const mark = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(mark.Key).toEqual(outboxKey('promotion-submitted#p-1#1'));
    expect(mark.ExpressionAttributeValues).toMatchObject({ ':delivered': 'delivered', ':eventId': 'ev-1', ':ttl': NOW / 1000 + 7 * 86_400 });
  });

  it('puts nothing for an item delivered before (a redelivered stream record)', async () => {
    const write = eventToAnnounce('promotion-submitted#p-1#1', PromotionSubmitted, submitted, '2026-12-05T10:00:00Z');
    dynamo.on(GetCommand).resolves({ Item: stored(write, { status: 'delivered' }) });
    await expect(deliverOutboxItem('promotion-submitted#p-1#1', NOW)).resolves.toBe('done before');
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('leaves it pending when the bus refuses it, so the stream tries again', async () => {
    const write = eventToAnnounce('promotion-submitted#p-1#1', PromotionSubmitted, submitted, '2026-12-05T10:00:00Z');
    dynamo.on(GetCommand).resolves({ Item: stored(write) });
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(deliverOutboxItem('promotion-submitted#p-1#1', NOW)).rejects.toThrow(/refused/);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('the relay sending a mail', () => {
  const write = mailToSend('nurture-mail#e-1#welcome', mail, '2026-12-05T10:00:00Z', tracker);

  it('holds it, sends it with the CRM\'s configuration set, then marks it and its tracker sent with SES\'s message id', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored(write) });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await expect(deliverOutboxItem('nurture-mail#e-1#welcome', NOW)).resolves.toBe('sent');
    const hold = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(hold.ConditionExpression).toBe('#status = :pending OR (#status = :sending AND sendingUntil < :now)');
    expect(hold.ExpressionAttributeValues).toMatchObject({ ':sending': 'sending', ':until': NOW + MAIL_LEASE_MS, ':now': NOW });
    // tagged with its outbox item, so SES's Send event can mark it if this attempt dies before its own mark
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).toEqual({
      ...mail, ConfigurationSetName: 'tradeflow', EmailTags: [{ Name: 'outbox', Value: Buffer.from('nurture-mail#e-1#welcome').toString('base64url') }],
    });
    const [outbox, tracked] = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(outbox!.Update).toMatchObject({ Key: outboxKey('nurture-mail#e-1#welcome'), ExpressionAttributeValues: { ':status': 'sent', ':messageId': 'm-1' } });
    expect(tracked!.Update).toMatchObject({ Key: tracker, ExpressionAttributeValues: { ':status': 'sent', ':messageId': 'm-1' } });
  });

  it('is marked sent, with its tracker, from SES\'s Send event when the attempt that sent it died before its mark', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { crm: [stored(write, { status: 'sending', sendingUntil: NOW + 30_000 })] } });
    const accepted = { outboxId: 'nurture-mail#e-1#welcome', messageId: 'm-1', acceptedAtMs: NOW - HOLDER_MARKS_WITHIN_MS };
    await expect(confirmSentBySes([accepted], NOW)).resolves.toEqual(new Map([['nurture-mail#e-1#welcome', true]]));
    const [outbox, tracked] = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(outbox!.Update).toMatchObject({ Key: outboxKey('nurture-mail#e-1#welcome'), ExpressionAttributeValues: { ':status': 'sent', ':messageId': 'm-1' } });
    expect(tracked!.Update).toMatchObject({ Key: tracker, ExpressionAttributeValues: { ':status': 'sent', ':messageId': 'm-1' } });
  });

  it('is left as it is by SES\'s Send event once its own attempt marked it', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { crm: [stored(write, { status: 'sent', messageId: 'm-1' })] } });
    const accepted = { outboxId: 'nurture-mail#e-1#welcome', messageId: 'm-1', acceptedAtMs: NOW - HOLDER_MARKS_WITHIN_MS };
    await expect(confirmSentBySes([accepted], NOW)).resolves.toEqual(new Map([['nurture-mail#e-1#welcome', false]]));
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('leaves the mark of a mail SES has just accepted to its own attempt: reads it only once that attempt had time to mark its run', async () => {
    vi.useFakeTimers();
    try {
      dynamo.on(BatchGetCommand).resolves({ Responses: { crm: [stored(write, { status: 'sent', messageId: 'm-1' })] } });
      const confirming = confirmSentBySes([{ outboxId: 'nurture-mail#e-1#welcome', messageId: 'm-1', acceptedAtMs: NOW }], NOW);
      await vi.advanceTimersByTimeAsync(HOLDER_MARKS_WITHIN_MS - 1);
      expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await expect(confirming).resolves.toEqual(new Map([['nurture-mail#e-1#welcome', false]]));
      expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads a batch of Send events\' mails with one request, marks only those still held, and hands back the event whose mark failed', async () => {
    const writes = ['a', 'b', 'c'].map((id) => mailToSend(`nurture-mail#e-${id}#welcome`, mail, '2026-12-05T09:59:58Z', { pk: `NURTURE_ENROLMENT#e-${id}`, sk: 'STEP#welcome' }));
    dynamo.on(BatchGetCommand).resolves({ Responses: { crm: [
      stored(writes[0]!, { status: 'sent', messageId: 'm-a' }),
      stored(writes[1]!, { status: 'sending', sendingUntil: Date.now() + 30_000 }),
      stored(writes[2]!, { status: 'sending', sendingUntil: Date.now() + 30_000 }),
    ] } });
    dynamo.on(TransactWriteCommand).callsFake((input: { TransactItems: { Update: { Key: { pk: string } } }[] }) => {
      if (input.TransactItems[0]!.Update.Key.pk === outboxKey('nurture-mail#e-c#welcome').pk) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      return {};
    });
    const sent = (id: string, sqsMessageId: string) => ({
      messageId: sqsMessageId,
      body: JSON.stringify({
        id: `ev-${id}`, source: 'aws.ses', 'detail-type': 'Email Sent', time: new Date(Date.now() - HOLDER_MARKS_WITHIN_MS).toISOString(),
        detail: { mail: { messageId: `m-${id}`, tags: { outbox: [Buffer.from(`nurture-mail#e-${id}#welcome`).toString('base64url')] } } },
      }),
    });
    const result = await confirmSent({ Records: [sent('a', '1'), sent('b', '2'), sent('c', '3')] }, { awsRequestId: 'r-1' } as Context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '3' }] });
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems!.crm!.Keys).toHaveLength(3);
    const marked = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems![0]!.Update!);
    expect(marked.map((u) => u.Key)).toEqual(expect.arrayContaining([outboxKey('nurture-mail#e-b#welcome'), outboxKey('nurture-mail#e-c#welcome')]));
    expect(marked.find((u) => u.Key!.pk === outboxKey('nurture-mail#e-b#welcome').pk)!.ExpressionAttributeValues).toMatchObject({ ':status': 'sent', ':messageId': 'm-b' });
    expect(marked.some((u) => u.Key!.pk === outboxKey('nurture-mail#e-a#welcome').pk)).toBe(false);
  });

  it('sends nothing while another attempt holds it, and says so, so the stream tries again after the hold', async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: stored(write) }).resolves({ Item: stored(write, { status: 'sending', sendingUntil: NOW + 30_000 }) });
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(deliverOutboxItem('nurture-mail#e-1#welcome', NOW)).rejects.toThrow(/another attempt/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('sends nothing when it was sent meanwhile', async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: stored(write) }).resolves({ Item: stored(write, { status: 'sent' }) });
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    await expect(deliverOutboxItem('nurture-mail#e-1#welcome', NOW)).resolves.toBe('done before');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('marks it failed, with the reason, when SES refuses it for good (no retry would send it)', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored(write) });
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Template nurture-gone does not exist'), { name: 'NotFoundException' }));
    await expect(deliverOutboxItem('nurture-mail#e-1#welcome', NOW)).resolves.toBe('failed');
    const [outbox, tracked] = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(outbox!.Update!.ExpressionAttributeValues).toMatchObject({ ':status': 'failed', ':failure': expect.stringContaining('Template nurture-gone') });
    expect(tracked!.Update!.ExpressionAttributeValues).toMatchObject({ ':status': 'failed' });
  });

  it('lets go of it and throws when SES fails for now, so the next attempt sends it at once', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored(write) });
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(deliverOutboxItem('nurture-mail#e-1#welcome', NOW)).rejects.toThrow('slow down');
    const release = dynamo.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(release).toMatchObject({ UpdateExpression: 'SET #status = :pending REMOVE sendingUntil', ExpressionAttributeValues: { ':until': NOW + MAIL_LEASE_MS } });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('the relay\'s stream batch', () => {
  const record = (id: string, sequence: string) => ({
    eventName: 'INSERT', dynamodb: { SequenceNumber: sequence, Keys: { pk: { S: `OUTBOX#${id}` }, sk: { S: 'OUTBOX' } }, NewImage: { id: { S: id } } },
  });

  it('delivers in order and hands the first failure and all after it back to the stream', async () => {
    const ok = eventToAnnounce('a', PromotionSubmitted, submitted, '2026-12-05T10:00:00Z');
    const failing = eventToAnnounce('b', PromotionSubmitted, { ...submitted, submission: 2 }, '2026-12-05T10:00:00Z');
    dynamo.on(GetCommand, { Key: outboxKey('a') }).resolves({ Item: stored(ok) })
      .on(GetCommand, { Key: outboxKey('b') }).resolves({ Item: stored(failing) });
    bus.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-a' }] }).rejects(new Error('the bus is away'));
    const result = await handler({ Records: [record('a', '1'), record('b', '2'), record('c', '3')] }, { awsRequestId: 'r-1' } as Context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(GetCommand).map((c) => c.args[0].input.Key)).toEqual([outboxKey('a'), outboxKey('b')]);
  });

  describe('with mails in a row (a launch\'s nurture mail)', () => {
    const mails = ['e-1', 'e-2', 'e-3'].map((e) => mailToSend(`nurture-mail#${e}#welcome`, mail, '2026-12-05T10:00:00Z', { pk: `NURTURE_ENROLMENT#${e}`, sk: 'STEP#welcome' }));
    /** a new item's record as the stream hands it, its image in the table's own terms */
    const mailRecord = (write: ReturnType<typeof mailToSend>, sequence: string) => ({
      eventName: 'INSERT', dynamodb: { SequenceNumber: sequence, Keys: { pk: { S: write.item.Put!.Item!.pk as string }, sk: { S: 'OUTBOX' } }, NewImage: marshall(stored(write), { removeUndefinedValues: true }) },
    });
    const batch = () => ({ Records: mails.map((m, i) => mailRecord(m, String(i + 1))) });

    it('holds them in one transaction, sends each, and marks them and their trackers in one more: two table requests, no read', async () => {
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-x' });
      await expect(handler(batch(), { awsRequestId: 'r-1' } as Context)).resolves.toEqual({ batchItemFailures: [] });
      const [hold, marks] = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
      expect(hold!.map((i) => i.Update!.Key)).toEqual(mails.map((m) => outboxKey(m.item.Put!.Item!.id as string)));
      expect(hold!.every((i) => i.Update!.ConditionExpression === '#status = :pending OR (#status = :sending AND sendingUntil < :now)')).toBe(true);
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
      expect(marks!.map((i) => [i.Update!.Key, i.Update!.ExpressionAttributeValues![':status']])).toEqual(mails.flatMap((m, i) => [
        [outboxKey(m.item.Put!.Item!.id as string), 'sent'], [{ pk: `NURTURE_ENROLMENT#e-${i + 1}`, sk: 'STEP#welcome' }, 'sent'],
      ]));
      expect(dynamo.calls()).toHaveLength(2);
    });

    it('goes one by one when the hold cannot take them all (a retried batch: one was sent already), and sends that one no more', async () => {
      dynamo.on(TransactWriteCommand).rejectsOnce(Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException' })).resolves({});
      dynamo.on(GetCommand, { Key: outboxKey('nurture-mail#e-1#welcome') }).resolves({ Item: stored(mails[0]!, { status: 'sent' }) })
        .on(GetCommand, { Key: outboxKey('nurture-mail#e-2#welcome') }).resolves({ Item: stored(mails[1]!) })
        .on(GetCommand, { Key: outboxKey('nurture-mail#e-3#welcome') }).resolves({ Item: stored(mails[2]!) });
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-x' });
      await expect(handler(batch(), { awsRequestId: 'r-1' } as Context)).resolves.toEqual({ batchItemFailures: [] });
      expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.EmailTags)).toEqual(['e-2', 'e-3'].map((e) => [
        { Name: 'outbox', Value: Buffer.from(`nurture-mail#${e}#welcome`).toString('base64url') },
      ]));
    });

    it('hands the first mail SES failed for now and those after it back to the stream, releases the failed ones, and marks those that went', async () => {
      ses.on(SendEmailCommand).resolvesOnce({ MessageId: 'm-1' }).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
      await expect(handler(batch(), { awsRequestId: 'r-1' } as Context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
      expect(dynamo.commandCalls(UpdateCommand).map((c) => [c.args[0].input.Key, c.args[0].input.UpdateExpression])).toEqual(
        ['e-2', 'e-3'].map((e) => [outboxKey(`nurture-mail#${e}#welcome`), 'SET #status = :pending REMOVE sendingUntil']),
      );
      const marks = dynamo.commandCalls(TransactWriteCommand)[1]!.args[0].input.TransactItems!;
      expect(marks.map((i) => i.Update!.Key)).toEqual([outboxKey('nurture-mail#e-1#welcome'), { pk: 'NURTURE_ENROLMENT#e-1', sk: 'STEP#welcome' }]);
    });
  });
});
