import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailAsSent, mailToSend } from '../../functions/platform/outbox';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { outboxKey } from '../../schemas/keys';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * The outbox's relay against the whole local runtime: a stream record delivered again (Lambda retries a
 * batch, or the relay died after its mark) reaches nobody twice, and a mail whose sending attempt died
 * before SES answered is sent once its hold ends, while one whose attempt died after SES accepted it is
 * marked sent by SES's Send event and not sent again.
 */
let crm: LocalCrm;
let documents: DynamoDBDocumentClient;
let lambda: LambdaClient;
beforeAll(async () => {
  crm = await startLocalCrm();
  process.env.TABLE_NAME = crm.runtime.tableName;
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: crm.runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
  lambda = new LambdaClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}, 120_000);
afterAll(async () => {
  documents?.destroy();
  lambda?.destroy();
  await crm?.stop();
});

/** the relay's name in the template the runtime runs */
const relayName = () => {
  const template = JSON.parse(readFileSync('cdk.out/Tradeflow.template.json', 'utf8')) as { Resources: Record<string, { Type: string }> };
  return Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('OutboxRelay'))![0];
};
/** the relay handed the stream record of an outbox item again */
async function redeliver(id: string) {
  const record = { eventName: 'INSERT', dynamodb: { SequenceNumber: `again-${id}`, Keys: { pk: { S: outboxKey(id).pk }, sk: { S: outboxKey(id).sk } }, NewImage: { id: { S: id } } } };
  const reply = await lambda.send(new InvokeCommand({ FunctionName: relayName(), Payload: Buffer.from(JSON.stringify({ Records: [record] })) }));
  expect(reply.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(reply.Payload!).toString()) as { batchItemFailures: unknown[] };
}
const mailsTo = async (address: string) => (await (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${address}`)).json()) as { id: string; subject: string; text: string }[];
const outboxItem = async (id: string) => (await documents.send(new GetCommand({ TableName: crm.runtime.tableName, Key: outboxKey(id), ConsistentRead: true }))).Item;

describe('the outbox relay', () => {
  it('sends an approval mail once, marks it with SES\'s message id, and sends nothing when the record comes again', async () => {
    const [draft] = (await crm.as('u-sales').get('/promotions?status=draft')).body.items;
    const asked = await crm.as('u-sales').post('/approvals', { subject: { type: 'promotion', id: draft.id } });
    expect(asked.status).toBe(202);
    const approverMails = async () => (await mailsTo('manager.north@tradeflow.example')).filter((m) => m.text.includes(`/app/approvals/${asked.body.requestId}`));
    await crm.eventually(approverMails, (mails) => mails.length === 1);
    await crm.untilIdle();
    const [item] = (await crm.allItems()).filter((i) => String(i.pk).startsWith(`OUTBOX#approval-mail#${asked.body.requestId}#task#`));
    const [mail] = await approverMails();
    expect(item).toMatchObject({ status: 'sent', messageId: mail!.id, attempts: 1, expiresAt: expect.any(Number) });

    expect(await redeliver(String(item!.id))).toEqual({ batchItemFailures: [] });
    await crm.untilIdle();
    expect(await approverMails()).toHaveLength(1);
  });

  it('sends a mail whose attempt died before SES answered once its hold has passed, and once only', async () => {
    const id = 'test-mail#held-by-a-dead-attempt';
    const write = mailToSend(id, {
      FromEmailAddress: 'Tradeflow <no-reply@tradeflow.example>', Destination: { ToAddresses: ['held@example.com'] },
      Content: { Simple: { Subject: { Data: 'Held mail' }, Body: { Text: { Data: 'It was being sent when its sender died.' } } } },
    }, new Date().toISOString());
    // as the outbox would hold it after a relay died between its hold and SES: sending, the hold passed
    await documents.send(new PutCommand({ TableName: crm.runtime.tableName, Item: { ...write.item.Put!.Item, status: 'sending', sendingUntil: Date.now() - 1, attempts: 1 } }));
    await crm.eventually(() => mailsTo('held@example.com'), (mails) => mails.length === 1);
    await crm.untilIdle();
    expect(await outboxItem(id)).toMatchObject({ status: 'sent', attempts: 2 });
    await redeliver(id);
    await crm.untilIdle();
    expect((await mailsTo('held@example.com')).map((m) => m.subject)).toEqual(['Held mail']);
  });
  it('does not send again a mail SES accepted whose attempt died before marking it: SES\'s Send event marks it', async () => {
    const id = 'test-mail#accepted-then-its-sender-died';
    const mail = {
      FromEmailAddress: 'Tradeflow <no-reply@tradeflow.example>', Destination: { ToAddresses: ['accepted@example.com'] },
      Content: { Simple: { Subject: { Data: 'Accepted mail' }, Body: { Text: { Data: 'SES took it; its sender died before the mark.' } } } },
    };
    const clockNow = ((await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json()) as { epochMillis: number }).epochMillis;
    // held by an attempt whose hold has not passed yet...
    const write = mailToSend(id, mail, new Date(clockNow).toISOString());
    await documents.send(new PutCommand({ TableName: crm.runtime.tableName, Item: { ...write.item.Put!.Item, status: 'sending', sendingUntil: clockNow + 600_000, attempts: 1 } }));
    // ...which got as far as SES accepting the mail, as the relay hands it over
    const ses = new SESv2Client({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const { MessageId } = await ses.send(new SendEmailCommand({ ...mailAsSent(id, mail), ConfigurationSetName: 'tradeflow' }));
    ses.destroy();
    await crm.eventually(() => outboxItem(id), (item) => item?.status === 'sent');
    expect(await outboxItem(id)).toMatchObject({ status: 'sent', messageId: MessageId, attempts: 1 });
    expect(await redeliver(id)).toEqual({ batchItemFailures: [] });
    await crm.untilIdle();
    expect((await mailsTo('accepted@example.com')).map((m) => m.subject)).toEqual(['Accepted mail']);
  });
});
