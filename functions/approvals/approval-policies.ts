import { ApprovalPolicySchema, type ApprovalPolicy, type ApprovalSubject } from '../../schemas/approvals/policy';
import {
  APPROVAL_POLICY_TYPE, APPROVAL_SK, approvalPolicyHeadKey, approvalPolicyIndexKeys, approvalPolicyVersionKey,
} from '../../schemas/keys';
import { conflict, forbidden, invalidField, notFound } from '../platform/errors';
import { evaluateCondition } from '../rules/conditions';
import type { Principal } from '../platform/principal';
import { toRecord } from '../records';
import { everyItemOf, queryAll, tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';
import { parseInput } from '../platform/validation';

/*
 * Approval policies as versioned data (DESIGN decision 4). A policy is a head item (name, subject
 * type, latest and active version) plus one item per version, written once and never changed: an edit
 * is a new version; activating points the head at a version; a running request keeps a copy of the
 * version it started with. Ops and admin write policies; anyone signed in may read them (an approver
 * may ask why a request came to them).
 */


export interface PolicyHead {
  policyId: string;
  name: string;
  subjectType: string;
  latestVersion: number;
  activeVersion?: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface PolicyVersion {
  policyId: string;
  version: number;
  createdAt: string;
  createdBy: string;
  document: ApprovalPolicy;
}

export const assertMayManagePolicies = (principal: Principal) => {
  if (!principal.roles.some((r) => r === 'ops' || r === 'admin')) throw forbidden('only ops and admin manage approval policies');
};


function versionWrite(policyId: string, version: number, document: ApprovalPolicy, principal: Principal, now: string) {
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...approvalPolicyVersionKey(policyId, version), recordType: `${APPROVAL_POLICY_TYPE}_VERSION`, policyId, version, createdAt: now, createdBy: principal.userId, document },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    whenConditionFails: conflict(`version ${version} of policy ${policyId} was written by someone else meanwhile; read it and try again`),
  };
}

/** POST /approval-policies: version 1, not active until activated. */
export async function createPolicy(body: unknown, principal: Principal, now: string): Promise<{ head: PolicyHead; version: PolicyVersion }> {
  assertMayManagePolicies(principal);
  const document = parseInput(ApprovalPolicySchema, body, 'body');
  const head: PolicyHead = {
    policyId: document.id, name: document.name, subjectType: document.subjectType, latestVersion: 1, createdAt: now, createdBy: principal.userId, updatedAt: now,
  };
  await writeAllOrNothing([
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: { ...approvalPolicyHeadKey(document.id), ...approvalPolicyIndexKeys(document.id), recordType: APPROVAL_POLICY_TYPE, ...head },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      whenConditionFails: conflict(`a policy with id ${document.id} exists; edit it (PUT) to make a new version`),
    },
    versionWrite(document.id, 1, document, principal, now),
  ]);
  return { head, version: { policyId: document.id, version: 1, createdAt: now, createdBy: principal.userId, document } };
}

/** The head and every version, oldest first: one Query. */
export async function readPolicy(policyId: string): Promise<{ head: PolicyHead; versions: PolicyVersion[] }> {
  const items = await queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': approvalPolicyHeadKey(policyId).pk }, ConsistentRead: true });
  const head = items.find((i) => i.sk === APPROVAL_SK.policyHead);
  if (!head) throw notFound(`no approval policy ${policyId}`);
  const versions = items.filter((i) => i.sk.startsWith(APPROVAL_SK.policyVersionPrefix)).map((i) => toRecord(i) as unknown as PolicyVersion);
  return { head: toRecord(head) as unknown as PolicyHead, versions };
}

/** PUT /approval-policies/{id}: the edited document becomes the next version; the active one stays active. */
export async function addPolicyVersion(policyId: string, body: unknown, principal: Principal, now: string): Promise<PolicyVersion> {
  assertMayManagePolicies(principal);
  const document = parseInput(ApprovalPolicySchema, body, 'body');
  if (document.id !== policyId) throw invalidField('body.id', `must be ${policyId}, the policy this edits`);
  const { head } = await readPolicy(policyId);
  if (document.subjectType !== head.subjectType) {
    throw invalidField('body.subjectType', `must stay ${head.subjectType}; a policy for another subject type is a new policy`);
  }
  const version = head.latestVersion + 1;
  await writeAllOrNothing([
    versionWrite(policyId, version, document, principal, now),
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: approvalPolicyHeadKey(policyId),
          UpdateExpression: 'SET latestVersion = :next, #name = :name, updatedAt = :now',
          ConditionExpression: 'latestVersion = :latest',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':next': version, ':latest': head.latestVersion, ':name': document.name, ':now': now },
        },
      },
      whenConditionFails: conflict(`policy ${policyId} got version ${version} from someone else meanwhile; read it and try again`),
    },
  ]);
  return { policyId, version, createdAt: now, createdBy: principal.userId, document };
}

/** POST /approval-policies/{id}/activate: new requests use this version from now on. */
export async function activatePolicyVersion(policyId: string, version: number, principal: Principal, now: string): Promise<PolicyHead> {
  assertMayManagePolicies(principal);
  await writeAllOrNothing([
    {
      item: { ConditionCheck: { TableName: tableName(), Key: approvalPolicyVersionKey(policyId, version), ConditionExpression: 'attribute_exists(pk)' } },
      whenConditionFails: invalidField('body.version', `policy ${policyId} has no version ${version}`),
    },
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: approvalPolicyHeadKey(policyId),
          UpdateExpression: 'SET activeVersion = :v, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': version, ':now': now },
        },
      },
      whenConditionFails: notFound(`no approval policy ${policyId}`),
    },
  ]);
  return (await readPolicy(policyId)).head;
}

/** Every policy head, by id. */
export async function listPolicies(): Promise<PolicyHead[]> {
  return (await everyItemOf(APPROVAL_POLICY_TYPE)).map((i) => toRecord(i) as unknown as PolicyHead);
}

export function pickVersion(policy: { head: PolicyHead; versions: PolicyVersion[] }, version: number | undefined): PolicyVersion {
  const wanted = version ?? policy.head.latestVersion;
  const found = policy.versions.find((v) => v.version === wanted);
  if (!found) throw invalidField('body.version', `policy ${policy.head.policyId} has no version ${wanted}`);
  return found;
}

/**
 * The active policy version a request runs under: the named policy's active version, or else the
 * active policy of the subject's type whose entry condition holds (the first by id when several do).
 * Undefined, with the reason in words, when there is none.
 */
export async function findPolicyFor(subject: ApprovalSubject, policyId?: string): Promise<PolicyVersion | { reason: string }> {
  if (policyId) {
    const policy = await readPolicy(policyId).catch(() => undefined);
    if (!policy) return { reason: `approval policy ${policyId} does not exist` };
    if (policy.head.activeVersion === undefined) return { reason: `approval policy ${policyId} has no active version` };
    return pickVersion(policy, policy.head.activeVersion);
  }
  const heads = (await listPolicies())
    .filter((h) => h.subjectType === subject.type && h.activeVersion !== undefined)
    .sort((a, b) => (a.policyId < b.policyId ? -1 : 1));
  for (const head of heads) {
    const version = pickVersion(await readPolicy(head.policyId), head.activeVersion);
    if (!version.document.entryCondition || evaluateCondition(version.document.entryCondition, subject.fields)) return version;
  }
  return {
    reason: heads.length === 0
      ? `no active approval policy is for ${subject.type}`
      : `no active approval policy for ${subject.type} applies to this request (${heads.map((h) => h.policyId).join(', ')}: entry condition not met)`,
  };
}
