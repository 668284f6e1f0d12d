import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { itemFor, uniqueValueKey } from '../../schemas/keys';
import type { NurtureSequence } from '../../schemas/nurture/sequence';
import { Accounts, Activities, Opportunities } from '../../schemas/records';
import { documentClient, tableName } from '../platform/table';
import { hashOf, putNew, updateLead, type LeadItem } from './nurture-store';

/*
 * What the engine creates for a lead's owner (the notify-owner, create-task and create-opportunity
 * steps, and the MQL hand-off): notes, tasks and opportunities, each with an id derived from the step
 * or the hand-off, so a retried step creates nothing twice.
 */

type OpportunitySpec = NonNullable<NonNullable<NurtureSequence['scoring']>['handOff']['opportunity']>;

const owned = (lead: LeadItem) => ({ ownerId: lead.ownerId, departmentId: lead.departmentId });
const system = (id: string, now: string) => ({ id, version: 1, createdAt: now, updatedAt: now });
const shortId = (key: string) => hashOf(key).slice(0, 32);

/** A note on the lead's timeline for its owner (what the owner's activity list shows). */
export async function notifyOwner(lead: LeadItem, message: string, key: string, now: string): Promise<void> {
  const record = Activities.record.parse({ ...system(`note-${shortId(key)}`, now), ...owned(lead), type: 'note', subject: message, occurredAt: now, leadId: lead.id });
  await putNew(itemFor('ACTIVITY', record));
}

export async function createTask(lead: LeadItem, subject: string, key: string, now: string): Promise<void> {
  const record = Activities.record.parse({ ...system(`task-${shortId(key)}`, now), ...owned(lead), type: 'task', subject, occurredAt: now, leadId: lead.id });
  await putNew(itemFor('ACTIVITY', record));
}

/** The id of the opportunity created under `key`, known before it is. */
export const opportunityIdFor = (key: string) => `opp-${shortId(key)}`;

/** An opportunity for the lead's owner; a lead without an account gets a prospect account first (once). */
export async function createOpportunity(lead: LeadItem, spec: OpportunitySpec, key: string, now: string): Promise<string> {
  let { accountId } = lead;
  if (!accountId) {
    accountId = `acc-${shortId(`lead-account-${lead.id}`)}`;
    const account = Accounts.record.parse({
      ...system(accountId, now), ...owned(lead), code: `LEAD-${shortId(lead.id).slice(0, 12).toUpperCase()}`,
      name: lead.company ?? `${lead.firstName} ${lead.lastName}`, channelType: 'retail-outlet', tier: 'standard',
      status: 'prospect', region: lead.region ?? 'Unassigned', ...(lead.email ? { email: lead.email } : {}),
    });
    try {
      await documentClient.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: itemFor('ACCOUNT', account), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: tableName(), Item: { ...uniqueValueKey('ACCOUNT', 'code', account.code), owner: `ACCOUNT#${accountId}` }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }));
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
    }
    await updateLead(lead.id, { accountId }, now);
  }
  const id = opportunityIdFor(key);
  const close = new Date(Date.parse(now) + spec.closesInDays * 86_400_000).toISOString().slice(0, 10);
  const record = Opportunities.record.parse({
    ...system(id, now), ...owned(lead), accountId, name: spec.name, stage: 'qualification', amount: spec.amount,
    expectedCloseDate: close, probability: spec.probability, stageEnteredAt: now,
  });
  await putNew(itemFor('OPPORTUNITY', record));
  return id;
}
