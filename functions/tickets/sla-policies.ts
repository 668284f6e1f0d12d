import { recordKey, slaPolicyKey, slaPolicyVersionKey } from '../../schemas/keys';
import { Departments } from '../../schemas/records';
import { SlaPolicyBodySchema, type SlaPolicyRecord } from '../../schemas/tickets/records';
import { conflict, forbidden, invalidField, notFound } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';
import { parseInput } from '../platform/validation';
import { readItem, readSlaPolicy } from './ticket-store';

/*
 * The teams' SLA policies (data, like approval policies): ops and admin write one per team; each write
 * is the policy's next version (its copy kept under the version's own key), and a ticket copies the
 * targets of the version it starts under, so a change applies to tickets opened or reopened after it.
 */

const assertPolicyWriter = (principal: Principal) => {
  if (!principal.roles.some((role) => role === 'ops' || role === 'admin')) throw forbidden(`role ${principal.roles.join(', ')} may not write SLA policies (ops, admin)`);
};

/** PUT /tickets/sla-policies/{teamId}: the team's policy, as its next version. */
export async function putSlaPolicy(principal: Principal, teamId: string, body: unknown, now: string): Promise<SlaPolicyRecord> {
  assertPolicyWriter(principal);
  const input = parseInput(SlaPolicyBodySchema, body, 'body');
  const team = await readItem(recordKey(Departments.type, teamId));
  if (!team || team.deletedAt) throw invalidField('path.teamId', `names no department (${teamId})`);
  const current = await readSlaPolicy(teamId);
  const policy: SlaPolicyRecord = { ...input, teamId, version: (current?.version ?? 0) + 1, updatedAt: now, updatedBy: principal.userId };
  const changedMeanwhile = conflict(`the SLA policy of team ${teamId} changed meanwhile; read it again`);
  await writeAllOrNothing([
    {
      item: {
        Put: {
          TableName: tableName(), Item: { ...slaPolicyKey(teamId), ...policy },
          ...(current
            ? { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': current.version } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      whenConditionFails: changedMeanwhile,
    },
    {
      item: { Put: { TableName: tableName(), Item: { ...slaPolicyVersionKey(teamId, policy.version), ...policy }, ConditionExpression: 'attribute_not_exists(pk)' } },
      whenConditionFails: changedMeanwhile,
    },
  ]);
  return policy;
}

/** GET /tickets/sla-policies/{teamId}: anyone signed in may read a team's targets (an agent sees what they are held to). */
export async function getSlaPolicy(teamId: string): Promise<SlaPolicyRecord> {
  const policy = await readSlaPolicy(teamId);
  if (!policy) throw notFound(`team ${teamId} has no SLA policy`);
  return policy;
}
