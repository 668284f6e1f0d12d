import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LIST_FILTERS, type ListFilter } from '../../schemas/api/route-spec';
import {
  ACCOUNT_COLLECTION, collectionPk, indexKeyAttributes, listPk, PROMOTION_COLLECTION, SEARCH_ATTRIBUTE, SEARCHABLE_FIELDS, searchNormalized,
  SUB_DEPARTMENT_PREFIX, type IndexName,
} from '../../schemas/keys';
import { Accounts, type RecordDefinition } from '../../schemas/records';
import { assertCan, scopeOf } from '../platform/access';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import { forbidden, invalidField, notFound } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { toRecord } from './record-store';
import { documentClient, tableName } from '../platform/table';

export type ListQuery = Partial<Record<ListFilter, string>> & { q?: string; limit?: number; cursor?: string };

/** One Query on one index partition: the filter a list is read by. */
interface IndexQuery {
  index: IndexName;
  pk: string;
  skPrefix?: string;
  newestFirst?: boolean;
  /** attribute equality filters the partition itself needs (opportunities share an account's collection) */
  filters: Record<string, string>;
}

/** Where each record type's items sit in an account's (or lead's, or department's) collection. */
const COLLECTION_PREFIX: Record<string, string | undefined> = {
  CONTACT: ACCOUNT_COLLECTION.contact,
  ACTIVITY: ACCOUNT_COLLECTION.activity,
  DEPARTMENT: SUB_DEPARTMENT_PREFIX,
  CLAIM: PROMOTION_COLLECTION.claim,
  TICKET: ACCOUNT_COLLECTION.ticket,
};

/** The list partitions (schemas/keys) a filter's value names. */
const PARTITION_OF = {
  ownerId: 'byOwner', departmentId: 'byDepartment', status: 'byStatus', region: 'byRegion',
} as const satisfies Partial<Record<ListFilter, IndexName>>;
const partitionPk = (index: (typeof PARTITION_OF)[keyof typeof PARTITION_OF], type: string, value: string) => listPk[index](type, value);

/**
 * When several filters are given, the list is read by the one that narrows it most (a parent's
 * collection, a person, a department, a region, a status) and the others are filter expressions.
 */
const MOST_SELECTIVE_FIRST: ListFilter[] = ['accountId', 'leadId', 'parentId', 'promotionId', 'ownerId', 'departmentId', 'region', 'status'];

function queryFor(def: RecordDefinition, filter: ListFilter | undefined, value: string): IndexQuery {
  const type = def.type;
  const inCollection = (pk: string): IndexQuery => {
    const skPrefix = COLLECTION_PREFIX[type];
    // opportunities sit in two places of an account's collection (open and closed): filter by type
    return skPrefix
      ? { index: 'byCollection', pk, skPrefix, newestFirst: type === 'ACTIVITY', filters: {} }
      : { index: 'byCollection', pk, filters: { recordType: type } };
  };
  switch (filter) {
    case 'ownerId': case 'departmentId': case 'status': case 'region': {
      const index = PARTITION_OF[filter];
      return { index, pk: partitionPk(index, type, value), filters: {} };
    }
    case 'accountId': return inCollection(collectionPk.account(value));
    case 'leadId': return inCollection(collectionPk.lead(value));
    case 'parentId': return inCollection(collectionPk.department(value));
    case 'promotionId': return inCollection(collectionPk.promotion(value));
    default: return { index: 'byType', pk: listPk.byType(type), filters: {} };
  }
}

/**
 * The filters a list applies: the ones asked for, plus what the caller's read scope adds (their
 * department; their own records). Undefined when they contradict (someone else's records for a caller
 * who may read only their own): nothing the caller may see matches.
 */
function filtersWithScope(def: RecordDefinition, principal: Principal, query: ListQuery): Partial<Record<ListFilter, string>> | undefined {
  const scope = scopeOf(principal, def.type, 'read');
  if (scope === 'none') throw forbidden(`role ${principal.roles.join(', ')} may not read ${def.type.toLowerCase()} records`);
  if (query.departmentId !== undefined && scope !== 'all' && query.departmentId !== principal.departmentId) {
    throw forbidden(`role ${principal.roles.join(', ')} may list only their own department (${principal.departmentId})`);
  }
  const asked = Object.fromEntries(LIST_FILTERS.filter((f) => query[f] !== undefined).map((f) => [f, query[f]!])) as Partial<Record<ListFilter, string>>;
  const scoped: Partial<Record<ListFilter, string>> = {
    ...(scope !== 'all' ? { departmentId: principal.departmentId } : {}),
    ...(scope === 'own' ? { ownerId: principal.userId } : {}),
  };
  const contradicts = (Object.keys(scoped) as ListFilter[]).some((f) => asked[f] !== undefined && asked[f] !== scoped[f]);
  return contradicts ? undefined : { ...asked, ...scoped };
}

