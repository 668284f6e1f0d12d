import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ListFilter } from '../../schemas/api/route-spec';
import { ACCOUNT_COLLECTION, collectionPk, indexKeyAttributes, listPk, PROMOTION_COLLECTION, SUB_DEPARTMENT_PREFIX, type IndexName } from '../../schemas/keys';
import { Accounts, type RecordDefinition } from '../../schemas/records';
import { assertCan, scopeOf } from '../platform/access';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import { forbidden, invalid, notFound } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { toRecord } from './record-store';
import { documentClient, tableName } from '../platform/table';

export type ListQuery = Partial<Record<ListFilter, string>> & { limit?: number; cursor?: string };

/** One Query on one index: what a list filter turns into. */
interface IndexQuery {
  index: IndexName;
  pk: string;
  skPrefix?: string;
  newestFirst?: boolean;
  /** attribute equality filters applied after the key condition (access scope, record type) */
  filters: Record<string, string>;
}

/** Where each record type's items sit in an account's (or lead's, or department's) collection. */
const COLLECTION_PREFIX: Record<string, string | undefined> = {
  CONTACT: ACCOUNT_COLLECTION.contact,
  ACTIVITY: ACCOUNT_COLLECTION.activity,
  DEPARTMENT: SUB_DEPARTMENT_PREFIX,
  CLAIM: PROMOTION_COLLECTION.claim,
};

function queryFor(def: RecordDefinition, filter: ListFilter | undefined, value: string | undefined, principal: Principal): IndexQuery {
  const type = def.type;
  const inCollection = (pk: string): IndexQuery => {
    const skPrefix = COLLECTION_PREFIX[type];
    // opportunities sit in two places of an account's collection (open and closed): filter by type
    return skPrefix
      ? { index: 'byCollection', pk, skPrefix, newestFirst: type === 'ACTIVITY', filters: {} }
      : { index: 'byCollection', pk, filters: { recordType: type } };
  };
  switch (filter) {
    case 'ownerId': return { index: 'byOwner', pk: listPk.byOwner(type, value!), filters: {} };
    case 'departmentId': return { index: 'byDepartment', pk: listPk.byDepartment(type, value!), filters: {} };
    case 'status': return { index: 'byStatus', pk: listPk.byStatus(type, value!), filters: {} };
    case 'region': return { index: 'byRegion', pk: listPk.byRegion(type, value!), filters: {} };
    case 'accountId': return inCollection(collectionPk.account(value!));
    case 'leadId': return inCollection(collectionPk.lead(value!));
    case 'parentId': return inCollection(collectionPk.department(value!));
    case 'promotionId': return inCollection(collectionPk.promotion(value!));
    default: {
      // no filter: everything the caller may see
      const scope = scopeOf(principal, type, 'read');
      if (scope === 'own') return { index: 'byOwner', pk: listPk.byOwner(type, principal.userId), filters: {} };
      if (scope === 'department') return { index: 'byDepartment', pk: listPk.byDepartment(type, principal.departmentId), filters: {} };
      return { index: 'byType', pk: listPk.byType(type), filters: {} };
    }
  }
}

/** Narrows a query to what the caller's read scope covers. */
function restrictToScope(query: IndexQuery, def: RecordDefinition, principal: Principal): IndexQuery {
  const scope = scopeOf(principal, def.type, 'read');
  if (scope === 'none') throw forbidden(`role ${principal.roles.join(', ')} may not read ${def.type.toLowerCase()} records`);
  if (scope === 'all') return query;
  const filters: Record<string, string> = { ...query.filters, departmentId: principal.departmentId };
  if (scope === 'own') filters.ownerId = principal.userId;
  return { ...query, filters };
}

