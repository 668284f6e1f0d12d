import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { recordKey } from '../../schemas/keys';
import { Users } from '../../schemas/records';
import { forbidden, invalidField, notFound } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { toRecord } from './record-store';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';

/*
 * Delegation of approvals: a user away until a date names a delegate; while they are away, new approval
 * tasks go to the delegate (functions/approvals/approval-plan.ts resolves it). Tasks already assigned stay.
 */

/** Sets or clears a user's away period and delegate (the user themself, ops or admin). */
export async function setAway(userId: string, awayUntil: string | null, delegateId: string | undefined, principal: Principal, now: string) {
  if (principal.userId !== userId && !principal.roles.some((r) => r === 'ops' || r === 'admin')) {
    throw forbidden(`only ${userId} themself, ops or admin may set ${userId}'s away period`);
  }
  if (delegateId === userId) throw invalidField('body.delegateId', 'cannot be the user themself');
  if (awayUntil !== null && delegateId === undefined) throw invalidField('body.delegateId', 'is required while away: who takes new approval tasks?');
  const userKey = recordKey(Users.type, userId);
  const writes = [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: userKey,
          UpdateExpression: awayUntil === null
            ? 'REMOVE awayUntil, delegateId SET updatedAt = :now, version = version + :one'
            : 'SET awayUntil = :until, delegateId = :delegate, updatedAt = :now, version = version + :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: { ':now': now, ':one': 1, ...(awayUntil === null ? {} : { ':until': awayUntil, ':delegate': delegateId }) },
        },
      },
      whenConditionFails: notFound(`no user ${userId}`),
    },
    ...(awayUntil !== null && delegateId
      ? [{
          item: { ConditionCheck: { TableName: tableName(), Key: recordKey(Users.type, delegateId), ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND #s = :active', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':active': 'active' } } },
          whenConditionFails: invalidField('body.delegateId', `names no active user (${delegateId})`),
        }]
      : []),
  ];
  await writeAllOrNothing(writes);
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: userKey, ConsistentRead: true }));
  return toRecord(Item ?? {});
}