/** How many reads one page may take when filter expressions drop items, and how many items each read looks at. */
const MAX_READS_PER_PAGE = 5;
const FILTERED_READ_LIMIT = 100;

/**
 * A page of a record list, with any of its filters together and, for a searchable type, a text search
 * (`q`, a case- and accent-insensitive `contains` on the item's search text): one index Query by the most
 * selective filter, the rest as a FilterExpression. A filter expression drops items after DynamoDB has
 * read them, so a page is read in up to MAX_READS_PER_PAGE Queries until it is full or the partition
 * ends; a page cut short by that bound still has a nextCursor, and an empty page may too.
 */
export async function listRecords(def: RecordDefinition, principal: Principal, query: ListQuery) {
  const limit = query.limit ?? 25;
  const filters = filtersWithScope(def, principal, query);
  if (!filters) return { items: [] };
  const by = MOST_SELECTIVE_FIRST.find((f) => filters[f] !== undefined);
  const indexQuery = queryFor(def, by, by ? filters[by]! : '');
  const attrs = indexKeyAttributes(indexQuery.index);
  const names: Record<string, string> = { '#pk': attrs.pk };
  const values: Record<string, unknown> = { ':pk': indexQuery.pk };
  let keyCondition = '#pk = :pk';
  if (indexQuery.skPrefix) {
    names['#sk'] = attrs.sk;
    values[':sk'] = indexQuery.skPrefix;
    keyCondition += ' AND begins_with(#sk, :sk)';
  }
  const conditions: string[] = [];
  const equal = (attribute: string, value: string) => {
    const i = conditions.length;
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
    conditions.push(`#f${i} = :f${i}`);
  };
  for (const [attribute, value] of Object.entries(indexQuery.filters)) equal(attribute, value);
  for (const filter of LIST_FILTERS.filter((f) => f !== by && filters[f] !== undefined)) {
    // a list filter is membership of its list partition: the same test whether it is the key or a filter
    // (a region in any case, an opportunity's status by its stage); a parent by the record's field
    if (filter in PARTITION_OF) {
      const index = PARTITION_OF[filter as keyof typeof PARTITION_OF];
      equal(indexKeyAttributes(index).pk, partitionPk(index, def.type, filters[filter]!));
    } else {
      equal(filter, filters[filter]!);
    }
  }
  if (query.q !== undefined) {
    if (!SEARCHABLE_FIELDS[def.type]) throw invalidField('query.q', `${def.plural} cannot be searched`);
    names['#search'] = SEARCH_ATTRIBUTE;
    values[':search'] = searchNormalized(query.q);
    conditions.push('contains(#search, :search)');
  }
  const filtered = conditions.length > 0;
  const keyOf = (item: Record<string, unknown>) => ({ pk: item.pk, sk: item.sk, [attrs.pk]: item[attrs.pk], [attrs.sk]: item[attrs.sk] });

  const items: Record<string, unknown>[] = [];
  let start = query.cursor ? decodeCursor(indexQuery, query.cursor) : undefined;
  for (let reads = 0; reads < MAX_READS_PER_PAGE; reads += 1) {
    const wanted = limit - items.length;
    const { Items = [], LastEvaluatedKey } = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      IndexName: indexQuery.index,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !indexQuery.newestFirst,
      Limit: filtered ? Math.max(wanted, FILTERED_READ_LIMIT) : wanted,
      ...(filtered ? { FilterExpression: conditions.join(' AND ') } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    items.push(...Items.slice(0, wanted));
    if (Items.length > wanted) {
      // the page filled up inside this read: the next one starts after its last item
      return { items: items.map(toRecord), nextCursor: encodeCursor(indexQuery, keyOf(items[items.length - 1]!)) };
    }
    start = LastEvaluatedKey;
    if (!start || items.length === limit) break;
  }
  return { items: items.map(toRecord), ...(start ? { nextCursor: encodeCursor(indexQuery, start) } : {}) };
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