export async function listRecords(def: RecordDefinition, principal: Principal, query: ListQuery) {
  const given = (Object.keys(query) as (keyof ListQuery)[]).filter((k) => k !== 'limit' && k !== 'cursor' && query[k] !== undefined);
  if (given.length > 1) {
    throw invalid('list by one filter at a time', given.map((f) => ({ field: `query.${f}`, message: 'combined with another filter' })));
  }
  const filter = given[0] as ListFilter | undefined;
  const scope = scopeOf(principal, def.type, 'read');
  if (filter === 'departmentId' && scope !== 'all' && query.departmentId !== principal.departmentId) {
    throw forbidden(`role ${principal.roles.join(', ')} may list only their own department (${principal.departmentId})`);
  }
  const indexQuery = restrictToScope(queryFor(def, filter, filter && query[filter], principal), def, principal);
  const attrs = indexKeyAttributes(indexQuery.index);
  const names: Record<string, string> = { '#pk': attrs.pk };
  const values: Record<string, unknown> = { ':pk': indexQuery.pk };
  let keyCondition = '#pk = :pk';
  if (indexQuery.skPrefix) {
    names['#sk'] = attrs.sk;
    values[':sk'] = indexQuery.skPrefix;
    keyCondition += ' AND begins_with(#sk, :sk)';
  }
  const filterParts = Object.entries(indexQuery.filters).map(([attribute, value], i) => {
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  const input: QueryCommandInput = {
    TableName: tableName(),
    IndexName: indexQuery.index,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: !indexQuery.newestFirst,
    Limit: query.limit ?? 25,
    ...(filterParts.length ? { FilterExpression: filterParts.join(' AND ') } : {}),
    ...(query.cursor ? { ExclusiveStartKey: decodeCursor(indexQuery, query.cursor) } : {}),
  };
  const { Items = [], LastEvaluatedKey } = await documentClient.send(new QueryCommand(input));
  return {
    items: Items.map(toRecord),
    ...(LastEvaluatedKey ? { nextCursor: encodeCursor(indexQuery, LastEvaluatedKey) } : {}),
  };
}

/**
 * One page of one index partition, with an opaque cursor bound to it: lists that are a plain partition
 * (an inbox, a submitter's requests, the quarantine) without filters or access scopes.
 */
export async function listIndexPage(
  index: IndexName, pk: string, page: { limit?: number; cursor?: string; newestFirst?: boolean },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const list = { index, pk };
  const { Items = [], LastEvaluatedKey } = await documentClient.send(new QueryCommand({
    TableName: tableName(),
    IndexName: index,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': indexKeyAttributes(index).pk },
    ExpressionAttributeValues: { ':pk': pk },
    ScanIndexForward: !page.newestFirst,
    Limit: page.limit ?? 25,
    ...(page.cursor ? { ExclusiveStartKey: decodeCursor(list, page.cursor) } : {}),
  }));
  return { items: Items.map(toRecord), ...(LastEvaluatedKey ? { nextCursor: encodeCursor(list, LastEvaluatedKey) } : {}) };
}

/** How many items of an account's collection the 360 reads at most (the account, contacts, open deals, activities). */
export const ACCOUNT_360_LIMIT = 200;

/** The account 360 in one Query: the account's item collection, newest activities first, closed deals left out. */
export async function getAccount360(principal: Principal, accountId: string) {
  const attrs = indexKeyAttributes('byCollection');
  const { Items = [], LastEvaluatedKey } = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'byCollection',
      KeyConditionExpression: '#pk = :pk AND #sk >= :shown',
      ExpressionAttributeNames: { '#pk': attrs.pk, '#sk': attrs.sk },
      ExpressionAttributeValues: { ':pk': collectionPk.account(accountId), ':shown': ACCOUNT_COLLECTION.shownFrom },
      ScanIndexForward: false,
      Limit: ACCOUNT_360_LIMIT,
    }),
  );
  const ofType = (type: string) => Items.filter((item) => item.recordType === type).map(toRecord);
  const [account] = ofType(Accounts.type);
  if (!account) throw notFound(`no account ${accountId}`);
  assertCan(principal, 'read', Accounts.type, account, accountId);
  return {
    account,
    contacts: ofType('CONTACT'),
    openOpportunities: ofType('OPPORTUNITY'),
    latestActivities: ofType('ACTIVITY'),
    truncated: LastEvaluatedKey !== undefined,
  };
}
